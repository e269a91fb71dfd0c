/* Display width, fitting and sanitising: what reaches the operator's terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "textwidth.h"
#include "util.h"

static char *fit(const char *s, int w)
{
    struct strbuf sb = STRBUF_INIT;
    text_fit(&sb, s, w);
    return sb_detach(&sb);
}

static void test_widths(void **state)
{
    (void)state;
    assert_int_equal(text_width("abc"), 3);
    assert_int_equal(text_width("サーバ室"), 8);
    assert_int_equal(text_width("22.5℃"), 5);
    assert_int_equal(text_width("ＡＢ"), 4);
}

static void test_fit_never_splits_a_character(void **state)
{
    (void)state;
    char *s = fit("サーバ室温度", 7);
    /* 3 wide chars (6 cells) do not fit with the mark: 2 chars + … + pad. */
    assert_string_equal(s, "サーバ…");
    assert_int_equal(text_width(s), 7);
    free(s);
    s = fit("サーバ", 8);
    assert_string_equal(s, "サーバ  ");
    free(s);
    s = fit("abcdef", 4);
    assert_string_equal(s, "abc…");
    free(s);
}

static void test_control_sequences_are_escaped(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, "ok\x1b[2J\x07 done\r\n\xff\xfe end \xc2\x9b", 0);
    assert_null(strchr(sb.buf, '\x1b'));
    assert_null(strchr(sb.buf, '\x07'));
    assert_null(strchr(sb.buf, '\r'));
    assert_non_null(strstr(sb.buf, "\\x1b[2J"));
    assert_non_null(strstr(sb.buf, "\\xff\\xfe"));
    assert_non_null(strstr(sb.buf, "\\u009b"));
    sb_free(&sb);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(utf8_valid("日本語", strlen("日本語")));
    assert_false(utf8_valid("\xe6\x97", 2));
    assert_false(utf8_valid("\xc0\xaf", 2)); /* overlong */
    char out[4];
    assert_int_equal(utf8_encode(0x65E5, out), 3);
    assert_memory_equal(out, "日", 3);
}

static void test_output_formats(void **state)
{
    (void)state;
    static const char *const keys[] = {"code", "name"};
    struct output_table *t = output_new(2, keys, NULL);
    const char *r1[] = {"L025", "定常監視, \"死活\""};
    const char *r2[] = {"L032", NULL};
    output_row(t, r1);
    output_row(t, r2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    output_print(t, OUTPUT_JSON, f);
    fclose(f);
    assert_non_null(strstr(buf, "\"name\": \"定常監視, \\\"死活\\\"\""));
    assert_non_null(strstr(buf, "\"name\": null"));
    free(buf);
    f = open_memstream(&buf, &len);
    output_print(t, OUTPUT_CSV, f);
    fclose(f);
    assert_string_equal(buf, "code,name\r\nL025,\"定常監視, \"\"死活\"\"\"\r\nL032,\r\n");
    free(buf);
    f = open_memstream(&buf, &len);
    output_print(t, OUTPUT_TEXT, f);
    fclose(f);
    assert_non_null(strstr(buf, "code  name"));
    free(buf);
    output_free(t);
}

/* JSON strings (CLI --json, reports, asciicast transcripts) stay valid JSON
 * whatever the bytes: controls escaped, invalid UTF-8 replaced by U+FFFD. */
static void test_json_escape(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    json_string(&sb, "a\"b\\c\n\r\t\x01\x1b[0m\x7f");
    assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001b[0m\\u007f\"");
    sb_free(&sb);
    /* Valid multi-byte characters (U+FFFD itself among them) pass through;
     * a C1 control (U+0085) is escaped like the C0 ones. */
    json_string(&sb, "あ\xc2\x85\xef\xbf\xbd");
    assert_string_equal(sb.buf, "\"あ\\u0085\xef\xbf\xbd\"");
    sb_free(&sb);
    /* Each byte of an invalid sequence: a stray byte, a truncated character,
     * an overlong form, a surrogate. */
    json_string(&sb, "x\xff\xe3\x81y\xc0\xafz\xed\xa0\x80");
    assert_string_equal(sb.buf, "\"x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd"
                                "z\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    sb_free(&sb);
    /* By length: NUL is data. */
    json_escape(&sb, "a\0b", 3);
    assert_string_equal(sb.buf, "a\\u0000b");
    sb_free(&sb);
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A refusal or a label is wrapped, never cut: every character is on some line. */
static void test_wrap(void **state)
{
    (void)state;
    char **v;
    /* Japanese: no spaces, broken between characters (2 cells each) */
    const char *ja = "この変更は「復旧」の段階にないため実施できません";
    size_t n = text_wrap(ja, 20, &v);
    assert_int_equal(n, 3);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        assert_true(text_width(v[i]) <= 20);
        sb_puts(&sb, v[i]);
    }
    assert_string_equal(sb.buf, ja);
    sb_free(&sb);
    assert_string_equal(v[0], "この変更は「復旧」の");
    free_lines(v, n);
    /* English: at the last space */
    n = text_wrap("cannot start CHG-0001: it is not approved yet", 20, &v);
    assert_int_equal(n, 3);
    assert_string_equal(v[0], "cannot start");
    assert_string_equal(v[1], "CHG-0001: it is not");
    assert_string_equal(v[2], "approved yet");
    free_lines(v, n);
    /* line breaks are kept, a short text is one line, an odd width never splits a
     * wide character */
    n = text_wrap("a\n\nb", 10, &v);
    assert_int_equal(n, 3);
    assert_string_equal(v[1], "");
    assert_string_equal(v[2], "b");
    free_lines(v, n);
    n = text_wrap("", 10, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "");
    free_lines(v, n);
    n = text_wrap("日本語", 3, &v);
    assert_int_equal(n, 3);
    assert_string_equal(v[0], "日");
    free_lines(v, n);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_fit_never_splits_a_character),
        cmocka_unit_test(test_control_sequences_are_escaped),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_output_formats),
        cmocka_unit_test(test_json_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
