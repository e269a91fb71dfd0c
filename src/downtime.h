/* Downtimes (issue 15; migration 024, table downtimes).
 *
 * A host is in downtime (planned maintenance) while
 *   - a manual downtime holds: a downtimes row, from starts_at to ends_at, with a
 *     reason; `downtime end` cuts it short at the time it is ended (ended_at);
 *   - or an approved or in-progress change with a window names it as a target host
 *     (a link change -> host): from window_start to window_end. This is read from the
 *     change ledger, never copied: a change still in progress past its window no
 *     longer holds its hosts after window_end; a draft, cancelled, returned or done
 *     change holds none.
 * An NG check result recorded while its host is in downtime names the downtime
 * (checklist_events.downtime_id: the downtimes row or the change), opens no incident
 * draft and is not counted as NG (the checklist, the status line, the reports).
 * Every change of a downtimes row is audited (downtime.add, downtime.end) and syncs
 * as a ledger row. */
#ifndef UNYO_DOWNTIME_H
#define UNYO_DOWNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;

/* One downtime of one host, manual or from a change. Strings malloc'd. */
struct downtime {
    char id[ID_LEN + 1]; /* downtimes.id, or the change's id */
    char host_id[ID_LEN + 1];
    char *host;
    int from_change;    /* 1: the window of an approved or in-progress change */
    char *change_ref;   /* from_change: its ref; else NULL */
    char *reason;       /* manual: the reason; change: its title */
    int64_t starts_ms;  /* when it starts */
    int64_t ends_ms;    /* when it ends, as it is now (ended early: the time it was ended) */
    int64_t planned_ms; /* the end it was given (--to, or the change's window end) */
    int ended;          /* ended early by `downtime end` */
    char *by_login;     /* manual: who added it; change: who approved it (or NULL) */
};

struct downtimes {
    struct downtime *items; /* by start, then host name */
    size_t count;
};
void downtimes_free(struct downtimes *d);

/* Adds a manual downtime of host (its name) from from_ms to to_ms (UTC ms) for a
 * reason, as the acting operator at now_ms. Refuses (nothing written) in a read-only
 * store, a blank reason, an unknown host, an end not after the start, and a downtime
 * wholly in the past (to_ms <= now_ms). out_id (ID_LEN + 1) may be NULL. */
int downtime_add(struct store *st, const char *host, int64_t from_ms, int64_t to_ms,
                 const char *reason, int64_t now_ms, char *out_id, char **err);

/* Ends now the manual downtimes named by what: a downtime's id (or a prefix of it
 * that names one), or a host name (every one of the host's that has not ended yet,
 * upcoming ones too). Refuses a host whose only downtime comes from a change (say
 * which), and a name that matches nothing open. *n_ended (may be NULL) counts them. */
int downtime_end(struct store *st, const char *what, int64_t now_ms, size_t *n_ended, char **err);

/* The downtimes, manual and from changes. host_id NULL: every host's. all 0: those
 * that have not ended by now_ms (on now or upcoming); all 1: every one, past and
 * ended ones too. */
int downtime_list(struct store *st, const char *host_id, int all, int64_t now_ms,
                  struct downtimes *out, char **err);

/* The downtime that holds host_id at at_ms (starts <= at < ends): 1 and fills out
 * (may be NULL; free with downtime_clear), 0 when none, -1 on error. */
int downtime_at(struct store *st, const char *host_id, int64_t at_ms, struct downtime *out,
                char **err);
void downtime_clear(struct downtime *d);

/* A check run's hook (src/checks.c): the downtime that holds host_id at at_ms, as
 * the id stored with the NG result (id_out, ID_LEN + 1; "" when none) and a line
 * for the run's output (*text, malloc'd, replacing what it held; untouched when
 * none). 0 or -1. */
int downtime_for_result(struct store *st, const char *host_id, int64_t at_ms, char *id_out,
                        char **text, char **err);

/* "reason (until 12-07 18:00)" / "change CHG-…: title (until 12-07 18:00)": one line
 * for the panes and the CLI, in JST. Malloc'd. */
char *downtime_describe(const struct downtime *d);

/* What a result held by a downtime shows beside NG: "[downtime]". */
const char *downtime_mark(void);

#endif
