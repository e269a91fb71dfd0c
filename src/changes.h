/* Change requests (変更管理台帳; seed 002 items 5-8, 24, 35-50; seed 000 変更管理).
 *
 * A change is one `changes` row caching its status; its history is append-only
 * change_events rows (who, when, note), written in the same transaction as the status
 * and an audit row. The procedure is ordered change_steps rows, checked off one by one
 * while the change is in progress. Config effects (src/cmdb.h, the configuration
 * records) are applied when it is done.
 *
 *   draft --plan--> planned --submit--> in_review --approve--> approved --start-->
 *   in_progress --done--> done;  in_review --return--> returned --plan--> planned;
 *   cancel from any state that is not final; rollback from in_progress or done
 *   (restoring the config records) --> rolled_back.
 *
 * Only an engineer approves or returns, and never the requester (the operator who
 * filed the change). Anything out of order is refused and writes nothing. */
#ifndef UNYO_CHANGES_H
#define UNYO_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"
#include "ledger.h"

struct store;
struct calendar;
struct wf_table;

#define CHANGE_REF_LEN 24

extern const char *const change_statuses[]; /* NULL-terminated, in workflow order */
extern const char *const change_verbs[]; /* plan submit approve return start done cancel rollback */
extern const char *const change_risks[]; /* low medium high */
const char *change_status_name(const char *status); /* translated */
const char *change_action_name(const char *verb);   /* translated; change_workflow's actions */
/* The workflow as data (src/workflow.h): change_step, change_do_step ("do_step") and
 * change_add_step/effect ("add_step", "add_effect") ask it before they write. */
extern const struct wf_table change_workflow;

struct change_new {
    const char *dept, *title; /* required */
    const char *target, *reason, *plan, *rollback;
    const char *risk;                 /* NULL: medium */
    int64_t window_start, window_end; /* UTC ms, 0 none; both or neither */
    const char *const *steps;
    size_t nsteps;
    const char *const *effects; /* config effect specs */
    size_t neffects;
    const char *const *hosts; /* hosts.name, linked */
    size_t nhosts;
    const char *const *links; /* "incident:REF", "problem:REF", "change:REF" or a bare ref */
    size_t nlinks;
    const char *template_code;
};

/* Files a change in draft; the acting operator is the requester. out_id (ID_LEN + 1)
 * and out_ref (CHANGE_REF_LEN) may be NULL. */
int change_create(struct store *st, const struct change_new *in, char *out_id, char *out_ref,
                  char **err);

/* Finds by id or ref (CHG-YYYYMMDD-xxxx). */
int change_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err);
/* Links a recorded SSH session (ssh_sessions id) to a change (id or ref), with an
 * audit row, in one transaction. Refuses an unknown change ("no change X") or
 * session ("no SSH session X"); nothing is written then. */
int change_link_session(struct store *st, const char *change_ref, const char *session_id,
                        char **err);

/* One workflow verb (change_verbs). note may be NULL (return and cancel want one). */
/* Whether verb would be allowed now for the acting operator (the same refusals as
 * change_step, a note aside), writing nothing: a console refuses before it asks. */
int change_check_step(struct store *st, const char *ref_or_id, const char *verb, char **err);
int change_step(struct store *st, const char *ref_or_id, const char *verb, const char *note,
                char **err);
/* Shorthand for change_step(..., "rollback", note). */
int change_rollback(struct store *st, const char *ref_or_id, const char *note, char **err);
/* Checks off procedure step seq (1-based) while in progress: steps in order only.
 * output and session_id (an ssh_sessions id) may be NULL. */
int change_do_step(struct store *st, const char *ref_or_id, int seq, const char *output,
                   const char *session_id, char **err);
/* Adds a procedure step / a config effect while the change is draft, planned or returned.
 * An effect's kind may be typed as its label in the current language (パッチ:HOST:VALUE). */
int change_add_step(struct store *st, const char *ref_or_id, const char *text, char **err);
int change_add_effect(struct store *st, const char *ref_or_id, const char *spec, char **err);
/* Adds (add 1) or removes (add 0) a target host (hosts.name) while the change is draft,
 * planned or returned; refuses an unknown host, a host already there (adding) or not
 * there (removing). A timeline event and an audit row go with it. */
int change_set_host(struct store *st, const char *ref_or_id, const char *host, int add, char **err);
/* Links the change to an incident, problem or another change, at any time: target is
 * "incident:REF", "problem:REF", "change:REF" or a bare ref (INC-…, PRB-…, CHG-…).
 * Refuses an unknown target and a link that exists already. */
int change_add_link(struct store *st, const char *ref_or_id, const char *target, char **err);
/* Removes such a link (tombstoned, with an event and an audit row). */
int change_remove_link(struct store *st, const char *ref_or_id, const char *target, char **err);
/* Removes config effect seq (as listed by cmdb_effects_of) while the plan may change. */
int change_remove_effect(struct store *st, const char *ref_or_id, int seq, char **err);

/* Recorded sessions a step's evidence may come from: those linked to the change
 * first, then the latest on its target hosts (newest first; only sessions with a
 * recording). */
struct change_session {
    char id[ID_LEN + 1];
    char *host, *operator_login;
    int64_t started_at, ended_at; /* UTC ms; 0 unknown / still open */
    int linked;                   /* linked to the change */
};
int change_session_candidates(struct store *st, const char *ref_or_id, struct change_session **out,
                              size_t *n, char **err);
void change_sessions_free(struct change_session *rows, size_t n);
/* change_do_step with the text of session_id's recording as the step's output (lines
 * from..to, 1-based; 0 and 0 for all of it: src/session_text.h) and the session
 * recorded with the step. */
int change_do_step_evidence(struct store *st, const char *ref_or_id, int seq,
                            const char *session_id, int from, int to, char **err);

/* A warning (malloc'd, translated) when [start, end) overlaps service hours, else NULL;
 * *service_seconds (may be NULL) gets the overlap. */
char *change_window_warning(const struct calendar *cal, int64_t start_ms, int64_t end_ms,
                            int64_t *service_seconds);

struct change_step_row {
    int seq;
    char *text, *done_at, *done_by, *output, *session_id;
    char *session_label; /* "lib-ap01 11-24 10:55–10:58" (JST) when session_id is set */
};
struct change_link_row {
    char *kind, *id, *label;
};
struct change {
    char id[ID_LEN + 1];
    char ref[CHANGE_REF_LEN];
    char *title, *dept, *requester, *target, *reason, *plan, *rollback, *risk;
    char *window_start, *window_end, *status, *approver, *approved_at, *template_code;
    char *created_at, *updated_at;
    struct change_step_row *steps;
    size_t nsteps;
    struct ledger_event *events;
    size_t nevents;
    struct change_link_row *links;
    size_t nlinks;
};
/* Loads a change with its steps, events and links (full = 0: the row only). */
int change_get(struct store *st, const char *ref_or_id, int full, struct change *out, char **err);
void change_clear(struct change *c);
/* Newest first; status NULL for all. */
int change_list(struct store *st, const char *status, struct change **out, size_t *n, char **err);
void change_list_free(struct change *rows, size_t n);

/* A change template (data/changes/NAME.ini): the section [change] with title, dept,
 * target, reason, plan, rollback, risk; repeated `step =` and `effect =` keys.
 * "{month}" in any value becomes month (YYYY-MM; may be NULL). */
struct change_template {
    char *code, *title, *dept, *target, *reason, *plan, *rollback, *risk;
    char **steps;
    size_t nsteps;
    char **effects;
    size_t neffects;
};
/* path NULL: DATADIR/changes/NAME.ini (or the user's config dir). FILE:LINE errors. */
int change_template_load(const char *path, const char *name, const char *month,
                         struct change_template *out, char **err);
void change_template_free(struct change_template *t);

#endif
