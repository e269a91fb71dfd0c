/* Read-only mode and the observer role (issue 14): the core refuses every write with
 * one message and writes nothing (no row, no audit row); a read-only open migrates
 * nothing and creates nothing; an observer's store is read-only by itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "incidents.h"
#include "support/ledger_fixture.h"
#include "operators.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define MSG "read-only: this console cannot change the record"

static const char *const counted[] = {"incidents", "incident_events", "audit", "operators",
                                      "local_meta"};

static void counts(struct store *st, int out[5])
{
    for (int i = 0; i < 5; i++) {
        char *sql = xasprintf("SELECT count(*) FROM %s", counted[i]);
        out[i] = fx_count(st, sql);
        free(sql);
    }
}

static void same_counts(struct store *st, const int before[5])
{
    int now[5];
    counts(st, now);
    for (int i = 0; i < 5; i++)
        if (now[i] != before[i])
            fail_msg("%s: %d rows, %d before", counted[i], now[i], before[i]);
}

/* Every kind of write, each refused with the message. */
static void refuse_writes(struct ledger_fx *f, const char *ref)
{
    char *err = NULL;
    struct incident_new in = {
        .library = "CEN", .channel = "phone", .title = "閲覧中の登録", .impact = 2, .urgency = 2};
    fx_expect_fail(incident_create(f->st, f->sla, &in, NULL, NULL, &err), &err, MSG);
    struct incident_step_args a = {.note = "メモ"};
    fx_expect_fail(incident_step(f->st, f->sla, ref, "note", &a, &err), &err, MSG);
    fx_expect_fail(operator_add(f->st, "kimura", "木村", "operator", NULL, &err), &err, MSG);
    fx_expect_fail(store_meta_set(f->st, "x", "y", &err), &err, MSG);
    fx_expect_fail(store_begin(f->st, &err), &err, MSG);
    /* a write that skips store_begin is refused by the connection, same message */
    sqlite3_stmt *s = store_stmt(f->st, "DELETE FROM local_meta WHERE key = 'nothing'");
    assert_int_not_equal(sqlite3_step(s), SQLITE_DONE);
    fx_expect_fail(store_fail(f->st, &err, "deleting"), &err, MSG);
    sqlite3_reset(s);
}

static void test_read_only_store_refuses_every_write(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    fx_incident(f, "読むだけの記録", "説明", ref);
    int before[5];
    counts(f->st, before);
    store_close(f->st);
    char *err = NULL;
    store_set_read_only(1);
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &f->st, &err), 0);
    assert_true(store_is_read_only(f->st));
    refuse_writes(f, ref);
    /* reading works */
    struct incident inc;
    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_string_equal(inc.title, "読むだけの記録");
    incident_clear(&inc);
    same_counts(f->st, before);
    store_close(f->st);
    store_set_read_only(0);
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &f->st, &err), 0);
    same_counts(f->st, before);
    assert_false(store_is_read_only(f->st));
}

static void test_read_only_open_creates_and_migrates_nothing(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    store_set_read_only(1);
    char *p = xasprintf("%s/new.db", f->dir);
    struct store *st = NULL;
    fx_expect_fail(store_open(p, STORE_CREATE_NEW, &st, &err), &err, MSG);
    struct stat sb;
    assert_int_not_equal(stat(p, &sb), 0);
    free(p);
    /* a store of an older schema is refused, left as it was */
    store_set_read_only(0);
    char *old = xasprintf("PRAGMA user_version = %d", store_schema_version() - 1);
    assert_int_equal(store_exec(f->st, old, &err), 0);
    free(old);
    store_close(f->st);
    store_set_read_only(1);
    fx_expect_fail(store_open(f->path, STORE_OPEN_EXISTING, &f->st, &err), &err, "upgrading");
    assert_null(f->st);
    /* still at the older version: nothing was migrated (read with SQLite alone) */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), store_schema_version() - 1);
    sqlite3_finalize(s);
    /* back to this unyo's version (the last migration already ran) for the tear-down */
    char *back = xasprintf("PRAGMA user_version = %d", store_schema_version());
    assert_int_equal(sqlite3_exec(db, back, NULL, NULL, NULL), SQLITE_OK);
    free(back);
    sqlite3_close(db);
    store_set_read_only(0);
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &f->st, &err), 0);
}

static void test_observer_is_read_only(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24], *err = NULL;
    fx_incident(f, "観察される記録", NULL, ref);
    fx_as(f->st, "ito");
    assert_int_equal(operator_add(f->st, "mori", "森 光", "observer", NULL, &err), 0);
    int before[5];
    counts(f->st, before);
    /* acting as the observer turns this store read-only */
    fx_as(f->st, "mori");
    assert_int_equal(store_require_operator(f->st, &err), 0);
    assert_true(store_is_read_only(f->st));
    refuse_writes(f, ref);
    same_counts(f->st, before);
    /* a store the observer opens is read-only from the start */
    struct store *other = NULL;
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &other, &err), 0);
    assert_true(store_is_read_only(other));
    store_close(other);
    /* someone else at the keyboard: writable again */
    fx_as(f->st, "yamada");
    assert_int_equal(store_require_operator(f->st, &err), 0);
    assert_false(store_is_read_only(f->st));
    struct incident_step_args a = {.note = "メモ"};
    assert_int_equal(incident_step(f->st, f->sla, ref, "note", &a, &err), 0);
}

/* Only a manager registers operators: anyone else is refused, nothing is registered,
 * and the refusal is audited. */
static void test_only_a_manager_registers(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    static const char *const not_managers[] = {"yamada", "sato"};
    for (size_t i = 0; i < 2; i++) {
        fx_as(f->st, not_managers[i]);
        int ops = fx_count(f->st, "SELECT count(*) FROM operators");
        int refusals =
            fx_count(f->st, "SELECT count(*) FROM audit WHERE action = 'operator.add.refused'");
        fx_expect_fail(operator_add(f->st, "kimura", "木村", "operator", NULL, &err), &err,
                       "only a manager registers operators");
        assert_int_equal(fx_count(f->st, "SELECT count(*) FROM operators"), ops);
        assert_int_equal(
            fx_count(f->st, "SELECT count(*) FROM audit WHERE action = 'operator.add.refused'"),
            refusals + 1);
        assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE action = "
                                         "'operator.add.refused' AND detail LIKE "
                                         "'login=kimura role=operator%'"),
                         refusals + 1);
    }
    fx_as(f->st, "ito");
    assert_int_equal(operator_add(f->st, "kimura", "木村", "operator", NULL, &err), 0);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM operators WHERE login = 'kimura'"), 1);
}

/* Roles change only by a manager, and nobody changes their own (a manager neither):
 * each refusal audited, the role as it was. */
static void test_role_rules(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    const char *role_of_sato = "SELECT count(*) FROM operators WHERE login = 'sato' AND role = "
                               "'engineer'";
    const char *refusals = "SELECT count(*) FROM audit WHERE action = 'operator.role.refused'";
    fx_as(f->st, "yamada"); /* an operator */
    fx_expect_fail(operator_set_role(f->st, "sato", "manager", &err), &err,
                   "only a manager changes roles");
    assert_int_equal(fx_count(f->st, role_of_sato), 1);
    assert_int_equal(fx_count(f->st, refusals), 1);
    fx_as(f->st, "sato"); /* an engineer, their own role */
    fx_expect_fail(operator_set_role(f->st, "sato", "manager", &err), &err, "own role");
    assert_int_equal(fx_count(f->st, role_of_sato), 1);
    fx_as(f->st, "ito"); /* a manager, their own role */
    fx_expect_fail(operator_set_role(f->st, "ito", "operator", &err), &err, "own role");
    assert_int_equal(
        fx_count(f->st, "SELECT count(*) FROM operators WHERE login = 'ito' AND role = 'manager'"),
        1);
    assert_int_equal(fx_count(f->st, refusals), 3);
    fx_expect_fail(operator_set_role(f->st, "sato", "boss", &err), &err, "boss");
    fx_expect_fail(operator_set_role(f->st, "nobody", "operator", &err), &err, "nobody");
    /* a manager changes someone else's role: done and audited */
    assert_int_equal(operator_set_role(f->st, "sato", "observer", &err), 0);
    assert_int_equal(
        fx_count(f->st,
                 "SELECT count(*) FROM operators WHERE login = 'sato' AND role = 'observer'"),
        1);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE action = 'operator.role' "
                                     "AND detail = 'login=sato from=engineer to=observer'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_only_store_refuses_every_write, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_read_only_open_creates_and_migrates_nothing, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_observer_is_read_only, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_only_a_manager_registers, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_role_rules, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
