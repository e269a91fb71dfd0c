/* The `/` filter: a PCRE2 pattern, JIT-compiled, smart case (case-insensitive
 * unless the pattern has an upper-case letter), UTF mode. */
#ifndef UNYO_UI_FILTER_H
#define UNYO_UI_FILTER_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Compiles pattern; NULL with *err = the PCRE2 message and the offset. */
pcre2_code *ui_filter_compile(const char *pattern, char **err);
/* 1 when subject matches (match data is kept per thread of the caller). */
int ui_filter_match(const pcre2_code *re, const char *subject, size_t len);
void ui_filter_free(pcre2_code *re);
/* Frees the calling thread's match data (call before a worker thread ends). */
void ui_filter_thread_done(void);

#endif
