/* Excel workbooks (.xlsx, written with libxlsxwriter) of the reports and of
 * the whole ledger, for the people the reports are handed to.
 *
 * The report workbooks are made from the same core data as the text reports
 * (src/reports.h, src/report_daily.h): one sheet per table, headings and sheet
 * names in the operator's language, times as real Excel dates in JST, counts
 * and rates as numbers, the header row frozen, columns as wide as their text
 * (display width, so Japanese fits), A4 print set-up with page numbers.
 *   - monthly (月次報告書): a summary sheet, incidents by category and by
 *     library, SLA achievement per priority and step (with a chart), the
 *     month's checks, job runs, changes and handovers (gathered day by day as
 *     the daily report does), the incident and inquiry lists, a sheet per day
 *     (with a chart of incidents per day) and the trend of the last 12 months
 *     (with charts);
 *   - daily (日次報告書): the daily report's sections;
 *   - SLA: achievement per priority and step (with a chart) and in total.
 * The export workbook has every ledger table as a sheet, ids, clocks (the
 * 18-digit hlc) and all stored text as text so nothing loses precision.
 *
 * A workbook is written to a temporary file next to path and renamed over it
 * when complete: on any error nothing half-written is left at path. */
#ifndef UNYO_WORKBOOK_H
#define UNYO_WORKBOOK_H

#include <stdint.h>

struct store;
struct sla;
struct calendar;

/* month "YYYY-MM"; cal decides which checks were due (as daily_report_build). */
int workbook_monthly(struct store *st, const struct sla *sla, const struct calendar *cal,
                     const char *month, int64_t now, const char *path, char **err);
/* day "YYYY-MM-DD" (JST). */
int workbook_daily(struct store *st, const struct sla *sla, const struct calendar *cal,
                   const char *day, int64_t now, const char *path, char **err);
/* from, to: dates "YYYY-MM-DD", inclusive. */
int workbook_sla(struct store *st, const struct sla *sla, const char *from, const char *to,
                 int64_t now, const char *path, char **err);
/* Every ledger table; *rows (may be NULL) gets the number of data rows. */
int workbook_export(struct store *st, const char *path, long long *rows, char **err);

#endif
