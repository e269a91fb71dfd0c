#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

#define HOUR 3600
#define MIN 60

/* An instant given as JST wall-clock time. */
static int64_t J(int y, int m, int d, int h, int mi)
{
    return jst_to_utc(y, m, d, h * 60 + mi);
}

static struct calendar *load_shipped(void)
{
    char *err = NULL;
    struct calendar *cal = calendar_load(UNYO_TEST_DATADIR "/calendar.ini", &err);
    if (!cal)
        fail_msg("shipped calendar: %s", err);
    assert_null(err);
    return cal;
}

/* ---- civil dates ------------------------------------------------------- */

static void test_civil(void **state)
{
    (void)state;
    assert_int_equal(civil_weekday(1970, 1, 1), 4);
    assert_int_equal(civil_weekday(2027, 3, 7), 0);
    assert_int_equal(civil_weekday(2026, 12, 31), 4);
    assert_int_equal(civil_weekday(2000, 2, 29), 2);
    assert_int_equal(civil_days_in_month(2027, 2), 28);
    assert_int_equal(civil_days_in_month(2028, 2), 29);
    assert_int_equal(civil_days_in_month(2100, 2), 28);
    assert_int_equal(civil_days_in_month(2000, 2), 29);
    assert_int_equal(civil_days_in_month(2027, 4), 30);
    assert_int_equal(civil_days_in_month(2027, 12), 31);

    struct civil_date d = civil_add_days((struct civil_date){2026, 12, 31}, 1);
    assert_int_equal(d.y, 2027);
    assert_int_equal(d.m, 1);
    assert_int_equal(d.d, 1);
    d = civil_add_days((struct civil_date){2028, 3, 1}, -1);
    assert_int_equal(d.m, 2);
    assert_int_equal(d.d, 29);

    /* days <-> civil round trip over a wide range, including before 1970 */
    for (int64_t z = -800000; z <= 800000; z += 97) {
        struct civil_date c = civil_from_days(z);
        assert_int_equal(civil_to_days(c), z);
        assert_true(c.d >= 1 && c.d <= civil_days_in_month(c.y, c.m));
    }

    assert_int_equal(civil_parse("2027-02-28", &d), 0);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20270228);
    assert_int_equal(civil_parse("2028-02-29", &d), 0);
    const char *bad[] = {"2026-02-30",  "2027-02-29", "2026-13-01", "2026-00-10",
                         "2026-04-31",  "2026-1-01",  "2026-01-1",  "2026/01/01",
                         "2026-01-01x", "",           "abcd-ef-gh", "0000-01-01"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (civil_parse(bad[i], &d) != -1)
            fail_msg("civil_parse accepted \"%s\"", bad[i]);
    }
}

static void test_jst_date_of(void **state)
{
    (void)state;
    const int64_t y2027 = 1798761600; /* 2027-01-01T00:00:00Z */
    struct civil_date d;
    /* JST midnight is UTC 15:00 of the day before. */
    d = jst_date_of(y2027 - 9 * HOUR - 1); /* 2026-12-31T14:59:59Z */
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20261231);
    d = jst_date_of(y2027 - 9 * HOUR); /* 2026-12-31T15:00:00Z */
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20270101);
    d = jst_date_of(y2027); /* 09:00 JST */
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20270101);
    d = jst_date_of(y2027 + 15 * HOUR - 1);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20270101);
    d = jst_date_of(y2027 + 15 * HOUR);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20270102);
    /* before the epoch: 1969-12-31T15:00:00Z is 1970-01-01 00:00 JST */
    d = jst_date_of(-9 * HOUR);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 19700101);
    d = jst_date_of(-9 * HOUR - 1);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 19691231);

    assert_int_equal(jst_to_utc(2027, 1, 1, 0), y2027 - 9 * HOUR);
    assert_int_equal(jst_to_utc(2026, 12, 31, 1440), jst_to_utc(2027, 1, 1, 0));
}

/* ---- service hours ----------------------------------------------------- */

static void test_in_service_edges(void **state)
{
    (void)state;
    struct calendar *cal = calendar_new_default();
    /* 2027-03-08 is a Monday, 2027-03-07 a Sunday. */
    assert_false(calendar_in_service(cal, J(2027, 3, 8, 6, 59)));
    assert_false(calendar_in_service(cal, J(2027, 3, 8, 7, 0) - 1));
    assert_true(calendar_in_service(cal, J(2027, 3, 8, 7, 0)));
    assert_true(calendar_in_service(cal, J(2027, 3, 8, 23, 59)));
    assert_true(calendar_in_service(cal, jst_to_utc(2027, 3, 8, 1440) - 1));
    assert_false(calendar_in_service(cal, jst_to_utc(2027, 3, 8, 1440)));
    assert_false(calendar_in_service(cal, J(2027, 3, 9, 0, 0)));
    assert_true(calendar_in_service(cal, J(2027, 3, 7, 7, 0)));
    assert_true(calendar_in_service(cal, J(2027, 3, 7, 17, 29)));
    assert_false(calendar_in_service(cal, J(2027, 3, 7, 17, 30)));
    assert_false(calendar_in_service(cal, J(2027, 3, 7, 23, 0)));

    int o, c;
    const char *why = "x";
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 3, 7}, &o, &c, &why), 1);
    assert_int_equal(o, 420);
    assert_int_equal(c, 1050);
    assert_null(why);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 3, 8}, &o, &c, NULL), 1);
    assert_int_equal(c, 1440);
    /* the built-in calendar has no closed days */
    assert_true(calendar_is_service_day(cal, (struct civil_date){2027, 1, 1}));
    calendar_free(cal);
}

static void test_shipped_file(void **state)
{
    (void)state;
    struct calendar *cal = load_shipped();
    int o, c;
    const char *why;
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2026, 12, 31}, &o, &c, &why), 0);
    assert_string_equal(why, "年末年始休館");
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2028, 1, 3}, &o, &c, &why), 0);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2028, 1, 4}, &o, &c, &why), 1);
    assert_null(why);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 3, 25}, &o, &c, &why), 0);
    assert_string_equal(why, "館内整理日");
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 2, 21}, &o, &c, &why), 1);
    assert_int_equal(o, 13 * 60);
    assert_int_equal(c, 17 * 60 + 30);
    assert_non_null(strstr(why, "法定停電"));
    assert_false(calendar_in_service(cal, J(2027, 2, 21, 12, 59)));
    assert_true(calendar_in_service(cal, J(2027, 2, 21, 13, 0)));
    assert_false(calendar_in_service(cal, J(2027, 3, 25, 12, 0)));

    /* one housekeeping day a month in 2027 outside December */
    for (int m = 1; m <= 11; m++) {
        int closed = 0;
        for (int d = 1; d <= civil_days_in_month(2027, m); d++) {
            const char *r;
            if (!calendar_day_hours(cal, (struct civil_date){2027, m, d}, &o, &c, &r) && r &&
                strcmp(r, "館内整理日") == 0) {
                closed++;
                assert_int_equal(civil_weekday(2027, m, d), 4);
            }
        }
        assert_int_equal(closed, 1);
    }
    calendar_free(cal);
}

static void test_service_seconds(void **state)
{
    (void)state;
    struct calendar *def = calendar_new_default();
    struct calendar *cal = load_shipped();

    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 8, 9, 0), J(2027, 3, 8, 9, 0)), 0);
    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 8, 10, 0), J(2027, 3, 8, 9, 0)), 0);
    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 8, 9, 0), J(2027, 3, 8, 9, 1)), MIN);
    /* across Sunday's 17:30 close: 30 min Sunday + 1 h Monday */
    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 7, 17, 0), J(2027, 3, 8, 8, 0)),
                     90 * MIN);
    /* across midnight */
    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 8, 23, 0), J(2027, 3, 9, 8, 0)),
                     2 * HOUR);
    /* both ends outside service */
    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 8, 2, 0), J(2027, 3, 9, 3, 0)),
                     17 * HOUR);
    /* across a closed day (Thursday 2027-03-25, 館内整理日) */
    assert_int_equal(calendar_service_seconds(cal, J(2027, 3, 24, 23, 0), J(2027, 3, 26, 8, 0)),
                     2 * HOUR);
    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 24, 23, 0), J(2027, 3, 26, 8, 0)),
                     (1 + 17 + 1) * HOUR);
    /* across month end */
    assert_int_equal(calendar_service_seconds(cal, J(2027, 3, 31, 23, 30), J(2027, 4, 1, 7, 30)),
                     HOUR);
    /* across year end, Dec 29 - Jan 3 closed */
    assert_int_equal(calendar_service_seconds(cal, J(2026, 12, 28, 23, 0), J(2027, 1, 4, 8, 0)),
                     2 * HOUR);
    assert_int_equal(calendar_service_seconds(cal, J(2026, 12, 31, 10, 0), J(2027, 1, 1, 10, 0)),
                     0);
    /* same span without closures: Tue-Sat 17 h each, Sunday 10.5 h */
    assert_int_equal(calendar_service_seconds(def, J(2026, 12, 28, 23, 0), J(2027, 1, 4, 8, 0)),
                     HOUR + 5 * 17 * HOUR + 21 * HOUR / 2 + HOUR);
    /* the legal power outage day counts from 13:00 only */
    assert_int_equal(calendar_service_seconds(cal, J(2027, 2, 21, 0, 0), J(2027, 2, 22, 0, 0)),
                     4 * HOUR + 30 * MIN);
    /* a whole regular week: 6 * 17 h + 10.5 h */
    assert_int_equal(calendar_service_seconds(def, J(2027, 3, 7, 0, 0), J(2027, 3, 14, 0, 0)),
                     6 * 17 * HOUR + 21 * HOUR / 2);
    calendar_free(def);
    calendar_free(cal);
}

static void test_add_service_seconds(void **state)
{
    (void)state;
    struct calendar *def = calendar_new_default();
    struct calendar *cal = load_shipped();

    /* the SLA example: a fault received Sunday 17:00, 2 h target -> Monday 08:30 */
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 7, 17, 0), 2 * HOUR),
                     J(2027, 3, 8, 8, 30));
    /* reaching exactly the close stays at the close */
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 7, 17, 0), 30 * MIN),
                     J(2027, 3, 7, 17, 30));
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 8, 9, 0), 0),
                     J(2027, 3, 8, 9, 0));
    /* starting outside service: counting starts at the next opening */
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 8, 5, 0), HOUR),
                     J(2027, 3, 8, 8, 0));
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 7, 20, 0), HOUR),
                     J(2027, 3, 8, 8, 0));
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 7, 20, 0), 0),
                     J(2027, 3, 8, 7, 0));
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 7, 17, 30), 0),
                     J(2027, 3, 8, 7, 0));
    assert_int_equal(calendar_add_service_seconds(cal, J(2027, 3, 25, 10, 0), HOUR),
                     J(2027, 3, 26, 8, 0));
    /* across midnight and across a closed day */
    assert_int_equal(calendar_add_service_seconds(def, J(2027, 3, 8, 23, 30), HOUR),
                     J(2027, 3, 9, 7, 30));
    assert_int_equal(calendar_add_service_seconds(cal, J(2027, 3, 24, 23, 30), HOUR),
                     J(2027, 3, 26, 7, 30));
    /* across year end */
    assert_int_equal(calendar_add_service_seconds(cal, J(2026, 12, 28, 23, 30), HOUR),
                     J(2027, 1, 4, 7, 30));
    assert_int_equal(calendar_add_service_seconds(cal, J(2027, 12, 28, 20, 0), 8 * HOUR),
                     J(2028, 1, 4, 11, 0));
    /* the power outage day opens at 13:00 */
    assert_int_equal(calendar_add_service_seconds(cal, J(2027, 2, 20, 23, 0), 2 * HOUR),
                     J(2027, 2, 21, 14, 0));
    calendar_free(def);
    calendar_free(cal);
}

/* Reference count through the public per-day API only (no week skipping). */
static int64_t ref_service_seconds(const struct calendar *cal, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    int64_t total = 0;
    struct civil_date day = jst_date_of(from), last = jst_date_of(to - 1);
    for (;; day = civil_add_days(day, 1)) {
        int o, c;
        if (calendar_day_hours(cal, day, &o, &c, NULL)) {
            int64_t s = jst_to_utc(day.y, day.m, day.d, o), e = jst_to_utc(day.y, day.m, day.d, c);
            s = s < from ? from : s;
            e = e > to ? to : e;
            if (e > s)
                total += e - s;
        }
        if (day.y == last.y && day.m == last.m && day.d == last.d)
            break;
    }
    return total;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    /* xorshift64*: seeded, so failures reproduce */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void test_round_trip(void **state)
{
    (void)state;
    struct calendar *cals[2] = {calendar_new_default(), load_shipped()};
    const int64_t lo = J(2026, 6, 1, 0, 0), hi = J(2028, 6, 1, 0, 0);
    for (int k = 0; k < 2; k++) {
        struct calendar *cal = cals[k];
        for (int i = 0; i < 3000; i++) {
            int64_t from = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
            /* mostly SLA-sized amounts, sometimes months */
            int64_t amount = (int64_t)(rng() % (i % 10 == 0 ? 120 * 86400u : 3 * 86400u));
            int64_t to = calendar_add_service_seconds(cal, from, amount);
            assert_true(to >= from);
            assert_int_equal(calendar_service_seconds(cal, from, to), amount);
            if (amount > 0) /* it lands in service, or right at a close */
                assert_true(calendar_in_service(cal, to - 1));
            int64_t other = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
            assert_int_equal(calendar_service_seconds(cal, from, other),
                             ref_service_seconds(cal, from, other));
        }
        /* long spans exercise the whole-week shortcut */
        for (int i = 0; i < 50; i++) {
            int64_t from = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
            int64_t to = from + (int64_t)(rng() % (3 * 366 * 86400u));
            int64_t n = calendar_service_seconds(cal, from, to);
            assert_int_equal(n, ref_service_seconds(cal, from, to));
            int64_t back = calendar_add_service_seconds(cal, from, n);
            assert_true(back <= to);
            assert_int_equal(calendar_service_seconds(cal, from, back), n);
        }
    }
    calendar_free(cals[0]);
    calendar_free(cals[1]);
}

static void test_next_transition(void **state)
{
    (void)state;
    struct calendar *cal = load_shipped();
    assert_int_equal(calendar_next_transition(cal, J(2027, 3, 8, 10, 0)),
                     jst_to_utc(2027, 3, 8, 1440));
    assert_int_equal(calendar_next_transition(cal, J(2027, 3, 8, 7, 0)),
                     jst_to_utc(2027, 3, 8, 1440));
    assert_int_equal(calendar_next_transition(cal, J(2027, 3, 9, 0, 0)), J(2027, 3, 9, 7, 0));
    assert_int_equal(calendar_next_transition(cal, J(2027, 3, 7, 17, 29)), J(2027, 3, 7, 17, 30));
    assert_int_equal(calendar_next_transition(cal, J(2027, 3, 7, 17, 30)), J(2027, 3, 8, 7, 0));
    /* Thursday 03-25 is closed: after Wednesday's close comes Friday's open */
    assert_int_equal(calendar_next_transition(cal, J(2027, 3, 24, 23, 59)), J(2027, 3, 25, 0, 0));
    assert_int_equal(calendar_next_transition(cal, J(2027, 3, 25, 0, 0)), J(2027, 3, 26, 7, 0));
    assert_int_equal(calendar_next_transition(cal, J(2026, 12, 28, 23, 0)), J(2026, 12, 29, 0, 0));
    assert_int_equal(calendar_next_transition(cal, J(2026, 12, 29, 0, 0)), J(2027, 1, 4, 7, 0));
    assert_int_equal(calendar_next_transition(cal, J(2027, 2, 21, 8, 0)), J(2027, 2, 21, 13, 0));
    calendar_free(cal);
}

/* ---- loading errors ---------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/unyo-test-cal-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/cal.ini", tmpdir);
    unlink(path);
    return rmdir(tmpdir);
}

static struct calendar *load_text(const char *text, char **err, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/cal.ini", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return calendar_load(path, err);
}

/* The file must be refused with "PATH:LINE: ..." mentioning `needle`. */
static void expect_error(const char *text, int line, const char *needle)
{
    char path[128], prefix[160];
    char *err = NULL;
    struct calendar *cal = load_text(text, &err, path, sizeof path);
    if (cal)
        fail_msg("accepted a broken calendar:\n%s", text);
    assert_non_null(err);
    snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("want \"%s...%s...\", got \"%s\"", prefix, needle, err);
    assert_non_null(strstr(err, "expected"));
    free(err);
}

static void test_load_errors(void **state)
{
    (void)state;
    expect_error("[closed]\n2026-12-29 = ok\n2026-02-30 = bad\n", 3, "2026-02-30");
    expect_error("[hours]\ndefault = 07:00-25:00\n", 2, "25:00");
    expect_error("[hours]\nmon = 7:00-24:30\n", 2, "24:30");
    expect_error("[hours]\nsun = 07:60-17:30\n", 2, "07:60");
    expect_error("[hours]\nsun = 0700-1730\n", 2, "0700");
    expect_error("; comment\n\n[hours]\nsun = 18:00-09:00\n", 4, "18:00");
    expect_error("[hours]\nsun = 10:00-10:00\n", 2, "10:00");
    expect_error("[special]\n2027-02-21 = 13:00-12:00 停電\n", 2, "13:00");
    expect_error("[special]\n2027-02-21 = 法定停電\n", 2, "法定停電");
    expect_error("[hours]\ndefault = 07:00-24:00\n[holidays]\n2027-01-01 = x\n", 3, "holidays");
    /* a section with no keys is still caught, at its header */
    expect_error("[hours]\ndefault = 07:00-24:00\n[holiday]\n", 3, "holiday");
    expect_error("[hours]\nholiday = 07:00-24:00\n", 2, "holiday");
    expect_error("[closed]\n2026-12-29 = 年末年始休館\n2026-12-30 年末年始休館\n", 3, "syntax");
    expect_error("[closed]\n2026-12-29\n", 2, "syntax");
    expect_error("[hours\ndefault = 07:00-24:00\n", 1, "syntax");
    expect_error("default = 07:00-24:00\n", 1, "section");
    expect_error("[closed]\n2027-01-01 = a\n[special]\n2027-01-01 = 09:00-10:00 b\n", 4, "line 2");
    expect_error("[hours]\nsun = 07:00-17:30\nsun = 07:00-18:00\n", 3, "line 2");
    /* the first of several errors is the one reported */
    expect_error("[hours]\nsun = 99:00-17:30\n[nope]\n", 2, "99:00");
    expect_error("[nope]\n[hours]\nsun = 99:00-17:30\n", 1, "nope");

    /* a line longer than libinih's 200 bytes is one line: the error after it
     * is on line 3 (libinih made it line 4) */
    char line[420];
    memset(line, 'x', sizeof line);
    memcpy(line, "[closed]\n2027-01-01 = ", 22);
    strcpy(line + 390, "\n2027-02-30 = x\n");
    expect_error(line, 3, "2027-02-30");

    /* a missing file is an error too, and nothing is returned */
    char *err = NULL;
    assert_null(calendar_load("/nonexistent/unyo/calendar.ini", &err));
    assert_non_null(err);
    free(err);
}

static void test_load_variants(void **state)
{
    (void)state;
    char path[128];
    char *err = NULL;
    int o, c;
    const char *why;
    /* defaults apply to weekdays not given; "closed" closes a weekday; en
     * dash and inline comments accepted; a long comment is harmless */
    char text[1024];
    char longc[300];
    memset(longc, '-', sizeof longc);
    longc[0] = ';';
    longc[sizeof longc - 1] = '\0';
    snprintf(text, sizeof text,
             "\xEF\xBB\xBF; calendar\n%s\n[hours]\ndefault = 08:00\u201322:00 ; inline\n"
             "sat = closed\n[closed]\n2027-05-03 =\n[special]\n2027-05-04 = 00:00-24:00\n",
             longc);
    struct calendar *cal = load_text(text, &err, path, sizeof path);
    if (!cal)
        fail_msg("%s", err);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 3, 7}, &o, &c, &why), 1);
    assert_int_equal(o, 480);
    assert_int_equal(c, 1320);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 3, 6}, &o, &c, &why), 0);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 5, 3}, &o, &c, &why), 0);
    assert_null(why);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 5, 4}, &o, &c, &why), 1);
    assert_int_equal(o, 0);
    assert_int_equal(c, 1440);
    calendar_free(cal);

    /* round the clock: transitions merge across midnight, or never come */
    cal = load_text("[hours]\ndefault = 00:00-24:00\n[closed]\n2027-05-05 = x\n", &err, path,
                    sizeof path);
    assert_non_null(cal);
    assert_int_equal(calendar_next_transition(cal, J(2027, 5, 1, 10, 0)), J(2027, 5, 5, 0, 0));
    assert_int_equal(calendar_next_transition(cal, J(2027, 5, 5, 10, 0)), J(2027, 5, 6, 0, 0));
    assert_int_equal(calendar_next_transition(cal, J(2027, 5, 6, 0, 0)), INT64_MAX);
    assert_int_equal(calendar_add_service_seconds(cal, J(2027, 5, 4, 23, 0), 2 * HOUR),
                     J(2027, 5, 6, 1, 0));
    calendar_free(cal);

    /* never in service: adding never ends */
    cal = load_text("[hours]\ndefault = closed\n", &err, path, sizeof path);
    assert_non_null(cal);
    assert_int_equal(calendar_add_service_seconds(cal, J(2027, 5, 1, 10, 0), 1), INT64_MAX);
    assert_int_equal(calendar_next_transition(cal, J(2027, 5, 1, 10, 0)), INT64_MAX);
    assert_int_equal(calendar_service_seconds(cal, J(2027, 1, 1, 0, 0), J(2029, 1, 1, 0, 0)), 0);
    calendar_free(cal);
    assert_null(err);
}

/* libinih split lines at 200 bytes: a long reason came back cut and its tail
 * was read as another line. Now a line of any length loads whole. */
static void test_load_long_lines(void **state)
{
    (void)state;
    char path[128];
    char *err = NULL;
    struct strbuf reason = STRBUF_INIT, text = STRBUF_INIT;
    for (int i = 0; i < 120; i++)
        sb_puts(&reason, "停電"); /* 720 bytes */
    sb_puts(&reason, " tail");
    sb_printf(&text,
              "[closed]\r\n2027-01-01 = %s\r\n2027-01-02 = short\r\n[special]\r\n"
              "2027-01-03 = 09:00-10:00 %s",
              reason.buf, reason.buf); /* CRLF, and no final newline */
    struct calendar *cal = load_text(text.buf, &err, path, sizeof path);
    if (!cal)
        fail_msg("%s", err);
    int o, c;
    const char *why;
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 1, 1}, &o, &c, &why), 0);
    assert_string_equal(why, reason.buf);
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 1, 2}, &o, &c, &why), 0);
    assert_string_equal(why, "short");
    assert_int_equal(calendar_day_hours(cal, (struct civil_date){2027, 1, 3}, &o, &c, &why), 1);
    assert_string_equal(why, reason.buf);
    calendar_free(cal);
    sb_free(&reason);
    sb_free(&text);
}

static void test_print_month(void **state)
{
    (void)state;
    struct calendar *cal = load_shipped();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    calendar_print_month(cal, 2027, 2, f);
    fclose(f);
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + 28);
    assert_non_null(strstr(buf, "2027-02-01 (Mon)  07:00\u201324:00 JST\n"));
    assert_non_null(strstr(buf, "2027-02-07 (Sun)  07:00\u201317:30 JST\n"));
    assert_non_null(strstr(buf, "2027-02-21 (Sun)  13:00\u201317:30 JST  法定停電"));
    assert_non_null(strstr(buf, "2027-02-25 (Thu)  closed  館内整理日\n"));
    free(buf);
    calendar_free(cal);
}

/* Many long spans from many starting points: every one is positive. (How fast
 * is make bench's question, not a test's: a loaded machine is slow.) */
static void test_many_spans(void **state)
{
    (void)state;
    struct calendar *cal = load_shipped();
    const int n = 2000;
    for (int i = 0; i < n; i++) {
        int64_t from = J(2026, 11, 1, 0, 0) + i * 997;
        assert_true(calendar_service_seconds(cal, from, from + 150 * 86400) > 0);
        assert_true(calendar_add_service_seconds(cal, from, 100 * 17 * HOUR) > from);
    }
    calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_jst_date_of),
        cmocka_unit_test(test_in_service_edges),
        cmocka_unit_test(test_shipped_file),
        cmocka_unit_test(test_service_seconds),
        cmocka_unit_test(test_add_service_seconds),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_next_transition),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_variants),
        cmocka_unit_test(test_load_long_lines),
        cmocka_unit_test(test_print_month),
        cmocka_unit_test(test_many_spans),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
