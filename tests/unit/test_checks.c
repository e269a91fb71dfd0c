#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "util.h"

static char *write_tmp(const char *text)
{
    char *path = xstrdup("/tmp/unyo-test-checks-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int load_text(const char *text, struct check_set *set, char **err)
{
    char *p = write_tmp(text);
    int rc = checks_load_file(p, set, err);
    unlink(p);
    free(p);
    return rc;
}

static const struct check_def *find(const struct check_set *s, const char *id)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->defs[i].id, id) == 0)
            return &s->defs[i];
    fail_msg("no check %s", id);
    return NULL;
}

static const char *DISK =
    "[disk]\n"
    "name = Disk\n"
    "template = L025\n"
    "command = df -P\n"
    "pattern = ^\\S+\\s+\\d+\\s+\\d+\\s+\\d+\\s+(?<use>\\d+)%\\s+(?<mount>/\\S*)$\n"
    "each = yes\n"
    "condition = use < 80\n"
    "value = use\n"
    "label = mount\n"
    "unit = %\n"
    "metric = disk_used_pct\n"
    "\n"
    "[backup]\n"
    "template = L026\n"
    "roles = backup, DB\n"
    "hosts = lib-*, !lib-test*\n"
    "backup_path = /var/backups/it's here\n"
    "command = p={backup_path}\n"
    "  echo \"age_hours=$(( ($(date +%s) - $(stat -c %Y \"$p\")) / 3600 )) since={since}\"\n"
    "pattern = age_hours=(?<age_hours>-?\\d+)\n"
    "condition = age_hours < 26\n"
    "condition = age_hours >= 0\n"
    "value = age_hours\n"
    "severity = critical\n"
    "\n"
    "[linux_only]\n"
    "template = L033\n"
    "os = !Windows*\n"
    "command = true\n"
    "pattern = x\n";

static const char *DF_OK = "Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                           "/dev/sda1 100 45 55 45% /\n"
                           "/dev/sda2 100 12 88 12% /var\n";
static const char *DF_NG = "Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                           "/dev/sda1 100 45 55 45% /\n"
                           "/dev/sda2 100 91 9 91% /var\n"
                           "/dev/sda3 100 85 15 85% /srv\n";

static void test_load(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    assert_int_equal(load_text(DISK, &set, &err), 0);
    assert_int_equal(set.count, 3);
    const struct check_def *d = find(&set, "disk");
    assert_string_equal(d->template_code, "L025");
    assert_int_equal(d->each, 1);
    assert_int_equal(d->n_conds, 1);
    assert_string_equal(d->severity, "warning"); /* default */
    const struct check_def *b = find(&set, "backup");
    assert_int_equal(b->n_conds, 2);
    assert_non_null(strchr(b->command, '\n')); /* continuation line kept as a new line */
    assert_string_equal(find(&set, "linux_only")->name, "linux_only");
    checks_free(&set);
}

static void test_load_errors(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    assert_int_equal(load_text("[a]\ntemplate = L025\ncommand = x\n", &set, &err), -1);
    assert_non_null(strstr(err, "needs pattern"));
    free(err);
    err = NULL;
    assert_int_equal(load_text("[a]\ntemplate = L025\ncommand = x\npattern = (?<v>\\d+)\n"
                               "condition = w < 3\n",
                               &set, &err),
                     -1);
    assert_non_null(strstr(err, "does not capture"));
    free(err);
    err = NULL;
    assert_int_equal(load_text("[a]\ntemplate = L025\ncommand = x\npattern = (\ncondition = v "
                               "< 3\n",
                               &set, &err),
                     -1);
    free(err);
    err = NULL;
    assert_int_equal(load_text("[a]\ntemplate = L025\ncondition = use <> 3\n", &set, &err), -1);
    assert_non_null(strstr(err, ":3: bad condition"));
    free(err);
    err = NULL;
    assert_int_equal(
        load_text("[a]\ntemplate=L1\ncommand=x\npattern=x\n[a]\nname=again\n", &set, &err), -1);
    assert_non_null(strstr(err, "twice"));
    free(err);
    err = NULL;
    assert_int_equal(load_text("[a]\nBad-Key = 1\n", &set, &err), -1);
    assert_non_null(strstr(err, "unknown key"));
    free(err);
    err = NULL;
    /* nothing half-loaded */
    assert_int_equal(set.count, 0);
}

static void test_evaluate_disk(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    assert_int_equal(load_text(DISK, &set, &err), 0);
    const struct check_def *d = find(&set, "disk");
    struct check_outcome o;
    assert_int_equal(check_evaluate(d, DF_OK, strlen(DF_OK), 0, "", &o, &err), 0);
    assert_true(o.ok);
    assert_true(o.has_value);
    assert_true(o.value == 45);
    check_outcome_clear(&o);

    check_evaluate(d, DF_NG, strlen(DF_NG), 0, "", &o, &err);
    assert_false(o.ok);
    assert_true(o.value == 91); /* max */
    assert_non_null(strstr(o.detail, "/var: use=91 (limit: use < 80)"));
    assert_non_null(strstr(o.detail, "/srv: use=85"));
    assert_null(strstr(o.detail, "/: "));
    check_outcome_clear(&o);

    const char *junk = "df: command not found";
    check_evaluate(d, "", 0, 127, junk, &o, &err);
    assert_false(o.ok);
    assert_non_null(strstr(o.detail, "exit status 127"));
    assert_non_null(strstr(o.detail, "command not found"));
    check_outcome_clear(&o);

    check_evaluate(d, "garbage\n", 8, 0, "", &o, &err);
    assert_false(o.ok);
    assert_non_null(strstr(o.detail, "did not match"));
    check_outcome_clear(&o);
    checks_free(&set);
}

static void test_evaluate_conditions(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    assert_int_equal(load_text(DISK, &set, &err), 0);
    const struct check_def *b = find(&set, "backup");
    struct check_outcome o;
    check_evaluate(b, "age_hours=3 since=1\n", 20, 0, "", &o, &err);
    assert_true(o.ok);
    assert_true(o.value == 3);
    check_outcome_clear(&o);
    check_evaluate(b, "age_hours=26\n", 13, 0, "", &o, &err);
    assert_false(o.ok); /* < 26 is strict */
    check_outcome_clear(&o);
    check_evaluate(b, "age_hours=-2\n", 13, 0, "", &o, &err);
    assert_false(o.ok); /* clock skew: a file from the future */
    assert_non_null(strstr(o.detail, "age_hours >= 0"));
    check_outcome_clear(&o);
    /* Output that is not UTF-8 must not break matching. */
    const char bad[] = "\xff\xfe age_hours=1\n";
    check_evaluate(b, bad, sizeof bad - 1, 0, "", &o, &err);
    assert_true(o.ok);
    check_outcome_clear(&o);
    checks_free(&set);
}

static void test_selects_and_command(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    assert_int_equal(load_text(DISK, &set, &err), 0);
    const struct check_def *b = find(&set, "backup");
    assert_true(check_selects(b, "lib-bk01", "backup", "RHEL 8.9"));
    assert_true(check_selects(b, "lib-db01", "DB", NULL));
    assert_false(check_selects(b, "lib-ap01", "AP", NULL));
    assert_false(check_selects(b, "lib-test1", "DB", NULL));
    assert_false(check_selects(b, "other-db", "DB", NULL));
    const struct check_def *l = find(&set, "linux_only");
    assert_true(check_selects(l, "x", "AP", "Debian 12"));
    assert_true(check_selects(l, "x", "AP", NULL));
    assert_false(check_selects(l, "x", "AD", "Windows Server 2019"));

    char *cmd = check_command(b, 1700000000);
    assert_non_null(strstr(cmd, "p='/var/backups/it'\\''s here'"));
    assert_non_null(strstr(cmd, "since=1700000000"));
    free(cmd);
    checks_free(&set);
}

static void test_shipped_checks_load(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    char *dir = xasprintf("%s/checks", UNYO_TEST_DATADIR);
    int rc = checks_load_dir(dir, &set, &err);
    if (rc != 0)
        fail_msg("%s", err);
    free(dir);
    assert_true(set.count >= 9);
    const char *ids[] = {"alive",      "cpu_load",    "memory",    "disk_use",  "backup_age",
                         "av_pattern", "time_offset", "processes", "log_errors"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        find(&set, ids[i]);
    /* The shipped disk check on real df output. */
    struct check_outcome o;
    check_evaluate(find(&set, "disk_use"), DF_NG, strlen(DF_NG), 0, "", &o, &err);
    assert_false(o.ok);
    check_outcome_clear(&o);
    const char *mem = "mem_used_pct=42\n";
    check_evaluate(find(&set, "memory"), mem, strlen(mem), 0, "", &o, &err);
    assert_true(o.ok);
    assert_true(o.value == 42);
    check_outcome_clear(&o);
    const char *procs = "proc=sshd running=2\nproc=cron running=0\n";
    check_evaluate(find(&set, "processes"), procs, strlen(procs), 0, "", &o, &err);
    assert_false(o.ok);
    assert_non_null(strstr(o.detail, "cron: running=0"));
    check_outcome_clear(&o);
    checks_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_evaluate_disk),
        cmocka_unit_test(test_evaluate_conditions),
        cmocka_unit_test(test_selects_and_command),
        cmocka_unit_test(test_shipped_checks_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
