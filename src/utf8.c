#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "textwidth.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the byte at s
 * starts none (or is NUL). utf8_decode is strict (no overlong form, no
 * surrogate, nothing past U+10FFFF); a literal U+FFFD is valid text. */
static size_t seq_len(const char *s, size_t len)
{
    unsigned char c = (unsigned char)s[0];
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    uint32_t cp;
    size_t n = utf8_decode(s, len, &cp);
    if (cp == 0xFFFD && !(n == 3 && memcmp(s, "\xEF\xBF\xBD", 3) == 0))
        return 0;
    return n;
}

int utf8_storable(const char *s, size_t len)
{
    if (!s)
        return 1;
    for (size_t i = 0; i < len;) {
        size_t n = seq_len(s + i, len - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

void utf8_repair_add(struct strbuf *sb, const char *s, size_t len)
{
    size_t start = 0, i = 0;
    while (i < len) {
        /* ASCII runs first: the usual case. */
        if ((unsigned char)s[i] - 1u < 0x7Fu) {
            i++;
            continue;
        }
        size_t n = seq_len(s + i, len - i);
        if (n) {
            i += n;
            continue;
        }
        if (i > start)
            sb_add(sb, s + start, i - start);
        sb_printf(sb, "\\x%02x", (unsigned char)s[i]);
        start = ++i;
    }
    if (len > start)
        sb_add(sb, s + start, len - start);
}

char *utf8_repair(const char *s, size_t len)
{
    if (!s)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    utf8_repair_add(&sb, s, len);
    if (!sb.buf)
        return xstrdup("");
    return sb_detach(&sb);
}
