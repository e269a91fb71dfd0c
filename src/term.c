#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "textwidth.h"
#include "util.h"

struct sb_line {
    int cols;
    struct term_cell *cells;
};

struct term {
    VTerm *vt;
    VTermScreen *screen;
    int rows, cols;
    term_output_fn out;
    void *out_ud;
    /* scrollback ring: sb[(sb_start + i) % sb_cap], i = 0 oldest */
    struct sb_line *sb;
    size_t sb_cap, sb_start, sb_count;
    int dmg_first, dmg_last; /* -1: clean */
    int cur_row, cur_col, cur_visible;
    char *title;
    int bell;
    int bracketed_paste;
    int region_set;
    int mouse_mode; /* enum term_mouse_mode */
    int mute;       /* drop libvterm's output (bookkeeping calls, see term_mouse_button) */
};

static void convert_color(const VTermColor *c, struct term_color *o, int is_fg)
{
    memset(o, 0, sizeof *o);
    if ((is_fg && VTERM_COLOR_IS_DEFAULT_FG(c)) || (!is_fg && VTERM_COLOR_IS_DEFAULT_BG(c))) {
        o->kind = TERM_COLOR_DEFAULT;
    } else if (VTERM_COLOR_IS_INDEXED(c)) {
        o->kind = TERM_COLOR_INDEXED;
        o->index = c->indexed.idx;
    } else {
        o->kind = TERM_COLOR_RGB;
        o->r = c->rgb.red;
        o->g = c->rgb.green;
        o->b = c->rgb.blue;
    }
}

static void convert_cell(const VTermScreenCell *v, struct term_cell *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < TERM_MAX_CHARS && i < VTERM_MAX_CHARS_PER_CELL; i++) {
        o->chars[i] = v->chars[i];
        if (!v->chars[i])
            break;
    }
    o->width = v->width > 0 ? (uint8_t)v->width : 1;
    o->attrs = (uint8_t)((v->attrs.bold ? TERM_ATTR_BOLD : 0) |
                         (v->attrs.underline ? TERM_ATTR_UNDERLINE : 0) |
                         (v->attrs.italic ? TERM_ATTR_ITALIC : 0) |
                         (v->attrs.blink ? TERM_ATTR_BLINK : 0) |
                         (v->attrs.reverse ? TERM_ATTR_REVERSE : 0) |
                         (v->attrs.strike ? TERM_ATTR_STRIKE : 0));
    convert_color(&v->fg, &o->fg, 1);
    convert_color(&v->bg, &o->bg, 0);
}

static void damage_rows(struct term *t, int first, int last)
{
    if (first < 0)
        first = 0;
    if (last >= t->rows)
        last = t->rows - 1;
    if (t->dmg_first < 0 || first < t->dmg_first)
        t->dmg_first = first;
    if (last > t->dmg_last)
        t->dmg_last = last;
}

static int cb_damage(VTermRect r, void *user)
{
    damage_rows(user, r.start_row, r.end_row - 1);
    return 1;
}

static int cb_moverect(VTermRect dest, VTermRect src, void *user)
{
    struct term *t = user;
    damage_rows(t, dest.start_row < src.start_row ? dest.start_row : src.start_row,
                (dest.end_row > src.end_row ? dest.end_row : src.end_row) - 1);
    return 1;
}

static int cb_movecursor(VTermPos pos, VTermPos old, int visible, void *user)
{
    struct term *t = user;
    t->cur_row = pos.row;
    t->cur_col = pos.col;
    t->cur_visible = visible;
    damage_rows(t, old.row, old.row);
    damage_rows(t, pos.row, pos.row);
    return 1;
}

static int cb_settermprop(VTermProp prop, VTermValue *val, void *user)
{
    struct term *t = user;
    switch (prop) {
    case VTERM_PROP_CURSORVISIBLE:
        t->cur_visible = val->boolean;
        break;
    case VTERM_PROP_MOUSE:
        t->mouse_mode = val->number == VTERM_PROP_MOUSE_MOVE    ? TERM_MOUSE_MOVE
                        : val->number == VTERM_PROP_MOUSE_DRAG  ? TERM_MOUSE_DRAG
                        : val->number == VTERM_PROP_MOUSE_CLICK ? TERM_MOUSE_CLICK
                                                                : TERM_MOUSE_NONE;
        break;
#if VTERM_VERSION_MAJOR == 0 && VTERM_VERSION_MINOR < 2
    case VTERM_PROP_TITLE:
        /* 0.1.x: a whole NUL-terminated string (a fragment in 0.2+). */
        free(t->title);
        t->title = xstrdup(val->string ? val->string : "");
        break;
#endif
    default:
        break;
    }
    return 1;
}

static int cb_bell(void *user)
{
    ((struct term *)user)->bell = 1;
    return 1;
}

static int cb_resize(int rows, int cols, void *user)
{
    struct term *t = user;
    t->rows = rows;
    t->cols = cols;
    damage_rows(t, 0, rows - 1);
    return 1;
}

static int cb_sb_pushline(int cols, const VTermScreenCell *cells, void *user)
{
    struct term *t = user;
    struct sb_line *l;
    if (t->sb_count == t->sb_cap) {
        /* Full: the oldest line makes room. */
        l = &t->sb[t->sb_start];
        t->sb_start = (t->sb_start + 1) % t->sb_cap;
        t->sb_count--;
        if (l->cols != cols) {
            free(l->cells);
            l->cells = NULL;
        }
    } else {
        l = &t->sb[(t->sb_start + t->sb_count) % t->sb_cap];
        if (l->cols != cols) {
            free(l->cells);
            l->cells = NULL;
        }
    }
    if (!l->cells)
        l->cells = xmalloc((size_t)cols * sizeof *l->cells);
    l->cols = cols;
    for (int i = 0; i < cols; i++)
        convert_cell(&cells[i], &l->cells[i]);
    t->sb_count++;
    return 1;
}

static void to_vterm_color(const struct term_color *c, VTermColor *v, int is_fg)
{
    if (c->kind == TERM_COLOR_INDEXED) {
        vterm_color_indexed(v, c->index);
    } else {
        vterm_color_rgb(v, c->r, c->g, c->b);
        if (c->kind == TERM_COLOR_DEFAULT)
            v->type |= is_fg ? VTERM_COLOR_DEFAULT_FG : VTERM_COLOR_DEFAULT_BG;
    }
}

static int cb_sb_popline(int cols, VTermScreenCell *cells, void *user)
{
    struct term *t = user;
    if (t->sb_count == 0)
        return 0;
    struct sb_line *l = &t->sb[(t->sb_start + t->sb_count - 1) % t->sb_cap];
    t->sb_count--;
    for (int i = 0; i < cols; i++) {
        VTermScreenCell *c = &cells[i];
        memset(c, 0, sizeof *c);
        if (i < l->cols) {
            const struct term_cell *s = &l->cells[i];
            for (int k = 0; k < TERM_MAX_CHARS && k < VTERM_MAX_CHARS_PER_CELL; k++)
                c->chars[k] = s->chars[k];
            c->width = (char)s->width;
            c->attrs.bold = !!(s->attrs & TERM_ATTR_BOLD);
            c->attrs.underline = !!(s->attrs & TERM_ATTR_UNDERLINE);
            c->attrs.italic = !!(s->attrs & TERM_ATTR_ITALIC);
            c->attrs.reverse = !!(s->attrs & TERM_ATTR_REVERSE);
            to_vterm_color(&s->fg, &c->fg, 1);
            to_vterm_color(&s->bg, &c->bg, 0);
        } else {
            c->width = 1;
            struct term_color d = {0};
            to_vterm_color(&d, &c->fg, 1);
            to_vterm_color(&d, &c->bg, 0);
        }
    }
    return 1;
}

static const VTermScreenCallbacks callbacks = {
    .damage = cb_damage,
    .moverect = cb_moverect,
    .movecursor = cb_movecursor,
    .settermprop = cb_settermprop,
    .bell = cb_bell,
    .resize = cb_resize,
    .sb_pushline = cb_sb_pushline,
    .sb_popline = cb_sb_popline,
};

static void output_cb(const char *s, size_t len, void *user)
{
    struct term *t = user;
    if (t->out && !t->mute)
        t->out(s, len, t->out_ud);
}

struct term *term_new(int rows, int cols, int scrollback)
{
    if (rows < 1)
        rows = 1;
    if (cols < 1)
        cols = 1;
    struct term *t = xcalloc(1, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->sb_cap = scrollback > 0 ? (size_t)scrollback : TERM_DEFAULT_SCROLLBACK;
    t->sb = xcalloc(t->sb_cap, sizeof *t->sb);
    t->dmg_first = t->dmg_last = -1;
    t->cur_visible = 1;
    /* The set-up order neovim uses (tech-notes). */
    t->vt = vterm_new(rows, cols);
    vterm_set_utf8(t->vt, 1);
    t->screen = vterm_obtain_screen(t->vt);
    vterm_screen_enable_altscreen(t->screen, 1);
    vterm_screen_set_callbacks(t->screen, &callbacks, t);
    vterm_screen_set_damage_merge(t->screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_reset(t->screen, 1);
    vterm_output_set_callback(t->vt, output_cb, t);
    damage_rows(t, 0, rows - 1);
    return t;
}

void term_free(struct term *t)
{
    if (!t)
        return;
    vterm_free(t->vt);
    for (size_t i = 0; i < t->sb_cap; i++)
        free(t->sb[i].cells);
    free(t->sb);
    free(t->title);
    free(t);
}

void term_set_output(struct term *t, term_output_fn fn, void *ud)
{
    t->out = fn;
    t->out_ud = ud;
}

/* A scroll region (DECSTBM) other than the whole screen turns the fast
 * forward off. Sequences split across two feeds are missed. */
static void track_region(struct term *t, const char *data, size_t len)
{
    for (const char *p = data; (p = memchr(p, '\x1b', len - (size_t)(p - data))); p++) {
        size_t left = len - (size_t)(p - data);
        if (left >= 2 && p[1] == 'c') {
            t->region_set = 0; /* RIS */
            continue;
        }
        if (left < 3 || p[1] != '[')
            continue;
        size_t i = 2;
        while (i < left && ((p[i] >= '0' && p[i] <= '9') || p[i] == ';'))
            i++;
        if (i < left && p[i] == 'r') {
            int top = 0, bot = 0;
            char tmp[32];
            size_t n = i - 2 < sizeof tmp - 1 ? i - 2 : sizeof tmp - 1;
            memcpy(tmp, p + 2, n);
            tmp[n] = 0;
            sscanf(tmp, "%d;%d", &top, &bot);
            t->region_set = !(n == 0 || ((top <= 1) && (bot == 0 || bot >= t->rows)));
        }
    }
}

/* Flood fast forward. In a run of plain text (no escape or control byte but
 * CR, LF and TAB) holding more lines than the screen plus the scrollback,
 * the lines before the last rows + scrollback ones would scroll off and out
 * of the scrollback anyway: skip them. Cuts are made right after CR LF, so
 * the column (0), the pen and the wrap state are the same either way. */
static int fast_forward(struct term *t, const char *data, size_t len, size_t *from, size_t *to)
{
    size_t keep = (size_t)t->rows + t->sb_cap + 1;
    if (len / 2 < keep)
        return 0; /* cannot hold enough lines */
    /* The plain run ending the chunk: scan back from the end. */
    size_t start = len;
    size_t lines = 0;
    size_t cut_to = 0;
    while (start > 0) {
        unsigned char c = (unsigned char)data[start - 1];
        if (c == '\n') {
            if (start >= 2 && data[start - 2] == '\r') {
                if (lines == keep)
                    cut_to = start;
                lines++;
            }
        } else if (c < 0x20 && c != '\r' && c != '\t') {
            break;
        } else if (c == 0x7f) {
            break;
        } else if (c >= 0x80 && c <= 0x9f && start >= 2 && (unsigned char)data[start - 2] == 0xc2) {
            break; /* a C1 control in UTF-8 */
        }
        start--;
    }
    if (!cut_to)
        return 0;
    /* The first CR LF of the run: before it, the cursor state is unknown. */
    const char *p = data + start;
    const char *crlf = NULL;
    while ((p = memchr(p, '\n', (size_t)(data + cut_to - p)))) {
        if (p > data + start && p[-1] == '\r') {
            crlf = p + 1;
            break;
        }
        p++;
    }
    if (!crlf || (size_t)(crlf - data) >= cut_to)
        return 0;
    *from = (size_t)(crlf - data);
    *to = cut_to;
    return 1;
}

void term_feed(struct term *t, const char *data, size_t len)
{
    /* Watch for bracketed-paste mode (ESC[?2004h / l): libvterm 0.1.4 does not
     * expose it, and paste needs it. A sequence split across two reads is
     * missed; harmless (paste then goes unbracketed). */
    for (const char *p = data; (p = memchr(p, '\x1b', len - (size_t)(p - data))); p++) {
        size_t left = len - (size_t)(p - data);
        if (left >= 8 && memcmp(p, "\x1b[?2004", 7) == 0)
            t->bracketed_paste = p[7] == 'h';
    }
    track_region(t, data, len);
    size_t from, to;
    if (!t->region_set && fast_forward(t, data, len, &from, &to)) {
        vterm_input_write(t->vt, data, from);
        vterm_input_write(t->vt, data + to, len - to);
        damage_rows(t, 0, t->rows - 1);
    } else {
        vterm_input_write(t->vt, data, len);
    }
    vterm_screen_flush_damage(t->screen);
}

void term_resize(struct term *t, int rows, int cols)
{
    if (rows < 1)
        rows = 1;
    if (cols < 1)
        cols = 1;
    vterm_set_size(t->vt, rows, cols);
    vterm_screen_flush_damage(t->screen);
    t->rows = rows;
    t->cols = cols;
    damage_rows(t, 0, rows - 1);
}

int term_rows(const struct term *t)
{
    return t->rows;
}

int term_cols(const struct term *t)
{
    return t->cols;
}

size_t term_scrollback_count(const struct term *t)
{
    return t->sb_count;
}

int term_cell(struct term *t, int row, int col, struct term_cell *out)
{
    memset(out, 0, sizeof *out);
    out->width = 1;
    if (col < 0)
        return -1;
    if (row >= 0) {
        if (row >= t->rows || col >= t->cols)
            return -1;
        VTermScreenCell c;
        VTermPos pos = {row, col};
        if (!vterm_screen_get_cell(t->screen, pos, &c))
            return -1;
        convert_cell(&c, out);
        return 0;
    }
    size_t back = (size_t)(-row);
    if (back > t->sb_count)
        return -1;
    const struct sb_line *l = &t->sb[(t->sb_start + t->sb_count - back) % t->sb_cap];
    if (col >= l->cols)
        return 0; /* blank beyond a narrower old line */
    *out = l->cells[col];
    return 0;
}

void term_cursor(struct term *t, int *row, int *col, int *visible)
{
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
    *row = pos.row;
    *col = pos.col;
    if (visible)
        *visible = t->cur_visible;
}

int term_take_damage(struct term *t, int *first, int *last)
{
    if (t->dmg_first < 0)
        return 0;
    *first = t->dmg_first;
    *last = t->dmg_last;
    t->dmg_first = t->dmg_last = -1;
    return 1;
}

const char *term_title(const struct term *t)
{
    return t->title ? t->title : "";
}

int term_take_bell(struct term *t)
{
    int b = t->bell;
    t->bell = 0;
    return b;
}

char *term_row_text(struct term *t, int row)
{
    struct strbuf sb = STRBUF_INIT;
    size_t keep = 0;
    int cols = t->cols;
    if (row < 0 && (size_t)(-row) <= t->sb_count)
        cols = t->sb[(t->sb_start + t->sb_count - (size_t)(-row)) % t->sb_cap].cols;
    for (int c = 0; c < cols; c++) {
        struct term_cell cell;
        if (term_cell(t, row, c, &cell) != 0)
            break;
        if (cell.chars[0] == TERM_WIDE_RIGHT)
            continue;
        if (cell.chars[0] == 0) {
            sb_putc(&sb, ' ');
            continue;
        }
        for (int k = 0; k < TERM_MAX_CHARS && cell.chars[k]; k++) {
            char u[4];
            size_t n = utf8_encode(cell.chars[k], u);
            sb_add(&sb, u, n);
        }
        keep = sb.len;
    }
    sb.len = keep;
    if (sb.buf)
        sb.buf[keep] = '\0';
    return sb_detach(&sb);
}

static VTermModifier mods(int m)
{
    return (VTermModifier)((m & TERM_MOD_SHIFT ? VTERM_MOD_SHIFT : 0) |
                           (m & TERM_MOD_ALT ? VTERM_MOD_ALT : 0) |
                           (m & TERM_MOD_CTRL ? VTERM_MOD_CTRL : 0));
}

void term_key_char(struct term *t, uint32_t cp, int m)
{
    vterm_keyboard_unichar(t->vt, cp, mods(m));
}

void term_key(struct term *t, enum term_key key, int m)
{
    static const VTermKey map[] = {
        [TERM_KEY_ENTER] = VTERM_KEY_ENTER,
        [TERM_KEY_TAB] = VTERM_KEY_TAB,
        [TERM_KEY_BACKSPACE] = VTERM_KEY_BACKSPACE,
        [TERM_KEY_ESCAPE] = VTERM_KEY_ESCAPE,
        [TERM_KEY_UP] = VTERM_KEY_UP,
        [TERM_KEY_DOWN] = VTERM_KEY_DOWN,
        [TERM_KEY_LEFT] = VTERM_KEY_LEFT,
        [TERM_KEY_RIGHT] = VTERM_KEY_RIGHT,
        [TERM_KEY_INS] = VTERM_KEY_INS,
        [TERM_KEY_DEL] = VTERM_KEY_DEL,
        [TERM_KEY_HOME] = VTERM_KEY_HOME,
        [TERM_KEY_END] = VTERM_KEY_END,
        [TERM_KEY_PAGEUP] = VTERM_KEY_PAGEUP,
        [TERM_KEY_PAGEDOWN] = VTERM_KEY_PAGEDOWN,
    };
    if (key >= TERM_KEY_F1 && key <= TERM_KEY_F1 + 11) {
        vterm_keyboard_key(t->vt, (VTermKey)VTERM_KEY_FUNCTION(1 + (key - TERM_KEY_F1)), mods(m));
        return;
    }
    if ((size_t)key < ARRAY_LEN(map) && map[key])
        vterm_keyboard_key(t->vt, map[key], mods(m));
}

void term_paste(struct term *t, const char *text, size_t len)
{
    if (!t->out)
        return;
    if (t->bracketed_paste)
        t->out("\x1b[200~", 6, t->out_ud);
    t->out(text, len, t->out_ud);
    if (t->bracketed_paste)
        t->out("\x1b[201~", 6, t->out_ud);
}

enum term_mouse_mode term_mouse_mode(const struct term *t)
{
    return (enum term_mouse_mode)t->mouse_mode;
}

static void clamp_cell(const struct term *t, int *row, int *col)
{
    if (*row < 0)
        *row = 0;
    if (*row >= t->rows)
        *row = t->rows - 1;
    if (*col < 0)
        *col = 0;
    if (*col >= t->cols)
        *col = t->cols - 1;
}

void term_mouse_move(struct term *t, int row, int col, int m)
{
    if (t->mouse_mode == TERM_MOUSE_NONE)
        return;
    clamp_cell(t, &row, &col);
    vterm_mouse_move(t->vt, row, col, mods(m));
}

void term_mouse_button(struct term *t, int row, int col, int button, int pressed, int m)
{
    if (button < 1 || button > 5)
        return;
    if (t->mouse_mode == TERM_MOUSE_NONE) {
        /* A release after the program let go of the mouse still reaches libvterm, so
         * its idea of the held buttons stays true for the next program that asks;
         * libvterm 0.1 would report it regardless of the mode, so its output is
         * dropped. */
        if (!pressed && button <= 3) {
            t->mute = 1;
            vterm_mouse_button(t->vt, button, 0, mods(m));
            t->mute = 0;
        }
        return;
    }
    /* libvterm reports a button at the last position it was told of. */
    term_mouse_move(t, row, col, m);
    vterm_mouse_button(t->vt, button, pressed != 0, mods(m));
}
