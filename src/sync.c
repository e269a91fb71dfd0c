/* Sync: push this console's changes to the central PostgreSQL database, pull
 * everyone else's. Generic over tables: columns come from the store's schema
 * at run time (ledger_schema_load), so tables other modules add later sync
 * without a change here (run `unyo central init` to add their mirrors).
 *
 * What to push: a trigger-maintained outbox, not a watermark on hlc. A
 * watermark ("rows of my origin with hlc > last pushed") loses rows: two
 * processes on one store (the console and `unyo sync`) each keep their own
 * clock in memory, so a row committed later can carry a smaller hlc than one
 * already pushed; a clock stepped back does the same. Triggers write the
 * outbox in the writer's own transaction, whoever the writer is, so nothing
 * committed can be missed; the push reads the outbox and the rows in one
 * snapshot and, after the central commit, deletes exactly the outbox entries
 * it read (seq <= S). Triggers only fire for rows whose origin is this
 * console: applying pulled rows (another origin) never echoes back, and a
 * local edit of a pulled row (origin becomes this console) is pushed.
 * The update trigger also records the version the edit replaced (base): a
 * push whose base is not what the central database holds met a concurrent
 * edit from another console, and records it in audit (sync.conflict) with
 * both versions and the winner (last writer by (hlc, origin)).
 *
 * Push: one PostgreSQL transaction. Rows are COPY'd into temp tables, then
 * pg_advisory_xact_lock serialises pushers and one INSERT ... SELECT ... ON
 * CONFLICT per table merges them (append-only: DO NOTHING; mutable: update
 * only when (hlc, origin) is greater), stamping server_seq from one global
 * sequence. Because the lock is held from the first nextval to the commit,
 * server_seq order is commit order, and a pull by server_seq cannot skip a
 * row committed late.
 *
 * Pull: per table, COPY the rows with server_seq above this console's cursor
 * for the table, in server_seq order, and apply them in local transactions of
 * PULL_CHUNK rows, each also advancing the cursor (so a killed pull resumes
 * where it stopped). Mutable rows: last writer wins by (hlc, origin);
 * append-only rows: insert if absent. Every pulled hlc is observed so later
 * local writes order after it. Foreign keys are not checked while applying:
 * rows arrive table by table, and the central copy is the union of stores
 * that checked them when they were written.
 *
 * Natural keys: ledgers have UNIQUE columns besides id (operators.login,
 * templates.code ...). Two consoles can create the same key with different
 * ids; the central mirror keeps both, a store cannot. Every store resolves it
 * the same way: the row with the greater id is renamed (value "~" + the last
 * 8 characters of its id) as a local edit, which then syncs like any edit,
 * and the rename is recorded in audit (sync.conflict). */
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central.h"
#include "config.h"
#include "i18n.h"
#include "json.h"
#include "search.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define PULL_CHUNK 50000

/* UNYO_SYNC_TRACE=1: phase timings on stderr (for benchmarks and support). */
static void trace(const char *what)
{
    static int on = -1;
    static int64_t t0;
    if (on < 0) {
        const char *e = getenv("UNYO_SYNC_TRACE");
        on = e && *e && *e != '0';
    }
    if (!on)
        return;
    int64_t now = time_now_ms();
    if (!t0)
        t0 = now;
    fprintf(stderr, "sync: %6lld ms %s\n", (long long)(now - t0), what);
}
#define COPY_FLUSH (256 * 1024)

/* ---- reports ------------------------------------------------------------ */

void sync_report_free(struct sync_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->count; i++)
        free(r->t[i].table);
    free(r->t);
    memset(r, 0, sizeof *r);
}

static struct sync_table_report *report_for(struct sync_report *r, const char *table)
{
    if (!r)
        return NULL;
    for (int i = 0; i < r->count; i++)
        if (streq(r->t[i].table, table))
            return &r->t[i];
    r->t = xrealloc(r->t, ((size_t)r->count + 1) * sizeof *r->t);
    struct sync_table_report *t = &r->t[r->count++];
    memset(t, 0, sizeof *t);
    t->table = xstrdup(table);
    return t;
}

/* ---- local bookkeeping ---------------------------------------------------- */

static char *meta_get(struct store *st, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM local_sync_meta WHERE key = ?1");
    bind_text(s, 1, key);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW && col_text(s, 0))
        v = xstrdup(col_text(s, 0));
    sqlite3_reset(s);
    return v;
}

static int meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO local_sync_meta(key, value) VALUES(?1, ?2) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    bind_text(s, 1, key);
    bind_text(s, 2, value);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

/* Names of the tables whose two outbox triggers exist, in one query; NULL
 * with *err set when they cannot be read. */
static char **tables_with_triggers(struct store *st, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name IN ('local_sync_' || tbl_name || '_ai', "
                                     "'local_sync_' || tbl_name || '_au') GROUP BY tbl_name "
                                     "HAVING count(*) = 2");
    size_t n = 0, cap = 32;
    char **names = xmalloc(cap * sizeof *names);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        if (n + 1 >= cap)
            names = xrealloc(names, (cap *= 2) * sizeof *names);
        names[n++] = xstrdup(col_text(s, 0));
    }
    names[n] = NULL;
    sqlite3_reset(s);
    if (step < 0) {
        store_free_names(names);
        return NULL;
    }
    return names;
}

static int in_names(char **names, const char *name)
{
    for (char **p = names; *p; p++)
        if (streq(*p, name))
            return 1;
    return 0;
}

static int triggers_installed(struct store *st, const char *table)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = ?1 AND name IN ('local_sync_' || ?1 || "
                                     "'_ai', 'local_sync_' || ?1 || '_au')");
    bind_text(s, 1, table);
    int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return n == 2;
}

/* backfill: 1 = note this console's rows as pending (history written before
 * the triggers); 2 = every row, whatever its origin (a new central database:
 * this store may hold the only copy of rows from consoles no longer syncing).
 * Rows noted for the second reason carry base_origin '*'. */
static int install_table(struct store *st, const char *table, int backfill, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    /* Table names come from sqlite_master and are plain identifiers; quote
     * them anyway. The trigger names are local_sync_<table>_ai/_au. */
    static const char *const when =
        " WHEN NEW.origin = (SELECT value FROM local_meta WHERE key = 'origin') BEGIN ";
    sb_printf(&sb, "CREATE TRIGGER IF NOT EXISTS \"local_sync_%s_ai\" AFTER INSERT ON \"%s\"%s",
              table, table, when);
    sb_printf(&sb, "INSERT INTO local_sync_outbox(tbl, row_id) VALUES('%s', NEW.id); END;", table);
    sb_printf(&sb, "CREATE TRIGGER IF NOT EXISTS \"local_sync_%s_au\" AFTER UPDATE ON \"%s\"%s",
              table, table, when);
    sb_printf(&sb,
              "INSERT INTO local_sync_outbox(tbl, row_id, base_hlc, base_origin) "
              "VALUES('%s', NEW.id, OLD.hlc, OLD.origin); END;",
              table);
    if (backfill == 1)
        sb_printf(&sb,
                  "INSERT INTO local_sync_outbox(tbl, row_id) SELECT '%s', id FROM \"%s\" "
                  "WHERE origin = (SELECT value FROM local_meta WHERE key = 'origin');",
                  table, table);
    else if (backfill == 2)
        sb_printf(&sb,
                  "INSERT INTO local_sync_outbox(tbl, row_id, base_origin) SELECT '%s', id, '*' "
                  "FROM \"%s\";",
                  table, table);
    sb_printf(&sb,
              "INSERT INTO local_sync_tables(tbl, installed) VALUES('%s', 1) "
              "ON CONFLICT(tbl) DO UPDATE SET installed = 1;",
              table);
    int rc = store_exec(st, sb.buf, err);
    sb_free(&sb);
    return rc;
}

/* full: the central database is new to this store (first sync, or another
 * instance, e.g. re-created after a loss): every row of the store is pending
 * again, whoever wrote it (the central merge keeps the newest version), and
 * every pull cursor starts from 0. */
static int prepare(struct store *st, const struct ledger_schema *ls, int full, const char *instance,
                   char **err)
{
    int need = full;
    char **have = tables_with_triggers(st, err);
    if (!have)
        return -1;
    for (int i = 0; i < ls->count && !need; i++)
        need = !in_names(have, ls->t[i].name);
    store_free_names(have);
    if (!need)
        return 0;
    if (store_begin(st, err) != 0)
        return -1;
    int rc = 0;
    if (full)
        rc = store_exec(
            st, "DELETE FROM local_sync_outbox; UPDATE local_sync_tables SET pull_seq = 0", err);
    for (int i = 0; rc == 0 && i < ls->count; i++) {
        int installed = triggers_installed(st, ls->t[i].name);
        if (full || !installed)
            rc = install_table(st, ls->t[i].name, full ? 2 : 1, err);
    }
    if (rc == 0 && instance && meta_set(st, "central", instance) != 0)
        rc = store_fail(st, err, _("saving the sync state"));
    if (rc == 0)
        return store_commit(st, err);
    store_rollback(st);
    return -1;
}

int sync_prepare(struct store *st, char **err)
{
    struct ledger_schema ls;
    if (ledger_schema_load(st, &ls, err) != 0)
        return -1;
    int rc = prepare(st, &ls, 0, NULL, err);
    ledger_schema_free(&ls);
    return rc;
}

/* ---- COPY text format ------------------------------------------------------ */

static void copy_escape(struct strbuf *sb, const char *s, size_t n)
{
    /* Runs without special characters go in one copy. */
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\' && c != '\t' && c != '\n' && c != '\r')
            continue;
        if (i > start)
            sb_add(sb, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '\\':
            sb_add(sb, "\\\\", 2);
            break;
        case '\t':
            sb_add(sb, "\\t", 2);
            break;
        case '\n':
            sb_add(sb, "\\n", 2);
            break;
        default:
            sb_add(sb, "\\r", 2);
        }
    }
    if (n > start)
        sb_add(sb, s + start, n - start);
}

/* Appends column i of s in COPY text form for a mirror column of affinity aff. */
static void copy_value(struct strbuf *sb, sqlite3_stmt *s, int i, char aff)
{
    int type = sqlite3_column_type(s, i);
    if (type == SQLITE_NULL) {
        sb_add(sb, "\\N", 2);
        return;
    }
    if (aff == 'r' && (type == SQLITE_FLOAT || type == SQLITE_INTEGER)) {
        sb_printf(sb, "%.17g", sqlite3_column_double(s, i));
        return;
    }
    if (aff == 'i' && type == SQLITE_INTEGER) {
        sb_printf(sb, "%lld", (long long)sqlite3_column_int64(s, i));
        return;
    }
    const char *v = (const char *)sqlite3_column_text(s, i);
    copy_escape(sb, v, (size_t)sqlite3_column_bytes(s, i));
}

/* Splits one COPY text row (without its newline) in place. fields[i] NULL
 * for \N. Returns the number of fields. */
static int copy_split(char *line, size_t len, char **fields, size_t *lens, int max)
{
    int n = 0;
    char *p = line, *end = line + len;
    while (n < max) {
        char *start = p, *out = p;
        while (p < end && *p != '\t') {
            if (*p == '\\' && p + 1 < end) {
                p++;
                char c = *p++;
                switch (c) {
                case 'b':
                    *out++ = '\b';
                    break;
                case 'f':
                    *out++ = '\f';
                    break;
                case 'n':
                    *out++ = '\n';
                    break;
                case 'r':
                    *out++ = '\r';
                    break;
                case 't':
                    *out++ = '\t';
                    break;
                case 'v':
                    *out++ = '\v';
                    break;
                case 'N':
                    *out++ = '\\'; /* marker, checked below */
                    *out++ = 'N';
                    break;
                case 'x': {
                    int v = 0, k = 0;
                    while (k < 2 && p < end &&
                           ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                            (*p >= 'A' && *p <= 'F'))) {
                        char h = *p++;
                        v = v * 16 + (h <= '9' ? h - '0' : (h | 32) - 'a' + 10);
                        k++;
                    }
                    *out++ = (char)v;
                    break;
                }
                default:
                    if (c >= '0' && c <= '7') {
                        int v = c - '0', k = 1;
                        while (k < 3 && p < end && *p >= '0' && *p <= '7') {
                            v = v * 8 + (*p++ - '0');
                            k++;
                        }
                        *out++ = (char)v;
                    } else {
                        *out++ = c;
                    }
                }
            } else {
                *out++ = *p++;
            }
        }
        size_t flen = (size_t)(out - start);
        /* A field that is exactly \N is NULL (an escaped backslash followed by
         * N was written as "\\N" and unescaped to "\N" too: tell them apart
         * by the raw length, 2 for NULL, 3 for the text). */
        if (flen == 2 && start[0] == '\\' && start[1] == 'N' && p - start == 2)
            fields[n] = NULL;
        else
            fields[n] = start;
        lens[n] = flen;
        n++;
        if (p >= end)
            break;
        *out = '\0';
        p++; /* the tab */
    }
    /* NUL-terminate the last field (there is room: the newline). */
    if (n > 0 && fields[n - 1])
        fields[n - 1][lens[n - 1]] = '\0';
    return n;
}

/* ---- push ---------------------------------------------------------------- */

struct push_conflict {
    char *table, *id, *detail;
};

/* A local edit re-stamped by the push (see push_restamp). */
struct push_restamp {
    const char *table;
    char *id;
    int64_t old_hlc, new_hlc;
};

static void col_list(struct strbuf *sb, const struct ledger_table *t, const char *prefix)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            sb_puts(sb, ", ");
        if (prefix)
            sb_puts(sb, prefix);
        sql_ident(sb, t->cols[i]);
    }
}

/* Columns whose difference makes two versions of a row different values. */
static void value_cols(struct strbuf *sb, const struct ledger_table *t, const char *prefix)
{
    int first = 1;
    for (int i = 0; i < t->ncols; i++) {
        if (i == t->col_hlc || i == t->col_origin || i == t->col_updated_at)
            continue;
        if (!first)
            sb_puts(sb, ", ");
        first = 0;
        sb_puts(sb, prefix);
        sql_ident(sb, t->cols[i]);
    }
}

static int pg_ok(PGconn *c, PGresult *r, ExecStatusType want, const char *doing, char **err)
{
    if (PQresultStatus(r) == want)
        return 0;
    central_fail(c, r, doing, err);
    return -1;
}

/* COPYs the pending rows of one table: into a temp table (direct = 0), or
 * straight into the mirror (direct = 1, server_seq from its default) inside a
 * savepoint. *rows gets the count. Returns 0, -1 on failure, or 1 when a
 * direct COPY was refused by the server (an id already there, say) and rolled
 * back to the savepoint: then the caller takes the temp-table way. */
static int push_copy(struct store *st, PGconn *c, const struct ledger_table *t, int ti, int direct,
                     int64_t upto, long long *rows, sync_progress_fn progress, void *ud,
                     long long *done, long long total, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    const char *doing = t->name;
    *rows = 0;
    if (direct) {
        if (central_exec(c, "SAVEPOINT sync_direct", doing, err) != 0) {
            sb_free(&sb);
            return -1;
        }
        sb_puts(&sb, "COPY unyo.");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " (");
        col_list(&sb, t, NULL);
        sb_puts(&sb, ") FROM STDIN");
    } else {
        sb_printf(&sb, "CREATE TEMP TABLE sync_in_%d (", ti);
        for (int i = 0; i < t->ncols; i++) {
            sql_ident(&sb, t->cols[i]);
            sb_printf(&sb, " %s, ", central_pg_type(t->aff[i]));
        }
        sb_puts(&sb, "base_hlc bigint, base_origin text) ON COMMIT DROP");
        if (central_exec(c, sb.buf, doing, err) != 0) {
            sb_free(&sb);
            return -1;
        }
        sb_reset(&sb);
        sb_printf(&sb, "COPY sync_in_%d (", ti);
        col_list(&sb, t, NULL);
        sb_puts(&sb, ", base_hlc, base_origin) FROM STDIN");
    }
    PGresult *r = PQexec(c, sb.buf);
    if (pg_ok(c, r, PGRES_COPY_IN, doing, err) != 0) {
        PQclear(r);
        sb_free(&sb);
        return -1;
    }
    PQclear(r);

    sb_reset(&sb);
    sb_puts(&sb, "SELECT ");
    col_list(&sb, t, "t.");
    if (direct)
        /* Only new rows: one outbox entry each (were there two, the COPY
         * would be refused on the duplicate id and the merge would follow). */
        sb_puts(&sb, ", o.base_hlc, o.base_origin FROM local_sync_outbox o JOIN ");
    else
        sb_puts(&sb, ", o.base_hlc, o.base_origin FROM (SELECT row_id, min(seq) AS s, base_hlc, "
                     "base_origin FROM local_sync_outbox WHERE tbl = ?1 AND seq <= ?2 GROUP BY "
                     "row_id) o JOIN ");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " t ON t.id = o.row_id WHERE ");
    if (direct)
        sb_puts(&sb, "o.tbl = ?1 AND o.seq <= ?2 AND ");
    sb_puts(&sb, "(t.origin = ?3 OR o.base_origin = '*')");
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sb.buf, -1, &s, NULL) != SQLITE_OK) {
        store_fail(st, err, t->name);
        PQputCopyEnd(c, "prepare failed");
        PQclear(PQgetResult(c));
        sb_free(&sb);
        return -1;
    }
    bind_text(s, 1, t->name);
    bind_int(s, 2, upto);
    bind_text(s, 3, st->origin);
    sb_reset(&sb);
    int step, rc = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < t->ncols; i++) {
            if (i)
                sb_putc(&sb, '\t');
            copy_value(&sb, s, i, t->aff[i]);
        }
        if (!direct) {
            sb_putc(&sb, '\t');
            copy_value(&sb, s, t->ncols, 'i');
            sb_putc(&sb, '\t');
            copy_value(&sb, s, t->ncols + 1, 't');
        }
        sb_putc(&sb, '\n');
        (*rows)++;
        if (sb.len >= COPY_FLUSH) {
            if (PQputCopyData(c, sb.buf, (int)sb.len) != 1) {
                rc = central_fail(c, NULL, doing, err);
                break;
            }
            sb_reset(&sb);
            if (progress)
                progress(ud, "push", *done + *rows, total);
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_fail(st, err, t->name);
    sqlite3_finalize(s);
    if (rc == 0 && sb.len > 0 && PQputCopyData(c, sb.buf, (int)sb.len) != 1)
        rc = central_fail(c, NULL, doing, err);
    sb_free(&sb);
    if (PQputCopyEnd(c, rc == 0 ? NULL : "aborted") != 1 && rc == 0)
        rc = central_fail(c, NULL, doing, err);
    int refused = 0;
    while ((r = PQgetResult(c)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (direct && PQstatus(c) == CONNECTION_OK)
                refused = 1;
            else
                rc = central_fail(c, r, doing, err);
        }
        PQclear(r);
    }
    if (direct && rc == 0) {
        if (refused) {
            if (central_exec(c, "ROLLBACK TO SAVEPOINT sync_direct", doing, err) != 0)
                return -1;
            *rows = 0;
            return 1;
        }
        rc = central_exec(c, "RELEASE SAVEPOINT sync_direct", doing, err);
    }
    *done += *rows;
    return rc;
}

/* Finds pushed rows that met a concurrent edit at the central database. */
static int push_conflicts(PGconn *c, const struct ledger_table *t, int ti, const char *me,
                          struct push_conflict **out, int *nout, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "SELECT i.id, (m.hlc, m.origin) > (i.hlc, i.origin), m.hlc, m.origin, i.hlc, "
                 "i.origin, to_jsonb(m) - 'server_seq', to_jsonb(i) - 'base_hlc' - 'base_origin' "
                 "FROM ");
    sb_printf(&sb, "sync_in_%d i JOIN unyo.", ti);
    sql_ident(&sb, t->name);
    sb_puts(&sb, " m ON m.id = i.id WHERE (m.hlc, m.origin) IS DISTINCT FROM (i.hlc, i.origin) "
                 "AND m.origin <> $1 AND i.origin = $1 AND i.base_origin IS DISTINCT FROM '*' "
                 "AND (m.hlc, m.origin) IS DISTINCT FROM (i.base_hlc, i.base_origin) AND (");
    value_cols(&sb, t, "m.");
    sb_puts(&sb, ") IS DISTINCT FROM (");
    value_cols(&sb, t, "i.");
    sb_puts(&sb, ")");
    const char *params[1] = {me};
    PGresult *r = PQexecParams(c, sb.buf, 1, NULL, params, NULL, NULL, 0);
    sb_free(&sb);
    if (pg_ok(c, r, PGRES_TUPLES_OK, t->name, err) != 0) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        *out = xrealloc(*out, ((size_t)*nout + 1) * sizeof **out);
        struct push_conflict *pc = &(*out)[(*nout)++];
        int theirs = PQgetvalue(r, i, 1)[0] == 't';
        struct strbuf d = STRBUF_INIT;
        sb_printf(&d, "{\"conflict\": \"concurrent edit\", \"winner\": \"%s\", ",
                  theirs ? "central" : "local");
        sb_printf(&d, "\"central\": {\"hlc\": %s, \"origin\": ", PQgetvalue(r, i, 2));
        json_string(&d, PQgetvalue(r, i, 3));
        sb_printf(&d, ", \"row\": %s}, \"local\": {\"hlc\": %s, \"origin\": ", PQgetvalue(r, i, 6),
                  PQgetvalue(r, i, 4));
        json_string(&d, PQgetvalue(r, i, 5));
        sb_printf(&d, ", \"row\": %s}}", PQgetvalue(r, i, 7));
        pc->table = xstrdup(t->name);
        pc->id = xstrdup(PQgetvalue(r, i, 0));
        pc->detail = sb_detach(&d);
    }
    PQclear(r);
    return 0;
}

/* An edit made on top of the central version, but stamped with a smaller
 * clock than it (another console's clock ahead of ours, or another process on
 * this store that had not seen the pulled clock): last-writer-wins would drop
 * it although it came after. Such rows get the central clock + 1, here and
 * (after the commit) in the store, so the later edit wins everywhere. */
static int push_restamp(PGconn *c, const struct ledger_table *t, int ti, const char *me,
                        struct push_restamp **out, int *nout, char **err)
{
    char *sql = xasprintf("WITH late AS (SELECT i.id, i.hlc AS old FROM sync_in_%d i JOIN "
                          "unyo.\"%s\" m ON m.id = i.id WHERE i.origin = $1 AND (i.hlc, "
                          "i.origin) < (m.hlc, m.origin) AND (m.hlc, m.origin) = (i.base_hlc, "
                          "i.base_origin)) UPDATE sync_in_%d i SET hlc = m.hlc + 1 FROM late, "
                          "unyo.\"%s\" m WHERE i.id = late.id AND m.id = late.id "
                          "RETURNING i.id, late.old, i.hlc",
                          ti, t->name, ti, t->name);
    const char *params[1] = {me};
    PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    free(sql);
    if (pg_ok(c, r, PGRES_TUPLES_OK, t->name, err) != 0) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        *out = xrealloc(*out, ((size_t)*nout + 1) * sizeof **out);
        struct push_restamp *ps = &(*out)[(*nout)++];
        ps->table = t->name;
        ps->id = xstrdup(PQgetvalue(r, i, 0));
        ps->old_hlc = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        ps->new_hlc = strtoll(PQgetvalue(r, i, 2), NULL, 10);
    }
    PQclear(r);
    return 0;
}

/* base: server_seq values base + 1 .. base + rows are this table's (see push). */
static int push_merge(PGconn *c, const struct ledger_table *t, int ti, long long base,
                      long long *changed, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "INSERT INTO unyo.");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " AS t (");
    col_list(&sb, t, NULL);
    sb_puts(&sb, ", server_seq) SELECT ");
    col_list(&sb, t, NULL);
    sb_printf(&sb, ", %lld + row_number() OVER () FROM sync_in_%d s ", base, ti);
    if (t->append_only) {
        sb_puts(&sb, "ON CONFLICT (id) DO NOTHING");
    } else {
        sb_puts(&sb, "ON CONFLICT (id) DO UPDATE SET ");
        for (int i = 0; i < t->ncols; i++) {
            if (i == t->col_id)
                continue;
            sql_ident(&sb, t->cols[i]);
            sb_puts(&sb, " = EXCLUDED.");
            sql_ident(&sb, t->cols[i]);
            sb_puts(&sb, ", ");
        }
        sb_puts(&sb, "server_seq = EXCLUDED.server_seq WHERE (EXCLUDED.hlc, EXCLUDED.origin) > "
                     "(t.hlc, t.origin)");
    }
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    if (pg_ok(c, r, PGRES_COMMAND_OK, t->name, err) != 0) {
        PQclear(r);
        return -1;
    }
    *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}

/* next = 1: the value the next nextval will give; 0: the last one given. */
static int seq_position(PGconn *c, int next, long long *out, char **err)
{
    PGresult *r = PQexec(c, next ? "SELECT CASE WHEN is_called THEN last_value + 1 ELSE "
                                   "last_value END FROM unyo.server_seq"
                                 : "SELECT CASE WHEN is_called THEN last_value ELSE "
                                   "last_value - 1 END FROM unyo.server_seq");
    if (pg_ok(c, r, PGRES_TUPLES_OK, _("pushing to the central database"), err) != 0) {
        PQclear(r);
        return -1;
    }
    *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

static int push(struct store *st, PGconn *c, const struct ledger_schema *ls,
                struct sync_report *rep, sync_progress_fn progress, void *ud, char **err)
{
    /* One read snapshot: the outbox bound and the rows agree. */
    if (store_exec(st, "BEGIN", err) != 0)
        return -1;
    sqlite3_stmt *s =
        store_stmt(st, "SELECT coalesce(max(seq), 0), count(DISTINCT tbl || ' ' || row_id) "
                       "FROM local_sync_outbox");
    int64_t upto = 0;
    long long total = 0;
    int got = store_one_row(s, err);
    if (got == 1) {
        upto = sqlite3_column_int64(s, 0);
        total = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (got < 0) {
        store_exec(st, "COMMIT", NULL);
        return -1;
    }
    if (upto == 0) {
        store_exec(st, "COMMIT", NULL);
        return 0;
    }
    const char *doing = _("pushing to the central database");
    /* Room for a large backlog in the temp tables (only settable before the
     * session's first temp table: later calls fail harmlessly). */
    PQclear(PQexec(c, "SET temp_buffers = '256MB'"));
    int rc = central_exec(c, "BEGIN", doing, err);
    struct push_conflict *conf = NULL;
    int nconf = 0;
    struct push_restamp *restamp = NULL;
    int nrestamp = 0;
    long long *sent = xcalloc((size_t)ls->count + 1, sizeof *sent);
    long long *changed = xcalloc((size_t)ls->count + 1, sizeof *changed);
    long long done = 0;
    /* The lock first: direct COPYs take server_seq values as they go. */
    if (rc == 0) {
        char *lock = xasprintf("SELECT pg_advisory_xact_lock(%lld)", CENTRAL_LOCK_KEY);
        rc = central_exec(c, lock, doing, err);
        free(lock);
    }
    /* Every server_seq handed out from here to the commit is this push's
     * (the lock): the pull that follows skips the range [lo, hi]. */
    if (rc == 0)
        rc = seq_position(c, 1, &rep->own_lo, err);
    /* Per table: rows, and whether every pending row is new (an insert, or
     * history noted for a new central database): then they can go straight
     * into the mirror with one COPY, the fastest way for a backlog. Otherwise
     * (edits, or the direct COPY refused) through a temp table and a merge. */
    sqlite3_stmt *has = store_stmt(
        st, "SELECT count(*), count(base_hlc) FROM local_sync_outbox WHERE tbl = ?1 AND seq <= ?2");
    int *direct = xcalloc((size_t)ls->count + 1, sizeof *direct);
    for (int i = 0; rc == 0 && i < ls->count; i++) {
        sqlite3_reset(has);
        bind_text(has, 1, ls->t[i].name);
        bind_int(has, 2, upto);
        long long pending = 0, edits = 0;
        got = store_one_row(has, err);
        if (got == 1) {
            pending = sqlite3_column_int64(has, 0);
            edits = sqlite3_column_int64(has, 1);
        }
        sqlite3_reset(has);
        if (got < 0) {
            /* Never skip a table's rows: the outbox up to upto is emptied after the push. */
            rc = -1;
            break;
        }
        sent[i] = -1;
        if (!pending)
            continue;
        if (edits == 0) {
            int d =
                push_copy(st, c, &ls->t[i], i, 1, upto, &sent[i], progress, ud, &done, total, err);
            if (d < 0)
                rc = -1;
            if (d == 0) {
                direct[i] = 1;
                changed[i] = sent[i];
                continue;
            }
        }
        if (rc == 0)
            rc = push_copy(st, c, &ls->t[i], i, 0, upto, &sent[i], progress, ud, &done, total, err);
    }
    store_exec(st, "COMMIT", NULL); /* end the read snapshot */
    trace("push: rows copied");
    /* server_seq: one block from the sequence for the whole push (a nextval
     * per row costs more than the insert). Safe because every pusher holds
     * the lock from here to its commit; the setval below ends the block. */
    long long base = 0, offset = 0;
    if (rc == 0) {
        PGresult *r = PQexec(c, "SELECT nextval('unyo.server_seq')");
        if (pg_ok(c, r, PGRES_TUPLES_OK, doing, err) != 0)
            rc = -1;
        else
            base = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    for (int i = 0; rc == 0 && i < ls->count; i++) {
        if (sent[i] <= 0 || direct[i])
            continue;
        if (!ls->t[i].append_only)
            rc = push_conflicts(c, &ls->t[i], i, st->origin, &conf, &nconf, err);
        if (rc == 0 && !ls->t[i].append_only)
            rc = push_restamp(c, &ls->t[i], i, st->origin, &restamp, &nrestamp, err);
        trace("push: conflicts checked");
        if (rc == 0)
            rc = push_merge(c, &ls->t[i], i, base + offset, &changed[i], err);
        offset += sent[i];
        trace(ls->t[i].name);
    }
    if (rc == 0 && offset > 0) {
        char *sql = xasprintf("SELECT setval('unyo.server_seq', %lld)", base + offset);
        rc = central_exec(c, sql, doing, err);
        free(sql);
    }
    if (rc == 0)
        rc = seq_position(c, 0, &rep->own_hi, err);
    trace("push: merged");
    if (rc == 0)
        rc = central_exec(c, "COMMIT", doing, err);
    else
        PQclear(PQexec(c, "ROLLBACK"));
    trace("push: committed");

    /* Committed centrally: forget what was sent, note conflicts. A crash
     * before this commit only means the same rows are sent again (no-ops). */
    if (rc == 0 && store_begin(st, err) != 0)
        rc = -1;
    else if (rc == 0) {
        /* Nothing written since the snapshot (the usual case): empty the
         * outbox with SQLite's truncate, much cheaper for a backlog. */
        sqlite3_stmt *mx = store_stmt(st, "SELECT coalesce(max(seq), 0) FROM local_sync_outbox");
        int64_t now_max = sqlite3_step(mx) == SQLITE_ROW ? sqlite3_column_int64(mx, 0) : -1;
        sqlite3_reset(mx);
        sqlite3_stmt *del = now_max == upto
                                ? store_stmt(st, "DELETE FROM local_sync_outbox")
                                : store_stmt(st, "DELETE FROM local_sync_outbox WHERE seq <= ?1");
        if (now_max != upto)
            bind_int(del, 1, upto);
        if (sqlite3_step(del) != SQLITE_DONE)
            rc = store_fail(st, err, _("saving the sync state"));
        sqlite3_reset(del);
        for (int i = 0; rc == 0 && i < nconf; i++)
            rc = store_audit(st, "sync.conflict", conf[i].table, conf[i].id, conf[i].detail, err);
        /* The re-stamped rows take the clock the central copy now has, unless
         * edited again meanwhile (then that newer edit goes next round). */
        for (int i = 0; rc == 0 && i < nrestamp; i++) {
            char *sql = xasprintf("UPDATE \"%s\" SET hlc = ?1 WHERE id = ?2 AND hlc = ?4 AND "
                                  "origin = ?3",
                                  restamp[i].table);
            sqlite3_stmt *u = NULL;
            if (sqlite3_prepare_v2(st->db, sql, -1, &u, NULL) != SQLITE_OK) {
                rc = store_fail(st, err, restamp[i].table);
            } else {
                bind_int(u, 1, restamp[i].new_hlc);
                bind_text(u, 2, restamp[i].id);
                bind_text(u, 3, st->origin);
                bind_int(u, 4, restamp[i].old_hlc);
                if (sqlite3_step(u) != SQLITE_DONE)
                    rc = store_fail(st, err, restamp[i].table);
            }
            sqlite3_finalize(u);
            free(sql);
            store_hlc_observe(st, restamp[i].new_hlc);
        }
        sqlite3_stmt *tot = store_stmt(
            st,
            "INSERT INTO local_sync_tables(tbl, pushed_total) VALUES(?1, ?2) "
            "ON CONFLICT(tbl) DO UPDATE SET pushed_total = pushed_total + excluded.pushed_total");
        for (int i = 0; rc == 0 && i < ls->count; i++) {
            if (sent[i] <= 0)
                continue;
            sqlite3_reset(tot);
            bind_text(tot, 1, ls->t[i].name);
            bind_int(tot, 2, sent[i]);
            if (sqlite3_step(tot) != SQLITE_DONE)
                rc = store_fail(st, err, _("saving the sync state"));
            sqlite3_reset(tot);
        }
        if (rc == 0)
            rc = store_commit(st, err);
        else
            store_rollback(st);
    }
    if (rc == 0 && rep) {
        for (int i = 0; i < ls->count; i++) {
            if (sent[i] <= 0)
                continue;
            struct sync_table_report *tr = report_for(rep, ls->t[i].name);
            tr->sent += sent[i];
            tr->pushed += changed[i];
            rep->sent += sent[i];
            rep->pushed += changed[i];
        }
        for (int i = 0; i < nconf; i++) {
            report_for(rep, conf[i].table)->conflicts++;
            rep->conflicts++;
        }
    }
    for (int i = 0; i < nconf; i++) {
        free(conf[i].table);
        free(conf[i].id);
        free(conf[i].detail);
    }
    free(conf);
    for (int i = 0; i < nrestamp; i++)
        free(restamp[i].id);
    free(restamp);
    free(sent);
    free(changed);
    free(direct);
    return rc;
}

/* ---- rows the central database refuses ------------------------------------ *
 *
 * One row the central database cannot take (text that is not UTF-8 from an
 * older unyo, a value its column type refuses) fails the whole push, and the
 * push would fail the same way every round: nothing else would ever flow.
 * When a push fails with a data exception (SQLSTATE class 22) on a healthy
 * connection, the pending rows are tried again in a throwaway transaction,
 * COPYing them into a temp table with the mirror's column types (the mirror
 * has no other constraint), halving each refused batch down to the single
 * rows at fault. Those rows' outbox entries move to local_sync_setaside with
 * the server's message, and the push runs again without them. A set-aside
 * row goes back to the outbox when the store repairs it (store_repair_utf8)
 * or on `unyo sync --retry`. */

struct refused {
    char *table, *id, *error;
};

/* COPYs rows ids[0..n) of t into sync_probe under a savepoint, then rolls back
 * to it. Returns 0 when the server took them, 1 when it refused (*msg gets its
 * message), -1 when the connection failed. */
static int probe_rows(PGconn *c, const struct ledger_table *t, sqlite3_stmt *row, char **ids,
                      size_t n, char **msg)
{
    if (central_exec(c, "SAVEPOINT sync_probe_sp", t->name, msg) != 0)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "COPY sync_probe (");
    col_list(&sb, t, NULL);
    sb_puts(&sb, ") FROM STDIN");
    PGresult *r = PQexec(c, sb.buf);
    if (pg_ok(c, r, PGRES_COPY_IN, t->name, msg) != 0) {
        PQclear(r);
        sb_free(&sb);
        return -1;
    }
    PQclear(r);
    sb_reset(&sb);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        sqlite3_reset(row);
        bind_text(row, 1, ids[k]);
        if (sqlite3_step(row) == SQLITE_ROW) {
            for (int i = 0; i < t->ncols; i++) {
                if (i)
                    sb_putc(&sb, '\t');
                copy_value(&sb, row, i, t->aff[i]);
            }
            sb_putc(&sb, '\n');
        }
        if (sb.len >= COPY_FLUSH || k + 1 == n) {
            if (sb.len && PQputCopyData(c, sb.buf, (int)sb.len) != 1)
                rc = -1;
            sb_reset(&sb);
        }
    }
    sqlite3_reset(row);
    sb_free(&sb);
    if (PQputCopyEnd(c, NULL) != 1)
        rc = -1;
    int refused = 0;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !refused && rc == 0) {
            refused = 1;
            central_fail(c, r, t->name, msg);
        }
        PQclear(r);
    }
    if (rc != 0 || PQstatus(c) != CONNECTION_OK) {
        if (!*msg)
            central_fail(c, NULL, t->name, msg);
        return -1;
    }
    char *e = NULL;
    if (central_exec(c, "ROLLBACK TO SAVEPOINT sync_probe_sp", t->name, &e) != 0) {
        free(*msg);
        *msg = e;
        return -1;
    }
    return refused;
}

/* Halves a refused batch until the single refused rows are found. */
static int probe_split(PGconn *c, const struct ledger_table *t, sqlite3_stmt *row, char **ids,
                       size_t n, struct refused **out, int *nout, char **err)
{
    char *msg = NULL;
    int r = probe_rows(c, t, row, ids, n, &msg);
    if (r < 0) {
        *err = msg;
        return -1;
    }
    if (r == 0) {
        free(msg);
        return 0;
    }
    if (n == 1) {
        *out = xrealloc(*out, ((size_t)*nout + 1) * sizeof **out);
        struct refused *f = &(*out)[(*nout)++];
        f->table = xstrdup(t->name);
        f->id = xstrdup(ids[0]);
        f->error = msg;
        return 0;
    }
    free(msg);
    size_t half = n / 2;
    if (probe_split(c, t, row, ids, half, out, nout, err) != 0)
        return -1;
    return probe_split(c, t, row, ids + half, n - half, out, nout, err);
}

/* Finds the pending rows the central database refuses (see above). */
static int find_refused(struct store *st, PGconn *c, const struct ledger_schema *ls,
                        struct refused **out, int *nout, char **err)
{
    const char *doing = _("pushing to the central database");
    if (central_exec(c, "BEGIN", doing, err) != 0)
        return -1;
    int rc = 0;
    for (int ti = 0; rc == 0 && ti < ls->count; ti++) {
        const struct ledger_table *t = &ls->t[ti];
        struct strbuf sb = STRBUF_INIT;
        sb_puts(&sb, "SELECT DISTINCT o.row_id FROM local_sync_outbox o JOIN ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " t ON t.id = o.row_id WHERE o.tbl = ?1 AND (t.origin = ?2 OR "
                     "o.base_origin = '*')");
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(st->db, sb.buf, -1, &q, NULL) != SQLITE_OK) {
            rc = store_fail(st, err, t->name);
            sb_free(&sb);
            break;
        }
        bind_text(q, 1, t->name);
        bind_text(q, 2, st->origin);
        char **ids = NULL;
        size_t n = 0;
        int step;
        while ((step = store_next_row(q, err)) == 1) {
            ids = xrealloc(ids, (n + 1) * sizeof *ids);
            ids[n++] = xstrdup(col_text(q, 0));
        }
        sqlite3_finalize(q);
        if (step < 0)
            rc = -1;
        if (rc == 0 && n > 0) {
            sb_reset(&sb);
            sb_puts(&sb, "CREATE TEMP TABLE IF NOT EXISTS sync_probe (");
            for (int i = 0; i < t->ncols; i++) {
                if (i)
                    sb_puts(&sb, ", ");
                sql_ident(&sb, t->cols[i]);
                sb_printf(&sb, " %s", central_pg_type(t->aff[i]));
            }
            sb_puts(&sb, ") ON COMMIT DROP");
            rc = central_exec(c, "DROP TABLE IF EXISTS sync_probe", doing, err);
            if (rc == 0)
                rc = central_exec(c, sb.buf, doing, err);
            sb_reset(&sb);
            sb_puts(&sb, "SELECT ");
            col_list(&sb, t, NULL);
            sb_puts(&sb, " FROM ");
            sql_ident(&sb, t->name);
            sb_puts(&sb, " WHERE id = ?1");
            sqlite3_stmt *row = NULL;
            if (rc == 0 && sqlite3_prepare_v2(st->db, sb.buf, -1, &row, NULL) != SQLITE_OK)
                rc = store_fail(st, err, t->name);
            if (rc == 0)
                rc = probe_split(c, t, row, ids, n, out, nout, err);
            sqlite3_finalize(row);
        }
        for (size_t k = 0; k < n; k++)
            free(ids[k]);
        free(ids);
        sb_free(&sb);
    }
    PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

static int set_aside(struct store *st, const struct refused *f, int n, char **err)
{
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *mv = store_stmt(
        st, "INSERT INTO local_sync_setaside(tbl, row_id, base_hlc, base_origin, error, at) "
            "SELECT tbl, row_id, base_hlc, base_origin, ?3, ?4 FROM local_sync_outbox "
            "WHERE tbl = ?1 AND row_id = ?2 ORDER BY seq");
    sqlite3_stmt *del =
        store_stmt(st, "DELETE FROM local_sync_outbox WHERE tbl = ?1 AND row_id = ?2");
    for (int i = 0; i < n; i++) {
        sqlite3_reset(mv);
        bind_text(mv, 1, f[i].table);
        bind_text(mv, 2, f[i].id);
        bind_text(mv, 3, f[i].error);
        bind_text(mv, 4, at);
        sqlite3_reset(del);
        bind_text(del, 1, f[i].table);
        bind_text(del, 2, f[i].id);
        if (sqlite3_step(mv) != SQLITE_DONE || sqlite3_step(del) != SQLITE_DONE) {
            store_fail(st, err, _("saving the sync state"));
            sqlite3_reset(mv);
            sqlite3_reset(del);
            store_rollback(st);
            return -1;
        }
        sqlite3_reset(mv);
        sqlite3_reset(del);
    }
    return store_commit(st, err);
}

/* push, setting refused rows aside (see above) until the rest goes through. */
static int push_all(struct store *st, PGconn *c, const struct ledger_schema *ls,
                    struct sync_report *rep, sync_progress_fn progress, void *ud, char **err)
{
    for (int attempt = 0;; attempt++) {
        char *e = NULL;
        if (push(st, c, ls, rep, progress, ud, &e) == 0)
            return 0;
        const char *state = central_last_sqlstate();
        if (attempt >= 3 || PQstatus(c) != CONNECTION_OK || strncmp(state, "22", 2) != 0) {
            *err = e;
            return -1;
        }
        struct refused *f = NULL;
        int nf = 0;
        char *pe = NULL;
        int rc = find_refused(st, c, ls, &f, &nf, &pe);
        if (rc == 0 && nf > 0)
            rc = set_aside(st, f, nf, &pe);
        for (int i = 0; i < nf; i++) {
            free(f[i].table);
            free(f[i].id);
            free(f[i].error);
        }
        free(f);
        if (rc != 0 || nf == 0) {
            /* Not a row's fault after all: the push's own message. */
            free(pe);
            *err = e;
            return -1;
        }
        free(e);
        trace("push: refused rows set aside");
    }
}

int sync_retry_set_aside(struct store *st, long long *count, char **err)
{
    if (count)
        *count = 0;
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *back = store_stmt(
        st, "INSERT INTO local_sync_outbox(tbl, row_id, base_hlc, base_origin) "
            "SELECT tbl, row_id, base_hlc, base_origin FROM local_sync_setaside ORDER BY seq");
    sqlite3_stmt *del = store_stmt(st, "DELETE FROM local_sync_setaside");
    if (sqlite3_step(back) != SQLITE_DONE) {
        sqlite3_reset(back);
        store_fail(st, err, _("saving the sync state"));
        store_rollback(st);
        return -1;
    }
    sqlite3_reset(back);
    if (sqlite3_step(del) != SQLITE_DONE) {
        sqlite3_reset(del);
        store_fail(st, err, _("saving the sync state"));
        store_rollback(st);
        return -1;
    }
    if (count)
        *count = sqlite3_changes(st->db);
    sqlite3_reset(del);
    return store_commit(st, err);
}

/* ---- pull ---------------------------------------------------------------- */

struct unique_key {
    int ncols;
    int *cols; /* column indexes */
};

struct applier {
    struct store *st;
    const struct ledger_table *t;
    sqlite3_stmt *sel, *ins, *upd, *json, *forget;
    struct unique_key *keys;
    int nkeys, keys_loaded;
    int full;    /* a full pull: this console's own rows come too */
    int touched; /* the last write_row made the row a local edit */
    long long conflicts;
};

static int col_index(const struct ledger_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (streq(t->cols[i], name))
            return i;
    return -1;
}

static int load_unique_keys(struct applier *a, char **err)
{
    a->keys_loaded = 1;
    char *sql = xasprintf("PRAGMA index_list(\"%s\")", a->t->name);
    sqlite3_stmt *s = NULL;
    int step = 0;
    if (sqlite3_prepare_v2(a->st->db, sql, -1, &s, NULL) == SQLITE_OK) {
        while ((step = store_next_row(s, err)) == 1) {
            if (!sqlite3_column_int(s, 2) || streq(col_text(s, 3), "pk") ||
                sqlite3_column_int(s, 4))
                continue;
            char *isql = xasprintf("PRAGMA index_info(\"%s\")", col_text(s, 1));
            sqlite3_stmt *q = NULL;
            struct unique_key k = {0, NULL};
            int ok = 1;
            if (sqlite3_prepare_v2(a->st->db, isql, -1, &q, NULL) == SQLITE_OK) {
                int qstep;
                while ((qstep = store_next_row(q, err)) == 1) {
                    int ci = col_text(q, 2) ? col_index(a->t, col_text(q, 2)) : -1;
                    if (ci < 0)
                        ok = 0;
                    k.cols = xrealloc(k.cols, ((size_t)k.ncols + 1) * sizeof *k.cols);
                    k.cols[k.ncols++] = ci;
                }
                if (qstep < 0)
                    step = -1;
            }
            sqlite3_finalize(q);
            free(isql);
            if (step < 0) {
                free(k.cols);
                break;
            }
            if (!ok || k.ncols == 0) {
                free(k.cols);
                continue;
            }
            a->keys = xrealloc(a->keys, ((size_t)a->nkeys + 1) * sizeof *a->keys);
            a->keys[a->nkeys++] = k;
        }
    }
    sqlite3_finalize(s);
    free(sql);
    return step < 0 ? -1 : 0;
}

/* v stays valid until the statement is reset (it points into the COPY
 * row), so text is bound without a copy; integers go in as integers, which
 * spares SQLite the text-to-integer affinity conversion. */
static void bind_field(sqlite3_stmt *s, int idx, char aff, const char *v, size_t len)
{
    if (!v) {
        sqlite3_bind_null(s, idx);
    } else if (aff == 'r') {
        sqlite3_bind_double(s, idx, strtod(v, NULL));
    } else if (aff == 'i') {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno == 0 && end == v + len && len > 0)
            sqlite3_bind_int64(s, idx, n);
        else
            sqlite3_bind_text(s, idx, v, (int)len, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(s, idx, v, (int)len, SQLITE_STATIC);
    }
}

static int applier_init(struct applier *a, struct store *st, const struct ledger_table *t,
                        char **err)
{
    memset(a, 0, sizeof *a);
    a->st = st;
    a->t = t;
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "SELECT hlc, origin FROM ");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " WHERE id = ?1");
    int rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->sel, NULL);
    sb_reset(&sb);
    sb_puts(&sb, "INSERT INTO ");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " (");
    col_list(&sb, t, NULL);
    sb_puts(&sb, ") VALUES (");
    for (int i = 0; i < t->ncols; i++)
        sb_printf(&sb, "%s?%d", i ? ", " : "", i + 1);
    sb_puts(&sb, ") ON CONFLICT(id) DO NOTHING");
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->ins, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(st->db,
                                "DELETE FROM local_sync_outbox WHERE tbl = ?1 AND row_id = ?2", -1,
                                &a->forget, NULL);
    if (!t->append_only) {
        sb_reset(&sb);
        sb_puts(&sb, "UPDATE ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " SET ");
        int first = 1;
        for (int i = 0; i < t->ncols; i++) {
            if (i == t->col_id)
                continue;
            sb_printf(&sb, "%s", first ? "" : ", ");
            first = 0;
            sql_ident(&sb, t->cols[i]);
            sb_printf(&sb, " = ?%d", i + 1);
        }
        sb_printf(&sb, " WHERE id = ?%d", t->col_id + 1);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->upd, NULL);
        sb_reset(&sb);
        sb_puts(&sb, "SELECT json_object(");
        for (int i = 0; i < t->ncols; i++) {
            sb_printf(&sb, "%s'%s', ", i ? ", " : "", t->cols[i]);
            sql_ident(&sb, t->cols[i]);
        }
        sb_puts(&sb, ") FROM ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " WHERE id = ?1");
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->json, NULL);
    }
    sb_free(&sb);
    if (rc != SQLITE_OK)
        return store_fail(st, err, t->name);
    return 0;
}

static void applier_free(struct applier *a)
{
    sqlite3_finalize(a->sel);
    sqlite3_finalize(a->ins);
    sqlite3_finalize(a->upd);
    sqlite3_finalize(a->json);
    sqlite3_finalize(a->forget);
    for (int i = 0; i < a->nkeys; i++)
        free(a->keys[i].cols);
    free(a->keys);
}

static char *values_json(const struct ledger_table *t, char **v)
{
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '{');
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            sb_puts(&sb, ", ");
        json_string(&sb, t->cols[i]);
        sb_puts(&sb, ": ");
        if (!v[i])
            sb_puts(&sb, "null");
        else if (t->aff[i] != 't')
            sb_puts(&sb, v[i]);
        else
            json_string(&sb, v[i]);
    }
    sb_putc(&sb, '}');
    return sb_detach(&sb);
}

static char *local_json(struct applier *a, const char *id)
{
    sqlite3_reset(a->json);
    bind_text(a->json, 1, id);
    char *out = NULL;
    if (sqlite3_step(a->json) == SQLITE_ROW)
        out = xstrdup(col_text(a->json, 0));
    sqlite3_reset(a->json);
    return out ? out : xstrdup("null");
}

/* Makes the row a local edit: new clock, this console's origin (the outbox
 * trigger notes it for the next push). */
static int touch_row(struct applier *a, const char *id, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "UPDATE ");
    sql_ident(&sb, a->t->name);
    sb_puts(&sb, " SET hlc = ?1, origin = ?2");
    if (a->t->col_updated_at >= 0)
        sb_puts(&sb, ", updated_at = ?3");
    sb_puts(&sb, " WHERE id = ?4");
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(a->st->db, sb.buf, -1, &s, NULL) == SQLITE_OK ? 0 : -1;
    sb_free(&sb);
    if (rc == 0) {
        char now[TIME_ISO_LEN + 1];
        time_format_iso(time_now_ms(), now);
        bind_int(s, 1, store_hlc_next(a->st));
        bind_text(s, 2, a->st->origin);
        if (a->t->col_updated_at >= 0)
            bind_text(s, 3, now);
        bind_text(s, 4, id);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    }
    if (rc != 0)
        store_fail(a->st, err, a->t->name);
    sqlite3_finalize(s);
    return rc;
}

/* A pulled row hit a UNIQUE constraint besides id: find the other row and
 * rename the one with the greater id (see the top of this file). *renamed
 * gets the new value for the pulled row's column when the pulled row is the
 * one renamed (its index in *col). Returns 0 when resolved. */
static int resolve_unique(struct applier *a, char **v, size_t *lens, int *col, char **renamed,
                          char **err)
{
    const struct ledger_table *t = a->t;
    if (!a->keys_loaded && load_unique_keys(a, err) != 0)
        return -1;
    const char *pid = v[t->col_id];
    for (int k = 0; k < a->nkeys; k++) {
        struct unique_key *key = &a->keys[k];
        int skip = 0, textcol = -1;
        struct strbuf sb = STRBUF_INIT;
        sb_puts(&sb, "SELECT id FROM ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " WHERE id <> ?1");
        for (int i = 0; i < key->ncols; i++) {
            if (!v[key->cols[i]])
                skip = 1;
            if (textcol < 0 && t->aff[key->cols[i]] == 't')
                textcol = key->cols[i];
            sb_puts(&sb, " AND ");
            sql_ident(&sb, t->cols[key->cols[i]]);
            sb_printf(&sb, " = ?%d", i + 2);
        }
        if (skip || textcol < 0) {
            sb_free(&sb);
            continue;
        }
        sqlite3_stmt *s = NULL;
        char *other = NULL;
        if (sqlite3_prepare_v2(a->st->db, sb.buf, -1, &s, NULL) == SQLITE_OK) {
            bind_text(s, 1, pid);
            for (int i = 0; i < key->ncols; i++)
                bind_field(s, i + 2, t->aff[key->cols[i]], v[key->cols[i]], lens[key->cols[i]]);
            if (sqlite3_step(s) == SQLITE_ROW)
                other = xstrdup(col_text(s, 0));
        }
        sqlite3_finalize(s);
        sb_free(&sb);
        if (!other)
            continue;
        int pulled_loses = strcmp(pid, other) > 0;
        const char *loser = pulled_loses ? pid : other;
        const char *winner = pulled_loses ? other : pid;
        size_t idlen = strlen(loser);
        char *newval = xasprintf("%s~%s", v[textcol], loser + (idlen > 8 ? idlen - 8 : 0));
        struct strbuf d = STRBUF_INIT;
        sb_puts(&d, "{\"conflict\": \"unique\", \"column\": ");
        json_string(&d, t->cols[textcol]);
        sb_puts(&d, ", \"value\": ");
        json_string(&d, v[textcol]);
        sb_puts(&d, ", \"kept\": ");
        json_string(&d, winner);
        sb_puts(&d, ", \"renamed\": ");
        json_string(&d, loser);
        sb_puts(&d, ", \"new_value\": ");
        json_string(&d, newval);
        sb_putc(&d, '}');
        int rc = 0;
        if (pulled_loses) {
            *col = textcol;
            *renamed = newval;
            newval = NULL;
        } else {
            /* Rename the local row, as a local edit. */
            struct strbuf u = STRBUF_INIT;
            sb_puts(&u, "UPDATE ");
            sql_ident(&u, t->name);
            sb_puts(&u, " SET ");
            sql_ident(&u, t->cols[textcol]);
            sb_puts(&u, " = ?1 WHERE id = ?2");
            sqlite3_stmt *us = NULL;
            rc = sqlite3_prepare_v2(a->st->db, u.buf, -1, &us, NULL) == SQLITE_OK ? 0 : -1;
            sb_free(&u);
            if (rc == 0) {
                bind_text(us, 1, newval);
                bind_text(us, 2, other);
                rc = sqlite3_step(us) == SQLITE_DONE ? 0 : -1;
            }
            if (rc != 0)
                store_fail(a->st, err, t->name);
            sqlite3_finalize(us);
            if (rc == 0)
                rc = touch_row(a, other, err);
        }
        if (rc == 0)
            rc = store_audit(a->st, "sync.conflict", t->name, loser, d.buf, err);
        if (rc == 0)
            a->conflicts++;
        sb_free(&d);
        free(newval);
        free(other);
        return rc;
    }
    set_err(err, _("%s: a pulled row conflicts with a local one: %s"), t->name,
            sqlite3_errmsg(a->st->db));
    return -1;
}

static int step_write(struct applier *a, sqlite3_stmt *s, char **v, size_t *lens)
{
    sqlite3_reset(s);
    for (int i = 0; i < a->t->ncols; i++)
        bind_field(s, i + 1, a->t->aff[i], v[i], lens[i]);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc;
}

/* Writes the pulled row with ins or upd, resolving UNIQUE collisions.
 * Returns 0 or -1. */
static int write_row(struct applier *a, sqlite3_stmt *s, char **v, size_t *lens, int *changed,
                     char **err)
{
    *changed = 0;
    a->touched = 0;
    char *renamed = NULL;
    int renamed_col = -1, touch = 0;
    char *orig_v = NULL;
    size_t orig_len = 0;
    int rc = -1;
    for (int attempt = 0; attempt < 8; attempt++) {
        int step = step_write(a, s, v, lens);
        if (step == SQLITE_DONE) {
            *changed = sqlite3_changes(a->st->db) > 0;
            rc = 0;
            break;
        }
        if (sqlite3_extended_errcode(a->st->db) != SQLITE_CONSTRAINT_UNIQUE) {
            store_fail(a->st, err, a->t->name);
            break;
        }
        char *nv = NULL;
        int col = -1;
        if (resolve_unique(a, v, lens, &col, &nv, err) != 0)
            break;
        if (nv) {
            if (renamed_col < 0) {
                renamed_col = col;
                orig_v = v[col];
                orig_len = lens[col];
            }
            free(renamed);
            renamed = nv;
            v[col] = renamed;
            lens[col] = strlen(renamed);
            touch = 1;
        }
    }
    if (rc == 0 && touch) {
        /* The pulled row was renamed: it is now this console's edit, based
         * on the version pulled (so the push sees no concurrent edit). */
        a->touched = 1;
        rc = touch_row(a, v[a->t->col_id], err);
        if (rc == 0) {
            sqlite3_stmt *b = store_stmt(
                a->st, "UPDATE local_sync_outbox SET base_hlc = ?1, base_origin = ?2 WHERE tbl = "
                       "?3 AND row_id = ?4 AND base_hlc IS NULL");
            bind_text(b, 1, v[a->t->col_hlc]);
            bind_text(b, 2, v[a->t->col_origin]);
            bind_text(b, 3, a->t->name);
            bind_text(b, 4, v[a->t->col_id]);
            if (sqlite3_step(b) != SQLITE_DONE)
                rc = store_fail(a->st, err, a->t->name);
            sqlite3_reset(b);
        }
    }
    if (renamed_col >= 0) {
        v[renamed_col] = orig_v;
        lens[renamed_col] = orig_len;
    }
    free(renamed);
    return rc;
}

/* Audits a version the LWW rule dropped while this console's own edit of the
 * row was still unpushed. winner: "central" or "local". */
static int audit_overwrite(struct applier *a, char **v, int64_t lhlc, const char *lorigin,
                           const char *winner, char **err)
{
    const struct ledger_table *t = a->t;
    char *mine = local_json(a, v[t->col_id]);
    char *theirs = values_json(t, v);
    struct strbuf d = STRBUF_INIT;
    sb_printf(&d,
              "{\"conflict\": \"concurrent edit\", \"winner\": \"%s\", "
              "\"central\": {\"hlc\": %s, \"origin\": ",
              winner, v[t->col_hlc]);
    json_string(&d, v[t->col_origin]);
    sb_printf(&d, ", \"row\": %s}, \"local\": {\"hlc\": %lld, \"origin\": ", theirs,
              (long long)lhlc);
    json_string(&d, lorigin);
    sb_printf(&d, ", \"row\": %s}}", mine);
    int rc = store_audit(a->st, "sync.conflict", t->name, v[t->col_id], d.buf, err);
    if (rc == 0)
        a->conflicts++;
    sb_free(&d);
    free(mine);
    free(theirs);
    return rc;
}

/* Is an unpushed local change of the row noted in the outbox? -1: *err says why it is not known. */
static int outbox_has(struct store *st, const char *table, const char *id, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT 1 FROM local_sync_outbox WHERE tbl = ?1 AND row_id = ?2 LIMIT 1");
    bind_text(s, 1, table);
    bind_text(s, 2, id);
    int found = store_one_row(s, err);
    sqlite3_reset(s);
    return found;
}

/* Was a pending local edit of the row made on top of this version? -1 on a read error. */
static int edited_on(struct applier *a, const char *id, const char *hlc, const char *origin,
                     char **err)
{
    sqlite3_stmt *s = store_stmt(a->st, "SELECT 1 FROM local_sync_outbox WHERE tbl = ?1 AND "
                                        "row_id = ?2 AND base_hlc = ?3 AND base_origin = ?4");
    bind_text(s, 1, a->t->name);
    bind_text(s, 2, id);
    bind_int(s, 3, strtoll(hlc, NULL, 10));
    bind_text(s, 4, origin);
    int found = store_one_row(s, err);
    sqlite3_reset(s);
    return found;
}

/* Applies one pulled version. *applied = 1 when it changed the store; *same
 * = 1 when the store already held exactly this version. */
static int apply_version(struct applier *a, char **v, size_t *lens, int *applied, int *same,
                         char **err)
{
    const struct ledger_table *t = a->t;
    *applied = 0;
    *same = 0;
    a->touched = 0;
    if (!v[t->col_id] || !v[t->col_hlc] || !v[t->col_origin]) {
        set_err(err, _("%s: a central row lacks id, hlc or origin"), t->name);
        return -1;
    }
    int64_t hlc = strtoll(v[t->col_hlc], NULL, 10);
    store_hlc_observe(a->st, hlc);
    if (t->append_only) {
        int step = step_write(a, a->ins, v, lens);
        if (step != SQLITE_DONE)
            return store_fail(a->st, err, t->name);
        *applied = sqlite3_changes(a->st->db) > 0;
        *same = !*applied;
        return 0;
    }
    /* Most pulled rows are new here: try the insert first (it does nothing
     * when the id exists), and only then compare versions. */
    int inserted = 0;
    if (write_row(a, a->ins, v, lens, &inserted, err) != 0)
        return -1;
    if (inserted) {
        *applied = 1;
        return 0;
    }
    sqlite3_reset(a->sel);
    bind_text(a->sel, 1, v[t->col_id]);
    if (sqlite3_step(a->sel) != SQLITE_ROW) {
        sqlite3_reset(a->sel);
        set_err(err, _("%s: a pulled row could not be stored"), t->name);
        return -1;
    }
    int64_t lhlc = sqlite3_column_int64(a->sel, 0);
    char *lorigin = xstrdup(col_text(a->sel, 1) ? col_text(a->sel, 1) : "");
    sqlite3_reset(a->sel);
    int cmp = hlc < lhlc ? -1 : hlc > lhlc ? 1 : strcmp(v[t->col_origin], lorigin);
    int rc = 0;
    if (cmp > 0) {
        /* The pulled version wins. If this console's own edit of the row is
         * still unpushed, it is overwritten here: record both. */
        int has = streq(lorigin, a->st->origin) ? outbox_has(a->st, t->name, v[t->col_id], err) : 0;
        if (has < 0)
            rc = -1;
        else if (has)
            rc = audit_overwrite(a, v, lhlc, lorigin, "central", err);
        int updated = 0;
        if (rc == 0)
            rc = write_row(a, a->upd, v, lens, &updated, err);
        if (rc == 0)
            *applied = 1;
    }
    /* cmp == 0: the same version; cmp < 0: the local version is newer and
     * still to be pushed (its push compares it with the central copy; it
     * skips this console's own central versions, which a full pull after a
     * restore meets here: an edit made on the restored store replaces a
     * version the operator never saw there, so that is recorded now). */
    *same = cmp == 0;
    if (cmp < 0 && a->full && streq(v[t->col_origin], a->st->origin) &&
        streq(lorigin, a->st->origin)) {
        int has = outbox_has(a->st, t->name, v[t->col_id], err);
        int on = has > 0 ? edited_on(a, v[t->col_id], v[t->col_hlc], v[t->col_origin], err) : 0;
        if (has < 0 || on < 0)
            rc = -1;
        else if (has && !on)
            rc = audit_overwrite(a, v, lhlc, lorigin, "local", err);
    }
    free(lorigin);
    return rc;
}

/* Applies one pulled row. *applied = 1 when it changed the store. */
static int apply_row(struct applier *a, char **v, size_t *lens, int *applied, char **err)
{
    int same = 0;
    if (apply_version(a, v, lens, applied, &same, err) != 0)
        return -1;
    /* A full pull writes this console's own versions back: the outbox
     * triggers note them, and an older local edit the central version
     * replaced may still be noted. The row now equals the central copy, so
     * there is nothing of it to push. */
    if (a->full && (*applied || same) && !a->touched && streq(v[a->t->col_origin], a->st->origin)) {
        sqlite3_reset(a->forget);
        bind_text(a->forget, 1, a->t->name);
        bind_text(a->forget, 2, v[a->t->col_id]);
        int step = sqlite3_step(a->forget);
        sqlite3_reset(a->forget);
        if (step != SQLITE_DONE)
            return store_fail(a->st, err, a->t->name);
    }
    return 0;
}

static int save_cursor(struct store *st, const char *table, int64_t seq, long long pulled,
                       char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO local_sync_tables(tbl, pull_seq, pulled_total) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(tbl) DO UPDATE SET pull_seq = max(pull_seq, excluded.pull_seq), "
            "pulled_total = pulled_total + excluded.pulled_total");
    bind_text(s, 1, table);
    bind_int(s, 2, seq);
    bind_int(s, 3, pulled);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("saving the sync state"));
    sqlite3_reset(s);
    return rc;
}

static int64_t cursor_of(struct store *st, const char *table)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT pull_seq FROM local_sync_tables WHERE tbl = ?1");
    bind_text(s, 1, table);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return v;
}

/* full: every row, this console's own included (see sync_run_full). */
static int pull_table(struct store *st, PGconn *c, const struct ledger_table *t, int full,
                      int64_t cursor, int64_t upto, long long own_lo, long long own_hi,
                      struct sync_report *rep, sync_progress_fn progress, void *ud, long long *done,
                      long long total, char **err)
{
    /* Rows whose central version is this console's own are skipped: this
     * store has that version or a newer local one (a console's versions of
     * a row only move forward; restore_check in each round makes sure that
     * still holds). After a push that is most of what is new. */
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "COPY (SELECT ");
    col_list(&sb, t, NULL);
    sb_puts(&sb, ", server_seq FROM unyo.");
    sql_ident(&sb, t->name);
    if (full)
        sb_printf(&sb, " WHERE server_seq > %lld AND server_seq <= %lld", (long long)cursor,
                  (long long)upto);
    else if (own_hi >= own_lo && own_lo > 0 && own_hi >= cursor && own_lo <= upto)
        /* The range this round's push just filled holds only this console's
         * rows: two index ranges around it, so it is not even scanned. */
        sb_printf(&sb,
                  " WHERE ((server_seq > %lld AND server_seq < %lld) OR (server_seq > %lld AND "
                  "server_seq <= %lld)) AND origin <> ",
                  (long long)cursor, own_lo, own_hi, (long long)upto);
    else
        sb_printf(&sb, " WHERE server_seq > %lld AND server_seq <= %lld AND origin <> ",
                  (long long)cursor, (long long)upto);
    if (!full) {
        char *lit = PQescapeLiteral(c, st->origin, strlen(st->origin));
        sb_puts(&sb, lit ? lit : "''");
        PQfreemem(lit);
    }
    sb_puts(&sb, " ORDER BY server_seq) TO STDOUT");
    struct applier a;
    if (applier_init(&a, st, t, err) != 0) {
        applier_free(&a);
        sb_free(&sb);
        return -1;
    }
    a.full = full;
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    if (pg_ok(c, r, PGRES_COPY_OUT, t->name, err) != 0) {
        PQclear(r);
        applier_free(&a);
        return -1;
    }
    PQclear(r);
    int nf = t->ncols + 1;
    char **v = xcalloc((size_t)nf + 1, sizeof *v);
    size_t *lens = xcalloc((size_t)nf + 1, sizeof *lens);
    int rc = 0, in_tx = 0;
    long long pulled = 0, chunk = 0, chunk_pulled = 0;
    int64_t last = cursor;
    char *buf = NULL;
    int n;
    while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
        if (rc != 0) {
            PQfreemem(buf);
            continue; /* drain */
        }
        if (!in_tx) {
            if (store_begin(st, err) != 0) {
                rc = -1;
                PQfreemem(buf);
                continue;
            }
            in_tx = 1;
        }
        size_t len = (size_t)n;
        if (len > 0 && buf[len - 1] == '\n')
            len--;
        int got = copy_split(buf, len, v, lens, nf);
        if (got != nf || !v[nf - 1]) {
            set_err(err, _("%s: unexpected row from the central database"), t->name);
            rc = -1;
        } else {
            int applied = 0;
            rc = apply_row(&a, v, lens, &applied, err);
            if (applied) {
                pulled++;
                chunk_pulled++;
            }
            last = strtoll(v[nf - 1], NULL, 10);
        }
        PQfreemem(buf);
        if (rc == 0 && ++chunk >= PULL_CHUNK) {
            rc = save_cursor(st, t->name, last, chunk_pulled, err);
            if (rc == 0)
                rc = store_commit(st, err);
            in_tx = 0;
            chunk = chunk_pulled = 0;
            (*done) += PULL_CHUNK;
            if (progress)
                progress(ud, "pull", *done, total);
        }
    }
    if (n == -2 && rc == 0)
        rc = central_fail(c, NULL, t->name, err);
    while ((r = PQgetResult(c)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = central_fail(c, r, t->name, err);
        PQclear(r);
    }
    if (rc == 0 && !in_tx) {
        rc = store_begin(st, err);
        in_tx = rc == 0;
    }
    if (rc == 0 && in_tx) {
        /* Everything up to the snapshot's last seq was seen (own rows too). */
        rc = save_cursor(st, t->name, upto, chunk_pulled, err);
        if (rc == 0)
            rc = store_commit(st, err);
        (*done) += chunk;
    } else if (in_tx) {
        store_rollback(st);
    }
    if (rc == 0 && rep && (pulled > 0 || a.conflicts > 0)) {
        struct sync_table_report *tr = report_for(rep, t->name);
        tr->pulled += pulled;
        tr->conflicts += a.conflicts;
        rep->pulled += pulled;
        rep->conflicts += a.conflicts;
    }
    applier_free(&a);
    free(v);
    free(lens);
    return rc;
}

#define PULL_BULK_MIN 20000

/* Rows the pull will apply (other consoles' versions in the cursor ranges). */
static long long pull_count(struct store *st, PGconn *c, const struct ledger_schema *ls,
                            const int64_t *cur, const int64_t *maxseq)
{
    struct strbuf sb = STRBUF_INIT;
    char *lit = PQescapeLiteral(c, st->origin, strlen(st->origin));
    sb_puts(&sb, "SELECT 0");
    for (int i = 0; i < ls->count; i++) {
        if (maxseq[i] <= cur[i])
            continue;
        sb_puts(&sb, " + (SELECT count(*) FROM unyo.");
        sql_ident(&sb, ls->t[i].name);
        sb_printf(&sb, " WHERE server_seq > %lld AND server_seq <= %lld AND origin <> %s)",
                  (long long)cur[i], (long long)maxseq[i], lit ? lit : "''");
    }
    PQfreemem(lit);
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    long long n = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

/* Roughly how many rows the store holds (~500 bytes a row with its indexes). */
static long long store_rows_estimate(struct store *st)
{
    sqlite3_stmt *s = NULL;
    long long bytes = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT page_count * page_size FROM pragma_page_count(), "
                           "pragma_page_size()",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        bytes = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return bytes / 500;
}

static int restore_check(struct store *st, PGconn *c, const struct ledger_schema *ls,
                         const int64_t *cur, const int64_t *maxseq, char **err);

/* own: rows this round just pushed (their seqs are in the ranges, but the
 * pull skips them), to tell a real backlog from an echo of the push.
 * full: every central row from the start, this console's own included.
 * check: look for a restored store first (see restore_check). */
static int pull(struct store *st, PGconn *c, const struct ledger_schema *ls, int full, int check,
                long long own, long long own_lo, long long own_hi, struct sync_report *rep,
                sync_progress_fn progress, void *ud, char **err)
{
    const char *doing = _("pulling from the central database");
    /* One snapshot for the whole pull: what it sees is a prefix of the
     * pushes in server_seq order (pushes are serialised, see push). */
    if (central_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", doing, err) != 0)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < ls->count; i++) {
        if (i)
            sb_puts(&sb, " UNION ALL ");
        sb_printf(&sb, "SELECT %d, (SELECT max(server_seq) FROM unyo.", i);
        sql_ident(&sb, ls->t[i].name);
        sb_puts(&sb, ")");
    }
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    if (pg_ok(c, r, PGRES_TUPLES_OK, doing, err) != 0) {
        PQclear(r);
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    int64_t *maxseq = xcalloc((size_t)ls->count + 1, sizeof *maxseq);
    int64_t *cur = xcalloc((size_t)ls->count + 1, sizeof *cur);
    long long total = 0, done = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        int ti = atoi(PQgetvalue(r, i, 0));
        if (ti >= 0 && ti < ls->count && !PQgetisnull(r, i, 1))
            maxseq[ti] = strtoll(PQgetvalue(r, i, 1), NULL, 10);
    }
    PQclear(r);
    for (int i = 0; i < ls->count; i++) {
        cur[i] = full ? 0 : cursor_of(st, ls->t[i].name);
        if (maxseq[i] > cur[i])
            total += maxseq[i] - cur[i]; /* an upper bound: seqs have gaps */
    }
    int rc = 0;
    if (check && restore_check(st, c, ls, cur, maxseq, err) != 0) {
        PQclear(PQexec(c, "ROLLBACK"));
        free(maxseq);
        free(cur);
        return -1;
    }
    trace("pull: probed");
    /* A large backlog (a new console, a long time offline) would pay the
     * search index's per-row triggers (~25 us a row); suspending them and
     * rebuilding the index once afterwards costs ~4 us per row of the whole
     * store. So suspend when the rows to apply are more than a sixth of what
     * the store holds. A flag in local_sync_meta makes a round killed in
     * between resume the index next time. A full pull mostly meets rows
     * the store has (no trigger fires for them): not worth a rebuild. */
    char *flag = meta_get(st, "search_suspended");
    int resume = flag != NULL;
    free(flag);
    if (!full && total - own >= PULL_BULK_MIN && !resume && !search_suspended(st)) {
        long long rows = pull_count(st, c, ls, cur, maxseq);
        if (rows >= PULL_BULK_MIN && rows * 6 > store_rows_estimate(st)) {
            char *e2 = NULL;
            if (search_suspend(st, &e2) == 0) {
                meta_set(st, "search_suspended", "1");
                resume = 1;
            }
            free(e2); /* no index to suspend: nothing to gain, carry on */
        }
    }
    /* Foreign keys: see the top of this file. The pragma is a no-op inside
     * a transaction, so it is set around the per-chunk transactions. */
    store_exec(st, "PRAGMA foreign_keys = OFF", NULL);
    /* A large page cache while applying: a backlog touches the same index
     * pages again and again; spilling them to the WAL mid-transaction would
     * write them many times. Restored afterwards. */
    int64_t cache = -2000;
    sqlite3_stmt *cs = NULL;
    if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &cs, NULL) == SQLITE_OK &&
        sqlite3_step(cs) == SQLITE_ROW)
        cache = sqlite3_column_int64(cs, 0);
    sqlite3_finalize(cs);
    if (total > 1000)
        store_exec(st, "PRAGMA cache_size = -131072", NULL);
    /* Every insert that fires triggers keeps a statement journal of the
     * pages it touches; on disk (the default) that was 9 of 10 writes of a
     * big pull. In memory it is a copy per page, dropped per statement. */
    store_exec(st, "PRAGMA temp_store = MEMORY", NULL);
    /* One checkpoint after the pull, not one per chunk: pages a later chunk
     * dirties again are copied into the database file once. */
    if (total > 1000)
        store_exec(st, "PRAGMA wal_autocheckpoint = 0", NULL);
    for (int i = 0; rc == 0 && i < ls->count; i++)
        if (maxseq[i] > cur[i])
            rc = pull_table(st, c, &ls->t[i], full, cur[i], maxseq[i], own_lo, own_hi, rep,
                            progress, ud, &done, total, err);
    store_exec(st, "PRAGMA foreign_keys = ON", NULL);
    if (resume) {
        trace("pull: applied");
        char *e2 = NULL;
        if (search_resume(st, rc == 0 ? err : &e2) == 0)
            meta_set(st, "search_suspended", NULL);
        else if (rc == 0)
            rc = -1;
        free(e2);
    }
    store_exec(st, "PRAGMA temp_store = DEFAULT", NULL);
    if (total > 1000) {
        store_exec(st, "PRAGMA wal_autocheckpoint = 1000", NULL);
        store_exec(st, "PRAGMA wal_checkpoint(PASSIVE)", NULL);
    }
    char *restore = xasprintf("PRAGMA cache_size = %lld", (long long)cache);
    store_exec(st, restore, NULL);
    free(restore);
    if (rc == 0)
        rc = central_exec(c, "COMMIT", doing, err);
    else
        PQclear(PQexec(c, "ROLLBACK"));
    free(maxseq);
    free(cur);
    return rc;
}

/* ---- restored stores ----------------------------------------------------- */

/* A store file restored from a backup (same console id) lacks the versions
 * this console pushed after the backup, and its clock is as old as the
 * backup. Left alone, the pull skips rows of this console's origin (see
 * pull_table), so those versions never come back; and LWW does not protect
 * them: an edit on the restored store usually carries a later clock and
 * replaces, unrecorded (the push's conflict check ignores this console's own
 * central versions), a version the operator never saw there; if the clock
 * had been pushed ahead by another console's, the edit silently loses. So a
 * round that finds the store restored sends and receives nothing (the
 * cursors stay where the backup left them) until `unyo sync --full`.
 *
 * Detection: central rows of this origin above the pull cursors that the
 * store lacks or holds in an older version and has not noted in its outbox
 * (a push committed centrally whose local bookkeeping was cut, or another
 * process's push on this store, are noted there). Normally there are none:
 * the last pull moved the cursors past everything, its own push included.
 * Cheap: with nothing to send, the pull's snapshot already reads each
 * table's max(server_seq), and only tables with rows above the cursor are
 * probed, so an up-to-date round sends no extra query; with something to
 * send, every table is probed (an index range each) before sending.
 *
 * Not done automatically: a restore is an event the operator should know
 * of, and the full pull decides, row by row, between edits made since the
 * restore and newer versions made before it (recorded in the audit trail
 * when they differ). A store copied to another machine with its console id shows the
 * same way, and there a full pull would hide the two consoles sharing one id
 * rather than fix it. And a full pull of a large central database is a long
 * download the background worker should not start unannounced. */

#define RESTORE_PROBE_ROWS 16

static int restore_refused(char **err)
{
    set_err(err, _("this store was restored from an older copy: the central database holds "
                   "changes this console made that the store lacks. Nothing was sent or "
                   "received; run `unyo sync --full` to bring them back"));
    return -1;
}

/* Does the store hold this version of a row of t (or a newer one), or is
 * the row noted in the outbox? -1 with *err set when the store cannot be read. */
static int version_known(struct store *st, const struct ledger_table *t, const char *id,
                         int64_t hlc, char **err)
{
    char *sql = xasprintf("SELECT hlc, origin FROM \"%s\" WHERE id = ?1", t->name);
    sqlite3_stmt *s = NULL;
    int known = 0, got = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
        bind_text(s, 1, id);
        if ((got = store_one_row(s, err)) == 1) {
            int64_t lhlc = sqlite3_column_int64(s, 0);
            const char *lorigin = col_text(s, 1) ? col_text(s, 1) : "";
            known = lhlc > hlc || (lhlc == hlc && strcmp(lorigin, st->origin) >= 0);
        }
    }
    sqlite3_finalize(s);
    free(sql);
    if (got < 0)
        return -1;
    return known ? 1 : outbox_has(st, t->name, id, err);
}

/* Refuses the round (-1, *err says to run --full) when the store looks
 * restored. Probes the tables whose central max(server_seq) is above the
 * cursor (maxseq NULL: every table; cur NULL: the saved cursors): an
 * up-to-date round has none, so it sends no query at all. */
static int restore_check(struct store *st, PGconn *c, const struct ledger_schema *ls,
                         const int64_t *cur, const int64_t *maxseq, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < ls->count; i++) {
        int64_t cursor = cur ? cur[i] : cursor_of(st, ls->t[i].name);
        if (maxseq && maxseq[i] <= cursor)
            continue;
        sb_printf(&sb, "%s(SELECT %d, id, hlc FROM unyo.", sb.len ? " UNION ALL " : "", i);
        sql_ident(&sb, ls->t[i].name);
        sb_printf(&sb,
                  " WHERE server_seq > %lld AND origin = $1 ORDER BY server_seq DESC LIMIT %d)",
                  (long long)cursor, RESTORE_PROBE_ROWS);
    }
    if (sb.len == 0)
        return 0;
    const char *params[1] = {st->origin};
    PGresult *r = PQexecParams(c, sb.buf, 1, NULL, params, NULL, NULL, 0);
    sb_free(&sb);
    if (pg_ok(c, r, PGRES_TUPLES_OK, _("pulling from the central database"), err) != 0) {
        PQclear(r);
        return -1;
    }
    int restored = 0;
    for (int i = 0; i < PQntuples(r) && !restored; i++) {
        int ti = atoi(PQgetvalue(r, i, 0));
        if (ti >= 0 && ti < ls->count) {
            int known = version_known(st, &ls->t[ti], PQgetvalue(r, i, 1),
                                      strtoll(PQgetvalue(r, i, 2), NULL, 10), err);
            if (known < 0) {
                PQclear(r);
                return -1;
            }
            restored = !known;
        }
    }
    PQclear(r);
    if (!restored)
        return 0;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    if (store_begin(st, err) != 0)
        return -1;
    if (meta_set(st, "restore_detected", now) != 0) {
        store_rollback(st);
        return store_fail(st, err, _("saving the sync state"));
    }
    if (store_commit(st, err) != 0)
        return -1;
    return restore_refused(err);
}

/* ---- rounds -------------------------------------------------------------- */

/* full_pull: pull everything first, this console's own rows included (see
 * sync_run_full), instead of checking for a restore. */
static int run_round(struct store *st, PGconn *c, int full_pull, struct sync_report *rep,
                     sync_progress_fn progress, void *ud, char **err)
{
    trace("round");
    struct ledger_schema ls;
    if (ledger_schema_load(st, &ls, err) != 0)
        return -1;
    char *instance = NULL;
    int rc = central_check(c, &instance, err);
    if (rc == 0) {
        char *known = meta_get(st, "central");
        int full = !known || !streq(known, instance);
        free(known);
        rc = prepare(st, &ls, full, full ? instance : NULL, err);
    }
    trace("prepared");
    int check_in_pull = 0;
    if (rc == 0 && full_pull) {
        rc = pull(st, c, &ls, 1, 0, 0, 0, 0, rep, progress, ud, err);
        if (rc == 0 && (rc = store_begin(st, err)) == 0) {
            if (meta_set(st, "restore_detected", NULL) != 0) {
                rc = store_fail(st, err, _("saving the sync state"));
                store_rollback(st);
            } else {
                rc = store_commit(st, err);
            }
        }
        trace("full pull");
    } else if (rc == 0) {
        char *found = meta_get(st, "restore_detected");
        int restored = found != NULL;
        free(found);
        if (restored)
            rc = restore_refused(err);
        /* With something to send, check before sending it; otherwise the
         * pull checks, on the tables where there is something new. */
        sqlite3_stmt *o = store_stmt(st, "SELECT 1 FROM local_sync_outbox LIMIT 1");
        check_in_pull = sqlite3_step(o) != SQLITE_ROW;
        sqlite3_reset(o);
        if (rc == 0 && !check_in_pull)
            rc = restore_check(st, c, &ls, NULL, NULL, err);
        trace("restore checked");
    }
    /* The push reports into own too, whatever rep is. */
    struct sync_report own = {0};
    /* Nothing to send when the outbox was read empty: rows written since go
     * next round, after a check. */
    if (rc == 0 && !check_in_pull)
        rc = push_all(st, c, &ls, &own, progress, ud, err);
    if (rc == 0 && rep) {
        for (int i = 0; i < own.count; i++) {
            struct sync_table_report *tr = report_for(rep, own.t[i].table);
            tr->sent += own.t[i].sent;
            tr->pushed += own.t[i].pushed;
            tr->conflicts += own.t[i].conflicts;
        }
        rep->sent += own.sent;
        rep->pushed += own.pushed;
        rep->conflicts += own.conflicts;
    }
    trace("pushed");
    if (rc == 0)
        rc = pull(st, c, &ls, 0, check_in_pull, own.sent, own.own_lo, own.own_hi, rep, progress, ud,
                  err);
    trace("pulled");
    sync_report_free(&own);
    free(instance);
    ledger_schema_free(&ls);
    return rc;
}

int sync_round(struct store *st, PGconn *c, struct sync_report *rep, sync_progress_fn progress,
               void *ud, char **err)
{
    return run_round(st, c, 0, rep, progress, ud, err);
}

static void record_outcome(struct store *st, int ok, const char *msg, int offline)
{
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    if (store_begin(st, NULL) != 0)
        return;
    meta_set(st, "last_attempt", now);
    if (ok) {
        meta_set(st, "last_success", now);
        meta_set(st, "last_error", NULL);
        meta_set(st, "last_error_at", NULL);
        meta_set(st, "offline_since", NULL);
    } else {
        meta_set(st, "last_error", msg);
        meta_set(st, "last_error_at", now);
        if (offline) {
            char *since = meta_get(st, "offline_since");
            if (!since)
                meta_set(st, "offline_since", now);
            free(since);
        }
    }
    if (store_commit(st, NULL) != 0)
        store_rollback(st);
}

static int run_connected(struct store *st, const char *url, int full_pull, struct sync_report *rep,
                         sync_progress_fn progress, void *ud, char **err)
{
    PGconn *c = NULL;
    char *e = NULL;
    int offline = 0;
    int rc = central_connect(url, &c, &e);
    if (rc != 0)
        offline = 1;
    else
        rc = run_round(st, c, full_pull, rep, progress, ud, &e);
    if (rc != 0 && c && PQstatus(c) == CONNECTION_BAD)
        offline = 1;
    PQfinish(c);
    if (e) { /* never show or keep the URL's password */
        char *clean = central_scrub(url, e);
        free(e);
        e = clean;
    }
    record_outcome(st, rc == 0, e, offline);
    if (rc != 0) {
        if (err)
            *err = e;
        else
            free(e);
    }
    return rc;
}

int sync_run(struct store *st, const char *url, struct sync_report *rep, sync_progress_fn progress,
             void *ud, char **err)
{
    return run_connected(st, url, 0, rep, progress, ud, err);
}

int sync_run_full(struct store *st, const char *url, struct sync_report *rep,
                  sync_progress_fn progress, void *ud, char **err)
{
    return run_connected(st, url, 1, rep, progress, ud, err);
}

/* ---- status -------------------------------------------------------------- */

int sync_status_read(struct store *st, struct sync_status *out, char **err)
{
    memset(out, 0, sizeof *out);
    struct ledger_schema ls;
    if (ledger_schema_load(st, &ls, err) != 0)
        return -1;
    if (store_exec(st, "BEGIN", err) != 0) {
        ledger_schema_free(&ls);
        return -1;
    }
    out->t = xcalloc((size_t)ls.count + 1, sizeof *out->t);
    sqlite3_stmt *pend =
        store_stmt(st, "SELECT count(DISTINCT row_id) FROM local_sync_outbox WHERE tbl = ?1");
    sqlite3_stmt *tot =
        store_stmt(st, "SELECT pushed_total, pulled_total FROM local_sync_tables WHERE tbl = ?1");
    int failed = 0;
    for (int i = 0; !failed && i < ls.count; i++) {
        struct sync_status_table *t = &out->t[out->count++];
        t->table = xstrdup(ls.t[i].name);
        int got;
        if (triggers_installed(st, t->table)) {
            sqlite3_reset(pend);
            bind_text(pend, 1, t->table);
            if ((got = store_one_row(pend, err)) == 1)
                t->pending = sqlite3_column_int64(pend, 0);
            sqlite3_reset(pend);
        } else {
            /* Not yet watched: everything this console wrote is pending. */
            char *sql = xasprintf("SELECT count(*) FROM \"%s\" WHERE origin = ?1", t->table);
            sqlite3_stmt *s = NULL;
            if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
                got = store_fail(st, err, t->table);
            } else {
                bind_text(s, 1, st->origin);
                if ((got = store_one_row(s, err)) == 1)
                    t->pending = sqlite3_column_int64(s, 0);
            }
            sqlite3_finalize(s);
            free(sql);
        }
        failed = got < 0;
        sqlite3_reset(tot);
        bind_text(tot, 1, t->table);
        if (!failed && (got = store_one_row(tot, err)) == 1) {
            t->pushed_total = sqlite3_column_int64(tot, 0);
            t->pulled_total = sqlite3_column_int64(tot, 1);
        }
        failed |= got < 0;
        sqlite3_reset(tot);
        out->pending += t->pending;
    }
    sqlite3_stmt *aside =
        store_stmt(st, "SELECT tbl, row_id, error, max(at) FROM "
                       "local_sync_setaside GROUP BY tbl, row_id ORDER BY 4, 1, 2");
    int step = 0;
    while (!failed && (step = store_next_row(aside, err)) == 1) {
        out->aside = xrealloc(out->aside, ((size_t)out->set_aside + 1) * sizeof *out->aside);
        struct sync_set_aside *a = &out->aside[out->set_aside++];
        a->table = col_dup(aside, 0);
        a->row_id = col_dup(aside, 1);
        a->error = col_dup(aside, 2);
        a->at = col_dup(aside, 3);
    }
    sqlite3_reset(aside);
    if (failed || step < 0) {
        /* A status read short of a table would say "nothing pending". */
        store_exec(st, "COMMIT", NULL);
        ledger_schema_free(&ls);
        sync_status_free(out);
        return -1;
    }
    out->central = meta_get(st, "central");
    out->last_attempt = meta_get(st, "last_attempt");
    out->last_success = meta_get(st, "last_success");
    out->last_error = meta_get(st, "last_error");
    out->last_error_at = meta_get(st, "last_error_at");
    out->offline_since = meta_get(st, "offline_since");
    out->restore_detected = meta_get(st, "restore_detected");
    store_exec(st, "COMMIT", NULL);
    ledger_schema_free(&ls);
    return 0;
}

void sync_status_free(struct sync_status *s)
{
    for (int i = 0; i < s->count; i++)
        free(s->t[i].table);
    free(s->t);
    free(s->central);
    free(s->last_attempt);
    free(s->last_success);
    free(s->last_error);
    free(s->last_error_at);
    free(s->offline_since);
    free(s->restore_detected);
    for (long long i = 0; i < s->set_aside; i++) {
        free(s->aside[i].table);
        free(s->aside[i].row_id);
        free(s->aside[i].error);
        free(s->aside[i].at);
    }
    free(s->aside);
    memset(s, 0, sizeof *s);
}

/* ---- non-blocking session ------------------------------------------------ */

struct sync_session {
    struct store *st; /* the console's; used on the main thread only */
    char *path, *url;
    int interval_ms;
    int pipe[2];
    pthread_t thread;
    int running, kicked;
    int64_t next_at;
    enum sync_state state;
    long long pending;
    long long set_aside; /* rows the central database refused, as of the last round */
    char *error;
    int64_t offline_since;
    int64_t last_success;
    /* Shared with the worker, under lock. */
    pthread_mutex_t lock;
    const char *phase;
    long long done, total;
    int result;
    char *result_err;
    int result_offline;
    int64_t result_hlc;
    long long result_pending;
    long long result_set_aside;
};

static void worker_progress(void *ud, const char *phase, long long done, long long total)
{
    struct sync_session *ss = ud;
    pthread_mutex_lock(&ss->lock);
    ss->phase = phase;
    ss->done = done;
    ss->total = total;
    pthread_mutex_unlock(&ss->lock);
}

static long long count_pending(struct store *st, long long *set_aside)
{
    struct sync_status s;
    *set_aside = 0;
    if (sync_status_read(st, &s, NULL) != 0)
        return 0;
    long long n = s.pending;
    *set_aside = s.set_aside;
    sync_status_free(&s);
    return n;
}

static void *worker(void *arg)
{
    struct sync_session *ss = arg;
    struct store *st = NULL;
    char *err = NULL;
    int rc = store_open(ss->path, STORE_OPEN_EXISTING, &st, &err);
    int offline = 0;
    int64_t hlc = 0;
    long long pending = -1, aside = 0;
    if (rc == 0) {
        rc = sync_run(st, ss->url, NULL, worker_progress, ss, &err);
        if (rc != 0) {
            char *off = meta_get(st, "offline_since");
            offline = off != NULL;
            free(off);
        }
        hlc = st->hlc_last;
        pending = count_pending(st, &aside);
        store_close(st);
    }
    pthread_mutex_lock(&ss->lock);
    ss->result_pending = pending;
    ss->result_set_aside = aside;
    ss->result = rc;
    ss->result_err = err;
    ss->result_offline = offline;
    ss->result_hlc = hlc;
    pthread_mutex_unlock(&ss->lock);
    char b = 1;
    while (write(ss->pipe[1], &b, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

struct sync_session *sync_session_new(struct store *st, const char *url, int interval_s)
{
    struct sync_session *ss = xcalloc(1, sizeof *ss);
    ss->st = st;
    ss->path = xstrdup(st->path);
    const char *u = url ? url : config_value("sync", "url");
    ss->url = u && *u ? xstrdup(u) : NULL;
    if (interval_s <= 0) {
        const char *iv = config_value("sync", "interval");
        interval_s = iv ? atoi(iv) : 0;
        if (interval_s <= 0)
            interval_s = 30;
    }
    ss->interval_ms = interval_s * 1000;
    if (pipe(ss->pipe) != 0) {
        ss->pipe[0] = ss->pipe[1] = -1;
        free(ss->url);
        ss->url = NULL; /* no pipe, no worker: sync stays off */
    } else {
        fcntl(ss->pipe[0], F_SETFL, O_NONBLOCK);
        fcntl(ss->pipe[0], F_SETFD, FD_CLOEXEC);
        fcntl(ss->pipe[1], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&ss->lock, NULL);
    ss->state = SYNC_STATE_IDLE;
    /* Counted by the worker after each round (counting can take a while on
     * a large store that never synced): unknown until then. */
    ss->pending = -1;
    ss->next_at = time_now_ms(); /* first round at once */
    return ss;
}

void sync_session_free(struct sync_session *ss)
{
    if (!ss)
        return;
    if (ss->running)
        pthread_join(ss->thread, NULL);
    free(ss->result_err);
    if (ss->pipe[0] >= 0) {
        close(ss->pipe[0]);
        close(ss->pipe[1]);
    }
    pthread_mutex_destroy(&ss->lock);
    free(ss->path);
    free(ss->url);
    free(ss->error);
    free(ss);
}

int sync_fd(const struct sync_session *ss)
{
    return ss->pipe[0];
}

short sync_poll_events(const struct sync_session *ss)
{
    return ss->running ? POLLIN : 0;
}

void sync_session_kick(struct sync_session *ss)
{
    ss->kicked = 1;
}

int sync_session_timeout_ms(const struct sync_session *ss)
{
    if (!ss->url)
        return -1;
    if (ss->running)
        return 1000; /* progress updates */
    int64_t d = ss->kicked ? 0 : ss->next_at - time_now_ms();
    return d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
}

int sync_step(struct sync_session *ss)
{
    if (!ss->url)
        return 0;
    int changed = 0;
    if (ss->running) {
        char b[16];
        if (read(ss->pipe[0], b, sizeof b) <= 0)
            return ss->total > 0; /* still running: progress may have moved */
        pthread_join(ss->thread, NULL);
        ss->running = 0;
        changed = 1;
        pthread_mutex_lock(&ss->lock);
        int rc = ss->result;
        char *e = ss->result_err;
        ss->result_err = NULL;
        int offline = ss->result_offline;
        store_hlc_observe(ss->st, ss->result_hlc);
        pthread_mutex_unlock(&ss->lock);
        free(ss->error);
        ss->error = e;
        int64_t now = time_now_ms();
        if (rc == 0) {
            ss->state = SYNC_STATE_SYNCED;
            ss->last_success = now;
            ss->offline_since = 0;
        } else if (offline) {
            if (ss->state != SYNC_STATE_OFFLINE || !ss->offline_since)
                ss->offline_since = now;
            ss->state = SYNC_STATE_OFFLINE;
        } else {
            ss->state = SYNC_STATE_ERROR;
        }
        pthread_mutex_lock(&ss->lock);
        if (ss->result_pending >= 0)
            ss->pending = ss->result_pending;
        ss->set_aside = ss->result_set_aside;
        pthread_mutex_unlock(&ss->lock);
        ss->next_at = now + ss->interval_ms;
    }
    if (!ss->running && (ss->kicked || time_now_ms() >= ss->next_at)) {
        ss->kicked = 0;
        pthread_mutex_lock(&ss->lock);
        ss->phase = NULL;
        ss->done = ss->total = 0;
        pthread_mutex_unlock(&ss->lock);
        if (pthread_create(&ss->thread, NULL, worker, ss) == 0) {
            ss->running = 1;
            changed = 1;
        } else {
            ss->next_at = time_now_ms() + ss->interval_ms;
        }
    }
    return changed;
}

enum sync_state sync_session_state(const struct sync_session *ss)
{
    return ss->running ? SYNC_STATE_RUNNING : ss->state;
}

long long sync_session_pending(const struct sync_session *ss)
{
    return ss->pending;
}

const char *sync_session_error(const struct sync_session *ss)
{
    return ss->error;
}

static void hhmm(int64_t ms, char *out)
{
    char buf[32];
    time_format_jst(ms, buf, 0); /* "2026-11-23 07:00" */
    const char *sp = strchr(buf, ' ');
    const char *hm = sp ? sp + 1 : buf;
    size_t len = strlen(hm);
    if (len > 7)
        len = 7;
    memcpy(out, hm, len);
    out[len] = '\0';
}

void sync_status_line(const struct sync_session *ss, char *buf, size_t n)
{
    char t[8];
    if (!ss->url) {
        snprintf(buf, n, "%s", _("sync off"));
        return;
    }
    if (ss->running) {
        struct sync_session *m = (struct sync_session *)ss;
        pthread_mutex_lock(&m->lock);
        long long done = ss->done, total = ss->total;
        const char *phase = ss->phase;
        pthread_mutex_unlock(&m->lock);
        if (phase && total > 0)
            snprintf(buf, n, _("syncing: %s %lld%%"),
                     streq(phase, "push") ? _("sending") : _("receiving"),
                     done * 100 / (total ? total : 1) > 100 ? 100 : done * 100 / total);
        else
            snprintf(buf, n, "%s", _("syncing"));
        return;
    }
    switch (ss->state) {
    case SYNC_STATE_IDLE:
        if (ss->pending >= 0)
            snprintf(buf, n, _("%lld pending"), ss->pending);
        else
            snprintf(buf, n, "%s", _("syncing"));
        break;
    case SYNC_STATE_SYNCED:
        hhmm(ss->last_success, t);
        if (ss->pending > 0)
            snprintf(buf, n, _("synced %s, %lld pending"), t, ss->pending);
        else
            snprintf(buf, n, _("synced %s"), t);
        break;
    case SYNC_STATE_OFFLINE:
        hhmm(ss->offline_since, t);
        snprintf(buf, n, _("offline since %s (%lld pending)"), t,
                 ss->pending > 0 ? ss->pending : 0);
        break;
    default:
        snprintf(buf, n, _("sync error: %s"), ss->error ? ss->error : "?");
    }
    if (ss->set_aside > 0 && ss->state != SYNC_STATE_ERROR) {
        size_t used = strlen(buf);
        if (used < n)
            snprintf(buf + used, n - used, _(", %lld set aside"), ss->set_aside);
    }
}
