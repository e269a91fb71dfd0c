/* What the phases of sync share (private to src/sync*.c; the public API is
 * sync.h). Each file holds one phase: sync_push.c, sync_pull.c, sync_copy.c
 * (COPY text), sync_round.c (rounds and the non-blocking session); sync.c
 * keeps reports, the outbox triggers and the status. Include sync.h first
 * (not included here, so that sync.c and this header do not include each
 * other);
 * progress is a sync_progress_fn. */
#ifndef UNYO_SYNC_INT_H
#define UNYO_SYNC_INT_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct sync_report;
struct sync_table_report;
struct strbuf;
struct ledger_table;
struct ledger_schema;

/* ---- sync.c ---- */
/* UNYO_SYNC_TRACE=1: phase timings on stderr (for benchmarks and support). */
void sync_trace(const char *what);
/* The report line of table, added when r has none yet; NULL when r is NULL. */
struct sync_table_report *sync_report_for(struct sync_report *r, const char *table);
/* local_sync_meta: a malloc'd value or NULL; value NULL deletes the key. */
char *sync_meta_get(struct store *st, const char *key);
int sync_meta_set(struct store *st, const char *key, const char *value);
/* Installs the outbox triggers. full: the central database is new to this
 * store (first sync, or another instance, e.g. re-created after a loss):
 * every row of the store is pending again, whoever wrote it (the central
 * merge keeps the newest version), and every pull cursor starts from 0;
 * instance is then recorded as the central database this store syncs with. */
int sync_prepare_tables(struct store *st, const struct ledger_schema *ls, int full,
                        const char *instance, char **err);

/* ---- sync_copy.c: COPY text format, column lists, results ---- */
/* Appends column i of s in COPY text form for a mirror column of affinity aff. */
void sync_copy_value(struct strbuf *sb, sqlite3_stmt *s, int i, char aff);
/* Splits one COPY text row (without its newline) in place. fields[i] NULL
 * for \N. Returns the number of fields. */
int sync_copy_split(char *line, size_t len, char **fields, size_t *lens, int max);
/* "a, b, c" of t's columns, each quoted and prefixed with prefix (may be NULL). */
void sync_col_list(struct strbuf *sb, const struct ledger_table *t, const char *prefix);
/* 0 when r has status want, else -1 with *err from the connection (doing: what failed). */
int sync_pg_ok(PGconn *c, PGresult *r, ExecStatusType want, const char *doing, char **err);

/* ---- sync_push.c ---- */
/* Pushes the outbox, setting rows the central database refuses aside until
 * the rest goes through. */
int sync_push_all(struct store *st, PGconn *c, const struct ledger_schema *ls,
                  struct sync_report *rep,
                  void (*progress)(void *, const char *, long long, long long), void *ud,
                  char **err);

/* ---- sync_authority.c ---- */
/* May the pulled version v of a row of t be applied? Only operators are
 * checked: a change of role, active or deleted needs its author
 * (changed_by) to be an active manager here, and nobody else's; a new
 * engineer or manager one registered by a manager. 1 yes, 0 refused, -1 (err). */
int sync_operator_version_allowed(struct store *st, const struct ledger_table *t, char **v,
                                  char **err);

/* ---- sync_pull.c ---- */
/* own: rows this round just pushed (their seqs are in the ranges, but the
 * pull skips them), to tell a real backlog from an echo of the push.
 * full: every central row from the start, this console's own included.
 * check: look for a restored store first (see sync_restore_check). */
int sync_pull(struct store *st, PGconn *c, const struct ledger_schema *ls, int full, int check,
              long long own, long long own_lo, long long own_hi, struct sync_report *rep,
              void (*progress)(void *, const char *, long long, long long), void *ud, char **err);
/* Refuses the round (-1, *err says to run --full) when the store looks
 * restored. Probes the tables whose central max(server_seq) is above the
 * cursor (maxseq NULL: every table; cur NULL: the saved cursors): an
 * up-to-date round has none, so it sends no query at all. */
int sync_restore_check(struct store *st, PGconn *c, const struct ledger_schema *ls,
                       const int64_t *cur, const int64_t *maxseq, char **err);
/* -1 with *err telling the operator to run `unyo sync --full`. */
int sync_restore_refused(char **err);

#endif
