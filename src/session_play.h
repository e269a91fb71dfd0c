/* A recorded console session read back (issue 13, "Incidents and consoles
 * together"): its label where a timeline or a link list names it
 * ("lib-ap01 10:55–10:58 (3分)", never its uuid), its recording, and a
 * player over the recording (asciicast v2, written by src/transcript.c)
 * that feeds a term (src/term.h) for a read-only viewer: the screen at any
 * instant (seek), and a search of the text that was output. No ncurses:
 * screens/session_player.c draws it and keeps the clock.
 *
 *   player_new(cast, len, &p, &err);
 *   player_seek(p, ms);          the screen at ms after the start
 *   at = player_search(p, "df -h", 1);   the next instant the text appears
 *   term = player_term(p);       draw it */
#ifndef UNYO_SESSION_PLAY_H
#define UNYO_SESSION_PLAY_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;
struct term;

/* "HOST 10:55–10:58 (3 min)" in JST (the end with its date when it is
 * another day); end_ms 0: still open, "HOST 10:55– (open)". malloc'd. */
char *session_span_label(const char *host, int64_t start_ms, int64_t end_ms);
/* The label of the ssh_sessions row id (malloc'd into *out). 0; 0 with *out
 * NULL when there is no such session here (not synced yet); -1 with *err when
 * the store cannot be read. */
int session_label(struct store *st, const char *id, char **out, char **err);
/* The recording of the session whose id is id or begins with it (asciicast v2
 * text, malloc'd, NUL-terminated, *len bytes), its whole id (full_id may be NULL)
 * and its label (malloc'd; label may be NULL). -1 with *err, in the operator's
 * words, for no such session, several, or one without a recording (still open,
 * or it failed). */
int session_recording(struct store *st, const char *id, char full_id[ID_LEN + 1], char **cast,
                      size_t *len, char **label, char **err);

struct player;
/* Reads an asciicast v2 recording: a header line (width, height), then
 * [seconds, "o", "text"] and [seconds, "r", "COLSxROWS"] lines. Lines that
 * cannot be read are skipped; -1 with *err when there is no header. The
 * screen starts at 0 ms. */
int player_new(const char *cast, size_t len, struct player **out, char **err);
void player_free(struct player *p);
struct term *player_term(struct player *p);
int64_t player_length_ms(const struct player *p);
int64_t player_pos_ms(const struct player *p);
/* The instant of the next output not yet on screen, -1 at the end (a player
 * skips long idle gaps with it). */
int64_t player_next_ms(const struct player *p);
/* The screen as it was ms after the start (clamped to 0..length). */
void player_seek(struct player *p, int64_t ms);
/* The instant of the next (dir > 0) or previous (dir < 0) output of needle
 * (plain text, ASCII letters in either case, escape sequences ignored) after
 * or before the current position, wrapping around the recording; -1 when
 * the text is never output. *wrapped (may be NULL) is set to 1 on a wrap. */
int64_t player_search(struct player *p, const char *needle, int dir, int *wrapped);

/* The recording's markers ("m" events: an incident or change step recorded while the
 * session was linked to it), in time order. */
struct player_marker {
    int64_t ms;
    char *label; /* sanitised */
};
const struct player_marker *player_markers(const struct player *p, size_t *n);

#endif
