/* The `/` filter: pattern compile and bounded matching over titles.
 * Input: a pattern, a newline, then titles one per line.
 * Properties: a pattern either compiles or fails with a message naming a
 * character offset within the pattern; every match answers yes, no or "cut
 * short" (never another code) and returns under the work bound (libFuzzer's
 * -timeout catches a runaway); a verdict that was not cut short agrees with
 * an interpreter-only copy of the pattern and with a reference match under a
 * four times higher limit (when that one decides); no leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textwidth.h"
#include "ui_filter.h"
#include "util.h"

static pcre2_match_context *ref_ctx;
static pcre2_match_data *ref_md;

static int reference(const pcre2_code *re, const char *s, size_t n)
{
    if (!ref_ctx) {
        ref_ctx = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(ref_ctx, UI_FILTER_MATCH_LIMIT * 4);
        pcre2_set_depth_limit(ref_ctx, UI_FILTER_DEPTH_LIMIT * 4);
        pcre2_set_heap_limit(ref_ctx, UI_FILTER_HEAP_LIMIT_KIB * 4);
        ref_md = pcre2_match_data_create(1, NULL);
    }
    int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, ref_md, ref_ctx);
    return rc >= 0 ? UI_FILTER_YES : rc == PCRE2_ERROR_NOMATCH ? UI_FILTER_NO : UI_FILTER_CUT;
}

static size_t chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xmalloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    size_t plen = strcspn(in, "\n");
    char *pattern = xmalloc(plen + 1);
    memcpy(pattern, in, plen);
    pattern[plen] = '\0';
    size_t pchars = chars(pattern, strlen(pattern)); /* the pattern ends at a NUL */

    char *err = NULL;
    pcre2_code *re = ui_filter_compile(pattern, &err);
    if (!re) {
        /* "… offset N: message": N within the pattern (in characters) */
        const char *o = err ? strstr(err, "offset ") : NULL;
        if (!o)
            abort();
        unsigned long off = strtoul(o + 7, NULL, 10);
        if (off > pchars)
            abort();
        free(err);
        free(pattern);
        free(in);
        return 0;
    }
    if (err)
        abort();
    pcre2_code *interp = pcre2_code_copy(re); /* no JIT code in a copy */
    long titles = 0, cut = 0;
    const char *p = plen < size ? in + plen + 1 : in + size;
    const char *end = in + size;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int a = ui_filter_try(re, p, n);
        int b = ui_filter_try(interp, p, n);
        if ((a != UI_FILTER_YES && a != UI_FILTER_NO && a != UI_FILTER_CUT) ||
            (b != UI_FILTER_YES && b != UI_FILTER_NO && b != UI_FILTER_CUT))
            abort();
        if (ui_filter_match(re, p, n) != (a == UI_FILTER_YES))
            abort();
        /* On invalid UTF-8 (PCRE2_MATCH_INVALID_UTF) PCRE2 10.42's JIT and
         * interpreter differ, e.g. `$` on "aaaa\\\xbb\x85\xb6" (corpus:
         * jit_interp_invalid_utf8); stored titles are valid UTF-8, so the
         * verdicts are compared there only. */
        int valid = utf8_valid(p, n);
        if (valid && a != UI_FILTER_CUT && b != UI_FILTER_CUT && a != b)
            abort(); /* JIT and interpreter disagree */
        int r = reference(interp, p, n);
        if (r != UI_FILTER_CUT && b != UI_FILTER_CUT && r != b)
            abort(); /* the bound changed a verdict it did reach */
        titles++;
        cut += a == UI_FILTER_CUT;
        if (!nl)
            break;
        p = nl + 1;
    }
    if (cut > titles)
        abort();
    pcre2_code_free(interp);
    ui_filter_free(re);
    ui_filter_thread_done();
    pcre2_match_data_free(ref_md);
    pcre2_match_context_free(ref_ctx);
    ref_md = NULL;
    ref_ctx = NULL;
    free(pattern);
    free(in);
    return 0;
}
