/* The `/` filter: a PCRE2 pattern, JIT-compiled, smart case (case-insensitive
 * unless the pattern has an upper-case letter), UTF mode.
 *
 * Every match is bounded: a pattern such as `(a|aa)+$` backtracks
 * exponentially, so a match stops after UI_FILTER_MATCH_LIMIT steps (and a
 * bounded depth, heap and JIT stack) and reports that it was cut short
 * instead of running for ~0.1 s per title. */
#ifndef UNYO_UI_FILTER_H
#define UNYO_UI_FILTER_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Titles are short: a plain pattern needs a few thousand steps on one; the
 * limit leaves room for patterns with some backtracking and stops runaway
 * ones after about a millisecond. */
#define UI_FILTER_MATCH_LIMIT 100000u
#define UI_FILTER_DEPTH_LIMIT 2000u
#define UI_FILTER_HEAP_LIMIT_KIB 2048u

enum { UI_FILTER_CUT = -1, UI_FILTER_NO = 0, UI_FILTER_YES = 1 };

/* Compiles pattern; NULL with *err = the PCRE2 message and the offset. */
pcre2_code *ui_filter_compile(const char *pattern, char **err);
/* UI_FILTER_YES, UI_FILTER_NO, or UI_FILTER_CUT when the match hit a work
 * limit before deciding (the subject was not checked). Match data is kept per
 * thread of the caller. */
int ui_filter_try(const pcre2_code *re, const char *subject, size_t len);
/* 1 when subject matches (a match cut short counts as no match). */
int ui_filter_match(const pcre2_code *re, const char *subject, size_t len);
void ui_filter_free(pcre2_code *re);
/* Frees the calling thread's match data (call before a worker thread ends). */
void ui_filter_thread_done(void);

#endif
