#include "json.h"

#include <stdint.h>
#include <string.h>

#include "textwidth.h"
#include "util.h"

void json_escape(struct strbuf *sb, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (cp == 0xFFFD && !(len == 3 && memcmp(s + i, "\xef\xbf\xbd", 3) == 0)) {
            sb_puts(sb, "\xef\xbf\xbd"); /* an invalid byte */
        } else if (len > 1 && cp >= 0x80 && cp < 0xA0) {
            sb_printf(sb, "\\u%04x", (unsigned)cp); /* a C1 control */
        } else if (len > 1) {
            sb_add(sb, s + i, len);
        } else {
            switch (cp) {
            case '"':
                sb_puts(sb, "\\\"");
                break;
            case '\\':
                sb_puts(sb, "\\\\");
                break;
            case '\n':
                sb_puts(sb, "\\n");
                break;
            case '\r':
                sb_puts(sb, "\\r");
                break;
            case '\t':
                sb_puts(sb, "\\t");
                break;
            default:
                if (cp < 0x20 || cp == 0x7F)
                    sb_printf(sb, "\\u%04x", (unsigned)cp);
                else
                    sb_putc(sb, (char)cp);
            }
        }
        i += len;
    }
}

void json_string(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    json_escape(sb, s, strlen(s));
    sb_putc(sb, '"');
}

void json_field(struct strbuf *sb, const char *key, const char *v)
{
    if (!v)
        return;
    sb_putc(sb, sb->len ? ',' : '{');
    json_string(sb, key);
    sb_putc(sb, ':');
    json_string(sb, v);
}

void json_member(struct strbuf *sb, const char *key, const char *v)
{
    if (sb->len && sb->buf[sb->len - 1] != '{' && sb->buf[sb->len - 1] != '[')
        sb_putc(sb, ',');
    json_string(sb, key);
    sb_putc(sb, ':');
    if (v)
        json_string(sb, v);
    else
        sb_puts(sb, "null");
}

char *json_obj1(const char *key, const char *value)
{
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '{');
    json_string(&sb, key);
    sb_putc(&sb, ':');
    json_string(&sb, value);
    sb_putc(&sb, '}');
    return sb_detach(&sb);
}

char *json_obj2(const char *k1, const char *v1, const char *k2, const char *v2)
{
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '{');
    json_string(&sb, k1);
    sb_putc(&sb, ':');
    json_string(&sb, v1);
    sb_putc(&sb, ',');
    json_string(&sb, k2);
    sb_putc(&sb, ':');
    json_string(&sb, v2);
    sb_putc(&sb, '}');
    return sb_detach(&sb);
}
