/* Odd durations (src/job_duration.c): the median and MAD of a job's last 20 succeeded
 * runs with exact figures, the band and its floor, the verdict at a run's end (kept,
 * audited once) through the runner, and a running run judged on display. */
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
#include "i18n.h"
#include "job_duration.h"
#include "job_runner.h"
#include "jobs.h"
#include "operators.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define DAY "2026-11-24"

static void test_median_and_mad(void **state)
{
    (void)state;
    /* seconds 60 62 58 61 59 120 60: sorted 58 59 60 60 61 62 120, median 60 s; the
     * deviations 0 2 2 1 1 60 0 sort to 0 0 1 1 2 2 60: MAD 1 s. The one slow day
     * (120 s) moves neither. */
    int64_t v[] = {60000, 62000, 58000, 61000, 59000, 120000, 60000};
    struct job_duration_stats s;
    job_duration_stats_of(v, 7, &s);
    assert_int_equal(s.n, 7);
    assert_int_equal(s.median_ms, 60000);
    assert_int_equal(s.mad_ms, 1000);
    /* the input is not reordered */
    assert_int_equal(v[0], 60000);
    assert_int_equal(v[5], 120000);

    /* an even count: the mean of the middle two, rounded down to the millisecond.
     * 10 20 30 41: median 25; deviations 15 5 5 16 -> 5 5 15 16: MAD 10. */
    int64_t e[] = {41, 10, 30, 20};
    job_duration_stats_of(e, 4, &s);
    assert_int_equal(s.median_ms, 25);
    assert_int_equal(s.mad_ms, 10);
    int64_t odd[] = {1, 2};
    job_duration_stats_of(odd, 2, &s);
    assert_int_equal(s.median_ms, 1); /* 1.5 rounded down */

    job_duration_stats_of(NULL, 0, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.median_ms, 0);
}

static void test_band_and_verdict(void **state)
{
    (void)state;
    int64_t v[] = {60000, 62000, 58000, 61000, 59000, 120000, 60000};
    struct job_duration_stats s;
    job_duration_stats_of(v, 7, &s);
    /* 3 x 1.4826 x 1000 ms = 4447.8 -> 4448 ms; the floor of 60 s wins by default */
    struct job_duration_limits l = {3.0, 60000};
    assert_int_equal(job_duration_band(&s, &l), 60000);
    assert_int_equal(job_duration_judge(&s, 120000, &l), JOB_DURATION_USUAL);
    assert_int_equal(job_duration_judge(&s, 120001, &l), JOB_DURATION_SLOW);
    assert_int_equal(job_duration_judge(&s, 0, &l), JOB_DURATION_USUAL); /* 60 - 60 = 0 */
    /* without a floor the spread decides: 60 s +- 4.448 s */
    l.min_diff_ms = 0;
    assert_int_equal(job_duration_band(&s, &l), 4448);
    assert_int_equal(job_duration_judge(&s, 64448, &l), JOB_DURATION_USUAL);
    assert_int_equal(job_duration_judge(&s, 64449, &l), JOB_DURATION_SLOW);
    assert_int_equal(job_duration_judge(&s, 55552, &l), JOB_DURATION_USUAL);
    assert_int_equal(job_duration_judge(&s, 55551, &l), JOB_DURATION_FAST);
    l.spread = 1.5; /* 1.5 x 1.4826 x 1000 = 2223.9 -> 2224 */
    assert_int_equal(job_duration_band(&s, &l), 2224);
    /* fewer than 5 runs: never judged */
    job_duration_stats_of(v, 4, &s);
    assert_int_equal(job_duration_judge(&s, 10 * 60000, &l), JOB_DURATION_USUAL);
    job_duration_stats_of(v, 5, &s);
    assert_int_equal(job_duration_judge(&s, 10 * 60000, &l), JOB_DURATION_SLOW);
}

static void test_limits_from_config(void **state)
{
    (void)state;
    /* no config file: the documented defaults */
    struct job_duration_limits l;
    job_duration_limits_config(&l);
    assert_true(l.spread == JOB_DURATION_SPREAD_DEFAULT);
    assert_int_equal(l.min_diff_ms, JOB_DURATION_MIN_DIFF_S_DEFAULT * 1000);
}

/* ---- in a store ---- */

struct fixture {
    char dir[64];
    struct store *st;
    struct calendar *cal;
};

static int setup_store(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-jobdur-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = xasprintf("%s/unyo.db", f->dir), *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db);
    setenv("UNYO_USER", "alice", 1);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", NULL, &err), 0);
    f->st->operator_id[0] = 0;
    char id[ID_LEN + 1];
    id_new(id);
    char *sql = xasprintf("INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                          "VALUES('%s', 'ap1', 'x', 'x', 1, 'o')",
                          id);
    assert_int_equal(store_exec(f->st, sql, &err), 0);
    free(sql);
    f->cal = calendar_new_default();
    char *path = xasprintf("%s/jobs.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[J]\nname_ja = j\nname_en = j\nperiod = daily\nhost = ap1\ncommand = true\n", fp);
    fclose(fp);
    struct job_defs d = {NULL, 0};
    if (jobs_parse_file(path, &d, &err) != 0 || jobs_install(f->st, &d, NULL, &err) != 0)
        fail_msg("%s", err);
    jobs_defs_free(&d);
    free(path);
    *state = f;
    return 0;
}

static int teardown_store(void **state)
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

/* A succeeded run of J on day that took secs seconds (from 01:00 UTC). */
static void history(struct fixture *f, const char *day, int secs)
{
    char *err = NULL, id[ID_LEN + 1];
    if (jobs_add_run(f->st, "J", day, id, &err) != 0)
        fail_msg("%s", err);
    char *start = xasprintf("%sT01:00:00Z", day);
    int64_t ms;
    assert_int_equal(time_parse(start, &ms), 0);
    char a[TIME_ISO_LEN + 1], b[TIME_ISO_LEN + 1];
    time_format_iso(ms, a);
    time_format_iso(ms + (int64_t)secs * 1000, b);
    char *sql = xasprintf("UPDATE job_runs SET state = 'succeeded', started_at = '%s', "
                          "ended_at = '%s' WHERE id = '%s'",
                          a, b, id);
    assert_int_equal(store_exec(f->st, sql, &err), 0);
    free(sql);
    free(start);
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

static void test_history_window(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    /* 25 days of history: 2026-10-01 .. 10-25 took 1 .. 25 minutes; only the newest 20
     * (6 .. 25 minutes) count: median (15 + 16) / 2 = 15.5 min; deviations 0.5 .. 9.5
     * twice each: MAD 5 min. A failed run does not count. */
    for (int i = 1; i <= 25; i++) {
        char day[11];
        snprintf(day, sizeof day, "2026-10-%02d", i);
        history(f, day, i * 60);
    }
    char id[ID_LEN + 1];
    assert_int_equal(jobs_add_run(f->st, "J", "2026-10-26", id, &err), 0);
    assert_int_equal(store_exec(f->st,
                                "UPDATE job_runs SET state = 'failed', started_at = "
                                "'2026-10-26T01:00:00.000Z', ended_at = '2026-10-27T01:00:00.000Z' "
                                "WHERE due_day = '2026-10-26'",
                                &err),
                     0);
    assert_int_equal(jobs_add_run(f->st, "J", DAY, id, &err), 0);
    struct job_duration_stats s;
    assert_int_equal(job_duration_history(f->st, id, &s, &err), 0);
    assert_int_equal(s.n, 20);
    assert_int_equal(s.median_ms, 930000);
    assert_int_equal(s.mad_ms, 300000);
    /* The failed run marked succeeded by a person (its day long) still does not count. */
    if (jobs_run_action(f->st, "J@2026-10-26", "succeeded", "checked by hand", &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs WHERE due_day = '2026-10-26' "
                                  "AND state = 'succeeded'"),
                     1);
    assert_int_equal(job_duration_history(f->st, id, &s, &err), 0);
    assert_int_equal(s.n, 20);
    assert_int_equal(s.median_ms, 930000);
    assert_int_equal(s.mad_ms, 300000);
    /* the history of 10-10 is what came before it: 10-01 .. 10-09 */
    char old[ID_LEN + 1];
    assert_int_equal(jobs_resolve_run(f->st, "J@2026-10-10", old, &err), 0);
    assert_int_equal(job_duration_history(f->st, old, &s, &err), 0);
    assert_int_equal(s.n, 9);
    assert_int_equal(s.median_ms, 300000);
}

/* The runner judges a run when it ends: after a history of 2-minute runs, `true` is
 * far too fast; the verdict is kept and audited once, and shown. */
static void test_runner_marks_fast_run(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    for (int i = 17; i <= 23; i++) {
        char day[11];
        snprintf(day, sizeof day, "2026-11-%02d", i);
        history(f, day, 120);
    }
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = f->cal;
    o.exec = job_exec_local;
    struct job_runner_stats stats;
    if (job_runner_run(f->st, &o, &stats, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs WHERE due_day = '" DAY
                                  "' AND state = 'succeeded' AND duration_flag = 'fast' "
                                  "AND usual_ms = 120000"),
                     1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'job.duration'"), 1);
    struct job_run_row *rows;
    size_t n;
    assert_int_equal(jobs_day(f->st, DAY, time_now_ms(), &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].duration_flag, "fast");
    char *t = job_duration_text(&rows[0], time_now_ms());
    assert_non_null(t);
    assert_non_null(strstr(t, "too fast: usual 2 min → this time"));
    free(t);
    job_run_rows_free(rows, n);
    /* judged again (a second record of the same end) it is not audited twice */
    char id[ID_LEN + 1];
    assert_int_equal(jobs_resolve_run(f->st, "J@" DAY, id, &err), 0);
    struct job_duration_limits l;
    job_duration_limits_config(&l);
    int v = 0;
    assert_int_equal(store_begin(f->st, &err), 0);
    assert_int_equal(job_duration_record(f->st, id, &l, &v, &err), 0);
    assert_int_equal(store_commit(f->st, &err), 0);
    assert_int_equal(v, JOB_DURATION_FAST);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'job.duration'"), 1);
}

/* A running run already past its history's band reads slow before it ends. */
static void test_running_run_slow_live(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    for (int i = 17; i <= 23; i++) {
        char day[11];
        snprintf(day, sizeof day, "2026-11-%02d", i);
        history(f, day, 120);
    }
    char id[ID_LEN + 1];
    assert_int_equal(jobs_add_run(f->st, "J", DAY, id, &err), 0);
    assert_int_equal(store_exec(f->st,
                                "UPDATE job_runs SET state = 'running', started_at = "
                                "'2026-11-24T01:00:00.000Z' WHERE due_day = '" DAY "'",
                                &err),
                     0);
    struct job_duration_limits l = {3.0, 60000};
    int64_t start;
    assert_int_equal(time_parse("2026-11-24T01:00:00.000Z", &start), 0);
    struct job_run_row *rows;
    size_t n;
    assert_int_equal(jobs_day(f->st, DAY, start, &rows, &n, &err), 0);
    /* 3 minutes in: 120 + 60 s is the limit, not past it */
    assert_int_equal(job_duration_live(f->st, rows, n, start + 180000, &l, &err), 0);
    assert_null(rows[0].duration_flag);
    assert_int_equal(job_duration_live(f->st, rows, n, start + 540000, &l, &err), 0);
    assert_string_equal(rows[0].duration_flag, "slow");
    char *t = job_duration_text(&rows[0], start + 540000);
    assert_string_equal(t, "slow: usual 2 min → this time 9 min");
    free(t);
    job_run_rows_free(rows, n);
}

int main(void)
{
    setenv("XDG_CONFIG_HOME", "/nonexistent-unyo-test", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_and_mad),
        cmocka_unit_test(test_band_and_verdict),
        cmocka_unit_test(test_limits_from_config),
        cmocka_unit_test_setup_teardown(test_history_window, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_runner_marks_fast_run, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_running_run_slow_live, setup_store, teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
