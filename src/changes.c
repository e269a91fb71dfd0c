#include "changes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "cmdb.h"
#include "i18n.h"
#include "ini.h"
#include "labels.h"
#include "incidents.h"
#include "json.h"
#include "output.h"
#include "install_dirs.h"
#include "paths.h"
#include "session_play.h"
#include "session_text.h"
#include "signin.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"
#include "workflow.h"

const char *const change_statuses[] = {"draft",       "planned",     "in_review", "returned",
                                       "approved",    "in_progress", "done",      "cancelled",
                                       "rolled_back", NULL};
const char *const change_verbs[] = {"plan", "submit", "approve",  "return", "start",
                                    "done", "cancel", "rollback", NULL};
const char *const change_risks[] = {"low", "medium", "high", NULL};

const char *change_status_name(const char *status)
{
    static const struct {
        const char *key, *name;
    } names[] = {
        {"draft", N_("draft")},
        {"planned", N_("planned")},
        {"in_review", N_("in review")},
        {"returned", N_("returned")},
        {"approved", N_("approved")},
        {"in_progress", N_("in progress")},
        {"done", N_("done")},
        {"cancelled", N_("cancelled")},
        {"rolled_back", N_("rolled back")},
        {"step_done", N_("step done")},
        {"step_added", N_("step added")},
        {"effect_added", N_("effect added")},
        {"host_added", N_("target host added")},
        {"host_removed", N_("target host removed")},
        {"link_added", N_("link added")},
        {"link_removed", N_("link removed")},
        {"effect_removed", N_("effect removed")},
    };
    for (size_t i = 0; status && i < ARRAY_LEN(names); i++)
        if (streq(names[i].key, status))
            return _(names[i].name);
    return status ? status : "";
}

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (streq(list[i], s))
            return 1;
    return 0;
}

static void now_iso(char out[TIME_ISO_LEN + 1])
{
    time_format_iso(time_now_ms(), out);
}

static int add_event(struct store *st, const char *change_id, const char *kind, const char *note,
                     const char *data, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO change_events(id, change_id, kind, note, data, "
                                     "operator_id, at, hlc, origin) "
                                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    int64_t ms = time_now_ms();
    id_new_at(id, ms);
    time_format_iso(ms, at);
    bind_text(s, 1, id);
    bind_text(s, 2, change_id);
    bind_text(s, 3, kind);
    bind_text(s, 4, note && *note ? note : NULL);
    bind_text(s, 5, data);
    bind_text(s, 6, st->operator_id);
    bind_text(s, 7, at);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("recording the change event"));
    return 0;
}

/* How many rows match (the first one's id in id), or -1 with *err set. */
static int find_one(struct store *st, const char *sql, const char *key, char id[ID_LEN + 1],
                    char **err)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    bind_text(s, 1, key);
    int found = 0, step;
    while ((step = store_next_row(s, err)) == 1) {
        if (found++ == 0)
            snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : found;
}

/* "incident:REF", "problem:REF", "change:REF", or a bare ref (INC-, PRB-, CHG-):
 * its kind and its id. */
static int resolve_link_target(struct store *st, const char *spec, char kind[16],
                               char id[ID_LEN + 1], char **err)
{
    const char *colon = strchr(spec, ':');
    const char *key = colon ? colon + 1 : spec;
    kind[0] = 0;
    if (colon && (size_t)(colon - spec) < 16)
        snprintf(kind, 16, "%.*s", (int)(colon - spec), spec);
    else if (!colon && strncasecmp(spec, "INC-", 4) == 0)
        snprintf(kind, 16, "incident");
    else if (!colon && strncasecmp(spec, "PRB-", 4) == 0)
        snprintf(kind, 16, "problem");
    else if (!colon && strncasecmp(spec, "CHG-", 4) == 0)
        snprintf(kind, 16, "change");
    char norm[24];
    ledger_norm_ref(key, norm);
    const char *k = id_valid(key) ? key : norm;
    int found;
    if (streq(kind, "incident"))
        found = find_one(st, "SELECT id FROM incidents WHERE (id = ?1 OR ref = ?1) AND deleted = 0",
                         k, id, err);
    else if (streq(kind, "problem"))
        found = find_one(st, "SELECT id FROM problems WHERE (id = ?1 OR ref = ?1) AND deleted = 0",
                         k, id, err);
    else if (streq(kind, "change"))
        found = find_one(st, "SELECT id FROM changes WHERE (id = ?1 OR ref = ?1) AND deleted = 0",
                         k, id, err);
    else {
        set_err(err, _("link %s: expected incident:REF, problem:REF or change:REF"), spec);
        return -1;
    }
    if (found < 0)
        return -1;
    if (found != 1) {
        set_err(err, found ? _("link %s: more than one %s matches") : _("link %s: no such %s"),
                spec, label_link_kind(kind));
        return -1;
    }
    return 0;
}

static int link_target(struct store *st, const char *change_id, const char *spec, char **err)
{
    char kind[16], id[ID_LEN + 1];
    if (resolve_link_target(st, spec, kind, id, err) != 0)
        return -1;
    return ledger_add_link(st, "change", change_id, kind, id, NULL, err);
}

static int insert_step(struct store *st, const char *change_id, int seq, const char *text,
                       char **err)
{
    if (!text || !*text) {
        set_err(err, _("a procedure step needs its text"));
        return -1;
    }
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO change_steps(id, change_id, seq, text, "
                                     "created_at, updated_at, hlc, origin) "
                                     "VALUES(?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)");
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    id_new(id);
    now_iso(at);
    bind_text(s, 1, id);
    bind_text(s, 2, change_id);
    bind_int(s, 3, seq);
    bind_text(s, 4, text);
    bind_text(s, 5, at);
    bind_int(s, 6, store_hlc_next(st));
    bind_text(s, 7, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("recording a procedure step"));
    return 0;
}

/* An effect spec as typed in Japanese ("パッチ:lib-ap01:KB5031234") with its kind's
 * key ("patch:..."), malloc'd; any other spec is copied as it is. */
static char *effect_spec_keyed(const char *spec)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (colon)
        for (size_t k = 0; label_config_kinds[k]; k++) {
            const char *l = label_config_kind(label_config_kinds[k]);
            if (strlen(l) == (size_t)(colon - spec) &&
                strncmp(l, spec, (size_t)(colon - spec)) == 0)
                return xasprintf("%s%s", label_config_kinds[k], colon);
        }
    return xstrdup(spec ? spec : "");
}

static int declare_effect(struct store *st, const char *change_id, int seq, const char *spec,
                          char **err)
{
    char *keyed = effect_spec_keyed(spec);
    int rc = cmdb_effect_declare(st, change_id, seq, keyed, err);
    free(keyed);
    return rc;
}

static void make_ref(const char *id, int64_t ms, char out[CHANGE_REF_LEN])
{
    char day[11];
    time_format_jst_date(ms, day);
    size_t n = strlen(id);
    snprintf(out, CHANGE_REF_LEN, "CHG-%.4s%.2s%.2s-%s", day, day + 5, day + 8,
             id + (n > 4 ? n - 4 : 0));
}

int change_create(struct store *st, const struct change_new *in, char *out_id, char *out_ref,
                  char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    if (!in->dept || !*in->dept || !in->title || !*in->title) {
        set_err(err, _("a change needs the requesting department and a title"));
        return -1;
    }
    const char *risk = in->risk ? in->risk : "medium";
    if (!in_list(change_risks, risk)) {
        set_err(err, _("unknown risk %s (expected low, medium or high)"), risk);
        return -1;
    }
    if ((in->window_start != 0) != (in->window_end != 0)) {
        set_err(err, _("the window needs both a start and an end"));
        return -1;
    }
    if (in->window_start && in->window_end <= in->window_start) {
        set_err(err, _("the window must end after it starts"));
        return -1;
    }
    int64_t ms = time_now_ms();
    char id[ID_LEN + 1], ref[CHANGE_REF_LEN], at[TIME_ISO_LEN + 1];
    char ws[TIME_ISO_LEN + 1] = "", we[TIME_ISO_LEN + 1] = "";
    id_new_at(id, ms);
    make_ref(id, ms, ref);
    time_format_iso(ms, at);
    if (in->window_start) {
        time_format_iso(in->window_start, ws);
        time_format_iso(in->window_end, we);
    }
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO changes(id, ref, title, requester_dept, requester_id, target, reason, "
            "plan, rollback_plan, risk, window_start, window_end, status, template_code, "
            "created_by, created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
            "?7, ?8, ?9, ?10, ?11, ?12, 'draft', ?13, ?5, ?14, ?14, ?15, ?16)");
    bind_text(s, 1, id);
    bind_text(s, 2, ref);
    bind_text(s, 3, in->title);
    bind_text(s, 4, in->dept);
    bind_text(s, 5, st->operator_id);
    bind_text(s, 6, in->target);
    bind_text(s, 7, in->reason);
    bind_text(s, 8, in->plan);
    bind_text(s, 9, in->rollback);
    bind_text(s, 10, risk);
    bind_text(s, 11, ws[0] ? ws : NULL);
    bind_text(s, 12, we[0] ? we : NULL);
    bind_text(s, 13, in->template_code);
    bind_text(s, 14, at);
    bind_int(s, 15, store_hlc_next(st));
    bind_text(s, 16, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("filing the change"));
        goto fail;
    }
    for (size_t i = 0; i < in->nsteps; i++)
        if (insert_step(st, id, (int)i + 1, in->steps[i], err) != 0)
            goto fail;
    for (size_t i = 0; i < in->neffects; i++)
        if (declare_effect(st, id, (int)i + 1, in->effects[i], err) != 0)
            goto fail;
    for (size_t i = 0; i < in->nhosts; i++) {
        char hid[ID_LEN + 1];
        int found = find_one(st, "SELECT id FROM hosts WHERE name = ?1 AND deleted = 0",
                             in->hosts[i], hid, err);
        if (found < 0)
            goto fail;
        if (found != 1) {
            set_err(err, _("unknown host %s (not in the hosts inventory)"), in->hosts[i]);
            goto fail;
        }
        if (ledger_add_link(st, "change", id, "host", hid, in->hosts[i], err) != 0)
            goto fail;
    }
    for (size_t i = 0; i < in->nlinks; i++)
        if (link_target(st, id, in->links[i], err) != 0)
            goto fail;
    if (add_event(st, id, "draft", NULL, NULL, err) != 0 ||
        store_audit(st, "change.create", "changes", id, ref, err) != 0)
        goto fail;
    if (store_commit(st, err) != 0)
        goto fail;
    if (out_id)
        snprintf(out_id, ID_LEN + 1, "%s", id);
    if (out_ref)
        snprintf(out_ref, CHANGE_REF_LEN, "%s", ref);
    return 0;
fail:
    store_rollback(st);
    return -1;
}

int change_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err)
{
    int n = ref_or_id ? find_one(st,
                                 "SELECT id FROM changes WHERE (id = ?1 OR ref = ?1) "
                                 "AND deleted = 0",
                                 ref_or_id, id, err)
                      : 0;
    if (n < 0)
        return -1;
    if (n == 1)
        return 0;
    set_err(err, n ? _("more than one change matches %s; use its id") : _("no change %s"),
            ref_or_id ? ref_or_id : "");
    return -1;
}

int change_link_session(struct store *st, const char *change_ref, const char *session_id,
                        char **err)
{
    char id[ID_LEN + 1], sid[ID_LEN + 1];
    if (store_require_operator(st, err) != 0 || change_resolve(st, change_ref, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    int found =
        session_id ? find_one(st, "SELECT id FROM ssh_sessions WHERE id = ?1", session_id, sid, err)
                   : 0;
    if (found == 0)
        set_err(err, _("no SSH session %s"), session_id ? session_id : "");
    if (found != 1) {
        store_rollback(st);
        return -1;
    }
    char *d = xasprintf("{\"kind\":\"ssh_session\",\"id\":\"%s\"}", sid);
    int rc = ledger_add_link(st, "change", id, "ssh_session", sid, NULL, err);
    if (rc == 0)
        rc = store_audit(st, "change.link", "changes", id, d, err);
    free(d);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

struct change_state {
    char status[16];
    char requester_id[ID_LEN + 1];
    char ref[CHANGE_REF_LEN];
    char *rollback;
    int nsteps, nsteps_done;
};

static int load_state(struct store *st, const char *id, struct change_state *cs, char **err)
{
    memset(cs, 0, sizeof *cs);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT status, requester_id, rollback_plan, "
            "(SELECT count(*) FROM change_steps WHERE change_id = c.id AND deleted = 0), "
            "(SELECT count(*) FROM change_steps WHERE change_id = c.id AND deleted = 0 "
            "AND done_at IS NOT NULL), ref FROM changes c WHERE id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        if (got == 0)
            set_err(err, _("no change %s"), id);
        return -1;
    }
    snprintf(cs->status, sizeof cs->status, "%s", col_text(s, 0));
    snprintf(cs->requester_id, sizeof cs->requester_id, "%s", col_text(s, 1));
    snprintf(cs->ref, sizeof cs->ref, "%s", col_text(s, 5));
    cs->rollback = col_text(s, 2) ? xstrdup(col_text(s, 2)) : NULL;
    cs->nsteps = sqlite3_column_int(s, 3);
    cs->nsteps_done = sqlite3_column_int(s, 4);
    sqlite3_reset(s);
    return 0;
}

static const char *const change_actions[] = {
    "plan",     "submit",   "approve",    "return",  "start",      "done", "cancel",
    "rollback", "add_step", "add_effect", "do_step", "edit_hosts", NULL};

const char *change_action_name(const char *verb)
{
    static const struct {
        const char *key, *name;
    } names[] = {
        {"plan", N_("plan")},
        {"submit", N_("submit for review")},
        {"approve", N_("approve")},
        {"return", N_("return")},
        {"start", N_("start")},
        {"done", N_("done")},
        {"cancel", N_("cancel")},
        {"rollback", N_("roll back")},
        {"add_step", N_("add a step")},
        {"add_effect", N_("add an effect")},
        {"do_step", N_("check off a step")},
        {"edit_hosts", N_("change the target hosts")},
    };
    for (size_t i = 0; verb && i < ARRAY_LEN(names); i++)
        if (streq(names[i].key, verb))
            return _(names[i].name);
    return verb ? verb : "";
}

/* The change workflow (the picture in changes.h). Approve and return: an engineer who
 * did not file the change. */
#define REVIEW WF_ENGINEER, WF_NOT_REQUESTER
static const struct wf_transition change_rows[] = {
    {"draft", "plan", "planned", 0, 0},           {"returned", "plan", "planned", 0, 0},
    {"planned", "submit", "in_review", 0, 0},     {"in_review", "approve", "approved", REVIEW},
    {"in_review", "return", "returned", REVIEW},  {"approved", "start", "in_progress", 0, 0},
    {"in_progress", "done", "done", 0, 0},        {"draft", "cancel", "cancelled", 0, 0},
    {"planned", "cancel", "cancelled", 0, 0},     {"in_review", "cancel", "cancelled", 0, 0},
    {"returned", "cancel", "cancelled", 0, 0},    {"approved", "cancel", "cancelled", 0, 0},
    {"in_progress", "cancel", "cancelled", 0, 0}, {"in_progress", "rollback", "rolled_back", 0, 0},
    {"done", "rollback", "rolled_back", 0, 0},    {"draft", "add_step", NULL, 0, 0},
    {"planned", "add_step", NULL, 0, 0},          {"returned", "add_step", NULL, 0, 0},
    {"draft", "add_effect", NULL, 0, 0},          {"planned", "add_effect", NULL, 0, 0},
    {"returned", "add_effect", NULL, 0, 0},       {"in_progress", "do_step", NULL, 0, 0},
    {"draft", "edit_hosts", NULL, 0, 0},          {"planned", "edit_hosts", NULL, 0, 0},
    {"returned", "edit_hosts", NULL, 0, 0},
};
#undef REVIEW
static const struct wf_hint change_hints[] = {
    {"done", NULL, N_("its workflow is over already")},
    {"cancelled", NULL, N_("its workflow is over already")},
    {"rolled_back", NULL, N_("its workflow is over already")},
};
const struct wf_table change_workflow = {
    N_("change"),           change_statuses,    change_actions,
    change_status_name,     change_action_name, change_rows,
    ARRAY_LEN(change_rows), change_hints,       ARRAY_LEN(change_hints)};

/* The workflow's verdict on action for the change in cs; 0 when allowed. */
static int check_workflow(struct store *st, const char *ref, const char *action,
                          const struct change_state *cs, const char **to, char **err)
{
    struct wf_actor who = workflow_actor(st);
    struct wf_record rec = {ref, cs->requester_id, NULL};
    return workflow_check(&change_workflow, cs->status, action, &who, &rec, to, err);
}

/* The rules of the verb beyond the workflow table (what the change must hold). */
static int check_transition(const char *ref, const char *verb, const struct change_state *cs,
                            const char *note, char **err)
{
    if (streq(verb, "return") && (!note || !*note)) {
        set_err(err, _("say why the change is returned (--note)"));
        return -1;
    }
    if (streq(verb, "submit")) {
        if (cs->nsteps == 0) {
            set_err(err, _("change %s has no procedure steps; add them before review"), ref);
            return -1;
        }
        if (!cs->rollback || !*cs->rollback) {
            set_err(err, _("change %s has no rollback plan; write one before review"), ref);
            return -1;
        }
    }
    if (streq(verb, "done") && cs->nsteps_done < cs->nsteps) {
        set_err(err, _("change %s: %d of %d procedure steps are not done yet"), ref,
                cs->nsteps - cs->nsteps_done, cs->nsteps);
        return -1;
    }
    return 0;
}

int change_check_step(struct store *st, const char *ref_or_id, const char *verb, char **err)
{
    if (!in_list(change_verbs, verb)) {
        set_err(err,
                _("unknown step %s (expected plan, submit, approve, return, start, done, "
                  "cancel or rollback)"),
                verb ? verb : "");
        return -1;
    }
    char id[ID_LEN + 1];
    if (store_require_operator(st, err) != 0 || change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    struct change_state cs;
    if (load_state(st, id, &cs, err) != 0)
        return -1;
    const char *to = NULL;
    int rc = check_workflow(st, cs.ref, verb, &cs, &to, err) != 0 ||
                     (!streq(verb, "return") && check_transition(cs.ref, verb, &cs, NULL, err) != 0)
                 ? -1
                 : 0;
    free(cs.rollback);
    return rc;
}

int change_step(struct store *st, const char *ref_or_id, const char *verb, const char *note,
                char **err)
{
    if (!in_list(change_verbs, verb)) {
        set_err(err,
                _("unknown step %s (expected plan, submit, approve, return, start, done, "
                  "cancel or rollback)"),
                verb ? verb : "");
        return -1;
    }
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    /* Approving is signed (issue 14): the approver's passphrase, now or lately. */
    if (streq(verb, "approve") && signin_require_fresh(st, "change.approve", err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    struct change_state cs;
    if (load_state(st, id, &cs, err) != 0)
        goto fail;
    const char *to = NULL;
    if (check_workflow(st, cs.ref, verb, &cs, &to, err) != 0 ||
        check_transition(cs.ref, verb, &cs, note, err) != 0)
        goto fail;
    char at[TIME_ISO_LEN + 1];
    now_iso(at);
    int approve = streq(verb, "approve");
    sqlite3_stmt *s =
        store_stmt(st, "UPDATE changes SET status = ?2, updated_at = ?3, hlc = ?4, origin = ?5, "
                       "approver_id = CASE WHEN ?6 THEN ?7 ELSE approver_id END, "
                       "approved_at = CASE WHEN ?6 THEN ?3 ELSE approved_at END "
                       "WHERE id = ?1 AND status = ?8");
    bind_text(s, 1, id);
    bind_text(s, 2, to);
    bind_text(s, 3, at);
    bind_int(s, 4, store_hlc_next(st));
    bind_text(s, 5, st->origin);
    bind_int(s, 6, approve);
    bind_text(s, 7, st->operator_id);
    bind_text(s, 8, cs.status);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("updating the change"));
        goto fail;
    }
    if (sqlite3_changes(st->db) != 1) {
        set_err(err, _("change %s changed meanwhile; try again"), ref_or_id);
        goto fail;
    }
    int n = 0;
    if (streq(verb, "done") && cmdb_effects_apply(st, id, &n, err) != 0)
        goto fail;
    if (streq(verb, "rollback") && streq(cs.status, "done") &&
        cmdb_effects_revert(st, id, &n, err) != 0)
        goto fail;
    char *data = xasprintf("{\"from\":\"%s\",\"to\":\"%s\",\"config\":%d}", cs.status, to, n);
    char *action = xasprintf("change.%s", verb);
    int rc = add_event(st, id, to, note, data, err);
    if (rc == 0)
        rc = store_audit(st, action, "changes", id, data, err);
    free(data);
    free(action);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    free(cs.rollback);
    return 0;
fail:
    free(cs.rollback);
    store_rollback(st);
    return -1;
}

int change_rollback(struct store *st, const char *ref_or_id, const char *note, char **err)
{
    return change_step(st, ref_or_id, "rollback", note, err);
}

int change_do_step(struct store *st, const char *ref_or_id, int seq, const char *output,
                   const char *session_id, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    struct change_state cs;
    if (load_state(st, id, &cs, err) != 0)
        goto fail;
    if (check_workflow(st, cs.ref, "do_step", &cs, NULL, err) != 0)
        goto fail;
    if (seq < 1 || seq > cs.nsteps) {
        set_err(err, _("change %s has steps 1 to %d, not %d"), ref_or_id, cs.nsteps, seq);
        goto fail;
    }
    if (seq <= cs.nsteps_done) {
        set_err(err, _("step %d of change %s is done already"), seq, ref_or_id);
        goto fail;
    }
    if (seq != cs.nsteps_done + 1) {
        set_err(err, _("step %d of change %s comes first: steps are done in order"),
                cs.nsteps_done + 1, ref_or_id);
        goto fail;
    }
    int found = session_id ? find_one(st, "SELECT id FROM ssh_sessions WHERE id = ?1", session_id,
                                      (char[ID_LEN + 1]){0}, err)
                           : 1;
    if (found < 0)
        goto fail;
    if (found != 1) {
        set_err(err, _("no SSH session %s"), session_id);
        goto fail;
    }
    char at[TIME_ISO_LEN + 1];
    now_iso(at);
    sqlite3_stmt *s = store_stmt(
        st, "UPDATE change_steps SET done_at = ?3, done_by = ?4, output = ?5, session_id = ?6, "
            "updated_at = ?3, hlc = ?7, origin = ?8 "
            "WHERE change_id = ?1 AND seq = ?2 AND deleted = 0 AND done_at IS NULL");
    bind_text(s, 1, id);
    bind_int(s, 2, seq);
    bind_text(s, 3, at);
    bind_text(s, 4, st->operator_id);
    bind_text(s, 5, output);
    bind_text(s, 6, session_id);
    bind_int(s, 7, store_hlc_next(st));
    bind_text(s, 8, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(st->db) != 1) {
        store_fail(st, err, _("checking off the step"));
        goto fail;
    }
    char *data = xasprintf("{\"step\":%d}", seq);
    char *note = xasprintf(_("step %d done"), seq);
    int rc = add_event(st, id, "step_done", note, data, err);
    if (rc == 0)
        rc = store_audit(st, "change.step_done", "changes", id, data, err);
    free(data);
    free(note);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    free(cs.rollback);
    return 0;
fail:
    free(cs.rollback);
    store_rollback(st);
    return -1;
}

static int add_to_plan(struct store *st, const char *ref_or_id, const char *text, int effect,
                       char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    struct change_state cs;
    if (load_state(st, id, &cs, err) != 0)
        goto fail;
    free(cs.rollback);
    if (check_workflow(st, cs.ref, effect ? "add_effect" : "add_step", &cs, NULL, err) != 0)
        goto fail;
    sqlite3_stmt *s = store_stmt(
        st, effect ? "SELECT coalesce(max(seq), 0) + 1 FROM change_effects WHERE change_id = ?1"
                   : "SELECT coalesce(max(seq), 0) + 1 FROM change_steps WHERE change_id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    int seq = got == 1 ? sqlite3_column_int(s, 0) : 1;
    sqlite3_reset(s);
    if (got < 0)
        goto fail;
    int rc = effect ? declare_effect(st, id, seq, text, err) : insert_step(st, id, seq, text, err);
    if (rc == 0)
        rc = add_event(st, id, effect ? "effect_added" : "step_added", text, NULL, err);
    if (rc == 0)
        rc = store_audit(st, effect ? "change.add_effect" : "change.add_step", "changes", id, text,
                         err);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(st);
    return -1;
}

int change_add_step(struct store *st, const char *ref_or_id, const char *text, char **err)
{
    return add_to_plan(st, ref_or_id, text, 0, err);
}

int change_add_effect(struct store *st, const char *ref_or_id, const char *spec, char **err)
{
    return add_to_plan(st, ref_or_id, spec, 1, err);
}

/* ---- target hosts and links, editable after filing ---- */

/* The one live link change_id -> (kind, to_id): 1 and its id, 0, or -1. */
static int find_link(struct store *st, const char *change_id, const char *kind, const char *to_id,
                     char link_id[ID_LEN + 1], char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM links WHERE from_kind = 'change' AND "
                                     "from_id = ?1 AND to_kind = ?2 AND to_id = ?3 AND deleted = 0 "
                                     "LIMIT 1");
    bind_text(s, 1, change_id);
    bind_text(s, 2, kind);
    bind_text(s, 3, to_id);
    int got = store_one_row(s, err);
    if (got == 1 && link_id)
        snprintf(link_id, ID_LEN + 1, "%s", col_text(s, 0));
    sqlite3_reset(s);
    return got;
}

int change_set_host(struct store *st, const char *ref_or_id, const char *host, int add, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], hid[ID_LEN + 1], lid[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    struct change_state cs;
    if (load_state(st, id, &cs, err) != 0)
        goto fail;
    free(cs.rollback);
    if (check_workflow(st, cs.ref, "edit_hosts", &cs, NULL, err) != 0)
        goto fail;
    int found = find_one(st, "SELECT id FROM hosts WHERE name = ?1 AND deleted = 0",
                         host ? host : "", hid, err);
    if (found < 0)
        goto fail;
    if (found != 1) {
        set_err(err, _("unknown host %s (not in the hosts inventory)"), host ? host : "");
        goto fail;
    }
    int linked = find_link(st, id, "host", hid, lid, err);
    if (linked < 0)
        goto fail;
    if (add && linked) {
        set_err(err, _("%s is a target host of %s already"), host, cs.ref);
        goto fail;
    }
    if (!add && !linked) {
        set_err(err, _("%s is not a target host of %s"), host, cs.ref);
        goto fail;
    }
    int rc;
    if (add) {
        rc = ledger_add_link(st, "change", id, "host", hid, host, err);
    } else {
        char at[TIME_ISO_LEN + 1];
        now_iso(at);
        sqlite3_stmt *s = store_stmt(st, "UPDATE links SET deleted = 1, updated_at = ?2, hlc = ?3, "
                                         "origin = ?4 WHERE id = ?1 AND deleted = 0");
        bind_text(s, 1, lid);
        bind_text(s, 2, at);
        bind_int(s, 3, store_hlc_next(st));
        bind_text(s, 4, st->origin);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("unlinking the host"));
    }
    if (rc == 0)
        rc = add_event(st, id, add ? "host_added" : "host_removed", host, NULL, err);
    if (rc == 0)
        rc = store_audit(st, add ? "change.add_host" : "change.remove_host", "changes", id, host,
                         err);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(st);
    return -1;
}

int change_add_link(struct store *st, const char *ref_or_id, const char *target, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], to[ID_LEN + 1], kind[16];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    if (resolve_link_target(st, target ? target : "", kind, to, err) != 0)
        goto fail;
    if (streq(kind, "change") && streq(to, id)) {
        set_err(err, _("a change is not linked to itself"));
        goto fail;
    }
    int linked = find_link(st, id, kind, to, NULL, err);
    if (linked < 0)
        goto fail;
    if (linked) {
        set_err(err, _("%s is linked to it already"), target);
        goto fail;
    }
    char *data = json_obj2("kind", kind, "id", to);
    int rc = ledger_add_link(st, "change", id, kind, to, NULL, err);
    if (rc == 0)
        rc = add_event(st, id, "link_added", target, NULL, err);
    if (rc == 0)
        rc = store_audit(st, "change.link", "changes", id, data, err);
    free(data);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(st);
    return -1;
}

/* Tombstones one row (UPDATE ... SET deleted = 1 ... WHERE id = ?1 AND deleted = 0). */
static int tombstone(struct store *st, const char *sql, const char *id, const char *what,
                     char **err)
{
    char at[TIME_ISO_LEN + 1];
    now_iso(at);
    sqlite3_stmt *s = store_stmt(st, sql);
    bind_text(s, 1, id);
    bind_text(s, 2, at);
    bind_int(s, 3, store_hlc_next(st));
    bind_text(s, 4, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, what);
    return 0;
}

int change_remove_link(struct store *st, const char *ref_or_id, const char *target, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], to[ID_LEN + 1], kind[16], lid[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    if (resolve_link_target(st, target ? target : "", kind, to, err) != 0)
        goto fail;
    int linked = find_link(st, id, kind, to, lid, err);
    if (linked < 0)
        goto fail;
    if (!linked) {
        set_err(err, _("%s is not linked to it"), target);
        goto fail;
    }
    int rc = tombstone(st,
                       "UPDATE links SET deleted = 1, updated_at = ?2, hlc = ?3, origin = ?4 "
                       "WHERE id = ?1 AND deleted = 0",
                       lid, _("unlinking records"), err);
    if (rc == 0)
        rc = add_event(st, id, "link_removed", target, NULL, err);
    if (rc == 0)
        rc = store_audit(st, "change.unlink", "changes", id, target, err);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(st);
    return -1;
}

int change_remove_effect(struct store *st, const char *ref_or_id, int seq, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    struct change_state cs;
    if (load_state(st, id, &cs, err) != 0)
        goto fail;
    free(cs.rollback);
    if (check_workflow(st, cs.ref, "add_effect", &cs, NULL, err) != 0)
        goto fail;
    sqlite3_stmt *s = store_stmt(st, "SELECT id, spec FROM change_effects WHERE change_id = ?1 "
                                     "AND seq = ?2 AND deleted = 0 AND applied_at IS NULL");
    bind_text(s, 1, id);
    bind_int(s, 2, seq);
    int got = store_one_row(s, err);
    char eid[ID_LEN + 1] = "";
    char *spec = NULL;
    if (got == 1) {
        snprintf(eid, sizeof eid, "%s", col_text(s, 0));
        spec = col_dup(s, 1);
    }
    sqlite3_reset(s);
    if (got < 0)
        goto fail;
    if (got == 0) {
        set_err(err, _("change %s has no config effect %d"), cs.ref, seq);
        goto fail;
    }
    int rc = tombstone(st,
                       "UPDATE change_effects SET deleted = 1, updated_at = ?2, hlc = ?3, "
                       "origin = ?4 WHERE id = ?1 AND deleted = 0",
                       eid, _("removing the config effect"), err);
    if (rc == 0)
        rc = add_event(st, id, "effect_removed", spec, NULL, err);
    if (rc == 0)
        rc = store_audit(st, "change.remove_effect", "changes", id, spec, err);
    free(spec);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(st);
    return -1;
}

/* ---- a step's evidence from a recorded session ---- */

int change_session_candidates(struct store *st, const char *ref_or_id, struct change_session **out,
                              size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    char id[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    /* linked to the change first, then the latest on its target hosts; only
     * sessions with a recording */
    sqlite3_stmt *s = store_stmt(
        st, "SELECT s.id, s.host_name, o.login, s.started_at, s.ended_at, "
            "EXISTS(SELECT 1 FROM links l WHERE l.from_kind = 'change' AND l.from_id = ?1 AND "
            "l.to_kind = 'ssh_session' AND l.to_id = s.id AND l.deleted = 0) AS linked "
            "FROM ssh_sessions s LEFT JOIN operators o ON o.id = s.operator_id "
            "WHERE s.deleted = 0 AND s.transcript IS NOT NULL AND (EXISTS(SELECT 1 FROM links l "
            "WHERE l.from_kind = 'change' AND l.from_id = ?1 AND l.to_kind = 'ssh_session' AND "
            "l.to_id = s.id AND l.deleted = 0) OR s.host_id IN (SELECT to_id FROM links WHERE "
            "from_kind = 'change' AND from_id = ?1 AND to_kind = 'host' AND deleted = 0)) "
            "ORDER BY linked DESC, s.started_at DESC LIMIT ?2");
    bind_text(s, 1, id);
    bind_int(s, 2, 50);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct change_session *r = &(*out)[(*n)++];
        snprintf(r->id, sizeof r->id, "%s", col_text(s, 0));
        r->host = col_dup(s, 1);
        r->operator_login = col_dup(s, 2);
        r->started_at = ledger_ms(col_text(s, 3));
        r->ended_at = ledger_ms(col_text(s, 4));
        r->linked = sqlite3_column_int(s, 5);
    }
    sqlite3_reset(s);
    if (step < 0) {
        change_sessions_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

void change_sessions_free(struct change_session *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].host), free(rows[i].operator_login);
    free(rows);
}

int change_do_step_evidence(struct store *st, const char *ref_or_id, int seq,
                            const char *session_id, int from, int to, char **err)
{
    char **lines;
    size_t n;
    char sid[ID_LEN + 1];
    if (session_text_lines(st, session_id, sid, &lines, &n, err) != 0)
        return -1;
    char *text;
    int rc = session_lines_join(lines, n, from, to, &text, err);
    session_lines_free(lines, n);
    if (rc != 0)
        return -1;
    rc = change_do_step(st, ref_or_id, seq, text, sid, err);
    free(text);
    return rc;
}

char *change_window_warning(const struct calendar *cal, int64_t start_ms, int64_t end_ms,
                            int64_t *service_seconds)
{
    int64_t secs = 0;
    if (start_ms && end_ms > start_ms)
        secs = calendar_service_seconds(cal, start_ms / 1000, end_ms / 1000);
    if (service_seconds)
        *service_seconds = secs;
    if (secs <= 0)
        return NULL;
    char a[32], b[32];
    time_format_jst(start_ms, a, 0);
    time_format_jst(end_ms, b, 0);
    return xasprintf(_("the window %s – %s JST falls in service hours for %lld min; the library "
                       "system is in use then"),
                     a, b, (long long)((secs + 59) / 60));
}

/* ---- reading ---- */

#define CHANGE_COLS                                                                                \
    "c.id, c.ref, c.title, c.requester_dept, r.login, c.target, c.reason, c.plan, "                \
    "c.rollback_plan, c.risk, c.window_start, c.window_end, c.status, a.login, c.approved_at, "    \
    "c.template_code, c.created_at, c.updated_at FROM changes c "                                  \
    "LEFT JOIN operators r ON r.id = c.requester_id LEFT JOIN operators a ON a.id = "              \
    "c.approver_id "

static void fill_change(sqlite3_stmt *s, struct change *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", col_text(s, 0));
    snprintf(c->ref, sizeof c->ref, "%s", col_text(s, 1));
    c->title = col_dup(s, 2);
    c->dept = col_dup(s, 3);
    c->requester = col_dup(s, 4);
    c->target = col_dup(s, 5);
    c->reason = col_dup(s, 6);
    c->plan = col_dup(s, 7);
    c->rollback = col_dup(s, 8);
    c->risk = col_dup(s, 9);
    c->window_start = col_dup(s, 10);
    c->window_end = col_dup(s, 11);
    c->status = col_dup(s, 12);
    c->approver = col_dup(s, 13);
    c->approved_at = col_dup(s, 14);
    c->template_code = col_dup(s, 15);
    c->created_at = col_dup(s, 16);
    c->updated_at = col_dup(s, 17);
}

int change_get(struct store *st, const char *ref_or_id, int full, struct change *out, char **err)
{
    memset(out, 0, sizeof *out);
    char id[ID_LEN + 1];
    if (change_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT " CHANGE_COLS "WHERE c.id = ?1");
    bind_text(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return store_fail(st, err, _("reading the change"));
    }
    fill_change(s, out);
    sqlite3_reset(s);
    if (!full)
        return 0;
    s = store_stmt(st, "SELECT s.seq, s.text, s.done_at, o.login, s.output, s.session_id "
                       "FROM change_steps s LEFT JOIN operators o ON o.id = s.done_by "
                       "WHERE s.change_id = ?1 AND s.deleted = 0 ORDER BY s.seq");
    bind_text(s, 1, id);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        out->steps = xrealloc(out->steps, (out->nsteps + 1) * sizeof *out->steps);
        struct change_step_row *r = &out->steps[out->nsteps++];
        r->seq = sqlite3_column_int(s, 0);
        r->text = col_dup(s, 1);
        r->done_at = col_dup(s, 2);
        r->done_by = col_dup(s, 3);
        r->output = col_dup(s, 4);
        r->session_id = col_dup(s, 5);
        r->session_label = NULL;
    }
    sqlite3_reset(s);
    /* A step's evidence session is named like the timeline names it (session_play.c). */
    for (size_t i = 0; step == 0 && i < out->nsteps; i++)
        if (out->steps[i].session_id &&
            session_label(st, out->steps[i].session_id, &out->steps[i].session_label, err) != 0)
            step = -1;
    s = store_stmt(st, "SELECT e.kind, e.note, o.login, e.at FROM change_events e "
                       "LEFT JOIN operators o ON o.id = e.operator_id "
                       "WHERE e.change_id = ?1 ORDER BY e.at, e.id");
    bind_text(s, 1, id);
    if (step < 0 || ledger_events_read(s, &out->events, &out->nevents, err) != 0) {
        change_clear(out);
        return -1;
    }
    s = store_stmt(st, "SELECT l.to_kind, l.to_id, coalesce(h.name, i.ref, p.ref, c2.ref, l.note) "
                       "FROM links l LEFT JOIN hosts h ON l.to_kind = 'host' AND h.id = l.to_id "
                       "LEFT JOIN changes c2 ON l.to_kind = 'change' AND c2.id = l.to_id "
                       "LEFT JOIN incidents i ON l.to_kind = 'incident' AND i.id = l.to_id "
                       "LEFT JOIN problems p ON l.to_kind = 'problem' AND p.id = l.to_id "
                       "WHERE l.from_kind = 'change' AND l.from_id = ?1 AND l.deleted = 0 "
                       "ORDER BY l.created_at, l.id");
    bind_text(s, 1, id);
    while ((step = store_next_row(s, err)) == 1) {
        out->links = xrealloc(out->links, (out->nlinks + 1) * sizeof *out->links);
        struct change_link_row *r = &out->links[out->nlinks++];
        r->kind = col_dup(s, 0);
        r->id = col_dup(s, 1);
        r->label = col_dup(s, 2);
    }
    sqlite3_reset(s);
    if (step < 0) {
        change_clear(out);
        return -1;
    }
    /* A console session is named by its host and times, not its id. */
    for (size_t i = 0; i < out->nlinks; i++) {
        char *label = NULL;
        if (out->links[i].kind && streq(out->links[i].kind, "ssh_session") &&
            session_label(st, out->links[i].id, &label, err) != 0) {
            change_clear(out);
            return -1;
        }
        if (label) {
            free(out->links[i].label);
            out->links[i].label = label;
        }
    }
    return 0;
}

void change_clear(struct change *c)
{
    free(c->title), free(c->dept), free(c->requester), free(c->target), free(c->reason);
    free(c->plan), free(c->rollback), free(c->risk), free(c->window_start), free(c->window_end);
    free(c->status), free(c->approver), free(c->approved_at), free(c->template_code);
    free(c->created_at), free(c->updated_at);
    for (size_t i = 0; i < c->nsteps; i++) {
        struct change_step_row *r = &c->steps[i];
        free(r->text), free(r->done_at), free(r->done_by), free(r->output), free(r->session_id);
        free(r->session_label);
    }
    free(c->steps);
    ledger_events_free(c->events, c->nevents);
    for (size_t i = 0; i < c->nlinks; i++)
        free(c->links[i].kind), free(c->links[i].id), free(c->links[i].label);
    free(c->links);
    memset(c, 0, sizeof *c);
}

int change_list(struct store *st, const char *status, struct change **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    if (status && !in_list(change_statuses, status)) {
        set_err(err, _("unknown status %s"), status);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(st, "SELECT " CHANGE_COLS "WHERE c.deleted = 0 "
                                     "AND (?1 IS NULL OR c.status = ?1) "
                                     "ORDER BY c.created_at DESC, c.id DESC");
    bind_text(s, 1, status);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        fill_change(s, &(*out)[(*n)++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        change_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return store_fail(st, err, _("listing changes"));
    }
    return 0;
}

void change_list_free(struct change *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        change_clear(&rows[i]);
    free(rows);
}

/* ---- templates ---- */

struct tpl_load {
    struct change_template *t;
    const char *month;
};

static char *subst_month(const char *v, const char *month)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = v;
    const char *hit;
    while ((hit = strstr(p, "{month}")) != NULL) {
        sb_add(&sb, p, (size_t)(hit - p));
        sb_puts(&sb, month ? month : "");
        p = hit + 7;
    }
    sb_puts(&sb, p);
    return sb_detach(&sb);
}

/* [change] only; "{month}" substituted in every value. */
static int tpl_item(void *user, const struct ini_item *it, char **err)
{
    struct tpl_load *L = user;
    if (!streq(it->section, "change"))
        return ini_fail(it, err, _("unknown section [%s] (expected [change])"), it->section);
    if (it->kind != INI_PAIR)
        return 0;
    const char *name = it->key;
    struct change_template *t = L->t;
    char *v = subst_month(it->value, L->month);
    char **slot = NULL;
    if (streq(name, "title"))
        slot = &t->title;
    else if (streq(name, "dept"))
        slot = &t->dept;
    else if (streq(name, "target"))
        slot = &t->target;
    else if (streq(name, "reason"))
        slot = &t->reason;
    else if (streq(name, "plan"))
        slot = &t->plan;
    else if (streq(name, "rollback"))
        slot = &t->rollback;
    else if (streq(name, "risk")) {
        if (!in_list(change_risks, v)) {
            ini_fail(it, err, _("risk %s (expected low, medium or high)"), v);
            free(v);
            return -1;
        }
        slot = &t->risk;
    } else if (streq(name, "step")) {
        t->steps = xrealloc(t->steps, (t->nsteps + 1) * sizeof *t->steps);
        t->steps[t->nsteps++] = v;
        return 0;
    } else if (streq(name, "effect")) {
        t->effects = xrealloc(t->effects, (t->neffects + 1) * sizeof *t->effects);
        t->effects[t->neffects++] = v;
        return 0;
    } else {
        ini_fail(it, err,
                 _("unknown key %s (expected title, dept, target, reason, plan, rollback, risk, "
                   "step or effect)"),
                 name);
        free(v);
        return -1;
    }
    if (*slot) {
        ini_fail(it, err, _("%s given twice"), name);
        free(v);
        return -1;
    }
    *slot = v;
    return 0;
}

int change_template_load(const char *path, const char *name, const char *month,
                         struct change_template *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (month) {
        struct civil_date d;
        char buf[16];
        snprintf(buf, sizeof buf, "%.7s-01", month);
        if (strlen(month) != 7 || civil_parse(buf, &d) != 0) {
            set_err(err, _("--month takes YYYY-MM, not %s"), month);
            return -1;
        }
    }
    char *owned = NULL;
    if (!path) {
        if (!name || !*name || strchr(name, '/')) {
            set_err(err, _("a change template is named like patch-round"));
            return -1;
        }
        char *rel = xasprintf("changes/%s.ini", name);
        owned = paths_find_data(NULL, rel);
        free(rel);
        if (!owned) {
            set_err(err, _("no change template %s (looked in %s/changes)"), name,
                    install_datadir());
            return -1;
        }
        path = owned;
    }
    struct tpl_load L = {out, month};
    /* One value per line: no inline comments, no continuation lines. */
    if (ini_read_file(path, 0, tpl_item, &L, NULL, err) != 0) {
        /* *err names FILE:LINE */
    } else if (!out->title || !out->dept) {
        set_err(err, _("%s: a change template needs title and dept"), path);
    } else {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        const char *dot = strrchr(base, '.');
        out->code = xstrndup(base, dot ? (size_t)(dot - base) : strlen(base));
        free(owned);
        return 0;
    }
    free(owned);
    change_template_free(out);
    return -1;
}

void change_template_free(struct change_template *t)
{
    free(t->code), free(t->title), free(t->dept), free(t->target), free(t->reason);
    free(t->plan), free(t->rollback), free(t->risk);
    for (size_t i = 0; i < t->nsteps; i++)
        free(t->steps[i]);
    free(t->steps);
    for (size_t i = 0; i < t->neffects; i++)
        free(t->effects[i]);
    free(t->effects);
    memset(t, 0, sizeof *t);
}
