#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "util.h"

static void feed(struct term *t, const char *s)
{
    term_feed(t, s, strlen(s));
}

static void assert_row(struct term *t, int row, const char *want)
{
    char *got = term_row_text(t, row);
    assert_string_equal(got, want);
    free(got);
}

static void test_text_and_cursor(void **state)
{
    (void)state;
    struct term *t = term_new(5, 20, 0);
    feed(t, "hello\r\nworld");
    assert_row(t, 0, "hello");
    assert_row(t, 1, "world");
    int r, c, vis;
    term_cursor(t, &r, &c, &vis);
    assert_int_equal(r, 1);
    assert_int_equal(c, 5);
    assert_true(vis);
    int f, l;
    assert_true(term_take_damage(t, &f, &l));
    assert_int_equal(f, 0);
    assert_false(term_take_damage(t, &f, &l));
    feed(t, "\x1b[?25l"); /* hide cursor */
    term_cursor(t, &r, &c, &vis);
    assert_false(vis);
    term_free(t);
}

static void test_colours_and_attrs(void **state)
{
    (void)state;
    struct term *t = term_new(3, 20, 0);
    feed(t, "a\x1b[1;31mb\x1b[0m\x1b[38;2;10;20;30;48;5;200mc\x1b[0;7md");
    struct term_cell cell;
    term_cell(t, 0, 0, &cell);
    assert_int_equal(cell.chars[0], 'a');
    assert_int_equal(cell.fg.kind, TERM_COLOR_DEFAULT);
    assert_int_equal(cell.bg.kind, TERM_COLOR_DEFAULT);
    term_cell(t, 0, 1, &cell);
    assert_int_equal(cell.fg.kind, TERM_COLOR_INDEXED);
    assert_int_equal(cell.fg.index, 1);
    assert_true(cell.attrs & TERM_ATTR_BOLD);
    term_cell(t, 0, 2, &cell);
    assert_int_equal(cell.fg.kind, TERM_COLOR_RGB);
    assert_int_equal(cell.fg.r, 10);
    assert_int_equal(cell.fg.b, 30);
    assert_int_equal(cell.bg.kind, TERM_COLOR_INDEXED);
    assert_int_equal(cell.bg.index, 200);
    term_cell(t, 0, 3, &cell);
    assert_true(cell.attrs & TERM_ATTR_REVERSE);
    assert_false(cell.attrs & TERM_ATTR_BOLD);
    term_cell(t, 0, 10, &cell);
    assert_int_equal(cell.chars[0], 0);
    term_free(t);
}

static void test_wide_and_combining(void **state)
{
    (void)state;
    struct term *t = term_new(3, 10, 0);
    feed(t, "日本x e\xcc\x81"); /* 日 本 (2 cells each), x, space, e + combining acute */
    struct term_cell cell;
    term_cell(t, 0, 0, &cell);
    assert_int_equal(cell.chars[0], 0x65E5);
    assert_int_equal(cell.width, 2);
    term_cell(t, 0, 1, &cell);
    assert_int_equal(cell.chars[0], TERM_WIDE_RIGHT);
    term_cell(t, 0, 2, &cell);
    assert_int_equal(cell.chars[0], 0x672C);
    term_cell(t, 0, 4, &cell);
    assert_int_equal(cell.chars[0], 'x');
    term_cell(t, 0, 6, &cell);
    assert_int_equal(cell.chars[0], 'e');
    assert_int_equal(cell.chars[1], 0x301);
    assert_row(t, 0, "日本x e\xcc\x81");
    /* A UTF-8 sequence split across two reads. */
    feed(t, "\r\n\xe3\x81");
    feed(t, "\x82");
    assert_row(t, 1, "あ");
    term_free(t);
}

static void test_scrollback(void **state)
{
    (void)state;
    struct term *t = term_new(24, 80, 0);
    char line[32];
    for (int i = 0; i < 10050; i++) {
        int n = snprintf(line, sizeof line, "line %d\r\n", i);
        term_feed(t, line, (size_t)n);
    }
    /* 10050 lines + the empty last one on a 24-row screen: 10027 pushed, 10000 kept. */
    assert_int_equal(term_scrollback_count(t), TERM_DEFAULT_SCROLLBACK);
    assert_row(t, 22, "line 10049");
    assert_row(t, 0, "line 10027");
    assert_row(t, -1, "line 10026");
    assert_row(t, -10000, "line 27");
    struct term_cell cell;
    assert_int_equal(term_cell(t, -10001, 0, &cell), -1);
    term_free(t);

    /* A small scrollback keeps only the newest lines. */
    t = term_new(2, 10, 3);
    feed(t, "a\r\nb\r\nc\r\nd\r\ne\r\nf");
    assert_int_equal(term_scrollback_count(t), 3);
    assert_row(t, -1, "d");
    assert_row(t, -3, "b");
    term_free(t);
}

static void test_resize(void **state)
{
    (void)state;
    struct term *t = term_new(3, 10, 0);
    feed(t, "1\r\n2\r\n3\r\n4\r\n5");
    assert_int_equal(term_scrollback_count(t), 2);
    term_resize(t, 5, 20);
    assert_int_equal(term_rows(t), 5);
    assert_int_equal(term_cols(t), 20);
    /* Growing pulls lines back from the scrollback. */
    assert_int_equal(term_scrollback_count(t), 0);
    assert_row(t, 0, "1");
    assert_row(t, 4, "5");
    feed(t, "\x1b[2J\x1b[H0123456789012345678");
    assert_row(t, 0, "0123456789012345678");
    term_resize(t, 5, 8);
    assert_int_equal(term_cols(t), 8);
    term_free(t);
}

static struct strbuf sent;

static void collect(const char *b, size_t n, void *ud)
{
    (void)ud;
    sb_add(&sent, b, n);
}

static void test_keys(void **state)
{
    (void)state;
    struct term *t = term_new(3, 10, 0);
    term_set_output(t, collect, NULL);
    term_key_char(t, 'a', 0);
    term_key_char(t, 0x3042, 0);
    term_key(t, TERM_KEY_ENTER, 0);
    term_key(t, TERM_KEY_UP, 0);
    term_key_char(t, 'c', TERM_MOD_CTRL);
    assert_int_equal(sent.len, 1 + 3 + 1 + 3 + 1);
    assert_memory_equal(sent.buf, "a\xe3\x81\x82\r\x1b[A\x03", sent.len);
    sb_reset(&sent);
    /* Application cursor keys mode. */
    feed(t, "\x1b[?1h");
    term_key(t, TERM_KEY_UP, 0);
    assert_memory_equal(sent.buf, "\x1bOA", 3);
    sb_reset(&sent);
    /* Bracketed paste only once the application asks for it. */
    term_paste(t, "x", 1);
    assert_memory_equal(sent.buf, "x", 1);
    sb_reset(&sent);
    feed(t, "\x1b[?2004h");
    term_paste(t, "x", 1);
    assert_int_equal(sent.len, 13);
    assert_memory_equal(sent.buf, "\x1b[200~x\x1b[201~", 13);
    sb_reset(&sent);
    /* Device status report: the terminal answers through the output. */
    feed(t, "\x1b[6n");
    assert_true(sent.len > 0);
    assert_int_equal(sent.buf[0], '\x1b');
    sb_free(&sent);
    /* Title and bell. */
    feed(t, "\x1b]2;srv1: ~\x07\x07");
    assert_string_equal(term_title(t), "srv1: ~");
    assert_true(term_take_bell(t));
    assert_false(term_take_bell(t));
    term_free(t);
}

static void test_alt_screen(void **state)
{
    (void)state;
    struct term *t = term_new(3, 10, 0);
    feed(t, "shell$");
    feed(t, "\x1b[?1049h\x1b[Hvim");
    assert_row(t, 0, "vim");
    feed(t, "\x1b[?1049l");
    assert_row(t, 0, "shell$");
    term_free(t);
}

static void assert_sent(const char *want)
{
    assert_int_equal(sent.len, strlen(want));
    assert_memory_equal(sent.buf, want, sent.len);
    sb_reset(&sent);
}

static void test_mouse(void **state)
{
    (void)state;
    struct term *t = term_new(10, 40, 0);
    term_set_output(t, collect, NULL);
    /* A program that did not ask for the mouse hears nothing of it. */
    assert_int_equal(term_mouse_mode(t), TERM_MOUSE_NONE);
    term_mouse_button(t, 3, 5, 1, 1, 0);
    term_mouse_button(t, 3, 5, 1, 0, 0);
    assert_int_equal(sent.len, 0);

    /* Clicks, SGR encoding: press M, release m, 1-based column;row. */
    feed(t, "\x1b[?1000h\x1b[?1006h");
    assert_int_equal(term_mouse_mode(t), TERM_MOUSE_CLICK);
    term_mouse_button(t, 3, 5, 1, 1, 0);
    assert_sent("\x1b[<0;6;4M");
    term_mouse_button(t, 3, 5, 1, 0, 0);
    assert_sent("\x1b[<0;6;4m");
    /* Right button with Ctrl, the wheel, a cell outside clamped to the edge. */
    term_mouse_button(t, 0, 0, 3, 1, TERM_MOD_CTRL);
    assert_sent("\x1b[<18;1;1M");
    term_mouse_button(t, 0, 0, 3, 0, TERM_MOD_CTRL);
    assert_sent("\x1b[<18;1;1m");
    term_mouse_button(t, 20, 99, 4, 1, 0);
    assert_sent("\x1b[<64;40;10M");
    /* Click mode: moves, even with a button held, are not reported. */
    term_mouse_button(t, 1, 1, 1, 1, 0);
    sb_reset(&sent);
    term_mouse_move(t, 1, 2, 0);
    assert_int_equal(sent.len, 0);
    term_mouse_button(t, 1, 2, 1, 0, 0);
    sb_reset(&sent);

    /* Drag mode: a move with the button held is reported (32 + button). */
    feed(t, "\x1b[?1002h");
    assert_int_equal(term_mouse_mode(t), TERM_MOUSE_DRAG);
    term_mouse_button(t, 2, 2, 1, 1, 0);
    assert_sent("\x1b[<0;3;3M");
    term_mouse_move(t, 2, 7, 0);
    assert_sent("\x1b[<32;8;3M");
    term_mouse_button(t, 2, 7, 1, 0, 0);
    assert_sent("\x1b[<0;8;3m");
    term_mouse_move(t, 4, 4, 0); /* no button held */
    assert_int_equal(sent.len, 0);

    /* X10 encoding once SGR is off: CSI M, code + 32, column + 33, row + 33;
     * a release is code 3. */
    feed(t, "\x1b[?1006l\x1b[?1000h");
    term_mouse_button(t, 3, 5, 1, 1, 0);
    assert_sent("\x1b[M &$");
    term_mouse_button(t, 3, 5, 1, 0, 0);
    assert_sent("\x1b[M#&$");

    /* The program gives the mouse back: nothing more is sent. */
    feed(t, "\x1b[?1000l");
    assert_int_equal(term_mouse_mode(t), TERM_MOUSE_NONE);
    term_mouse_button(t, 3, 5, 1, 1, 0);
    term_mouse_button(t, 3, 5, 1, 0, 0);
    assert_int_equal(sent.len, 0);

    /* The program lets go of the mouse while a button is held: the release still
     * reaches libvterm, so the first press after the mouse is asked for again is a
     * press, not a drag (32 + button). */
    feed(t, "\x1b[?1002h\x1b[?1006h");
    term_mouse_button(t, 1, 1, 1, 1, 0);
    assert_sent("\x1b[<0;2;2M");
    feed(t, "\x1b[?1002l");
    term_mouse_button(t, 1, 1, 1, 0, 0);
    assert_int_equal(sent.len, 0);
    feed(t, "\x1b[?1002h");
    term_mouse_button(t, 2, 3, 1, 1, 0);
    assert_sent("\x1b[<0;4;3M");
    sb_free(&sent);
    term_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_cursor),
        cmocka_unit_test(test_colours_and_attrs),
        cmocka_unit_test(test_wide_and_combining),
        cmocka_unit_test(test_scrollback),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_alt_screen),
        cmocka_unit_test(test_mouse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
