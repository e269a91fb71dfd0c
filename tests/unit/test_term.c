#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vterm.h>

#include "term.h"
#include "textwidth.h"
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

/* Every cell holds Unicode scalar values (or marks a wide character's right
 * half) and every row reads back as valid UTF-8. */
static void assert_sane(struct term *t)
{
    for (int r = -(int)term_scrollback_count(t); r < term_rows(t); r++) {
        for (int c = 0; c < term_cols(t); c++) {
            struct term_cell cell;
            term_cell(t, r, c, &cell);
            for (int k = 0; k < TERM_MAX_CHARS && cell.chars[k]; k++) {
                uint32_t cp = cell.chars[k];
                if (k == 0 && cp == TERM_WIDE_RIGHT)
                    break;
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x20 ||
                    (cp >= 0x7F && cp < 0xA0)) {
                    fail_msg("row %d col %d char %d: U+%X", r, c, k, (unsigned)cp);
                }
            }
        }
        char *text = term_row_text(t, r);
        assert_true(utf8_valid(text, strlen(text)));
        free(text);
    }
    int row, col;
    term_cursor(t, &row, &col, NULL);
    assert_true(row >= 0 && row < term_rows(t));
    assert_true(col >= 0 && col < term_cols(t));
}

/* The terminal still prints: a new line of text reads back. */
static void assert_works(struct term *t)
{
    assert_sane(t);
    feed(t, "\x1b[m\x1b[H\x1b[2Jok");
    assert_row(t, 0, "ok");
}

/* REP (ESC [ b) before any character: libvterm 0.1.4 loops for ever. */
static void test_rep_without_previous_char(void **state)
{
    (void)state;
    static const char *const inputs[] = {"\x1b[b", "\x1b[5b", "\033c\033[b", "\x1b[65535b"};
    for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
        struct term *t = term_new(24, 80, 0);
        feed(t, inputs[i]);
        assert_works(t);
        term_free(t);
    }
    /* Split across reads, byte by byte. */
    struct term *t = term_new(24, 80, 0);
    term_feed(t, "\x1b", 1);
    term_feed(t, "[", 1);
    term_feed(t, "5", 1);
    term_feed(t, "b", 1);
    assert_works(t);
    term_free(t);
    /* After a reset, and after a glyph made of a lone combining mark (width
     * 0 in libvterm): still nothing to repeat. */
    t = term_new(24, 80, 0);
    feed(t, "\033c\033[3b");
    feed(t, "a\x1b[H\xcc\x81\x1b[b");
    feed(t, "\x1b[10;10H");
    feed(t, "\xcc\x81");
    feed(t, "\x1b[2b");
    assert_works(t);
    term_free(t);
    /* A real previous character is still repeated. */
    t = term_new(24, 80, 0);
    feed(t, "x\x1b[3b");
    assert_row(t, 0, "xxxx");
    feed(t, "\r\n\xe6\x97\xa5\x1b[4b"); /* libvterm counts columns */
    assert_row(t, 1, "日日日");
    feed(t, "\r\ne\xcc\x81\x1b[1b");
    assert_row(t, 2, "e\xcc\x81\x65\xcc\x81");
    term_free(t);
}

/* REP of a wide glyph that reaches the last column: libvterm 0.1.4 puts the
 * glyph's right half past the row, through NULL (found by fuzz_term). */
static void test_rep_wide_at_row_end(void **state)
{
    (void)state;
    const char *a = "\xe3\x81\x82"; /* two columns wide */
    struct term *t = term_new(5, 10, 0);
    feed(t, a);
    feed(t, "\x1b[1;10H\x1b[b"); /* REP on the last column */
    assert_sane(t);
    assert_row(t, 0, "\xe3\x81\x82");
    /* From column 2 of an odd-width row: the glyphs that fit, no half. */
    term_resize(t, 5, 9);
    feed(t, "\x1b[2;1H\xe3\x81\x82\x1b[9b");
    assert_sane(t);
    assert_row(t, 1, "\xe3\x81\x82\xe3\x81\x82\xe3\x81\x82\xe3\x81\x82");
    /* An even row is filled to its end, as before. */
    term_resize(t, 5, 10);
    feed(t, "\x1b[3;1H\xe3\x81\x82\x1b[65535b");
    assert_row(t, 2, "\xe3\x81\x82\xe3\x81\x82\xe3\x81\x82\xe3\x81\x82\xe3\x81\x82");
    /* A narrow non-ASCII glyph repeats as an ASCII one does. */
    feed(t, "\x1b[4;1H\xc3\xa9\x1b[20b");
    char *narrow = term_row_text(t, 3);
    feed(t, "\x1b[4;1Hx\x1b[20b");
    char *ascii = term_row_text(t, 3);
    assert_int_equal(text_width(narrow), text_width(ascii));
    free(narrow);
    free(ascii);
    /* The REP split from its glyph across reads. */
    feed(t, "\x1b[5;9H");
    feed(t, a);
    feed(t, "\x1b[1;10H\x1b");
    feed(t, "[3b");
    assert_works(t);
    term_free(t);
}

static void feed_lines(struct term *t, int n)
{
    char line[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(line, sizeof line, "line %d\r\n", i);
        term_feed(t, line, (size_t)len);
    }
}

/* A shrink leaves libvterm's cursor, saved cursor, scroll region or margins
 * outside the screen; the next erase or scroll wrote through NULL. */
static void test_shrink(void **state)
{
    (void)state;
    struct term *t = term_new(24, 80, 0);
    feed_lines(t, 24);
    feed(t, "\x1b[H");
    term_resize(t, 20, 80);
    feed(t, "\x1b[K");
    assert_works(t);
    term_free(t);

    /* The cursor column. */
    t = term_new(24, 80, 0);
    feed(t, "\x1b[24;80H");
    term_resize(t, 10, 40);
    feed(t, "\x1b[K\x1b[P\x1b[@x");
    assert_works(t);
    term_free(t);

    /* A scroll region, then scrolling in it. */
    t = term_new(24, 80, 0);
    feed_lines(t, 30);
    feed(t, "\x1b[5;24r\x1b[24;1H");
    term_resize(t, 10, 80);
    feed(t, "\n\n\n\x1b[M\x1b[L\x1b[S\x1b[T\x1bM\033D");
    feed_lines(t, 30);
    assert_works(t);
    term_free(t);

    /* Left and right margins. */
    t = term_new(24, 80, 0);
    feed(t, "\x1b[?69h\x1b[5;70s\x1b[24;60H");
    term_resize(t, 24, 30);
    feed(t, "\x1b[S\x1b[T\x1b[@\x1b[P\n\n\n");
    feed_lines(t, 30);
    assert_works(t);
    term_free(t);

    /* A cursor saved before the shrink and restored after it. */
    static const char *const saves[][2] = {
        {"\0337", "\0338"},
        {"\x1b[?1048h", "\x1b[?1048l"},
        {"\x1b[?1049h", "\x1b[?1049l"},
    };
    for (size_t i = 0; i < ARRAY_LEN(saves); i++) {
        t = term_new(24, 80, 0);
        feed(t, "\x1b[24;80H");
        feed(t, saves[i][0]);
        term_resize(t, 10, 40);
        feed(t, saves[i][1]);
        feed(t, "\x1b[K\x1b[2K\x1b[J");
        assert_works(t);
        term_free(t);
    }

    /* Shrinking and growing over and over while drawing. */
    t = term_new(24, 80, 0);
    for (int i = 0; i < 60; i++) {
        term_resize(t, 1 + (i * 7) % 30, 1 + (i * 13) % 90);
        feed(t, "\x1b[99;99H\x1b[Kx\x1b[3;2r\n\n\x1b[?1049h\x1b[J\x1b[?1049l日本");
    }
    assert_works(t);
    term_free(t);
}

/* A chunk that ends inside a DCS or OSC string, or inside its terminator. */
static void test_string_split(void **state)
{
    (void)state;
    struct term *t = term_new(5, 20, 0);
    feed(t, "\x1bPqabc");
    feed(t, "def\x1b");
    feed(t, "\\");
    feed(t, "ok");
    assert_row(t, 0, "ok");
    feed(t, "\r\n\x1b]2;title\x1b");
    feed(t, "\\");
    assert_string_equal(term_title(t), "title");
    feed(t, "\x1b]2;a\x1b");
    feed(t, "\x07\x1b\\done");
    assert_row(t, 1, "done");
    assert_works(t);
    term_free(t);
}

/* More CSI arguments than libvterm 0.1.4's array (16): it wrote past it. */
static void test_csi_many_args(void **state)
{
    (void)state;
    struct term *t = term_new(5, 20, 0);
    char seq[128] = "\x1b[";
    for (int i = 0; i < 40; i++)
        strcat(seq, i % 2 ? ";" : "1:");
    strcat(seq, "m");
    feed(t, seq);
    for (size_t i = 0; seq[i]; i++)
        term_feed(t, seq + i, 1);
    feed(t, "ok");
    assert_row(t, 0, "ok");
    /* 16 arguments are fine. */
    feed(t, "\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;31mred");
    struct term_cell cell;
    term_cell(t, 0, 2, &cell);
    assert_int_equal(cell.chars[0], 'r');
    assert_int_equal(cell.fg.kind, TERM_COLOR_INDEXED);
    assert_int_equal(cell.fg.index, 1);
    assert_works(t);
    term_free(t);
}

/* Any size, including 1x1 and 0x0: a wide character in one column wrote
 * past the row. */
static void test_tiny_sizes(void **state)
{
    (void)state;
    struct term *t = term_new(24, 1, 0);
    feed(t, "日");
    assert_true(term_cols(t) >= 1);
    assert_works(t);
    term_free(t);
    static const int sizes[][2] = {{1, 1}, {0, 0}, {-5, -5}, {1, 2}, {2, 3}, {3, 1}};
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        t = term_new(sizes[i][0], sizes[i][1], 0);
        feed(t, "日本語\r\nab日\x1b#6日\x1b#3日日\r\n\x1b[b\tx\x1b[99C日");
        term_resize(t, sizes[i][1], sizes[i][0]);
        feed(t, "日\xe3\x82\x99\xe3\x82\x99\xe3\x82\x99");
        assert_works(t);
        term_free(t);
    }
    /* Combining marks libvterm counts as wide made one glyph wider than the
     * screen. */
    t = term_new(5, 20, 0);
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "\xe3\x81\x8b");
    for (int i = 0; i < 30; i++)
        sb_puts(&sb, "\xe3\x82\x99\xe3\x80\xaa");
    term_feed(t, sb.buf, sb.len);
    sb_free(&sb);
    assert_works(t);
    term_free(t);
}

/* Invalid UTF-8 left values like U+E242FFA0 in cells. */
static void test_invalid_utf8(void **state)
{
    (void)state;
    static const char repro[] = "\xe3\xe3\xe3\xef\xe3\x00\xe3\xe3\xe3\x3f";
    struct term *t = term_new(24, 80, 0);
    term_feed(t, repro, sizeof repro - 1);
    assert_sane(t);
    assert_row(t, 0,
               "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
               "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd?");
    static const char *const bad[] = {
        "\xf8\x88\x80\x80\x80",
        "\xfc\x84\x80\x80\x80\x80",
        "\xf4\x90\x80\x80",
        "\xed\xa0\x80",
        "\xc0\xaf",
        "\xc2\x80\xc2\x9b\xc2\x9f",
        "\xe3\x81\x1b[m\x82",
        "\xef\xbf\xbe\xef\xbf\xbf",
        "\xff\xfe\x80\xbf",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        feed(t, "\r\n");
        feed(t, bad[i]);
        assert_sane(t);
    }
    /* Split valid characters still arrive whole. */
    feed(t, "\r\n\xf0\x9f");
    feed(t, "\x98");
    feed(t, "\x80!");
    int row, col;
    term_cursor(t, &row, &col, NULL);
    assert_row(t, row, "\xf0\x9f\x98\x80!");
    assert_works(t);
    term_free(t);
}

static void assert_same(struct term *a, struct term *b)
{
    assert_int_equal(term_rows(a), term_rows(b));
    assert_int_equal(term_scrollback_count(a), term_scrollback_count(b));
    for (int r = -(int)term_scrollback_count(a); r < term_rows(a); r++) {
        for (int c = 0; c < term_cols(a); c++) {
            struct term_cell x, y;
            int rx = term_cell(a, r, c, &x), ry = term_cell(b, r, c, &y);
            assert_int_equal(rx, ry);
            assert_memory_equal(&x, &y, sizeof x);
        }
    }
    int ar, ac, br, bc;
    term_cursor(a, &ar, &ac, NULL);
    term_cursor(b, &br, &bc, NULL);
    assert_int_equal(ar, br);
    assert_int_equal(ac, bc);
}

/* The flood fast forward kept old X's: it skipped lines that did not scroll
 * (the cursor was not on the bottom row). */
static void test_flood_matches_plain(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 24 * 80; i++)
        sb_putc(&sb, 'X');
    struct strbuf flood = STRBUF_INIT;
    sb_puts(&flood, "\x1b[H\r\n");
    for (int i = 0; i < 40; i++)
        sb_puts(&flood, "a\r\n");
    for (int pass = 0; pass < 2; pass++) {
        struct term *fast = term_new(24, 80, 3);
        struct term *plain = term_new(24, 80, 3);
        term_set_fast_forward(plain, 0);
        term_feed(fast, sb.buf, sb.len);
        term_feed(plain, sb.buf, sb.len);
        if (pass)
            feed_lines(fast, 30), feed_lines(plain, 30); /* cursor on the bottom row */
        term_feed(fast, flood.buf, flood.len);
        term_feed(plain, flood.buf, flood.len);
        assert_same(fast, plain);
        assert_sane(fast);
        term_free(fast);
        term_free(plain);
    }
    /* A flood from the bottom row is still skipped through, and equal. */
    struct term *fast = term_new(24, 80, 3);
    struct term *plain = term_new(24, 80, 3);
    term_set_fast_forward(plain, 0);
    sb_reset(&flood);
    sb_puts(&flood, "\x1b[24;1H\r\n");
    for (int i = 0; i < 200; i++)
        sb_printf(&flood, "line %d\r\n", i);
    sb_puts(&flood, "end");
    term_feed(fast, flood.buf, flood.len);
    term_feed(plain, flood.buf, flood.len);
    assert_same(fast, plain);
    assert_row(fast, 23, "end");
    term_free(fast);
    term_free(plain);
    /* Left/right margins or a scroll region: lines scroll inside them and
     * never reach the scrollback; still equal. */
    static const char *const setups[] = {"\x1b[?69h\x1b[5;30s", "\x1b[3;20r", "\x1b[?1049h"};
    for (size_t i = 0; i < ARRAY_LEN(setups); i++) {
        fast = term_new(24, 80, 3);
        plain = term_new(24, 80, 3);
        term_set_fast_forward(plain, 0);
        feed_lines(fast, 30);
        feed_lines(plain, 30);
        sb_reset(&flood);
        sb_puts(&flood, setups[i]);
        sb_puts(&flood, "\x1b[24;1H\r\n");
        for (int k = 0; k < 200; k++) /* long lines, then short ones */
            sb_printf(&flood, "line %d %s\r\n", k,
                      k < 150 ? "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" : "");
        sb_puts(&flood, "end");
        term_feed(fast, flood.buf, flood.len);
        term_feed(plain, flood.buf, flood.len);
        assert_same(fast, plain);
        term_free(fast);
        term_free(plain);
    }
    sb_free(&sb);
    sb_free(&flood);
}

/* term_cp_combining is libvterm's own table: probe the installed library. */
static void test_combining_table(void **state)
{
    (void)state;
    VTerm *vt = vterm_new(2, 20);
    vterm_set_utf8(vt, 1);
    VTermScreen *scr = vterm_obtain_screen(vt);
    vterm_screen_reset(scr, 1);
    for (uint32_t cp = 0xA0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char buf[16] = "\x1b[H\x1b[2Ka";
        size_t n = strlen(buf);
        n += utf8_encode(cp, buf + n);
        vterm_input_write(vt, buf, n);
        VTermScreenCell cell;
        VTermPos pos = {0, 0};
        vterm_screen_get_cell(scr, pos, &cell);
        int joined = cell.chars[1] == cp;
        if (joined != term_cp_combining(cp))
            fail_msg("U+%04X: libvterm %s, term_cp_combining %d", (unsigned)cp,
                     joined ? "joins it" : "does not join it", term_cp_combining(cp));
    }
    vterm_free(vt);
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
        cmocka_unit_test(test_rep_without_previous_char),
        cmocka_unit_test(test_rep_wide_at_row_end),
        cmocka_unit_test(test_shrink),
        cmocka_unit_test(test_string_split),
        cmocka_unit_test(test_csi_many_args),
        cmocka_unit_test(test_tiny_sizes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_flood_matches_plain),
        cmocka_unit_test(test_combining_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
