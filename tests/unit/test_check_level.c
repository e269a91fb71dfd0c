/* Two levels for a check (issue 15): `warn` / `crit` thresholds beside `condition`
 * (src/checks.c), the level recorded with each result (checklist_events.level),
 * WARN opening no draft, and the rule for an acknowledgement "until worse" made at
 * WARN (src/check_ack.c): a CRIT ends it and raises the draft; WARN again keeps it;
 * one made at CRIT keeps today's rule. Checks run on a `local` host. */
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
#include "checklist.h"
#include "checks.h"
#include "downtime.h"
#include "support/ledger_fixture.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

struct t {
    struct ledger_fx *f;
    char val[128];
    struct check_set set;
};

static const char DISK[] = "[disk]\ntemplate = L025\ncommand = cat %s\n"
                           "pattern = use=(?<use>\\d+)\n"
                           "warn = use > 80\ncrit = use > 95\nvalue = use\nunit = %%\n";

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
    fprintf(fp, DISK, t->val);
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

struct res {
    int level, acked, dropped;
    char ref[24];
};

/* One run of the check on every host; lib-ap01's result. */
static struct res run(struct t *t, int value)
{
    set_value(t, value);
    struct check_run_opts o = {.host = "lib-ap01"};
    struct check_report rep;
    char *err = NULL;
    if (checks_run(t->f->st, &t->set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_int_equal(rep.count, 1);
    struct res r = {rep.results[0].level, rep.results[0].acked, rep.results[0].ack_dropped, ""};
    snprintf(r.ref, sizeof r.ref, "%s", rep.results[0].incident_ref);
    assert_int_equal(rep.warn, r.level == CHECK_LEVEL_WARN);
    check_report_free(&rep);
    return r;
}

static int count(struct t *t, const char *sql)
{
    return fx_count(t->f->st, sql);
}

static void ack(struct t *t, enum check_ack_kind kind)
{
    char *err = NULL;
    struct check_ack_req r = {.host = "lib-ap01", .check = "disk", .note = "vendor", .kind = kind};
    if (check_ack(t->f->st, &r, time_now_ms(), NULL, &err) != 0)
        fail_msg("check_ack: %s", err);
}

/* Pure evaluation: OK, WARN, CRIT; conditions as CRIT; the worst item with each. */
static void test_evaluate_levels(void **state)
{
    struct t *t = *state;
    const struct check_def *d = &t->set.defs[0];
    struct check_outcome o;
    char *err = NULL;
    struct {
        const char *out;
        int level;
        const char *why;
    } cases[] = {
        {"use=50\n", CHECK_LEVEL_OK, "use=50"},
        {"use=80\n", CHECK_LEVEL_OK, NULL},
        {"use=81\n", CHECK_LEVEL_WARN, "use=81 (warning: use > 80)"},
        {"use=95\n", CHECK_LEVEL_WARN, NULL},
        {"use=96\n", CHECK_LEVEL_CRIT, "use=96 (critical: use > 95)"},
        {"nothing\n", CHECK_LEVEL_CRIT, "did not match"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        check_evaluate(d, cases[i].out, strlen(cases[i].out), 0, "", &o, &err);
        assert_int_equal(o.level, cases[i].level);
        assert_int_equal(o.ok, cases[i].level == CHECK_LEVEL_OK);
        if (cases[i].why && !strstr(o.detail, cases[i].why))
            fail_msg("%s: detail \"%s\" lacks \"%s\"", cases[i].out, o.detail, cases[i].why);
        check_outcome_clear(&o);
    }

    /* each = yes: the worst item; a condition failing is CRIT; warn lines: any. */
    char ini[160];
    snprintf(ini, sizeof ini, "%s/each.ini", t->f->dir);
    FILE *fp = fopen(ini, "w");
    fputs("[fs]\ntemplate = L025\ncommand = x\npattern = ^(?<use>\\S+) (?<mount>\\S+)$\n"
          "each = yes\ncondition = use >= 0\nwarn = use > 80\nwarn = use == 7\n"
          "crit = use > 95\nvalue = use\nlabel = mount\n",
          fp);
    fclose(fp);
    struct check_set s = {0};
    assert_int_equal(checks_load_file(ini, &s, &err), 0);
    const char *two = "10 /\n85 /var\n";
    check_evaluate(&s.defs[0], two, strlen(two), 0, "", &o, &err);
    assert_int_equal(o.level, CHECK_LEVEL_WARN);
    assert_non_null(strstr(o.detail, "/var: use=85 (warning: use > 80)"));
    check_outcome_clear(&o);
    const char *seven = "7 /\n";
    check_evaluate(&s.defs[0], seven, strlen(seven), 0, "", &o, &err);
    assert_int_equal(o.level, CHECK_LEVEL_WARN);
    check_outcome_clear(&o);
    const char *three = "10 /\n85 /var\n99 /srv\n";
    check_evaluate(&s.defs[0], three, strlen(three), 0, "", &o, &err);
    assert_int_equal(o.level, CHECK_LEVEL_CRIT);
    assert_non_null(strstr(o.detail, "/srv: use=99 (critical: use > 95)"));
    assert_null(strstr(o.detail, "/var")); /* the CRIT's reasons, not the WARN's */
    check_outcome_clear(&o);
    const char *neg = "-1 /\n";
    check_evaluate(&s.defs[0], neg, strlen(neg), 0, "", &o, &err);
    assert_int_equal(o.level, CHECK_LEVEL_CRIT);
    assert_non_null(strstr(o.detail, "limit: use >= 0"));
    check_outcome_clear(&o);
    const char *nan = "abc /\n";
    check_evaluate(&s.defs[0], nan, strlen(nan), 0, "", &o, &err);
    assert_int_equal(o.level, CHECK_LEVEL_CRIT);
    assert_non_null(strstr(o.detail, "not a number"));
    check_outcome_clear(&o);
    checks_free(&s);

    /* Refused: a bad expression, a capture the pattern lacks. */
    fp = fopen(ini, "w");
    fputs("[a]\ntemplate = L025\ncommand = x\npattern = (?<v>\\d+)\nwarn = v >> 1\n", fp);
    fclose(fp);
    assert_int_equal(checks_load_file(ini, &s, &err), -1);
    assert_non_null(strstr(err, "each.ini:5: bad warn \"v >> 1\""));
    free(err);
    err = NULL;
    checks_free(&s);
    fp = fopen(ini, "w");
    fputs("[a]\ntemplate = L025\ncommand = x\npattern = (?<v>\\d+)\ncrit = w > 1\n", fp);
    fclose(fp);
    assert_int_equal(checks_load_file(ini, &s, &err), -1);
    assert_non_null(strstr(err, "uses w, which the pattern does not capture"));
    free(err);
    checks_free(&s);

    assert_int_equal(check_level_parse(NULL, "ng"), CHECK_LEVEL_CRIT);
    assert_int_equal(check_level_parse(NULL, "ok"), CHECK_LEVEL_OK);
    assert_int_equal(check_level_parse("warn", "ng"), CHECK_LEVEL_WARN);
    assert_string_equal(check_level_key(CHECK_LEVEL_CRIT), "crit");
}

/* WARN: recorded as an NG of level warn, no draft, counted apart; CRIT: a draft. */
static void test_levels_recorded(void **state)
{
    struct t *t = *state;
    struct res r = run(t, 85);
    assert_int_equal(r.level, CHECK_LEVEL_WARN);
    assert_string_equal(r.ref, "");
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), 0);
    assert_int_equal(
        count(t, "SELECT count(*) FROM checklist_events WHERE status = 'ng' AND level = 'warn'"),
        1);
    char *err = NULL;
    struct check_problems p;
    assert_int_equal(check_problems_list(t->f->st, NULL, time_now_ms(), &p, &err), 0);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.items[0].level, CHECK_LEVEL_WARN);
    check_problems_free(&p);
    char day[16];
    time_format_jst_date(time_now_ms(), day);
    struct calendar *cal = calendar_new_default();
    struct checklist_day cd;
    assert_int_equal(checklist_load(t->f->st, cal, day, &cd, &err), 0);
    const struct checklist_item *it = checklist_find(&cd, "L025", "lib-ap01");
    assert_non_null(it);
    assert_int_equal(it->status, CHECK_NG);
    assert_true(it->warn);
    checklist_day_free(&cd);
    int ng = -1;
    assert_int_equal(checklist_counts(t->f->st, cal, day, &ng, NULL, &err), 0);
    assert_int_equal(ng, 0); /* a WARN is not counted as NG */

    r = run(t, 97);
    assert_int_equal(r.level, CHECK_LEVEL_CRIT);
    assert_true(r.ref[0] != 0);
    assert_int_equal(count(t, "SELECT count(*) FROM checklist_events WHERE level = 'crit'"), 1);
    assert_int_equal(checklist_counts(t->f->st, cal, day, &ng, NULL, &err), 0);
    assert_int_equal(ng, 1);
    r = run(t, 10);
    assert_int_equal(r.level, CHECK_LEVEL_OK);
    assert_int_equal(count(t, "SELECT count(*) FROM checklist_events WHERE level = 'ok'"), 1);
    calendar_free(cal);
}

/* Acknowledged "until worse" at WARN: WARN again keeps it; CRIT ends it (audited,
 * reason worse) and opens the draft a new problem would. */
static void test_warn_ack_dropped_on_crit(void **state)
{
    struct t *t = *state;
    struct res r = run(t, 85);
    ack(t, CHECK_ACK_WORSE);
    struct check_ack_info a;
    char *err = NULL;
    const char *host = "00000000-0000-7000-8000-000000000001";
    assert_int_equal(check_ack_find(t->f->st, host, "disk", time_now_ms(), &a, &err), 1);
    assert_int_equal(a.level, CHECK_LEVEL_WARN);
    char *d = check_ack_describe(&a);
    assert_non_null(strstr(d, "at WARN, until it is CRIT"));
    free(d);
    check_ack_info_clear(&a);

    r = run(t, 90); /* WARN, worse in value but the same level: kept */
    assert_int_equal(r.level, CHECK_LEVEL_WARN);
    assert_true(r.acked);
    assert_false(r.dropped);
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_at IS NULL"), 1);

    r = run(t, 99); /* CRIT: the acknowledgement ends, the draft opens */
    assert_int_equal(r.level, CHECK_LEVEL_CRIT);
    assert_false(r.acked);
    assert_true(r.dropped);
    assert_true(r.ref[0] != 0);
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_reason = 'worse'"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'check.ack.end' AND "
                              "detail LIKE '%reason=worse%'"),
                     1);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents WHERE status = 'draft'"), 1);
}

/* A CRIT in a downtime opens no draft, so it leaves a WARN ack alone; the first CRIT
 * after the downtime ends it. */
static void test_warn_ack_kept_in_downtime(void **state)
{
    struct t *t = *state;
    run(t, 85);
    ack(t, CHECK_ACK_WORSE);
    char *err = NULL;
    int64_t now = time_now_ms();
    char id[ID_LEN + 1];
    if (downtime_add(t->f->st, "lib-ap01", now - 60000, now + 3600000, "disk swap", now, id,
                     &err) != 0)
        fail_msg("downtime_add: %s", err);
    struct res r = run(t, 99);
    assert_int_equal(r.level, CHECK_LEVEL_CRIT);
    assert_false(r.dropped);
    assert_string_equal(r.ref, "");
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_at IS NULL"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), 0);
}

/* A blip to OK ends a WARN ack as it ends any ("recovered", today's rule); the WARN
 * after it is a new problem: not acknowledged, still no draft. */
static void test_warn_ack_blip_to_ok(void **state)
{
    struct t *t = *state;
    run(t, 85);
    ack(t, CHECK_ACK_WORSE);
    struct res r = run(t, 10);
    assert_int_equal(r.level, CHECK_LEVEL_OK);
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_reason = 'recovered'"),
                     1);
    r = run(t, 86);
    assert_int_equal(r.level, CHECK_LEVEL_WARN);
    assert_false(r.acked);
    assert_string_equal(r.ref, "");
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), 0);
}

/* A blip to OK ends it as any acknowledgement (today's rule); acknowledged at CRIT,
 * "until worse" holds through worse values until the check recovers. */
static void test_crit_ack_keeps_todays_rule(void **state)
{
    struct t *t = *state;
    struct res r = run(t, 96);
    assert_int_equal(r.level, CHECK_LEVEL_CRIT);
    int drafts = count(t, "SELECT count(*) FROM incidents");
    ack(t, CHECK_ACK_WORSE);
    r = run(t, 99);
    assert_true(r.acked);
    assert_false(r.dropped);
    r = run(t, 85); /* better: WARN, still acknowledged */
    assert_true(r.acked);
    r = run(t, 100);
    assert_true(r.acked);
    assert_false(r.dropped);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), drafts);
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_at IS NULL"), 1);
    r = run(t, 10);
    assert_int_equal(count(t, "SELECT count(*) FROM check_acks WHERE ended_reason = 'recovered'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_evaluate_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warn_ack_dropped_on_crit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crit_ack_keeps_todays_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warn_ack_kept_in_downtime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warn_ack_blip_to_ok, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
