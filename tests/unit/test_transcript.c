#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transcript.h"
#include "util.h"

static void test_header_and_events(void **state)
{
    (void)state;
    int64_t t0 = 1795366521000LL;
    struct transcript *tr = transcript_new(120, 40, t0, "lib-ap01 \"main\"", 0);
    transcript_output(tr, t0 + 1500, "ls\r\n", 4);
    transcript_output(tr, t0 + 2250, "a\tb\x1b[0m\\\"", 9);
    transcript_resize(tr, t0 + 3000, 100, 30);
    size_t len;
    const char *txt = transcript_text(tr, &len);
    assert_int_equal(strlen(txt), len);
    const char *want =
        "{\"version\": 2, \"width\": 120, \"height\": 40, \"timestamp\": 1795366521, \"title\": "
        "\"lib-ap01 \\\"main\\\"\", \"env\": {\"TERM\": \"xterm-256color\", \"SHELL\": "
        "\"/bin/sh\"}}\n"
        "[1.500, \"o\", \"ls\\r\\n\"]\n"
        "[2.250, \"o\", \"a\\tb\\u001b[0m\\\\\\\"\"]\n"
        "[3.000, \"r\", \"100x30\"]\n";
    assert_string_equal(txt, want);
    assert_false(transcript_truncated(tr));
    transcript_free(tr);
}

static void test_utf8(void **state)
{
    (void)state;
    struct transcript *tr = transcript_new(80, 24, 0, NULL, 0);
    /* "あい" split inside the second character, then invalid bytes. */
    transcript_output(tr, 10, "\xe3\x81\x82\xe3", 4);
    transcript_output(tr, 20, "\x81\x84", 2);
    transcript_output(tr, 30, "x\xff\xfey", 4);
    const char *txt = transcript_text(tr, NULL);
    assert_non_null(strstr(txt, "[0.010, \"o\", \"あ\"]\n[0.020, \"o\", \"い\"]\n"));
    assert_non_null(strstr(txt, "[0.030, \"o\", \"x\xef\xbf\xbd\xef\xbf\xbdy\"]"));
    /* NUL and other controls are escaped. */
    transcript_output(tr, 35, "a\0\x07", 3);
    assert_non_null(strstr(transcript_text(tr, NULL), "[0.035, \"o\", \"a\\u0000\\u0007\"]"));
    /* A chunk that is only the start of a character waits for the rest. */
    transcript_output(tr, 40, "\xe3", 1);
    transcript_output(tr, 50, "\x81\x86", 2);
    assert_non_null(strstr(transcript_text(tr, NULL), "[0.050, \"o\", \"う\"]"));
    transcript_free(tr);
}

static void test_title_invalid_utf8(void **state)
{
    (void)state;
    struct transcript *tr = transcript_new(80, 24, 0, "lib\xff-ap01", 0);
    assert_non_null(strstr(transcript_text(tr, NULL), "\"title\": \"lib\xef\xbf\xbd-ap01\""));
    transcript_free(tr);
}

static void test_cap(void **state)
{
    (void)state;
    struct transcript *tr = transcript_new(80, 24, 0, NULL, 1000);
    char buf[300];
    memset(buf, 'z', sizeof buf);
    for (int i = 0; i < 10; i++)
        transcript_output(tr, i, buf, sizeof buf);
    size_t len;
    const char *txt = transcript_text(tr, &len);
    assert_true(transcript_truncated(tr));
    assert_true(len < 1400);
    assert_non_null(strstr(txt, "recording stopped"));
    transcript_free(tr);
}

/* Escaping makes a control byte six characters: the cap counts what is
 * written, so a server flooding ESC bytes (or an operator resizing for ever)
 * cannot grow a recording past it. */
static void test_cap_counts_escapes(void **state)
{
    (void)state;
    struct transcript *tr = transcript_new(80, 24, 0, NULL, 4096);
    char buf[600];
    memset(buf, 0x1b, sizeof buf);
    for (int i = 0; i < 20; i++)
        transcript_output(tr, i, buf, sizeof buf);
    size_t len;
    transcript_text(tr, &len);
    assert_true(transcript_truncated(tr));
    assert_true(len < 4096 + 200);
    transcript_free(tr);

    tr = transcript_new(80, 24, 0, NULL, 4096);
    for (int i = 0; i < 10000; i++)
        transcript_resize(tr, i, 80 + i % 3, 24);
    transcript_text(tr, &len);
    assert_true(transcript_truncated(tr));
    assert_true(len < 4096 + 200);
    transcript_free(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_events),  cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_title_invalid_utf8), cmocka_unit_test(test_cap),
        cmocka_unit_test(test_cap_counts_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
