/* Instants are UTC milliseconds; stored as ISO 8601 UTC text, shown in JST
 * (UTC+9, no daylight saving since 1951, so a fixed offset is exact). */
#ifndef UNYO_TIMEFMT_H
#define UNYO_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define JST_OFFSET_SECONDS (9 * 3600)
#define TIME_ISO_LEN 24 /* "2026-11-22T22:00:00.000Z" */

/* Now, in UTC ms. UNYO_NOW (an instant in any form time_parse accepts) sets the
 * clock's starting point for tests and demos; time then runs on from it. */
int64_t time_now_ms(void);
/* Stored form: "2026-11-22T22:00:00.000Z". out needs TIME_ISO_LEN + 1 bytes. */
void time_format_iso(int64_t ms, char *out);
/* JST for people: "2026-11-23 07:00" (with_seconds: ":00" more). */
void time_format_jst(int64_t ms, char *out, int with_seconds);
/* JST date "2026-11-23". */
void time_format_jst_date(int64_t ms, char *out);
/* An offset into a recording: "2:03", or "1:02:03" from an hour on. */
void time_format_offset(int64_t ms, char *out, size_t size);
/* Accepts the stored form, ISO 8601 / RFC 3339 with Z or ±hh:mm (or ±hhmm), and
 * "YYYY-MM-DD[ HH:MM[:SS[.fff]]]" taken as JST. Only valid values: month 01-12, a
 * day the month has, hour 00-23 or 24:00[:00] exactly (the end of the day: the next
 * day's 00:00), minute 00-59, second 00-59 (no leap second), offset hours 00-23 and
 * minutes 00-59 (RFC 3339), and an instant in years 0000-9999 UTC (what
 * time_format_iso writes). Returns 0 and sets *ms, or -1. */
int time_parse(const char *s, int64_t *ms);
/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t time_days_from_civil(int y, int m, int d);
void time_civil_from_days(int64_t z, int *y, int *m, int *d);

#endif
