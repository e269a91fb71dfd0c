/* The redaction rule file (src/redact.h) over any bytes, then the rules it gives over
 * the rest of the input. Input: the rule file up to the first NUL byte, then the
 * output to redact. Properties:
 * - a rule file is loaded whole or refused with "fuzz.ini:LINE: " and nothing loaded;
 * - a loaded rule's name is letters, digits, '-', '_' and '.' only;
 * - redacting the output in one piece and in pieces of every size from 1 to 7 never
 *   crashes or reads out of bounds (a rule's backtracking is bounded);
 * - output without a match comes out unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t flen = nul ? (size_t)(nul - text) : size;
    const char *out_text = nul ? nul + 1 : text + size;
    size_t olen = nul ? size - flen - 1 : 0;
    if (olen > 4096)
        olen = 4096;

    struct redact_rules *rs = NULL;
    char *err = NULL;
    if (redact_rules_parse("fuzz.ini", text, flen, &rs, &err) != 0) {
        if (rs || !err || strncmp(err, "fuzz.ini:", 9) != 0)
            abort();
        free(err);
        return 0;
    }
    if (err || !rs)
        abort();
    for (size_t i = 0; i < redact_rules_count(rs); i++)
        for (const char *s = redact_rule_name(rs, i); *s; s++)
            if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                  (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
                abort();

    size_t whole_len = 0;
    char *whole = redact_text(rs, out_text, olen, &whole_len);
    for (size_t piece = 1; piece <= 7; piece++) {
        struct redactor *r = redactor_new(rs);
        struct strbuf out = STRBUF_INIT;
        for (size_t at = 0; at < olen; at += piece) {
            size_t n = olen - at < piece ? olen - at : piece;
            redactor_feed(r, out_text + at, n, &out);
        }
        redactor_flush(r, &out);
        char *sum = redactor_summary(r);
        /* Nothing redacted: the text passed through as it came. */
        if (!*sum && (out.len != olen || (olen && memcmp(out.buf, out_text, olen) != 0)))
            abort();
        free(sum);
        sb_free(&out);
        redactor_free(r);
    }
    free(whole);
    redact_rules_free(rs);
    return 0;
}
