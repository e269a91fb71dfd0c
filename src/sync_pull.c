/* Sync, pull: what other consoles pushed, into this store; and the check
 * for a store restored from an older copy.
 *
 * Pull: per table, COPY the rows with server_seq above this console's cursor
 * for the table, in server_seq order, and apply them in local transactions of
 * PULL_CHUNK rows, each also advancing the cursor (so a killed pull resumes
 * where it stopped). Mutable rows: last writer wins by (hlc, origin);
 * append-only rows: insert if absent. Every pulled hlc is observed so later
 * local writes order after it. Foreign keys are not checked while applying:
 * rows arrive table by table, and the central copy is the union of stores
 * that checked them when they were written.
 *
 * Natural keys: ledgers have UNIQUE columns besides id (operators.login,
 * templates.code ...). Two consoles can create the same key with different
 * ids; the central mirror keeps both, a store cannot. Every store resolves it
 * the same way: the row with the greater id is renamed (value "~" + the last
 * 8 characters of its id) as a local edit, which then syncs like any edit,
 * and the rename is recorded in audit (sync.conflict). */
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "i18n.h"
#include "json.h"
#include "search.h"
#include "store.h"
#include "sync_conflicts.h"
#include "sync_int.h"
#include "timefmt.h"
#include "util.h"

#define PULL_CHUNK 50000

/* ---- pull ---------------------------------------------------------------- */

struct unique_key {
    int ncols;
    int *cols; /* column indexes */
};

struct applier {
    struct store *st;
    const struct ledger_table *t;
    sqlite3_stmt *sel, *ins, *upd, *json, *forget;
    struct unique_key *keys;
    int nkeys, keys_loaded;
    int full;    /* a full pull: this console's own rows come too */
    int touched; /* the last write_row made the row a local edit */
    long long conflicts;
    /* Operator versions refused so far in this transaction: the version that
     * makes their author a manager may come later in the same pull (a push
     * sends rows by id, not in the order they were written). */
    struct held_version {
        char **v;
        size_t *lens;
    } * held;
    size_t nheld;
};

static int load_unique_keys(struct applier *a, char **err)
{
    a->keys_loaded = 1;
    char *sql = xasprintf("PRAGMA index_list(\"%s\")", a->t->name);
    sqlite3_stmt *s = NULL;
    int step = 0;
    if (sqlite3_prepare_v2(a->st->db, sql, -1, &s, NULL) == SQLITE_OK) {
        while ((step = store_next_row(s, err)) == 1) {
            if (!sqlite3_column_int(s, 2) || streq(col_text(s, 3), "pk") ||
                sqlite3_column_int(s, 4))
                continue;
            char *isql = xasprintf("PRAGMA index_info(\"%s\")", col_text(s, 1));
            sqlite3_stmt *q = NULL;
            struct unique_key k = {0, NULL};
            int ok = 1;
            if (sqlite3_prepare_v2(a->st->db, isql, -1, &q, NULL) == SQLITE_OK) {
                int qstep;
                while ((qstep = store_next_row(q, err)) == 1) {
                    int ci = col_text(q, 2) ? ledger_col(a->t, col_text(q, 2)) : -1;
                    if (ci < 0)
                        ok = 0;
                    k.cols = xrealloc(k.cols, ((size_t)k.ncols + 1) * sizeof *k.cols);
                    k.cols[k.ncols++] = ci;
                }
                if (qstep < 0)
                    step = -1;
            }
            sqlite3_finalize(q);
            free(isql);
            if (step < 0) {
                free(k.cols);
                break;
            }
            if (!ok || k.ncols == 0) {
                free(k.cols);
                continue;
            }
            a->keys = xrealloc(a->keys, ((size_t)a->nkeys + 1) * sizeof *a->keys);
            a->keys[a->nkeys++] = k;
        }
    }
    sqlite3_finalize(s);
    free(sql);
    return step < 0 ? -1 : 0;
}

/* v stays valid until the statement is reset (it points into the COPY
 * row), so text is bound without a copy; integers go in as integers, which
 * spares SQLite the text-to-integer affinity conversion. */
static void bind_field(sqlite3_stmt *s, int idx, char aff, const char *v, size_t len)
{
    if (!v) {
        sqlite3_bind_null(s, idx);
    } else if (aff == 'r') {
        sqlite3_bind_double(s, idx, strtod(v, NULL));
    } else if (aff == 'i') {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno == 0 && end == v + len && len > 0)
            sqlite3_bind_int64(s, idx, n);
        else
            sqlite3_bind_text(s, idx, v, (int)len, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(s, idx, v, (int)len, SQLITE_STATIC);
    }
}

static int applier_init(struct applier *a, struct store *st, const struct ledger_table *t,
                        char **err)
{
    memset(a, 0, sizeof *a);
    a->st = st;
    a->t = t;
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "SELECT hlc, origin FROM ");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " WHERE id = ?1");
    int rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->sel, NULL);
    sb_reset(&sb);
    sb_puts(&sb, "INSERT INTO ");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " (");
    sync_col_list(&sb, t, NULL);
    sb_puts(&sb, ") VALUES (");
    for (int i = 0; i < t->ncols; i++)
        sb_printf(&sb, "%s?%d", i ? ", " : "", i + 1);
    sb_puts(&sb, ") ON CONFLICT(id) DO NOTHING");
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->ins, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(st->db,
                                "DELETE FROM local_sync_outbox WHERE tbl = ?1 AND row_id = ?2", -1,
                                &a->forget, NULL);
    if (!t->append_only) {
        sb_reset(&sb);
        sb_puts(&sb, "UPDATE ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " SET ");
        int first = 1;
        for (int i = 0; i < t->ncols; i++) {
            if (i == t->col_id)
                continue;
            sb_printf(&sb, "%s", first ? "" : ", ");
            first = 0;
            sql_ident(&sb, t->cols[i]);
            sb_printf(&sb, " = ?%d", i + 1);
        }
        sb_printf(&sb, " WHERE id = ?%d", t->col_id + 1);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->upd, NULL);
        sb_reset(&sb);
        sb_puts(&sb, "SELECT json_object(");
        for (int i = 0; i < t->ncols; i++) {
            sb_printf(&sb, "%s'%s', ", i ? ", " : "", t->cols[i]);
            sql_ident(&sb, t->cols[i]);
        }
        sb_puts(&sb, ") FROM ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " WHERE id = ?1");
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(st->db, sb.buf, -1, &a->json, NULL);
    }
    sb_free(&sb);
    if (rc != SQLITE_OK)
        return store_fail(st, err, t->name);
    return 0;
}

static void held_free(const struct applier *a, struct held_version *h)
{
    for (int f = 0; f <= a->t->ncols; f++)
        free(h->v[f]);
    free(h->v);
    free(h->lens);
}

/* Takes version i out of the held list (the caller frees it). */
static struct held_version held_take(struct applier *a, size_t i)
{
    struct held_version h = a->held[i];
    a->held[i] = a->held[--a->nheld];
    return h;
}

/* Keeps a copy of the pulled row (ncols + server_seq fields). */
static void hold(struct applier *a, char **v, const size_t *lens)
{
    int nf = a->t->ncols + 1;
    a->held = xrealloc(a->held, (a->nheld + 1) * sizeof *a->held);
    struct held_version *h = &a->held[a->nheld++];
    h->v = xcalloc((size_t)nf + 1, sizeof *h->v);
    h->lens = xcalloc((size_t)nf + 1, sizeof *h->lens);
    for (int f = 0; f < nf; f++) {
        h->lens[f] = lens[f];
        if (v[f]) {
            h->v[f] = xmalloc(lens[f] + 1);
            memcpy(h->v[f], v[f], lens[f]);
            h->v[f][lens[f]] = '\0';
        }
    }
}

static void applier_free(struct applier *a)
{
    while (a->nheld) {
        struct held_version h = held_take(a, a->nheld - 1);
        held_free(a, &h);
    }
    free(a->held);
    sqlite3_finalize(a->sel);
    sqlite3_finalize(a->ins);
    sqlite3_finalize(a->upd);
    sqlite3_finalize(a->json);
    sqlite3_finalize(a->forget);
    for (int i = 0; i < a->nkeys; i++)
        free(a->keys[i].cols);
    free(a->keys);
}

static char *values_json(const struct ledger_table *t, char **v)
{
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '{');
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            sb_puts(&sb, ", ");
        json_string(&sb, t->cols[i]);
        sb_puts(&sb, ": ");
        if (!v[i])
            sb_puts(&sb, "null");
        else if (t->aff[i] != 't')
            sb_puts(&sb, v[i]);
        else
            json_string(&sb, v[i]);
    }
    sb_putc(&sb, '}');
    return sb_detach(&sb);
}

static char *local_json(struct applier *a, const char *id)
{
    sqlite3_reset(a->json);
    bind_text(a->json, 1, id);
    char *out = NULL;
    if (sqlite3_step(a->json) == SQLITE_ROW)
        out = xstrdup(col_text(a->json, 0));
    sqlite3_reset(a->json);
    return out ? out : xstrdup("null");
}

/* Makes the row a local edit: new clock, this console's origin (the outbox
 * trigger notes it for the next push). */
static int touch_row(struct applier *a, const char *id, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "UPDATE ");
    sql_ident(&sb, a->t->name);
    sb_puts(&sb, " SET hlc = ?1, origin = ?2");
    if (a->t->col_updated_at >= 0)
        sb_puts(&sb, ", updated_at = ?3");
    sb_puts(&sb, " WHERE id = ?4");
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(a->st->db, sb.buf, -1, &s, NULL) == SQLITE_OK ? 0 : -1;
    sb_free(&sb);
    if (rc == 0) {
        char now[TIME_ISO_LEN + 1];
        time_format_iso(time_now_ms(), now);
        bind_int(s, 1, store_hlc_next(a->st));
        bind_text(s, 2, a->st->origin);
        if (a->t->col_updated_at >= 0)
            bind_text(s, 3, now);
        bind_text(s, 4, id);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    }
    if (rc != 0)
        store_fail(a->st, err, a->t->name);
    sqlite3_finalize(s);
    return rc;
}

/* A pulled row hit a UNIQUE constraint besides id: find the other row and
 * rename the one with the greater id (see the top of this file). *renamed
 * gets the new value for the pulled row's column when the pulled row is the
 * one renamed (its index in *col). Returns 0 when resolved. */
static int resolve_unique(struct applier *a, char **v, size_t *lens, int *col, char **renamed,
                          char **err)
{
    const struct ledger_table *t = a->t;
    if (!a->keys_loaded && load_unique_keys(a, err) != 0)
        return -1;
    const char *pid = v[t->col_id];
    for (int k = 0; k < a->nkeys; k++) {
        struct unique_key *key = &a->keys[k];
        int skip = 0, textcol = -1;
        struct strbuf sb = STRBUF_INIT;
        sb_puts(&sb, "SELECT id FROM ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " WHERE id <> ?1");
        for (int i = 0; i < key->ncols; i++) {
            if (!v[key->cols[i]])
                skip = 1;
            if (textcol < 0 && t->aff[key->cols[i]] == 't')
                textcol = key->cols[i];
            sb_puts(&sb, " AND ");
            sql_ident(&sb, t->cols[key->cols[i]]);
            sb_printf(&sb, " = ?%d", i + 2);
        }
        if (skip || textcol < 0) {
            sb_free(&sb);
            continue;
        }
        sqlite3_stmt *s = NULL;
        char *other = NULL;
        if (sqlite3_prepare_v2(a->st->db, sb.buf, -1, &s, NULL) == SQLITE_OK) {
            bind_text(s, 1, pid);
            for (int i = 0; i < key->ncols; i++)
                bind_field(s, i + 2, t->aff[key->cols[i]], v[key->cols[i]], lens[key->cols[i]]);
            if (sqlite3_step(s) == SQLITE_ROW)
                other = xstrdup(col_text(s, 0));
        }
        sqlite3_finalize(s);
        sb_free(&sb);
        if (!other)
            continue;
        int pulled_loses = strcmp(pid, other) > 0;
        const char *loser = pulled_loses ? pid : other;
        const char *winner = pulled_loses ? other : pid;
        size_t idlen = strlen(loser);
        char *newval = xasprintf("%s~%s", v[textcol], loser + (idlen > 8 ? idlen - 8 : 0));
        char *detail =
            sync_conflict_unique_detail(t->cols[textcol], v[textcol], winner, loser, newval);
        int rc = 0;
        if (pulled_loses) {
            *col = textcol;
            *renamed = newval;
            newval = NULL;
        } else {
            /* Rename the local row, as a local edit. */
            struct strbuf u = STRBUF_INIT;
            sb_puts(&u, "UPDATE ");
            sql_ident(&u, t->name);
            sb_puts(&u, " SET ");
            sql_ident(&u, t->cols[textcol]);
            sb_puts(&u, " = ?1 WHERE id = ?2");
            sqlite3_stmt *us = NULL;
            rc = sqlite3_prepare_v2(a->st->db, u.buf, -1, &us, NULL) == SQLITE_OK ? 0 : -1;
            sb_free(&u);
            if (rc == 0) {
                bind_text(us, 1, newval);
                bind_text(us, 2, other);
                rc = sqlite3_step(us) == SQLITE_DONE ? 0 : -1;
            }
            if (rc != 0)
                store_fail(a->st, err, t->name);
            sqlite3_finalize(us);
            if (rc == 0)
                rc = touch_row(a, other, err);
        }
        if (rc == 0)
            rc = store_audit(a->st, "sync.conflict", t->name, loser, detail, err);
        if (rc == 0)
            a->conflicts++;
        free(detail);
        free(newval);
        free(other);
        return rc;
    }
    set_err(err, _("%s: a pulled row conflicts with a local one: %s"), t->name,
            sqlite3_errmsg(a->st->db));
    return -1;
}

static int step_write(struct applier *a, sqlite3_stmt *s, char **v, size_t *lens)
{
    sqlite3_reset(s);
    for (int i = 0; i < a->t->ncols; i++)
        bind_field(s, i + 1, a->t->aff[i], v[i], lens[i]);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc;
}

/* Writes the pulled row with ins or upd, resolving UNIQUE collisions.
 * Returns 0 or -1. */
static int write_row(struct applier *a, sqlite3_stmt *s, char **v, size_t *lens, int *changed,
                     char **err)
{
    *changed = 0;
    a->touched = 0;
    char *renamed = NULL;
    int renamed_col = -1, touch = 0;
    char *orig_v = NULL;
    size_t orig_len = 0;
    int rc = -1;
    for (int attempt = 0; attempt < 8; attempt++) {
        int step = step_write(a, s, v, lens);
        if (step == SQLITE_DONE) {
            *changed = sqlite3_changes(a->st->db) > 0;
            rc = 0;
            break;
        }
        if (sqlite3_extended_errcode(a->st->db) != SQLITE_CONSTRAINT_UNIQUE) {
            store_fail(a->st, err, a->t->name);
            break;
        }
        char *nv = NULL;
        int col = -1;
        if (resolve_unique(a, v, lens, &col, &nv, err) != 0)
            break;
        if (nv) {
            if (renamed_col < 0) {
                renamed_col = col;
                orig_v = v[col];
                orig_len = lens[col];
            }
            free(renamed);
            renamed = nv;
            v[col] = renamed;
            lens[col] = strlen(renamed);
            touch = 1;
        }
    }
    if (rc == 0 && touch) {
        /* The pulled row was renamed: it is now this console's edit, based
         * on the version pulled (so the push sees no concurrent edit). */
        a->touched = 1;
        rc = touch_row(a, v[a->t->col_id], err);
        if (rc == 0) {
            sqlite3_stmt *b = store_stmt(
                a->st, "UPDATE local_sync_outbox SET base_hlc = ?1, base_origin = ?2 WHERE tbl = "
                       "?3 AND row_id = ?4 AND base_hlc IS NULL");
            bind_text(b, 1, v[a->t->col_hlc]);
            bind_text(b, 2, v[a->t->col_origin]);
            bind_text(b, 3, a->t->name);
            bind_text(b, 4, v[a->t->col_id]);
            if (sqlite3_step(b) != SQLITE_DONE)
                rc = store_fail(a->st, err, a->t->name);
            sqlite3_reset(b);
        }
    }
    if (renamed_col >= 0) {
        v[renamed_col] = orig_v;
        lens[renamed_col] = orig_len;
    }
    free(renamed);
    return rc;
}

/* Audits a version the LWW rule dropped while this console's own edit of the
 * row was still unpushed. winner: "central" or "local". */
static int audit_overwrite(struct applier *a, char **v, int64_t lhlc, const char *lorigin,
                           const char *winner, char **err)
{
    const struct ledger_table *t = a->t;
    char *mine = local_json(a, v[t->col_id]);
    char *theirs = values_json(t, v);
    char lh[24];
    snprintf(lh, sizeof lh, "%lld", (long long)lhlc);
    char *d = sync_conflict_edit_detail(winner, v[t->col_hlc], v[t->col_origin], theirs, lh,
                                        lorigin, mine);
    int rc = store_audit(a->st, "sync.conflict", t->name, v[t->col_id], d, err);
    if (rc == 0)
        a->conflicts++;
    free(d);
    free(mine);
    free(theirs);
    return rc;
}

/* Is an unpushed local change of the row noted in the outbox? -1: *err says why it is not known. */
static int outbox_has(struct store *st, const char *table, const char *id, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT 1 FROM local_sync_outbox WHERE tbl = ?1 AND row_id = ?2 LIMIT 1");
    bind_text(s, 1, table);
    bind_text(s, 2, id);
    int found = store_one_row(s, err);
    sqlite3_reset(s);
    return found;
}

/* Was a pending local edit of the row made on top of this version? -1 on a read error. */
static int edited_on(struct applier *a, const char *id, const char *hlc, const char *origin,
                     char **err)
{
    sqlite3_stmt *s = store_stmt(a->st, "SELECT 1 FROM local_sync_outbox WHERE tbl = ?1 AND "
                                        "row_id = ?2 AND base_hlc = ?3 AND base_origin = ?4");
    bind_text(s, 1, a->t->name);
    bind_text(s, 2, id);
    bind_int(s, 3, strtoll(hlc, NULL, 10));
    bind_text(s, 4, origin);
    int found = store_one_row(s, err);
    sqlite3_reset(s);
    return found;
}

/* Applies one pulled version. *applied = 1 when it changed the store; *same
 * = 1 when the store already held exactly this version. */
static int apply_version(struct applier *a, char **v, size_t *lens, int *applied, int *same,
                         char **err)
{
    const struct ledger_table *t = a->t;
    *applied = 0;
    *same = 0;
    a->touched = 0;
    if (!v[t->col_id] || !v[t->col_hlc] || !v[t->col_origin]) {
        set_err(err, _("%s: a central row lacks id, hlc or origin"), t->name);
        return -1;
    }
    int64_t hlc = strtoll(v[t->col_hlc], NULL, 10);
    store_hlc_observe(a->st, hlc);
    int allowed = sync_operator_version_allowed(a->st, t, v, err);
    if (allowed < 0)
        return -1;
    if (!allowed) {
        hold(a, v, lens);
        return 0;
    }
    if (t->append_only) {
        int step = step_write(a, a->ins, v, lens);
        if (step != SQLITE_DONE)
            return store_fail(a->st, err, t->name);
        *applied = sqlite3_changes(a->st->db) > 0;
        *same = !*applied;
        return 0;
    }
    /* Most pulled rows are new here: try the insert first (it does nothing
     * when the id exists), and only then compare versions. */
    int inserted = 0;
    if (write_row(a, a->ins, v, lens, &inserted, err) != 0)
        return -1;
    if (inserted) {
        *applied = 1;
        return 0;
    }
    sqlite3_reset(a->sel);
    bind_text(a->sel, 1, v[t->col_id]);
    if (sqlite3_step(a->sel) != SQLITE_ROW) {
        sqlite3_reset(a->sel);
        set_err(err, _("%s: a pulled row could not be stored"), t->name);
        return -1;
    }
    int64_t lhlc = sqlite3_column_int64(a->sel, 0);
    char *lorigin = xstrdup(col_text(a->sel, 1) ? col_text(a->sel, 1) : "");
    sqlite3_reset(a->sel);
    int cmp = hlc < lhlc ? -1 : hlc > lhlc ? 1 : strcmp(v[t->col_origin], lorigin);
    int rc = 0;
    if (cmp > 0) {
        /* The pulled version wins. If this console's own edit of the row is
         * still unpushed, it is overwritten here: record both. */
        int has = streq(lorigin, a->st->origin) ? outbox_has(a->st, t->name, v[t->col_id], err) : 0;
        if (has < 0)
            rc = -1;
        else if (has)
            rc = audit_overwrite(a, v, lhlc, lorigin, "central", err);
        int updated = 0;
        if (rc == 0)
            rc = write_row(a, a->upd, v, lens, &updated, err);
        if (rc == 0)
            *applied = 1;
    }
    /* cmp == 0: the same version; cmp < 0: the local version is newer and
     * still to be pushed (its push compares it with the central copy; it
     * skips this console's own central versions, which a full pull after a
     * restore meets here: an edit made on the restored store replaces a
     * version the operator never saw there, so that is recorded now). */
    *same = cmp == 0;
    if (cmp < 0 && a->full && streq(v[t->col_origin], a->st->origin) &&
        streq(lorigin, a->st->origin)) {
        int has = outbox_has(a->st, t->name, v[t->col_id], err);
        int on = has > 0 ? edited_on(a, v[t->col_id], v[t->col_hlc], v[t->col_origin], err) : 0;
        if (has < 0 || on < 0)
            rc = -1;
        else if (has && !on)
            rc = audit_overwrite(a, v, lhlc, lorigin, "local", err);
    }
    free(lorigin);
    return rc;
}

static int apply_row(struct applier *a, char **v, size_t *lens, int *applied, char **err);

/* Records a refused operator version as a sync conflict (the local version
 * stays, and wins until a manager writes a newer one). */
static int refuse_version(struct applier *a, char **v, char **err)
{
    const struct ledger_table *t = a->t;
    int by = ledger_col(t, "changed_by");
    char *lhlc = NULL, *lorigin = NULL;
    sqlite3_reset(a->sel);
    bind_text(a->sel, 1, v[t->col_id]);
    if (sqlite3_step(a->sel) == SQLITE_ROW) {
        lhlc = col_dup(a->sel, 0);
        lorigin = col_dup(a->sel, 1);
    }
    sqlite3_reset(a->sel);
    char *theirs = values_json(t, v);
    char *mine = local_json(a, v[t->col_id]);
    char *d = sync_conflict_refused_detail("not a manager", by >= 0 ? v[by] : NULL, v[t->col_hlc],
                                           v[t->col_origin], theirs, lhlc, lorigin, mine);
    int rc = store_audit(a->st, "sync.conflict", t->name, v[t->col_id], d, err);
    if (rc == 0)
        a->conflicts++;
    free(d), free(mine), free(theirs), free(lhlc), free(lorigin);
    return rc;
}

/* Applies the held versions whose author is now known as a manager (until no
 * more can be), and refuses the rest. */
static int settle_held(struct applier *a, long long *pulled, char **err)
{
    for (int progress = 1; progress && a->nheld;) {
        progress = 0;
        for (size_t i = 0; i < a->nheld;) {
            int ok = sync_operator_version_allowed(a->st, a->t, a->held[i].v, err);
            if (ok < 0)
                return -1;
            if (!ok) {
                i++;
                continue;
            }
            int applied = 0;
            struct held_version h = held_take(a, i);
            int rc = apply_row(a, h.v, h.lens, &applied, err);
            held_free(a, &h);
            if (rc != 0)
                return -1;
            *pulled += applied;
            progress = 1;
        }
    }
    while (a->nheld) {
        struct held_version h = held_take(a, a->nheld - 1);
        int rc = refuse_version(a, h.v, err);
        held_free(a, &h);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Applies one pulled row. *applied = 1 when it changed the store. */
static int apply_row(struct applier *a, char **v, size_t *lens, int *applied, char **err)
{
    int same = 0;
    if (apply_version(a, v, lens, applied, &same, err) != 0)
        return -1;
    /* A full pull writes this console's own versions back: the outbox
     * triggers note them, and an older local edit the central version
     * replaced may still be noted. The row now equals the central copy, so
     * there is nothing of it to push. */
    if (a->full && (*applied || same) && !a->touched && streq(v[a->t->col_origin], a->st->origin)) {
        sqlite3_reset(a->forget);
        bind_text(a->forget, 1, a->t->name);
        bind_text(a->forget, 2, v[a->t->col_id]);
        int step = sqlite3_step(a->forget);
        sqlite3_reset(a->forget);
        if (step != SQLITE_DONE)
            return store_fail(a->st, err, a->t->name);
    }
    return 0;
}

static int save_cursor(struct store *st, const char *table, int64_t seq, long long pulled,
                       char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO local_sync_tables(tbl, pull_seq, pulled_total) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(tbl) DO UPDATE SET pull_seq = max(pull_seq, excluded.pull_seq), "
            "pulled_total = pulled_total + excluded.pulled_total");
    bind_text(s, 1, table);
    bind_int(s, 2, seq);
    bind_int(s, 3, pulled);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("saving the sync state"));
    sqlite3_reset(s);
    return rc;
}

static int64_t cursor_of(struct store *st, const char *table)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT pull_seq FROM local_sync_tables WHERE tbl = ?1");
    bind_text(s, 1, table);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return v;
}

/* full: every row, this console's own included (see sync_run_full). */
static int pull_table(struct store *st, PGconn *c, const struct ledger_table *t, int full,
                      int64_t cursor, int64_t upto, long long own_lo, long long own_hi,
                      struct sync_report *rep, sync_progress_fn progress, void *ud, long long *done,
                      long long total, char **err)
{
    /* Rows whose central version is this console's own are skipped: this
     * store has that version or a newer local one (a console's versions of
     * a row only move forward; restore_check in each round makes sure that
     * still holds). After a push that is most of what is new. */
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "COPY (SELECT ");
    sync_col_list(&sb, t, NULL);
    sb_puts(&sb, ", server_seq FROM unyo.");
    sql_ident(&sb, t->name);
    if (full)
        sb_printf(&sb, " WHERE server_seq > %lld AND server_seq <= %lld", (long long)cursor,
                  (long long)upto);
    else if (own_hi >= own_lo && own_lo > 0 && own_hi >= cursor && own_lo <= upto)
        /* The range this round's push just filled holds only this console's
         * rows: two index ranges around it, so it is not even scanned. */
        sb_printf(&sb,
                  " WHERE ((server_seq > %lld AND server_seq < %lld) OR (server_seq > %lld AND "
                  "server_seq <= %lld)) AND origin <> ",
                  (long long)cursor, own_lo, own_hi, (long long)upto);
    else
        sb_printf(&sb, " WHERE server_seq > %lld AND server_seq <= %lld AND origin <> ",
                  (long long)cursor, (long long)upto);
    if (!full) {
        char *lit = PQescapeLiteral(c, st->origin, strlen(st->origin));
        sb_puts(&sb, lit ? lit : "''");
        PQfreemem(lit);
    }
    sb_puts(&sb, " ORDER BY server_seq) TO STDOUT");
    struct applier a;
    if (applier_init(&a, st, t, err) != 0) {
        applier_free(&a);
        sb_free(&sb);
        return -1;
    }
    a.full = full;
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    if (sync_pg_ok(c, r, PGRES_COPY_OUT, t->name, err) != 0) {
        PQclear(r);
        applier_free(&a);
        return -1;
    }
    PQclear(r);
    int nf = t->ncols + 1;
    char **v = xcalloc((size_t)nf + 1, sizeof *v);
    size_t *lens = xcalloc((size_t)nf + 1, sizeof *lens);
    int rc = 0, in_tx = 0;
    long long pulled = 0, chunk = 0, chunk_pulled = 0;
    int64_t last = cursor;
    char *buf = NULL;
    int n;
    while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
        if (rc != 0) {
            PQfreemem(buf);
            continue; /* drain */
        }
        if (!in_tx) {
            if (store_begin(st, err) != 0) {
                rc = -1;
                PQfreemem(buf);
                continue;
            }
            in_tx = 1;
        }
        size_t len = (size_t)n;
        if (len > 0 && buf[len - 1] == '\n')
            len--;
        int got = sync_copy_split(buf, len, v, lens, nf);
        if (got != nf || !v[nf - 1]) {
            set_err(err, _("%s: unexpected row from the central database"), t->name);
            rc = -1;
        } else {
            int applied = 0;
            rc = apply_row(&a, v, lens, &applied, err);
            if (applied) {
                pulled++;
                chunk_pulled++;
            }
            last = strtoll(v[nf - 1], NULL, 10);
        }
        PQfreemem(buf);
        /* A chunk ends in a commit, but not while an operator version is held: the
         * version that decides it may come in the next chunk (operators are few). */
        if (rc == 0 && ++chunk >= PULL_CHUNK && a.nheld == 0) {
            rc = save_cursor(st, t->name, last, chunk_pulled, err);
            if (rc == 0)
                rc = store_commit(st, err);
            if (rc != 0)
                store_rollback(st);
            in_tx = 0;
            chunk = chunk_pulled = 0;
            (*done) += PULL_CHUNK;
            if (progress)
                progress(ud, "pull", *done, total);
        }
    }
    if (n == -2 && rc == 0)
        rc = central_fail(c, NULL, t->name, err);
    while ((r = PQgetResult(c)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = central_fail(c, r, t->name, err);
        PQclear(r);
    }
    if (rc == 0 && !in_tx) {
        rc = store_begin(st, err);
        in_tx = rc == 0;
    }
    if (rc == 0 && in_tx) {
        long long late = 0;
        rc = settle_held(&a, &late, err);
        pulled += late;
        chunk_pulled += late;
        /* Everything up to the snapshot's last seq was seen (own rows too). */
        if (rc == 0)
            rc = save_cursor(st, t->name, upto, chunk_pulled, err);
        if (rc == 0)
            rc = store_commit(st, err);
        if (rc != 0)
            store_rollback(st);
        (*done) += chunk;
    } else if (in_tx) {
        store_rollback(st);
    }
    if (rc == 0 && rep && (pulled > 0 || a.conflicts > 0)) {
        struct sync_table_report *tr = sync_report_for(rep, t->name);
        tr->pulled += pulled;
        tr->conflicts += a.conflicts;
        rep->pulled += pulled;
        rep->conflicts += a.conflicts;
    }
    applier_free(&a);
    free(v);
    free(lens);
    return rc;
}

#define PULL_BULK_MIN 20000

/* Rows the pull will apply (other consoles' versions in the cursor ranges). */
static long long pull_count(struct store *st, PGconn *c, const struct ledger_schema *ls,
                            const int64_t *cur, const int64_t *maxseq)
{
    struct strbuf sb = STRBUF_INIT;
    char *lit = PQescapeLiteral(c, st->origin, strlen(st->origin));
    sb_puts(&sb, "SELECT 0");
    for (int i = 0; i < ls->count; i++) {
        if (maxseq[i] <= cur[i])
            continue;
        sb_puts(&sb, " + (SELECT count(*) FROM unyo.");
        sql_ident(&sb, ls->t[i].name);
        sb_printf(&sb, " WHERE server_seq > %lld AND server_seq <= %lld AND origin <> %s)",
                  (long long)cur[i], (long long)maxseq[i], lit ? lit : "''");
    }
    PQfreemem(lit);
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    long long n = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

/* Roughly how many rows the store holds (~500 bytes a row with its indexes). */
static long long store_rows_estimate(struct store *st)
{
    sqlite3_stmt *s = NULL;
    long long bytes = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT page_count * page_size FROM pragma_page_count(), "
                           "pragma_page_size()",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        bytes = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return bytes / 500;
}

/* own: rows this round just pushed (their seqs are in the ranges, but the
 * pull skips them), to tell a real backlog from an echo of the push.
 * full: every central row from the start, this console's own included.
 * check: look for a restored store first (see restore_check). */
int sync_pull(struct store *st, PGconn *c, const struct ledger_schema *ls, int full, int check,
              long long own, long long own_lo, long long own_hi, struct sync_report *rep,
              sync_progress_fn progress, void *ud, char **err)
{
    const char *doing = _("pulling from the central database");
    /* One snapshot for the whole pull: what it sees is a prefix of the
     * pushes in server_seq order (pushes are serialised, see push). */
    if (central_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", doing, err) != 0)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < ls->count; i++) {
        if (i)
            sb_puts(&sb, " UNION ALL ");
        sb_printf(&sb, "SELECT %d, (SELECT max(server_seq) FROM unyo.", i);
        sql_ident(&sb, ls->t[i].name);
        sb_puts(&sb, ")");
    }
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    if (sync_pg_ok(c, r, PGRES_TUPLES_OK, doing, err) != 0) {
        PQclear(r);
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    int64_t *maxseq = xcalloc((size_t)ls->count + 1, sizeof *maxseq);
    int64_t *cur = xcalloc((size_t)ls->count + 1, sizeof *cur);
    long long total = 0, done = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        int ti = atoi(PQgetvalue(r, i, 0));
        if (ti >= 0 && ti < ls->count && !PQgetisnull(r, i, 1))
            maxseq[ti] = strtoll(PQgetvalue(r, i, 1), NULL, 10);
    }
    PQclear(r);
    for (int i = 0; i < ls->count; i++) {
        cur[i] = full ? 0 : cursor_of(st, ls->t[i].name);
        if (maxseq[i] > cur[i])
            total += maxseq[i] - cur[i]; /* an upper bound: seqs have gaps */
    }
    int rc = 0;
    if (check && sync_restore_check(st, c, ls, cur, maxseq, err) != 0) {
        PQclear(PQexec(c, "ROLLBACK"));
        free(maxseq);
        free(cur);
        return -1;
    }
    sync_trace("pull: probed");
    /* A large backlog (a new console, a long time offline) would pay the
     * search index's per-row triggers (~25 us a row); suspending them and
     * rebuilding the index once afterwards costs ~4 us per row of the whole
     * store. So suspend when the rows to apply are more than a sixth of what
     * the store holds. The pull does not rebuild: it commits with the index
     * still suspended and sync_index_build (the CLI after printing, the
     * console in the background) rebuilds it; meanwhile a search scans the
     * rows (search.c). local_sync_meta's search_suspended says "pulling"
     * while a pull runs (nobody rebuilds under it) and "1" once the rows are
     * in; a round killed in between leaves "pulling", which the next pull
     * turns to "1". A full pull mostly meets rows the store has (no trigger
     * fires for them): not worth a rebuild. */
    char *flag = sync_meta_get(st, "search_suspended");
    int resume = flag != NULL;
    free(flag);
    if (!full && total - own >= PULL_BULK_MIN && !resume && !search_suspended(st)) {
        long long rows = pull_count(st, c, ls, cur, maxseq);
        if (rows >= PULL_BULK_MIN && rows * 6 > store_rows_estimate(st)) {
            char *e2 = NULL;
            if (search_suspend(st, &e2) == 0)
                resume = 1;
            free(e2); /* no index to suspend: nothing to gain, carry on */
        }
    }
    if (resume)
        sync_meta_set(st, "search_suspended", "pulling");
    /* Foreign keys: see the top of this file. The pragma is a no-op inside
     * a transaction, so it is set around the per-chunk transactions. */
    store_exec(st, "PRAGMA foreign_keys = OFF", NULL);
    /* A large page cache while applying: a backlog touches the same index
     * pages again and again; spilling them to the WAL mid-transaction would
     * write them many times. Restored afterwards. */
    int64_t cache = -2000;
    sqlite3_stmt *cs = NULL;
    if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &cs, NULL) == SQLITE_OK &&
        sqlite3_step(cs) == SQLITE_ROW)
        cache = sqlite3_column_int64(cs, 0);
    sqlite3_finalize(cs);
    if (total > 1000)
        store_exec(st, "PRAGMA cache_size = -131072", NULL);
    /* Every insert that fires triggers keeps a statement journal of the
     * pages it touches; on disk (the default) that was 9 of 10 writes of a
     * big pull. In memory it is a copy per page, dropped per statement. */
    store_exec(st, "PRAGMA temp_store = MEMORY", NULL);
    /* One checkpoint after the pull, not one per chunk: pages a later chunk
     * dirties again are copied into the database file once. */
    if (total > 1000)
        store_exec(st, "PRAGMA wal_autocheckpoint = 0", NULL);
    for (int i = 0; rc == 0 && i < ls->count; i++)
        if (maxseq[i] > cur[i])
            rc = pull_table(st, c, &ls->t[i], full, cur[i], maxseq[i], own_lo, own_hi, rep,
                            progress, ud, &done, total, err);
    store_exec(st, "PRAGMA foreign_keys = ON", NULL);
    if (resume) {
        sync_trace("pull: applied");
        sync_meta_set(st, "search_suspended", "1"); /* the rows are in: build it */
    }
    store_exec(st, "PRAGMA temp_store = DEFAULT", NULL);
    if (total > 1000) {
        store_exec(st, "PRAGMA wal_autocheckpoint = 1000", NULL);
        store_exec(st, "PRAGMA wal_checkpoint(PASSIVE)", NULL);
    }
    char *restore = xasprintf("PRAGMA cache_size = %lld", (long long)cache);
    store_exec(st, restore, NULL);
    free(restore);
    if (rc == 0)
        rc = central_exec(c, "COMMIT", doing, err);
    else
        PQclear(PQexec(c, "ROLLBACK"));
    free(maxseq);
    free(cur);
    return rc;
}

/* ---- restored stores ----------------------------------------------------- */

/* A store file restored from a backup (same console id) lacks the versions
 * this console pushed after the backup, and its clock is as old as the
 * backup. Left alone, the pull skips rows of this console's origin (see
 * pull_table), so those versions never come back; and LWW does not protect
 * them: an edit on the restored store usually carries a later clock and
 * replaces, unrecorded (the push's conflict check ignores this console's own
 * central versions), a version the operator never saw there; if the clock
 * had been pushed ahead by another console's, the edit silently loses. So a
 * round that finds the store restored sends and receives nothing (the
 * cursors stay where the backup left them) until `unyo sync --full`.
 *
 * Detection: central rows of this origin above the pull cursors that the
 * store lacks or holds in an older version and has not noted in its outbox
 * (a push committed centrally whose local bookkeeping was cut, or another
 * process's push on this store, are noted there). Normally there are none:
 * the last pull moved the cursors past everything, its own push included.
 * Cheap: with nothing to send, the pull's snapshot already reads each
 * table's max(server_seq), and only tables with rows above the cursor are
 * probed, so an up-to-date round sends no extra query; with something to
 * send, every table is probed (an index range each) before sending.
 *
 * Not done automatically: a restore is an event the operator should know
 * of, and the full pull decides, row by row, between edits made since the
 * restore and newer versions made before it (recorded in the audit trail
 * when they differ). A store copied to another machine with its console id shows the
 * same way, and there a full pull would hide the two consoles sharing one id
 * rather than fix it. And a full pull of a large central database is a long
 * download the background worker should not start unannounced. */

#define RESTORE_PROBE_ROWS 16

int sync_restore_refused(char **err)
{
    set_err(err, _("this store was restored from an older copy: the central database holds "
                   "changes this console made that the store lacks. Nothing was sent or "
                   "received; run `unyo sync --full` to bring them back"));
    return -1;
}

/* Does the store hold this version of a row of t (or a newer one), or is
 * the row noted in the outbox? -1 with *err set when the store cannot be read. */
static int version_known(struct store *st, const struct ledger_table *t, const char *id,
                         int64_t hlc, char **err)
{
    char *sql = xasprintf("SELECT hlc, origin FROM \"%s\" WHERE id = ?1", t->name);
    sqlite3_stmt *s = NULL;
    int known = 0, got = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
        bind_text(s, 1, id);
        if ((got = store_one_row(s, err)) == 1) {
            int64_t lhlc = sqlite3_column_int64(s, 0);
            const char *lorigin = col_text(s, 1) ? col_text(s, 1) : "";
            known = lhlc > hlc || (lhlc == hlc && strcmp(lorigin, st->origin) >= 0);
        }
    }
    sqlite3_finalize(s);
    free(sql);
    if (got < 0)
        return -1;
    return known ? 1 : outbox_has(st, t->name, id, err);
}

/* Refuses the round (-1, *err says to run --full) when the store looks
 * restored. Probes the tables whose central max(server_seq) is above the
 * cursor (maxseq NULL: every table; cur NULL: the saved cursors): an
 * up-to-date round has none, so it sends no query at all. */
int sync_restore_check(struct store *st, PGconn *c, const struct ledger_schema *ls,
                       const int64_t *cur, const int64_t *maxseq, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < ls->count; i++) {
        int64_t cursor = cur ? cur[i] : cursor_of(st, ls->t[i].name);
        if (maxseq && maxseq[i] <= cursor)
            continue;
        sb_printf(&sb, "%s(SELECT %d, id, hlc FROM unyo.", sb.len ? " UNION ALL " : "", i);
        sql_ident(&sb, ls->t[i].name);
        sb_printf(&sb,
                  " WHERE server_seq > %lld AND origin = $1 ORDER BY server_seq DESC LIMIT %d)",
                  (long long)cursor, RESTORE_PROBE_ROWS);
    }
    if (sb.len == 0)
        return 0;
    const char *params[1] = {st->origin};
    PGresult *r = PQexecParams(c, sb.buf, 1, NULL, params, NULL, NULL, 0);
    sb_free(&sb);
    if (sync_pg_ok(c, r, PGRES_TUPLES_OK, _("pulling from the central database"), err) != 0) {
        PQclear(r);
        return -1;
    }
    int restored = 0;
    for (int i = 0; i < PQntuples(r) && !restored; i++) {
        int ti = atoi(PQgetvalue(r, i, 0));
        if (ti >= 0 && ti < ls->count) {
            int known = version_known(st, &ls->t[ti], PQgetvalue(r, i, 1),
                                      strtoll(PQgetvalue(r, i, 2), NULL, 10), err);
            if (known < 0) {
                PQclear(r);
                return -1;
            }
            restored = !known;
        }
    }
    PQclear(r);
    if (!restored)
        return 0;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    if (store_begin(st, err) != 0)
        return -1;
    if (sync_meta_set(st, "restore_detected", now) != 0) {
        store_rollback(st);
        return store_fail(st, err, _("saving the sync state"));
    }
    if (store_commit(st, err) != 0)
        return -1;
    return sync_restore_refused(err);
}
