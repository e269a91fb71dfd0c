#include "due.h"

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

int due_on(const struct due_rule *r, const struct calendar *cal, struct civil_date day)
{
    unsigned p = r->periods;
    if (!(p & DATED_PERIODS) || !calendar_is_service_day(cal, day))
        return 0;
    if (p & PERIOD_DAILY)
        return 1;
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
