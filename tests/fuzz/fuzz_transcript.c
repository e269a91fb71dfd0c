/* The asciicast v2 writer (src/transcript.c): whatever a server sends, in
 * whatever chunks, with resizes and a clock that may step back, every line of
 * the recording is one valid JSON value (checked here by a small strict
 * parser: RFC 8259 grammar, valid UTF-8, no raw control character, no lone
 * surrogate escape): the header object first, then [time, "o"|"r", "text"]
 * events with a non-negative time. The size cap holds too.
 *
 * Input: byte 0 = cols, byte 1 = rows, byte 2 = title length (title follows),
 * then ops: a byte (low 2 bits: 0 resize, else output; the rest: a clock
 * step), a length byte, and that many data bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textwidth.h"
#include "transcript.h"
#include "util.h"

struct p {
    const char *s, *end;
};

static void ws(struct p *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\r'))
        p->s++;
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'                 ? c - '0'
                : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10
                                                     : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (unsigned)d;
    }
    return 0;
}

/* Parses a JSON string; out (may be NULL) gets its UTF-8 decoded text. */
static int string(struct p *p, struct strbuf *out)
{
    if (p->s >= p->end || *p->s != '"')
        return -1;
    p->s++;
    while (p->s < p->end) {
        unsigned char c = (unsigned char)*p->s;
        if (c == '"') {
            p->s++;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            if (p->s + 1 >= p->end)
                return -1;
            char e = p->s[1];
            p->s += 2;
            if (e == 'u') {
                unsigned v;
                if (p->end - p->s < 4 || hex4(p->s, &v) != 0)
                    return -1;
                p->s += 4;
                if (v >= 0xDC00 && v <= 0xDFFF)
                    return -1; /* lone low surrogate */
                if (v >= 0xD800 && v <= 0xDBFF) {
                    unsigned lo;
                    if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u' ||
                        hex4(p->s + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                        return -1;
                    p->s += 6;
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (out) {
                    char b[4];
                    sb_add(out, b, utf8_encode(v, b));
                }
            } else if (strchr("\"\\/bfnrt", e) && e) {
                if (out)
                    sb_putc(out, e == 'n'   ? '\n'
                                 : e == 't' ? '\t'
                                 : e == 'r' ? '\r'
                                 : e == 'b' ? '\b'
                                 : e == 'f' ? '\f'
                                            : e);
            } else {
                return -1;
            }
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(p->s, (size_t)(p->end - p->s), &cp);
        if (cp == 0xFFFD && !(n == 3 && memcmp(p->s, "\xEF\xBF\xBD", 3) == 0))
            return -1; /* invalid UTF-8 */
        if (out)
            sb_add(out, p->s, n);
        p->s += n;
    }
    return -1;
}

static int number(struct p *p, double *v)
{
    const char *s = p->s;
    if (s < p->end && *s == '-')
        s++;
    if (s >= p->end || !(*s >= '0' && *s <= '9'))
        return -1;
    if (*s == '0')
        s++;
    else
        while (s < p->end && *s >= '0' && *s <= '9')
            s++;
    if (s < p->end && *s == '.') {
        s++;
        if (s >= p->end || !(*s >= '0' && *s <= '9'))
            return -1;
        while (s < p->end && *s >= '0' && *s <= '9')
            s++;
    }
    if (s < p->end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < p->end && (*s == '+' || *s == '-'))
            s++;
        if (s >= p->end || !(*s >= '0' && *s <= '9'))
            return -1;
        while (s < p->end && *s >= '0' && *s <= '9')
            s++;
    }
    if (v) {
        char tmp[64];
        size_t n = (size_t)(s - p->s) < sizeof tmp - 1 ? (size_t)(s - p->s) : sizeof tmp - 1;
        memcpy(tmp, p->s, n);
        tmp[n] = 0;
        *v = strtod(tmp, NULL);
    }
    p->s = s;
    return 0;
}

static int value(struct p *p, int depth)
{
    if (depth > 16)
        return -1;
    ws(p);
    if (p->s >= p->end)
        return -1;
    char c = *p->s;
    if (c == '"')
        return string(p, NULL);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        p->s++;
        ws(p);
        if (p->s < p->end && *p->s == close) {
            p->s++;
            return 0;
        }
        for (;;) {
            if (c == '{') {
                ws(p);
                if (string(p, NULL) != 0)
                    return -1;
                ws(p);
                if (p->s >= p->end || *p->s != ':')
                    return -1;
                p->s++;
            }
            if (value(p, depth + 1) != 0)
                return -1;
            ws(p);
            if (p->s < p->end && *p->s == ',') {
                p->s++;
                continue;
            }
            if (p->s < p->end && *p->s == close) {
                p->s++;
                return 0;
            }
            return -1;
        }
    }
    for (const char *const *k = (const char *const[]){"true", "false", "null", NULL}; *k; k++) {
        size_t n = strlen(*k);
        if ((size_t)(p->end - p->s) >= n && memcmp(p->s, *k, n) == 0) {
            p->s += n;
            return 0;
        }
    }
    return number(p, NULL);
}

/* One event line: [time, "o"|"r", "text"]. */
static void check_event(const char *s, const char *end)
{
    struct p p = {s, end};
    double t;
    struct strbuf kind = STRBUF_INIT;
    if (*p.s++ != '[')
        abort();
    ws(&p);
    if (number(&p, &t) != 0 || t < 0)
        abort();
    ws(&p);
    if (p.s >= end || *p.s++ != ',')
        abort();
    ws(&p);
    if (string(&p, &kind) != 0 || !kind.buf || (strcmp(kind.buf, "o") && strcmp(kind.buf, "r")))
        abort();
    ws(&p);
    if (p.s >= end || *p.s++ != ',')
        abort();
    ws(&p);
    if (string(&p, NULL) != 0)
        abort();
    ws(&p);
    if (p.s >= end || *p.s++ != ']')
        abort();
    ws(&p);
    if (p.s != end)
        abort();
    sb_free(&kind);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int cols = data[0], rows = data[1];
    size_t tlen = data[2];
    size_t i = 3;
    if (tlen > size - i)
        tlen = size - i;
    char *title = xmalloc(tlen + 1);
    memcpy(title, data + i, tlen);
    title[tlen] = 0;
    i += tlen;
    int64_t start = 1764000000000LL, now = start;
    size_t cap = (size & 3) == 0 ? 4096 : 0;
    struct transcript *tr = transcript_new(cols, rows, start, title, cap);
    while (i + 2 <= size) {
        unsigned op = data[i], n = data[i + 1];
        i += 2;
        if (n > size - i)
            n = (unsigned)(size - i);
        now += ((int)(op >> 2) - 16) * 37; /* may step back */
        if ((op & 3) == 0)
            transcript_resize(tr, now, n, (int)(op >> 2));
        else
            transcript_output(tr, now, (const char *)data + i, n);
        i += n;
    }
    size_t len;
    const char *text = transcript_text(tr, &len);
    if (strlen(text) != len || !utf8_valid(text, len))
        abort();
    if (len == 0 || text[len - 1] != '\n')
        abort();
    /* Header, then events: every line one JSON value. */
    const char *line = text;
    int first = 1;
    while (line < text + len) {
        const char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl)
            abort();
        struct p p = {line, nl};
        if (first) {
            if (*line != '{' || value(&p, 0) != 0)
                abort();
            ws(&p);
            if (p.s != nl)
                abort();
        } else {
            struct p q = {line, nl};
            if (value(&q, 0) != 0)
                abort();
            check_event(line, nl);
        }
        first = 0;
        line = nl + 1;
    }
    if (cap && len > cap + 4096)
        abort(); /* the cap holds, give or take the last note */
    transcript_free(tr);
    free(title);
    return 0;
}
