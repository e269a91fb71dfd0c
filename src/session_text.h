/* The text of a recorded console session (ssh_sessions.transcript, the asciicast v2
 * that src/transcript.c writes), as the lines an operator saw: the output is played
 * into a terminal model of the session's size (src/term.h), so cursor movement,
 * carriage returns, colours and every other control sequence are applied, not
 * copied, and each line is then sanitised (src/textwidth.h). What comes out holds no
 * escape sequence and may go into a record as it is: a change step's evidence
 * (`unyo change do REF N --evidence-session ID --lines A-B`). */
#ifndef UNYO_SESSION_TEXT_H
#define UNYO_SESSION_TEXT_H

#include <stddef.h>

#include "id.h"

struct store;

/* The lines of a recording (cast, len bytes): the scrollback then the screen, blank
 * lines at the end dropped. -1 with *err when the recording cannot be read. */
int session_cast_lines(const char *cast, size_t len, char ***lines, size_t *n, char **err);
void session_lines_free(char **lines, size_t n);

/* "A-B", "A" or "A-" (to the end) as a 1-based line range; 0 for a malformed one.
 * *to is 0 for "to the end". */
int session_parse_range(const char *s, int *from, int *to);
/* Lines from..to (1-based, inclusive; to 0: the last line; from 0: the first) joined
 * with newlines (malloc'd). -1 with *err when the range is outside 1..n. */
int session_lines_join(char *const *lines, size_t n, int from, int to, char **out, char **err);

/* The lines of session id (an ssh_sessions id or a unique prefix of one); full_id
 * (may be NULL) gets its whole id. Refuses an unknown session and one without a
 * recording (still open, or it failed). */
int session_text_lines(struct store *st, const char *id, char full_id[ID_LEN + 1], char ***lines,
                       size_t *n, char **err);

#endif
