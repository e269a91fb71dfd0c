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
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "i18n.h"
#include "incidents.h"
#include "inquiries.h"
#include "problems.h"
#include "screens.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "textwidth.h"
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
    int filtering;          /* a scan runs in the background */
    struct filter_job *job; /* that scan, to cancel it */
    long ncut;              /* titles the last scan could not check */
    unsigned filter_gen;    /* the latest filter; older results are dropped */
    struct inc_match *matches;
    long nmatches;
    char *pattern;
    struct inc_lib *libs;
    size_t nlibs;
    struct table table;
    /* statistics for the benchmark */
    long rows_scanned;
    struct sla *sla; /* NULL when sla.ini is broken: no SLA column then */
    int64_t now;     /* SLA states are computed at this instant (set on load) */
    struct views *v; /* detail, field filters, search, inbox, inquiries, problems */
};

/* ---- SQL: one statement per (sort, direction); "LT" walks down the order. ---- */
#define SEL                                                                                        \
    "SELECT ref, received_at, library_id, priority, status, title, id, acknowledged_at, "          \
    "first_response_at, recovered_at, sla_paused_since, sla_paused_seconds"
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
static const char sql_by_n[] = SEL " FROM incidents WHERE id = (SELECT incident_id FROM "
                                   "local_incident_titles WHERE n = ?1)";

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
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        m->libs = xrealloc(m->libs, (m->nlibs + 1) * sizeof *m->libs);
        snprintf(m->libs[m->nlibs].id, ID_LEN + 1, "%s", col_text(s, 0));
        m->libs[m->nlibs].name = xstrdup(col_text(s, 1) ? col_text(s, 1) : "");
        m->nlibs++;
    }
    sqlite3_reset(s);
    if (step < 0)
        ui_error_take(read_err); /* names not read show as ids */
}

static int sla_style(enum sla_state s)
{
    switch (s) {
    case SLA_OK:
    case SLA_MET:
        return STYLE_STATUS_OK;
    case SLA_WARNING:
        return STYLE_STATUS_TODO;
    case SLA_BREACHED:
    case SLA_MISSED:
        return STYLE_STATUS_NG;
    default:
        return STYLE_DIM;
    }
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
    r->cell[6] = xstrdup("");
    const char *st = col_text(s, 4);
    if (m->sla && st && strcmp(st, "draft") != 0 && strcmp(st, "closed") != 0) {
        struct incident inc;
        memset(&inc, 0, sizeof inc);
        snprintf(inc.id, sizeof inc.id, "%s", col_text(s, 6) ? col_text(s, 6) : "");
        snprintf(inc.priority, sizeof inc.priority, "%s", col_text(s, 3) ? col_text(s, 3) : "");
        inc.status = (char *)st;
        inc.received = ledger_ms(col_text(s, 1));
        inc.acknowledged = ledger_ms(col_text(s, 7));
        inc.first_response = ledger_ms(col_text(s, 8));
        inc.recovered = ledger_ms(col_text(s, 9));
        inc.paused_since = ledger_ms(col_text(s, 10));
        inc.paused_seconds = sqlite3_column_int64(s, 11);
        char *err = NULL;
        if (incident_sla(m->st, m->sla, &inc, m->now, &err) == 0) {
            enum sla_state ss = sla_state_simple(inc.sla.overall);
            free(r->cell[6]);
            r->cell[6] = xstrdup(inc.sla.paused ? _("paused") : sla_state_name(ss));
            r->cell_style[6] = sla_style(ss);
        }
        free(err);
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
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1)
        each(m, n++, s, ctx);
    sqlite3_reset(s);
    if (step < 0)
        ui_error_take(read_err); /* the list is short: say so */
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
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1)
        collect_anchor(m, i++, s, NULL);
    sqlite3_reset(s);
    if (step < 0)
        ui_error_take(read_err); /* the list is short: say so */
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
static long simple_count(struct inc_model *m);
static long simple_fetch(struct inc_model *m, long from, long n, struct table_row *rows);

static long inc_count(void *data)
{
    struct inc_model *m = data;
    if (m->v && simple_count(m) >= 0)
        return simple_count(m);
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
            char *read_err = NULL;
            int got = store_one_row(s, &read_err);
            m->nrows = got == 1 ? (long)sqlite3_column_int64(s, 0) : 0;
            sqlite3_reset(s);
            if (got < 0)
                ui_error_take(read_err); /* an empty list must not look like no incidents */
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
    char *read_err = NULL;
    int got = store_one_row(s, &read_err);
    m->nrows = got == 1 ? (long)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (got < 0)
        ui_error_take(read_err); /* an empty list must not look like no incidents */
    m->counted = 1;
    return m->nrows;
}

static long fetch_filtered(struct inc_model *m, long from, long n, struct table_row *rows)
{
    long got = 0;
    for (long i = 0; i < n && from + i < m->nmatches; i++) {
        sqlite3_stmt *s = store_stmt(m->st, sql_by_n);
        sqlite3_bind_int64(s, 1, m->matches[from + i].n);
        char *read_err = NULL;
        int one = store_one_row(s, &read_err);
        if (one == 1)
            row_from_stmt(m, s, &rows[i]);
        else
            memset(&rows[i], 0, sizeof rows[i]);
        sqlite3_reset(s);
        if (one < 0)
            ui_error_take(read_err); /* a blank row: say why */
        got++;
    }
    return got;
}

static long inc_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct inc_model *m = data;
    if (m->v && simple_count(m) >= 0)
        return simple_fetch(m, from, n, rows);
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
/* The rank packed in local_incident_titles.k (data/schema/009_incident_list.sql):
 * received_ms << 8 | priority 1..4 << 4 | status rank in text order (like the
 * status index the unfiltered list walks). */
static int rank_of_key(enum inc_sort sort, int64_t k)
{
    return sort == SORT_PRIORITY ? (int)((k >> 4) & 15) : sort == SORT_STATUS ? (int)(k & 15) : 0;
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

static void sort_matches(struct inc_model *m)
{
    qsort_r(m->matches, (size_t)m->nmatches, sizeof *m->matches, cmp_match_desc, &m->desc);
}

/* The scan runs on one read-only connection per core, each over a slice of
 * the integer key of local_incident_titles (data/schema/009_incident_list.sql:
 * titles and sort keys only, so the scan reads a fifth of the ledger). */
struct scan_part {
    const char *path;
    const pcre2_code *re;
    enum inc_sort sort;
    int64_t lo, hi;           /* [lo, hi) */
    const atomic_int *cancel; /* the job's: a newer filter, a cleared one */
    struct inc_match *matches;
    long n, cap;
    long cut; /* titles whose match hit the work limit */
    int failed;
};

static const char sql_scan_part[] =
    "SELECT title, k, n FROM local_incident_titles WHERE n >= ?1 AND n < ?2";

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
    /* A reader in WAL mode can meet a brief lock (another process's
     * checkpoint, the WAL being recovered): wait rather than fail the scan. */
    sqlite3_busy_timeout(db, 5000);
    sqlite3_exec(db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql_scan_part, -1, &s, NULL) != SQLITE_OK) {
        sp->failed = 1;
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_bind_int64(s, 1, sp->lo);
    sqlite3_bind_int64(s, 2, sp->hi);
    /* Each match is bounded (ui_filter.h), so checking for a cancel on
     * every row stops a stale scan, or one the console quits under, within a
     * few milliseconds. */
    int step = 0;
    while (!atomic_load_explicit(sp->cancel, memory_order_relaxed) && !ui_bg_quitting() &&
           (step = store_next_row(s, NULL)) == 1) {
        const char *title = (const char *)sqlite3_column_text(s, 0);
        int len = sqlite3_column_bytes(s, 0);
        if (!title)
            continue;
        int hit = ui_filter_try(sp->re, title, (size_t)len);
        if (hit == UI_FILTER_CUT)
            sp->cut++;
        if (hit != UI_FILTER_YES)
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
    ui_filter_thread_done();
    return NULL;
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
    int64_t lo, hi;    /* key range [lo, hi] of local_incident_titles */
    atomic_int cancel; /* set by the loop: the result will not be used */
    struct inc_match *matches;
    long n;
    long cut; /* titles not checked: the pattern was too costly for them */
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
    if (j->hi - j->lo < 4096)
        nparts = 1;
    struct scan_part parts[4];
    pthread_t tids[4];
    memset(parts, 0, sizeof parts);
    for (int i = 0; i < nparts; i++) {
        parts[i].path = j->path;
        parts[i].re = j->re;
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
    j->matches = xrealloc(parts[0].matches, (size_t)(j->n ? j->n : 1) * sizeof *j->matches);
    long at = parts[0].n;
    for (int i = 1; i < nparts; i++) {
        if (parts[i].n)
            memcpy(j->matches + at, parts[i].matches, (size_t)parts[i].n * sizeof *j->matches);
        at += parts[i].n;
        free(parts[i].matches);
    }
    if (!atomic_load(&j->cancel) && !ui_bg_quitting())
        qsort_r(j->matches, (size_t)j->n, sizeof *j->matches, cmp_match_desc, &j->desc);
    ui_filter_thread_done();
}

static void filter_done(void *arg)
{
    struct filter_job *j = arg;
    struct inc_model *m = j->m;
    if (m->job == j)
        m->job = NULL;
    if (j->gen == m->filter_gen && !atomic_load(&j->cancel)) {
        m->filtering = 0;
        free(m->matches);
        m->matches = j->matches;
        m->nmatches = j->n;
        m->ncut = j->cut;
        j->matches = NULL;
        m->filtered = 1;
        if (j->failed)
            ui_error("%s", _("the filter could not read the whole ledger; the list may be "
                             "incomplete"));
        else if (j->cut)
            ui_error(_("%ld titles not checked: pattern too complex"), j->cut);
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

/* Stops a scan whose result will not be used (its done still runs). */
static void cancel_scan(struct inc_model *m)
{
    if (m->job)
        atomic_store(&m->job->cancel, 1);
    m->job = NULL;
}

static void inc_start_filter(struct inc_model *m, const pcre2_code *re)
{
    cancel_scan(m);
    struct filter_job *j = xcalloc(1, sizeof *j);
    atomic_init(&j->cancel, 0);
    j->m = m;
    j->gen = ++m->filter_gen;
    j->path = xstrdup(m->st->path);
    j->re = pcre2_code_copy(re);
    pcre2_jit_compile(j->re, PCRE2_JIT_COMPLETE);
    j->sort = m->sort;
    j->desc = m->desc;
    j->lo = j->hi = 0;
    /* two subqueries: min() and max() in one SELECT would scan the table */
    sqlite3_stmt *s = store_stmt(m->st, "SELECT (SELECT min(n) FROM local_incident_titles), "
                                        "(SELECT max(n) FROM local_incident_titles)");
    char *read_err = NULL;
    int got = store_one_row(s, &read_err);
    if (got == 1) {
        j->lo = sqlite3_column_int64(s, 0);
        j->hi = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (got < 0) {
        j->failed = 1; /* filter_done says the list may be incomplete */
        free(read_err);
    }
    m->filtering = 1;
    m->job = j;
    if (ui_bg_run(filter_work, filter_done, j) != 0) {
        filter_work(j);
        filter_done(j);
    }
}

/* ---- views: detail, field filters, search, inbox, inquiries, problems ----
 * `v` cycles Incidents → Inquiries → Problems; Enter opens a row's detail,
 * Esc (or Backspace) goes back to its list. The footer names the view. */
enum view { V_LIST, V_DETAIL, V_INQ, V_INQ_DETAIL, V_PRB, V_PRB_DETAIL };

#define SIMPLE_LIMIT 500

struct dline {
    char *text;
    int style;
};

struct views {
    enum view view;
    /* the incident list narrowed by fields, a full-text search or the inbox */
    int simple;
    char *simple_desc;
    char *f_status, *f_priority, *f_library, *f_category, *f_assignee, *f_search;
    int f_sla, f_inbox, f_open;
    struct incident *srows;
    size_t ns;
    int partial;
    /* detail of the incident / inquiry / problem with this ref */
    char ref[24];
    struct dline *lines;
    int nlines, scroll;
    /* inquiries and problems */
    struct table qt, pt;
    struct inquiry *qrows;
    size_t nq;
    struct problem *prows;
    size_t np;
};

static struct table_col cols[7], qcols[5], pcols[5];

static void setup_cols(void)
{
    cols[0] = (struct table_col){_("Ref"), 8, 22, 0, 0};
    cols[1] = (struct table_col){_("Received (JST)"), 16, 16, 0, 0};
    cols[2] = (struct table_col){_("Library"), 6, 16, 0, 0};
    cols[3] = (struct table_col){_("Pri"), 3, 4, 0, 0};
    cols[4] = (struct table_col){_("Status"), 6, 14, 0, 0};
    cols[5] = (struct table_col){_("Title"), 10, 0, 1, 0};
    cols[6] = (struct table_col){_("SLA"), 4, 10, 0, 0};
    qcols[0] = (struct table_col){_("Ref"), 8, 22, 0, 0};
    qcols[1] = (struct table_col){_("Received (JST)"), 16, 16, 0, 0};
    qcols[2] = (struct table_col){_("Library"), 6, 16, 0, 0};
    qcols[3] = (struct table_col){_("Status"), 6, 14, 0, 0};
    qcols[4] = (struct table_col){_("Title"), 10, 0, 1, 0};
    pcols[0] = (struct table_col){_("Ref"), 8, 22, 0, 0};
    pcols[1] = (struct table_col){_("Status"), 6, 16, 0, 0};
    pcols[2] = (struct table_col){_("Incidents"), 3, 9, 0, 1};
    pcols[3] = (struct table_col){_("Owner"), 4, 12, 0, 0};
    pcols[4] = (struct table_col){_("Title"), 10, 0, 1, 0};
}

static char *jst_of(int64_t ms)
{
    char b[32] = "";
    if (ms > 0)
        time_format_jst(ms, b, 0);
    return xstrdup(b);
}

static char *dup0(const char *s)
{
    return xstrdup(s ? s : "");
}

/* "2h05m", "-0h20m" */
static void fmt_left(int64_t s, char *out, size_t n)
{
    int neg = s < 0;
    if (neg)
        s = -s;
    snprintf(out, n, "%s%lldh%02lldm", neg ? "-" : "", (long long)(s / 3600),
             (long long)(s % 3600 / 60));
}

/* ---- the simple (array) incident list ---- */
static void simple_clear(struct views *v)
{
    incident_list_free(v->srows, v->ns);
    v->srows = NULL;
    v->ns = 0;
}

static void simple_reset_args(struct views *v)
{
    free(v->f_status), free(v->f_priority), free(v->f_library), free(v->f_category);
    free(v->f_assignee), free(v->f_search), free(v->simple_desc);
    v->f_status = v->f_priority = v->f_library = v->f_category = v->f_assignee = NULL;
    v->f_search = v->simple_desc = NULL;
    v->f_sla = v->f_inbox = v->f_open = 0;
}

static int cmp_inc_recv(const void *a, const void *b)
{
    const struct incident *x = a, *y = b;
    return (x->received < y->received) - (x->received > y->received);
}

static int simple_load(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    simple_clear(v);
    static const char *const open_states[] = {
        "received", "isolated", "escalated", "first_response", "reopened", "second_response", NULL};
    const char *const one[] = {v->f_status, NULL};
    const char *const *states = v->f_open ? open_states : one;
    for (int i = 0; states[i] || (i == 0 && !v->f_status); i++) {
        struct incident_filter f = {0};
        f.status = states[i];
        f.priority = v->f_priority;
        f.library = v->f_library;
        f.category = v->f_category;
        f.assignee = v->f_assignee;
        f.search = v->f_search;
        f.sla = v->f_sla;
        f.inbox = v->f_inbox;
        f.limit = SIMPLE_LIMIT;
        struct incident *rows = NULL;
        size_t n = 0;
        int partial = 0;
        if (incident_list(m->st, m->sla, &f, m->now, &rows, &n, &partial, err) != 0) {
            simple_clear(v);
            return -1;
        }
        v->partial |= partial;
        v->srows = xrealloc(v->srows, (v->ns + n + 1) * sizeof *v->srows);
        memcpy(v->srows + v->ns, rows, n * sizeof *rows);
        v->ns += n;
        free(rows); /* the strings moved into srows */
        if (!states[i])
            break;
    }
    if (v->f_open && !v->f_search)
        qsort(v->srows, v->ns, sizeof *v->srows, cmp_inc_recv);
    return 0;
}

static void simple_row(struct inc_model *m, const struct incident *inc, struct table_row *r)
{
    (void)m;
    memset(r, 0, sizeof *r);
    r->cell[0] = xstrdup(inc->ref);
    r->cell[1] = jst_of(inc->received);
    r->cell[2] = dup0(inc->library_name);
    r->cell[3] = xstrdup(inc->priority);
    r->cell[4] = xstrdup(status_label(inc->status));
    r->cell[5] = dup0(inc->title);
    r->cell_style[3] = priority_style(inc->priority);
    if (inc->status && strcmp(inc->status, "draft") != 0 && strcmp(inc->status, "closed") != 0) {
        enum sla_state ss = sla_state_simple(inc->sla.overall);
        r->cell[6] = xstrdup(inc->sla.paused ? _("paused") : sla_state_name(ss));
        r->cell_style[6] = sla_style(ss);
    } else
        r->cell[6] = xstrdup("");
}

static long simple_count(struct inc_model *m)
{
    return m->v->simple ? (long)m->v->ns : -1;
}

static long simple_fetch(struct inc_model *m, long from, long n, struct table_row *rows)
{
    long got = 0;
    for (long i = 0; i < n && from + i < (long)m->v->ns; i++, got++)
        simple_row(m, &m->v->srows[from + i], &rows[i]);
    return got;
}

/* `:filter status=open priority=P1 …` (or the F form): fields instead of a
 * pattern. Returns 1 when text is such a filter, 0 when it is a pattern. */
static int parse_field_filter(struct inc_model *m, const char *text, char **err)
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
    struct views *v = m->v;
    simple_reset_args(v);
    copy = xstrdup(text);
    save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(w, '=');
        *eq = 0;
        const char *val = eq + 1;
        if (strcmp(w, "status") == 0) {
            if (strcmp(val, "open") == 0)
                v->f_open = 1;
            else
                v->f_status = xstrdup(val);
        } else if (strcmp(w, "priority") == 0)
            v->f_priority = xstrdup(val);
        else if (strcmp(w, "library") == 0)
            v->f_library = xstrdup(val);
        else if (strcmp(w, "category") == 0)
            v->f_category = xstrdup(val);
        else if (strcmp(w, "assignee") == 0)
            v->f_assignee = xstrdup(val);
        else if (strcmp(w, "sla") == 0) {
            v->f_sla = strcmp(val, "ok") == 0         ? SLA_OK
                       : strcmp(val, "warning") == 0  ? SLA_WARNING
                       : strcmp(val, "breached") == 0 ? SLA_BREACHED
                                                      : -1;
            if (v->f_sla < 0) {
                set_err(err, _("sla=%s: expected ok, warning or breached"), val);
                free(copy);
                simple_reset_args(v);
                return -1;
            }
        }
    }
    free(copy);
    v->simple_desc = xstrdup(text);
    return 1;
}

static void show_simple(struct inc_model *m)
{
    char *err = NULL;
    m->now = time_now_ms();
    if (simple_load(m, &err) != 0) {
        ui_error_take(err);
        simple_reset_args(m->v);
        m->v->simple = 0;
    } else
        m->v->simple = 1;
    table_reset(&m->table);
    table_goto(&m->table, 0);
    ui_dirty(UI_DIRTY_PANE);
}

static void leave_simple(struct inc_model *m)
{
    simple_clear(m->v);
    simple_reset_args(m->v);
    m->v->simple = 0;
}

/* ---- inquiries and problems lists ---- */
static long q_count(void *data)
{
    struct inc_model *m = data;
    return (long)m->v->nq;
}

static long q_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct inc_model *m = data;
    long got = 0;
    for (long i = 0; i < n && from + i < (long)m->v->nq; i++, got++) {
        const struct inquiry *q = &m->v->qrows[from + i];
        struct table_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->cell[0] = xstrdup(q->ref);
        r->cell[1] = jst_of(q->received);
        r->cell[2] = dup0(q->library_name);
        r->cell[3] = xstrdup(inquiry_status_name(q->status));
        r->cell[4] = dup0(q->title);
        if (q->status && (strcmp(q->status, "drafted") == 0 || strcmp(q->status, "in_review") == 0))
            r->cell_style[3] = STYLE_STATUS_TODO;
    }
    return got;
}

static long p_count(void *data)
{
    struct inc_model *m = data;
    return (long)m->v->np;
}

static long p_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct inc_model *m = data;
    long got = 0;
    for (long i = 0; i < n && from + i < (long)m->v->np; i++, got++) {
        const struct problem *pb = &m->v->prows[from + i];
        struct table_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->cell[0] = xstrdup(pb->ref);
        r->cell[1] = xstrdup(problem_status_name(pb->status));
        r->cell[2] = xasprintf("%d", pb->incidents);
        r->cell[3] = dup0(pb->owner_login);
        r->cell[4] = dup0(pb->title);
    }
    return got;
}

static void load_inquiries(struct inc_model *m)
{
    struct views *v = m->v;
    inquiry_list_free(v->qrows, v->nq);
    v->qrows = NULL;
    v->nq = 0;
    struct inquiry_filter f = {.limit = SIMPLE_LIMIT};
    int partial = 0;
    char *err = NULL;
    if (inquiry_list(m->st, &f, &v->qrows, &v->nq, &partial, &err) != 0)
        ui_error_take(err);
    table_reset(&v->qt);
}

static void load_problems(struct inc_model *m)
{
    struct views *v = m->v;
    problem_list_free(v->prows, v->np);
    v->prows = NULL;
    v->np = 0;
    char *err = NULL;
    if (problem_list(m->st, NULL, SIMPLE_LIMIT, &v->prows, &v->np, &err) != 0)
        ui_error_take(err);
    table_reset(&v->pt);
}

/* ---- detail text ---- */
static void dl_clear(struct views *v)
{
    for (int i = 0; i < v->nlines; i++)
        free(v->lines[i].text);
    free(v->lines);
    v->lines = NULL;
    v->nlines = 0;
}

static void dl_add(struct views *v, int style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void dl_add(struct views *v, int style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = NULL;
    if (vasprintf(&t, fmt, ap) < 0)
        abort();
    va_end(ap);
    v->lines = xrealloc(v->lines, (size_t)(v->nlines + 1) * sizeof *v->lines);
    v->lines[v->nlines].text = t;
    v->lines[v->nlines].style = style;
    v->nlines++;
}

/* Multi-line text, indented. */
static void dl_text(struct views *v, const char *label, const char *text)
{
    if (!text || !*text)
        return;
    dl_add(v, STYLE_FORM_LABEL, "%s", label);
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        dl_add(v, STYLE_NORMAL, "  %.*s", (int)n, p);
        p += n;
        if (*p)
            p++;
    }
}

/* The keys of a detail view, below a blank line. */
static void dl_keys(struct views *v, const char *keys)
{
    dl_add(v, STYLE_NORMAL, "%s", "");
    dl_add(v, STYLE_DIM, "%s", keys);
}

/* A section that cannot be read is left out: its error is not shown. */
static void drop_err(char **err)
{
    free(*err);
    *err = NULL;
}

/* s padded with spaces to w display cells (CJK is two): for columns in the
 * detail text. Returns one of four rotating buffers (the loop's thread only). */
static const char *padw(const char *s, int w)
{
    static char buf[4][128];
    static int k;
    char *b = buf[k = (k + 1) % 4];
    snprintf(b, sizeof buf[0], "%s", s ? s : "");
    size_t len = strlen(b);
    for (int cw = text_width(b); cw < w && len + 1 < sizeof buf[0]; cw++)
        b[len++] = ' ', b[len] = 0;
    return b;
}

static const char *nz(const char *s)
{
    return s && *s ? s : "-";
}

static int build_incident_detail(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    struct incident inc;
    m->now = time_now_ms();
    if (incident_get(m->st, m->sla, v->ref, m->now, &inc, err) != 0)
        return -1;
    dl_clear(v);
    dl_add(v, priority_style(inc.priority), "%s  %s  %s  %s", inc.ref, inc.priority,
           status_label(inc.status), nz(inc.title));
    char *rc = jst_of(inc.received);
    dl_add(v, STYLE_NORMAL, "%s %s   %s %s   %s %s", _("Received:"), rc, _("Library:"),
           nz(inc.library_name), _("Channel:"), incident_channel_name(inc.channel));
    free(rc);
    dl_add(v, STYLE_NORMAL, "%s %s   %s %s   %s %d×%d", _("Reporter:"), nz(inc.reporter),
           _("Category:"), incident_category_name(inc.category), _("Impact×urgency:"), inc.impact,
           inc.urgency);
    dl_add(v, STYLE_NORMAL, "%s %s   %s %s", _("Assignee:"),
           inc.assignee_name ? inc.assignee_name : nz(inc.assignee_login), _("Notified:"),
           nz(inc.notified_to));
    dl_text(v, _("Description:"), inc.description);
    dl_add(v, STYLE_NORMAL, "%s", "");
    dl_add(v, STYLE_HEADER, "%s", _("SLA (service hours)"));
    if (strcmp(inc.status, "draft") == 0)
        dl_add(v, STYLE_DIM, "  %s", _("a draft has no clock yet"));
    else
        for (int st = 0; st < SLA_NSTEPS; st++) {
            const struct sla_step_status *ss = &inc.sla.step[st];
            char due[32] = "-", left[24] = "-";
            if (ss->due != INT64_MAX && ss->due > 0)
                time_format_jst(ss->due * 1000, due, 0);
            if (ss->state == SLA_OK || ss->state == SLA_WARNING || ss->state == SLA_BREACHED)
                fmt_left(ss->left, left, sizeof left);
            dl_add(v, sla_style(ss->state), "  %s %s %-16s  %s %-8s  %s",
                   padw(sla_step_name((enum sla_step)st), 16), _("due"), due, _("left"), left,
                   sla_state_name(ss->state));
        }
    if (inc.sla.paused)
        dl_add(v, STYLE_STATUS_TODO, "  %s", _("the clock is paused"));
    dl_add(v, STYLE_NORMAL, "%s", "");
    dl_add(v, STYLE_HEADER, "%s", _("Timeline"));
    struct ledger_event *ev = NULL;
    size_t nev = 0;
    if (incident_events(m->st, inc.id, &ev, &nev, err) == 0) {
        for (size_t i = 0; i < nev; i++) {
            char *at = jst_of(ev[i].at);
            dl_add(v, strcmp(ev[i].kind, "sla_breached") == 0 ? STYLE_STATUS_NG : STYLE_NORMAL,
                   "  %s  %s %s %s", at, padw(incident_status_name(ev[i].kind), 18),
                   padw(ev[i].operator_name ? ev[i].operator_name : nz(ev[i].operator_login), 12),
                   ev[i].note ? ev[i].note : "");
            free(at);
        }
        ledger_events_free(ev, nev);
    } else {
        drop_err(err);
    }
    dl_add(v, STYLE_NORMAL, "%s", "");
    dl_add(v, STYLE_HEADER, "%s", _("Links"));
    struct ledger_link *ln = NULL;
    size_t nl = 0;
    if (incident_links(m->st, inc.id, &ln, &nl, err) == 0) {
        if (nl == 0)
            dl_add(v, STYLE_DIM, "  %s", _("(none)"));
        for (size_t i = 0; i < nl; i++)
            dl_add(v, STYLE_NORMAL, "  %-10s %s  %s", ln[i].kind, nz(ln[i].label),
                   ln[i].note ? ln[i].note : "");
        ledger_links_free(ln, nl);
    } else {
        drop_err(err);
    }
    dl_keys(v,
            _("i isolated  e escalate  f first response  2 second response  r recovered  c closed  "
              "o reopen  p/u pause/resume  N notified  t note  l link problem  Esc back"));
    incident_clear(&inc);
    return 0;
}

static int build_inquiry_detail(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    struct inquiry q;
    if (inquiry_get(m->st, v->ref, &q, err) != 0)
        return -1;
    dl_clear(v);
    dl_add(v, STYLE_HEADER, "%s  %s  %s", q.ref, inquiry_status_name(q.status), nz(q.title));
    char *rc = jst_of(q.received);
    dl_add(v, STYLE_NORMAL, "%s %s   %s %s   %s %s   %s %s", _("Received:"), rc, _("Library:"),
           nz(q.library_name), _("Channel:"), incident_channel_name(q.channel), _("Reporter:"),
           nz(q.reporter));
    free(rc);
    dl_text(v, _("Question:"), q.question);
    if (q.draft_answer) {
        char *l = xasprintf(_("Draft answer (by %s):"), nz(q.draft_by_login));
        dl_text(v, l, q.draft_answer);
        free(l);
    }
    if (q.reviewer_login)
        dl_add(v, STYLE_NORMAL, "%s %s", _("Reviewer:"), q.reviewer_login);
    dl_text(v, _("Answer sent:"), q.answer);
    if (q.incident_ref)
        dl_add(v, STYLE_NORMAL, "%s %s", _("Converted to:"), q.incident_ref);
    dl_add(v, STYLE_NORMAL, "%s", "");
    dl_add(v, STYLE_HEADER, "%s", _("Timeline"));
    struct ledger_event *ev = NULL;
    size_t nev = 0;
    if (inquiry_events(m->st, q.id, &ev, &nev, err) == 0) {
        for (size_t i = 0; i < nev; i++) {
            char *at = jst_of(ev[i].at);
            dl_add(v, STYLE_NORMAL, "  %s  %s %s %s", at, padw(inquiry_status_name(ev[i].kind), 16),
                   padw(nz(ev[i].operator_login), 12), ev[i].note ? ev[i].note : "");
            free(at);
        }
        ledger_events_free(ev, nev);
    } else {
        drop_err(err);
    }
    dl_keys(v, _("i investigating  d draft answer  R ask for review  a approve  b return  w answer "
                 "sent  C convert to incident  c close  t note  Esc back"));
    inquiry_clear(&q);
    return 0;
}

static int build_problem_detail(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    struct problem pb;
    if (problem_get(m->st, v->ref, &pb, err) != 0)
        return -1;
    dl_clear(v);
    dl_add(v, STYLE_HEADER, "%s  %s  %s", pb.ref, problem_status_name(pb.status), nz(pb.title));
    dl_add(v, STYLE_NORMAL, "%s %s   %s %s", _("Owner:"), nz(pb.owner_login), _("Knowledge:"),
           pb.knowledge_id ? _("published") : "-");
    dl_text(v, _("Description:"), pb.description);
    dl_text(v, _("Root cause:"), pb.root_cause);
    dl_text(v, _("Workaround:"), pb.workaround);
    dl_text(v, _("Permanent measure:"), pb.permanent_measure);
    if (pb.prevention_status || pb.prevention_due)
        dl_add(v, STYLE_NORMAL, "%s %s (%s %s)", _("Prevention:"), nz(pb.prevention_status),
               _("due"), nz(pb.prevention_due));
    dl_add(v, STYLE_NORMAL, "%s", "");
    dl_add(v, STYLE_HEADER, "%s", _("Linked incidents"));
    char **lines = NULL;
    size_t n = 0;
    if (problem_incidents(m->st, pb.id, &lines, &n, err) == 0) {
        if (n == 0)
            dl_add(v, STYLE_DIM, "  %s", _("(none)"));
        for (size_t i = 0; i < n; i++) {
            dl_add(v, STYLE_NORMAL, "  %s", lines[i]);
            free(lines[i]);
        }
        free(lines);
    } else {
        drop_err(err);
    }
    dl_keys(v, _("R root cause  w workaround  m permanent measure  P prevention  A next status  "
                 "L link incident  k publish as knowledge  Esc back"));
    problem_clear(&pb);
    return 0;
}

static int build_detail(struct inc_model *m)
{
    char *err = NULL;
    int rc = m->v->view == V_DETAIL       ? build_incident_detail(m, &err)
             : m->v->view == V_INQ_DETAIL ? build_inquiry_detail(m, &err)
                                          : build_problem_detail(m, &err);
    if (rc != 0)
        ui_error_take(err);
    ui_dirty(UI_DIRTY_PANE);
    return rc;
}

static void open_detail(struct inc_model *m, enum view view, const char *ref)
{
    enum view old = m->v->view;
    snprintf(m->v->ref, sizeof m->v->ref, "%s", ref);
    m->v->view = view;
    m->v->scroll = 0;
    if (build_detail(m) != 0)
        m->v->view = old;
}

static void reset_window(struct inc_model *m)
{
    m->win_n = 0;
    free(m->anchors);
    m->anchors = NULL;
    m->nanchors = 0;
}

/* After a change: the list re-reads, the detail rebuilds. */
static void refresh_after_change(struct inc_model *m)
{
    struct views *v = m->v;
    m->now = time_now_ms();
    if (v->view == V_LIST || v->view == V_DETAIL) {
        if (v->simple) {
            char *err = NULL;
            if (simple_load(m, &err) != 0)
                ui_error_take(err);
        }
        m->counted = 0;
        reset_window(m);
        table_reset(&m->table);
    } else if (v->view == V_INQ || v->view == V_INQ_DETAIL)
        load_inquiries(m);
    else
        load_problems(m);
    if (v->view == V_DETAIL || v->view == V_INQ_DETAIL || v->view == V_PRB_DETAIL)
        build_detail(m);
    ui_dirty(UI_DIRTY_PANE | UI_DIRTY_COUNTS);
}

/* ---- workflow actions ---- */
static struct inc_model *cur_model; /* the pane's model, for prompt callbacks */

struct step_ctx {
    char step[24];
    char ref[24];
};

static void done_msg(const char *ref, const char *what)
{
    ui_message(_("%s: %s recorded"), ref, what);
}

static int incident_step_cb(const char *text, void *data, char **err)
{
    struct step_ctx *c = data;
    struct inc_model *m = cur_model;
    struct incident_step_args a = {0};
    if (strcmp(c->step, "notified") == 0)
        a.to = text;
    else if (strcmp(c->step, "escalated") == 0 || strcmp(c->step, "assigned") == 0)
        a.assignee = text;
    else
        a.note = *text ? text : NULL;
    if (incident_step(m->st, m->sla, c->ref, c->step, &a, err) != 0)
        return -1;
    done_msg(c->ref, incident_status_name(c->step));
    refresh_after_change(m);
    return 0;
}

static const char *selected_ref(struct inc_model *m)
{
    struct views *v = m->v;
    if (v->view == V_DETAIL || v->view == V_INQ_DETAIL || v->view == V_PRB_DETAIL)
        return v->ref;
    struct table *t = v->view == V_INQ ? &v->qt : v->view == V_PRB ? &v->pt : &m->table;
    const struct table_row *r = table_selected(t);
    return r && r->cell[0] && r->cell[0][0] ? r->cell[0] : NULL;
}

static void ask_step(struct inc_model *m, const char *step, const char *label, int required)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    struct step_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->step, sizeof c->step, "%s", step);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    char *title = xasprintf("%s: %s", ref, incident_status_name(step));
    ui_prompt(title, label, "", required, incident_step_cb, c, free);
    free(title);
}

/* Engineers for escalation. */
struct pick_ctx {
    char ref[24];
    char **logins;
    int n;
};

static void escalate_picked(int index, void *data)
{
    struct pick_ctx *c = data;
    if (index >= 0 && index < c->n) {
        char *err = NULL;
        struct incident_step_args a = {.assignee = c->logins[index]};
        if (incident_step(cur_model->st, cur_model->sla, c->ref, "escalated", &a, &err) != 0)
            ui_error_take(err);
        else {
            ui_message(_("%s: escalated to %s"), c->ref, c->logins[index]);
            refresh_after_change(cur_model);
        }
    }
    for (int i = 0; i < c->n; i++)
        free(c->logins[i]);
    free(c->logins);
    free(c);
}

static void pick_engineer(struct inc_model *m)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    struct pick_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    sqlite3_stmt *s = store_stmt(m->st, "SELECT login, name FROM operators WHERE role = "
                                        "'engineer' AND active = 1 AND deleted = 0 ORDER BY login");
    char **labels = NULL;
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        c->logins = xrealloc(c->logins, (size_t)(c->n + 1) * sizeof *c->logins);
        labels = xrealloc(labels, (size_t)(c->n + 1) * sizeof *labels);
        c->logins[c->n] = xstrdup(col_text(s, 0));
        labels[c->n] = xasprintf("%s  %s", col_text(s, 0), col_text(s, 1) ? col_text(s, 1) : "");
        c->n++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        for (int i = 0; i < c->n; i++)
            free(c->logins[i]), free(labels[i]);
        free(c->logins);
        free(labels);
        free(c);
        ui_error_take(read_err);
        return;
    }
    if (c->n == 0) {
        ui_error("%s", _("no engineer to escalate to (operators with role engineer)"));
        free(c);
        return;
    }
    char *title = xasprintf(_("%s: escalate to"), ref);
    ui_pick(title, (const char *const *)labels, c->n, escalate_picked, c);
    free(title);
    for (int i = 0; i < c->n; i++)
        free(labels[i]);
    free(labels);
}

/* Link to a problem: pick from the open problems. */
struct prb_pick {
    char ref[24];
    struct problem *p;
    size_t n;
};

static void problem_picked(int index, void *data)
{
    struct prb_pick *c = data;
    if (index >= 0 && (size_t)index < c->n) {
        char *err = NULL;
        if (problem_link_incident(cur_model->st, c->p[index].ref, c->ref, &err) != 0)
            ui_error_take(err);
        else {
            ui_message(_("%s linked to %s"), c->ref, c->p[index].ref);
            refresh_after_change(cur_model);
        }
    }
    problem_list_free(c->p, c->n);
    free(c);
}

static void pick_problem(struct inc_model *m)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    struct prb_pick *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    char *err = NULL;
    if (problem_list(m->st, NULL, 200, &c->p, &c->n, &err) != 0 || c->n == 0) {
        if (err)
            ui_error_take(err);
        else
            ui_error("%s", _("no problem to link to (create one in the Problems view: v, n)"));
        problem_list_free(c->p, c->n);
        free(c);
        return;
    }
    char **labels = xcalloc(c->n, sizeof *labels);
    for (size_t i = 0; i < c->n; i++)
        labels[i] = xasprintf("%s  %s  %s", c->p[i].ref, problem_status_name(c->p[i].status),
                              nz(c->p[i].title));
    char *title = xasprintf(_("%s: link to the problem"), ref);
    ui_pick(title, (const char *const *)labels, (int)c->n, problem_picked, c);
    free(title);
    for (size_t i = 0; i < c->n; i++)
        free(labels[i]);
    free(labels);
}

/* ---- inquiry actions ---- */
struct q_ctx {
    char ref[24];
    char what; /* d draft, a approve, b return, w answer, t note, n new, c close */
};

static int inquiry_cb(const char *text, void *data, char **err)
{
    struct q_ctx *c = data;
    struct store *st = cur_model->st;
    int rc;
    switch (c->what) {
    case 'd':
        rc = inquiry_draft(st, c->ref, text, err);
        break;
    case 'a':
        rc = inquiry_review(st, c->ref, 1, *text ? text : NULL, NULL, err);
        break;
    case 'b':
        rc = inquiry_review(st, c->ref, 0, text, NULL, err);
        break;
    case 'w':
        rc = inquiry_answer(st, c->ref, *text ? text : NULL, err);
        break;
    case 'c':
        rc = inquiry_step(st, c->ref, "closed", *text ? text : NULL, err);
        break;
    default:
        rc = inquiry_step(st, c->ref, "note", text, err);
    }
    if (rc != 0)
        return -1;
    ui_message(_("%s: saved"), c->ref);
    refresh_after_change(cur_model);
    return 0;
}

static void ask_inquiry(struct inc_model *m, char what, const char *title, const char *label,
                        int required)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    const char *initial = "";
    struct inquiry q;
    char *err = NULL;
    int have = 0;
    if (what == 'd' && inquiry_get(m->st, ref, &q, &err) == 0) {
        have = 1;
        initial = q.draft_answer ? q.draft_answer : "";
    }
    free(err);
    struct q_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    c->what = what;
    char *t = xasprintf("%s: %s", ref, title);
    ui_prompt(t, label, initial, required, inquiry_cb, c, free);
    free(t);
    if (have)
        inquiry_clear(&q);
}

static void inquiry_simple_step(struct inc_model *m, const char *step)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    char *err = NULL;
    char r[24];
    snprintf(r, sizeof r, "%s", ref);
    if (inquiry_step(m->st, r, step, NULL, &err) != 0)
        ui_error_take(err);
    else {
        ui_message(_("%s: %s recorded"), r, inquiry_status_name(step));
        refresh_after_change(m);
    }
}

struct conv_ctx {
    char ref[24];
};

static int convert_cb(struct ui_form *f, void *data, char **err)
{
    struct conv_ctx *c = data;
    int impact = ui_form_field(f, 0)->choice + 1, urgency = ui_form_field(f, 1)->choice + 1;
    const char *cat = incident_categories[ui_form_field(f, 2)->choice];
    char iref[24] = "";
    if (inquiry_convert(cur_model->st, cur_model->sla, c->ref, impact, urgency, cat, iref, err) !=
        0)
        return -1;
    ui_message(_("%s converted to incident %s"), c->ref, iref);
    refresh_after_change(cur_model);
    return 0;
}

static const char *const level_labels[] = {"1", "2", "3"};
static const char *cat_labels[16];

static void convert_inquiry(struct inc_model *m)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    struct conv_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    int nc = 0;
    for (; incident_categories[nc] && nc < 15; nc++)
        cat_labels[nc] = incident_category_name(incident_categories[nc]);
    char *t = xasprintf(_("%s: convert to an incident"), ref);
    struct ui_form *f = ui_form_new(t, convert_cb, c);
    free(t);
    ui_form_choice(f, _("Impact (1 high)"), level_labels, 3, 1);
    ui_form_choice(f, _("Urgency (1 high)"), level_labels, 3, 1);
    ui_form_choice(f, _("Category"), cat_labels, nc, nc - 1);
    ui_form_set_data_free(f, free);
    ui_form_show(f);
}

/* New inquiry / new problem forms. */
struct lib_choices {
    char **codes;
    const char **names;
    int n;
};

static void lib_choices_free(void *data)
{
    struct lib_choices *l = data;
    for (int i = 0; i < l->n; i++) {
        free(l->codes[i]);
        free((char *)l->names[i]);
    }
    free(l->codes);
    free(l->names);
    free(l);
}

static const char *chan_labels[16];

static int new_inquiry_cb(struct ui_form *f, void *data, char **err)
{
    struct lib_choices *l = data;
    struct inquiry_new in = {0};
    char *rep = ui_field_value(ui_form_field(f, 2));
    char *title = ui_field_value(ui_form_field(f, 3));
    char *qtext = ui_field_value(ui_form_field(f, 4));
    in.library = l->n ? l->codes[ui_form_field(f, 0)->choice] : NULL;
    in.channel = incident_channels[ui_form_field(f, 1)->choice];
    in.reporter = rep;
    in.title = title;
    in.question = qtext;
    char ref[24] = "";
    int rc = inquiry_create(cur_model->st, &in, NULL, ref, err);
    free(rep), free(title), free(qtext);
    if (rc != 0)
        return -1;
    ui_message(_("%s received"), ref);
    refresh_after_change(cur_model);
    return 0;
}

static void new_inquiry(struct inc_model *m)
{
    struct lib_choices *l = xcalloc(1, sizeof *l);
    int ja = strcmp(i18n_lang(), "ja") == 0;
    sqlite3_stmt *s =
        store_stmt(m->st, ja ? "SELECT code, name_ja FROM libraries WHERE deleted = 0 "
                               "ORDER BY kind <> 'central', kind <> 'branch', code"
                             : "SELECT code, name_en FROM libraries WHERE deleted = 0 "
                               "ORDER BY kind <> 'central', kind <> 'branch', code");
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        l->codes = xrealloc(l->codes, (size_t)(l->n + 1) * sizeof *l->codes);
        l->names = xrealloc(l->names, (size_t)(l->n + 1) * sizeof *l->names);
        l->codes[l->n] = xstrdup(col_text(s, 0));
        l->names[l->n] = xstrdup(col_text(s, 1) ? col_text(s, 1) : col_text(s, 0));
        l->n++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        lib_choices_free(l);
        ui_error_take(read_err);
        return;
    }
    int nch = 0;
    for (; incident_channels[nch] && nch < 15; nch++)
        chan_labels[nch] = incident_channel_name(incident_channels[nch]);
    struct ui_form *f = ui_form_new(_("New inquiry"), new_inquiry_cb, l);
    ui_form_choice(f, _("Library"), l->names, l->n, 0);
    ui_form_choice(f, _("Channel"), chan_labels, nch, 0);
    ui_form_text(f, _("Reporter"), "", 0);
    ui_form_text(f, _("Title"), "", 1);
    ui_form_text(f, _("Question"), "", 0);
    ui_form_set_data_free(f, lib_choices_free);
    ui_form_show(f);
}

static int new_problem_cb(struct ui_form *f, void *data, char **err)
{
    (void)data;
    char *title = ui_field_value(ui_form_field(f, 0));
    char *desc = ui_field_value(ui_form_field(f, 1));
    char ref[24] = "";
    int rc = problem_create(cur_model->st, title, desc, NULL, NULL, ref, err);
    free(title), free(desc);
    if (rc != 0)
        return -1;
    ui_message(_("%s created"), ref);
    refresh_after_change(cur_model);
    return 0;
}

static void new_problem(void)
{
    struct ui_form *f = ui_form_new(_("New problem"), new_problem_cb, NULL);
    ui_form_text(f, _("Title"), "", 1);
    ui_form_text(f, _("Description"), "", 0);
    ui_form_show(f);
}

/* ---- problem actions ---- */
struct p_ctx {
    char ref[24];
    char what; /* R root cause, w workaround, m measure, P prevention, L link, k publish */
};

static int problem_cb(const char *text, void *data, char **err)
{
    struct p_ctx *c = data;
    struct store *st = cur_model->st;
    struct problem_update u = {0};
    int rc;
    switch (c->what) {
    case 'L':
        rc = problem_link_incident(st, c->ref, text, err);
        break;
    case 'k':
        rc = problem_publish(st, c->ref, *text ? text : NULL, NULL, err);
        break;
    default:
        if (c->what == 'R')
            u.root_cause = text;
        else if (c->what == 'w')
            u.workaround = text;
        else if (c->what == 'm')
            u.permanent_measure = text;
        else
            u.prevention_status = text;
        rc = problem_update(st, c->ref, &u, err);
    }
    if (rc != 0)
        return -1;
    ui_message(_("%s: saved"), c->ref);
    refresh_after_change(cur_model);
    return 0;
}

static void ask_problem(struct inc_model *m, char what, const char *label)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    const char *initial = "";
    struct problem pb;
    char *err = NULL;
    int have = problem_get(m->st, ref, &pb, &err) == 0;
    free(err);
    if (have)
        initial = what == 'R'   ? (pb.root_cause ? pb.root_cause : "")
                  : what == 'w' ? (pb.workaround ? pb.workaround : "")
                  : what == 'm' ? (pb.permanent_measure ? pb.permanent_measure : "")
                  : what == 'P' ? (pb.prevention_status ? pb.prevention_status : "")
                                : "";
    struct p_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    c->what = what;
    char *t = xasprintf("%s: %s", ref, label);
    ui_prompt(t, label, initial, what != 'k', problem_cb, c, free);
    free(t);
    if (have)
        problem_clear(&pb);
}

static void problem_next_status(struct inc_model *m)
{
    const char *ref = selected_ref(m);
    if (!ref)
        return;
    char r[24];
    snprintf(r, sizeof r, "%s", ref);
    struct problem pb;
    char *err = NULL;
    if (problem_get(m->st, r, &pb, &err) != 0) {
        ui_error_take(err);
        return;
    }
    const char *next = NULL;
    for (int i = 0; problem_statuses[i]; i++)
        if (strcmp(problem_statuses[i], pb.status) == 0)
            next = problem_statuses[i + 1];
    problem_clear(&pb);
    if (!next) {
        ui_error(_("%s is at its last status"), r);
        return;
    }
    struct problem_update u = {.status = next};
    if (problem_update(m->st, r, &u, &err) != 0)
        ui_error_take(err);
    else {
        ui_message(_("%s: %s"), r, problem_status_name(next));
        refresh_after_change(m);
    }
}

/* ---- intake (screens/incident_form.c) ---- */
void incident_form_open(struct store *st, const struct sla *sla, const char *draft_ref,
                        void (*done)(const char *ref, void *data), void *data);

static void intake_done(const char *ref, void *data)
{
    (void)ref;
    refresh_after_change(data);
}

struct draft_pick {
    char **refs;
    int n;
};

static void draft_picked(int index, void *data)
{
    struct draft_pick *d = data;
    if (index >= 0 && index <= d->n && cur_model)
        incident_form_open(cur_model->st, cur_model->sla, index < d->n ? d->refs[index] : NULL,
                           intake_done, cur_model);
    for (int i = 0; i < d->n; i++)
        free(d->refs[i]);
    free(d->refs);
    free(d);
}

/* Offers the acting operator's drafts first (a crash or a quit left them). */
static void start_intake(struct inc_model *m)
{
    if (!m->sla) {
        ui_error("%s", _("sla.ini could not be read: intake needs the priority table"));
        return;
    }
    char *err = NULL;
    if (store_require_operator(m->st, &err) != 0) {
        ui_error_take(err);
        return;
    }
    struct draft_pick *d = xcalloc(1, sizeof *d);
    char **labels = NULL;
    sqlite3_stmt *s = store_stmt(m->st, "SELECT ref, title, updated_at FROM incidents "
                                        "WHERE status = 'draft' AND deleted = 0 AND created_by = "
                                        "?1 ORDER BY updated_at DESC LIMIT 9");
    bind_text(s, 1, m->st->operator_id);
    int step;
    while ((step = store_next_row(s, &err)) == 1) {
        d->refs = xrealloc(d->refs, (size_t)(d->n + 1) * sizeof *d->refs);
        labels = xrealloc(labels, (size_t)(d->n + 2) * sizeof *labels);
        d->refs[d->n] = xstrdup(col_text(s, 0));
        char *at = jst_of(ledger_ms(col_text(s, 2)));
        labels[d->n] = xasprintf(_("Resume draft %s  %s  (%s)"), col_text(s, 0),
                                 col_text(s, 1) ? col_text(s, 1) : "", at);
        free(at);
        d->n++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        for (int i = 0; i < d->n; i++)
            free(d->refs[i]), free(labels[i]);
        free(d->refs);
        free(labels);
        free(d);
        ui_error_take(err);
        return;
    }
    if (d->n == 0) {
        free(d);
        incident_form_open(m->st, m->sla, NULL, intake_done, m);
        return;
    }
    labels[d->n] = xstrdup(_("New incident"));
    ui_pick(_("Unfinished drafts"), (const char *const *)labels, d->n + 1, draft_picked, d);
    for (int i = 0; i <= d->n; i++)
        free(labels[i]);
    free(labels);
}

/* ---- the F filter form ---- */
static const char *const f_status_keys[] = {
    "",          "open",      "draft",          "received",
    "isolated",  "escalated", "first_response", "second_response",
    "recovered", "closed",    "reopened",       NULL};
static const char *f_status_labels[16];
static const char *const f_prio[] = {"", "P1", "P2", "P3", "P4"};
static const char *const f_sla_keys[] = {"", "ok", "warning", "breached"};
static const char *f_sla_labels[4];
static const char *f_cat_labels[16];

static int filter_form_cb(struct ui_form *f, void *data, char **err)
{
    struct inc_model *m = data;
    struct strbuf sb = STRBUF_INIT;
    int st = ui_form_field(f, 0)->choice, pr = ui_form_field(f, 1)->choice;
    int ca = ui_form_field(f, 2)->choice, sl = ui_form_field(f, 5)->choice;
    char *lib = ui_field_value(ui_form_field(f, 3));
    char *as = ui_field_value(ui_form_field(f, 4));
    if (st > 0)
        sb_printf(&sb, "status=%s ", f_status_keys[st]);
    if (pr > 0)
        sb_printf(&sb, "priority=%s ", f_prio[pr]);
    if (ca > 0)
        sb_printf(&sb, "category=%s ", incident_categories[ca - 1]);
    if (*lib)
        sb_printf(&sb, "library=%s ", lib);
    if (*as)
        sb_printf(&sb, "assignee=%s ", as);
    if (sl > 0)
        sb_printf(&sb, "sla=%s ", f_sla_keys[sl]);
    free(lib), free(as);
    if (!sb.buf) {
        leave_simple(m);
        table_reset(&m->table);
        ui_message("%s", _("filter cleared"));
        return 0;
    }
    sb.buf[sb.len - 1] = 0;
    int rc = parse_field_filter(m, sb.buf, err);
    sb_free(&sb);
    if (rc < 0)
        return -1;
    show_simple(m);
    return 0;
}

static void filter_form(struct inc_model *m)
{
    f_status_labels[0] = _("any");
    f_status_labels[1] = _("open");
    for (int i = 2; f_status_keys[i]; i++)
        f_status_labels[i] = incident_status_name(f_status_keys[i]);
    f_cat_labels[0] = _("any");
    int nc = 0;
    for (; incident_categories[nc] && nc < 14; nc++)
        f_cat_labels[nc + 1] = incident_category_name(incident_categories[nc]);
    f_sla_labels[0] = _("any");
    for (int i = 1; i < 4; i++)
        f_sla_labels[i] = sla_state_name(i);
    struct ui_form *f = ui_form_new(_("Filter incidents"), filter_form_cb, m);
    ui_form_choice(f, _("Status"), f_status_labels, 11, 0);
    ui_form_choice(f, _("Priority"), (const char *const *)f_prio, 5, 0);
    ui_form_choice(f, _("Category"), f_cat_labels, nc + 1, 0);
    ui_form_text(f, _("Library code"), "", 0);
    ui_form_text(f, _("Assignee login"), "", 0);
    ui_form_choice(f, _("SLA"), f_sla_labels, 4, 0);
    ui_form_show(f);
}

static int search_cb(const char *text, void *data, char **err)
{
    struct inc_model *m = data;
    (void)err;
    simple_reset_args(m->v);
    if (!*text) {
        leave_simple(m);
        table_reset(&m->table);
        return 0;
    }
    m->v->f_search = xstrdup(text);
    m->v->simple_desc = xasprintf(_("search \"%s\""), text);
    show_simple(m);
    return 0;
}

static void inbox(struct inc_model *m)
{
    char *err = NULL;
    if (store_require_operator(m->st, &err) != 0) {
        ui_error_take(err);
        return;
    }
    simple_reset_args(m->v);
    m->v->f_inbox = 1;
    m->v->simple_desc = xasprintf(_("inbox of %s"), m->st->operator_login);
    show_simple(m);
}

/* ---- pane ---- */
static int inc_open(struct pane *p, char **err)
{
    (void)err;
    struct inc_model *m = xcalloc(1, sizeof *m);
    m->st = ui_store();
    m->desc = 1;
    m->sort = SORT_RECEIVED;
    m->now = time_now_ms();
    char *serr = NULL;
    m->sla = sla_load(NULL, NULL, &serr);
    if (!m->sla)
        ui_error_take(serr);
    m->v = xcalloc(1, sizeof *m->v);
    load_libraries(m);
    setup_cols();
    table_init(&m->table, cols, 7, (struct table_source){inc_count, inc_fetch, m});
    table_init(&m->v->qt, qcols, 5, (struct table_source){q_count, q_fetch, m});
    table_init(&m->v->pt, pcols, 5, (struct table_source){p_count, p_fetch, m});
    m->table.sort_col = sort_col_of[m->sort];
    m->table.sort_desc = m->desc;
    p->data = m;
    cur_model = m;
    if (!ui_headless && store_require_operator(m->st, &serr) == 0) {
        sqlite3_stmt *s = store_stmt(m->st, "SELECT count(*) FROM incidents WHERE status = "
                                            "'draft' AND deleted = 0 AND created_by = ?1");
        bind_text(s, 1, m->st->operator_id);
        int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
        sqlite3_reset(s);
        if (n > 0)
            ui_message(_("unfinished incident drafts: %d (n offers them)"), n);
    }
    free(serr);
    return 0;
}

static void inc_load(struct pane *p)
{
    struct inc_model *m = p->data;
    m->now = time_now_ms();
    m->counted = 0;
    reset_window(m);
    if (m->v->simple) {
        char *err = NULL;
        if (simple_load(m, &err) != 0)
            ui_error_take(err);
    }
    table_reset(&m->table);
    if (m->v->view == V_INQ || m->v->view == V_INQ_DETAIL)
        load_inquiries(m);
    if (m->v->view == V_PRB || m->v->view == V_PRB_DETAIL)
        load_problems(m);
    if (m->v->view == V_DETAIL || m->v->view == V_INQ_DETAIL || m->v->view == V_PRB_DETAIL)
        build_detail(m);
}

static const char *view_strip(enum view v)
{
    switch (v) {
    case V_LIST:
    case V_DETAIL:
        return _("[Incidents] Inquiries Problems (v)");
    case V_INQ:
    case V_INQ_DETAIL:
        return _("Incidents [Inquiries] Problems (v)");
    default:
        return _("Incidents Inquiries [Problems] (v)");
    }
}

static void draw_detail(struct inc_model *m, const struct ui_canvas *c)
{
    struct views *v = m->v;
    int h = c->h - 1;
    if (v->scroll > v->nlines - h)
        v->scroll = v->nlines - h > 0 ? v->nlines - h : 0;
    for (int y = 0; y < h && v->scroll + y < v->nlines; y++) {
        const struct dline *d = &v->lines[v->scroll + y];
        ui_put(c, y, 1, c->w - 1, d->style, d->text);
    }
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, view_strip(v->view));
}

static void inc_draw(struct pane *p, const struct ui_canvas *c)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    struct ui_canvas t = ui_canvas_sub(c, 0, 0, c->h - 1, c->w);
    if (v->view == V_DETAIL || v->view == V_INQ_DETAIL || v->view == V_PRB_DETAIL) {
        draw_detail(m, c);
        return;
    }
    char *foot;
    if (v->view == V_INQ || v->view == V_PRB) {
        struct table *tb = v->view == V_INQ ? &v->qt : &v->pt;
        table_draw(tb, &t);
        foot = xasprintf(v->view == V_INQ ? _("%s │ %ld of %ld inquiries  n new  Enter detail")
                                          : _("%s │ %ld of %ld problems  n new  Enter detail"),
                         view_strip(v->view), tb->nrows ? tb->sel + 1 : 0, tb->nrows);
        ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
        free(foot);
        return;
    }
    table_draw(&m->table, &t);
    if (v->simple)
        foot = xasprintf(_("%s │ %ld of %ld incidents for %s%s (F or :filter clears)"),
                         view_strip(v->view), m->table.nrows ? m->table.sel + 1 : 0, m->table.nrows,
                         v->simple_desc ? v->simple_desc : "",
                         v->partial ? _(" (recent rows only)") : "");
    else if (m->filtering)
        foot = xasprintf(_("filtering /%s/ …"), m->pattern ? m->pattern : "");
    else if (m->filtered && m->ncut)
        foot = xasprintf(_("%ld of %ld matches for /%s/ (%ld titles not checked: pattern too "
                           "complex) — sorted by %s"),
                         m->table.nrows ? m->table.sel + 1 : 0, m->nmatches, m->pattern, m->ncut,
                         _(sort_labels[m->sort]));
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
    if (!v->simple && !m->filtering) {
        char *f2 = xasprintf("%s │ %s", foot, view_strip(v->view));
        free(foot);
        foot = f2;
    }
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
    free(foot);
}

static void resort(struct inc_model *m)
{
    m->table.sort_col = sort_col_of[m->sort];
    m->table.sort_desc = m->desc;
    if (m->filtered) {
        /* ranks depend on the sort: read them from the side table's packed key */
        for (long i = 0; i < m->nmatches && m->sort != SORT_RECEIVED; i++) {
            sqlite3_stmt *s = store_stmt(m->st, "SELECT k FROM local_incident_titles WHERE n = ?1");
            sqlite3_bind_int64(s, 1, m->matches[i].n);
            if (sqlite3_step(s) == SQLITE_ROW)
                m->matches[i].k1 = (unsigned char)rank_of_key(m->sort, sqlite3_column_int64(s, 0));
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
            if (m->v->simple)
                leave_simple(m);
            resort(m);
            return 0;
        }
    set_err(err, _("cannot sort by \"%s\" (received, priority, status)"), column);
    return -1;
}

static int is_detail(enum view v)
{
    return v == V_DETAIL || v == V_INQ_DETAIL || v == V_PRB_DETAIL;
}

static int detail_action(struct inc_model *m, const char *a)
{
    struct views *v = m->v;
    int h = m->table.height > 0 ? m->table.height : 20;
    if (strcmp(a, "down") == 0)
        v->scroll++;
    else if (strcmp(a, "up") == 0)
        v->scroll = v->scroll > 0 ? v->scroll - 1 : 0;
    else if (strcmp(a, "page-down") == 0 || strcmp(a, "half-down") == 0)
        v->scroll += h / 2;
    else if (strcmp(a, "page-up") == 0 || strcmp(a, "half-up") == 0)
        v->scroll = v->scroll > h / 2 ? v->scroll - h / 2 : 0;
    else if (strcmp(a, "top") == 0)
        v->scroll = 0;
    else if (strcmp(a, "bottom") == 0)
        v->scroll = v->nlines;
    else
        return 0;
    return 1;
}

static int incident_keys(struct inc_model *m, const char *a)
{
    if (strcmp(a, "incidents.isolated") == 0)
        ask_step(m, "isolated", _("Note (what was found; optional)"), 0);
    else if (strcmp(a, "incidents.escalate") == 0)
        pick_engineer(m);
    else if (strcmp(a, "incidents.first") == 0)
        ask_step(m, "first_response", _("Note (what was done; optional)"), 0);
    else if (strcmp(a, "incidents.second") == 0)
        ask_step(m, "second_response", _("Note (what was done; optional)"), 0);
    else if (strcmp(a, "incidents.recovered") == 0)
        ask_step(m, "recovered", _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.closed") == 0)
        ask_step(m, "closed", _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.reopen") == 0)
        ask_step(m, "reopened", _("Why (optional)"), 0);
    else if (strcmp(a, "incidents.pause") == 0)
        ask_step(m, "paused", _("Reason (waiting for whom)"), 1);
    else if (strcmp(a, "incidents.resume") == 0)
        ask_step(m, "resumed", _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.notified") == 0)
        ask_step(m, "notified", _("Told whom (name, department)"), 1);
    else if (strcmp(a, "incidents.note") == 0)
        ask_step(m, "note", _("Note"), 1);
    else if (strcmp(a, "incidents.link") == 0)
        pick_problem(m);
    else
        return 0;
    return 1;
}

static int inquiry_keys(struct inc_model *m, const char *a)
{
    if (strcmp(a, "incidents.isolated") == 0)
        inquiry_simple_step(m, "investigating");
    else if (strcmp(a, "incidents.draft") == 0)
        ask_inquiry(m, 'd', _("draft answer"), _("Answer"), 1);
    else if (strcmp(a, "incidents.review") == 0)
        inquiry_simple_step(m, "in_review");
    else if (strcmp(a, "incidents.approve") == 0)
        ask_inquiry(m, 'a', _("approve"), _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.return") == 0)
        ask_inquiry(m, 'b', _("return with corrections"), _("What to correct"), 1);
    else if (strcmp(a, "incidents.answer") == 0)
        ask_inquiry(m, 'w', _("answer sent"), _("Text sent (empty: the approved draft)"), 0);
    else if (strcmp(a, "incidents.convert") == 0)
        convert_inquiry(m);
    else if (strcmp(a, "incidents.closed") == 0)
        ask_inquiry(m, 'c', _("close"), _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.note") == 0)
        ask_inquiry(m, 't', _("note"), _("Note"), 1);
    else
        return 0;
    return 1;
}

static int problem_keys(struct inc_model *m, const char *a)
{
    if (strcmp(a, "incidents.review") == 0)
        ask_problem(m, 'R', _("Root cause"));
    else if (strcmp(a, "incidents.answer") == 0)
        ask_problem(m, 'w', _("Workaround"));
    else if (strcmp(a, "incidents.measure") == 0)
        ask_problem(m, 'm', _("Permanent measure"));
    else if (strcmp(a, "incidents.prevention") == 0)
        ask_problem(m, 'P', _("Recurrence prevention"));
    else if (strcmp(a, "incidents.link-incident") == 0)
        ask_problem(m, 'L', _("Incident (INC-…)"));
    else if (strcmp(a, "incidents.publish") == 0)
        ask_problem(m, 'k', _("Keywords (optional)"));
    else if (strcmp(a, "incidents.advance") == 0)
        problem_next_status(m);
    else
        return 0;
    return 1;
}

static int inc_action0(struct pane *p, const char *a);

/* A modal opened by an action (form, prompt, picker) is drawn over the pane. */
static int inc_action(struct pane *p, const char *a)
{
    int r = inc_action0(p, a);
    if (ui_modal_top())
        ui_dirty(UI_DIRTY_ALL);
    return r;
}

static int inc_action0(struct pane *p, const char *a)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    cur_model = m;
    if (strcmp(a, "incidents.view") == 0) {
        v->view = v->view == V_LIST || v->view == V_DETAIL      ? V_INQ
                  : v->view == V_INQ || v->view == V_INQ_DETAIL ? V_PRB
                                                                : V_LIST;
        if (v->view == V_INQ)
            load_inquiries(m);
        else if (v->view == V_PRB)
            load_problems(m);
        else
            inc_load(p);
        return 1;
    }
    if (strcmp(a, "incidents.back") == 0) {
        if (!is_detail(v->view) && v->simple && v->view == V_LIST) {
            leave_simple(m);
            table_reset(&m->table);
            ui_message("%s", _("filter cleared"));
            return 1;
        }
        if (!is_detail(v->view))
            return 0;
        v->view = v->view == V_DETAIL ? V_LIST : v->view == V_INQ_DETAIL ? V_INQ : V_PRB;
        refresh_after_change(m);
        return 1;
    }
    if (is_detail(v->view)) {
        if (detail_action(m, a))
            return 1;
        if (strcmp(a, "incidents.new") == 0 || strcmp(a, "open") == 0)
            return 1;
        if (v->view == V_DETAIL)
            return incident_keys(m, a);
        if (v->view == V_INQ_DETAIL)
            return inquiry_keys(m, a);
        return problem_keys(m, a);
    }
    if (v->view == V_INQ || v->view == V_PRB) {
        struct table *tb = v->view == V_INQ ? &v->qt : &v->pt;
        if (strcmp(a, "incidents.new") == 0) {
            if (v->view == V_INQ)
                new_inquiry(m);
            else
                new_problem();
            return 1;
        }
        if (strcmp(a, "open") == 0) {
            const struct table_row *r = table_selected(tb);
            if (r)
                open_detail(m, v->view == V_INQ ? V_INQ_DETAIL : V_PRB_DETAIL, r->cell[0]);
            return 1;
        }
        if (v->view == V_INQ && inquiry_keys(m, a))
            return 1;
        if (v->view == V_PRB && problem_keys(m, a))
            return 1;
        if (strncmp(a, "incidents.", 10) == 0)
            return 1;
        return table_action(tb, a);
    }
    /* the incident list */
    if (strcmp(a, "incidents.new") == 0 && !m->filtered) {
        start_intake(m);
        return 1;
    }
    if (strcmp(a, "incidents.new") == 0)
        a = "next-match";
    if (strcmp(a, "incidents.notified") == 0)
        a = "prev-match";
    if (strcmp(a, "next-match") == 0 || strcmp(a, "prev-match") == 0) {
        if (!m->filtered)
            return 0;
        long n = m->table.nrows;
        if (n > 0)
            table_goto(&m->table, (m->table.sel + (a[0] == 'n' ? 1 : n - 1)) % n);
        return 1;
    }
    if (strcmp(a, "incidents.filter-form") == 0) {
        filter_form(m);
        return 1;
    }
    if (strcmp(a, "incidents.search") == 0) {
        ui_prompt(_("Full-text search"), _("Words (all must match)"), "", 0, search_cb, m, NULL);
        return 1;
    }
    if (strcmp(a, "incidents.inbox") == 0) {
        inbox(m);
        return 1;
    }
    if (strcmp(a, "incidents.back") == 0 && v->simple) {
        leave_simple(m);
        table_reset(&m->table);
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
        if (v->simple)
            leave_simple(m);
        resort(m);
        return 1;
    }
    if (strcmp(a, "sort-reverse") == 0) {
        m->desc = !m->desc;
        if (v->simple)
            leave_simple(m);
        resort(m);
        return 1;
    }
    if (strcmp(a, "open") == 0) {
        const struct table_row *r = table_selected(&m->table);
        if (r && r->cell[0] && r->cell[4] && m->sla &&
            strcmp(r->cell[4], incident_status_name("draft")) == 0)
            incident_form_open(m->st, m->sla, r->cell[0], intake_done, m); /* finish it */
        else if (r && r->cell[0])
            open_detail(m, V_DETAIL, r->cell[0]);
        return 1;
    }
    if (incident_keys(m, a))
        return 1;
    if (strncmp(a, "incidents.", 10) == 0)
        return 1;
    return table_action(&m->table, a);
}

static int inc_key(struct pane *p, int key)
{
    struct inc_model *m = p->data;
    if ((key == UI_KEY_ESC || key == UI_KEY_BACKSPACE) && (is_detail(m->v->view) || m->v->simple))
        return inc_action0(p, "incidents.back");
    return 0;
}

static void inc_mouse(struct pane *p, int y, int x, int button)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    if (is_detail(v->view)) {
        if (button == 4)
            v->scroll = v->scroll > 3 ? v->scroll - 3 : 0;
        else if (button == 5)
            v->scroll += 3;
        return;
    }
    struct table *tb = v->view == V_INQ ? &v->qt : v->view == V_PRB ? &v->pt : &m->table;
    if (button == 4)
        table_move(tb, -3);
    else if (button == 5)
        table_move(tb, 3);
    else {
        int col;
        if (table_click(tb, y, x, &col) == 2 && tb == &m->table) {
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
    struct inc_model *m = p->data;
    if (m->v->view != V_LIST && m->v->view != V_DETAIL) {
        set_err(err, "%s", _("the filter works on the incident list (v switches back)"));
        return -1;
    }
    m->v->view = V_LIST;
    free(m->pattern);
    m->pattern = NULL;
    if (pattern && *pattern) {
        int r = parse_field_filter(m, pattern, err);
        if (r < 0)
            return -1;
        if (r == 1) {
            re = NULL; /* fields, not a pattern: clear any pattern filter */
            cancel_scan(m);
            m->filter_gen++;
            m->filtering = 0;
            m->filtered = 0;
            free(m->matches);
            m->matches = NULL;
            m->nmatches = 0;
            reset_window(m);
            show_simple(m);
            return 0;
        }
    }
    if (m->v->simple)
        leave_simple(m);
    if (!re) {
        cancel_scan(m);
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
    struct views *v = m->v;
    cancel_scan(m);
    if (cur_model == m)
        cur_model = NULL;
    table_free(&m->table);
    table_free(&v->qt);
    table_free(&v->pt);
    simple_clear(v);
    simple_reset_args(v);
    dl_clear(v);
    inquiry_list_free(v->qrows, v->nq);
    problem_list_free(v->prows, v->np);
    free(v);
    sla_free(m->sla);
    free(m->anchors);
    free(m->matches);
    free(m->pattern);
    for (size_t i = 0; i < m->nlibs; i++)
        free(m->libs[i].name);
    free(m->libs);
    free(m);
}

static const struct ui_binding inc_bindings[] = {
    {"incidents.new", "n",
     N_("new incident (intake; offers unfinished drafts) / inquiry / problem")},
    {"incidents.view", "v", N_("switch view: incidents, inquiries, problems")},
    {"incidents.back", "Esc Backspace", N_("back to the list / clear a field filter")},
    {"incidents.filter-form", "F",
     N_("filter by status, priority, library, category, assignee, SLA")},
    {"incidents.search", "s", N_("full-text search (titles, descriptions, notes)")},
    {"incidents.inbox", "I", N_("my inbox: open incidents assigned to me")},
    {"incidents.isolated", "i", N_("incident: isolated (1st-level) / inquiry: investigating")},
    {"incidents.escalate", "e", N_("incident: escalate to an engineer")},
    {"incidents.first", "f", N_("incident: first response")},
    {"incidents.second", "2", N_("incident: second response")},
    {"incidents.recovered", "r", N_("incident: recovered")},
    {"incidents.closed", "c", N_("incident / inquiry: close")},
    {"incidents.reopen", "o", N_("incident: reopen")},
    {"incidents.pause", "p", N_("incident: pause the SLA clock (reason)")},
    {"incidents.resume", "u", N_("incident: resume the SLA clock")},
    {"incidents.notified", "N",
     N_("incident: library notified (to whom); in a filtered list: previous match")},
    {"incidents.note", "t", N_("add a note")},
    {"incidents.link", "l", N_("incident: link to a problem")},
    {"incidents.draft", "d", N_("inquiry: draft the answer")},
    {"incidents.review", "R", N_("inquiry: ask for review / problem: root cause")},
    {"incidents.approve", "a", N_("inquiry: approve the draft (an engineer, not its author)")},
    {"incidents.return", "b", N_("inquiry: return the draft with corrections")},
    {"incidents.answer", "w", N_("inquiry: answer sent / problem: workaround")},
    {"incidents.convert", "C", N_("inquiry: convert to an incident")},
    {"incidents.measure", "m", N_("problem: permanent measure")},
    {"incidents.prevention", "P", N_("problem: recurrence prevention")},
    {"incidents.link-incident", "L", N_("problem: link an incident")},
    {"incidents.publish", "k", N_("problem: publish as knowledge")},
    {"incidents.advance", "A", N_("problem: next status")},
    {NULL, NULL, NULL}};

const struct pane_ops incidents_pane = {
    .name = "incidents",
    .title = N_("Incidents"),
    .bindings = inc_bindings,
    .open = inc_open,
    .load = inc_load,
    .draw = inc_draw,
    .action = inc_action,
    .key = inc_key,
    .mouse = inc_mouse,
    .filter = inc_filter,
    .sort = inc_sort,
    .free = inc_free,
};
