/* One list-pane base (see ui_list.h). */
#include "ui_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "input_norm.h"
#include "ui_filter.h"
#include "ui_table.h"
#include "ui_view.h"
#include "util.h"

const char *const ui_list_shared_actions[] = {
    "down",    "up",   "top",          "bottom", "page-down",  "page-up",    "half-down",
    "half-up", "sort", "sort-reverse", "filter", "next-match", "prev-match", NULL,
};

int ui_list_is_shared(const char *action)
{
    for (size_t i = 0; action && ui_list_shared_actions[i]; i++)
        if (strcmp(action, ui_list_shared_actions[i]) == 0)
            return 1;
    return 0;
}

void ui_list_init(struct ui_list *l, struct table *t, const char *const *sort_names, int nsorts,
                  void (*rebuild)(void *data), void *data)
{
    memset(l, 0, sizeof *l);
    l->t = t;
    l->header_rows = 1;
    l->sort_names = sort_names;
    l->nsorts = nsorts;
    l->rebuild = rebuild;
    l->data = data;
}

void ui_list_free(struct ui_list *l)
{
    if (l->re)
        pcre2_code_free(l->re);
    l->re = NULL;
    free(l->pattern);
    l->pattern = NULL;
}

static int detail_open(const struct ui_list *l)
{
    return l->detail && l->detail_open && *l->detail_open;
}

static void rebuild(struct ui_list *l)
{
    if (l->rebuild)
        l->rebuild(l->data);
}

const char *ui_list_sort_name(const struct ui_list *l)
{
    if (!l->sort_names || l->sort < 0 || l->sort >= l->nsorts)
        return "";
    return l->sort_labels ? _(l->sort_labels[l->sort]) : l->sort_names[l->sort];
}

const char *ui_list_order_label(const struct ui_list *l, char *buf, size_t size)
{
    if (l->desc)
        snprintf(buf, size, _("%s, reversed"), ui_list_sort_name(l));
    else
        snprintf(buf, size, "%s", ui_list_sort_name(l));
    return buf;
}

static void say_order(const struct ui_list *l)
{
    if (l->nsorts <= 0)
        ui_message("%s", l->desc ? _("order reversed (< again: back)") : _("order as read"));
    else if (l->desc)
        ui_message(_("sorted by %s, reversed (< again: back)"), ui_list_sort_name(l));
    else
        ui_message(_("sorted by %s"), ui_list_sort_name(l));
}

static int move_match(struct ui_list *l, int dir)
{
    if (!l->re) {
        ui_message("%s",
                   _("No filter: / narrows the list, then n and N move between the matches."));
        return 1;
    }
    long n = l->t->nrows;
    if (n <= 0) {
        ui_message("%s", _("No more matches."));
        return 1;
    }
    /* the list shows only the matching rows: the next match is the next row,
     * round the end */
    table_goto(l->t, (l->t->sel + (dir > 0 ? 1 : n - 1)) % n);
    return 1;
}

int ui_list_action(struct ui_list *l, const char *a, int page)
{
    if (detail_open(l))
        return ui_lines_scroll(l->detail, a, page > 0 ? page : 1);
    if (strcmp(a, "next-match") == 0 || strcmp(a, "prev-match") == 0)
        return move_match(l, a[0] == 'n' ? 1 : -1);
    if (strcmp(a, "sort") == 0) {
        if (l->nsorts <= 0) {
            ui_message("%s", _("This list has one order only: < reverses it."));
            return 1;
        }
        l->sort = (l->sort + 1) % l->nsorts;
        rebuild(l);
        say_order(l);
        return 1;
    }
    if (strcmp(a, "sort-reverse") == 0) {
        l->desc = !l->desc;
        rebuild(l);
        say_order(l);
        return 1;
    }
    if (strncmp(a, "goto ", 5) == 0) {
        char *n = input_norm(a + 5); /* "３" */
        table_goto(l->t, atol(n) - 1);
        free(n);
        return 1;
    }
    return table_action(l->t, a);
}

void ui_list_mouse_event(struct ui_list *l, int y, int x, int button)
{
    if (detail_open(l)) {
        ui_lines_scroll(l->detail, button == 4 ? "up" : button == 5 ? "down" : "", 0);
        return;
    }
    if (button == 4) {
        table_move(l->t, -3);
        return;
    }
    if (button == 5) {
        table_move(l->t, 3);
        return;
    }
    if (button != 1)
        return;
    int col = -1;
    if (table_click(l->t, y - l->header_rows, x, &col) == 2 && l->col_sort && col >= 0 &&
        col < l->t->ncols && l->col_sort[col] >= 0) {
        l->desc = l->sort == l->col_sort[col] ? !l->desc : 0;
        l->sort = l->col_sort[col];
        rebuild(l);
        say_order(l);
    }
}

int ui_list_filter(struct ui_list *l, const struct pcre2_real_code_8 *re, const char *pattern)
{
    ui_filter_keep(&l->re, &l->pattern, re, pattern);
    rebuild(l);
    table_goto(l->t, 0);
    return 0;
}

int ui_list_sort(struct ui_list *l, const char *column, char **err)
{
    int desc = 0;
    if (*column == '-') {
        desc = 1;
        column++;
    }
    int i = l->sort_names ? ui_sort_index(l->sort_names, l->nsorts, column) : -1;
    for (int c = 0; i < 0 && l->col_sort && c < l->t->ncols; c++)
        if (l->col_sort[c] >= 0 && l->t->cols[c].title &&
            strcasecmp(column, l->t->cols[c].title) == 0)
            i = l->col_sort[c];
    if (i < 0) {
        struct strbuf sb = STRBUF_INIT;
        for (int k = 0; k < l->nsorts; k++)
            sb_printf(&sb, "%s%s", k ? ", " : "", l->sort_names[k]);
        set_err(err, _("cannot sort by \"%s\" (%s; -NAME reverses)"), column, sb.buf);
        sb_free(&sb);
        return -1;
    }
    l->sort = i;
    l->desc = desc;
    rebuild(l);
    return 0;
}

int ui_list_match(const struct ui_list *l, const char *const *fields, size_t n)
{
    if (!l->re)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (fields[i] && ui_filter_match(l->re, fields[i], strlen(fields[i])))
            return 1;
    return 0;
}

static int (*order_cmp)(const void *a, const void *b);

static int stable_cmp(const void *a, const void *b)
{
    int c = order_cmp(a, b);
    if (c)
        return c;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

void ui_list_order(const struct ui_list *l, size_t *idx, size_t n,
                   int (*cmp)(const void *a, const void *b))
{
    if (cmp && n > 1) {
        order_cmp = cmp;
        qsort(idx, n, sizeof *idx, stable_cmp);
        order_cmp = NULL;
    }
    if (l->desc)
        for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
            size_t s = idx[i];
            idx[i] = idx[j];
            idx[j] = s;
        }
}
