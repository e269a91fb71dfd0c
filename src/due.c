#include "due.h"

#include <string.h>

#define DATED_PERIODS                                                                              \
    (PERIOD_DAILY | PERIOD_WEEKLY | PERIOD_MONTHLY | PERIOD_QUARTERLY | PERIOD_HALF_YEARLY |       \
     PERIOD_YEARLY)
#define LONG_PERIODS (PERIOD_QUARTERLY | PERIOD_HALF_YEARLY | PERIOD_YEARLY)
#define ALL_MONTHS 0xFFFu

/* A nominal date moves to the first service day on or after it; so it lands
 * on `day` (a service day) exactly when no day in [nominal, day) is open. */
static int lands_on(const struct calendar *cal, int64_t nominal, int64_t day)
{
    if (nominal > day)
        return 0;
    for (int64_t d = nominal; d < day; d++) {
        if (calendar_is_service_day(cal, civil_from_days(d)))
            return 0;
    }
    return 1;
}

/* The months a rule's month-based periods fall in. The months field belongs
 * to the longer period when there is one (月次／年次: monthly stays every
 * month); a plain monthly rule may use it to skip months. */
static unsigned month_mask(const struct due_rule *r)
{
    unsigned p = r->periods, mask = 0, own = r->months & ALL_MONTHS;
    if (p & PERIOD_MONTHLY)
        mask |= own && !(p & LONG_PERIODS) ? own : ALL_MONTHS;
    if (p & PERIOD_QUARTERLY)
        mask |= own ? own : DUE_MONTHS_QUARTERLY;
    if (p & PERIOD_HALF_YEARLY)
        mask |= own ? own : DUE_MONTHS_HALF_YEARLY;
    if (p & PERIOD_YEARLY)
        mask |= own ? own : DUE_MONTHS_YEARLY;
    return mask;
}

static int64_t month_nominal(int y, int m, int monthday)
{
    int n = civil_days_in_month(y, m);
    int d = monthday <= 0 ? 1 : monthday > n ? n : monthday; /* 32 = last day */
    return civil_to_days((struct civil_date){y, m, d});
}

/* 1 if day is one of the rule's own dates, before the calendar moves anything. */
static int nominal_on(const struct due_rule *r, int64_t dn)
{
    unsigned p = r->periods;
    if (p & PERIOD_DAILY)
        return 1;
    struct civil_date day = civil_from_days(dn);
    if (p & PERIOD_WEEKLY) {
        int wd = r->weekday >= 0 && r->weekday <= 6 ? r->weekday : 1;
        if (civil_weekday(day.y, day.m, day.d) == wd)
            return 1;
    }
    unsigned mask = month_mask(r);
    return (mask & (1u << (day.m - 1))) && month_nominal(day.y, day.m, r->monthday) == dn;
}

/* A closure longer than this is a calendar mistake, not a reason to look further. */
#define MAX_CLOSURE_DAYS 400

/* The nearest nominal date among the closed days next to dn, walking by step (-1:
 * back, as "after" moves dates forward; +1: ahead, as "before" moves them back).
 * 1 with *out set, or 0. */
static int closed_nominal_near(const struct due_rule *r, const struct calendar *cal, int64_t dn,
                               int step, int64_t *out)
{
    for (int i = 1; i <= MAX_CLOSURE_DAYS; i++) {
        int64_t d = dn + step * i;
        if (calendar_is_service_day(cal, civil_from_days(d)))
            return 0;
        if (nominal_on(r, d)) {
            *out = d;
            return 1;
        }
    }
    return 0;
}

int due_closed_parse(const char *word)
{
    static const char *const names[] = {"after", "before", "skip"};
    for (int i = 0; word && i < 3; i++)
        if (strcmp(word, names[i]) == 0)
            return i;
    return -1;
}

const char *due_closed_name(int closed)
{
    return closed == DUE_CLOSED_BEFORE ? "before" : closed == DUE_CLOSED_SKIP ? "skip" : "after";
}

int due_moved_from(const struct due_rule *r, const struct calendar *cal, struct civil_date day,
                   struct civil_date *nominal)
{
    int64_t dn = civil_to_days(day), from;
    if ((r->periods & PERIOD_DAILY) || r->closed == DUE_CLOSED_SKIP || nominal_on(r, dn) ||
        !closed_nominal_near(r, cal, dn, r->closed == DUE_CLOSED_BEFORE ? 1 : -1, &from))
        return 0;
    if (nominal)
        *nominal = civil_from_days(from);
    return 1;
}

int due_on(const struct due_rule *r, const struct calendar *cal, struct civil_date day)
{
    unsigned p = r->periods;
    if (!(p & DATED_PERIODS) || !calendar_is_service_day(cal, day))
        return 0;
    if (p & PERIOD_DAILY)
        return 1;
    if (r->closed == DUE_CLOSED_SKIP || r->closed == DUE_CLOSED_BEFORE) {
        int64_t dn = civil_to_days(day), from;
        if (nominal_on(r, dn))
            return 1;
        return r->closed == DUE_CLOSED_BEFORE && closed_nominal_near(r, cal, dn, 1, &from);
    }
    int64_t dn = civil_to_days(day);
    /* Only the latest nominal date on or before `day` matters: an earlier one
     * that was pushed past it lands where the latest one does. */
    if (p & PERIOD_WEEKLY) {
        int wd = r->weekday >= 0 && r->weekday <= 6 ? r->weekday : 1;
        int back = (civil_weekday(day.y, day.m, day.d) - wd + 7) % 7;
        if (lands_on(cal, dn - back, dn))
            return 1;
    }
    unsigned mask = month_mask(r);
    if (mask) {
        int y = day.y, m = day.m;
        for (int k = 0; k < 13; k++) {
            if (mask & (1u << (m - 1))) {
                int64_t nominal = month_nominal(y, m, r->monthday);
                if (nominal <= dn)
                    return lands_on(cal, nominal, dn);
            }
            if (--m == 0) {
                m = 12;
                y--;
            }
        }
    }
    return 0;
}

int due_last_on_or_before(const struct due_rule *r, const struct calendar *cal,
                          struct civil_date day, struct civil_date *out)
{
    if (!(r->periods & DATED_PERIODS))
        return 0;
    int64_t dn = civil_to_days(day);
    /* 400 days: a yearly item plus room for its date to have been shifted. */
    for (int i = 0; i <= 400; i++) {
        struct civil_date d = civil_from_days(dn - i);
        if (due_on(r, cal, d)) {
            if (out)
                *out = d;
            return 1;
        }
    }
    return 0;
}
