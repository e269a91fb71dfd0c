#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incidents.h"
#include "inquiries.h"
#include "problems.h"
#include "reports.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#include "support/ledger_fixture.h"

static int find_section(const struct report *r, const char *key)
{
    for (int i = 0; i < report_sections(r); i++)
        if (strcmp(report_section_key(r, i), key) == 0)
            return i;
    fail_msg("no section %s", key);
    return -1;
}

static int column_has(const struct report *r, int s, int col, const char *v)
{
    for (int i = 0; i < report_rows(r, s); i++)
        if (strcmp(report_cell(r, s, i, col), v) == 0)
            return 1;
    return 0;
}

static void test_daily_report(void **state)
{
    struct ledger_fx *f = *state;
    char a[24], b[24], old[24], *err = NULL;
    fx_incident(f, "OPAC端末が起動しない", NULL, a);
    fx_incident(f, "貸出処理で応答が遅い", NULL, b);
    fx_step(f, a, "isolated", NULL);
    fx_step(f, a, "first_response", "再起動");
    fx_step(f, a, "recovered", NULL);
    /* One from the day before, still open and late (P3: 60/240/960 minutes). */
    struct incident_new in = {.library = "HIG",
                              .channel = "alert",
                              .title = "バックアップジョブが異常終了",
                              .category = "server",
                              .impact = 2,
                              .urgency = 2,
                              .received = time_now_ms() - 26LL * 3600 * 1000};
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, old, &err), 0);
    int found;
    assert_int_equal(sla_scan(f->st, f->sla, time_now_ms(), NULL, NULL, &found, &err), 0);
    assert_int_equal(found, 3);
    struct inquiry_new q = {.library = "CEN", .channel = "mail", .title = "利用統計の出し方"};
    assert_int_equal(inquiry_create(f->st, &q, NULL, NULL, &err), 0);

    struct report *r = report_daily(f->st, f->sla, "2026-11-24", time_now_ms(), &err);
    assert_non_null(r);
    int s = find_section(r, "incidents");
    assert_int_equal(report_rows(r, s), 2);
    assert_true(column_has(r, s, 0, a));
    assert_true(column_has(r, s, 0, b));
    assert_false(column_has(r, s, 0, old));
    s = find_section(r, "summary");
    assert_string_equal(report_cell(r, s, 0, 1), "2"); /* received */
    assert_string_equal(report_cell(r, s, 1, 1), "1"); /* recovered */
    assert_string_equal(report_cell(r, s, 3, 1), "3"); /* breaches recorded today */
    assert_string_equal(report_cell(r, s, 4, 1), "2"); /* open now */
    assert_string_equal(report_cell(r, s, 5, 1), "1"); /* inquiries received */
    s = find_section(r, "sla");
    /* P3 (impact 2 x urgency 2), recovery: a met, b pending. */
    int row = 2 * SLA_NSTEPS + SLA_RECOVERY;
    assert_string_equal(report_cell(r, s, row, 0), "P3");
    assert_string_equal(report_cell(r, s, row, 3), "2");
    assert_string_equal(report_cell(r, s, row, 4), "1");
    assert_string_equal(report_cell(r, s, row, 5), "0");
    assert_string_equal(report_cell(r, s, row, 7), "100.0%");
    s = find_section(r, "breaches");
    assert_int_equal(report_rows(r, s), 3);
    assert_true(column_has(r, s, 1, old));
    s = find_section(r, "open_incidents");
    assert_true(column_has(r, s, 0, b));
    assert_true(column_has(r, s, 0, old));
    assert_false(column_has(r, s, 0, a));
    s = find_section(r, "inquiries");
    assert_int_equal(report_rows(r, s), 1);
    s = find_section(r, "incidents_by_category");
    assert_int_equal(report_rows(r, s), 1);

    char *md = report_render(r, REPORT_MARKDOWN);
    assert_non_null(strstr(md, a));
    assert_non_null(strstr(md, "| P3 |"));
    free(md);
    char *csv = report_render(r, REPORT_CSV);
    assert_non_null(strstr(csv, "incidents,"));
    free(csv);
    char *json = report_render(r, REPORT_JSON);
    assert_non_null(strstr(json, "\"key\":\"sla\""));
    free(json);
    char *text = report_render(r, REPORT_TEXT);
    assert_non_null(strstr(text, b));
    free(text);
    report_free(r);

    /* The day before holds only the old one. */
    r = report_daily(f->st, f->sla, "2026-11-23", time_now_ms(), &err);
    s = find_section(r, "incidents");
    assert_int_equal(report_rows(r, s), 1);
    report_free(r);
    assert_null(report_daily(f->st, f->sla, "2026-11-31", time_now_ms(), &err));
    free(err);
    err = NULL;

    r = report_monthly(f->st, f->sla, "2026-11", time_now_ms(), &err);
    assert_non_null(r);
    s = find_section(r, "incidents");
    assert_int_equal(report_rows(r, s), 3);
    report_free(r);
    assert_null(report_monthly(f->st, f->sla, "2026-13", time_now_ms(), &err));
    free(err);
    err = NULL;

    r = report_sla(f->st, f->sla, "2026-11-01", "2026-11-30", time_now_ms(), &err);
    assert_non_null(r);
    s = find_section(r, "sla_total");
    /* recovery over all priorities: 3 incidents, 1 met, 1 missed (old), 1 pending. */
    assert_string_equal(report_cell(r, s, SLA_RECOVERY, 1), "3");
    assert_string_equal(report_cell(r, s, SLA_RECOVERY, 2), "1");
    assert_string_equal(report_cell(r, s, SLA_RECOVERY, 3), "1");
    assert_string_equal(report_cell(r, s, SLA_RECOVERY, 5), "50.0%");
    report_free(r);
    assert_null(report_sla(f->st, f->sla, "2026-11-30", "2026-11-01", time_now_ms(), &err));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_daily_report, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
