/* The table widget without a user: virtual paging over a million rows (only
 * visible rows are fetched), column fitting by display width, CJK cells cut
 * with "…" at a character boundary, hit-testing of rows and tabs. Drawing goes
 * to a terminal on /dev/null (newterm). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "textwidth.h"
#include "ui.h"
#include "ui_console.h"
#include "ui_table.h"
#include "util.h"

#define MILLION 1000000L

struct fake {
    long n;
    long calls, rows;
    long max_batch;
};

static long fake_count(void *data)
{
    return ((struct fake *)data)->n;
}

static long fake_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct fake *f = data;
    f->calls++;
    long got = 0;
    for (long i = 0; i < n && from + i < f->n; i++, got++) {
        memset(&rows[i], 0, sizeof rows[i]);
        rows[i].cell[0] = xasprintf("%ld", from + i);
        rows[i].cell[1] = xstrdup("図書館システムの障害");
    }
    f->rows += got;
    if (n > f->max_batch)
        f->max_batch = n;
    return got;
}

static const struct table_col cols[] = {
    {"No", 2, 8, 0, 1, 0, 0},
    {"Title", 4, 0, 1, 0, 0, 0},
};

static void test_virtual_paging(void **state)
{
    (void)state;
    struct fake f = {MILLION, 0, 0, 0};
    struct table t;
    table_init(&t, cols, 2, (struct table_source){fake_count, fake_fetch, &f});
    assert_int_equal(t.nrows, MILLION);
    table_set_height(&t, 40);
    table_materialize(&t);
    assert_int_equal(f.rows, 40);
    /* a far jump fetches one screenful, not the rows in between */
    table_goto(&t, 900000);
    table_materialize(&t);
    assert_int_equal(f.rows, 80);
    assert_int_equal(f.max_batch, 40);
    assert_string_equal(table_selected(&t)->cell[0], "900000");
    /* page-down: one page of new rows each time */
    for (int i = 0; i < 100; i++) {
        table_action(&t, "page-down");
        table_materialize(&t);
    }
    assert_int_equal(f.rows, 80 + 100 * 40);
    assert_string_equal(table_selected(&t)->cell[0], "904000");
    /* moving by one row re-uses the window and fetches one row */
    long before = f.rows;
    table_action(&t, "down");
    table_materialize(&t);
    assert_true(f.rows - before <= 1);
    /* the end */
    table_action(&t, "bottom");
    table_materialize(&t);
    assert_string_equal(table_selected(&t)->cell[0], "999999");
    table_action(&t, "page-down");
    assert_int_equal(t.sel, MILLION - 1);
    table_action(&t, "top");
    table_materialize(&t);
    assert_string_equal(table_selected(&t)->cell[0], "0");
    table_action(&t, "page-up");
    assert_int_equal(t.sel, 0);
    table_free(&t);
}

static void test_small_and_empty(void **state)
{
    (void)state;
    struct fake f = {3, 0, 0, 0};
    struct table t;
    table_init(&t, cols, 2, (struct table_source){fake_count, fake_fetch, &f});
    table_set_height(&t, 40);
    table_materialize(&t);
    assert_int_equal(f.rows, 3);
    table_action(&t, "page-down");
    assert_int_equal(t.sel, 2);
    f.n = 0;
    table_reset(&t);
    assert_null(table_selected(&t));
    table_action(&t, "down");
    assert_int_equal(t.sel, 0);
    table_free(&t);
}

static void test_fit_columns(void **state)
{
    (void)state;
    static const struct table_col c[] = {
        {"A", 4, 10, 0, 0, 0, 0},
        {"B", 6, 0, 1, 0, 0, 0},
        {"C", 3, 5, 0, 0, 0, 0},
    };
    int out[3];
    /* room to spare goes to the flex column */
    int natural[] = {8, 10, 5};
    table_fit_columns(c, 3, natural, 60, out);
    assert_int_equal(out[0], 8);
    assert_int_equal(out[2], 5);
    assert_int_equal(out[0] + out[1] + out[2] + 2, 60);
    /* too narrow: the flex column shrinks first, to its minimum */
    table_fit_columns(c, 3, natural, 22, out);
    assert_int_equal(out[0], 8);
    assert_int_equal(out[1], 7);
    assert_int_equal(out[2], 5);
    /* narrower still: the others shrink to their minimum, from the right */
    table_fit_columns(c, 3, natural, 15, out);
    assert_int_equal(out[0] + out[1] + out[2] + 2, 15);
    assert_true(out[1] >= 6 && out[2] >= 3 && out[0] >= 4);
    /* natural widths above max are capped when the width is short ... */
    int wide[] = {50, 10, 50};
    table_fit_columns(c, 3, wide, 27, out);
    assert_int_equal(out[0], 10);
    assert_int_equal(out[2], 5);
    /* ... and shown whole when there is room (a long note is not cut at max) */
    table_fit_columns(c, 3, wide, 200, out);
    assert_int_equal(out[0], 50);
    assert_int_equal(out[2], 50);
}

/* Reads back row y of stdscr as a wide string (padding cells of wide
 * characters are not repeated). */
static void read_row(int y, wchar_t *out, int n)
{
    mvinnwstr(y, 0, out, n);
}

static SCREEN *scr;
static FILE *devnull_out, *devnull_in;

static int setup_term(void **state)
{
    (void)state;
    setlocale(LC_ALL, "C.UTF-8");
    devnull_out = fopen("/dev/null", "w");
    devnull_in = fopen("/dev/null", "r");
    scr = newterm("xterm-256color", devnull_out, devnull_in);
    if (!scr)
        return -1;
    set_term(scr);
    resizeterm(10, 40);
    return 0;
}

static int teardown_term(void **state)
{
    (void)state;
    endwin();
    delscreen(scr);
    fclose(devnull_out);
    fclose(devnull_in);
    return 0;
}

static void test_draw_cjk_cut(void **state)
{
    (void)state;
    struct fake f = {100, 0, 0, 0};
    struct table t;
    table_init(&t, cols, 2, (struct table_source){fake_count, fake_fetch, &f});
    struct ui_canvas c = {stdscr, 0, 0, 5, 15}; /* "No" 2-8 + 1 + title */
    werase(stdscr);
    table_draw(&t, &c);
    wchar_t row[64];
    read_row(1, row, 40);
    /* "0 " right-aligned in 2 cells ("No" header), then the title cut to 12 cells:
     * 図書館システ = 12 cells would not leave room for "…": 図書館シス (10) + … (1) + pad */
    assert_non_null(wcsstr(row, L"図書館シス…"));
    assert_null(wcsstr(row, L"システム"));
    /* the header */
    read_row(0, row, 40);
    assert_non_null(wcsstr(row, L"No Title"));
    /* the drawn width never exceeds the canvas */
    char buf[256];
    wcstombs(buf, row, sizeof buf);
    assert_true(text_width(buf) <= 40);
    table_free(&t);
}

static void test_click_rows(void **state)
{
    (void)state;
    struct fake f = {100, 0, 0, 0};
    struct table t;
    table_init(&t, cols, 2, (struct table_source){fake_count, fake_fetch, &f});
    struct ui_canvas c = {stdscr, 0, 0, 6, 30};
    table_draw(&t, &c);
    int col = -1;
    assert_int_equal(table_click(&t, 3, 5, &col), 1);
    assert_int_equal(t.sel, 2);
    assert_int_equal(table_click(&t, 0, 5, &col), 2);
    assert_int_equal(col, 1);
    assert_int_equal(table_click(&t, 0, 0, &col), 2);
    assert_int_equal(col, 0);
    table_free(&t);
}

static void test_tab_hit(void **state)
{
    (void)state;
    const char *titles[] = {"1:点検", "2:インシデント", "3:ジョブ"};
    int xs[3], ws[3];
    int used = console_tab_layout(titles, 3, 80, xs, ws);
    assert_int_equal(xs[0], 0);
    assert_int_equal(ws[0], 7); /* 6 cells + a blank */
    assert_int_equal(xs[1], 7);
    assert_int_equal(used, 7 + 15 + 8);
    assert_int_equal(console_tab_hit(xs, ws, 3, 0), 0);
    assert_int_equal(console_tab_hit(xs, ws, 3, 6), 0);
    assert_int_equal(console_tab_hit(xs, ws, 3, 7), 1);
    assert_int_equal(console_tab_hit(xs, ws, 3, 29), 2);
    assert_int_equal(console_tab_hit(xs, ws, 3, 30), -1);
    /* too narrow: the widest tab gives way, all stay clickable */
    used = console_tab_layout(titles, 3, 20, xs, ws);
    assert_true(used <= 20);
    for (int i = 0; i < 3; i++)
        assert_int_equal(console_tab_hit(xs, ws, 3, xs[i]), i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_paging),
        cmocka_unit_test(test_small_and_empty),
        cmocka_unit_test(test_fit_columns),
        cmocka_unit_test_setup_teardown(test_draw_cjk_cut, setup_term, teardown_term),
        cmocka_unit_test_setup_teardown(test_click_rows, setup_term, teardown_term),
        cmocka_unit_test(test_tab_hit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
