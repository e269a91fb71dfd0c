#include "textwidth.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

size_t utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (len == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (len < n) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return n;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp == 0xFFFD && !(n == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0))
            return 0;
        i += n;
    }
    return 1;
}

static int is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

/* East Asian wide ranges, for when the C library's table is unavailable
 * (plain "C" locale): wcwidth() then answers -1 for every non-ASCII
 * character and Japanese columns would collapse. */
static int wide_fallback(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
           (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

int cp_width(uint32_t cp)
{
    if (cp < 0x7F)
        return cp >= 0x20 ? 1 : 4; /* "\x1b" */
    if (is_control(cp))
        return 6; /* "\u0085" */
    int w = wcwidth((wchar_t)cp);
    if (w >= 0)
        return w;
    return wide_fallback(cp) ? 2 : 1;
}

static void escape_cp(struct strbuf *sb, uint32_t cp, int keep_newlines)
{
    if (cp == '\n')
        sb_puts(sb, keep_newlines ? "\n" : "\\n");
    else if (cp == '\t')
        sb_puts(sb, keep_newlines ? "\t" : "\\t");
    else if (cp < 0x80)
        sb_printf(sb, "\\x%02x", (unsigned)cp);
    else
        sb_printf(sb, "\\u%04x", (unsigned)cp);
}

void text_sanitize(struct strbuf *sb, const char *s, int keep_newlines)
{
    if (!s)
        return;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F) {
            size_t j = i;
            while (j < len && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F)
                j++;
            sb_add(sb, s + i, j - i);
            i = j;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp == 0xFFFD && n == 1 && c >= 0x80)
            sb_printf(sb, "\\x%02x", c);
        else if (is_control(cp))
            escape_cp(sb, cp, keep_newlines);
        else
            sb_add(sb, s + i, n);
        i += n;
    }
}

int text_width(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, s, 0);
    int w = 0;
    for (size_t i = 0; i < sb.len;) {
        uint32_t cp;
        i += utf8_decode(sb.buf + i, sb.len - i, &cp);
        w += cp_width(cp);
    }
    sb_free(&sb);
    return w;
}

static void fit(struct strbuf *sb, const char *s, int width, int right)
{
    if (width <= 0)
        return;
    struct strbuf clean = STRBUF_INIT;
    text_sanitize(&clean, s, 0);
    int total = 0;
    for (size_t i = 0; i < clean.len;) {
        uint32_t cp;
        i += utf8_decode(clean.buf + i, clean.len - i, &cp);
        total += cp_width(cp);
    }
    if (total <= width) {
        if (right)
            for (int i = total; i < width; i++)
                sb_putc(sb, ' ');
        if (clean.len)
            sb_add(sb, clean.buf, clean.len);
        if (!right)
            for (int i = total; i < width; i++)
                sb_putc(sb, ' ');
        sb_free(&clean);
        return;
    }
    /* Keep whole characters up to width - 1, then the cut mark "…". */
    int w = 0;
    size_t i = 0;
    while (i < clean.len) {
        uint32_t cp;
        size_t n = utf8_decode(clean.buf + i, clean.len - i, &cp);
        int cw = cp_width(cp);
        if (w + cw > width - 1)
            break;
        w += cw;
        i += n;
    }
    sb_add(sb, clean.buf, i);
    sb_puts(sb, "…");
    for (w++; w < width; w++)
        sb_putc(sb, ' ');
    sb_free(&clean);
}

void text_fit(struct strbuf *sb, const char *s, int width)
{
    fit(sb, s, width, 0);
}

void text_fit_right(struct strbuf *sb, const char *s, int width)
{
    fit(sb, s, width, 1);
}

char *text_first_line(const char *s, const char **rest)
{
    if (rest)
        *rest = NULL;
    if (!s)
        return xstrdup("");
    while (*s == '\n' || *s == '\r')
        s++; /* blank lines before the text */
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    char *line = xmalloc(n + 1);
    memcpy(line, s, n);
    line[n] = '\0';
    if (n > 0 && line[n - 1] == '\r')
        line[n - 1] = '\0';
    if (nl && rest) {
        const char *r = nl + 1;
        while (*r == '\n' || *r == '\r' || *r == ' ' || *r == '\t')
            r++;
        if (*r)
            *rest = nl + 1;
    }
    return line;
}

char *text_one_line(const char *s)
{
    const char *rest;
    char *line = text_first_line(s, &rest);
    if (!rest)
        return line;
    char *out = xasprintf("%s ⏎", line);
    free(line);
    return out;
}

size_t text_note_rows(const char *head, const char *note, char ***rows)
{
    const char *rest;
    char *first = text_first_line(note, &rest);
    size_t n = 1;
    char **v = xmalloc(sizeof *v);
    v[0] = xasprintf("%s%s", head ? head : "", first);
    free(first);
    int indent = text_width(head ? head : "");
    while (rest) {
        const char *next;
        char *line = text_first_line(rest, &next);
        /* text_first_line skips blank lines before a line: keep them as rows */
        for (const char *p = rest; *p == '\n' || *p == '\r'; p++)
            if (*p == '\n') {
                v = xrealloc(v, (n + 1) * sizeof *v);
                v[n++] = xstrdup("");
            }
        v = xrealloc(v, (n + 1) * sizeof *v);
        v[n++] = xasprintf("%*s%s", indent, "", line);
        free(line);
        rest = next;
    }
    *rows = v;
    return n;
}

size_t text_wrap(const char *s, int width, char ***lines)
{
    if (width < 1)
        width = 1;
    const char *p = s ? s : "";
    size_t n = 0;
    char **v = NULL;
    for (;;) {
        /* one line: up to the width, a line break or the end */
        const char *q = p, *space = NULL;
        int w = 0;
        size_t len = strlen(p);
        while (*q && *q != '\n') {
            uint32_t cp;
            size_t k = utf8_decode(q, len - (size_t)(q - p), &cp);
            int cw = cp_width(cp);
            if (w + cw > width && q > p)
                break;
            if (*q == ' ' && w * 3 >= width)
                space = q;
            w += cw;
            q += k;
        }
        const char *end = q, *next = q;
        if (*q && *q != '\n' && space) { /* broke inside a line: at the last space */
            end = space;
            next = space + 1;
        } else if (*q == '\n') {
            next = q + 1;
        }
        if (end > p && end[-1] == '\r')
            end--;
        v = xrealloc(v, (n + 1) * sizeof *v);
        v[n++] = xstrndup(p, (size_t)(end - p));
        if (!*next && *q != '\n')
            break;
        p = next;
        if (!*p)
            break;
    }
    *lines = v;
    return n;
}
