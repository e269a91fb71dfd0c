/* The service calendar: when the library system is in service (seed 000:
 * Sunday 07:00-17:30, other days 07:00-24:00 JST) and the exceptions to it
 * (closed days, special hours such as the legal power outage). SLA clocks
 * count service time only, so everything here works on int64_t UTC seconds
 * and converts with a fixed +9h offset (JST has no DST; the process TZ is
 * never consulted). */
#ifndef UNYO_CALENDAR_H
#define UNYO_CALENDAR_H

#include <stdint.h>
#include <stdio.h>

#ifndef JST_OFFSET_SECONDS /* same definition as timefmt.h */
#define JST_OFFSET_SECONDS (9 * 3600)
#endif
#define MINUTES_PER_DAY 1440

struct calendar; /* opaque */

/* Built-in hours, no closed days. */
struct calendar *calendar_new_default(void);
/* Loads a file; on any error returns NULL and *err = "FILE:LINE: what is
 * wrong (expected ...)" (malloc'd, translated); nothing half-loaded. *err
 * must be NULL or a malloc'd string on entry (it is replaced). */
struct calendar *calendar_load(const char *path, char **err);
void calendar_free(struct calendar *cal);

/* Civil date in JST. */
struct civil_date {
    int y, m, d;
};
struct civil_date jst_date_of(int64_t utc_seconds);
/* minute_of_day may be 1440 (24:00, the next day's 00:00). */
int64_t jst_to_utc(int y, int m, int d, int minute_of_day);
int civil_weekday(int y, int m, int d); /* 0 = Sunday */
int civil_days_in_month(int y, int m);
struct civil_date civil_add_days(struct civil_date d, int n);
/* "YYYY-MM-DD", validated (2026-02-30 is refused); 0 on success, -1 if bad. */
int civil_parse(const char *s, struct civil_date *out);
/* Days since 1970-01-01 (negative before); handy for comparing dates. */
int64_t civil_to_days(struct civil_date d);
struct civil_date civil_from_days(int64_t days);

/* Service window of a JST date: returns 0 when closed, else 1 with
 * [open_min, close_min) minutes of the day (close may be 1440). reason (may be
 * NULL) gets the closed-day or special-hours reason, or NULL. The reason
 * string belongs to the calendar. */
int calendar_day_hours(const struct calendar *cal, struct civil_date day, int *open_min,
                       int *close_min, const char **reason);
int calendar_in_service(const struct calendar *cal, int64_t utc_seconds);
/* Seconds of service time in [from, to); 0 if to <= from. */
int64_t calendar_service_seconds(const struct calendar *cal, int64_t from, int64_t to);
/* The instant reached after `seconds` of service time counted from `from` (if
 * `from` is outside service, counting starts at the next opening, so 0 seconds
 * gives the next opening). INT64_MAX if service never resumes. */
int64_t calendar_add_service_seconds(const struct calendar *cal, int64_t from, int64_t seconds);
/* Next change of state after t: the next close if in service, else the next
 * open. INT64_MAX if the state never changes again. */
int64_t calendar_next_transition(const struct calendar *cal, int64_t utc_seconds);
int calendar_is_service_day(const struct calendar *cal, struct civil_date day);
/* Prints `unyo calendar --month YYYY-MM`: one line per day with the date, the
 * weekday, the hours ("07:00–24:00 JST") or "closed", and the reason. */
void calendar_print_month(const struct calendar *cal, int y, int m, FILE *out);

#endif
