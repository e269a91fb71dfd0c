/* JP1's rerun modes (src/job_rerun.h) on a net deeper than the e2e test's: A -> B -> C -> E,
 * B -> F (manual work), A -> D, and G after both A and C (deeper by C than by A). --from-failed
 * reaches the runs after B transitively (E through C) and puts a manual run back to waiting; the
 * plan is what the rerun does; a running run after it refuses the whole rerun, writing nothing;
 * --after with only runs not run yet is refused; a failed run is marked succeeded only with a
 * reason, and an interrupted one too. Commands run through job_exec_local (the TEST executor). */
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
#include "job_rerun.h"
#include "job_runner.h"
#include "jobs.h"
#include "operators.h"
#include "store.h"
#include "util.h"

#define DAY "2026-11-24" /* a Tuesday */

struct fixture {
    char dir[64];
    char *db;
    struct store *st;
    struct calendar *cal;
};

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

/* "state/attempt" of code's run of DAY. */
static void assert_run(struct store *st, const char *code, const char *want)
{
    char *sql = xasprintf("SELECT r.state || '/' || r.attempt FROM job_runs r JOIN jobs j "
                          "ON j.id = r.job_id WHERE j.code = '%s' AND r.due_day = '" DAY "'",
                          code);
    char *v = text(st, sql);
    free(sql);
    if (!v || strcmp(v, want) != 0)
        fail_msg("%s: %s, expected %s", code, v ? v : "(none)", want);
    free(v);
}

/* Everything a refusal must leave alone: the runs, their events, the audit trail. */
static char *written(struct store *st)
{
    return text(st, "SELECT (SELECT count(*) FROM job_run_events) || '/' || (SELECT count(*) "
                    "FROM audit) || '/' || (SELECT group_concat(state || attempt, ',') FROM "
                    "(SELECT state, attempt FROM job_runs ORDER BY id))");
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-rerun-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = xasprintf("%s/unyo.db", f->dir);
    char *err = NULL;
    assert_int_equal(store_open(f->db, STORE_CREATE_NEW, &f->st, &err), 0);
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
    /* The net; B succeeds while DIR/b_ok exists. */
    char *path = xasprintf("%s/jobs.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\ncommand = true\n"
            "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\nafter = A\n"
            "command = test -f %s/b_ok\n"
            "[C]\nname_ja = c\nname_en = c\nperiod = daily\nhost = ap1\nafter = B\n"
            "command = true\n"
            "[D]\nname_ja = d\nname_en = d\nperiod = daily\nhost = ap1\nafter = A\n"
            "command = true\n"
            "[E]\nname_ja = e\nname_en = e\nperiod = daily\nhost = ap1\nafter = C\n"
            "command = true\n"
            "[F]\nname_ja = f\nname_en = f\nperiod = daily\nafter = B\nstep = check by hand\n"
            "[G]\nname_ja = g\nname_en = g\nperiod = daily\nhost = ap1\nafter = A, C\n"
            "command = true\n",
            f->dir);
    fclose(fp);
    struct job_defs d = {NULL, 0};
    if (jobs_parse_file(path, &d, &err) != 0 || jobs_install(f->st, &d, NULL, &err) != 0)
        fail_msg("%s", err);
    jobs_defs_free(&d);
    free(path);
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
    free(f->db);
    free(f);
    return 0;
}

static void run_day(struct fixture *f)
{
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = f->cal;
    o.exec = job_exec_local;
    struct job_runner_stats s;
    char *err = NULL;
    if (job_runner_run(f->st, &o, &s, &err) != 0)
        fail_msg("%s", err);
}

static void b_ok(struct fixture *f, int ok)
{
    char *p = xasprintf("%s/b_ok", f->dir);
    if (ok) {
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        fclose(fp);
    } else {
        unlink(p);
    }
    free(p);
}

/* Everything ran and succeeded (F marked by hand); then B failed on its rerun. */
static void day_with_b_failed(struct fixture *f)
{
    char *err = NULL;
    b_ok(f, 1);
    run_day(f);
    if (jobs_run_action(f->st, "F@" DAY, "succeeded", "checked", &err) != 0)
        fail_msg("%s", err);
    b_ok(f, 0);
    if (jobs_run_action(f->st, "B@" DAY, "rerun", NULL, &err) != 0)
        fail_msg("%s", err);
    run_day(f);
    assert_run(f->st, "B", "failed/2");
    assert_run(f->st, "C", "succeeded/1");
    assert_run(f->st, "E", "succeeded/1");
}

static void test_from_failed_transitive(void **state)
{
    struct fixture *f = *state;
    day_with_b_failed(f);
    char *err = NULL;
    struct job_rerun_plan plan, done;
    if (jobs_rerun_plan(f->st, "B@" DAY, JOB_RERUN_FROM_FAILED, &plan, &err) != 0)
        fail_msg("%s", err);
    char *want = job_rerun_codes(plan.rerun, plan.nrerun);
    assert_string_equal(want, "B, C, F, E, G"); /* the net's order: by depth, then code */
    assert_int_equal(plan.nfollow, 0);
    if (jobs_rerun(f->st, "B@" DAY, JOB_RERUN_FROM_FAILED, NULL, &done, &err) != 0)
        fail_msg("%s", err);
    char *got = job_rerun_codes(done.rerun, done.nrerun);
    assert_string_equal(got, want); /* the question named what was done */
    free(want), free(got);
    job_rerun_plan_clear(&plan);
    job_rerun_plan_clear(&done);
    assert_run(f->st, "B", "queued/3");
    assert_run(f->st, "C", "queued/2");
    assert_run(f->st, "E", "queued/2");  /* after B through C */
    assert_run(f->st, "F", "waiting/2"); /* manual work goes back to waiting */
    assert_run(f->st, "G", "queued/2");
    assert_run(f->st, "A", "succeeded/1");
    assert_run(f->st, "D", "succeeded/1");
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'job.rerun' AND "
                                  "detail LIKE '%\"mode\":\"from-failed\"%\"run\":\"B@" DAY "\"%'"),
                     5);
    /* B fixed: the runner runs B, C, E; F waits for a person. */
    b_ok(f, 1);
    run_day(f);
    assert_run(f->st, "B", "succeeded/3");
    assert_run(f->st, "C", "succeeded/2");
    assert_run(f->st, "E", "succeeded/2");
    assert_run(f->st, "F", "waiting/2");
}

static void test_refusals_write_nothing(void **state)
{
    struct fixture *f = *state;
    day_with_b_failed(f);
    char *err = NULL;
    /* a run after B is running: the whole rerun is refused */
    assert_int_equal(store_exec(f->st,
                                "UPDATE job_runs SET state = 'running' WHERE job_id = "
                                "(SELECT id FROM jobs WHERE code = 'E')",
                                &err),
                     0);
    char *before = written(f->st);
    assert_int_equal(jobs_rerun(f->st, "B@" DAY, JOB_RERUN_FROM_FAILED, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "E@" DAY ", a run after B@" DAY ", is running"));
    free(err), err = NULL;
    /* --after on a failed run; --only on a running one; --from-failed on a succeeded one */
    assert_int_equal(jobs_rerun(f->st, "B@" DAY, JOB_RERUN_AFTER, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "start only once it has succeeded"));
    free(err), err = NULL;
    assert_int_equal(jobs_rerun(f->st, "E@" DAY, JOB_RERUN_ONLY, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "E@" DAY " is running"));
    free(err), err = NULL;
    assert_int_equal(jobs_rerun(f->st, "A@" DAY, JOB_RERUN_FROM_FAILED, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "A@" DAY " succeeded"));
    free(err), err = NULL;
    /* a run not ended goes back in no mode: the workflow's words */
    assert_int_equal(store_exec(f->st,
                                "UPDATE job_runs SET state = 'waiting' WHERE job_id = "
                                "(SELECT id FROM jobs WHERE code = 'D')",
                                &err),
                     0);
    free(before);
    before = written(f->st);
    assert_int_equal(jobs_rerun(f->st, "D@" DAY, JOB_RERUN_ONLY, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "D@" DAY ": rerun is not allowed while waiting"));
    free(err), err = NULL;
    assert_int_equal(jobs_rerun(f->st, "D@" DAY, JOB_RERUN_FROM_FAILED, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "rerun is not allowed while waiting"));
    free(err), err = NULL;
    /* no runs after D; an unknown run */
    assert_int_equal(jobs_rerun(f->st, "D@" DAY, JOB_RERUN_AFTER, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "D@" DAY " has no runs after it"));
    free(err), err = NULL;
    assert_int_equal(jobs_rerun(f->st, "Q@" DAY, JOB_RERUN_AFTER, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "no run of Q"));
    free(err), err = NULL;
    /* marking: no reason; a run that did not fail */
    assert_int_equal(jobs_run_action(f->st, "B@" DAY, "succeeded", "  ", &err), -1);
    assert_non_null(strstr(err, "--reason"));
    free(err), err = NULL;
    assert_int_equal(jobs_run_action(f->st, "C@" DAY, "succeeded", "why", &err), -1);
    assert_non_null(strstr(err, "not failed"));
    free(err), err = NULL;
    char *after = written(f->st);
    assert_string_equal(after, before);
    free(before), free(after);
}

static void test_after_nothing_ended(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    b_ok(f, 1);
    /* A alone runs: B, D and what follows them have not run yet */
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = f->cal;
    o.only_job = "A";
    o.exec = job_exec_local;
    struct job_runner_stats s;
    if (job_runner_run(f->st, &o, &s, &err) != 0)
        fail_msg("%s", err);
    assert_run(f->st, "A", "succeeded/1");
    assert_int_equal(jobs_rerun(f->st, "A@" DAY, JOB_RERUN_AFTER, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "nothing to rerun after A@" DAY));
    /* G is after A directly, but deeper after C: it comes last */
    assert_non_null(strstr(err, "B, D, C, F, E, G"));
    free(err);
}

static void test_mark_succeeded(void **state)
{
    struct fixture *f = *state;
    day_with_b_failed(f);
    char *err = NULL;
    /* from-failed with B still broken: B fails again, C waits for it */
    if (jobs_rerun(f->st, "B@" DAY, JOB_RERUN_FROM_FAILED, "retry after the fix", NULL, &err) != 0)
        fail_msg("%s", err);
    run_day(f);
    assert_run(f->st, "B", "failed/3");
    assert_run(f->st, "C", "queued/2");
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events WHERE kind = 'rerun' AND "
                                  "note = 'retry after the fix'"),
                     5);
    if (jobs_run_action(f->st, "B@" DAY, "succeeded", "loaded by hand", &err) != 0)
        fail_msg("%s", err);
    assert_run(f->st, "B", "succeeded/3");
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events e JOIN operators o ON "
                                  "o.id = e.operator_id WHERE e.kind = 'marked_succeeded' AND "
                                  "e.note = 'loaded by hand' AND o.login = 'alice'"),
                     1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events WHERE kind = 'failed'"), 2);
    assert_int_equal(count(f->st, "SELECT exit_status FROM job_runs r JOIN jobs j ON j.id = "
                                  "r.job_id WHERE j.code = 'B'"),
                     1);
    run_day(f);
    assert_run(f->st, "C", "succeeded/2");
    assert_run(f->st, "E", "succeeded/2");
    /* an interrupted run is marked too */
    assert_int_equal(store_exec(f->st,
                                "UPDATE job_runs SET state = 'interrupted' WHERE job_id = "
                                "(SELECT id FROM jobs WHERE code = 'E')",
                                &err),
                     0);
    if (jobs_run_action(f->st, "E@" DAY, "succeeded", "the output was complete", &err) != 0)
        fail_msg("%s", err);
    assert_run(f->st, "E", "succeeded/2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_from_failed_transitive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_write_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_after_nothing_ended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_succeeded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
