/* Incidents pane: a fast read-only list over the incident ledger.
 *
 * Model: virtual rows over SQLite with keyset paging on (sort key, received_at,
 * id): a page is fetched from the nearest known key (the current window, the
 * ends, or a sparse anchor table built on the first far jump) — never OFFSET,
 * never all rows. The `/` filter scans the title column once with a lean query
 * and pcre2_jit_match, keeping only the matching ids (16 bytes each) and their
 * sort keys; the filtered list then fetches its visible rows by id.
 *
 * Intake and detail will be added on top: keep the model (struct inc_model),
 * the table source (inc_count / inc_fetch) and the pane ops apart. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "i18n.h"
#include "incidents.h"
#include "screens.h"
#include "store.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_table.h"
#include "util.h"

#define ANCHOR_STEP 1024
#define FAR_ROWS 4096 /* beyond this many rows to skip, use anchors */

enum inc_sort { SORT_RECEIVED, SORT_PRIORITY, SORT_STATUS, SORT_COUNT };
static const char *const sort_names[SORT_COUNT] = {"received", "priority", "status"};
static const char *const sort_labels[SORT_COUNT] = {N_("received"), N_("priority"), N_("status")};
static const int sort_col_of[SORT_COUNT] = {1, 3, 4};

struct inc_key {
    char k1[24];                 /* priority or status; "" for SORT_RECEIVED */
    char recv[TIME_ISO_LEN + 1]; /* received_at */
    char id[ID_LEN + 1];
};

/* 24 bytes: a filter matching every one of a million rows stays small. */
struct inc_match {
    unsigned char id[16];
    uint32_t recv_s;  /* received_at, seconds since 1970 (good until 2106) */
    uint16_t recv_ms; /* and milliseconds */
    unsigned char k1; /* priority/status rank */
};

struct inc_lib {
    char id[ID_LEN + 1];
    char *name;
};

struct inc_model {
    struct store *st;
    enum inc_sort sort;
    int desc; /* newest first */
    long nrows;
    int counted;  /* nrows is exact (else a lower bound while counting) */
    int counting; /* a count runs in the background */
    /* the last fetched window: positions and keys of its ends */
    long win_from, win_n;
    struct inc_key win_first, win_last;
    /* anchors: key of row i * ANCHOR_STEP */
    struct inc_key *anchors;
    long nanchors;
    /* filter */
    int filtered;
    int filtering;       /* a scan runs in the background */
    unsigned filter_gen; /* the latest filter; older results are dropped */
    struct inc_match *matches;
    long nmatches;
    char *pattern;
    struct inc_lib *libs;
    size_t nlibs;
    struct table table;
    /* statistics for the benchmark */
    long rows_scanned;
};

/* ---- SQL: one statement per (sort, direction); "LT" walks down the order. ---- */
#define SEL "SELECT ref, received_at, library_id, priority, status, title, id"
#define FROM " FROM incidents WHERE deleted = 0 AND "
static const char *const sql_lt[SORT_COUNT] = {
    SEL FROM "(received_at, id) < (?2, ?3) ORDER BY received_at DESC, id DESC LIMIT ?4",
    SEL FROM "(priority, received_at, id) < (?1, ?2, ?3) "
             "ORDER BY priority DESC, received_at DESC, id DESC LIMIT ?4",
    SEL FROM "(status, received_at, id) < (?1, ?2, ?3) "
             "ORDER BY status DESC, received_at DESC, id DESC LIMIT ?4",
};
static const char *const sql_gt[SORT_COUNT] = {
    SEL FROM "(received_at, id) > (?2, ?3) ORDER BY received_at, id LIMIT ?4",
    SEL FROM "(priority, received_at, id) > (?1, ?2, ?3) ORDER BY priority, received_at, id "
             "LIMIT ?4",
    SEL FROM "(status, received_at, id) > (?1, ?2, ?3) ORDER BY status, received_at, id "
             "LIMIT ?4",
};
static const char *const sql_keys[SORT_COUNT] = {
    "SELECT '', received_at, id FROM incidents WHERE deleted = 0 "
    "ORDER BY received_at DESC, id DESC",
    "SELECT priority, received_at, id FROM incidents WHERE deleted = 0 "
    "ORDER BY priority DESC, received_at DESC, id DESC",
    "SELECT status, received_at, id FROM incidents WHERE deleted = 0 "
    "ORDER BY status DESC, received_at DESC, id DESC",
};
static const char sql_count[] = "SELECT count(*) FROM incidents WHERE deleted = 0";
static const char sql_by_id[] = SEL " FROM incidents WHERE id = ?1";

/* ---- helpers ---- */
static const char *status_label(const char *s)
{
    return s ? incident_status_name(s) : "";
}

static int priority_style(const char *p)
{
    if (!p)
        return STYLE_NORMAL;
    if (strcmp(p, "P1") == 0)
        return STYLE_INCIDENT_P1;
    if (strcmp(p, "P2") == 0)
        return STYLE_INCIDENT_P2;
    if (strcmp(p, "P3") == 0)
        return STYLE_INCIDENT_P3;
    return STYLE_INCIDENT_P4;
}

static const char *library_name(struct inc_model *m, const char *id)
{
    if (!id)
        return "";
    for (size_t i = 0; i < m->nlibs; i++)
        if (strcmp(m->libs[i].id, id) == 0)
            return m->libs[i].name;
    return id;
}

static void load_libraries(struct inc_model *m)
{
    int ja = strcmp(i18n_lang(), "ja") == 0;
    sqlite3_stmt *s = store_stmt(m->st, ja ? "SELECT id, name_ja FROM libraries"
                                           : "SELECT id, name_en FROM libraries");
    while (sqlite3_step(s) == SQLITE_ROW) {
        m->libs = xrealloc(m->libs, (m->nlibs + 1) * sizeof *m->libs);
        snprintf(m->libs[m->nlibs].id, ID_LEN + 1, "%s", col_text(s, 0));
        m->libs[m->nlibs].name = xstrdup(col_text(s, 1) ? col_text(s, 1) : "");
        m->nlibs++;
    }
    sqlite3_reset(s);
}

static void key_from_stmt(struct inc_model *m, sqlite3_stmt *s, struct inc_key *k)
{
    const char *k1 = m->sort == SORT_PRIORITY ? col_text(s, 3)
                     : m->sort == SORT_STATUS ? col_text(s, 4)
                                              : "";
    snprintf(k->k1, sizeof k->k1, "%s", k1 ? k1 : "");
    snprintf(k->recv, sizeof k->recv, "%s", col_text(s, 1) ? col_text(s, 1) : "");
    snprintf(k->id, sizeof k->id, "%s", col_text(s, 6) ? col_text(s, 6) : "");
}

static void row_from_stmt(struct inc_model *m, sqlite3_stmt *s, struct table_row *r)
{
    memset(r, 0, sizeof *r);
    r->cell[0] = xstrdup(col_text(s, 0) ? col_text(s, 0) : "");
    int64_t ms;
    char jst[32] = "";
    if (col_text(s, 1) && time_parse(col_text(s, 1), &ms) == 0)
        time_format_jst(ms, jst, 0);
    r->cell[1] = xstrdup(jst);
    r->cell[2] = xstrdup(library_name(m, col_text(s, 2)));
    r->cell[3] = xstrdup(col_text(s, 3) ? col_text(s, 3) : "");
    r->cell[4] = xstrdup(status_label(col_text(s, 4)));
    r->cell[5] = xstrdup(col_text(s, 5) ? col_text(s, 5) : "");
    r->cell_style[3] = priority_style(col_text(s, 3));
    r->style = STYLE_NORMAL;
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
static long keyset(struct inc_model *m, const struct inc_key *k, int forward, long limit,
                   void (*each)(struct inc_model *m, long i, sqlite3_stmt *s, void *ctx), void *ctx)
{
    int lt = forward == m->desc; /* desc display walks "less than" going forward */
    sqlite3_stmt *s = store_stmt(m->st, lt ? sql_lt[m->sort] : sql_gt[m->sort]);
    bind_text(s, 1, k->k1);
    bind_text(s, 2, k->recv);
    bind_text(s, 3, k->id);
    bind_int(s, 4, limit);
    long n = 0;
    while (sqlite3_step(s) == SQLITE_ROW)
        each(m, n++, s, ctx);
    sqlite3_reset(s);
    m->rows_scanned += n;
    return n;
}

struct collect {
    long skip;   /* result rows to drop first */
    long n;      /* rows wanted */
    int reverse; /* results come in reverse display order */
    long total;  /* rows the query returns (for reverse placement) */
    struct table_row *rows;
    struct inc_key *first, *last;
    long got;
};

static void collect_row(struct inc_model *m, long i, sqlite3_stmt *s, void *ctx)
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
    row_from_stmt(m, s, &c->rows[pos]);
    if (pos == 0)
        key_from_stmt(m, s, c->first);
    if (pos == c->n - 1)
        key_from_stmt(m, s, c->last);
    c->got++;
}

static void collect_anchor(struct inc_model *m, long i, sqlite3_stmt *s, void *ctx)
{
    (void)ctx;
    if (i % ANCHOR_STEP == 0) {
        m->anchors = xrealloc(m->anchors, (size_t)(m->nanchors + 1) * sizeof *m->anchors);
        struct inc_key *k = &m->anchors[m->nanchors++];
        snprintf(k->k1, sizeof k->k1, "%s", col_text(s, 0) ? col_text(s, 0) : "");
        snprintf(k->recv, sizeof k->recv, "%s", col_text(s, 1) ? col_text(s, 1) : "");
        snprintf(k->id, sizeof k->id, "%s", col_text(s, 2) ? col_text(s, 2) : "");
    }
}

/* One pass over the sort index: a key every ANCHOR_STEP rows (in desc order of
 * the sort; mapped to display positions by the direction). */
static void build_anchors(struct inc_model *m)
{
    free(m->anchors);
    m->anchors = NULL;
    m->nanchors = 0;
    sqlite3_stmt *s = store_stmt(m->st, sql_keys[m->sort]);
    long i = 0;
    while (sqlite3_step(s) == SQLITE_ROW)
        collect_anchor(m, i++, s, NULL);
    sqlite3_reset(s);
    m->nrows = i;
    m->counted = 1;
    m->table.nrows = i;
}

/* Anchor j as a display position. */
static long anchor_pos(struct inc_model *m, long j)
{
    long p = j * ANCHOR_STEP;
    return m->desc ? p : m->nrows - 1 - p;
}

#define PROVISIONAL_ROWS 1000

struct count_job {
    struct inc_model *m;
    char *path;
    long n;
};

static void count_work(void *arg)
{
    struct count_job *j = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    j->n = -1;
    if (sqlite3_open_v2(j->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql_count, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        j->n = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void count_done(void *arg)
{
    struct count_job *j = arg;
    struct inc_model *m = j->m;
    m->counting = 0;
    if (j->n >= 0 && !m->counted) {
        m->nrows = j->n;
        m->counted = 1;
        if (!m->filtered)
            m->table.nrows = j->n;
        ui_dirty(UI_DIRTY_PANE);
    }
    free(j->path);
    free(j);
}

/* The exact count takes a scan of the ledger (~0.3 s for a million rows): on
 * the console it runs in the background and the list starts with a lower
 * bound (the first PROVISIONAL_ROWS rows). */
static long inc_count(void *data)
{
    struct inc_model *m = data;
    if (m->filtered)
        return m->nmatches;
    if (m->counted)
        return m->nrows;
    if (!ui_headless && !m->counting) {
        struct count_job *j = xcalloc(1, sizeof *j);
        j->m = m;
        j->path = xstrdup(m->st->path);
        m->counting = 1;
        if (ui_bg_run(count_work, count_done, j) == 0) {
            sqlite3_stmt *s = store_stmt(m->st, "SELECT count(*) FROM (SELECT 1 FROM incidents "
                                                "WHERE deleted = 0 LIMIT 1000)");
            m->nrows = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
            sqlite3_reset(s);
            if (m->nrows < PROVISIONAL_ROWS)
                m->counted = 1; /* that was all of them */
            return m->nrows;
        }
        m->counting = 0;
        free(j->path);
        free(j);
    }
    if (m->counting)
        return m->nrows;
    sqlite3_stmt *s = store_stmt(m->st, sql_count);
    m->nrows = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    m->counted = 1;
    return m->nrows;
}

static void hex16(const unsigned char *id, char out[ID_LEN + 1])
{
    static const char hx[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hx[id[i] >> 4];
        out[o++] = hx[id[i] & 15];
    }
    out[o] = 0;
}

static long fetch_filtered(struct inc_model *m, long from, long n, struct table_row *rows)
{
    long got = 0;
    for (long i = 0; i < n && from + i < m->nmatches; i++) {
        char id[ID_LEN + 1];
        hex16(m->matches[from + i].id, id);
        sqlite3_stmt *s = store_stmt(m->st, sql_by_id);
        bind_text(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW)
            row_from_stmt(m, s, &rows[i]);
        else
            memset(&rows[i], 0, sizeof rows[i]);
        sqlite3_reset(s);
        got++;
    }
    return got;
}

static long inc_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct inc_model *m = data;
    if (m->filtered)
        return fetch_filtered(m, from, n, rows);
    if (from + n > m->nrows)
        n = m->nrows - from;
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
        CONSIDER(-1, m->desc ? hi : lo);
        if (m->counted)
            CONSIDER(m->nrows, m->desc ? lo : hi);
        if (m->win_n > 0) {
            CONSIDER(m->win_from, m->win_first);
            CONSIDER(m->win_from + m->win_n - 1, m->win_last);
        }
        for (long j = 0; j < m->nanchors; j++)
            CONSIDER(anchor_pos(m, j), m->anchors[j]);
#undef CONSIDER
        if (best_cost > FAR_ROWS + n && attempt == 0 && m->nanchors == 0) {
            build_anchors(m);
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
            keyset(m, &best.key, 1, c.skip + n, collect_row, &c);
        } else {
            c.reverse = 1;
            c.total = best.pos - from;
            c.skip = 0;
            keyset(m, &best.key, 0, c.total, collect_row, &c);
        }
        if (c.got == n) {
            m->win_from = from;
            m->win_n = n;
            m->win_first = first;
            m->win_last = last;
        }
        return c.got;
    }
    return 0;
}

/* ---- filter ---- */
static int parse_hex16(const char *s, unsigned char out[16])
{
    int o = 0;
    for (const char *p = s; *p && o < 32; p++) {
        if (*p == '-')
            continue;
        int v = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        if (v < 0)
            return -1;
        if (o % 2 == 0)
            out[o / 2] = (unsigned char)(v << 4);
        else
            out[o / 2] |= (unsigned char)v;
        o++;
    }
    return o == 32 ? 0 : -1;
}

static int rank_of(enum inc_sort sort, const char *priority, const char *status)
{
    if (sort == SORT_PRIORITY)
        return priority && priority[0] == 'P' ? priority[1] - '0' : 9;
    if (sort == SORT_STATUS) {
        /* text order, like the index the unfiltered list walks (incident statuses) */
        static const char *const by_text[] = {"closed",         "draft",    "escalated",
                                              "first_response", "isolated", "received",
                                              "recovered",      "reopened", "second_response"};
        for (int i = 0; status && i < (int)ARRAY_LEN(by_text); i++)
            if (strcmp(by_text[i], status) == 0)
                return i;
        return 9;
    }
    return 0;
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
        c = memcmp(x->id, y->id, 16);
    return c;
}

static int cmp_match_desc(const void *a, const void *b, void *desc)
{
    int c = cmp_match_dir(a, b);
    return *(int *)desc ? -c : c;
}

static void sort_matches(struct inc_model *m)
{
    qsort_r(m->matches, (size_t)m->nmatches, sizeof *m->matches, cmp_match_desc, &m->desc);
}

/* Fast fixed-form parse of "YYYY-MM-DDTHH:MM:SS.mmmZ" (falls back to time_parse). */
static int64_t iso_ms(const char *s)
{
    int64_t ms = 0;
    if (s && strlen(s) == 24 && s[4] == '-' && s[10] == 'T' && s[23] == 'Z') {
#define D(i) (s[i] - '0')
        int y = D(0) * 1000 + D(1) * 100 + D(2) * 10 + D(3);
        int mo = D(5) * 10 + D(6), d = D(8) * 10 + D(9);
        int h = D(11) * 10 + D(12), mi = D(14) * 10 + D(15), se = D(17) * 10 + D(18);
        int f = D(20) * 100 + D(21) * 10 + D(22);
#undef D
        return ((time_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + se * 1000 + f;
    }
    if (s)
        time_parse(s, &ms);
    return ms;
}

/* The scan runs on one read-only connection per core, each over a slice of
 * the primary key (UUIDv7: the first 48 bits are a millisecond time, so slices
 * are cut by time between the smallest and the largest id). */
struct scan_part {
    const char *path;
    const pcre2_code *re;
    enum inc_sort sort;
    char lo[ID_LEN + 1], hi[ID_LEN + 1]; /* [lo, hi); "" = open end */
    struct inc_match *matches;
    long n, cap;
    int failed;
};

static const char sql_scan_part[] =
    "SELECT title, id, received_at, priority, status FROM incidents "
    "WHERE id >= ?1 AND id < ?2 AND deleted = 0";

static void *scan_part_run(void *arg)
{
    struct scan_part *sp = arg;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(sp->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sp->failed = 1;
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_exec(db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql_scan_part, -1, &s, NULL) != SQLITE_OK) {
        sp->failed = 1;
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_bind_text(s, 1, sp->lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sp->hi[0] ? sp->hi : "~", -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *title = (const char *)sqlite3_column_text(s, 0);
        int len = sqlite3_column_bytes(s, 0);
        if (!title || !ui_filter_match(sp->re, title, (size_t)len))
            continue;
        if (sp->n == sp->cap) {
            sp->cap = sp->cap ? sp->cap * 2 : 4096;
            sp->matches = xrealloc(sp->matches, (size_t)sp->cap * sizeof *sp->matches);
        }
        struct inc_match *mt = &sp->matches[sp->n];
        if (parse_hex16(col_text(s, 1), mt->id) != 0)
            continue;
        int64_t ms = iso_ms(col_text(s, 2));
        mt->recv_s = (uint32_t)(ms / 1000);
        mt->recv_ms = (uint16_t)(ms % 1000);
        mt->k1 = (unsigned char)rank_of(sp->sort, col_text(s, 3), col_text(s, 4));
        sp->n++;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    ui_filter_thread_done();
    return NULL;
}

/* The millisecond time in a UUIDv7 text id, or -1. */
static int64_t id_ms(const char *id)
{
    if (!id || strlen(id) < 13)
        return -1;
    int64_t v = 0;
    for (int i = 0; i < 13; i++) {
        if (id[i] == '-')
            continue;
        char c = id[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void id_at_ms(int64_t ms, char out[ID_LEN + 1])
{
    snprintf(out, ID_LEN + 1, "%08llx-%04llx-0000-0000-000000000000",
             (unsigned long long)((ms >> 16) & 0xffffffffULL), (unsigned long long)(ms & 0xffff));
}

static void resort(struct inc_model *m);
static void reset_window(struct inc_model *m);

/* A filter run: everything the scan needs, copied, so it can run on a
 * worker thread while the console keeps drawing (the list shows the previous
 * rows until the result arrives; a newer filter makes an older result stale). */
struct filter_job {
    struct inc_model *m;
    unsigned gen;
    char *path;
    pcre2_code *re; /* own copy, JIT-compiled */
    enum inc_sort sort;
    int desc;
    int64_t lo, hi; /* id time range */
    struct inc_match *matches;
    long n;
    int failed;
};

static void filter_work(void *arg)
{
    struct filter_job *j = arg;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    const char *threads = getenv("UNYO_SCAN_THREADS"); /* for benchmarks */
    if (threads && atoi(threads) > 0)
        ncpu = atoi(threads);
    int nparts = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;
    if (j->lo < 0 || j->hi <= j->lo)
        nparts = 1;
    struct scan_part parts[4];
    pthread_t tids[4];
    memset(parts, 0, sizeof parts);
    for (int i = 0; i < nparts; i++) {
        parts[i].path = j->path;
        parts[i].re = j->re;
        parts[i].sort = j->sort;
        if (i > 0)
            id_at_ms(j->lo + (j->hi - j->lo) / nparts * i, parts[i].lo);
        if (i < nparts - 1)
            id_at_ms(j->lo + (j->hi - j->lo) / nparts * (i + 1), parts[i].hi);
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
        j->n += parts[i].n, j->failed |= parts[i].failed;
    j->matches = xrealloc(parts[0].matches, (size_t)(j->n ? j->n : 1) * sizeof *j->matches);
    long at = parts[0].n;
    for (int i = 1; i < nparts; i++) {
        if (parts[i].n)
            memcpy(j->matches + at, parts[i].matches, (size_t)parts[i].n * sizeof *j->matches);
        at += parts[i].n;
        free(parts[i].matches);
    }
    qsort_r(j->matches, (size_t)j->n, sizeof *j->matches, cmp_match_desc, &j->desc);
    ui_filter_thread_done();
}

static void filter_done(void *arg)
{
    struct filter_job *j = arg;
    struct inc_model *m = j->m;
    if (j->gen == m->filter_gen) {
        m->filtering = 0;
        free(m->matches);
        m->matches = j->matches;
        m->nmatches = j->n;
        j->matches = NULL;
        m->filtered = 1;
        if (j->failed)
            ui_error("%s", _("the filter could not read the whole ledger; the list may be "
                             "incomplete"));
        if (j->sort != m->sort || j->desc != m->desc)
            resort(m); /* the sort changed while the filter ran */
        reset_window(m);
        table_reset(&m->table);
        table_goto(&m->table, 0);
        ui_dirty(UI_DIRTY_PANE);
    }
    free(j->matches);
    pcre2_code_free(j->re);
    free(j->path);
    free(j);
}

static void inc_start_filter(struct inc_model *m, const pcre2_code *re)
{
    struct filter_job *j = xcalloc(1, sizeof *j);
    j->m = m;
    j->gen = ++m->filter_gen;
    j->path = xstrdup(m->st->path);
    j->re = pcre2_code_copy(re);
    pcre2_jit_compile(j->re, PCRE2_JIT_COMPLETE);
    j->sort = m->sort;
    j->desc = m->desc;
    j->lo = j->hi = -1;
    sqlite3_stmt *s = store_stmt(m->st, "SELECT min(id), max(id) FROM incidents");
    if (sqlite3_step(s) == SQLITE_ROW) {
        j->lo = id_ms(col_text(s, 0));
        j->hi = id_ms(col_text(s, 1));
    }
    sqlite3_reset(s);
    m->filtering = 1;
    if (ui_bg_run(filter_work, filter_done, j) != 0) {
        filter_work(j);
        filter_done(j);
    }
}

/* ---- pane ---- */
static struct table_col cols[6];

static void setup_cols(void)
{
    cols[0] = (struct table_col){_("Ref"), 8, 22, 0, 0};
    cols[1] = (struct table_col){_("Received (JST)"), 16, 16, 0, 0};
    cols[2] = (struct table_col){_("Library"), 6, 16, 0, 0};
    cols[3] = (struct table_col){_("Pri"), 3, 4, 0, 0};
    cols[4] = (struct table_col){_("Status"), 6, 14, 0, 0};
    cols[5] = (struct table_col){_("Title"), 10, 0, 1, 0};
}

static void reset_window(struct inc_model *m)
{
    m->win_n = 0;
    free(m->anchors);
    m->anchors = NULL;
    m->nanchors = 0;
}

static int inc_open(struct pane *p, char **err)
{
    (void)err;
    struct inc_model *m = xcalloc(1, sizeof *m);
    m->st = ui_store();
    m->desc = 1;
    m->sort = SORT_RECEIVED;
    load_libraries(m);
    setup_cols();
    table_init(&m->table, cols, 6, (struct table_source){inc_count, inc_fetch, m});
    m->table.sort_col = sort_col_of[m->sort];
    m->table.sort_desc = m->desc;
    p->data = m;
    return 0;
}

static void inc_load(struct pane *p)
{
    struct inc_model *m = p->data;
    m->counted = 0;
    reset_window(m);
    table_reset(&m->table);
}

static void inc_draw(struct pane *p, const struct ui_canvas *c)
{
    struct inc_model *m = p->data;
    struct ui_canvas t = ui_canvas_sub(c, 0, 0, c->h - 1, c->w);
    table_draw(&m->table, &t);
    char *foot;
    if (m->filtering)
        foot = xasprintf(_("filtering /%s/ …"), m->pattern ? m->pattern : "");
    else if (m->filtered)
        foot = xasprintf(_("%ld of %ld matches for /%s/ — sorted by %s"),
                         m->table.nrows ? m->table.sel + 1 : 0, m->nmatches, m->pattern,
                         _(sort_labels[m->sort]));
    else if (!m->counted)
        foot = xasprintf(_("%ld of %ld+ incidents (counting…) — sorted by %s"),
                         m->table.nrows ? m->table.sel + 1 : 0, m->table.nrows,
                         _(sort_labels[m->sort]));
    else
        foot = xasprintf(_("%ld of %ld incidents — sorted by %s"),
                         m->table.nrows ? m->table.sel + 1 : 0, m->table.nrows,
                         _(sort_labels[m->sort]));
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
    free(foot);
}

static void resort(struct inc_model *m)
{
    m->table.sort_col = sort_col_of[m->sort];
    m->table.sort_desc = m->desc;
    if (m->filtered) {
        /* ranks depend on the sort: recompute from the store is not needed for
         * received; for the others re-run the scan cheaply via ids */
        for (long i = 0; i < m->nmatches && m->sort != SORT_RECEIVED; i++) {
            char id[ID_LEN + 1];
            hex16(m->matches[i].id, id);
            sqlite3_stmt *s = store_stmt(m->st, sql_by_id);
            bind_text(s, 1, id);
            if (sqlite3_step(s) == SQLITE_ROW)
                m->matches[i].k1 = (unsigned char)rank_of(m->sort, col_text(s, 3), col_text(s, 4));
            sqlite3_reset(s);
        }
        if (m->sort == SORT_RECEIVED)
            for (long i = 0; i < m->nmatches; i++)
                m->matches[i].k1 = 0;
        sort_matches(m);
    }
    reset_window(m);
    table_reset(&m->table);
    table_goto(&m->table, 0);
}

static int inc_sort(struct pane *p, const char *column, char **err)
{
    struct inc_model *m = p->data;
    for (int i = 0; i < SORT_COUNT; i++)
        if (strcasecmp(column, sort_names[i]) == 0) {
            if (m->sort == (enum inc_sort)i)
                m->desc = !m->desc;
            m->sort = (enum inc_sort)i;
            resort(m);
            if (i == SORT_PRIORITY && !m->filtered)
                ui_message("%s", _("sorting by priority reads the whole ledger for each page "
                                   "(no index on priority)"));
            return 0;
        }
    set_err(err, _("cannot sort by \"%s\" (received, priority, status)"), column);
    return -1;
}

static int inc_action(struct pane *p, const char *a)
{
    struct inc_model *m = p->data;
    if (strcmp(a, "next-match") == 0 || strcmp(a, "prev-match") == 0) {
        if (!m->filtered)
            return 0;
        long n = m->table.nrows;
        if (n > 0)
            table_goto(&m->table, (m->table.sel + (a[0] == 'n' ? 1 : n - 1)) % n);
        return 1;
    }
    if (strncmp(a, "goto ", 5) == 0) {
        long row = atol(a + 5);
        if (row < 1)
            return 0;
        table_goto(&m->table, row - 1);
        m->table.top = m->table.sel;
        return 1;
    }
    if (strcmp(a, "sort") == 0) {
        m->sort = (m->sort + 1) % SORT_COUNT;
        resort(m);
        return 1;
    }
    if (strcmp(a, "sort-reverse") == 0) {
        m->desc = !m->desc;
        resort(m);
        return 1;
    }
    if (strcmp(a, "open") == 0) {
        const struct table_row *r = table_selected(&m->table);
        if (r)
            ui_message(_("%s %s (the detail view is not built yet)"), r->cell[0], r->cell[5]);
        return 1;
    }
    return table_action(&m->table, a);
}

static void inc_mouse(struct pane *p, int y, int x, int button)
{
    struct inc_model *m = p->data;
    if (button == 4)
        table_move(&m->table, -3);
    else if (button == 5)
        table_move(&m->table, 3);
    else {
        int col;
        if (table_click(&m->table, y, x, &col) == 2) {
            for (int i = 0; i < SORT_COUNT; i++)
                if (sort_col_of[i] == col) {
                    char *err = NULL;
                    inc_sort(p, sort_names[i], &err);
                    free(err);
                }
        }
    }
}

static int inc_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                      char **err)
{
    (void)err;
    struct inc_model *m = p->data;
    free(m->pattern);
    m->pattern = NULL;
    if (!re) {
        m->filter_gen++; /* a running scan's result is stale now */
        m->filtering = 0;
        m->filtered = 0;
        free(m->matches);
        m->matches = NULL;
        m->nmatches = 0;
        reset_window(m);
        table_reset(&m->table);
        table_goto(&m->table, 0);
        return 0;
    }
    m->pattern = xstrdup(pattern);
    inc_start_filter(m, re);
    return 0;
}

static void inc_free(struct pane *p)
{
    struct inc_model *m = p->data;
    table_free(&m->table);
    free(m->anchors);
    free(m->matches);
    free(m->pattern);
    for (size_t i = 0; i < m->nlibs; i++)
        free(m->libs[i].name);
    free(m->libs);
    free(m);
}

static const struct ui_binding inc_bindings[] = {{NULL, NULL, NULL}};

const struct pane_ops incidents_pane = {
    .name = "incidents",
    .title = N_("Incidents"),
    .bindings = inc_bindings,
    .open = inc_open,
    .load = inc_load,
    .draw = inc_draw,
    .action = inc_action,
    .mouse = inc_mouse,
    .filter = inc_filter,
    .sort = inc_sort,
    .free = inc_free,
};
