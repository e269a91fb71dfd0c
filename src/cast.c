#include "cast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

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

/* A JSON string at s (at its opening quote) decoded into sb; the position after its
 * closing quote, or NULL when it is malformed. A lone surrogate becomes U+FFFD. */
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

/* The number after "key": in the header line, or def when absent or beyond 1..1000. */
static int header_int(const char *s, const char *end, const char *key, int def)
{
    size_t k = strlen(key);
    for (const char *p = s; p + k < end; p++)
        if (memcmp(p, key, k) == 0) {
            p = skip_ws(p + k, end);
            if (p < end && *p == ':') {
                p = skip_ws(p + 1, end);
                int v = 0;
                while (p < end && *p >= '0' && *p <= '9' && v <= 1000)
                    v = v * 10 + (*p++ - '0');
                return v >= 1 && v <= 1000 ? v : def;
            }
        }
    return def;
}

/* One event line [time, "kind", "data"]: 1 and ms/kind/data filled, 0 not an event. */
static int parse_event(const char *s, const char *end, double *t, struct strbuf *kind,
                       struct strbuf *data)
{
    s = skip_ws(s, end);
    if (s >= end || *s != '[')
        return 0;
    s = skip_ws(s + 1, end);
    char numbuf[48], *num_end;
    size_t k = 0;
    while (s + k < end && k + 1 < sizeof numbuf && strchr("0123456789.eE+-", s[k]))
        numbuf[k] = s[k], k++;
    numbuf[k] = 0;
    *t = strtod(numbuf, &num_end);
    s = skip_ws(s + k, end);
    if (!k || num_end == numbuf || s >= end || *s != ',')
        return 0;
    if (!(s = json_str(skip_ws(s + 1, end), end, kind)) || (s = skip_ws(s, end)) >= end ||
        *s != ',')
        return 0;
    if (!(s = json_str(skip_ws(s + 1, end), end, data)))
        return 0;
    s = skip_ws(s, end);
    return s < end && *s == ']';
}

int cast_header(const char *cast, size_t len, int *cols, int *rows, char **err)
{
    const char *end = cast + len;
    const char *nl = memchr(cast, '\n', len);
    const char *hend = nl ? nl : end;
    const char *h = skip_ws(cast, hend);
    if (h >= hend || *h != '{') {
        set_err(err, "%s", _("the recording is not an asciicast v2 file"));
        return -1;
    }
    *cols = header_int(h, hend, "\"width\"", 80);
    *rows = header_int(h, hend, "\"height\"", 24);
    return 0;
}

int cast_read(const char *cast, size_t len, int strict, cast_event_fn fn, void *arg, char **err)
{
    int cols, rows;
    if (cast_header(cast, len, &cols, &rows, err) != 0)
        return -1;
    const char *end = cast + len;
    const char *nl = memchr(cast, '\n', len);
    struct strbuf kind = STRBUF_INIT, data = STRBUF_INIT;
    int64_t last = 0;
    int lineno = 1, rc = 0;
    for (const char *l = nl ? nl + 1 : end; l < end && rc == 0;) {
        const char *le = memchr(l, '\n', (size_t)(end - l));
        if (!le)
            le = end;
        lineno++;
        sb_reset(&kind);
        sb_reset(&data);
        double t = 0;
        if (skip_ws(l, le) >= le) {
            /* a blank line */
        } else if (!parse_event(l, le, &t, &kind, &data)) {
            if (strict) {
                set_err(err, _("the recording cannot be read at line %d"), lineno);
                rc = -1;
            }
        } else if (kind.len == 1 &&
                   (kind.buf[0] == 'o' || kind.buf[0] == 'r' || kind.buf[0] == 'm')) {
            if (!(t >= 0))
                t = 0;
            if (t > 1e9)
                t = 1e9;
            struct cast_event ev = {.ms = (int64_t)(t * 1000.0 + 0.5),
                                    .kind = kind.buf[0],
                                    .data = data.buf ? data.buf : "",
                                    .len = data.len};
            if (ev.ms < last)
                ev.ms = last; /* time never goes back */
            last = ev.ms;
            if (ev.kind == 'r' &&
                (sscanf(ev.data, "%dx%d", &ev.cols, &ev.rows) != 2 || ev.cols <= 0 ||
                 ev.rows <= 0 || ev.cols > 1000 || ev.rows > 1000))
                ev.cols = ev.rows = 0;
            fn(arg, &ev);
        }
        l = le < end ? le + 1 : end;
    }
    sb_free(&kind);
    sb_free(&data);
    return rc;
}
