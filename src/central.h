/* The central PostgreSQL database every console syncs with: connecting, and
 * creating or migrating its schema.
 *
 * Layout (schema "unyo"): meta(key, value) holds format (this layout's
 * version), store_version (the ledger schema version it mirrors) and instance
 * (a UUID made when the schema is created, so a console notices when it is
 * pointed at a different or re-created database). Per ledger table a mirror
 * unyo."<table>" with the same columns (INTEGER -> bigint, REAL -> double
 * precision, else text) plus server_seq bigint, stamped from the one global
 * sequence unyo.server_seq on every insert or winning update. The mirror has
 * no constraints but its primary key: checks belong to the consoles, and a
 * later console version must be able to add columns. Nothing is hard-coded:
 * tables and columns come from the store's schema at run time. */
#ifndef UNYO_CENTRAL_H
#define UNYO_CENTRAL_H

#include <libpq-fe.h>

struct store;

/* Version of the mirror layout described above. */
#define CENTRAL_FORMAT 1
/* Advisory lock key (pg_advisory_xact_lock) serialising pushes and schema
 * changes: "unyo" in ASCII. */
#define CENTRAL_LOCK_KEY 0x756e796fLL

/* One ledger table as the store has it. aff[i] is 'i' (INTEGER affinity),
 * 'r' (REAL) or 't' (anything else, kept as text). */
struct ledger_table {
    char *name;
    int ncols;
    char **cols;
    char *aff;
    int append_only; /* no deleted column / has the append-only triggers */
    int col_id, col_hlc, col_origin, col_updated_at; /* -1 when absent */
};

struct ledger_schema {
    struct ledger_table *t;
    int count;
};

/* Reads every ledger table's columns (PRAGMA table_info). */
int ledger_schema_load(struct store *st, struct ledger_schema *out, char **err);
void ledger_schema_free(struct ledger_schema *ls);
/* The index of column name in t, or -1. */
int ledger_col(const struct ledger_table *t, const char *name);
/* PostgreSQL type for a column affinity. */
const char *central_pg_type(char aff);

/* Connects (url: conninfo or URI; PG* variables, ~/.pgpass and sslmode as in
 * psql). Blocking, with a 10 s connect timeout unless the URL sets one. On
 * failure *err says what went wrong in the operator's terms. */
int central_connect(const char *url, PGconn **out, char **err);
/* The connection parameters central_connect uses (keywords/values NULL
 * terminated, static storage but for url), for callers connecting
 * asynchronously with PQconnectStartParams(kw, val, 1). */
void central_conn_params(const char *url, const char **kw, const char **val);
/* msg (malloc'd copy) with the password url holds, in any spelling (URI
 * userinfo, ?password=, password=... in quotes or not, percent-decoded), and
 * any "password=..." or "://user:...@" in msg itself replaced by ***. Every
 * message that may quote the URL goes through this before it is shown or
 * stored. NULL msg gives NULL. */
char *central_scrub(const char *url, const char *msg);
/* 1 when url carries a password. */
int central_url_has_password(const char *url);
/* Turns a failed connection into a message (and frees nothing). */
char *central_conn_error(PGconn *c);

/* Creates the central schema, or migrates it to this console's ledger schema
 * (new tables, new columns). Refuses when the central database is newer than
 * this unyo. *from gets the previous store_version (0 when created). */
int central_init(struct store *st, PGconn *c, int *from, int *to, char **err);

/* unyo.job_claims: one row per run and attempt claimed through the central database
 * (src/job_claims.h). Created by central_init, and on demand by a runner, so a central
 * database made by an older unyo works after an upgrade. */
#define CENTRAL_JOB_CLAIMS_DDL                                                                     \
    "CREATE TABLE IF NOT EXISTS unyo.job_claims (run_id text NOT NULL, attempt integer NOT NULL, " \
    "holder text NOT NULL, holder_name text, state text NOT NULL, "                                \
    "claimed_at timestamptz NOT NULL DEFAULT now(), lease_until timestamptz, "                     \
    "ended_at timestamptz, concurrency_group text, host text, ref text, "                          \
    "PRIMARY KEY (run_id, attempt))"
/* What a claim made by an older unyo lacks: the run's concurrency group, host and
 * CODE@DAY, so the group and host limits count the runs of every console (src/job_queue.h). */
#define CENTRAL_JOB_CLAIMS_MIGRATE                                                                 \
    "ALTER TABLE unyo.job_claims ADD COLUMN IF NOT EXISTS concurrency_group text, "                \
    "ADD COLUMN IF NOT EXISTS host text, ADD COLUMN IF NOT EXISTS ref text"

/* Checks the central database can be synced with by this console: schema
 * present, same versions. *instance gets the central instance id (malloc'd). */
int central_check(PGconn *c, char **instance, char **err);
/* The same check on values already read (format, store_version: -1 when unknown). */
int central_check_values(long format, long store_version, char **err);

/* Runs a command, 0 or -1 with *err = "doing: server message". */
int central_exec(PGconn *c, const char *sql, const char *doing, char **err);
/* *err from a failed result or connection, prefixed with doing. */
int central_fail(PGconn *c, PGresult *r, const char *doing, char **err);
/* The SQLSTATE of the last central_fail on this thread ("" when the failure
 * had no server result: a lost connection, say). */
const char *central_last_sqlstate(void);

/* Appends name as a double-quoted SQL identifier. */
struct strbuf;
void sql_ident(struct strbuf *sb, const char *name);

#endif
