/* Change requests: the workflow with separation of duties, ordered procedure steps,
 * config effects applied on done and restored on rollback, the service-hours window
 * warning, templates, and that a refusal writes nothing. Each test has its own store with
 * operators alice and bob, engineers carol and dave, and two hosts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "changes.h"
#include "cmdb.h"
#include "operators.h"
#include "store.h"
#include "timefmt.h"
#include "transcript.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

struct fixture {
    char dir[64];
    struct store *st;
};

static void as(struct store *st, const char *login)
{
    setenv("UNYO_USER", login, 1);
    st->operator_id[0] = 0;
}

static void add_host(struct store *st, const char *name)
{
    char id[ID_LEN + 1];
    id_new(id);
    char *sql = xasprintf("INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                          "VALUES('%s', '%s', 'x', 'x', 1, 'o')",
                          id, name);
    char *err = NULL;
    assert_int_equal(store_exec(st, sql, &err), 0);
    free(sql);
}

static long long count(struct store *st, const char *sql)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long long n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static char *text(struct store *st, const char *sql)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-chg-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = xasprintf("%s/unyo.db", f->dir);
    char *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db);
    /* the manager registers the others (only a manager adds operators) */
    setenv("UNYO_USER", "mgr", 1);
    assert_int_equal(operator_add(f->st, "mgr", "Manager", "manager", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "bob", "Bob", "operator", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "carol", "Carol", "engineer", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "dave", "Dave", "engineer", NULL, &err), 0);
    add_host(f->st, "lib-web01");
    add_host(f->st, "lib-ad01");
    as(f->st, "alice");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    char *cmd = xasprintf("rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

static const char *const steps3[] = {"停止する", "更新する", "確認する"};

static void file_change(struct store *st, const char *const *effects, size_t ne, char ref[24])
{
    struct change_new in = {0};
    in.dept = "情報システム担当";
    in.title = "nginx 更新";
    in.rollback = "旧版に戻す";
    in.steps = steps3;
    in.nsteps = 3;
    in.effects = effects;
    in.neffects = ne;
    char *err = NULL;
    if (change_create(st, &in, NULL, ref, &err) != 0)
        fail_msg("%s", err);
}

static void step_ok(struct store *st, const char *ref, const char *verb, const char *note)
{
    char *err = NULL;
    if (change_step(st, ref, verb, note, &err) != 0)
        fail_msg("%s %s: %s", verb, ref, err);
}

static void step_refused(struct store *st, const char *ref, const char *verb, const char *expect)
{
    long long ev = count(st, "SELECT count(*) FROM change_events");
    long long au = count(st, "SELECT count(*) FROM audit");
    char *err = NULL;
    assert_int_equal(change_step(st, ref, verb, "note", &err), -1);
    assert_non_null(err);
    if (expect && !strstr(err, expect))
        fail_msg("expected \"%s\" in \"%s\"", expect, err);
    free(err);
    assert_int_equal(count(st, "SELECT count(*) FROM change_events"), ev);
    assert_int_equal(count(st, "SELECT count(*) FROM audit"), au);
}

static char *status_of(struct store *st, const char *ref)
{
    struct change c;
    char *err = NULL;
    assert_int_equal(change_get(st, ref, 0, &c, &err), 0);
    char *s = xstrdup(c.status);
    change_clear(&c);
    return s;
}

static void assert_status(struct store *st, const char *ref, const char *want)
{
    char *s = status_of(st, ref);
    assert_string_equal(s, want);
    free(s);
}

/* Walks a change through approval by another person, returning it approved. */
static void to_approved(struct store *st, const char *ref)
{
    as(st, "alice");
    step_ok(st, ref, "plan", NULL);
    step_ok(st, ref, "submit", NULL);
    as(st, "carol");
    step_ok(st, ref, "approve", "OK");
    as(st, "alice");
}

static void do_all_steps(struct store *st, const char *ref, int n)
{
    char *err = NULL;
    for (int i = 1; i <= n; i++)
        if (change_do_step(st, ref, i, "出力", NULL, &err) != 0)
            fail_msg("step %d: %s", i, err);
}

static void test_full_workflow(void **state)
{
    struct fixture *f = *state;
    static const char *const eff[] = {"software:lib-web01:nginx 1.22.1",
                                      "account:lib-ad01:tanaka.m+"};
    char ref[24];
    file_change(f->st, eff, 2, ref);
    assert_status(f->st, ref, "draft");
    step_ok(f->st, ref, "plan", NULL);
    step_ok(f->st, ref, "submit", NULL);
    as(f->st, "carol");
    step_ok(f->st, ref, "return", "手順3が曖昧");
    assert_status(f->st, ref, "returned");
    as(f->st, "alice");
    step_ok(f->st, ref, "plan", NULL);
    step_ok(f->st, ref, "submit", NULL);
    as(f->st, "carol");
    step_ok(f->st, ref, "approve", NULL);
    as(f->st, "alice");
    step_ok(f->st, ref, "start", NULL);
    assert_int_equal(count(f->st, "SELECT count(*) FROM config_items"), 0);
    do_all_steps(f->st, ref, 3);
    step_ok(f->st, ref, "done", NULL);
    assert_status(f->st, ref, "done");

    struct change c;
    char *err = NULL;
    assert_int_equal(change_get(f->st, ref, 1, &c, &err), 0);
    assert_string_equal(c.approver, "carol");
    assert_int_equal(c.nsteps, 3);
    for (size_t i = 0; i < c.nsteps; i++) {
        assert_non_null(c.steps[i].done_at);
        assert_string_equal(c.steps[i].done_by, "alice");
    }
    /* draft planned in_review returned planned in_review approved in_progress 3 steps done */
    assert_int_equal(c.nevents, 12);
    assert_string_equal(c.events[c.nevents - 1].kind, "done");
    change_clear(&c);

    struct cmdb_item_row *rows;
    size_t n;
    assert_int_equal(cmdb_list(f->st, NULL, NULL, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].host, "lib-ad01");
    assert_string_equal(rows[0].name, "tanaka.m");
    assert_string_equal(rows[1].kind, "software");
    assert_string_equal(rows[1].name, "nginx");
    assert_string_equal(rows[1].version, "1.22.1");
    assert_string_equal(rows[1].change_ref, ref);
    assert_non_null(rows[1].applied_at);
    cmdb_item_rows_free(rows, n);
    /* Every transition is audited. */
    assert_true(count(f->st, "SELECT count(*) FROM audit WHERE kind = 'changes'") >= 12);
    /* Done is final. */
    step_refused(f->st, ref, "cancel", "already");
}

static void test_links(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    assert_int_equal(store_require_operator(f->st, &err), 0);
    char *sql = xasprintf(
        "INSERT INTO incidents(id, ref, channel, title, category, impact, urgency, priority, "
        "status, received_at, created_by, created_at, updated_at, hlc, origin) "
        "VALUES('01a00000-0000-7000-8000-000000000001', 'INC-20261120-0001', 'phone', "
        "'プロキシ遅延', 'network', 2, 2, 'P3', 'received', 'x', '%s', 'x', 'x', 1, 'o')",
        f->st->operator_id);
    assert_int_equal(store_exec(f->st, sql, &err), 0);
    free(sql);
    static const char *const links[] = {"incident:INC-20261120-0001"};
    static const char *const hosts[] = {"lib-web01"};
    struct change_new in = {0};
    in.dept = "情報システム担当";
    in.title = "プロキシ設定変更";
    in.target = "i-filter 除外ルール";
    in.links = links;
    in.nlinks = 1;
    in.hosts = hosts;
    in.nhosts = 1;
    char ref[24];
    if (change_create(f->st, &in, NULL, ref, &err) != 0)
        fail_msg("%s", err);
    struct change c;
    assert_int_equal(change_get(f->st, ref, 1, &c, &err), 0);
    assert_int_equal(c.nlinks, 2);
    assert_string_equal(c.links[0].kind, "host");
    assert_string_equal(c.links[0].label, "lib-web01");
    assert_string_equal(c.links[1].kind, "incident");
    assert_string_equal(c.links[1].label, "INC-20261120-0001");
    change_clear(&c);
    /* An unknown incident refuses the whole change. */
    static const char *const bad[] = {"incident:INC-19990101-0000"};
    in.links = bad;
    long long n = count(f->st, "SELECT count(*) FROM changes");
    assert_int_equal(change_create(f->st, &in, NULL, NULL, &err), -1);
    free(err);
    assert_int_equal(count(f->st, "SELECT count(*) FROM changes"), n);
}

static void test_requester_cannot_approve(void **state)
{
    struct fixture *f = *state;
    as(f->st, "dave"); /* an engineer files it */
    char ref[24];
    file_change(f->st, NULL, 0, ref);
    step_ok(f->st, ref, "plan", NULL);
    step_ok(f->st, ref, "submit", NULL);
    step_refused(f->st, ref, "approve", "the requester cannot approve their own change");
    step_refused(f->st, ref, "return", "the requester cannot return their own change");
    assert_status(f->st, ref, "in_review");
    as(f->st, "carol");
    step_ok(f->st, ref, "approve", NULL);
    assert_status(f->st, ref, "approved");
}

static void test_non_engineer_cannot_approve(void **state)
{
    struct fixture *f = *state;
    char ref[24];
    file_change(f->st, NULL, 0, ref);
    step_ok(f->st, ref, "plan", NULL);
    step_ok(f->st, ref, "submit", NULL);
    as(f->st, "bob");
    step_refused(f->st, ref, "approve", "engineer");
    assert_status(f->st, ref, "in_review");
}

static void test_out_of_order_refused(void **state)
{
    struct fixture *f = *state;
    char ref[24];
    file_change(f->st, NULL, 0, ref);
    step_refused(f->st, ref, "submit", "planned");
    step_refused(f->st, ref, "start", NULL);
    step_refused(f->st, ref, "done", NULL);
    step_refused(f->st, ref, "rollback", NULL);
    char *err = NULL;
    assert_int_equal(change_do_step(f->st, ref, 1, NULL, NULL, &err), -1);
    free(err);
    err = NULL;
    to_approved(f->st, ref);
    step_refused(f->st, ref, "approve", NULL);
    step_ok(f->st, ref, "start", NULL);
    long long before = count(f->st, "SELECT count(*) FROM change_events");
    /* Step 2 before 1; step 4 does not exist. */
    assert_int_equal(change_do_step(f->st, ref, 2, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "in order"));
    free(err);
    err = NULL;
    assert_int_equal(change_do_step(f->st, ref, 4, NULL, NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM change_steps WHERE done_at IS NOT NULL"),
                     0);
    assert_int_equal(count(f->st, "SELECT count(*) FROM change_events"), before);
    assert_int_equal(change_do_step(f->st, ref, 1, "ok", NULL, &err), 0);
    assert_int_equal(change_do_step(f->st, ref, 1, "again", NULL, &err), -1);
    free(err);
    err = NULL;
    /* Not all steps done: done refused. */
    step_refused(f->st, ref, "done", "not done");
    /* An unknown SSH session is refused. */
    assert_int_equal(change_do_step(f->st, ref, 2, NULL, "0000", &err), -1);
    free(err);
    /* Submit needs steps and a rollback plan. */
    struct change_new in = {0};
    in.dept = "総務";
    in.title = "手順なし";
    char ref2[24];
    err = NULL;
    assert_int_equal(change_create(f->st, &in, NULL, ref2, &err), 0);
    step_ok(f->st, ref2, "plan", NULL);
    step_refused(f->st, ref2, "submit", "procedure steps");
    assert_int_equal(change_add_step(f->st, ref2, "作業", &err), 0);
    step_refused(f->st, ref2, "submit", "rollback plan");
}

static void test_window_warning(void **state)
{
    (void)state;
    struct calendar *cal = calendar_new_default();
    int64_t a, b, secs = -1;
    /* Tuesday 10:00-12:00 JST: in service. */
    assert_int_equal(time_parse("2026-11-24 10:00", &a), 0);
    assert_int_equal(time_parse("2026-11-24 12:00", &b), 0);
    char *w = change_window_warning(cal, a, b, &secs);
    assert_non_null(w);
    assert_int_equal(secs, 7200);
    free(w);
    /* 01:00-05:00 JST: outside service hours. */
    assert_int_equal(time_parse("2026-11-25 01:00", &a), 0);
    assert_int_equal(time_parse("2026-11-25 05:00", &b), 0);
    assert_null(change_window_warning(cal, a, b, &secs));
    assert_int_equal(secs, 0);
    /* Sunday 17:00-19:00: half an hour of service (Sunday closes at 17:30). */
    assert_int_equal(time_parse("2026-11-29 17:00", &a), 0);
    assert_int_equal(time_parse("2026-11-29 19:00", &b), 0);
    w = change_window_warning(cal, a, b, &secs);
    assert_non_null(w);
    assert_int_equal(secs, 1800);
    free(w);
    calendar_free(cal);
}

static void test_rollback(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    /* In progress -> rolled back. */
    char ref1[24];
    file_change(f->st, NULL, 0, ref1);
    to_approved(f->st, ref1);
    step_ok(f->st, ref1, "start", NULL);
    assert_int_equal(change_do_step(f->st, ref1, 1, NULL, NULL, &err), 0);
    assert_int_equal(change_rollback(f->st, ref1, "起動しないため切り戻し", &err), 0);
    assert_status(f->st, ref1, "rolled_back");
    step_refused(f->st, ref1, "start", "already");

    /* nginx 1.20 installed by one change, 1.22.1 and a patch by the next. */
    static const char *const e1[] = {"software:lib-web01:nginx 1.20.2"};
    static const char *const e2[] = {"software:lib-web01:nginx 1.22.1", "patch:lib-web01:DSA-5550",
                                     "account:lib-ad01:old.user-"};
    char ref2[24], ref3[24];
    file_change(f->st, e1, 1, ref2);
    to_approved(f->st, ref2);
    step_ok(f->st, ref2, "start", NULL);
    do_all_steps(f->st, ref2, 3);
    step_ok(f->st, ref2, "done", NULL);
    file_change(f->st, e2, 3, ref3);
    to_approved(f->st, ref3);
    step_ok(f->st, ref3, "start", NULL);
    do_all_steps(f->st, ref3, 3);
    step_ok(f->st, ref3, "done", NULL);
    char *v = text(f->st, "SELECT version FROM config_items WHERE name = 'nginx' AND deleted = 0");
    assert_string_equal(v, "1.22.1");
    free(v);
    assert_int_equal(count(f->st, "SELECT count(*) FROM config_items WHERE kind = 'patch' AND "
                                  "deleted = 0"),
                     1);
    assert_int_equal(change_rollback(f->st, ref3, "性能劣化", &err), 0);
    v = text(f->st, "SELECT version FROM config_items WHERE name = 'nginx' AND deleted = 0");
    assert_string_equal(v, "1.20.2");
    free(v);
    assert_int_equal(count(f->st, "SELECT count(*) FROM config_items WHERE kind = 'patch' AND "
                                  "deleted = 0"),
                     0);
    assert_status(f->st, ref3, "rolled_back");
}

static void test_nothing_half_written(void **state)
{
    struct fixture *f = *state;
    static const char *tables[] = {"changes",        "change_steps", "change_events",
                                   "change_effects", "links",        "audit"};
    long long before[6];
    char *sql[6];
    for (int i = 0; i < 6; i++) {
        sql[i] = xasprintf("SELECT count(*) FROM %s", tables[i]);
        before[i] = count(f->st, sql[i]);
    }
    /* The last effect names an unknown host: the whole change is refused. */
    static const char *const eff[] = {"patch:lib-web01:KB1", "patch:no-such-host:KB2"};
    struct change_new in = {0};
    in.dept = "情報システム担当";
    in.title = "失敗する変更";
    in.steps = steps3;
    in.nsteps = 3;
    in.effects = eff;
    in.neffects = 2;
    static const char *const hosts[] = {"lib-web01"};
    in.hosts = hosts;
    in.nhosts = 1;
    char *err = NULL;
    assert_int_equal(change_create(f->st, &in, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "no-such-host"));
    free(err);
    err = NULL;
    /* A bad spec, a bad risk, half a window. */
    static const char *const bad[] = {"patch:lib-web01"};
    in.effects = bad;
    in.neffects = 1;
    assert_int_equal(change_create(f->st, &in, NULL, NULL, &err), -1);
    free(err);
    err = NULL;
    in.neffects = 0;
    in.risk = "extreme";
    assert_int_equal(change_create(f->st, &in, NULL, NULL, &err), -1);
    free(err);
    err = NULL;
    in.risk = NULL;
    in.window_start = 1;
    assert_int_equal(change_create(f->st, &in, NULL, NULL, &err), -1);
    free(err);
    err = NULL;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(count(f->st, sql[i]), before[i]);
        free(sql[i]);
    }
    /* Done refused when an effect cannot be applied? Effects are checked at filing, so a
     * refused done (steps missing) leaves config_items untouched. */
    static const char *const ok[] = {"patch:lib-web01:KB1"};
    char ref[24];
    file_change(f->st, ok, 1, ref);
    to_approved(f->st, ref);
    step_ok(f->st, ref, "start", NULL);
    step_refused(f->st, ref, "done", NULL);
    assert_int_equal(count(f->st, "SELECT count(*) FROM config_items"), 0);
}

static void test_effect_parse(void **state)
{
    (void)state;
    struct cmdb_effect e;
    char *err = NULL;
    assert_int_equal(cmdb_effect_parse("hardware:core-sw01:location=DC ラック A-02", &e, &err), 0);
    assert_string_equal(e.kind, "hardware");
    assert_string_equal(e.name, "core-sw01");
    assert_string_equal(e.location, "DC ラック A-02");
    cmdb_effect_clear(&e);
    assert_int_equal(cmdb_effect_parse("hardware:lib-bk01:LTO drive quantity=2", &e, &err), 0);
    assert_string_equal(e.name, "LTO drive");
    assert_int_equal(e.quantity, 2);
    cmdb_effect_clear(&e);
    assert_int_equal(cmdb_effect_parse("account:lib-ad01:tanaka.m-", &e, &err), 0);
    assert_int_equal(e.op, CMDB_REMOVE);
    assert_string_equal(e.name, "tanaka.m");
    cmdb_effect_clear(&e);
    assert_int_equal(cmdb_effect_parse("software:web:Apache Tomcat 9.0.83", &e, &err), 0);
    assert_string_equal(e.name, "Apache Tomcat");
    assert_string_equal(e.version, "9.0.83");
    cmdb_effect_clear(&e);
    assert_int_equal(cmdb_effect_parse("firmware:web:x", &e, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(cmdb_effect_parse("hardware:web:colour=red", &e, &err), -1);
    free(err);
}

static void test_template(void **state)
{
    struct fixture *f = *state;
    struct change_template t;
    char *err = NULL;
    char *path = xasprintf("%s/changes/patch-round.ini", UNYO_TEST_DATADIR);
    if (change_template_load(path, NULL, "2026-12", &t, &err) != 0)
        fail_msg("%s", err);
    free(path);
    assert_non_null(strstr(t.title, "2026-12"));
    assert_string_equal(t.code, "patch-round");
    assert_string_equal(t.risk, "medium");
    assert_true(t.nsteps >= 4);
    assert_non_null(t.rollback);
    struct change_new in = {0};
    in.dept = t.dept;
    in.title = t.title;
    in.rollback = t.rollback;
    in.risk = t.risk;
    in.steps = (const char *const *)t.steps;
    in.nsteps = t.nsteps;
    in.template_code = t.code;
    char ref[24];
    assert_int_equal(change_create(f->st, &in, NULL, ref, &err), 0);
    change_template_free(&t);
    char *code = text(f->st, "SELECT template_code FROM changes");
    assert_string_equal(code, "patch-round");
    free(code);
    /* A broken template names FILE:LINE. */
    char *bad = xasprintf("%s/bad.ini", f->dir);
    FILE *fp = fopen(bad, "w");
    fputs("[change]\ntitle = x\ndept = y\ncolour = red\n", fp);
    fclose(fp);
    assert_int_equal(change_template_load(bad, NULL, NULL, &t, &err), -1);
    char *want = xasprintf("%s:4:", bad);
    assert_non_null(strstr(err, want));
    free(want);
    free(err);
    err = NULL;
    assert_int_equal(change_template_load(NULL, "patch-round", "2026-13", &t, &err), -1);
    free(err);
    free(bad);
}

static void test_cancel(void **state)
{
    struct fixture *f = *state;
    char ref[24];
    file_change(f->st, NULL, 0, ref);
    to_approved(f->st, ref);
    step_ok(f->st, ref, "cancel", "延期");
    assert_status(f->st, ref, "cancelled");
    step_refused(f->st, ref, "plan", "already");
    struct change *rows;
    size_t n;
    char *err = NULL;
    assert_int_equal(change_list(f->st, "cancelled", &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    change_list_free(rows, n);
    assert_int_equal(change_list(f->st, "bogus", &rows, &n, &err), -1);
    free(err);
}

/* The console's ": link change REF" (and `unyo change link`): the session shows among
 * the change's links, with an audit row; an unknown change or session writes nothing. */
static void test_link_session(void **state)
{
    struct fixture *f = *state;
    char ref[24];
    file_change(f->st, NULL, 0, ref);
    char *err = NULL;
    char sid[ID_LEN + 1];
    assert_int_equal(session_begin(f->st, NULL, "lib-web01", 80, 24, sid, &err), 0);
    long long links = count(f->st, "SELECT count(*) FROM links");
    long long au = count(f->st, "SELECT count(*) FROM audit");
    assert_int_equal(change_link_session(f->st, "CHG-19990101-0000", sid, &err), -1);
    assert_non_null(strstr(err, "no change CHG-19990101-0000"));
    free(err);
    err = NULL;
    assert_int_equal(change_link_session(f->st, ref, "01a00000-0000-7000-8000-00000000dead", &err),
                     -1);
    assert_non_null(strstr(err, "no SSH session 01a00000-0000-7000-8000-00000000dead"));
    free(err);
    err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM links"), links);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit"), au);

    if (change_link_session(f->st, ref, sid, &err) != 0)
        fail_msg("%s", err);
    struct change c;
    assert_int_equal(change_get(f->st, ref, 1, &c, &err), 0);
    assert_int_equal(c.nlinks, 1);
    assert_string_equal(c.links[0].kind, "ssh_session");
    assert_string_equal(c.links[0].id, sid);
    change_clear(&c);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'change.link'"), 1);
}

/* Target hosts and links after filing: hosts only while the plan may change, an
 * unknown host or target refused, a duplicate refused, each write with its event and
 * audit row; links to another change by a bare ref. */
static void test_hosts_and_links(void **state)
{
    struct fixture *f = *state;
    char ref[24], other[24];
    file_change(f->st, NULL, 0, ref);
    file_change(f->st, NULL, 0, other);
    char *err = NULL;
    if (change_set_host(f->st, ref, "lib-web01", 1, &err) != 0 ||
        change_set_host(f->st, ref, "lib-ad01", 1, &err) != 0)
        fail_msg("%s", err);
    long long links = count(f->st, "SELECT count(*) FROM links WHERE deleted = 0");
    long long au = count(f->st, "SELECT count(*) FROM audit");
    assert_int_equal(change_set_host(f->st, ref, "lib-web01", 1, &err), -1);
    assert_non_null(strstr(err, "already"));
    free(err), err = NULL;
    assert_int_equal(change_set_host(f->st, ref, "no-such-host", 1, &err), -1);
    assert_non_null(strstr(err, "unknown host no-such-host"));
    free(err), err = NULL;
    assert_int_equal(change_add_link(f->st, ref, "incident:INC-19990101-0000", &err), -1);
    assert_non_null(strstr(err, "INC-19990101-0000"));
    free(err), err = NULL;
    assert_int_equal(change_add_link(f->st, ref, ref, &err), -1); /* itself */
    free(err), err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM links WHERE deleted = 0"), links);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit"), au);

    if (change_add_link(f->st, ref, other, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(change_add_link(f->st, ref, other, &err), -1);
    assert_non_null(strstr(err, "already"));
    free(err), err = NULL;
    if (change_set_host(f->st, ref, "lib-ad01", 0, &err) != 0)
        fail_msg("%s", err);
    struct change c;
    assert_int_equal(change_get(f->st, ref, 1, &c, &err), 0);
    assert_int_equal(c.nlinks, 2);
    assert_string_equal(c.links[0].kind, "host");
    assert_string_equal(c.links[0].label, "lib-web01");
    assert_string_equal(c.links[1].kind, "change");
    assert_string_equal(c.links[1].label, other);
    change_clear(&c);
    assert_int_equal(count(f->st, "SELECT count(*) FROM change_events WHERE kind IN ('host_added', "
                                  "'host_removed', 'link_added')"),
                     4);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action IN ('change.add_host', "
                                  "'change.remove_host', 'change.link')"),
                     4);
    /* an effect and a link removed: tombstoned, with their events; a second removal refused */
    if (change_add_effect(f->st, ref, "patch:lib-web01:KB1", &err) != 0 ||
        change_add_effect(f->st, ref, "patch:lib-web01:KB2", &err) != 0)
        fail_msg("%s", err);
    if (change_remove_effect(f->st, ref, 1, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(change_remove_effect(f->st, ref, 1, &err), -1);
    assert_non_null(strstr(err, "no config effect 1"));
    free(err), err = NULL;
    struct cmdb_effect_row *eff;
    size_t ne;
    char *q = xasprintf("SELECT id FROM changes WHERE ref = '%s'", ref);
    char *cid = text(f->st, q);
    free(q);
    assert_int_equal(cmdb_effects_of(f->st, cid, &eff, &ne, &err), 0);
    free(cid);
    assert_int_equal(ne, 1);
    assert_string_equal(eff[0].spec, "patch:lib-web01:KB2");
    cmdb_effect_rows_free(eff, ne);
    char *target = xasprintf("change:%s", other);
    if (change_remove_link(f->st, ref, target, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(change_remove_link(f->st, ref, target, &err), -1);
    assert_non_null(strstr(err, "not linked"));
    free(err), err = NULL;
    free(target);
    assert_int_equal(count(f->st, "SELECT count(*) FROM change_events WHERE kind IN "
                                  "('effect_removed', 'link_removed')"),
                     2);
    /* in progress, the hosts are fixed; links may still be added */
    to_approved(f->st, ref);
    step_ok(f->st, ref, "start", NULL);
    assert_int_equal(change_set_host(f->st, ref, "lib-ad01", 1, &err), -1);
    assert_non_null(err);
    free(err), err = NULL;
}

/* A step's evidence from a recorded session on a target host: the candidates list
 * the linked session first, the step keeps the chosen lines with no escape sequence
 * and the session's id. */
static void test_step_evidence(void **state)
{
    struct fixture *f = *state;
    char ref[24];
    file_change(f->st, NULL, 0, ref);
    char *err = NULL;
    if (change_set_host(f->st, ref, "lib-web01", 1, &err) != 0)
        fail_msg("%s", err);
    char hid[ID_LEN + 1];
    char *h = text(f->st, "SELECT id FROM hosts WHERE name = 'lib-web01'");
    snprintf(hid, sizeof hid, "%s", h);
    free(h);
    char s1[ID_LEN + 1], s2[ID_LEN + 1];
    const char *out = "$ nginx -v\r\n\x1b[1mnginx version: nginx/1.22.1\x1b[0m\r\n$ ";
    for (int k = 0; k < 2; k++) {
        char *sid = k ? s2 : s1;
        assert_int_equal(session_begin(f->st, hid, "lib-web01", 80, 24, sid, &err), 0);
        struct transcript *tr = transcript_new(80, 24, 0, NULL, 0);
        transcript_output(tr, 100, out, strlen(out));
        assert_int_equal(session_end(f->st, sid, tr, 0, "exit", &err), 0);
        transcript_free(tr);
    }
    if (change_link_session(f->st, ref, s1, &err) != 0)
        fail_msg("%s", err);
    struct change_session *rows;
    size_t n;
    assert_int_equal(change_session_candidates(f->st, ref, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].id, s1);
    assert_true(rows[0].linked);
    assert_string_equal(rows[1].id, s2);
    assert_false(rows[1].linked);
    change_sessions_free(rows, n);

    to_approved(f->st, ref);
    step_ok(f->st, ref, "start", NULL);
    assert_int_equal(change_do_step_evidence(f->st, ref, 1, s2, 2, 9, &err), -1);
    assert_non_null(strstr(err, "1 to 3"));
    free(err), err = NULL;
    if (change_do_step_evidence(f->st, ref, 1, s2, 2, 2, &err) != 0)
        fail_msg("%s", err);
    if (change_do_step_evidence(f->st, ref, 2, s1, 0, 0, &err) != 0)
        fail_msg("%s", err);
    struct change c;
    assert_int_equal(change_get(f->st, ref, 1, &c, &err), 0);
    assert_string_equal(c.steps[0].output, "nginx version: nginx/1.22.1");
    assert_string_equal(c.steps[0].session_id, s2);
    assert_string_equal(c.steps[1].output, "$ nginx -v\nnginx version: nginx/1.22.1\n$");
    assert_string_equal(c.steps[1].session_id, s1);
    assert_null(strchr(c.steps[1].output, '\x1b'));
    change_clear(&c);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requester_cannot_approve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_engineer_cannot_approve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_refused, setup, teardown),
        cmocka_unit_test(test_window_warning),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_half_written, setup, teardown),
        cmocka_unit_test(test_effect_parse),
        cmocka_unit_test_setup_teardown(test_template, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hosts_and_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_evidence, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
