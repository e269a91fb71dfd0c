/* The job queue (src/job_queue.h): the limit decision, the host limit from config, the
 * queue's order, the reason in words; and through the runner: runs of a busy group or
 * host become queued with the reason while the first runs (seen from inside the
 * executor), then run one after another in due order, none skipped, each recorded
 * queued -> running -> succeeded; [jobs] host_limit.NAME holds across groups. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar.h"
#include "i18n.h"
#include "job_queue.h"
#include "job_runner.h"
#include "jobs.h"
#include "operators.h"
#include "store.h"
#include "util.h"

#define DAY "2026-11-24" /* a Tuesday */

static char dir[64];

static void test_slot_decide(void **state)
{
    (void)state;
    assert_int_equal(job_slot_decide(0, 0, 0), JOB_SLOT_FREE);
    assert_int_equal(job_slot_decide(1, 0, 0), JOB_SLOT_GROUP); /* a group runs one at a time */
    assert_int_equal(job_slot_decide(0, 5, 0), JOB_SLOT_FREE);  /* 0: no host limit */
    assert_int_equal(job_slot_decide(0, 1, 2), JOB_SLOT_FREE);
    assert_int_equal(job_slot_decide(0, 2, 2), JOB_SLOT_HOST);
    assert_int_equal(job_slot_decide(0, 3, 2), JOB_SLOT_HOST);  /* over (limit lowered) */
    assert_int_equal(job_slot_decide(1, 2, 2), JOB_SLOT_GROUP); /* the group named first */
}

static void test_host_limit_parse(void **state)
{
    (void)state;
    assert_int_equal(job_host_limit_parse(NULL, NULL), 0);
    assert_int_equal(job_host_limit_parse("2", NULL), 2);
    assert_int_equal(job_host_limit_parse("2", "1"), 1);  /* per host wins */
    assert_int_equal(job_host_limit_parse("2", "0"), 0);  /* per host: no limit there */
    assert_int_equal(job_host_limit_parse(" 3 ", ""), 3); /* empty per host: the default */
    assert_int_equal(job_host_limit_parse("x", "-1"), 0); /* nonsense is unset */
    assert_int_equal(job_host_limit_parse("2", "1e3"), 2);
    assert_int_equal(job_host_limit_parse("1001", NULL), 0);
    /* from config.ini (written before main) */
    assert_int_equal(job_host_limit("db1"), 1);
    assert_int_equal(job_host_limit("ap1"), 0);
    assert_int_equal(job_host_limit(NULL), 0);
}

static int cmp(const char *qa, const char *sa, const char *ca, const char *qb, const char *sb,
               const char *cb)
{
    struct job_queue_key a = {qa, sa, ca}, b = {qb, sb, cb};
    int c = job_queue_cmp(&a, &b);
    return c < 0 ? -1 : c > 0;
}

static void test_queue_order(void **state)
{
    (void)state;
    const char *t1 = "2026-11-24T00:00:00.000Z", *t2 = "2026-11-24T00:05:00.000Z";
    /* first come first served: the one that began to wait first */
    assert_int_equal(cmp(t1, "09:00", "Z", t2, "05:00", "A"), -1);
    /* a run that waited goes before one that has not, whatever its start */
    assert_int_equal(cmp(NULL, "05:00", "A", t2, "09:00", "Z"), 1);
    /* the same wait: by due time, then code; no expected start last */
    assert_int_equal(cmp(t1, "05:00", "Z", t1, "06:00", "A"), -1);
    assert_int_equal(cmp(NULL, NULL, "A", NULL, "23:59", "Z"), 1);
    assert_int_equal(cmp(NULL, "06:00", "B", NULL, "06:00", "A"), 1);
    assert_int_equal(cmp(t1, "06:00", "A", t1, "06:00", "A"), 0);
}

static void test_reason_text(void **state)
{
    (void)state;
    struct job_run_row r = {0};
    assert_null(job_queue_reason_text(&r)); /* not queued for a slot */
    assert_null(job_queue_text(&r));
    r.queued_since = "2026-11-24T00:00:00.000Z";
    r.queue_kind = "group";
    r.queue_name = "backup";
    r.queue_by = "L079@2026-11-24";
    char *t = job_queue_reason_text(&r);
    assert_string_equal(t, "concurrency group backup is busy: L079@2026-11-24 is running");
    free(t);
    t = job_queue_text(&r);
    assert_string_equal(t, "queued since 2026-11-24 09:00: concurrency group backup is busy: "
                           "L079@2026-11-24 is running");
    free(t);
    r.queue_kind = "host";
    r.queue_name = "lib-db01";
    r.queue_running = 2;
    r.queue_limit = 2;
    r.queue_by = "A@2026-11-24, B@2026-11-24";
    t = job_queue_reason_text(&r);
    assert_string_equal(t, "host lib-db01 is busy: 2 of 2 running (A@2026-11-24, B@2026-11-24)");
    free(t);
    r.queue_kind = "other"; /* from a newer console: nothing made up */
    assert_null(job_queue_reason_text(&r));
}

/* ---- through the runner ---- */

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

/* Every run of the day as "CODE:state[:kind:name:by]" in code order. */
static char *day_view(struct store *st)
{
    struct job_run_row *rows;
    size_t n;
    char *err = NULL;
    if (jobs_day(st, DAY, 0, &rows, &n, &err) != 0)
        fail_msg("%s", err);
    struct strbuf sb = STRBUF_INIT;
    for (const char *code = "A"; *code <= 'E'; code = code[0] == 'A'   ? "B"
                                                      : code[0] == 'B' ? "C"
                                                      : code[0] == 'C' ? "D"
                                                      : code[0] == 'D' ? "E"
                                                                       : "F")
        for (size_t i = 0; i < n; i++) {
            if (!streq(rows[i].code, code))
                continue;
            sb_printf(&sb, "%s%s:%s", sb.len ? " " : "", rows[i].code, rows[i].state);
            if (rows[i].queued_since)
                sb_printf(&sb, ":%s:%s:%s", rows[i].queue_kind, rows[i].queue_name,
                          rows[i].queue_by);
        }
    job_run_rows_free(rows, n);
    return sb_detach(&sb);
}

struct probe {
    struct store *st;
    struct strbuf order;
    char *seen[8]; /* the day as each command saw it */
    int calls;
};

static int exec_probe(void *ud, const struct host *host, const char *command, int timeout_s,
                      size_t cap, struct job_exec_result *r)
{
    (void)host, (void)timeout_s, (void)cap;
    struct probe *p = ud;
    sb_printf(&p->order, "%s", command);
    if (p->calls < 8)
        p->seen[p->calls] = day_view(p->st);
    p->calls++;
    memset(r, 0, sizeof *r);
    r->exit_status = 0;
    r->output = xstrdup("ok\n");
    r->output_len = 3;
    return 0;
}

static void test_runner_queues_and_runs_in_order(void **state)
{
    (void)state;
    char *db = xasprintf("%s/unyo.db", dir);
    struct store *st;
    char *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &st, &err), 0);
    assert_int_equal(operator_add(st, "alice", "Alice", "operator", NULL, &err), 0);
    st->operator_id[0] = 0;
    add_host(st, "ap1");
    add_host(st, "db1");
    /* A, B, C: one group on ap1, due at once (C sorts first by code, A first by time);
     * D, E: two groups on db1, whose limit is 1 (config.ini). */
    char *path = xasprintf("%s/jobs.ini", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[C]\nname_ja = c\nname_en = c\nperiod = daily\nhost = ap1\ngroup = g\n"
          "expected_start = 06:02\ncommand = C\n"
          "[B]\nname_ja = b\nname_en = b\nperiod = daily\nhost = ap1\ngroup = g\n"
          "expected_start = 06:01\ncommand = B\n"
          "[A]\nname_ja = a\nname_en = a\nperiod = daily\nhost = ap1\ngroup = g\n"
          "expected_start = 06:00\ncommand = A\n"
          "[D]\nname_ja = d\nname_en = d\nperiod = daily\nhost = db1\ngroup = d1\n"
          "expected_start = 06:10\ncommand = D\n"
          "[E]\nname_ja = e\nname_en = e\nperiod = daily\nhost = db1\ngroup = e1\n"
          "expected_start = 06:11\ncommand = E\n",
          fp);
    fclose(fp);
    struct job_defs d = {NULL, 0};
    if (jobs_parse_file(path, &d, &err) != 0 || jobs_install(st, &d, NULL, &err) != 0)
        fail_msg("%s", err);
    jobs_defs_free(&d);
    free(path);

    struct probe p = {st, STRBUF_INIT, {0}, 0};
    struct calendar *cal = calendar_new_default();
    struct job_runner_opts o = {0};
    o.day = DAY;
    o.due = 1;
    o.cal = cal;
    o.exec = exec_probe;
    o.exec_ud = &p;
    struct job_runner_stats s;
    if (job_runner_run(st, &o, &s, &err) != 0)
        fail_msg("%s", err);
    /* in due order, one after another, none skipped */
    assert_string_equal(p.order.buf, "ABCDE");
    assert_int_equal(s.started, 5);
    assert_int_equal(s.succeeded, 5);
    assert_int_equal(s.queued, 3); /* B and C for the group, E for the host */
    /* while A ran: B and C waited for the group, naming A; D and E were not held up yet */
    assert_string_equal(p.seen[0], "A:running B:queued:group:g:A@" DAY " C:queued:group:g:A@" DAY
                                   " D:waiting E:waiting");
    /* while B ran: C waits for B now */
    assert_string_equal(p.seen[1],
                        "A:succeeded B:running C:queued:group:g:B@" DAY " D:waiting E:waiting");
    /* while D ran: E, of another group, waited for the host */
    assert_string_equal(p.seen[3], "A:succeeded B:succeeded C:succeeded D:running "
                                   "E:queued:host:db1:D@" DAY);
    char *kinds = text(st, "SELECT group_concat(kind, ' ') FROM (SELECT e.kind FROM "
                           "job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j "
                           "ON j.id = r.job_id WHERE j.code = 'E' ORDER BY e.hlc)");
    assert_string_equal(kinds, "waiting queued running succeeded");
    free(kinds);
    /* C waited for A, then for B: two events, one place in the queue (the same since) */
    char *since = text(st, "SELECT count(DISTINCT json_extract(e.data, '$.since')) || '/' || "
                           "count(*) FROM job_run_events e JOIN job_runs r ON r.id = e.run_id "
                           "JOIN jobs j ON j.id = r.job_id WHERE j.code = 'C' "
                           "AND e.kind = 'queued'");
    assert_string_equal(since, "1/2");
    free(since);
    char *done = day_view(st);
    assert_string_equal(done, "A:succeeded B:succeeded C:succeeded D:succeeded E:succeeded");
    free(done);
    for (int i = 0; i < 8; i++)
        free(p.seen[i]);
    sb_free(&p.order);
    calendar_free(cal);
    store_close(st);
    free(db);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/unyo-test-queue-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    /* config.ini before anything reads it: db1 runs one run at a time */
    char *cfgdir = xasprintf("%s/unyo", dir);
    mkdir(cfgdir, 0700);
    char *cfg = xasprintf("%s/config.ini", cfgdir);
    FILE *f = fopen(cfg, "w");
    if (!f)
        return 1;
    fputs("[jobs]\nhost_limit.db1 = 1\n", f);
    fclose(f);
    setenv("XDG_CONFIG_HOME", dir, 1);
    setenv("UNYO_USER", "alice", 1);
    setenv("TZ", "UTC", 1);
    i18n_init("en");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slot_decide),
        cmocka_unit_test(test_host_limit_parse),
        cmocka_unit_test(test_queue_order),
        cmocka_unit_test(test_reason_text),
        cmocka_unit_test(test_runner_queues_and_runs_in_order),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *rm = xasprintf("rm -rf %s", dir);
    if (system(rm) != 0)
        rc = 1;
    free(rm), free(cfg), free(cfgdir);
    return rc;
}
