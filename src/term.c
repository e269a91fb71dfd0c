#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "textwidth.h"
#include "util.h"

struct sb_line {
    int cols;
    struct term_cell *cells;
};

enum { P_NORMAL, P_ESC, P_CSI_LEADER, P_CSI_ARGS, P_CSI_INTER, P_STR, P_STR_ESC };

#define CSI_MAX 256     /* longer CSI sequences are dropped whole */
#define CSI_ARGS_MAX 16 /* libvterm 0.1.4's csi_args[] */
#define INTERMED_MAX 16 /* libvterm 0.1.4's intermed[] */
#define STR_MAX 4096    /* an OSC or DCS string is cut there (libvterm keeps 64 bytes) */

struct vfilter {
    int st;
    /* an incomplete UTF-8 sequence, completed by the next feed */
    unsigned char u[4];
    int ulen, uneed;
    /* ESC and its intermediates, held until the final byte */
    char esc[INTERMED_MAX + 1];
    int esclen;
    /* a CSI sequence, held until its final byte */
    char csi[CSI_MAX];
    size_t csilen;
    int csi_drop;
    /* an OSC or DCS string, held until its terminator */
    char str[STR_MAX];
    size_t strlen;
    char csi_leader;
    int csi_inter;
    int nargs;
    long args[CSI_ARGS_MAX];
    int missing[CSI_ARGS_MAX];
    /* libvterm's REP state: 1 when its previous glyph surely has width >= 1 */
    int rep_safe;
    uint32_t rep_cp; /* the base character of that glyph (libvterm repeats it) */
    long rep_hold;   /* a REP of a non-ASCII glyph, held until the cursor is known */
    int run_base;    /* the current text run (one on_text call) has a base character */
    int single_shift;
    /* where the uninterrupted stretch of NORMAL state began in out */
    size_t normal_since;
    int sync; /* a sequence that restores the cursor was just passed */
};

struct term {
    VTerm *vt;
    VTermScreen *screen;
    VTerm *probe; /* a 1x4 libvterm that measures a glyph's width, made when needed */
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
    int mouse_mode;  /* enum term_mouse_mode */
    int mute;        /* drop libvterm's output (bookkeeping calls, see term_mouse_button) */
    int margins_set; /* left/right margins may be set (DECSLRM, DECLRMM) */
    int no_ff;       /* fast forward off (tests) */
    struct vfilter f;
    struct strbuf fbuf; /* the filtered bytes of one feed */
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

/* A copy of s with invalid UTF-8 as U+FFFD: libvterm keeps the first bytes
 * of a long title, which may end inside a character. */
static char *valid_utf8(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        char u[4];
        sb_add(&sb, u, utf8_encode(cp, u));
        i += n;
    }
    return sb_detach(&sb);
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
        t->title = valid_utf8(val->string ? val->string : "");
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

/* libvterm 0.1.4 steps through a popped line by each cell's width and writes
 * a wide cell's right half unchecked: a width of 0 loops for ever and a wide
 * character in the last column (a line pushed when the screen was wider)
 * writes past the row. So every cell is given width 1, or 2 when its right
 * half fits. */
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
        c->width = 1;
        const struct term_cell *s = i < l->cols ? &l->cells[i] : NULL;
        if (s && s->chars[0] != TERM_WIDE_RIGHT && (s->width != 2 || i + 1 < cols)) {
            for (int k = 0; k < TERM_MAX_CHARS && k < VTERM_MAX_CHARS_PER_CELL; k++)
                c->chars[k] = s->chars[k];
            c->width = s->width == 2 ? 2 : 1;
            c->attrs.bold = !!(s->attrs & TERM_ATTR_BOLD);
            c->attrs.underline = !!(s->attrs & TERM_ATTR_UNDERLINE);
            c->attrs.italic = !!(s->attrs & TERM_ATTR_ITALIC);
            c->attrs.reverse = !!(s->attrs & TERM_ATTR_REVERSE);
            to_vterm_color(&s->fg, &c->fg, 1);
            to_vterm_color(&s->bg, &c->bg, 0);
            if (c->width == 2) {
                /* its right half */
                i++;
                memset(&cells[i], 0, sizeof cells[i]);
                cells[i].chars[0] = (uint32_t)-1;
                cells[i].width = 1;
                cells[i].fg = c->fg;
                cells[i].bg = c->bg;
            }
        } else {
            struct term_color d = {0};
            if (s) {
                d = s->bg;
                to_vterm_color(&s->fg, &c->fg, 1);
            } else {
                to_vterm_color(&d, &c->fg, 1);
            }
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

#define TERM_MIN_COLS 2 /* a wide character must fit: libvterm writes its right half */
#define TERM_MAX_SIZE 1000

static void clamp_size(int *rows, int *cols)
{
    if (*rows < 1)
        *rows = 1;
    if (*rows > TERM_MAX_SIZE)
        *rows = TERM_MAX_SIZE;
    if (*cols < TERM_MIN_COLS)
        *cols = TERM_MIN_COLS;
    if (*cols > TERM_MAX_SIZE)
        *cols = TERM_MAX_SIZE;
}

struct term *term_new(int rows, int cols, int scrollback)
{
    clamp_size(&rows, &cols);
    struct term *t = xcalloc(1, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->sb_cap = scrollback > 0 ? (size_t)scrollback : TERM_DEFAULT_SCROLLBACK;
    t->sb = xcalloc(t->sb_cap, sizeof *t->sb);
    t->dmg_first = t->dmg_last = -1;
    t->cur_visible = 1;
    t->f.st = P_NORMAL;
    t->f.rep_safe = 0; /* libvterm has no previous character yet */
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
    if (t->probe)
        vterm_free(t->probe);
    for (size_t i = 0; i < t->sb_cap; i++)
        free(t->sb[i].cells);
    free(t->sb);
    free(t->title);
    sb_free(&t->fbuf);
    free(t);
}

void term_set_output(struct term *t, term_output_fn fn, void *ud)
{
    t->out = fn;
    t->out_ud = ud;
}

/* ---- The byte filter in front of libvterm ----
 *
 * libvterm 0.1.4 (Debian 12) trusts its input. Upstream 0.3.3 still has the
 * REP loop and the unbounded CSI argument index, so building a newer libvterm
 * would not be the root fix; every byte from the server goes through this
 * filter instead. It mirrors libvterm's parser state byte for byte (same
 * states, same transitions), keeps that state across term_feed() calls so no
 * chunk boundary can hide a sequence from it, and hands libvterm only:
 *  - valid UTF-8 of Unicode scalar values: an invalid or truncated sequence
 *    becomes U+FFFD. libvterm's decoder accepts 5/6-byte forms and values
 *    above U+10FFFF and keeps a half sequence across C0 controls, which left
 *    values like U+E242FFA0 in cells (and invalid UTF-8 in term_row_text);
 *  - no C1 code point (U+0080-U+009F) as text: libvterm gives it width -1 and
 *    moves the cursor backwards;
 *  - no combining mark that libvterm also counts as wide (U+302A-302F,
 *    U+3099-309A): libvterm adds its width 2 to the base character, so a few
 *    of them make one glyph wider than the screen and putglyph writes past
 *    the row. U+3099/309A become their spacing forms U+309B/309C;
 *  - no CSI with more than 16 arguments: 0.1.4 writes csi_args[16..] past its
 *    array (`ESC [` and 16 `;` is a SIGSEGV);
 *  - no REP (CSI b) while libvterm's "previous character" has width 0: it is
 *    0 in a fresh terminal (a RIS does not change it) and after a glyph made
 *    only of combining marks, and REP then loops for ever;
 *  - no chunk that ends inside an ESC, a CSI, or an OSC or DCS string: those
 *    bytes wait for the next feed (0.1.4 over-reads when a chunk starts with
 *    the `\` of an ST, and drops the part of a string that came in an
 *    earlier chunk).
 * Whatever else the bytes do, libvterm does it as before. */

/* libvterm 0.1.4's table of combining characters (vterm_unicode_is_combining,
 * Markus Kuhn's wcwidth table): a code point in it joins the cell before it.
 * Checked against the installed libvterm by test_term. */
static const struct {
    uint32_t lo, hi;
} combining[] = {
    {0x300, 0x36F},     {0x483, 0x486},     {0x488, 0x489},     {0x591, 0x5BD},
    {0x5BF, 0x5BF},     {0x5C1, 0x5C2},     {0x5C4, 0x5C5},     {0x5C7, 0x5C7},
    {0x600, 0x603},     {0x610, 0x615},     {0x64B, 0x65E},     {0x670, 0x670},
    {0x6D6, 0x6E4},     {0x6E7, 0x6E8},     {0x6EA, 0x6ED},     {0x70F, 0x70F},
    {0x711, 0x711},     {0x730, 0x74A},     {0x7A6, 0x7B0},     {0x7EB, 0x7F3},
    {0x901, 0x902},     {0x93C, 0x93C},     {0x941, 0x948},     {0x94D, 0x94D},
    {0x951, 0x954},     {0x962, 0x963},     {0x981, 0x981},     {0x9BC, 0x9BC},
    {0x9C1, 0x9C4},     {0x9CD, 0x9CD},     {0x9E2, 0x9E3},     {0xA01, 0xA02},
    {0xA3C, 0xA3C},     {0xA41, 0xA42},     {0xA47, 0xA48},     {0xA4B, 0xA4D},
    {0xA70, 0xA71},     {0xA81, 0xA82},     {0xABC, 0xABC},     {0xAC1, 0xAC5},
    {0xAC7, 0xAC8},     {0xACD, 0xACD},     {0xAE2, 0xAE3},     {0xB01, 0xB01},
    {0xB3C, 0xB3C},     {0xB3F, 0xB3F},     {0xB41, 0xB43},     {0xB4D, 0xB4D},
    {0xB56, 0xB56},     {0xB82, 0xB82},     {0xBC0, 0xBC0},     {0xBCD, 0xBCD},
    {0xC3E, 0xC40},     {0xC46, 0xC48},     {0xC4A, 0xC4D},     {0xC55, 0xC56},
    {0xCBC, 0xCBC},     {0xCBF, 0xCBF},     {0xCC6, 0xCC6},     {0xCCC, 0xCCD},
    {0xCE2, 0xCE3},     {0xD41, 0xD43},     {0xD4D, 0xD4D},     {0xDCA, 0xDCA},
    {0xDD2, 0xDD4},     {0xDD6, 0xDD6},     {0xE31, 0xE31},     {0xE34, 0xE3A},
    {0xE47, 0xE4E},     {0xEB1, 0xEB1},     {0xEB4, 0xEB9},     {0xEBB, 0xEBC},
    {0xEC8, 0xECD},     {0xF18, 0xF19},     {0xF35, 0xF35},     {0xF37, 0xF37},
    {0xF39, 0xF39},     {0xF71, 0xF7E},     {0xF80, 0xF84},     {0xF86, 0xF87},
    {0xF90, 0xF97},     {0xF99, 0xFBC},     {0xFC6, 0xFC6},     {0x102D, 0x1030},
    {0x1032, 0x1032},   {0x1036, 0x1037},   {0x1039, 0x1039},   {0x1058, 0x1059},
    {0x1160, 0x11FF},   {0x135F, 0x135F},   {0x1712, 0x1714},   {0x1732, 0x1734},
    {0x1752, 0x1753},   {0x1772, 0x1773},   {0x17B4, 0x17B5},   {0x17B7, 0x17BD},
    {0x17C6, 0x17C6},   {0x17C9, 0x17D3},   {0x17DD, 0x17DD},   {0x180B, 0x180D},
    {0x18A9, 0x18A9},   {0x1920, 0x1922},   {0x1927, 0x1928},   {0x1932, 0x1932},
    {0x1939, 0x193B},   {0x1A17, 0x1A18},   {0x1B00, 0x1B03},   {0x1B34, 0x1B34},
    {0x1B36, 0x1B3A},   {0x1B3C, 0x1B3C},   {0x1B42, 0x1B42},   {0x1B6B, 0x1B73},
    {0x1DC0, 0x1DCA},   {0x1DFE, 0x1DFF},   {0x200B, 0x200F},   {0x202A, 0x202E},
    {0x2060, 0x2063},   {0x206A, 0x206F},   {0x20D0, 0x20EF},   {0x302A, 0x302F},
    {0x3099, 0x309A},   {0xA806, 0xA806},   {0xA80B, 0xA80B},   {0xA825, 0xA826},
    {0xFB1E, 0xFB1E},   {0xFE00, 0xFE0F},   {0xFE20, 0xFE23},   {0xFEFF, 0xFEFF},
    {0xFFF9, 0xFFFB},   {0x10A01, 0x10A03}, {0x10A05, 0x10A06}, {0x10A0C, 0x10A0F},
    {0x10A38, 0x10A3A}, {0x10A3F, 0x10A3F}, {0x1D167, 0x1D169}, {0x1D173, 0x1D182},
    {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD}, {0x1D242, 0x1D244}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

int term_cp_combining(uint32_t cp)
{
    if (cp < combining[0].lo)
        return 0;
    size_t lo = 0, hi = ARRAY_LEN(combining);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < combining[mid].lo)
            hi = mid;
        else if (cp > combining[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static void f_enter_normal(struct term *t)
{
    t->f.st = P_NORMAL;
    t->f.run_base = 0;
    t->f.normal_since = t->fbuf.len;
}

/* Text in NORMAL state, as libvterm's on_text will see it. */
static void f_text(struct term *t, uint32_t cp)
{
    struct vfilter *f = &t->f;
    if (cp >= 0x80 && term_cp_combining(cp)) {
        /* Joined to the glyph before it in this run; as the first code
         * point of a run it may become a glyph of width 0. */
        if (!f->run_base)
            f->rep_safe = 0;
    } else {
        f->rep_safe = 1;
        f->rep_cp = cp;
        f->run_base = 1;
    }
    if (f->single_shift) {
        /* SS2/SS3: libvterm decodes this one character alone; the next
         * ones start a new run. */
        f->single_shift = 0;
        f->run_base = 0;
    }
}

static void f_csi_reset(struct vfilter *f)
{
    f->csilen = 0;
    f->csi_drop = 0;
    f->csi_leader = 0;
    f->csi_inter = 0;
    f->nargs = 1;
    f->args[0] = 0;
    f->missing[0] = 1;
}

static void f_csi_add(struct vfilter *f, char c)
{
    if (f->csi_drop)
        return;
    if (f->csilen >= CSI_MAX) {
        f->csi_drop = 1;
        return;
    }
    f->csi[f->csilen++] = c;
}

static int arg_or(const struct vfilter *f, int i, long dflt)
{
    return i < f->nargs && !f->missing[i] ? (int)f->args[i] : (int)dflt;
}

/* A complete CSI sequence with final byte c. */
static void f_csi_final(struct term *t, char c)
{
    struct vfilter *f = &t->f;
    if (f->csi_drop)
        return;
    if (!f->csi_leader && !f->csi_inter) {
        if (c == 'b' && !f->rep_safe)
            return; /* REP with nothing to repeat: libvterm would loop */
        if (c == 'b' && f->rep_cp >= 0x80) {
            /* It may repeat a wide glyph: term_feed fits it to the row. */
            long n = arg_or(f, 0, 1);
            f->rep_hold = n < 1 ? 1 : n;
            return;
        }
        if (c == 'r') {
            int top = arg_or(f, 0, 1), bot = arg_or(f, 1, 0);
            t->region_set =
                !(top <= 1 && (bot == 0 ? f->nargs < 2 || f->missing[1] : bot >= t->rows));
        }
        if (c == 's' && (f->nargs > 1 || !f->missing[0]))
            t->margins_set = 1;
    }
    if (f->csi_leader == '?' && !f->csi_inter && (c == 'h' || c == 'l')) {
        for (int i = 0; i < f->nargs; i++) {
            if (!f->missing[i] && f->args[i] == 2004)
                t->bracketed_paste = c == 'h';
        }
        /* libvterm 0.1.4 applies the first mode only. */
        int mode = arg_or(f, 0, 0);
        if (mode == 69 && c == 'h')
            t->margins_set = 1;
        if (mode == 1047 || mode == 1048 || mode == 1049)
            f->sync = 1; /* may restore a cursor saved before a shrink */
    }
    sb_add(&t->fbuf, f->csi, f->csilen);
    sb_putc(&t->fbuf, c);
}

/* The ESC sequence held in f->esc ends with final byte c. */
static void f_esc_final(struct term *t, char c)
{
    struct vfilter *f = &t->f;
    sb_add(&t->fbuf, f->esc, (size_t)f->esclen);
    sb_putc(&t->fbuf, c);
    if (f->esclen == 1) {
        if (c == 'c') { /* RIS */
            t->region_set = 0;
            t->margins_set = 0;
            t->bracketed_paste = 0;
            f->single_shift = 0;
        } else if (c == '8') { /* DECRC */
            f->sync = 1;
        } else if (c == 'N' || c == 'O') { /* SS2, SS3 */
            f->single_shift = 1;
        }
    }
}

/* One byte below 0x80 (after UTF-8 checking), through the mirror of
 * libvterm's parser (parser.c, vterm_input_write). */
static void f_byte(struct term *t, unsigned char c)
{
    struct vfilter *f = &t->f;
    if (c == 0x00 || c == 0x7f) { /* NUL, DEL: ignored, but end a text run */
        if (f->st == P_NORMAL)
            sb_putc(&t->fbuf, (char)c);
        f->run_base = 0;
        return;
    }
    if (c == 0x18 || c == 0x1a) { /* CAN, SUB: back to NORMAL */
        sb_putc(&t->fbuf, (char)c);
        f_enter_normal(t);
        return;
    }
    if (c == 0x1b) {
        if (f->st == P_STR) {
            f->st = P_STR_ESC; /* held: it may start an ST */
            return;
        }
        f->st = P_ESC; /* in P_STR_ESC: ESC ESC, the string is abandoned */
        f->esc[0] = 0x1b;
        f->esclen = 1;
        return;
    }
    if (c == 0x07 && f->st == P_STR) { /* BEL ends a string */
        sb_add(&t->fbuf, f->str, f->strlen);
        sb_putc(&t->fbuf, (char)c);
        f_enter_normal(t);
        return;
    }
    if (c < 0x20) {
        /* Other C0: libvterm runs it in any state and stays in that state.
         * Passed now, ahead of a held sequence, it does the same. Inside
         * the ESC of an ST it is dropped, so the ESC stays held. */
        if (f->st != P_STR_ESC)
            sb_putc(&t->fbuf, (char)c);
        f->run_base = 0;
        return;
    }
    switch (f->st) {
    case P_STR_ESC:
        if (c == '\\') {
            sb_add(&t->fbuf, f->str, f->strlen);
            sb_putc(&t->fbuf, 0x1b);
            sb_putc(&t->fbuf, (char)c);
            f_enter_normal(t);
            return;
        }
        /* libvterm: the string is abandoned, the ESC starts a sequence. */
        f->st = P_ESC;
        f->esc[0] = 0x1b;
        f->esclen = 1;
        /* fallthrough */
    case P_ESC:
        if (c == 'P' || c == ']') { /* DCS, OSC */
            memcpy(f->str, f->esc, (size_t)f->esclen);
            f->strlen = (size_t)f->esclen;
            f->str[f->strlen++] = (char)c;
            f->st = P_STR;
        } else if (c == '[') {
            f_csi_reset(f);
            f_csi_add(f, 0x1b);
            f_csi_add(f, '[');
            f->st = P_CSI_LEADER;
        } else if (c >= 0x20 && c <= 0x2f) {
            if (f->esclen < INTERMED_MAX)
                f->esc[f->esclen++] = (char)c;
        } else {
            f_esc_final(t, (char)c);
            f_enter_normal(t);
        }
        return;
    case P_CSI_LEADER:
        if (c >= 0x3c && c <= 0x3f) {
            if (!f->csi_leader)
                f->csi_leader = (char)c;
            f_csi_add(f, (char)c);
            return;
        }
        f->st = P_CSI_ARGS;
        /* fallthrough */
    case P_CSI_ARGS:
        if (c >= '0' && c <= '9') {
            long *a = &f->args[f->nargs - 1];
            if (f->missing[f->nargs - 1]) {
                f->missing[f->nargs - 1] = 0;
                *a = 0;
            }
            if (*a < 100000)
                *a = *a * 10 + (c - '0');
            f_csi_add(f, (char)c);
            return;
        }
        if (c == ':' || c == ';') {
            if (f->nargs >= CSI_ARGS_MAX) {
                f->csi_drop = 1; /* libvterm 0.1.4 would write past csi_args[] */
                return;
            }
            f->args[f->nargs] = 0;
            f->missing[f->nargs] = 1;
            f->nargs++;
            f_csi_add(f, (char)c);
            return;
        }
        f->st = P_CSI_INTER;
        /* fallthrough */
    case P_CSI_INTER:
        if (c >= 0x20 && c <= 0x2f) {
            f->csi_inter = 1;
            f_csi_add(f, (char)c);
            return;
        }
        if (c >= 0x40 && c <= 0x7e)
            f_csi_final(t, (char)c);
        /* else an invalid CSI, which libvterm drops too */
        f_enter_normal(t);
        return;
    case P_STR:
        if (f->strlen < STR_MAX)
            f->str[f->strlen++] = (char)c;
        return;
    default: /* P_NORMAL */
        sb_putc(&t->fbuf, (char)c);
        f_text(t, c);
        return;
    }
}

/* One valid code point of 0x80 or more. */
static void f_cp(struct term *t, uint32_t cp)
{
    struct vfilter *f = &t->f;
    if (cp < 0xA0)
        cp = 0xFFFD; /* C1: width -1 in libvterm */
    else if (cp == 0x3099 || cp == 0x309A)
        cp += 2; /* combining voiced marks: the spacing forms */
    else if (cp >= 0x302A && cp <= 0x302F)
        cp = 0xFFFD; /* other combining marks libvterm counts as wide */
    char u[4];
    size_t n = utf8_encode(cp, u);
    switch (f->st) {
    case P_ESC:
        return; /* libvterm ignores it and stays in ESC */
    case P_CSI_LEADER:
    case P_CSI_ARGS:
    case P_CSI_INTER:
        /* libvterm drops the CSI at the lead byte, then prints each
         * continuation byte as U+FFFD. */
        f_enter_normal(t);
        for (size_t i = 1; i < n; i++) {
            sb_add(&t->fbuf, "\xEF\xBF\xBD", 3);
            f_text(t, 0xFFFD);
        }
        return;
    case P_STR_ESC:
        f->st = P_ESC; /* the string is abandoned; ESC waits for its final */
        f->esc[0] = 0x1b;
        f->esclen = 1;
        return;
    case P_STR:
        if (f->strlen + n <= STR_MAX) {
            memcpy(f->str + f->strlen, u, n);
            f->strlen += n;
        }
        return;
    default:
        sb_add(&t->fbuf, u, n);
        f_text(t, cp);
        return;
    }
}

/* UTF-8 checking: complete sequences of scalar values go on, anything else
 * becomes U+FFFD (one per maximal invalid subpart, as Unicode recommends). */
static void f_raw(struct term *t, unsigned char c)
{
    struct vfilter *f = &t->f;
    if (f->uneed) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (f->ulen == 1) {
            switch (f->u[0]) {
            case 0xE0:
                lo = 0xA0;
                break;
            case 0xED:
                hi = 0x9F;
                break;
            case 0xF0:
                lo = 0x90;
                break;
            case 0xF4:
                hi = 0x8F;
                break;
            default:
                break;
            }
        }
        if (c >= lo && c <= hi) {
            f->u[f->ulen++] = c;
            if (--f->uneed == 0) {
                uint32_t cp;
                utf8_decode((const char *)f->u, (size_t)f->ulen, &cp);
                f->ulen = 0;
                f_cp(t, cp);
            }
            return;
        }
        f->uneed = f->ulen = 0;
        f_cp(t, 0xFFFD);
        /* and c starts afresh */
    }
    if (c < 0x80) {
        f_byte(t, c);
    } else if (c >= 0xC2 && c <= 0xF4) {
        f->u[0] = c;
        f->ulen = 1;
        f->uneed = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    } else {
        f_cp(t, 0xFFFD);
    }
}

/* Writes what the filter let through to libvterm. */
static void vt_write(struct term *t, const char *s, size_t len)
{
    if (len)
        vterm_input_write(t->vt, s, len);
}

/* The width libvterm gives code point cp: its vterm_unicode_width() is not
 * exported, so a tiny terminal of our own prints cp and reads the cell. */
static int vterm_width_of(struct term *t, uint32_t cp)
{
    if (!t->probe) {
        t->probe = vterm_new(1, 4);
        vterm_set_utf8(t->probe, 1);
        vterm_screen_reset(vterm_obtain_screen(t->probe), 1);
    }
    /* Erased first: a cell's width is read from the cell after it. */
    char buf[16] = "\x1b[H\x1b[2K";
    size_t n = 7 + utf8_encode(cp, buf + 7);
    vterm_input_write(t->probe, buf, n);
    VTermScreenCell cell;
    VTermPos at = {0, 0};
    if (!vterm_screen_get_cell(vterm_obtain_screen(t->probe), at, &cell))
        return 1;
    return cell.width;
}

/* libvterm 0.1.4's REP puts its previous glyph at every step of the glyph's
 * width up to the end of the row, without checking that a wide glyph's right
 * half is on the screen: a REP of a wide glyph that reaches the last column
 * writes through NULL (`あ`, then `ESC [1;10H ESC [b` on a 10-column screen).
 * The count is cut to the wide glyphs that fit, as xterm never splits one. */
static void write_rep(struct term *t, long count)
{
    if (vterm_width_of(t, t->f.rep_cp) == 2) {
        VTermPos pos;
        vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
        long room = pos.col < t->cols ? 2L * ((t->cols - pos.col) / 2) : 0;
        if (count > room)
            count = room;
    }
    if (count < 1)
        return;
    char rep[32];
    int n = snprintf(rep, sizeof rep, "\x1b[%ldb", count);
    vterm_input_write(t->vt, rep, (size_t)n);
}

/* Puts libvterm's cursor back on the screen: after a shrink it can be left
 * above or right of it, directly or through a cursor saved before. */
static void clamp_cursor(struct term *t)
{
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
    if (pos.row >= 0 && pos.row < t->rows && pos.col >= 0 && pos.col < t->cols)
        return;
    int row = pos.row < 0 ? 0 : pos.row >= t->rows ? t->rows - 1 : pos.row;
    int col = pos.col < 0 ? 0 : pos.col >= t->cols ? t->cols - 1 : pos.col;
    char cup[32];
    int n = snprintf(cup, sizeof cup, "\x1b[%d;%dH", row + 1, col + 1);
    vterm_input_write(t->vt, cup, (size_t)n);
}

/* Flood fast forward. In a run of plain text (no escape or control byte but
 * CR, LF and TAB) holding more lines than the screen plus the scrollback,
 * the lines before the last rows + scrollback ones would scroll off and out
 * of the scrollback anyway: skip them. Cuts are made right after CR LF, so
 * the column (0), the pen and the wrap state are the same either way; the
 * skipped part starts with the cursor on the bottom row (checked by the
 * caller), so every skipped line feed would have scrolled. */
static int fast_forward(struct term *t, const char *data, size_t len, size_t *from, size_t *to)
{
    size_t keep = (size_t)t->rows + t->sb_cap + 1;
    if (len / 2 < keep)
        return 0; /* cannot hold enough lines */
    /* The plain run ending the chunk: scan back from the end. */
    size_t start = len;
    size_t lines = 0;
    size_t cut_to = 0;
    while (start > t->f.normal_since) {
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
        }
        start--;
    }
    if (!cut_to)
        return 0;
    /* The kept part must print something, so libvterm's previous character
     * (REP) comes from it either way. */
    int text = 0;
    for (size_t i = cut_to; i < len && !text; i++)
        text = (unsigned char)data[i] >= 0x20;
    if (!text)
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

void term_set_fast_forward(struct term *t, int on)
{
    t->no_ff = !on;
}

void term_feed(struct term *t, const char *data, size_t len)
{
    struct vfilter *f = &t->f;
    sb_reset(&t->fbuf);
    f->normal_since = f->st == P_NORMAL ? 0 : (size_t)-1;
    f->run_base = 0; /* each vterm_input_write starts a new text run */
    const unsigned char *s = (const unsigned char *)data;
    for (size_t i = 0; i < len; i++) {
        /* Plain ASCII text in NORMAL state, the bulk of any output. */
        if (f->st == P_NORMAL && !f->uneed && s[i] >= 0x20 && s[i] < 0x7f) {
            size_t j = i;
            while (j < len && s[j] >= 0x20 && s[j] < 0x7f)
                j++;
            sb_add(&t->fbuf, data + i, j - i);
            f_text(t, s[j - 1]);
            i = j - 1;
            continue;
        }
        f_raw(t, s[i]);
        if (f->sync) {
            /* A cursor restore: let libvterm run it, then check the cursor. */
            f->sync = 0;
            vt_write(t, t->fbuf.buf, t->fbuf.len);
            clamp_cursor(t);
            sb_reset(&t->fbuf);
            f->normal_since = f->st == P_NORMAL ? 0 : (size_t)-1;
        }
        if (f->rep_hold) {
            /* A REP of a non-ASCII glyph: libvterm runs what came before,
             * then the REP goes in fitted to the cursor's row. */
            vt_write(t, t->fbuf.buf, t->fbuf.len);
            write_rep(t, f->rep_hold);
            f->rep_hold = 0;
            sb_reset(&t->fbuf);
            f->normal_since = f->st == P_NORMAL ? 0 : (size_t)-1;
        }
    }
    size_t from, to;
    if (!t->no_ff && !t->region_set && !t->margins_set && f->st == P_NORMAL &&
        f->normal_since != (size_t)-1 && fast_forward(t, t->fbuf.buf, t->fbuf.len, &from, &to)) {
        vt_write(t, t->fbuf.buf, from);
        VTermPos pos;
        vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
        if (pos.row == t->rows - 1) {
            vt_write(t, t->fbuf.buf + to, t->fbuf.len - to);
            damage_rows(t, 0, t->rows - 1);
        } else {
            vt_write(t, t->fbuf.buf + from, t->fbuf.len - from);
        }
    } else {
        vt_write(t, t->fbuf.buf, t->fbuf.len);
    }
    vterm_screen_flush_damage(t->screen);
}

void term_resize(struct term *t, int rows, int cols)
{
    clamp_size(&rows, &cols);
    if (rows == t->rows && cols == t->cols)
        return;
    VTermPos pos;
    vterm_set_size(t->vt, rows, cols);
    vterm_screen_flush_damage(t->screen);
    t->rows = rows;
    t->cols = cols;
    /* libvterm 0.1.4 leaves the cursor, the scroll region and the left and
     * right margins where they were, possibly outside the smaller screen,
     * and the next erase or scroll writes through NULL or memmoves a
     * negative size. Reset the region and the margins (as xterm does on a
     * resize; programs set them again on SIGWINCH) and put the cursor back
     * on the screen. The filter never leaves libvterm inside a sequence or a
     * string, so these bytes are read as sent. */
    vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
    char fix[64];
    int n = snprintf(fix, sizeof fix, "%s\x1b[r\x1b[%d;%dH", t->margins_set ? "\x1b[s" : "",
                     (pos.row < 0       ? 0
                      : pos.row >= rows ? rows - 1
                                        : pos.row) +
                         1,
                     (pos.col < 0       ? 0
                      : pos.col >= cols ? cols - 1
                                        : pos.col) +
                         1);
    vterm_input_write(t->vt, fix, (size_t)n);
    t->region_set = 0;
    t->margins_set = 0;
    vterm_screen_flush_damage(t->screen);
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
