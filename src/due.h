/* When a periodic work item falls due, given the service calendar. A due
 * date is always a service day: a nominal date that is closed moves to the
 * next service day. */
#ifndef UNYO_DUE_H
#define UNYO_DUE_H

#include "calendar.h"
#include "period.h"

/* What a nominal date that is a closed day of the service calendar does (JP1's
 * 振替). DUE_CLOSED_AFTER is the zero value and what every rule did before the choice
 * existed: the date moves to the next service day. */
enum due_closed {
    DUE_CLOSED_AFTER = 0, /* to the next service day */
    DUE_CLOSED_BEFORE,    /* to the service day before it */
    DUE_CLOSED_SKIP       /* not at all: that period's run is dropped */
};

struct due_rule {
    unsigned periods; /* bitmask of enum period_bits */
    int weekday;      /* 0..6 (0 = Sunday), -1 unset: weekly defaults to Monday */
    int monthday;     /* 1..31, 32 = last day of month, 0 unset: the 1st */
    unsigned months;  /* bit (m-1) set for month m; 0 = the period's default */
    int closed;       /* enum due_closed */
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
 * and is due only there — or, by `closed`, to the service day before it, or
 * is dropped. A daily rule is due on every service day whatever `closed` says. As-needed and
 * stock-taking never fall due by date. */
int due_on(const struct due_rule *r, const struct calendar *cal, struct civil_date day);
/* The substitute rule's word ("after", "before", "skip") and back: -1 for an unknown
 * word; the name of an enum due_closed value (never NULL). */
int due_closed_parse(const char *word);
const char *due_closed_name(int closed);
/* For a day the rule is due on (due_on() is 1): 1 with *nominal set when the run
 * stands for another date that was closed and moved here (after: the nearest such
 * date before day; before: the nearest after it), 0 when day is itself a nominal
 * date (or nothing moved here). */
int due_moved_from(const struct due_rule *r, const struct calendar *cal, struct civil_date day,
                   struct civil_date *nominal);
/* Most recent due date <= day (looking back about 400 days), for rolling over
 * undone items; 1 with *out set, 0 if none. */
int due_last_on_or_before(const struct due_rule *r, const struct calendar *cal,
                          struct civil_date day, struct civil_date *out);

#endif
