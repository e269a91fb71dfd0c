/* Shift handover (item 98 日次報告書 / change of shift): what the next person must know,
 * signed by the outgoing operator and acknowledged by the incoming one.
 *
 * The summary holds: open incidents by priority (status not closed/recovered) with
 * their age in service hours and, once the incidents module provides it, SLA time left
 * (handover_sla_left); checklist items of the day not done or NG; job runs of the day
 * failed or still waiting/queued/running; changes approved/in progress/in review; and
 * the to-do items carried from earlier handovers that nobody has cleared yet (they
 * reappear in every handover until handover_clear_item); and the acknowledgements of
 * check problems that expired since the last handover or end with this shift (a
 * section only when there are some). */
#ifndef UNYO_HANDOVER_H
#define UNYO_HANDOVER_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;
struct calendar;

struct handover_incident {
    char id[ID_LEN + 1];
    char *ref, *title, *priority, *status;
    char *received_at;           /* stored UTC ISO text */
    int64_t age_service_seconds; /* service time since received (calendar_service_seconds) */
    int has_sla_left;
    int64_t sla_left_seconds; /* negative when overrun; valid when has_sla_left */
};

struct handover_check {
    char *code, *name, *host; /* host NULL when not per host */
    char *status;             /* "todo" | "ng" | "acked" | "downtime" (checklist_item_ng: the last
                               * two are NG not counted) */
    char due_day[11];
    int overdue;
    char *value; /* "31.5 °C" or NULL */
    char *note;  /* or NULL */
};

/* "NG" | "NG, acknowledged" | "NG, in downtime" | "to do", translated: one row's mark. */
const char *handover_check_mark(const struct handover_check *c);

struct handover_job {
    char *code, *name, *state, *due_day;
};

struct handover_change {
    char *ref, *title, *status;
};

struct handover_carry {
    char id[ID_LEN + 1];
    char *text;
    char *from_login; /* who wrote it */
    char *from_name;  /* their display name (the login when they have none) */
    char *created_at; /* UTC ISO */
};

struct check_ack_expired;

struct handover_summary {
    char day[11]; /* JST day of the instant */
    int64_t at_ms;
    struct handover_incident *incidents; /* by priority (P1 first), then received */
    size_t n_incidents;
    struct handover_check *checks;
    size_t n_checks;                          /* every row, counted or not */
    size_t n_checks_acked, n_checks_downtime; /* of them, NG not counted */
    struct handover_job *jobs;
    size_t n_jobs;
    struct handover_change *changes;
    size_t n_changes;
    struct handover_carry *carried;
    size_t n_carried;
    /* Acknowledgements of check problems (check_ack.h) that expired since the last
     * signed handover (else the last 24 hours) or end with the current shift: the
     * incoming operator must look at those problems again. */
    struct check_ack_expired *acks;
    size_t n_acks;
};

/* Assembles the live summary at `instant_ms` (UTC ms). */
int handover_build(struct store *st, const struct calendar *cal, int64_t instant_ms,
                   struct handover_summary *out, char **err);
void handover_summary_free(struct handover_summary *s);
/* The summary (and note, may be NULL) as Markdown, in the operator's language. */
char *handover_markdown(const struct handover_summary *s, const char *note);

/* Service seconds left before the incident's recovery target (negative when
 * late), from the incidents module's SLA clock; 1 when known. */
struct sla;
int handover_sla_left(struct store *st, const struct sla *sla, const char *incident_id,
                      int64_t now_ms, int64_t *left_seconds);

/* The outgoing (acting) operator signs: a handovers row with the summary rendered as
 * Markdown (a snapshot), the note, signed_at, the shift the signer works now (or
 * "none"); to_login (may be NULL) names the incoming operator; todos (n of them, may be
 * 0) become carried items. Audited. out_id (ID_LEN + 1) may be NULL. */
int handover_sign(struct store *st, const struct calendar *cal, const char *note,
                  const char *to_login, const char *const *todos, size_t n_todos, char *out_id,
                  char **err);
/* The incoming (acting) operator acknowledges. handover_id NULL: the latest unacked
 * handover. Refuses the signer, a second ack, and anyone but the named incoming
 * operator when the handover names one. */
int handover_ack(struct store *st, const char *handover_id, char **err);
/* Whether the acting operator may acknowledge (handover_id NULL: the latest unacked);
 * the same refusals as handover_ack, writing nothing, so a console can refuse before it
 * asks. out_id (ID_LEN + 1) may be NULL. */
int handover_ack_check(struct store *st, const char *handover_id, char *out_id, char **err);

/* What a withdrawn handover held, to sign it again with its text kept. */
struct handover_withdrawn {
    char *note;     /* or NULL */
    char *to_login; /* or NULL */
    char **todos;   /* the to-dos it carried */
    size_t n_todos;
};
void handover_withdrawn_free(struct handover_withdrawn *w);
/* The signer takes back a handover nobody has acknowledged yet (handover_id NULL: their
 * latest such): the handover and the to-dos it carried are tombstoned, audited
 * ("handover.withdraw"). out (may be NULL) gets its text. */
int handover_withdraw(struct store *st, const char *handover_id, struct handover_withdrawn *out,
                      char **err);
/* The same refusals as handover_withdraw, writing nothing (a console refuses first). */
int handover_withdraw_check(struct store *st, const char *handover_id, char **err);

/* Whom the acting operator can address a handover to: the operators of the next shift
 * (the earliest shift, today or tomorrow JST, that starts after now_ms) first, then the
 * other operators and managers by login, then engineers (marked; a console never picks
 * them by default). The acting operator is left out. */
struct handover_addressee {
    char *login, *name;
    int next_shift;        /* works the next shift */
    int64_t next_start_ms; /* when it starts (next_shift) */
    int engineer;
};
int handover_addressees(struct store *st, int64_t now_ms, struct handover_addressee **out,
                        size_t *n, char **err);
void handover_addressees_free(struct handover_addressee *v, size_t n);

/* Marks a carried to-do done (acting operator, audited). */
int handover_clear_item(struct store *st, const char *item_id, char **err);

struct handover_record {
    char id[ID_LEN + 1];
    char day[11];
    char *shift;
    char *from_login, *from_name;
    char *to_login;       /* or NULL */
    char *note;           /* or NULL */
    char *summary;        /* Markdown snapshot */
    char *signed_at;      /* UTC ISO */
    char *acked_at;       /* or NULL */
    char *acked_by_login; /* or NULL */
};
struct handover_records {
    struct handover_record *items; /* in signing order (hybrid clock), the latest last */
    size_t count;
};
void handover_records_free(struct handover_records *r);
/* Signed handovers of a month, or of one day "YYYY-MM-DD". */
int handover_list_month(struct store *st, int y, int m, struct handover_records *out, char **err);
int handover_list_day(struct store *st, const char *day, struct handover_records *out, char **err);

#endif
