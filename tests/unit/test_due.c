#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>

#include "calendar.h"
#include "due.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

/* The shipped calendar: closed 2026-12-29..2027-01-03, 2027-12-29..2028-01-03
 * and the last Thursday of each month in 2027 (April: the 22nd). */
static struct calendar *cal;
static struct calendar *def;

static int setup(void **state)
{
    (void)state;
    char *err = NULL;
    cal = calendar_load(UNYO_TEST_DATADIR "/calendar.ini", &err);
    if (!cal) {
        free(err);
        return -1;
    }
    def = calendar_new_default();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    calendar_free(cal);
    calendar_free(def);
    return 0;
}

static struct civil_date D(int y, int m, int d) {
    return (struct civil_date){y, m, d};
}

static struct due_rule
rule(unsigned periods, int weekday, int monthday, unsigned months)
{
    return (struct due_rule){periods, weekday, monthday, months, DUE_CLOSED_AFTER};
}

/* Dates in [from, from + n days) the rule falls due on. */
static int count_due(const struct due_rule *r, const struct calendar *c, struct civil_date from,
                     int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += due_on(r, c, civil_add_days(from, i));
    return k;
}

static void test_daily(void **state)
{
    (void)state;
    struct due_rule r = rule(PERIOD_DAILY, -1, 0, 0);
    assert_true(due_on(&r, cal, D(2027, 3, 24)));
    assert_false(due_on(&r, cal, D(2027, 3, 25))); /* 館内整理日 */
    assert_true(due_on(&r, cal, D(2027, 3, 26)));
    assert_true(due_on(&r, cal, D(2027, 3, 28))); /* Sundays are service days */
    for (int d = 29; d <= 31; d++)
        assert_false(due_on(&r, cal, D(2026, 12, d)));
    assert_false(due_on(&r, cal, D(2027, 1, 1)));
    assert_true(due_on(&r, cal, D(2027, 1, 4)));
    /* 2027: 365 days less 3 + 3 year-end days, 11 housekeeping days */
    assert_int_equal(count_due(&r, cal, D(2027, 1, 1), 365), 365 - 3 - 3 - 11);
    assert_int_equal(count_due(&r, def, D(2027, 1, 1), 365), 365);
}

static void test_weekly(void **state)
{
    (void)state;
    /* Thursday; 2027-03-25 is closed, so that week's run is on Friday */
    struct due_rule r = rule(PERIOD_WEEKLY, 4, 0, 0);
    assert_true(due_on(&r, cal, D(2027, 3, 18)));
    assert_false(due_on(&r, cal, D(2027, 3, 19)));
    assert_false(due_on(&r, cal, D(2027, 3, 25)));
    assert_true(due_on(&r, cal, D(2027, 3, 26)));
    assert_false(due_on(&r, cal, D(2027, 3, 27))); /* not again later that week */
    assert_false(due_on(&r, cal, D(2027, 3, 31)));
    assert_true(due_on(&r, cal, D(2027, 4, 1)));
    assert_true(due_on(&r, def, D(2027, 3, 25)));
    assert_false(due_on(&r, def, D(2027, 3, 26)));
    /* once a week all year despite the shifts; Thursday 2026-12-31 (closed)
     * is made up on Monday 2027-01-04, and Thursday the 7th runs as usual */
    assert_true(due_on(&r, cal, D(2027, 1, 4)));
    assert_true(due_on(&r, cal, D(2027, 1, 7)));
    assert_int_equal(count_due(&r, cal, D(2027, 1, 5), 7 * 51), 51);

    /* unset weekday means Monday */
    struct due_rule mon = rule(PERIOD_WEEKLY, -1, 0, 0);
    assert_true(due_on(&mon, cal, D(2027, 3, 8)));
    assert_false(due_on(&mon, cal, D(2027, 3, 9)));

    /* Tuesday 2026-12-29 falls in the year-end closure: the run moves to
     * Monday 2027-01-04, and the next week's Tuesday still has its own */
    struct due_rule tue = rule(PERIOD_WEEKLY, 2, 0, 0);
    assert_false(due_on(&tue, cal, D(2026, 12, 29)));
    assert_true(due_on(&tue, cal, D(2027, 1, 4)));
    assert_true(due_on(&tue, cal, D(2027, 1, 5)));
    assert_false(due_on(&tue, cal, D(2027, 1, 6)));
}

static void test_monthly(void **state)
{
    (void)state;
    /* the 31st: clamped to the month's end */
    struct due_rule r31 = rule(PERIOD_MONTHLY, -1, 31, 0);
    assert_true(due_on(&r31, cal, D(2027, 2, 28)));
    assert_false(due_on(&r31, cal, D(2027, 3, 1)));
    assert_true(due_on(&r31, cal, D(2027, 3, 31)));
    assert_true(due_on(&r31, cal, D(2027, 4, 30)));
    assert_true(due_on(&r31, def, D(2028, 2, 29)));
    assert_false(due_on(&r31, def, D(2028, 2, 28)));

    /* 32 = last day of the month */
    struct due_rule last = rule(PERIOD_MONTHLY, -1, 32, 0);
    assert_true(due_on(&last, cal, D(2027, 2, 28)));
    assert_false(due_on(&last, cal, D(2027, 2, 27)));
    assert_true(due_on(&last, def, D(2028, 2, 29)));
    assert_true(due_on(&last, cal, D(2027, 6, 30)));
    /* 2027-09-30 is the housekeeping day: the run moves to October 1 */
    assert_false(due_on(&last, cal, D(2027, 9, 30)));
    assert_true(due_on(&last, cal, D(2027, 10, 1)));
    /* 2027-12-31 is closed: the run moves into the next year */
    assert_false(due_on(&last, cal, D(2027, 12, 31)));
    assert_true(due_on(&last, cal, D(2028, 1, 4)));

    /* the 30th in February is the 28th */
    struct due_rule r30 = rule(PERIOD_MONTHLY, -1, 30, 0);
    assert_true(due_on(&r30, cal, D(2027, 2, 28)));

    /* unset monthday is the 1st; January 1-3 are closed */
    struct due_rule first = rule(PERIOD_MONTHLY, -1, 0, 0);
    assert_false(due_on(&first, cal, D(2027, 1, 1)));
    assert_true(due_on(&first, cal, D(2027, 1, 4)));
    assert_false(due_on(&first, cal, D(2027, 1, 5)));
    assert_true(due_on(&first, cal, D(2027, 2, 1)));
    assert_int_equal(count_due(&first, cal, D(2027, 1, 1), 365), 12);

    /* the 25th of March 2027 is closed: Friday the 26th */
    struct due_rule r25 = rule(PERIOD_MONTHLY, -1, 25, 0);
    assert_false(due_on(&r25, cal, D(2027, 3, 25)));
    assert_true(due_on(&r25, cal, D(2027, 3, 26)));
    assert_false(due_on(&r25, cal, D(2027, 3, 27)));

    /* a plain monthly rule may skip months */
    struct due_rule some = rule(PERIOD_MONTHLY, -1, 10, DUE_MONTH(2) | DUE_MONTH(8));
    assert_true(due_on(&some, cal, D(2027, 2, 10)));
    assert_false(due_on(&some, cal, D(2027, 3, 10)));
    assert_true(due_on(&some, cal, D(2027, 8, 10)));
}

static void test_longer_periods(void **state)
{
    (void)state;
    struct due_rule q = rule(PERIOD_QUARTERLY, -1, 0, 0);
    assert_true(due_on(&q, cal, D(2027, 4, 1)));
    assert_false(due_on(&q, cal, D(2027, 5, 1)));
    assert_true(due_on(&q, cal, D(2027, 7, 1)));
    assert_true(due_on(&q, cal, D(2027, 10, 1)));
    assert_false(due_on(&q, cal, D(2027, 1, 1)));
    assert_true(due_on(&q, cal, D(2027, 1, 4))); /* shifted past New Year */
    assert_int_equal(count_due(&q, cal, D(2027, 1, 1), 365), 4);

    struct due_rule qc =
        rule(PERIOD_QUARTERLY, -1, 15, DUE_MONTH(2) | DUE_MONTH(5) | DUE_MONTH(8) | DUE_MONTH(11));
    assert_true(due_on(&qc, cal, D(2027, 2, 15)));
    assert_false(due_on(&qc, cal, D(2027, 4, 15)));
    assert_int_equal(count_due(&qc, cal, D(2027, 1, 1), 365), 4);

    struct due_rule h = rule(PERIOD_HALF_YEARLY, -1, 0, 0);
    assert_true(due_on(&h, cal, D(2027, 4, 1)));
    assert_true(due_on(&h, cal, D(2027, 10, 1)));
    assert_false(due_on(&h, cal, D(2027, 7, 1)));
    assert_false(due_on(&h, cal, D(2027, 1, 4)));
    assert_int_equal(count_due(&h, cal, D(2027, 1, 1), 365), 2);

    struct due_rule y = rule(PERIOD_YEARLY, -1, 0, 0);
    assert_true(due_on(&y, cal, D(2027, 4, 1)));
    assert_false(due_on(&y, cal, D(2027, 10, 1)));
    assert_int_equal(count_due(&y, cal, D(2027, 1, 1), 365), 1);
    /* December 29 is always closed: yearly runs in the first days of January */
    struct due_rule ydec = rule(PERIOD_YEARLY, -1, 29, DUE_MONTH(12));
    assert_false(due_on(&ydec, cal, D(2027, 12, 29)));
    assert_true(due_on(&ydec, cal, D(2028, 1, 4)));
    assert_int_equal(count_due(&ydec, cal, D(2027, 6, 1), 365), 1);

    /* 月次／年次: months belongs to the yearly part; monthly stays monthly */
    struct due_rule my = rule(PERIOD_MONTHLY | PERIOD_YEARLY, -1, 5, DUE_MONTH(4));
    assert_true(due_on(&my, cal, D(2027, 4, 5)));
    assert_true(due_on(&my, cal, D(2027, 5, 5)));
    assert_int_equal(count_due(&my, cal, D(2027, 1, 1), 365), 12);

    /* 随時／週次: the weekly part gives the dates */
    struct due_rule aw = rule(PERIOD_AS_NEEDED | PERIOD_WEEKLY, 3, 0, 0);
    assert_true(due_on(&aw, cal, D(2027, 3, 24)));
    assert_false(due_on(&aw, cal, D(2027, 3, 23)));
}

static void test_undated(void **state)
{
    (void)state;
    struct civil_date out;
    unsigned undated[] = {PERIOD_NONE, PERIOD_AS_NEEDED, PERIOD_STOCKTAKING,
                          PERIOD_AS_NEEDED | PERIOD_STOCKTAKING};
    for (size_t i = 0; i < sizeof undated / sizeof undated[0]; i++) {
        struct due_rule r = rule(undated[i], 1, 1, 0);
        assert_int_equal(count_due(&r, cal, D(2027, 1, 1), 365), 0);
        assert_int_equal(due_last_on_or_before(&r, cal, D(2027, 6, 1), &out), 0);
    }
}

static void expect_last(const struct due_rule *r, struct civil_date day, struct civil_date want)
{
    struct civil_date got = {0, 0, 0};
    if (!due_last_on_or_before(r, cal, day, &got))
        fail_msg("no due date on or before %04d-%02d-%02d", day.y, day.m, day.d);
    if (got.y != want.y || got.m != want.m || got.d != want.d)
        fail_msg("last due before %04d-%02d-%02d: got %04d-%02d-%02d, want %04d-%02d-%02d", day.y,
                 day.m, day.d, got.y, got.m, got.d, want.y, want.m, want.d);
}

static void test_last_due(void **state)
{
    (void)state;
    struct due_rule daily = rule(PERIOD_DAILY, -1, 0, 0);
    expect_last(&daily, D(2027, 3, 24), D(2027, 3, 24));
    expect_last(&daily, D(2027, 3, 25), D(2027, 3, 24));
    expect_last(&daily, D(2027, 1, 3), D(2026, 12, 28));

    struct due_rule thu = rule(PERIOD_WEEKLY, 4, 0, 0);
    expect_last(&thu, D(2027, 3, 31), D(2027, 3, 26));
    expect_last(&thu, D(2027, 3, 25), D(2027, 3, 18));
    expect_last(&thu, D(2027, 4, 1), D(2027, 4, 1));

    struct due_rule first = rule(PERIOD_MONTHLY, -1, 0, 0);
    expect_last(&first, D(2027, 1, 3), D(2026, 12, 1));
    expect_last(&first, D(2027, 1, 4), D(2027, 1, 4));
    expect_last(&first, D(2027, 2, 28), D(2027, 2, 1));

    struct due_rule q = rule(PERIOD_QUARTERLY, -1, 0, 0);
    expect_last(&q, D(2027, 6, 30), D(2027, 4, 1));

    struct due_rule y = rule(PERIOD_YEARLY, -1, 0, 0);
    expect_last(&y, D(2028, 3, 31), D(2027, 4, 1));
    expect_last(&y, D(2027, 4, 1), D(2027, 4, 1));

    /* yearly in a month that was shifted across the year end */
    struct due_rule ydec = rule(PERIOD_YEARLY, -1, 29, DUE_MONTH(12));
    expect_last(&ydec, D(2028, 11, 30), D(2028, 1, 4));

    /* a calendar that is never open has no due date to roll over from */
    char path[] = "/tmp/unyo-test-due-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "[hours]\ndefault = closed\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    char *err = NULL;
    struct calendar *never = calendar_load(path, &err);
    unlink(path);
    assert_non_null(never);
    struct civil_date out;
    assert_int_equal(due_last_on_or_before(&daily, never, D(2027, 6, 1), &out), 0);
    assert_int_equal(due_last_on_or_before(&y, never, D(2027, 6, 1), &out), 0);
    calendar_free(never);
}

static struct due_rule closed_rule(unsigned periods, int weekday, int monthday, unsigned months,
                                   int closed)
{
    struct due_rule r = rule(periods, weekday, monthday, months);
    r.closed = closed;
    return r;
}

static void expect_moved(const struct due_rule *r, struct civil_date day, struct civil_date want)
{
    struct civil_date got = {0, 0, 0};
    if (!due_on(r, cal, day))
        fail_msg("not due on %04d-%02d-%02d", day.y, day.m, day.d);
    if (!due_moved_from(r, cal, day, &got))
        fail_msg("the run on %04d-%02d-%02d is not a moved one", day.y, day.m, day.d);
    if (got.y != want.y || got.m != want.m || got.d != want.d)
        fail_msg("moved from %04d-%02d-%02d, want %04d-%02d-%02d", got.y, got.m, got.d, want.y,
                 want.m, want.d);
}

/* Substitute days (振替) across the year-end closure 2026-12-29..2027-01-03: the
 * service days around it are Mon 2026-12-28 and Mon 2027-01-04. */
static void test_closed_day_before_after_skip(void **state)
{
    (void)state;
    assert_int_equal(due_closed_parse("after"), DUE_CLOSED_AFTER);
    assert_int_equal(due_closed_parse("before"), DUE_CLOSED_BEFORE);
    assert_int_equal(due_closed_parse("skip"), DUE_CLOSED_SKIP);
    assert_int_equal(due_closed_parse("run"), -1);
    assert_int_equal(due_closed_parse(NULL), -1);
    assert_string_equal(due_closed_name(DUE_CLOSED_BEFORE), "before");

    /* monthly on the 1st: January 1st is closed */
    struct due_rule after = closed_rule(PERIOD_MONTHLY, -1, 1, 0, DUE_CLOSED_AFTER);
    struct due_rule before = closed_rule(PERIOD_MONTHLY, -1, 1, 0, DUE_CLOSED_BEFORE);
    struct due_rule skip = closed_rule(PERIOD_MONTHLY, -1, 1, 0, DUE_CLOSED_SKIP);
    expect_moved(&after, D(2027, 1, 4), D(2027, 1, 1));
    assert_false(due_on(&after, cal, D(2026, 12, 28)));
    expect_moved(&before, D(2026, 12, 28), D(2027, 1, 1));
    assert_false(due_on(&before, cal, D(2027, 1, 4)));
    for (int d = 29; d <= 31; d++)
        assert_false(due_on(&before, cal, D(2026, 12, d)));
    assert_false(due_on(&skip, cal, D(2026, 12, 28)));
    assert_false(due_on(&skip, cal, D(2027, 1, 4)));
    /* December 1st and February 1st are open: not moved, and due as before */
    for (int i = 0; i < 3; i++) {
        const struct due_rule *r = i == 0 ? &after : i == 1 ? &before : &skip;
        assert_true(due_on(r, cal, D(2026, 12, 1)));
        assert_false(due_moved_from(r, cal, D(2026, 12, 1), NULL));
        assert_true(due_on(r, cal, D(2027, 2, 1)));
    }
    /* a year from 2026-12-01: twelve runs, but eleven when January's is skipped */
    assert_int_equal(count_due(&after, cal, D(2026, 12, 1), 365), 12);
    assert_int_equal(count_due(&before, cal, D(2026, 12, 1), 365), 12);
    assert_int_equal(count_due(&skip, cal, D(2026, 12, 1), 365), 11);

    /* weekly on Wednesday: 2026-12-30 is closed, so is the Tuesday before it */
    struct due_rule wed_before = closed_rule(PERIOD_WEEKLY, 3, 0, 0, DUE_CLOSED_BEFORE);
    expect_moved(&wed_before, D(2026, 12, 28), D(2026, 12, 30));
    assert_true(due_on(&wed_before, cal, D(2027, 1, 6)));
    assert_false(due_on(&wed_before, cal, D(2027, 1, 4)));
    struct due_rule wed_after = closed_rule(PERIOD_WEEKLY, 3, 0, 0, DUE_CLOSED_AFTER);
    expect_moved(&wed_after, D(2027, 1, 4), D(2026, 12, 30));
    /* weekly on Tuesday across the closure: the 29th's run on the 28th, the next on the 5th */
    struct due_rule tue_before = closed_rule(PERIOD_WEEKLY, 2, 0, 0, DUE_CLOSED_BEFORE);
    expect_moved(&tue_before, D(2026, 12, 28), D(2026, 12, 29));
    assert_true(due_on(&tue_before, cal, D(2027, 1, 5)));
    assert_false(due_moved_from(&tue_before, cal, D(2027, 1, 5), NULL));
    assert_int_equal(count_due(&tue_before, cal, D(2026, 12, 21), 21), 3); /* 22nd, 28th, 5th */
    struct due_rule tue_skip = closed_rule(PERIOD_WEEKLY, 2, 0, 0, DUE_CLOSED_SKIP);
    assert_int_equal(count_due(&tue_skip, cal, D(2026, 12, 21), 21), 2); /* 22nd, 5th */

    /* a one-day closure: the housekeeping Thursday 2027-01-28 */
    struct due_rule thu_before = closed_rule(PERIOD_WEEKLY, 4, 0, 0, DUE_CLOSED_BEFORE);
    expect_moved(&thu_before, D(2027, 1, 27), D(2027, 1, 28));
    struct due_rule thu_after = closed_rule(PERIOD_WEEKLY, 4, 0, 0, DUE_CLOSED_AFTER);
    expect_moved(&thu_after, D(2027, 1, 29), D(2027, 1, 28));

    /* yearly on December 29th (always closed): before moves it into the same year */
    struct due_rule ydec = closed_rule(PERIOD_YEARLY, -1, 29, DUE_MONTH(12), DUE_CLOSED_BEFORE);
    expect_moved(&ydec, D(2027, 12, 28), D(2027, 12, 29));
    assert_false(due_on(&ydec, cal, D(2028, 1, 4)));
    assert_int_equal(count_due(&ydec, cal, D(2027, 6, 1), 365), 1);

    /* daily: every service day whatever the rule says; nothing is "moved" */
    struct due_rule daily = closed_rule(PERIOD_DAILY, -1, 0, 0, DUE_CLOSED_BEFORE);
    assert_true(due_on(&daily, cal, D(2026, 12, 28)));
    assert_false(due_on(&daily, cal, D(2026, 12, 29)));
    assert_false(due_moved_from(&daily, cal, D(2026, 12, 28), NULL));
    assert_int_equal(count_due(&daily, cal, D(2026, 12, 28), 8), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily),
        cmocka_unit_test(test_weekly),
        cmocka_unit_test(test_monthly),
        cmocka_unit_test(test_longer_periods),
        cmocka_unit_test(test_undated),
        cmocka_unit_test(test_last_due),
        cmocka_unit_test(test_closed_day_before_after_skip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
