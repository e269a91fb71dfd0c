/* Acknowledgements of check problems (issue 15; migration 022, table check_acks).
 *
 * A problem is a host x check whose latest check result (checklist_events, source
 * 'check', note "check=ID") is NG. An operator acknowledges it with a note:
 *   - until a time (kind "time": until_at), or until the end of the shift (kind
 *     "shift": the end of the shift started last, else of the shift whose hours
 *     contain now, stored as until_at);
 *   - until it gets worse (kind "worse"). A result is OK, WARN or CRIT (checks.h:
 *     a check's warn / crit thresholds; checklist_events.level). One made while the
 *     problem is WARN (the level of the result it acknowledged, check_acks.event_id)
 *     ends when a result is CRIT: ended_reason "worse", audited (check.ack.end), and
 *     that CRIT opens its draft as a new problem would. A blip to OK ends it as any
 *     acknowledgement ("recovered"); WARN again keeps it. One made at CRIT cannot get
 *     worse: it holds until the check recovers, as kind "recovery" (no limit).
 * While an acknowledgement holds (not ended, not past until_at), an NG of that check
 * on that host opens no incident draft (checks_run records the result and says it
 * is acknowledged). Past until_at it is expired: it no longer suppresses, and the
 * handover lists it. An OK result ends it ("recovered"); `unack` ends it ("unack");
 * a new acknowledgement of the same problem replaces it ("replaced"). Every change
 * is audited (check.ack, check.unack, check.ack.end) and syncs as a ledger row. */
#ifndef UNYO_CHECK_ACK_H
#define UNYO_CHECK_ACK_H

#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "id.h"

struct store;

enum check_ack_kind { CHECK_ACK_TIME, CHECK_ACK_SHIFT, CHECK_ACK_WORSE, CHECK_ACK_RECOVERY };

/* "time" | "shift" | "worse" | "recovery" (the stored keys). */
const char *check_ack_kind_key(enum check_ack_kind k);

struct check_ack_req {
    const char *host;  /* host name */
    const char *check; /* check id */
    const char *note;  /* required, not blank */
    enum check_ack_kind kind;
    int64_t until_ms; /* CHECK_ACK_TIME: UTC ms, after now */
};

/* Acknowledges a current problem as the acting operator at now_ms. Refuses (nothing
 * written) an unknown host, a check with no result on any host, a check whose latest
 * result on the host is not NG, a blank note, a time not after now, and
 * until-shift-end when no shift covers now. out_id (ID_LEN + 1) may be NULL. */
int check_ack(struct store *st, const struct check_ack_req *r, int64_t now_ms, char *out_id,
              char **err);
/* Takes back the open acknowledgement of host x check (expired or not). */
int check_unack(struct store *st, const char *host, const char *check, int64_t now_ms, char **err);

/* One acknowledgement as people read it. */
struct check_ack_info {
    char id[ID_LEN + 1];
    char *kind;     /* key */
    char *note;     /* never NULL */
    char *until_at; /* UTC ISO, or NULL (worse / recovery) */
    char *by_login, *by_name;
    char *created_at;
    int expired; /* until_at <= now */
    int level;   /* the level of the result it acknowledged (enum check_level) */
};
void check_ack_info_clear(struct check_ack_info *a);

/* The open acknowledgement of host x check at now_ms: 1 and fills out (expired
 * ones too: see out->expired), 0 when none, -1 on error. out may be NULL. */
int check_ack_find(struct store *st, const char *host_id, const char *check_id, int64_t now_ms,
                   struct check_ack_info *out, char **err);
/* In the caller's transaction (a check run recording an OK): ends the open
 * acknowledgement of host x check as recovered, audited. */
int check_ack_recovered_in_tx(struct store *st, const char *host_id, const char *check_id,
                              int64_t now_ms, char **err);

struct check_problem {
    char host_id[ID_LEN + 1];
    char *host, *check, *code; /* code: the checklist item (L025) */
    char *at;                  /* the latest (NG) result, UTC ISO */
    int has_value;
    double value;
    char *unit, *reason; /* or NULL */
    int level;           /* enum check_level: WARN or CRIT */
    int acked;           /* an open acknowledgement (see ack.expired) */
    struct check_ack_info ack;
    int flapping; /* the check flaps on the host (check_flap.h) */
    double flap_pct;
    /* The latest result was recorded unreachable via these parents (host_deps.h):
     * their names, comma-separated; NULL otherwise. */
    char *unreachable_via;
    int in_downtime; /* the latest NG was recorded in a downtime (downtime.h) */
};
struct check_problems {
    struct check_problem *items; /* by host, then check */
    size_t count;
};
/* In the caller's transaction (a check run recording a result of level, enum
 * check_level): ends the open acknowledgement "until worse" of host x check when it
 * was made at WARN and level is CRIT (ended_reason "worse", audited check.ack.end).
 * *dropped: 1 when it ended one. */
int check_ack_worse_in_tx(struct store *st, const char *host_id, const char *check_id, int level,
                          int64_t now_ms, int *dropped, char **err);

/* The current problems with their acknowledgement at now_ms. host_id NULL: every
 * host; else that host's only. */
int check_problems_list(struct store *st, const char *host_id, int64_t now_ms,
                        struct check_problems *out, char **err);
void check_problems_free(struct check_problems *p);
/* A problem's standing by checklist_ng_standing (checklist.h): in downtime, held by
 * an acknowledgement that has not expired, or counted. */
enum checklist_ng check_problem_ng(const struct check_problem *p);
/* How many of the problems (of host_id; NULL: all) are counted, acknowledged, in
 * downtime; any out pointer may be NULL. */
void check_problems_count(const struct check_problems *p, const char *host_id, size_t *counted,
                          size_t *acked, size_t *in_downtime);

/* Acknowledgements that expired in (from_ms, to_ms] and had not ended before they
 * expired: what the handover tells the incoming operator. host/check in the items. */
struct check_ack_expired {
    char *host, *check;
    struct check_ack_info ack;
};
int check_acks_expired(struct store *st, int64_t from_ms, int64_t to_ms,
                       struct check_ack_expired **out, size_t *n, char **err);
void check_acks_expired_free(struct check_ack_expired *v, size_t n);

/* "note (until 12-07 18:00)" / "(expired 12-07 18:00)" / "(until it gets worse)" /
 * "(until it recovers)", by NAME: one line for the panes. Malloc'd. */
char *check_ack_describe(const struct check_ack_info *a);

#endif
