/* The keyset-paged incident list (see incident_list.h). */
#include "incident_list.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define ANCHOR_STEP 1024
#define FAR_ROWS 4096 /* beyond this many rows to skip, use anchors */

const char *const inc_sort_keys[] = {"received", "priority", "status", NULL};

int inc_sort_from_key(const char *key)
{
    for (int i = 0; inc_sort_keys[i]; i++)
        if (key && strcmp(key, inc_sort_keys[i]) == 0)
            return i;
    return -1;
}

struct inc_key {
    char k1[24];                 /* priority or status; "" for INC_SORT_RECEIVED */
    char recv[TIME_ISO_LEN + 1]; /* received_at */
    char id[ID_LEN + 1];
};

/* 16 bytes: a filter matching every one of a million rows stays small. */
struct inc_match {
    int64_t n;        /* local_incident_titles.n */
    uint32_t recv_s;  /* received_at, seconds since 1970 (good until 2106) */
    uint16_t recv_ms; /* and milliseconds */
    unsigned char k1; /* priority/status rank */
};

struct inc_lib {
    char id[ID_LEN + 1];
    char *name;
};

struct inc_list {
    struct store *st;
    const struct sla *sla;
    int64_t now;
    enum inc_sort sort;
    int desc; /* newest first */
    long nrows;
    int counted; /* nrows is exact (else a lower bound) */
    /* the last fetched window: positions and keys of its ends */
    long win_from, win_n;
    struct inc_key win_first, win_last;
    /* anchors: key of row i * ANCHOR_STEP */
    struct inc_key *anchors;
    long nanchors;
    /* filter */
    int filtered;
    struct inc_match *matches;
    long nmatches;
    struct inc_lib *libs;
    size_t nlibs;
    long rows_scanned;
};

/* ---- SQL: one statement per (sort, direction); "LT" walks down the order. ---- */
#define SEL                                                                                        \
    "SELECT ref, received_at, library_id, priority, status, title, id, acknowledged_at, "          \
    "first_response_at, recovered_at, sla_paused_since, sla_paused_seconds"
#define FROM " FROM incidents WHERE deleted = 0 AND "
static const char *const sql_lt[INC_SORT_COUNT] = {
    SEL FROM "(received_at, id) < (?2, ?3) ORDER BY received_at DESC, id DESC LIMIT ?4",
    SEL FROM "(priority, received_at, id) < (?1, ?2, ?3) "
             "ORDER BY priority DESC, received_at DESC, id DESC LIMIT ?4",
    SEL FROM "(status, received_at, id) < (?1, ?2, ?3) "
             "ORDER BY status DESC, received_at DESC, id DESC LIMIT ?4",
};
static const char *const sql_gt[INC_SORT_COUNT] = {
    SEL FROM "(received_at, id) > (?2, ?3) ORDER BY received_at, id LIMIT ?4",
    SEL FROM "(priority, received_at, id) > (?1, ?2, ?3) ORDER BY priority, received_at, id "
             "LIMIT ?4",
    SEL FROM "(status, received_at, id) > (?1, ?2, ?3) ORDER BY status, received_at, id "
             "LIMIT ?4",
};
static const char *const sql_keys[INC_SORT_COUNT] = {
    "SELECT '', received_at, id FROM incidents WHERE deleted = 0 "
    "ORDER BY received_at DESC, id DESC",
    "SELECT priority, received_at, id FROM incidents WHERE deleted = 0 "
    "ORDER BY priority DESC, received_at DESC, id DESC",
    "SELECT status, received_at, id FROM incidents WHERE deleted = 0 "
    "ORDER BY status DESC, received_at DESC, id DESC",
};
static const char sql_count[] = "SELECT count(*) FROM incidents WHERE deleted = 0";
static const char sql_count_first[] =
    "SELECT count(*) FROM (SELECT 1 FROM incidents WHERE deleted = 0 LIMIT ?1)";
static const char sql_by_n[] = SEL " FROM incidents WHERE id = (SELECT incident_id FROM "
                                   "local_incident_titles WHERE n = ?1)";
static const char sql_key_of_n[] = "SELECT k FROM local_incident_titles WHERE n = ?1";
/* two subqueries: min() and max() in one SELECT would scan the table */
static const char sql_title_range[] = "SELECT (SELECT min(n) FROM local_incident_titles), "
                                      "(SELECT max(n) FROM local_incident_titles)";
static const char sql_scan_part[] =
    "SELECT title, k, n FROM local_incident_titles WHERE n >= ?1 AND n < ?2";

/* The first error is kept; later ones are dropped. */
static void keep_err(char **err, char *e)
{
    if (err && !*err)
        *err = e;
    else
        free(e);
}

/* ---- the model ---- */
static int load_libraries(struct inc_list *l, char **err)
{
    int ja = strcmp(i18n_lang(), "ja") == 0;
    sqlite3_stmt *s = store_stmt(l->st, ja ? "SELECT id, name_ja FROM libraries"
                                           : "SELECT id, name_en FROM libraries");
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        l->libs = xrealloc(l->libs, (l->nlibs + 1) * sizeof *l->libs);
        snprintf(l->libs[l->nlibs].id, ID_LEN + 1, "%s", col_text(s, 0) ? col_text(s, 0) : "");
        l->libs[l->nlibs].name = xstrdup(col_text(s, 1) ? col_text(s, 1) : "");
        l->nlibs++;
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

struct inc_list *inc_list_new(struct store *st, const struct sla *sla, char **err)
{
    struct inc_list *l = xcalloc(1, sizeof *l);
    l->st = st;
    l->sla = sla;
    l->desc = 1;
    l->sort = INC_SORT_RECEIVED;
    l->now = time_now_ms();
    load_libraries(l, err); /* names not read show as ids */
    return l;
}

static void reset_window(struct inc_list *l)
{
    l->win_n = 0;
    free(l->anchors);
    l->anchors = NULL;
    l->nanchors = 0;
}

void inc_list_free(struct inc_list *l)
{
    if (!l)
        return;
    free(l->anchors);
    free(l->matches);
    for (size_t i = 0; i < l->nlibs; i++)
        free(l->libs[i].name);
    free(l->libs);
    free(l);
}

void inc_list_set_now(struct inc_list *l, int64_t now)
{
    l->now = now;
}

enum inc_sort inc_list_sort(const struct inc_list *l)
{
    return l->sort;
}

int inc_list_desc(const struct inc_list *l)
{
    return l->desc;
}

void inc_list_reset(struct inc_list *l)
{
    l->counted = 0;
    reset_window(l);
}

long inc_list_size(const struct inc_list *l)
{
    return l->filtered ? l->nmatches : l->nrows;
}

long inc_list_total(const struct inc_list *l)
{
    return l->nrows;
}

int inc_list_counted(const struct inc_list *l)
{
    return l->counted;
}

int inc_list_filtered(const struct inc_list *l)
{
    return l->filtered;
}

long inc_list_rows_read(const struct inc_list *l)
{
    return l->rows_scanned;
}

void inc_list_rows_clear(struct inc_list_row *rows, long n)
{
    for (long i = 0; rows && i < n; i++)
        incident_clear(&rows[i].inc);
}

static const char *library_name(struct inc_list *l, const char *id)
{
    if (!id)
        return "";
    for (size_t i = 0; i < l->nlibs; i++)
        if (strcmp(l->libs[i].id, id) == 0)
            return l->libs[i].name;
    return id;
}

/* UTC ms of an ISO instant; 0 for NULL or bad. */
static int64_t ms_of(const char *iso)
{
    int64_t ms;
    return iso && time_parse(iso, &ms) == 0 ? ms : 0;
}

static char *dup0(const char *s)
{
    return xstrdup(s ? s : "");
}

static void key_from_stmt(struct inc_list *l, sqlite3_stmt *s, struct inc_key *k)
{
    const char *k1 = l->sort == INC_SORT_PRIORITY ? col_text(s, 3)
                     : l->sort == INC_SORT_STATUS ? col_text(s, 4)
                                                  : "";
    snprintf(k->k1, sizeof k->k1, "%s", k1 ? k1 : "");
    snprintf(k->recv, sizeof k->recv, "%s", col_text(s, 1) ? col_text(s, 1) : "");
    snprintf(k->id, sizeof k->id, "%s", col_text(s, 6) ? col_text(s, 6) : "");
}

static void row_from_stmt(struct inc_list *l, sqlite3_stmt *s, struct inc_list_row *r)
{
    memset(r, 0, sizeof *r);
    struct incident *inc = &r->inc;
    snprintf(inc->ref, sizeof inc->ref, "%s", col_text(s, 0) ? col_text(s, 0) : "");
    inc->received = ms_of(col_text(s, 1));
    inc->library_name = xstrdup(library_name(l, col_text(s, 2)));
    snprintf(inc->priority, sizeof inc->priority, "%s", col_text(s, 3) ? col_text(s, 3) : "");
    inc->status = dup0(col_text(s, 4));
    inc->title = dup0(col_text(s, 5));
    snprintf(inc->id, sizeof inc->id, "%s", col_text(s, 6) ? col_text(s, 6) : "");
    inc->acknowledged = ms_of(col_text(s, 7));
    inc->first_response = ms_of(col_text(s, 8));
    inc->recovered = ms_of(col_text(s, 9));
    inc->paused_since = ms_of(col_text(s, 10));
    inc->paused_seconds = sqlite3_column_int64(s, 11);
    const char *st = col_text(s, 4);
    if (l->sla && st && strcmp(st, "draft") != 0 && strcmp(st, "closed") != 0) {
        char *err = NULL;
        r->has_sla = incident_sla(l->st, l->sla, inc, l->now, &err) == 0;
        free(err); /* no clock shown for that row */
    }
}

/* Sentinel keys below and above every real key. */
static void key_low(struct inc_key *k)
{
    memset(k, 0, sizeof *k);
}

static void key_high(struct inc_key *k)
{
    snprintf(k->k1, sizeof k->k1, "~");
    snprintf(k->recv, sizeof k->recv, "~");
    snprintf(k->id, sizeof k->id, "~");
}

/* Runs a keyset query from key k: down (in display order) when forward. Calls
 * each(row index in result, stmt) for the rows; returns rows produced. */
static long keyset(struct inc_list *l, const struct inc_key *k, int forward, long limit,
                   void (*each)(struct inc_list *l, long i, sqlite3_stmt *s, void *ctx), void *ctx,
                   char **err)
{
    int lt = forward == l->desc; /* desc display walks "less than" going forward */
    sqlite3_stmt *s = store_stmt(l->st, lt ? sql_lt[l->sort] : sql_gt[l->sort]);
    bind_text(s, 1, k->k1);
    bind_text(s, 2, k->recv);
    bind_text(s, 3, k->id);
    bind_int(s, 4, limit);
    long n = 0;
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1)
        each(l, n++, s, ctx);
    sqlite3_reset(s);
    if (step < 0)
        keep_err(err, read_err); /* the list is short: say so */
    l->rows_scanned += n;
    return n;
}

struct collect {
    long skip;   /* result rows to drop first */
    long n;      /* rows wanted */
    int reverse; /* results come in reverse display order */
    long total;  /* rows the query returns (for reverse placement) */
    struct inc_list_row *rows;
    struct inc_key *first, *last;
    long got;
};

static void collect_row(struct inc_list *l, long i, sqlite3_stmt *s, void *ctx)
{
    struct collect *c = ctx;
    long pos;
    if (!c->reverse) {
        if (i < c->skip)
            return;
        pos = i - c->skip;
    } else {
        /* result i is display position total-1-i relative to the query's far end */
        pos = c->total - 1 - i - c->skip;
    }
    if (pos < 0 || pos >= c->n)
        return;
    row_from_stmt(l, s, &c->rows[pos]);
    if (pos == 0)
        key_from_stmt(l, s, c->first);
    if (pos == c->n - 1)
        key_from_stmt(l, s, c->last);
    c->got++;
}

/* One pass over the sort index: a key every ANCHOR_STEP rows (in desc order of
 * the sort; mapped to display positions by the direction). Counts too. */
static void build_anchors(struct inc_list *l, char **err)
{
    free(l->anchors);
    l->anchors = NULL;
    l->nanchors = 0;
    sqlite3_stmt *s = store_stmt(l->st, sql_keys[l->sort]);
    long i = 0;
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        if (i % ANCHOR_STEP == 0) {
            l->anchors = xrealloc(l->anchors, (size_t)(l->nanchors + 1) * sizeof *l->anchors);
            struct inc_key *k = &l->anchors[l->nanchors++];
            snprintf(k->k1, sizeof k->k1, "%s", col_text(s, 0) ? col_text(s, 0) : "");
            snprintf(k->recv, sizeof k->recv, "%s", col_text(s, 1) ? col_text(s, 1) : "");
            snprintf(k->id, sizeof k->id, "%s", col_text(s, 2) ? col_text(s, 2) : "");
        }
        i++;
    }
    sqlite3_reset(s);
    if (step < 0)
        keep_err(err, read_err); /* the list is short: say so */
    l->nrows = i;
    l->counted = 1;
}

/* Anchor j as a display position. */
static long anchor_pos(struct inc_list *l, long j)
{
    long p = j * ANCHOR_STEP;
    return l->desc ? p : l->nrows - 1 - p;
}

static int count_with(struct inc_list *l, sqlite3_stmt *s, char **err)
{
    int got = store_one_row(s, err);
    l->nrows = got == 1 ? (long)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return got < 0 ? -1 : 0;
}

int inc_list_count(struct inc_list *l, char **err)
{
    int rc = count_with(l, store_stmt(l->st, sql_count), err);
    l->counted = 1;
    return rc;
}

int inc_list_count_first(struct inc_list *l, long limit, char **err)
{
    sqlite3_stmt *s = store_stmt(l->st, sql_count_first);
    bind_int(s, 1, limit);
    int rc = count_with(l, s, err);
    if (l->nrows < limit)
        l->counted = 1; /* that was all of them */
    return rc;
}

int inc_list_set_count(struct inc_list *l, long n)
{
    if (n < 0 || l->counted)
        return 0;
    l->nrows = n;
    l->counted = 1;
    return 1;
}

int incident_count_at(const char *path, long *n, char **err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int rc = -1;
    *n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql_count, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *n = (long)sqlite3_column_int64(s, 0);
        rc = 0;
    } else
        set_err(err, _("cannot count the incidents in %s: %s"), path, sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}

static long fetch_filtered(struct inc_list *l, long from, long n, struct inc_list_row *rows,
                           char **err)
{
    long got = 0;
    for (long i = 0; i < n && from + i < l->nmatches; i++) {
        sqlite3_stmt *s = store_stmt(l->st, sql_by_n);
        sqlite3_bind_int64(s, 1, l->matches[from + i].n);
        char *read_err = NULL;
        int one = store_one_row(s, &read_err);
        if (one == 1)
            row_from_stmt(l, s, &rows[i]);
        sqlite3_reset(s);
        if (one < 0)
            keep_err(err, read_err); /* a blank row: say why */
        l->rows_scanned++;
        got++;
    }
    return got;
}

long inc_list_fetch(struct inc_list *l, long from, long n, struct inc_list_row *rows, char **err)
{
    if (n > 0)
        memset(rows, 0, (size_t)n * sizeof *rows);
    if (l->filtered)
        return fetch_filtered(l, from, n, rows, err);
    if (from + n > l->nrows)
        n = l->nrows - from;
    if (n <= 0)
        return 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        /* Reference keys: position and key; pick the cheapest. */
        struct {
            long pos;
            struct inc_key key;
        } best = {0};
        long best_cost = -1;
        int best_forward = 1;
#define CONSIDER(P, K)                                                                             \
    do {                                                                                           \
        long p_ = (P), c_;                                                                         \
        int f_;                                                                                    \
        if (p_ < from) {                                                                           \
            c_ = from - p_ - 1 + n;                                                                \
            f_ = 1;                                                                                \
        } else if (p_ >= from + n) {                                                               \
            c_ = p_ - from;                                                                        \
            f_ = 0;                                                                                \
        } else                                                                                     \
            break;                                                                                 \
        if (best_cost < 0 || c_ < best_cost) {                                                     \
            best_cost = c_;                                                                        \
            best.pos = p_;                                                                         \
            best.key = (K);                                                                        \
            best_forward = f_;                                                                     \
        }                                                                                          \
    } while (0)
        struct inc_key lo, hi;
        key_low(&lo);
        key_high(&hi);
        CONSIDER(-1, l->desc ? hi : lo);
        if (l->counted)
            CONSIDER(l->nrows, l->desc ? lo : hi);
        if (l->win_n > 0) {
            CONSIDER(l->win_from, l->win_first);
            CONSIDER(l->win_from + l->win_n - 1, l->win_last);
        }
        for (long j = 0; j < l->nanchors; j++)
            CONSIDER(anchor_pos(l, j), l->anchors[j]);
#undef CONSIDER
        if (best_cost > FAR_ROWS + n && attempt == 0 && l->nanchors == 0) {
            build_anchors(l, err);
            if (from + n > l->nrows)
                n = l->nrows - from;
            if (n <= 0)
                return 0;
            continue;
        }
        struct inc_key first, last;
        struct collect c = {0};
        c.n = n;
        c.rows = rows;
        c.first = &first;
        c.last = &last;
        if (best_forward) {
            c.skip = from - best.pos - 1;
            keyset(l, &best.key, 1, c.skip + n, collect_row, &c, err);
        } else {
            c.reverse = 1;
            c.total = best.pos - from;
            c.skip = 0;
            keyset(l, &best.key, 0, c.total, collect_row, &c, err);
        }
        if (c.got == n) {
            l->win_from = from;
            l->win_n = n;
            l->win_first = first;
            l->win_last = last;
        }
        return c.got;
    }
    return 0;
}

/* ---- filter ---- */
/* The rank packed in local_incident_titles.k (data/schema/009_incident_list.sql):
 * received_ms << 8 | priority 1..4 << 4 | status rank in text order (like the
 * status index the unfiltered list walks). */
static int rank_of_key(enum inc_sort sort, int64_t k)
{
    return sort == INC_SORT_PRIORITY ? (int)((k >> 4) & 15)
           : sort == INC_SORT_STATUS ? (int)(k & 15)
                                     : 0;
}

static int cmp_match_dir(const void *a, const void *b)
{
    const struct inc_match *x = a, *y = b;
    int c = (x->k1 > y->k1) - (x->k1 < y->k1);
    if (!c)
        c = (x->recv_s > y->recv_s) - (x->recv_s < y->recv_s);
    if (!c)
        c = (x->recv_ms > y->recv_ms) - (x->recv_ms < y->recv_ms);
    if (!c)
        c = (x->n > y->n) - (x->n < y->n);
    return c;
}

static int cmp_match_desc(const void *a, const void *b, void *desc)
{
    int c = cmp_match_dir(a, b);
    return *(int *)desc ? -c : c;
}

/* Ranks depend on the sort: read them from the side table's packed key. */
static int rerank(struct inc_list *l, char **err)
{
    int rc = 0;
    for (long i = 0; i < l->nmatches && l->sort != INC_SORT_RECEIVED; i++) {
        sqlite3_stmt *s = store_stmt(l->st, sql_key_of_n);
        sqlite3_bind_int64(s, 1, l->matches[i].n);
        char *read_err = NULL;
        int one = store_one_row(s, &read_err);
        if (one == 1)
            l->matches[i].k1 = (unsigned char)rank_of_key(l->sort, sqlite3_column_int64(s, 0));
        sqlite3_reset(s);
        if (one < 0) {
            keep_err(err, read_err);
            rc = -1;
        }
    }
    if (l->sort == INC_SORT_RECEIVED)
        for (long i = 0; i < l->nmatches; i++)
            l->matches[i].k1 = 0;
    qsort_r(l->matches, (size_t)l->nmatches, sizeof *l->matches, cmp_match_desc, &l->desc);
    return rc;
}

int inc_list_set_order(struct inc_list *l, enum inc_sort sort, int desc, char **err)
{
    l->sort = sort;
    l->desc = desc ? 1 : 0;
    int rc = l->filtered ? rerank(l, err) : 0;
    reset_window(l);
    return rc;
}

void inc_list_clear_filter(struct inc_list *l)
{
    l->filtered = 0;
    free(l->matches);
    l->matches = NULL;
    l->nmatches = 0;
    reset_window(l);
}

/* The scan runs on one read-only connection per core, each over a slice of
 * the integer key of local_incident_titles (titles and sort keys only, so the
 * scan reads a fifth of the ledger). */
struct scan_part {
    const char *path;
    const struct inc_scan_ops *ops;
    enum inc_sort sort;
    int64_t lo, hi;           /* [lo, hi) */
    const atomic_int *cancel; /* the scan's: a newer filter, a cleared one */
    struct inc_match *matches;
    long n, cap;
    long cut; /* titles whose match hit the work limit */
    int failed;
};

struct inc_scan {
    char *path;
    enum inc_sort sort;
    int desc;
    int64_t lo, hi;    /* key range [lo, hi] of local_incident_titles */
    int refs;          /* match the reference numbers too */
    atomic_int cancel; /* the result will not be used */
    struct inc_match *matches;
    long n;
    long cut; /* titles not checked: the pattern was too costly for them */
    int failed;
};

static int part_stopped(const struct scan_part *sp)
{
    return atomic_load_explicit(sp->cancel, memory_order_relaxed) ||
           (sp->ops->stop && sp->ops->stop(sp->ops->ctx));
}

static void scan_part_end(struct scan_part *sp)
{
    if (sp->ops->thread_done)
        sp->ops->thread_done(sp->ops->ctx);
}

static void *scan_part_run(void *arg)
{
    struct scan_part *sp = arg;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(sp->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sp->failed = 1;
        sqlite3_close(db);
        scan_part_end(sp);
        return NULL;
    }
    /* A reader in WAL mode can meet a brief lock (another process's
     * checkpoint, the WAL being recovered): wait rather than fail the scan. */
    sqlite3_busy_timeout(db, 5000);
    sqlite3_exec(db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql_scan_part, -1, &s, NULL) != SQLITE_OK) {
        sp->failed = 1;
        sqlite3_close(db);
        scan_part_end(sp);
        return NULL;
    }
    sqlite3_bind_int64(s, 1, sp->lo);
    sqlite3_bind_int64(s, 2, sp->hi);
    /* Each match is bounded by the matcher, so checking for a cancel on every
     * row stops a stale scan, or one the program quits under, within a few
     * milliseconds. */
    int step = 0;
    while (!part_stopped(sp) && (step = store_next_row(s, NULL)) == 1) {
        const char *title = (const char *)sqlite3_column_text(s, 0);
        int len = sqlite3_column_bytes(s, 0);
        if (!title)
            continue;
        int hit = sp->ops->match(sp->ops->ctx, title, (size_t)len);
        if (hit < 0)
            sp->cut++;
        if (hit != 1)
            continue;
        if (sp->n == sp->cap) {
            sp->cap = sp->cap ? sp->cap * 2 : 4096;
            sp->matches = xrealloc(sp->matches, (size_t)sp->cap * sizeof *sp->matches);
        }
        struct inc_match *mt = &sp->matches[sp->n];
        int64_t k = sqlite3_column_int64(s, 1);
        mt->n = sqlite3_column_int64(s, 2);
        mt->recv_s = (uint32_t)((k >> 8) / 1000);
        mt->recv_ms = (uint16_t)((k >> 8) % 1000);
        mt->k1 = (unsigned char)rank_of_key(sp->sort, k);
        sp->n++;
    }
    if (step < 0)
        sp->failed = 1; /* reported when the filter result arrives */
    sqlite3_finalize(s);
    sqlite3_close(db);
    scan_part_end(sp);
    return NULL;
}

/* The reference numbers too (issue 13: `/INC-…` found nothing): a walk of the
 * incidents_ref index (ref and id only, no row read); a ref that matches while
 * its title does not adds its row. Runs after the title parts, on the caller's
 * thread. */
static void scan_refs(struct inc_scan *j, const struct inc_scan_ops *ops)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL, *t = NULL;
    if (sqlite3_open_v2(j->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT ref, id FROM incidents INDEXED BY incidents_ref", -1, &s,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT title, k, n FROM local_incident_titles WHERE incident_id = ?1",
                           -1, &t, NULL) != SQLITE_OK) {
        j->failed = 1;
        goto done;
    }
    long cap = j->n;
    int step;
    while (!atomic_load(&j->cancel) && !(ops->stop && ops->stop(ops->ctx)) &&
           (step = store_next_row(s, NULL)) == 1) {
        const char *ref = (const char *)sqlite3_column_text(s, 0);
        if (!ref || ops->match(ops->ctx, ref, (size_t)sqlite3_column_bytes(s, 0)) != 1)
            continue;
        sqlite3_bind_text(t, 1, (const char *)sqlite3_column_text(s, 1), -1, SQLITE_TRANSIENT);
        if (store_next_row(t, NULL) == 1) {
            const char *title = (const char *)sqlite3_column_text(t, 0);
            if (!title || ops->match(ops->ctx, title, (size_t)sqlite3_column_bytes(t, 0)) != 1) {
                if (j->n == cap) {
                    cap = cap ? cap * 2 : 64;
                    j->matches = xrealloc(j->matches, (size_t)cap * sizeof *j->matches);
                }
                struct inc_match *mt = &j->matches[j->n++];
                int64_t k = sqlite3_column_int64(t, 1);
                mt->n = sqlite3_column_int64(t, 2);
                mt->recv_s = (uint32_t)((k >> 8) / 1000);
                mt->recv_ms = (uint16_t)((k >> 8) % 1000);
                mt->k1 = (unsigned char)rank_of_key(j->sort, k);
            }
        }
        sqlite3_reset(t);
    }
done:
    sqlite3_finalize(s);
    sqlite3_finalize(t);
    sqlite3_close(db);
}

struct inc_scan *inc_scan_new(struct inc_list *l)
{
    struct inc_scan *j = xcalloc(1, sizeof *j);
    atomic_init(&j->cancel, 0);
    j->path = xstrdup(l->st->path);
    j->sort = l->sort;
    j->desc = l->desc;
    sqlite3_stmt *s = store_stmt(l->st, sql_title_range);
    char *read_err = NULL;
    int got = store_one_row(s, &read_err);
    if (got == 1) {
        j->lo = sqlite3_column_int64(s, 0);
        j->hi = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (got < 0) {
        j->failed = 1; /* the taker says the list may be incomplete */
        free(read_err);
    }
    return j;
}

void inc_scan_run(struct inc_scan *j, const struct inc_scan_ops *ops)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    const char *threads = getenv("UNYO_SCAN_THREADS"); /* for benchmarks */
    if (threads && atoi(threads) > 0)
        ncpu = atoi(threads);
    int nparts = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;
    if (j->hi - j->lo < 4096)
        nparts = 1;
    struct scan_part parts[4];
    pthread_t tids[4];
    memset(parts, 0, sizeof parts);
    for (int i = 0; i < nparts; i++) {
        parts[i].path = j->path;
        parts[i].ops = ops;
        parts[i].cancel = &j->cancel;
        parts[i].sort = j->sort;
        int64_t span = j->hi - j->lo + 1;
        parts[i].lo = i == 0 ? INT64_MIN : j->lo + span / nparts * i;
        parts[i].hi = i == nparts - 1 ? INT64_MAX : j->lo + span / nparts * (i + 1);
    }
    int started[4] = {0};
    for (int i = 1; i < nparts; i++)
        started[i] = pthread_create(&tids[i], NULL, scan_part_run, &parts[i]) == 0;
    scan_part_run(&parts[0]);
    for (int i = 1; i < nparts; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
        else
            scan_part_run(&parts[i]);
    }
    /* Append the other parts to the first one's array (realloc grows it in
     * place or by remapping: no second copy of everything at once). */
    j->n = 0;
    for (int i = 0; i < nparts; i++)
        j->n += parts[i].n, j->cut += parts[i].cut, j->failed |= parts[i].failed;
    free(j->matches);
    j->matches = xrealloc(parts[0].matches, (size_t)(j->n ? j->n : 1) * sizeof *j->matches);
    long at = parts[0].n;
    for (int i = 1; i < nparts; i++) {
        if (parts[i].n)
            memcpy(j->matches + at, parts[i].matches, (size_t)parts[i].n * sizeof *j->matches);
        at += parts[i].n;
        free(parts[i].matches);
    }
    if (j->refs)
        scan_refs(j, ops);
    if (!atomic_load(&j->cancel) && !(ops->stop && ops->stop(ops->ctx)))
        qsort_r(j->matches, (size_t)j->n, sizeof *j->matches, cmp_match_desc, &j->desc);
}

void inc_scan_with_refs(struct inc_scan *s, int on)
{
    s->refs = on;
}

int inc_ref_like(const char *pattern)
{
    const char *p = pattern ? pattern : "";
    if (*p == '^')
        p++;
    if (strncasecmp(p, "INC-", 4) == 0)
        return 1;
    for (int i = 0; i < 8; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return p[8] == '-';
}

void inc_scan_cancel(struct inc_scan *s)
{
    atomic_store(&s->cancel, 1);
}

int inc_scan_cancelled(struct inc_scan *s)
{
    return atomic_load(&s->cancel);
}

long inc_scan_matches(const struct inc_scan *s)
{
    return s->n;
}

long inc_scan_cut(const struct inc_scan *s)
{
    return s->cut;
}

int inc_scan_failed(const struct inc_scan *s)
{
    return s->failed;
}

void inc_scan_free(struct inc_scan *s)
{
    if (!s)
        return;
    free(s->matches);
    free(s->path);
    free(s);
}

void inc_list_take_scan(struct inc_list *l, struct inc_scan *s)
{
    free(l->matches);
    l->matches = s->matches;
    l->nmatches = s->n;
    s->matches = NULL;
    s->n = 0;
    l->filtered = 1;
    if (s->sort != l->sort || s->desc != l->desc) {
        char *err = NULL;
        rerank(l, &err); /* the sort changed while the scan ran */
        free(err);       /* a rank not read keeps its row's place */
    }
    reset_window(l);
}

/* ---- the field filter ---- */
void inc_fields_clear(struct inc_fields *f)
{
    free(f->status), free(f->priority), free(f->library), free(f->category);
    free(f->assignee), free(f->search);
    memset(f, 0, sizeof *f);
}

int inc_fields_parse(const char *text, struct inc_fields *f, char **err)
{
    static const char *const keys[] = {"status",   "priority", "library", "category",
                                       "assignee", "sla",      NULL};
    char *copy = xstrdup(text), *save = NULL;
    int fields = 0, words = 0;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        words++;
        char *eq = strchr(w, '=');
        if (!eq)
            continue;
        *eq = 0;
        for (int i = 0; keys[i]; i++)
            if (strcmp(w, keys[i]) == 0)
                fields++;
    }
    free(copy);
    if (fields == 0 || fields != words)
        return 0;
    inc_fields_clear(f);
    copy = xstrdup(text);
    save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(w, '=');
        *eq = 0;
        const char *val = eq + 1;
        char **slot = NULL;
        if (strcmp(w, "status") == 0) {
            if (strcmp(val, "open") == 0)
                f->open = 1;
            else
                slot = &f->status;
        } else if (strcmp(w, "priority") == 0)
            slot = &f->priority;
        else if (strcmp(w, "library") == 0)
            slot = &f->library;
        else if (strcmp(w, "category") == 0)
            slot = &f->category;
        else if (strcmp(w, "assignee") == 0)
            slot = &f->assignee;
        else if (strcmp(w, "sla") == 0) {
            f->sla = strcmp(val, "ok") == 0         ? SLA_OK
                     : strcmp(val, "warning") == 0  ? SLA_WARNING
                     : strcmp(val, "breached") == 0 ? SLA_BREACHED
                                                    : -1;
            if (f->sla < 0) {
                set_err(err, _("sla=%s: expected ok, warning or breached"), val);
                free(copy);
                inc_fields_clear(f);
                return -1;
            }
        }
        if (slot) {
            free(*slot);
            *slot = xstrdup(val);
        }
    }
    free(copy);
    return 1;
}

static int cmp_inc_recv(const void *a, const void *b)
{
    const struct incident *x = a, *y = b;
    return (x->received < y->received) - (x->received > y->received);
}

int inc_fields_list(struct store *st, const struct sla *sla, const struct inc_fields *f, int limit,
                    int64_t now, struct incident **out, size_t *n, int *partial, char **err)
{
    static const char *const open_states[] = {
        "received", "isolated", "escalated", "first_response", "reopened", "second_response", NULL};
    const char *const one[] = {f->status, NULL};
    const char *const *states = f->open ? open_states : one;
    struct incident *all = NULL;
    size_t nall = 0;
    int any_partial = 0;
    for (int i = 0; states[i] || (i == 0 && !f->status); i++) {
        struct incident_filter q = {0};
        q.status = states[i];
        q.priority = f->priority;
        q.library = f->library;
        q.category = f->category;
        q.assignee = f->assignee;
        q.search = f->search;
        q.sla = f->sla;
        q.inbox = f->inbox;
        q.limit = limit;
        struct incident *rows = NULL;
        size_t got = 0;
        int part = 0;
        if (incident_list(st, sla, &q, now, &rows, &got, &part, err) != 0) {
            incident_list_free(all, nall);
            *out = NULL;
            *n = 0;
            return -1;
        }
        any_partial |= part;
        all = xrealloc(all, (nall + got + 1) * sizeof *all);
        if (got)
            memcpy(all + nall, rows, got * sizeof *rows);
        nall += got;
        free(rows); /* the strings moved into all */
        if (!states[i])
            break;
    }
    if (f->open && !f->search)
        qsort(all, nall, sizeof *all, cmp_inc_recv);
    *out = all;
    *n = nall;
    if (partial)
        *partial = any_partial;
    return 0;
}
