/* When a periodic work item falls due, given the service calendar. A due
 * date is always a service day: a nominal date that is closed moves to the
 * next service day. */
#ifndef UNYO_DUE_H
#define UNYO_DUE_H

#include "calendar.h"
#include "period.h"

struct due_rule {
    unsigned periods; /* bitmask of enum period_bits */
    int weekday;      /* 0..6 (0 = Sunday), -1 unset: weekly defaults to Monday */
    int monthday;     /* 1..31, 32 = last day of month, 0 unset: the 1st */
    unsigned months;  /* bit (m-1) set for month m; 0 = the period's default */
};

/* Month masks: bit (m-1) for month m. */
#define DUE_MONTH(m) (1u << ((m)-1))
#define DUE_MONTHS_QUARTERLY (DUE_MONTH(1) | DUE_MONTH(4) | DUE_MONTH(7) | DUE_MONTH(10))
#define DUE_MONTHS_HALF_YEARLY (DUE_MONTH(4) | DUE_MONTH(10))
#define DUE_MONTHS_YEARLY DUE_MONTH(4)

/* 1 if the item falls due on that day. Daily: every service day. Weekly: on
 * `weekday`. Monthly: on `monthday` (clamped to the month's length), every
 * month — or only `months` when the rule has no longer period. Quarterly,
 * half-yearly, yearly: the monthly rule in `months` (defaults 1/4/7/10, 4/10,
 * 4). Any of these shifts to the next service day when its date is closed,
 * and is due only there. As-needed and stock-taking never fall due by date. */
int due_on(const struct due_rule *r, const struct calendar *cal, struct civil_date day);
/* Most recent due date <= day (looking back about 400 days), for rolling over
 * undone items; 1 with *out set, 0 if none. */
int due_last_on_or_before(const struct due_rule *r, const struct calendar *cal,
                          struct civil_date day, struct civil_date *out);

#endif
