/* Writing JSON: strings escaped so the result is always valid JSON (any bytes
 * in, valid UTF-8 out), and small objects for events' data column and the
 * CLI's --json output. Reading JSON is not needed anywhere. */
#ifndef UNYO_JSON_H
#define UNYO_JSON_H

#include <stddef.h>

struct strbuf;

/* Appends the n bytes at s escaped for the inside of a JSON string (no
 * quotes): '"' and '\\' escaped, \n \r \t as such, other C0 controls, DEL and
 * the C1 controls U+0080..U+009F as \u00XX (NUL included); valid UTF-8 passes through and each byte
 * of an invalid sequence becomes U+FFFD, so the result is always valid JSON. */
void json_escape(struct strbuf *sb, const char *s, size_t n);
/* Appends s as a JSON string literal (with quotes), escaped as json_escape. */
void json_string(struct strbuf *sb, const char *s);

/* Appends "key":"v" to the object being built in sb: '{' first when sb is
 * empty, ',' before later pairs; nothing when v is NULL. The caller closes
 * the object with '}'. */
void json_field(struct strbuf *sb, const char *key, const char *v);
/* Appends "key":"v" ("key":null when v is NULL) to the object being built in
 * sb, with ',' before it unless it is the first member (sb empty or ending in
 * '{' or '['). The caller opens and closes the object. */
void json_member(struct strbuf *sb, const char *key, const char *v);
/* {"key":"value"} (malloc'd). */
char *json_obj1(const char *key, const char *value);
/* {"k1":"v1","k2":"v2"} (malloc'd): values as given by a person are escaped. */
char *json_obj2(const char *k1, const char *v1, const char *k2, const char *v2);

#endif
