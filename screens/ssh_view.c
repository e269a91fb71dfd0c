/* One SSH terminal session on the kit's loop, drawn from the libvterm model.
 * See ssh_view.h. */
#include "ssh_view.h"

#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "paths.h"
#include "ssh_console.h"
#include "store.h"
#include "term.h"
#include "textwidth.h"
#include "ui_filter.h"
#include "ui_keymap.h"
#include "util.h"

#define RESIZE_MERGE_MS 40

enum sv_ask { ASK_NONE, ASK_PASSWORD, ASK_PASSPHRASE };

struct sv {
    struct store *st;
    struct ssh_console *c;
    char *host;
    int rows, cols;           /* the size the server knows */
    int want_rows, want_cols; /* a pending resize */
    int resize_timer;
    int watch, watch_fd;
    int timer;
    int retry_timer;
    int again_timer; /* pump again next pass: output may wait inside libssh2 */
    int foreground;  /* on screen: never held back */
    sv_notify notify;
    void *ud;
    /* questions: the callback is synchronous, so the answer is collected first
     * and the connection retried with it (never stored beyond that) */
    enum sv_ask need, ask;
    enum sv_ask answered; /* an answer was given to this connection */
    char *ask_note;       /* why we ask again (the last failure) */
    char *ask_prompt;
    char answer[256];
    size_t answer_len;
    int have_answer;
    /* paste from the operator's terminal */
    int pasting;
    struct strbuf paste;
    /* scroll mode */
    int scrolling;
    long scroll; /* lines back from the live screen */
    long match_row;
    int has_match;
    char *pattern;
    size_t last_sb;
    char label[64];
    int mouse_held; /* bit b-1: button b pressed and passed to the program */
    /* keys typed while connecting: sent once the shell is open */
    int typeahead[1024];
    int ntypeahead;
};

/* ---- the prefix key ---- */
static int prefix_key = UI_KEY_CTRL(']');

int sv_prefix_key(void)
{
    return prefix_key;
}

const char *sv_prefix_name(char *buf, size_t size)
{
    if (prefix_key > 0 && prefix_key < 0x20) {
        snprintf(buf, size, "C-%c", prefix_key | 0x40);
        return buf;
    }
    return keymap_key_name(prefix_key, buf, size);
}

static int parse_prefix(const char *v)
{
    if ((v[0] == 'C' || v[0] == 'c') && v[1] == '-' && v[2] && !v[3]) {
        char ch = v[2];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (ch >= '@' && ch <= '_')
            return ch & 0x1f;
        return -1;
    }
    return keymap_parse_key(v);
}

static int on_prefix_ini(void *user, const char *section, const char *name, const char *value,
                         int line)
{
    (void)user, (void)line;
    if (strcmp(section, "consoles") == 0 && strcmp(name, "prefix") == 0) {
        int k = parse_prefix(value);
        if (k > 0)
            prefix_key = k;
        else
            ui_error(_("config.ini: [consoles] prefix: unknown key %s (C-] kept)"), value);
    }
    return 1;
}

void sv_load_prefix(void)
{
    char *dir = paths_config_dir();
    char *path = xasprintf("%s/config.ini", dir);
    ui_ini_parse(path, on_prefix_ini, NULL);
    free(path);
    free(dir);
}

/* ---- paste ---- */
void sv_define_paste_keys(void)
{
    define_key("\033[200~", SV_KEY_PASTE_BEGIN & ~UI_KEY_FN);
    define_key("\033[201~", SV_KEY_PASTE_END & ~UI_KEY_FN);
}

void sv_outer_paste_mode(int on)
{
    static int state;
    if (on == state || ui_headless)
        return;
    state = on;
    putp(on ? "\033[?2004h" : "\033[?2004l");
    fflush(stdout);
}

/* ---- questions from the SSH layer ---- */
static int take_answer(struct sv *v, char *buf, size_t size)
{
    if (!v->have_answer)
        return -1;
    snprintf(buf, size, "%s", v->answer);
    explicit_bzero(v->answer, sizeof v->answer);
    v->answer_len = 0;
    v->have_answer = 0;
    return 0;
}

static int ask_password(void *ud, const char *prompt, int echo, char *buf, size_t size)
{
    (void)echo;
    struct sv *v = ud;
    if (take_answer(v, buf, size) == 0) {
        v->answered = ASK_PASSWORD;
        return 0;
    }
    /* The first question of an attempt is the one asked: the connection tries
     * its ways in order, so a key's passphrase comes before the server's
     * password (never the other way round). */
    if (v->need != ASK_NONE)
        return -1;
    v->need = ASK_PASSWORD;
    free(v->ask_prompt);
    v->ask_prompt = xstrdup(prompt && *prompt ? prompt : _("Password: "));
    return -1;
}

static int ask_passphrase(void *ud, const char *keyfile, char *buf, size_t size)
{
    struct sv *v = ud;
    if (take_answer(v, buf, size) == 0) {
        v->answered = ASK_PASSPHRASE;
        return 0;
    }
    if (v->need != ASK_NONE)
        return -1;
    v->need = ASK_PASSPHRASE;
    free(v->ask_prompt);
    v->ask_prompt = xasprintf(_("Passphrase for %s: "), keyfile);
    return -1;
}

/* ---- the loop ---- */
static void sv_pump(struct sv *v);

/* Sessions off screen may use at most half the time: after a background pump
 * that took d, other background pumps wait d. The session on screen (and with
 * it the echo of what is typed) is never held back. */
static int64_t bg_next_us;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int on_again(void *data);

/* 1 when a background session must wait; it is then looked at again later
 * (its socket not watched meanwhile, so the loop does not spin). */
static int bg_defer(struct sv *v)
{
    if (v->foreground)
        return 0;
    int64_t wait = bg_next_us - now_us();
    if (wait <= 0)
        return 0;
    if (v->watch >= 0)
        ui_loop_set_fd_events(v->watch, 0);
    if (v->again_timer < 0)
        v->again_timer = ui_loop_add_timer((int)(wait / 1000) + 1, on_again, v);
    return 1;
}

static void on_fd(int fd, short revents, void *data)
{
    (void)fd, (void)revents;
    if (!bg_defer(data))
        sv_pump(data);
}

static int on_timer(void *data)
{
    struct sv *v = data;
    v->timer = -1;
    sv_pump(v);
    return 0;
}

static int on_again(void *data)
{
    struct sv *v = data;
    v->again_timer = -1;
    if (!bg_defer(v))
        sv_pump(v);
    return 0;
}

static void sv_unwatch(struct sv *v)
{
    if (v->again_timer >= 0)
        ui_loop_remove_timer(v->again_timer);
    v->again_timer = -1;
    if (v->watch >= 0)
        ui_loop_remove_fd(v->watch);
    v->watch = -1;
    v->watch_fd = -1;
    if (v->timer >= 0)
        ui_loop_remove_timer(v->timer);
    v->timer = -1;
}

/* The connection has ended (a question may still be open: see sv_finished). */
static int conn_over(const struct sv *v)
{
    enum ssh_state s = sv_state(v);
    return s == SSH_CLOSED || s == SSH_FAILED;
}

static void sv_arm(struct sv *v)
{
    if (!v->c || conn_over(v)) {
        sv_unwatch(v);
        return;
    }
    int fd = ssh_console_fd(v->c);
    short ev = ssh_console_events(v->c);
    if (!ev)
        ev = POLLIN;
    if (fd != v->watch_fd) {
        if (v->watch >= 0)
            ui_loop_remove_fd(v->watch);
        v->watch = fd >= 0 ? ui_loop_add_fd(fd, ev, on_fd, v) : -1;
        v->watch_fd = fd;
    } else if (v->watch >= 0) {
        ui_loop_set_fd_events(v->watch, ev);
    }
    if (v->timer >= 0)
        ui_loop_remove_timer(v->timer);
    v->timer = -1;
    int ms = ssh_console_timeout_ms(v->c);
    if (fd < 0 && (ms < 0 || ms > 20))
        ms = 20; /* no socket yet: look again soon */
    if (ms >= 0)
        v->timer = ui_loop_add_timer(ms > 0 ? ms : 1, on_timer, v);
}

static void sv_changed(struct sv *v)
{
    if (v->notify)
        v->notify(v, v->ud);
}

static void sv_pump(struct sv *v)
{
    if (!v->c)
        return;
    int64_t t0 = v->foreground ? 0 : now_us();
    int changed = ssh_console_pump(v->c);
    if (!v->foreground) {
        int64_t t1 = now_us();
        bg_next_us = t1 + (t1 - t0);
    }
    struct term *t = ssh_console_term(v->c);
    size_t sb = term_scrollback_count(t);
    if (v->scrolling && sb > v->last_sb && v->scroll > 0) {
        v->scroll += (long)(sb - v->last_sb); /* keep the view where it was */
        if (v->scroll > (long)sb)
            v->scroll = (long)sb;
    }
    v->last_sb = sb;
    if (ssh_console_state(v->c) == SSH_FAILED && v->ask == ASK_NONE) {
        if (v->need != ASK_NONE) {
            free(v->ask_note);
            v->ask_note = v->answered == ASK_PASSPHRASE && v->need == ASK_PASSPHRASE
                              ? xstrdup(_("Wrong passphrase: the key could not be read."))
                              : NULL;
            v->ask = v->need;
            v->need = ASK_NONE;
            changed = 1;
            /* Keys typed before the question are not its answer and never go
             * to the shell either (they may be the start of the password):
             * dropped, as OpenSSH's prompt flushes pending input. */
            explicit_bzero(v->typeahead, sizeof v->typeahead);
            v->ntypeahead = 0;
        } else if (v->answered != ASK_NONE) {
            /* The answer did not get us in (a wrong password): ask again. */
            free(v->ask_note);
            v->ask_note = xstrdup(ssh_console_error(v->c));
            v->ask = v->answered;
            changed = 1;
        }
        v->answered = ASK_NONE;
    }
    if (v->ntypeahead && ssh_console_state(v->c) == SSH_SHELL) {
        int n = v->ntypeahead;
        v->ntypeahead = 0;
        for (int i = 0; i < n; i++)
            sv_key(v, v->typeahead[i]); /* pumps and re-arms */
    }
    if (changed)
        sv_changed(v);
    sv_arm(v);
    /* Output was read: look again on the next pass, after keys and the frame.
     * A bounded pump (one that stops after a budget) then never starves the
     * loop, and data libssh2 buffered without the socket being readable is
     * not left waiting. */
    if (changed && v->again_timer < 0 && !conn_over(v))
        v->again_timer = ui_loop_add_timer(0, on_again, v);
}

static struct ssh_console *console_open(struct sv *v, char **err)
{
    struct ssh_conn_opts o = {0};
    o.hostkey_policy = SSH_HOSTKEY_ASK;
    o.prompts.password = ask_password;
    o.prompts.passphrase = ask_passphrase;
    o.prompts.ud = v;
    return ssh_console_open(v->st, v->host, &o, v->rows, v->cols, err);
}

struct sv *sv_open(struct store *st, const char *host, int rows, int cols, sv_notify notify,
                   void *ud, char **err)
{
    struct sv *v = xcalloc(1, sizeof *v);
    v->st = st;
    v->host = xstrdup(host);
    v->rows = v->want_rows = rows > 0 ? rows : 24;
    v->cols = v->want_cols = cols > 0 ? cols : 80;
    v->watch = v->watch_fd = v->timer = v->resize_timer = v->retry_timer = v->again_timer = -1;
    v->notify = notify;
    v->ud = ud;
    v->c = console_open(v, err);
    if (!v->c) {
        free(v->host);
        free(v);
        return NULL;
    }
    sv_pump(v);
    return v;
}

int sv_close(struct sv *v, char **err)
{
    if (!v)
        return 0;
    sv_unwatch(v);
    if (v->resize_timer >= 0)
        ui_loop_remove_timer(v->resize_timer);
    int rc = v->c ? ssh_console_close(v->c, err) : 0;
    explicit_bzero(v->answer, sizeof v->answer);
    free(v->ask_prompt);
    free(v->ask_note);
    free(v->pattern);
    sb_free(&v->paste);
    free(v->host);
    free(v);
    return rc;
}

/* A question was answered (or cancelled): connect again with the answer. */
static void sv_retry(struct sv *v, int cancel)
{
    v->ask = ASK_NONE;
    v->answered = ASK_NONE;
    free(v->ask_note);
    v->ask_note = NULL;
    if (cancel) {
        explicit_bzero(v->answer, sizeof v->answer);
        v->answer_len = 0;
        v->have_answer = 0;
        sv_changed(v);
        return;
    }
    v->answer[v->answer_len] = '\0';
    v->have_answer = 1;
    sv_unwatch(v);
    char *err = NULL;
    ssh_console_close(v->c, NULL);
    v->c = console_open(v, &err);
    if (!v->c) {
        explicit_bzero(v->answer, sizeof v->answer);
        v->have_answer = 0;
        ui_error_take(err);
        return;
    }
    sv_pump(v);
    sv_changed(v);
}

/* ---- accessors ---- */
const char *sv_host(const struct sv *v)
{
    return v->host;
}

enum ssh_state sv_state(const struct sv *v)
{
    return v->c ? ssh_console_state(v->c) : SSH_FAILED;
}

int sv_finished(const struct sv *v)
{
    /* A password or passphrase asked is not the end: the attempt that needed
     * it has failed, but the next one starts with the answer. Keys go to the
     * answer meanwhile, never to "leave". */
    return conn_over(v) && v->ask == ASK_NONE && v->need == ASK_NONE;
}

int sv_exit_status(const struct sv *v)
{
    return v->c ? ssh_console_exit_status(v->c) : -1;
}

const char *sv_session_id(const struct sv *v)
{
    return v->c ? ssh_console_session_id(v->c) : "";
}

const char *sv_error(const struct sv *v)
{
    return v->c ? ssh_console_error(v->c) : "";
}

int sv_rows(const struct sv *v)
{
    return v->rows;
}

int sv_cols(const struct sv *v)
{
    return v->cols;
}

const char *sv_state_label(const struct sv *v)
{
    struct sv *m = (struct sv *)v;
    if (v->ask == ASK_PASSPHRASE)
        return _("passphrase?");
    if (v->ask != ASK_NONE)
        return _("password?");
    switch (sv_state(v)) {
    case SSH_SHELL:
        return "";
    case SSH_NEEDS_CONFIRM:
        return _("host key?");
    case SSH_CLOSED:
        snprintf(m->label, sizeof m->label, _("exited %d"), sv_exit_status(v));
        return m->label;
    case SSH_FAILED:
        return _("failed");
    default:
        return _("connecting");
    }
}

/* ---- resize: merged ---- */
static int on_resize_timer(void *data)
{
    struct sv *v = data;
    v->resize_timer = -1;
    sv_resize_flush(v);
    return 0;
}

void sv_set_foreground(struct sv *v, int on)
{
    v->foreground = on;
}

void sv_resize_flush(struct sv *v)
{
    if (v->resize_timer >= 0) {
        ui_loop_remove_timer(v->resize_timer);
        v->resize_timer = -1;
    }
    if (v->want_rows == v->rows && v->want_cols == v->cols)
        return;
    v->rows = v->want_rows;
    v->cols = v->want_cols;
    if (v->c) {
        ssh_console_resize(v->c, v->rows, v->cols);
        sv_arm(v); /* the size request may wait for the socket */
    }
    sv_changed(v);
}

void sv_resize(struct sv *v, int rows, int cols)
{
    if (rows < 1 || cols < 1)
        return;
    v->want_rows = rows;
    v->want_cols = cols;
    if (rows == v->rows && cols == v->cols) {
        if (v->resize_timer >= 0) {
            ui_loop_remove_timer(v->resize_timer);
            v->resize_timer = -1;
        }
        return;
    }
    if (v->resize_timer < 0)
        v->resize_timer = ui_loop_add_timer(RESIZE_MERGE_MS, on_resize_timer, v);
}

/* ---- drawing ---- */
static int colours_on(void)
{
    return has_colors() && COLORS > 0 && COLOR_PAIRS > 0;
}

static int map_colour(const struct term_color *c)
{
    int idx;
    switch (c->kind) {
    case TERM_COLOR_DEFAULT:
        return -1;
    case TERM_COLOR_INDEXED:
        idx = c->index;
        if (idx < COLORS)
            return idx;
        if (idx < 16)
            return idx % 8;
        break;
    default: /* RGB: the 6x6x6 cube */
        if (COLORS >= 256) {
            int r = (c->r * 5 + 127) / 255, g = (c->g * 5 + 127) / 255, b = (c->b * 5 + 127) / 255;
            return 16 + 36 * r + 6 * g + b;
        }
        return (c->r > 127 ? 1 : 0) | (c->g > 127 ? 2 : 0) | (c->b > 127 ? 4 : 0);
    }
    /* a 256-colour index on an 8-colour terminal */
    if (idx >= 232)
        return idx >= 244 ? 7 : 0;
    idx -= 16;
    int r = idx / 36, g = idx / 6 % 6, b = idx % 6;
    return (r > 2 ? 1 : 0) | (g > 2 ? 2 : 0) | (b > 2 ? 4 : 0);
}

static int pair_for(int fg, int bg)
{
    static int last_fg = -2, last_bg = -2, last_pair;
    if (fg == last_fg && bg == last_bg)
        return last_pair;
    int p = alloc_pair(fg, bg);
    if (p < 0)
        p = 0;
    last_fg = fg;
    last_bg = bg;
    last_pair = p;
    return p;
}

static void put_cell(WINDOW *w, int y, int x, const struct term_cell *cl, int colours, attr_t extra)
{
    wchar_t wc[CCHARW_MAX + 1];
    int n = 0;
    if (cl->chars[0] == 0 || cl->chars[0] < 0x20 || cl->chars[0] == 0x7f) {
        wc[n++] = L' ';
    } else {
        for (int i = 0; i < TERM_MAX_CHARS && n < CCHARW_MAX && cl->chars[i]; i++)
            wc[n++] = (wchar_t)cl->chars[i];
    }
    wc[n] = 0;
    attr_t a = extra;
    if (cl->attrs & TERM_ATTR_BOLD)
        a |= A_BOLD;
    if (cl->attrs & TERM_ATTR_UNDERLINE)
        a |= A_UNDERLINE;
    if (cl->attrs & TERM_ATTR_REVERSE)
        a |= A_REVERSE;
    if (cl->attrs & TERM_ATTR_BLINK)
        a |= A_BLINK;
#ifdef A_ITALIC
    if (cl->attrs & TERM_ATTR_ITALIC)
        a |= A_ITALIC;
#endif
    int pair = colours ? pair_for(map_colour(&cl->fg), map_colour(&cl->bg)) : 0;
    cchar_t cc;
    setcchar(&cc, wc, a, 0, &pair);
    mvwadd_wch(w, y, x, &cc);
}

static void draw_grid(struct sv *v, const struct ui_canvas *c)
{
    sv_draw_term(ssh_console_term(v->c), c, v->scrolling ? v->scroll : 0,
                 v->scrolling && v->has_match ? v->match_row : LONG_MIN);
}

void sv_draw_term(struct term *t, const struct ui_canvas *c, long off, long match_row)
{
    int colours = colours_on();
    int trows = term_rows(t);
    struct term_cell blank;
    memset(&blank, 0, sizeof blank);
    blank.width = 1;
    for (int y = 0; y < c->h; y++) {
        long row = y - off;
        attr_t extra = row == match_row ? A_STANDOUT : 0;
        for (int x = 0; x < c->w; x++) {
            struct term_cell cl;
            if (row >= trows || term_cell(t, (int)row, x, &cl) != 0)
                cl = blank;
            if (cl.chars[0] == TERM_WIDE_RIGHT) {
                if (x > 0)
                    continue; /* the wide character to its left covers it */
                cl = blank;
            }
            if (cl.width == 2 && x + 1 >= c->w) {
                cl.chars[0] = ' ';
                cl.chars[1] = 0;
            }
            put_cell(c->win, c->y + y, c->x + x, &cl, colours, extra);
        }
    }
}

/* Wraps text over the canvas from row y; returns the next row. */
static int put_wrapped(const struct ui_canvas *c, int y, int style, const char *text)
{
    struct strbuf line = STRBUF_INIT;
    char *copy = xstrdup(text);
    char *save = NULL;
    int w = c->w - 4;
    if (w < 10)
        w = c->w;
    for (char *word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
        size_t keep = line.len;
        if (line.len)
            sb_putc(&line, ' ');
        sb_puts(&line, word);
        if (keep && text_width(line.buf) > w) {
            line.len = keep;
            line.buf[keep] = 0;
            ui_put(c, y++, 2, w, style, line.buf);
            sb_reset(&line);
            sb_puts(&line, word);
        }
    }
    if (line.len)
        ui_put(c, y++, 2, w, style, line.buf);
    sb_free(&line);
    free(copy);
    return y;
}

void sv_draw(struct sv *v, const struct ui_canvas *c, int *cy, int *cx)
{
    *cy = *cx = -1;
    enum ssh_state s = sv_state(v);
    if (v->ask != ASK_NONE) {
        ui_clear(c, -1, STYLE_NORMAL);
        int y = put_wrapped(c, 1, STYLE_HEADER, ssh_console_label(v->c));
        if (v->ask_note)
            y = put_wrapped(c, y + 1, STYLE_ERROR, v->ask_note);
        y = put_wrapped(c, y + 1, STYLE_NORMAL, v->ask_prompt);
        if (v->ask == ASK_PASSPHRASE)
            y = put_wrapped(c, y + 1, STYLE_DIM,
                            _("This unlocks your private key on this machine; it is not sent to "
                              "the server."));
        put_wrapped(c, y + 1, STYLE_DIM,
                    _("Typing is not shown. Enter sends, Esc cancels. The answer is used for this "
                      "connection only and never stored."));
        return;
    }
    if ((s == SSH_SHELL || s == SSH_CLOSED) && v->c) {
        draw_grid(v, c);
        if (s == SSH_SHELL && !v->scrolling) {
            int r, col, vis;
            term_cursor(ssh_console_term(v->c), &r, &col, &vis);
            if (vis && r >= 0 && r < c->h && col >= 0 && col < c->w) {
                *cy = c->y + r;
                *cx = c->x + col;
            }
        }
        if (v->scrolling) {
            char *m = xasprintf(_("scroll %ld/%zu  k/j PgUp/PgDn g/G  / search  n/N  q leaves"),
                                v->scroll, term_scrollback_count(ssh_console_term(v->c)));
            ui_put_right(c, 0, 0, c->w, STYLE_TAB_ACTIVE, m);
            free(m);
        }
        return;
    }
    ui_clear(c, -1, STYLE_NORMAL);
    const char *label = v->c ? ssh_console_label(v->c) : v->host;
    int y = put_wrapped(c, 1, STYLE_HEADER, label && *label ? label : v->host);
    y++;
    switch (s) {
    case SSH_NEEDS_CONFIRM: {
        char *m = xasprintf(_("The host key of %s is not in known_hosts."), v->host);
        y = put_wrapped(c, y, STYLE_NORMAL, m);
        free(m);
        m = xasprintf(_("Key fingerprint: %s"), ssh_console_fingerprint(v->c));
        y = put_wrapped(c, y, STYLE_HEADER, m);
        free(m);
        put_wrapped(c, y + 1, STYLE_NORMAL,
                    _("Trust this key and add it to known_hosts? (y/n) Compare it with the "
                      "fingerprint the server's administrator gave you."));
        break;
    }
    case SSH_FAILED:
        y = put_wrapped(c, y, STYLE_ERROR, sv_error(v));
        put_wrapped(c, y + 1, STYLE_DIM, _("prefix key then c closes this session."));
        break;
    case SSH_AUTH:
        put_wrapped(c, y, STYLE_NORMAL, _("Authenticating…"));
        break;
    default:
        put_wrapped(c, y, STYLE_NORMAL, _("Connecting…"));
        break;
    }
}

/* ---- keys ---- */
static int fn_key(int code, enum term_key *k, int *mods)
{
    *mods = 0;
    switch (code) {
    case KEY_UP:
        *k = TERM_KEY_UP;
        break;
    case KEY_DOWN:
        *k = TERM_KEY_DOWN;
        break;
    case KEY_LEFT:
        *k = TERM_KEY_LEFT;
        break;
    case KEY_RIGHT:
        *k = TERM_KEY_RIGHT;
        break;
    case KEY_SLEFT:
        *k = TERM_KEY_LEFT;
        *mods = TERM_MOD_SHIFT;
        break;
    case KEY_SRIGHT:
        *k = TERM_KEY_RIGHT;
        *mods = TERM_MOD_SHIFT;
        break;
    case KEY_SR:
        *k = TERM_KEY_UP;
        *mods = TERM_MOD_SHIFT;
        break;
    case KEY_SF:
        *k = TERM_KEY_DOWN;
        *mods = TERM_MOD_SHIFT;
        break;
    case KEY_HOME:
        *k = TERM_KEY_HOME;
        break;
    case KEY_END:
        *k = TERM_KEY_END;
        break;
    case KEY_IC:
        *k = TERM_KEY_INS;
        break;
    case KEY_DC:
        *k = TERM_KEY_DEL;
        break;
    case KEY_PPAGE:
        *k = TERM_KEY_PAGEUP;
        break;
    case KEY_NPAGE:
        *k = TERM_KEY_PAGEDOWN;
        break;
    case KEY_BTAB:
        *k = TERM_KEY_TAB;
        *mods = TERM_MOD_SHIFT;
        break;
    case KEY_BACKSPACE:
        *k = TERM_KEY_BACKSPACE;
        break;
    case KEY_ENTER:
        *k = TERM_KEY_ENTER;
        break;
    default:
        if (code >= KEY_F(1) && code <= KEY_F(12)) {
            *k = (enum term_key)(TERM_KEY_F1 + (code - KEY_F(1)));
            break;
        }
        if (code >= KEY_F(13) && code <= KEY_F(24)) { /* shifted F keys */
            *k = (enum term_key)(TERM_KEY_F1 + (code - KEY_F(13)));
            *mods = TERM_MOD_SHIFT;
            break;
        }
        return -1;
    }
    return 0;
}

static int answer_key(struct sv *v, int key)
{
    if (key == UI_KEY_ESC) {
        sv_retry(v, 1);
    } else if (key == UI_KEY_ENTER) {
        sv_retry(v, 0);
    } else if (key == UI_KEY_BACKSPACE) {
        while (v->answer_len > 0 && (v->answer[--v->answer_len] & 0xc0) == 0x80)
            ;
        v->answer[v->answer_len] = 0;
    } else if (key == UI_KEY_CTRL('u')) {
        explicit_bzero(v->answer, sizeof v->answer);
        v->answer_len = 0;
    } else if (!(key & UI_KEY_FN) && key >= 0x20) {
        char u[4];
        size_t n = utf8_encode((uint32_t)key, u);
        if (v->answer_len + n < sizeof v->answer - 1) {
            memcpy(v->answer + v->answer_len, u, n);
            v->answer_len += n;
        }
    }
    return 1;
}

void sv_send(struct sv *v, const char *bytes, size_t len)
{
    if (v->c && sv_state(v) == SSH_SHELL) {
        if (v->resize_timer >= 0)
            sv_resize_flush(v);
        ssh_console_send(v->c, bytes, len);
        sv_pump(v); /* sends now when the window allows, re-arms POLLOUT otherwise */
    }
}

int sv_paste(struct sv *v, const char *text, size_t len)
{
    if (!v->c || sv_state(v) != SSH_SHELL || v->ask != ASK_NONE)
        return 0;
    if (v->resize_timer >= 0)
        sv_resize_flush(v);
    term_paste(ssh_console_term(v->c), text, len);
    sv_pump(v);
    return 1;
}

int sv_key(struct sv *v, int key)
{
    if (v->ask != ASK_NONE)
        return answer_key(v, key);
    enum ssh_state s = sv_state(v);
    if (s == SSH_NEEDS_CONFIRM) {
        if (key == 'y' || key == 'Y' || key == 'n' || key == 'N') {
            ssh_console_confirm(v->c, key == 'y' || key == 'Y');
            sv_pump(v);
            sv_changed(v);
        }
        return 1;
    }
    if (key == SV_KEY_PASTE_BEGIN) {
        v->pasting = 1;
        sb_reset(&v->paste);
        return 1;
    }
    if (key == SV_KEY_PASTE_END) {
        v->pasting = 0;
        sv_paste(v, v->paste.buf ? v->paste.buf : "", v->paste.len);
        sb_reset(&v->paste);
        return 1;
    }
    if (v->pasting) {
        if (key == UI_KEY_ENTER)
            sb_putc(&v->paste, '\r');
        else if (key == UI_KEY_TAB)
            sb_putc(&v->paste, '\t');
        else if (!(key & UI_KEY_FN)) {
            char u[4];
            sb_add(&v->paste, u, utf8_encode((uint32_t)key, u));
        }
        return 1;
    }
    if (s == SSH_CONNECTING || s == SSH_HANDSHAKE || s == SSH_AUTH || s == SSH_READY ||
        s == SSH_SHELL_OPENING) {
        if (v->ntypeahead < (int)(sizeof v->typeahead / sizeof v->typeahead[0]))
            v->typeahead[v->ntypeahead++] = key;
        return 1;
    }
    if (s != SSH_SHELL)
        return 0;
    /* What is typed after a resize must see the new size. */
    if (v->resize_timer >= 0)
        sv_resize_flush(v);
    struct term *t = ssh_console_term(v->c);
    if (key & UI_KEY_FN) {
        int code = key & ~UI_KEY_FN;
        if (code == KEY_RESIZE || code == KEY_MOUSE)
            return 0;
        enum term_key k;
        int mods;
        if (fn_key(code, &k, &mods) != 0)
            return 0;
        term_key(t, k, mods);
    } else if (key == UI_KEY_ENTER) {
        term_key(t, TERM_KEY_ENTER, 0);
    } else if (key == UI_KEY_TAB) {
        term_key(t, TERM_KEY_TAB, 0);
    } else if (key == UI_KEY_ESC) {
        term_key(t, TERM_KEY_ESCAPE, 0);
    } else if (key == 0) {
        ssh_console_send(v->c, "", 1); /* C-Space / C-@: NUL */
    } else if (key < 0x20) {
        char b = (char)key;
        ssh_console_send(v->c, &b, 1);
    } else {
        term_key_char(t, (uint32_t)key, 0);
    }
    sv_pump(v);
    return 1;
}

/* ---- the mouse ---- */
static void scroll_by(struct sv *v, long d);

int sv_mouse_mode(const struct sv *v)
{
    if (!v->c || sv_state(v) != SSH_SHELL || v->ask != ASK_NONE)
        return TERM_MOUSE_NONE;
    return term_mouse_mode(ssh_console_term(v->c));
}

int sv_mouse_held(const struct sv *v)
{
    return v->mouse_held != 0;
}

int sv_mouse(struct sv *v, const MEVENT *ev, int row, int col)
{
    static const struct {
        mmask_t mask;
        int button, pressed;
    } map[] = {
        /* presses first: an event holding both is a whole click */
        {BUTTON1_PRESSED, 1, 1},  {BUTTON2_PRESSED, 2, 1},  {BUTTON3_PRESSED, 3, 1},
        {BUTTON1_RELEASED, 1, 0}, {BUTTON2_RELEASED, 2, 0}, {BUTTON3_RELEASED, 3, 0},
        {BUTTON4_PRESSED, 4, 1},
#ifdef BUTTON5_PRESSED
        {BUTTON5_PRESSED, 5, 1},
#endif
    };
    if (sv_mouse_mode(v) == TERM_MOUSE_NONE) {
        /* The program let go of the mouse, buttons and all: release them in libvterm
         * too, or the next press would be taken for a drag. */
        for (int button = 1; button <= 3; button++)
            if (v->mouse_held & (1 << (button - 1)))
                term_mouse_button(ssh_console_term(v->c), 0, 0, button, 0, 0);
        v->mouse_held = 0;
        return 0;
    }
    /* The cell must be counted on the size the program knows. */
    if (v->resize_timer >= 0)
        sv_resize_flush(v);
    struct term *t = ssh_console_term(v->c);
    mmask_t b = ev->bstate;
    int mods = (b & BUTTON_SHIFT ? TERM_MOD_SHIFT : 0) | (b & BUTTON_ALT ? TERM_MOD_ALT : 0) |
               (b & BUTTON_CTRL ? TERM_MOD_CTRL : 0);
    int passed = 0;
    for (size_t i = 0; i < ARRAY_LEN(map); i++) {
        if (!(b & map[i].mask))
            continue;
        int bit = map[i].button <= 3 ? 1 << (map[i].button - 1) : 0;
        if (!map[i].pressed && !(v->mouse_held & bit))
            continue; /* its press went to the console */
        term_mouse_button(t, row, col, map[i].button, map[i].pressed, mods);
        if (map[i].pressed)
            v->mouse_held |= bit;
        else
            v->mouse_held &= ~bit;
        passed = 1;
    }
    if (b & (BUTTON1_CLICKED | BUTTON2_CLICKED | BUTTON3_CLICKED)) {
        /* a terminal that resolved the click itself: press and release */
        int button = b & BUTTON1_CLICKED ? 1 : b & BUTTON2_CLICKED ? 2 : 3;
        term_mouse_button(t, row, col, button, 1, mods);
        term_mouse_button(t, row, col, button, 0, mods);
        passed = 1;
    }
    if (!passed && (b & REPORT_MOUSE_POSITION)) {
        term_mouse_move(t, row, col, mods);
        passed = 1;
    }
    if (passed)
        sv_pump(v); /* sent like a key: now when the window allows */
    return passed;
}

void sv_scroll_wheel(struct sv *v, int lines)
{
    if (!v->c)
        return;
    if (!v->scrolling) {
        if (lines <= 0)
            return; /* already at the live screen */
        sv_scroll_enter(v);
    }
    scroll_by(v, lines);
    if (lines < 0 && v->scroll == 0) {
        v->scrolling = 0;
        v->has_match = 0;
    }
    sv_changed(v);
}

void sv_outer_mouse(int mode)
{
    static int current = TERM_MOUSE_NONE;
    static mmask_t before; /* the mask in force while no session wants the mouse */
    if (mode == current)
        return;
    mmask_t pass = BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON2_PRESSED | BUTTON2_RELEASED |
                   BUTTON3_PRESSED | BUTTON3_RELEASED | BUTTON4_PRESSED | BUTTON_SHIFT |
                   BUTTON_CTRL | BUTTON_ALT
#ifdef BUTTON5_PRESSED
                   | BUTTON5_PRESSED
#endif
        ;
    if (mode >= TERM_MOUSE_DRAG)
        pass |= REPORT_MOUSE_POSITION;
    if (current == TERM_MOUSE_NONE)
        mousemask(pass, &before);
    mousemask(mode == TERM_MOUSE_NONE ? before : before | pass, NULL);
    if (!ui_headless) {
        /* ncurses asks the terminal for clicks only; motion is asked here,
         * and only while a program wants it. The tracking modes replace one
         * another: leaving motion means asking for clicks again (or none). */
        if (current == TERM_MOUSE_DRAG)
            putp("\033[?1002l");
        else if (current == TERM_MOUSE_MOVE)
            putp("\033[?1003l");
        if (mode == TERM_MOUSE_DRAG)
            putp("\033[?1002h");
        else if (mode == TERM_MOUSE_MOVE)
            putp("\033[?1003h");
        else if (current >= TERM_MOUSE_DRAG && (mode != TERM_MOUSE_NONE || before))
            putp("\033[?1000h");
        fflush(stdout);
    }
    current = mode;
}

/* ---- scroll mode ---- */
int sv_scrolling(const struct sv *v)
{
    return v->scrolling;
}

void sv_scroll_enter(struct sv *v)
{
    if (!v->c)
        return;
    v->scrolling = 1;
    v->scroll = 0;
    v->has_match = 0;
    v->last_sb = term_scrollback_count(ssh_console_term(v->c));
    sv_changed(v);
}

static void scroll_by(struct sv *v, long d)
{
    long max = (long)term_scrollback_count(ssh_console_term(v->c));
    v->scroll += d;
    if (v->scroll > max)
        v->scroll = max;
    if (v->scroll < 0)
        v->scroll = 0;
}

int sv_search(struct sv *v, const char *pattern, int dir, char **err)
{
    if (pattern && *pattern) {
        pcre2_code *test = ui_filter_compile(pattern, err);
        if (!test)
            return -1;
        ui_filter_free(test);
        free(v->pattern);
        v->pattern = xstrdup(pattern);
    }
    if (!v->pattern) {
        set_err(err, _("no search pattern yet: / then a pattern"));
        return -1;
    }
    pcre2_code *re = ui_filter_compile(v->pattern, err);
    if (!re)
        return -1;
    struct term *t = ssh_console_term(v->c);
    long lo = -(long)term_scrollback_count(t), hi = term_rows(t) - 1;
    /* From the match, else from the bottom of the view (older) or its top (newer). */
    long start = v->has_match ? v->match_row : dir < 0 ? -v->scroll + term_rows(t) : -v->scroll - 1;
    int found = 0;
    for (long r = start + dir; r >= lo && r <= hi; r += dir) {
        char *text = term_row_text(t, (int)r);
        int m = ui_filter_match(re, text, strlen(text));
        free(text);
        if (m) {
            v->match_row = r;
            v->has_match = 1;
            found = 1;
            break;
        }
    }
    ui_filter_free(re);
    if (!found) {
        set_err(err, _("not found: %s"), v->pattern);
        return -1;
    }
    /* Show the match a third of the way down the view. */
    long top = v->match_row - term_rows(t) / 3;
    if (top > 0)
        top = 0;
    v->scroll = -top;
    scroll_by(v, 0);
    sv_changed(v);
    return 0;
}

static int search_cb(const char *text, void *data, char **err)
{
    struct sv *v = data;
    if (!*text)
        return 0;
    v->has_match = 0;
    return sv_search(v, text, -1, err);
}

int sv_scroll_key(struct sv *v, int key)
{
    int page = v->rows > 2 ? v->rows - 1 : 1;
    char *err = NULL;
    switch (key) {
    case 'k':
    case UI_KEY_FN | KEY_UP:
        scroll_by(v, 1);
        break;
    case 'j':
    case UI_KEY_FN | KEY_DOWN:
        scroll_by(v, -1);
        break;
    case 'b':
    case UI_KEY_FN | KEY_PPAGE:
    case UI_KEY_FN | KEY_SPREVIOUS:
    case UI_KEY_CTRL('b'):
        scroll_by(v, page);
        break;
    case ' ':
    case 'f':
    case UI_KEY_FN | KEY_NPAGE:
    case UI_KEY_FN | KEY_SNEXT:
    case UI_KEY_CTRL('f'):
        scroll_by(v, -page);
        break;
    case 'u':
    case UI_KEY_CTRL('u'):
        scroll_by(v, page / 2);
        break;
    case 'd':
    case UI_KEY_CTRL('d'):
        scroll_by(v, -page / 2);
        break;
    case 'g':
    case UI_KEY_FN | KEY_HOME:
        scroll_by(v, 1L << 30);
        break;
    case 'G':
    case UI_KEY_FN | KEY_END:
        v->scroll = 0;
        break;
    case '/':
    case '?':
        ui_line("/", "", search_cb, NULL, v);
        break;
    case 'n':
        if (sv_search(v, NULL, -1, &err) != 0)
            ui_error_take(err);
        break;
    case 'N':
        if (sv_search(v, NULL, 1, &err) != 0)
            ui_error_take(err);
        break;
    case 'q':
    case UI_KEY_ESC:
    case UI_KEY_ENTER:
        v->scrolling = 0;
        v->scroll = 0;
        v->has_match = 0;
        break;
    default:
        return 0;
    }
    sv_changed(v);
    return 1;
}

void sv_cursor(struct sv *v, int *row, int *col)
{
    *row = *col = -1;
    if (v->c)
        term_cursor(ssh_console_term(v->c), row, col, NULL);
}

char *sv_row_text(struct sv *v, int row)
{
    return v->c ? term_row_text(ssh_console_term(v->c), row) : xstrdup("");
}
