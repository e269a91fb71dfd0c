/* The shift schedule: shifts.ini, set/replace/clear with history, on duty at an instant
 * (weekday, Sunday, past midnight). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "operators.h"
#include "shifts.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

struct fixture {
    char dir[64];
    struct store *st;
    struct shift_defs defs;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-shift-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = xasprintf("%s/unyo.db", f->dir);
    char *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db);
    /* the manager registers the others (only a manager adds operators) */
    setenv("UNYO_USER", "carol", 1);
    assert_int_equal(operator_add(f->st, "carol", "Carol", "manager", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "bob", "Bob", "operator", NULL, &err), 0);
    setenv("UNYO_USER", "alice", 1);
    f->st->operator_id[0] = '\0';
    char *ini = xasprintf("%s/shifts.ini", f->dir);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fputs("[early]\nname_ja = 早番\nname_en = Early\nstart = 07:00\nend = 15:30\n"
          "[late]\nstart = 15:30\nend = 24:00\n"
          "[sunday]\nstart = 07:00\nend = 17:30\n"
          "[night]\nstart = 22:00\nend = 07:00\n",
          fp);
    fclose(fp);
    if (shift_defs_load(ini, &f->defs, &err) != 0)
        fail_msg("%s", err);
    free(ini);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    shift_defs_free(&f->defs);
    store_close(f->st);
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

static int64_t at(const char *jst)
{
    int64_t ms;
    assert_int_equal(time_parse(jst, &ms), 0);
    return ms;
}

static void set(struct fixture *f, const char *day, const char *shift, const char *login)
{
    char *err = NULL;
    if (shift_set(f->st, &f->defs, day, shift, login, NULL, &err) != 0)
        fail_msg("%s", err);
}

/* Logins on duty at a JST instant, joined with ",". */
static char *on_duty(struct fixture *f, const char *jst)
{
    struct shift_list l;
    char *err = NULL;
    assert_int_equal(shift_on_duty(f->st, at(jst), &l, &err), 0);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < l.count; i++)
        sb_printf(&sb, "%s%s", i ? "," : "", l.items[i].login);
    shift_list_free(&l);
    return sb_detach(&sb);
}

static void expect_on_duty(struct fixture *f, const char *jst, const char *logins)
{
    char *got = on_duty(f, jst);
    assert_string_equal(got, logins);
    free(got);
}

static void test_definitions(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->defs.count, 4);
    const struct shift_def *e = shift_def_find(&f->defs, "early");
    assert_non_null(e);
    assert_string_equal(e->name_ja, "早番");
    assert_int_equal(e->start_min, 7 * 60);
    assert_int_equal(e->end_min, 15 * 60 + 30);
    assert_int_equal(shift_def_find(&f->defs, "late")->end_min, 1440);
    assert_string_equal(shift_def_find(&f->defs, "late")->name_en, "late");
    assert_null(shift_def_find(&f->defs, "nope"));

    /* Errors name FILE:LINE. */
    char *bad = xasprintf("%s/bad.ini", f->dir);
    FILE *fp = fopen(bad, "w");
    fputs("[early]\nstart = 07:00\nend = 25:00\n", fp);
    fclose(fp);
    struct shift_defs d;
    char *err = NULL;
    assert_int_equal(shift_defs_load(bad, &d, &err), -1);
    assert_non_null(strstr(err, "bad.ini:3"));
    free(err);
    free(bad);

    /* The shipped file loads. */
    char *shipped = xasprintf("%s/shifts.ini", UNYO_TEST_DATADIR);
    err = NULL;
    assert_int_equal(shift_defs_load(shipped, &d, &err), 0);
    assert_non_null(shift_def_find(&d, "sunday"));
    shift_defs_free(&d);
    free(shipped);
}

static void test_on_duty(void **state)
{
    struct fixture *f = *state;
    /* Monday 2026-11-23 and Sunday 2026-11-22. */
    set(f, "2026-11-23", "early", "alice");
    set(f, "2026-11-23", "late", "bob");
    set(f, "2026-11-22", "sunday", "carol");
    set(f, "2026-11-22", "night", "bob");

    expect_on_duty(f, "2026-11-23 06:59", "bob"); /* Sunday's night shift runs to 07:00 */
    expect_on_duty(f, "2026-11-23 07:00", "alice");
    expect_on_duty(f, "2026-11-23 15:29", "alice");
    expect_on_duty(f, "2026-11-23 15:30", "bob");
    expect_on_duty(f, "2026-11-23 23:59", "bob");
    expect_on_duty(f, "2026-11-24 00:00", "");
    expect_on_duty(f, "2026-11-22 07:00", "carol");
    expect_on_duty(f, "2026-11-22 17:29", "carol");
    expect_on_duty(f, "2026-11-22 17:30", "");
    expect_on_duty(f, "2026-11-22 22:30", "bob");
    expect_on_duty(f, "2026-11-22 06:00", "");
    /* The instant may come in UTC: 2026-11-22T22:00Z is 07:00 JST on the 23rd. */
    expect_on_duty(f, "2026-11-22T22:00:00Z", "alice");
}

static int count(struct store *st, const char *sql)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return n;
}

static void test_replace_keeps_history(void **state)
{
    struct fixture *f = *state;
    set(f, "2026-11-23", "early", "alice");
    set(f, "2026-11-23", "early", "bob");
    expect_on_duty(f, "2026-11-23 08:00", "bob");
    struct shift_list l;
    char *err = NULL;
    assert_int_equal(shift_list_month(f->st, 2026, 11, &l, &err), 0);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.items[0].login, "bob");
    assert_string_equal(l.items[0].start_time, "07:00");
    shift_list_free(&l);
    assert_int_equal(count(f->st, "SELECT count(*) FROM shifts WHERE deleted = 1"), 1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'shift.replace'"), 1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'shift.set'"), 2);

    assert_int_equal(shift_clear(f->st, "2026-11-23", "early", &err), 0);
    expect_on_duty(f, "2026-11-23 08:00", "");
    assert_int_equal(shift_clear(f->st, "2026-11-23", "early", &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(shift_list_day(f->st, "2026-11-23", &l, &err), 0);
    assert_int_equal(l.count, 0);
    shift_list_free(&l);
    assert_int_equal(shift_list_month(f->st, 2026, 10, &l, &err), 0);
    assert_int_equal(l.count, 0);
    shift_list_free(&l);
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    assert_int_equal(shift_set(f->st, &f->defs, "2026-11-31", "early", "alice", NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(shift_set(f->st, &f->defs, "2026-11-23", "dawn", "alice", NULL, &err), -1);
    assert_non_null(strstr(err, "early"));
    free(err);
    err = NULL;
    assert_int_equal(shift_set(f->st, &f->defs, "2026-11-23", "early", "nobody", NULL, &err), -1);
    free(err);
    err = NULL;
    setenv("UNYO_USER", "mallory", 1);
    f->st->operator_id[0] = 0;
    assert_int_equal(shift_set(f->st, &f->defs, "2026-11-23", "early", "alice", NULL, &err), -1);
    free(err);
    setenv("UNYO_USER", "alice", 1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM shifts"), 0);
}

/* Starting the shift: none started, a start, the same again refused, a take-over
 * naming both (by the shift's Japanese name), an unknown shift. */
static void test_start_and_take_over(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    char *ini = xasprintf("%s/allday.ini", f->dir);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fputs("[allday]\nname_ja = 終日\nname_en = All day\nstart = 00:00\nend = 24:00\n", fp);
    fclose(fp);
    struct shift_defs defs;
    if (shift_defs_load(ini, &defs, &err) != 0)
        fail_msg("%s", err);
    free(ini);
    int64_t now = time_now_ms();
    struct shift_start_info in;
    assert_int_equal(shift_current(f->st, now, &in, &err), 0);

    assert_int_equal(shift_start(f->st, &defs, NULL, now, &in, &err), 0);
    assert_string_equal(in.shift, "allday");
    assert_string_equal(in.login, "alice");
    assert_null(in.from_login);
    shift_start_info_free(&in);
    assert_int_equal(shift_current(f->st, now, &in, &err), 1);
    assert_string_equal(in.login, "alice");
    assert_string_equal(in.name, "Alice");
    assert_string_equal(in.shift, "allday");
    assert_true(in.ends_ms > now);
    shift_start_info_free(&in);

    assert_int_equal(shift_start(f->st, &defs, "allday", now, NULL, &err), -1);
    assert_non_null(strstr(err, "already"));
    free(err);
    err = NULL;

    setenv("UNYO_USER", "bob", 1);
    f->st->operator_id[0] = '\0'; /* act as bob from now on */
    assert_int_equal(shift_start(f->st, &defs, "終日", now, &in, &err), 0);
    assert_string_equal(in.login, "bob");
    assert_string_equal(in.from_login, "alice");
    assert_string_equal(in.from_name, "Alice");
    char *msg = shift_start_message(&defs, &in);
    assert_non_null(strstr(msg, "Bob"));
    assert_non_null(strstr(msg, "Alice"));
    free(msg);
    shift_start_info_free(&in);
    assert_int_equal(shift_current(f->st, now, &in, &err), 1);
    assert_string_equal(in.login, "bob");
    assert_string_equal(in.from_login, "alice");
    shift_start_info_free(&in);

    assert_int_equal(shift_start(f->st, &defs, "zz", now, NULL, &err), -1);
    assert_non_null(strstr(err, "zz"));
    assert_non_null(strstr(err, "allday"));
    free(err);
    shift_defs_free(&defs);
}

static int64_t jst(const char *s)
{
    int64_t ms;
    assert_int_equal(time_parse(s, &ms), 0);
    return ms;
}

/* Which shift a start without a name means, and a shift that has ended. */
static void test_start_guess(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    const struct shift_def *d;
    d = shift_guess(f->st, &f->defs, jst("2026-11-23T09:00:00+09:00"), &err); /* Monday */
    assert_non_null(d);
    assert_string_equal(d->code, "early");
    d = shift_guess(f->st, &f->defs, jst("2026-11-22T09:00:00+09:00"), &err); /* Sunday */
    assert_string_equal(d->code, "sunday");
    d = shift_guess(f->st, &f->defs, jst("2026-11-23T23:00:00+09:00"), &err);
    assert_string_equal(d->code, "late");
    d = shift_guess(f->st, &f->defs, jst("2026-11-24T06:00:00+09:00"), &err);
    assert_string_equal(d->code, "night");
    /* alice is scheduled on night: at 23:00 her guess is night, not late */
    assert_int_equal(shift_set(f->st, &f->defs, "2026-11-23", "night", "alice", NULL, &err), 0);
    d = shift_guess(f->st, &f->defs, jst("2026-11-23T23:00:00+09:00"), &err);
    assert_string_equal(d->code, "night");
    assert_int_equal(
        shift_start(f->st, &f->defs, "early", jst("2026-11-23T16:00:00+09:00"), NULL, &err), -1);
    assert_non_null(strstr(err, "ended"));
    free(err);
    err = NULL;
    assert_non_null(shift_def_lookup(&f->defs, "早番"));
    assert_non_null(shift_def_lookup(&f->defs, "early"));
    assert_null(shift_def_lookup(&f->defs, "遅番")); /* not named so in this file */
}

/* An unregistered user is told who can register them, never to run operator add
 * themselves (which would fail the same way). */
static void test_unregistered_names_who(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    setenv("UNYO_USER", "zed", 1);
    f->st->operator_id[0] = '\0';
    assert_int_equal(operator_add(f->st, "zed", "Zed", "operator", NULL, &err), -1);
    assert_non_null(strstr(err, "Carol (carol)"));
    assert_null(strstr(err, "Alice"));
    assert_null(strstr(err, "operator add zed"));
    free(err);
    setenv("UNYO_USER", "alice", 1);
}

int main(void)
{
    setenv("UNYO_NOW", "2026-11-01T08:00:00+09:00", 1);
    setenv("LANGUAGE", "en", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_definitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_on_duty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_keeps_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_and_take_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_guess, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unregistered_names_who, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
