/* The player of a recorded console session (issue 13): Enter on a session
 * row of an incident's timeline. A read-only viewer over the whole screen:
 * the recording replayed through libvterm by the core player
 * (src/session_play.h) and drawn as a session pane draws its screen
 * (sv_draw_term). Nothing typed reaches a server. Keys: Space play/pause,
 * Left/Right (h/l) 5 s back/forward, Up/Down (k/j) 30 s, g/G start/end,
 * + / - speed, / search the text, n/N next/previous match, ? keys, q or Esc
 * back to the incident. Long idle gaps play as 2 s. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"
#include "session_play.h"
#include "ssh_view.h"
#include "term.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "util.h"

#define IDLE_CAP_MS 2000
#define TICK_MS 50

static const double speeds[] = {0.5, 1, 2, 4, 8, 16};
#define NSPEEDS ((int)(sizeof speeds / sizeof speeds[0]))

struct pv {
    struct ui_modal m;
    struct player *p;
    char *title;
    int playing;
    int speed; /* index into speeds */
    int timer;
    int64_t last; /* monotonic ms at the last tick */
    double carry; /* ms of play not yet applied */
    char *needle;
    int help;
};

static const char *const help_lines[] = {
    N_("Space      play / pause"),
    N_("← → h l    5 seconds back / forward"),
    N_("↑ ↓ k j    30 seconds back / forward"),
    N_("g / G      the start / the end"),
    N_("+ / -      faster / slower"),
    N_("/          search the text of the recording"),
    N_("n / N      next / previous match"),
    N_("m          the markers: steps recorded while the session was linked"),
    N_("q Esc      back to the incident"),
};

/* 1 when hay holds needle, ASCII letters in either case. */
static int has_text(const char *hay, const char *needle)
{
    size_t k = strlen(needle);
    for (const char *h = hay; *h; h++) {
        size_t j = 0;
        while (j < k && h[j] &&
               (h[j] == needle[j] || ((h[j] | 32) == (needle[j] | 32) && (needle[j] | 32) >= 'a' &&
                                      (needle[j] | 32) <= 'z')))
            j++;
        if (j == k)
            return 1;
    }
    return 0;
}

/* The screen row (0..rows-1) that shows the match, LONG_MIN for none. */
static long match_row(struct pv *v)
{
    if (!v->needle || !*v->needle)
        return LONG_MIN;
    struct term *t = player_term(v->p);
    for (int r = term_rows(t) - 1; r >= 0; r--) {
        char *line = term_row_text(t, r);
        int hit = has_text(line, v->needle);
        free(line);
        if (hit)
            return r;
    }
    return LONG_MIN;
}

static void pv_draw(struct ui_modal *m, const struct ui_canvas *whole)
{
    struct pv *v = (struct pv *)m;
    /* the message line and the status line below stay the console's */
    struct ui_canvas me =
        ui_canvas_sub(whole, 0, 0, whole->h > 4 ? whole->h - 2 : whole->h, whole->w);
    const struct ui_canvas *scr = &me;
    ui_clear(scr, -1, STYLE_NORMAL);
    char *top = xasprintf(_("Recording: %s  (read-only)"), v->title ? v->title : "");
    ui_clear(scr, 0, STYLE_TAB_ACTIVE);
    ui_put(scr, 0, 0, scr->w, STYLE_TAB_ACTIVE, top);
    free(top);
    struct term *t = player_term(v->p);
    struct ui_canvas area = ui_canvas_sub(scr, 1, 0, scr->h - 2 > 0 ? scr->h - 2 : 1, scr->w);
    int trows = term_rows(t);
    long off = trows > area.h ? -(long)(trows - area.h) : 0; /* the bottom rows when cut */
    sv_draw_term(t, &area, off, match_row(v));
    char pos[24], len[24];
    time_format_offset(player_pos_ms(v->p), pos, sizeof pos);
    time_format_offset(player_length_ms(v->p), len, sizeof len);
    char *st = xasprintf(_("%s %s / %s  ×%g   Space %s  ←→ 5 s  ↑↓ 30 s  +- speed  / search  "
                           "n N  ? keys  q back"),
                         v->playing ? _("▶ playing") : _("‖ paused"), pos, len, speeds[v->speed],
                         v->playing ? _("pause") : _("play"));
    ui_clear(scr, scr->h - 1, STYLE_STATUSBAR);
    ui_put(scr, scr->h - 1, 0, scr->w, STYLE_STATUSBAR, st);
    free(st);
    if (v->help) {
        int n = (int)(sizeof help_lines / sizeof help_lines[0]);
        struct ui_canvas in =
            ui_box(scr, n + 3, scr->w - 4 < 60 ? scr->w - 4 : 60, _("Player keys"));
        for (int i = 0; i < n && i < in.h; i++)
            ui_put(&in, i, 0, in.w, STYLE_NORMAL, _(help_lines[i]));
        ui_put(&in, in.h - 1, 0, in.w, STYLE_DIM, _("Any key closes this help."));
    }
}

static int tick(void *data)
{
    struct pv *v = data;
    int64_t now = ui_monotonic_ms();
    if (!v->playing) {
        v->last = now;
        return 1;
    }
    v->carry += (double)(now - v->last) * speeds[v->speed];
    v->last = now;
    int64_t step = (int64_t)v->carry;
    v->carry -= (double)step;
    int64_t pos = player_pos_ms(v->p);
    int64_t next = player_next_ms(v->p);
    if (next > pos + IDLE_CAP_MS)
        pos = next - IDLE_CAP_MS; /* a long idle gap plays as IDLE_CAP_MS */
    player_seek(v->p, pos + step);
    if (player_pos_ms(v->p) >= player_length_ms(v->p)) {
        v->playing = 0;
        ui_message("%s", _("end of the recording: g plays it again, q goes back"));
    }
    ui_dirty(UI_DIRTY_ALL);
    return 1;
}

static void seek_by(struct pv *v, int64_t d)
{
    player_seek(v->p, player_pos_ms(v->p) + d);
    v->carry = 0;
}

static void find(struct pv *v, int dir)
{
    if (!v->needle || !*v->needle) {
        ui_message("%s", _("/ searches the text of the recording"));
        return;
    }
    int wrapped = 0;
    int64_t at = player_search(v->p, v->needle, dir, &wrapped);
    if (at < 0) {
        ui_error(_("\"%s\" is not in the recording"), v->needle);
        return;
    }
    player_seek(v->p, at);
    v->playing = 0;
    char c[24];
    time_format_offset(at, c, sizeof c);
    if (wrapped)
        ui_message(_("\"%s\" at %s (from the other end)"), v->needle, c);
    else
        ui_message(_("\"%s\" at %s"), v->needle, c);
}

static int search_cb(const char *text, void *data, char **err)
{
    (void)err;
    struct pv *v = data;
    free(v->needle);
    v->needle = xstrdup(text);
    if (*text)
        find(v, 1);
    ui_dirty(UI_DIRTY_ALL);
    return 0;
}

static void marker_pick(int index, void *data)
{
    struct pv *v = data;
    size_t n = 0;
    const struct player_marker *mk = player_markers(v->p, &n);
    if (index < 0 || (size_t)index >= n)
        return;
    player_seek(v->p, mk[index].ms);
    v->playing = 0;
    v->carry = 0;
    char c[24];
    time_format_offset(mk[index].ms, c, sizeof c);
    ui_message(_("at %s: %s"), c, mk[index].label);
    ui_dirty(UI_DIRTY_ALL);
}

static void show_markers(struct pv *v)
{
    size_t n = 0;
    const struct player_marker *mk = player_markers(v->p, &n);
    if (n == 0) {
        ui_message("%s", _("no markers: no incident or change step was recorded while the "
                           "session was linked to it"));
        return;
    }
    char **items = xcalloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        char c[24];
        time_format_offset(mk[i].ms, c, sizeof c);
        items[i] = xasprintf("%s  %s", c, mk[i].label);
    }
    ui_pick(_("Markers (Enter goes there)"), (const char *const *)items, (int)n, marker_pick, v);
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

static int pv_key(struct ui_modal *m, int key)
{
    struct pv *v = (struct pv *)m;
    ui_dirty(UI_DIRTY_ALL);
    if (v->help) {
        v->help = 0;
        return 0;
    }
    switch (key) {
    case 'q':
    case UI_KEY_ESC:
        return 1;
    case ' ':
    case 'p':
        if (!v->playing && player_pos_ms(v->p) >= player_length_ms(v->p))
            player_seek(v->p, 0); /* at the end: from the start */
        v->playing = !v->playing;
        v->last = ui_monotonic_ms();
        v->carry = 0;
        break;
    case 'l':
    case UI_KEY_FN | KEY_RIGHT:
        seek_by(v, 5000);
        break;
    case 'h':
    case UI_KEY_FN | KEY_LEFT:
        seek_by(v, -5000);
        break;
    case 'j':
    case UI_KEY_FN | KEY_DOWN:
        seek_by(v, 30000);
        break;
    case 'k':
    case UI_KEY_FN | KEY_UP:
        seek_by(v, -30000);
        break;
    case 'g':
    case UI_KEY_FN | KEY_HOME:
        player_seek(v->p, 0);
        break;
    case 'G':
    case UI_KEY_FN | KEY_END:
        player_seek(v->p, player_length_ms(v->p));
        v->playing = 0;
        break;
    case '+':
    case '=':
        if (v->speed + 1 < NSPEEDS)
            v->speed++;
        break;
    case '-':
        if (v->speed > 0)
            v->speed--;
        break;
    case '/':
        ui_line("/", "", search_cb, NULL, v);
        break;
    case 'n':
        find(v, 1);
        break;
    case 'm':
        show_markers(v);
        break;
    case 'N':
        find(v, -1);
        break;
    case '?':
    case UI_KEY_FN | KEY_F(1):
        v->help = 1;
        break;
    default:
        break;
    }
    return 0;
}

static void pv_free(struct ui_modal *m)
{
    struct pv *v = (struct pv *)m;
    if (v->timer >= 0)
        ui_loop_remove_timer(v->timer);
    player_free(v->p);
    free(v->title);
    free(v->needle);
    free(v);
    ui_dirty(UI_DIRTY_ALL);
}

int session_player_open(struct store *st, const char *session_id, char **err)
{
    return session_player_open_at(st, session_id, -1, NULL, err);
}

int session_player_open_at(struct store *st, const char *session_id, int64_t at_ms,
                           const char *needle, char **err)
{
    char *cast = NULL, *label = NULL;
    size_t len = 0;
    if (session_recording(st, session_id, NULL, &cast, &len, &label, err) != 0)
        return -1;
    struct player *p = NULL;
    int rc = player_new(cast, len, &p, err);
    free(cast);
    if (rc != 0) {
        free(label);
        return -1;
    }
    struct pv *v = xcalloc(1, sizeof *v);
    v->m.key = pv_key;
    v->m.draw = pv_draw;
    v->m.free = pv_free;
    v->p = p;
    v->title = label;
    v->speed = 1;
    v->playing = 1;
    v->last = ui_monotonic_ms();
    v->timer = ui_loop_add_timer(TICK_MS, tick, v);
    ui_modal_push(&v->m);
    if (needle && *needle)
        v->needle = xstrdup(needle);
    if (at_ms >= 0) {
        /* Paused at the moment the line showed, the match marked. */
        player_seek(p, at_ms);
        v->playing = 0;
        char c[24];
        time_format_offset(at_ms, c, sizeof c);
        ui_message(_("paused at %s: Space plays, n/N the next/previous match, q goes back"), c);
    } else {
        ui_message("%s", _("playing the recording: Space pauses, ? shows the keys, q goes back"));
    }
    ui_dirty(UI_DIRTY_ALL);
    return 0;
}
