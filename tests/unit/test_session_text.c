/* The text of a recorded session (src/session_text.h): what the terminal showed,
 * with every control sequence applied and none left in the text; line ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_text.h"
#include "transcript.h"
#include "util.h"

/* A recording as src/transcript.c writes it, of the chunks given. */
static char *record(int cols, int rows, const char *const *chunks, size_t n)
{
    struct transcript *tr = transcript_new(cols, rows, 0, "lib-ap01", 0);
    for (size_t i = 0; i < n; i++)
        transcript_output(tr, (int64_t)(i + 1) * 100, chunks[i], strlen(chunks[i]));
    size_t len;
    char *out = xstrdup(transcript_text(tr, &len));
    transcript_free(tr);
    return out;
}

static void assert_clean(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (const char *p = lines[i]; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                fail_msg("line %zu holds control byte 0x%02x: %s", i + 1, (unsigned char)*p,
                         lines[i]);
}

static void test_control_sequences_applied(void **state)
{
    (void)state;
    const char *const chunks[] = {
        "\x1b]0;root@lib-ap01: ~\x07", /* window title: not text */
        "$ systemctl status nginx\r\n",
        "\x1b[1;32m● nginx.service\x1b[0m - A high performance web server\r\n",
        "   Active: \x1b[32mactive (running)\x1b[0m\r\n",
        "progress 10%\rprogress 100%\r\n", /* a carriage return overwrites */
        "abcdef\x1b[3D\x1b[KXYZ\r\n",      /* cursor back, erase to the end */
        "確認\x07完了\r\n",                /* a bell: nothing */
        "$ ",
    };
    char *cast = record(80, 24, chunks, ARRAY_LEN(chunks));
    char **lines;
    size_t n;
    char *err = NULL;
    if (session_cast_lines(cast, strlen(cast), &lines, &n, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(n, 7); /* the blank rows below the prompt are dropped */
    assert_string_equal(lines[0], "$ systemctl status nginx");
    assert_string_equal(lines[1], "● nginx.service - A high performance web server");
    assert_string_equal(lines[2], "   Active: active (running)");
    assert_string_equal(lines[3], "progress 100%");
    assert_string_equal(lines[4], "abcXYZ");
    assert_string_equal(lines[5], "確認完了");
    assert_string_equal(lines[6], "$");
    assert_clean(lines, n);
    session_lines_free(lines, n);
    free(cast);
}

/* Lines that scrolled off the screen come first, from the scrollback. */
static void test_scrollback(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    for (int i = 1; i <= 30; i++)
        sb_printf(&sb, "line %d\r\n", i);
    const char *const chunks[] = {sb.buf};
    char *cast = record(40, 10, chunks, 1);
    char **lines;
    size_t n;
    char *err = NULL;
    if (session_cast_lines(cast, strlen(cast), &lines, &n, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(n, 30);
    assert_string_equal(lines[0], "line 1");
    assert_string_equal(lines[29], "line 30");
    char *text = NULL;
    assert_int_equal(session_lines_join(lines, n, 3, 5, &text, &err), 0);
    assert_string_equal(text, "line 3\nline 4\nline 5");
    free(text);
    assert_int_equal(session_lines_join(lines, n, 0, 0, &text, &err), 0);
    assert_int_equal(strncmp(text, "line 1\nline 2\n", 14), 0);
    assert_non_null(strstr(text, "\nline 30"));
    assert_null(strstr(text, "\nline 30\n"));
    free(text);
    assert_int_equal(session_lines_join(lines, n, 29, 0, &text, &err), 0);
    assert_string_equal(text, "line 29\nline 30");
    free(text);
    assert_int_equal(session_lines_join(lines, n, 25, 31, &text, &err), -1);
    assert_null(text);
    assert_non_null(strstr(err, "1 to 30"));
    free(err);
    session_lines_free(lines, n);
    free(cast);
    sb_free(&sb);
}

static void test_range(void **state)
{
    (void)state;
    int a, b;
    assert_true(session_parse_range("3-5", &a, &b));
    assert_int_equal(a, 3);
    assert_int_equal(b, 5);
    assert_true(session_parse_range("7", &a, &b));
    assert_int_equal(a, 7);
    assert_int_equal(b, 7);
    assert_true(session_parse_range("4-", &a, &b));
    assert_int_equal(a, 4);
    assert_int_equal(b, 0);
    assert_false(session_parse_range("5-3", &a, &b));
    assert_false(session_parse_range("0-3", &a, &b));
    assert_false(session_parse_range("a-b", &a, &b));
    assert_false(session_parse_range("3-5x", &a, &b));
    assert_false(session_parse_range("", &a, &b));
}

static void test_bad_recording(void **state)
{
    (void)state;
    char **lines;
    size_t n;
    char *err = NULL;
    assert_int_equal(session_cast_lines("not a cast", 10, &lines, &n, &err), -1);
    assert_non_null(err);
    free(err);
    err = NULL;
    const char *bad =
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\", \"ok\\r\\n\"]\n"
        "[0.2, \"o\", \"unterminated\n";
    assert_int_equal(session_cast_lines(bad, strlen(bad), &lines, &n, &err), -1);
    assert_non_null(strstr(err, "line 3"));
    free(err);
    /* \u escapes, a surrogate pair, a resize */
    const char *esc = "{\"version\": 2, \"width\": 80, \"height\": 24}\n"
                      "[0.1, \"o\", \"\\u001b[31m\\u65e5\\ud83d\\ude00\\u001b[0m\\r\\n\"]\n"
                      "[0.2, \"r\", \"100x30\"]\n[0.3, \"o\", \"end\"]\n";
    err = NULL;
    if (session_cast_lines(esc, strlen(esc), &lines, &n, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(n, 2);
    assert_string_equal(lines[0], "日😀");
    assert_string_equal(lines[1], "end");
    session_lines_free(lines, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_sequences_applied),
        cmocka_unit_test(test_scrollback),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_bad_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
