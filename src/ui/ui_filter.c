#include "ui_filter.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "textwidth.h"
#include "util.h"

static int has_upper(const char *p)
{
    for (const char *s = p; *s; s++) {
        /* Skip escapes such as \S, \W, \D: they are not letters of the text. */
        if (*s == '\\' && s[1]) {
            s++;
            continue;
        }
        if (*s >= 'A' && *s <= 'Z')
            return 1;
    }
    return 0;
}

pcre2_code *ui_filter_compile(const char *pattern, char **err)
{
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    if (!has_upper(pattern))
        opts |= PCRE2_CASELESS;
    int code;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        /* PCRE2 counts bytes; people count characters. */
        size_t chars = 0;
        for (size_t i = 0; i < off && pattern[i]; i++)
            chars += ((unsigned char)pattern[i] & 0xC0) != 0x80;
        set_err(err, _("bad pattern at offset %zu: %s"), chars, (const char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return re;
}

static _Thread_local pcre2_match_data *md;
static _Thread_local pcre2_jit_stack *jstack;
static _Thread_local pcre2_match_context *mctx;

/* The limits live in a match context per thread (with the thread's JIT
 * stack, which the context points to). */
static pcre2_match_context *context(void)
{
    if (!mctx) {
        mctx = pcre2_match_context_create(NULL);
        if (!mctx)
            abort();
        pcre2_set_match_limit(mctx, UI_FILTER_MATCH_LIMIT);
        pcre2_set_depth_limit(mctx, UI_FILTER_DEPTH_LIMIT);
        pcre2_set_heap_limit(mctx, UI_FILTER_HEAP_LIMIT_KIB);
        jstack = pcre2_jit_stack_create(32 * 1024, 256 * 1024, NULL);
        if (jstack)
            pcre2_jit_stack_assign(mctx, NULL, jstack);
    }
    return mctx;
}

int ui_filter_try(const pcre2_code *re, const char *subject, size_t len)
{
    if (!md)
        md = pcre2_match_data_create(1, NULL);
    if (!md)
        abort();
    pcre2_match_context *mc = context();
    int rc = pcre2_jit_match(re, (PCRE2_SPTR)subject, len, 0, 0, md, mc);
    if (rc == PCRE2_ERROR_JIT_BADOPTION)
        rc = pcre2_match(re, (PCRE2_SPTR)subject, len, 0, 0, md, mc);
    if (rc >= 0)
        return UI_FILTER_YES;
    if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
        return UI_FILTER_NO;
    /* PCRE2_ERROR_MATCHLIMIT, _DEPTHLIMIT, _HEAPLIMIT, _JIT_STACKLIMIT,
     * _NOMEMORY: the pattern was too costly for this subject. */
    return UI_FILTER_CUT;
}

int ui_filter_match(const pcre2_code *re, const char *subject, size_t len)
{
    return ui_filter_try(re, subject, len) == UI_FILTER_YES;
}

void ui_filter_free(pcre2_code *re)
{
    pcre2_code_free(re);
}

void ui_filter_thread_done(void)
{
    pcre2_match_data_free(md);
    md = NULL;
    pcre2_match_context_free(mctx);
    mctx = NULL;
    pcre2_jit_stack_free(jstack);
    jstack = NULL;
}
