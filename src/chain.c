#include "chain.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "json.h"
#include "ledger.h"
#include "store.h"
#include "util.h"

extern const char *const unyo_schema_sql[];
extern const size_t unyo_schema_count;

/* What a person calls each chained table (the order of store_chain_table). */
static const char *const table_labels[] = {
    P_("table", "audit trail"),
    P_("table", "incident events"),
    P_("table", "inquiry events"),
    P_("table", "problem events"),
    P_("table", "change events"),
    P_("table", "job run events"),
    P_("table", "checklist records"),
    P_("table", "host metrics"),
    P_("table", "job deliveries"),
    P_("table", "operators"),
    P_("table", "libraries"),
    P_("table", "hosts"),
    P_("table", "templates"),
    P_("table", "incidents"),
    P_("table", "inquiries"),
    P_("table", "problems"),
    P_("table", "knowledge"),
    P_("table", "links"),
    P_("table", "jobs"),
    P_("table", "job dependencies"),
    P_("table", "job runs"),
    P_("table", "changes"),
    P_("table", "change steps"),
    P_("table", "configuration items"),
    P_("table", "shifts"),
    P_("table", "handovers"),
    P_("table", "SSH sessions"),
    P_("table", "handover items"),
    P_("table", "change effects"),
};

static const char *label_of(size_t t)
{
    return t < sizeof table_labels / sizeof *table_labels ? ledger_label(table_labels[t]) : "?";
}

void chain_hex(const uint8_t *b, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void chain_report_add(struct chain_report *r, char *finding)
{
    r->findings = xrealloc(r->findings, (r->n + 1) * sizeof *r->findings);
    r->findings[r->n++] = finding;
}

void chain_report_free(struct chain_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->findings[i]);
    free(r->findings);
    memset(r, 0, sizeof *r);
}

/* Asked to stop (the console quitting): checked every few thousand rows. */
static int stopped(int (*stop)(void), long long n)
{
    return stop && (n & 4095) == 0 && stop();
}

/* A finding per broken thing, but no flood: past this many of one kind, a count. */
#define MAX_NAMED 50

struct origin_prev {
    int64_t o;
    uint8_t prev[32];
    int64_t seq;
};

/* A: every link's hash follows from its origin's previous hash and its digest. */
static int verify_links(struct store *st, struct chain_report *r, int (*stop)(void), char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT seq, o, t, row_id, digest, hash, late FROM local_chain "
                       "ORDER BY seq");
    struct origin_prev *v = NULL;
    size_t nv = 0;
    long long broken = 0, late = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        if (stopped(stop, ++r->links))
            break;
        int64_t seq = sqlite3_column_int64(s, 0), o = sqlite3_column_int64(s, 1);
        size_t t = (size_t)sqlite3_column_int64(s, 2);
        struct origin_prev *p = NULL;
        for (size_t i = 0; i < nv; i++)
            if (v[i].o == o)
                p = &v[i];
        if (!p) {
            v = xrealloc(v, (nv + 1) * sizeof *v);
            p = &v[nv++];
            memset(p, 0, sizeof *p);
            p->o = o;
        }
        uint8_t want[32];
        const void *digest = sqlite3_column_blob(s, 4), *hash = sqlite3_column_blob(s, 5);
        int ok = sqlite3_column_bytes(s, 4) == 32 && sqlite3_column_bytes(s, 5) == 32;
        if (ok) {
            store_chain_link(p->prev, digest, want);
            ok = memcmp(want, hash, 32) == 0;
        }
        if (!ok && broken++ < MAX_NAMED)
            chain_report_add(r, xasprintf(_("the chain is broken at link %lld (%s, row %s): a "
                                            "record before it was removed or rewritten"),
                                          (long long)seq, label_of(t), col_text(s, 3)));
        if (sqlite3_column_type(s, 6) != SQLITE_NULL && late++ < MAX_NAMED)
            chain_report_add(r, xasprintf(_("%s row %s was written outside unyo (by hand in "
                                            "SQLite) and chained afterwards, at link %lld"),
                                          label_of(t), col_text(s, 3), (long long)seq));
        if (sqlite3_column_bytes(s, 5) == 32)
            memcpy(p->prev, hash, 32);
        p->seq = seq;
    }
    sqlite3_reset(s);
    if (broken > MAX_NAMED)
        chain_report_add(r, xasprintf(_("%lld more broken links"), broken - MAX_NAMED));
    if (late > MAX_NAMED)
        chain_report_add(r, xasprintf(_("%lld more rows written outside unyo"), late - MAX_NAMED));
    if (step < 0) {
        free(v);
        return -1;
    }
    /* The heads say where each origin's chain ends: a removed last link shows here. */
    sqlite3_stmt *h = store_stmt(st, "SELECT o, origin, seq, hash FROM local_chain_heads");
    while ((step = store_next_row(h, err)) == 1) {
        int64_t o = sqlite3_column_int64(h, 0);
        struct origin_prev *p = NULL;
        for (size_t i = 0; i < nv; i++)
            if (v[i].o == o)
                p = &v[i];
        int64_t seq = sqlite3_column_int64(h, 2);
        int ok = p ? p->seq == seq && sqlite3_column_bytes(h, 3) == 32 &&
                         memcmp(p->prev, sqlite3_column_blob(h, 3), 32) == 0
                   : seq == 0;
        if (!ok)
            chain_report_add(r, xasprintf(_("the chain of console %s does not end where it "
                                            "did: its last records were removed"),
                                          col_text(h, 1)));
    }
    sqlite3_reset(h);
    free(v);
    return step < 0 ? -1 : 0;
}

/* B: every row of every chained table equals its newest link (merge of two id-ordered
 * scans), no link without its row, no row without a link. */
static int verify_table(struct store *st, size_t t, struct strbuf *sb, struct chain_report *r,
                        int (*stop)(void), char **err)
{
    sqlite3_stmt *rows = store_stmt(st, store_chain_scan_sql(t));
    sqlite3_stmt *links =
        store_stmt(st, "SELECT r.row_id, c.digest, c.ncol FROM local_chain_rows r "
                       "JOIN local_chain c ON c.seq = r.seq WHERE r.t = ?1 "
                       "ORDER BY r.row_id");
    bind_int(links, 1, (int64_t)t);
    int rs = store_next_row(rows, err), ls = rs < 0 ? -1 : store_next_row(links, err);
    long long changed = 0, missing = 0, unknown = 0;
    while (rs == 1 || ls == 1) {
        if (stopped(stop, r->rows + 1))
            break;
        const char *rid = rs == 1 ? col_text(rows, 0) : NULL;
        const char *lid = ls == 1 ? col_text(links, 0) : NULL;
        int c = !rid ? 1 : !lid ? -1 : strcmp(rid, lid);
        if (c == 0) {
            r->rows++;
            store_chain_canonical(rows, store_chain_table(t), sqlite3_column_int(links, 2), sb);
            uint8_t d[32];
            store_sha256(sb->buf, sb->len, d);
            if ((sqlite3_column_bytes(links, 1) != 32 ||
                 memcmp(d, sqlite3_column_blob(links, 1), 32) != 0) &&
                changed++ < MAX_NAMED)
                chain_report_add(r, xasprintf(_("%s row %s was changed outside unyo: it differs "
                                                "from its last recorded state"),
                                              label_of(t), rid));
        } else if (c < 0) {
            r->rows++;
            if (unknown++ < MAX_NAMED)
                chain_report_add(r, xasprintf(_("%s row %s is not in the chain: it was added "
                                                "outside unyo"),
                                              label_of(t), rid));
        } else if (missing++ < MAX_NAMED) {
            chain_report_add(
                r, xasprintf(_("%s row %s was deleted: the chain records it"), label_of(t), lid));
        }
        if (c <= 0)
            rs = store_next_row(rows, err);
        if (c >= 0 && rs >= 0)
            ls = store_next_row(links, err);
        if (rs < 0 || ls < 0)
            break;
    }
    sqlite3_reset(rows);
    sqlite3_reset(links);
    if (rs < 0 || ls < 0)
        return -1;
    long long more = (changed > MAX_NAMED ? changed - MAX_NAMED : 0) +
                     (missing > MAX_NAMED ? missing - MAX_NAMED : 0) +
                     (unknown > MAX_NAMED ? unknown - MAX_NAMED : 0);
    if (more)
        chain_report_add(r, xasprintf(_("%s: %lld more rows changed, added or deleted outside "
                                        "unyo"),
                                      label_of(t), more));
    return 0;
}

/* C: the triggers are the ones the shipped schema makes (the migrations run on an
 * empty in-memory database give the reference). */
static int verify_triggers(struct store *st, struct chain_report *r, char **err)
{
    sqlite3 *ref = NULL;
    if (sqlite3_open(":memory:", &ref) != SQLITE_OK) {
        set_err(err, _("cannot check the triggers: %s"), sqlite3_errmsg(ref));
        sqlite3_close(ref);
        return -1;
    }
    for (size_t v = 0; v < unyo_schema_count; v++) {
        char *msg = NULL;
        if (sqlite3_exec(ref, unyo_schema_sql[v], NULL, NULL, &msg) != SQLITE_OK) {
            set_err(err, _("cannot check the triggers: %s"), msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_close(ref);
            return -1;
        }
    }
    sqlite3_stmt *want = NULL;
    sqlite3_prepare_v2(ref,
                       "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
                       -1, &want, NULL);
    sqlite3_stmt *have = store_stmt(st, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
                                        "name = ?1");
    int step;
    while ((step = sqlite3_step(want)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(want, 0);
        const char *sql = (const char *)sqlite3_column_text(want, 1);
        bind_text(have, 1, name);
        int got = store_one_row(have, err);
        if (got < 0)
            break;
        if (!got)
            chain_report_add(r, xasprintf(_("trigger %s was dropped: the rows it protects can be "
                                            "changed or deleted unseen"),
                                          name));
        else if (!streq(col_text(have, 0), sql))
            chain_report_add(r, xasprintf(_("trigger %s was altered: it is not the one unyo "
                                            "ships"),
                                          name));
        sqlite3_reset(have);
    }
    sqlite3_finalize(want);
    sqlite3_close(ref);
    if (step != SQLITE_DONE)
        return -1;
    return 0;
}

/* D: a session's transcript equals the SHA-256 its session.end audit row recorded. */
static int verify_sessions(struct store *st, struct chain_report *r, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT s.id, s.host_name, s.started_at, s.transcript, "
            "(SELECT a.detail FROM audit a WHERE a.kind = 'ssh_sessions' AND a.row_id = s.id AND "
            "a.action = 'session.end' ORDER BY a.hlc DESC LIMIT 1) "
            "FROM ssh_sessions s WHERE s.ended_at IS NOT NULL");
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        const char *detail = col_text(s, 4);
        const char *rec = detail ? strstr(detail, "sha256=") : NULL;
        if (!rec)
            continue; /* ended before transcripts were recorded in the chain */
        r->sessions++;
        const void *text = sqlite3_column_blob(s, 3);
        size_t len = (size_t)sqlite3_column_bytes(s, 3);
        uint8_t d[32];
        char hex[65];
        store_sha256(text ? text : "", len, d);
        chain_hex(d, 32, hex);
        if (strncmp(rec + 7, hex, 64) != 0)
            chain_report_add(r, xasprintf(_("the transcript of session %s (%s, %s) was edited: "
                                            "its SHA-256 is not the one recorded when it ended"),
                                          col_text(s, 0), col_text(s, 1), col_text(s, 2)));
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

/* The chain walk (A) runs on a thread with its own connection while this one compares
 * the rows (B): on a million incidents each is seconds of hashing. Each pass is
 * consistent within its own read transaction. */
struct links_job {
    const char *path;
    int (*stop)(void);
    struct chain_report r;
    char *err;
    int rc;
};

static void *links_thread(void *arg)
{
    struct links_job *j = arg;
    struct store *st = NULL;
    j->rc = -1;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return NULL;
    if (store_exec(st, "BEGIN", &j->err) == 0) {
        j->rc = verify_links(st, &j->r, j->stop, &j->err);
        store_exec(st, "COMMIT", NULL);
    }
    store_close(st);
    return NULL;
}

int chain_verify(struct store *st, struct chain_report *r, char **err)
{
    return chain_verify_until(st, r, NULL, err);
}

int chain_verify_until(struct store *st, struct chain_report *r, int (*stop)(void), char **err)
{
    memset(r, 0, sizeof *r);
    struct links_job job = {.path = st->path, .stop = stop};
    pthread_t tid;
    int threaded = st->path && strcmp(st->path, ":memory:") != 0 &&
                   pthread_create(&tid, NULL, links_thread, &job) == 0;
    /* One read transaction: every check of this connection sees the same store. */
    int rc = store_exec(st, "BEGIN", err);
    if (rc == 0)
        rc = verify_triggers(st, r, err);
    if (rc == 0 && !threaded)
        rc = verify_links(st, r, stop, err);
    struct strbuf sb = STRBUF_INIT;
    for (size_t t = 0; rc == 0 && t < store_chain_tables(); t++)
        rc = verify_table(st, t, &sb, r, stop, err);
    sb_free(&sb);
    if (rc == 0)
        rc = verify_sessions(st, r, err);
    store_exec(st, "COMMIT", NULL);
    if (threaded) {
        pthread_join(tid, NULL);
        if (job.rc != 0 && rc == 0) {
            rc = -1;
            *err = job.err;
            job.err = NULL;
        }
        free(job.err);
        r->links = job.r.links;
        for (size_t i = 0; i < job.r.n; i++)
            chain_report_add(r, job.r.findings[i]);
        free(job.r.findings);
    }
    if (rc != 0)
        chain_report_free(r);
    return rc;
}

int chain_own_head(struct store *st, long long *seq, char hex[65], char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT seq, hash FROM local_chain_heads WHERE origin = ?1");
    bind_text(s, 1, st->origin);
    *seq = 0;
    hex[0] = '\0';
    int got = store_one_row(s, err);
    if (got < 0)
        return -1;
    if (got && sqlite3_column_bytes(s, 1) == 32) {
        *seq = sqlite3_column_int64(s, 0);
        chain_hex(sqlite3_column_blob(s, 1), 32, hex);
    }
    sqlite3_reset(s);
    return 0;
}

int chain_check_head(struct store *st, long long seq, const char *hex, struct chain_report *r,
                     char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT c.hash FROM local_chain c JOIN local_chain_heads h "
                                     "ON h.o = c.o WHERE c.seq = ?1 AND h.origin = ?2");
    bind_int(s, 1, seq);
    bind_text(s, 2, st->origin);
    int got = store_one_row(s, err);
    if (got < 0)
        return -1;
    char have[65] = "";
    if (got && sqlite3_column_bytes(s, 0) == 32)
        chain_hex(sqlite3_column_blob(s, 0), 32, have);
    sqlite3_reset(s);
    if (got && streq(have, hex))
        return 1;
    chain_report_add(r, xasprintf(_("the history of this store was rewritten: link %lld is not the "
                                    "one the central database recorded at a sync"),
                                  seq));
    return 0;
}

/* ---- the auditor's export ---- */

static void json_value(struct strbuf *sb, sqlite3_stmt *s, int i)
{
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
        sb_puts(sb, "null");
        break;
    case SQLITE_INTEGER:
        sb_printf(sb, "%lld", (long long)sqlite3_column_int64(s, i));
        break;
    case SQLITE_FLOAT: {
        char b[40];
        snprintf(b, sizeof b, "%.17g", sqlite3_column_double(s, i));
        sb_puts(sb, b);
        if (!strpbrk(b, ".eEn")) /* 5.0 stays a real for the reader */
            sb_puts(sb, ".0");
        break;
    }
    case SQLITE_TEXT:
        sb_putc(sb, '"');
        json_escape(sb, (const char *)sqlite3_column_text(s, i),
                    (size_t)sqlite3_column_bytes(s, i));
        sb_putc(sb, '"');
        break;
    default: {
        char *hex = xmalloc(2 * (size_t)sqlite3_column_bytes(s, i) + 1);
        chain_hex(sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i), hex);
        sb_printf(sb, "{\"hex\":\"%s\"}", hex);
        free(hex);
    }
    }
}

struct export_ctx {
    const char *dir;
    struct strbuf sums; /* SHA256SUMS of every file written */
    long long files;
};

/* Writes sb to DIR/rel and notes its SHA-256. */
static int put_file(struct export_ctx *x, const char *rel, const struct strbuf *sb, char **err)
{
    char *path = xasprintf("%s/%s", x->dir, rel);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(sb->buf ? sb->buf : "", 1, sb->len, f) == sb->len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok) {
        set_err(err, _("cannot write %s: %s"), path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    uint8_t d[32];
    char hex[65];
    store_sha256(sb->buf ? sb->buf : "", sb->len, d);
    chain_hex(d, 32, hex);
    sb_printf(&x->sums, "%s  %s\n", hex, rel);
    x->files++;
    return 0;
}

static const char export_readme[] =
    "unyo audit export\n"
    "=================\n"
    "\n"
    "[日本語]\n"
    "この書き出しは unyo のストアの記録を、unyo なしで検証するためのものです。\n"
    "  tables/TABLE.jsonl  各表の行 (1 行 1 レコードの JSON)\n"
    "  chain.jsonl         ハッシュチェーンのリンク (seq 順; origin ごとに前のリンクの hash "
    "を引き継ぐ)\n"
    "  heads.json          各 origin (端末) のチェーンの末尾\n"
    "  transcripts/        SSH セッションの記録と、セッション終了時に記録された SHA-256 "
    "(SHA256SUMS)\n"
    "  SHA256SUMS          この書き出しの全ファイルの SHA-256\n"
    "  verify.py           Python 3 だけで全体を検証するスクリプト\n"
    "検証の手順:\n"
    "  sha256sum -c SHA256SUMS                 書き出し後にファイルが変わっていないこと\n"
    "  (cd transcripts && sha256sum -c SHA256SUMS)   記録が終了時のままであること "
    "(セッションがあるとき)\n"
    "  python3 verify.py                       "
    "チェーンが途切れず、各行が最後のリンクと一致すること\n"
    "  jq -c 'select(.table==\"incidents\")' chain.jsonl | head    リンクを読む例\n"
    "行の正規形: b\"unyo-row-v1\\n\" + 表名 + b\"\\n\" の後、列ごとに 名前 \\t 値 \\n\n"
    "(値: n=NULL, i整数, r+IEEE-754 倍精度 16 進 (big-endian), t<バイト数>:UTF-8, b+16 進)。\n"
    "digest = SHA-256(正規形)、hash = SHA-256(同じ origin の前の hash 32 バイト + digest)。\n"
    "改ざんされた行・リンクは verify.py が名前と行番号を挙げ、終了コード 1 を返します。\n"
    "\n"
    "[English]\n"
    "This export lets an auditor check a unyo store's records without unyo.\n"
    "  tables/TABLE.jsonl  every row of each table, one JSON object per line\n"
    "  chain.jsonl         the hash chain's links in order (each origin continues its own hash)\n"
    "  heads.json          where each origin's (console's) chain ends\n"
    "  transcripts/        SSH session transcripts and the SHA-256 recorded when each ended\n"
    "  SHA256SUMS          the SHA-256 of every file of this export\n"
    "  verify.py           checks everything with Python 3 alone\n"
    "To check:\n"
    "  sha256sum -c SHA256SUMS                       nothing changed since the export\n"
    "  (cd transcripts && sha256sum -c SHA256SUMS)   transcripts as they were when the sessions\n"
    "                                                ended (when there are sessions)\n"
    "  python3 verify.py                             chain unbroken, every row equal to its\n"
    "                                                newest link\n"
    "  jq -c 'select(.table==\"incidents\")' chain.jsonl | head   reading the links\n"
    "Canonical form of a row: b\"unyo-row-v1\\n\" + table + b\"\\n\", then per column NAME \\t "
    "VALUE \\n\n"
    "(VALUE: n = NULL, i<integer>, r<IEEE-754 binary64 as 16 hex digits, big-endian>,\n"
    "t<byte length>:<UTF-8>, b<hex>), the first ncol columns of the link.\n"
    "digest = SHA-256(canonical form); hash = SHA-256(previous hash of the same origin, 32\n"
    "bytes (zeros for the first) + digest). verify.py names each tampered row or link (file\n"
    "and line) and exits 1.\n";

static int export_tables(struct store *st, struct export_ctx *x, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    int rc = 0;
    for (size_t t = 0; rc == 0 && t < store_chain_tables(); t++) {
        sqlite3_stmt *s = store_stmt(st, store_chain_scan_sql(t));
        sb_reset(&sb);
        int step;
        while ((step = store_next_row(s, err)) == 1) {
            sb_putc(&sb, '{');
            for (int i = 0; i < sqlite3_column_count(s); i++) {
                if (i)
                    sb_putc(&sb, ',');
                json_string(&sb, sqlite3_column_name(s, i));
                sb_putc(&sb, ':');
                json_value(&sb, s, i);
            }
            sb_puts(&sb, "}\n");
        }
        sqlite3_reset(s);
        if (step < 0)
            rc = -1;
        if (rc == 0) {
            char *rel = xasprintf("tables/%s.jsonl", store_chain_table(t));
            rc = put_file(x, rel, &sb, err);
            free(rel);
        }
    }
    sb_free(&sb);
    return rc;
}

static int export_chain(struct store *st, struct export_ctx *x, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sqlite3_stmt *s = store_stmt(st, "SELECT c.seq, h.origin, c.t, c.row_id, c.ncol, c.digest, "
                                     "c.hash FROM local_chain c JOIN local_chain_heads h ON h.o = "
                                     "c.o ORDER BY c.seq");
    int step;
    char d[65], h[65];
    while ((step = store_next_row(s, err)) == 1) {
        if (sqlite3_column_bytes(s, 5) != 32 || sqlite3_column_bytes(s, 6) != 32)
            continue;
        chain_hex(sqlite3_column_blob(s, 5), 32, d);
        chain_hex(sqlite3_column_blob(s, 6), 32, h);
        const char *table = store_chain_table((size_t)sqlite3_column_int64(s, 2));
        sb_printf(&sb, "{\"seq\":%lld", (long long)sqlite3_column_int64(s, 0));
        json_member(&sb, "origin", col_text(s, 1));
        json_member(&sb, "table", table ? table : "?");
        json_member(&sb, "row_id", col_text(s, 3));
        sb_printf(&sb, ",\"ncol\":%d,\"digest\":\"%s\",\"hash\":\"%s\"}\n",
                  sqlite3_column_int(s, 4), d, h);
    }
    sqlite3_reset(s);
    int rc = step < 0 ? -1 : put_file(x, "chain.jsonl", &sb, err);
    sb_reset(&sb);
    sqlite3_stmt *hs = store_stmt(st, "SELECT origin, seq, hash FROM local_chain_heads ORDER BY o");
    sb_putc(&sb, '[');
    int first = 1;
    while (rc == 0 && (step = store_next_row(hs, err)) == 1) {
        if (sqlite3_column_bytes(hs, 2) != 32)
            continue;
        chain_hex(sqlite3_column_blob(hs, 2), 32, h);
        sb_puts(&sb, first ? "\n  {" : ",\n  {");
        first = 0;
        json_member(&sb, "origin", col_text(hs, 0));
        sb_printf(&sb, ",\"seq\":%lld,\"hash\":\"%s\"}", (long long)sqlite3_column_int64(hs, 1), h);
    }
    sqlite3_reset(hs);
    sb_puts(&sb, "\n]\n");
    if (rc == 0 && step < 0)
        rc = -1;
    if (rc == 0)
        rc = put_file(x, "heads.json", &sb, err);
    sb_free(&sb);
    return rc;
}

static int export_transcripts(struct store *st, struct export_ctx *x, char **err)
{
    struct strbuf sb = STRBUF_INIT, sums = STRBUF_INIT;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT s.id, s.transcript, "
            "(SELECT a.detail FROM audit a WHERE a.kind = 'ssh_sessions' AND a.row_id = s.id AND "
            "a.action = 'session.end' ORDER BY a.hlc DESC LIMIT 1) "
            "FROM ssh_sessions s WHERE s.ended_at IS NOT NULL AND s.transcript IS NOT NULL "
            "ORDER BY s.id");
    int step, rc = 0;
    while (rc == 0 && (step = store_next_row(s, err)) == 1) {
        const char *detail = col_text(s, 2);
        const char *rec = detail ? strstr(detail, "sha256=") : NULL;
        sb_reset(&sb);
        sb_add(&sb, sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));
        char *rel = xasprintf("transcripts/%s.cast", col_text(s, 0));
        rc = put_file(x, rel, &sb, err);
        if (rec && strlen(rec) >= 7 + 64)
            sb_printf(&sums, "%.64s  %s.cast\n", rec + 7, col_text(s, 0));
        free(rel);
    }
    sqlite3_reset(s);
    if (rc == 0 && step < 0)
        rc = -1;
    if (rc == 0 && sums.len > 0) {
        char *path = xasprintf("%s/transcripts/SHA256SUMS", x->dir);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(sums.buf ? sums.buf : "", 1, sums.len, f) != sums.len || fclose(f) != 0) {
            set_err(err, _("cannot write %s: %s"), path, strerror(errno));
            rc = -1;
        }
        free(path);
    }
    sb_free(&sb);
    sb_free(&sums);
    return rc;
}

int chain_export(struct store *st, const char *dir, long long *files, char **err)
{
    *files = 0;
    char *sub[] = {xasprintf("%s/tables", dir), xasprintf("%s/transcripts", dir)};
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = mkdir_p(sub[i], err);
    free(sub[0]);
    free(sub[1]);
    if (rc != 0)
        return -1;
    struct export_ctx x = {dir, STRBUF_INIT, 0};
    /* One read transaction: the rows, the links and the heads of one moment. */
    if (store_exec(st, "BEGIN", err) != 0) {
        sb_free(&x.sums);
        return -1;
    }
    rc = export_tables(st, &x, err);
    if (rc == 0)
        rc = export_chain(st, &x, err);
    if (rc == 0)
        rc = export_transcripts(st, &x, err);
    store_exec(st, "COMMIT", NULL);
    struct strbuf sb = STRBUF_INIT;
    if (rc == 0) {
        sb_puts(&sb, chain_verify_py);
        rc = put_file(&x, "verify.py", &sb, err);
    }
    if (rc == 0) {
        sb_reset(&sb);
        sb_puts(&sb, export_readme);
        rc = put_file(&x, "README", &sb, err);
    }
    if (rc == 0) {
        struct strbuf sums = x.sums;
        char *path = xasprintf("%s/SHA256SUMS", dir);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(sums.buf, 1, sums.len, f) != sums.len || fclose(f) != 0) {
            set_err(err, _("cannot write %s: %s"), path, strerror(errno));
            rc = -1;
        }
        free(path);
    }
    sb_free(&sb);
    sb_free(&x.sums);
    *files = x.files;
    return rc;
}

int chain_check_central(struct store *st, PGconn *c, long long *checked, struct chain_report *r,
                        char **err)
{
    *checked = 0;
    const char *pv[] = {st->origin};
    PGresult *res = PQexecParams(c,
                                 "SELECT seq, hash FROM unyo.chain_heads WHERE origin = $1 "
                                 "ORDER BY seq",
                                 1, NULL, pv, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        set_err(err, _("reading the chain heads of the central database: %s"),
                PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    int rc = 0;
    /* The earliest head that no longer matches says from where the history was rewritten. */
    for (int i = 0; i < PQntuples(res); i++) {
        (*checked)++;
        int m = chain_check_head(st, strtoll(PQgetvalue(res, i, 0), NULL, 10),
                                 PQgetvalue(res, i, 1), r, err);
        if (m < 0)
            rc = -1;
        if (m != 1)
            break;
    }
    PQclear(res);
    return rc;
}
