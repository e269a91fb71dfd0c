/* Sync conflicts as work items (see sync_conflicts.h). The conflicts are the
 * audit rows sync_push.c and sync_pull.c write; their detail is read with
 * SQLite's JSON functions:
 *   concurrent edit: {"conflict": "concurrent edit", "winner": "central"|"local",
 *                     "central": {"hlc", "origin", "row": {...}},
 *                     "local": {"hlc", "origin", "row": {...}}}
 *   unique name:     {"conflict": "unique", "column", "value", "kept", "renamed",
 *                     "new_value"} (the audit row's row_id is the renamed record)
 *   refused version: {"conflict": "refused", "why": "not a manager", "by": ID,
 *                     "winner": "local", "central": {...}, "local": {...}}
 *                     (an operator's role or state changed by a non-manager;
 *                     local is null when this store had no version of it)
 * A resolution is an audit row of the record (kind = table, row_id = record)
 * whose detail names the conflict: {"conflict": ID, ...}. */
#include "sync_conflicts.h"

#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "changes.h"
#include "incidents.h"
#include "inquiries.h"
#include "jobs.h"
#include "labels.h"
#include "problems.h"
#include "i18n.h"
#include "json.h"
#include "ledger.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* The earliest of identical sync.conflict rows (several consoles record the
 * same rename), with its resolution if any. */
#define CONFLICT_FROM                                                                              \
    "FROM audit a WHERE a.action = 'sync.conflict' AND NOT EXISTS (SELECT 1 FROM audit b "         \
    "WHERE b.kind = a.kind AND b.row_id = a.row_id AND b.action = 'sync.conflict' AND "            \
    "b.detail = a.detail AND b.id < a.id)"
#define RESOLUTION(col)                                                                            \
    "(SELECT " col " FROM audit r WHERE r.kind = a.kind AND r.row_id = a.row_id AND r.action IN "  \
    "('sync.conflict.keep', 'sync.conflict.reapply') AND json_extract(r.detail, '$.conflict') = "  \
    "a.id ORDER BY r.id LIMIT 1)"

static const char *const list_sql =
    "SELECT a.id, a.at, a.kind, a.row_id, a.detail, json_extract(a.detail, '$.conflict'), "
    "json_extract(a.detail, '$.winner'), " RESOLUTION("r.action") ", " RESOLUTION(
        "r.at") ", " RESOLUTION("(SELECT o.name FROM operators o WHERE o.id = "
                                "r.operator_id)") " " CONFLICT_FROM
                                                  " AND (?1 = 0 OR " RESOLUTION(
                                                      "1") " IS NULL) ORDER BY a.id DESC";

static const char *const count_sql =
    "SELECT count(*) " CONFLICT_FROM " AND " RESOLUTION("1") " IS NULL";

/* The fields whose values differ between the two versions: key, local value,
 * central value. */
static const char *const fields_sql =
    "SELECT l.key, l.value, c.value FROM json_each(?1, '$.local.row') l "
    "JOIN json_each(?1, '$.central.row') c ON c.key = l.key "
    "WHERE l.key NOT IN ('id', 'hlc', 'origin', 'created_at', 'updated_at', 'server_seq', "
    "'base_hlc', 'base_origin', 'changed_by') AND l.value IS NOT c.value ORDER BY l.id";

/* A refused version: its role and state against this store's (none when the
 * store has no version of the row). */
static const char *const refused_fields_sql =
    "SELECT c.key, json_extract(?1, '$.local.row.' || c.key), c.value "
    "FROM json_each(?1, '$.central.row') c WHERE c.key IN ('role', 'active', 'deleted') "
    "AND c.value IS NOT json_extract(?1, '$.local.row.' || c.key) ORDER BY c.id";

/* Who made the edit of the record whose version is (origin, hlc): the
 * audit row that console wrote with it, by the nearest clock. */
static const char *const editor_sql =
    "SELECT (SELECT o.name FROM operators o WHERE o.id = a.operator_id), a.at FROM audit a "
    "WHERE a.kind = ?1 AND a.row_id = ?2 AND a.origin = ?3 AND a.action NOT LIKE 'sync.%' "
    "ORDER BY abs(a.hlc - ?4) LIMIT 1";

static char *json_text(struct store *st, const char *json, const char *path)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT json_extract(?1, ?2)");
    bind_text(s, 1, json);
    bind_text(s, 2, path);
    char *v = sqlite3_step(s) == SQLITE_ROW ? col_dup(s, 0) : NULL;
    sqlite3_reset(s);
    return v;
}

static void editor(struct store *st, const char *table, const char *row_id, const char *detail,
                   const char *side, char **by, char **at)
{
    char path[32];
    snprintf(path, sizeof path, "$.%s.origin", side);
    char *origin = json_text(st, detail, path);
    snprintf(path, sizeof path, "$.%s.hlc", side);
    char *hlc = json_text(st, detail, path);
    *by = *at = NULL;
    if (origin && hlc) {
        sqlite3_stmt *s = store_stmt(st, editor_sql);
        bind_text(s, 1, table);
        bind_text(s, 2, row_id);
        bind_text(s, 3, origin);
        bind_int(s, 4, strtoll(hlc, NULL, 10));
        if (sqlite3_step(s) == SQLITE_ROW) {
            *by = col_dup(s, 0);
            *at = col_dup(s, 1);
        }
        sqlite3_reset(s);
    }
    if (!*at) {
        snprintf(path, sizeof path, "$.%s.row.updated_at", side);
        *at = json_text(st, detail, path);
    }
    free(origin);
    free(hlc);
}

static int record_exists(struct store *st, const char *table, const char *id, int *exists,
                         char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "SELECT 1 FROM ");
    sql_ident(&sb, table);
    sb_puts(&sb, " WHERE id = ?1 AND deleted = 0");
    sqlite3_stmt *s = NULL;
    *exists = 0;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db, sb.buf, -1, &s, NULL) == SQLITE_OK) {
        bind_text(s, 1, id);
        int one = store_one_row(s, err);
        if (one < 0)
            rc = -1;
        *exists = one == 1;
    }
    /* A table without that shape (or gone) holds no such record. */
    sqlite3_finalize(s);
    sb_free(&sb);
    return rc;
}

/* A value as a person reads it (see struct sync_conflict_field). */
static char *value_text(struct store *st, const char *table, const char *column, const char *v)
{
    if (!v || !*v)
        return xstrdup(_("(empty)"));
    const char *sql = NULL;
    if (streq(column, "library_id"))
        sql = "SELECT name_ja FROM libraries WHERE id = ?1";
    else if (streq(column, "host_id"))
        sql = "SELECT name FROM hosts WHERE id = ?1";
    else if (streq(column, "assignee_id") || streq(column, "owner_id") ||
             streq(column, "reviewer_id") || streq(column, "approver_id") ||
             streq(column, "requester_id") || streq(column, "created_by") ||
             streq(column, "draft_by") || streq(column, "operator_id"))
        sql = "SELECT name FROM operators WHERE id = ?1";
    if (sql) {
        sqlite3_stmt *s = store_stmt(st, sql);
        bind_text(s, 1, v);
        char *name = sqlite3_step(s) == SQLITE_ROW ? col_dup(s, 0) : NULL;
        sqlite3_reset(s);
        return name ? name : xstrdup(_("(a record not in this store)"));
    }
    if (streq(column, "status") || streq(column, "state")) {
        if (streq(table, "incidents"))
            return xstrdup(incident_status_name(v));
        if (streq(table, "inquiries"))
            return xstrdup(inquiry_status_name(v));
        if (streq(table, "problems"))
            return xstrdup(problem_status_name(v));
        if (streq(table, "changes"))
            return xstrdup(change_status_name(v));
        if (streq(table, "job_runs"))
            return xstrdup(jobs_state_name(v));
    }
    if (streq(column, "role"))
        return xstrdup(streq(table, "operators") ? label_role(v) : label_host_role(v));
    if (streq(column, "risk"))
        return xstrdup(label_risk(v));
    if (streq(column, "deleted"))
        return xstrdup(label_yes_no(streq(v, "1")));
    return xstrdup(v);
}

/* c's fields from sql over its detail: rows of (column, local value, central
 * value), sorted into lost and won by which side won. 0 or -1 (err). */
static int read_fields(struct store *st, struct sync_conflict *c, const char *sql,
                       const char *detail, char **err)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    bind_text(s, 1, detail);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        c->fields = xrealloc(c->fields, (c->nfields + 1) * sizeof *c->fields);
        struct sync_conflict_field *f = &c->fields[c->nfields++];
        f->column = col_dup(s, 0);
        char *l = col_dup(s, 1), *r = col_dup(s, 2);
        f->lost = c->local_won ? r : l;
        f->won = c->local_won ? l : r;
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

/* Fills c's fields, record and editors from its audit detail. */
static int describe(struct store *st, struct sync_conflict *c, const char *detail,
                    const char *winner, char **err)
{
    const char *won_side = winner && streq(winner, "local") ? "local" : "central";
    const char *lost_side = streq(won_side, "local") ? "central" : "local";
    c->local_won = streq(won_side, "local");
    if (c->unique) {
        c->fields = xcalloc(1, sizeof *c->fields);
        c->nfields = 1;
        c->fields[0].column = json_text(st, detail, "$.column");
        c->fields[0].lost = json_text(st, detail, "$.value");
        c->fields[0].won = json_text(st, detail, "$.new_value");
        c->record = json_text(st, detail, "$.new_value");
    } else if (c->refused) {
        if (read_fields(st, c, refused_fields_sql, detail, err) != 0)
            return -1;
        c->record = json_text(st, detail, "$.central.row.name");
        char *local = json_text(st, detail, "$.local.hlc");
        c->refused_absent = !local;
        free(local);
        char *by = json_text(st, detail, "$.by");
        if (by) {
            sqlite3_stmt *n = store_stmt(st, "SELECT name FROM operators WHERE id = ?1");
            bind_text(n, 1, by);
            int got = store_one_row(n, err);
            c->lost_by = got == 1 ? col_dup(n, 0) : NULL;
            sqlite3_reset(n);
            free(by);
            if (got < 0)
                return -1;
        }
        c->lost_at = json_text(st, detail, "$.central.row.updated_at");
    } else {
        if (read_fields(st, c, fields_sql, detail, err) != 0)
            return -1;
        static const char *const names[] = {"ref", "name", "code", "login", "title"};
        char path[40];
        for (size_t i = 0; !c->record && i < ARRAY_LEN(names); i++) {
            snprintf(path, sizeof path, "$.%s.row.%s", won_side, names[i]);
            c->record = json_text(st, detail, path);
        }
        editor(st, c->table, c->row_id, detail, lost_side, &c->lost_by, &c->lost_at);
        editor(st, c->table, c->row_id, detail, won_side, &c->won_by, &c->won_at);
    }
    for (size_t i = 0; i < c->nfields; i++) {
        c->fields[i].lost_text = value_text(st, c->table, c->fields[i].column, c->fields[i].lost);
        c->fields[i].won_text = value_text(st, c->table, c->fields[i].column, c->fields[i].won);
    }
    return record_exists(st, c->table, c->row_id, &c->exists, err);
}

static int read_list(struct store *st, int open_only, const char *only_prefix,
                     struct sync_conflict **out, size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(st, list_sql);
    bind_int(s, 1, open_only);
    struct sync_conflict *v = NULL;
    size_t k = 0;
    int step;
    struct detail {
        char *detail, *winner;
    } *d = NULL;
    size_t plen = only_prefix ? strlen(only_prefix) : 0;
    while ((step = store_next_row(s, err)) == 1) {
        const char *id = col_text(s, 0);
        if (!id || (only_prefix && strncmp(id, only_prefix, plen) != 0))
            continue;
        v = xrealloc(v, (k + 1) * sizeof *v);
        d = xrealloc(d, (k + 1) * sizeof *d);
        struct sync_conflict *c = &v[k];
        memset(c, 0, sizeof *c);
        snprintf(c->id, sizeof c->id, "%s", id);
        c->at = col_dup(s, 1);
        c->table = col_dup(s, 2);
        c->row_id = col_dup(s, 3);
        d[k].detail = col_dup(s, 4);
        c->unique = col_text(s, 5) && streq(col_text(s, 5), "unique");
        c->refused = col_text(s, 5) && streq(col_text(s, 5), "refused");
        d[k].winner = col_dup(s, 6);
        const char *res = col_text(s, 7);
        if (res)
            c->resolution = xstrdup(streq(res, "sync.conflict.keep") ? "keep" : "reapply");
        c->resolved_at = col_dup(s, 8);
        c->resolved_by = col_dup(s, 9);
        k++;
    }
    sqlite3_reset(s);
    int rc = step < 0 ? -1 : 0;
    for (size_t i = 0; i < k; i++) {
        if (rc == 0 && (!v[i].table || !v[i].row_id || !d[i].detail))
            v[i].exists = 0;
        else if (rc == 0 && describe(st, &v[i], d[i].detail, d[i].winner, err) != 0)
            rc = -1;
        free(d[i].detail);
        free(d[i].winner);
    }
    free(d);
    if (rc != 0) {
        sync_conflicts_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

int sync_conflicts_list(struct store *st, int open_only, struct sync_conflict **out, size_t *n,
                        char **err)
{
    return read_list(st, open_only, NULL, out, n, err);
}

void sync_conflicts_free(struct sync_conflict *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        struct sync_conflict *c = &v[i];
        for (size_t f = 0; f < c->nfields; f++)
            free(c->fields[f].column), free(c->fields[f].lost), free(c->fields[f].won),
                free(c->fields[f].lost_text), free(c->fields[f].won_text);
        free(c->fields);
        free(c->at), free(c->table), free(c->row_id), free(c->record);
        free(c->lost_by), free(c->lost_at), free(c->won_by), free(c->won_at);
        free(c->resolution), free(c->resolved_by), free(c->resolved_at);
    }
    free(v);
}

int sync_conflicts_count_open(struct store *st, long *n, char **err)
{
    sqlite3_stmt *s = store_stmt(st, count_sql);
    int rc = store_one_row(s, err);
    if (rc == 1)
        *n = (long)sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc < 0 ? -1 : 0;
}

/* The one conflict id names (inside the caller's transaction), still open, on
 * a record that exists. */
static int find_open(struct store *st, const char *id, struct sync_conflict **c, char **err)
{
    *c = NULL;
    if (!id || !*id) {
        set_err(err, _("give the conflict's id (see unyo sync conflicts)"));
        return -1;
    }
    struct sync_conflict *v = NULL;
    size_t n = 0;
    if (read_list(st, 0, id, &v, &n, err) != 0)
        return -1;
    if (n == 0) {
        set_err(err, _("no conflict %s (see unyo sync conflicts)"), id);
    } else if (n > 1) {
        set_err(err, _("%s matches several conflicts: give more of the id"), id);
    } else if (v[0].resolution) {
        set_err(err,
                streq(v[0].resolution, "keep")
                    ? _("conflict %s is already resolved: the winning value was kept")
                    : _("conflict %s is already resolved: the value that lost was written again"),
                id);
    } else if (!v[0].exists && !v[0].refused) {
        set_err(err, _("conflict %s: the record no longer exists"), id);
    } else if (v[0].nfields == 0) {
        set_err(err, _("conflict %s: the two versions hold the same values"), id);
    } else {
        *c = v;
        return 0;
    }
    sync_conflicts_free(v, n);
    return -1;
}

/* The resolution's audit row: {"conflict": ID, "fields": {column: value}}. */
static int audit_resolution(struct store *st, const char *action, const struct sync_conflict *c,
                            int lost, char **err)
{
    struct strbuf d = STRBUF_INIT;
    sb_puts(&d, "{\"conflict\": ");
    json_string(&d, c->id);
    sb_puts(&d, ", \"fields\": {");
    for (size_t i = 0; i < c->nfields; i++) {
        if (i)
            sb_puts(&d, ", ");
        json_string(&d, c->fields[i].column);
        sb_puts(&d, ": ");
        const char *v = lost ? c->fields[i].lost : c->fields[i].won;
        if (v)
            json_string(&d, v);
        else
            sb_puts(&d, "null");
    }
    sb_puts(&d, "}}");
    int rc = store_audit(st, action, c->table, c->row_id, d.buf, err);
    sb_free(&d);
    return rc;
}

static int finish(struct store *st, int rc, struct sync_conflict *c, struct sync_conflict **out,
                  char **err)
{
    if (rc == 0)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    if (rc == 0 && out)
        *out = c;
    else
        sync_conflicts_free(c, c ? 1 : 0);
    return rc;
}

int sync_conflict_keep(struct store *st, const char *id, struct sync_conflict **out, char **err)
{
    if (out)
        *out = NULL;
    if (store_begin(st, err) != 0)
        return -1;
    struct sync_conflict *c = NULL;
    int rc = find_open(st, id, &c, err);
    if (rc == 0)
        rc = audit_resolution(st, "sync.conflict.keep", c, 0, err);
    return finish(st, rc, c, out, err);
}

/* Writes the values that lost (as the detail holds them, so an integer stays
 * an integer) as this console's edit: a new clock and this console's origin,
 * so the outbox trigger notes it and the next round sends it. */
int sync_conflict_reapply_check(const struct sync_conflict *c, char **err)
{
    /* A ledger's status moves only by its workflow's steps (who may, in which
     * order, with their side effects): writing it back would skip them. */
    static const char *const workflow_tables[] = {"incidents", "inquiries", "problems", "changes",
                                                  "job_runs"};
    /* A role or state refused because a non-manager set it is not set by writing
     * it again either: a manager changes it, signed (unyo operator role). */
    if (c->refused || streq(c->table, "operators"))
        for (size_t i = 0; i < c->nfields; i++)
            if (streq(c->fields[i].column, "role") || streq(c->fields[i].column, "active") ||
                streq(c->fields[i].column, "deleted")) {
                set_err(err,
                        _("%s: a role or an operator's state is changed only by a manager, "
                          "signed (unyo operator role|deactivate); keep this conflict"),
                        c->record ? c->record : c->row_id);
                return -1;
            }
    for (size_t i = 0; i < c->nfields; i++) {
        if (!streq(c->fields[i].column, "status") && !streq(c->fields[i].column, "state"))
            continue;
        for (size_t t = 0; t < ARRAY_LEN(workflow_tables); t++)
            if (streq(c->table, workflow_tables[t])) {
                set_err(err,
                        _("%s %s: a status changes only by a step of its workflow, not by "
                          "writing it again; keep this conflict and take the step if it is "
                          "still needed"),
                        sync_conflict_table_label(c->table), c->record ? c->record : c->row_id);
                return -1;
            }
    }
    return 0;
}

static int write_lost(struct store *st, const struct sync_conflict *c, const char *detail,
                      char **err)
{
    if (sync_conflict_reapply_check(c, err) != 0)
        return -1;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    for (size_t i = 0; i < c->nfields; i++) {
        struct strbuf sb = STRBUF_INIT;
        sb_puts(&sb, "UPDATE ");
        sql_ident(&sb, c->table);
        sb_puts(&sb, " SET ");
        sql_ident(&sb, c->fields[i].column);
        sb_puts(&sb, " = ?1, hlc = ?2, origin = ?3, updated_at = ?4 WHERE id = ?5 AND deleted = 0");
        sqlite3_stmt *u = NULL;
        int rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &u, NULL) == SQLITE_OK ? 0 : -1;
        sb_free(&sb);
        if (rc == 0) {
            if (c->unique) {
                bind_text(u, 1, c->fields[i].lost);
            } else {
                /* the value with its JSON type, from the side that lost */
                sqlite3_stmt *v = store_stmt(st, "SELECT json_extract(?1, ?2)");
                char *path = xasprintf("$.%s.row.%s", c->local_won ? "central" : "local",
                                       c->fields[i].column);
                bind_text(v, 1, detail);
                bind_text(v, 2, path);
                free(path);
                if (sqlite3_step(v) == SQLITE_ROW)
                    sqlite3_bind_value(u, 1, sqlite3_column_value(v, 0));
                else
                    sqlite3_bind_null(u, 1);
                sqlite3_reset(v);
            }
            bind_int(u, 2, store_hlc_next(st));
            bind_text(u, 3, st->origin);
            bind_text(u, 4, now);
            bind_text(u, 5, c->row_id);
            int step = sqlite3_step(u);
            if (step != SQLITE_DONE) {
                if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE)
                    set_err(err,
                            _("%s cannot take the value %s again: another record of the same "
                              "kind holds it (keep this one, or rename the other first)"),
                            c->record ? c->record : c->row_id,
                            c->fields[i].lost ? c->fields[i].lost : "");
                else
                    store_fail(st, err, c->table);
                rc = -1;
            } else if (sqlite3_changes(st->db) != 1) {
                set_err(err, _("conflict %s: the record no longer exists"), c->id);
                rc = -1;
            }
        } else {
            store_fail(st, err, c->table);
        }
        sqlite3_finalize(u);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int sync_conflict_reapply(struct store *st, const char *id, struct sync_conflict **out, char **err)
{
    if (out)
        *out = NULL;
    if (store_begin(st, err) != 0)
        return -1;
    struct sync_conflict *c = NULL;
    int rc = find_open(st, id, &c, err);
    char *detail = NULL;
    if (rc == 0) {
        sqlite3_stmt *s = store_stmt(st, "SELECT detail FROM audit WHERE id = ?1");
        bind_text(s, 1, c->id);
        rc = store_one_row(s, err) == 1 ? 0 : -1;
        if (rc == 0)
            detail = col_dup(s, 0);
        else if (err && !*err)
            set_err(err, _("no conflict %s (see unyo sync conflicts)"), id);
        sqlite3_reset(s);
    }
    if (rc == 0)
        rc = write_lost(st, c, detail, err);
    if (rc == 0)
        rc = audit_resolution(st, "sync.conflict.reapply", c, 1, err);
    free(detail);
    return finish(st, rc, c, out, err);
}

char *sync_conflict_edit_detail(const char *winner, const char *central_hlc,
                                const char *central_origin, const char *central_row,
                                const char *local_hlc, const char *local_origin,
                                const char *local_row)
{
    struct strbuf d = STRBUF_INIT;
    sb_printf(&d, "{\"conflict\": \"concurrent edit\", \"winner\": \"%s\", ", winner);
    sb_printf(&d, "\"central\": {\"hlc\": %s, \"origin\": ", central_hlc);
    json_string(&d, central_origin);
    sb_printf(&d, ", \"row\": %s}, \"local\": {\"hlc\": %s, \"origin\": ", central_row, local_hlc);
    json_string(&d, local_origin);
    sb_printf(&d, ", \"row\": %s}}", local_row);
    return sb_detach(&d);
}

char *sync_conflict_refused_detail(const char *why, const char *by, const char *central_hlc,
                                   const char *central_origin, const char *central_row,
                                   const char *local_hlc, const char *local_origin,
                                   const char *local_row)
{
    struct strbuf d = STRBUF_INIT;
    sb_puts(&d, "{\"conflict\": \"refused\", \"why\": ");
    json_string(&d, why);
    sb_puts(&d, ", \"by\": ");
    if (by)
        json_string(&d, by);
    else
        sb_puts(&d, "null");
    sb_printf(&d, ", \"winner\": \"local\", \"central\": {\"hlc\": %s, \"origin\": ", central_hlc);
    json_string(&d, central_origin);
    sb_printf(&d, ", \"row\": %s}, \"local\": ", central_row);
    if (local_hlc && local_origin) {
        sb_printf(&d, "{\"hlc\": %s, \"origin\": ", local_hlc);
        json_string(&d, local_origin);
        sb_printf(&d, ", \"row\": %s}}", local_row);
    } else {
        sb_puts(&d, "null}");
    }
    return sb_detach(&d);
}

char *sync_conflict_unique_detail(const char *column, const char *value, const char *kept,
                                  const char *renamed, const char *new_value)
{
    struct strbuf d = STRBUF_INIT;
    sb_puts(&d, "{\"conflict\": \"unique\", \"column\": ");
    json_string(&d, column);
    sb_puts(&d, ", \"value\": ");
    json_string(&d, value);
    sb_puts(&d, ", \"kept\": ");
    json_string(&d, kept);
    sb_puts(&d, ", \"renamed\": ");
    json_string(&d, renamed);
    sb_puts(&d, ", \"new_value\": ");
    json_string(&d, new_value);
    sb_putc(&d, '}');
    return sb_detach(&d);
}

struct lbl {
    const char *key, *ctx_id;
};

static const char *find(const struct lbl *l, size_t n, const char *key)
{
    for (size_t i = 0; key && i < n; i++)
        if (streq(l[i].key, key))
            return ledger_label(l[i].ctx_id);
    return key ? key : "";
}

const char *sync_conflict_table_label(const char *table)
{
    static const struct lbl l[] = {
        {"incidents", P_("record", "incident")},
        {"inquiries", P_("record", "inquiry")},
        {"problems", P_("record", "problem")},
        {"changes", P_("record", "change")},
        {"knowledge", P_("record", "knowledge")},
        {"hosts", P_("record", "host")},
        {"operators", P_("record", "operator")},
        {"libraries", P_("record", "library")},
        {"templates", P_("record", "work item")},
        {"jobs", P_("record", "job")},
        {"job_runs", P_("record", "job run")},
        {"checklist_items", P_("record", "checklist item")},
        {"handovers", P_("record", "handover")},
        {"handover_items", P_("record", "handover item")},
        {"shifts", P_("record", "shift")},
        {"links", P_("record", "link")},
        {"check_acks", P_("record", "check acknowledgement")},
        {"downtimes", P_("record", "downtime")},
    };
    return find(l, ARRAY_LEN(l), table);
}

const char *sync_conflict_field_label(const char *column)
{
    static const struct lbl l[] = {
        {"title", P_("field", "title")},
        {"description", P_("field", "description")},
        {"status", P_("field", "status")},
        {"state", P_("field", "state")},
        {"assignee_id", P_("field", "assignee")},
        {"owner_id", P_("field", "owner")},
        {"priority", P_("field", "priority")},
        {"impact", P_("field", "impact")},
        {"urgency", P_("field", "urgency")},
        {"category", P_("field", "category")},
        {"channel", P_("field", "channel")},
        {"reporter", P_("field", "reporter")},
        {"library_id", P_("field", "library")},
        {"name", P_("field", "name")},
        {"name_ja", P_("field", "name")},
        {"name_en", P_("field", "name in English")},
        {"code", P_("field", "code")},
        {"login", P_("field", "login")},
        {"role", P_("field", "role")},
        {"address", P_("field", "address")},
        {"location", P_("field", "location")},
        {"os", P_("field", "OS")},
        {"owner", P_("field", "owner")},
        {"notes", P_("field", "notes")},
        {"note", P_("field", "note")},
        {"question", P_("field", "question")},
        {"answer", P_("field", "answer")},
        {"draft_answer", P_("field", "draft answer")},
        {"root_cause", P_("field", "root cause")},
        {"workaround", P_("field", "workaround")},
        {"permanent_measure", P_("field", "permanent measure")},
        {"body", P_("field", "body")},
        {"keywords", P_("field", "keywords")},
        {"command", P_("field", "command")},
        {"procedure", P_("field", "procedure")},
        {"deleted", P_("field", "deleted")},
        {"ssh_user", P_("field", "SSH user")},
        {"ssh_port", P_("field", "SSH port")},
        {"ssh_alias", P_("field", "SSH alias")},
        {"ssh_jump", P_("field", "SSH jump host")},
        {"risk", P_("field", "risk")},
        {"plan", P_("field", "plan")},
        {"rollback_plan", P_("field", "rollback plan")},
        {"target", P_("field", "target")},
        {"reason", P_("field", "reason")},
    };
    return find(l, ARRAY_LEN(l), column);
}

char *sync_conflict_who_when(const char *by, const char *at)
{
    char when[32] = "";
    int64_t ms;
    if (at && time_parse(at, &ms) == 0)
        time_format_jst(ms, when, 0);
    const char *who = by ? by : _("unknown");
    /* when + 5 drops the year: a conflict is read within days of it */
    return *when ? xasprintf(_("%s, %s"), who, when + 5) : xstrdup(who);
}

const char *sync_conflict_state_label(const struct sync_conflict *c)
{
    if (c->resolution)
        return streq(c->resolution, "keep") ? _("winner kept") : _("lost value written again");
    return c->exists || c->refused ? _("not dealt with") : _("record gone");
}

char *sync_conflict_won_text(const struct sync_conflict *c, const char *values)
{
    if (c->unique)
        return xasprintf(_("%s (renamed: the name was taken)"), values);
    if (c->refused) {
        const char *by = c->lost_by ? c->lost_by : _("its author");
        return !c->refused_absent
                   ? xasprintf(_("%s (%s is not a manager here)"), values, by)
                   : xasprintf(_("not registered here (%s is not a manager here)"), by);
    }
    char *ww = sync_conflict_who_when(c->won_by, c->won_at);
    char *w = xasprintf(_("%s (by %s)"), values, ww);
    free(ww);
    return w;
}
