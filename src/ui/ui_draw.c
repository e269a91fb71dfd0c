/* Canvas drawing and the theme: the one place that turns text plus a semantic
 * style into ncurses calls. Text is sanitised and fitted by display width
 * (textwidth.h) before it reaches the terminal. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "ini.h"
#include "paths.h"
#include "textwidth.h"
#include "ui.h"
#include "ui_keymap.h"
#include "util.h"

static const char *const style_names[STYLE_COUNT] = {
    [STYLE_NORMAL] = "normal",
    [STYLE_TAB] = "tab",
    [STYLE_TAB_ACTIVE] = "tab.active",
    [STYLE_HEADER] = "header",
    [STYLE_ROW_SELECTED] = "row.selected",
    [STYLE_STATUSBAR] = "statusbar",
    [STYLE_MESSAGE] = "message",
    [STYLE_ERROR] = "message.error",
    [STYLE_DIM] = "dim",
    [STYLE_STATUS_OK] = "status.ok",
    [STYLE_STATUS_NG] = "status.ng",
    [STYLE_STATUS_TODO] = "status.todo",
    [STYLE_STATUS_SKIP] = "status.skip",
    [STYLE_OVERDUE] = "overdue",
    [STYLE_INCIDENT_P1] = "incident.p1",
    [STYLE_INCIDENT_P2] = "incident.p2",
    [STYLE_INCIDENT_P3] = "incident.p3",
    [STYLE_INCIDENT_P4] = "incident.p4",
    [STYLE_SERVICE_OPEN] = "service.open",
    [STYLE_SERVICE_CLOSED] = "service.closed",
    [STYLE_FORM_LABEL] = "form.label",
    [STYLE_FORM_FIELD] = "form.field",
    [STYLE_FORM_FOCUS] = "form.focus",
    [STYLE_BORDER] = "border",
};

int ui_style_by_name(const char *name)
{
    for (int i = 0; i < STYLE_COUNT; i++)
        if (style_names[i] && strcmp(style_names[i], name) == 0)
            return i;
    return -1;
}

const char *ui_style_name(int style)
{
    return style >= 0 && style < STYLE_COUNT ? style_names[style] : "?";
}

/* The built-in theme, the same as data/theme.ini; "fg bg attrs...". */
static const char *const builtin_color[STYLE_COUNT] = {
    [STYLE_NORMAL] = "default default",          [STYLE_TAB] = "default default",
    [STYLE_TAB_ACTIVE] = "black cyan bold",      [STYLE_HEADER] = "default default bold underline",
    [STYLE_ROW_SELECTED] = "black cyan",         [STYLE_STATUSBAR] = "white blue",
    [STYLE_MESSAGE] = "default default",         [STYLE_ERROR] = "red default bold",
    [STYLE_DIM] = "default default dim",         [STYLE_STATUS_OK] = "green default bold",
    [STYLE_STATUS_NG] = "red default bold",      [STYLE_STATUS_TODO] = "yellow default",
    [STYLE_STATUS_SKIP] = "default default dim", [STYLE_OVERDUE] = "red default",
    [STYLE_INCIDENT_P1] = "red default bold",    [STYLE_INCIDENT_P2] = "yellow default bold",
    [STYLE_INCIDENT_P3] = "default default",     [STYLE_INCIDENT_P4] = "default default dim",
    [STYLE_SERVICE_OPEN] = "green blue bold",    [STYLE_SERVICE_CLOSED] = "yellow blue bold",
    [STYLE_FORM_LABEL] = "default default bold", [STYLE_FORM_FIELD] = "default default underline",
    [STYLE_FORM_FOCUS] = "black cyan",           [STYLE_BORDER] = "default default",
};
static const char *const builtin_mono[STYLE_COUNT] = {
    [STYLE_NORMAL] = "normal",
    [STYLE_TAB] = "normal",
    [STYLE_TAB_ACTIVE] = "reverse bold",
    [STYLE_HEADER] = "bold underline",
    [STYLE_ROW_SELECTED] = "reverse",
    [STYLE_STATUSBAR] = "reverse",
    [STYLE_MESSAGE] = "normal",
    [STYLE_ERROR] = "bold",
    [STYLE_DIM] = "dim",
    [STYLE_STATUS_OK] = "normal",
    [STYLE_STATUS_NG] = "bold underline",
    [STYLE_STATUS_TODO] = "normal",
    [STYLE_STATUS_SKIP] = "dim",
    [STYLE_OVERDUE] = "bold",
    [STYLE_INCIDENT_P1] = "bold",
    [STYLE_INCIDENT_P2] = "bold",
    [STYLE_INCIDENT_P3] = "normal",
    [STYLE_INCIDENT_P4] = "dim",
    [STYLE_SERVICE_OPEN] = "reverse bold",
    [STYLE_SERVICE_CLOSED] = "reverse",
    [STYLE_FORM_LABEL] = "bold",
    [STYLE_FORM_FIELD] = "underline",
    [STYLE_FORM_FOCUS] = "reverse",
    [STYLE_BORDER] = "normal",
};

static attr_t style_attrs[STYLE_COUNT];
static int theme_mode; /* 0 mono, 8, 256 */

static int colour_by_name(const char *s, int *out)
{
    static const char *const names[] = {"black", "red",     "green", "yellow",
                                        "blue",  "magenta", "cyan",  "white"};
    if (strcasecmp(s, "default") == 0) {
        *out = -1;
        return 0;
    }
    for (int i = 0; i < 8; i++)
        if (strcasecmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    if (strncasecmp(s, "bright", 6) == 0) {
        int base;
        if (colour_by_name(s + 6, &base) == 0 && base >= 0) {
            *out = theme_mode == 256 ? base + 8 : base;
            return 0;
        }
    }
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end && n >= 0 && n <= 255) {
        *out = theme_mode == 256 ? (int)n : (int)(n % 8);
        return 0;
    }
    return -1;
}

static int attr_by_name(const char *s, attr_t *out)
{
    static const struct {
        const char *name;
        attr_t a;
    } attrs[] = {{"normal", A_NORMAL},       {"bold", A_BOLD},       {"dim", A_DIM},
                 {"underline", A_UNDERLINE}, {"reverse", A_REVERSE}, {"italic", A_ITALIC},
                 {"blink", A_BLINK}};
    for (size_t i = 0; i < ARRAY_LEN(attrs); i++)
        if (strcasecmp(s, attrs[i].name) == 0) {
            *out = attrs[i].a;
            return 0;
        }
    return -1;
}

/* "fg bg attr..." for colour modes, "attr..." for mono. */
static int parse_spec(int style, const char *spec, attr_t *out, char **err)
{
    char *copy = xstrdup(spec);
    attr_t a = A_NORMAL;
    int fg = -1, bg = -1, ncol = 0, rc = 0;
    for (char *save = NULL, *t = strtok_r(copy, " \t,", &save); t;
         t = strtok_r(NULL, " \t,", &save)) {
        attr_t one;
        int c;
        if (attr_by_name(t, &one) == 0) {
            a |= one;
        } else if (theme_mode && ncol < 2 && colour_by_name(t, &c) == 0) {
            if (ncol++ == 0)
                fg = c;
            else
                bg = c;
        } else {
            set_err(err,
                    theme_mode ? _("\"%s\" is not a colour (black..white, bright*, 0-255, "
                                   "default) or attribute (bold, dim, underline, reverse)")
                               : _("\"%s\" is not an attribute (bold, dim, underline, reverse)"),
                    t);
            rc = -1;
            break;
        }
    }
    free(copy);
    if (rc == 0) {
        if (theme_mode && (fg != -1 || bg != -1)) {
            init_pair((short)(style + 1), (short)fg, (short)bg);
            a |= COLOR_PAIR(style + 1);
        }
        *out = a;
    }
    return rc;
}

struct theme_load {
    const char *path, *section;
    attr_t attrs[STYLE_COUNT];
};

static int on_theme(void *user, const struct ini_item *it, char **err)
{
    struct theme_load *tl = user;
    if (it->kind != INI_PAIR || strcmp(it->section, tl->section) != 0)
        return 0;
    int s = ui_style_by_name(it->key);
    char *e = NULL;
    if (s < 0) {
        set_err(err, _("%s:%d: unknown style \"%s\""), it->path, it->line, it->key);
        return -1;
    }
    if (parse_spec(s, it->value, &tl->attrs[s], &e) != 0) {
        ini_fail(it, err, "%s", e);
        free(e);
        return -1;
    }
    return 0;
}

int ui_theme_init(char **err)
{
    const char *no_color = getenv("NO_COLOR");
    theme_mode = 0;
    if (!(no_color && *no_color) && has_colors()) {
        start_color();
        use_default_colors();
        theme_mode = COLORS >= 256 ? 256 : 8;
    }
    const char *const *builtin = theme_mode ? builtin_color : builtin_mono;
    for (int i = 0; i < STYLE_COUNT; i++)
        if (parse_spec(i, builtin[i], &style_attrs[i], NULL) != 0)
            abort();
    char *path = paths_find_data(NULL, "theme.ini");
    if (!path)
        return 0;
    struct theme_load tl = {path, theme_mode == 256 ? "256" : theme_mode == 8 ? "8" : "mono", {0}};
    memcpy(tl.attrs, style_attrs, sizeof tl.attrs);
    int rc = ini_read_file(path, INI_OPT_CLASSIC, on_theme, &tl, NULL, err);
    if (rc == 0) {
        memcpy(style_attrs, tl.attrs, sizeof style_attrs);
    } else {
        /* Colour pairs may have been redefined half-way: back to the built-in ones. */
        for (int i = 0; i < STYLE_COUNT; i++)
            parse_spec(i, builtin[i], &style_attrs[i], NULL);
    }
    free(path);
    return rc == 0 ? 0 : -1;
}

attr_t ui_style_attr(int style)
{
    return style >= 0 && style < STYLE_COUNT ? style_attrs[style] : A_NORMAL;
}

/* ---- canvas ---- */

static int put(const struct ui_canvas *c, int y, int x, int width, int style, const char *text,
               int right)
{
    if (y < 0 || y >= c->h || x < 0 || x >= c->w)
        return 0;
    if (width < 0 || x + width > c->w)
        width = c->w - x;
    if (width <= 0)
        return 0;
    struct strbuf sb = STRBUF_INIT;
    if (right)
        text_fit_right(&sb, text ? text : "", width);
    else
        text_fit(&sb, text ? text : "", width);
    wattrset(c->win, ui_style_attr(style));
    mvwaddnstr(c->win, c->y + y, c->x + x, sb.buf ? sb.buf : "", (int)sb.len);
    wattrset(c->win, A_NORMAL);
    sb_free(&sb);
    return width;
}

int ui_put(const struct ui_canvas *c, int y, int x, int width, int style, const char *text)
{
    return put(c, y, x, width, style, text, 0);
}

int ui_put_right(const struct ui_canvas *c, int y, int x, int width, int style, const char *text)
{
    return put(c, y, x, width, style, text, 1);
}

void ui_clear(const struct ui_canvas *c, int y, int style)
{
    int from = y < 0 ? 0 : y, to = y < 0 ? c->h : y + 1;
    wattrset(c->win, ui_style_attr(style));
    for (int r = from; r < to && r < c->h; r++) {
        wmove(c->win, c->y + r, c->x);
        for (int i = 0; i < c->w; i++)
            waddch(c->win, ' ');
    }
    wattrset(c->win, A_NORMAL);
}

struct ui_canvas ui_canvas_sub(const struct ui_canvas *c, int y, int x, int h, int w)
{
    struct ui_canvas s = {c->win, c->y + y, c->x + x, h, w};
    if (y + h > c->h)
        s.h = c->h - y;
    if (x + w > c->w)
        s.w = c->w - x;
    if (s.h < 0)
        s.h = 0;
    if (s.w < 0)
        s.w = 0;
    return s;
}

struct ui_canvas ui_box(const struct ui_canvas *c, int h, int w, const char *title)
{
    if (h > c->h)
        h = c->h;
    if (w > c->w)
        w = c->w;
    int y = (c->h - h) / 2, x = (c->w - w) / 2;
    struct ui_canvas b = ui_canvas_sub(c, y, x, h, w);
    ui_clear(&b, -1, STYLE_NORMAL);
    wattrset(c->win, ui_style_attr(STYLE_BORDER));
    WINDOW *win = c->win;
    int y0 = b.y, x0 = b.x;
    mvwhline(win, y0, x0 + 1, ACS_HLINE, w - 2);
    mvwhline(win, y0 + h - 1, x0 + 1, ACS_HLINE, w - 2);
    mvwvline(win, y0 + 1, x0, ACS_VLINE, h - 2);
    mvwvline(win, y0 + 1, x0 + w - 1, ACS_VLINE, h - 2);
    mvwaddch(win, y0, x0, ACS_ULCORNER);
    mvwaddch(win, y0, x0 + w - 1, ACS_URCORNER);
    mvwaddch(win, y0 + h - 1, x0, ACS_LLCORNER);
    mvwaddch(win, y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
    wattrset(win, A_NORMAL);
    if (title && *title) {
        char *t = xasprintf(" %s ", title);
        int tw = text_width(t);
        if (tw > w - 4)
            tw = w - 4;
        ui_put(&b, 0, 2, tw, STYLE_HEADER, t);
        free(t);
    }
    return ui_canvas_sub(&b, 1, 2, h - 2, w - 4);
}
