/* The incident ledger (インシデント管理簿; seed 002 items 1-2, 21, 52-60).
 *
 * An incident is one row that caches its current status and key instants; its
 * history is append-only incident_events rows (who, when, note, data JSON),
 * written in the same transaction as the cached state and an audit row. Steps
 * follow the seed's order: received -> isolated (1次切り分け) -> escalated (to an
 * engineer) -> first_response -> second_response -> recovered -> closed;
 * `reopened` from recovered or closed; note, assigned, paused/resumed (SLA
 * clock), notified at any sensible time. Anything out of order is refused with
 * a message and writes nothing.
 *
 * The functions shared by the ledgers are in ledger.h. All times are UTC milliseconds unless named
 * _s (seconds). */
#ifndef UNYO_INCIDENTS_H
#define UNYO_INCIDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"
#include "ledger.h"
#include "sla.h"
#include "timefmt.h"

struct store;

/* NULL-terminated lists of the accepted keys. */
extern const char *const incident_channels[];        /* phone mail alert visit rounds */
extern const char *const incident_categories[];      /* network server software ... */
extern const char *const incident_steps[];           /* the steps incident_step accepts */
const char *incident_channel_name(const char *key);  /* translated */
const char *incident_category_name(const char *key); /* translated */
const char *incident_status_name(const char *key);   /* translated; also event kinds */
/* An incident or inquiry event's data as labelled text (event_describe with
 * the SLA steps and the ledgers' states named); malloc'd, "" for none. */
char *incident_event_text(struct store *st, const char *data);

struct incident_new {
    const char *library; /* libraries.code, required */
    const char *channel; /* required */
    const char *reporter;
    const char *title; /* required */
    const char *description;
    const char *category;     /* NULL: other */
    int impact, urgency;      /* 1..3 */
    const char *const *hosts; /* hosts.name */
    size_t nhosts;
    int64_t received;       /* 0: now */
    int draft;              /* saved as status 'draft', submitted later */
    const char *inquiry_id; /* set when converted from an inquiry */
};

/* Creates an incident (or a draft). out_id (ID_LEN + 1) and out_ref (24) may be NULL. */
int incident_create(struct store *st, const struct sla *sla, const struct incident_new *in,
                    char *out_id, char *out_ref, char **err);
/* The same inside the caller's transaction (converting an inquiry). */
int incident_create_in_tx(struct store *st, const struct sla *sla, const struct incident_new *in,
                          char *out_id, char *out_ref, char **err);
/* A draft becomes a received incident (its clock runs from received_at). */
int incident_submit(struct store *st, const struct sla *sla, const char *ref_or_id, char **err);
/* Throws a draft away: tombstoned (no longer offered, listed or counted), audited
 * ("incident.discard"). Refuses anything but a draft. */
int incident_discard_draft(struct store *st, const char *ref_or_id, char **err);
/* Rewrites a draft's fields from in (a form saving as the operator types; hosts
 * and draft are ignored). Only drafts can be edited this way. */
int incident_update_draft(struct store *st, const struct sla *sla, const char *ref_or_id,
                          const struct incident_new *in, char **err);

struct incident_step_args {
    const char *note;     /* required for note, paused (the reason) */
    const char *assignee; /* operator login: assigned, escalated (an engineer) */
    const char *to;       /* notified: whom the library side was told through */
};
int incident_step(struct store *st, const struct sla *sla, const char *ref_or_id, const char *step,
                  const struct incident_step_args *a, char **err);
/* The steps as data (src/workflow.h): incident_step and incident_submit ("submit") ask
 * it before they write. */
struct wf_table;
extern const struct wf_table incident_workflow;

struct incident {
    char id[ID_LEN + 1];
    char ref[24];
    char priority[4];
    char *library_code, *library_name, *channel, *reporter, *title, *description, *category;
    char *status, *assignee_login, *assignee_name, *problem_id, *inquiry_id, *notified_to;
    char *created_by_login;
    int impact, urgency;
    int64_t received, acknowledged, first_response, recovered, closed, paused_since, notified;
    int64_t paused_seconds; /* service seconds paused before paused_since */
    int breaches;           /* bit (1 << sla_step) per recorded breach */
    struct sla_status sla;  /* filled by incident_get / incident_list */
};
void incident_clear(struct incident *inc);

/* Finds by id or ref (INC-YYYYMMDD-xxxx); -1 with *err when unknown or ambiguous. */
int incident_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err);
int incident_get(struct store *st, const struct sla *sla, const char *ref_or_id, int64_t now,
                 struct incident *out, char **err);

/* The incident's timeline, oldest first (free with ledger_events_free). */
int incident_events(struct store *st, const char *id, struct ledger_event **out, size_t *n,
                    char **err);

/* Links of an incident (hosts, problems, inquiries, checklist results, ...). */
int incident_links(struct store *st, const char *id, struct ledger_link **out, size_t *n,
                   char **err);
/* Adds a link row incident -> (to_kind, to_id), e.g. a checklist result or an SSH session. */
int incident_link(struct store *st, const char *ref_or_id, const char *to_kind, const char *to_id,
                  const char *note, char **err);

struct incident_filter {
    const char *status, *priority, *library, *category, *assignee; /* NULL: any */
    const char *search;                                            /* full-text (src/search.h) */
    int sla;            /* 0 any, else SLA_OK / SLA_WARNING / SLA_BREACHED (simple states) */
    int inbox;          /* the acting operator's open incidents */
    int include_drafts; /* drafts are listed only with status=draft or this */
    int limit, offset;  /* limit 0: 50 */
};
/* A page of incidents, newest first (with search: best recent matches first),
 * each with its SLA state at now. *partial is set when a short search could
 * only look at recent rows. */
int incident_list(struct store *st, const struct sla *sla, const struct incident_filter *f,
                  int64_t now, struct incident **out, size_t *n, int *partial, char **err);
void incident_list_free(struct incident *rows, size_t n);
/* How many incidents are open (neither recovered nor closed; drafts do not count,
 * as the Incidents list does not show them): the console's status bar number. */
int incident_count_open(struct store *st, long *out, char **err);

/* Computes inc->sla at now (loads pause intervals when the incident has any). */
int incident_sla(struct store *st, const struct sla *sla, struct incident *inc, int64_t now,
                 char **err);

/* The SLA columns (migration 021) of inc, whose sla is computed, in their table
 * order: sla_ack_due, sla_ack_result, sla_first_due, ..., sla_recovery_result
 * (each due: ISO UTC in due[k], or NULL while paused or for a draft; each result:
 * "met", "missed" or NULL while the step runs). */
void incident_sla_columns(const struct incident *inc, char due[SLA_NSTEPS][TIME_ISO_LEN + 1],
                          const char *v[2 * SLA_NSTEPS]);

/* Stores the SLA columns (each step's due instant and result, migration 021) of
 * every submitted incident that has none yet: incidents written before 021, or
 * by a bulk load (the demo). The steps keep them current from then on. Inside
 * the caller's transaction. */
int incident_sla_fill(struct store *st, const struct sla *sla, char **err);

/* Records an `sla_breached` event for every step past its target that has none
 * yet, over all incidents still open (or closed late without one). Idempotent.
 * found (may be NULL) gets the number of new breaches; cb (may be NULL) sees each. */
int sla_scan(struct store *st, const struct sla *sla, int64_t now,
             void (*cb)(void *user, const struct incident *inc, enum sla_step step), void *user,
             int *found, char **err);

#endif
