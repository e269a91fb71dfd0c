/* The demo store and its hosts that run on this machine: demo_populate holds today so
 * far by the clock (jobs due before now done, later ones waiting, today's checklist round
 * up to now; nothing of today with DEMO_DAY_UNTOUCHED); every demo host has transport
 * 'local'; a host's transport is kept, shown and changed (a demo host given another
 * address becomes an SSH host; a person's host is SSH); the job runner and the checks run
 * a local host's commands here whatever executor they were given, and say so. */
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
#include "checks.h"
#include "demo.h"
#include "hosts.h"
#include "i18n.h"
#include "job_runner.h"
#include "jobs.h"
#include "install_dirs.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "util.h"

#define NOW "2026-11-24T07:25:00+09:00" /* a Tuesday: L068 (06:00) done, L078 (07:30) not */
#define DAY "2026-11-24"

struct fx {
    char dir[64];
    char *db;
    struct store *st;
};

static int make_store(void **state, enum demo_day day)
{
    struct fx *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-demo-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = xasprintf("%s/unyo.db", f->dir);
    char *err = NULL;
    struct template_set set = {0};
    assert_int_equal(templates_load_builtin(install_datadir(), "all", &set, &err), 0);
    assert_int_equal(store_open(f->db, STORE_CREATE_NEW, &f->st, &err), 0);
    char *libs = xasprintf("%s/libraries.ini", install_datadir());
    assert_int_equal(seed_install_templates(f->st, &set, &err), 0);
    assert_int_equal(seed_install_libraries(f->st, libs, &err), 0);
    free(libs);
    templates_free(&set);
    if (demo_populate(f->st, day, &err) != 0)
        fail_msg("demo_populate: %s", err);
    *state = f;
    return 0;
}

static int setup_day(void **state)
{
    return make_store(state, DEMO_DAY_SO_FAR);
}

static int setup_untouched(void **state)
{
    return make_store(state, DEMO_DAY_UNTOUCHED);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    char *cmd = xasprintf("rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f->db);
    free(f);
    return 0;
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

static void assert_run_state(struct store *st, const char *code, const char *want)
{
    char *sql = xasprintf("SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                          "WHERE j.code = '%s' AND r.due_day = '" DAY "'",
                          code);
    char *v = text(st, sql);
    free(sql);
    if (!v || strcmp(v, want) != 0)
        fail_msg("%s: state %s, expected %s", code, v ? v : "(none)", want);
    free(v);
}

static void test_day_so_far(void **state)
{
    struct fx *f = *state;
    /* Every demo host runs here. */
    assert_int_equal(count(f->st, "SELECT count(*) FROM hosts WHERE deleted = 0"), 10);
    assert_int_equal(
        count(f->st, "SELECT count(*) FROM hosts WHERE deleted = 0 AND transport <> 'local'"), 0);
    struct host h;
    char *err = NULL;
    assert_int_equal(host_get(f->st, "lib-db01", &h, &err), 0);
    assert_true(host_is_local(&h));
    host_clear(&h);
    /* Today's jobs: due before now done, on time; later ones and manual ones wait. */
    assert_true(count(f->st, "SELECT count(*) FROM jobs") >= 35);
    assert_run_state(f->st, "L068", "succeeded"); /* 06:00 */
    assert_run_state(f->st, "L080", "succeeded"); /* 07:20 */
    assert_run_state(f->st, "L078", "waiting");   /* 07:30 */
    assert_run_state(f->st, "L089", "waiting");   /* 08:00 */
    assert_run_state(f->st, "L096", "waiting");   /* manual */
    char *started = text(f->st, "SELECT r.started_at FROM job_runs r JOIN jobs j ON "
                                "j.id = r.job_id WHERE j.code = 'L068' AND r.due_day = '" DAY "'");
    assert_string_equal(started, "2026-11-23T21:00:00.000Z");
    free(started);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs WHERE ended_at > "
                                  "'2026-11-23T22:25:00.000Z'"),
                     0);
    /* The days before: every command run done. */
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs r JOIN jobs j ON j.id = "
                                  "r.job_id WHERE r.due_day < '" DAY "' AND j.command IS NOT "
                                  "NULL AND r.state <> 'succeeded'"),
                     0);
    assert_true(count(f->st, "SELECT count(*) FROM job_runs WHERE due_day = '2026-11-21'") > 0);
    /* Today's round: from 07:20 up to now, nothing after. */
    long long today = count(f->st, "SELECT count(*) FROM checklist_events WHERE day = '" DAY "'");
    assert_true(today > 0);
    assert_true(today < 20);
    assert_int_equal(count(f->st, "SELECT count(*) FROM checklist_events WHERE day = '" DAY
                                  "' AND at > '2026-11-23T22:25:00.000Z'"),
                     0);
}

static void test_day_untouched(void **state)
{
    struct fx *f = *state;
    assert_int_equal(count(f->st, "SELECT count(*) FROM jobs"), 0);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs"), 0);
    assert_int_equal(count(f->st, "SELECT count(*) FROM checklist_events WHERE day = '" DAY "'"),
                     0);
    assert_true(count(f->st, "SELECT count(*) FROM checklist_events WHERE day = '2026-11-23'") > 0);
    assert_int_equal(
        count(f->st, "SELECT count(*) FROM hosts WHERE deleted = 0 AND transport <> 'local'"), 0);
}

static void test_host_transport(void **state)
{
    struct fx *f = *state;
    char *err = NULL;
    /* A host a person adds is reached over SSH. */
    struct host_fields hf = {0};
    hf.name = "real01";
    hf.address = "192.0.2.10";
    hf.ssh_port = -1;
    assert_int_equal(host_add(f->st, &hf, NULL, &err), 0);
    struct host h;
    assert_int_equal(host_get(f->st, "real01", &h, &err), 0);
    assert_false(host_is_local(&h));
    assert_string_equal(host_transport_label(&h), _("SSH"));
    host_clear(&h);
    /* Set and refused. */
    assert_int_equal(host_set_transport(f->st, "real01", "local", &err), 0);
    assert_int_equal(host_get(f->st, "real01", &h, &err), 0);
    assert_true(host_is_local(&h));
    assert_string_equal(host_transport_label(&h), _("local run (demo)"));
    host_clear(&h);
    assert_int_equal(host_set_transport(f->st, "real01", "telnet", &err), -1);
    assert_non_null(strstr(err, "telnet"));
    free(err);
    err = NULL;
    assert_int_equal(count(f->st,
                           "SELECT count(*) FROM audit WHERE action = 'host.edit' AND detail = "
                           "'transport=local'"),
                     1);
    /* Editing a demo host's notes, or saving its form unchanged, keeps it local. */
    struct host_fields same = {0};
    same.address = "10.10.1.21";
    same.ssh_alias = "lib-db01";
    same.notes = "業務DB（メモ変更）";
    same.ssh_port = -1;
    assert_int_equal(host_edit(f->st, "lib-db01", &same, &err), 0);
    assert_int_equal(host_get(f->st, "lib-db01", &h, &err), 0);
    assert_true(host_is_local(&h));
    host_clear(&h);
    /* Given another address, it is a real host: SSH from then on. */
    struct host_fields moved = {0};
    moved.address = "127.0.0.1";
    moved.ssh_port = -1;
    assert_int_equal(host_edit(f->st, "lib-db01", &moved, &err), 0);
    assert_int_equal(host_get(f->st, "lib-db01", &h, &err), 0);
    assert_false(host_is_local(&h));
    host_clear(&h);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'host.edit' AND "
                                  "detail LIKE '%transport=ssh%'"),
                     1);
}

/* An executor that must never be called: a local host does not go through it. */
static int never_exec(void *ud, const struct host *host, const char *command, int timeout_s,
                      size_t cap, struct job_exec_result *r)
{
    (void)ud, (void)command, (void)timeout_s, (void)cap;
    memset(r, 0, sizeof *r);
    r->error = xstrdup("dialled");
    fail_msg("the runner used its executor for %s", host->name);
    return -1;
}

static void test_job_on_local_host(void **state)
{
    struct fx *f = *state;
    char *err = NULL;
    /* A job of its own (the shipped ones write files under /tmp that other tests share). */
    char *path = xasprintf("%s/jobs.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[T-HERE]\nname_ja = ここで実行\nname_en = Runs here\nperiod = daily\n"
          "host = lib-ap01\ncommand = echo \"ran as pid $$\"\nexpected_start = 07:40\n",
          fp);
    fclose(fp);
    struct job_defs defs = {0};
    int n = 0;
    if (jobs_parse_file(path, &defs, &err) != 0 || jobs_install(f->st, &defs, &n, &err) != 0)
        fail_msg("jobs: %s", err);
    jobs_defs_free(&defs);
    free(path);
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.only_job = "T-HERE";
    o.exec = never_exec;
    struct job_runner_stats s;
    if (job_runner_run(f->st, &o, &s, &err) != 0)
        fail_msg("job_runner_run: %s", err);
    assert_int_equal(s.succeeded, 1);
    assert_run_state(f->st, "T-HERE", "succeeded");
    char *out = text(f->st, "SELECT r.output FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                            "WHERE j.code = 'T-HERE' AND r.due_day = '" DAY "'");
    assert_non_null(strstr(out, "ran as pid "));
    free(out);
    char *note = text(f->st, "SELECT e.note FROM job_run_events e JOIN job_runs r ON r.id = "
                             "e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = 'T-HERE' AND "
                             "r.due_day = '" DAY "' AND e.kind = 'succeeded'");
    assert_string_equal(note, _("ran on this machine (demo host)"));
    free(note);
}

static void test_checks_on_local_host(void **state)
{
    struct fx *f = *state;
    char *path = xasprintf("%s/demo.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[here]\nname = Runs here\ntemplate = L025\ncommand = echo pid=$$\n"
          "pattern = pid=(?<pid>\\d+)\ncondition = pid > 0\nvalue = pid\n"
          "[fails]\nname = Fails\ntemplate = L033\ncommand = echo nope; exit 3\n"
          "pattern = ^ok$\n",
          fp);
    fclose(fp);
    struct check_set set = {0};
    char *err = NULL;
    if (checks_load_file(path, &set, &err) != 0)
        fail_msg("checks_load_file: %s", err);
    free(path);
    struct check_run_opts o = {0};
    o.host = "lib-ap01";
    o.timeout = 30;
    /* A known_hosts nobody has: an SSH attempt could only fail. */
    char *kh = xasprintf("%s/known_hosts", f->dir);
    o.known_hosts = kh;
    struct check_report rep;
    if (checks_run(f->st, &set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_int_equal(rep.hosts, 1);
    assert_int_equal(rep.count, 2);
    assert_int_equal(rep.n_unknown_keys, 0);
    for (size_t i = 0; i < rep.count; i++) {
        const struct check_result *r = &rep.results[i];
        assert_null(strstr(r->detail, "unreachable"));
        assert_non_null(strstr(r->detail, "demo host"));
        if (strcmp(r->check_id, "here") == 0) {
            assert_true(r->ok);
            assert_true(r->has_value && r->value > 0);
        } else {
            assert_false(r->ok); /* NG from the real command's exit status */
        }
    }
    check_report_free(&rep);
    checks_free(&set);
    free(kh);
    assert_int_equal(count(f->st, "SELECT count(*) FROM checklist_events WHERE source = 'check' "
                                  "AND reason LIKE '%demo host%'"),
                     2);
}

int main(void)
{
    setenv("UNYO_NOW", NOW, 1);
    setenv("UNYO_USER", "yamada", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_day_so_far, setup_day, teardown),
        cmocka_unit_test_setup_teardown(test_day_untouched, setup_untouched, teardown),
        cmocka_unit_test_setup_teardown(test_host_transport, setup_untouched, teardown),
        cmocka_unit_test_setup_teardown(test_job_on_local_host, setup_day, teardown),
        cmocka_unit_test_setup_teardown(test_checks_on_local_host, setup_untouched, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
