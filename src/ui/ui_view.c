/* Pieces panes share (see ui_view.h). */
#include "ui_view.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "textwidth.h"
#include "ui_filter.h"
#include "ui_table.h"
#include "util.h"

void ui_lines_clear(struct ui_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    l->n = 0;
}

void ui_lines_free(struct ui_lines *l)
{
    ui_lines_clear(l);
    free(l->v);
    l->v = NULL;
    l->cap = 0;
    l->top = 0;
}

void ui_lines_add(struct ui_lines *l, int style, char *text)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].style = style;
    l->v[l->n].text = text;
    l->n++;
}

void ui_lines_addf(struct ui_lines *l, int style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    ui_lines_add(l, style, s);
}

void ui_lines_add_note(struct ui_lines *l, int style, const char *head, const char *note)
{
    char **rows;
    size_t n = text_note_rows(head, note, &rows);
    for (size_t i = 0; i < n; i++)
        ui_lines_add(l, style, rows[i]);
    free(rows);
}

int ui_lines_scroll(struct ui_lines *l, const char *a, int page)
{
    if (strcmp(a, "down") == 0)
        l->top++;
    else if (strcmp(a, "up") == 0)
        l->top--;
    else if (strcmp(a, "page-down") == 0)
        l->top += page;
    else if (strcmp(a, "page-up") == 0)
        l->top -= page;
    else if (strcmp(a, "half-down") == 0)
        l->top += page / 2;
    else if (strcmp(a, "half-up") == 0)
        l->top -= page / 2;
    else if (strcmp(a, "top") == 0)
        l->top = 0;
    else if (strcmp(a, "bottom") == 0)
        l->top = (long)l->n;
    else
        return 0;
    if (l->top < 0)
        l->top = 0;
    return 1;
}

int ui_lines_close(int *open, struct ui_lines *l, int key)
{
    if (key != UI_KEY_ESC || !*open)
        return 0;
    *open = 0;
    ui_lines_clear(l);
    return 1;
}

void ui_lines_draw(struct ui_lines *l, const struct ui_canvas *c, int h)
{
    if (l->top > (long)l->n - h)
        l->top = (long)l->n - h;
    if (l->top < 0)
        l->top = 0;
    for (int y = 0; y < h && l->top + y < (long)l->n; y++) {
        const struct ui_line *ln = &l->v[l->top + y];
        ui_put(c, y, 0, -1, ln->style, ln->text);
    }
}

void ui_table_mouse(struct table *t, int y, int x, int button)
{
    if (button == 4)
        table_move(t, -3);
    else if (button == 5)
        table_move(t, 3);
    else
        table_click(t, y - 1, x, NULL);
}

void ui_list_mouse(struct table *t, struct ui_lines *detail, int y, int x, int button)
{
    if (detail)
        ui_lines_scroll(detail, button == 4 ? "up" : button == 5 ? "down" : "", 0);
    else
        ui_table_mouse(t, y, x, button);
}

void ui_filter_keep(pcre2_code **re, char **pattern, const pcre2_code *src, const char *text)
{
    if (*re)
        pcre2_code_free(*re);
    *re = src ? pcre2_code_copy_with_tables(src) : NULL;
    if (*re)
        pcre2_jit_compile(*re, PCRE2_JIT_COMPLETE);
    free(*pattern);
    *pattern = src ? xstrdup(text) : NULL;
}

int ui_sort_index(const char *const *names, int n, const char *column)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(column, names[i]) == 0)
            return i;
    return -1;
}
