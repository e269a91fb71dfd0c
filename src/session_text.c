#include "session_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "store.h"
#include "term.h"
#include "textwidth.h"
#include "util.h"

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

static void put_cp(struct strbuf *sb, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    }
    sb_add(sb, b, n);
}

static int hex4(const char *p, const char *end, uint32_t *out)
{
    if (end - p < 4)
        return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* A JSON string at p (at its opening quote) decoded into sb; the position after
 * its closing quote, or NULL when it is malformed. */
static const char *json_str(const char *p, const char *end, struct strbuf *sb)
{
    if (p >= end || *p != '"')
        return NULL;
    for (p++; p < end; p++) {
        char c = *p;
        if (c == '"')
            return p + 1;
        if (c != '\\') {
            sb_putc(sb, c);
            continue;
        }
        if (++p >= end)
            return NULL;
        switch (*p) {
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
        case 'u': {
            uint32_t cp, lo;
            if (hex4(p + 1, end, &cp) != 0)
                return NULL;
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && end - p > 6 && p[1] == '\\' && p[2] == 'u' &&
                hex4(p + 3, end, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            } else if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd;
            }
            put_cp(sb, cp);
            break;
        }
        default: /* \" \\ \/ */
            sb_putc(sb, *p);
            break;
        }
    }
    return NULL;
}

/* An integer after "key": in the header line, or def. */
static int header_int(const char *h, size_t n, const char *key, int def)
{
    char *line = xstrndup(h, n);
    const char *k = strstr(line, key);
    int v = def;
    if (k) {
        k += strlen(key);
        while (*k == ' ' || *k == ':')
            k++;
        long x = strtol(k, NULL, 10);
        if (x > 0 && x <= 1000)
            v = (int)x;
    }
    free(line);
    return v;
}

/* One event line: [time, "kind", "data"]. 0 and kind/data filled, or -1. */
static int parse_event(const char *p, const char *end, struct strbuf *kind, struct strbuf *data)
{
    p = skip_ws(p, end);
    if (p >= end || *p++ != '[')
        return -1;
    p = skip_ws(p, end);
    while (p < end && *p != ',')
        p++; /* the time: not needed for the text */
    if (p >= end)
        return -1;
    p = skip_ws(p + 1, end);
    if (!(p = json_str(p, end, kind)))
        return -1;
    p = skip_ws(p, end);
    if (p >= end || *p++ != ',')
        return -1;
    p = skip_ws(p, end);
    if (!(p = json_str(p, end, data)))
        return -1;
    p = skip_ws(p, end);
    return p < end && *p == ']' ? 0 : -1;
}

int session_cast_lines(const char *cast, size_t len, char ***lines, size_t *n, char **err)
{
    *lines = NULL;
    *n = 0;
    const char *end = cast + len;
    const char *nl = memchr(cast, '\n', len);
    const char *head_end = nl ? nl : end;
    if (len == 0 || *skip_ws(cast, head_end) != '{') {
        set_err(err, "%s", _("the recording is not an asciicast v2 file"));
        return -1;
    }
    int cols = header_int(cast, (size_t)(head_end - cast), "\"width\"", 80);
    int rows = header_int(cast, (size_t)(head_end - cast), "\"height\"", 24);
    struct term *t = term_new(rows, cols, 0);
    struct strbuf kind = STRBUF_INIT, data = STRBUF_INIT;
    int lineno = 1;
    for (const char *p = nl ? nl + 1 : end; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        lineno++;
        if (skip_ws(p, e) < e) {
            sb_reset(&kind);
            sb_reset(&data);
            if (parse_event(p, e, &kind, &data) != 0) {
                set_err(err, _("the recording cannot be read at line %d"), lineno);
                sb_free(&kind), sb_free(&data);
                term_free(t);
                return -1;
            }
            if (streq(kind.buf, "o")) {
                term_feed(t, data.buf, data.len);
            } else if (streq(kind.buf, "r")) {
                int c = 0, r = 0;
                if (sscanf(data.buf, "%dx%d", &c, &r) == 2 && c > 0 && r > 0)
                    term_resize(t, r, c);
            }
        }
        p = e + 1;
    }
    sb_free(&kind), sb_free(&data);
    int first = -(int)term_scrollback_count(t);
    size_t total = (size_t)(term_rows(t) - first);
    char **out = xcalloc(total ? total : 1, sizeof *out);
    size_t got = 0, keep = 0;
    for (int r = first; r < term_rows(t); r++) {
        char *raw = term_row_text(t, r);
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, raw, 0);
        free(raw);
        while (sb.len && sb.buf[sb.len - 1] == ' ') /* written blanks, as after a prompt */
            sb.buf[--sb.len] = 0;
        out[got++] = sb_detach(&sb);
        if (out[got - 1][0])
            keep = got;
    }
    term_free(t);
    for (size_t i = keep; i < got; i++)
        free(out[i]);
    *lines = out;
    *n = keep;
    return 0;
}

void session_lines_free(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

int session_parse_range(const char *s, int *from, int *to)
{
    *from = *to = 0;
    if (!s || !*s)
        return 0;
    char *e;
    long a = strtol(s, &e, 10);
    if (e == s || a < 1 || a > 10000000)
        return 0;
    long b = a;
    if (*e == '-') {
        const char *q = e + 1;
        if (!*q) {
            b = 0;
            e = (char *)q;
        } else {
            b = strtol(q, &e, 10);
            if (e == q || b < a || b > 10000000)
                return 0;
        }
    }
    if (*e)
        return 0;
    *from = (int)a;
    *to = (int)b;
    return 1;
}

int session_lines_join(char *const *lines, size_t n, int from, int to, char **out, char **err)
{
    *out = NULL;
    if (n == 0) {
        set_err(err, "%s", _("the recording shows no text"));
        return -1;
    }
    size_t a = from > 0 ? (size_t)from : 1, b = to > 0 ? (size_t)to : n;
    if (a > n || b > n || a > b) {
        set_err(err, _("the recording has lines 1 to %zu, not %zu-%zu"), n, a, b);
        return -1;
    }
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = a; i <= b; i++) {
        sb_puts(&sb, lines[i - 1]);
        if (i < b)
            sb_putc(&sb, '\n');
    }
    *out = sb_detach(&sb);
    return 0;
}

int session_text_lines(struct store *st, const char *id, char full_id[ID_LEN + 1], char ***lines,
                       size_t *n, char **err)
{
    *lines = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT id, transcript FROM ssh_sessions WHERE (id = ?1 OR "
                                     "id LIKE ?1 || '%') AND deleted = 0 ORDER BY id = ?1 DESC "
                                     "LIMIT 2");
    bind_text(s, 1, id ? id : "");
    int rc = id && *id ? store_one_row(s, err) : 0;
    if (rc != 1) {
        sqlite3_reset(s);
        if (rc == 0)
            set_err(err, _("no session %s (see unyo session list)"), id ? id : "");
        return -1;
    }
    char sid[ID_LEN + 1];
    snprintf(sid, sizeof sid, "%s", col_text(s, 0));
    int exact = streq(sid, id);
    char *cast = col_dup(s, 1);
    int more = exact ? 0 : store_next_row(s, err);
    sqlite3_reset(s);
    if (more != 0) {
        free(cast);
        if (more > 0)
            set_err(err, _("%s matches several sessions: give more of the id"), id);
        return -1;
    }
    if (!cast) {
        set_err(err, _("session %s has no recording (still open, or it failed)"), id);
        return -1;
    }
    rc = session_cast_lines(cast, strlen(cast), lines, n, err);
    free(cast);
    if (rc == 0 && full_id)
        memcpy(full_id, sid, ID_LEN + 1);
    return rc;
}
