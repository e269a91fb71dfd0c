#include "ledger_io.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "cmdb.h"
#include "csv.h"
#include "i18n.h"
#include "id.h"
#include "incidents.h"
#include "jobs.h"
#include "problems.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "utf8.h"
#include "util.h"

static int export_table(struct store *st, const char *dir, const char *table, int bom,
                        long long *rows, char **err)
{
    char *path = xasprintf("%s/%s.csv", dir, table);
    FILE *f = fopen(path, "wb");
    if (!f) {
        set_err(err, _("cannot write %s: %s"), path, strerror(errno));
        free(path);
        return -1;
    }
    /* A 1 MiB stdio buffer: the CSV writer already batches, this keeps the
     * number of write(2) calls low for million-row tables. */
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    char *sql = xasprintf("SELECT * FROM \"%s\" ORDER BY id", table);
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        store_fail(st, err, table);
        goto out;
    }
    struct csv_writer *w = csv_writer_open(f, bom);
    int ncols = sqlite3_column_count(s);
    for (int c = 0; c < ncols; c++) {
        const char *name = sqlite3_column_name(s, c);
        csv_write_field(w, name, strlen(name));
    }
    csv_end_row(w);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        for (int c = 0; c < ncols; c++) {
            if (sqlite3_column_type(s, c) == SQLITE_NULL) {
                csv_write_field(w, NULL, 0);
            } else {
                const char *v = (const char *)sqlite3_column_text(s, c);
                csv_write_field(w, v, (size_t)sqlite3_column_bytes(s, c));
            }
        }
        csv_end_row(w);
        (*rows)++;
    }
    int werr = csv_writer_close(w);
    if (step != SQLITE_DONE) {
        store_fail(st, err, table);
        goto out;
    }
    if (werr != 0) {
        set_err(err, _("cannot write %s: %s"), path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(s);
    free(sql);
    if (fclose(f) != 0 && rc == 0) {
        set_err(err, _("cannot write %s: %s"), path, strerror(errno));
        rc = -1;
    }
    free(path);
    return rc;
}

int ledger_export_csv(struct store *st, const char *dir, int bom, long long *rows, char **err)
{
    long long count = 0;
    if (mkdir_p(dir, err) != 0)
        return -1;
    /* One read transaction: the files are one consistent snapshot even while
     * the console keeps writing. */
    if (store_exec(st, "BEGIN", err) != 0)
        return -1;
    char **tables = store_ledger_tables(st, err);
    int rc = tables ? 0 : -1;
    for (char **t = tables; rc == 0 && *t; t++)
        rc = export_table(st, dir, *t, bom, &count, err);
    store_free_names(tables);
    store_exec(st, "COMMIT", NULL);
    if (rows)
        *rows = count;
    return rc;
}

/* 1 or 0, or -1 with *err set when the table cannot be read. */
static int table_has_rows(struct store *st, const char *table, char **err)
{
    char *sql = xasprintf("SELECT 1 FROM \"%s\" LIMIT 1", table);
    sqlite3_stmt *s = NULL;
    int has = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK)
        has = store_one_row(s, err);
    sqlite3_finalize(s);
    free(sql);
    return has;
}

/* ---- checking what is imported ----------------------------------------------
 *
 * SQLite takes almost anything: "abc" in an INTEGER column, a received_at
 * that is not a time (the incident then sorts outside every page of
 * `incident list` and seems lost), a status no screen knows. Every field is
 * checked before it is written, and references once every file is in; the
 * first fault is refused with FILE:LINE and nothing is imported. */

static const char *const incident_statuses[] = {
    "draft",           "received",  "isolated", "escalated", "first_response",
    "second_response", "recovered", "closed",   "reopened",  NULL};
static const char *const inquiry_statuses[] = {
    "received", "investigating", "drafted", "in_review", "approved",
    "returned", "answered",      "closed",  "converted", NULL};
static const char *const priorities[] = {"P1", "P2", "P3", "P4", NULL};
static const char *const levels[] = {"1", "2", "3", NULL};
static const char *const flags[] = {"0", "1", NULL};

static const struct {
    const char *table, *column; /* table NULL: any table */
    const char *const *values;
} enums[] = {
    {"incidents", "channel", incident_channels},
    {"incidents", "category", incident_categories},
    {"incidents", "status", incident_statuses},
    {"incidents", "priority", priorities},
    {"incidents", "impact", levels},
    {"incidents", "urgency", levels},
    {"inquiries", "channel", incident_channels},
    {"inquiries", "status", inquiry_statuses},
    {"problems", "status", problem_statuses},
    {"changes", "status", change_statuses},
    {"changes", "risk", change_risks},
    {"job_runs", "state", job_run_states},
    {"config_items", "kind", cmdb_kinds},
    {NULL, "deleted", flags},
};

enum col_check { CK_TEXT, CK_INT, CK_REAL, CK_INSTANT, CK_DAY, CK_ID };

struct col_rule {
    enum col_check kind;
    const char *const *values; /* allowed values, or NULL */
};

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* What column `name` (declared type decl) of table must hold. */
static struct col_rule rule_for(const char *table, const char *name, const char *decl)
{
    struct col_rule r = {CK_TEXT, NULL};
    for (size_t i = 0; i < ARRAY_LEN(enums); i++)
        if ((!enums[i].table || streq(enums[i].table, table)) && streq(enums[i].column, name))
            r.values = enums[i].values;
    char up[32];
    size_t n = 0;
    for (; decl && decl[n] && n < sizeof up - 1; n++)
        up[n] = (char)(decl[n] >= 'a' && decl[n] <= 'z' ? decl[n] - 32 : decl[n]);
    up[n] = '\0';
    if (strstr(up, "INT"))
        r.kind = CK_INT;
    else if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        r.kind = CK_REAL;
    else if (streq(name, "at") || ends_with(name, "_at") || ends_with(name, "_since") ||
             streq(name, "window_start") || streq(name, "window_end"))
        r.kind = CK_INSTANT;
    else if (streq(name, "day") || streq(name, "due_day"))
        r.kind = CK_DAY;
    else if (streq(name, "id") || streq(name, "origin"))
        r.kind = CK_ID;
    return r;
}

/* NULL when v (len bytes) suits the rule, else what is wrong (translated). */
static char *field_fault(const struct col_rule *r, const char *v, size_t len)
{
    if (!utf8_storable(v, len))
        return xstrdup(_("not valid UTF-8 text"));
    switch (r->kind) {
    case CK_INT: {
        const char *p = v;
        if (*p == '-')
            p++;
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            digits++;
        if (!digits || *p || digits > 18)
            return xasprintf(_("\"%s\" is not a whole number"), v);
        break;
    }
    case CK_REAL: {
        char *end = NULL;
        errno = 0;
        double d = strtod(v, &end);
        if (!len || *end || errno || d != d)
            return xasprintf(_("\"%s\" is not a number"), v);
        break;
    }
    case CK_INSTANT: {
        int64_t ms;
        char iso[TIME_ISO_LEN + 1];
        if (time_parse(v, &ms) != 0)
            return xasprintf(_("\"%s\" is not a time"), v);
        time_format_iso(ms, iso);
        if (!streq(iso, v))
            return xasprintf(_("\"%s\" is not a time in the stored form (UTC, like %s)"), v, iso);
        break;
    }
    case CK_DAY: {
        int y, m, d, yy, mm, dd;
        char tail;
        if (len != 10 || sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || v[4] != '-' ||
            v[7] != '-')
            return xasprintf(_("\"%s\" is not a date (YYYY-MM-DD)"), v);
        time_civil_from_days(time_days_from_civil(y, m, d), &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d)
            return xasprintf(_("\"%s\" is not a date (YYYY-MM-DD)"), v);
        break;
    }
    case CK_ID:
        if (!id_valid(v))
            return xasprintf(_("\"%s\" is not a row id"), v);
        break;
    default:
        break;
    }
    if (r->values && !ledger_key_valid(r->values, v)) {
        struct strbuf sb = STRBUF_INIT;
        for (const char *const *k = r->values; *k; k++)
            sb_printf(&sb, "%s%s", k == r->values ? "" : ", ", *k);
        char *m = xasprintf(_("\"%s\" is not one of: %s"), v, sb.buf);
        sb_free(&sb);
        return m;
    }
    return NULL;
}

/* The rules for the header's columns (a NULL rule when a column is unknown:
 * the INSERT's prepare then says so). NULL with *err when the table's columns
 * cannot be read: an import is never let through unchecked. */
static struct col_rule *rules_for(struct store *st, const char *table, const char *const *names,
                                  size_t n, char **err)
{
    struct col_rule *rules = xcalloc(n + 1, sizeof *rules);
    char *sql = xasprintf("PRAGMA table_info(\"%s\")", table);
    sqlite3_stmt *s = NULL;
    int step = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        store_fail(st, err, table);
    else
        while ((step = store_next_row(s, err)) == 1) {
            const char *name = (const char *)sqlite3_column_text(s, 1);
            const char *decl = (const char *)sqlite3_column_text(s, 2);
            for (size_t i = 0; i < n; i++)
                if (name && streq(names[i], name))
                    rules[i] = rule_for(table, name, decl);
        }
    sqlite3_finalize(s);
    free(sql);
    if (step < 0) {
        free(rules);
        return NULL;
    }
    return rules;
}

/* References, once every file is in: each child row's parent must be there.
 * The line of a row comes from temp.import_lines. */
static int check_references(struct store *st, const char *dir, char **tables, char **err)
{
    int rc = 0;
    for (char **t = tables; *t && rc == 0; t++) {
        char *sql = xasprintf("PRAGMA foreign_key_list(\"%s\")", *t);
        sqlite3_stmt *fk = NULL;
        if (sqlite3_prepare_v2(st->db, sql, -1, &fk, NULL) != SQLITE_OK) {
            free(sql);
            return store_fail(st, err, *t);
        }
        free(sql);
        int step = 0;
        while (rc == 0 && (step = store_next_row(fk, err)) == 1) {
            const char *parent = (const char *)sqlite3_column_text(fk, 2);
            const char *from = (const char *)sqlite3_column_text(fk, 3);
            const char *to = (const char *)sqlite3_column_text(fk, 4);
            char *q = xasprintf("SELECT c.\"%s\", l.line FROM \"%s\" c LEFT JOIN "
                                "temp.import_lines l ON l.tbl = ?1 AND l.id = c.id WHERE "
                                "c.\"%s\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \"%s\" p "
                                "WHERE p.\"%s\" = c.\"%s\") ORDER BY l.line LIMIT 1",
                                from, *t, from, parent, to ? to : "id", from);
            sqlite3_stmt *s = NULL;
            if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK) {
                rc = store_fail(st, err, *t);
            } else {
                sqlite3_bind_text(s, 1, *t, -1, SQLITE_STATIC);
                int orphan = store_one_row(s, err);
                if (orphan == 1)
                    set_err(err, _("%s/%s.csv:%lld: %s: \"%s\" is not in %s"), dir, *t,
                            (long long)sqlite3_column_int64(s, 1), from,
                            (const char *)sqlite3_column_text(s, 0), parent);
                if (orphan != 0)
                    rc = -1;
            }
            sqlite3_finalize(s);
            free(q);
        }
        if (step < 0)
            rc = -1;
        sqlite3_finalize(fk);
    }
    return rc;
}

static int import_table(struct store *st, const char *path, const char *table, long long *rows,
                        char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, _("cannot open %s: %s"), path, strerror(errno));
        return -1;
    }
    struct csv_reader *r = csv_reader_open(f);
    size_t n;
    const char *const *fields;
    const size_t *lens;
    const unsigned char *nulls;
    char *rerr = NULL;
    int rc = -1;
    sqlite3_stmt *ins = NULL, *lines = NULL;
    struct col_rule *rules = NULL;
    int id_col = -1;
    char **header = NULL;
    size_t ncols = 0;
    int got = csv_read_row(r, &n, &fields, &lens, &nulls, &rerr);
    if (got <= 0) {
        if (got == 0) {
            char *at = xasprintf("%s:1", path); /* FILE:LINE like every other refusal */
            set_err(err, _("%s: the header row is missing"), at);
            free(at);
        } else
            set_err(err, "%s: %s", path, rerr);
        goto out;
    }
    /* The header names the columns: check each against the table so a file
     * from another table or version fails loudly instead of shifting data. */
    struct strbuf sql = STRBUF_INIT;
    sb_printf(&sql, "INSERT INTO \"%s\" (", table);
    header = xcalloc(n + 1, sizeof *header);
    ncols = n;
    for (size_t i = 0; i < n; i++)
        header[i] = xstrdup(fields[i]);
    for (size_t i = 0; i < n; i++) {
        for (const char *c = fields[i]; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) {
                set_err(err, _("%s:1: \"%s\" is not a column name"), path, fields[i]);
                sb_free(&sql);
                goto out;
            }
        sb_printf(&sql, "%s\"%s\"", i ? ", " : "", fields[i]);
    }
    sb_puts(&sql, ") VALUES (");
    for (size_t i = 0; i < n; i++)
        sb_printf(&sql, "%s?%zu", i ? ", " : "", i + 1);
    sb_puts(&sql, ")");
    if (sqlite3_prepare_v2(st->db, sql.buf, -1, &ins, NULL) != SQLITE_OK) {
        set_err(err, _("%s:1: the header does not match table %s: %s"), path, table,
                sqlite3_errmsg(st->db));
        sb_free(&sql);
        goto out;
    }
    sb_free(&sql);
    rules = rules_for(st, table, fields, n, err);
    if (!rules)
        goto out;
    id_col = -1;
    for (size_t i = 0; i < n; i++)
        if (streq(fields[i], "id"))
            id_col = (int)i;
    lines = store_stmt(st, "INSERT OR IGNORE INTO temp.import_lines(tbl, id, line) "
                           "VALUES(?1, ?2, ?3)");
    while ((got = csv_read_row(r, &n, &fields, &lens, &nulls, &rerr)) == 1) {
        long line = csv_reader_line(r);
        if (n != ncols) {
            set_err(err, _("%s:%ld: %zu fields, expected %zu"), path, line, n, ncols);
            goto out;
        }
        sqlite3_reset(ins);
        for (size_t i = 0; i < n; i++) {
            if (nulls[i]) {
                sqlite3_bind_null(ins, (int)i + 1);
                continue;
            }
            char *fault = field_fault(&rules[i], fields[i], lens[i]);
            if (fault) {
                struct strbuf shown = STRBUF_INIT;
                text_sanitize(&shown, fault, 0);
                set_err(err, "%s:%ld: %s: %s", path, line, header[i], shown.buf);
                sb_free(&shown);
                free(fault);
                goto out;
            }
            sqlite3_bind_text(ins, (int)i + 1, fields[i], (int)lens[i], SQLITE_STATIC);
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            set_err(err, "%s:%ld: %s", path, line, sqlite3_errmsg(st->db));
            goto out;
        }
        if (id_col >= 0 && !nulls[id_col]) {
            sqlite3_reset(lines);
            bind_text(lines, 1, table);
            bind_text(lines, 2, fields[id_col]);
            bind_int(lines, 3, line);
            if (sqlite3_step(lines) != SQLITE_DONE) {
                sqlite3_reset(lines);
                store_fail(st, err, path);
                goto out;
            }
            sqlite3_reset(lines);
        }
        (*rows)++;
    }
    if (got < 0) {
        set_err(err, "%s: %s", path, rerr);
        goto out;
    }
    rc = 0;
out:
    free(rerr);
    free(rules);
    for (size_t i = 0; i < ncols; i++)
        free(header[i]);
    free(header);
    sqlite3_finalize(ins);
    csv_reader_close(r);
    fclose(f);
    return rc;
}

int ledger_import_csv(struct store *st, const char *dir, long long *rows, char **err)
{
    long long count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        set_err(err, _("cannot open %s: %s"), dir, strerror(errno));
        return -1;
    }
    char **tables = store_ledger_tables(st, err);
    if (!tables) {
        closedir(d);
        return -1;
    }
    /* Every .csv in DIR must be a table of this store: a stray file is data
     * that would otherwise be silently left behind. */
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL && rc == 0) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        int known = 0;
        for (char **t = tables; *t; t++)
            if (strlen(*t) == len - 4 && strncmp(*t, e->d_name, len - 4) == 0)
                known = 1;
        if (!known) {
            set_err(err, _("%s/%s does not belong to any table of this store"), dir, e->d_name);
            rc = -1;
        }
    }
    closedir(d);
    for (char **t = tables; *t && rc == 0; t++) {
        int has = table_has_rows(st, *t, err);
        if (has < 0) {
            rc = -1;
            break;
        }
        if (has) {
            set_err(err,
                    _("the store %s is not empty (table %s has rows); import needs an empty "
                      "store"),
                    st->path, *t);
            rc = -1;
        }
    }
    if (rc == 0 && store_begin(st, err) != 0)
        rc = -1;
    else if (rc == 0) {
        /* Rows reference each other across tables; check references once,
         * at commit, instead of ordering the files by dependency. */
        store_exec(st, "PRAGMA defer_foreign_keys = ON", NULL);
        if (store_exec(st,
                       "CREATE TEMP TABLE IF NOT EXISTS import_lines(tbl TEXT NOT NULL, id TEXT "
                       "NOT NULL, line INTEGER NOT NULL, PRIMARY KEY(tbl, id)) WITHOUT ROWID; "
                       "DELETE FROM temp.import_lines",
                       err) != 0)
            rc = -1;
        for (char **t = tables; *t && rc == 0; t++) {
            char *path = xasprintf("%s/%s.csv", dir, *t);
            FILE *probe = fopen(path, "rb");
            if (probe) {
                fclose(probe);
                rc = import_table(st, path, *t, &count, err);
            }
            free(path);
        }
        if (rc == 0)
            rc = check_references(st, dir, tables, err);
        /* The imported rows go into the records' hash chain, as store_commit does. */
        if (rc == 0)
            rc = store_chain_seal(st, 0, err);
        if (rc == 0) {
            if (store_exec(st, "COMMIT", err) != 0) {
                char *msg = *err;
                *err = NULL;
                set_err(err, _("the import was rolled back: %s"), msg);
                free(msg);
                store_rollback(st);
                rc = -1;
            }
        } else {
            store_rollback(st);
        }
    }
    store_free_names(tables);
    if (rows)
        *rows = count;
    return rc;
}
