/* The recorded terminal sessions (ssh_sessions), read back: the list of
 * sessions and one session's recording. Rows are written by session_begin and
 * session_end (src/transcript.h). */
#ifndef UNYO_SESSION_LIST_H
#define UNYO_SESSION_LIST_H

#include <stddef.h>

#include "id.h"

struct store;

struct session_row {
    char *id, *host, *operator_login; /* operator_login NULL when unknown */
    char *started_at, *ended_at;      /* UTC text as stored; ended_at NULL while open */
    int has_exit, exit_status;        /* has_exit 0 while unknown */
    char *end_reason;                 /* NULL while open */
    long long length;                 /* length() of the recording, -1 when none */
};

/* The sessions not deleted, newest first, of host (a host name, NULL: every host),
 * at most limit (<= 0: 100). 0 and *out (free with session_rows_free) or -1 (err). */
int session_list(struct store *st, const char *host, int limit, struct session_row **out, size_t *n,
                 char **err);
void session_rows_free(struct session_row *v, size_t n);

/* The recording (asciicast v2 text) of the session whose id is id or begins with
 * it. 1: found, *data malloc'd (NUL-terminated) and *len set, or *data NULL when
 * the session has no recording (still open, or it failed); 0: no such session;
 * 2: several sessions match; -1: a read error (err). full_id (may be NULL) gets the
 * session's whole id when found. An empty id is no session. */
int session_recording_by_prefix(struct store *st, const char *id, char full_id[ID_LEN + 1],
                                char **data, size_t *len, char **err);

#endif
