/* Downtimes: see downtime.h. */
#include "downtime.h"

#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void downtime_clear(struct downtime *d)
{
    free(d->host);
    free(d->change_ref);
    free(d->reason);
    free(d->by_login);
    memset(d, 0, sizeof *d);
}

void downtimes_free(struct downtimes *d)
{
    for (size_t i = 0; i < d->count; i++)
        downtime_clear(&d->items[i]);
    free(d->items);
    memset(d, 0, sizeof *d);
}

const char *downtime_mark(void)
{
    return _("[downtime]");
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

static int64_t ms_of(const char *iso)
{
    int64_t ms = 0;
    if (!iso || time_parse(iso, &ms) != 0)
        return 0;
    return ms;
}

static void jst(int64_t ms, char out[24])
{
    time_format_jst(ms, out, 0);
}

int downtime_add(struct store *st, const char *host, int64_t from_ms, int64_t to_ms,
                 const char *reason, int64_t now_ms, char *out_id, char **err)
{
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return -1;
    if (blank(reason)) {
        set_err(err, _("a downtime needs a reason (--reason TEXT)"));
        return -1;
    }
    char host_id[ID_LEN + 1];
    int rc = host_id_by_name(st, host ? host : "", host_id, err);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        set_err(err, _("unknown host %s (not in the hosts inventory)"), host ? host : "");
        return -1;
    }
    char a[24], b[24];
    jst(from_ms, a);
    jst(to_ms, b);
    if (to_ms <= from_ms) {
        set_err(err, _("the downtime would end (%s) before it starts (%s): give a later --to"), b,
                a);
        return -1;
    }
    if (to_ms <= now_ms) {
        set_err(err, _("the downtime is wholly in the past (it would end %s): give a later --to"),
                b);
        return -1;
    }
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1], from[TIME_ISO_LEN + 1], to[TIME_ISO_LEN + 1];
    id_new_at(id, now_ms);
    time_format_iso(now_ms, at);
    time_format_iso(from_ms, from);
    time_format_iso(to_ms, to);
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO downtimes(id, host_id, starts_at, ends_at, reason, created_by, "
            "created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)");
    bind_text(s, 1, id);
    bind_text(s, 2, host_id);
    bind_text(s, 3, from);
    bind_text(s, 4, to);
    bind_text(s, 5, reason);
    bind_text(s, 6, st->operator_id);
    bind_text(s, 7, at);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, err, _("recording the downtime"));
        store_rollback(st);
        return -1;
    }
    char *detail = xasprintf("host=%s from=%s to=%s", host, from, to);
    rc = store_audit(st, "downtime.add", "downtimes", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (out_id)
        memcpy(out_id, id, ID_LEN + 1);
    return 0;
}

/* The manual downtimes not ended by now named by what (an id or its prefix, else
 * a host name), into ids. 0 or -1. */
static int open_ids(struct store *st, const char *what, const char *now, char (**ids)[ID_LEN + 1],
                    size_t *n, char **err)
{
    *ids = NULL;
    *n = 0;
    static const char by_id[] =
        "SELECT id FROM downtimes WHERE deleted = 0 AND length(?1) >= 8 AND "
        "substr(id, 1, length(?1)) = ?1 AND ends_at > ?2 AND (ended_at IS NULL OR ended_at > ?2)";
    static const char by_host[] =
        "SELECT d.id FROM downtimes d JOIN hosts h ON h.id = d.host_id AND h.deleted = 0 "
        "WHERE d.deleted = 0 AND h.name = ?1 AND d.ends_at > ?2 "
        "AND (d.ended_at IS NULL OR d.ended_at > ?2) ORDER BY d.starts_at, d.id";
    for (int pass = 0; pass < 2 && *n == 0; pass++) {
        sqlite3_stmt *s = store_stmt(st, pass == 0 ? by_id : by_host);
        bind_text(s, 1, what);
        bind_text(s, 2, now);
        int rc;
        while ((rc = store_next_row(s, err)) == 1) {
            *ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
            snprintf((*ids)[(*n)++], ID_LEN + 1, "%s", col_text(s, 0));
        }
        sqlite3_reset(s);
        if (rc < 0) {
            free(*ids);
            *ids = NULL;
            *n = 0;
            return -1;
        }
        if (pass == 0 && *n > 1) {
            free(*ids);
            *ids = NULL;
            *n = 0;
            set_err(err, _("%s names more than one downtime: give more of its id"), what);
            return -1;
        }
    }
    return 0;
}

int downtime_end(struct store *st, const char *what, int64_t now_ms, size_t *n_ended, char **err)
{
    if (n_ended)
        *n_ended = 0;
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return -1;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(now_ms, now);
    if (store_begin(st, err) != 0)
        return -1;
    char(*ids)[ID_LEN + 1] = NULL;
    size_t n = 0;
    if (open_ids(st, what ? what : "", now, &ids, &n, err) != 0)
        goto fail;
    if (n == 0) {
        /* Say why: a change's window, an unknown host, or nothing open. */
        char host_id[ID_LEN + 1];
        int rc = host_id_by_name(st, what ? what : "", host_id, err);
        if (rc < 0)
            goto fail;
        struct downtimes v = {0};
        if (rc == 1 && downtime_list(st, host_id, 0, now_ms, &v, err) != 0)
            goto fail;
        const char *ref = v.count && v.items[0].from_change ? v.items[0].change_ref : NULL;
        if (ref)
            set_err(err,
                    _("the downtime of %s comes from change %s: it ends with the change's window "
                      "(finish or cancel the change)"),
                    what, ref);
        else
            set_err(err, _("no downtime of %s is on or to come (give a host or a downtime's id)"),
                    what ? what : "");
        downtimes_free(&v);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *u = store_stmt(
            st, "UPDATE downtimes SET ended_at = ?2, ended_by = ?3, updated_at = ?2, hlc = ?4, "
                "origin = ?5 WHERE id = ?1 AND (ended_at IS NULL OR ended_at > ?2)");
        bind_text(u, 1, ids[i]);
        bind_text(u, 2, now);
        bind_text(u, 3, st->operator_id);
        bind_int(u, 4, store_hlc_next(st));
        bind_text(u, 5, st->origin);
        int rc = sqlite3_step(u);
        sqlite3_reset(u);
        if (rc != SQLITE_DONE) {
            store_fail(st, err, _("recording the downtime"));
            goto fail;
        }
        char *detail = xasprintf("ended=%s", now);
        rc = store_audit(st, "downtime.end", "downtimes", ids[i], detail, err);
        free(detail);
        if (rc != 0)
            goto fail;
    }
    if (store_commit(st, err) != 0)
        goto fail;
    free(ids);
    if (n_ended)
        *n_ended = n;
    return 0;
fail:
    free(ids);
    store_rollback(st);
    return -1;
}

/* Manual downtimes. ?1 host id or NULL; ?2 an instant the downtime holds at, or NULL;
 * ?3 NULL, or: not ended by this instant. */
static const char sql_manual[] =
    "SELECT d.id, h.id, h.name, d.reason, d.starts_at, d.ends_at, d.ended_at, o.login "
    "FROM downtimes d JOIN hosts h ON h.id = d.host_id AND h.deleted = 0 "
    "LEFT JOIN operators o ON o.id = d.created_by "
    "WHERE d.deleted = 0 AND (?1 IS NULL OR d.host_id = ?1) "
    "AND (?2 IS NULL OR (d.starts_at <= ?2 AND d.ends_at > ?2 AND "
    "  (d.ended_at IS NULL OR d.ended_at > ?2))) "
    "AND (?3 IS NULL OR (d.ends_at > ?3 AND (d.ended_at IS NULL OR d.ended_at > ?3)))";

/* The windows of approved and in-progress changes over their target hosts; the same
 * parameters. */
static const char sql_changes[] =
    "SELECT c.id, h.id, h.name, c.title, c.window_start, c.window_end, NULL, "
    "o.login, c.ref FROM changes c "
    "JOIN links l ON l.from_kind = 'change' AND l.from_id = c.id AND l.to_kind = 'host' "
    "  AND l.deleted = 0 "
    "JOIN hosts h ON h.id = l.to_id AND h.deleted = 0 "
    "LEFT JOIN operators o ON o.id = c.approver_id "
    "WHERE c.deleted = 0 AND c.status IN ('approved', 'in_progress') "
    "AND c.window_start IS NOT NULL AND c.window_end IS NOT NULL "
    "AND (?1 IS NULL OR h.id = ?1) "
    "AND (?2 IS NULL OR (c.window_start <= ?2 AND c.window_end > ?2)) "
    "AND (?3 IS NULL OR c.window_end > ?3)";

static int cmp_downtime(const void *a, const void *b)
{
    const struct downtime *x = a, *y = b;
    if (x->starts_ms != y->starts_ms)
        return x->starts_ms < y->starts_ms ? -1 : 1;
    int c = strcmp(x->host, y->host);
    return c ? c : strcmp(x->id, y->id);
}

/* Both queries into out (appended), unsorted. */
static int load(struct store *st, const char *host_id, const char *at, const char *not_ended_by,
                struct downtimes *out, char **err)
{
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *s = store_stmt(st, pass == 0 ? sql_manual : sql_changes);
        bind_text(s, 1, host_id);
        bind_text(s, 2, at);
        bind_text(s, 3, not_ended_by);
        int rc;
        while ((rc = store_next_row(s, err)) == 1) {
            out->items = xrealloc(out->items, (out->count + 1) * sizeof *out->items);
            struct downtime *d = &out->items[out->count++];
            memset(d, 0, sizeof *d);
            snprintf(d->id, sizeof d->id, "%s", col_text(s, 0));
            snprintf(d->host_id, sizeof d->host_id, "%s", col_text(s, 1));
            d->host = xstrdup(col_text(s, 2) ? col_text(s, 2) : "");
            d->reason = xstrdup(col_text(s, 3) ? col_text(s, 3) : "");
            d->starts_ms = ms_of(col_text(s, 4));
            d->planned_ms = d->ends_ms = ms_of(col_text(s, 5));
            if (col_text(s, 6)) {
                int64_t e = ms_of(col_text(s, 6));
                if (e < d->ends_ms) {
                    d->ends_ms = e;
                    d->ended = 1;
                }
            }
            d->by_login = dup_or_null(col_text(s, 7));
            d->from_change = pass == 1;
            if (pass == 1)
                d->change_ref = dup_or_null(col_text(s, 8));
        }
        sqlite3_reset(s);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int downtime_list(struct store *st, const char *host_id, int all, int64_t now_ms,
                  struct downtimes *out, char **err)
{
    memset(out, 0, sizeof *out);
    char now[TIME_ISO_LEN + 1];
    time_format_iso(now_ms, now);
    if (load(st, host_id, NULL, all ? NULL : now, out, err) != 0) {
        downtimes_free(out);
        return -1;
    }
    if (out->count > 1)
        qsort(out->items, out->count, sizeof *out->items, cmp_downtime);
    return 0;
}

int downtime_at(struct store *st, const char *host_id, int64_t at_ms, struct downtime *out,
                char **err)
{
    if (out)
        memset(out, 0, sizeof *out);
    char at[TIME_ISO_LEN + 1];
    time_format_iso(at_ms, at);
    struct downtimes v = {0};
    if (load(st, host_id, at, NULL, &v, err) != 0) {
        downtimes_free(&v);
        return -1;
    }
    if (v.count == 0) {
        downtimes_free(&v);
        return 0;
    }
    /* A manual one first (its reason says most), else the one that ends last. */
    size_t best = 0;
    for (size_t i = 1; i < v.count; i++) {
        const struct downtime *b = &v.items[best], *x = &v.items[i];
        if ((b->from_change && !x->from_change) ||
            (b->from_change == x->from_change && x->ends_ms > b->ends_ms))
            best = i;
    }
    if (out) {
        *out = v.items[best];
        memset(&v.items[best], 0, sizeof v.items[best]);
    }
    downtimes_free(&v);
    return 1;
}

int downtime_for_result(struct store *st, const char *host_id, int64_t at_ms, char *id_out,
                        char **text, char **err)
{
    id_out[0] = '\0';
    struct downtime d;
    int rc = downtime_at(st, host_id, at_ms, &d, err);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        snprintf(id_out, ID_LEN + 1, "%s", d.id);
        free(*text);
        *text = downtime_describe(&d);
        downtime_clear(&d);
    }
    return 0;
}

char *downtime_describe(const struct downtime *d)
{
    char when[24];
    jst(d->ends_ms, when);
    const char *w = when + 5; /* "12-07 18:00" */
    if (d->from_change)
        return xasprintf(_("change %s: %s (until %s)"), d->change_ref ? d->change_ref : "",
                         d->reason, w);
    return xasprintf(_("%s (until %s)"), d->reason, w);
}
