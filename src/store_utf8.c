/* The one-off repair of a store's text to valid UTF-8 (issue 11), run by
 * store_open (declared in store.h). Kept apart from utf8.c, which is text
 * only, so that the store and the UTF-8 checks do not include each other. */
#include "store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

static void sql_ok(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
        sqlite3_result_int(ctx, 1);
        return;
    }
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    sqlite3_result_int(ctx, utf8_storable(v, (size_t)sqlite3_value_bytes(argv[0])));
}

static void sql_repair(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    struct strbuf sb = STRBUF_INIT;
    utf8_repair_add(&sb, v, (size_t)n);
    sqlite3_result_text(ctx, sb.buf ? sb.buf : "", (int)sb.len, SQLITE_TRANSIENT);
    sb_free(&sb);
}

/* A trigger that refuses UPDATE (append-only tables): name and SQL. */
struct refuser {
    char *name, *sql;
};

static int repair_table(struct store *st, const char *table, long long *fixed, char **err)
{
    /* Columns, and whether any value needs work at all (most tables: no). */
    char *q = xasprintf("PRAGMA table_info(\"%s\")", table);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK) {
        free(q);
        return store_fail(st, err, table);
    }
    free(q);
    char **cols = NULL;
    int ncols = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        cols = xrealloc(cols, ((size_t)ncols + 1) * sizeof *cols);
        cols[ncols++] = xstrdup((const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_finalize(s);
    if (step < 0) {
        for (int i = 0; i < ncols; i++)
            free(cols[i]);
        free(cols);
        return -1;
    }
    int rc = 0;
    struct strbuf where = STRBUF_INIT, set = STRBUF_INIT;
    for (int i = 0; i < ncols; i++) {
        sb_printf(&where, "%sNOT unyo_utf8_ok(\"%s\")", i ? " OR " : "", cols[i]);
        sb_printf(&set, "%s\"%s\" = unyo_utf8_repair(\"%s\")", i ? ", " : "", cols[i], cols[i]);
    }
    struct refuser *ref = NULL;
    int nref = 0;
    char **ids = NULL;
    size_t nids = 0;
    if (ncols == 0)
        goto out;
    /* The rows to repair (ids), before anything is changed. */
    q = xasprintf("SELECT id FROM \"%s\" WHERE %s", table, where.buf);
    if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK) {
        /* A table without an id column: repair without re-queueing. */
        sqlite3_finalize(s);
        s = NULL;
    }
    free(q);
    while (s && (step = store_next_row(s, err)) == 1) {
        ids = xrealloc(ids, (nids + 1) * sizeof *ids);
        ids[nids++] =
            xstrdup(sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
    }
    if (s) {
        sqlite3_finalize(s);
        s = NULL;
    }
    if (step < 0) {
        rc = -1; /* a repair that could not list its rows would not re-queue them */
        goto out;
    }
    int any = nids > 0;
    if (!s) {
        q = xasprintf("SELECT 1 FROM \"%s\" WHERE %s LIMIT 1", table, where.buf);
        if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) == SQLITE_OK)
            any = sqlite3_step(s) == SQLITE_ROW;
        free(q);
    }
    sqlite3_finalize(s);
    if (!any)
        goto out;

    /* Rows sync had set aside go back to the outbox first (their original
     * base), ahead of the entry the update trigger adds. */
    sqlite3_stmt *back = NULL, *drop = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO local_sync_outbox(tbl, row_id, base_hlc, base_origin) "
                           "SELECT tbl, row_id, base_hlc, base_origin FROM local_sync_setaside "
                           "WHERE tbl = ?1 AND row_id = ?2 ORDER BY seq",
                           -1, &back, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(st->db, "DELETE FROM local_sync_setaside WHERE tbl = ?1 AND row_id = ?2",
                           -1, &drop, NULL) == SQLITE_OK) {
        for (size_t i = 0; rc == 0 && i < nids; i++) {
            sqlite3_stmt *two[2] = {back, drop};
            for (int k = 0; rc == 0 && k < 2; k++) {
                sqlite3_reset(two[k]);
                sqlite3_bind_text(two[k], 1, table, -1, SQLITE_STATIC);
                sqlite3_bind_text(two[k], 2, ids[i], -1, SQLITE_STATIC);
                if (sqlite3_step(two[k]) != SQLITE_DONE)
                    rc = store_fail(st, err, table);
            }
        }
    }
    sqlite3_finalize(back);
    sqlite3_finalize(drop);
    if (rc != 0)
        goto out;

    /* Append-only: lift the refusal for this one statement. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                           "tbl_name = ?1 AND upper(sql) LIKE '%BEFORE UPDATE%' AND "
                           "upper(sql) LIKE '%RAISE(%'",
                           -1, &s, NULL) != SQLITE_OK) {
        rc = store_fail(st, err, table);
        goto out;
    }
    sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
    while ((step = store_next_row(s, err)) == 1) {
        ref = xrealloc(ref, ((size_t)nref + 1) * sizeof *ref);
        ref[nref].name = xstrdup((const char *)sqlite3_column_text(s, 0));
        ref[nref].sql = xstrdup((const char *)sqlite3_column_text(s, 1));
        nref++;
    }
    sqlite3_finalize(s);
    if (step < 0)
        rc = -1;
    for (int i = 0; rc == 0 && i < nref; i++) {
        q = xasprintf("DROP TRIGGER \"%s\"", ref[i].name);
        rc = store_exec(st, q, err);
        free(q);
    }
    if (rc == 0) {
        q = xasprintf("UPDATE \"%s\" SET %s WHERE %s", table, set.buf, where.buf);
        rc = store_exec(st, q, err);
        free(q);
        if (rc == 0 && fixed)
            *fixed += sqlite3_changes(st->db);
    }
    for (int i = 0; rc == 0 && i < nref; i++)
        rc = store_exec(st, ref[i].sql, err);
out:
    for (int i = 0; i < nref; i++) {
        free(ref[i].name);
        free(ref[i].sql);
    }
    free(ref);
    for (size_t i = 0; i < nids; i++)
        free(ids[i]);
    free(ids);
    for (int i = 0; i < ncols; i++)
        free(cols[i]);
    free(cols);
    sb_free(&where);
    sb_free(&set);
    return rc;
}

int store_repair_utf8(struct store *st, long long *fixed, char **err)
{
    if (fixed)
        *fixed = 0;
    char *flag = store_meta_get(st, "utf8_repair");
    int pending = flag && streq(flag, "pending");
    free(flag);
    if (!pending)
        return 0;
    sqlite3_create_function(st->db, "unyo_utf8_ok", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_ok, NULL, NULL);
    sqlite3_create_function(st->db, "unyo_utf8_repair", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_repair, NULL, NULL);
    if (store_begin(st, err) != 0)
        return -1;
    char **tables = store_ledger_tables(st, err);
    if (!tables) {
        store_rollback(st);
        return -1;
    }
    int rc = 0;
    for (char **t = tables; rc == 0 && *t; t++)
        rc = repair_table(st, *t, fixed, err);
    store_free_names(tables);
    if (rc == 0 && store_exec(st, "DELETE FROM local_meta WHERE key = 'utf8_repair'", err) != 0)
        rc = -1;
    if (rc == 0)
        return store_commit(st, err);
    store_rollback(st);
    return -1;
}
