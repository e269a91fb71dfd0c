/* The `/` filter's matcher is bounded: a pathological pattern such as
 * `(a|aa)+$` on a title of a's ending in b stops at the work limit and says
 * so (UI_FILTER_CUT), with the JIT and with the interpreter; ordinary
 * patterns on long titles are never cut short. No timing: the bound shows as
 * the "cut short" result. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "ui_filter.h"
#include "util.h"

static char *a_then_b(size_t n)
{
    char *s = xmalloc(n + 2);
    memset(s, 'a', n);
    s[n] = 'b';
    s[n + 1] = 0;
    return s;
}

static void check_pathological(pcre2_code *re)
{
    long cut = 0, yes = 0;
    for (size_t n = 40; n < 140; n++) {
        char *t = a_then_b(n);
        int r = ui_filter_try(re, t, strlen(t));
        cut += r == UI_FILTER_CUT;
        yes += r == UI_FILTER_YES;
        /* a title cut short is not a match */
        assert_int_equal(ui_filter_match(re, t, strlen(t)), 0);
        free(t);
    }
    assert_int_equal(yes, 0);
    assert_int_equal(cut, 100); /* every one stopped at the bound and said so */
}

static void test_pathological_is_cut_short(void **state)
{
    (void)state;
    char *err = NULL;
    const char *patterns[] = {"(a|aa)+$", "(a+)+$", "^(a|a?)+$", "(a*)*$", "(.*a){20}"};
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        pcre2_code *re = ui_filter_compile(patterns[i], &err);
        assert_non_null(re);
        check_pathological(re);                   /* JIT (where available) */
        pcre2_code *interp = pcre2_code_copy(re); /* a copy has no JIT code */
        check_pathological(interp);
        pcre2_code_free(interp);
        ui_filter_free(re);
    }
    ui_filter_thread_done();
}

static void test_ordinary_patterns_not_cut(void **state)
{
    (void)state;
    char *err = NULL;
    /* a long title (a 1 KiB cap is far more than titles hold) */
    struct strbuf sb = {0};
    for (int i = 0; i < 40; i++)
        sb_puts(&sb, "ディスク使用率が高い disk ");
    sb_puts(&sb, "full です");
    const char *yes[] = {"disk.*full", "ディスク|プリンタ", "\\bfull\\b", "(disk|full)+",
                         "^.*full.*$"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        pcre2_code *re = ui_filter_compile(yes[i], &err);
        assert_non_null(re);
        assert_int_equal(ui_filter_try(re, sb.buf, sb.len), UI_FILTER_YES);
        pcre2_code *interp = pcre2_code_copy(re);
        assert_int_equal(ui_filter_try(interp, sb.buf, sb.len), UI_FILTER_YES);
        pcre2_code_free(interp);
        ui_filter_free(re);
    }
    pcre2_code *re = ui_filter_compile("printer.*offline", &err);
    assert_int_equal(ui_filter_try(re, sb.buf, sb.len), UI_FILTER_NO);
    ui_filter_free(re);
    sb_free(&sb);
    ui_filter_thread_done();
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pathological_is_cut_short),
        cmocka_unit_test(test_ordinary_patterns_not_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
