#include "ledger_io.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "i18n.h"
#include "store.h"
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
    sqlite3_stmt *ins = NULL;
    int got = csv_read_row(r, &n, &fields, &lens, &nulls, &rerr);
    if (got <= 0) {
        if (got == 0)
            set_err(err, _("%s: the header row is missing"), path);
        else
            set_err(err, "%s: %s", path, rerr);
        goto out;
    }
    /* The header names the columns: check each against the table so a file
     * from another table or version fails loudly instead of shifting data. */
    struct strbuf sql = STRBUF_INIT;
    sb_printf(&sql, "INSERT INTO \"%s\" (", table);
    size_t ncols = n;
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
    while ((got = csv_read_row(r, &n, &fields, &lens, &nulls, &rerr)) == 1) {
        long line = csv_reader_line(r);
        if (n != ncols) {
            set_err(err, _("%s:%ld: %zu fields, expected %zu"), path, line, n, ncols);
            goto out;
        }
        sqlite3_reset(ins);
        for (size_t i = 0; i < n; i++) {
            if (nulls[i])
                sqlite3_bind_null(ins, (int)i + 1);
            else
                sqlite3_bind_text(ins, (int)i + 1, fields[i], (int)lens[i], SQLITE_STATIC);
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            set_err(err, "%s:%ld: %s", path, line, sqlite3_errmsg(st->db));
            goto out;
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
        for (char **t = tables; *t && rc == 0; t++) {
            char *path = xasprintf("%s/%s.csv", dir, *t);
            FILE *probe = fopen(path, "rb");
            if (probe) {
                fclose(probe);
                rc = import_table(st, path, *t, &count, err);
            }
            free(path);
        }
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
