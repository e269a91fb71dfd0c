/* Start conditions (src/job_conditions.c): the `when` parser and its evaluation, the
 * close check's decision over sequences of sizes (start / wait / cut-off), durations and
 * paths, the check command's quoting, and the listing a host returns (hostile: control
 * characters escaped, lines that do not match the pattern ignored). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_conditions.h"
#include "textwidth.h"
#include "util.h"

static void when_exit(void **state)
{
    (void)state;
    struct job_when w;
    char *msg = NULL;
    assert_int_equal(job_when_parse("J1 exit == 0", &w, &msg), 0);
    assert_int_equal(w.kind, JOB_WHEN_EXIT);
    assert_string_equal(w.code, "J1");
    assert_true(job_when_exit_holds(&w, 0));
    assert_false(job_when_exit_holds(&w, 1));
    assert_int_equal(job_when_parse("  P015-BK exit>=4 ", &w, &msg), 0);
    assert_string_equal(w.code, "P015-BK");
    assert_false(job_when_exit_holds(&w, 3));
    assert_true(job_when_exit_holds(&w, 4));
    assert_true(job_when_exit_holds(&w, 255));
    static const struct {
        const char *text;
        int x, holds;
    } cases[] = {{"A exit != 0", 0, 0}, {"A exit != 0", 2, 1}, {"A exit <= 1", 1, 1},
                 {"A exit <= 1", 2, 0}, {"A exit > 1", 2, 1},  {"A exit > 1", 1, 0},
                 {"A exit < 1", 0, 1},  {"A exit < 1", 1, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(job_when_parse(cases[i].text, &w, &msg), 0);
        assert_int_equal(job_when_exit_holds(&w, cases[i].x), cases[i].holds);
    }
    char *t = job_when_text(&w);
    assert_non_null(strstr(t, "A"));
    free(t);
}

static void when_file(void **state)
{
    (void)state;
    struct job_when w;
    char *msg = NULL;
    assert_int_equal(job_when_parse("file /data/in/a b.csv exists", &w, &msg), 0);
    assert_int_equal(w.kind, JOB_WHEN_FILE_EXISTS);
    assert_string_equal(w.path, "/data/in/a b.csv");
    assert_int_equal(job_when_parse("file /data/*.ok missing", &w, &msg), 0);
    assert_int_equal(w.kind, JOB_WHEN_FILE_MISSING);
    assert_string_equal(w.path, "/data/*.ok");
}

static void when_bad(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "J1",
                                      "J1 exit",
                                      "J1 exit == ",
                                      "J1 exit = 0",
                                      "J1 exit == 0 and more",
                                      "J1 exit == -1",
                                      "J1 exit == 256",
                                      "J1 exit == 99999999999999999999",
                                      "J1 status == 0",
                                      "J$1 exit == 0",
                                      "file relative exists",
                                      "file /x",
                                      "file /x present",
                                      "file exists",
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 exit == 0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct job_when w;
        char *msg = NULL;
        if (job_when_parse(bad[i], &w, &msg) != -1)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(msg);
        assert_non_null(strstr(msg, "expected"));
        free(msg);
    }
}

static void seconds_and_paths(void **state)
{
    (void)state;
    assert_int_equal(job_conditions_parse_seconds("30"), 30);
    assert_int_equal(job_conditions_parse_seconds("30s"), 30);
    assert_int_equal(job_conditions_parse_seconds("2m"), 120);
    assert_int_equal(job_conditions_parse_seconds("1h"), 3600);
    assert_int_equal(job_conditions_parse_seconds("0"), 0);
    assert_int_equal(job_conditions_parse_seconds("86400"), 86400);
    assert_int_equal(job_conditions_parse_seconds("86401"), -1);
    assert_int_equal(job_conditions_parse_seconds("25h"), -1);
    assert_int_equal(job_conditions_parse_seconds("-1"), -1);
    assert_int_equal(job_conditions_parse_seconds("soon"), -1);
    assert_int_equal(job_conditions_parse_seconds("30 s"), -1);
    assert_int_equal(job_conditions_parse_seconds("99999999999999999999"), -1);
    assert_int_equal(job_conditions_path_valid("/data/in/*.csv"), 0);
    assert_int_equal(job_conditions_path_valid("/データ/受信?.csv"), 0);
    assert_int_equal(job_conditions_path_valid("data/in.csv"), -1);
    assert_int_equal(job_conditions_path_valid("/data/\x1b[2J"), -1);
    assert_int_equal(job_conditions_path_valid("/data/\xff"), -1);
    assert_int_equal(job_conditions_path_valid(""), -1);
}

/* The close check over a sequence of looks: sizes (-1: no file) at times (s). */
struct look {
    int64_t t;
    long long size;
    int want;
};

static void run_looks(const struct look *v, size_t n, int stable_s, int64_t cutoff_s)
{
    struct job_file_watch w = {0};
    for (size_t i = 0; i < n; i++) {
        struct job_file_seen seen = {0};
        if (v[i].size >= 0) {
            seen.found = 1;
            snprintf(seen.path, sizeof seen.path, "/in/a.csv");
            seen.size = v[i].size;
        }
        int got = job_wait_decide(&w, &seen, stable_s, cutoff_s * 1000, v[i].t * 1000);
        if (got != v[i].want)
            fail_msg("look %zu (t %lld, size %lld): %d, expected %d", i, (long long)v[i].t,
                     v[i].size, got, v[i].want);
    }
}

static void close_check(void **state)
{
    (void)state;
    /* appears, grows, stops growing: starts once unchanged for 30 s */
    static const struct look grow[] = {{100, -1, JOB_WAIT_WAIT}, {110, 10, JOB_WAIT_WAIT},
                                       {120, 20, JOB_WAIT_WAIT}, {130, 20, JOB_WAIT_WAIT},
                                       {149, 20, JOB_WAIT_WAIT}, {150, 20, JOB_WAIT_START}};
    run_looks(grow, sizeof grow / sizeof *grow, 30, 0);
    /* no stability asked: the first sight starts it */
    static const struct look at_once[] = {{100, -1, JOB_WAIT_WAIT}, {110, 0, JOB_WAIT_START}};
    run_looks(at_once, 2, 0, 0);
    /* never comes: cut-off */
    static const struct look never[] = {
        {100, -1, JOB_WAIT_WAIT}, {199, -1, JOB_WAIT_WAIT}, {200, -1, JOB_WAIT_CUTOFF}};
    run_looks(never, 3, 30, 200);
    /* still growing at the cut-off: cut-off, not a start on a half-written file */
    static const struct look late[] = {
        {150, 10, JOB_WAIT_WAIT}, {190, 20, JOB_WAIT_WAIT}, {205, 30, JOB_WAIT_CUTOFF}};
    run_looks(late, 3, 30, 200);
    /* settled before the cut-off, seen settled after it: starts (the file was there) */
    static const struct look settled[] = {{150, 10, JOB_WAIT_WAIT}, {210, 10, JOB_WAIT_START}};
    run_looks(settled, 2, 30, 200);
    /* shrinks (rewritten) and disappears: the clock starts again */
    static const struct look redo[] = {{100, 50, JOB_WAIT_WAIT}, {125, 40, JOB_WAIT_WAIT},
                                       {140, -1, JOB_WAIT_WAIT}, {150, 40, JOB_WAIT_WAIT},
                                       {170, 40, JOB_WAIT_WAIT}, {180, 40, JOB_WAIT_START}};
    run_looks(redo, sizeof redo / sizeof *redo, 30, 0);
}

static void another_file(void **state)
{
    (void)state;
    /* the same size under another name is another file: its clock starts anew */
    struct job_file_watch w = {0};
    struct job_file_seen a = {1, "/in/a.csv", 10}, b = {1, "/in/b.csv", 10};
    assert_int_equal(job_wait_decide(&w, &a, 10, 0, 0), JOB_WAIT_WAIT);
    assert_int_equal(job_wait_decide(&w, &b, 10, 0, 20000), JOB_WAIT_WAIT);
    assert_int_equal(job_wait_decide(&w, &b, 10, 0, 30000), JOB_WAIT_START);
}

static void command_quoting(void **state)
{
    (void)state;
    char *c = job_wait_command("/data/it's $HOME/`x`;rm -rf /*.csv");
    /* literal parts quoted, the glob characters not */
    assert_non_null(strstr(c, "for __unyo_f in '/data/it'\\''s $HOME/`x`;rm -rf /'*'.csv';"));
    free(c);
    c = job_wait_command("/in/a?.dat");
    assert_non_null(strstr(c, "'/in/a'?'.dat'"));
    free(c);
}

static void listing(void **state)
{
    (void)state;
    struct job_file_seen s;
    const char out[] = "noise\n@@unyo-wait 12 /etc/passwd\n@@unyo-wait x /in/a.csv\n"
                       "@@unyo-wait 99999999999999999999 /in/a.csv\n"
                       "@@unyo-wait 34 /in/\x1b[2Ja.csv\n@@unyo-wait 56 /in/b.csv\n";
    job_wait_parse_listing(out, sizeof out - 1, "/in/*.csv", &s);
    assert_int_equal(s.found, 1);
    assert_int_equal(s.size, 34);
    assert_string_equal(s.path, "/in/\\x1b[2Ja.csv");
    assert_null(strchr(s.path, '\x1b'));
    job_wait_parse_listing("@@unyo-wait 5 /in/sub/a.csv\n", 27, "/in/*.csv", &s);
    assert_int_equal(s.found, 0); /* * does not cross a / */
    job_wait_parse_listing("@@unyo-wait 5 /in/[x].csv", 25, "/in/[x].csv", &s);
    assert_int_equal(s.found, 1); /* [ ] are literal */
    job_wait_parse_listing("", 0, "/in/*.csv", &s);
    assert_int_equal(s.found, 0);
    job_wait_parse_listing(NULL, 0, "/in/*.csv", &s);
    assert_int_equal(s.found, 0);
    /* escaped, a name grows fourfold: cut to the field between characters (found by
     * tests/fuzz/fuzz_job_conditions) */
    struct strbuf long_line = STRBUF_INIT;
    sb_puts(&long_line, "@@unyo-wait 9 /in/x");
    for (int i = 0; i < 254; i++)
        sb_putc(&long_line, '\x01');
    sb_puts(&long_line, "\xc3\xa9\xc3\xa9.csv\n");
    job_wait_parse_listing(long_line.buf, long_line.len, "/in/*.csv", &s);
    assert_int_equal(s.found, 1);
    assert_int_equal(strlen(s.path), 1023);
    assert_true(utf8_valid(s.path, strlen(s.path)));
    sb_free(&long_line);
    const char nul[] = "@@unyo-wait 5 /in/a\0b.csv\n";
    job_wait_parse_listing(nul, sizeof nul - 1, "/in/*.csv", &s);
    assert_int_equal(s.found, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(when_exit),       cmocka_unit_test(when_file),
        cmocka_unit_test(when_bad),        cmocka_unit_test(seconds_and_paths),
        cmocka_unit_test(close_check),     cmocka_unit_test(another_file),
        cmocka_unit_test(command_quoting), cmocka_unit_test(listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
