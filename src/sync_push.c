/* Sync, push: this console's outbox to the central database.
 *
 * Push: one PostgreSQL transaction. Rows are COPY'd into temp tables, then
 * pg_advisory_xact_lock serialises pushers and one INSERT ... SELECT ... ON
 * CONFLICT per table merges them (append-only: DO NOTHING; mutable: update
 * only when (hlc, origin) is greater), stamping server_seq from one global
 * sequence. Because the lock is held from the first nextval to the commit,
 * server_seq order is commit order, and a pull by server_seq cannot skip a
 * row committed late.
 *
 * A row the central database refuses is set aside (see below) so the rest
 * flows; sync_retry_set_aside puts set-aside rows back. */
#include "sync.h"

#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "chain.h"
#include "i18n.h"
#include "json.h"
#include "store.h"
#include "sync_conflicts.h"
#include "sync_int.h"
#include "timefmt.h"
#include "util.h"

#define COPY_FLUSH (256 * 1024)

/* ---- push ---------------------------------------------------------------- */

struct push_conflict {
    char *table, *id, *detail;
};

/* A local edit re-stamped by the push (see push_restamp). */
struct push_restamp {
    const char *table;
    char *id;
    int64_t old_hlc, new_hlc;
};

/* Columns whose difference makes two versions of a row different values. */
static void value_cols(struct strbuf *sb, const struct ledger_table *t, const char *prefix)
{
    int first = 1;
    for (int i = 0; i < t->ncols; i++) {
        if (i == t->col_hlc || i == t->col_origin || i == t->col_updated_at)
            continue;
        if (!first)
            sb_puts(sb, ", ");
        first = 0;
        sb_puts(sb, prefix);
        sql_ident(sb, t->cols[i]);
    }
}

/* COPYs the pending rows of one table: into a temp table (direct = 0), or
 * straight into the mirror (direct = 1, server_seq from its default) inside a
 * savepoint. *rows gets the count. Returns 0, -1 on failure, or 1 when a
 * direct COPY was refused by the server (an id already there, say) and rolled
 * back to the savepoint: then the caller takes the temp-table way. */
static int push_copy(struct store *st, PGconn *c, const struct ledger_table *t, int ti, int direct,
                     int64_t upto, long long *rows, sync_progress_fn progress, void *ud,
                     long long *done, long long total, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    const char *doing = t->name;
    *rows = 0;
    if (direct) {
        if (central_exec(c, "SAVEPOINT sync_direct", doing, err) != 0) {
            sb_free(&sb);
            return -1;
        }
        sb_puts(&sb, "COPY unyo.");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " (");
        sync_col_list(&sb, t, NULL);
        sb_puts(&sb, ") FROM STDIN");
    } else {
        sb_printf(&sb, "CREATE TEMP TABLE sync_in_%d (", ti);
        for (int i = 0; i < t->ncols; i++) {
            sql_ident(&sb, t->cols[i]);
            sb_printf(&sb, " %s, ", central_pg_type(t->aff[i]));
        }
        sb_puts(&sb, "base_hlc bigint, base_origin text) ON COMMIT DROP");
        if (central_exec(c, sb.buf, doing, err) != 0) {
            sb_free(&sb);
            return -1;
        }
        sb_reset(&sb);
        sb_printf(&sb, "COPY sync_in_%d (", ti);
        sync_col_list(&sb, t, NULL);
        sb_puts(&sb, ", base_hlc, base_origin) FROM STDIN");
    }
    PGresult *r = PQexec(c, sb.buf);
    if (sync_pg_ok(c, r, PGRES_COPY_IN, doing, err) != 0) {
        PQclear(r);
        sb_free(&sb);
        return -1;
    }
    PQclear(r);

    sb_reset(&sb);
    sb_puts(&sb, "SELECT ");
    sync_col_list(&sb, t, "t.");
    if (direct)
        /* Only new rows: one outbox entry each (were there two, the COPY
         * would be refused on the duplicate id and the merge would follow). */
        sb_puts(&sb, ", o.base_hlc, o.base_origin FROM local_sync_outbox o JOIN ");
    else
        sb_puts(&sb, ", o.base_hlc, o.base_origin FROM (SELECT row_id, min(seq) AS s, base_hlc, "
                     "base_origin FROM local_sync_outbox WHERE tbl = ?1 AND seq <= ?2 GROUP BY "
                     "row_id) o JOIN ");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " t ON t.id = o.row_id WHERE ");
    if (direct)
        sb_puts(&sb, "o.tbl = ?1 AND o.seq <= ?2 AND ");
    sb_puts(&sb, "(t.origin = ?3 OR o.base_origin = '*')");
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sb.buf, -1, &s, NULL) != SQLITE_OK) {
        store_fail(st, err, t->name);
        PQputCopyEnd(c, "prepare failed");
        PQclear(PQgetResult(c));
        sb_free(&sb);
        return -1;
    }
    bind_text(s, 1, t->name);
    bind_int(s, 2, upto);
    bind_text(s, 3, st->origin);
    sb_reset(&sb);
    int step, rc = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < t->ncols; i++) {
            if (i)
                sb_putc(&sb, '\t');
            sync_copy_value(&sb, s, i, t->aff[i]);
        }
        if (!direct) {
            sb_putc(&sb, '\t');
            sync_copy_value(&sb, s, t->ncols, 'i');
            sb_putc(&sb, '\t');
            sync_copy_value(&sb, s, t->ncols + 1, 't');
        }
        sb_putc(&sb, '\n');
        (*rows)++;
        if (sb.len >= COPY_FLUSH) {
            if (PQputCopyData(c, sb.buf, (int)sb.len) != 1) {
                rc = central_fail(c, NULL, doing, err);
                break;
            }
            sb_reset(&sb);
            if (progress)
                progress(ud, "push", *done + *rows, total);
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_fail(st, err, t->name);
    sqlite3_finalize(s);
    if (rc == 0 && sb.len > 0 && PQputCopyData(c, sb.buf, (int)sb.len) != 1)
        rc = central_fail(c, NULL, doing, err);
    sb_free(&sb);
    if (PQputCopyEnd(c, rc == 0 ? NULL : "aborted") != 1 && rc == 0)
        rc = central_fail(c, NULL, doing, err);
    int refused = 0;
    while ((r = PQgetResult(c)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (direct && PQstatus(c) == CONNECTION_OK)
                refused = 1;
            else
                rc = central_fail(c, r, doing, err);
        }
        PQclear(r);
    }
    if (direct && rc == 0) {
        if (refused) {
            if (central_exec(c, "ROLLBACK TO SAVEPOINT sync_direct", doing, err) != 0)
                return -1;
            *rows = 0;
            return 1;
        }
        rc = central_exec(c, "RELEASE SAVEPOINT sync_direct", doing, err);
    }
    *done += *rows;
    return rc;
}

/* Finds pushed rows that met a concurrent edit at the central database. */
static int push_conflicts(PGconn *c, const struct ledger_table *t, int ti, const char *me,
                          struct push_conflict **out, int *nout, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "SELECT i.id, (m.hlc, m.origin) > (i.hlc, i.origin), m.hlc, m.origin, i.hlc, "
                 "i.origin, to_jsonb(m) - 'server_seq', to_jsonb(i) - 'base_hlc' - 'base_origin' "
                 "FROM ");
    sb_printf(&sb, "sync_in_%d i JOIN unyo.", ti);
    sql_ident(&sb, t->name);
    sb_puts(&sb, " m ON m.id = i.id WHERE (m.hlc, m.origin) IS DISTINCT FROM (i.hlc, i.origin) "
                 "AND m.origin <> $1 AND i.origin = $1 AND i.base_origin IS DISTINCT FROM '*' "
                 "AND (m.hlc, m.origin) IS DISTINCT FROM (i.base_hlc, i.base_origin) AND (");
    value_cols(&sb, t, "m.");
    sb_puts(&sb, ") IS DISTINCT FROM (");
    value_cols(&sb, t, "i.");
    sb_puts(&sb, ")");
    const char *params[1] = {me};
    PGresult *r = PQexecParams(c, sb.buf, 1, NULL, params, NULL, NULL, 0);
    sb_free(&sb);
    if (sync_pg_ok(c, r, PGRES_TUPLES_OK, t->name, err) != 0) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        *out = xrealloc(*out, ((size_t)*nout + 1) * sizeof **out);
        struct push_conflict *pc = &(*out)[(*nout)++];
        int theirs = PQgetvalue(r, i, 1)[0] == 't';
        pc->detail = sync_conflict_edit_detail(
            theirs ? "central" : "local", PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
            PQgetvalue(r, i, 6), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), PQgetvalue(r, i, 7));
        pc->table = xstrdup(t->name);
        pc->id = xstrdup(PQgetvalue(r, i, 0));
    }
    PQclear(r);
    return 0;
}

/* An edit made on top of the central version, but stamped with a smaller
 * clock than it (another console's clock ahead of ours, or another process on
 * this store that had not seen the pulled clock): last-writer-wins would drop
 * it although it came after. Such rows get the central clock + 1, here and
 * (after the commit) in the store, so the later edit wins everywhere. */
static int push_restamp(PGconn *c, const struct ledger_table *t, int ti, const char *me,
                        struct push_restamp **out, int *nout, char **err)
{
    char *sql = xasprintf("WITH late AS (SELECT i.id, i.hlc AS old FROM sync_in_%d i JOIN "
                          "unyo.\"%s\" m ON m.id = i.id WHERE i.origin = $1 AND (i.hlc, "
                          "i.origin) < (m.hlc, m.origin) AND (m.hlc, m.origin) = (i.base_hlc, "
                          "i.base_origin)) UPDATE sync_in_%d i SET hlc = m.hlc + 1 FROM late, "
                          "unyo.\"%s\" m WHERE i.id = late.id AND m.id = late.id "
                          "RETURNING i.id, late.old, i.hlc",
                          ti, t->name, ti, t->name);
    const char *params[1] = {me};
    PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    free(sql);
    if (sync_pg_ok(c, r, PGRES_TUPLES_OK, t->name, err) != 0) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        *out = xrealloc(*out, ((size_t)*nout + 1) * sizeof **out);
        struct push_restamp *ps = &(*out)[(*nout)++];
        ps->table = t->name;
        ps->id = xstrdup(PQgetvalue(r, i, 0));
        ps->old_hlc = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        ps->new_hlc = strtoll(PQgetvalue(r, i, 2), NULL, 10);
    }
    PQclear(r);
    return 0;
}

/* base: server_seq values base + 1 .. base + rows are this table's (see push). */
static int push_merge(PGconn *c, const struct ledger_table *t, int ti, long long base,
                      long long *changed, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "INSERT INTO unyo.");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " AS t (");
    sync_col_list(&sb, t, NULL);
    sb_puts(&sb, ", server_seq) SELECT ");
    sync_col_list(&sb, t, NULL);
    sb_printf(&sb, ", %lld + row_number() OVER () FROM sync_in_%d s ", base, ti);
    if (t->append_only) {
        sb_puts(&sb, "ON CONFLICT (id) DO NOTHING");
    } else {
        sb_puts(&sb, "ON CONFLICT (id) DO UPDATE SET ");
        for (int i = 0; i < t->ncols; i++) {
            if (i == t->col_id)
                continue;
            sql_ident(&sb, t->cols[i]);
            sb_puts(&sb, " = EXCLUDED.");
            sql_ident(&sb, t->cols[i]);
            sb_puts(&sb, ", ");
        }
        sb_puts(&sb, "server_seq = EXCLUDED.server_seq WHERE (EXCLUDED.hlc, EXCLUDED.origin) > "
                     "(t.hlc, t.origin)");
    }
    PGresult *r = PQexec(c, sb.buf);
    sb_free(&sb);
    if (sync_pg_ok(c, r, PGRES_COMMAND_OK, t->name, err) != 0) {
        PQclear(r);
        return -1;
    }
    *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}

/* next = 1: the value the next nextval will give; 0: the last one given. */
static int seq_position(PGconn *c, int next, long long *out, char **err)
{
    PGresult *r = PQexec(c, next ? "SELECT CASE WHEN is_called THEN last_value + 1 ELSE "
                                   "last_value END FROM unyo.server_seq"
                                 : "SELECT CASE WHEN is_called THEN last_value ELSE "
                                   "last_value - 1 END FROM unyo.server_seq");
    if (sync_pg_ok(c, r, PGRES_TUPLES_OK, _("pushing to the central database"), err) != 0) {
        PQclear(r);
        return -1;
    }
    *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

static int push(struct store *st, PGconn *c, const struct ledger_schema *ls,
                struct sync_report *rep, sync_progress_fn progress, void *ud, char **err)
{
    /* One read snapshot: the outbox bound and the rows agree. */
    if (store_exec(st, "BEGIN", err) != 0)
        return -1;
    sqlite3_stmt *s =
        store_stmt(st, "SELECT coalesce(max(seq), 0), count(DISTINCT tbl || ' ' || row_id) "
                       "FROM local_sync_outbox");
    int64_t upto = 0;
    long long total = 0;
    int got = store_one_row(s, err);
    if (got == 1) {
        upto = sqlite3_column_int64(s, 0);
        total = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (got < 0) {
        store_exec(st, "COMMIT", NULL);
        return -1;
    }
    if (upto == 0) {
        store_exec(st, "COMMIT", NULL);
        return 0;
    }
    const char *doing = _("pushing to the central database");
    /* Room for a large backlog in the temp tables (only settable before the
     * session's first temp table: later calls fail harmlessly). */
    PQclear(PQexec(c, "SET temp_buffers = '256MB'"));
    int rc = central_exec(c, "BEGIN", doing, err);
    struct push_conflict *conf = NULL;
    int nconf = 0;
    struct push_restamp *restamp = NULL;
    int nrestamp = 0;
    long long *sent = xcalloc((size_t)ls->count + 1, sizeof *sent);
    long long *changed = xcalloc((size_t)ls->count + 1, sizeof *changed);
    long long done = 0;
    /* The lock first: direct COPYs take server_seq values as they go. */
    if (rc == 0) {
        char *lock = xasprintf("SELECT pg_advisory_xact_lock(%lld)", CENTRAL_LOCK_KEY);
        rc = central_exec(c, lock, doing, err);
        free(lock);
    }
    /* Every server_seq handed out from here to the commit is this push's
     * (the lock): the pull that follows skips the range [lo, hi]. */
    if (rc == 0)
        rc = seq_position(c, 1, &rep->own_lo, err);
    /* Per table: rows, and whether every pending row is new (an insert, or
     * history noted for a new central database): then they can go straight
     * into the mirror with one COPY, the fastest way for a backlog. Otherwise
     * (edits, or the direct COPY refused) through a temp table and a merge. */
    sqlite3_stmt *has = store_stmt(
        st, "SELECT count(*), count(base_hlc) FROM local_sync_outbox WHERE tbl = ?1 AND seq <= ?2");
    int *direct = xcalloc((size_t)ls->count + 1, sizeof *direct);
    for (int i = 0; rc == 0 && i < ls->count; i++) {
        sqlite3_reset(has);
        bind_text(has, 1, ls->t[i].name);
        bind_int(has, 2, upto);
        long long pending = 0, edits = 0;
        got = store_one_row(has, err);
        if (got == 1) {
            pending = sqlite3_column_int64(has, 0);
            edits = sqlite3_column_int64(has, 1);
        }
        sqlite3_reset(has);
        if (got < 0) {
            /* Never skip a table's rows: the outbox up to upto is emptied after the push. */
            rc = -1;
            break;
        }
        sent[i] = -1;
        if (!pending)
            continue;
        if (edits == 0) {
            int d =
                push_copy(st, c, &ls->t[i], i, 1, upto, &sent[i], progress, ud, &done, total, err);
            if (d < 0)
                rc = -1;
            if (d == 0) {
                direct[i] = 1;
                changed[i] = sent[i];
                continue;
            }
        }
        if (rc == 0)
            rc = push_copy(st, c, &ls->t[i], i, 0, upto, &sent[i], progress, ud, &done, total, err);
    }
    /* This console's chain head as of the rows pushed (same snapshot). */
    long long head_seq = 0;
    char head_hex[65] = "";
    if (rc == 0)
        rc = chain_own_head(st, &head_seq, head_hex, err);
    store_exec(st, "COMMIT", NULL); /* end the read snapshot */
    sync_trace("push: rows copied");
    /* server_seq: one block from the sequence for the whole push (a nextval
     * per row costs more than the insert). Safe because every pusher holds
     * the lock from here to its commit; the setval below ends the block. */
    long long base = 0, offset = 0;
    if (rc == 0) {
        PGresult *r = PQexec(c, "SELECT nextval('unyo.server_seq')");
        if (sync_pg_ok(c, r, PGRES_TUPLES_OK, doing, err) != 0)
            rc = -1;
        else
            base = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    for (int i = 0; rc == 0 && i < ls->count; i++) {
        if (sent[i] <= 0 || direct[i])
            continue;
        if (!ls->t[i].append_only)
            rc = push_conflicts(c, &ls->t[i], i, st->origin, &conf, &nconf, err);
        if (rc == 0 && !ls->t[i].append_only)
            rc = push_restamp(c, &ls->t[i], i, st->origin, &restamp, &nrestamp, err);
        sync_trace("push: conflicts checked");
        if (rc == 0)
            rc = push_merge(c, &ls->t[i], i, base + offset, &changed[i], err);
        offset += sent[i];
        sync_trace(ls->t[i].name);
    }
    if (rc == 0 && offset > 0) {
        char *sql = xasprintf("SELECT setval('unyo.server_seq', %lld)", base + offset);
        rc = central_exec(c, sql, doing, err);
        free(sql);
    }
    if (rc == 0)
        rc = seq_position(c, 0, &rep->own_hi, err);
    if (rc == 0 && head_seq > 0) {
        char seqtxt[32];
        snprintf(seqtxt, sizeof seqtxt, "%lld", head_seq);
        const char *pv[] = {st->origin, seqtxt, head_hex};
        PGresult *r = PQexecParams(c,
                                   "INSERT INTO unyo.chain_heads(origin, seq, hash) "
                                   "VALUES($1, $2::bigint, $3) ON CONFLICT DO NOTHING",
                                   3, NULL, pv, NULL, NULL, 0);
        if (sync_pg_ok(c, r, PGRES_COMMAND_OK, doing, err) != 0)
            rc = -1;
        PQclear(r);
    }
    sync_trace("push: merged");
    if (rc == 0)
        rc = central_exec(c, "COMMIT", doing, err);
    else
        PQclear(PQexec(c, "ROLLBACK"));
    sync_trace("push: committed");

    /* Committed centrally: forget what was sent, note conflicts. A crash
     * before this commit only means the same rows are sent again (no-ops). */
    if (rc == 0 && store_begin(st, err) != 0)
        rc = -1;
    else if (rc == 0) {
        /* Nothing written since the snapshot (the usual case): empty the
         * outbox with SQLite's truncate, much cheaper for a backlog. */
        sqlite3_stmt *mx = store_stmt(st, "SELECT coalesce(max(seq), 0) FROM local_sync_outbox");
        int64_t now_max = sqlite3_step(mx) == SQLITE_ROW ? sqlite3_column_int64(mx, 0) : -1;
        sqlite3_reset(mx);
        sqlite3_stmt *del = now_max == upto
                                ? store_stmt(st, "DELETE FROM local_sync_outbox")
                                : store_stmt(st, "DELETE FROM local_sync_outbox WHERE seq <= ?1");
        if (now_max != upto)
            bind_int(del, 1, upto);
        if (sqlite3_step(del) != SQLITE_DONE)
            rc = store_fail(st, err, _("saving the sync state"));
        sqlite3_reset(del);
        for (int i = 0; rc == 0 && i < nconf; i++)
            rc = store_audit(st, "sync.conflict", conf[i].table, conf[i].id, conf[i].detail, err);
        /* The re-stamped rows take the clock the central copy now has, unless
         * edited again meanwhile (then that newer edit goes next round). */
        for (int i = 0; rc == 0 && i < nrestamp; i++) {
            char *sql = xasprintf("UPDATE \"%s\" SET hlc = ?1 WHERE id = ?2 AND hlc = ?4 AND "
                                  "origin = ?3",
                                  restamp[i].table);
            sqlite3_stmt *u = NULL;
            if (sqlite3_prepare_v2(st->db, sql, -1, &u, NULL) != SQLITE_OK) {
                rc = store_fail(st, err, restamp[i].table);
            } else {
                bind_int(u, 1, restamp[i].new_hlc);
                bind_text(u, 2, restamp[i].id);
                bind_text(u, 3, st->origin);
                bind_int(u, 4, restamp[i].old_hlc);
                if (sqlite3_step(u) != SQLITE_DONE)
                    rc = store_fail(st, err, restamp[i].table);
            }
            sqlite3_finalize(u);
            free(sql);
            store_hlc_observe(st, restamp[i].new_hlc);
        }
        sqlite3_stmt *tot = store_stmt(
            st,
            "INSERT INTO local_sync_tables(tbl, pushed_total) VALUES(?1, ?2) "
            "ON CONFLICT(tbl) DO UPDATE SET pushed_total = pushed_total + excluded.pushed_total");
        for (int i = 0; rc == 0 && i < ls->count; i++) {
            if (sent[i] <= 0)
                continue;
            sqlite3_reset(tot);
            bind_text(tot, 1, ls->t[i].name);
            bind_int(tot, 2, sent[i]);
            if (sqlite3_step(tot) != SQLITE_DONE)
                rc = store_fail(st, err, _("saving the sync state"));
            sqlite3_reset(tot);
        }
        if (rc == 0)
            rc = store_commit(st, err);
        else
            store_rollback(st);
    }
    if (rc == 0 && rep) {
        for (int i = 0; i < ls->count; i++) {
            if (sent[i] <= 0)
                continue;
            struct sync_table_report *tr = sync_report_for(rep, ls->t[i].name);
            tr->sent += sent[i];
            tr->pushed += changed[i];
            rep->sent += sent[i];
            rep->pushed += changed[i];
        }
        for (int i = 0; i < nconf; i++) {
            sync_report_for(rep, conf[i].table)->conflicts++;
            rep->conflicts++;
        }
    }
    for (int i = 0; i < nconf; i++) {
        free(conf[i].table);
        free(conf[i].id);
        free(conf[i].detail);
    }
    free(conf);
    for (int i = 0; i < nrestamp; i++)
        free(restamp[i].id);
    free(restamp);
    free(sent);
    free(changed);
    free(direct);
    return rc;
}

/* ---- rows the central database refuses ------------------------------------ *
 *
 * One row the central database cannot take (text that is not UTF-8 from an
 * older unyo, a value its column type refuses) fails the whole push, and the
 * push would fail the same way every round: nothing else would ever flow.
 * When a push fails with a data exception (SQLSTATE class 22) on a healthy
 * connection, the pending rows are tried again in a throwaway transaction,
 * COPYing them into a temp table with the mirror's column types (the mirror
 * has no other constraint), halving each refused batch down to the single
 * rows at fault. Those rows' outbox entries move to local_sync_setaside with
 * the server's message, and the push runs again without them. A set-aside
 * row goes back to the outbox when the store repairs it (store_repair_utf8)
 * or on `unyo sync --retry`. */

struct refused {
    char *table, *id, *error;
};

/* COPYs rows ids[0..n) of t into sync_probe under a savepoint, then rolls back
 * to it. Returns 0 when the server took them, 1 when it refused (*msg gets its
 * message), -1 when the connection failed. */
static int probe_rows(PGconn *c, const struct ledger_table *t, sqlite3_stmt *row, char **ids,
                      size_t n, char **msg)
{
    if (central_exec(c, "SAVEPOINT sync_probe_sp", t->name, msg) != 0)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "COPY sync_probe (");
    sync_col_list(&sb, t, NULL);
    sb_puts(&sb, ") FROM STDIN");
    PGresult *r = PQexec(c, sb.buf);
    if (sync_pg_ok(c, r, PGRES_COPY_IN, t->name, msg) != 0) {
        PQclear(r);
        sb_free(&sb);
        return -1;
    }
    PQclear(r);
    sb_reset(&sb);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        sqlite3_reset(row);
        bind_text(row, 1, ids[k]);
        if (sqlite3_step(row) == SQLITE_ROW) {
            for (int i = 0; i < t->ncols; i++) {
                if (i)
                    sb_putc(&sb, '\t');
                sync_copy_value(&sb, row, i, t->aff[i]);
            }
            sb_putc(&sb, '\n');
        }
        if (sb.len >= COPY_FLUSH || k + 1 == n) {
            if (sb.len && PQputCopyData(c, sb.buf, (int)sb.len) != 1)
                rc = -1;
            sb_reset(&sb);
        }
    }
    sqlite3_reset(row);
    sb_free(&sb);
    if (PQputCopyEnd(c, NULL) != 1)
        rc = -1;
    int refused = 0;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !refused && rc == 0) {
            refused = 1;
            central_fail(c, r, t->name, msg);
        }
        PQclear(r);
    }
    if (rc != 0 || PQstatus(c) != CONNECTION_OK) {
        if (!*msg)
            central_fail(c, NULL, t->name, msg);
        return -1;
    }
    char *e = NULL;
    if (central_exec(c, "ROLLBACK TO SAVEPOINT sync_probe_sp", t->name, &e) != 0) {
        free(*msg);
        *msg = e;
        return -1;
    }
    return refused;
}

/* Halves a refused batch until the single refused rows are found. */
static int probe_split(PGconn *c, const struct ledger_table *t, sqlite3_stmt *row, char **ids,
                       size_t n, struct refused **out, int *nout, char **err)
{
    char *msg = NULL;
    int r = probe_rows(c, t, row, ids, n, &msg);
    if (r < 0) {
        *err = msg;
        return -1;
    }
    if (r == 0) {
        free(msg);
        return 0;
    }
    if (n == 1) {
        *out = xrealloc(*out, ((size_t)*nout + 1) * sizeof **out);
        struct refused *f = &(*out)[(*nout)++];
        f->table = xstrdup(t->name);
        f->id = xstrdup(ids[0]);
        f->error = msg;
        return 0;
    }
    free(msg);
    size_t half = n / 2;
    if (probe_split(c, t, row, ids, half, out, nout, err) != 0)
        return -1;
    return probe_split(c, t, row, ids + half, n - half, out, nout, err);
}

/* Finds the pending rows the central database refuses (see above). */
static int find_refused(struct store *st, PGconn *c, const struct ledger_schema *ls,
                        struct refused **out, int *nout, char **err)
{
    const char *doing = _("pushing to the central database");
    if (central_exec(c, "BEGIN", doing, err) != 0)
        return -1;
    int rc = 0;
    for (int ti = 0; rc == 0 && ti < ls->count; ti++) {
        const struct ledger_table *t = &ls->t[ti];
        struct strbuf sb = STRBUF_INIT;
        sb_puts(&sb, "SELECT DISTINCT o.row_id FROM local_sync_outbox o JOIN ");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " t ON t.id = o.row_id WHERE o.tbl = ?1 AND (t.origin = ?2 OR "
                     "o.base_origin = '*')");
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(st->db, sb.buf, -1, &q, NULL) != SQLITE_OK) {
            rc = store_fail(st, err, t->name);
            sb_free(&sb);
            break;
        }
        bind_text(q, 1, t->name);
        bind_text(q, 2, st->origin);
        char **ids = NULL;
        size_t n = 0;
        int step;
        while ((step = store_next_row(q, err)) == 1) {
            ids = xrealloc(ids, (n + 1) * sizeof *ids);
            ids[n++] = xstrdup(col_text(q, 0));
        }
        sqlite3_finalize(q);
        if (step < 0)
            rc = -1;
        if (rc == 0 && n > 0) {
            sb_reset(&sb);
            sb_puts(&sb, "CREATE TEMP TABLE IF NOT EXISTS sync_probe (");
            for (int i = 0; i < t->ncols; i++) {
                if (i)
                    sb_puts(&sb, ", ");
                sql_ident(&sb, t->cols[i]);
                sb_printf(&sb, " %s", central_pg_type(t->aff[i]));
            }
            sb_puts(&sb, ") ON COMMIT DROP");
            rc = central_exec(c, "DROP TABLE IF EXISTS sync_probe", doing, err);
            if (rc == 0)
                rc = central_exec(c, sb.buf, doing, err);
            sb_reset(&sb);
            sb_puts(&sb, "SELECT ");
            sync_col_list(&sb, t, NULL);
            sb_puts(&sb, " FROM ");
            sql_ident(&sb, t->name);
            sb_puts(&sb, " WHERE id = ?1");
            sqlite3_stmt *row = NULL;
            if (rc == 0 && sqlite3_prepare_v2(st->db, sb.buf, -1, &row, NULL) != SQLITE_OK)
                rc = store_fail(st, err, t->name);
            if (rc == 0)
                rc = probe_split(c, t, row, ids, n, out, nout, err);
            sqlite3_finalize(row);
        }
        for (size_t k = 0; k < n; k++)
            free(ids[k]);
        free(ids);
        sb_free(&sb);
    }
    PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

static int set_aside(struct store *st, const struct refused *f, int n, char **err)
{
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *mv = store_stmt(
        st, "INSERT INTO local_sync_setaside(tbl, row_id, base_hlc, base_origin, error, at) "
            "SELECT tbl, row_id, base_hlc, base_origin, ?3, ?4 FROM local_sync_outbox "
            "WHERE tbl = ?1 AND row_id = ?2 ORDER BY seq");
    sqlite3_stmt *del =
        store_stmt(st, "DELETE FROM local_sync_outbox WHERE tbl = ?1 AND row_id = ?2");
    for (int i = 0; i < n; i++) {
        sqlite3_reset(mv);
        bind_text(mv, 1, f[i].table);
        bind_text(mv, 2, f[i].id);
        bind_text(mv, 3, f[i].error);
        bind_text(mv, 4, at);
        sqlite3_reset(del);
        bind_text(del, 1, f[i].table);
        bind_text(del, 2, f[i].id);
        if (sqlite3_step(mv) != SQLITE_DONE || sqlite3_step(del) != SQLITE_DONE) {
            store_fail(st, err, _("saving the sync state"));
            sqlite3_reset(mv);
            sqlite3_reset(del);
            store_rollback(st);
            return -1;
        }
        sqlite3_reset(mv);
        sqlite3_reset(del);
    }
    return store_commit(st, err);
}

/* push, setting refused rows aside (see above) until the rest goes through. */
int sync_push_all(struct store *st, PGconn *c, const struct ledger_schema *ls,
                  struct sync_report *rep, sync_progress_fn progress, void *ud, char **err)
{
    for (int attempt = 0;; attempt++) {
        char *e = NULL;
        if (push(st, c, ls, rep, progress, ud, &e) == 0)
            return 0;
        const char *state = central_last_sqlstate();
        if (attempt >= 3 || PQstatus(c) != CONNECTION_OK || strncmp(state, "22", 2) != 0) {
            *err = e;
            return -1;
        }
        struct refused *f = NULL;
        int nf = 0;
        char *pe = NULL;
        int rc = find_refused(st, c, ls, &f, &nf, &pe);
        if (rc == 0 && nf > 0)
            rc = set_aside(st, f, nf, &pe);
        for (int i = 0; i < nf; i++) {
            free(f[i].table);
            free(f[i].id);
            free(f[i].error);
        }
        free(f);
        if (rc != 0 || nf == 0) {
            /* Not a row's fault after all: the push's own message. */
            free(pe);
            *err = e;
            return -1;
        }
        free(e);
        sync_trace("push: refused rows set aside");
    }
}

int sync_retry_set_aside(struct store *st, long long *count, char **err)
{
    if (count)
        *count = 0;
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *back = store_stmt(
        st, "INSERT INTO local_sync_outbox(tbl, row_id, base_hlc, base_origin) "
            "SELECT tbl, row_id, base_hlc, base_origin FROM local_sync_setaside ORDER BY seq");
    sqlite3_stmt *del = store_stmt(st, "DELETE FROM local_sync_setaside");
    if (sqlite3_step(back) != SQLITE_DONE) {
        sqlite3_reset(back);
        store_fail(st, err, _("saving the sync state"));
        store_rollback(st);
        return -1;
    }
    sqlite3_reset(back);
    if (sqlite3_step(del) != SQLITE_DONE) {
        sqlite3_reset(del);
        store_fail(st, err, _("saving the sync state"));
        store_rollback(st);
        return -1;
    }
    if (count)
        *count = sqlite3_changes(st->db);
    sqlite3_reset(del);
    return store_commit(st, err);
}
