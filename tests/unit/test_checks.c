#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checklist.h"
#include "checks.h"
#include "operators.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "textwidth.h"
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
    /* the server's words are quoted as its output (in Japanese: 出力: 「…」) */
    assert_non_null(strstr(o.detail, "output: \"df: command not found\""));
    check_outcome_clear(&o);

    check_evaluate(d, "garbage\n", 8, 0, "", &o, &err);
    assert_false(o.ok);
    assert_non_null(strstr(o.detail, "did not match"));
    assert_non_null(strstr(o.detail, "output: \"garbage\""));
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

/* A server's reason never carries control sequences or invalid UTF-8. */
static void test_evaluate_hostile_output(void **state)
{
    (void)state;
    struct check_set set = {0};
    char *err = NULL;
    assert_int_equal(load_text("[alive]\ntemplate = L025\ncommand = true\npattern = ^alive$\n"
                               "[num]\ntemplate = L025\ncommand = true\n"
                               "pattern = v=(?<v>\\S+)\ncondition = v < 5\n",
                               &set, &err),
                     0);
    static const char hostile[] = "\x1b]52;c;aGVsbG8=\a\x1b]0;pwned\a\x1b[2J\xff\xfe ok\n";
    struct check_outcome o;
    check_evaluate(find(&set, "alive"), hostile, sizeof hostile - 1, 0, NULL, &o, &err);
    assert_false(o.ok);
    assert_null(strchr(o.detail, '\x1b'));
    assert_null(strchr(o.detail, '\a'));
    assert_true(utf8_valid(o.detail, strlen(o.detail)));
    check_outcome_clear(&o);
    static const char bad_num[] = "v=\x1b[31m\xff\n";
    check_evaluate(find(&set, "num"), bad_num, sizeof bad_num - 1, 0, NULL, &o, &err);
    assert_false(o.ok);
    assert_null(strchr(o.detail, '\x1b'));
    assert_true(utf8_valid(o.detail, strlen(o.detail)));
    check_outcome_clear(&o);
    checks_free(&set);
}

/* A host that cannot be reached: every check of it is NG ("unreachable: ..."),
 * recorded by the check run, not skipped by the operator, with the full reason;
 * and each NG has its incident draft. */
static void test_unreachable_is_ng_by_the_run(void **state)
{
    (void)state;
    char dir[] = "/tmp/unyo-test-checkrun-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *db = xasprintf("%s/unyo.db", dir);
    char *kh = xasprintf("%s/known_hosts", dir);
    char *cfg = xasprintf("%s/ssh_config", dir);
    fclose(fopen(kh, "w"));
    fclose(fopen(cfg, "w"));
    setenv("UNYO_NOW", "2026-11-24T10:00:00+09:00", 1);
    setenv("UNYO_USER", "alice", 1);
    struct store *st;
    char *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &st, &err), 0);
    struct template_set ts = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &ts, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(seed_install_templates(st, &ts, &err), 0);
    templates_free(&ts);
    assert_int_equal(operator_add(st, "alice", "Alice", "operator", NULL, &err), 0);
    /* A port nobody listens on: bind, read the port, close. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    int port = ntohs(a.sin_port);
    close(fd);
    char *sql = xasprintf("INSERT INTO hosts(id, name, address, ssh_user, ssh_port, created_at, "
                          "updated_at, hlc, origin) VALUES('01900000-0000-7000-8000-000000000001', "
                          "'down1', '127.0.0.1', 'root', %d, 'x', 'x', 1, 'o')",
                          port);
    assert_int_equal(store_exec(st, sql, &err), 0);
    free(sql);
    struct check_set set = {0};
    assert_int_equal(load_text("[alive]\ntemplate = L025\ncommand = echo alive\n"
                               "pattern = ^alive$\nseverity = critical\n"
                               "[memory]\ntemplate = L025\ncommand = echo m=1\n"
                               "pattern = m=(?<m>\\d+)\ncondition = m < 90\n",
                               &set, &err),
                     0);
    struct check_run_opts o = {0};
    o.known_hosts = kh;
    o.ssh_config = cfg;
    o.timeout = 30;
    struct check_report rep;
    /* No library to file a draft under: the results are recorded all the same. */
    if (checks_run(st, &set, &o, &rep, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(rep.ng, 2);
    assert_non_null(rep.results[0].incident_error);
    assert_int_equal(rep.results[0].incident_ref[0], 0);
    check_report_free(&rep);
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM checklist_events WHERE status = 'ng'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 2);
    sqlite3_reset(s);
    s = store_stmt(st, "SELECT count(*) FROM incidents");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_reset(s);
    assert_int_equal(seed_install_libraries(st, UNYO_TEST_DATADIR "/libraries.ini", &err), 0);
    if (checks_run(st, &set, &o, &rep, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(rep.count, 2);
    assert_int_equal(rep.ng, 2);
    for (size_t i = 0; i < rep.count; i++) {
        assert_false(rep.results[i].ok);
        assert_false(rep.results[i].skipped);
        assert_non_null(strstr(rep.results[i].detail, "unreachable: connection refused: "));
        assert_true(rep.results[i].incident_created);
        assert_null(rep.results[i].incident_error);
    }
    /* Stored: NG, source check, by the check-run actor, the reason whole. */
    s = store_stmt(
        st, "SELECT count(*) FROM checklist_events e JOIN operators o ON o.id = e.operator_id "
            "WHERE e.status = 'ng' AND e.source = 'check' AND o.login = '" CHECKLIST_CHECK_ACTOR
            "' AND e.reason LIKE 'unreachable: connection refused: %'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 4);
    sqlite3_reset(s);
    s = store_stmt(st, "SELECT count(*) FROM checklist_events WHERE status = 'skip'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_reset(s);
    /* One draft per host x check, linked to the results; created by the check run. */
    s = store_stmt(st, "SELECT count(*) FROM incidents i JOIN operators o ON o.id = i.created_by "
                       "WHERE i.status = 'draft' AND o.login = '" CHECKLIST_CHECK_ACTOR "'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 2);
    sqlite3_reset(s);
    /* The operator who started the run is still the acting operator. */
    assert_string_equal(st->operator_login, "alice");
    check_report_free(&rep);
    /* A second run adds to the open drafts instead of opening new ones. */
    if (checks_run(st, &set, &o, &rep, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(rep.ng, 2);
    assert_false(rep.results[0].incident_created);
    assert_true(rep.results[0].incident_ref[0] != 0);
    check_report_free(&rep);
    s = store_stmt(st, "SELECT count(*) FROM incidents");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 2);
    sqlite3_reset(s);
    checks_free(&set);
    store_close(st);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(db), free(kh), free(cfg);
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
        cmocka_unit_test(test_evaluate_hostile_output),
        cmocka_unit_test(test_unreachable_is_ng_by_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
