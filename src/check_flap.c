/* Flapping and recovery of check problems (check_flap.h). */
#include "check_flap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "config.h"
#include "i18n.h"
#include "incidents.h"
#include "ledger.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

double check_flap_percent(const int *states, size_t n)
{
    if (n < 2)
        return 0.0;
    size_t from = n > CHECK_FLAP_WINDOW ? n - CHECK_FLAP_WINDOW : 0;
    /* The newest pair is change k = 20; with fewer results the older ks are empty. */
    double sum = 0.0;
    for (size_t i = n - 1; i > from; i--) {
        int k = (int)(CHECK_FLAP_WINDOW - 1) - (int)(n - 1 - i);
        if (states[i] != states[i - 1])
            sum += 0.8 + 0.4 * (double)(k - 1) / (double)(CHECK_FLAP_WINDOW - 2);
    }
    return 100.0 * sum / (double)(CHECK_FLAP_WINDOW - 1);
}

void check_flap_walk(const int *states, size_t n, double high, double low, struct check_flap *out)
{
    memset(out, 0, sizeof *out);
    out->results = n;
    int flapping = 0;
    for (size_t i = 0; i < n; i++) {
        double pct = check_flap_percent(states, i + 1);
        out->was_flapping = flapping;
        if (!flapping && pct > high)
            flapping = 1;
        else if (flapping && pct < low)
            flapping = 0;
        out->pct = pct;
    }
    out->flapping = flapping;
}

static int threshold(const char *key, double def, double *out, char **err)
{
    const char *v = config_value("checks", key);
    *out = def;
    if (!v)
        return 0;
    char *end = NULL;
    double d = strtod(v, &end);
    while (end && (*end == ' ' || *end == '%'))
        end++;
    if (end == v || !end || *end || !(d >= 0.0 && d <= 100.0)) {
        set_err(err, _("config.ini [checks] %s: not a percentage from 0 to 100: %s"), key, v);
        return -1;
    }
    *out = d;
    return 0;
}

int check_flap_thresholds(double *high, double *low, char **err)
{
    if (threshold("flap_high", CHECK_FLAP_HIGH, high, err) != 0 ||
        threshold("flap_low", CHECK_FLAP_LOW, low, err) != 0)
        return -1;
    if (*low > *high) {
        set_err(err, _("config.ini [checks]: flap_low (%g) is above flap_high (%g)"), *low, *high);
        return -1;
    }
    return 0;
}

/* The latest results of host x check, oldest first (1 OK, 0 NG or anything else),
 * with the id of the newest NG among them. */
static int history(struct store *st, const char *host_id, const char *check_id, size_t limit,
                   int *states, size_t *n, char last_ng[ID_LEN + 1], char **err)
{
    *n = 0;
    if (last_ng)
        last_ng[0] = '\0';
    char *note = xasprintf("check=%s", check_id);
    sqlite3_stmt *s =
        store_stmt(st, "SELECT id, status FROM checklist_events WHERE host_id = ?1 AND note = ?2 "
                       "AND source = 'check' ORDER BY hlc DESC, id DESC LIMIT ?3");
    bind_text(s, 1, host_id);
    bind_text(s, 2, note);
    bind_int(s, 3, (int64_t)limit);
    int rc;
    int rev[CHECK_FLAP_HISTORY];
    while ((rc = store_next_row(s, err)) == 1 && *n < limit && *n < CHECK_FLAP_HISTORY) {
        int ok = streq(col_text(s, 1), "ok");
        if (!ok && last_ng && !last_ng[0])
            snprintf(last_ng, ID_LEN + 1, "%s", col_text(s, 0) ? col_text(s, 0) : "");
        rev[(*n)++] = ok;
    }
    sqlite3_reset(s);
    free(note);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < *n; i++)
        states[i] = rev[*n - 1 - i];
    return 0;
}

/* The walk over host x check's latest results (states, n: what was read). Most
 * checks are steady: the last 21 results are read first, and when they are all
 * the same (0 %, below any low threshold above 0) the check does not flap and
 * nothing older matters; else the last CHECK_FLAP_HISTORY are walked. */
static int walk(struct store *st, const char *host_id, const char *check_id, double high,
                double low, int *states, size_t *n, char last_ng[ID_LEN + 1],
                struct check_flap *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (history(st, host_id, check_id, CHECK_FLAP_WINDOW, states, n, last_ng, err) != 0)
        return -1;
    int steady = 1;
    for (size_t i = 1; i < *n; i++)
        steady &= states[i] == states[0];
    if (steady && low > 0.0 && *n == CHECK_FLAP_WINDOW) {
        out->results = *n;
        return 0;
    }
    if (*n == CHECK_FLAP_WINDOW &&
        history(st, host_id, check_id, CHECK_FLAP_HISTORY, states, n, last_ng, err) != 0)
        return -1;
    check_flap_walk(states, *n, high, low, out);
    return 0;
}

int check_flap_state(struct store *st, const char *host_id, const char *check_id,
                     struct check_flap *out, char **err)
{
    memset(out, 0, sizeof *out);
    double high, low;
    int states[CHECK_FLAP_HISTORY];
    size_t n;
    if (check_flap_thresholds(&high, &low, err) != 0)
        return -1;
    return walk(st, host_id, check_id, high, low, states, &n, NULL, out, err);
}

struct open_inc {
    char id[ID_LEN + 1];
    char ref[24];
};
#define MAX_OPEN 8

/* The open incidents (drafts included) linked to an NG of host x check, newest first. */
static int open_incidents(struct store *st, const char *host_id, const char *check_id,
                          struct open_inc *out, size_t *n, char **err)
{
    *n = 0;
    char *note = xasprintf("check=%s", check_id);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT DISTINCT i.id, i.ref, i.created_at FROM checklist_events p "
            "JOIN links l ON l.from_kind = 'checklist_event' AND l.from_id = p.id "
            "AND l.to_kind = 'incident' AND l.deleted = 0 "
            "JOIN incidents i ON i.id = l.to_id AND i.deleted = 0 "
            "AND i.status NOT IN ('recovered', 'closed') "
            "WHERE p.host_id = ?1 AND p.note = ?2 AND p.source = 'check' AND p.status = 'ng' "
            "ORDER BY i.created_at DESC, i.id DESC");
    bind_text(s, 1, host_id);
    bind_text(s, 2, note);
    int rc;
    while ((rc = store_next_row(s, err)) == 1)
        if (*n < MAX_OPEN) {
            snprintf(out[*n].id, sizeof out[*n].id, "%s", col_text(s, 0));
            snprintf(out[*n].ref, sizeof out[*n].ref, "%s", col_text(s, 1));
            (*n)++;
        }
    sqlite3_reset(s);
    free(note);
    return rc < 0 ? -1 : 0;
}

/* A note on an incident's timeline about a check result (the event in data). */
static int add_note(struct store *st, const char *incident_id, const char *event_id,
                    const char *text, char **err)
{
    char *data = xasprintf("{\"kind\":\"checklist_event\",\"id\":\"%s\"}", event_id);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO incident_events(id, incident_id, kind, note, data, operator_id, at, "
            "hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    int rc = 0;
    if (ledger_insert_event(st, s, incident_id, "note", text, data, time_now_ms()) != 0)
        rc = store_fail(st, err, _("recording an incident event"));
    sqlite3_reset(s);
    if (rc == 0)
        rc = store_audit(st, "check.note", "incidents", incident_id, data, err);
    free(data);
    return rc;
}

/* The flapping's own draft: titled so, described as the latest NG's, linked to it
 * (so the NGs that follow join it as any NG joins its problem's open incident). */
static int flap_draft(struct store *st, const char *ng_event, const char *line,
                      struct open_inc *out, char **err)
{
    struct checklist_draft d = {0};
    if (checklist_ng_draft(st, ng_event, &d, err) != 0)
        return -1;
    char *why = NULL;
    struct sla *sla = sla_load(NULL, NULL, &why);
    if (!sla) {
        checklist_draft_free(&d);
        set_err(err, "%s", why ? why : "?");
        free(why);
        return -1;
    }
    char library[64] = "", host[256] = "";
    sqlite3_stmt *s = store_stmt(st, "SELECT code FROM libraries WHERE deleted = 0 ORDER BY "
                                     "kind = 'datacenter' DESC, kind = 'central' DESC, code "
                                     "LIMIT 1");
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(library, sizeof library, "%s", col_text(s, 0));
    sqlite3_reset(s);
    if (d.host_id[0]) {
        s = store_stmt(st, "SELECT name FROM hosts WHERE id = ?1");
        bind_text(s, 1, d.host_id);
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(host, sizeof host, "%s", col_text(s, 0));
        sqlite3_reset(s);
    }
    char *title = xasprintf(_("Flapping: %s"), d.title);
    char *desc = xasprintf("%s\n%s", line, d.description ? d.description : "");
    const char *hosts[1] = {host};
    struct incident_new in = {0};
    in.library = library;
    in.channel = "rounds";
    in.title = title;
    in.description = desc;
    in.category = d.category;
    in.impact = 2;
    in.urgency = 2;
    in.hosts = host[0] ? hosts : NULL;
    in.nhosts = host[0] ? 1 : 0;
    in.draft = 1;
    char link_id[ID_LEN + 1];
    int rc = incident_create_in_tx(st, sla, &in, out->id, out->ref, err);
    if (rc == 0)
        rc = ledger_add_link_id(st, "checklist_event", ng_event, "incident", out->id, NULL, link_id,
                                err);
    if (rc == 0) {
        char *detail = xasprintf("checklist_event=%s incident=%s flapping", ng_event, out->ref);
        rc = store_audit(st, "check.flap", "links", link_id, detail, err);
        free(detail);
    }
    free(title);
    free(desc);
    sla_free(sla);
    free(why);
    checklist_draft_free(&d);
    return rc;
}

/* "12" or "97.5": integers whole, else up to 6 significant digits. */
static void format_value(double v, char *buf, size_t size)
{
    if (fabs(v) < 1e15 && v == (double)(long long)v)
        snprintf(buf, size, "%lld", (long long)v);
    else
        snprintf(buf, size, "%.6g", v);
}

/* The note of a recovery: when (JST) and the value, else the result's summary. */
static char *recovery_text(struct store *st, const char *event_id, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT at, value, unit, reason FROM checklist_events WHERE id = ?1");
    bind_text(s, 1, event_id);
    int rc = store_one_row(s, err);
    if (rc != 1) {
        sqlite3_reset(s);
        if (rc == 0)
            set_err(err, _("no checklist event %s"), event_id);
        return NULL;
    }
    char when[32] = "?";
    int64_t ms;
    if (col_text(s, 0) && time_parse(col_text(s, 0), &ms) == 0)
        time_format_jst(ms, when, 0);
    char *text;
    if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
        char v[48];
        format_value(sqlite3_column_double(s, 1), v, sizeof v);
        const char *unit = col_text(s, 2) ? col_text(s, 2) : "";
        text = xasprintf(_("Recovered: the check was OK at %s JST, value %s%s%s"), when, v,
                         unit[0] ? " " : "", unit);
    } else {
        const char *r = col_text(s, 3) && *col_text(s, 3) ? col_text(s, 3) : "OK";
        text = xasprintf(_("Recovered: the check was OK at %s JST (%s)"), when, r);
    }
    sqlite3_reset(s);
    return text;
}

int check_flap_settle_in_tx(struct store *st, const char *host_id, const char *check_id,
                            const char *event_id, struct check_flap_outcome *out, char **err)
{
    memset(out, 0, sizeof *out);
    double high, low;
    int states[CHECK_FLAP_HISTORY];
    size_t n;
    char last_ng[ID_LEN + 1];
    struct check_flap f;
    if (check_flap_thresholds(&high, &low, err) != 0 ||
        walk(st, host_id, check_id, high, low, states, &n, last_ng, &f, err) != 0)
        return -1;
    if (n == 0)
        return 0;
    out->flapping = f.flapping;
    out->pct = f.pct;
    int ok = states[n - 1];
    struct open_inc inc[MAX_OPEN];
    size_t ninc = 0;

    if (f.flapping && !f.was_flapping) {
        /* Flapping starts: one incident stands for it. */
        if (open_incidents(st, host_id, check_id, inc, &ninc, err) != 0)
            return -1;
        char *line = xasprintf(_("Flapping: the state changed in %.0f%% of the last %d results "
                                 "(starts above %g%%, stops below %g%%)."),
                               f.pct, CHECK_FLAP_WINDOW, high, low);
        int rc = 0;
        if (ninc) {
            rc = add_note(st, inc[0].id, event_id, line, err);
            snprintf(out->incident_ref, sizeof out->incident_ref, "%s", inc[0].ref);
            /* an NG joins it through the caller's usual path (not held) */
        } else if (last_ng[0]) {
            struct open_inc made;
            char *e = NULL;
            if (store_exec(st, "SAVEPOINT check_flap", err) != 0) {
                free(line);
                return -1;
            }
            if (flap_draft(st, last_ng, line, &made, &e) == 0) {
                rc = store_exec(st, "RELEASE check_flap", err);
                snprintf(out->incident_ref, sizeof out->incident_ref, "%s", made.ref);
                out->incident_created = 1;
                out->held = !ok;
            } else {
                /* no draft for the flapping (no library, a bad sla.ini): the NG
                 * takes the usual path, which says why */
                free(e);
                if (store_exec(st, "ROLLBACK TO check_flap", err) != 0 ||
                    store_exec(st, "RELEASE check_flap", err) != 0)
                    rc = -1;
            }
        }
        free(line);
        return rc;
    }
    if (f.flapping) {
        /* While it flaps an NG opens no new draft; it joins an open incident. */
        if (!ok) {
            if (open_incidents(st, host_id, check_id, inc, &ninc, err) != 0)
                return -1;
            out->held = ninc == 0;
        }
        return 0;
    }
    if (ok && n >= 2 && !states[n - 2]) {
        /* Recovered: every open incident of the problem is told, none is closed. */
        if (open_incidents(st, host_id, check_id, inc, &ninc, err) != 0)
            return -1;
        if (!ninc)
            return 0;
        char *text = recovery_text(st, event_id, err);
        if (!text)
            return -1;
        for (size_t i = 0; i < ninc; i++)
            if (add_note(st, inc[i].id, event_id, text, err) != 0) {
                free(text);
                return -1;
            }
        free(text);
        snprintf(out->recovered_ref, sizeof out->recovered_ref, "%s", inc[0].ref);
    }
    return 0;
}
