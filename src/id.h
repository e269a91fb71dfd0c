/* Time-ordered random row ids (UUIDv7, RFC 9562) so rows made on two consoles
 * never collide and sort by creation time. */
#ifndef UNYO_ID_H
#define UNYO_ID_H

#include <stdint.h>

#define ID_LEN 36 /* text form, without the NUL */

/* Writes a new UUIDv7 for unix_ms into out (ID_LEN + 1 bytes). Ids made in the
 * same millisecond by one process stay strictly increasing. */
void id_new_at(char out[ID_LEN + 1], int64_t unix_ms);
void id_new(char out[ID_LEN + 1]);
/* 1 when s is a well-formed lower-case UUID text. */
int id_valid(const char *s);

#endif
