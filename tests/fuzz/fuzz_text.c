/* Text made safe for the terminal: whatever the bytes, text_sanitize gives
 * valid UTF-8 with no control character, and text_fit gives exactly the
 * width asked for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textwidth.h"
#include "util.h"

static void check_clean(const char *s, size_t len)
{
    if (!utf8_valid(s, len))
        abort();
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            abort();
        i += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int width = data[0] % 64;
    char *s = xmalloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';

    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, s, 0);
    check_clean(sb.buf ? sb.buf : "", sb.len);
    sb_free(&sb);

    struct strbuf fit = STRBUF_INIT;
    text_fit(&fit, s, width);
    check_clean(fit.buf ? fit.buf : "", fit.len);
    if (text_width(fit.buf ? fit.buf : "") != width)
        abort();
    sb_free(&fit);

    struct strbuf right = STRBUF_INIT;
    text_fit_right(&right, s, width);
    if (text_width(right.buf ? right.buf : "") != width)
        abort();
    sb_free(&right);
    free(s);
    return 0;
}
