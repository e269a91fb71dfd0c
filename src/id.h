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
/* The same id on every console for the same (kind, name): a UUIDv8 made from
 * SHA-256 of both. For rows every store makes on its own (seed templates and
 * libraries, an operator registered on two consoles), so sync merges them
 * instead of seeing two rows with one natural key. */
void id_for_name(char out[ID_LEN + 1], const char *kind, const char *name);
/* 1 when s is a well-formed lower-case UUID text. */
int id_valid(const char *s);

#endif
