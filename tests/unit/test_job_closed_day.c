/* Substitute days in job definitions (closed_day): the loader's refusals with FILE:LINE,
 * and the runs jobs_ensure_runs creates around the shipped calendar's year-end closure
 * (2026-12-29 .. 2027-01-03), with the closed date a moved run stands for. */
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
#include "job_substitute.h"
#include "jobs.h"
#include "operators.h"
#include "store.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

struct fixture {
    char dir[64];
    struct store *st;
    struct calendar *cal;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-closed-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = xasprintf("%s/unyo.db", f->dir), *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db);
    f->cal = calendar_load(UNYO_TEST_DATADIR "/calendar.ini", &err);
    if (!f->cal)
        fail_msg("%s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    calendar_free(f->cal);
    char *cmd = xasprintf("rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

static int load(struct fixture *f, const char *content, char **err)
{
    char *path = xasprintf("%s/jobs.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
    struct job_defs d = {NULL, 0};
    int rc = jobs_parse_file(path, &d, err);
    if (rc == 0)
        rc = jobs_install(f->st, &d, NULL, err);
    jobs_defs_free(&d);
    free(path);
    return rc;
}

static void expect_refused(struct fixture *f, const char *content, const char *where,
                           const char *what)
{
    char *err = NULL;
    assert_int_equal(load(f, content, &err), -1);
    if (!err || !strstr(err, where) || !strstr(err, what))
        fail_msg("want %s ... %s, got %s", where, what, err ? err : "(none)");
    free(err);
}

#define JOB(period) "[W]\nname_ja = w\nname_en = w\nperiod = " period "\nstep = s\n"

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    expect_refused(f, JOB("weekly") "closed_day = run\n", "jobs.ini:6:", "closed_day run");
    expect_refused(f, JOB("weekly") "closed_day = \n", "jobs.ini:6:", "closed_day");
    /* no due date to move: as-needed work and stock-taking */
    expect_refused(f, JOB("manual") "closed_day = before\n", "jobs.ini:6:", "no due date");
    expect_refused(f, JOB("stocktaking") "closed_day = skip\n", "jobs.ini:6:", "no due date");
    /* a daily job moved before/after would run twice on the neighbour */
    expect_refused(f, JOB("daily") "closed_day = before\n", "jobs.ini:6:", "twice");
    expect_refused(f, JOB("daily") "closed_day = after\n", "jobs.ini:6:", "twice");
    char *err = NULL;
    assert_int_equal(store_exec(f->st, "SELECT 1", &err), 0);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT count(*) FROM jobs", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0); /* nothing half-written */
    sqlite3_finalize(s);
    /* skip on a daily job changes nothing and is accepted */
    if (load(f, JOB("daily") "closed_day = skip\n", &err) != 0)
        fail_msg("%s", err);
}

static char *nominal_of(struct fixture *f, const char *code, const char *day, int *found)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(f->st->db,
                                        "SELECT r.nominal_day FROM job_runs r JOIN jobs j ON "
                                        "j.id = r.job_id WHERE j.code = ?1 AND r.due_day = ?2",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
    *found = sqlite3_step(s) == SQLITE_ROW;
    char *v = *found && sqlite3_column_text(s, 0) ? xstrdup((const char *)sqlite3_column_text(s, 0))
                                                  : NULL;
    sqlite3_finalize(s);
    return v;
}

static void ensure(struct fixture *f, const char *day)
{
    char *err = NULL;
    if (jobs_ensure_runs(f->st, f->cal, day, NULL, &err) != 0)
        fail_msg("%s", err);
}

static void test_year_end_runs(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    /* Tuesday jobs: the 29th is closed; the 1st of the month: January 1st is closed */
    if (load(f,
             "[TB]\nname_ja = b\nname_en = b\nperiod = weekly\nweekday = tue\nstep = s\n"
             "closed_day = before\n"
             "[TA]\nname_ja = a\nname_en = a\nperiod = weekly\nweekday = tue\nstep = s\n"
             "[TS]\nname_ja = s\nname_en = s\nperiod = weekly\nweekday = tue\nstep = s\n"
             "closed_day = skip\n"
             "[MB]\nname_ja = m\nname_en = m\nperiod = monthly\nmonthday = 1\nstep = s\n"
             "closed_day = before\n",
             &err) != 0)
        fail_msg("%s", err);
    const char *days[] = {"2026-12-28", "2026-12-29", "2027-01-01", "2027-01-04", "2027-01-05"};
    for (size_t i = 0; i < 5; i++)
        ensure(f, days[i]);
    int found;
    char *v = nominal_of(f, "TB", "2026-12-28", &found);
    assert_true(found);
    assert_string_equal(v, "2026-12-29");
    free(v);
    v = nominal_of(f, "MB", "2026-12-28", &found);
    assert_true(found);
    assert_string_equal(v, "2027-01-01");
    free(v);
    v = nominal_of(f, "TA", "2027-01-04", &found); /* the default: after */
    assert_true(found);
    assert_string_equal(v, "2026-12-29");
    free(v);
    v = nominal_of(f, "TB", "2027-01-05", &found); /* the next Tuesday, not moved */
    assert_true(found);
    assert_null(v);
    nominal_of(f, "TB", "2027-01-04", &found);
    assert_false(found);
    nominal_of(f, "TS", "2026-12-28", &found);
    assert_false(found);
    nominal_of(f, "TS", "2027-01-04", &found);
    assert_false(found);
    v = nominal_of(f, "TS", "2027-01-05", &found);
    assert_true(found);
    free(v);
    nominal_of(f, "MB", "2027-01-04", &found);
    assert_false(found);

    /* the day's list carries it, and says it as a person reads it */
    struct job_run_row *rows;
    size_t n;
    assert_int_equal(jobs_day(f->st, "2026-12-28", 0, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        char *t = job_substitute_text(&rows[i]);
        assert_non_null(t);
        assert_string_equal(t, strcmp(rows[i].code, "TB") == 0 ? "moved (closed day): 12/29 → 12/28"
                                                               : "moved (closed day): 1/1 → 12/28");
        free(t);
    }
    job_run_rows_free(rows, n);
    struct job_run_detail d;
    assert_int_equal(jobs_run_get(f->st, "TB@2027-01-05", &d, &err), 0);
    assert_null(job_substitute_text(&d.run));
    jobs_run_detail_clear(&d);
    assert_int_equal(jobs_run_get(f->st, "TA@2027-01-04", &d, &err), 0);
    assert_string_equal(d.run.nominal_day, "2026-12-29");
    jobs_run_detail_clear(&d);
}

int main(void)
{
    setenv("XDG_CONFIG_HOME", "/nonexistent-unyo-test", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_year_end_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
