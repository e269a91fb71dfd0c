/* Consoles pane: SSH sessions as tabs, each a PTY rendered from its libvterm
 * model (screens/ssh_view.c). While a session has the focus every key goes to
 * the server, except the prefix key (default C-], config.ini [consoles]
 * prefix): prefix then n/p next/previous session, c close, z zoom, [ scroll
 * mode, : command line (link incident|change REF), d detach to the tab bar,
 * m mouse to the console and back, ? help; the prefix twice sends it. The
 * focus is a modal of the kit, so keys reach the session before the key map,
 * and zoom draws over the screen.
 *
 * The mouse: while a session has the focus and its program asked for the
 * mouse (DECSET 1000/1002/1003), clicks, drags and the wheel over it go to
 * the program, in the encoding it chose. Otherwise the mouse works the
 * console: session tabs, a click attaches, the wheel scrolls back. Shift+click
 * stays with the console (where the terminal passes Shift on; ncurses 6.4
 * reads an X10 Shift+wheel as a motion), and prefix m keeps the whole mouse
 * with the console until pressed again.
 *
 * Also `unyo ssh HOST` (consoles_ssh_main): one session full screen on the
 * kit's loop, with hidden benchmark modes (--bench-seq, --bench-typing). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "changes.h"
#include "i18n.h"
#include "labels.h"
#include "incidents.h"
#include "screens.h"
#include "session_index.h"
#include "ssh_view.h"
#include "store.h"
#include "term.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_keymap.h"
#include "ui_loop.h"
#include "ui_terminal.h"
#include "util.h"

struct consoles {
    struct sv **s;
    int n, cur;
    struct ui_modal *focus; /* the focus modal while a session has the keys */
    int zoom;
    int prefix;         /* the prefix key was pressed */
    int cy, cx;         /* cursor from the last pane draw */
    int area_h, area_w; /* the terminal area of the pane */
    int area_y, area_x; /* where the session's cell (0, 0) was drawn on the screen */
    int mouse_off;      /* prefix m: the mouse stays with the console */
    int tick;           /* timer for unfocused redraws */
    int pending;
    int drawn;
    /* sessions opened for a record (an incident): linked to it once their
     * shell opens; closing one goes back to the pane it came from */
    struct origin *org;
    int norg;
};

struct origin {
    struct sv *v;
    char kind[16], ref[24], pane[24];
    int linked;
};

static struct consoles *G;

/* ---- sessions ---- */
static struct sv *cur_sv(void)
{
    return G && G->n ? G->s[G->cur] : NULL;
}

static int on_tick(void *data)
{
    (void)data;
    /* drawn: the pane was on screen at the last frame (else another pane
     * is, and a session's output is no reason to redraw it) */
    if (G && G->pending && G->drawn) {
        G->pending = 0;
        G->drawn = 0;
        ui_dirty(UI_DIRTY_PANE);
    }
    return 1;
}

/* A session changed: redraw now when it has the focus, else at most 10
 * times a second (the pane may not even be on screen). */
static void link_origin(struct sv *v);

static void on_change(struct sv *v, void *ud)
{
    (void)ud;
    link_origin(v);
    if (G && G->focus && v == cur_sv())
        ui_dirty(UI_DIRTY_PANE);
    else if (G)
        G->pending = 1;
}

static void focus_push(void);

static struct origin *origin_of(const struct sv *v)
{
    for (int i = 0; G && i < G->norg; i++)
        if (G->org[i].v == v)
            return &G->org[i];
    return NULL;
}

static void close_at(int i)
{
    char *err = NULL;
    struct sv *v = G->s[i];
    char back[24] = "", *back_msg = NULL;
    struct origin *o = origin_of(v);
    if (o) {
        snprintf(back, sizeof back, "%s", o->pane);
        back_msg = xasprintf(_("the session on %s is closed: back to %s %s"), sv_host(v),
                             label_link_kind(o->kind), o->ref);
        *o = G->org[--G->norg];
    }
    if (sv_close(v, &err) != 0)
        ui_error_take(err);
    memmove(G->s + i, G->s + i + 1, (size_t)(G->n - i - 1) * sizeof *G->s);
    G->n--;
    if (G->cur >= G->n)
        G->cur = G->n ? G->n - 1 : 0;
    if (!G->n && G->focus)
        ui_modal_remove(G->focus);
    if (back[0]) { /* opened from a record: back to it */
        if (G->focus)
            ui_modal_remove(G->focus);
        ui_switch_pane(back);
        /* this console wrote the session and the link: data_version only
         * moves for other connections, so the record is read again here */
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS);
        ui_message("%s", back_msg);
    }
    free(back_msg);
    ui_dirty(UI_DIRTY_ALL);
}

static void close_answer(int yes, void *data)
{
    struct sv *v = data;
    if (!yes || !G)
        return;
    for (int i = 0; i < G->n; i++)
        if (G->s[i] == v) {
            close_at(i);
            break;
        }
}

static void close_current(void)
{
    struct sv *v = cur_sv();
    if (!v)
        return;
    if (sv_finished(v)) {
        close_at(G->cur);
        return;
    }
    char *q = xasprintf(_("Close the session to %s? (y/n)"), sv_host(v));
    ui_confirm(q, close_answer, v);
    free(q);
}

static void next_session(int d)
{
    if (!G || G->n < 2)
        return;
    G->cur = (G->cur + d + G->n) % G->n;
    ui_dirty(UI_DIRTY_ALL);
}

int consoles_open_host(const char *host, char **err)
{
    if (ui_switch_pane("consoles") != 0 || !G) {
        set_err(err, _("the Consoles pane is not available"));
        return -1;
    }
    int rows = G->area_h > 0 ? G->area_h : LINES - 4;
    int cols = G->area_w > 0 ? G->area_w : COLS;
    struct sv *v = sv_open(ui_store(), host, rows, cols, on_change, NULL, err);
    if (!v)
        return -1;
    G->s = xrealloc(G->s, (size_t)(G->n + 1) * sizeof *G->s);
    G->s[G->n] = v;
    G->cur = G->n++;
    focus_push();
    ui_dirty(UI_DIRTY_ALL);
    return 0;
}

int consoles_open_host_for(const char *host, const char *kind, const char *ref,
                           const char *back_pane, char **err)
{
    if (consoles_open_host(host, err) != 0) {
        if (back_pane) /* refused (a demo host, an unknown name): stay on the record */
            ui_switch_pane(back_pane);
        return -1;
    }
    G->org = xrealloc(G->org, (size_t)(G->norg + 1) * sizeof *G->org);
    struct origin *o = &G->org[G->norg++];
    memset(o, 0, sizeof *o);
    o->v = cur_sv();
    snprintf(o->kind, sizeof o->kind, "%s", kind);
    snprintf(o->ref, sizeof o->ref, "%s", ref);
    snprintf(o->pane, sizeof o->pane, "%s", back_pane ? back_pane : "");
    link_origin(o->v);
    return 0;
}

/* ---- linking a session to an incident or a change ---- */
static int link_session(struct store *st, const char *sid, const char *kind, const char *ref,
                        char **err)
{
    if (strcmp(kind, "incident") == 0)
        return incident_link(st, ref, "ssh_session", sid, NULL, err);
    if (strcmp(kind, "change") == 0)
        return change_link_session(st, ref, sid, err);
    set_err(err, _("link what? link incident REF or link change REF"));
    return -1;
}

/* A session opened for a record is linked to it as soon as it is recorded
 * (its shell opened), with the same core call as `:link`. */
static void link_origin(struct sv *v)
{
    struct origin *o = origin_of(v);
    if (!o || o->linked || !*sv_session_id(v))
        return;
    o->linked = 1;
    char *err = NULL;
    if (link_session(ui_store(), sv_session_id(v), o->kind, o->ref, &err) != 0)
        ui_error_take(err);
    else
        ui_message(_("the session on %s is linked to %s %s"), sv_host(v), label_link_kind(o->kind),
                   o->ref);
}

/* Tab on the command line: the words of `link incident|change REF`. */
static char *complete_command(const char *text, void *data)
{
    (void)data;
    while (*text == ' ' || *text == ':')
        text++;
    if (strncmp("link ", text, strlen(text)) == 0 && strlen(text) < 5)
        return xstrdup("link ");
    if (strncmp(text, "link ", 5) == 0) {
        const char *w = text + 5;
        if (*w && strncmp("incident ", w, strlen(w)) == 0)
            return xstrdup("link incident ");
        if (*w && strncmp("change ", w, strlen(w)) == 0)
            return xstrdup("link change ");
    }
    ui_line_hint(_("link incident REF, link change REF"));
    return NULL;
}

static int run_command(const char *text, void *data, char **err);

/* The command line of a session: empty, so the command as documented
 * (`link incident REF`) is typed once. */
static void open_command_line(void)
{
    ui_line(":", "", run_command, complete_command, NULL);
    ui_line_hint(_("link incident REF, link change REF"));
}

static int run_command(const char *text, void *data, char **err)
{
    (void)data;
    struct sv *v = cur_sv();
    while (*text == ':')
        text++; /* ":link ..." as the help writes it */
    char *copy = xstrdup(text);
    char *save = NULL;
    char *w1 = strtok_r(copy, " \t", &save);
    char *w2 = w1 ? strtok_r(NULL, " \t", &save) : NULL;
    char *w3 = w2 ? strtok_r(NULL, " \t", &save) : NULL;
    int rc = 0;
    if (!w1) {
        rc = 0;
    } else if (strcmp(w1, "link") == 0 && w2 && w3) {
        if (!v || !*sv_session_id(v)) {
            set_err(err, _("this session is not recorded yet (no shell)"));
            rc = -1;
        } else if ((rc = link_session(ui_store(), sv_session_id(v), w2, w3, err)) == 0) {
            ui_message(_("the session on %s is linked to %s %s"), sv_host(v), label_link_kind(w2),
                       w3);
        }
    } else {
        set_err(err, _("commands here: link incident REF, link change REF"));
        rc = -1;
    }
    free(copy);
    return rc;
}

/* ---- help for the prefix keys ---- */
struct help {
    struct ui_modal m;
};

static void help_draw(struct ui_modal *m, const struct ui_canvas *scr)
{
    (void)m;
    char pk[32];
    sv_prefix_name(pk, sizeof pk);
    char *title = xasprintf(_("Console keys: prefix %s, then"), pk);
    struct ui_canvas in = ui_box(scr, 14, scr->w - 4 < 70 ? scr->w - 4 : 70, title);
    free(title);
    static const char *const lines[] = {
        N_("n / p      next / previous session"),
        N_("c          close the session (the recording is kept)"),
        N_("z          zoom the session to the whole screen and back"),
        N_("[ or S-PgUp  scroll mode: k/j PgUp/PgDn g/G, / search, n/N, q"),
        N_(":          command line: link incident REF, link change REF"),
        N_("d          detach: keys go to the console (Enter comes back)"),
        N_("m          the mouse to the console and back"),
        N_("prefix     send the prefix key itself to the server"),
        N_("?          this help (any key closes it)"),
    };
    for (int i = 0; i < (int)(sizeof lines / sizeof lines[0]) && i < in.h; i++)
        ui_put(&in, i, 0, in.w, STYLE_NORMAL, _(lines[i]));
    ui_put(&in, in.h - 2, 0, in.w, STYLE_DIM,
           _("Everything else goes to the server. Paste is bracketed when the server asks."));
    ui_put(&in, in.h - 1, 0, in.w, STYLE_DIM,
           _("The mouse too, if asked; Shift+click or prefix m keeps it here."));
}

static int help_key(struct ui_modal *m, int key)
{
    (void)m, (void)key;
    return 1;
}

static void show_help(void)
{
    struct help *h = xcalloc(1, sizeof *h);
    h->m.key = help_key;
    h->m.draw = help_draw;
    h->m.free = (void (*)(struct ui_modal *))free;
    ui_modal_push(&h->m);
}

/* ---- the mouse ---- */
static char *tab_label(int i)
{
    const char *st = sv_state_label(G->s[i]);
    return *st ? xasprintf(" %d:%s (%s) ", i + 1, sv_host(G->s[i]), st)
               : xasprintf(" %d:%s ", i + 1, sv_host(G->s[i]));
}

/* The session whose tab is at column x, or -1. */
static int tab_at(int x)
{
    int left = 0;
    for (int i = 0; i < G->n; i++) {
        char *t = tab_label(i);
        int w = text_width(t);
        free(t);
        if (x >= left && x < left + w)
            return i;
        left += w;
    }
    return -1;
}

/* The operator's terminal reports motion and releases only while the session
 * on screen has the keys and its program wants the mouse. */
static void update_outer_mouse(void)
{
    struct sv *v = cur_sv();
    sv_outer_mouse(G && G->focus && v && !G->mouse_off ? sv_mouse_mode(v) : TERM_MOUSE_NONE);
}

/* The console's own mouse over the pane: y, x relative to the pane (row 0
 * the session tabs); button 1 click, 4/5 wheel. */
static void own_mouse(int y, int x, int button)
{
    struct sv *v = cur_sv();
    if (!v)
        return;
    if (y == 0 && !(G->zoom && G->focus)) {
        int i = button == 1 ? tab_at(x) : -1;
        if (i >= 0) {
            G->cur = i;
            focus_push();
            ui_dirty(UI_DIRTY_ALL);
        }
        return;
    }
    focus_push();
    if (button == 4 || button == 5)
        sv_scroll_wheel(v, button == 4 ? 3 : -3);
    ui_dirty(UI_DIRTY_ALL);
}

static void focus_mouse(struct ui_modal *m, const MEVENT *ev)
{
    (void)m;
    struct sv *v = cur_sv();
    if (!v)
        return;
    int row = ev->y - G->area_y, col = ev->x - G->area_x;
    int inside = row >= 0 && row < G->area_h && col >= 0 && col < G->area_w;
    /* Shift keeps the mouse with the console, as terminals keep Shift+click
     * for their own selection; scroll mode is the console's too. */
    int to_program = sv_mouse_mode(v) != TERM_MOUSE_NONE && !G->mouse_off &&
                     !(ev->bstate & BUTTON_SHIFT) && !sv_scrolling(v);
    if (to_program && (inside || sv_mouse_held(v))) {
        sv_mouse(v, ev, row, col);
        return;
    }
    if (sv_mouse_held(v) && (ev->bstate & (BUTTON1_RELEASED | BUTTON2_RELEASED | BUTTON3_RELEASED)))
        sv_mouse(v, ev, row, col); /* never leave the program a button held */
    int button = ev->bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED) ? 1
                 : ev->bstate & BUTTON4_PRESSED                   ? 4
#ifdef BUTTON5_PRESSED
                 : ev->bstate & BUTTON5_PRESSED ? 5
#endif
                                                : 0;
    int pane_y = G->zoom ? row : row + 1;
    if (button && pane_y >= 0 && (inside || pane_y == 0))
        own_mouse(pane_y, col, button);
}

/* ---- the focus modal ---- */
static void focus_draw(struct ui_modal *m, const struct ui_canvas *scr)
{
    (void)m;
    struct sv *v = cur_sv();
    if (!v)
        return;
    if (G->zoom) {
        sv_resize(v, scr->h, scr->w);
        int cy, cx;
        sv_draw(v, scr, &cy, &cx);
        G->area_y = scr->y;
        G->area_x = scr->x;
        G->area_h = scr->h;
        G->area_w = scr->w;
        ui_cursor_y = cy;
        ui_cursor_x = cx;
    } else {
        ui_cursor_y = G->cy;
        ui_cursor_x = G->cx;
    }
    update_outer_mouse();
}

static void focus_free(struct ui_modal *m)
{
    if (G && G->focus == m) {
        G->focus = NULL;
        G->zoom = 0;
        G->prefix = 0;
    }
    update_outer_mouse();
    if (!ui_headless) {
        noraw();
        cbreak();
    }
    free(m);
    ui_dirty(UI_DIRTY_ALL);
}

/* Keys after the prefix; 1 when the focus modal closes. */
static int prefix_key(int key)
{
    struct sv *v = cur_sv();
    switch (key) {
    case 'n':
        next_session(1);
        break;
    case 'p':
        next_session(-1);
        break;
    case 'c':
        close_current();
        break;
    case 'z':
        G->zoom = !G->zoom;
        ui_dirty(UI_DIRTY_ALL);
        break;
    case '[':
    case UI_KEY_FN | KEY_PPAGE:
        if (v)
            sv_scroll_enter(v);
        break;
    case ':':
        open_command_line();
        break;
    case '?':
        show_help();
        break;
    case 'm':
        G->mouse_off = !G->mouse_off;
        update_outer_mouse();
        ui_message("%s", G->mouse_off ? _("mouse: the console's (prefix m gives it back to "
                                          "programs that ask)")
                                      : _("mouse: to the program in the session when it asks"));
        break;
    case 'd':
    case 'q':
        G->zoom = 0;
        ui_message("%s", _("detached: Enter returns to the session, Tab to other panes"));
        return 1;
    default:
        if (key == sv_prefix_key() && v) {
            char b = (char)key;
            sv_send(v, &b, 1);
        }
        break;
    }
    return 0;
}

static int focus_key(struct ui_modal *m, int key)
{
    (void)m;
    struct sv *v = cur_sv();
    if (!v)
        return 1;
    if (G->prefix) {
        G->prefix = 0;
        ui_dirty(UI_DIRTY_STATUS);
        return prefix_key(key);
    }
    if (key == sv_prefix_key()) {
        G->prefix = 1;
        ui_message("%s", _("prefix: n p next/previous, c close, z zoom, [ scroll, : link, m "
                           "mouse, d detach, ? help"));
        return 0;
    }
    if (sv_scrolling(v)) {
        sv_scroll_key(v, key);
        return 0;
    }
    if (key == (UI_KEY_FN | KEY_SPREVIOUS)) {
        sv_scroll_enter(v);
        sv_scroll_key(v, key);
        return 0;
    }
    if (sv_key(v, key) || !sv_finished(v))
        return 0;
    /* The shell ended (or never started): Enter or q closes the tab. */
    if (key == UI_KEY_ENTER || key == 'q')
        close_at(G->cur);
    else
        ui_message("%s", _("the session has ended: Enter closes it (the recording is kept)"));
    return 0;
}

/* A bracketed paste while the session has the keys: to the server whole,
 * bracketed when its program asked (a shell then runs none of its lines until
 * Enter). After the prefix key, or at a question, it is typed instead. */
static int focus_paste(struct ui_modal *m, const char *text, size_t len)
{
    (void)m;
    struct sv *v = cur_sv();
    if (!v || G->prefix || sv_scrolling(v) || !sv_paste(v, text, len))
        return 0;
    return 1;
}

static void focus_push(void)
{
    if (!G || G->focus || !cur_sv())
        return;
    struct ui_modal *m = xcalloc(1, sizeof *m);
    m->key = focus_key;
    m->draw = focus_draw;
    m->free = focus_free;
    m->mouse = focus_mouse;
    m->paste = focus_paste;
    G->focus = m;
    ui_modal_push(m);
    if (!ui_headless)
        raw(); /* C-c, C-z and C-\ go to the server, not to unyo */
    char pk[32];
    sv_prefix_name(pk, sizeof pk);
    ui_message(_("keys go to the server; %s then ? shows the console keys"), pk);
}

/* ---- pane ops ---- */
static int con_open(struct pane *p, char **err)
{
    (void)err;
    G = xcalloc(1, sizeof *G);
    G->cy = G->cx = -1;
    G->tick = ui_loop_add_timer(100, on_tick, NULL);
    p->data = G;
    sv_load_prefix();
    return 0;
}

static void con_free(struct pane *p)
{
    (void)p;
    if (!G)
        return;
    while (G->n) {
        char *err = NULL;
        if (sv_close(G->s[--G->n], &err) != 0) {
            fprintf(stderr, "unyo: %s\n", err);
            free(err);
        }
    }
    if (G->tick >= 0)
        ui_loop_remove_timer(G->tick);
    sv_outer_mouse(TERM_MOUSE_NONE);
    free(G->s);
    free(G->org);
    free(G);
    G = NULL;
}

static void draw_tabs(const struct ui_canvas *c)
{
    ui_clear(c, 0, STYLE_TAB);
    int x = 0;
    for (int i = 0; i < G->n && x < c->w; i++) {
        char *t = tab_label(i);
        int w = text_width(t);
        if (w > c->w - x)
            w = c->w - x;
        x += ui_put(c, 0, x, w, i == G->cur ? STYLE_TAB_ACTIVE : STYLE_TAB, t);
        free(t);
    }
    char pk[32];
    sv_prefix_name(pk, sizeof pk);
    char *hint = G->focus ? xasprintf(" %s ? ", pk) : xstrdup(_(" Enter: type here "));
    int hw = text_width(hint);
    if (x + hw < c->w)
        ui_put_right(c, 0, c->w - hw, hw, STYLE_DIM, hint);
    free(hint);
}

static void con_draw(struct pane *p, const struct ui_canvas *c)
{
    (void)p;
    G->cy = G->cx = -1;
    G->drawn = 1;
    ui_clear(c, -1, STYLE_NORMAL);
    struct ui_canvas area = ui_canvas_sub(c, 1, 0, c->h - 1, c->w);
    G->area_h = area.h;
    G->area_w = area.w;
    if (!G->n) {
        ui_put(c, 1, 2, -1, STYLE_HEADER, _("No console sessions."));
        ui_put(c, 3, 2, -1, STYLE_NORMAL,
               _("Open one from the Hosts pane (Enter on a host), or press o and give a host."));
        char pk[32];
        sv_prefix_name(pk, sizeof pk);
        char *m = xasprintf(_("In a session every key goes to the server; %s is the prefix key "
                              "(then ? for help)."),
                            pk);
        ui_put(c, 4, 2, -1, STYLE_DIM, m);
        free(m);
        return;
    }
    draw_tabs(c);
    struct sv *v = cur_sv();
    for (int i = 0; i < G->n; i++)
        sv_set_foreground(G->s[i], i == G->cur);
    if (G->zoom && G->focus)
        return; /* the focus modal draws it over the whole screen */
    sv_resize(v, area.h, area.w);
    sv_draw(v, &area, &G->cy, &G->cx);
    G->area_y = area.y;
    G->area_x = area.x;
    update_outer_mouse();
}

static void con_resize(struct pane *p, int h, int w)
{
    (void)p;
    if (G && cur_sv() && !G->zoom)
        sv_resize(cur_sv(), h - 1, w);
}

static int open_cb(const char *text, void *data, char **err)
{
    (void)data;
    if (!*text)
        return 0;
    return consoles_open_host(text, err);
}

/* ---- searching the recordings ---- */
struct rec_hits {
    struct session_hit *v;
    size_t n;
    char *text;
};

static void rec_hits_free(void *data)
{
    struct rec_hits *h = data;
    session_hits_free(h->v, h->n);
    free(h->text);
    free(h);
}

static void rec_pick(int index, void *data)
{
    struct rec_hits *h = data;
    if (index < 0 || (size_t)index >= h->n)
        return;
    char *err = NULL;
    if (session_player_open_at(ui_store(), h->v[index].id, h->v[index].at_ms, h->text, &err) != 0)
        ui_error("%s", err);
    free(err);
}

/* The lines recorded sessions showed that hold text, newest session first: one is
 * played from the moment it showed. */
static int rec_search(const char *text, void *data, char **err)
{
    (void)data;
    if (!*text)
        return 0;
    struct store *st = ui_store();
    struct rec_hits *h = xcalloc(1, sizeof *h);
    if (session_index_pending(st, 0, NULL, err) != 0 ||
        session_search(st, text, NULL, NULL, 200, &h->v, &h->n, err) != 0) {
        rec_hits_free(h);
        return -1;
    }
    if (h->n == 0) {
        set_err(err, _("no recorded session showed \"%s\""), text);
        rec_hits_free(h);
        return -1;
    }
    h->text = xstrdup(text);
    char **items = xcalloc(h->n, sizeof *items);
    for (size_t i = 0; i < h->n; i++) {
        const struct session_hit *x = &h->v[i];
        char started[40] = "";
        int64_t ms;
        if (x->started_at && time_parse(x->started_at, &ms) == 0)
            time_format_jst(ms, started, 1);
        long long sec = (long long)(x->at_ms / 1000);
        items[i] = xasprintf("%s  %s  %s  +%lld:%02lld:%02lld  %s", started, x->host,
                             x->operator_login ? x->operator_login : "-", sec / 3600, sec / 60 % 60,
                             sec % 60, x->line);
    }
    char *title = xasprintf(_("Recordings that showed \"%s\" (Enter plays from there)"), text);
    ui_pick_ex(title, (const char *const *)items, (int)h->n, rec_pick, NULL, h, rec_hits_free);
    free(title);
    for (size_t i = 0; i < h->n; i++)
        free(items[i]);
    free(items);
    return 0;
}

static int con_action(struct pane *p, const char *a)
{
    (void)p;
    struct sv *v = cur_sv();
    if (strcmp(a, "consoles.attach") == 0 || strcmp(a, "open") == 0) {
        focus_push();
        return 1;
    }
    if (strcmp(a, "consoles.new") == 0) {
        ui_prompt(_("New console session"), _("Host (inventory name or ssh_config alias)"), NULL, 1,
                  open_cb, NULL, NULL);
        return 1;
    }
    if (strcmp(a, "consoles.next") == 0 || strcmp(a, "right") == 0 || strcmp(a, "down") == 0) {
        next_session(1);
        return 1;
    }
    if (strcmp(a, "consoles.prev") == 0 || strcmp(a, "left") == 0 || strcmp(a, "up") == 0) {
        next_session(-1);
        return 1;
    }
    if (strcmp(a, "consoles.close") == 0) {
        close_current();
        return 1;
    }
    if (strcmp(a, "consoles.zoom") == 0 && v) {
        G->zoom = 1;
        focus_push();
        return 1;
    }
    if (strcmp(a, "consoles.scroll") == 0 && v) {
        focus_push();
        sv_scroll_enter(v);
        return 1;
    }
    if (strcmp(a, "consoles.link") == 0 && v) {
        open_command_line();
        return 1;
    }
    if (strcmp(a, "consoles.recordings") == 0) {
        ui_line(_("search recordings: "), "", rec_search, NULL, NULL);
        return 1;
    }
    return 0;
}

static void con_mouse(struct pane *p, int y, int x, int button)
{
    (void)p;
    own_mouse(y, x, button);
}

static int con_key(struct pane *p, int key)
{
    (void)p;
    if (key == sv_prefix_key() && cur_sv()) {
        focus_push();
        G->prefix = 1;
        return 1;
    }
    if (key == (UI_KEY_FN | KEY_SPREVIOUS) && cur_sv()) {
        focus_push();
        sv_scroll_enter(cur_sv());
        sv_scroll_key(cur_sv(), key);
        return 1;
    }
    return 0;
}

static const struct ui_binding con_bindings[] = {
    {"consoles.attach", "Enter i", N_("type into the session (the prefix key comes back)")},
    {"consoles.new", "o", N_("open a session to a host")},
    {"consoles.next", "n", N_("next session")},
    {"consoles.prev", "p", N_("previous session")},
    {"consoles.close", "c", N_("close the session (the recording is kept)")},
    {"consoles.zoom", "z", N_("zoom the session to the whole screen")},
    {"consoles.scroll", "[", N_("scroll back (10,000 lines) and search with /")},
    {"consoles.link", "L", N_("link the session to an incident or a change")},
    {"consoles.recordings", "R", N_("search the recorded sessions and play one from the match")},
    {NULL, NULL, NULL},
};

const struct pane_ops consoles_pane = {
    .name = "consoles",
    .title = N_("Consoles"),
    .bindings = con_bindings,
    .open = con_open,
    .draw = con_draw,
    .action = con_action,
    .key = con_key,
    .mouse = con_mouse,
    .resize = con_resize,
    .free = con_free,
};

/* ---- `unyo ssh HOST`: one session, full screen ---- */
struct full {
    struct store *st;
    struct sv *v;
    int prefix;
    int mouse_off; /* prefix m: the terminal keeps its own mouse */
    int quit;
    /* benchmarks */
    const char *bench_seq;
    int seq_sent;
    double t0, t_shell, t_end;
    int bench_typing;    /* --bench-typing given */
    int typing;          /* streaming sessions for --bench-typing */
    int keys;            /* keys to type */
    struct sv **streams; /* the streaming sessions */
    int started;         /* typing started */
    int typed, measured; /* keys typed, latencies measured */
    int lost;            /* keys whose echo did not come within 2 s */
    double quiet_until;
    const char *stream_cmd; /* what the streaming sessions run */
    int waiting;            /* a key is waiting for its echo */
    int echo_seen;          /* its echo is in the model: the next frame shows it */
    int pre_row, pre_col;   /* cursor before the key */
    double t_key;
    double *lat;
};

static struct full F;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void full_notify(struct sv *v, void *ud)
{
    (void)ud;
    if (v != F.v)
        return; /* a streaming session of the benchmark: off screen */
    ui_dirty(UI_DIRTY_PANE);
    if (F.bench_seq && !F.seq_sent && sv_state(v) == SSH_SHELL) {
        F.t_shell = now_s();
        char *cmd = xasprintf("%s; exit\r", F.bench_seq);
        sv_send(v, cmd, strlen(cmd));
        free(cmd);
        F.seq_sent = 1;
    }
    if (F.waiting && !F.echo_seen) {
        /* The shell on screen prints nothing else: any change after the key
         * is its echo (the cursor may stay put at the right margin). */
        F.echo_seen = 1;
    }
}

static void stream_notify(struct sv *v, void *ud)
{
    (void)v, (void)ud; /* off screen: nothing to draw */
}

static int stream_started[64];

static int stream_tick(void *data)
{
    (void)data;
    int all = 1;
    for (int i = 0; i < F.typing; i++) {
        if (!stream_started[i] && sv_state(F.streams[i]) == SSH_SHELL) {
            char *cmd = xasprintf("%s\r", F.stream_cmd);
            sv_send(F.streams[i], cmd, strlen(cmd));
            free(cmd);
            stream_started[i] = 1;
        }
        if (!stream_started[i])
            all = 0;
    }
    if (all && !F.started && sv_state(F.v) == SSH_SHELL) {
        F.started = 1;
        F.t0 = now_s(); /* typing begins a second after every stream runs */
    }
    return 1;
}

static void full_key(int key)
{
    struct sv *v = F.v;
    struct ui_modal *m = ui_modal_top();
    if (m) {
        if (m->key(m, key))
            ui_modal_remove(m);
        ui_dirty(UI_DIRTY_ALL);
        return;
    }
    if (F.prefix) {
        F.prefix = 0;
        if (key == 'd' || key == 'q')
            F.quit = 1;
        else if (key == '[' || key == (UI_KEY_FN | KEY_PPAGE))
            sv_scroll_enter(v);
        else if (key == '?')
            show_help();
        else if (key == 'm')
            F.mouse_off = !F.mouse_off;
        else if (key == sv_prefix_key()) {
            char b = (char)key;
            sv_send(v, &b, 1);
        }
        ui_dirty(UI_DIRTY_ALL);
        return;
    }
    if (key == sv_prefix_key()) {
        F.prefix = 1;
        return;
    }
    if (sv_finished(v)) {
        F.quit = 1;
        return;
    }
    if (sv_scrolling(v)) {
        sv_scroll_key(v, key);
        return;
    }
    if (key == (UI_KEY_FN | KEY_SPREVIOUS)) {
        sv_scroll_enter(v);
        sv_scroll_key(v, key);
        return;
    }
    sv_key(v, key);
}

static int type_tick(void *data)
{
    (void)data;
    if (F.waiting && now_s() - F.t_key > 2.0) {
        F.lost++; /* no echo within 2 s: counted, not measured */
        F.waiting = 0;
    }
    if (!F.started || F.waiting || now_s() - F.t0 < 1.0 || now_s() < F.quiet_until)
        return 1;
    if (F.measured + F.lost >= F.keys) {
        F.quit = 1;
        return 0;
    }
    if (F.typed > 0 && F.typed % 40 == 0) {
        sv_key(F.v, UI_KEY_CTRL('u')); /* clear the line; not measured */
        F.typed++;
        F.quiet_until = now_s() + 0.2; /* its redraw is not an echo */
        return 1;
    }
    sv_cursor(F.v, &F.pre_row, &F.pre_col);
    F.t_key = now_s(); /* as if just read from the terminal */
    F.waiting = 1;
    F.echo_seen = 0;
    full_key('a' + F.typed % 26);
    F.typed++;
    return 1;
}

/* `unyo ssh`: the terminal reports the mouse only while the program wants
 * it (and prefix m has not given it back to the terminal). Shift+click and
 * scroll mode keep it with the console: the wheel then scrolls back. */
static void full_mouse(void)
{
    MEVENT ev;
    struct sv *v = F.v;
    if (getmouse(&ev) != OK || ui_modal_top() || F.prefix)
        return;
    int to_program =
        sv_mouse_mode(v) != TERM_MOUSE_NONE && !(ev.bstate & BUTTON_SHIFT) && !sv_scrolling(v);
    if (to_program || (sv_mouse_held(v) &&
                       (ev.bstate & (BUTTON1_RELEASED | BUTTON2_RELEASED | BUTTON3_RELEASED)))) {
        sv_mouse(v, &ev, ev.y, ev.x);
        return;
    }
    if (ev.bstate & BUTTON4_PRESSED)
        sv_scroll_wheel(v, 3);
#ifdef BUTTON5_PRESSED
    else if (ev.bstate & BUTTON5_PRESSED)
        sv_scroll_wheel(v, -3);
#endif
    ui_dirty(UI_DIRTY_ALL);
}

static void full_input(void)
{
    wint_t wc;
    int rc;
    while ((rc = wget_wch(stdscr, &wc)) != ERR) {
        int key = rc == KEY_CODE_YES ? (int)(UI_KEY_FN | (int)wc) : (int)wc;
        key = keymap_normalize(key);
        if (key == (UI_KEY_FN | KEY_RESIZE))
            continue;
        if (key == (UI_KEY_FN | KEY_MOUSE)) {
            full_mouse();
            continue;
        }
        full_key(key);
    }
}

static void full_signal(int sig)
{
    if (sig == SIGWINCH) {
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
            resizeterm(ws.ws_row, ws.ws_col);
        clearok(curscr, TRUE);
        ui_dirty(UI_DIRTY_ALL);
    } else {
        F.quit = 1;
    }
}

static void full_draw(void)
{
    struct ui_canvas scr = {stdscr, 0, 0, LINES, COLS};
    sv_resize(F.v, LINES, COLS);
    int cy, cx;
    sv_draw(F.v, &scr, &cy, &cx);
    sv_outer_mouse(F.mouse_off ? TERM_MOUSE_NONE : sv_mouse_mode(F.v));
    ui_modal_draw_all(&scr);
    if (ui_cursor_y >= 0) {
        cy = ui_cursor_y;
        cx = ui_cursor_x;
    }
    if (cy >= 0) {
        curs_set(1);
        wmove(stdscr, cy, cx);
    } else {
        curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int consoles_ssh_options(int argc, char **argv, struct consoles_ssh_options *o, char **err)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--bench-seq") == 0 && i + 1 < argc)
            o->bench_seq = argv[++i];
        else if (strcmp(argv[i], "--bench-typing") == 0 && i + 1 < argc) {
            o->typing = atoi(argv[++i]);
            o->bench_typing = 1;
        } else if (strcmp(argv[i], "--bench-keys") == 0 && i + 1 < argc)
            o->keys = atoi(argv[++i]);
        else if (strcmp(argv[i], "--bench-stream") == 0 && i + 1 < argc)
            o->stream_cmd = argv[++i];
        else {
            set_err(err, _("unknown option %s"), argv[i]);
            return -1;
        }
    }
    if (o->typing < 0 || o->typing > 64) {
        set_err(err, "%s", _("--bench-typing takes 0 to 64 sessions"));
        return -1;
    }
    if (o->bench_typing && o->keys <= 0)
        o->keys = 200;
    if (!o->stream_cmd)
        o->stream_cmd = "while :; do date; done";
    return 0;
}

int consoles_ssh_terminal(char **err)
{
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
        return 0;
    set_err(err, "%s", _("ssh needs a terminal"));
    return -1;
}

int consoles_ssh_main(struct store *st, const char *host, const struct consoles_ssh_options *o,
                      char **errp)
{
    memset(&F, 0, sizeof F);
    F.bench_seq = o->bench_seq;
    F.bench_typing = o->bench_typing;
    F.typing = o->typing;
    F.keys = o->keys;
    F.stream_cmd = o->stream_cmd;
    F.st = st;
    if (consoles_ssh_terminal(errp) != 0)
        return -1;
    F.t0 = now_s();
    char *err = NULL;
    if (ui_terminal_start(UI_TERM_RAW, &err) != 0) { /* C-c, C-z and C-\ go to the server */
        free(err);
        err = NULL;
    }
    sv_load_prefix();
    sv_define_paste_keys();
    sv_outer_paste_mode(1);
    F.v = sv_open(F.st, host, LINES, COLS, full_notify, NULL, &err);
    if (F.v)
        sv_set_foreground(F.v, 1);
    if (!F.v) {
        sv_outer_paste_mode(0);
        ui_terminal_stop();
        ui_terminal_done();
        *errp = err;
        return -1;
    }
    int tick = -1, stick = -1;
    if (F.bench_typing) {
        F.streams = xcalloc((size_t)F.typing + 1, sizeof *F.streams);
        for (int i = 0; i < F.typing; i++) {
            F.streams[i] = sv_open(F.st, host, 24, 80, stream_notify, NULL, &err);
            if (!F.streams[i]) {
                ui_error_take(err);
                err = NULL;
                F.typing = i;
                break;
            }
        }
        F.lat = xcalloc((size_t)F.keys, sizeof *F.lat);
        stick = ui_loop_add_timer(50, stream_tick, NULL);
        tick = ui_loop_add_timer(20, type_tick, NULL);
    }
    ui_dirty(UI_DIRTY_ALL);
    int failed_shown = 0;
    while (!F.quit && !ui_loop_quitting()) {
        unsigned d = ui_loop_take_dirty();
        if (d) {
            full_draw();
            if (F.echo_seen && F.waiting) {
                if (F.measured < F.keys)
                    F.lat[F.measured++] = (now_s() - F.t_key) * 1e3;
                F.waiting = 0;
                F.echo_seen = 0;
            }
        }
        enum ssh_state s = sv_state(F.v);
        if (s == SSH_CLOSED) {
            if (F.bench_seq) {
                full_draw(); /* the final frame */
                F.t_end = now_s();
            }
            break;
        }
        if (s == SSH_FAILED) {
            if (F.bench_seq || F.bench_typing)
                break;
            if (!failed_shown) {
                failed_shown = 1; /* shown until a key is pressed */
                ui_dirty(UI_DIRTY_ALL);
                continue;
            }
        }
        if (ui_loop_pending())
            continue;
        if (ui_loop_wait(STDIN_FILENO, full_input, full_signal) != 0)
            break;
    }
    if (tick >= 0)
        ui_loop_remove_timer(tick);
    if (stick >= 0)
        ui_loop_remove_timer(stick);
    sv_outer_paste_mode(0);
    sv_outer_mouse(TERM_MOUSE_NONE);
    ui_terminal_stop();
    int status = sv_state(F.v) == SSH_CLOSED ? sv_exit_status(F.v) : -1;
    const char *sid = sv_session_id(F.v);
    char *sid_copy = xstrdup(sid);
    char *failure = sv_state(F.v) == SSH_FAILED ? xstrdup(sv_error(F.v)) : NULL;
    for (int i = 0; i < F.typing; i++) {
        sv_close(F.streams[i], NULL);
    }
    free(F.streams);
    int rc = sv_close(F.v, &err);
    ui_terminal_done();
    if (rc != 0)
        fprintf(stderr, "unyo: %s\n", err);
    free(err);
    if (F.bench_seq) {
        fprintf(stderr, "bench-seq total_ms=%.1f shell_ms=%.1f output_ms=%.1f\n",
                (F.t_end - F.t0) * 1e3, (F.t_shell - F.t0) * 1e3, (F.t_end - F.t_shell) * 1e3);
    }
    if (F.bench_typing) {
        int n = F.measured;
        if (n > 0) {
            qsort(F.lat, (size_t)n, sizeof *F.lat, cmp_d);
            fprintf(stderr,
                    "bench-typing sessions=%d keys=%d lost=%d median_ms=%.3f p95_ms=%.3f "
                    "max_ms=%.3f\n",
                    F.typing, n, F.lost, F.lat[n / 2], F.lat[(int)ceil(n * 0.95) - 1],
                    F.lat[n - 1]);
        } else {
            fprintf(stderr, "bench-typing: no key measured\n");
        }
        free(F.lat);
    }
    if (failure) {
        fprintf(stderr, "unyo: %s\n", failure);
        free(failure);
        free(sid_copy);
        return EXIT_FAILURE;
    }
    if (*sid_copy && !F.bench_seq && !F.bench_typing)
        fprintf(stderr, _("unyo: session %s recorded (unyo session export %s)\n"), sid_copy,
                sid_copy);
    free(sid_copy);
    return status >= 0 ? status : 0;
}
