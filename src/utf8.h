/* Text that enters the store is valid UTF-8. A server's output, an SSH error
 * or an imported file may hold any bytes; an invalid byte kept as is would be
 * refused by the central database (PostgreSQL checks the encoding) and, the
 * row being append-only, block sync for ever (issue 11). */
#ifndef UNYO_UTF8_H
#define UNYO_UTF8_H

#include <stddef.h>

#include "util.h"

/* s[0..len) as a malloc'd, NUL-terminated string of valid UTF-8: every byte
 * that is not part of a valid UTF-8 sequence (stray continuation bytes,
 * overlong forms, surrogates, code points past U+10FFFF, a cut sequence) and
 * every NUL byte becomes the four characters "\xNN" (lowercase hex, as
 * text_sanitize shows them). Everything else is kept byte for byte, so valid
 * input comes back unchanged and repairing twice changes nothing. NULL s
 * gives NULL. */
char *utf8_repair(const char *s, size_t len);
/* The same, appended to sb. */
void utf8_repair_add(struct strbuf *sb, const char *s, size_t len);
/* 1 when s[0..len) is valid UTF-8 without a NUL byte: text PostgreSQL takes. */
int utf8_storable(const char *s, size_t len);

#endif
