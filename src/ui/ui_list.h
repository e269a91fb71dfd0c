/* One list-pane base: the keys every list pane shares, on a table of the kit
 * (ui_table.h), so that they do the same thing in every list: j/k and the
 * arrows move the cursor, g/G go to the first/last row, PgDn/PgUp and C-d/C-u
 * page, `/` narrows the list to the rows matching a pattern (ui_filter.h),
 * n/N move to the next/previous match, `>` sorts by the next sort key and `<`
 * reverses the order, a click selects a row (a click on a column's header
 * sorts by it, again reverses), the wheel scrolls; a record shown over the
 * list (a detail view) scrolls with the same keys.
 *
 * The pane keeps its rows and builds the visible order itself (its rebuild
 * callback: ui_list_match for the filter, ui_list_order to sort); ui_list
 * keeps the filter, the sort key and the direction. A list pane sets
 * pane_ops.list: its own actions (pane_ops.bindings) may not take a shared
 * key (keymap_init refuses such a table, a user's [keys] line is refused
 * too), and the shared keys are looked up before the pane's. */
#ifndef UNYO_UI_LIST_H
#define UNYO_UI_LIST_H

#include <stddef.h>

#include "ui.h"

struct table;
struct ui_lines;

struct ui_list {
    struct table *t;               /* the pane's table */
    int header_rows;               /* pane rows above the table's header (for the mouse) */
    struct pcre2_real_code_8 *re;  /* the `/` filter (JIT-compiled), NULL for none */
    char *pattern;                 /* its text */
    int sort;                      /* index into sort_names */
    int desc;                      /* `<`: the order is reversed */
    const char *const *sort_names; /* `>` cycles through them; `:sort NAME` */
    int nsorts;
    const char *const *sort_labels; /* their names on screen (N_() strings); NULL: sort_names */
    const int *col_sort;            /* per table column: the sort key a header click picks, -1 none;
                                       NULL: header clicks do not sort */
    /* Re-filters and re-sorts the pane's rows into its visible order, then
     * table_reset. Called after every change of filter or order. */
    void (*rebuild)(void *data);
    void *data;
    /* A record shown over the list (NULL when the pane has none): while *detail_open,
     * the movement keys and the wheel scroll it. */
    struct ui_lines *detail;
    const int *detail_open;
};

void ui_list_init(struct ui_list *l, struct table *t, const char *const *sort_names, int nsorts,
                  void (*rebuild)(void *data), void *data);
void ui_list_free(struct ui_list *l);

/* The shared list actions (ui_keymap.c's names): movement, g/G, paging, n/N,
 * `>`/`<`, ":goto N". 1 when handled (an unhandled action goes on to the
 * pane's own, then to the console's). */
int ui_list_action(struct ui_list *l, const char *action, int page);
/* The pane mouse (y, x relative to the pane, button 1 click, 4/5 wheel). */
void ui_list_mouse_event(struct ui_list *l, int y, int x, int button);
/* The `/` filter: keeps a copy of re (NULL clears), rebuilds, first row. */
int ui_list_filter(struct ui_list *l, const struct pcre2_real_code_8 *re, const char *pattern);
/* `:sort NAME` (a sort key or a column title; "-NAME" reversed); -1 with *err. */
int ui_list_sort(struct ui_list *l, const char *column, char **err);

/* For the pane's rebuild: 1 when there is no filter or one of the n fields
 * (NULL ones skipped) matches it. */
int ui_list_match(const struct ui_list *l, const char *const *fields, size_t n);
/* For the pane's rebuild: sorts idx[0..n) with cmp (ties broken by the index,
 * so the order is stable), then reverses it when the list is reversed.
 * cmp = NULL keeps the order given (the pane's natural order). */
void ui_list_order(const struct ui_list *l, size_t *idx, size_t n,
                   int (*cmp)(const void *a, const void *b));
/* The name of the current sort key ("" when the pane has none). */
const char *ui_list_sort_name(const struct ui_list *l);
/* For a pane's heading: the sort key's name, "NAME, reversed" after `<`. */
const char *ui_list_order_label(const struct ui_list *l, char *buf, size_t size);

/* 1 when action is one of the shared list actions (a list pane cannot rebind
 * their keys). */
int ui_list_is_shared(const char *action);
extern const char *const ui_list_shared_actions[];

#endif
