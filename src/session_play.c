#include "session_play.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "labels.h"
#include "store.h"
#include "term.h"
#include "timefmt.h"
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

int session_recording(struct store *st, const char *id, char **cast, size_t *len, char **label,
                      char **err)
{
    *cast = NULL;
    *len = 0;
    if (label)
        *label = NULL;
    sqlite3_stmt *s = store_stmt(st, "SELECT transcript FROM ssh_sessions "
                                     "WHERE id = ?1 AND deleted = 0");
    bind_text(s, 1, id);
    int rc = store_one_row(s, err);
    if (rc == 1 && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        const void *b = sqlite3_column_blob(s, 0);
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        *cast = xmalloc(n + 1);
        if (n)
            memcpy(*cast, b, n);
        (*cast)[n] = 0;
        *len = n;
    }
    sqlite3_reset(s);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        set_err(err, _("no session %s (see unyo session list)"), id);
        return -1;
    }
    if (!*cast) {
        set_err(err, _("session %s has no recording (still open, or it failed)"), id);
        return -1;
    }
    if (label && session_label(st, id, label, err) != 0) {
        free(*cast);
        *cast = NULL;
        return -1;
    }
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
};

static const char *skip_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    return s;
}

static int hex4(const char *s, const char *end, unsigned *v)
{
    *v = 0;
    if (end - s < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i];
        int d = c >= '0' && c <= '9'                 ? c - '0'
                : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10
                                                     : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (unsigned)d;
    }
    return 0;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
    if (cp < 0x80) {
        sb_putc(sb, (char)cp);
    } else if (cp < 0x800) {
        sb_putc(sb, (char)(0xc0 | cp >> 6));
        sb_putc(sb, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        sb_putc(sb, (char)(0xe0 | cp >> 12));
        sb_putc(sb, (char)(0x80 | (cp >> 6 & 0x3f)));
        sb_putc(sb, (char)(0x80 | (cp & 0x3f)));
    } else {
        sb_putc(sb, (char)(0xf0 | cp >> 18));
        sb_putc(sb, (char)(0x80 | (cp >> 12 & 0x3f)));
        sb_putc(sb, (char)(0x80 | (cp >> 6 & 0x3f)));
        sb_putc(sb, (char)(0x80 | (cp & 0x3f)));
    }
}

/* A JSON string at s (at its opening quote) decoded into sb; the position
 * after its closing quote, or NULL. */
static const char *json_str(const char *s, const char *end, struct strbuf *sb)
{
    if (s >= end || *s != '"')
        return NULL;
    for (s++; s < end; s++) {
        char c = *s;
        if (c == '"')
            return s + 1;
        if (c != '\\') {
            sb_putc(sb, c);
            continue;
        }
        if (++s >= end)
            return NULL;
        unsigned cp;
        switch (*s) {
        case 'n':
            sb_putc(sb, '\n');
            break;
        case 'r':
            sb_putc(sb, '\r');
            break;
        case 't':
            sb_putc(sb, '\t');
            break;
        case 'b':
            sb_putc(sb, '\b');
            break;
        case 'f':
            sb_putc(sb, '\f');
            break;
        case 'u':
            if (hex4(s + 1, end, &cp) != 0)
                return NULL;
            s += 4;
            if (cp >= 0xd800 && cp < 0xdc00) {
                unsigned lo;
                if (end - s > 6 && s[1] == '\\' && s[2] == 'u' && hex4(s + 3, end, &lo) == 0 &&
                    lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    s += 6;
                } else {
                    cp = 0xfffd;
                }
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                cp = 0xfffd;
            }
            put_utf8(sb, cp);
            break;
        default: /* \" \\ \/ and anything else as itself */
            sb_putc(sb, *s);
            break;
        }
    }
    return NULL;
}

/* The number after "key": in the header line, or 0. */
static int header_int(const char *s, const char *end, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = s; p + k < end; p++)
        if (memcmp(p, key, k) == 0) {
            p = skip_ws(p + k, end);
            if (p < end && *p == ':') {
                p = skip_ws(p + 1, end);
                int v = 0;
                while (p < end && *p >= '0' && *p <= '9' && v < 100000)
                    v = v * 10 + (*p++ - '0');
                return v;
            }
        }
    return 0;
}

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

static void add_event(struct player *p, int64_t ms, char kind, const char *data, size_t len,
                      int *esc)
{
    if (p->nev && ms < p->ev[p->nev - 1].ms)
        ms = p->ev[p->nev - 1].ms; /* time never goes back */
    p->ev = xrealloc(p->ev, (p->nev + 1) * sizeof *p->ev);
    struct pev *e = &p->ev[p->nev++];
    memset(e, 0, sizeof *e);
    e->ms = ms;
    e->kind = kind;
    e->plain = p->plain.len;
    if (kind == 'r') {
        if (sscanf(data, "%dx%d", &e->cols, &e->rows) != 2)
            e->cols = e->rows = 0;
        return;
    }
    e->off = p->data.len;
    e->len = len;
    sb_add(&p->data, data, len);
    plain_text(&p->plain, data, len, esc);
}

int player_new(const char *cast, size_t len, struct player **out, char **err)
{
    *out = NULL;
    const char *end = cast + len;
    const char *nl = memchr(cast, '\n', len);
    const char *hend = nl ? nl : end;
    const char *h = skip_ws(cast, hend);
    if (h >= hend || *h != '{') {
        set_err(err, "%s", _("the recording cannot be read (no asciicast header)"));
        return -1;
    }
    struct player *p = xcalloc(1, sizeof *p);
    p->cols0 = header_int(h, hend, "\"width\"");
    p->rows0 = header_int(h, hend, "\"height\"");
    if (p->cols0 <= 0)
        p->cols0 = 80;
    if (p->rows0 <= 0)
        p->rows0 = 24;
    struct strbuf kind = STRBUF_INIT, text = STRBUF_INIT;
    int esc = 0;
    for (const char *l = nl ? nl + 1 : end; l < end;) {
        const char *le = memchr(l, '\n', (size_t)(end - l));
        if (!le)
            le = end;
        const char *s = skip_ws(l, le);
        sb_reset(&kind);
        sb_reset(&text);
        if (s < le && *s == '[') {
            char *num_end;
            char numbuf[48];
            s = skip_ws(s + 1, le);
            size_t k = 0;
            while (s + k < le && k + 1 < sizeof numbuf && strchr("0123456789.eE+-", s[k]))
                numbuf[k] = s[k], k++;
            numbuf[k] = 0;
            double t = strtod(numbuf, &num_end);
            s = skip_ws(s + k, le);
            if (k && num_end != numbuf && s < le && *s == ',' &&
                (s = json_str(skip_ws(s + 1, le), le, &kind)) && (s = skip_ws(s, le)) < le &&
                *s == ',' && (s = json_str(skip_ws(s + 1, le), le, &text)) && kind.len == 1 &&
                (kind.buf[0] == 'o' || kind.buf[0] == 'r')) {
                if (!(t >= 0))
                    t = 0;
                if (t > 1e9)
                    t = 1e9;
                add_event(p, (int64_t)(t * 1000.0 + 0.5), kind.buf[0], text.buf ? text.buf : "",
                          text.len, &esc);
            }
        }
        l = le < end ? le + 1 : end;
    }
    sb_free(&kind);
    sb_free(&text);
    p->t = term_new(p->rows0, p->cols0, 0);
    term_set_output(p->t, NULL, NULL);
    p->pos = -1;
    player_seek(p, 0);
    *out = p;
    return 0;
}

void player_free(struct player *p)
{
    if (!p)
        return;
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
