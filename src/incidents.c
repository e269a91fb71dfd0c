#include "incidents.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "event_text.h"
#include "i18n.h"
#include "json.h"
#include "search.h"
#include "session_play.h"
#include "signin.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"
#include "workflow.h"

const char *const incident_channels[] = {"phone", "mail", "alert", "visit", "rounds", NULL};
const char *const incident_categories[] = {"network",  "server", "software", "security",
                                           "hardware", "other",  NULL};
const char *const incident_steps[] = {
    "isolated", "escalated", "first_response", "second_response", "recovered", "closed", "reopened",
    "note",     "assigned",  "paused",         "resumed",         "notified",  NULL};

struct label {
    const char *key, *ctx_id;
};

static const char *find_label(const struct label *l, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (streq(k, l[i].key))
            return ledger_label(l[i].ctx_id);
    return k ? k : "";
}

const char *incident_channel_name(const char *k)
{
    static const struct label l[] = {
        {"phone", P_("channel", "phone")},   {"mail", P_("channel", "mail")},
        {"alert", P_("channel", "alert")},   {"visit", P_("channel", "visit")},
        {"rounds", P_("channel", "rounds")},
    };
    return find_label(l, ARRAY_LEN(l), k);
}

const char *incident_category_name(const char *k)
{
    static const struct label l[] = {
        {"network", P_("category", "network")},   {"server", P_("category", "server")},
        {"software", P_("category", "software")}, {"security", P_("category", "security")},
        {"hardware", P_("category", "hardware")}, {"other", P_("category", "other")},
    };
    return find_label(l, ARRAY_LEN(l), k);
}

const char *incident_status_name(const char *k)
{
    static const struct label l[] = {
        {"draft", P_("incident", "draft")},
        {"received", P_("incident", "received")},
        {"isolated", P_("incident", "isolated")},
        {"escalated", P_("incident", "escalated")},
        {"first_response", P_("incident", "first response")},
        {"second_response", P_("incident", "second response")},
        {"recovered", P_("incident", "recovered")},
        {"closed", P_("incident", "closed")},
        {"reopened", P_("incident", "reopened")},
        {"note", P_("incident", "note")},
        {"assigned", P_("incident", "assigned")},
        {"paused", P_("incident", "paused")},
        {"resumed", P_("incident", "resumed")},
        {"notified", P_("incident", "notified")},
        {"sla_breached", P_("incident", "SLA breached")},
        {"linked", P_("incident", "linked")},
        {"converted", P_("incident", "converted")},
    };
    return find_label(l, ARRAY_LEN(l), k);
}

static const char *event_value(const char *key, const char *value)
{
    if (streq(key, "step"))
        for (int s = 0; s < SLA_NSTEPS; s++)
            if (streq(value, sla_step_key((enum sla_step)s)))
                return sla_step_name((enum sla_step)s);
    if (streq(key, "from") || streq(key, "to"))
        return incident_status_name(value);
    return NULL;
}

char *incident_event_text(struct store *st, const char *data)
{
    return event_describe(st, data, event_value);
}

/* ---- reading ---- */
void incident_clear(struct incident *inc)
{
    free(inc->library_code);
    free(inc->library_name);
    free(inc->channel);
    free(inc->reporter);
    free(inc->title);
    free(inc->description);
    free(inc->category);
    free(inc->status);
    free(inc->assignee_login);
    free(inc->assignee_name);
    free(inc->problem_id);
    free(inc->inquiry_id);
    free(inc->notified_to);
    free(inc->created_by_login);
    memset(inc, 0, sizeof *inc);
}

int incident_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err)
{
    if (!ref_or_id || !*ref_or_id) {
        set_err(err, _("say which incident (INC-YYYYMMDD-xxxx or its id)"));
        return -1;
    }
    int n = ledger_find(
        store_stmt(st, "SELECT id FROM incidents WHERE id = ?1 AND deleted = 0"),
        store_stmt(st, "SELECT id FROM incidents WHERE ref = ?1 AND deleted = 0 LIMIT 2"),
        ref_or_id, id, err);
    if (n < 0)
        return -1;
    if (n == 1)
        return 0;
    if (n == 0)
        set_err(err, _("no incident %s"), ref_or_id);
    else
        set_err(err, _("%s names more than one incident; use the id (unyo incident list --json)"),
                ref_or_id);
    return -1;
}

#define INCIDENT_COLS                                                                              \
    "i.id, i.ref, l.code, CASE WHEN ?9 = 'ja' THEN l.name_ja ELSE l.name_en END, i.channel, "      \
    "i.reporter, i.title, i.description, i.category, i.impact, i.urgency, i.priority, i.status, "  \
    "o.login, o.name, i.problem_id, i.inquiry_id, i.received_at, i.acknowledged_at, "              \
    "i.first_response_at, i.recovered_at, i.closed_at, i.sla_paused_since, "                       \
    "i.sla_paused_seconds, i.notified_at, i.notified_to, i.sla_breaches, c.login "
#define INCIDENT_FROM                                                                              \
    "FROM incidents i LEFT JOIN libraries l ON l.id = i.library_id LEFT JOIN operators o ON "      \
    "o.id = i.assignee_id LEFT JOIN operators c ON c.id = i.created_by "

static void read_row(sqlite3_stmt *s, struct incident *inc)
{
    memset(inc, 0, sizeof *inc);
    snprintf(inc->id, sizeof inc->id, "%s", col_text(s, 0));
    snprintf(inc->ref, sizeof inc->ref, "%s", col_text(s, 1) ? col_text(s, 1) : "");
    inc->library_code = col_dup(s, 2);
    inc->library_name = col_dup(s, 3);
    inc->channel = col_dup(s, 4);
    inc->reporter = col_dup(s, 5);
    inc->title = col_dup(s, 6);
    inc->description = col_dup(s, 7);
    inc->category = col_dup(s, 8);
    inc->impact = sqlite3_column_int(s, 9);
    inc->urgency = sqlite3_column_int(s, 10);
    snprintf(inc->priority, sizeof inc->priority, "%s", col_text(s, 11) ? col_text(s, 11) : "");
    inc->status = col_dup(s, 12);
    inc->assignee_login = col_dup(s, 13);
    inc->assignee_name = col_dup(s, 14);
    inc->problem_id = col_dup(s, 15);
    inc->inquiry_id = col_dup(s, 16);
    inc->received = ledger_ms(col_text(s, 17));
    inc->acknowledged = ledger_ms(col_text(s, 18));
    inc->first_response = ledger_ms(col_text(s, 19));
    inc->recovered = ledger_ms(col_text(s, 20));
    inc->closed = ledger_ms(col_text(s, 21));
    inc->paused_since = ledger_ms(col_text(s, 22));
    inc->paused_seconds = sqlite3_column_int64(s, 23);
    inc->notified = ledger_ms(col_text(s, 24));
    inc->notified_to = col_dup(s, 25);
    inc->breaches = sqlite3_column_int(s, 26);
    inc->created_by_login = col_dup(s, 27);
}

static int load_pauses(struct store *st, const char *id, struct sla_pause **out, size_t *n,
                       char **err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT kind, at FROM incident_events WHERE incident_id = ?1 "
                                     "AND kind IN ('paused', 'resumed') ORDER BY at, hlc");
    bind_text(s, 1, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t at = ledger_ms(col_text(s, 1)) / 1000;
        if (streq(col_text(s, 0), "paused")) {
            *out = xrealloc(*out, (*n + 1) * sizeof **out);
            (*out)[*n].from = at;
            (*out)[*n].to = 0;
            (*n)++;
        } else if (*n > 0 && (*out)[*n - 1].to == 0) {
            (*out)[*n - 1].to = at;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return store_fail(st, err, _("reading incident events"));
    }
    return 0;
}

int incident_sla(struct store *st, const struct sla *sla, struct incident *inc, int64_t now,
                 char **err)
{
    memset(&inc->sla, 0, sizeof inc->sla);
    if (streq(inc->status, "draft") || !sla)
        return 0;
    struct sla_pause *p = NULL;
    size_t np = 0;
    if ((inc->paused_seconds > 0 || inc->paused_since) &&
        load_pauses(st, inc->id, &p, &np, err) != 0)
        return -1;
    struct sla_clock c = {
        .priority = inc->priority,
        .received = inc->received / 1000,
        .done = {inc->acknowledged / 1000, inc->first_response / 1000, inc->recovered / 1000},
        .pauses = p,
        .npauses = np};
    /* A recovered incident needs no more acknowledgement or first response:
     * their clocks stop at recovery (met or missed by then). */
    for (int s = 0; s < SLA_NSTEPS; s++)
        if (!c.done[s] && inc->recovered)
            c.done[s] = inc->recovered / 1000;
    sla_compute(sla, &c, now / 1000, &inc->sla);
    free(p);
    return 0;
}

int incident_get(struct store *st, const struct sla *sla, const char *ref_or_id, int64_t now,
                 struct incident *out, char **err)
{
    char id[ID_LEN + 1];
    memset(out, 0, sizeof *out);
    if (incident_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT " INCIDENT_COLS INCIDENT_FROM "WHERE i.id = ?1");
    bind_text(s, 1, id);
    bind_text(s, 9, i18n_lang());
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return store_fail(st, err, _("reading an incident"));
    }
    read_row(s, out);
    sqlite3_reset(s);
    if (incident_sla(st, sla, out, now, err) != 0) {
        incident_clear(out);
        return -1;
    }
    return 0;
}

void incident_sla_columns(const struct incident *inc, char due[SLA_NSTEPS][TIME_ISO_LEN + 1],
                          const char *v[2 * SLA_NSTEPS])
{
    for (int k = 0; k < SLA_NSTEPS; k++) {
        const struct sla_step_status *r = &inc->sla.step[k];
        int has = r->state != SLA_NONE && r->due > 0 && r->due < INT64_MAX / 1000;
        v[2 * k] = has ? ledger_iso(r->due * 1000, due[k]) : NULL;
        v[2 * k + 1] = r->state == SLA_MET ? "met" : r->state == SLA_MISSED ? "missed" : NULL;
    }
}

/* Binds the SLA columns at ?first .. ?first+5. */
static void bind_sla_columns(sqlite3_stmt *s, int first, const struct incident *inc,
                             char b[SLA_NSTEPS][TIME_ISO_LEN + 1])
{
    const char *v[2 * SLA_NSTEPS];
    incident_sla_columns(inc, b, v);
    for (int i = 0; i < 2 * SLA_NSTEPS; i++)
        bind_text(s, first + i, v[i]);
}

/* The SLA columns alone, for a row just inserted (the same transaction): the
 * row's clock is not moved again. */
static int save_sla_columns(struct store *st, const struct incident *inc, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "UPDATE incidents SET sla_ack_due = ?2, sla_ack_result = ?3, "
                       "sla_first_due = ?4, sla_first_result = ?5, sla_recovery_due = ?6, "
                       "sla_recovery_result = ?7 WHERE id = ?1");
    char b[SLA_NSTEPS][TIME_ISO_LEN + 1];
    bind_text(s, 1, inc->id);
    bind_sla_columns(s, 2, inc, b);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("saving an incident"));
    return 0;
}

/* Computes and stores the SLA columns of incident id as it now stands. */
static int refresh_sla_columns(struct store *st, const struct sla *sla, const char *id, char **err)
{
    struct incident inc;
    if (incident_get(st, sla, id, time_now_ms(), &inc, err) != 0)
        return -1;
    int rc = save_sla_columns(st, &inc, err);
    incident_clear(&inc);
    return rc;
}

int incident_sla_fill(struct store *st, const struct sla *sla, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT id FROM incidents WHERE deleted = 0 AND status <> 'draft' AND sla_ack_due "
            "IS NULL AND sla_ack_result IS NULL AND sla_recovery_result IS NULL");
    char(*ids)[ID_LEN + 1] = NULL;
    size_t n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        ids = xrealloc(ids, (n + 1) * sizeof *ids);
        snprintf(ids[n++], ID_LEN + 1, "%s", col_text(s, 0));
    }
    sqlite3_reset(s);
    int rc = step < 0 ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = refresh_sla_columns(st, sla, ids[i], err);
    free(ids);
    return rc;
}

int incident_events(struct store *st, const char *id, struct ledger_event **out, size_t *n,
                    char **err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT e.kind, e.note, o.login, e.at, e.data, o.name FROM incident_events e "
            "LEFT JOIN operators o ON o.id = e.operator_id WHERE e.incident_id = ?1 "
            "ORDER BY e.at, e.hlc");
    bind_text(s, 1, id);
    return ledger_events_read(s, out, n, err);
}

int incident_links(struct store *st, const char *id, struct ledger_link **out, size_t *n,
                   char **err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT k, x, note, CASE k WHEN 'host' THEN (SELECT name FROM hosts WHERE id = x) "
            "WHEN 'problem' THEN (SELECT ref || ' ' || title FROM problems WHERE id = x) "
            "WHEN 'inquiry' THEN (SELECT ref || ' ' || title FROM inquiries WHERE id = x) "
            "WHEN 'incident' THEN (SELECT ref || ' ' || title FROM incidents WHERE id = x) "
            "ELSE x END FROM (SELECT to_kind AS k, to_id AS x, note, created_at FROM links "
            "WHERE from_kind = 'incident' AND from_id = ?1 AND deleted = 0 UNION ALL "
            "SELECT from_kind, from_id, note, created_at FROM links WHERE to_kind = 'incident' "
            "AND to_id = ?1 AND deleted = 0) ORDER BY created_at");
    bind_text(s, 1, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct ledger_link *l = &(*out)[(*n)++];
        l->kind = col_dup(s, 0);
        l->id = col_dup(s, 1);
        l->note = col_dup(s, 2);
        l->label = col_dup(s, 3);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        ledger_links_free(*out, *n);
        *out = NULL;
        *n = 0;
        return store_fail(st, err, _("reading links"));
    }
    /* A console session is named by its host and times, not its id. */
    for (size_t i = 0; i < *n; i++) {
        struct ledger_link *l = &(*out)[i];
        char *label = NULL;
        if (l->kind && streq(l->kind, "ssh_session") && l->id &&
            session_label(st, l->id, &label, err) != 0) {
            ledger_links_free(*out, *n);
            *out = NULL;
            *n = 0;
            return -1;
        }
        if (label) {
            free(l->label);
            l->label = label;
        }
    }
    return 0;
}

/* ---- writing ---- */
static int add_event(struct store *st, const char *incident_id, const char *kind, const char *note,
                     const char *data, int64_t at, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO incident_events(id, incident_id, kind, note, data, operator_id, at, hlc, "
            "origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (ledger_insert_event(st, s, incident_id, kind, note, data, at) != 0)
        return store_fail(st, err, _("recording an incident event"));
    return 0;
}

/* 1 or 0, or -1 with *err set when it cannot be read. */
static int ref_taken(struct store *st, const char *ref, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM incidents WHERE ref = ?1");
    bind_text(s, 1, ref);
    int taken = store_one_row(s, err);
    sqlite3_reset(s);
    return taken;
}

int incident_create_in_tx(struct store *st, const struct sla *sla, const struct incident_new *in,
                          char *out_id, char *out_ref, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char lib[ID_LEN + 1], prio[4];
    if (ledger_library(st, in->library, lib, err) != 0)
        return -1;
    if (!ledger_key_valid(incident_channels, in->channel)) {
        char *k = ledger_key_list(incident_channels);
        set_err(err, _("unknown channel \"%s\" (expected %s)"), in->channel ? in->channel : "", k);
        free(k);
        return -1;
    }
    const char *category = in->category ? in->category : "other";
    if (!ledger_key_valid(incident_categories, category)) {
        char *k = ledger_key_list(incident_categories);
        set_err(err, _("unknown category \"%s\" (expected %s)"), category, k);
        free(k);
        return -1;
    }
    if (!in->title || !*in->title) {
        set_err(err, _("an incident needs a title"));
        return -1;
    }
    if (sla_priority(sla, in->impact, in->urgency, prio, err) != 0)
        return -1;
    char(*hosts)[ID_LEN + 1] = in->nhosts ? xcalloc(in->nhosts, ID_LEN + 1) : NULL;
    for (size_t i = 0; i < in->nhosts; i++) {
        sqlite3_stmt *s = store_stmt(st, "SELECT id FROM hosts WHERE name = ?1 AND deleted = 0");
        bind_text(s, 1, in->hosts[i]);
        int got = store_one_row(s, err);
        if (got != 1) {
            sqlite3_reset(s);
            if (got == 0)
                set_err(err, _("unknown host \"%s\""), in->hosts[i]);
            free(hosts);
            return -1;
        }
        snprintf(hosts[i], ID_LEN + 1, "%s", col_text(s, 0));
        sqlite3_reset(s);
    }
    int64_t now = time_now_ms();
    int64_t received = in->received > 0 ? in->received : now;
    if (received > now + 60000) {
        set_err(err, _("the time received is in the future"));
        free(hosts);
        return -1;
    }
    char id[ID_LEN + 1], ref[24];
    int taken;
    do {
        id_new_at(id, received);
        ledger_ref("INC", id, received, ref);
    } while ((taken = ref_taken(st, ref, err)) == 1);
    if (taken < 0) {
        free(hosts);
        return -1;
    }
    char rts[TIME_ISO_LEN + 1], nts[TIME_ISO_LEN + 1];
    time_format_iso(received, rts);
    time_format_iso(now, nts);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO incidents(id, ref, library_id, channel, reporter, title, description, "
            "category, impact, urgency, priority, status, inquiry_id, received_at, created_by, "
            "created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17, ?18)");
    bind_text(s, 1, id);
    bind_text(s, 2, ref);
    bind_text(s, 3, lib);
    bind_text(s, 4, in->channel);
    bind_text(s, 5, in->reporter && *in->reporter ? in->reporter : NULL);
    bind_text(s, 6, in->title);
    bind_text(s, 7, in->description && *in->description ? in->description : NULL);
    bind_text(s, 8, category);
    bind_int(s, 9, in->impact);
    bind_int(s, 10, in->urgency);
    bind_text(s, 11, prio);
    bind_text(s, 12, in->draft ? "draft" : "received");
    bind_text(s, 13, in->inquiry_id);
    bind_text(s, 14, rts);
    bind_text(s, 15, st->operator_id);
    bind_text(s, 16, nts);
    bind_int(s, 17, store_hlc_next(st));
    bind_text(s, 18, st->origin);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("saving an incident"));
    for (size_t i = 0; rc == 0 && i < in->nhosts; i++)
        rc = ledger_add_link(st, "incident", id, "host", hosts[i], NULL, err);
    if (rc == 0 && !in->draft)
        rc = add_event(st, id, "received", NULL, NULL, received, err);
    if (rc == 0 && !in->draft)
        rc = refresh_sla_columns(st, sla, id, err);
    if (rc == 0)
        rc = store_audit(st, in->draft ? "incident.draft" : "incident.create", "incidents", id, ref,
                         err);
    free(hosts);
    if (rc != 0)
        return -1;
    if (out_id)
        snprintf(out_id, ID_LEN + 1, "%s", id);
    if (out_ref)
        snprintf(out_ref, 24, "%s", ref);
    return 0;
}

int incident_create(struct store *st, const struct sla *sla, const struct incident_new *in,
                    char *out_id, char *out_ref, char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    if (incident_create_in_tx(st, sla, in, out_id, out_ref, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

/* Writes the cached state of inc back (same transaction as its event). */
static int save_state(struct store *st, const struct incident *inc, const char *assignee_id,
                      int64_t now, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "UPDATE incidents SET status = ?2, assignee_id = coalesce(?3, assignee_id), "
            "acknowledged_at = ?4, first_response_at = ?5, recovered_at = ?6, closed_at = ?7, "
            "sla_paused_since = ?8, sla_paused_seconds = ?9, notified_at = ?10, "
            "notified_to = ?11, sla_breaches = ?12, problem_id = ?13, updated_at = ?14, "
            "hlc = ?15, origin = ?16, sla_ack_due = ?17, sla_ack_result = ?18, "
            "sla_first_due = ?19, sla_first_result = ?20, sla_recovery_due = ?21, "
            "sla_recovery_result = ?22 WHERE id = ?1");
    char b[8][TIME_ISO_LEN + 1], sb[SLA_NSTEPS][TIME_ISO_LEN + 1];
    bind_text(s, 1, inc->id);
    bind_text(s, 2, inc->status);
    bind_text(s, 3, assignee_id);
    bind_text(s, 4, ledger_iso(inc->acknowledged, b[0]));
    bind_text(s, 5, ledger_iso(inc->first_response, b[1]));
    bind_text(s, 6, ledger_iso(inc->recovered, b[2]));
    bind_text(s, 7, ledger_iso(inc->closed, b[3]));
    bind_text(s, 8, ledger_iso(inc->paused_since, b[4]));
    bind_int(s, 9, inc->paused_seconds);
    bind_text(s, 10, ledger_iso(inc->notified, b[5]));
    bind_text(s, 11, inc->notified_to);
    bind_int(s, 12, inc->breaches);
    bind_text(s, 13, inc->problem_id);
    bind_text(s, 14, ledger_iso(now, b[6]));
    bind_int(s, 15, store_hlc_next(st));
    bind_text(s, 16, st->origin);
    /* the SLA columns in the same write: one version, one chain link */
    bind_sla_columns(s, 17, inc, sb);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("saving an incident"));
    return 0;
}

/* Records sla_breached events for steps past target that have none yet. */
static int record_breaches(struct store *st, const struct sla *sla, struct incident *inc,
                           int64_t now, int *found,
                           void (*cb)(void *, const struct incident *, enum sla_step), void *user,
                           char **err)
{
    if (incident_sla(st, sla, inc, now, err) != 0)
        return -1;
    for (int s = 0; s < SLA_NSTEPS; s++) {
        enum sla_state state = inc->sla.step[s].state;
        if ((state != SLA_BREACHED && state != SLA_MISSED) || (inc->breaches & (1 << s)))
            continue;
        struct strbuf d = STRBUF_INIT;
        sb_puts(&d, "{\"step\":");
        json_string(&d, sla_step_key((enum sla_step)s));
        sb_printf(&d, ",\"target_seconds\":%lld,\"elapsed_seconds\":%lld}",
                  (long long)inc->sla.step[s].target, (long long)inc->sla.step[s].elapsed);
        int rc = add_event(st, inc->id, "sla_breached", sla_step_name((enum sla_step)s), d.buf, now,
                           err);
        sb_free(&d);
        if (rc != 0)
            return -1;
        inc->breaches |= 1 << s;
        if (found)
            (*found)++;
        if (cb)
            cb(user, inc, (enum sla_step)s);
    }
    return 0;
}

static int is(const char *status, const char *const *set)
{
    for (; *set; set++)
        if (streq(status, *set))
            return 1;
    return 0;
}

int incident_update_draft(struct store *st, const struct sla *sla, const char *ref_or_id,
                          const struct incident_new *in, char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], lib[ID_LEN + 1], prio[4];
    int rc = incident_resolve(st, ref_or_id, id, err);
    sqlite3_stmt *s = NULL;
    if (rc == 0) {
        s = store_stmt(st, "SELECT status, ref FROM incidents WHERE id = ?1");
        bind_text(s, 1, id);
        int got = store_one_row(s, err);
        if (got < 0) {
            rc = -1;
        } else if (got && !streq(col_text(s, 0), "draft")) {
            set_err(err, _("%s is not a draft (it is %s)"), col_text(s, 1),
                    incident_status_name(col_text(s, 0)));
            rc = -1;
        }
        sqlite3_reset(s);
    }
    const char *category = in->category ? in->category : "other";
    if (rc == 0)
        rc = ledger_library(st, in->library, lib, err);
    if (rc == 0 && !ledger_key_valid(incident_channels, in->channel)) {
        char *k = ledger_key_list(incident_channels);
        set_err(err, _("unknown channel \"%s\" (expected %s)"), in->channel ? in->channel : "", k);
        free(k);
        rc = -1;
    }
    if (rc == 0 && !ledger_key_valid(incident_categories, category)) {
        char *k = ledger_key_list(incident_categories);
        set_err(err, _("unknown category \"%s\" (expected %s)"), category, k);
        free(k);
        rc = -1;
    }
    if (rc == 0 && (!in->title || !*in->title)) {
        set_err(err, _("an incident needs a title"));
        rc = -1;
    }
    if (rc == 0)
        rc = sla_priority(sla, in->impact, in->urgency, prio, err);
    int64_t now = time_now_ms();
    if (rc == 0) {
        char rts[TIME_ISO_LEN + 1], nts[TIME_ISO_LEN + 1];
        time_format_iso(now, nts);
        s = store_stmt(st, "UPDATE incidents SET library_id = ?2, channel = ?3, reporter = ?4, "
                           "title = ?5, description = ?6, category = ?7, impact = ?8, urgency = "
                           "?9, priority = ?10, received_at = coalesce(?11, received_at), "
                           "updated_at = ?12, hlc = ?13, origin = ?14 WHERE id = ?1");
        bind_text(s, 1, id);
        bind_text(s, 2, lib);
        bind_text(s, 3, in->channel);
        bind_text(s, 4, in->reporter && *in->reporter ? in->reporter : NULL);
        bind_text(s, 5, in->title);
        bind_text(s, 6, in->description && *in->description ? in->description : NULL);
        bind_text(s, 7, category);
        bind_int(s, 8, in->impact);
        bind_int(s, 9, in->urgency);
        bind_text(s, 10, prio);
        bind_text(s, 11, ledger_iso(in->received, rts));
        bind_text(s, 12, nts);
        bind_int(s, 13, store_hlc_next(st));
        bind_text(s, 14, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("saving an incident"));
    }
    if (rc == 0)
        rc = store_audit(st, "incident.draft", "incidents", id, in->title, err);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

static const char *const incident_states[] = {
    "draft",           "received",  "isolated", "escalated", "first_response",
    "second_response", "recovered", "closed",   "reopened",  NULL};
static const char *const incident_actions[] = {
    "submit",   "isolated", "escalated", "first_response", "second_response", "recovered", "closed",
    "reopened", "note",     "assigned",  "paused",         "resumed",         "notified",  NULL};

static const char *incident_action_name(const char *k)
{
    return streq(k, "submit") ? _("submit") : incident_status_name(k);
}

/* The incident workflow: the seed's order of steps (the picture in incidents.h).
 * A draft takes notes until it is submitted; a step's other needs (an assignee, a
 * paused clock, ...) are checked in step_in_tx. */
static const struct wf_transition incident_rows[] = {
    {"draft", "submit", "received", 0, 0},
    {"received", "isolated", "isolated", 0, 0},
    {"reopened", "isolated", "isolated", 0, 0},
    {"isolated", "escalated", "escalated", 0, 0},
    {"first_response", "escalated", "escalated", 0, 0},
    {"reopened", "escalated", "escalated", 0, 0},
    {"isolated", "first_response", "first_response", 0, 0},
    {"escalated", "first_response", "first_response", 0, 0},
    {"reopened", "first_response", "first_response", 0, 0},
    {"first_response", "second_response", "second_response", 0, 0},
    {"first_response", "recovered", "recovered", 0, 0},
    {"second_response", "recovered", "recovered", 0, 0},
    {"recovered", "closed", "closed", 0, 0},
    {"recovered", "reopened", "reopened", 0, 0},
    {"closed", "reopened", "reopened", 0, 0},
    {"draft", "note", NULL, 0, 0},
    {"received", "note", NULL, 0, 0},
    {"isolated", "note", NULL, 0, 0},
    {"escalated", "note", NULL, 0, 0},
    {"first_response", "note", NULL, 0, 0},
    {"second_response", "note", NULL, 0, 0},
    {"reopened", "note", NULL, 0, 0},
    {"recovered", "note", NULL, 0, 0},
    {"closed", "note", NULL, 0, 0},
    {"received", "assigned", NULL, 0, 0},
    {"isolated", "assigned", NULL, 0, 0},
    {"escalated", "assigned", NULL, 0, 0},
    {"first_response", "assigned", NULL, 0, 0},
    {"second_response", "assigned", NULL, 0, 0},
    {"reopened", "assigned", NULL, 0, 0},
    {"recovered", "assigned", NULL, 0, 0},
    {"received", "paused", NULL, 0, 0},
    {"isolated", "paused", NULL, 0, 0},
    {"escalated", "paused", NULL, 0, 0},
    {"first_response", "paused", NULL, 0, 0},
    {"second_response", "paused", NULL, 0, 0},
    {"reopened", "paused", NULL, 0, 0},
    {"received", "resumed", NULL, 0, 0},
    {"isolated", "resumed", NULL, 0, 0},
    {"escalated", "resumed", NULL, 0, 0},
    {"first_response", "resumed", NULL, 0, 0},
    {"second_response", "resumed", NULL, 0, 0},
    {"reopened", "resumed", NULL, 0, 0},
    {"recovered", "resumed", NULL, 0, 0},
    {"closed", "resumed", NULL, 0, 0},
    {"recovered", "notified", NULL, 0, 0},
    {"closed", "notified", NULL, 0, 0},
};
static const struct wf_hint incident_hints[] = {
    {"draft", NULL, N_("it is a draft: submit it first (unyo incident submit %s)")},
};
const struct wf_table incident_workflow = {
    N_("incident"),           incident_states,      incident_actions,
    incident_status_name,     incident_action_name, incident_rows,
    ARRAY_LEN(incident_rows), incident_hints,       ARRAY_LEN(incident_hints)};

/* Read, check and write in one BEGIN IMMEDIATE, like the steps: two consoles
 * submitting one draft at once cannot both win. The claim is an UPDATE guarded by
 * status = 'draft' whose change count decides, so even a store whose write lock
 * does not serialise the read still lets exactly one through. */
int incident_submit(struct store *st, const struct sla *sla, const char *ref_or_id, char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    struct incident inc;
    int64_t now = time_now_ms();
    if (incident_get(st, sla, ref_or_id, now, &inc, err) != 0) {
        store_rollback(st);
        return -1;
    }
    struct wf_actor who = workflow_actor(st);
    struct wf_record rec = {inc.ref, NULL, NULL};
    int rc = workflow_check(&incident_workflow, inc.status, "submit", &who, &rec, NULL, err);
    if (rc == 0) {
        char nts[TIME_ISO_LEN + 1];
        time_format_iso(now, nts);
        sqlite3_stmt *s =
            store_stmt(st, "UPDATE incidents SET status = 'received', updated_at = ?2, hlc = ?3, "
                           "origin = ?4 WHERE id = ?1 AND status = 'draft'");
        bind_text(s, 1, inc.id);
        bind_text(s, 2, nts);
        bind_int(s, 3, store_hlc_next(st));
        bind_text(s, 4, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("saving an incident"));
        sqlite3_reset(s);
        if (rc == 0 && sqlite3_changes(st->db) != 1) {
            set_err(err, _("%s is not a draft any more (submitted meanwhile)"), inc.ref);
            rc = -1;
        }
    }
    if (rc == 0) {
        free(inc.status);
        inc.status = xstrdup("received");
        rc = add_event(st, inc.id, "received", NULL, NULL, inc.received, err);
    }
    if (rc == 0)
        rc = record_breaches(st, sla, &inc, now, NULL, NULL, NULL, err);
    if (rc == 0)
        rc = save_state(st, &inc, NULL, now, err);
    if (rc == 0)
        rc = store_audit(st, "incident.submit", "incidents", inc.id, inc.ref, err);
    if (rc == 0)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    incident_clear(&inc);
    return rc;
}

int incident_discard_draft(struct store *st, const char *ref_or_id, char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    struct incident inc;
    if (incident_get(st, NULL, ref_or_id, 0, &inc, err) != 0) {
        store_rollback(st);
        return -1;
    }
    int rc = 0;
    if (!streq(inc.status, "draft")) {
        set_err(err, _("%s is not a draft: only a draft can be discarded"), inc.ref);
        rc = -1;
    }
    if (rc == 0) {
        char nts[TIME_ISO_LEN + 1];
        time_format_iso(time_now_ms(), nts);
        sqlite3_stmt *s =
            store_stmt(st, "UPDATE incidents SET deleted = 1, updated_at = ?2, hlc = ?3, "
                           "origin = ?4 WHERE id = ?1 AND status = 'draft' AND deleted = 0");
        bind_text(s, 1, inc.id);
        bind_text(s, 2, nts);
        bind_int(s, 3, store_hlc_next(st));
        bind_text(s, 4, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("discarding a draft"));
        sqlite3_reset(s);
        if (rc == 0 && sqlite3_changes(st->db) != 1) {
            set_err(err, _("%s is not a draft any more (submitted meanwhile)"), inc.ref);
            rc = -1;
        }
    }
    if (rc == 0)
        rc = store_audit(st, "incident.discard", "incidents", inc.id, inc.ref, err);
    if (rc == 0)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    incident_clear(&inc);
    return rc;
}

/* The step inside the caller's transaction: the state is read and written in
 * the same BEGIN IMMEDIATE, so two consoles never step on each other. */
static int step_in_tx(struct store *st, const struct sla *sla, const char *ref_or_id,
                      const char *step, const struct incident_step_args *a, char **err)
{
    if (!ledger_key_valid(incident_steps, step)) {
        char *k = ledger_key_list(incident_steps);
        set_err(err, _("unknown step \"%s\" (expected %s)"), step ? step : "", k);
        free(k);
        return -1;
    }
    struct incident inc;
    int64_t now = time_now_ms();
    if (incident_get(st, sla, ref_or_id, now, &inc, err) != 0)
        return -1;
    const char *cur = inc.status;
    char assignee_id[ID_LEN + 1] = "";
    char *data = NULL;
    struct wf_actor who = workflow_actor(st);
    struct wf_record rec = {inc.ref, NULL, NULL};
    const char *new_status = NULL;
    int rc = workflow_check(&incident_workflow, cur, step, &who, &rec, &new_status, err);
    if (rc == 0 && streq(new_status, cur))
        new_status = NULL; /* the row keeps the state */
    /* What the step needs beyond its state. */
    const char *refused = NULL;
    if (rc != 0) {
        /* refused by the workflow */
    } else if (streq(step, "escalated") && !a->assignee) {
        set_err(err, _("escalation needs the engineer it goes to (--assignee LOGIN)"));
        rc = -1;
    } else if (streq(step, "note") && (!a->note || !*a->note)) {
        set_err(err, _("a note needs text (--note TEXT)"));
        rc = -1;
    } else if (streq(step, "assigned") && !a->assignee) {
        set_err(err, _("say whom to assign (--assignee LOGIN)"));
        rc = -1;
    } else if (streq(step, "paused") && inc.paused_since) {
        refused = _("the SLA clock is already paused");
    } else if (streq(step, "paused") && (!a->note || !*a->note)) {
        set_err(err, _("a pause needs its reason (--note \"waiting on the library\")"));
        rc = -1;
    } else if (streq(step, "resumed") && !inc.paused_since) {
        refused = _("the SLA clock is not paused");
    } else if (streq(step, "notified") && (!a->to || !*a->to)) {
        set_err(err, _("say who was told (--to WHOM)"));
        rc = -1;
    }
    if (rc == 0 && refused) {
        set_err(err, _("%s: cannot record %s while the incident is %s: %s"), inc.ref,
                incident_status_name(step), incident_status_name(cur), refused);
        rc = -1;
    }
    if (rc == 0 && a->assignee && (streq(step, "escalated") || streq(step, "assigned"))) {
        char role[16];
        rc = ledger_operator(st, a->assignee, assignee_id, role, err);
        if (rc == 0 && streq(step, "escalated") && !streq(role, "engineer")) {
            set_err(err, _("%s is not an engineer (role %s): escalation goes to an engineer"),
                    a->assignee, role);
            rc = -1;
        }
        if (rc == 0)
            data = json_obj1("assignee", a->assignee);
    }
    if (rc != 0) {
        incident_clear(&inc);
        return -1;
    }

    /* The new cached state. */
    if (new_status) {
        free(inc.status);
        inc.status = xstrdup(new_status);
    }
    if (!inc.acknowledged &&
        is(step, (const char *const[]){"isolated", "escalated", "first_response", NULL}))
        inc.acknowledged = now;
    if (!inc.first_response && is(step, (const char *const[]){"first_response", NULL}))
        inc.first_response = now;
    int resume = streq(step, "resumed") || (streq(step, "recovered") && inc.paused_since);
    int64_t paused_now = 0;
    if (resume && inc.paused_since) {
        paused_now = calendar_service_seconds(sla->cal, inc.paused_since / 1000, now / 1000);
        inc.paused_seconds += paused_now;
        inc.paused_since = 0;
    }
    if (streq(step, "paused"))
        inc.paused_since = now;
    if (streq(step, "recovered"))
        inc.recovered = now;
    if (streq(step, "closed"))
        inc.closed = now;
    if (streq(step, "reopened")) {
        inc.recovered = 0;
        inc.closed = 0;
    }
    if (streq(step, "notified")) {
        inc.notified = now;
        free(inc.notified_to);
        inc.notified_to = xstrdup(a->to);
        data = json_obj1("to", a->to);
    }
    if (streq(step, "resumed")) {
        free(data);
        data = xasprintf("{\"paused_seconds\":%lld}", (long long)paused_now);
    }

    if (resume && !streq(step, "resumed"))
        rc = add_event(st, inc.id, "resumed", NULL, NULL, now, err);
    if (rc == 0)
        rc = add_event(st, inc.id, step, a->note, data, now, err);
    if (rc == 0)
        rc = record_breaches(st, sla, &inc, now, NULL, NULL, NULL, err);
    if (rc == 0)
        rc = save_state(st, &inc, assignee_id[0] ? assignee_id : NULL, now, err);
    if (rc == 0) {
        char *detail = xasprintf("%s %s", inc.ref, step);
        rc = store_audit(st, "incident.step", "incidents", inc.id, detail, err);
        free(detail);
    }
    free(data);
    incident_clear(&inc);
    return rc;
}

int incident_step(struct store *st, const struct sla *sla, const char *ref_or_id, const char *step,
                  const struct incident_step_args *a, char **err)
{
    static const struct incident_step_args none = {0};
    if (store_require_operator(st, err) != 0)
        return -1;
    /* Closing is signed (issue 14): the closer's passphrase, now or lately. */
    if (step && streq(step, "closed") && signin_require_fresh(st, "incident.close", err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    if (step_in_tx(st, sla, ref_or_id, step, a ? a : &none, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

int incident_link(struct store *st, const char *ref_or_id, const char *to_kind, const char *to_id,
                  const char *note, char **err)
{
    char id[ID_LEN + 1];
    if (store_require_operator(st, err) != 0 || incident_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    char *d = json_obj2("kind", to_kind, "id", to_id);
    int rc = ledger_add_link(st, "incident", id, to_kind, to_id, note, err);
    if (rc == 0)
        rc = add_event(st, id, "linked", note, d, time_now_ms(), err);
    if (rc == 0)
        rc = store_audit(st, "incident.link", "incidents", id, d, err);
    free(d);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

/* ---- lists ---- */
static void add_filters(struct strbuf *sql, const struct incident_filter *f)
{
    sb_puts(sql, "i.deleted = 0");
    if (f->status)
        sb_puts(sql, " AND i.status = ?1");
    else if (!f->include_drafts)
        sb_puts(sql, " AND i.status <> 'draft'");
    if (f->priority)
        sb_puts(sql, " AND i.priority = upper(?2)");
    if (f->library)
        sb_puts(sql, " AND i.library_id = (SELECT id FROM libraries WHERE code = ?3 COLLATE "
                     "NOCASE)");
    if (f->category)
        sb_puts(sql, " AND i.category = ?4");
    if (f->assignee)
        sb_puts(sql, " AND i.assignee_id = (SELECT id FROM operators WHERE login = ?5)");
    if (f->inbox)
        sb_puts(sql, " AND i.assignee_id = ?6 AND i.status NOT IN ('recovered', 'closed', "
                     "'draft')");
}

static void bind_filters(sqlite3_stmt *s, struct store *st, const struct incident_filter *f)
{
    bind_text(s, 1, f->status);
    bind_text(s, 2, f->priority);
    bind_text(s, 3, f->library);
    bind_text(s, 4, f->category);
    bind_text(s, 5, f->assignee);
    bind_text(s, 6, f->inbox ? st->operator_id : NULL);
    bind_text(s, 9, i18n_lang());
}

/* Keeps inc when it passes the SLA filter; returns 1 if kept. */
static int take_row(struct store *st, const struct sla *sla, const struct incident_filter *f,
                    int64_t now, sqlite3_stmt *s, struct incident **out, size_t *n, int *skip,
                    char **err)
{
    struct incident inc;
    read_row(s, &inc);
    if (incident_sla(st, sla, &inc, now, err) != 0) {
        incident_clear(&inc);
        return -1;
    }
    if (f->sla && sla_state_simple(inc.sla.overall) != (enum sla_state)f->sla) {
        incident_clear(&inc);
        return 0;
    }
    if (*skip > 0) {
        (*skip)--;
        incident_clear(&inc);
        return 0;
    }
    *out = xrealloc(*out, (*n + 1) * sizeof **out);
    (*out)[(*n)++] = inc;
    return 1;
}

int incident_list(struct store *st, const struct sla *sla, const struct incident_filter *f,
                  int64_t now, struct incident **out, size_t *n, int *partial, char **err)
{
    *out = NULL;
    *n = 0;
    if (partial)
        *partial = 0;
    int limit = f->limit > 0 ? f->limit : 50;
    int skip = f->offset > 0 ? f->offset : 0;
    if (f->inbox && store_require_operator(st, err) != 0)
        return -1;
    if (f->status && !streq(f->status, "draft") && !ledger_key_valid(incident_steps, f->status) &&
        !streq(f->status, "received")) {
        set_err(err, _("unknown status \"%s\""), f->status);
        return -1;
    }
    if (f->priority && !sla_priority_num(f->priority)) {
        set_err(err, _("unknown priority \"%s\" (expected P1, P2, P3 or P4)"), f->priority);
        return -1;
    }
    if (f->category && !ledger_key_valid(incident_categories, f->category)) {
        char *k = ledger_key_list(incident_categories);
        set_err(err, _("unknown category \"%s\" (expected %s)"), f->category, k);
        free(k);
        return -1;
    }
    if (f->library) {
        char lib[ID_LEN + 1];
        if (ledger_library(st, f->library, lib, err) != 0)
            return -1;
    }
    if (f->assignee) {
        char op[ID_LEN + 1];
        if (ledger_operator(st, f->assignee, op, NULL, err) != 0)
            return -1;
    }
    struct strbuf sql = STRBUF_INIT;
    sb_puts(&sql, "SELECT " INCIDENT_COLS INCIDENT_FROM "WHERE ");
    add_filters(&sql, f);
    int rc = 0;
    sqlite3_stmt *s = NULL;
    if (!f->search) {
        sb_puts(&sql, " ORDER BY i.received_at DESC");
        if (!f->sla)
            sb_printf(&sql, " LIMIT %d", limit + skip);
        if (sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL) != SQLITE_OK) {
            sb_free(&sql);
            return store_fail(st, err, _("listing incidents"));
        }
        bind_filters(s, st, f);
        int step = 0;
        while ((int)*n < limit && rc >= 0 && (step = store_next_row(s, err)) == 1)
            rc = take_row(st, sla, f, now, s, out, n, &skip, err);
        if (step < 0)
            rc = -1;
    } else {
        sb_puts(&sql, " AND i.id = ?7");
        if (sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL) != SQLITE_OK) {
            sb_free(&sql);
            return store_fail(st, err, _("listing incidents"));
        }
        struct search_iter *it = search_begin(st, f->search, SEARCH_INCIDENTS, err);
        if (!it) {
            rc = -1;
        } else {
            if (partial)
                *partial = search_partial(it);
            char kind, id[ID_LEN + 1];
            int r;
            while ((int)*n < limit && rc >= 0 && (r = search_next(it, &kind, id, err)) == 1) {
                sqlite3_reset(s);
                bind_filters(s, st, f);
                bind_text(s, 7, id);
                int got = store_one_row(s, err);
                if (got < 0)
                    rc = -1;
                else if (got)
                    rc = take_row(st, sla, f, now, s, out, n, &skip, err);
            }
            if (rc >= 0 && (int)*n < limit && r < 0)
                rc = -1;
            search_end(it);
        }
    }
    sqlite3_finalize(s);
    sb_free(&sql);
    if (rc < 0) {
        incident_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

void incident_list_free(struct incident *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        incident_clear(&rows[i]);
    free(rows);
}

int incident_count_open(struct store *st, long *out, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM incidents WHERE deleted = 0 AND "
                                     "status NOT IN ('draft', 'recovered', 'closed')");
    *out = 0;
    int rc = store_one_row(s, err);
    if (rc == 1)
        *out = (long)sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc < 0 ? -1 : 0;
}

int sla_scan(struct store *st, const struct sla *sla, int64_t now,
             void (*cb)(void *user, const struct incident *inc, enum sla_step step), void *user,
             int *found, char **err)
{
    if (found)
        *found = 0;
    if (store_require_operator(st, err) != 0)
        return -1;
    /* Clocks still running: every incident not yet recovered (plus recovered
     * ones whose acknowledgement or first response was never checked). The
     * bit mask makes a second scan find nothing new. */
    sqlite3_stmt *s =
        store_stmt(st, "SELECT " INCIDENT_COLS INCIDENT_FROM
                       "WHERE i.deleted = 0 AND i.status IN ('received', 'isolated', 'escalated', "
                       "'first_response', 'second_response', 'reopened') AND i.sla_breaches <> 7 "
                       "ORDER BY i.received_at");
    bind_text(s, 9, i18n_lang());
    struct incident *rows = NULL;
    size_t n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        rows = xrealloc(rows, (n + 1) * sizeof *rows);
        read_row(s, &rows[n++]);
    }
    sqlite3_reset(s);
    if (step < 0) {
        incident_list_free(rows, n);
        return -1;
    }
    int rc = store_begin(st, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int before = found ? *found : 0, here = 0;
        rc = record_breaches(st, sla, &rows[i], now, &here, cb, user, err);
        if (found)
            *found = before + here;
        if (rc == 0 && here) {
            rc = save_state(st, &rows[i], NULL, now, err);
            if (rc == 0)
                rc = store_audit(st, "incident.sla_breached", "incidents", rows[i].id, rows[i].ref,
                                 err);
        }
    }
    if (rc == 0)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    incident_list_free(rows, n);
    return rc;
}
