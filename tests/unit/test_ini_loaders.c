/* Each INI loader on the files of issue 11: Debian's libinih split lines at
 * 200 bytes, so a 255-byte [sync] url lost its sslmode tail, the tail of a long
 * check name became "hosts = none-such", a 219-byte check command loaded cut,
 * and line numbers after a long line were off by one. Also: libraries.ini
 * reported the first error's line with the last error's message (and leaked
 * the others), and an empty jobs file did memcpy(dst, NULL, 0). */
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
#include "changes.h"
#include "checks.h"
#include "config.h"
#include "jobs.h"
#include "seed_data.h"
#include "shifts.h"
#include "sla.h"
#include "store.h"
#include "templates.h"
#include "util.h"

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/unyo-test-ini-loaders-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

static char *write_tmp(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* err must be "PATH:LINE: ..." containing needle. */
static void expect_at(const char *err, const char *path, int line, const char *needle)
{
    assert_non_null(err);
    char *prefix = xasprintf("%s:%d: ", path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("want \"%s...%s...\", got \"%s\"", prefix, needle, err);
    free(prefix);
}

/* The [sync] url of the issue: 255 bytes on its line, sslmode at the end. */
static char *long_url(void)
{
    static const char tail[] = " sslmode=verify-full sslrootcert=/etc/unyo/ca.pem";
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "host=central.example.org port=5432 dbname=unyo user=console1 ");
    while (strlen("url = ") + sb.len + strlen(tail) < 255)
        sb_putc(&sb, 'x');
    sb_puts(&sb, tail);
    return sb_detach(&sb);
}

static void test_config_long_sync_url(void **state)
{
    (void)state;
    char *url = long_url();
    char *text = xasprintf("[sync]\nurl = %s\ninterval = 30\n[consoles]\nprefix = C-a\n", url);
    char *path = write_tmp("config.ini", text);
    char *err = NULL;
    struct config *cfg = config_load(path, &err);
    if (!cfg)
        fail_msg("%s", err);
    assert_string_equal(config_get(cfg, "sync", "url"), url);
    assert_non_null(strstr(config_get(cfg, "sync", "url"), "sslmode=verify-full"));
    assert_string_equal(config_get(cfg, "sync", "interval"), "30");
    assert_null(config_get(cfg, "sync", "x"));
    assert_string_equal(config_get(cfg, "consoles", "prefix"), "C-a");
    config_free(cfg);
    free(text);

    /* An indented line goes on with the value (it used to replace it). */
    text = xasprintf("[sync]\nurl = host=central.example.org\n  sslmode=verify-full\n");
    free(path);
    path = write_tmp("config.ini", text);
    cfg = config_load(path, &err);
    assert_non_null(cfg);
    assert_string_equal(config_get(cfg, "sync", "url"),
                        "host=central.example.org sslmode=verify-full");
    config_free(cfg);
    free(text);

    /* A bad line after a long one: its own line number. */
    text = xasprintf("[sync]\nurl = %s\nbroken\n", url);
    free(path);
    path = write_tmp("config.ini", text);
    assert_null(config_load(path, &err));
    expect_at(err, path, 3, "key = value");
    free(err);
    free(text);
    free(path);
    free(url);
}

#define CHECK_REST                                                                                 \
    "template = L025\n"                                                                            \
    "command = df -P\n"                                                                            \
    "pattern = (?<use>\\d+)%%\n"                                                                   \
    "condition = use < 80\n"                                                                       \
    "value = use\n"

static void test_checks_long_lines(void **state)
{
    (void)state;
    /* The name's tail used to become a key of its own: hosts = none-such. */
    struct strbuf name = STRBUF_INIT;
    while (name.len < 190)
        sb_puts(&name, "Disk use ");
    sb_puts(&name, "hosts = none-such");
    char *text = xasprintf("[disk_use]\nname = %s\n" CHECK_REST, name.buf);
    char *path = write_tmp("long_name.ini", text);
    struct check_set set = {NULL, 0};
    char *err = NULL;
    if (checks_load_file(path, &set, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(set.count, 1);
    assert_string_equal(set.defs[0].name, name.buf);
    assert_null(set.defs[0].hosts); /* every host, as written */
    checks_free(&set);
    free(text);
    free(path);

    /* A 219-byte command line loads whole; indented lines still add lines. */
    struct strbuf cmd = STRBUF_INIT;
    sb_puts(&cmd, "awk -v n=\"$(nproc 2>/dev/null || echo 1)\" '{printf \"load_per_cpu=%.2f\\n\", "
                  "$2/n}' /proc/loadavg; echo checked");
    while (strlen("command = ") + cmd.len < 219)
        sb_putc(&cmd, '!');
    assert_int_equal(strlen("command = ") + cmd.len, 219);
    text = xasprintf("[cpu_load]\nname = CPU load\ntemplate = L025\ncommand = %s\n  echo done ; "
                     "a comment\npattern = load_per_cpu=(?<load>[0-9.]+)\ncondition = load < 2\n"
                     "value = load\n",
                     cmd.buf);
    path = write_tmp("long_command.ini", text);
    if (checks_load_file(path, &set, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(set.count, 1);
    char *want = xasprintf("%s\necho done", cmd.buf);
    assert_string_equal(set.defs[0].command, want);
    free(want);
    checks_free(&set);
    free(text);
    free(path);

    /* Line numbers after a long line are the file's. */
    text = xasprintf("[a]\nname = %s\n" CHECK_REST "severity = fatal\n", name.buf);
    path = write_tmp("after_long.ini", text);
    assert_int_equal(checks_load_file(path, &set, &err), -1);
    expect_at(err, path, 8, "severity");
    assert_int_equal(set.count, 0);
    free(err);
    free(text);
    free(path);
    sb_free(&name);
    sb_free(&cmd);

    /* An empty checks directory sorts no names (qsort on NULL was undefined). */
    char *empty = xasprintf("%s/nochecks", tmpdir);
    assert_int_equal(mkdir_p(empty, &err), 0);
    err = NULL;
    checks_load_dir(empty, &set, &err);
    checks_free(&set);
    free(err);
    free(empty);

    /* The shipped checks still load. */
    err = NULL;
    if (checks_load_file(UNYO_TEST_DATADIR "/checks/linux.ini", &set, &err) != 0)
        fail_msg("%s", err);
    assert_true(set.count >= 5);
    checks_free(&set);
}

static void test_jobs_empty_and_long(void **state)
{
    (void)state;
    /* An empty file, and a file of comments: no jobs, no memcpy from NULL. */
    char *path = write_tmp("empty.ini", "");
    struct job_defs defs = {NULL, 0};
    char *err = NULL;
    assert_int_equal(jobs_parse_file(path, &defs, &err), 0);
    assert_int_equal(defs.n, 0);
    free(path);
    path = write_tmp("comments.ini", "; nothing yet\n[draft]\n");
    assert_int_equal(jobs_parse_file(path, &defs, &err), 0);
    assert_int_equal(defs.n, 0);
    free(path);
    char *dir = xasprintf("%s/nojobs", tmpdir);
    assert_int_equal(mkdir_p(dir, &err), 0);
    assert_int_equal(jobs_parse_dir(dir, &defs, &err), 0);
    assert_int_equal(defs.n, 0);
    free(dir);
    jobs_defs_free(&defs);

    /* A 1000-byte step is one step, and the next line's error is on its line. */
    struct strbuf step = STRBUF_INIT;
    while (step.len < 1000)
        sb_puts(&step, "確認 ");
    char *text = xasprintf("[backup]\nname_ja = バックアップ\nname_en = Backup\nperiod = daily\n"
                           "step = %s\nstep = 2\n",
                           step.buf);
    path = write_tmp("long.ini", text);
    if (jobs_parse_file(path, &defs, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(defs.n, 1);
    assert_int_equal(defs.v[0].nsteps, 2);
    sb_free(&step);
    jobs_defs_free(&defs);
    free(text);
    free(path);
}

static void test_libraries_first_error(void **state)
{
    (void)state;
    char *db = xasprintf("%s/unyo.db", tmpdir);
    struct store *st = NULL;
    char *err = NULL;
    if (store_open(db, STORE_CREATE_NEW, &st, &err) != 0)
        fail_msg("%s", err);
    /* Two errors: the first one's line with the first one's message. */
    char *path = write_tmp("libraries.ini", "[CEN]\nname_ja = 中央\nname_en = Central\n"
                                            "colour = red\nkind = castle\n[CEN]\nshape = x\n");
    assert_int_equal(seed_install_libraries(st, path, &err), -1);
    expect_at(err, path, 4, "colour");
    assert_null(strstr(err, "castle"));
    free(err);
    err = NULL;
    free(path);

    /* A long address loads whole. */
    struct strbuf addr = STRBUF_INIT;
    while (addr.len < 600)
        sb_puts(&addr, "みどり市本町1-1-1 ");
    char *text = xasprintf("[CEN]\nname_ja = 中央図書館\nname_en = Central\nkind = central\n"
                           "address = %s\n",
                           addr.buf);
    path = write_tmp("libraries.ini", text);
    if (seed_install_libraries(st, path, &err) != 0)
        fail_msg("%s", err);
    sqlite3_stmt *s = store_stmt(st, "SELECT address FROM libraries WHERE code = 'CEN'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *want = xstrdup(addr.buf);
    size_t n = strlen(want);
    while (n && want[n - 1] == ' ')
        want[--n] = '\0'; /* trimmed like every value */
    assert_string_equal((const char *)sqlite3_column_text(s, 0), want);
    sqlite3_reset(s);
    free(want);
    sb_free(&addr);
    free(text);
    free(path);
    store_close(st);
    free(db);
}

static void test_changes_shifts_sla_lines(void **state)
{
    (void)state;
    struct strbuf big = STRBUF_INIT;
    while (big.len < 500)
        sb_puts(&big, "パッチ適用 {month} ");

    /* change template: a long step, then an error on the right line */
    char *text =
        xasprintf("[change]\ntitle = t\ndept = d\nstep = %s\nstep = two\nrisk = huge\n", big.buf);
    char *path = write_tmp("change.ini", text);
    struct change_template t;
    char *err = NULL;
    assert_int_equal(change_template_load(path, NULL, "2026-11", &t, &err), -1);
    expect_at(err, path, 6, "huge");
    free(err);
    err = NULL;
    free(text);
    free(path);
    text = xasprintf("[change]\ntitle = t\ndept = d\nstep = %s\nstep = two\n", big.buf);
    path = write_tmp("change.ini", text);
    if (change_template_load(path, NULL, "2026-11", &t, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(t.nsteps, 2);
    assert_true(strlen(t.steps[0]) > 500);
    assert_non_null(strstr(t.steps[0], "2026-11"));
    change_template_free(&t);
    free(text);
    free(path);

    /* shifts: a long name, then a bad time on its own line */
    text = xasprintf("[early]\nname_ja = %s\nstart = 07:00\nend = 25:00\n", big.buf);
    path = write_tmp("shifts.ini", text);
    struct shift_defs d;
    assert_int_equal(shift_defs_load(path, &d, &err), -1);
    expect_at(err, path, 4, "25:00");
    free(err);
    err = NULL;
    free(text);
    free(path);

    /* sla: a long comment-free line refused on its line, the next too */
    text = xasprintf("[general]\nwarning_percent = 75\n[P1]\nrecovery = %s\n", big.buf);
    path = write_tmp("sla.ini", text);
    struct sla_config cfg;
    assert_int_equal(sla_config_load(path, &cfg, &err), -1);
    expect_at(err, path, 4, "minutes");
    free(err);
    free(text);
    free(path);
    sb_free(&big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_long_sync_url),
        cmocka_unit_test(test_checks_long_lines),
        cmocka_unit_test(test_jobs_empty_and_long),
        cmocka_unit_test(test_libraries_first_error),
        cmocka_unit_test(test_changes_shifts_sla_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
