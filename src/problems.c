#include "problems.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "i18n.h"
#include "incidents.h"
#include "json.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"
#include "workflow.h"

const char *const problem_statuses[] = {"open",     "investigating", "known_error",
                                        "resolved", "closed",        NULL};

const char *problem_status_name(const char *k)
{
    if (streq(k, "open"))
        return ledger_label(P_("problem", "open"));
    if (streq(k, "investigating"))
        return ledger_label(P_("problem", "investigating"));
    if (streq(k, "known_error"))
        return ledger_label(P_("problem", "known error"));
    if (streq(k, "resolved"))
        return ledger_label(P_("problem", "resolved"));
    if (streq(k, "closed"))
        return ledger_label(P_("problem", "closed"));
    return k ? k : "";
}

static int status_rank(const char *s)
{
    for (int i = 0; problem_statuses[i]; i++)
        if (streq(problem_statuses[i], s))
            return i;
    return -1;
}

void problem_clear(struct problem *p)
{
    free(p->title);
    free(p->description);
    free(p->status);
    free(p->root_cause);
    free(p->workaround);
    free(p->permanent_measure);
    free(p->prevention_status);
    free(p->prevention_due);
    free(p->owner_login);
    free(p->knowledge_id);
    memset(p, 0, sizeof *p);
}

int problem_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err)
{
    if (!ref_or_id || !*ref_or_id) {
        set_err(err, _("say which problem (PRB-YYYYMMDD-xxxx or its id)"));
        return -1;
    }
    int n = ledger_find(
        store_stmt(st, "SELECT id FROM problems WHERE id = ?1 AND deleted = 0"),
        store_stmt(st, "SELECT id FROM problems WHERE ref = ?1 AND deleted = 0 LIMIT 2"), ref_or_id,
        id, err);
    if (n < 0)
        return -1;
    if (n == 1)
        return 0;
    if (n == 0)
        set_err(err, _("no problem %s"), ref_or_id);
    else
        set_err(err, _("%s names more than one problem; use the id"), ref_or_id);
    return -1;
}

#define PRB_COLS                                                                                   \
    "p.id, p.ref, p.title, p.description, p.status, p.root_cause, p.workaround, "                  \
    "p.permanent_measure, p.prevention_status, p.prevention_due, o.login, p.created_at, "          \
    "p.updated_at, (SELECT count(*) FROM links WHERE from_kind = 'problem' AND from_id = p.id "    \
    "AND to_kind = 'incident' AND deleted = 0), (SELECT id FROM knowledge WHERE problem_id = "     \
    "p.id AND deleted = 0 ORDER BY created_at DESC LIMIT 1) "
#define PRB_FROM "FROM problems p LEFT JOIN operators o ON o.id = p.owner_id "

static void read_row(sqlite3_stmt *s, struct problem *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", col_text(s, 0));
    snprintf(p->ref, sizeof p->ref, "%s", col_text(s, 1) ? col_text(s, 1) : "");
    p->title = col_dup(s, 2);
    p->description = col_dup(s, 3);
    p->status = col_dup(s, 4);
    p->root_cause = col_dup(s, 5);
    p->workaround = col_dup(s, 6);
    p->permanent_measure = col_dup(s, 7);
    p->prevention_status = col_dup(s, 8);
    p->prevention_due = col_dup(s, 9);
    p->owner_login = col_dup(s, 10);
    p->created = ledger_ms(col_text(s, 11));
    p->updated = ledger_ms(col_text(s, 12));
    p->incidents = sqlite3_column_int(s, 13);
    p->knowledge_id = col_dup(s, 14);
}

int problem_get(struct store *st, const char *ref_or_id, struct problem *out, char **err)
{
    char id[ID_LEN + 1];
    memset(out, 0, sizeof *out);
    if (problem_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT " PRB_COLS PRB_FROM "WHERE p.id = ?1");
    bind_text(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return store_fail(st, err, _("reading a problem"));
    }
    read_row(s, out);
    sqlite3_reset(s);
    return 0;
}

int problem_list(struct store *st, const char *status, int limit, struct problem **out, size_t *n,
                 char **err)
{
    *out = NULL;
    *n = 0;
    if (status && status_rank(status) < 0) {
        char *k = ledger_key_list(problem_statuses);
        set_err(err, _("unknown status \"%s\" (expected %s)"), status, k);
        free(k);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(st, "SELECT " PRB_COLS PRB_FROM
                                     "WHERE p.deleted = 0 AND (?1 IS NULL OR p.status = ?1) "
                                     "ORDER BY p.created_at DESC LIMIT ?2");
    bind_text(s, 1, status);
    bind_int(s, 2, limit > 0 ? limit : 50);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        read_row(s, &(*out)[(*n)++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        problem_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return store_fail(st, err, _("listing problems"));
    }
    return 0;
}

void problem_list_free(struct problem *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        problem_clear(&p[i]);
    free(p);
}

int problem_incidents(struct store *st, const char *id, char ***out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT i.ref || ' ' || i.title FROM links l JOIN incidents i ON i.id = l.to_id "
            "WHERE l.from_kind = 'problem' AND l.from_id = ?1 AND l.to_kind = 'incident' AND "
            "l.deleted = 0 ORDER BY i.received_at");
    bind_text(s, 1, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = xstrdup(col_text(s, 0));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading links"));
    return 0;
}

static int add_event(struct store *st, const char *pid, const char *kind, const char *note,
                     const char *data, int64_t at, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO problem_events(id, problem_id, kind, note, data, operator_id, at, hlc, "
            "origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (ledger_insert_event(st, s, pid, kind, note, data, at) != 0)
        return store_fail(st, err, _("recording a problem event"));
    return 0;
}

int problem_create(struct store *st, const char *title, const char *description,
                   const char *owner_login, char *out_id, char *out_ref, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    if (!title || !*title) {
        set_err(err, _("a problem needs a title"));
        return -1;
    }
    char owner[ID_LEN + 1] = "";
    if (owner_login && ledger_operator(st, owner_login, owner, NULL, err) != 0)
        return -1;
    int64_t now = time_now_ms();
    if (store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], ref[24], nts[TIME_ISO_LEN + 1];
    for (;;) {
        id_new_at(id, now);
        ledger_ref("PRB", id, now, ref);
        sqlite3_stmt *c = store_stmt(st, "SELECT 1 FROM problems WHERE ref = ?1");
        bind_text(c, 1, ref);
        int taken = store_one_row(c, err);
        sqlite3_reset(c);
        if (taken < 0) {
            store_rollback(st);
            return -1;
        }
        if (!taken)
            break;
    }
    time_format_iso(now, nts);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO problems(id, ref, title, description, status, owner_id, created_by, "
            "created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, 'open', ?5, ?6, ?7, ?7, "
            "?8, ?9)");
    bind_text(s, 1, id);
    bind_text(s, 2, ref);
    bind_text(s, 3, title);
    bind_text(s, 4, description && *description ? description : NULL);
    bind_text(s, 5, owner[0] ? owner : NULL);
    bind_text(s, 6, st->operator_id);
    bind_text(s, 7, nts);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("saving a problem"));
    if (rc == 0)
        rc = add_event(st, id, "opened", NULL, NULL, now, err);
    if (rc == 0)
        rc = store_audit(st, "problem.create", "problems", id, ref, err);
    return ledger_created(st, rc, id, ref, out_id, out_ref, err);
}

static const char *const problem_actions[] = {"open",   "investigating", "known_error", "resolved",
                                              "closed", "publish",       NULL};

const char *problem_action_name(const char *k)
{
    static const struct {
        const char *key, *name;
    } names[] = {
        {"open", N_("reopen")},
        {"investigating", N_("investigate")},
        {"known_error", N_("record as a known error")},
        {"resolved", N_("resolve")},
        {"closed", N_("close")},
        {"publish", N_("publish as knowledge")},
    };
    for (size_t i = 0; k && i < ARRAY_LEN(names); i++)
        if (streq(k, names[i].key))
            return _(names[i].name);
    return k ? k : "";
}

/* Forward only (a step may be skipped, but closing follows resolving); a resolved or
 * closed problem is published as knowledge. What each status needs recorded (a root
 * cause, a permanent measure) is checked in problem_update. The actions named by a
 * status are problem_update's u->status. */
static const struct wf_transition problem_rows[] = {
    {"open", "investigating", "investigating", 0, 0},
    {"open", "known_error", "known_error", 0, 0},
    {"open", "resolved", "resolved", 0, 0},
    {"investigating", "known_error", "known_error", 0, 0},
    {"investigating", "resolved", "resolved", 0, 0},
    {"known_error", "resolved", "resolved", 0, 0},
    {"resolved", "closed", "closed", 0, 0},
    {"resolved", "publish", NULL, 0, 0},
    {"closed", "publish", NULL, 0, 0},
};
#define FORWARD                                                                                    \
    N_("a problem moves forward only (open, investigating, known error, resolved, closed)")
static const struct wf_hint problem_hints[] = {
    {NULL, "open", FORWARD},
    {NULL, "investigating", FORWARD},
    {NULL, "known_error", FORWARD},
    {NULL, "resolved", FORWARD},
};
#undef FORWARD
const struct wf_table problem_workflow = {
    N_("problem"),           problem_statuses,    problem_actions,
    problem_status_name,     problem_action_name, problem_rows,
    ARRAY_LEN(problem_rows), problem_hints,       ARRAY_LEN(problem_hints)};

static int check_workflow(struct store *st, const struct problem *p, const char *action, char **err)
{
    struct wf_actor who = workflow_actor(st);
    struct wf_record rec = {p->ref, NULL, NULL};
    return workflow_check(&problem_workflow, p->status, action, &who, &rec, NULL, err);
}

int problem_update(struct store *st, const char *ref_or_id, const struct problem_update *u,
                   char **err)
{
    /* Read and write in one transaction: two consoles never step on each other. */
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    struct problem p;
    if (problem_get(st, ref_or_id, &p, err) != 0) {
        store_rollback(st);
        return -1;
    }
    int rc = 0;
    char owner[ID_LEN + 1] = "";
    const char *root = u->root_cause ? u->root_cause : p.root_cause;
    const char *work = u->workaround ? u->workaround : p.workaround;
    const char *perm = u->permanent_measure ? u->permanent_measure : p.permanent_measure;
    struct civil_date due;
    if (u->status) {
        int to = status_rank(u->status);
        if (to < 0) {
            char *k = ledger_key_list(problem_statuses);
            set_err(err, _("unknown status \"%s\" (expected %s)"), u->status, k);
            free(k);
            rc = -1;
        } else if (check_workflow(st, &p, u->status, err) != 0) {
            rc = -1;
        } else if (to >= status_rank("known_error") && !(root && *root) && !(work && *work)) {
            set_err(err, _("a known error has a root cause or a workaround: record one "
                           "(--root-cause, --workaround)"));
            rc = -1;
        } else if (to >= status_rank("resolved") && !(perm && *perm)) {
            set_err(err, _("a resolved problem has its permanent measure: record it "
                           "(--permanent-measure)"));
            rc = -1;
        }
    }
    if (rc == 0 && u->prevention_due && civil_parse(u->prevention_due, &due) != 0) {
        set_err(err, _("the due date must be YYYY-MM-DD, not %s"), u->prevention_due);
        rc = -1;
    }
    if (rc == 0 && u->owner_login && ledger_operator(st, u->owner_login, owner, NULL, err) != 0)
        rc = -1;
    struct strbuf d = STRBUF_INIT;
    json_field(&d, "status", u->status);
    json_field(&d, "root_cause", u->root_cause);
    json_field(&d, "workaround", u->workaround);
    json_field(&d, "permanent_measure", u->permanent_measure);
    json_field(&d, "prevention_status", u->prevention_status);
    json_field(&d, "prevention_due", u->prevention_due);
    json_field(&d, "owner", u->owner_login);
    if (rc == 0 && d.len == 0 && !(u->note && *u->note)) {
        set_err(err, _("nothing to change"));
        rc = -1;
    }
    if (d.len)
        sb_putc(&d, '}');
    int64_t now = time_now_ms();
    if (rc != 0)
        store_rollback(st);
    if (rc == 0) {
        char nts[TIME_ISO_LEN + 1];
        time_format_iso(now, nts);
        sqlite3_stmt *s = store_stmt(
            st, "UPDATE problems SET status = coalesce(?2, status), root_cause = coalesce(?3, "
                "root_cause), workaround = coalesce(?4, workaround), permanent_measure = "
                "coalesce(?5, permanent_measure), prevention_status = coalesce(?6, "
                "prevention_status), prevention_due = coalesce(?7, prevention_due), owner_id = "
                "coalesce(?8, owner_id), updated_at = ?9, hlc = ?10, origin = ?11 WHERE id = ?1");
        bind_text(s, 1, p.id);
        bind_text(s, 2, u->status);
        bind_text(s, 3, u->root_cause);
        bind_text(s, 4, u->workaround);
        bind_text(s, 5, u->permanent_measure);
        bind_text(s, 6, u->prevention_status);
        bind_text(s, 7, u->prevention_due);
        bind_text(s, 8, owner[0] ? owner : NULL);
        bind_text(s, 9, nts);
        bind_int(s, 10, store_hlc_next(st));
        bind_text(s, 11, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("saving a problem"));
        if (rc == 0)
            rc = add_event(st, p.id, u->status ? u->status : "updated", u->note,
                           d.len ? d.buf : NULL, now, err);
        if (rc == 0)
            rc = store_audit(st, "problem.update", "problems", p.id, d.len ? d.buf : p.ref, err);
        if (rc == 0)
            rc = store_commit(st, err);
        else
            store_rollback(st);
    }
    sb_free(&d);
    problem_clear(&p);
    return rc;
}

int problem_link_incident(struct store *st, const char *problem, const char *incident, char **err)
{
    /* Read and write in one transaction: two consoles never step on each other. */
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    struct problem p;
    if (problem_get(st, problem, &p, err) != 0) {
        store_rollback(st);
        return -1;
    }
    char iid[ID_LEN + 1];
    int rc = incident_resolve(st, incident, iid, err);
    if (rc == 0) {
        sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM links WHERE from_kind = 'problem' AND "
                                         "from_id = ?1 AND to_kind = 'incident' AND to_id = ?2 "
                                         "AND deleted = 0");
        bind_text(s, 1, p.id);
        bind_text(s, 2, iid);
        int got = store_one_row(s, err);
        if (got < 0) {
            rc = -1;
        } else if (got) {
            set_err(err, _("the incident is already linked to %s"), p.ref);
            rc = -1;
        }
        sqlite3_reset(s);
    }
    int64_t now = time_now_ms();
    if (rc != 0)
        store_rollback(st);
    if (rc == 0) {
        char nts[TIME_ISO_LEN + 1];
        time_format_iso(now, nts);
        rc = ledger_add_link(st, "problem", p.id, "incident", iid, NULL, err);
        sqlite3_stmt *s = store_stmt(st, "UPDATE incidents SET problem_id = ?2, updated_at = ?3, "
                                         "hlc = ?4, origin = ?5 WHERE id = ?1");
        bind_text(s, 1, iid);
        bind_text(s, 2, p.id);
        bind_text(s, 3, nts);
        bind_int(s, 4, store_hlc_next(st));
        bind_text(s, 5, st->origin);
        if (rc == 0 && sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("saving an incident"));
        sqlite3_reset(s);
        char *data = xasprintf("{\"incident\":\"%s\"}", iid);
        if (rc == 0)
            rc = add_event(st, p.id, "linked", NULL, data, now, err);
        free(data);
        if (rc == 0) {
            data = xasprintf("{\"problem\":\"%s\"}", p.id);
            s = store_stmt(st, "INSERT INTO incident_events(id, incident_id, kind, note, data, "
                               "operator_id, at, hlc, origin) VALUES(?1, ?2, 'linked', ?3, ?4, "
                               "?5, ?6, ?7, ?8)");
            char eid[ID_LEN + 1];
            id_new_at(eid, now);
            bind_text(s, 1, eid);
            bind_text(s, 2, iid);
            bind_text(s, 3, p.ref);
            bind_text(s, 4, data);
            bind_text(s, 5, st->operator_id);
            bind_text(s, 6, nts);
            bind_int(s, 7, store_hlc_next(st));
            bind_text(s, 8, st->origin);
            if (sqlite3_step(s) != SQLITE_DONE)
                rc = store_fail(st, err, _("recording an incident event"));
            free(data);
        }
        if (rc == 0)
            rc = store_audit(st, "problem.link", "problems", p.id, iid, err);
        if (rc == 0)
            rc = store_commit(st, err);
        else
            store_rollback(st);
    }
    problem_clear(&p);
    return rc;
}

int problem_publish(struct store *st, const char *ref_or_id, const char *keywords,
                    char *out_knowledge_id, char **err)
{
    /* Read and write in one transaction: two consoles never step on each other. */
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    struct problem p;
    if (problem_get(st, ref_or_id, &p, err) != 0) {
        store_rollback(st);
        return -1;
    }
    int rc = 0;
    if (check_workflow(st, &p, "publish", err) != 0) {
        rc = -1;
    } else if (p.knowledge_id) {
        set_err(err, _("%s is already published"), p.ref);
        rc = -1;
    }
    struct strbuf body = STRBUF_INIT;
    if (p.description)
        sb_printf(&body, "%s\n\n", p.description);
    if (p.root_cause)
        sb_printf(&body, "%s\n%s\n\n", _("Root cause:"), p.root_cause);
    if (p.workaround)
        sb_printf(&body, "%s\n%s\n\n", _("Workaround:"), p.workaround);
    if (p.permanent_measure)
        sb_printf(&body, "%s\n%s\n", _("Permanent measure:"), p.permanent_measure);
    int64_t now = time_now_ms();
    char kid[ID_LEN + 1];
    if (rc != 0)
        store_rollback(st);
    if (rc == 0) {
        char nts[TIME_ISO_LEN + 1];
        time_format_iso(now, nts);
        id_new_at(kid, now);
        sqlite3_stmt *s = store_stmt(
            st, "INSERT INTO knowledge(id, problem_id, title, body, keywords, published_at, "
                "published_by, created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, "
                "?6, ?7, ?6, ?6, ?8, ?9)");
        bind_text(s, 1, kid);
        bind_text(s, 2, p.id);
        bind_text(s, 3, p.title);
        bind_text(s, 4, body.len ? body.buf : p.title);
        bind_text(s, 5, keywords && *keywords ? keywords : NULL);
        bind_text(s, 6, nts);
        bind_text(s, 7, st->operator_id);
        bind_int(s, 8, store_hlc_next(st));
        bind_text(s, 9, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("publishing knowledge"));
        char *data = xasprintf("{\"knowledge\":\"%s\"}", kid);
        if (rc == 0)
            rc = add_event(st, p.id, "published", NULL, data, now, err);
        free(data);
        if (rc == 0)
            rc = store_audit(st, "knowledge.publish", "knowledge", kid, p.ref, err);
        if (rc == 0)
            rc = store_commit(st, err);
        else
            store_rollback(st);
    }
    if (rc == 0 && out_knowledge_id)
        snprintf(out_knowledge_id, ID_LEN + 1, "%s", kid);
    sb_free(&body);
    problem_clear(&p);
    return rc;
}
