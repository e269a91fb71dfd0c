/* Schema "ledger" on the central database (see central_views.h). Written by
 * hand: the views are SQL text built from the ledger's own column list and a
 * small TSV of types and comments; no library does that part. */
#include "central_views.h"

#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "i18n.h"
#include "incidents.h"
#include "paths.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "utf8.h"
#include "util.h"

const char *const central_view_types[] = {
    "text",  "timestamptz", "date",     "boolean", "integer", "bigint", "double precision",
    "jsonb", "numeric",     "interval", NULL};

#define DOC_FIELD_MAX 1000

/* ---- columns.tsv -------------------------------------------------------------- */

static int type_known(const char *t)
{
    for (int i = 0; central_view_types[i]; i++)
        if (streq(central_view_types[i], t))
            return 1;
    return 0;
}

/* A field is UTF-8 without control characters, and a name is [a-z0-9_]. */
static int field_ok(const char *s, size_t len)
{
    if (len > DOC_FIELD_MAX || !utf8_storable(s, len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

static int name_ok(const char *s)
{
    if (!*s || strlen(s) > 63)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

void central_docs_free(struct central_docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].table);
        free(d->v[i].column);
        free(d->v[i].type);
        free(d->v[i].ja);
        free(d->v[i].en);
    }
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

int central_docs_parse(const char *name, const char *text, size_t len, struct central_docs *out,
                       char **err)
{
    struct central_docs d = {NULL, 0};
    size_t pos = 0;
    int line = 0, rc = 0;
    while (rc == 0 && pos < len) {
        line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t llen = end - pos;
        if (llen > 0 && text[pos + llen - 1] == '\r')
            llen--;
        const char *l = text + pos;
        pos = nl ? end + 1 : len;
        if (llen == 0 || l[0] == '#')
            continue;
        /* five fields */
        const char *f[5];
        size_t fl[5];
        int nf = 0;
        size_t start = 0;
        for (size_t i = 0; i <= llen && nf < 6; i++) {
            if (i == llen || l[i] == '\t') {
                if (nf < 5) {
                    f[nf] = l + start;
                    fl[nf] = i - start;
                }
                nf++;
                start = i + 1;
            }
        }
        if (nf != 5) {
            set_err(err, _("%s:%d: expected 5 fields separated by tabs, found %d"), name, line, nf);
            rc = -1;
            break;
        }
        if (line == 1 && fl[0] == 5 && memcmp(f[0], "table", 5) == 0)
            continue; /* the header */
        for (int i = 0; i < 5; i++)
            if (!field_ok(f[i], fl[i])) {
                set_err(err,
                        _("%s:%d: field %d is not valid text (UTF-8, no control "
                          "characters, at most %d bytes)"),
                        name, line, i + 1, DOC_FIELD_MAX);
                rc = -1;
                break;
            }
        if (rc != 0)
            break;
        struct central_column_doc c = {xstrndup(f[0], fl[0]), fl[1] ? xstrndup(f[1], fl[1]) : NULL,
                                       fl[2] ? xstrndup(f[2], fl[2]) : NULL, xstrndup(f[3], fl[3]),
                                       xstrndup(f[4], fl[4])};
        const char *why = NULL;
        if (!name_ok(c.table) || (c.column && !name_ok(c.column)))
            why = _("a table or column name is lower-case letters, digits and _");
        else if (c.column && (!c.type || !type_known(c.type)))
            why = _("unknown type (text, timestamptz, date, boolean, integer, bigint, double "
                    "precision, jsonb, numeric or interval)");
        else if (!c.column && c.type)
            why = _("a table's line has no type");
        else if (!*c.ja || !*c.en)
            why = _("both the Japanese and the English text are needed");
        else if (central_docs_find(&d, c.table, c.column))
            why = _("the same table and column twice");
        if (why) {
            set_err(err, "%s:%d: %s", name, line, why);
            free(c.table), free(c.column), free(c.type), free(c.ja), free(c.en);
            rc = -1;
            break;
        }
        d.v = xrealloc(d.v, (d.n + 1) * sizeof *d.v);
        d.v[d.n++] = c;
    }
    if (rc != 0) {
        central_docs_free(&d);
        return -1;
    }
    *out = d;
    return 0;
}

int central_docs_load(struct central_docs *out, char **err)
{
    char *path = paths_find_data(NULL, "central/columns.tsv");
    if (!path) {
        set_err(err, _("central/columns.tsv is missing from unyo's data directory"));
        return -1;
    }
    size_t len = 0;
    char *text = read_file(path, &len, err);
    int rc = text ? central_docs_parse(path, text, len, out, err) : -1;
    free(text);
    free(path);
    return rc;
}

const struct central_column_doc *central_docs_find(const struct central_docs *d, const char *table,
                                                   const char *column)
{
    for (size_t i = 0; i < d->n; i++)
        if (streq(d->v[i].table, table) &&
            ((!column && !d->v[i].column) ||
             (column && d->v[i].column && streq(d->v[i].column, column))))
            return &d->v[i];
    return NULL;
}

/* ---- the views -------------------------------------------------------------------- */

/* Casts that never fail: a value a console wrote that does not have the form gives
 * NULL instead of an error that would break every query over the view. Plain SQL
 * (inlined, no sub-transaction per row) except jsonb, which only a parser can
 * check. The forms are the ones unyo writes: ISO UTC instants with Z, YYYY-MM-DD. */
static const char cast_functions[] =
    "CREATE OR REPLACE FUNCTION ledger.month_days(y int, m int) RETURNS int LANGUAGE sql "
    "IMMUTABLE PARALLEL SAFE AS $f$ SELECT extract(day FROM make_date(y, m, 1) + interval '1 "
    "month' - interval '1 day')::int $f$;"
    /* CASE, not AND: the parts after the pattern run only on text that has it. */
    "CREATE OR REPLACE FUNCTION ledger.as_timestamptz(v text) RETURNS timestamptz "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT CASE WHEN v ~ "
    "'^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:"
    "[0-5][0-9](\\.[0-9]{1,6})?Z$' THEN CASE WHEN substr(v, 9, 2)::int <= "
    "ledger.month_days(substr(v, 1, 4)::int, substr(v, 6, 2)::int) THEN (make_date(substr(v, 1, "
    "4)::int, substr(v, 6, 2)::int, substr(v, 9, 2)::int)::timestamp + make_interval(hours => "
    "substr(v, 12, 2)::int, mins => substr(v, 15, 2)::int, secs => substr(v, 18, length(v) - "
    "18)::double precision)) AT TIME ZONE 'UTC' END END $f$;"
    "CREATE OR REPLACE FUNCTION ledger.as_date(v text) RETURNS date LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE AS $f$ SELECT CASE WHEN v ~ "
    "'^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' THEN CASE WHEN substr(v, 9, "
    "2)::int <= ledger.month_days(substr(v, 1, 4)::int, substr(v, 6, 2)::int) THEN "
    "make_date(substr(v, 1, 4)::int, substr(v, 6, 2)::int, substr(v, 9, 2)::int) END END $f$;"
    "CREATE OR REPLACE FUNCTION ledger.as_boolean(v text) RETURNS boolean LANGUAGE sql "
    "IMMUTABLE PARALLEL SAFE AS $f$ SELECT CASE WHEN v IN ('1', 't', 'true') THEN true WHEN v "
    "IN ('0', 'f', 'false') THEN false END $f$;"
    "CREATE OR REPLACE FUNCTION ledger.as_integer(v text) RETURNS integer LANGUAGE sql "
    "IMMUTABLE PARALLEL SAFE AS $f$ SELECT CASE WHEN v ~ '^-?[0-9]{1,9}$' THEN v::integer END "
    "$f$;"
    "CREATE OR REPLACE FUNCTION ledger.as_bigint(v text) RETURNS bigint LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE AS $f$ SELECT CASE WHEN v ~ '^-?[0-9]{1,18}$' THEN v::bigint END $f$;"
    "CREATE OR REPLACE FUNCTION ledger.as_double(v text) RETURNS double precision LANGUAGE sql "
    "IMMUTABLE PARALLEL SAFE AS $f$ SELECT CASE WHEN v ~ "
    "'^-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][-+]?[0-9]{1,2})?$' THEN v::double precision END $f$;"
    /* An exception block opens a sub-transaction, which a parallel worker cannot:
     * PARALLEL UNSAFE, or a large event table's parallel scan fails. */
    "CREATE OR REPLACE FUNCTION ledger.as_jsonb(v text) RETURNS jsonb LANGUAGE plpgsql "
    "IMMUTABLE PARALLEL UNSAFE AS $f$ BEGIN RETURN v::jsonb; EXCEPTION WHEN others THEN RETURN "
    "NULL; END $f$;";

/* The expression giving column col (mirror affinity aff) as type. */
static void cast_expr(struct strbuf *sb, const char *col, char aff, const char *type)
{
    struct strbuf q = STRBUF_INIT;
    sb_puts(&q, "m.");
    sql_ident(&q, col);
    const char *c = q.buf;
    int num = aff == 'i' || aff == 'r';
    if (type && (streq(type, "numeric") || streq(type, "interval")))
        type = NULL; /* the people views' own types: a table column stays as stored */
    if (!type || streq(type, "text"))
        sb_printf(sb, num ? "%s::text" : "%s", c);
    else if (aff == 'i' && streq(type, "boolean"))
        sb_printf(sb, "(%s <> 0)", c);
    else if (aff == 'i' && streq(type, "bigint"))
        sb_printf(sb, "%s", c);
    else if (aff == 'i' && streq(type, "integer"))
        sb_printf(sb, "CASE WHEN %s BETWEEN -2147483648 AND 2147483647 THEN %s::integer END", c, c);
    else if (num && streq(type, "double precision"))
        sb_printf(sb, "%s::double precision", c);
    else
        sb_printf(sb, "ledger.as_%s(%s%s)", streq(type, "double precision") ? "double" : type, c,
                  num ? "::text" : "");
    sb_free(&q);
}

static int exec(PGconn *c, const char *sql, const char *what, char **err)
{
    return central_exec(c, sql, what, err);
}

/* COMMENT ON <kind> <name> IS 'ja / en'. */
static int comment(PGconn *c, const char *kind, const char *name,
                   const struct central_column_doc *doc, char **err)
{
    if (!doc)
        return 0;
    char *text = xasprintf("%s / %s", doc->ja, doc->en);
    char *lit = PQescapeLiteral(c, text, strlen(text));
    free(text);
    if (!lit) {
        set_err(err, "%s", PQerrorMessage(c));
        return -1;
    }
    char *sql = xasprintf("COMMENT ON %s %s IS %s", kind, name, lit);
    PQfreemem(lit);
    int rc = exec(c, sql, name, err);
    free(sql);
    return rc;
}

/* Runs sql; when PostgreSQL refuses to replace a view whose columns changed type
 * or order (a later unyo), drops that view and runs it again. A view of the
 * site's own built on it is never dropped with it: that stops init, naming it. */
static int replace_view(PGconn *c, const char *view, const char *sql, char **err)
{
    if (exec(c, "SAVEPOINT ledger_view", view, err) != 0)
        return -1;
    char *ignore = NULL;
    if (exec(c, sql, view, &ignore) == 0) {
        free(ignore);
        return exec(c, "RELEASE SAVEPOINT ledger_view", view, err);
    }
    free(ignore);
    char *drop = xasprintf("ROLLBACK TO SAVEPOINT ledger_view; DROP VIEW IF EXISTS %s", view);
    int rc = exec(c, drop, view, &ignore);
    free(drop);
    if (rc != 0) {
        set_err(err,
                _("the view %s changed its columns in this version and other views depend on "
                  "it (%s): drop them, run unyo central init again, then make them again"),
                view, ignore ? ignore : "");
        free(ignore);
        return -1;
    }
    return exec(c, sql, view, err);
}

static int table_view(PGconn *c, const struct ledger_table *t, const struct central_docs *d,
                      char **err)
{
    struct strbuf name = STRBUF_INIT, mirror = STRBUF_INIT, sql = STRBUF_INIT;
    sb_puts(&name, "ledger.");
    sql_ident(&name, t->name);
    sb_puts(&mirror, "unyo.");
    sql_ident(&mirror, t->name);
    sb_printf(&sql, "CREATE OR REPLACE VIEW %s AS SELECT ", name.buf);
    for (int i = 0; i < t->ncols; i++) {
        const struct central_column_doc *doc = central_docs_find(d, t->name, t->cols[i]);
        if (i)
            sb_puts(&sql, ", ");
        cast_expr(&sql, t->cols[i], t->aff[i], doc ? doc->type : NULL);
        sb_puts(&sql, " AS ");
        sql_ident(&sql, t->cols[i]);
    }
    sb_printf(&sql, " FROM %s m", mirror.buf);
    int rc = replace_view(c, name.buf, sql.buf, err);
    const struct central_column_doc *tdoc = central_docs_find(d, t->name, NULL);
    if (rc == 0)
        rc = comment(c, "VIEW", name.buf, tdoc, err);
    if (rc == 0)
        rc = comment(c, "TABLE", mirror.buf, tdoc, err);
    for (int i = 0; rc == 0 && i < t->ncols; i++) {
        const struct central_column_doc *doc = central_docs_find(d, t->name, t->cols[i]);
        struct strbuf col = STRBUF_INIT;
        sb_printf(&col, "%s.", name.buf);
        sql_ident(&col, t->cols[i]);
        rc = comment(c, "COLUMN", col.buf, doc, err);
        sb_reset(&col);
        sb_printf(&col, "%s.", mirror.buf);
        sql_ident(&col, t->cols[i]);
        if (rc == 0)
            rc = comment(c, "COLUMN", col.buf, doc, err);
        sb_free(&col);
    }
    sb_free(&name);
    sb_free(&mirror);
    sb_free(&sql);
    return rc;
}

/* The comments of a view (qualified name) and of its columns, as columns.tsv has
 * them under key (the view's bare name). */
static int comment_view(PGconn *c, const char *name, const char *key, const struct central_docs *d,
                        char **err)
{
    int rc = comment(c, "VIEW", name, central_docs_find(d, key, NULL), err);
    for (size_t i = 0; rc == 0 && i < d->n; i++) {
        if (!d->v[i].column || !streq(d->v[i].table, key))
            continue;
        struct strbuf col = STRBUF_INIT;
        sb_printf(&col, "%s.", name);
        sql_ident(&col, d->v[i].column);
        rc = comment(c, "COLUMN", col.buf, &d->v[i], err);
        sb_free(&col);
    }
    return rc;
}

/* The views for questions people ask. They read the mirror with the casts above,
 * so they hold whatever types columns.tsv gives the table views. Times of day are
 * JST: the library's day. */
struct people_view {
    const char *name, *sql; /* its comments: columns.tsv */
};

#define JST_TODAY "to_char(now() AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD')"
#define STEPS(i)                                                                                   \
    "(VALUES (1, 'acknowledge', '受付確認', ledger.as_timestamptz(" i ".sla_ack_due), " i          \
    ".sla_ack_result), (2, 'first_response', '一次回答', ledger.as_timestamptz(" i                 \
    ".sla_first_due), " i ".sla_first_result), (3, 'recovery', '復旧', "                         \
    "ledger.as_timestamptz(" i ".sla_recovery_due), " i ".sla_recovery_result)) "                  \
    "AS s(k, step, step_ja, due, result)"

static const struct people_view people_views[] = {
    {"open_incidents",
     "SELECT i.ref, i.title, l.name_ja AS library, l.name_en AS library_en, i.priority, "
     "i.status, ledger.as_timestamptz(i.received_at) AS received_at, o.name AS assignee, "
     "n.step AS next_step, n.step_ja AS next_step_ja, n.due AS next_due, n.due - now() AS "
     "sla_left, CASE WHEN i.sla_paused_since IS NOT NULL THEN 'paused' WHEN n.due IS NULL THEN "
     "'not computed' WHEN n.due < now() THEN 'breached' ELSE 'running' END AS sla_state "
     "FROM unyo.incidents i LEFT JOIN unyo.libraries l ON l.id = i.library_id "
     "LEFT JOIN unyo.operators o ON o.id = i.assignee_id "
     "LEFT JOIN LATERAL (SELECT s.step, s.step_ja, s.due FROM " STEPS(
         "i") " WHERE s.result IS NULL ORDER BY s.k LIMIT 1) n ON true "
              "WHERE i.deleted = 0 AND i.status NOT IN ('draft', 'recovered', 'closed')"},
    {"sla_monthly",
     "SELECT to_char(ledger.as_timestamptz(i.received_at) AT TIME ZONE 'Asia/Tokyo', "
     "'YYYY-MM') AS month, i.priority, s.step, s.step_ja, count(*) AS incidents, count(*) "
     "FILTER (WHERE s.result = 'met') AS met, count(*) FILTER (WHERE s.result = 'missed' OR "
     "(s.result IS NULL AND s.due < now())) AS missed, count(*) FILTER (WHERE s.result IS NULL "
     "AND (s.due IS NULL OR s.due >= now())) AS pending, round(100.0 * count(*) FILTER (WHERE "
     "s.result = 'met') / NULLIF(count(*) FILTER (WHERE s.result IS NOT NULL OR s.due < now()), "
     "0), 1) AS achievement_percent "
     "FROM unyo.incidents i CROSS JOIN LATERAL " STEPS(
         "i") " WHERE i.deleted = 0 AND i.status <> 'draft' AND "
              "ledger.as_timestamptz(i.received_at) IS NOT NULL GROUP BY 1, 2, s.k, 3, 4"},
    {"today_checks",
     "SELECT ledger.as_timestamptz(e.at) AS at, t.code, t.name_ja AS item, t.name_en AS "
     "item_en, h.name AS host, e.status, e.value, e.unit, e.note, e.reason, e.source, o.name AS "
     "operator FROM unyo.checklist_events e LEFT JOIN unyo.templates t ON t.id = e.template_id "
     "LEFT JOIN unyo.hosts h ON h.id = e.host_id LEFT JOIN unyo.operators o ON o.id = "
     "e.operator_id WHERE e.day = " JST_TODAY},
    {"today_job_runs",
     "SELECT j.code, j.name_ja AS job, j.name_en AS job_en, h.name AS host, r.state, r.attempt, "
     "ledger.as_timestamptz(r.started_at) AS started_at, ledger.as_timestamptz(r.ended_at) AS "
     "ended_at, r.exit_status, r.claimed_by FROM unyo.job_runs r LEFT JOIN unyo.jobs j ON j.id = "
     "r.job_id LEFT JOIN unyo.hosts h ON h.id = j.host_id WHERE r.deleted = 0 AND r.due_day = "
     "" JST_TODAY},
    {"today_changes",
     "SELECT c.ref, c.title, c.status, c.risk, c.target, ledger.as_timestamptz(c.window_start) "
     "AS window_start, ledger.as_timestamptz(c.window_end) AS window_end, a.name AS approver "
     "FROM unyo.changes c LEFT JOIN unyo.operators a ON a.id = c.approver_id WHERE c.deleted = "
     "0 AND to_char(ledger.as_timestamptz(c.window_start) AT TIME ZONE 'Asia/Tokyo', "
     "'YYYY-MM-DD') <= " JST_TODAY " AND to_char(coalesce(ledger.as_timestamptz(c.window_end), "
     "ledger.as_timestamptz(c.window_start)) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') >= "
     "" JST_TODAY},
};

/* ledger."references": the ledger's foreign keys, from the store's schema. The
 * mirror has none (a push must never be refused for a row another console has
 * not sent yet); this says which column points where. */
static int references_view(PGconn *c, struct store *st, const struct central_docs *d, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT m.name, f.\"from\", f.\"table\", f.\"to\" FROM sqlite_master m, "
            "pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name NOT LIKE "
            "'local\\_%' ESCAPE '\\' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1, 2");
    struct strbuf sql = STRBUF_INIT;
    sb_puts(&sql, "CREATE OR REPLACE VIEW ledger.\"references\" AS SELECT * FROM (VALUES ");
    int step, n = 0;
    while ((step = store_next_row(s, err)) == 1) {
        const char *v[4];
        for (int i = 0; i < 4; i++)
            v[i] = col_text(s, i) ? col_text(s, i) : "id";
        sb_puts(&sql, n++ ? ", (" : "(");
        for (int i = 0; i < 4; i++) {
            char *lit = PQescapeLiteral(c, v[i], strlen(v[i]));
            sb_printf(&sql, "%s%s::text", i ? ", " : "", lit ? lit : "''");
            PQfreemem(lit);
        }
        sb_putc(&sql, ')');
    }
    sqlite3_reset(s);
    sb_puts(&sql, ") AS r(table_name, column_name, references_table, references_column)");
    int rc = step < 0 || n == 0 ? -1 : replace_view(c, "ledger.\"references\"", sql.buf, err);
    if (step == 0 && n == 0)
        set_err(err, _("the ledger has no foreign keys to describe"));
    sb_free(&sql);
    if (rc == 0)
        rc = comment_view(c, "ledger.\"references\"", "references", d, err);
    return rc;
}

int central_views_create(PGconn *c, struct store *st, const struct ledger_schema *ls,
                         const struct central_docs *d, char **err)
{
    int rc = exec(c, "CREATE SCHEMA IF NOT EXISTS ledger", "ledger", err);
    if (rc == 0)
        rc = exec(
            c,
            "COMMENT ON SCHEMA ledger IS '運用台帳を人が読むためのビュー(型つきの列、説明"
            "つき)。psql では SET search_path TO ledger, public; / Views of the operations "
            "ledger for people: typed, commented columns. In psql: SET search_path TO "
            "ledger, public;';"
            "COMMENT ON SCHEMA unyo IS 'unyo の同期用(端末どうしの送受信の形のまま)。読むときは "
            "ledger スキーマのビューを / unyo''s sync mirror (the wire format between "
            "consoles); read the views in schema ledger'",
            "ledger", err);
    if (rc == 0)
        rc = exec(c, cast_functions, "ledger", err);
    for (int i = 0; rc == 0 && i < ls->count; i++)
        rc = table_view(c, &ls->t[i], d, err);
    for (size_t i = 0; rc == 0 && i < ARRAY_LEN(people_views); i++) {
        const struct people_view *v = &people_views[i];
        char *name = xasprintf("ledger.%s", v->name);
        char *sql = xasprintf("CREATE OR REPLACE VIEW %s AS %s", name, v->sql);
        rc = replace_view(c, name, sql, err);
        if (rc == 0)
            rc = comment_view(c, name, v->name, d, err);
        free(sql);
        free(name);
    }
    if (rc == 0)
        rc = references_view(c, st, d, err);
    return rc;
}

/* Incidents the central database holds without SLA columns (written before
 * 021): computed from this store's copy of the same version, with this
 * console's sla.ini and calendar, and set on the central row in place. No new
 * server_seq: no console pulls them again, and no row is sent again. A version
 * this store does not hold, or holds newer, is left for its next step. */
static int fill_central_sla(struct store *st, PGconn *c, char **err)
{
    const char *doing = _("creating the central schema");
    PGresult *r = PQexec(c, "SELECT id, hlc::text, origin FROM unyo.incidents WHERE deleted = 0 "
                            "AND status <> 'draft' AND sla_ack_due IS NULL AND sla_ack_result "
                            "IS NULL AND sla_first_due IS NULL AND sla_first_result IS NULL AND "
                            "sla_recovery_due IS NULL AND sla_recovery_result IS NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = central_fail(c, r, doing, err);
        PQclear(r);
        return rc;
    }
    int n = PQntuples(r), rc = 0;
    struct sla *sla = n > 0 ? sla_load(NULL, NULL, err) : NULL;
    if (n > 0 && !sla)
        rc = -1;
    struct strbuf sql = STRBUF_INIT;
    int batch = 0;
    int64_t now = time_now_ms();
    for (int i = 0; rc == 0 && i <= n; i++) {
        if (i < n) {
            const char *id = PQgetvalue(r, i, 0), *hlc = PQgetvalue(r, i, 1),
                       *origin = PQgetvalue(r, i, 2);
            sqlite3_stmt *s = store_stmt(
                st, "SELECT 1 FROM incidents WHERE id = ?1 AND hlc = ?2 AND origin = ?3");
            bind_text(s, 1, id);
            bind_int(s, 2, strtoll(hlc, NULL, 10));
            bind_text(s, 3, origin);
            int same = store_one_row(s, err);
            sqlite3_reset(s);
            if (same < 0) {
                rc = -1;
                break;
            }
            struct incident inc;
            if (same == 0 || incident_get(st, sla, id, now, &inc, err) != 0) {
                free(err ? *err : NULL);
                if (err)
                    *err = NULL;
                continue; /* not here as this version: its next step fills it */
            }
            char due[SLA_NSTEPS][TIME_ISO_LEN + 1];
            const char *v[2 * SLA_NSTEPS];
            incident_sla_columns(&inc, due, v);
            sb_puts(&sql, batch++ ? ", (" : "(");
            char *lit = PQescapeLiteral(c, id, strlen(id));
            sb_printf(&sql, "%s, %lld", lit ? lit : "''", (long long)strtoll(hlc, NULL, 10));
            PQfreemem(lit);
            for (int k = 0; k < 2 * SLA_NSTEPS; k++) {
                lit = v[k] ? PQescapeLiteral(c, v[k], strlen(v[k])) : NULL;
                sb_printf(&sql, ", %s::text", lit ? lit : "NULL");
                PQfreemem(lit);
            }
            sb_putc(&sql, ')');
            incident_clear(&inc);
        }
        if (batch > 0 && (batch >= 500 || i == n)) {
            char *u = xasprintf(
                "UPDATE unyo.incidents i SET sla_ack_due = v.ad, sla_ack_result = v.ar, "
                "sla_first_due = v.fd, sla_first_result = v.fr, sla_recovery_due = v.rd, "
                "sla_recovery_result = v.rr FROM (VALUES %s) AS v(id, hlc, ad, ar, fd, fr, rd, "
                "rr) WHERE i.id = v.id AND i.hlc = v.hlc",
                sql.buf);
            rc = central_exec(c, u, doing, err);
            free(u);
            sb_reset(&sql);
            batch = 0;
        }
    }
    sb_free(&sql);
    sla_free(sla);
    PQclear(r);
    return rc;
}

int central_setup(struct store *st, PGconn *c, int *from, int *to, char **err)
{
    if (central_init(st, c, from, to, err) != 0)
        return -1;
    struct ledger_schema ls;
    if (ledger_schema_load(st, &ls, err) != 0)
        return -1;
    struct central_docs docs = {NULL, 0};
    const char *doing = _("creating the central schema");
    int rc = central_docs_load(&docs, err);
    if (rc == 0)
        rc = central_exec(c, "BEGIN", doing, err);
    if (rc == 0) {
        char *lock = xasprintf("SELECT pg_advisory_xact_lock(%lld)", CENTRAL_LOCK_KEY);
        rc = central_exec(c, lock, doing, err);
        free(lock);
        if (rc == 0)
            rc = central_views_create(c, st, &ls, &docs, err);
        if (rc == 0)
            rc = fill_central_sla(st, c, err);
        if (rc == 0)
            rc = central_exec(c, "COMMIT", doing, err);
        else
            PQclear(PQexec(c, "ROLLBACK"));
    }
    central_docs_free(&docs);
    ledger_schema_free(&ls);
    return rc;
}

const char *central_views_hint(void)
{
    return _("Views for people are in schema ledger (typed and commented): in psql, SET "
             "search_path TO ledger, public; then \\dv and \\d+ VIEW. For example: SELECT * "
             "FROM sla_monthly WHERE month = '2026-11';");
}
