/* Modal widgets: forms (text and choice fields, wide-character input),
 * one-line prompts, y/n questions and pickers. They keep their state apart
 * from drawing, so a resize mid-form redraws the same input. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"
#include "textwidth.h"
#include "ui.h"
#include "ui_keymap.h"
#include "util.h"

/* Where the console puts the terminal cursor after drawing (-1: hidden). */
int ui_cursor_y = -1, ui_cursor_x = -1;

/* ---- modal stack ---- */
static struct ui_modal *stack[8];
static int depth;

void ui_modal_push(struct ui_modal *m)
{
    if (depth == (int)ARRAY_LEN(stack)) {
        m->free(m);
        return;
    }
    stack[depth++] = m;
    ui_dirty(UI_DIRTY_ALL);
}

struct ui_modal *ui_modal_top(void)
{
    return depth ? stack[depth - 1] : NULL;
}

void ui_modal_remove(struct ui_modal *m)
{
    for (int i = 0; i < depth; i++)
        if (stack[i] == m) {
            memmove(&stack[i], &stack[i + 1], (size_t)(depth - i - 1) * sizeof *stack);
            depth--;
            m->free(m);
            /* Repaint the whole terminal: a box drawn over half of a wide
             * character leaves the terminal and curses disagreeing about that
             * cell, and a diff update would keep a piece of the box. */
            if (curscr)
                clearok(curscr, TRUE);
            ui_dirty(UI_DIRTY_ALL);
            return;
        }
}

void ui_modal_pop(void)
{
    if (depth)
        ui_modal_remove(stack[depth - 1]);
}

void ui_modal_draw_all(const struct ui_canvas *screen)
{
    ui_cursor_y = ui_cursor_x = -1;
    for (int i = 0; i < depth; i++)
        stack[i]->draw(stack[i], screen);
}

int ui_form_has_input(void)
{
    for (int i = 0; i < depth; i++)
        if (stack[i]->has_input)
            return 1;
    return 0;
}

/* ---- text fields ---- */
static void field_set(struct ui_field *fl, const char *utf8)
{
    fl->len = fl->cursor = 0;
    if (!utf8)
        return;
    size_t n = strlen(utf8);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += utf8_decode(utf8 + i, n - i, &cp);
        if (fl->len + 1 >= fl->cap) {
            fl->cap = fl->cap ? fl->cap * 2 : 32;
            fl->text = xrealloc(fl->text, fl->cap * sizeof *fl->text);
        }
        fl->text[fl->len++] = (wchar_t)cp;
    }
    fl->cursor = fl->len;
}

/* 0, or -1 when the field is full (UI_FIELD_MAX characters): a paste of a
 * megabyte stops there instead of growing a field no one can read. */
static int field_insert(struct ui_field *fl, wchar_t c)
{
    if (fl->len >= UI_FIELD_MAX)
        return -1;
    if (fl->len + 1 >= fl->cap) {
        fl->cap = fl->cap ? fl->cap * 2 : 32;
        fl->text = xrealloc(fl->text, fl->cap * sizeof *fl->text);
    }
    memmove(&fl->text[fl->cursor + 1], &fl->text[fl->cursor],
            (fl->len - fl->cursor) * sizeof *fl->text);
    fl->text[fl->cursor++] = c;
    fl->len++;
    return 0;
}

static void field_delete(struct ui_field *fl, size_t at)
{
    if (at >= fl->len)
        return;
    memmove(&fl->text[at], &fl->text[at + 1], (fl->len - at - 1) * sizeof *fl->text);
    fl->len--;
    if (fl->cursor > at)
        fl->cursor--;
}

static char *wide_to_utf8(const wchar_t *w, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char u[4];
        size_t k = utf8_encode((uint32_t)w[i], u);
        sb_add(&sb, u, k);
    }
    return sb_detach(&sb);
}

char *ui_field_value(const struct ui_field *fl)
{
    if (fl->kind == FIELD_CHOICE)
        return xasprintf("%d", fl->choice);
    return wide_to_utf8(fl->text, fl->len);
}

/* Draws the field's text in w cells, scrolled so the cursor shows; returns the
 * cursor's column (relative) in *cx. */
static void field_draw_text(const struct ui_field *fl, const struct ui_canvas *c, int y, int x,
                            int w, int style, int *cx)
{
    /* first visible character: back from the cursor while it fits */
    size_t start = fl->cursor;
    int used = 1; /* the cursor cell */
    while (start > 0) {
        int cw = cp_width((uint32_t)fl->text[start - 1]);
        if (used + cw > w)
            break;
        used += cw;
        start--;
    }
    size_t end = start;
    int width = 0;
    while (end < fl->len) {
        int cw = cp_width((uint32_t)fl->text[end]);
        if (width + cw > w)
            break;
        width += cw;
        end++;
    }
    char *s = wide_to_utf8(fl->text + start, end - start);
    ui_put(c, y, x, w, style, s);
    free(s);
    int cur = 0;
    for (size_t i = start; i < fl->cursor; i++)
        cur += cp_width((uint32_t)fl->text[i]);
    *cx = x + cur;
}

/* ---- forms ---- */
struct ui_form {
    struct ui_modal m;
    char *title;
    struct ui_field *fields;
    int n;
    int focus;
    ui_form_submit submit;
    void *data;
    void (*data_free)(void *data);
    char *error;
};

static void form_free(struct ui_modal *m)
{
    struct ui_form *f = (struct ui_form *)m;
    for (int i = 0; i < f->n; i++) {
        free(f->fields[i].text);
        free(f->fields[i].error);
    }
    free(f->fields);
    free(f->title);
    free(f->error);
    if (f->data_free)
        f->data_free(f->data);
    free(f);
}

void ui_form_set_data_free(struct ui_form *f, void (*data_free)(void *data))
{
    f->data_free = data_free;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Lines of text wrapped to width (a label, a refusal): read whole, never cut. */
static int wrapped_rows(const char *text, int width)
{
    char **v;
    size_t n = text_wrap(text, width, &v);
    free_lines(v, n);
    return (int)n;
}

static int put_wrapped(const struct ui_canvas *c, int y, int x, int width, int style,
                       const char *text)
{
    char **v;
    size_t n = text_wrap(text, width, &v);
    for (size_t i = 0; i < n; i++)
        ui_put(c, y + (int)i, x, width, style, v[i]);
    free_lines(v, n);
    return (int)n;
}

static void form_draw(struct ui_modal *m, const struct ui_canvas *screen)
{
    struct ui_form *f = (struct ui_form *)m;
    int labelw = 0;
    for (int i = 0; i < f->n; i++) {
        int w = text_width(f->fields[i].label) + f->fields[i].required;
        if (w > labelw)
            labelw = w;
    }
    int w = screen->w - 4 < 76 ? screen->w - 4 : 76;
    int inw = w - 4; /* inside the box: its border and a margin */
    /* A long label wraps in its column (the field stays on its first line). */
    if (labelw > inw / 3)
        labelw = inw / 3;
    if (labelw < 1)
        labelw = 1;
    int fw = inw - labelw - 2;
    char **labels = xcalloc((size_t)f->n + 1, sizeof *labels);
    int lines = 0;
    for (int i = 0; i < f->n; i++) {
        struct ui_field *fl = &f->fields[i];
        labels[i] = xasprintf("%s%s", fl->label, fl->required ? "*" : "");
        lines += wrapped_rows(labels[i], labelw);
        if (fl->error)
            lines += wrapped_rows(fl->error, fw > 1 ? fw : 1);
    }
    int errlines = f->error ? wrapped_rows(f->error, inw) : 0;
    int h = lines + 4 + errlines;
    struct ui_canvas in = ui_box(screen, h, w, f->title);
    int y = 0;
    for (int i = 0; i < f->n; i++) {
        struct ui_field *fl = &f->fields[i];
        int focus = i == f->focus;
        int rows = put_wrapped(&in, y, 0, labelw, STYLE_FORM_LABEL, labels[i]);
        int fx = labelw + 2;
        fw = in.w - fx;
        int style = focus ? STYLE_FORM_FOCUS : STYLE_FORM_FIELD;
        if (fl->kind == FIELD_TEXT) {
            int cx;
            field_draw_text(fl, &in, y, fx, fw, style, &cx);
            if (focus) {
                ui_cursor_y = in.y + y;
                ui_cursor_x = in.x + cx;
            }
        } else {
            char *s = xasprintf("◀ %s ▶", fl->nchoices ? fl->choices[fl->choice] : "");
            ui_put(&in, y, fx, fw, style, s);
            free(s);
        }
        y += rows;
        if (fl->error)
            y += put_wrapped(&in, y, fx, fw > 1 ? fw : 1, STYLE_ERROR, fl->error);
    }
    if (f->error) /* a refusal is read whole */
        y += put_wrapped(&in, y, 0, in.w, STYLE_ERROR, f->error);
    y++;
    ui_put(&in, y, 0, in.w, STYLE_DIM,
           _("Enter: save  Esc: cancel  Tab/↑↓: field  ←→: move or choose"));
    for (int i = 0; i < f->n; i++)
        free(labels[i]);
    free(labels);
}

static int form_submit(struct ui_form *f)
{
    int bad = 0;
    for (int i = 0; i < f->n; i++) {
        struct ui_field *fl = &f->fields[i];
        free(fl->error);
        fl->error = NULL;
        if (fl->kind == FIELD_TEXT && fl->required) {
            size_t k = 0;
            while (k < fl->len && (fl->text[k] == ' ' || fl->text[k] == 0x3000))
                k++;
            if (k == fl->len) {
                fl->error = xstrdup(_("required"));
                if (!bad)
                    f->focus = i;
                bad = 1;
            }
        }
    }
    free(f->error);
    f->error = NULL;
    if (bad)
        return 0;
    if (!f->submit)
        return 1;
    char *err = NULL;
    if (f->submit(f, f->data, &err) == 0) {
        free(err);
        return 1;
    }
    f->error = err;
    return 0;
}

static void discard_answer(int yes, void *data)
{
    if (yes)
        ui_modal_remove(data);
}

static int form_key(struct ui_modal *m, int key)
{
    struct ui_form *f = (struct ui_form *)m;
    struct ui_field *fl = f->n ? &f->fields[f->focus] : NULL;
    ui_dirty(UI_DIRTY_ALL);
    switch (key) {
    case UI_KEY_CTRL('c'): /* like Esc: typed input is never lost on one key */
    case UI_KEY_ESC:
        if (m->has_input && f->title) {
            ui_confirm(_("Discard what you typed? (y/n)"), discard_answer, f);
            return 0;
        }
        return 1;
    case UI_KEY_ENTER:
        return form_submit(f);
    case UI_KEY_TAB:
    case UI_KEY_FN | KEY_DOWN:
        if (f->n)
            f->focus = (f->focus + 1) % f->n;
        return 0;
    case UI_KEY_FN | KEY_BTAB:
    case UI_KEY_FN | KEY_UP:
        if (f->n)
            f->focus = (f->focus + f->n - 1) % f->n;
        return 0;
    }
    if (!fl)
        return 0;
    if (fl->kind == FIELD_CHOICE) {
        if (fl->nchoices && (key == (UI_KEY_FN | KEY_LEFT) || key == 'h'))
            fl->choice = (fl->choice + fl->nchoices - 1) % fl->nchoices;
        else if (fl->nchoices && (key == (UI_KEY_FN | KEY_RIGHT) || key == 'l' || key == ' '))
            fl->choice = (fl->choice + 1) % fl->nchoices;
        return 0;
    }
    switch (key) {
    case UI_KEY_FN | KEY_LEFT:
        if (fl->cursor > 0)
            fl->cursor--;
        break;
    case UI_KEY_FN | KEY_RIGHT:
        if (fl->cursor < fl->len)
            fl->cursor++;
        break;
    case UI_KEY_FN | KEY_HOME:
    case UI_KEY_CTRL('a'):
        fl->cursor = 0;
        break;
    case UI_KEY_FN | KEY_END:
    case UI_KEY_CTRL('e'):
        fl->cursor = fl->len;
        break;
    case UI_KEY_BACKSPACE:
        if (fl->cursor > 0) {
            field_delete(fl, fl->cursor - 1);
            m->has_input = 1;
        }
        break;
    case UI_KEY_FN | KEY_DC:
    case UI_KEY_CTRL('d'):
        field_delete(fl, fl->cursor);
        m->has_input = 1;
        break;
    case UI_KEY_CTRL('u'):
        fl->len = fl->cursor = 0;
        m->has_input = 1;
        break;
    default:
        if (!(key & UI_KEY_FN) && key >= 0x20 && key != 0x7f && key < 0x110000) {
            if (field_insert(fl, (wchar_t)key) != 0 && !fl->error)
                fl->error =
                    xasprintf(_("at most %d characters: the rest was not kept"), UI_FIELD_MAX);
            m->has_input = 1;
        }
    }
    return 0;
}

struct ui_form *ui_form_new(const char *title, ui_form_submit submit, void *data)
{
    struct ui_form *f = xcalloc(1, sizeof *f);
    f->m.key = form_key;
    f->m.draw = form_draw;
    f->m.free = form_free;
    f->title = xstrdup(title ? title : "");
    f->submit = submit;
    f->data = data;
    return f;
}

static struct ui_field *add_field(struct ui_form *f)
{
    f->fields = xrealloc(f->fields, (size_t)(f->n + 1) * sizeof *f->fields);
    struct ui_field *fl = &f->fields[f->n++];
    memset(fl, 0, sizeof *fl);
    return fl;
}

struct ui_field *ui_form_text(struct ui_form *f, const char *label, const char *initial,
                              int required)
{
    struct ui_field *fl = add_field(f);
    fl->label = label;
    fl->kind = FIELD_TEXT;
    fl->required = required;
    field_set(fl, initial);
    return fl;
}

struct ui_field *ui_form_choice(struct ui_form *f, const char *label, const char *const *choices,
                                int nchoices, int initial)
{
    struct ui_field *fl = add_field(f);
    fl->label = label;
    fl->kind = FIELD_CHOICE;
    fl->choices = choices;
    fl->nchoices = nchoices;
    fl->choice = initial >= 0 && initial < nchoices ? initial : 0;
    return fl;
}

struct ui_field *ui_form_field(struct ui_form *f, int i)
{
    return i >= 0 && i < f->n ? &f->fields[i] : NULL;
}

void ui_form_show(struct ui_form *f)
{
    ui_modal_push(&f->m);
}

/* ---- prompt ---- */
struct prompt_ctx {
    ui_prompt_cb cb;
    void *data;
    void (*data_free)(void *data);
};

static int prompt_submit(struct ui_form *f, void *data, char **err)
{
    struct prompt_ctx *pc = data;
    char *v = ui_field_value(&f->fields[0]);
    int rc = pc->cb(v, pc->data, err);
    free(v);
    return rc;
}

static void prompt_free(void *data)
{
    struct prompt_ctx *pc = data;
    if (pc->data_free)
        pc->data_free(pc->data);
    free(pc);
}

void ui_prompt(const char *title, const char *label, const char *initial, int required,
               ui_prompt_cb cb, void *data, void (*data_free)(void *data))
{
    struct prompt_ctx *pc = xmalloc(sizeof *pc);
    pc->cb = cb;
    pc->data = data;
    pc->data_free = data_free;
    struct ui_form *f = ui_form_new(title, prompt_submit, pc);
    ui_form_set_data_free(f, prompt_free);
    ui_form_text(f, label, initial, required);
    ui_form_show(f);
}

/* ---- confirm ---- */
struct confirm {
    struct ui_modal m;
    char *question;
    ui_confirm_cb cb;
    void *data;
};

static void confirm_free(struct ui_modal *m)
{
    struct confirm *c = (struct confirm *)m;
    free(c->question);
    free(c);
}

/* Byte length of the first line of s that fits width cells: broken after the last
 * space that fits, else at the width (Japanese has no spaces). */
static size_t wrap_line(const char *s, int width)
{
    size_t len = strlen(s), i = 0, space = 0;
    int cells = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        int cw = cp_width(cp);
        if (cells + cw > width && i > 0)
            return space ? space : i;
        cells += cw;
        i += k;
        if (cp == ' ')
            space = i;
    }
    return len;
}

/* The question wraps: the object it names and the (y/n) at its end are never cut. */
static void confirm_draw(struct ui_modal *m, const struct ui_canvas *screen)
{
    struct confirm *c = (struct confirm *)m;
    int w = text_width(c->question) + 6;
    if (w < 30)
        w = 30;
    if (w > screen->w - 4)
        w = screen->w - 4;
    int inner = w > 6 ? w - 4 : 1;
    int lines = 0;
    for (const char *q = c->question; *q; lines++)
        q += wrap_line(q, inner);
    if (lines < 1)
        lines = 1;
    if (lines > screen->h - 4)
        lines = screen->h > 5 ? screen->h - 4 : 1;
    struct ui_canvas in = ui_box(screen, lines + 2, w, NULL);
    const char *q = c->question;
    for (int y = 0; y < lines && *q; y++) {
        size_t n = wrap_line(q, in.w);
        char *part = xstrndup(q, n);
        ui_put(&in, y, 0, in.w, STYLE_NORMAL, part);
        free(part);
        q += n;
    }
}

static int confirm_key(struct ui_modal *m, int key)
{
    struct confirm *c = (struct confirm *)m;
    if (key == 'y' || key == 'Y') {
        c->cb(1, c->data);
        return 1;
    }
    if (key == 'n' || key == 'N' || key == UI_KEY_ESC) {
        c->cb(0, c->data);
        return 1;
    }
    return 0;
}

void ui_confirm(const char *question, ui_confirm_cb cb, void *data)
{
    struct confirm *c = xcalloc(1, sizeof *c);
    c->m.key = confirm_key;
    c->m.draw = confirm_draw;
    c->m.free = confirm_free;
    c->question = xstrdup(question);
    c->cb = cb;
    c->data = data;
    ui_modal_push(&c->m);
}

/* ---- picker ---- */
struct picker {
    struct ui_modal m;
    char *title;
    char **items;
    int n, sel, top;
    ui_pick_cb cb;
    ui_pick_cb del; /* d / Delete on an item (may be NULL) */
    void *data;
    void (*data_free)(void *data);
};

static void picker_free(struct ui_modal *m)
{
    struct picker *p = (struct picker *)m;
    if (p->data_free)
        p->data_free(p->data);
    for (int i = 0; i < p->n; i++)
        free(p->items[i]);
    free(p->items);
    free(p->title);
    free(p);
}

static void picker_draw(struct ui_modal *m, const struct ui_canvas *screen)
{
    struct picker *p = (struct picker *)m;
    int h = p->n + 2 < screen->h - 2 ? p->n + 2 : screen->h - 2;
    int w = screen->w - 4 < 72 ? screen->w - 4 : 72;
    struct ui_canvas in = ui_box(screen, h, w, p->title);
    if (p->sel < p->top)
        p->top = p->sel;
    if (p->sel >= p->top + in.h)
        p->top = p->sel - in.h + 1;
    for (int y = 0; y < in.h && p->top + y < p->n; y++)
        ui_put(&in, y, 0, in.w, p->top + y == p->sel ? STYLE_ROW_SELECTED : STYLE_NORMAL,
               p->items[p->top + y]);
}

static int picker_key(struct ui_modal *m, int key)
{
    struct picker *p = (struct picker *)m;
    ui_dirty(UI_DIRTY_ALL);
    if (key == UI_KEY_ESC || key == 'q')
        return 1;
    if (key == UI_KEY_ENTER) {
        if (p->n)
            p->cb(p->sel, p->data);
        return 1;
    }
    if (p->del && p->n && (key == 'd' || key == (UI_KEY_FN | KEY_DC))) {
        p->del(p->sel, p->data);
        return 1;
    }
    if (key == 'G' || key == (UI_KEY_FN | KEY_END))
        p->sel = p->n ? p->n - 1 : 0;
    else if (key == 'g' || key == (UI_KEY_FN | KEY_HOME))
        p->sel = 0;
    else if ((key == 'j' || key == (UI_KEY_FN | KEY_DOWN)) && p->sel + 1 < p->n)
        p->sel++;
    else if ((key == 'k' || key == (UI_KEY_FN | KEY_UP)) && p->sel > 0)
        p->sel--;
    else if (key == (UI_KEY_FN | KEY_NPAGE))
        p->sel = p->sel + 10 < p->n ? p->sel + 10 : p->n - 1;
    else if (key == (UI_KEY_FN | KEY_PPAGE))
        p->sel = p->sel > 10 ? p->sel - 10 : 0;
    return 0;
}

void ui_pick_ex(const char *title, const char *const *items, int n, ui_pick_cb cb, ui_pick_cb del,
                void *data, void (*data_free)(void *data))
{
    ui_pick(title, items, n, cb, data);
    struct picker *p = (struct picker *)ui_modal_top();
    p->del = del;
    p->data_free = data_free;
}

void ui_pick(const char *title, const char *const *items, int n, ui_pick_cb cb, void *data)
{
    struct picker *p = xcalloc(1, sizeof *p);
    p->m.key = picker_key;
    p->m.draw = picker_draw;
    p->m.free = picker_free;
    p->title = xstrdup(title);
    p->items = xcalloc((size_t)(n ? n : 1), sizeof *p->items);
    for (int i = 0; i < n; i++)
        p->items[i] = xstrdup(items[i]);
    p->n = n;
    p->cb = cb;
    p->data = data;
    ui_modal_push(&p->m);
}

/* ---- line editor on the message line ---- */
struct line {
    struct ui_modal m;
    char *prefix;
    struct ui_field f;
    ui_line_cb cb;
    ui_line_complete complete;
    void *data;
    char *error;
    char *hint; /* the completion's candidates, on the row above; NULL: none */
};

static struct line *line_open; /* the line editor open now, or NULL */

void ui_line_hint(const char *text)
{
    if (!line_open)
        return;
    free(line_open->hint);
    line_open->hint = text && *text ? xstrdup(text) : NULL;
    ui_dirty(UI_DIRTY_ALL);
}

static void line_free(struct ui_modal *m)
{
    struct line *l = (struct line *)m;
    if (line_open == l)
        line_open = NULL;
    free(l->hint);
    free(l->f.text);
    free(l->prefix);
    free(l->error);
    free(l);
}

static void line_draw(struct ui_modal *m, const struct ui_canvas *screen)
{
    struct line *l = (struct line *)m;
    int y = screen->h - 2;
    ui_clear(screen, y, STYLE_NORMAL);
    int pw = ui_put(screen, y, 0, text_width(l->prefix), STYLE_FORM_LABEL, l->prefix);
    int ew = 0; /* a full line says so at its right end */
    if (l->error) {
        ew = text_width(l->error) + 1;
        if (ew > (screen->w - pw) / 2)
            ew = (screen->w - pw) / 2;
        ui_put(screen, y, screen->w - ew + 1, ew - 1, STYLE_ERROR, l->error);
    }
    if (l->hint && y > 0) {
        ui_clear(screen, y - 1, STYLE_STATUSBAR);
        ui_put(screen, y - 1, 0, -1, STYLE_STATUSBAR, l->hint);
    }
    int cx;
    field_draw_text(&l->f, screen, y, pw, screen->w - pw - ew, STYLE_NORMAL, &cx);
    ui_cursor_y = screen->y + y;
    ui_cursor_x = screen->x + cx;
}

static int line_key(struct ui_modal *m, int key)
{
    struct line *l = (struct line *)m;
    ui_dirty(UI_DIRTY_ALL);
    if (key == UI_KEY_ESC)
        return 1;
    if (key == UI_KEY_BACKSPACE && l->f.len == 0)
        return 1;
    if (key == UI_KEY_ENTER) {
        char *v = ui_field_value(&l->f);
        char *err = NULL;
        int rc = l->cb(v, l->data, &err);
        free(v);
        if (rc != 0)
            ui_error_take(err);
        return 1;
    }
    if (key == UI_KEY_TAB) {
        if (l->complete) {
            char *v = ui_field_value(&l->f);
            char *c = l->complete(v, l->data);
            if (c)
                field_set(&l->f, c);
            free(c);
            free(v);
        }
        return 0;
    }
    if (key == (UI_KEY_FN | KEY_UP) || key == (UI_KEY_FN | KEY_DOWN) ||
        key == (UI_KEY_FN | KEY_BTAB))
        return 0;
    struct ui_form dummy = {0};
    dummy.fields = &l->f;
    dummy.n = 1;
    form_key(&dummy.m, key);
    if (l->f.error) { /* the line is full: line_draw says so */
        free(l->error);
        l->error = l->f.error;
        l->f.error = NULL;
    }
    return 0;
}

void ui_line(const char *prefix, const char *initial, ui_line_cb cb, ui_line_complete complete,
             void *data)
{
    struct line *l = xcalloc(1, sizeof *l);
    l->m.key = line_key;
    l->m.draw = line_draw;
    l->m.free = line_free;
    l->prefix = xstrdup(prefix);
    l->f.kind = FIELD_TEXT;
    field_set(&l->f, initial);
    l->cb = cb;
    l->complete = complete;
    l->data = data;
    line_open = l;
    ui_modal_push(&l->m);
}
