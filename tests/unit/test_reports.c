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

/* Splits one Markdown table row the way GitHub's table extension does (a
 * pipe is a column break unless an odd number of backslashes precede it), then reads each cell as
 * inline Markdown (pipe unescape, "\\X" for punctuation X, <br>). */
static int md_row_cells(const char *line, char cells[][64], int max)
{
    int n = -1; /* the text before the leading pipe is not a cell */
    size_t k = 0;
    char raw[256];
    for (const char *p = line;; p++) {
        if (*p == '|') {
            /* Escaped when an odd number of backslashes precede it (most
             * renderers; GitHub's splitter is more lenient). */
            size_t b = 0;
            while (b < k && raw[k - 1 - b] == '\\')
                b++;
            if (b % 2) {
                raw[k - 1] = '|';
                continue;
            }
        }
        if (*p == '|' || *p == '\0' || *p == '\n') {
            raw[k] = '\0';
            if (n >= 0 && n < max) {
                /* inline: strip the padding, unescape, <br> */
                char *a = raw;
                while (*a == ' ')
                    a++;
                size_t e = strlen(a);
                while (e && a[e - 1] == ' ')
                    a[--e] = '\0';
                size_t o = 0;
                for (size_t i = 0; a[i] && o < 63; i++) {
                    if (a[i] == '\\' && a[i + 1] && strchr("\\|*_`<>[]", a[i + 1]))
                        cells[n][o++] = a[++i];
                    else if (strncmp(a + i, "<br>", 4) == 0) {
                        cells[n][o++] = '\n';
                        i += 3;
                    } else
                        cells[n][o++] = a[i];
                }
                cells[n][o] = '\0';
            }
            if (*p != '|')
                break;
            n++;
            k = 0;
            continue;
        }
        raw[k++] = *p;
    }
    return n;
}

/* Issue 11: a cell holding "\\|" broke the row into an extra column. */
static void test_markdown_cells(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    struct report *r = report_daily(f->st, f->sla, "2026-11-24", time_now_ms(), &err);
    assert_non_null(r);
    const char *h[3] = {"a|b", "c\\", "d"};
    int s = report_add_section(r, "md", "md", 3, h);
    const char *row[3] = {"x\\|y", "p|q\\", "line1\nline2"};
    report_add_row(r, s, row);
    char *md = report_render(r, REPORT_MARKDOWN);
    const char *line = strstr(md, "| x");
    assert_non_null(line);
    char cells[8][64];
    assert_int_equal(md_row_cells(line, cells, 8), 3);
    assert_string_equal(cells[0], "x\\|y");
    assert_string_equal(cells[1], "p|q\\");
    assert_string_equal(cells[2], "line1\nline2");
    line = strstr(md, "| a\\|b");
    assert_non_null(line);
    assert_int_equal(md_row_cells(line, cells, 8), 3);
    assert_string_equal(cells[0], "a|b");
    assert_string_equal(cells[1], "c\\");
    free(md);
    report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_daily_report, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_markdown_cells, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
