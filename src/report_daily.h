/* The daily report of the work done (日次報告書, seed 002 item 98): the incident
 * and inquiry sections of report_daily() (src/reports.h) followed by the work of
 * the day:
 *   - a summary: checks OK / NG / skipped / not done, job runs succeeded /
 *     failed / other, changes worked on, handovers signed;
 *   - the checklist items that are NG (with their values and ranges), skipped
 *     (with the reason) or not done (one row per item, hosts listed);
 *   - the day's job runs (state, start, end, exit status, incident);
 *   - the changes worked on that day (any change_events row that day: the work
 *     done, the status now, who);
 *   - the handovers signed that day (who, to whom, acknowledged by whom).
 * The work sections are added to the struct report that report_daily() builds
 * and rendered by report_render() (text, Markdown, CSV or JSON), so
 * `unyo report daily` and the console's Reports pane print the same thing. */
#ifndef UNYO_REPORT_DAILY_H
#define UNYO_REPORT_DAILY_H

#include <stdint.h>
#include <stdio.h>

#include "reports.h"

struct store;
struct sla;
struct calendar;

struct daily_report;

/* day "YYYY-MM-DD" (JST); cal decides which checks were due (the service
 * calendar: sla->cal in the CLI, ui_calendar() in the console); now is the
 * instant open items and SLA clocks are measured at. NULL with *err. */
struct daily_report *daily_report_build(struct store *st, const struct sla *sla,
                                        const struct calendar *cal, const char *day, int64_t now,
                                        char **err);
/* The work sections only (no incident or inquiry sections): what a month's
 * workbook gathers day by day. */
struct daily_report *daily_report_work(struct store *st, const struct calendar *cal,
                                       const char *day, int64_t now, char **err);
/* The whole report (incidents and inquiries first, then the work of the day)
 * as a malloc'd string. */
char *daily_report_render(const struct daily_report *r, enum report_format fmt);
int daily_report_print(const struct daily_report *r, enum report_format fmt, FILE *out);
void daily_report_free(struct daily_report *r);

/* The whole report (reports.h's introspection sees every section: the
 * incident and inquiry sections of report_daily(), then the work sections). */
const struct report *daily_report_base(const struct daily_report *r);
/* Introspection of the work sections only (keys "work_summary", "checklist",
 * "jobs", "changes", "handovers"; index 0 is "work_summary"), for tests. */
int daily_report_sections(const struct daily_report *r);
const char *daily_report_section_key(const struct daily_report *r, int i);
int daily_report_section_index(const struct daily_report *r, const char *key);
int daily_report_rows(const struct daily_report *r, int section);
const char *daily_report_cell(const struct daily_report *r, int section, int row, int col);

#endif
