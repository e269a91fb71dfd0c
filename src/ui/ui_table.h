/* A table with virtual scrolling: the pane supplies a row count and a fetch
 * callback; only the rows on screen are materialised, so a million rows page
 * as fast as ten. Columns are sized by display width (CJK two cells); cells
 * are cut with "…" without splitting a character. */
#ifndef UNYO_UI_TABLE_H
#define UNYO_UI_TABLE_H

#include "ui.h"

#define TABLE_MAX_COLS 12
/* The cells a list's title column keeps before the secondary columns get their
 * full width: 12 Japanese characters, enough to tell one title from another. */
#define TABLE_KEEP_TITLE 24

struct table_col {
    const char *title; /* translated */
    int min, max;      /* display cells; max: where the column yields to the others when
                          the width is short (with room it shows its widest cell whole);
                          0 = never yields before the others */
    int flex;          /* takes the spare width */
    int right;         /* right-aligned */
    int keep;          /* the main column (the title a person reads): the cells it keeps,
                          or its need when less, before the secondary columns get their
                          full width; 0 = an ordinary column */
    int drop;          /* a secondary column: the order in which it is hidden whole (1
                          first) when the main column would get less than its keep;
                          0 = never hidden */
};

struct table_row {
    char *cell[TABLE_MAX_COLS];     /* malloc'd UTF-8 (unsanitised: drawing sanitises) */
    int style;                      /* row style */
    int cell_style[TABLE_MAX_COLS]; /* 0 = the row's style */
};

struct table_source {
    /* Number of rows (may be slow only once: tables cache it until reset). */
    long (*count)(void *data);
    /* Fills rows[0..n) with the rows at positions from..from+n-1; returns how many
     * it filled. Cells are malloc'd; the table frees them. */
    long (*fetch)(void *data, long from, long n, struct table_row *rows);
    void *data;
};

struct table {
    const struct table_col *cols;
    int ncols;
    struct table_source src;
    long nrows;
    long top, sel;
    int height; /* data rows visible (without the header) */
    struct table_row *cache;
    long cache_from, cache_n, cache_cap;
    int widths[TABLE_MAX_COLS];
    int sort_col, sort_desc; /* shown in the header; -1 none */
    /* Statistics for tests and benchmarks. */
    long fetch_calls, fetched_rows;
};

void table_init(struct table *t, const struct table_col *cols, int ncols, struct table_source src);
void table_free(struct table *t);
/* Re-counts and drops the cached rows (after a reload, filter or sort). Keeps the
 * selection index within range. */
void table_reset(struct table *t);
void table_set_height(struct table *t, int height);
void table_goto(struct table *t, long row);
void table_move(struct table *t, long delta);
/* List actions: up, down, top, bottom, page-down, page-up, half-down, half-up.
 * 1 when handled. */
int table_action(struct table *t, const char *action);
/* Makes sure the visible rows are fetched. */
void table_materialize(struct table *t);
/* The selected row (materialised), or NULL when the table is empty. */
const struct table_row *table_selected(struct table *t);
/* Draws header + rows into the canvas (height = canvas height - 1). */
void table_draw(struct table *t, const struct ui_canvas *c);
/* A click at canvas row y (0 = header); returns 1 when a row was selected, 2
 * when the header was clicked (column index in *col). */
int table_click(struct table *t, int y, int x, int *col);

/* Column fitting by content, exposed for tests: natural[i] = widest cell or header
 * of column i among the rows on screen (display cells: a wide character is two);
 * fills out[i] so that the sum plus one separator cell between columns is at most
 * width. When every column fits whole, each gets its natural width and the spare
 * goes to the last flex column. When not, each column gets up to its max and the
 * rest goes to those that need more, in proportion; shorter still, the narrow
 * columns (18 cells or less: a ref, a time) get what they need and the wide ones
 * and the main one (keep) share the rest in proportion to their need, none below
 * 8 cells (or its minimum; the main one: its keep). When the main column cannot
 * keep its cells, the columns with a drop order are hidden whole, one by one,
 * until it can; only then are columns shrunk to their minimum, and ones that do
 * not fit at it get 0 (a column of width 0 is not drawn). */
void table_fit_columns(const struct table_col *cols, int ncols, const int *natural, int width,
                       int *out);
void table_row_clear(struct table_row *r);

#endif
