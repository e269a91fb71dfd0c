#include "session_play.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cast.h"
#include "i18n.h"
#include "labels.h"
#include "session_list.h"
#include "store.h"
#include "term.h"
#include "timefmt.h"
#include "textwidth.h"
#include "util.h"

/* ---- labels ---- */
char *session_span_label(const char *host, int64_t start_ms, int64_t end_ms)
{
    char s[32], e[32], d[64];
    time_format_jst(start_ms, s, 0); /* "2026-11-23 07:00" */
    const char *shm = strlen(s) >= 16 ? s + 11 : s;
    if (end_ms <= 0)
        return xasprintf(_("%s %s– (open)"), host ? host : "", shm);
    time_format_jst(end_ms, e, 0);
    const char *ehm = strlen(e) >= 16 && strncmp(s, e, 10) == 0 ? e + 11 : e + 5;
    int64_t secs = end_ms > start_ms ? (end_ms - start_ms) / 1000 : 0;
    return xasprintf("%s %s–%s (%s)", host ? host : "", shm, ehm,
                     label_duration(secs, d, sizeof d));
}

int session_label(struct store *st, const char *id, char **out, char **err)
{
    *out = NULL;
    sqlite3_stmt *s = store_stmt(st, "SELECT host_name, started_at, ended_at FROM ssh_sessions "
                                     "WHERE id = ?1 AND deleted = 0");
    bind_text(s, 1, id);
    int rc = store_one_row(s, err);
    if (rc == 1) {
        int64_t a = 0, b = 0;
        if (col_text(s, 1))
            time_parse(col_text(s, 1), &a);
        if (col_text(s, 2))
            time_parse(col_text(s, 2), &b);
        *out = session_span_label(col_text(s, 0), a, b);
    }
    sqlite3_reset(s);
    return rc < 0 ? -1 : 0;
}

int session_recording(struct store *st, const char *id, char full_id[ID_LEN + 1], char **cast,
                      size_t *len, char **label, char **err)
{
    if (label)
        *label = NULL;
    char sid[ID_LEN + 1] = "";
    int rc = session_recording_by_prefix(st, id, sid, cast, len, err);
    if (rc < 0)
        return -1;
    if (rc == 0 || rc == 2) {
        set_err(err,
                rc == 0 ? _("no session %s (see unyo session list)")
                        : _("%s matches several sessions: give more of the id"),
                id ? id : "");
        return -1;
    }
    if (!*cast) {
        set_err(err, _("session %s has no recording (still open, or it failed)"), id);
        return -1;
    }
    if (label && session_label(st, sid, label, err) != 0) {
        free(*cast);
        *cast = NULL;
        return -1;
    }
    if (full_id)
        memcpy(full_id, sid, ID_LEN + 1);
    return 0;
}

/* ---- the player ---- */
struct pev {
    int64_t ms;
    char kind; /* 'o' output, 'r' resize */
    int cols, rows;
    size_t off, len; /* output bytes in p->data */
    size_t plain;    /* where its text starts in p->plain */
};

struct player {
    struct term *t;
    int cols0, rows0;
    struct strbuf data;  /* every output, decoded */
    struct strbuf plain; /* the same without escape sequences and controls */
    struct pev *ev;
    size_t nev;
    size_t fed; /* events fed to t */
    int64_t pos;
    struct player_marker *marks;
    size_t nmarks;
};

/* Text for the search: escape sequences and controls out, line ends kept.
 * *esc carries the state across events (0 text, 1 after ESC, 2 CSI, 3 OSC
 * or other string, 4 ESC inside a string). */
static void plain_text(struct strbuf *out, const char *s, size_t n, int *esc)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (*esc) {
        case 0:
            if (c == 0x1b)
                *esc = 1;
            else if (c == '\n')
                sb_putc(out, '\n');
            else if (c >= 0x20 && c != 0x7f)
                sb_putc(out, (char)c);
            break;
        case 1:
            *esc = c == '[' ? 2 : (c == ']' || c == 'P' || c == '_' || c == '^') ? 3 : 0;
            break;
        case 2:
            if (c >= 0x40 && c <= 0x7e)
                *esc = 0;
            break;
        case 3:
            if (c == 0x07)
                *esc = 0;
            else if (c == 0x1b)
                *esc = 4;
            break;
        default:
            *esc = c == '\\' ? 0 : 3;
            break;
        }
    }
}

struct player_load {
    struct player *p;
    int esc; /* plain_text's state across events */
};

static void add_event(void *arg, const struct cast_event *ev)
{
    struct player_load *ld = arg;
    struct player *p = ld->p;
    if (ev->kind == 'm') {
        p->marks = xrealloc(p->marks, (p->nmarks + 1) * sizeof *p->marks);
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, ev->data, 0);
        p->marks[p->nmarks++] = (struct player_marker){ev->ms, sb_detach(&sb)};
        return;
    }
    p->ev = xrealloc(p->ev, (p->nev + 1) * sizeof *p->ev);
    struct pev *e = &p->ev[p->nev++];
    memset(e, 0, sizeof *e);
    e->ms = ev->ms;
    e->kind = ev->kind;
    e->plain = p->plain.len;
    if (ev->kind == 'r') {
        e->cols = ev->cols;
        e->rows = ev->rows;
        return;
    }
    e->off = p->data.len;
    e->len = ev->len;
    sb_add(&p->data, ev->data, ev->len);
    plain_text(&p->plain, ev->data, ev->len, &ld->esc);
}

int player_new(const char *cast, size_t len, struct player **out, char **err)
{
    *out = NULL;
    struct player *p = xcalloc(1, sizeof *p);
    struct player_load ld = {p, 0};
    /* Not strict: a recording cut by a crash plays up to where it stops. */
    if (cast_header(cast, len, &p->cols0, &p->rows0, err) != 0 ||
        cast_read(cast, len, 0, add_event, &ld, err) != 0) {
        player_free(p);
        return -1;
    }
    p->t = term_new(p->rows0, p->cols0, 0);
    term_set_output(p->t, NULL, NULL);
    p->pos = -1;
    player_seek(p, 0);
    *out = p;
    return 0;
}

const struct player_marker *player_markers(const struct player *p, size_t *n)
{
    *n = p->nmarks;
    return p->marks;
}

void player_free(struct player *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nmarks; i++)
        free(p->marks[i].label);
    free(p->marks);
    term_free(p->t);
    sb_free(&p->data);
    sb_free(&p->plain);
    free(p->ev);
    free(p);
}

struct term *player_term(struct player *p)
{
    return p->t;
}

int64_t player_length_ms(const struct player *p)
{
    return p->nev ? p->ev[p->nev - 1].ms : 0;
}

int64_t player_pos_ms(const struct player *p)
{
    return p->pos < 0 ? 0 : p->pos;
}

int64_t player_next_ms(const struct player *p)
{
    return p->fed < p->nev ? p->ev[p->fed].ms : -1;
}

void player_seek(struct player *p, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    if (ms > player_length_ms(p))
        ms = player_length_ms(p);
    if (ms < p->pos) { /* back: the screen is built again from the start */
        term_free(p->t);
        p->t = term_new(p->rows0, p->cols0, 0);
        term_set_output(p->t, NULL, NULL);
        p->fed = 0;
    }
    for (; p->fed < p->nev && p->ev[p->fed].ms <= ms; p->fed++) {
        const struct pev *e = &p->ev[p->fed];
        if (e->kind == 'r') {
            if (e->rows > 0 && e->cols > 0)
                term_resize(p->t, e->rows, e->cols);
        } else if (e->len) {
            term_feed(p->t, p->data.buf + e->off, e->len);
        }
    }
    p->pos = ms;
}

/* The event whose text holds plain offset at (the last one starting at or
 * before it). */
static size_t event_at(const struct player *p, size_t at)
{
    size_t lo = 0, hi = p->nev;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (p->ev[mid].plain <= at)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Offsets of every match's last byte, in order. */
static size_t *matches(const struct player *p, const char *needle, size_t *n)
{
    size_t k = strlen(needle), cap = 0;
    size_t *out = NULL;
    *n = 0;
    if (!k || p->plain.len < k)
        return NULL;
    const char *h = p->plain.buf;
    for (size_t i = 0; i + k <= p->plain.len; i++) {
        size_t j = 0;
        while (j < k && fold((unsigned char)h[i + j]) == fold((unsigned char)needle[j]))
            j++;
        if (j < k)
            continue;
        if (*n == cap)
            out = xrealloc(out, (cap = cap ? cap * 2 : 16) * sizeof *out);
        out[(*n)++] = i + k - 1;
    }
    return out;
}

int64_t player_search(struct player *p, const char *needle, int dir, int *wrapped)
{
    if (wrapped)
        *wrapped = 0;
    size_t n;
    size_t *m = matches(p, needle, &n);
    if (!n) {
        free(m);
        return -1;
    }
    /* p->fed events are on screen: forward looks at later events, back at
     * earlier ones than the last shown. */
    size_t shown = p->fed;
    int64_t at = -1;
    if (dir >= 0) {
        for (size_t i = 0; i < n && at < 0; i++)
            if (event_at(p, m[i]) >= shown)
                at = p->ev[event_at(p, m[i])].ms;
        if (at < 0) {
            at = p->ev[event_at(p, m[0])].ms;
            if (wrapped)
                *wrapped = 1;
        }
    } else {
        for (size_t i = n; i-- > 0 && at < 0;)
            if (event_at(p, m[i]) + 1 < shown)
                at = p->ev[event_at(p, m[i])].ms;
        if (at < 0) {
            at = p->ev[event_at(p, m[n - 1])].ms;
            if (wrapped)
                *wrapped = 1;
        }
    }
    free(m);
    return at;
}
