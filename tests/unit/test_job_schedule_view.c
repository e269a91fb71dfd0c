/* The daily schedule (src/job_schedule_view.c): expected start from the definition,
 * expected end from the job's usual duration (median of its succeeded runs before the
 * day; none: unknown), actual start and end, and the flags late start, late end,
 * slow (job_runs.duration_flag) and moved from a closed day, on a fixture store. */
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
#include "job_schedule_view.h"
#include "jobs.h"
#include "operators.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define DAY "2026-11-24" /* a Tuesday */

struct fixture {
    char dir[64];
    struct store *st;
};

static void exec(struct store *st, const char *sql)
{
    char *err = NULL;
    if (store_exec(st, sql, &err) != 0)
        fail_msg("%s: %s", sql, err ? err : "?");
}

static int setup_store(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-jobsched-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = xasprintf("%s/unyo.db", f->dir), *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db);
    setenv("UNYO_USER", "alice", 1);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", NULL, &err), 0);
    f->st->operator_id[0] = 0;
    exec(f->st, "INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                "VALUES('h1', 'ap1', 'x', 'x', 1, 'o')");
    char *path = xasprintf("%s/jobs.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[J]\nname_ja = 統合\nname_en = merge\nperiod = daily\nhost = ap1\ncommand = true\n"
          "expected_start = 09:00\nexpected_end = 09:30\n"
          "[K]\nname_ja = 朝\nname_en = morning\nperiod = daily\nhost = ap1\ncommand = true\n"
          "expected_start = 07:00\n"
          "[M]\nname_ja = 待ち\nname_en = waiting\nperiod = daily\nhost = ap1\ncommand = true\n"
          "expected_start = 09:50\nexpected_end = 10:30\n"
          "[N]\nname_ja = 未定\nname_en = unplanned\nperiod = daily\nhost = ap1\n"
          "command = true\n",
          fp);
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
    char *cmd = xasprintf("rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

/* Sets a run of code on day: state, started and ended (UTC ISO or NULL). */
static void set_run(struct fixture *f, const char *code, const char *day, const char *state,
                    const char *started, const char *ended)
{
    char *err = NULL, id[ID_LEN + 1];
    if (jobs_add_run(f->st, code, day, id, &err) != 0)
        fail_msg("%s", err);
    char *sql = xasprintf("UPDATE job_runs SET state = '%s', started_at = %s%s%s, "
                          "ended_at = %s%s%s WHERE id = '%s'",
                          state, started ? "'" : "", started ? started : "NULL", started ? "'" : "",
                          ended ? "'" : "", ended ? ended : "NULL", ended ? "'" : "", id);
    exec(f->st, sql);
    free(sql);
}

static int64_t ms_of(const char *iso)
{
    int64_t ms;
    assert_int_equal(time_parse(iso, &ms), 0);
    return ms;
}

static const struct job_sched_row *row_of(const struct job_schedule *s, const char *code)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->rows[i].run->code, code) == 0)
            return &s->rows[i];
    fail_msg("no row for %s", code);
    return NULL;
}

static void test_expected_actual_and_flags(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    /* J's history: 7 days of 10, 10, 10, 12, 8, 10, 11 minutes (median 10), a failed
     * one of 3 hours that does not count. */
    static const int mins[] = {10, 10, 10, 12, 8, 10, 11};
    for (int i = 0; i < 7; i++) {
        char day[11], a[32], b[32];
        snprintf(day, sizeof day, "2026-11-%02d", 16 + i);
        snprintf(a, sizeof a, "%sT00:00:00.000Z", day);
        snprintf(b, sizeof b, "%sT00:%02d:00.000Z", day, mins[i]);
        set_run(f, "J", day, "succeeded", a, b);
    }
    set_run(f, "J", "2026-11-23", "failed", "2026-11-23T00:00:00.000Z", "2026-11-23T03:00:00.000Z");
    /* the day: J started 09:20 JST, ended 09:45 (late start and end; recorded slow);
     * K 06:55 .. 07:05, moved from Monday; M waiting since 09:50; N never planned */
    set_run(f, "J", DAY, "succeeded", "2026-11-24T00:20:00.000Z", "2026-11-24T00:45:00.000Z");
    exec(f->st, "UPDATE job_runs SET duration_flag = 'slow', usual_ms = 600000 "
                "WHERE due_day = '" DAY "' AND job_id = (SELECT id FROM jobs WHERE code = 'J')");
    set_run(f, "K", DAY, "succeeded", "2026-11-23T21:55:00.000Z", "2026-11-23T22:05:00.000Z");
    exec(f->st, "UPDATE job_runs SET nominal_day = '2026-11-23' WHERE due_day = '" DAY
                "' AND job_id = (SELECT id FROM jobs WHERE code = 'K')");
    set_run(f, "M", DAY, "waiting", NULL, NULL);
    set_run(f, "N", DAY, "waiting", NULL, NULL);

    int64_t now = ms_of("2026-11-24T10:00:00+09:00");
    struct job_schedule s;
    assert_int_equal(job_schedule_day(f->st, DAY, now, &s, &err), 0);
    assert_int_equal(s.n, 4);
    assert_true(s.day_start == ms_of("2026-11-24T00:00:00+09:00"));
    assert_true(s.day_end == ms_of("2026-11-25T00:00:00+09:00"));
    /* jobs_day's order: expected start, then code (no expected start last) */
    assert_string_equal(s.rows[0].run->code, "K");
    assert_string_equal(s.rows[3].run->code, "N");

    const struct job_sched_row *j = row_of(&s, "J");
    assert_true(j->exp_start == ms_of("2026-11-24T09:00:00+09:00"));
    assert_true(j->usual_ms == 600000);
    assert_true(j->exp_end == ms_of("2026-11-24T09:10:00+09:00"));
    assert_true(j->due_end == ms_of("2026-11-24T09:30:00+09:00"));
    assert_true(j->act_start == ms_of("2026-11-24T09:20:00+09:00"));
    assert_true(j->act_end == ms_of("2026-11-24T09:45:00+09:00"));
    assert_int_equal(j->flags, JOB_SCHED_LATE_START | JOB_SCHED_LATE_END | JOB_SCHED_SLOW);

    const struct job_sched_row *k = row_of(&s, "K");
    assert_true(k->exp_start == ms_of("2026-11-24T07:00:00+09:00"));
    assert_true(k->exp_end == 0); /* no history: unknown */
    assert_true(k->usual_ms == 0);
    assert_true(k->act_start == ms_of("2026-11-24T06:55:00+09:00"));
    assert_int_equal(k->flags, JOB_SCHED_MOVED); /* early is not late */

    const struct job_sched_row *m = row_of(&s, "M");
    assert_true(m->act_start == 0 && m->act_end == 0);
    assert_int_equal(m->flags, JOB_SCHED_LATE_START); /* 10:30 is still ahead */
    assert_string_equal(m->run->state, "waiting");

    const struct job_sched_row *n = row_of(&s, "N");
    assert_true(n->exp_start == 0 && n->exp_end == 0 && n->due_end == 0);
    assert_int_equal(n->flags, 0);

    char *t = job_sched_flags_text(j->flags, 1);
    assert_string_equal(t, "late_start late_end slow");
    free(t);
    t = job_sched_flags_text(j->flags, 0);
    assert_string_equal(t, "late start, late end, slow");
    free(t);
    assert_null(job_sched_flags_text(0, 0));
    job_schedule_free(&s);

    /* at 11:00 the waiting M is late to end as well */
    assert_int_equal(job_schedule_day(f->st, DAY, ms_of("2026-11-24T11:00:00+09:00"), &s, &err), 0);
    assert_int_equal(row_of(&s, "M")->flags, JOB_SCHED_LATE_START | JOB_SCHED_LATE_END);
    job_schedule_free(&s);
}

/* A running run is judged now: slow once past its history's band, never from an old
 * attempt's flag. */
static void test_running_judged_now(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    for (int i = 0; i < 6; i++) {
        char day[11], a[32], b[32];
        snprintf(day, sizeof day, "2026-11-%02d", 17 + i);
        snprintf(a, sizeof a, "%sT00:00:00.000Z", day);
        snprintf(b, sizeof b, "%sT00:02:00.000Z", day);
        set_run(f, "J", day, "succeeded", a, b);
    }
    set_run(f, "J", DAY, "running", "2026-11-24T00:00:00.000Z", NULL);
    exec(f->st, "UPDATE job_runs SET duration_flag = 'fast' WHERE due_day = '" DAY "'");
    struct job_schedule s;
    assert_int_equal(job_schedule_day(f->st, DAY, ms_of("2026-11-24T09:02:30+09:00"), &s, &err), 0);
    assert_int_equal(row_of(&s, "J")->flags, 0);
    job_schedule_free(&s);
    assert_int_equal(job_schedule_day(f->st, DAY, ms_of("2026-11-24T09:20:00+09:00"), &s, &err), 0);
    assert_int_equal(row_of(&s, "J")->flags, JOB_SCHED_SLOW);
    job_schedule_free(&s);
}

static void test_bad_day_and_empty(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    struct job_schedule s;
    assert_int_equal(job_schedule_day(f->st, "2026-13-01", 0, &s, &err), -1);
    assert_non_null(err);
    free(err);
    err = NULL;
    assert_int_equal(job_schedule_day(f->st, "2026-12-01", 0, &s, &err), 0);
    assert_int_equal(s.n, 0);
    job_schedule_free(&s);
}

int main(void)
{
    setenv("XDG_CONFIG_HOME", "/nonexistent-unyo-test", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_expected_actual_and_flags, setup_store,
                                        teardown_store),
        cmocka_unit_test_setup_teardown(test_running_judged_now, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_bad_day_and_empty, setup_store, teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
