/* Problem management (問題管理; seed 002 items 3-4): the root cause behind
 * incidents, the workaround procedure (暫定手順), the permanent measure and
 * the follow-up of recurrence prevention. open -> investigating -> known_error
 * -> resolved -> closed, forward only. A resolved problem can be published as
 * a knowledge article, which intake then suggests for similar incidents. */
#ifndef UNYO_PROBLEMS_H
#define UNYO_PROBLEMS_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;

extern const char *const problem_statuses[]; /* in order, NULL-terminated */
const char *problem_status_name(const char *key);
const char *problem_action_name(const char *key); /* translated; problem_workflow's actions */
/* The workflow as data (src/workflow.h): problem_update (u->status) and problem_publish
 * ("publish") ask it before they write. */
struct wf_table;
extern const struct wf_table problem_workflow;

int problem_create(struct store *st, const char *title, const char *description,
                   const char *owner_login, char *out_id, char *out_ref, char **err);

/* Fields to change; NULL leaves a field as it is. */
struct problem_update {
    const char *status, *root_cause, *workaround, *permanent_measure;
    const char *prevention_status, *prevention_due; /* due: YYYY-MM-DD */
    const char *owner_login, *note;
};
int problem_update(struct store *st, const char *ref_or_id, const struct problem_update *u,
                   char **err);
/* Links an incident to the problem (links row, incidents.problem_id, events on both). */
int problem_link_incident(struct store *st, const char *problem, const char *incident, char **err);
/* Publishes a resolved (or closed) problem as a knowledge article. */
int problem_publish(struct store *st, const char *ref_or_id, const char *keywords,
                    char *out_knowledge_id, char **err);

struct problem {
    char id[ID_LEN + 1];
    char ref[24];
    char *title, *description, *status, *root_cause, *workaround, *permanent_measure;
    char *prevention_status, *prevention_due, *owner_login, *knowledge_id;
    int64_t created, updated;
    int incidents; /* linked incidents */
};
void problem_clear(struct problem *p);
int problem_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err);
int problem_get(struct store *st, const char *ref_or_id, struct problem *out, char **err);
int problem_list(struct store *st, const char *status, int limit, struct problem **out, size_t *n,
                 char **err);
void problem_list_free(struct problem *p, size_t n);
/* Refs and titles of the linked incidents ("INC-... title"), malloc'd array. */
int problem_incidents(struct store *st, const char *id, char ***out, size_t *n, char **err);

#endif
