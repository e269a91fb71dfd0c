/* Acknowledgements of check problems: see check_ack.h. */
#include "check_ack.h"

#include <stdlib.h>
#include <string.h>

#include "check_flap.h"
#include "check_level.h"
#include "checklist.h"
#include "hosts.h"
#include "i18n.h"
#include "shifts.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static const char *const kind_keys[] = {"time", "shift", "worse", "recovery"};

const char *check_ack_kind_key(enum check_ack_kind k)
{
    return (unsigned)k < ARRAY_LEN(kind_keys) ? kind_keys[k] : "recovery";
}

void check_ack_info_clear(struct check_ack_info *a)
{
    free(a->kind);
    free(a->note);
    free(a->until_at);
    free(a->by_login);
    free(a->by_name);
    free(a->created_at);
    memset(a, 0, sizeof *a);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Columns 0..8 of ACK_COLS into a. */
#define ACK_COLS                                                                                   \
    "a.id, a.kind, a.note, a.until_at, o.login, COALESCE(NULLIF(o.name, ''), o.login), "           \
    "a.created_at, a.until_at IS NOT NULL AND a.until_at <= ?9, "                                  \
    "(SELECT ae.level FROM checklist_events ae WHERE ae.id = a.event_id)"

static void read_ack(sqlite3_stmt *s, int c, struct check_ack_info *a)
{
    snprintf(a->id, sizeof a->id, "%s", col_text(s, c) ? col_text(s, c) : "");
    a->kind = xstrdup(col_text(s, c + 1) ? col_text(s, c + 1) : "recovery");
    a->note = xstrdup(col_text(s, c + 2) ? col_text(s, c + 2) : "");
    a->until_at = dup_or_null(col_text(s, c + 3));
    a->by_login = xstrdup(col_text(s, c + 4) ? col_text(s, c + 4) : "?");
    a->by_name = xstrdup(col_text(s, c + 5) ? col_text(s, c + 5) : a->by_login);
    a->created_at = dup_or_null(col_text(s, c + 6));
    a->expired = sqlite3_column_int(s, c + 7) != 0;
    a->level = check_level_parse(col_text(s, c + 8), "ng");
}

int check_ack_find(struct store *st, const char *host_id, const char *check_id, int64_t now_ms,
                   struct check_ack_info *out, char **err)
{
    if (out)
        memset(out, 0, sizeof *out);
    char now[TIME_ISO_LEN + 1];
    time_format_iso(now_ms, now);
    sqlite3_stmt *s = store_stmt(st, "SELECT " ACK_COLS " FROM check_acks a "
                                     "LEFT JOIN operators o ON o.id = a.created_by "
                                     "WHERE a.host_id = ?1 AND a.check_id = ?2 AND a.ended_at IS "
                                     "NULL AND a.deleted = 0 ORDER BY a.hlc DESC, a.id DESC "
                                     "LIMIT 1");
    bind_text(s, 1, host_id);
    bind_text(s, 2, check_id);
    bind_text(s, 9, now);
    int rc = store_one_row(s, err);
    if (rc == 1 && out)
        read_ack(s, 0, out);
    sqlite3_reset(s);
    return rc;
}

/* Ends every open acknowledgement of host x check (reason), audited as action. */
static int end_open(struct store *st, const char *host_id, const char *check_id, const char *reason,
                    const char *action, int64_t now_ms, int *ended, char **err)
{
    *ended = 0;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(now_ms, now);
    /* The ids first: the audit rows name them. */
    char(*ids)[ID_LEN + 1] = NULL;
    size_t n = 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM check_acks WHERE host_id = ?1 AND "
                                     "check_id = ?2 AND ended_at IS NULL AND deleted = 0");
    bind_text(s, 1, host_id);
    bind_text(s, 2, check_id);
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        ids = xrealloc(ids, (n + 1) * sizeof *ids);
        snprintf(ids[n++], ID_LEN + 1, "%s", col_text(s, 0));
    }
    sqlite3_reset(s);
    if (rc < 0) {
        free(ids);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *u = store_stmt(
            st, "UPDATE check_acks SET ended_at = ?2, ended_reason = ?3, ended_by = ?4, "
                "updated_at = ?2, hlc = ?5, origin = ?6 WHERE id = ?1 AND ended_at IS NULL");
        bind_text(u, 1, ids[i]);
        bind_text(u, 2, now);
        bind_text(u, 3, reason);
        bind_text(u, 4, st->operator_id[0] ? st->operator_id : NULL);
        bind_int(u, 5, store_hlc_next(st));
        bind_text(u, 6, st->origin);
        rc = sqlite3_step(u);
        sqlite3_reset(u);
        if (rc != SQLITE_DONE) {
            free(ids);
            return store_fail(st, err, _("recording the acknowledgement"));
        }
        char *detail = xasprintf("host_id=%s check=%s reason=%s", host_id, check_id, reason);
        rc = store_audit(st, action, "check_acks", ids[i], detail, err);
        free(detail);
        if (rc != 0) {
            free(ids);
            return -1;
        }
    }
    free(ids);
    *ended = (int)n;
    return 0;
}

int check_ack_recovered_in_tx(struct store *st, const char *host_id, const char *check_id,
                              int64_t now_ms, char **err)
{
    int ended;
    return end_open(st, host_id, check_id, "recovered", "check.ack.end", now_ms, &ended, err);
}

int check_ack_worse_in_tx(struct store *st, const char *host_id, const char *check_id, int level,
                          int64_t now_ms, int *dropped, char **err)
{
    *dropped = 0;
    if (level != CHECK_LEVEL_CRIT)
        return 0;
    struct check_ack_info a;
    int rc = check_ack_find(st, host_id, check_id, now_ms, &a, err);
    if (rc <= 0)
        return rc;
    int worse = streq(a.kind, "worse") && a.level == CHECK_LEVEL_WARN;
    check_ack_info_clear(&a);
    if (!worse)
        return 0;
    return end_open(st, host_id, check_id, "worse", "check.ack.end", now_ms, dropped, err);
}

/* The latest result of check on the host: 1 with status ("ok"/"ng"/...) and event id,
 * 0 when the check never ran there, -1. */
static int latest_result(struct store *st, const char *host_id, const char *check_id,
                         char status[8], char event_id[ID_LEN + 1], char level[8], char **err)
{
    char *note = xasprintf("check=%s", check_id);
    sqlite3_stmt *s =
        store_stmt(st, "SELECT status, id, level FROM checklist_events WHERE host_id = ?1 "
                       "AND note = ?2 AND source = 'check' ORDER BY hlc DESC, id DESC "
                       "LIMIT 1");
    bind_text(s, 1, host_id);
    bind_text(s, 2, note);
    int rc = store_one_row(s, err);
    if (rc == 1) {
        snprintf(status, 8, "%s", col_text(s, 0));
        snprintf(event_id, ID_LEN + 1, "%s", col_text(s, 1));
        snprintf(level, 8, "%s", col_text(s, 2) ? col_text(s, 2) : "");
    }
    sqlite3_reset(s);
    free(note);
    return rc;
}

static int check_known(struct store *st, const char *check_id, char **err)
{
    char *note = xasprintf("check=%s", check_id);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT 1 FROM checklist_events WHERE note = ?1 AND source = 'check' LIMIT 1");
    bind_text(s, 1, note);
    int rc = store_one_row(s, err);
    sqlite3_reset(s);
    free(note);
    return rc;
}

/* The end of the shift on at now: the shift started last that has not ended, else
 * the configured shift whose hours contain now. 0 or -1 with *err. */
static int shift_end(struct store *st, int64_t now_ms, int64_t *end, char **err)
{
    struct shift_start_info cur;
    int have = shift_current(st, now_ms, &cur, err);
    if (have < 0)
        return -1;
    if (have == 1) {
        *end = cur.ends_ms;
        shift_start_info_free(&cur);
        return 0;
    }
    struct shift_defs defs;
    if (shift_defs_load_default(&defs, err) != 0)
        return -1;
    char *why = NULL;
    const struct shift_def *d = shift_guess(st, &defs, now_ms, &why);
    if (!d) {
        set_err(err, _("no shift is on now (%s): give --until TIME"), why ? why : "");
        free(why);
        shift_defs_free(&defs);
        return -1;
    }
    free(why);
    int64_t day_ms = 86400000LL;
    int64_t jst = now_ms + (int64_t)JST_OFFSET_SECONDS * 1000;
    int64_t day0 = (jst >= 0 ? jst / day_ms : -((-jst + day_ms - 1) / day_ms)) * day_ms;
    int min = (int)((jst - day0) / 60000);
    int64_t e;
    if (d->end_min > d->start_min)
        e = day0 + (int64_t)d->end_min * 60000;
    else if (min >= d->start_min)
        e = day0 + day_ms + (int64_t)d->end_min * 60000;
    else
        e = day0 + (int64_t)d->end_min * 60000;
    *end = e - (int64_t)JST_OFFSET_SECONDS * 1000;
    shift_defs_free(&defs);
    return 0;
}

static int blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

int check_ack(struct store *st, const struct check_ack_req *r, int64_t now_ms, char *out_id,
              char **err)
{
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return -1;
    if (blank(r->note)) {
        set_err(err, _("an acknowledgement needs a note (--note TEXT)"));
        return -1;
    }
    char host_id[ID_LEN + 1];
    int rc = host_id_by_name(st, r->host, host_id, err);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        set_err(err, _("unknown host %s"), r->host);
        return -1;
    }
    int64_t until = 0;
    if (r->kind == CHECK_ACK_TIME) {
        until = r->until_ms;
        if (until <= now_ms) {
            char when[24];
            time_format_jst(until, when, 0);
            set_err(err, _("the acknowledgement would end in the past (%s): give a later time"),
                    when);
            return -1;
        }
    } else if (r->kind == CHECK_ACK_SHIFT) {
        if (shift_end(st, now_ms, &until, err) != 0)
            return -1;
    }
    if (store_begin(st, err) != 0)
        return -1;
    /* Read inside the transaction: a check run committing an OK meanwhile is seen. */
    char status[8], event_id[ID_LEN + 1], levelbuf[8] = "";
    rc = latest_result(st, host_id, r->check, status, event_id, levelbuf, err);
    const char *level = levelbuf[0] ? levelbuf : NULL;
    if (rc == 0) {
        int known = check_known(st, r->check, err);
        if (known < 0)
            goto fail;
        if (known == 0)
            set_err(err, _("unknown check %s (no result of it is recorded)"), r->check);
        else
            set_err(err, _("check %s has no result on %s: it is not a problem there"), r->check,
                    r->host);
        goto fail;
    }
    if (rc < 0)
        goto fail;
    if (!streq(status, "ng")) {
        set_err(err, _("check %s on %s is not a problem now (its latest result is not NG)"),
                r->check, r->host);
        goto fail;
    }
    int replaced;
    if (end_open(st, host_id, r->check, "replaced", "check.ack.end", now_ms, &replaced, err) != 0)
        goto fail;
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1], until_at[TIME_ISO_LEN + 1];
    id_new_at(id, now_ms);
    time_format_iso(now_ms, at);
    if (until)
        time_format_iso(until, until_at);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO check_acks(id, host_id, check_id, note, kind, until_at, event_id, "
            "created_by, created_at, updated_at, hlc, origin) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11)");
    bind_text(s, 1, id);
    bind_text(s, 2, host_id);
    bind_text(s, 3, r->check);
    bind_text(s, 4, r->note);
    bind_text(s, 5, check_ack_kind_key(r->kind));
    bind_text(s, 6, until ? until_at : NULL);
    bind_text(s, 7, event_id);
    bind_text(s, 8, st->operator_id);
    bind_text(s, 9, at);
    bind_int(s, 10, store_hlc_next(st));
    bind_text(s, 11, st->origin);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, err, _("recording the acknowledgement"));
        goto fail;
    }
    char *detail = xasprintf("host=%s check=%s kind=%s level=%s%s%s", r->host, r->check,
                             check_ack_kind_key(r->kind), level ? level : "crit",
                             until ? " until=" : "", until ? until_at : "");
    rc = store_audit(st, "check.ack", "check_acks", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    if (out_id)
        memcpy(out_id, id, ID_LEN + 1);
    return 0;
fail:
    store_rollback(st);
    return -1;
}

int check_unack(struct store *st, const char *host, const char *check, int64_t now_ms, char **err)
{
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return -1;
    char host_id[ID_LEN + 1];
    int rc = host_id_by_name(st, host, host_id, err);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        set_err(err, _("unknown host %s"), host);
        return -1;
    }
    if (store_begin(st, err) != 0)
        return -1;
    int ended;
    if (end_open(st, host_id, check, "unack", "check.unack", now_ms, &ended, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (!ended) {
        store_rollback(st);
        set_err(err, _("check %s on %s is not acknowledged"), check, host);
        return -1;
    }
    if (store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

void check_problems_free(struct check_problems *p)
{
    for (size_t i = 0; i < p->count; i++) {
        struct check_problem *x = &p->items[i];
        free(x->host);
        free(x->check);
        free(x->code);
        free(x->at);
        free(x->unit);
        free(x->reason);
        free(x->unreachable_via);
        check_ack_info_clear(&x->ack);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

/* The latest check result of each host x check is NG; its open acknowledgement. */
static const char sql_problems[] =
    "SELECT h.id, h.name, substr(e.note, 7), t.code, e.at, e.value, e.unit, e.reason, " ACK_COLS
    ", e.unreachable_via, e.level, e.downtime_id IS NOT NULL FROM checklist_events e "
    "JOIN hosts h ON h.id = e.host_id AND h.deleted = 0 "
    "JOIN templates t ON t.id = e.template_id "
    "LEFT JOIN check_acks a ON a.id = (SELECT x.id FROM check_acks x WHERE x.host_id = e.host_id "
    "  AND x.check_id = substr(e.note, 7) AND x.ended_at IS NULL AND x.deleted = 0 "
    "  ORDER BY x.hlc DESC, x.id DESC LIMIT 1) "
    "LEFT JOIN operators o ON o.id = a.created_by "
    "WHERE e.source = 'check' AND e.status = 'ng' AND e.note LIKE 'check=%' "
    "AND (?1 IS NULL OR e.host_id = ?1) "
    "AND NOT EXISTS (SELECT 1 FROM checklist_events l WHERE l.host_id = e.host_id "
    "  AND l.note = e.note AND l.source = 'check' AND (l.hlc > e.hlc OR (l.hlc = e.hlc AND "
    "l.id > e.id))) "
    "ORDER BY h.name, substr(e.note, 7)";

int check_problems_list(struct store *st, const char *host_id, int64_t now_ms,
                        struct check_problems *out, char **err)
{
    memset(out, 0, sizeof *out);
    char now[TIME_ISO_LEN + 1];
    time_format_iso(now_ms, now);
    sqlite3_stmt *s = store_stmt(st, sql_problems);
    bind_text(s, 1, host_id);
    bind_text(s, 9, now);
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        out->items = xrealloc(out->items, (out->count + 1) * sizeof *out->items);
        struct check_problem *p = &out->items[out->count++];
        memset(p, 0, sizeof *p);
        snprintf(p->host_id, sizeof p->host_id, "%s", col_text(s, 0));
        p->host = xstrdup(col_text(s, 1) ? col_text(s, 1) : "");
        p->check = xstrdup(col_text(s, 2) ? col_text(s, 2) : "");
        p->code = xstrdup(col_text(s, 3) ? col_text(s, 3) : "");
        p->at = xstrdup(col_text(s, 4) ? col_text(s, 4) : "");
        p->has_value = sqlite3_column_type(s, 5) != SQLITE_NULL;
        p->value = sqlite3_column_double(s, 5);
        p->unit = dup_or_null(col_text(s, 6));
        p->reason = dup_or_null(col_text(s, 7));
        p->level = check_level_parse(col_text(s, 18), "ng");
        p->acked = sqlite3_column_type(s, 8) != SQLITE_NULL;
        if (p->acked)
            read_ack(s, 8, &p->ack);
        p->unreachable_via = dup_or_null(col_text(s, 17));
        p->in_downtime = sqlite3_column_int(s, 19) != 0;
    }
    sqlite3_reset(s);
    /* Flapping (check_flap.h), from each problem's latest results. */
    for (size_t i = 0; rc == 0 && i < out->count; i++) {
        struct check_flap f;
        if (check_flap_state(st, out->items[i].host_id, out->items[i].check, &f, err) != 0)
            rc = -1;
        out->items[i].flapping = f.flapping;
        out->items[i].flap_pct = f.pct;
    }
    if (rc < 0) {
        check_problems_free(out);
        return -1;
    }
    return 0;
}

enum checklist_ng check_problem_ng(const struct check_problem *p)
{
    return checklist_ng_standing(1, p->in_downtime, p->acked && !p->ack.expired);
}

void check_problems_count(const struct check_problems *p, const char *host_id, size_t *counted,
                          size_t *acked, size_t *in_downtime)
{
    size_t n[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < p->count; i++)
        if (!host_id || streq(p->items[i].host_id, host_id))
            n[check_problem_ng(&p->items[i])]++;
    if (counted)
        *counted = n[CHECKLIST_NG_COUNTED];
    if (acked)
        *acked = n[CHECKLIST_NG_ACKED];
    if (in_downtime)
        *in_downtime = n[CHECKLIST_NG_DOWNTIME];
}

void check_acks_expired_free(struct check_ack_expired *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].host);
        free(v[i].check);
        check_ack_info_clear(&v[i].ack);
    }
    free(v);
}

int check_acks_expired(struct store *st, int64_t from_ms, int64_t to_ms,
                       struct check_ack_expired **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    char from[TIME_ISO_LEN + 1], to[TIME_ISO_LEN + 1];
    time_format_iso(from_ms, from);
    time_format_iso(to_ms, to);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT h.name, a.check_id, " ACK_COLS " FROM check_acks a "
            "JOIN hosts h ON h.id = a.host_id LEFT JOIN operators o ON o.id = a.created_by "
            "WHERE a.deleted = 0 AND a.until_at IS NOT NULL AND a.until_at > ?1 "
            "AND a.until_at <= ?2 AND (a.ended_at IS NULL OR a.ended_at >= a.until_at) "
            "ORDER BY a.until_at, h.name, a.check_id");
    bind_text(s, 1, from);
    bind_text(s, 2, to);
    bind_text(s, 9, to);
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct check_ack_expired *x = &(*out)[(*n)++];
        memset(x, 0, sizeof *x);
        x->host = xstrdup(col_text(s, 0) ? col_text(s, 0) : "");
        x->check = xstrdup(col_text(s, 1) ? col_text(s, 1) : "");
        read_ack(s, 2, &x->ack);
    }
    sqlite3_reset(s);
    if (rc < 0) {
        check_acks_expired_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

char *check_ack_describe(const struct check_ack_info *a)
{
    char when[24] = "";
    int64_t ms;
    if (a->until_at && time_parse(a->until_at, &ms) == 0)
        time_format_jst(ms, when, 0);
    const char *w = when[0] ? when + 5 : ""; /* "12-07 18:00" */
    if (a->until_at && a->expired)
        return xasprintf(_("%s (by %s, expired %s)"), a->note, a->by_name, w);
    if (a->until_at)
        return xasprintf(_("%s (by %s, until %s)"), a->note, a->by_name, w);
    if (streq(a->kind, "worse") && a->level == CHECK_LEVEL_WARN)
        return xasprintf(_("%s (by %s, at WARN, until it is CRIT)"), a->note, a->by_name);
    if (streq(a->kind, "worse"))
        return xasprintf(_("%s (by %s, until it gets worse)"), a->note, a->by_name);
    return xasprintf(_("%s (by %s, until it recovers)"), a->note, a->by_name);
}
