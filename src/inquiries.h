/* The inquiry ledger (問い合わせ管理簿; seed 002 items 21-24).
 *
 * received -> investigating -> drafted (the operator's draft answer) -> in_review
 * -> approved (by an engineer who did not write the draft) or returned with
 * corrections (back to drafted) -> answered (the text sent is recorded) ->
 * closed. An inquiry that turns out to be a fault converts into a linked
 * incident and is closed as converted. Every change is an inquiry_events row,
 * written with the cached state and an audit row in one transaction. */
#ifndef UNYO_INQUIRIES_H
#define UNYO_INQUIRIES_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"
#include "ledger.h"

struct store;
struct sla;

struct inquiry_new {
    const char *library; /* libraries.code */
    const char *channel; /* phone mail visit ... (incident_channels) */
    const char *reporter;
    const char *title;
    const char *question;
    int64_t received; /* 0: now */
};
int inquiry_create(struct store *st, const struct inquiry_new *in, char *out_id, char *out_ref,
                   char **err);

/* Plain steps: investigating, in_review, closed, note (note text required). */
int inquiry_step(struct store *st, const char *ref_or_id, const char *step, const char *note,
                 char **err);
/* Saves the operator's draft answer (status drafted). */
int inquiry_draft(struct store *st, const char *ref_or_id, const char *text, char **err);
/* An engineer other than the draft's author approves (optionally with a
 * corrected text) or returns it with corrections (note required). */
int inquiry_review(struct store *st, const char *ref_or_id, int approve, const char *note,
                   const char *corrected, char **err);
/* Records the answer sent (NULL: the approved draft). */
int inquiry_answer(struct store *st, const char *ref_or_id, const char *text, char **err);
/* Converts into an incident (impact, urgency for its priority); out_incident_ref may be NULL. */
int inquiry_convert(struct store *st, const struct sla *sla, const char *ref_or_id, int impact,
                    int urgency, const char *category, char *out_incident_ref, char **err);

struct inquiry {
    char id[ID_LEN + 1];
    char ref[24];
    char *library_code, *library_name, *channel, *reporter, *title, *question, *status;
    char *draft_answer, *draft_by_login, *reviewer_login, *answer, *incident_id, *incident_ref;
    int64_t received, answered, closed;
};
void inquiry_clear(struct inquiry *q);
int inquiry_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err);
int inquiry_get(struct store *st, const char *ref_or_id, struct inquiry *out, char **err);

struct inquiry_filter {
    const char *status, *library, *search;
    int limit; /* 0: 50 */
};
int inquiry_list(struct store *st, const struct inquiry_filter *f, struct inquiry **out, size_t *n,
                 int *partial, char **err);
void inquiry_list_free(struct inquiry *q, size_t n);

/* The inquiry's timeline, oldest first (free with ledger_events_free). */
int inquiry_events(struct store *st, const char *id, struct ledger_event **out, size_t *n,
                   char **err);
const char *inquiry_status_name(const char *key);
/* Translated name of a workflow action (the steps above: "approved" is "approve"). */
const char *inquiry_action_name(const char *key);
/* The workflow as data (src/workflow.h); every function above that changes the status
 * asks it before it writes. */
struct wf_table;
extern const struct wf_table inquiry_workflow;

#endif
