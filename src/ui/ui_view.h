/* Pieces panes share: a scrollable view of styled lines (a record's detail),
 * the mouse on a table, the `/` filter's pattern kept by a pane, and `:sort`
 * by column name. */
#ifndef UNYO_UI_VIEW_H
#define UNYO_UI_VIEW_H

#include <stddef.h>

#include "ui.h"

struct table;

/* ---- a scrollable view of styled lines ---- */
struct ui_line {
    int style;
    char *text; /* malloc'd, unsanitised (drawing sanitises) */
};
struct ui_lines {
    struct ui_line *v;
    size_t n, cap;
    long top; /* first line shown */
};
/* Frees the lines' text (keeps the array and top). */
void ui_lines_clear(struct ui_lines *l);
/* Frees everything. */
void ui_lines_free(struct ui_lines *l);
/* Appends a line; the view takes text (malloc'd). */
void ui_lines_add(struct ui_lines *l, int style, char *text);
void ui_lines_addf(struct ui_lines *l, int style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A timeline row: head, then the note's first line, and its further lines
 * indented below it (text_note_rows), never a literal "\n". */
void ui_lines_add_note(struct ui_lines *l, int style, const char *head, const char *note);
/* Scroll actions (up, down, page-*, half-*, top, bottom) by page lines; 1
 * when handled. */
int ui_lines_scroll(struct ui_lines *l, const char *action, int page);
/* Esc closes an open view (*open = 0, lines cleared); 1 when it did. */
int ui_lines_close(int *open, struct ui_lines *l, int key);
/* Keeps top within the lines for a view h rows high, then draws them into
 * rows 0..h-1 of c. */
void ui_lines_draw(struct ui_lines *l, const struct ui_canvas *c, int h);

/* ---- tables ---- */
/* The pane mouse on a table drawn below one title row: wheel moves the
 * selection by 3, a click selects (y is relative to the pane). */
void ui_table_mouse(struct table *t, int y, int x, int button);
/* The same, but the wheel scrolls the lines instead while detail is not NULL
 * (a pane showing a record over its list). */
void ui_list_mouse(struct table *t, struct ui_lines *detail, int y, int x, int button);

/* ---- filter and sort ---- */
/* Replaces a pane's filter: *re becomes a JIT-compiled copy of src and
 * *pattern a copy of text, or both NULL when src is NULL. */
void ui_filter_keep(struct pcre2_real_code_8 **re, char **pattern,
                    const struct pcre2_real_code_8 *src, const char *text);
/* The index of column in names[0..n) (case-insensitive), or -1. */
int ui_sort_index(const char *const *names, int n, const char *column);

#endif
