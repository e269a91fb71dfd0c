/* Acknowledgements of check problems (src/check_ack.c, issue 15): an acknowledged NG
 * opens no draft; an expired one no longer holds; an OK ends it; refusals write
 * nothing. Checks run on a `local` host (its command runs on this machine). */
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
#include "check_ack.h"
#include "checks.h"
#include "handover.h"
#include "support/ledger_fixture.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

#define HOUR 3600000LL

struct t {
    struct ledger_fx *f;
    char val[128];
    struct check_set set;
};

static void set_value(struct t *t, int v)
{
    FILE *fp = fopen(t->val, "w");
    assert_non_null(fp);
    fprintf(fp, "use=%d\n", v);
    fclose(fp);
}

static int setup(void **state)
{
    void *fs;
    if (fx_setup(&fs) != 0)
        return -1;
    struct t *t = calloc(1, sizeof *t);
    t->f = fs;
    char *err = NULL;
    struct template_set ts = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &ts, &err) != 0 ||
        seed_install_templates(t->f->st, &ts, &err) != 0 ||
        store_exec(t->f->st, "UPDATE hosts SET transport = 'local'", &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    templates_free(&ts);
    snprintf(t->val, sizeof t->val, "%s/value", t->f->dir);
    char ini[128];
    snprintf(ini, sizeof ini, "%s/checks.ini", t->f->dir);
    FILE *fp = fopen(ini, "w");
    fprintf(fp,
            "[disk]\ntemplate = L025\ncommand = cat %s\npattern = use=(?<use>\\d+)\n"
            "condition = use < 80\nvalue = use\nunit = %%\nseverity = warning\n",
            t->val);
    fclose(fp);
    if (checks_load_file(ini, &t->set, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    checks_free(&t->set);
    void *fs = t->f;
    free(t);
    return fx_teardown(&fs);
}

/* One run of the check; the single result's fields into *acked / ref. */
static void run(struct t *t, int *ok, int *acked, char ref[24])
{
    struct check_run_opts o = {0};
    struct check_report rep;
    char *err = NULL;
    if (checks_run(t->f->st, &t->set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_int_equal(rep.count, 1);
    *ok = rep.results[0].ok;
    *acked = rep.results[0].acked;
    snprintf(ref, 24, "%s", rep.results[0].incident_ref);
    if (rep.results[0].acked)
        assert_non_null(strstr(rep.results[0].ack_text, "vendor"));
    check_report_free(&rep);
}

static int count(struct t *t, const char *sql)
{
    return fx_count(t->f->st, sql);
}

static void test_ack_expiry_recovery(void **state)
{
    struct t *t = *state;
    struct store *st = t->f->st;
    char *err = NULL;
    int ok, acked;
    char ref[24];
    int64_t now = time_now_ms();

    /* Not a problem yet: the check never ran. */
    struct check_ack_req r = {.host = "lib-ap01", .check = "disk", .note = "vendor on site"};
    r.kind = CHECK_ACK_RECOVERY;
    fx_expect_fail(check_ack(st, &r, now, NULL, &err), &err, "unknown check disk");

    set_value(t, 90);
    run(t, &ok, &acked, ref);
    assert_false(ok);
    assert_false(acked);
    assert_true(ref[0] != 0);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), 1);

    /* Refusals: nothing written. */
    int audits = count(t, "SELECT count(*) FROM audit");
    r.kind = CHECK_ACK_TIME;
    r.until_ms = now - 60000;
    fx_expect_fail(check_ack(st, &r, now, NULL, &err), &err, "in the past");
    r.until_ms = now + HOUR;
    r.host = "lib-zz99";
    fx_expect_fail(check_ack(st, &r, now, NULL, &err), &err, "unknown host lib-zz99");
    r.host = "lib-ap01";
    r.check = "nosuch";
    fx_expect_fail(check_ack(st, &r, now, NULL, &err), &err, "unknown check nosuch");
    r.check = "disk";
    r.note = "  ";
    fx_expect_fail(check_ack(st, &r, now, NULL, &err), &err, "note");
    r.note = "vendor on site";
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks"), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM audit"), audits);

    /* Acknowledged for an hour: listed as such; the next NG opens no draft and adds
     * nothing to the open one. */
    char id[ID_LEN + 1];
    assert_int_equal(check_ack(st, &r, now, id, &err), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'check.ack'"), 1);
    struct check_problems p;
    assert_int_equal(check_problems_list(st, NULL, now, &p, &err), 0);
    assert_int_equal(p.count, 1);
    assert_true(p.items[0].acked);
    assert_false(p.items[0].ack.expired);
    assert_string_equal(p.items[0].ack.note, "vendor on site");
    assert_string_equal(p.items[0].ack.by_login, "yamada");
    check_problems_free(&p);
    int events = count(t, "SELECT count(*) FROM incident_events");
    run(t, &ok, &acked, ref);
    assert_false(ok);
    assert_true(acked);
    assert_int_equal(ref[0], 0);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM incident_events"), events);
    assert_int_equal(count(t, "SELECT count(*) FROM checklist_events WHERE status = 'ng'"), 2);

    /* Two hours on, it has expired: listed as expired, and for the handover. */
    assert_int_equal(check_problems_list(st, NULL, now + 2 * HOUR, &p, &err), 0);
    assert_int_equal(p.count, 1);
    assert_true(p.items[0].acked);
    assert_true(p.items[0].ack.expired);
    check_problems_free(&p);
    struct check_ack_expired *x;
    size_t nx;
    assert_int_equal(check_acks_expired(st, now, now + 2 * HOUR, &x, &nx, &err), 0);
    assert_int_equal(nx, 1);
    assert_string_equal(x[0].host, "lib-ap01");
    assert_string_equal(x[0].check, "disk");
    check_acks_expired_free(x, nx);
    assert_int_equal(check_acks_expired(st, now + 2 * HOUR, now + 3 * HOUR, &x, &nx, &err), 0);
    assert_int_equal(nx, 0);
    check_acks_expired_free(x, nx);
    /* The handover two hours on lists it for the incoming operator. */
    struct calendar *cal = calendar_new_default();
    struct handover_summary hs;
    assert_int_equal(handover_build(st, cal, now + 2 * HOUR, &hs, &err), 0);
    assert_int_equal(hs.n_acks, 1);
    assert_true(hs.acks[0].ack.expired);
    char *md = handover_markdown(&hs, NULL);
    assert_non_null(strstr(md, "- lib-ap01 disk: vendor on site (by "));
    assert_non_null(strstr(md, ", expired 11-24 11:00)"));
    free(md);
    handover_summary_free(&hs);
    /* Before it expired, and with no shift started, it is not listed. */
    assert_int_equal(handover_build(st, cal, now + HOUR / 2, &hs, &err), 0);
    assert_int_equal(hs.n_acks, 0);
    handover_summary_free(&hs);
    calendar_free(cal);

    /* An acknowledgement that has expired by the time of the run holds nothing: the
     * NG adds to the draft again. (Made two hours ago, until an hour ago.) */
    r.until_ms = now - HOUR;
    assert_int_equal(check_ack(st, &r, now - 2 * HOUR, NULL, &err), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_reason = 'replaced'"),
                     1);
    run(t, &ok, &acked, ref);
    assert_false(acked);
    assert_true(ref[0] != 0);
    assert_true(count(t, "SELECT count(*) FROM incident_events") > events);

    /* Until worse (a check has one severity: until it recovers); the OK ends it. */
    r.kind = CHECK_ACK_WORSE;
    assert_int_equal(check_ack(st, &r, now, NULL, &err), 0);
    run(t, &ok, &acked, ref);
    assert_true(acked);
    set_value(t, 40);
    run(t, &ok, &acked, ref);
    assert_true(ok);
    struct check_ack_info a;
    char host_id[] = "00000000-0000-7000-8000-000000000001";
    assert_int_equal(check_ack_find(st, host_id, "disk", now, &a, &err), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_reason = 'recovered'"),
                     1);
    /* Ended: twice replaced (the expired one, then by until-worse), once recovered. */
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'check.ack.end'"), 3);
    assert_int_equal(check_problems_list(st, NULL, now, &p, &err), 0);
    assert_int_equal(p.count, 0);
    check_problems_free(&p);
    /* Not a problem now: refused. */
    fx_expect_fail(check_ack(st, &r, now, NULL, &err), &err, "not a problem now");

    /* NG again: a new draft is due (the ack ended with the recovery); unack. */
    set_value(t, 95);
    run(t, &ok, &acked, ref);
    assert_false(acked);
    r.kind = CHECK_ACK_RECOVERY;
    assert_int_equal(check_ack(st, &r, now, NULL, &err), 0);
    assert_int_equal(check_unack(st, "lib-ap01", "disk", now, &err), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'check.unack'"), 1);
    fx_expect_fail(check_unack(st, "lib-ap01", "disk", now, &err), &err, "not acknowledged");
    run(t, &ok, &acked, ref);
    assert_false(acked);
    assert_true(ref[0] != 0);
}

/* Until the end of the shift: the configured shift whose hours contain now. */
static void test_ack_until_shift_end(void **state)
{
    struct t *t = *state;
    struct store *st = t->f->st;
    char *err = NULL;
    int ok, acked;
    char ref[24];
    set_value(t, 90);
    run(t, &ok, &acked, ref);
    int64_t now = time_now_ms();
    struct check_ack_req r = {.host = "lib-ap01", .check = "disk", .note = "vendor"};
    r.kind = CHECK_ACK_SHIFT;
    assert_int_equal(check_ack(st, &r, now, NULL, &err), 0);
    struct check_ack_info a;
    assert_int_equal(
        check_ack_find(st, "00000000-0000-7000-8000-000000000001", "disk", now, &a, &err), 1);
    assert_string_equal(a.kind, "shift");
    assert_non_null(a.until_at);
    int64_t until;
    assert_int_equal(time_parse(a.until_at, &until), 0);
    assert_true(until > now);
    assert_true(until - now <= 24 * HOUR);
    char *d = check_ack_describe(&a);
    assert_non_null(strstr(d, "vendor (by 山田 花子, until "));
    free(d);
    check_ack_info_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ack_expiry_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_until_shift_end, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
