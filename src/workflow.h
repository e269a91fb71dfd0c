/* Workflow transition tables, one per ledger, and the one checker they share
 * (issue 12: one workflow shape; seed 002 items 5-8, 21-24 for the approval rules).
 *
 * A ledger declares its workflow as data: every state, every action, and the
 * allowed (from state, action) -> to state rows with who may take them (a role
 * set, not the requester, not the draft's author). Its state-changing function
 * reads the record in its transaction, asks workflow_check, and only then does
 * its side effects in C. Every refusal is worded the same in every ledger and
 * names states and actions by their translated labels, never by their keys. The
 * four-eyes rules compare operator ids (a login is mapped to its id first). */
#ifndef UNYO_WORKFLOW_H
#define UNYO_WORKFLOW_H

#include <stddef.h>

struct store;

/* Roles (operators.role); a transition's roles 0 lets any role take it. */
enum wf_role { WF_OPERATOR = 1 << 0, WF_ENGINEER = 1 << 1, WF_MANAGER = 1 << 2 };

/* Who may not take a transition, whatever their role. */
enum wf_rule {
    WF_NOT_REQUESTER = 1 << 0, /* the operator who filed the record */
    WF_NOT_AUTHOR = 1 << 1,    /* the operator who wrote the draft under review */
};

struct wf_transition {
    const char *from, *action;
    const char *to; /* NULL: the state stays (a note, an addition to the plan) */
    unsigned roles; /* enum wf_role bits; 0: any role */
    unsigned rules; /* enum wf_rule bits */
};

/* A hint added to a refusal by state (state, action NULL: any). text is an N_()
 * string with one %s, the record's ref. */
struct wf_hint {
    const char *state, *action, *text;
};

struct wf_table {
    const char *noun;                           /* N_("change"): "while the change is ..." */
    const char *const *states;                  /* every state, NULL-terminated */
    const char *const *actions;                 /* every action, NULL-terminated */
    const char *(*state_name)(const char *key); /* translated */
    const char *(*action_name)(const char *key);
    const struct wf_transition *rows;
    size_t nrows;
    const struct wf_hint *hints;
    size_t nhints;
};

/* Who acts: ids are compared, login and role are shown. */
struct wf_actor {
    const char *id, *login, *role;
};
/* The record asked about: its ref (for messages) and its people (ids, may be NULL). */
struct wf_record {
    const char *ref, *requester_id, *author_id;
};

/* The acting operator of st (after store_require_operator). */
struct wf_actor workflow_actor(const struct store *st);

/* The row for (from, action), or NULL when the table has none. */
const struct wf_transition *workflow_find(const struct wf_table *t, const char *from,
                                          const char *action);
/* 1 when action is one of the table's actions. */
int workflow_knows(const struct wf_table *t, const char *action);

/* 0 when who may take action on a record in state from; *to (may be NULL) gets the
 * next state (from itself when the row keeps the state). -1 with *err, worded alike
 * for every ledger:
 *   "CHG-…: done is not allowed while approved (only while in progress)"
 *   "CHG-…: only an engineer may approve this change (alice is an operator)"
 *   "CHG-…: the requester cannot approve their own change"
 *   "INQ-…: the author of the draft cannot approve it" */
int workflow_check(const struct wf_table *t, const char *from, const char *action,
                   const struct wf_actor *who, const struct wf_record *rec, const char **to,
                   char **err);

/* Translated "an engineer", "an operator or a manager", ... for roles bits. Malloc'd. */
char *workflow_roles_text(unsigned roles);

#endif
