/* Sync with the central PostgreSQL database (see central.h for its layout).
 *
 * A round is push then pull. Local writes never wait for the network: they
 * land in SQLite, and outbox triggers (installed by sync for every ledger
 * table, found at run time) note them in local_sync_outbox in the same
 * transaction. Push sends the noted rows, pull applies what other consoles
 * pushed since this console's cursor. Both are idempotent and crash-safe, so
 * a failed or killed round is simply run again. */
#ifndef UNYO_SYNC_H
#define UNYO_SYNC_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct sync_table_report {
    char *table;
    long long sent;      /* rows sent to the central database */
    long long pushed;    /* of those, rows that changed the central copy */
    long long pulled;    /* rows applied locally */
    long long conflicts; /* recorded in audit as sync.conflict */
};

struct sync_report {
    struct sync_table_report *t;
    int count;
    long long sent, pushed, pulled, conflicts;
    long long own_lo, own_hi; /* server_seq range of this round's push (internal) */
};
void sync_report_free(struct sync_report *r);

/* Called during a round: phase is "push" or "pull"; total may be an estimate
 * (0 when unknown). May be NULL. */
typedef void (*sync_progress_fn)(void *ud, const char *phase, long long done, long long total);

/* One round (push then pull) on an open connection. rep may be NULL. */
int sync_round(struct store *st, PGconn *c, struct sync_report *rep, sync_progress_fn progress,
               void *ud, char **err);

/* Connects, runs a round, closes, and records the outcome (last success,
 * last error, offline since) in local_sync_meta. */
int sync_run(struct store *st, const char *url, struct sync_report *rep, sync_progress_fn progress,
             void *ud, char **err);

/* A round refuses to send or receive anything (fails, *err says to run
 * `unyo sync --full`) when the store lacks versions this console itself
 * pushed: the store file was restored from a backup. sync_run_full then
 * connects as sync_run does, pulls every central row from the start, this
 * console's own included, last writer wins as usual (edits made since the
 * restore stay when newer and are pushed), observes every clock, and runs a
 * normal round. Running it again changes nothing. */
int sync_run_full(struct store *st, const char *url, struct sync_report *rep,
                  sync_progress_fn progress, void *ud, char **err);

/* Installs the outbox triggers on tables that lack them, noting their
 * existing rows written by this console as pending (history made before
 * sync was turned on, or in a table added later). Also run by sync_round. */
int sync_prepare(struct store *st, char **err);

/* The search index after a large pull. A pull of a big backlog suspends the
 * search index's triggers and commits its rows without indexing them; the
 * index is rebuilt afterwards, by sync_index_build: `unyo sync` after it
 * printed the result (unless --no-index), the console in the background.
 * Meanwhile a search scans the rows (search.h: complete, only slower).
 * PULLING: a pull is under way (or was killed; the next pull settles it),
 * so nobody rebuilds under it; DUE: the rows are in, the index waits. */
enum sync_index { SYNC_INDEX_OK, SYNC_INDEX_PULLING, SYNC_INDEX_DUE };
enum sync_index sync_index_state(struct store *st);
/* Rebuilds the index (one write transaction, ~0.35 s per 100k rows of the
 * store) when DUE; does nothing otherwise. Safe from two processes at once. */
int sync_index_build(struct store *st, char **err);

struct sync_status_table {
    char *table;
    long long pending;
    long long pushed_total, pulled_total;
};

struct sync_status {
    struct sync_status_table *t;
    int count;
    long long pending;
    char *central;          /* central instance id, or NULL when never synced */
    char *last_attempt;     /* ISO UTC, or NULL */
    char *last_success;     /* ISO UTC, or NULL */
    char *last_error;       /* message of the last failed round since the last success */
    char *last_error_at;    /* ISO UTC */
    char *offline_since;    /* first failure since the last success */
    char *restore_detected; /* ISO UTC: a round found the store restored from
                               a backup; NULL once `unyo sync --full` ran */
    /* Rows the central database refused, set aside so the rest flows (see
     * sync_push.c); they stay in the store and go again once repaired or on
     * sync_retry_set_aside. */
    long long set_aside;
    struct sync_set_aside {
        char *table, *row_id, *error, *at;
    } * aside;
};
int sync_status_read(struct store *st, struct sync_status *out, char **err);

/* Puts every set-aside row back in the outbox for the next round (`unyo sync
 * --retry`); *count (may be NULL) gets how many there were. A row still
 * refused is set aside again by that round. */
int sync_retry_set_aside(struct store *st, long long *count, char **err);
void sync_status_free(struct sync_status *s);

/* ---- Non-blocking use from the console's event loop ----------------------
 *
 * A session runs rounds on a worker thread with its own connection to the
 * store file (SQLite in WAL mode lets the console keep reading and writing;
 * the pull commits in chunks so a console write never waits long). The event
 * loop polls sync_fd() for sync_poll_events() and calls sync_step() when it
 * is ready and on its timer (e.g. every second): sync_step collects a
 * finished round and starts the next one when the interval has passed or
 * sync_session_kick() asked for one.
 *
 *   struct sync_session *ss = sync_session_new(st, url, 30);
 *   pollfd { sync_fd(ss), sync_poll_events(ss) } ... -> sync_step(ss);
 *   sync_status_line(ss, buf, sizeof buf);   // "synced 09:12", "3 pending" ...
 *   sync_session_free(ss);                   // waits for a running round
 */
enum sync_state {
    SYNC_STATE_IDLE,    /* no round yet */
    SYNC_STATE_RUNNING, /* a round is under way */
    SYNC_STATE_SYNCED,  /* the last round succeeded */
    SYNC_STATE_OFFLINE, /* the last round could not reach the server */
    SYNC_STATE_ERROR,   /* the last round failed for another reason */
};

struct sync_session;
/* st: the console's store (its path is reopened by the worker; its clock is
 * advanced past pulled rows when a round ends). url may be NULL: then
 * [sync] url from config.ini; no url = sync off (state stays IDLE).
 * interval_s <= 0: [sync] interval, default 30. */
struct sync_session *sync_session_new(struct store *st, const char *url, int interval_s);
void sync_session_free(struct sync_session *ss);
int sync_fd(const struct sync_session *ss);
short sync_poll_events(const struct sync_session *ss);
/* Collects a finished round, starts one when due. Never blocks. Returns 1
 * when the status line changed. */
int sync_step(struct sync_session *ss);
/* Asks for a round as soon as possible (after a local write, say). */
void sync_session_kick(struct sync_session *ss);
enum sync_state sync_session_state(const struct sync_session *ss);
/* Rows waiting to be pushed, as of the last round's end; -1 before the first. */
long long sync_session_pending(const struct sync_session *ss);
/* Milliseconds until sync_step wants to be called again (for poll's timeout). */
int sync_session_timeout_ms(const struct sync_session *ss);
/* The status line text (translated): "synced 09:12", "12 pending",
 * "offline since 09:10 (5 pending)", "sync error: ...", "syncing 40%",
 * followed by ", 2 set aside" while the central database refuses rows. */
void sync_status_line(const struct sync_session *ss, char *buf, size_t n);
/* The last error message, or NULL. */
const char *sync_session_error(const struct sync_session *ss);

#endif
