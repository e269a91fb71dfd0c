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
 * The code by phase: sync_push.c (push, and rows the central database
 * refuses), sync_pull.c (pull, restored stores), sync_copy.c (COPY text),
 * sync_round.c (rounds and the console's non-blocking session); this file
 * keeps reports, the outbox triggers and the status. sync_int.h is what
 * they share. */
#include "sync.h"

#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "i18n.h"
#include "search.h"
#include "store.h"
#include "sync_int.h"
#include "timefmt.h"
#include "util.h"

/* UNYO_SYNC_TRACE=1: phase timings on stderr (for benchmarks and support). */
void sync_trace(const char *what)
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

struct sync_table_report *sync_report_for(struct sync_report *r, const char *table)
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

char *sync_meta_get(struct store *st, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM local_sync_meta WHERE key = ?1");
    bind_text(s, 1, key);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW && col_text(s, 0))
        v = xstrdup(col_text(s, 0));
    sqlite3_reset(s);
    return v;
}

int sync_meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO local_sync_meta(key, value) VALUES(?1, ?2) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    bind_text(s, 1, key);
    bind_text(s, 2, value);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

/* ---- the search index after a large pull ---------------------------------- */

enum sync_index sync_index_state(struct store *st)
{
    char *v = sync_meta_get(st, "search_suspended");
    enum sync_index r = !v                    ? SYNC_INDEX_OK
                        : streq(v, "pulling") ? SYNC_INDEX_PULLING
                                              : SYNC_INDEX_DUE;
    free(v);
    return r;
}

int sync_index_build(struct store *st, char **err)
{
    if (sync_index_state(st) != SYNC_INDEX_DUE)
        return 0;
    sync_trace("index: building");
    if (search_resume(st, err) != 0)
        return -1;
    if (sync_meta_set(st, "search_suspended", NULL) != 0)
        return store_fail(st, err, _("saving the sync state"));
    sync_trace("index: built");
    return 0;
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
int sync_prepare_tables(struct store *st, const struct ledger_schema *ls, int full,
                        const char *instance, char **err)
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
    if (rc == 0 && instance && sync_meta_set(st, "central", instance) != 0)
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
    int rc = sync_prepare_tables(st, &ls, 0, NULL, err);
    ledger_schema_free(&ls);
    return rc;
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
    out->central = sync_meta_get(st, "central");
    out->last_attempt = sync_meta_get(st, "last_attempt");
    out->last_success = sync_meta_get(st, "last_success");
    out->last_error = sync_meta_get(st, "last_error");
    out->last_error_at = sync_meta_get(st, "last_error_at");
    out->offline_since = sync_meta_get(st, "offline_since");
    out->restore_detected = sync_meta_get(st, "restore_detected");
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
