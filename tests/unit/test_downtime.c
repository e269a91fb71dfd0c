/* Downtimes (src/downtime.c, issue 15): the window of a manual downtime (start
 * inclusive, end exclusive, cut short by downtime_end), the window of an approved or
 * in-progress change over its target hosts (none before approval, none once
 * cancelled or returned, none past the window's end while the change overruns), the
 * refusals that write nothing, and an NG inside a downtime: recorded with it, no
 * draft, not counted as NG in the checklist. Checks run on a `local` host. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "changes.h"
#include "checklist.h"
#include "checks.h"
#include "downtime.h"
#include "seed_data.h"
#include "store.h"
#include "support/ledger_fixture.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

#define MIN 60000LL
#define HOUR 3600000LL

static int count(struct ledger_fx *f, const char *sql)
{
    return fx_count(f->st, sql);
}

static char *host_id(struct ledger_fx *f)
{
    static char id[ID_LEN + 1];
    sqlite3_stmt *s = store_stmt(f->st, "SELECT id FROM hosts WHERE name = 'lib-ap01'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(id, sizeof id, "%s", col_text(s, 0));
    sqlite3_reset(s);
    return id;
}

/* 1 when host is in downtime at at_ms (and *from_change says what holds it). */
static int held(struct ledger_fx *f, int64_t at_ms, int *from_change)
{
    char *err = NULL;
    struct downtime d;
    int rc = downtime_at(f->st, host_id(f), at_ms, &d, &err);
    if (rc < 0)
        fail_msg("downtime_at: %s", err);
    if (rc == 1) {
        if (from_change)
            *from_change = d.from_change;
        downtime_clear(&d);
    }
    return rc;
}

static void test_manual_window(void **state)
{
    struct ledger_fx *f = *state;
    struct store *st = f->st;
    char *err = NULL;
    int64_t now = time_now_ms(); /* 2026-11-24 10:00 JST */

    /* Refusals: nothing written. */
    int audits = count(f, "SELECT count(*) FROM audit");
    fx_expect_fail(downtime_add(st, "lib-ap01", now + HOUR, now, "swap", now, NULL, &err), &err,
                   "before it starts");
    fx_expect_fail(
        downtime_add(st, "lib-ap01", now - 2 * HOUR, now - HOUR, "swap", now, NULL, &err), &err,
        "wholly in the past");
    fx_expect_fail(downtime_add(st, "lib-ap01", now - HOUR, now, "swap", now, NULL, &err), &err,
                   "wholly in the past");
    fx_expect_fail(downtime_add(st, "lib-zz99", now, now + HOUR, "swap", now, NULL, &err), &err,
                   "unknown host lib-zz99");
    fx_expect_fail(downtime_add(st, "lib-ap01", now, now + HOUR, " \t", now, NULL, &err), &err,
                   "needs a reason");
    assert_int_equal(count(f, "SELECT count(*) FROM downtimes"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM audit"), audits);

    /* 09:30 to 12:00: held from 09:30 (inclusive) to 12:00 (exclusive). */
    char id[ID_LEN + 1];
    assert_int_equal(
        downtime_add(st, "lib-ap01", now - 30 * MIN, now + 2 * HOUR, "disk swap", now, id, &err),
        0);
    assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'downtime.add'"), 1);
    int fc = -1;
    assert_int_equal(held(f, now - 30 * MIN - 1, NULL), 0);
    assert_int_equal(held(f, now - 30 * MIN, &fc), 1);
    assert_false(fc);
    assert_int_equal(held(f, now + 2 * HOUR - 1, NULL), 1);
    assert_int_equal(held(f, now + 2 * HOUR, NULL), 0);
    struct downtime d;
    assert_int_equal(downtime_at(st, host_id(f), now, &d, &err), 1);
    assert_string_equal(d.id, id);
    assert_string_equal(d.host, "lib-ap01");
    char *text = downtime_describe(&d);
    assert_string_equal(text, "disk swap (until 11-24 12:00)");
    free(text);
    downtime_clear(&d);

    /* An upcoming one, 13:00 to 14:00. */
    char id2[ID_LEN + 1];
    assert_int_equal(
        downtime_add(st, "lib-ap01", now + 3 * HOUR, now + 4 * HOUR, "reboot", now, id2, &err), 0);
    struct downtimes v;
    assert_int_equal(downtime_list(st, NULL, 0, now, &v, &err), 0);
    assert_int_equal(v.count, 2);
    assert_string_equal(v.items[0].id, id); /* by start */
    assert_string_equal(v.items[1].reason, "reboot");
    downtimes_free(&v);

    /* Ended at 11:00 by its id: held until 11:00 only, no longer listed at 11:00, listed
     * with --all as ended at 11:00. A prefix both ids share (their first 8 digits: made at
     * the same time) is refused. */
    char prefix[9]; /* the top 32 bits of the millisecond both were made at */
    memcpy(prefix, id, 8);
    prefix[8] = '\0';
    fx_expect_fail(downtime_end(st, prefix, now + HOUR, NULL, &err), &err, "more than one");
    fx_expect_fail(downtime_end(st, "0123", now + HOUR, NULL, &err), &err, "no downtime of 0123");
    size_t n = 0;
    assert_int_equal(downtime_end(st, id, now + HOUR, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'downtime.end'"), 1);
    assert_int_equal(held(f, now + HOUR - 1, NULL), 1);
    assert_int_equal(held(f, now + HOUR, NULL), 0);
    assert_int_equal(downtime_list(st, NULL, 0, now + HOUR, &v, &err), 0);
    assert_int_equal(v.count, 1);
    assert_string_equal(v.items[0].reason, "reboot");
    downtimes_free(&v);
    assert_int_equal(downtime_list(st, NULL, 1, now + HOUR, &v, &err), 0);
    assert_int_equal(v.count, 2);
    assert_true(v.items[0].ended);
    assert_true(v.items[0].ends_ms == now + HOUR);
    assert_true(v.items[0].planned_ms == now + 2 * HOUR);
    downtimes_free(&v);

    /* Ending the host's downtimes ends the upcoming one too: it never holds. */
    assert_int_equal(downtime_end(st, "lib-ap01", now + HOUR, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(held(f, now + 3 * HOUR + 30 * MIN, NULL), 0);
    audits = count(f, "SELECT count(*) FROM audit");
    fx_expect_fail(downtime_end(st, "lib-ap01", now + HOUR, NULL, &err), &err,
                   "no downtime of lib-ap01");
    assert_int_equal(count(f, "SELECT count(*) FROM audit"), audits);
}

static const char *const one_step[] = {"swap the disk"};

static void file_change(struct ledger_fx *f, int64_t from, int64_t to, char ref[24])
{
    static const char *const hosts[] = {"lib-ap01"};
    struct change_new in = {0};
    in.dept = "情報システム担当";
    in.title = "ディスク交換";
    in.rollback = "元に戻す";
    in.steps = one_step;
    in.nsteps = 1;
    in.hosts = hosts;
    in.nhosts = 1;
    in.window_start = from;
    in.window_end = to;
    char *err = NULL;
    fx_as(f->st, "yamada");
    if (change_create(f->st, &in, NULL, ref, &err) != 0)
        fail_msg("%s", err);
}

static void step(struct ledger_fx *f, const char *who, const char *ref, const char *verb)
{
    char *err = NULL;
    fx_as(f->st, who);
    if (change_step(f->st, ref, verb, "note", &err) != 0)
        fail_msg("%s %s: %s", verb, ref, err);
}

static void test_change_window(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    int64_t now = time_now_ms();
    char ref[24];
    /* Window 11:00 to 12:00 on lib-ap01. */
    file_change(f, now + HOUR, now + 2 * HOUR, ref);
    int64_t inside = now + 90 * MIN;
    assert_int_equal(held(f, inside, NULL), 0); /* a draft holds nothing */
    step(f, "yamada", ref, "plan");
    step(f, "yamada", ref, "submit");
    assert_int_equal(held(f, inside, NULL), 0); /* nor one in review */
    step(f, "sato", ref, "approve");
    int fc = 0;
    assert_int_equal(held(f, inside, &fc), 1);
    assert_true(fc);
    assert_int_equal(held(f, now + HOUR - 1, NULL), 0);
    assert_int_equal(held(f, now + HOUR, NULL), 1);
    assert_int_equal(held(f, now + 2 * HOUR, NULL), 0);
    struct downtimes v;
    assert_int_equal(downtime_list(f->st, NULL, 0, now, &v, &err), 0);
    assert_int_equal(v.count, 1);
    assert_true(v.items[0].from_change);
    assert_string_equal(v.items[0].change_ref, ref);
    assert_string_equal(v.items[0].reason, "ディスク交換");
    char *text = downtime_describe(&v.items[0]);
    assert_non_null(strstr(text, ref));
    assert_non_null(strstr(text, "(until 11-24 12:00)"));
    free(text);
    downtimes_free(&v);
    /* Never copied into the downtimes table; not ended by hand. */
    assert_int_equal(count(f, "SELECT count(*) FROM downtimes"), 0);
    fx_expect_fail(downtime_end(f->st, "lib-ap01", now, NULL, &err), &err, "comes from change");

    /* In progress past its window (it overruns): held until 12:00 only. */
    step(f, "yamada", ref, "start");
    assert_int_equal(held(f, inside, NULL), 1);
    assert_int_equal(held(f, now + 2 * HOUR + MIN, NULL), 0);
    assert_int_equal(downtime_list(f->st, NULL, 0, now + 2 * HOUR + MIN, &v, &err), 0);
    assert_int_equal(v.count, 0);
    downtimes_free(&v);
    /* Cancelled: it holds nothing, not even inside its window. */
    step(f, "yamada", ref, "cancel");
    assert_int_equal(held(f, inside, NULL), 0);
    assert_int_equal(downtime_list(f->st, NULL, 1, now, &v, &err), 0);
    assert_int_equal(v.count, 0);
    downtimes_free(&v);

    /* Returned: nothing either. */
    char ref2[24];
    file_change(f, now + HOUR, now + 2 * HOUR, ref2);
    step(f, "yamada", ref2, "plan");
    step(f, "yamada", ref2, "submit");
    step(f, "sato", ref2, "return");
    assert_int_equal(held(f, inside, NULL), 0);
    /* A change with no window holds nothing when approved. */
    char ref3[24];
    file_change(f, 0, 0, ref3);
    step(f, "yamada", ref3, "plan");
    step(f, "yamada", ref3, "submit");
    step(f, "sato", ref3, "approve");
    assert_int_equal(held(f, inside, NULL), 0);
    assert_int_equal(held(f, now, NULL), 0);
}

/* A check run on lib-ap01 (local): NG inside a downtime is recorded with it and opens
 * no draft; the checklist marks it and does not count it. */
static void test_ng_in_downtime(void **state)
{
    struct ledger_fx *f = *state;
    struct store *st = f->st;
    char *err = NULL;
    struct template_set ts = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &ts, &err) != 0 ||
        seed_install_templates(st, &ts, &err) != 0 ||
        store_exec(st, "UPDATE hosts SET transport = 'local'", &err) != 0)
        fail_msg("%s", err);
    templates_free(&ts);
    char ini[160];
    snprintf(ini, sizeof ini, "%s/checks.ini", f->dir);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fprintf(fp, "[disk]\ntemplate = L025\ncommand = echo use=91\npattern = use=(?<use>\\d+)\n"
                "condition = use < 80\nvalue = use\nunit = %%\nseverity = warning\n");
    fclose(fp);
    struct check_set set = {0};
    if (checks_load_file(ini, &set, &err) != 0)
        fail_msg("%s", err);
    int64_t now = time_now_ms();
    char id[ID_LEN + 1];
    assert_int_equal(
        downtime_add(st, "lib-ap01", now - MIN, now + HOUR, "disk swap", now, id, &err), 0);
    struct check_run_opts o = {0};
    struct check_report rep;
    if (checks_run(st, &set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_int_equal(rep.count, 1);
    assert_false(rep.results[0].ok);
    assert_string_equal(rep.results[0].downtime_id, id);
    assert_non_null(strstr(rep.results[0].downtime_text, "disk swap"));
    assert_int_equal(rep.results[0].incident_ref[0], 0);
    check_report_free(&rep);
    assert_int_equal(count(f, "SELECT count(*) FROM incidents"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM checklist_events WHERE status = 'ng' AND "
                              "downtime_id IS NOT NULL"),
                     1);
    struct calendar *cal = calendar_new_default();
    char day[16];
    time_format_jst_date(now, day);
    struct checklist_day cd;
    assert_int_equal(checklist_load(st, cal, day, &cd, &err), 0);
    const struct checklist_item *it = checklist_find(&cd, "L025", "lib-ap01");
    assert_non_null(it);
    assert_int_equal(it->status, CHECK_NG);
    assert_true(it->in_downtime);
    assert_non_null(strstr(checklist_item_note(it), "[downtime] "));
    checklist_day_free(&cd);
    int ng = -1;
    assert_int_equal(checklist_counts(st, cal, day, &ng, NULL, &err), 0);
    assert_int_equal(ng, 0);

    /* Ended: the next NG counts and opens its draft. */
    assert_int_equal(downtime_end(st, "lib-ap01", now, NULL, &err), 0);
    if (checks_run(st, &set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_int_equal(rep.results[0].downtime_id[0], 0);
    assert_true(rep.results[0].incident_ref[0] != 0);
    check_report_free(&rep);
    assert_int_equal(checklist_counts(st, cal, day, &ng, NULL, &err), 0);
    assert_int_equal(ng, 1);
    calendar_free(cal);
    checks_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_manual_window, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_change_window, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ng_in_downtime, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
