/* Sync conflicts as work items (src/sync_conflicts.c): sync.conflict audit rows
 * planted with the writer sync_push.c and sync_pull.c use, listed with both
 * values, who and when, and resolved with keep and reapply. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "id.h"
#include "store.h"
#include "sync_conflicts.h"
#include "util.h"

#include "support/ledger_fixture.h"

static char *one(struct store *st, const char *sql, const char *arg)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

static void exec(struct store *st, const char *sql)
{
    char *e = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &e) != SQLITE_OK)
        fail_msg("%s: %s", sql, e);
}

/* The id of the newest sync.conflict audit row. */
static char *newest_conflict(struct store *st)
{
    return one(st,
               "SELECT id FROM audit WHERE action = 'sync.conflict' AND origin <> "
               "'other-console' ORDER BY id DESC LIMIT 1",
               NULL);
}

/* A concurrent edit of the incident's title: this console's edit (by yamada)
 * lost to sato's on another console, as a pull records it. */
static char *plant_title_conflict(struct ledger_fx *f, const char *id)
{
    char *err = NULL;
    /* this console's edit, audited as edits are */
    exec(f->st, "UPDATE incidents SET title = '自分の件名' WHERE deleted = 0");
    assert_int_equal(store_audit(f->st, "incident.edit", "incidents", id, NULL, &err), 0);
    char *lhlc =
        one(f->st, "SELECT hlc FROM audit WHERE action = 'incident.edit' AND row_id = ?1", id);
    char *local =
        one(f->st,
            "SELECT json_object('id', id, 'ref', ref, 'title', title, 'status', status, 'hlc', "
            "hlc, 'origin', origin, 'updated_at', updated_at) FROM incidents WHERE id = ?1",
            id);
    /* the other console's edit: sato, 5 minutes later, with a later clock */
    char *central = one(f->st,
                        "SELECT json_object('id', id, 'ref', ref, 'title', '佐藤の件名', 'status', "
                        "status, 'hlc', hlc + 1000, 'origin', 'other-console', 'updated_at', "
                        "'2026-11-24T01:05:00.000Z') FROM incidents WHERE id = ?1",
                        id);
    char *chlc = one(f->st, "SELECT hlc + 1000 FROM incidents WHERE id = ?1", id);
    char *sql = xasprintf(
        "INSERT INTO audit(id, at, operator_id, action, kind, row_id, detail, hlc, origin) "
        "VALUES('00000000-0000-7000-8000-%012d', '2026-11-24T01:05:00.000Z', (SELECT id FROM "
        "operators WHERE login = 'sato'), 'incident.edit', 'incidents', '%s', NULL, %s, "
        "'other-console')",
        rand() % 1000000, id, chlc);
    exec(f->st, sql);
    free(sql);
    char *origin = one(f->st, "SELECT origin FROM incidents WHERE id = ?1", id);
    char *d =
        sync_conflict_edit_detail("central", chlc, "other-console", central, lhlc, origin, local);
    /* the pull applies the winner, then records the conflict */
    exec(f->st, "UPDATE incidents SET title = '佐藤の件名' WHERE deleted = 0");
    assert_int_equal(store_audit(f->st, "sync.conflict", "incidents", id, d, &err), 0);
    free(d), free(origin), free(chlc), free(central), free(local), free(lhlc);
    return newest_conflict(f->st);
}

static void test_concurrent_edit_listed_and_reapplied(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24], *err = NULL;
    fx_incident(f, "元の件名", NULL, ref);
    char *id = one(f->st, "SELECT id FROM incidents WHERE ref = ?1", ref);
    long open = -1;
    assert_int_equal(sync_conflicts_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 0);
    char *cid = plant_title_conflict(f, id);

    struct sync_conflict *v = NULL;
    size_t n = 0;
    assert_int_equal(sync_conflicts_list(f->st, 1, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, cid);
    assert_string_equal(v[0].table, "incidents");
    assert_string_equal(v[0].record, ref); /* the reference, not the id */
    assert_int_equal(v[0].nfields, 1);
    assert_string_equal(v[0].fields[0].column, "title");
    assert_string_equal(v[0].fields[0].lost, "自分の件名");
    assert_string_equal(v[0].fields[0].won, "佐藤の件名");
    assert_string_equal(v[0].lost_by, "山田 花子");
    assert_string_equal(v[0].won_by, "佐藤 健");
    assert_string_equal(v[0].won_at, "2026-11-24T01:05:00.000Z");
    assert_non_null(v[0].lost_at);
    assert_int_equal(v[0].local_won, 0);
    assert_int_equal(v[0].exists, 1);
    assert_null(v[0].resolution);
    sync_conflicts_free(v, n);
    assert_int_equal(sync_conflicts_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 1);

    /* reapply by a prefix: a new edit of this console */
    char prefix[30];
    snprintf(prefix, sizeof prefix, "%.29s", cid);
    struct sync_conflict *c = NULL;
    assert_int_equal(sync_conflict_reapply(f->st, prefix, &c, &err), 0);
    assert_string_equal(c->fields[0].lost_text, "自分の件名");
    sync_conflicts_free(c, 1);
    char *t = one(f->st, "SELECT title FROM incidents WHERE id = ?1", id);
    assert_string_equal(t, "自分の件名");
    free(t);
    t = one(f->st,
            "SELECT origin = (SELECT value FROM local_meta WHERE key = 'origin') FROM "
            "incidents WHERE id = ?1",
            id);
    assert_string_equal(t, "1");
    free(t);
    /* a clock past the winner's, so it wins everywhere once sent */
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM incidents i WHERE i.hlc > (SELECT "
                                     "max(hlc) FROM audit WHERE origin = 'other-console')"),
                     1);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE action = "
                                     "'sync.conflict.reapply'"),
                     1);
    assert_int_equal(sync_conflicts_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 0);
    assert_int_equal(sync_conflicts_list(f->st, 0, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].resolution, "reapply");
    assert_string_equal(v[0].resolved_by, "山田 花子");
    sync_conflicts_free(v, n);

    /* resolved: both refuse, nothing written */
    int audits = fx_count(f->st, "SELECT count(*) FROM audit");
    fx_expect_fail(sync_conflict_reapply(f->st, cid, NULL, &err), &err, "already resolved");
    fx_expect_fail(sync_conflict_keep(f->st, cid, NULL, &err), &err, "already resolved");
    fx_expect_fail(sync_conflict_keep(f->st, "ffffffff", NULL, &err), &err, "no conflict");
    fx_expect_fail(sync_conflict_keep(f->st, "", NULL, &err), &err, "conflict");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit"), audits);
    free(cid);
    free(id);
}

static void test_keep_unique_and_gone(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    char *host = one(f->st, "SELECT id FROM hosts WHERE name = 'lib-ap01'", NULL);
    /* the rename a pull makes: this host had the name another console's host got */
    exec(f->st, "UPDATE hosts SET name = 'lib-ap01~abcdef01' WHERE name = 'lib-ap01'");
    char *d = sync_conflict_unique_detail(
        "name", "lib-ap01", "00000000-0000-7000-8000-0000000000aa", host, "lib-ap01~abcdef01");
    assert_int_equal(store_audit(f->st, "sync.conflict", "hosts", host, d, &err), 0);
    /* two consoles recorded the same rename: one work item */
    char *sql = xasprintf("INSERT INTO audit(id, at, action, kind, row_id, detail, hlc, origin) "
                          "VALUES('ffffffff-0000-7000-8000-000000000001', "
                          "'2026-11-24T01:00:00.000Z', 'sync.conflict', 'hosts', '%s', '%s', 1, "
                          "'other-console')",
                          host, d);
    exec(f->st, sql);
    free(sql);
    free(d);
    char *cid = newest_conflict(f->st);
    assert_string_not_equal(cid, "ffffffff-0000-7000-8000-000000000001");
    struct sync_conflict *v = NULL;
    size_t n = 0;
    assert_int_equal(sync_conflicts_list(f->st, 1, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].unique, 1);
    assert_string_equal(v[0].record, "lib-ap01~abcdef01");
    assert_string_equal(v[0].fields[0].lost, "lib-ap01");
    sync_conflicts_free(v, n);

    /* keep: the name stays, the conflict is closed */
    struct sync_conflict *c = NULL;
    assert_int_equal(sync_conflict_keep(f->st, cid, &c, &err), 0);
    sync_conflicts_free(c, 1);
    char *name = one(f->st, "SELECT name FROM hosts WHERE id = ?1", host);
    assert_string_equal(name, "lib-ap01~abcdef01");
    free(name);
    assert_int_equal(
        fx_count(f->st, "SELECT count(*) FROM audit WHERE action = 'sync.conflict.keep'"), 1);
    long open = -1;
    assert_int_equal(sync_conflicts_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 0);
    free(cid);

    /* a conflict on a record deleted since: refused, nothing written */
    char ref[24];
    fx_incident(f, "消える件名", NULL, ref);
    char *id = one(f->st, "SELECT id FROM incidents WHERE ref = ?1", ref);
    cid = plant_title_conflict(f, id);
    exec(f->st, "UPDATE incidents SET deleted = 1");
    int audits = fx_count(f->st, "SELECT count(*) FROM audit");
    fx_expect_fail(sync_conflict_reapply(f->st, cid, NULL, &err), &err, "no longer exists");
    fx_expect_fail(sync_conflict_keep(f->st, cid, NULL, &err), &err, "no longer exists");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit"), audits);

    /* a prefix two conflicts share */
    fx_expect_fail(sync_conflict_keep(f->st, "0", NULL, &err), &err, "several");
    free(cid);
    free(id);
    free(host);
}

static void test_reapply_refused_while_the_name_is_taken(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    char *host = one(f->st, "SELECT id FROM hosts WHERE name = 'lib-ap01'", NULL);
    char hid[ID_LEN + 1];
    id_new(hid);
    char *sql = xasprintf("INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                          "SELECT '%s', 'lib-ap01', created_at, updated_at, hlc, origin FROM "
                          "hosts WHERE id = '%s'",
                          hid, host);
    exec(f->st, "UPDATE hosts SET name = 'lib-ap01~abcdef01' WHERE name = 'lib-ap01'");
    exec(f->st, sql);
    free(sql);
    char *d = sync_conflict_unique_detail("name", "lib-ap01", hid, host, "lib-ap01~abcdef01");
    assert_int_equal(store_audit(f->st, "sync.conflict", "hosts", host, d, &err), 0);
    free(d);
    char *cid = newest_conflict(f->st);
    int audits = fx_count(f->st, "SELECT count(*) FROM audit");
    fx_expect_fail(sync_conflict_reapply(f->st, cid, NULL, &err), &err, "another record");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit"), audits);
    free(cid);
    free(host);
}

/* A status lost to another console's step: reapply would skip the workflow. */
static void test_reapply_refuses_a_status(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24], *err = NULL;
    fx_incident(f, "状態の競合", NULL, ref);
    char *id = one(f->st, "SELECT id FROM incidents WHERE ref = ?1", ref);
    char *local = one(f->st,
                      "SELECT json_object('id', id, 'ref', ref, 'status', 'isolated', 'hlc', hlc, "
                      "'origin', origin) FROM incidents WHERE id = ?1",
                      id);
    char *central = one(f->st,
                        "SELECT json_object('id', id, 'ref', ref, 'status', status, 'hlc', hlc + "
                        "1, 'origin', 'other-console') FROM incidents WHERE id = ?1",
                        id);
    char *d = sync_conflict_edit_detail("central", "2", "other-console", central, "1", "x", local);
    assert_int_equal(store_audit(f->st, "sync.conflict", "incidents", id, d, &err), 0);
    char *cid = newest_conflict(f->st);
    char *before = one(f->st, "SELECT status FROM incidents WHERE id = ?1", id);
    int audits = fx_count(f->st, "SELECT count(*) FROM audit");
    fx_expect_fail(sync_conflict_reapply(f->st, cid, NULL, &err), &err, "workflow");
    char *after = one(f->st, "SELECT status FROM incidents WHERE id = ?1", id);
    assert_string_equal(before, after);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit"), audits);
    struct sync_conflict *c = NULL;
    assert_int_equal(sync_conflict_keep(f->st, cid, &c, &err), 0);
    sync_conflicts_free(c, 1);
    free(before), free(after), free(cid), free(d), free(central), free(local), free(id);
}

static void test_labels_in_japanese(void **state)
{
    (void)state;
    if (access(UNYO_LOCALEDIR "/ja/LC_MESSAGES/unyo.mo", R_OK) != 0)
        skip();
    setenv("LC_ALL", "C.UTF-8", 1);
    i18n_init("ja");
    assert_string_equal(sync_conflict_table_label("incidents"), "インシデント");
    assert_string_equal(sync_conflict_field_label("title"), "件名");
    setenv("LC_ALL", "C", 1);
    i18n_init("en");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_concurrent_edit_listed_and_reapplied, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_keep_unique_and_gone, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reapply_refused_while_the_name_is_taken, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_reapply_refuses_a_status, fx_setup, fx_teardown),
        cmocka_unit_test(test_labels_in_japanese),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
