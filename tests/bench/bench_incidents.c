/* bench_incidents STORE [RUNS]: timings of the incident ledger on a big store
 * (made by `unyo demo --generate 1000000`), each next to a reference measured
 * in the same run:
 *   - a page of 50 incidents with SLA state      (target <= 50 ms)
 *     reference: the same page query, plain SQL, no SLA computation
 *   - a full-text search page (trigram FTS5)     (target <= 20 ms)
 *     reference: the bare FTS5 MATCH for the same page of rowids
 *   - recording a step (a note: event + cached state + audit, one transaction)
 *                                                (target <= 5 ms)
 *     reference: one bare INSERT INTO incident_events in its own transaction
 * Prints medians. Writes a few notes to the store (acting as UNYO_USER, default
 * the demo's "yamada"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incidents.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *what, double *v, double *ref, int n, double target,
                   const char *ref_what)
{
    double m = median(v, n), r = median(ref, n);
    printf("%-34s median %8.3f ms  (target <= %4.0f ms: %s)   reference %-34s %8.3f ms\n", what, m,
           target, m <= target ? "ok" : "MISSED", ref_what, r);
}

static void die(char *err)
{
    fprintf(stderr, "bench_incidents: %s\n", err ? err : "failed");
    exit(1);
}

/* Bytes read by run_sql: stored so the compiler keeps the column reads. */
static volatile size_t bytes_read;

static double run_sql(struct store *st, const char *sql, const char *arg)
{
    double t0 = now_ms();
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        die(xstrdup(sqlite3_errmsg(st->db)));
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    size_t bytes = 0;
    while (sqlite3_step(s) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count(s); i++)
            bytes += (size_t)sqlite3_column_bytes(s, i);
    sqlite3_finalize(s);
    bytes_read = bytes_read + bytes;
    return now_ms() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_incidents STORE [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 15;
    if (runs < 3)
        runs = 3;
    if (!getenv("UNYO_USER"))
        setenv("UNYO_USER", "yamada", 1);
    char *err = NULL;
    struct store *st;
    if (store_open(argv[1], STORE_OPEN_EXISTING, &st, &err) != 0)
        die(err);
    if (store_require_operator(st, &err) != 0)
        die(err);
    struct sla *sla = sla_load(NULL, NULL, &err);
    if (!sla)
        die(err);
    if (search_suspended(st))
        fprintf(stderr, "note: the search index is suspended; run unyo search --resume\n");
    sqlite3_stmt *c = store_stmt(st, "SELECT count(*) FROM incidents");
    sqlite3_step(c);
    long long total = sqlite3_column_int64(c, 0);
    sqlite3_reset(c);
    printf("store %s: %lld incidents, %d runs each\n", argv[1], total, runs);

    double *a = xcalloc((size_t)runs, sizeof(double)), *b = xcalloc((size_t)runs, sizeof(double));
    int64_t now = time_now_ms();

    /* 1. A page with SLA state. */
    static const char *const page_sql =
        "SELECT i.id, i.ref, l.code, l.name_en, i.channel, i.reporter, i.title, i.description, "
        "i.category, i.impact, i.urgency, i.priority, i.status, o.login, o.name, i.problem_id, "
        "i.inquiry_id, i.received_at, i.acknowledged_at, i.first_response_at, i.recovered_at, "
        "i.closed_at, i.sla_paused_since, i.sla_paused_seconds, i.notified_at, i.notified_to, "
        "i.sla_breaches FROM incidents i LEFT JOIN libraries l ON l.id = i.library_id LEFT JOIN "
        "operators o ON o.id = i.assignee_id WHERE i.deleted = 0 AND i.status <> 'draft' ORDER BY "
        "i.received_at DESC LIMIT 50";
    for (int pass = 0; pass < 2; pass++) {
        struct incident_filter f = {.limit = 50};
        const char *label = "list page (50) + SLA";
        if (pass == 1) {
            f.status = "isolated";
            label = "list page status=isolated + SLA";
        }
        for (int i = 0; i < runs; i++) {
            struct incident *rows;
            size_t n;
            double t0 = now_ms();
            if (incident_list(st, sla, &f, now, &rows, &n, NULL, &err) != 0)
                die(err);
            a[i] = now_ms() - t0;
            if (n != 50)
                fprintf(stderr, "note: page has %zu rows\n", n);
            incident_list_free(rows, n);
            b[i] = run_sql(st, page_sql, NULL);
        }
        report(label, a, b, runs, 50, "(plain SQL page)");
    }
    /* The whole sqlite3 shell process for the same page, as in doc/tech-notes. */
    {
        char *cmd = xasprintf("sqlite3 -readonly '%s' \"%s\" > /dev/null 2>&1", argv[1], page_sql);
        for (int i = 0; i < runs; i++) {
            double t0 = now_ms();
            if (system(cmd) != 0) {
                a[i] = -1;
                break;
            }
            a[i] = now_ms() - t0;
            b[i] = a[i];
        }
        free(cmd);
        if (a[0] >= 0)
            printf("%-34s median %8.3f ms  (reference only: process start + open + page)\n",
                   "sqlite3 shell, same page", median(a, runs));
    }

    /* 2. Full-text search: a page of incidents matching. */
    static const char *const words[] = {"起動しない", "タイムアウト", "ディスク使用率", "プリンタ"};
    for (size_t w = 0; w < ARRAY_LEN(words); w++) {
        for (int i = 0; i < runs; i++) {
            struct incident *rows;
            size_t n;
            struct incident_filter f = {.limit = 50, .search = words[w]};
            double t0 = now_ms();
            if (incident_list(st, sla, &f, now, &rows, &n, NULL, &err) != 0)
                die(err);
            a[i] = now_ms() - t0;
            incident_list_free(rows, n);
            b[i] = run_sql(st,
                           "SELECT rowid FROM search_fts WHERE search_fts MATCH '\"' || ?1 || "
                           "'\"' AND rowid > 8589934592 ORDER BY rowid DESC LIMIT 50",
                           words[w]);
        }
        char label[64];
        snprintf(label, sizeof label, "search page \"%s\" + SLA", words[w]);
        report(label, a, b, runs, 20, "(bare FTS5 MATCH page)");
    }
    /* search_run: ref and title only. */
    for (int i = 0; i < runs; i++) {
        struct search_hit *h;
        size_t n;
        double t0 = now_ms();
        if (search_run(st, "起動しない", SEARCH_ALL, 50, &h, &n, NULL, &err) != 0)
            die(err);
        a[i] = now_ms() - t0;
        search_hits_free(h, n);
        b[i] = run_sql(
            st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"起動しない\"'", NULL);
    }
    report("search_run \"起動しない\" (50 hits)", a, b, runs, 20, "(FTS5 count of all hits)");

    /* 3. Recording a step: a note on recent incidents. */
    char **refs = xcalloc((size_t)runs, sizeof(char *));
    sqlite3_stmt *q = store_stmt(st, "SELECT id FROM incidents WHERE status <> 'draft' ORDER BY "
                                     "received_at DESC LIMIT ?1");
    bind_int(q, 1, runs);
    int nr = 0;
    while (nr < runs && sqlite3_step(q) == SQLITE_ROW)
        refs[nr++] = xstrdup(col_text(q, 0));
    sqlite3_reset(q);
    for (int i = 0; i < runs; i++) {
        struct incident_step_args sa = {.note = "ベンチマーク: 対応状況を記録"};
        double t0 = now_ms();
        if (incident_step(st, sla, refs[i % nr], "note", &sa, &err) != 0)
            die(err);
        a[i] = now_ms() - t0;
        t0 = now_ms();
        if (store_begin(st, &err) != 0)
            die(err);
        sqlite3_stmt *s = store_stmt(
            st, "INSERT INTO incident_events(id, incident_id, kind, note, operator_id, at, hlc, "
                "origin) VALUES(?1, ?2, 'note', NULL, ?3, ?4, ?5, ?6)");
        char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
        id_new(id);
        time_format_iso(time_now_ms(), at);
        bind_text(s, 1, id);
        bind_text(s, 2, refs[i % nr]);
        bind_text(s, 3, st->operator_id);
        bind_text(s, 4, at);
        bind_int(s, 5, store_hlc_next(st));
        bind_text(s, 6, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            die(xstrdup(sqlite3_errmsg(st->db)));
        if (store_commit(st, &err) != 0)
            die(err);
        b[i] = now_ms() - t0;
    }
    report("record a step (note)", a, b, runs, 5, "(bare event INSERT + COMMIT)");
    for (int i = 0; i < nr; i++)
        free(refs[i]);
    free(refs);
    free(a);
    free(b);
    sla_free(sla);
    store_close(st);
    return 0;
}
