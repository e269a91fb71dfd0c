/* Job definitions, the day's queue and the runner: loader errors (FILE:LINE, unknown host,
 * cycles), due runs for every period, claim exclusivity between two processes, dependency
 * order, concurrency groups, timeout, retry, hold/cancel/rerun, crash recovery, failure ->
 * incident draft, output cap, expected files, delay flags, deliveries.
 * Commands run through job_exec_local, the TEST executor (sh -c on this machine). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "job_runner.h"
#include "jobs.h"
#include "operators.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define DAY "2026-11-24" /* a Tuesday */

struct fixture {
    char dir[64];
    char *db;
    struct store *st;
    struct calendar *cal;
};

static void add_host(struct store *st, const char *name)
{
    char id[ID_LEN + 1];
    id_new(id);
    char *sql = xasprintf("INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                          "VALUES('%s', '%s', 'x', 'x', 1, 'o')",
                          id, name);
    char *err = NULL;
    assert_int_equal(store_exec(st, sql, &err), 0);
    free(sql);
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

static char *state_of(struct store *st, const char *code)
{
    char *sql = xasprintf("SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                          "WHERE j.code = '%s' AND r.due_day = '" DAY "'",
                          code);
    char *v = text(st, sql);
    free(sql);
    return v;
}

static void assert_state(struct store *st, const char *code, const char *want)
{
    char *s = state_of(st, code);
    if (!s || strcmp(s, want) != 0)
        fail_msg("%s: state %s, expected %s", code, s ? s : "(none)", want);
    free(s);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-jobs-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = xasprintf("%s/unyo.db", f->dir);
    char *err = NULL;
    assert_int_equal(store_open(f->db, STORE_CREATE_NEW, &f->st, &err), 0);
    setenv("UNYO_USER", "alice", 1);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", NULL, &err), 0);
    f->st->operator_id[0] = 0;
    add_host(f->st, "ap1");
    add_host(f->st, "db1");
    f->cal = calendar_new_default();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->st)
        store_close(f->st);
    calendar_free(f->cal);
    char *cmd = xasprintf("rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f->db);
    free(f);
    return 0;
}

/* Writes content (with @DIR@ replaced by the fixture dir) to DIR/name. */
static char *write_defs(struct fixture *f, const char *name, const char *content)
{
    char *path = xasprintf("%s/%s", f->dir, name);
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = content; *p;) {
        const char *hit = strstr(p, "@DIR@");
        if (!hit) {
            sb_puts(&sb, p);
            break;
        }
        sb_add(&sb, p, (size_t)(hit - p));
        sb_puts(&sb, f->dir);
        p = hit + 5;
    }
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(sb.buf, fp);
    fclose(fp);
    sb_free(&sb);
    return path;
}

static int install(struct fixture *f, const char *content, char **err)
{
    char *path = write_defs(f, "jobs.ini", content);
    struct job_defs d = {NULL, 0};
    int rc = jobs_parse_file(path, &d, err);
    if (rc == 0)
        rc = jobs_install(f->st, &d, NULL, err);
    jobs_defs_free(&d);
    free(path);
    return rc;
}

static void install_ok(struct fixture *f, const char *content)
{
    char *err = NULL;
    if (install(f, content, &err) != 0)
        fail_msg("%s", err);
}

static void run(struct store *st, const struct calendar *cal, struct job_runner_stats *s)
{
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = cal;
    o.exec = job_exec_local;
    char *err = NULL;
    if (job_runner_run(st, &o, s, &err) != 0)
        fail_msg("%s", err);
}

static void test_loader_errors(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    /* An unknown key names FILE:LINE. */
    assert_int_equal(
        install(f, "[A]\nname_ja = a\nname_en = a\nperiod = daily\ncolour = red\n", &err), -1);
    char *want = xasprintf("%s/jobs.ini:5:", f->dir);
    if (!strstr(err, want))
        fail_msg("%s", err);
    free(want);
    free(err);
    err = NULL;
    /* A code defined twice names the second definition. */
    assert_int_equal(install(f,
                             "[A]\nname_ja = a\nname_en = a\nperiod = daily\nstep = x\n"
                             "[B]\nname_ja = b\nname_en = b\nperiod = daily\nstep = x\n"
                             "[A]\nname_ja = a\n",
                             &err),
                     -1);
    if (!strstr(err, "jobs.ini:12:") || !strstr(err, "twice"))
        fail_msg("%s", err);
    free(err);
    err = NULL;
    /* A bad period. */
    assert_int_equal(install(f, "[A]\nname_ja = a\nname_en = a\nperiod = sometimes\n", &err), -1);
    assert_non_null(strstr(err, ":4:"));
    free(err);
    err = NULL;
    /* An unknown host is no longer refused: test_needs_a_host. A role that is not a host
     * role is an error of the file, named FILE:LINE. */
    assert_int_equal(install(f,
                             "[A]\nname_ja = a\nname_en = a\nperiod = daily\nrole = mainframe\n"
                             "command = true\n",
                             &err),
                     -1);
    if (!strstr(err, "jobs.ini:5:") || !strstr(err, "mainframe"))
        fail_msg("%s", err);
    free(err);
    err = NULL;
    /* A job code quoting the file's own path and a line it does not have: the message
     * starts with the real location, and the bad code is quoted after it (the fuzz
     * target tells the two apart: corpus/loaders/jobs-quotes-own-path). */
    assert_int_equal(install(f, "[@DIR@/jobs.ini:999:]\nname_ja = a\n", &err), -1);
    want = xasprintf("%s/jobs.ini:2: [%s/jobs.ini:999:] ", f->dir, f->dir);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("%s", err);
    free(want);
    free(err);
    err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM jobs"), 0);
    /* A cycle, named. */
    assert_int_equal(install(f,
                             "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\n"
                             "command = true\nafter = C\n"
                             "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\n"
                             "command = true\nafter = A\n"
                             "[C]\nname_ja = c\nname_en = c\nperiod = daily\nhost = ap1\n"
                             "command = true\nafter = B\n",
                             &err),
                     -1);
    if (!strstr(err, "A -> C -> B -> A"))
        fail_msg("%s", err);
    free(err);
    err = NULL;
    /* after naming an unknown job; a command without a host; neither command nor steps. */
    assert_int_equal(install(f,
                             "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\n"
                             "command = true\nafter = Z\n",
                             &err),
                     -1);
    assert_non_null(strstr(err, "Z"));
    free(err);
    err = NULL;
    assert_int_equal(
        install(f, "[A]\nname_ja = a\nname_en = a\nperiod = daily\ncommand = true\n", &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(install(f, "[A]\nname_ja = a\nname_en = a\nperiod = daily\n", &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM jobs"), 0);
    /* A cycle through a job already installed. */
    install_ok(f, "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "after = A\n");
    assert_int_equal(install(f,
                             "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\n"
                             "command = true\nafter = B\n",
                             &err),
                     -1);
    assert_non_null(strstr(err, "cycle"));
    free(err);
    /* Reinstalling updates by code (no duplicate), audited. */
    install_ok(f, "[A]\nname_ja = a2\nname_en = a2\nperiod = weekly\nhost = db1\ncommand = true\n");
    assert_int_equal(count(f->st, "SELECT count(*) FROM jobs"), 2);
    char *name = text(f->st, "SELECT name_ja FROM jobs WHERE code = 'A'");
    assert_string_equal(name, "a2");
    free(name);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'job.update'"), 1);
}

static void add_host_role(struct store *st, const char *name, const char *role)
{
    char id[ID_LEN + 1];
    id_new(id);
    char *sql = xasprintf("INSERT INTO hosts(id, name, role, created_at, updated_at, hlc, origin) "
                          "VALUES('%s', '%s', '%s', 'x', 'x', 1, 'o')",
                          id, name, role);
    char *err = NULL;
    assert_int_equal(store_exec(st, sql, &err), 0);
    free(sql);
}

static int install_res(struct fixture *f, const char *content, struct jobs_install_result *res,
                       char **err)
{
    char *path = write_defs(f, "jobs.ini", content);
    struct job_defs d = {NULL, 0};
    int rc = jobs_parse_file(path, &d, err);
    if (rc == 0)
        rc = jobs_install_ex(f->st, &d, res, err);
    jobs_defs_free(&d);
    free(path);
    return rc;
}

static char *host_of(struct store *st, const char *code)
{
    char *sql = xasprintf("SELECT h.name FROM jobs j JOIN hosts h ON h.id = j.host_id "
                          "WHERE j.code = '%s'",
                          code);
    char *v = text(st, sql);
    free(sql);
    return v;
}

static void assert_host(struct store *st, const char *code, const char *want)
{
    char *h = host_of(st, code);
    if (want ? !h || strcmp(h, want) != 0 : h != NULL)
        fail_msg("%s: host %s, expected %s", code, h ? h : "(none)", want ? want : "(none)");
    free(h);
}

/* A definition names a host, a role or both; what the inventory cannot place is loaded as
 * "needs a host", never run until assigned, and never refused. */
static const char needs_defs[] =
    "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = nowhere\ncommand = true\n"
    "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = lib-db01\nrole = db\n"
    "command = true\n"
    "[C]\nname_ja = c\nname_en = c\nperiod = daily\nhost = ap1\nrole = AP\ncommand = true\n"
    "[M]\nname_ja = m\nname_en = m\nperiod = daily\nrole = DB\nstep = 手で行う\n";

static void test_needs_a_host(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    struct jobs_install_result res = {0};
    /* No DB host, no host "nowhere": both load, as needing a host, each with FILE:LINE. */
    if (install_res(f, needs_defs, &res, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(res.installed, 4);
    assert_int_equal(res.unassigned, 2);
    assert_int_equal(res.by_role, 0);
    assert_int_equal(res.nnotes, 2);
    char *want = xasprintf("%s/jobs.ini:2: A needs a host", f->dir);
    if (!strstr(res.notes[0], want) || !strstr(res.notes[0], "nowhere"))
        fail_msg("%s", res.notes[0]);
    free(want);
    if (!strstr(res.notes[1], "B needs a host") || !strstr(res.notes[1], "lib-db01") ||
        !strstr(res.notes[1], "DB"))
        fail_msg("%s", res.notes[1]);
    jobs_install_result_clear(&res);
    assert_host(f->st, "A", NULL);
    assert_host(f->st, "B", NULL);
    assert_host(f->st, "C", "ap1");
    assert_int_equal(jobs_count_unassigned(f->st, &err), 2);
    char *role = text(f->st, "SELECT host_role FROM jobs WHERE code = 'B'");
    assert_string_equal(role, "DB"); /* canonical spelling */
    free(role);
    struct job_row *rows;
    size_t n;
    assert_int_equal(jobs_list(f->st, &rows, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_true(rows[0].needs_host && rows[1].needs_host);  /* A, B */
    assert_false(rows[2].needs_host || rows[3].needs_host); /* C; M is manual work */
    job_rows_free(rows, n);

    /* The runner starts what has a host and tells why it skips the others. */
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    assert_int_equal(s.started, 1);
    assert_int_equal(s.unassigned, 2);
    assert_state(f->st, "C", "succeeded");
    assert_state(f->st, "A", "waiting");
    assert_state(f->st, "B", "waiting");
    struct job_run_row *runs;
    assert_int_equal(jobs_day(f->st, DAY, 0, &runs, &n, &err), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(runs[i].needs_host, streq(runs[i].code, "A") || streq(runs[i].code, "B"));
    job_run_rows_free(runs, n);
    /* Asked for by name, it is refused with the way out. */
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.only_job = "A";
    o.exec = job_exec_local;
    assert_int_equal(job_runner_run(f->st, &o, &s, &err), -1);
    if (!strstr(err, "unyo jobs assign A"))
        fail_msg("%s", err);
    free(err);
    err = NULL;
    assert_state(f->st, "A", "waiting");

    /* A DB host appears: loading again places B on it by its role. */
    add_host_role(f->st, "dbx", "DB");
    if (install_res(f, needs_defs, &res, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(res.by_role, 2); /* B, and the manual M (its host for reference) */
    assert_int_equal(res.unassigned, 1);
    jobs_install_result_clear(&res);
    assert_host(f->st, "B", "dbx");
    assert_host(f->st, "M", "dbx");
    /* A second DB host: a job placed stays; a new one is not guessed. */
    add_host_role(f->st, "dby", "DB");
    if (install_res(f, "[D]\nname_ja = d\nname_en = d\nperiod = daily\nrole = DB\ncommand = true\n",
                    &res, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(res.unassigned, 1);
    if (!strstr(res.notes[0], "2"))
        fail_msg("%s", res.notes[0]);
    jobs_install_result_clear(&res);
    assert_host(f->st, "B", "dbx");
    assert_host(f->st, "D", NULL);
    /* Nor by jobs_place_by_role: two DB hosts, no guess. */
    int placed = -1;
    assert_int_equal(jobs_place_by_role(f->st, 0, &placed, &err), 0);
    assert_int_equal(placed, 0);
    assert_host(f->st, "D", NULL);

    /* Assigning: unknown job or host refused; then the job runs, audited, and a reload
     * keeps the assignment. */
    assert_int_equal(jobs_assign(f->st, "ZZ", "db1", &err), -1);
    assert_non_null(strstr(err, "ZZ"));
    free(err);
    err = NULL;
    assert_int_equal(jobs_assign(f->st, "A", "nohost", &err), -1);
    assert_non_null(strstr(err, "nohost"));
    free(err);
    err = NULL;
    if (jobs_assign(f->st, "A", "db1", &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'job.assign' "
                                  "AND detail = 'A -> db1'"),
                     1);
    assert_host(f->st, "A", "db1");
    if (install_res(f, needs_defs, &res, &err) != 0)
        fail_msg("%s", err);
    jobs_install_result_clear(&res);
    assert_host(f->st, "A", "db1");
    assert_int_equal(jobs_count_unassigned(f->st, &err), 1); /* D */
    /* One DB host again: D goes to it by its role (counted first, then placed). */
    assert_int_equal(store_exec(f->st, "UPDATE hosts SET deleted = 1 WHERE name = 'dby'", &err), 0);
    assert_int_equal(jobs_place_by_role(f->st, 1, &placed, &err), 0);
    assert_int_equal(placed, 1);
    assert_host(f->st, "D", NULL);
    assert_int_equal(jobs_place_by_role(f->st, 0, &placed, &err), 0);
    assert_int_equal(placed, 1);
    assert_host(f->st, "D", "dbx");
    assert_int_equal(jobs_count_unassigned(f->st, &err), 0);
    run(f->st, f->cal, &s);
    assert_state(f->st, "A", "succeeded");
    assert_state(f->st, "B", "succeeded");
    /* A host named in the file and present wins over an earlier assignment. */
    if (jobs_assign(f->st, "C", "db1", &err) != 0)
        fail_msg("%s", err);
    if (install_res(f, needs_defs, &res, &err) != 0)
        fail_msg("%s", err);
    jobs_install_result_clear(&res);
    assert_host(f->st, "C", "ap1");
}

static void test_shipped_definitions(void **state)
{
    struct fixture *f = *state;
    struct job_defs d = {NULL, 0};
    char *err = NULL;
    char *dir = xasprintf("%s/jobs", UNYO_TEST_DATADIR);
    if (jobs_parse_dir(dir, &d, &err) != 0)
        fail_msg("%s", err);
    free(dir);
    /* Every batch item 67-96 of seed 002, plus backup and log jobs. */
    for (int item = 67; item <= 96; item++) {
        char code[8];
        snprintf(code, sizeof code, "L%03d", item);
        int found = 0;
        for (size_t i = 0; i < d.n; i++)
            found |= streq(d.v[i].code, code);
        if (!found)
            fail_msg("no job for %s", code);
    }
    int backup = 0, logs = 0;
    for (size_t i = 0; i < d.n; i++) {
        backup |= d.v[i].template_code && streq(d.v[i].template_code, "P015");
        logs |= d.v[i].template_code && streq(d.v[i].template_code, "P016");
    }
    assert_true(backup && logs);
    /* They install against the demo hosts. */
    static const char *const hosts[] = {"lib-ap01", "lib-db01", "lib-web01", "lib-bk01"};
    for (size_t i = 0; i < 4; i++)
        add_host(f->st, hosts[i]);
    if (jobs_install(f->st, &d, NULL, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(count(f->st, "SELECT count(*) FROM jobs"), (long long)d.n);
    jobs_defs_free(&d);
}

static const char *const periods_ini =
    "[D]\nname_ja = d\nname_en = d\nperiod = daily\nhost = ap1\ncommand = true\n"
    "[W]\nname_ja = w\nname_en = w\nperiod = weekly\nweekday = wed\nhost = ap1\ncommand = true\n"
    "[M]\nname_ja = m\nname_en = m\nperiod = 月次\nmonthday = 10\nhost = ap1\ncommand = true\n"
    "[Q]\nname_ja = q\nname_en = q\nperiod = quarterly\nmonths = 1,4,7,10\nmonthday = 5\n"
    "host = ap1\ncommand = true\n"
    "[Y]\nname_ja = y\nname_en = y\nperiod = yearly\nmonths = 4\nmonthday = 1\nhost = ap1\n"
    "command = true\n"
    "[L]\nname_ja = l\nname_en = l\nperiod = monthly\nmonthday = last\nhost = ap1\n"
    "command = true\n"
    "[X]\nname_ja = x\nname_en = x\nperiod = manual\nhost = ap1\ncommand = true\n"
    "[S]\nname_ja = s\nname_en = s\nperiod = stocktaking\nstep = 数える\n";

static char *due_codes(struct fixture *f, const struct calendar *cal, const char *day)
{
    char *err = NULL;
    if (jobs_ensure_runs(f->st, cal, day, NULL, &err) != 0)
        fail_msg("%s", err);
    struct job_run_row *rows;
    size_t n;
    assert_int_equal(jobs_day(f->st, day, 0, &rows, &n, &err), 0);
    struct strbuf sb = STRBUF_INIT;
    /* codes sorted */
    for (char c = 'A'; c <= 'Z'; c++)
        for (size_t i = 0; i < n; i++)
            if (rows[i].code[0] == c)
                sb_putc(&sb, c);
    job_run_rows_free(rows, n);
    return sb_detach(&sb);
}

static void expect_due(struct fixture *f, const struct calendar *cal, const char *day,
                       const char *want)
{
    char *got = due_codes(f, cal, day);
    if (strcmp(got, want) != 0)
        fail_msg("%s: due %s, expected %s", day, got, want);
    free(got);
}

static void test_due_periods(void **state)
{
    struct fixture *f = *state;
    install_ok(f, periods_ini);
    expect_due(f, f->cal, "2026-11-24", "D");  /* Tuesday */
    expect_due(f, f->cal, "2026-11-25", "DW"); /* Wednesday */
    expect_due(f, f->cal, "2026-11-10", "DM"); /* the 10th (a Tuesday) */
    expect_due(f, f->cal, "2026-11-30", "DL"); /* last day of November */
    expect_due(f, f->cal, "2027-01-05", "DQ"); /* quarterly: Jan 5 */
    expect_due(f, f->cal, "2027-02-05", "D");  /* not a quarter month */
    expect_due(f, f->cal, "2027-04-01", "DY"); /* yearly (and not quarterly) */
    expect_due(f, f->cal, "2027-04-05", "DQ");
    /* Idempotent: a second pass creates nothing. */
    int created = -1;
    char *err = NULL;
    assert_int_equal(jobs_ensure_runs(f->st, f->cal, "2026-11-25", &created, &err), 0);
    assert_int_equal(created, 0);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs WHERE due_day = '2026-11-25'"), 2);
    /* A closed day moves the monthly run to the next service day. */
    char *cal_path = write_defs(f, "calendar.ini",
                                "[hours]\ndefault = 07:00-24:00\nsun = 07:00-17:30\n"
                                "[closed]\n2026-12-10 = 館内整理日\n");
    struct calendar *cal = calendar_load(cal_path, &err);
    if (!cal)
        fail_msg("%s", err);
    free(cal_path);
    expect_due(f, cal, "2026-12-10", "");
    expect_due(f, cal, "2026-12-11", "DM");
    calendar_free(cal);
    /* Manual and stock-taking work gets a run only when asked. */
    assert_int_equal(jobs_add_run(f->st, "S", "2026-11-24", NULL, &err), 0);
    expect_due(f, f->cal, "2026-11-24", "DS");
    assert_int_equal(jobs_add_run(f->st, "nope", "2026-11-24", NULL, &err), -1);
    free(err);
}

/* Runs the runner in a child process on its own connection; returns the pid. */
static pid_t spawn_runner(const char *db, const char *day)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct store *st;
        char *err = NULL;
        if (store_open(db, STORE_OPEN_EXISTING, &st, &err) != 0)
            _exit(2);
        struct calendar *cal = calendar_new_default();
        struct job_runner_opts o = {0};
        o.day = day;
        o.due = 1;
        o.cal = cal;
        o.exec = job_exec_local;
        int rc = job_runner_run(st, &o, NULL, &err);
        if (rc != 0)
            fprintf(stderr, "runner: %s\n", err);
        calendar_free(cal);
        store_close(st);
        _exit(rc == 0 ? 0 : 1);
    }
    return pid;
}

static void wait_ok(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_claim_two_processes(void **state)
{
    struct fixture *f = *state;
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 30; i++)
        sb_printf(&sb,
                  "[J%02d]\nname_ja = j\nname_en = j\nperiod = daily\nhost = ap1\n"
                  "command = echo J%02d >> @DIR@/ran.txt; sleep 0.05\n",
                  i, i);
    install_ok(f, sb.buf);
    sb_free(&sb);
    store_close(f->st);
    f->st = NULL;
    pid_t a = spawn_runner(f->db, DAY), b = spawn_runner(f->db, DAY);
    wait_ok(a);
    wait_ok(b);
    char *err = NULL;
    assert_int_equal(store_open(f->db, STORE_OPEN_EXISTING, &f->st, &err), 0);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs WHERE state = 'succeeded'"), 30);
    /* Each command ran exactly once, and both processes took a share. */
    char *cmd = xasprintf("test $(wc -l < %s/ran.txt) -eq 30 && "
                          "test $(sort -u %s/ran.txt | wc -l) -eq 30",
                          f->dir, f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events WHERE kind = 'running'"),
                     30);
    assert_int_equal(count(f->st, "SELECT count(DISTINCT claimed_by) FROM job_runs"), 2);
}

/* Runs named in a report, as "CODE STATE NOTE" lines. */
static void collect_report(void *ud, const char *code, const char *state, const char *note)
{
    sb_printf(ud, "%s %s %s\n", code, state, note ? note : "");
}

/* With sync configured and the central database out of reach, only jobs defined with
 * scope = local run; the others are reported as not run, with the reason. */
static void test_scope_local_without_central(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[CEN]\nname_ja = c\nname_en = c\nperiod = daily\nhost = ap1\n"
                  "command = echo CEN >> @DIR@/ran.txt\n"
                  "[LOC]\nname_ja = l\nname_en = l\nperiod = daily\nhost = ap1\nscope = local\n"
                  "command = echo LOC >> @DIR@/ran.txt\n");
    assert_int_equal(count(f->st, "SELECT count(*) FROM jobs WHERE scope = 'local'"), 1);
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = f->cal;
    o.exec = job_exec_local;
    /* nothing listens on port 1 */
    o.central_url = "postgresql://nobody@127.0.0.1:1/unyo?connect_timeout=5";
    struct strbuf rep = STRBUF_INIT;
    o.report = collect_report;
    o.report_ud = &rep;
    struct job_runner_stats s;
    char *err = NULL;
    if (job_runner_run(f->st, &o, &s, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(s.started, 1);
    assert_int_equal(s.refused, 1);
    assert_true(s.central_why[0] != 0);
    assert_state(f->st, "LOC", "succeeded");
    assert_state(f->st, "CEN", "waiting");
    if (!strstr(rep.buf, "CEN refused not run: the central database cannot be reached ("))
        fail_msg("%s", rep.buf);
    sb_free(&rep);
    /* Asked for by name: refused with the reason, nothing half-written. */
    o.only_job = "CEN";
    o.report = NULL;
    assert_int_equal(job_runner_run(f->st, &o, &s, &err), -1);
    if (!strstr(err, "CEN not run: the central database cannot be reached"))
        fail_msg("%s", err);
    free(err);
    assert_state(f->st, "CEN", "waiting");
    char *cmd = xasprintf("test \"$(cat %s/ran.txt)\" = LOC", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    /* A bad scope is an error of the file. */
    err = NULL;
    assert_int_equal(
        install(f, "[X]\nname_ja = x\nname_en = x\nperiod = daily\nscope = all\n", &err), -1);
    if (!strstr(err, "jobs.ini:5:") || !strstr(err, "scope all"))
        fail_msg("%s", err);
    free(err);
}

static void test_dependency_order(void **state)
{
    struct fixture *f = *state;
    /* B sorts first and starts earlier, but runs after A; A fails until FLAG exists. */
    install_ok(f, "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\n"
                  "command = echo B >> @DIR@/order.txt\nafter = A\nexpected_start = 05:00\n"
                  "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\n"
                  "command = test -f @DIR@/FLAG && echo A >> @DIR@/order.txt\n"
                  "expected_start = 06:00\n");
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    assert_state(f->st, "A", "failed");
    assert_state(f->st, "B", "waiting");
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.blocked, 1);
    char *flag = xasprintf("touch %s/FLAG", f->dir);
    assert_int_equal(system(flag), 0);
    free(flag);
    char *err = NULL;
    char ref[32] = "A@" DAY;
    assert_int_equal(jobs_run_action(f->st, ref, "rerun", "flag fixed", &err), 0);
    run(f->st, f->cal, &s);
    assert_state(f->st, "A", "succeeded");
    assert_state(f->st, "B", "succeeded");
    char *cmd = xasprintf("test \"$(cat %s/order.txt | tr -d '\\n')\" = AB", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    assert_int_equal(count(f->st, "SELECT attempt FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                                  "WHERE j.code = 'A'"),
                     2);
}

static void test_concurrency_group(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[G1]\nname_ja = g\nname_en = g\nperiod = daily\nhost = ap1\ngroup = g\n"
                  "command = echo \"$(date +%s%N) G1 start\" >> @DIR@/g.txt; sleep 0.5; "
                  "echo \"$(date +%s%N) G1 end\" >> @DIR@/g.txt\n"
                  "[G2]\nname_ja = g\nname_en = g\nperiod = daily\nhost = ap1\ngroup = g\n"
                  "command = echo \"$(date +%s%N) G2 start\" >> @DIR@/g.txt; sleep 0.5; "
                  "echo \"$(date +%s%N) G2 end\" >> @DIR@/g.txt\n");
    store_close(f->st);
    f->st = NULL;
    pid_t a = spawn_runner(f->db, DAY), b = spawn_runner(f->db, DAY);
    wait_ok(a);
    wait_ok(b);
    char *err = NULL;
    assert_int_equal(store_open(f->db, STORE_OPEN_EXISTING, &f->st, &err), 0);
    /* The runner that lost the race may have stopped early; a last pass finishes. */
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    assert_state(f->st, "G1", "succeeded");
    assert_state(f->st, "G2", "succeeded");
    /* Sorted by time, the lines alternate start, end, start, end: never two at once. */
    char *cmd = xasprintf("test \"$(sort -n %s/g.txt | awk '{print $3}' | tr '\\n' ' ')\" = "
                          "'start end start end '",
                          f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* Another connection cancels the run once its first output is stored, as `unyo jobs cancel`
 * or the Jobs pane would. */
struct canceller {
    const char *db;
    int done;
    char *err;
    struct jobs_action_result res;
};

static void *cancel_when_running(void *arg)
{
    struct canceller *c = arg;
    struct store *st = NULL;
    if (store_open(c->db, STORE_OPEN_EXISTING, &st, &c->err) != 0)
        return NULL;
    sqlite3_busy_timeout(st->db, 5000);
    for (int i = 0; i < 6000; i++) { /* 120 s: a loaded machine is slow */
        char *v = text(st, "SELECT state || ':' || coalesce(output, '') FROM job_runs");
        int running = v && strncmp(v, "running:before", 14) == 0;
        free(v);
        if (running) {
            c->done = jobs_run_action_ex(st, "K@" DAY, "cancel", NULL, &c->res, &c->err) == 0;
            break;
        }
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    store_close(st);
    return NULL;
}

/* Running (not a zombie) per /proc. */
static int pid_running(long pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    const char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] != 'Z';
}

static void test_cancel_stops_command(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[K]\nname_ja = k\nname_en = k\nperiod = daily\nhost = ap1\ntimeout = 60\n"
                  "command = echo before; sleep 300 & echo $! >@DIR@/child.pid; sleep 301\n");
    struct canceller c = {f->db, 0, NULL, {{0}, {0}, NULL}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_when_running, &c), 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(t, NULL);
    if (!c.done)
        fail_msg("the cancel did not happen: %s", c.err ? c.err : "no running run seen");
    assert_true(b.tv_sec - a.tv_sec < 240); /* stopped, not the command's 301 s */
    assert_state(f->st, "K", "cancelled");
    /* What `unyo jobs cancel` says: cancelled while running, the runner stops it. */
    assert_string_equal(c.res.from, "running");
    assert_string_equal(c.res.to, "cancelled");
    assert_non_null(c.res.stopping);
    assert_non_null(strstr(c.res.stopping, "its runner stops the command on the host"));
    jobs_action_result_free(&c.res);
    char *note = text(f->st, "SELECT note FROM job_run_events WHERE kind = 'stopped'");
    assert_non_null(note);
    assert_non_null(strstr(note, "was stopped: process group"));
    assert_non_null(strstr(note, "ended on SIGTERM"));
    free(note);
    char *out = text(f->st, "SELECT output FROM job_runs");
    assert_string_equal(out, "before\n");
    free(out);
    char *path = xasprintf("%s/child.pid", f->dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    long child = 0;
    assert_int_equal(fscanf(fp, "%ld", &child), 1);
    fclose(fp);
    free(path);
    assert_false(pid_running(child)); /* the background child went with the group */
}

static void test_timeout(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[T]\nname_ja = t\nname_en = t\nperiod = daily\nhost = ap1\ntimeout = 5\n"
                  "command = echo started; sleep 300\n");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(b.tv_sec - a.tv_sec < 240); /* stopped, not the command's 300 s */
    assert_state(f->st, "T", "failed");
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events WHERE kind = 'failed' AND "
                                  "note LIKE '%timed out%'"),
                     1);
    char *out = text(f->st, "SELECT output FROM job_runs");
    assert_non_null(strstr(out, "started"));
    free(out);
}

static void test_retry(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[R]\nname_ja = r\nname_en = r\nperiod = daily\nhost = ap1\nretries = 2\n"
                  "command = if [ -f @DIR@/once ]; then echo second; else touch @DIR@/once; "
                  "echo first; exit 3; fi\n");
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    assert_state(f->st, "R", "succeeded");
    assert_int_equal(s.retried, 1);
    assert_int_equal(s.succeeded, 1);
    assert_int_equal(count(f->st, "SELECT attempt FROM job_runs"), 2);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events WHERE kind = 'retry' "
                                  "AND note LIKE '%exit status 3%'"),
                     1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM incidents"), 0);
    /* Retries exhausted: failed. */
    install_ok(f, "[R2]\nname_ja = r\nname_en = r\nperiod = daily\nhost = ap1\nretries = 1\n"
                  "command = exit 4\n");
    run(f->st, f->cal, &s);
    assert_state(f->st, "R2", "failed");
    assert_int_equal(s.retried, 1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM incidents"), 1);
}

static void test_hold_cancel_rerun(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[H]\nname_ja = h\nname_en = h\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "[C]\nname_ja = c\nname_en = c\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "[M]\nname_ja = m\nname_en = m\nperiod = daily\nhost = ap1\nstep = 手で行う\n");
    char *err = NULL;
    assert_int_equal(jobs_ensure_runs(f->st, f->cal, DAY, NULL, &err), 0);
    struct jobs_action_result res;
    assert_int_equal(jobs_run_action_ex(f->st, "H@" DAY, "hold", NULL, &res, &err), 0);
    assert_string_equal(res.from, "waiting"); /* what `unyo jobs hold` says: now held */
    assert_string_equal(res.to, "held");
    assert_null(res.stopping);
    assert_int_equal(jobs_run_action_ex(f->st, "C@" DAY, "cancel", "今日は不要", &res, &err), 0);
    assert_string_equal(res.to, "cancelled"); /* not running: nothing to stop */
    assert_null(res.stopping);
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    assert_int_equal(s.started, 0);
    assert_state(f->st, "H", "held");
    assert_state(f->st, "C", "cancelled");
    assert_state(f->st, "M", "waiting"); /* manual: the runner leaves it */
    /* Out of order: releasing a cancelled run, marking a command job succeeded. */
    long long ev = count(f->st, "SELECT count(*) FROM job_run_events");
    assert_int_equal(jobs_run_action(f->st, "C@" DAY, "release", NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(jobs_run_action(f->st, "H@" DAY, "succeeded", NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events"), ev);
    assert_int_equal(jobs_run_action(f->st, "H@" DAY, "release", NULL, &err), 0);
    assert_int_equal(jobs_run_action_ex(f->st, "C@" DAY, "rerun", NULL, &res, &err), 0);
    assert_string_equal(res.from, "cancelled");
    assert_string_equal(res.to, "queued");
    assert_int_equal(jobs_run_action(f->st, "M@" DAY, "succeeded", "手順どおり完了", &err), 0);
    run(f->st, f->cal, &s);
    assert_int_equal(s.started, 2);
    assert_state(f->st, "H", "succeeded");
    assert_state(f->st, "C", "succeeded");
    assert_state(f->st, "M", "succeeded");
    /* Deliveries: only a succeeded run. */
    assert_int_equal(jobs_deliver(f->st, "H@" DAY, "中央図書館 選書係", "list.csv", NULL, &err), 0);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_deliveries"), 1);
    assert_int_equal(jobs_run_action(f->st, "H@" DAY, "rerun", NULL, &err), 0);
    assert_int_equal(jobs_deliver(f->st, "H@" DAY, "x", NULL, NULL, &err), -1);
    free(err);
}

static void test_crash_recovery(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "timeout = 60\n"
                  "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "timeout = 60\n"
                  "[C]\nname_ja = c\nname_en = c\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "timeout = 60\n");
    char *err = NULL;
    assert_int_equal(jobs_ensure_runs(f->st, f->cal, DAY, NULL, &err), 0);
    /* A: claimed by a process of this console that is gone. */
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char now[TIME_ISO_LEN + 1], old[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    time_format_iso(time_now_ms() - 3600 * 1000, old);
    char *sql =
        xasprintf("UPDATE job_runs SET state = 'running', claimed_by = '%s/%d', claimed_at = '%s' "
                  "WHERE job_id = (SELECT id FROM jobs WHERE code = 'A');"
                  "UPDATE job_runs SET state = 'running', claimed_by = 'other-console/123', "
                  "claimed_at = '%s' WHERE job_id = (SELECT id FROM jobs WHERE code = 'B');"
                  "UPDATE job_runs SET state = 'running', claimed_by = 'other-console/124', "
                  "claimed_at = '%s' WHERE job_id = (SELECT id FROM jobs WHERE code = 'C');",
                  f->st->origin, (int)dead, now, old, now);
    assert_int_equal(store_exec(f->st, sql, &err), 0);
    free(sql);
    int n = 0;
    assert_int_equal(jobs_recover(f->st, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_state(f->st, "A", "interrupted"); /* dead pid */
    assert_state(f->st, "B", "interrupted"); /* stale claim of another console */
    assert_state(f->st, "C", "running");     /* another console, still within its timeout */
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events WHERE kind = "
                                  "'interrupted'"),
                     2);
    /* The runner finds it too, and an interrupted run can be rerun. */
    assert_int_equal(jobs_run_action(f->st, "A@" DAY, "rerun", NULL, &err), 0);
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    assert_state(f->st, "A", "succeeded");
}

static void test_failure_incident(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[F]\nname_ja = 予約在庫リスト出力\nname_en = Reserved items list\n"
                  "period = daily\nhost = db1\n"
                  "command = echo 'ORA-01555: snapshot too old' >&2; exit 2\n");
    /* With a library in the store the draft goes through the incident ledger. */
    char *err = NULL;
    assert_int_equal(store_exec(f->st,
                                "INSERT INTO libraries(id, code, name_ja, name_en, kind, "
                                "created_at, updated_at, hlc, origin) VALUES("
                                "'01a00000-0000-7000-8000-00000000000c', 'CENTRAL', '中央図書館', "
                                "'Central Library', 'central', 'x', 'x', 1, 'o')",
                                &err),
                     0);
    struct job_runner_stats s;
    run(f->st, f->cal, &s);
    assert_state(f->st, "F", "failed");
    assert_int_equal(count(f->st, "SELECT count(*) FROM incidents i JOIN libraries l ON "
                                  "l.id = i.library_id WHERE l.code = 'CENTRAL'"),
                     1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM links WHERE from_kind = 'incident' AND "
                                  "to_kind = 'host'"),
                     1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM incidents WHERE status = 'draft' AND "
                                  "category = 'software'"),
                     1);
    char *title = text(f->st, "SELECT title FROM incidents");
    assert_non_null(strstr(title, "予約在庫リスト出力"));
    assert_non_null(strstr(title, "failed"));
    free(title);
    char *desc = text(f->st, "SELECT description FROM incidents");
    assert_non_null(strstr(desc, "db1"));
    assert_non_null(strstr(desc, "ORA-01555"));
    free(desc);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_runs r JOIN incidents i ON "
                                  "i.id = r.incident_id"),
                     1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM links WHERE from_kind = 'incident' AND "
                                  "to_kind = 'job_run'"),
                     1);
    assert_int_equal(count(f->st, "SELECT exit_status FROM job_runs"), 2);
}

static void test_output_cap_and_files(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[O]\nname_ja = o\nname_en = o\nperiod = daily\nhost = ap1\n"
                  "command = yes x | head -c 5000; printf '\\000nul\\n'; ls / > @DIR@/list.txt\n"
                  "output = @DIR@/list.txt\n"
                  "[P]\nname_ja = p\nname_en = p\nperiod = daily\nhost = ap1\n"
                  "command = echo no file\noutput = @DIR@/never.txt\n");
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = f->cal;
    o.exec = job_exec_local;
    o.output_cap = 1000;
    char *err = NULL;
    assert_int_equal(job_runner_run(f->st, &o, NULL, &err), 0);
    assert_state(f->st, "O", "succeeded");
    char *out = text(f->st, "SELECT r.output FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                            "WHERE j.code = 'O'");
    assert_non_null(strstr(out, "output truncated"));
    assert_true(strlen(out) < 1200);
    free(out);
    assert_int_equal(count(f->st, "SELECT output_truncated FROM job_runs r JOIN jobs j ON "
                                  "j.id = r.job_id WHERE j.code = 'O'"),
                     1);
    char *files = text(f->st, "SELECT r.files FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                              "WHERE j.code = 'O'");
    assert_non_null(files);
    assert_non_null(strstr(files, "list.txt ("));
    free(files);
    assert_state(f->st, "P", "failed");
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_run_events WHERE note LIKE "
                                  "'%expected output missing%never.txt%'"),
                     1);
    char *pout = text(f->st, "SELECT r.output FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                             "WHERE j.code = 'P'");
    assert_string_equal(pout, "no file\n"); /* markers taken out */
    free(pout);
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The output of a running command reaches the store while it runs: read from a second
 * connection while the command sleeps between two lines, in another process, through
 * job_exec_local as the console and `unyo jobs run --local` pass it. */
static void test_live_output(void **state)
{
    struct fixture *f = *state;
    /* The command waits after its first line until the test creates "go" (or its
     * directory is gone): no race between a sleep and the reader. */
    install_ok(f,
               "[L]\nname_ja = l\nname_en = l\nperiod = daily\nhost = ap1\ntimeout = 600\n"
               "command = echo first; : > @DIR@/mark; "
               "while [ ! -e @DIR@/go ] && [ -e @DIR@/mark ]; do sleep 0.1; done; echo second\n");
    store_close(f->st);
    f->st = NULL;
    pid_t pid = spawn_runner(f->db, DAY);
    char *err = NULL;
    assert_int_equal(store_open(f->db, STORE_OPEN_EXISTING, &f->st, &err), 0);
    char *mark = xasprintf("%s/mark", f->dir);
    for (int i = 0; i < 4800 && access(mark, F_OK) != 0; i++) /* 120 s */
        pause_ms(25);
    assert_int_equal(access(mark, F_OK), 0);
    free(mark);
    /* While it waits: the first line is stored, the run still running. */
    char *out = NULL, *st = NULL;
    for (int i = 0; i < 2400; i++) { /* 120 s */
        free(out), free(st);
        out = text(f->st, "SELECT output FROM job_runs");
        st = text(f->st, "SELECT state FROM job_runs");
        if (out && strstr(out, "first"))
            break;
        pause_ms(50);
    }
    if (!out || strcmp(out, "first\n") != 0 || !st || strcmp(st, "running") != 0)
        fail_msg("while running: state %s, output [%s]", st ? st : "-", out ? out : "(null)");
    free(out), free(st);
    char *go = xasprintf("%s/go", f->dir);
    FILE *gf = fopen(go, "w");
    assert_non_null(gf);
    fclose(gf);
    free(go);
    wait_ok(pid);
    assert_state(f->st, "L", "succeeded");
    out = text(f->st, "SELECT output FROM job_runs");
    assert_string_equal(out, "first\nsecond\n");
    free(out);
}

/* A streaming executor of the test's own: what the runner stores meanwhile, read from a
 * second connection — at once for the first output, then at most once a second, stderr
 * apart, capped and marked like the final output, never leaving a transaction open. */
struct live_probe {
    struct store *runner, *reader;
    int calls;
};

static char *live_text(struct live_probe *p)
{
    char *v = text(p->reader, "SELECT output FROM job_runs");
    char *st = text(p->reader, "SELECT state FROM job_runs");
    if (!st || strcmp(st, "running") != 0)
        fail_msg("state %s while the command runs", st ? st : "(none)");
    free(st);
    return v;
}

static void expect_live(struct live_probe *p, const char *want)
{
    char *v = live_text(p);
    if (!v || strcmp(v, want) != 0)
        fail_msg("stored while running: [%s], expected [%s]", v ? v : "(null)", want);
    free(v);
}

static int exec_streaming(void *ud, const struct host *host, const char *command, int timeout_s,
                          size_t cap, job_output_fn on_output, void *out_ud,
                          struct job_exec_result *r)
{
    (void)host, (void)command, (void)timeout_s;
    struct live_probe *p = ud;
    p->calls++;
    assert_non_null(on_output);
    assert_int_equal(cap, 1000);
    char *v = live_text(p);
    assert_null(v); /* nothing yet */
    on_output(1, "line1\n", 6, out_ud);
    assert_true(sqlite3_get_autocommit(p->runner->db)); /* its own short transaction */
    expect_live(p, "line1\n");                          /* the first output at once */
    on_output(1, "line2\n", 6, out_ud);
    on_output(2, "warn\n", 5, out_ud);
    on_output(0, NULL, 0, out_ud);
    expect_live(p, "line1\n"); /* not twice within a second */
    pause_ms(1100);
    on_output(0, NULL, 0, out_ud); /* the tick writes what is held */
    expect_live(p, "line1\nline2\n[stderr]\nwarn\n");
    char big[3000];
    memset(big, 'x', sizeof big);
    on_output(1, big, sizeof big, out_ud);
    pause_ms(1100);
    on_output(0, NULL, 0, out_ud);
    v = live_text(p);
    assert_non_null(v);
    assert_non_null(strstr(v, "line1\nline2\nxxx"));
    assert_non_null(strstr(v, "output truncated: only the first 1000 bytes"));
    assert_true(strlen(v) < 1200);
    free(v);
    assert_true(sqlite3_get_autocommit(p->runner->db));
    memset(r, 0, sizeof *r);
    r->exit_status = 0;
    r->output = xstrdup("final\n");
    r->output_len = 6;
    return 0;
}

static void test_live_output_throttle_and_cap(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[S]\nname_ja = s\nname_en = s\nperiod = daily\nhost = ap1\ncommand = x\n");
    struct live_probe p = {f->st, NULL, 0};
    char *err = NULL;
    assert_int_equal(store_open(f->db, STORE_OPEN_EXISTING, &p.reader, &err), 0);
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = f->cal;
    o.exec_ex = exec_streaming;
    o.exec_ud = &p;
    o.output_cap = 1000;
    if (job_runner_run(f->st, &o, NULL, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(p.calls, 1);
    assert_state(f->st, "S", "succeeded");
    char *out = text(p.reader, "SELECT output FROM job_runs");
    assert_string_equal(out, "final\n"); /* the final write as before */
    free(out);
    store_close(p.reader);
}

static void test_delay_flags(void **state)
{
    struct fixture *f = *state;
    install_ok(f, "[E]\nname_ja = e\nname_en = e\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "expected_start = 05:00\nexpected_end = 05:30\n"
                  "[N]\nname_ja = n\nname_en = n\nperiod = daily\nhost = ap1\ncommand = true\n"
                  "expected_start = 23:00\n");
    char *err = NULL;
    assert_int_equal(jobs_ensure_runs(f->st, f->cal, DAY, NULL, &err), 0);
    int64_t now;
    assert_int_equal(time_parse(DAY " 06:00", &now), 0);
    struct job_run_row *rows;
    size_t n;
    assert_int_equal(jobs_day(f->st, DAY, now, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].code, "E");
    assert_int_equal(rows[0].delay, JOB_LATE_START | JOB_LATE_END);
    assert_int_equal(rows[1].delay, 0);
    job_run_rows_free(rows, n);
}

static void test_same_ids_on_every_console(void **state)
{
    struct fixture *f = *state;
    static const char *const ini =
        "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\ncommand = true\n"
        "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\ncommand = true\n"
        "after = A\n";
    install_ok(f, ini);
    char *err = NULL;
    assert_int_equal(jobs_ensure_runs(f->st, f->cal, DAY, NULL, &err), 0);
    /* Reloading unchanged definitions leaves the dependencies alone. */
    long long deps = count(f->st, "SELECT count(*) FROM job_deps");
    install_ok(f, ini);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_deps"), deps);
    /* A second console's store, loaded from the same file. */
    struct store *other = f->st;
    char *db2 = xasprintf("%s/other.db", f->dir);
    assert_int_equal(store_open(db2, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db2);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", NULL, &err), 0);
    add_host(f->st, "ap1");
    install_ok(f, ini);
    assert_int_equal(jobs_ensure_runs(f->st, f->cal, DAY, NULL, &err), 0);
    static const char *const q[] = {
        "SELECT group_concat(id) FROM (SELECT id FROM jobs ORDER BY code)",
        "SELECT group_concat(id) FROM (SELECT id FROM job_runs ORDER BY id)",
        "SELECT group_concat(id) FROM (SELECT id FROM job_deps ORDER BY id)"};
    for (size_t i = 0; i < 3; i++) {
        char *a = text(other, q[i]), *b = text(f->st, q[i]);
        assert_non_null(a);
        assert_string_equal(a, b);
        char first[ID_LEN + 1];
        snprintf(first, sizeof first, "%s", a);
        assert_true(id_valid(first));
        free(a), free(b);
    }
    store_close(f->st);
    f->st = other;
    /* A dependency dropped and given again is the same row, live again. */
    install_ok(f, "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\ncommand = true\n");
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_deps WHERE deleted = 0"), 0);
    install_ok(f, ini);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_deps WHERE deleted = 0"), 1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM job_deps"), 1);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    unsetenv("UNYO_NOW");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_loader_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shipped_definitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_needs_a_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_due_periods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_two_processes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_local_without_central, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dependency_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrency_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_cancel_rerun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_stops_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_incident, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_cap_and_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_output_throttle_and_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delay_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_ids_on_every_console, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
