/* Checks on a schedule: the interval and hours keys of a check file, and which
 * host x check pairs are due (src/check_sched.c, src/check_due.c). */
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
#include "check_due.h"
#include "check_sched.h"
#include "checks.h"
#include "operators.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

static int load_text(const char *text, struct check_set *set, char **err)
{
    char path[] = "/tmp/unyo-test-checkdue-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int rc = checks_load_file(path, set, err);
    unlink(path);
    return rc;
}

static void test_interval_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t s;
    } good[] = {{"30s", 30},      {"5m", 300},         {"1h30m", 5400},
                {"1h 30m", 5400}, {" 2h ", 7200},      {"1d", 86400},
                {"90m", 5400},    {"1d1h1m1s", 90061}, {"366d", 366LL * 86400}};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        int64_t s = 0;
        if (check_interval_parse(good[i].text, &s) != 0)
            fail_msg("refused: %s", good[i].text);
        assert_int_equal(s, good[i].s);
    }
    static const char *const bad[] = {"",
                                      "0",
                                      "0m",
                                      "5",
                                      "-5m",
                                      "5x",
                                      "m",
                                      "1m1h",
                                      "1h1h",
                                      "367d",
                                      "5 m x",
                                      "1.5h",
                                      "99999999999999999999m"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t s = 7;
        if (check_interval_parse(bad[i], &s) == 0)
            fail_msg("accepted: \"%s\"", bad[i]);
        assert_int_equal(s, 7); /* untouched */
    }
    char buf[32];
    check_interval_format(5400, buf, sizeof buf);
    assert_string_equal(buf, "1h30m");
    check_interval_format(300, buf, sizeof buf);
    assert_string_equal(buf, "5m");
    check_interval_format(90061, buf, sizeof buf);
    assert_string_equal(buf, "1d1h1m1s");
    check_interval_format(0, buf, sizeof buf);
    assert_string_equal(buf, "");
}

static void test_load_schedule(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    assert_int_equal(load_text("[a]\ntemplate = L025\ninterval = 1h30m\nhours = service\n"
                               "command = x\npattern = x\n"
                               "[b]\ntemplate = L025\ncommand = x\npattern = x\n"
                               "[c]\ntemplate = L025\ninterval = 5m\nhours = always\n"
                               "command = x\npattern = x\n",
                               &set, &err),
                     0);
    assert_int_equal(set.count, 3);
    assert_int_equal(set.defs[0].interval_s, 5400);
    assert_int_equal(set.defs[0].service_hours, 1);
    assert_int_equal(set.defs[1].interval_s, 0); /* not scheduled: on demand */
    assert_int_equal(set.defs[2].interval_s, 300);
    assert_int_equal(set.defs[2].service_hours, 0);
    checks_free(&set);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[a]\ntemplate = L025\ncommand = x\ninterval = 0\npattern = x\n",
         ":4: bad interval \"0\""},
        {"[a]\ntemplate = L025\ninterval = -1m\n", ":3: bad interval \"-1m\""},
        {"[a]\ntemplate = L025\ninterval = 5\n", ":3: bad interval \"5\""},
        {"[a]\ntemplate = L025\nhours = office\n", ":3: hours is service"},
        {"[a]\ntemplate = L025\ncommand = x\npattern = x\nhours = service\n",
         "check [a] has hours = service but no interval"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err = NULL;
        assert_int_equal(load_text(bad[i].text, &set, &err), -1);
        if (!err || !strstr(err, bad[i].want))
            fail_msg("%s: got %s", bad[i].want, err ? err : "(null)");
        free(err);
        assert_int_equal(set.count, 0); /* nothing half-loaded */
    }
}

static void test_pairs(void **state)
{
    (void)state;
    struct check_pairs p = {0};
    assert_false(check_pairs_has(&p, "h1", 0));
    check_pairs_add(&p, "h2", 1);
    check_pairs_add(&p, "h1", 3);
    check_pairs_add(&p, "h1", 0);
    check_pairs_sort(&p);
    assert_true(check_pairs_has(&p, "h1", 0));
    assert_true(check_pairs_has(&p, "h1", 3));
    assert_true(check_pairs_has(&p, "h2", 1));
    assert_false(check_pairs_has(&p, "h2", 0));
    assert_false(check_pairs_has(&p, "h3", 1));
    check_pairs_free(&p);
}

static struct store *st;
static char tid[ID_LEN + 1], opid[ID_LEN + 1];

/* A result of check `check` on host H1, dated `at` (JST text), with this hlc. */
static void result(const char *check, const char *at_jst, int64_t hlc)
{
    int64_t ms;
    assert_int_equal(time_parse(at_jst, &ms), 0);
    char at[TIME_ISO_LEN + 1], id[ID_LEN + 1];
    time_format_iso(ms, at);
    id_new(id);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO checklist_events(id, day, template_id, host_id, status, note, source, "
            "operator_id, at, hlc, origin) VALUES(?1, '2026-12-07', ?2, "
            "'01900000-0000-7000-8000-000000000001', 'ok', ?3, 'check', ?4, ?5, ?6, 'o')");
    char *note = xasprintf("check=%s", check);
    bind_text(s, 1, id);
    bind_text(s, 2, tid);
    bind_text(s, 3, note);
    bind_text(s, 4, opid);
    bind_text(s, 5, at);
    bind_int(s, 6, hlc);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    free(note);
}

static int64_t at(const char *jst)
{
    int64_t ms;
    assert_int_equal(time_parse(jst, &ms), 0);
    return ms;
}

static void test_due(void **state)
{
    (void)state;
    char dir[] = "/tmp/unyo-test-checkdue-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *db = xasprintf("%s/unyo.db", dir);
    setenv("UNYO_USER", "alice", 1);
    char *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &st, &err), 0);
    struct template_set ts = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &ts, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(seed_install_templates(st, &ts, &err), 0);
    templates_free(&ts);
    assert_int_equal(operator_add(st, "alice", "Alice", "operator", NULL, &err), 0);
    assert_int_equal(store_require_operator(st, &err), 0);
    snprintf(opid, sizeof opid, "%s", st->operator_id);
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM templates WHERE code = 'L025'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(tid, sizeof tid, "%s", col_text(s, 0));
    sqlite3_reset(s);
    assert_int_equal(
        store_exec(st,
                   "INSERT INTO hosts(id, name, address, created_at, updated_at, hlc, origin) "
                   "VALUES('01900000-0000-7000-8000-000000000001', 'h1', '192.0.2.1', 'x', 'x', "
                   "1, 'o'), ('01900000-0000-7000-8000-000000000002', 'h2', '192.0.2.2', 'x', "
                   "'x', 1, 'o'), ('01900000-0000-7000-8000-000000000003', 'noreach', NULL, "
                   "'x', 'x', 1, 'o')",
                   &err),
        0);
    const char *H1 = "01900000-0000-7000-8000-000000000001";
    struct check_set set = {0};
    assert_int_equal(load_text("[five]\ntemplate = L025\ninterval = 5m\ncommand = x\npattern = x\n"
                               "[svc]\ntemplate = L025\ninterval = 1h\nhours = service\n"
                               "command = x\npattern = x\n"
                               "[manual]\ntemplate = L025\ncommand = x\npattern = x\n",
                               &set, &err),
                     0);
    char *calpath = xasprintf("%s/calendar.ini", UNYO_TEST_DATADIR);
    struct calendar *cal = calendar_load(calpath, &err);
    free(calpath);
    assert_non_null(cal);
    struct check_due d;

    /* Never ran: five and svc are due on both reachable hosts; manual never is. */
    int64_t mon10 = at("2026-12-07T10:00:00+09:00");
    assert_int_equal(checks_due(st, &set, cal, mon10, NULL, NULL, &d, &err), 0);
    assert_int_equal(d.due.count, 4);
    assert_int_equal(d.on_demand, 2);
    assert_true(check_pairs_has(&d.due, H1, 0));
    assert_true(check_pairs_has(&d.due, H1, 1));
    assert_false(check_pairs_has(&d.due, H1, 2));
    check_due_free(&d);
    /* --host and --item narrow it. */
    assert_int_equal(checks_due(st, &set, cal, mon10, "h1", "five", &d, &err), 0);
    assert_int_equal(d.due.count, 1);
    assert_int_equal(d.on_demand, 0);
    check_due_free(&d);

    /* five ran at 09:58: waits until 10:03. */
    result("five", "2026-12-07T09:58:00+09:00", 100);
    assert_int_equal(checks_due(st, &set, cal, mon10, "h1", NULL, &d, &err), 0);
    assert_false(check_pairs_has(&d.due, H1, 0));
    assert_int_equal(d.waiting, 1);
    assert_int_equal(d.next_ms, at("2026-12-07T10:03:00+09:00"));
    check_due_free(&d);
    assert_int_equal(
        checks_due(st, &set, cal, at("2026-12-07T10:03:00+09:00"), "h1", "five", &d, &err), 0);
    assert_int_equal(d.due.count, 1); /* exactly one interval old: due */
    check_due_free(&d);

    /* A later write (by hlc) dated 09:50 by a process whose clock is behind: the
     * latest result is that one, not the one with the largest at. */
    result("five", "2026-12-07T09:50:00+09:00", 200);
    assert_int_equal(checks_due(st, &set, cal, mon10, "h1", "five", &d, &err), 0);
    assert_int_equal(d.due.count, 1);
    check_due_free(&d);
    /* A result dated more than an interval ahead (the clock was set back) does not
     * hold the check back; one less than an interval ahead does. */
    result("five", "2026-12-07T10:06:00+09:00", 300);
    assert_int_equal(checks_due(st, &set, cal, mon10, "h1", "five", &d, &err), 0);
    assert_int_equal(d.due.count, 1);
    check_due_free(&d);
    result("five", "2026-12-07T10:04:00+09:00", 400);
    assert_int_equal(checks_due(st, &set, cal, mon10, "h1", "five", &d, &err), 0);
    assert_int_equal(d.due.count, 0);
    assert_int_equal(d.waiting, 1);
    check_due_free(&d);

    /* hours = service: not before 07:00, not on a closed day (2026-12-29). */
    assert_int_equal(
        checks_due(st, &set, cal, at("2026-12-08T05:00:00+09:00"), "h1", "svc", &d, &err), 0);
    assert_int_equal(d.due.count, 0);
    assert_int_equal(d.out_of_hours, 1);
    assert_int_equal(d.next_ms, at("2026-12-08T07:00:00+09:00"));
    check_due_free(&d);
    assert_int_equal(
        checks_due(st, &set, cal, at("2026-12-29T10:00:00+09:00"), "h1", "svc", &d, &err), 0);
    assert_int_equal(d.due.count, 0);
    assert_int_equal(d.out_of_hours, 1);
    check_due_free(&d);
    assert_int_equal(
        checks_due(st, &set, cal, at("2026-12-08T07:00:00+09:00"), "h1", "svc", &d, &err), 0);
    assert_int_equal(d.due.count, 1);
    check_due_free(&d);
    /* No calendar given: the built-in hours (07:00-24:00 but Sunday). */
    assert_int_equal(
        checks_due(st, &set, NULL, at("2026-12-08T05:00:00+09:00"), "h1", "svc", &d, &err), 0);
    assert_int_equal(d.out_of_hours, 1);
    check_due_free(&d);

    calendar_free(cal);
    checks_free(&set);
    store_close(st);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_parse),
        cmocka_unit_test(test_load_schedule),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
