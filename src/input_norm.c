#include "input_norm.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

/* One code point of valid UTF-8 at s (utf8_repair made it so): its value, and
 * its length in *len. */
static unsigned decode(const unsigned char *s, int *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    }
    *len = 4;
    return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3F) << 12 |
           (unsigned)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/* The ASCII character c folds to, or 0 when it is kept. */
static char fold(unsigned c)
{
    if (c >= 0xFF01 && c <= 0xFF5E)
        return (char)(c - 0xFEE0);
    switch (c) {
    case 0x3000:
    case '\t':
        return ' ';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
    case 0x30FC:
    case 0xFF70:
        return '-';
    case 0x3002:
    case 0xFF61:
        return '.';
    default:
        return 0;
    }
}

char *input_norm(const char *s)
{
    if (!s)
        return NULL;
    char *fixed = utf8_repair(s, strlen(s));
    const unsigned char *p = (const unsigned char *)fixed;
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "", 0);
    int space = 0; /* a space is owed before the next character */
    while (*p) {
        int len;
        unsigned c = decode(p, &len);
        char a = fold(c);
        if (a == ' ' || c == ' ' || ((c == '\r' || c == '\n') && sb.len == 0)) {
            space = sb.len > 0;
            p += len;
            continue;
        }
        if (space) {
            sb_add(&sb, " ", 1);
            space = 0;
        }
        if (a)
            sb_add(&sb, &a, 1);
        else
            sb_add(&sb, (const char *)p, (size_t)len);
        p += len;
    }
    /* CR and LF at the end (inner ones are kept: the parser refuses them) */
    while (sb.len > 0 &&
           (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r' || sb.buf[sb.len - 1] == ' '))
        sb.buf[--sb.len] = '\0';
    free(fixed);
    return sb_detach(&sb);
}

/* Two digits at *p, no more (a month or a day, as the parsers want them):
 * their value, or -1. */
static int two_digits(const char **p)
{
    const char *s = *p;
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || (s[2] >= '0' && s[2] <= '9'))
        return -1;
    *p = s + 2;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The separator at *p: "-", "/", "." (one byte) or one of the kanji "年",
 * "月", "日" (returned as 'y', 'm', 'd'); 0 when none. */
static int separator(const char **p)
{
    static const struct {
        const char *text;
        int kind;
    } seps[] = {{"-", '-'}, {"/", '/'}, {".", '.'}, {"年", 'y'}, {"月", 'm'}, {"日", 'd'}};
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        size_t n = strlen(seps[i].text);
        if (strncmp(*p, seps[i].text, n) == 0) {
            *p += n;
            return seps[i].kind;
        }
    }
    return 0;
}

char *input_norm_date(const char *s)
{
    char *n = input_norm(s);
    if (!n)
        return NULL;
    const char *p = n;
    for (int i = 0; i < 4; i++)
        if (p[i] < '0' || p[i] > '9')
            return n;
    p += 4;
    const char *q = p;
    int s1 = separator(&q);
    if (s1 != '-' && s1 != '/' && s1 != '.' && s1 != 'y')
        return n;
    int mo = two_digits(&q);
    if (mo < 0)
        return n;
    const char *rest = q; /* after the month */
    int s2 = separator(&q), day = -1;
    if (s1 == 'y' ? s2 != 'm' : s2 != 0 && s2 != s1)
        return n; /* "2026年12", "2026/12-07", "2026-12年" */
    if (s2) {
        const char *r = q;
        day = two_digits(&r);
        if (day >= 0) {
            rest = r;
            if (s1 == 'y' && separator(&r) == 'd')
                rest = r;
        } else if (s1 == 'y') {
            rest = q; /* "2026年12月": a month */
        } else {
            return n; /* "2026/12/", "2026/12/345" */
        }
    }
    struct strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "%.4s-%02d", n, mo);
    if (day >= 0)
        sb_printf(&sb, "-%02d", day);
    sb_add(&sb, rest, strlen(rest));
    free(n);
    return sb_detach(&sb);
}
