/* time_parse accepts only real instants: valid dates, times and offsets
 * (`+99:99` used to be taken as an offset of 100 hours 39 minutes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "timefmt.h"

static int64_t at(const char *s)
{
    int64_t ms = -1;
    if (time_parse(s, &ms) != 0)
        fail_msg("refused \"%s\"", s);
    return ms;
}

static void refused(const char *s)
{
    int64_t ms = 12345;
    if (time_parse(s, &ms) == 0)
        fail_msg("accepted \"%s\"", s);
    assert_int_equal(ms, 12345); /* untouched */
}

static void test_forms(void **state)
{
    (void)state;
    const int64_t t = at("2026-11-22T22:00:00.000Z");
    assert_int_equal(at("2026-11-22T22:00:00Z"), t);
    assert_int_equal(at("2026-11-22T22:00Z"), t);
    assert_int_equal(at("2026-11-23T07:00:00+09:00"), t);
    assert_int_equal(at("2026-11-23T07:00:00+0900"), t);
    assert_int_equal(at("2026-11-22T12:00:00-10:00"), t);
    assert_int_equal(at("2026-11-22T22:00:00-00:00"), t);
    assert_int_equal(at("2026-11-23 07:00"), t); /* no zone: JST */
    assert_int_equal(at("2026-11-23 07:00:00"), t);
    assert_int_equal(at("2026-11-23"), t - 7 * 3600 * 1000);
    assert_int_equal(at("2026-11-22T22:00:00.5Z"), t + 500);
    assert_int_equal(at("2026-11-22T22:00:00.123456Z"), t + 123);
    /* 24:00 ends a day: the next day's 00:00 */
    assert_int_equal(at("2026-11-22 24:00"), at("2026-11-23 00:00"));
    assert_int_equal(at("2026-12-31T24:00:00Z"), at("2027-01-01T00:00:00Z"));
    /* the edges of every field */
    assert_int_equal(at("2026-11-23T23:59:59+23:59") - at("2026-11-23T00:00:00Z"),
                     (23 * 3600 + 59 * 60 + 59 - 23 * 3600 - 59 * 60) * 1000LL);
    at("2024-02-29T00:00:00Z");
    at("2000-02-29T00:00:00Z");
    at("2026-12-31T23:59:59.999-23:59");
    at("0000-01-01T00:00:00Z");
    at("9999-12-31T23:59:59.999Z");
}

static void test_refused(void **state)
{
    (void)state;
    /* offsets */
    refused("2026-11-22T22:00:00+99:99");
    refused("2026-11-22T22:00:00+24:00");
    refused("2026-11-22T22:00:00-24:00");
    refused("2026-11-22T22:00:00+09:60");
    refused("2026-11-22T22:00:00+0960");
    refused("2026-11-22T22:00:00+9:00");
    refused("2026-11-22T22:00:00+09:");
    refused("2026-11-22T22:00:00+");
    refused("2026-11-22T22:00:00ZZ");
    /* dates */
    refused("2026-13-01");
    refused("2026-00-10");
    refused("2026-11-00");
    refused("2026-11-31");
    refused("2026-02-29");
    refused("1900-02-29");
    refused("26-11-22");
    refused("2026-1-22");
    /* times */
    refused("2026-11-22 24:01");
    refused("2026-11-22 24:00:01");
    refused("2026-11-22 24:00:00.000");
    refused("2026-11-22T25:00Z");
    refused("2026-11-22T23:60Z");
    refused("2026-11-22T23:59:60Z");
    refused("2026-11-22T23:59:99Z");
    refused("2026-11-22T23:59:59.Z");
    refused("2026-11-22T23Z");
    refused("2026-11-22T7:00Z");
    /* what the stored form cannot write */
    refused("0000-01-01T00:00:00+00:01");
    refused("9999-12-31T23:59:59-00:01");
    refused("");
    refused("2026-11-22 07:00 ");
    refused("2026-11-22\n");
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const in[] = {"2026-11-22T22:00:00.000Z", "1970-01-01T00:00:00.000Z",
                                     "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z",
                                     "9999-12-31T23:59:59.999Z"};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char out[TIME_ISO_LEN + 1];
        time_format_iso(at(in[i]), out);
        assert_string_equal(out, in[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
