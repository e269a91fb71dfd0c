/* The CSV reader and writer (unyo export/import --csv), and import itself.
 *
 * 1. Round trip: whatever the reader accepts, written back by the writer and
 *    read again gives the same records, field for field (bytes, NULL vs "").
 *    A refusal names the line ("line N: ...").
 * 2. Import: the input (after a first byte choosing the table) as DIR/<table>.csv,
 *    imported into an empty store: never crashes, and either imports or
 *    refuses naming the file and a line; a refused import leaves the store
 *    empty, an accepted one leaves only valid UTF-8 text.
 * Stores live in one temp directory, removed at exit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "ledger_io.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

struct rec {
    size_t n;
    char **f;
    size_t *len;
    unsigned char *null;
};

static void rec_free(struct rec *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i]);
    free(r->f);
    free(r->len);
    free(r->null);
}

/* Reads all records of buf; returns -1 on a refusal (*err set). */
static int read_all(const char *buf, size_t len, struct rec **out, size_t *nout, char **err)
{
    *out = NULL;
    *nout = 0;
    FILE *f = len ? fmemopen((void *)buf, len, "rb") : fopen("/dev/null", "rb");
    if (!f)
        abort();
    struct csv_reader *r = csv_reader_open(f);
    size_t n;
    const char *const *fields;
    const size_t *lens;
    const unsigned char *nulls;
    int got;
    while ((got = csv_read_row(r, &n, &fields, &lens, &nulls, err)) == 1) {
        *out = xrealloc(*out, (*nout + 1) * sizeof **out);
        struct rec *rc = &(*out)[(*nout)++];
        rc->n = n;
        rc->f = xcalloc(n + 1, sizeof *rc->f);
        rc->len = xcalloc(n + 1, sizeof *rc->len);
        rc->null = xcalloc(n + 1, 1);
        for (size_t i = 0; i < n; i++) {
            rc->f[i] = xmalloc(lens[i] + 1);
            memcpy(rc->f[i], fields[i], lens[i]);
            rc->f[i][lens[i]] = 0;
            rc->len[i] = lens[i];
            rc->null[i] = nulls[i];
        }
    }
    csv_reader_close(r);
    fclose(f);
    return got < 0 ? -1 : 0;
}

static void free_all(struct rec *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rec_free(&r[i]);
    free(r);
}

static void round_trip(const uint8_t *data, size_t size)
{
    struct rec *a;
    size_t na;
    char *err = NULL;
    if (read_all((const char *)data, size, &a, &na, &err) != 0) {
        if (!err || strncmp(err, "line ", 5) != 0)
            abort();
        free(err);
        free_all(a, na);
        return;
    }
    char *buf = NULL;
    size_t blen = 0;
    FILE *out = open_memstream(&buf, &blen);
    struct csv_writer *w = csv_writer_open(out, size & 1);
    for (size_t i = 0; i < na; i++) {
        for (size_t k = 0; k < a[i].n; k++)
            csv_write_field(w, a[i].null[k] ? NULL : a[i].f[k], a[i].len[k]);
        csv_end_row(w);
    }
    if (csv_writer_close(w) != 0)
        abort();
    fclose(out);
    struct rec *b;
    size_t nb;
    if (read_all(buf, blen, &b, &nb, &err) != 0)
        abort(); /* what the writer wrote, the reader must take */
    if (nb != na)
        abort();
    for (size_t i = 0; i < na; i++) {
        if (a[i].n != b[i].n)
            abort();
        for (size_t k = 0; k < a[i].n; k++)
            if (a[i].null[k] != b[i].null[k] || a[i].len[k] != b[i].len[k] ||
                memcmp(a[i].f[k], b[i].f[k], a[i].len[k]) != 0)
                abort();
    }
    free_all(a, na);
    free_all(b, nb);
    free(buf);
}

static char dir[64];
static char **tables;
static int ntables;
static char *tmpl;
static size_t tmpl_len;

static void cleanup(void)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        /* nothing more to do */
    }
    free(cmd);
    store_free_names(tables);
    free(tmpl);
}

static void setup(void)
{
    if (dir[0])
        return;
    /* tmpfs when there is one: every input writes a store, and fsync on a
     * loaded disk would make each one take 100s of ms. */
    snprintf(dir, sizeof dir, "%s/unyo-fuzz-csv-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    char *path = xasprintf("%s/template.db", dir), *err = NULL;
    struct store *st;
    if (store_open(path, STORE_CREATE_NEW, &st, &err) != 0)
        abort();
    tables = store_ledger_tables(st, &err);
    if (!tables)
        abort();
    while (tables[ntables])
        ntables++;
    store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
    store_close(st);
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    fseek(f, 0, SEEK_END);
    tmpl_len = (size_t)ftell(f);
    rewind(f);
    tmpl = xmalloc(tmpl_len);
    if (fread(tmpl, 1, tmpl_len, f) != tmpl_len)
        abort();
    fclose(f);
    free(path);
}

static long long count_rows(struct store *st)
{
    long long n = 0;
    for (int i = 0; i < ntables; i++) {
        char *sql = xasprintf("SELECT count(*) FROM \"%s\"", tables[i]);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            n += sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        free(sql);
    }
    return n;
}

static int all_text_storable(struct store *st)
{
    for (int i = 0; i < ntables; i++) {
        char *sql = xasprintf("SELECT * FROM \"%s\"", tables[i]);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
            while (sqlite3_step(s) == SQLITE_ROW)
                for (int c = 0; c < sqlite3_column_count(s); c++)
                    if (sqlite3_column_type(s, c) == SQLITE_TEXT &&
                        !utf8_storable((const char *)sqlite3_column_text(s, c),
                                       (size_t)sqlite3_column_bytes(s, c))) {
                        sqlite3_finalize(s);
                        free(sql);
                        return 0;
                    }
        }
        sqlite3_finalize(s);
        free(sql);
    }
    return 1;
}

static void import_one(const uint8_t *data, size_t size)
{
    setup();
    const char *table = tables[data[0] % ntables];
    char *db = xasprintf("%s/s.db", dir), *in = xasprintf("%s/in", dir);
    char *csv = xasprintf("%s/%s.csv", in, table);
    char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
    unlink(wal);
    unlink(shm);
    FILE *f = fopen(db, "wb");
    if (!f || fwrite(tmpl, 1, tmpl_len, f) != tmpl_len)
        abort();
    fclose(f);
    mkdir(in, 0700); /* holds only <table>.csv files: remove the last one */
    for (int t = 0; t < ntables; t++) {
        char *old = xasprintf("%s/%s.csv", in, tables[t]);
        unlink(old);
        free(old);
    }
    f = fopen(csv, "wb");
    if (!f || (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1))
        abort();
    fclose(f);

    struct store *st;
    char *err = NULL;
    if (store_open(db, STORE_OPEN_EXISTING, &st, &err) != 0)
        abort();
    store_exec(st, "PRAGMA synchronous = OFF", NULL);
    long long rows = 0;
    int rc = ledger_import_csv(st, in, &rows, &err);
    if (rc != 0) {
        /* FILE and a line: "DIR/table.csv:N: ..." or "DIR/table.csv: line N: ..." */
        char *file = xasprintf("%s.csv", table);
        const char *at = err ? strstr(err, file) : NULL;
        if (!at)
            abort();
        at += strlen(file);
        if (!(at[0] == ':' &&
              ((at[1] >= '0' && at[1] <= '9') || strncmp(at + 1, " line ", 6) == 0)))
            abort();
        free(file);
        free(err);
        if (count_rows(st) != 0)
            abort(); /* all or nothing */
    } else if (!all_text_storable(st)) {
        abort();
    }
    store_close(st);
    free(db);
    free(in);
    free(csv);
    free(wal);
    free(shm);
}

/* 1 when the file's first line is a plausible header (column names only):
 * those inputs reach the field checks, the rest are refused at the header. */
static int plausible_header(const uint8_t *data, size_t size)
{
    size_t i = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    int any = 0;
    for (; i < size && data[i] != '\r' && data[i] != '\n'; i++) {
        unsigned char c = data[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ','))
            return 0;
        any = 1;
    }
    return any;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    round_trip(data, size);
    /* An import costs a store: every plausible one, 1 in 8 of the rest. */
    if (size > 0 && (plausible_header(data + 1, size - 1) || (data[0] & 0x70) == 0))
        import_one(data, size);
    return 0;
}
