/* The records' hash chain, written (issue 14; migration 014; read by src/chain.c).
 *
 * The triggers of migration 014 note every row a transaction inserts into a ledger
 * table and every mutable row it updates (local_chain_dirty); store_commit calls
 * store_chain_seal before COMMIT, which appends one link per noted row:
 *
 *   digest = SHA-256(canonical form of the row, as it is now)
 *   hash   = SHA-256(previous hash of the row's origin || digest)   (32 + 32 bytes)
 *
 * the first link of an origin hashing after 32 zero bytes. The canonical form
 * (documented in doc/NOTES.md "Verifiable records", reproduced by the export's
 * verify.py) is
 *
 *   "unyo-row-v1\n" TABLE "\n" then, per column in the table's order (SELECT *; the
 *   first ncol columns: a column a later migration adds is not in older links):
 *   NAME "\t" VALUE "\n", VALUE being  n  (NULL) | i<decimal> (integer) |
 *   r<16 hex digits: the IEEE-754 binary64, big-endian> (real) |
 *   t<byte length>:<UTF-8 bytes> (text) | b<hex> (blob)
 *
 * SHA-256 is OpenSSL's libcrypto (EVP), never a hand-written one. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "store.h"
#include "util.h"

/* The table numbers of local_chain.t: the order of migration 014, never to change
 * (a new table is added at the end). The first STORE_CHAIN_APPEND_ONLY are
 * append-only; the rest are mutable (a link per written state). */
#define CHAIN_TABLES(X)                                                                            \
    X(audit)                                                                                       \
    X(incident_events)                                                                             \
    X(inquiry_events)                                                                              \
    X(problem_events)                                                                              \
    X(change_events)                                                                               \
    X(job_run_events)                                                                              \
    X(checklist_events)                                                                            \
    X(host_metrics)                                                                                \
    X(job_deliveries)                                                                              \
    X(operators)                                                                                   \
    X(libraries)                                                                                   \
    X(hosts)                                                                                       \
    X(templates)                                                                                   \
    X(incidents)                                                                                   \
    X(inquiries)                                                                                   \
    X(problems)                                                                                    \
    X(knowledge)                                                                                   \
    X(links)                                                                                       \
    X(jobs)                                                                                        \
    X(job_deps)                                                                                    \
    X(job_runs)                                                                                    \
    X(changes)                                                                                     \
    X(change_steps)                                                                                \
    X(config_items)                                                                                \
    X(shifts)                                                                                      \
    X(handovers)                                                                                   \
    X(ssh_sessions)                                                                                \
    X(handover_items)                                                                              \
    X(change_effects)                                                                              \
    X(check_acks)                                                                                  \
    X(downtimes)

#define NAME(t) #t,
#define ROW_SQL(t) "SELECT * FROM " #t " WHERE id = ?1",
#define SCAN_SQL(t) "SELECT * FROM " #t " ORDER BY id",
static const char *const chain_names[] = {CHAIN_TABLES(NAME)};
static const char *const chain_row_sql[] = {CHAIN_TABLES(ROW_SQL)};
static const char *const chain_scan_sql[] = {CHAIN_TABLES(SCAN_SQL)};
#define N_TABLES (sizeof chain_names / sizeof *chain_names)

size_t store_chain_tables(void)
{
    return N_TABLES;
}

const char *store_chain_table(size_t t)
{
    return t < N_TABLES ? chain_names[t] : NULL;
}

const char *store_chain_row_sql(size_t t)
{
    return chain_row_sql[t];
}

const char *store_chain_scan_sql(size_t t)
{
    return chain_scan_sql[t];
}

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!sha256_md)
        abort();
}

void store_sha256(const void *data, size_t len, uint8_t out[32])
{
    pthread_once(&sha256_once, sha256_fetch);
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, sha256_md, NULL) != 1 || n != 32)
        abort(); /* only on allocation failure inside libcrypto */
}

void store_chain_link(const uint8_t prev[32], const uint8_t digest[32], uint8_t out[32])
{
    uint8_t buf[64];
    memcpy(buf, prev, 32);
    memcpy(buf + 32, digest, 32);
    store_sha256(buf, sizeof buf, out);
}

/* Decimal of v into the end of b (at least 21 bytes): where it starts. No printf:
 * verify formats every integer of every row. */
static char *dec(int64_t v, char *end)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = end;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return p;
}

void store_chain_canonical(sqlite3_stmt *s, const char *table, int ncol, struct strbuf *sb)
{
    static const char hex[] = "0123456789abcdef";
    char num[24], *end = num + sizeof num, *p;
    sb_reset(sb);
    sb_add(sb, "unyo-row-v1\n", 12);
    sb_puts(sb, table);
    sb_putc(sb, '\n');
    int n = sqlite3_column_count(s);
    if (ncol < n)
        n = ncol;
    for (int i = 0; i < n; i++) {
        sb_puts(sb, sqlite3_column_name(s, i));
        sb_putc(sb, '\t');
        switch (sqlite3_column_type(s, i)) {
        case SQLITE_NULL:
            sb_putc(sb, 'n');
            break;
        case SQLITE_INTEGER:
            p = dec(sqlite3_column_int64(s, i), end);
            *--p = 'i';
            sb_add(sb, p, (size_t)(end - p));
            break;
        case SQLITE_FLOAT: {
            double d = sqlite3_column_double(s, i);
            uint64_t u;
            memcpy(&u, &d, sizeof u);
            char b[18];
            b[0] = 'r';
            for (int k = 0; k < 16; k++)
                b[1 + k] = hex[(u >> (60 - 4 * k)) & 15];
            sb_add(sb, b, 17);
            break;
        }
        case SQLITE_TEXT: {
            const char *v = (const char *)sqlite3_column_text(s, i);
            int len = sqlite3_column_bytes(s, i);
            p = dec(len, end - 1);
            *--p = 't';
            end[-1] = ':';
            sb_add(sb, p, (size_t)(end - p));
            sb_add(sb, v, (size_t)len);
            break;
        }
        default: {
            const uint8_t *v = sqlite3_column_blob(s, i);
            int len = sqlite3_column_bytes(s, i);
            sb_putc(sb, 'b');
            for (int k = 0; k < len; k++) {
                sb_putc(sb, hex[v[k] >> 4]);
                sb_putc(sb, hex[v[k] & 15]);
            }
        }
        }
        sb_putc(sb, '\n');
    }
}

int store_chain_origin_col(sqlite3_stmt *s)
{
    int n = sqlite3_column_count(s);
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(sqlite3_column_name(s, i), "origin") == 0)
            return i;
    return -1;
}

struct head {
    int64_t o, seq;
    char *origin;
    uint8_t hash[32];
    int changed;
};

static struct head *head_of(struct store *st, struct head **v, size_t *n, const char *origin,
                            char **err)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].origin, origin) == 0)
            return &(*v)[i];
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    struct head *h = &(*v)[(*n)++];
    memset(h, 0, sizeof *h);
    h->origin = xstrdup(origin);
    sqlite3_stmt *s =
        store_stmt(st, "SELECT o, seq, hash FROM local_chain_heads WHERE origin = ?1");
    bind_text(s, 1, origin);
    int got = store_one_row(s, err);
    if (got < 0)
        return NULL;
    if (got) {
        h->o = sqlite3_column_int64(s, 0);
        h->seq = sqlite3_column_int64(s, 1);
        if (sqlite3_column_bytes(s, 2) == 32)
            memcpy(h->hash, sqlite3_column_blob(s, 2), 32);
        sqlite3_reset(s);
        return h;
    }
    sqlite3_reset(s);
    sqlite3_stmt *a =
        store_stmt(st, "INSERT INTO local_chain_heads(o, origin, seq, hash) "
                       "VALUES((SELECT coalesce(max(o), 0) + 1 FROM local_chain_heads), ?1, 0, "
                       "zeroblob(32)) RETURNING o");
    bind_text(a, 1, origin);
    got = store_one_row(a, err);
    if (got <= 0) {
        sqlite3_reset(a);
        if (got == 0)
            store_fail(st, err, _("sealing the records"));
        return NULL;
    }
    h->o = sqlite3_column_int64(a, 0);
    sqlite3_reset(a);
    return h;
}

int store_chain_seal(struct store *st, int late, char **err)
{
    sqlite3_stmt *d = store_stmt(st, "SELECT t, row_id FROM local_chain_dirty ORDER BY n");
    sqlite3_stmt *ins =
        store_stmt(st, "INSERT INTO local_chain(o, t, row_id, ncol, digest, hash, late) "
                       "VALUES(?1, ?2, ?3, ?7, ?4, ?5, ?6)");
    sqlite3_stmt *rows = store_stmt(st, "INSERT OR REPLACE INTO local_chain_rows(t, row_id, seq) "
                                        "VALUES(?1, ?2, ?3)");
    struct head *heads = NULL;
    size_t nheads = 0;
    struct strbuf sb = STRBUF_INIT;
    int step, rc = 0, any = 0;
    while ((step = store_next_row(d, err)) == 1) {
        any = 1;
        int64_t t = sqlite3_column_int64(d, 0);
        const char *row_id = col_text(d, 1);
        if (t < 0 || (size_t)t >= N_TABLES || !row_id)
            continue;
        sqlite3_stmt *r = store_stmt(st, chain_row_sql[t]);
        bind_text(r, 1, row_id);
        int got = store_one_row(r, err);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 0) { /* inserted and gone in the same transaction: nothing to keep */
            sqlite3_reset(r);
            continue;
        }
        int oc = store_chain_origin_col(r);
        const char *origin = oc >= 0 ? col_text(r, oc) : NULL;
        int ncol = sqlite3_column_count(r);
        store_chain_canonical(r, chain_names[t], ncol, &sb);
        uint8_t digest[32];
        store_sha256(sb.buf, sb.len, digest);
        struct head *h = head_of(st, &heads, &nheads, origin ? origin : "", err);
        sqlite3_reset(r);
        if (!h) {
            rc = -1;
            break;
        }
        uint8_t hash[32];
        store_chain_link(h->hash, digest, hash);
        bind_int(ins, 1, h->o);
        bind_int(ins, 2, t);
        bind_text(ins, 3, row_id);
        sqlite3_bind_blob(ins, 4, digest, 32, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 5, hash, 32, SQLITE_TRANSIENT);
        if (late)
            bind_int(ins, 6, 1);
        else
            sqlite3_bind_null(ins, 6);
        bind_int(ins, 7, ncol);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            sqlite3_reset(ins);
            rc = store_fail(st, err, _("sealing the records"));
            break;
        }
        sqlite3_reset(ins);
        int64_t seq = sqlite3_last_insert_rowid(st->db);
        bind_int(rows, 1, t);
        bind_text(rows, 2, row_id);
        bind_int(rows, 3, seq);
        if (sqlite3_step(rows) != SQLITE_DONE) {
            sqlite3_reset(rows);
            rc = store_fail(st, err, _("sealing the records"));
            break;
        }
        sqlite3_reset(rows);
        memcpy(h->hash, hash, 32);
        h->seq = seq;
        h->changed = 1;
    }
    sqlite3_reset(d);
    if (step < 0)
        rc = -1;
    sqlite3_stmt *up =
        store_stmt(st, "UPDATE local_chain_heads SET seq = ?2, hash = ?3 WHERE o = ?1");
    for (size_t i = 0; i < nheads; i++) {
        if (rc == 0 && heads[i].changed) {
            bind_int(up, 1, heads[i].o);
            bind_int(up, 2, heads[i].seq);
            sqlite3_bind_blob(up, 3, heads[i].hash, 32, SQLITE_TRANSIENT);
            if (sqlite3_step(up) != SQLITE_DONE)
                rc = store_fail(st, err, _("sealing the records"));
            sqlite3_reset(up);
        }
        free(heads[i].origin);
    }
    free(heads);
    sb_free(&sb);
    if (rc == 0 && any && store_exec(st, "DELETE FROM local_chain_dirty", err) != 0)
        rc = -1;
    return rc;
}
