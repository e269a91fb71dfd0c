/* Reports on the incident and inquiry ledgers: the daily report (日次報告書,
 * seed 002 item 98), the monthly report (月次報告書, item 99) and the SLA
 * achievement report (items 12-16: per step and priority, count, met, missed,
 * rate). A report is a list of titled tables, rendered as text, Markdown or
 * CSV; headings and names are in the operator's language. */
#ifndef UNYO_REPORTS_H
#define UNYO_REPORTS_H

#include <stdint.h>
#include <stdio.h>

#include "sla.h"

struct store;

struct sla_tally {
    int count, met, missed, pending; /* count = met + missed + pending */
};
/* Incidents received in [from, to) (UTC ms), drafts left out: each step's
 * result at `now`. tally[p][s]: p = priority - 1. */
int report_sla_tally(struct store *st, const struct sla *sla, int64_t from, int64_t to, int64_t now,
                     struct sla_tally tally[SLA_NPRIO][SLA_NSTEPS], char **err);

struct report;
enum report_format { REPORT_TEXT, REPORT_MARKDOWN, REPORT_CSV, REPORT_JSON };

/* Daily: day "YYYY-MM-DD" (JST). Monthly: month "YYYY-MM". SLA: from/to dates inclusive. */
struct report *report_daily(struct store *st, const struct sla *sla, const char *day, int64_t now,
                            char **err);
struct report *report_monthly(struct store *st, const struct sla *sla, const char *month,
                              int64_t now, char **err);
struct report *report_sla(struct store *st, const struct sla *sla, const char *from, const char *to,
                          int64_t now, char **err);
/* report_monthly with up to list_limit rows in each list (the printed report
 * shows 500; a workbook shows them all). */
struct report *report_monthly_limit(struct store *st, const struct sla *sla, const char *month,
                                    int64_t now, int list_limit, char **err);

/* Incidents received (drafts left out) and recovered in [from, to) (UTC ms):
 * the first two figures of a report's summary, for one day of a month. */
int report_period_counts(struct store *st, int64_t from, int64_t to, int *received, int *recovered,
                         char **err);

/* An empty report with a title, to add sections to. */
struct report *report_empty(const char *title);
/* Adding to a report (report_daily.c appends the day's work to report_daily()'s).
 * Sections are named by index (report_add_section's return value), which stays
 * valid as more are added. Titles, headings and cells are copied; a NULL cell
 * is "". */
void report_set_title(struct report *r, const char *title);
int report_add_section(struct report *r, const char *key, const char *title, int ncols,
                       const char *const *headings);
/* Adds a row of the section's ncols cells. */
void report_add_row(struct report *r, int section, const char *const *cells);

int report_print(const struct report *r, enum report_format fmt, FILE *out);
/* CSV holds one table: a report of one section renders as that table alone
 * (its headings, then its rows); several sections render as the old combined
 * form (a "section" column first) that no command prints any more. */
/* The section named key, or -1. */
int report_section_index(const struct report *r, const char *key);
/* Section i alone, rendered as a report of that one table. */
char *report_render_section(const struct report *r, int section, enum report_format fmt);
/* DIR/<key>.csv for every section (only for section only >= 0), DIR created:
 * one table per file. 0, or -1 with *err. */
int report_write_csv_dir(const struct report *r, const char *dir, int only, char **err);
/* The whole report rendered to a malloc'd string (for a pane or a file). */
char *report_render(const struct report *r, enum report_format fmt);
void report_free(struct report *r);

/* Introspection for tests and panes. */
int report_sections(const struct report *r);
const char *report_section_key(const struct report *r, int i);
int report_rows(const struct report *r, int section);
const char *report_cell(const struct report *r, int section, int row, int col);
/* For writers of other formats (src/workbook.c): the title, a section's title,
 * width, headings and note (NULL when it has none). */
const char *report_title(const struct report *r);
const char *report_section_title(const struct report *r, int section);
int report_section_cols(const struct report *r, int section);
const char *report_section_heading(const struct report *r, int section, int col);
const char *report_section_note(const struct report *r, int section);

#endif
