/* Search inside recordings (data/schema/016_session_search.sql). A session's output
 * is played through the terminal model (src/term.h), a few lines at a time, and every
 * line the screen showed is kept once, with the offset at which it first showed: what
 * a full-screen program (less, top, vi) drew counts as it was seen, even when the
 * program later cleared it away; a line typed a key at a time is kept as it stood when
 * the cursor left it. The lines go into an FTS5 trigram index (any language, any
 * substring of 3 characters or more). Sessions are indexed when they end
 * (session_end), and those recorded before, or pulled by sync, lazily by
 * session_index_pending (`unyo session index`, and every search). */
#ifndef UNYO_SESSION_INDEX_H
#define UNYO_SESSION_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;

struct session_shown {
    int64_t ms; /* from the start */
    char *text; /* sanitised, no trailing blanks */
};

/* The lines a recording showed, in the order they showed. -1 with *err when the
 * recording has no header. */
int session_shown_lines(const char *cast, size_t len, struct session_shown **out, size_t *n,
                        char **err);
void session_shown_free(struct session_shown *v, size_t n);

/* Indexes session id's recording (cast, len), replacing what was indexed of it. */
int session_index_cast(struct store *st, const char *id, const char *cast, size_t len, char **err);
/* Indexes every ended session with a recording not indexed yet (all of them with
 * rebuild). *count (may be NULL) gets how many were indexed. A read-only store indexes
 * nothing and is no error. */
int session_index_pending(struct store *st, int rebuild, int *count, char **err);

struct session_hit {
    char id[ID_LEN + 1];
    char *host, *operator_login; /* operator_login NULL when unknown */
    char *started_at;            /* UTC text as stored */
    int64_t at_ms;               /* the line's offset from the start */
    char *line;
};

/* The lines of recorded sessions that contain text (case-insensitive for ASCII): the
 * last indexed ones (the index fills in session order), shown newest session first and
 * in order within one; of host (a host name, NULL: all) and of
 * sessions started at or after from (UTC ISO, NULL: any); at most limit (<= 0: 100).
 * Text of fewer than 3 characters reads every line (slower). */
int session_search(struct store *st, const char *text, const char *host, const char *from,
                   int limit, struct session_hit **out, size_t *n, char **err);
void session_hits_free(struct session_hit *v, size_t n);

#endif
