/* What a Japanese operator types where a date or a number is asked (issue 13):
 * full-width digits and separators, an ideographic space around the value, "ー"
 * or "−" for a dash fold to what the parsers read; what is not a date or a
 * number after folding is still refused by the parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "input_norm.h"
#include "textwidth.h"
#include "timefmt.h"
#include "utf8.h"

/* norm(in) is want, and normalising it again changes nothing. */
static void check(char *(*norm)(const char *), const char *in, const char *want)
{
    char *got = norm(in);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" became \"%s\", not \"%s\"", in, got, want);
    char *again = norm(got);
    assert_string_equal(again, got);
    assert_true(utf8_storable(got, strlen(got)));
    free(again);
    free(got);
}

static void test_numbers(void **state)
{
    (void)state;
    check(input_norm, "31", "31");
    check(input_norm, "３１", "31");
    check(input_norm, "３１．５", "31.5");
    check(input_norm, "－３．５", "-3.5"); /* full-width minus and period */
    check(input_norm, "−3.5", "-3.5");     /* U+2212 MINUS SIGN */
    check(input_norm, "ー３", "-3");       /* the IME's "ー" */
    check(input_norm, "31。5", "31.5");    /* the IME's full stop */
    check(input_norm, "　３１　", "31");   /* U+3000 around it */
    check(input_norm, " \t31 \r\n", "31");
    check(input_norm, "＋２２", "+22");
    check(input_norm, "ａｂｃ", "abc");
    check(input_norm, "２０２６　　０９：３０", "2026 09:30"); /* one space inside */
    check(input_norm, "", "");
    check(input_norm, "　", "");
    check(input_norm, "温度", "温度"); /* everything else kept */
    check(input_norm,
          "\xff"
          "31",
          "\\xff31"); /* invalid UTF-8 as utf8_repair shows it */
    assert_null(input_norm(NULL));
}

static void test_dates(void **state)
{
    (void)state;
    check(input_norm_date, "2026-12-07", "2026-12-07");
    check(input_norm_date, "2026/12/07", "2026-12-07");
    check(input_norm_date, "2026.12.07", "2026-12-07");
    check(input_norm_date, "２０２６－１２－０７", "2026-12-07");
    check(input_norm_date, "２０２６／１２／０７", "2026-12-07");
    check(input_norm_date, "２０２６ー１２ー０７", "2026-12-07");
    check(input_norm_date, "2026年12月07日", "2026-12-07");
    check(input_norm_date, "　2026/12/07　", "2026-12-07");
    check(input_norm_date, "2026/12", "2026-12");
    check(input_norm_date, "２０２６年１２月", "2026-12");
    check(input_norm_date, "２０２６／１２／０７　０９：３０", "2026-12-07 09:30");
    check(input_norm_date, "2026/12/07T09:30:00+09:00", "2026-12-07T09:30:00+09:00");
    /* not rewritten: the parser refuses them as typed */
    check(input_norm_date, "2026/12-07", "2026/12-07");
    check(input_norm_date, "2026/1/5", "2026/1/5");
    check(input_norm_date, "2026/12/", "2026/12/");
    check(input_norm_date, "2026年12", "2026年12");
    check(input_norm_date, "tomorrow", "tomorrow");
    check(input_norm_date, "20261/12/07", "20261/12/07");
    assert_null(input_norm_date(NULL));
}

/* Folded, the existing parsers take every accepted form and refuse the rest. */
static void test_parsers_after_folding(void **state)
{
    (void)state;
    const char *days[] = {"２０２６／１２／０７", "2026/12/07", "２０２６－１２－０７",
                          "2026年12月07日", " 2026.12.07 "};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        char *n = input_norm_date(days[i]);
        struct civil_date d;
        assert_int_equal(civil_parse(n, &d), 0);
        assert_int_equal(d.y, 2026);
        assert_int_equal(d.m, 12);
        assert_int_equal(d.d, 7);
        free(n);
    }
    const char *bad[] = {"２０２６／１３／０１", "2026/02/30", "2026/1/5", "明日", "2026/12-07"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *n = input_norm_date(bad[i]);
        if (civil_parse(n, NULL) == 0)
            fail_msg("accepted as a date: %s", bad[i]);
        free(n);
    }
    char *t = input_norm_date("２０２６／１２／０７　０９：３０");
    int64_t ms, want;
    assert_int_equal(time_parse(t, &ms), 0);
    assert_int_equal(time_parse("2026-12-07 09:30", &want), 0);
    assert_true(ms == want);
    free(t);
}

/* A note of several lines in one row: its first line and a mark, never "\n". */
static void test_one_line(void **state)
{
    (void)state;
    char *s = text_one_line("AC stopped\nvendor called at 10:05");
    assert_string_equal(s, "AC stopped ⏎");
    free(s);
    s = text_one_line("one line");
    assert_string_equal(s, "one line");
    free(s);
    s = text_one_line("trailing\r\n\n");
    assert_string_equal(s, "trailing");
    free(s);
    s = text_one_line(NULL);
    assert_string_equal(s, "");
    free(s);
    char **rows;
    size_t n = text_note_rows("  10:05  note  ", "first\n\nthird", &rows);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0], "  10:05  note  first");
    assert_string_equal(rows[1], "");
    assert_string_equal(rows[2], "               third"); /* under the note */
    for (size_t i = 0; i < n; i++) {
        assert_null(strstr(rows[i], "\\n"));
        free(rows[i]);
    }
    free(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_parsers_after_folding),
        cmocka_unit_test(test_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
