/* Shift handover: the summary carries open incidents, NG / undone checks, pending jobs,
 * changes in progress, carried to-dos and the note; the signer cannot acknowledge, the
 * next operator can, once. The store is created on Monday 2026-11-02 14:00 JST. */
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
#include "checklist.h"
#include "handover.h"
#include "operators.h"
#include "seed_data.h"
#include "shifts.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

#define TODAY "2026-11-02"

struct fixture {
    char dir[64];
    struct store *st;
    struct calendar *cal;
};

static void act_as(struct fixture *f, const char *login)
{
    setenv("UNYO_USER", login, 1);
    f->st->operator_id[0] = 0; /* the store remembers the operator once resolved */
}

static void exec(struct store *st, const char *sql)
{
    char *err = NULL;
    if (store_exec(st, sql, &err) != 0)
        fail_msg("%s: %s", sql, err);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-hand-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = xasprintf("%s/unyo.db", f->dir);
    char *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db);
    struct template_set set = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &set, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(seed_install_templates(f->st, &set, &err), 0);
    templates_free(&set);
    /* the manager registers the others (only a manager adds operators) */
    act_as(f, "mgr");
    char alice[ID_LEN + 1];
    assert_int_equal(operator_add(f->st, "mgr", "Manager", "manager", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", alice, &err), 0);
    assert_int_equal(operator_add(f->st, "bob", "Bob", "operator", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "carol", "Carol", "operator", NULL, &err), 0);
    act_as(f, "alice");
    f->cal = calendar_new_default();

    /* One open and one closed incident, a failed job run today, a change in progress. */
    char *sql = xasprintf(
        "INSERT INTO incidents(id, ref, channel, title, category, impact, urgency, priority, "
        "status, received_at, created_by, created_at, updated_at, hlc, origin) VALUES "
        "('i1', 'INC-0001', 'phone', 'OPAC search down at 東図書館', 'server', 1, 1, 'P1', "
        "'in_progress', '2026-11-02T00:00:00.000Z', '%s', 'x', 'x', 1, 'o'), "
        "('i2', 'INC-0002', 'phone', 'Printer jam fixed', 'hardware', 3, 3, 'P4', 'closed', "
        "'2026-11-01T00:00:00.000Z', '%s', 'x', 'x', 1, 'o')",
        alice, alice);
    exec(f->st, sql);
    free(sql);
    exec(f->st, "INSERT INTO jobs(id, code, name_ja, name_en, periods, created_at, updated_at, "
                "hlc, origin) VALUES('j1', 'J071', '予約資料一覧', 'Reservation stock list', 2, "
                "'x', 'x', 1, 'o'), ('j2', 'J072', '一時利用者削除', 'Temporary user deletion', "
                "2, 'x', 'x', 1, 'o')");
    exec(f->st, "INSERT INTO job_runs(id, job_id, due_day, state, created_at, updated_at, hlc, "
                "origin) VALUES('r1', 'j1', '" TODAY "', 'failed', 'x', 'x', 1, 'o'), "
                "('r2', 'j2', '" TODAY "', 'done', 'x', 'x', 1, 'o')");
    sql = xasprintf("INSERT INTO changes(id, ref, title, requester_dept, status, created_by, "
                    "created_at, updated_at, hlc, origin) VALUES('c1', 'CHG-0007', "
                    "'Proxy rule for the new branch', 'IT', 'in_progress', '%s', 'x', 'x', 1, "
                    "'o'), ('c2', 'CHG-0008', 'Old request', 'IT', 'done', '%s', 'x', 'x', 1, "
                    "'o')",
                    alice, alice);
    exec(f->st, sql);
    free(sql);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    calendar_free(f->cal);
    store_close(f->st);
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

static void test_summary_content(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    struct checklist_mark m = {"ok", "31", "air conditioner stopped", NULL, NULL};
    if (checklist_mark(f->st, f->cal, TODAY, "L032", &m, NULL, &err) != 0)
        fail_msg("%s", err);
    struct handover_summary s;
    assert_int_equal(handover_build(f->st, f->cal, time_now_ms(), &s, &err), 0);
    assert_string_equal(s.day, TODAY);
    assert_int_equal(s.n_incidents, 1);
    assert_string_equal(s.incidents[0].ref, "INC-0001");
    /* Received 09:00 JST, now 14:00 JST on a service day from 07:00: 5 h of service. */
    assert_true(s.incidents[0].age_service_seconds >= 5 * 3600 &&
                s.incidents[0].age_service_seconds < 5 * 3600 + 60);
    assert_false(s.incidents[0].has_sla_left);
    int found_ng = 0;
    for (size_t i = 0; i < s.n_checks; i++)
        if (streq(s.checks[i].code, "L032")) {
            found_ng = 1;
            assert_string_equal(s.checks[i].status, "ng");
            assert_non_null(strstr(s.checks[i].value, "31"));
        }
    assert_true(found_ng);
    assert_int_equal(s.n_jobs, 1);
    assert_string_equal(s.jobs[0].state, "failed");
    assert_int_equal(s.n_changes, 1);
    assert_string_equal(s.changes[0].ref, "CHG-0007");
    char *md = handover_markdown(&s, "Watch the backup tonight");
    assert_non_null(strstr(md, "INC-0001"));
    assert_non_null(strstr(md, "OPAC search down"));
    assert_null(strstr(md, "INC-0002"));
    assert_non_null(strstr(md, "L032"));
    assert_non_null(strstr(md, "air conditioner stopped"));
    assert_non_null(strstr(md, "J071"));
    assert_non_null(strstr(md, "CHG-0007"));
    assert_non_null(strstr(md, "Watch the backup tonight"));
    free(md);
    handover_summary_free(&s);
}

static void test_sign_and_ack(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    struct shift_defs defs;
    assert_int_equal(shift_defs_load_default(&defs, &err), 0);
    assert_int_equal(shift_set(f->st, &defs, TODAY, "early", "alice", NULL, &err), 0);
    shift_defs_free(&defs);

    const char *todos[] = {"Call the UPS vendor back"};
    char id[ID_LEN + 1];
    if (handover_sign(f->st, f->cal, "Watch the backup tonight", NULL, todos, 1, id, &err) != 0)
        fail_msg("%s", err);

    struct handover_records r;
    assert_int_equal(handover_list_day(f->st, TODAY, &r, &err), 0);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].id, id);
    assert_string_equal(r.items[0].shift, "early");
    assert_string_equal(r.items[0].from_login, "alice");
    assert_string_equal(r.items[0].note, "Watch the backup tonight");
    assert_non_null(strstr(r.items[0].summary, "INC-0001"));
    assert_non_null(strstr(r.items[0].summary, "Watch the backup tonight"));
    assert_non_null(strstr(r.items[0].summary, "Call the UPS vendor back"));
    assert_null(r.items[0].acked_at);
    handover_records_free(&r);

    /* The signer cannot acknowledge. */
    assert_int_equal(handover_ack(f->st, id, &err), -1);
    assert_non_null(err);
    free(err);
    err = NULL;
    /* The next operator can, once (latest unacked when no id is given). */
    act_as(f, "bob");
    if (handover_ack(f->st, NULL, &err) != 0)
        fail_msg("%s", err);
    act_as(f, "carol");
    assert_int_equal(handover_ack(f->st, id, &err), -1);
    assert_non_null(strstr(err, "Bob"));
    free(err);
    err = NULL;
    assert_int_equal(handover_list_month(f->st, 2026, 11, &r, &err), 0);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].acked_by_login, "bob");
    assert_non_null(r.items[0].acked_at);
    handover_records_free(&r);

    /* The carried to-do reappears in later summaries until cleared. */
    struct handover_summary s;
    assert_int_equal(handover_build(f->st, f->cal, time_now_ms(), &s, &err), 0);
    assert_int_equal(s.n_carried, 1);
    assert_string_equal(s.carried[0].text, "Call the UPS vendor back");
    char item[ID_LEN + 1];
    snprintf(item, sizeof item, "%s", s.carried[0].id);
    handover_summary_free(&s);
    act_as(f, "bob");
    char *second_id = NULL;
    char id2[ID_LEN + 1];
    assert_int_equal(handover_sign(f->st, f->cal, NULL, "carol", NULL, 0, id2, &err), 0);
    second_id = id2;
    assert_int_equal(handover_list_day(f->st, TODAY, &r, &err), 0);
    assert_int_equal(r.count, 2);
    assert_non_null(strstr(r.items[1].summary, "Call the UPS vendor back"));
    assert_string_equal(r.items[1].to_login, "carol");
    assert_string_equal(r.items[1].shift, "none");
    handover_records_free(&r);
    assert_int_equal(handover_clear_item(f->st, item, &err), 0);
    assert_int_equal(handover_clear_item(f->st, item, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(handover_build(f->st, f->cal, time_now_ms(), &s, &err), 0);
    assert_int_equal(s.n_carried, 0);
    handover_summary_free(&s);

    /* Addressed to carol: alice may not acknowledge it, carol may. */
    act_as(f, "alice");
    assert_int_equal(handover_ack(f->st, second_id, &err), -1);
    assert_non_null(strstr(err, "Carol"));
    free(err);
    err = NULL;
    act_as(f, "carol");
    assert_int_equal(handover_ack(f->st, second_id, &err), 0);
    /* Nothing left to acknowledge. */
    assert_int_equal(handover_ack(f->st, NULL, &err), -1);
    free(err);
}

static void test_sign_refusals(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    assert_int_equal(handover_sign(f->st, f->cal, NULL, "alice", NULL, 0, NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(handover_sign(f->st, f->cal, NULL, "nobody", NULL, 0, NULL, &err), -1);
    free(err);
    err = NULL;
    const char *empty[] = {""};
    assert_int_equal(handover_sign(f->st, f->cal, NULL, NULL, empty, 1, NULL, &err), -1);
    free(err);
    err = NULL;
    struct handover_records r;
    assert_int_equal(handover_list_day(f->st, TODAY, &r, &err), 0);
    assert_int_equal(r.count, 0);
    handover_records_free(&r);
}

/* The sign form's list: the next shift's operators first, then the others, engineers
 * last (marked), never the signer. */
static void test_addressees_order(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    act_as(f, "mgr");
    assert_int_equal(operator_add(f->st, "aaron", "Aaron", "engineer", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "zed", "Zed", "operator", NULL, &err), 0);
    act_as(f, "alice");
    struct shift_defs defs;
    assert_int_equal(shift_defs_load_default(&defs, &err), 0);
    assert_int_equal(shift_set(f->st, &defs, TODAY, "early", "alice", NULL, &err), 0);
    /* 14:00 now: the late shift (15:30) is next; tomorrow's early one comes after it. */
    assert_int_equal(shift_set(f->st, &defs, TODAY, "late", "zed", NULL, &err), 0);
    assert_int_equal(shift_set(f->st, &defs, "2026-11-03", "early", "carol", NULL, &err), 0);
    shift_defs_free(&defs);
    struct handover_addressee *v;
    size_t n;
    if (handover_addressees(f->st, time_now_ms(), &v, &n, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(n, 5); /* aaron, bob, carol, mgr, zed: not alice, who signs */
    assert_string_equal(v[0].login, "zed");
    assert_true(v[0].next_shift);
    assert_false(v[0].engineer);
    assert_string_equal(v[1].login, "bob");
    assert_false(v[1].next_shift);
    assert_string_equal(v[2].login, "carol");
    assert_false(v[2].next_shift);
    assert_string_equal(v[3].login, "mgr"); /* the manager who registered them */
    assert_false(v[3].next_shift);
    assert_false(v[3].engineer);
    assert_string_equal(v[4].login, "aaron");
    assert_true(v[4].engineer);
    handover_addressees_free(v, n);
}

/* A refusal is known before the question: the signer, someone else than the addressee,
 * an acknowledged handover. handover_ack_check writes nothing. */
static void test_ack_check(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    char id[ID_LEN + 1], got[ID_LEN + 1];
    assert_int_equal(handover_ack_check(f->st, NULL, got, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(handover_sign(f->st, f->cal, NULL, "carol", NULL, 0, id, &err), 0);
    assert_int_equal(handover_ack_check(f->st, NULL, got, &err), -1); /* the signer */
    assert_non_null(strstr(err, "signed"));
    free(err);
    err = NULL;
    act_as(f, "bob");
    assert_int_equal(handover_ack_check(f->st, NULL, got, &err), -1);
    assert_non_null(strstr(err, "Carol"));
    free(err);
    err = NULL;
    act_as(f, "carol");
    assert_int_equal(handover_ack_check(f->st, NULL, got, &err), 0);
    assert_string_equal(got, id);
    struct handover_records r;
    assert_int_equal(handover_list_day(f->st, TODAY, &r, &err), 0);
    assert_null(r.items[0].acked_at); /* the check acknowledged nothing */
    handover_records_free(&r);
}

/* The signer withdraws a handover nobody acknowledged: tombstoned with its to-dos,
 * audited, its text given back; an acknowledged one stays. */
static void test_withdraw(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    const char *todos[] = {"Call the UPS vendor back"};
    char id[ID_LEN + 1];
    assert_int_equal(handover_sign(f->st, f->cal, "Watch the backup", "bob", todos, 1, id, &err),
                     0);
    act_as(f, "bob"); /* not the signer: refused by the check too, before any question */
    assert_int_equal(handover_withdraw_check(f->st, id, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(handover_withdraw_check(f->st, NULL, &err), -1); /* bob signed none */
    free(err);
    err = NULL;
    assert_int_equal(handover_withdraw(f->st, id, NULL, &err), -1);
    assert_non_null(err);
    free(err);
    err = NULL;
    act_as(f, "alice");
    assert_int_equal(handover_withdraw_check(f->st, NULL, &err), 0);
    struct handover_withdrawn w;
    if (handover_withdraw(f->st, NULL, &w, &err) != 0)
        fail_msg("%s", err);
    assert_string_equal(w.note, "Watch the backup");
    assert_string_equal(w.to_login, "bob");
    assert_int_equal(w.n_todos, 1);
    assert_string_equal(w.todos[0], "Call the UPS vendor back");
    struct handover_records r;
    assert_int_equal(handover_list_day(f->st, TODAY, &r, &err), 0);
    assert_int_equal(r.count, 0);
    handover_records_free(&r);
    struct handover_summary s;
    assert_int_equal(handover_build(f->st, f->cal, time_now_ms(), &s, &err), 0);
    assert_int_equal(s.n_carried, 0); /* its to-do went with it */
    handover_summary_free(&s);
    sqlite3_stmt *q = store_stmt(f->st, "SELECT count(*) FROM audit WHERE action = "
                                        "'handover.withdraw' AND row_id = ?1");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    sqlite3_reset(q);
    /* Signed again with the text kept, then acknowledged: it can no longer be withdrawn. */
    const char *again[] = {w.todos[0]};
    assert_int_equal(handover_sign(f->st, f->cal, w.note, w.to_login, again, 1, id, &err), 0);
    handover_withdrawn_free(&w);
    act_as(f, "bob");
    assert_int_equal(handover_ack(f->st, id, &err), 0);
    act_as(f, "alice");
    assert_int_equal(handover_withdraw(f->st, id, NULL, &err), -1);
    assert_non_null(strstr(err, "bob"));
    free(err);
    err = NULL;
    assert_int_equal(handover_withdraw(f->st, NULL, NULL, &err), -1);
    free(err);
}

int main(void)
{
    setenv("UNYO_NOW", "2026-11-02T14:00:00+09:00", 1);
    setenv("LANGUAGE", "en", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_summary_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_and_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_addressees_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdraw, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
