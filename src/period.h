/* Periods (周期) of a work item, as bits so an item can have several
 * (月次／年次). Shared by the templates and the due-date rules. */
#ifndef UNYO_PERIOD_H
#define UNYO_PERIOD_H

enum period_bits {
    PERIOD_NONE = 0,
    PERIOD_AS_NEEDED = 1 << 0,
    PERIOD_DAILY = 1 << 1,
    PERIOD_WEEKLY = 1 << 2,
    PERIOD_MONTHLY = 1 << 3,
    PERIOD_QUARTERLY = 1 << 4,
    PERIOD_HALF_YEARLY = 1 << 5,
    PERIOD_YEARLY = 1 << 6,
    PERIOD_STOCKTAKING = 1 << 7
};

#endif
