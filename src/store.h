/* The local store: one SQLite file (WAL, foreign keys, user_version
 * migrations compiled in from data/schema). Every write goes through a
 * transaction that also records who did it. */
#ifndef UNYO_STORE_H
#define UNYO_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "id.h"

enum store_open_mode {
    STORE_OPEN_EXISTING, /* refuse when the file does not exist */
    STORE_CREATE_NEW,    /* refuse when the file exists: init never overwrites */
};

struct store {
    sqlite3 *db;
    char *path;
    char origin[ID_LEN + 1]; /* this console's id, made at init */
    int64_t hlc_last;
    int64_t hlc_saved;
    /* The acting operator, once store_require_operator() succeeded. */
    char operator_id[ID_LEN + 1];
    char *operator_login;
    char *operator_name;
    char *operator_role;
    struct stmt_cache *cache;
    /* Opened read-only (`unyo --read-only`, or the acting operator is an observer):
     * the connection has PRAGMA query_only on and store_begin refuses. */
    int read_only;
    /* A store made by `unyo demo` or by the test harness (local_meta 'demo', written
     * when the store is made, never later): UNYO_USER and `:as` (acting as someone
     * else) work only here, signing acts need no passphrase, and the status line says
     * demo. 0 on a store made by `unyo init`. */
    int demo;
};

/* The schema version this build writes and understands. */
int store_schema_version(void);
/* $XDG_DATA_HOME/unyo/unyo.db, or ~/.local/share/unyo/unyo.db. Malloc'd. */
char *store_default_path(void);
int store_open(const char *path, enum store_open_mode mode, struct store **out, char **err);
void store_close(struct store *st);

/* Read-only mode (issue 14): from now on every store this process opens is read-only
 * (`unyo --read-only`; the console's background connections included). A read-only open
 * migrates nothing (a store that needs it is refused), runs none of the open-time
 * housekeeping, saves no clock, and its connection refuses writes (PRAGMA query_only),
 * so a write that slipped past store_begin still fails. A store also turns read-only
 * when its acting operator's role is observer (at open and in store_require_operator),
 * and then so does the process. */
void store_set_read_only(int on);
/* 1 when st (or, with NULL, the process) is read-only. */
int store_is_read_only(const struct store *st);
/* The one message of a refused write, in the operator's language. */
const char *store_read_only_message(void);
/* 0, or -1 with *err = store_read_only_message() when st is read-only: the check a
 * write makes before it has any effect (store_begin makes it). */
int store_refuse_write(struct store *st, char **err);

/* A cached prepared statement, reset and with bindings cleared. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
int store_exec(struct store *st, const char *sql, char **err);
int store_begin(struct store *st, char **err); /* BEGIN IMMEDIATE */
int store_commit(struct store *st, char **err);
void store_rollback(struct store *st);
/* The records' hash chain (src/store_chain.c, migration 014; verified by src/chain.h).
 * store_commit seals what the transaction wrote; store_begin seals, marked late, rows
 * written outside any unyo transaction since. The tables chained, by number: */
size_t store_chain_tables(void);
const char *store_chain_table(size_t t);    /* NULL past the end */
enum { STORE_CHAIN_APPEND_ONLY = 9 };       /* tables 0..8 are append-only */
const char *store_chain_row_sql(size_t t);  /* SELECT * ... WHERE id = ?1 */
const char *store_chain_scan_sql(size_t t); /* SELECT * ... ORDER BY id */
int store_chain_seal(struct store *st, int late, char **err);
struct strbuf;
/* The canonical form of the row s is on (its first ncol columns) into sb. */
void store_chain_canonical(sqlite3_stmt *s, const char *table, int ncol, struct strbuf *sb);
int store_chain_origin_col(sqlite3_stmt *s);
void store_sha256(const void *data, size_t len, uint8_t out[32]);
/* out = SHA-256(prev || digest) */
void store_chain_link(const uint8_t prev[32], const uint8_t digest[32], uint8_t out[32]);
/* Sets *err from the connection's last error, prefixed with what was being done. */
int store_fail(struct store *st, char **err, const char *doing);
/* Steps a read statement, telling the end of its rows from a failure:
 * 1 = a row is ready, 0 = no (more) rows (SQLITE_DONE), -1 = SQLite failed
 * (busy, interrupted, I/O, corrupt, ...): *err says so in words, names the
 * SQLite error, and s is reset. Every read loop uses it, so an error is never
 * taken for the end of a list. */
int store_next_row(sqlite3_stmt *s, char **err);
/* The same for a lookup of at most one row: 1 = found, 0 = no such row,
 * -1 = error (*err set, s reset), so "not found" is never a failed read. */
int store_one_row(sqlite3_stmt *s, char **err);

/* How long a statement waits for another connection's lock before it fails
 * (store_open sets 5 s; a long background job may want more). */
void store_busy_timeout(struct store *st, int ms);
/* Changes when the store was written since the last call: SQLite's PRAGMA
 * data_version (another connection committed) plus this connection's own row
 * changes (sqlite3_total_changes, which data_version leaves out: a draft the
 * Checklist pane made must show in the Incidents pane of the same console).
 * Panes poll it to reload. 0 on failure. */
int64_t store_data_version(struct store *st);

/* Hybrid logical clock: (unix ms << 16) | counter; never goes backwards. */
int64_t store_hlc_next(struct store *st);
/* Merges a clock seen from another console, so later local writes order after it. */
void store_hlc_observe(struct store *st, int64_t remote);

/* Finds the operator record of the acting person (store_os_login). On a store that is
 * not a demo (st->demo 0) UNYO_USER and an unverified acting login (`:as`) are refused
 * with a message saying so; a login set by store_set_signed_in_login is accepted. On
 * failure *err says how to register. */
int store_require_operator(struct store *st, char **err);
/* Marks a store being made as a demo ('demo') or a test store ('test'): only right
 * after store_open(STORE_CREATE_NEW) (`unyo demo`). store_open itself marks a new store
 * 'test' when the environment has UNYO_TEST_STORE=1 (the test harness); the variable is
 * read at creation only, so it never turns an existing store into a demo. */
int store_mark_demo(struct store *st, const char *kind, char **err);
/* The acting login after a verified sign-in (src/signin.c): like store_set_acting_login,
 * and accepted by store_require_operator on a real store. NULL or "" forgets it. */
void store_set_signed_in_login(const char *login);
/* 1 when the acting login was set by store_set_signed_in_login. */
int store_acting_signed_in(void);
/* The login name unyo acts as: the acting login set by store_set_acting_login (`:as`,
 * a second person at the keyboard) or else store_own_login. Safe from any thread. */
const char *store_os_login(void);
/* The process's own person: UNYO_USER or the OS user. */
const char *store_own_login(void);
/* From now on store_os_login returns login, process-wide (workers that open their own
 * store act as it too); NULL, "" or the own login goes back to store_own_login. No check
 * here: operator_act_as checks and audits. Each store must re-read its operator
 * (store_forget_operator). */
void store_set_acting_login(const char *login);
/* Forgets the cached operator record, so the next store_require_operator re-reads it. */
void store_forget_operator(struct store *st);

/* Appends one audit row (who = acting operator, may be unset for system work). */
int store_audit(struct store *st, const char *action, const char *kind, const char *row_id,
                const char *detail, char **err);

/* Convenience binders: NULL text binds SQL NULL. */
void bind_text(sqlite3_stmt *s, int i, const char *v);
void bind_int(sqlite3_stmt *s, int i, int64_t v);
/* Column text or NULL, never freed by the caller. */
const char *col_text(sqlite3_stmt *s, int i);
/* Column text as a malloc'd copy, or NULL. */
char *col_dup(sqlite3_stmt *s, int i);

/* Local metadata (local_meta). Returns malloc'd value or NULL. */
char *store_meta_get(struct store *st, const char *key);
int store_meta_set(struct store *st, const char *key, const char *value, char **err);

/* Names of the ledger tables, in schema order (no local_ or sqlite_ tables);
 * NULL-terminated, malloc'd array of malloc'd names; NULL with *err set when
 * the schema cannot be read. */
char **store_ledger_tables(struct store *st, char **err);
void store_free_names(char **names);

/* Run once by store_open (src/store_utf8.c) after migration 008: rewrites every text value of
 * the store's ledger tables that is not storable with utf8_repair (utf8.h), in one
 * transaction (the append-only tables' refuse-update triggers are dropped and
 * re-created inside it). A repaired row is queued for sync again: by the
 * outbox trigger for this console's rows, and a row sync had set aside
 * (local_sync_setaside) goes back to the outbox. *fixed (may be NULL) gets
 * the number of values rewritten. Does nothing unless local_meta holds
 * utf8_repair = 'pending', which it then removes. */
int store_repair_utf8(struct store *st, long long *fixed, char **err);

#endif
