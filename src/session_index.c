/* Search inside recordings: see session_index.h. */
#include "session_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cast.h"
#include "i18n.h"
#include "search.h"
#include "store.h"
#include "term.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

struct shown {
    struct term *t;
    int rows;
    char **pend; /* per screen row: the text it shows, not kept yet */
    int64_t *pend_ms;
    int64_t now;
    struct strset seen; /* the lines kept already */
    struct session_shown *out;
    size_t n, cap;
};

static void keep(struct shown *s, char *text, int64_t ms)
{
    if (!text)
        return;
    if (!*text || !strset_add(&s->seen, text)) {
        free(text);
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->out = xrealloc(s->out, s->cap * sizeof *s->out);
    }
    s->out[s->n++] = (struct session_shown){ms, text};
}

static void keep_all(struct shown *s)
{
    for (int r = 0; r < s->rows; r++) {
        keep(s, s->pend[r], s->pend_ms[r]);
        s->pend[r] = NULL;
    }
}

static char *row_text(struct term *t, int r)
{
    char *raw = term_row_text(t, r);
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, raw, 0);
    free(raw);
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = 0;
    return sb_detach(&sb);
}

/* grow: the output since the last look had no line feed, so nothing scrolled and a
 * row that only grew is the same line (typed, or written a piece at a time). */
/* Row r's text against what it showed before (old, owned), one row of a look. */
static void update_row(struct shown *s, int r, char *old, int64_t old_ms, char *text, int grow)
{
    if (old && strcmp(old, text) == 0) {
        free(text);
        s->pend[r] = old;
        s->pend_ms[r] = old_ms;
        return;
    }
    if (old && grow && strncmp(text, old, strlen(old)) == 0) {
        free(old);
        s->pend[r] = text;
        s->pend_ms[r] = old_ms;
        return;
    }
    keep(s, old, old_ms);
    s->pend[r] = *text ? text : NULL;
    s->pend_ms[r] = s->now;
    if (!*text)
        free(text);
}

static void look(struct shown *s, int grow)
{
    int first, last;
    if (!term_take_damage(s->t, &first, &last))
        return;
    if (first < 0)
        first = 0;
    for (int r = first; r <= last && r < s->rows; r++)
        update_row(s, r, s->pend[r], s->pend_ms[r], row_text(s->t, r), grow);
}

/* After output without escape sequences: the rows above what it wrote only moved up
 * (it scrolled) or stayed. Reading from the bottom up to the first row that shows
 * what a row k below it showed before tells how far: the rows above are taken as
 * moved, not read again (a screenful of cells per line of a flood otherwise). Any
 * doubt (nothing matched): the whole look. */
static void look_plain(struct shown *s)
{
    int first, last;
    if (!term_take_damage(s->t, &first, &last))
        return;
    int rows = s->rows;
    char **text = xcalloc((size_t)rows, sizeof *text);
    int r0 = -1, k = 0;
    for (int r = rows - 1; r >= 0 && r0 < 0; r--) {
        text[r] = row_text(s->t, r);
        if (!*text[r])
            continue;
        for (int kk = 0; r + kk < rows; kk++)
            if (s->pend[r + kk] && strcmp(s->pend[r + kk], text[r]) == 0) {
                r0 = r;
                k = kk;
                break;
            }
    }
    if (r0 < 0) {
        /* every row read: compare each with what it showed */
        for (int r = 0; r < rows; r++)
            update_row(s, r, s->pend[r], s->pend_ms[r], text[r], 0);
        free(text);
        return;
    }
    char **old = s->pend;
    int64_t *old_ms = s->pend_ms;
    s->pend = xcalloc((size_t)rows, sizeof *s->pend);
    s->pend_ms = xcalloc((size_t)rows, sizeof *s->pend_ms);
    for (int r = 0; r < k; r++)
        keep(s, old[r], old_ms[r]); /* scrolled off the top */
    for (int r = 0; r < r0; r++) {
        s->pend[r] = old[r + k];
        s->pend_ms[r] = old_ms[r + k];
    }
    /* r0 matched: it is the row that was r0 + k */
    s->pend[r0] = old[r0 + k];
    s->pend_ms[r0] = old_ms[r0 + k];
    free(text[r0]);
    /* The rows below were written (or moved up from rows below r0 + k). */
    for (int r = r0 + 1; r < rows; r++) {
        char *o = r + k < rows ? old[r + k] : NULL;
        int64_t oms = r + k < rows ? old_ms[r + k] : 0;
        update_row(s, r, o, oms, text[r], 0);
    }
    free(old);
    free(old_ms);
    free(text);
}

static void set_rows(struct shown *s, int rows)
{
    s->pend = xrealloc(s->pend, (size_t)rows * sizeof *s->pend);
    s->pend_ms = xrealloc(s->pend_ms, (size_t)rows * sizeof *s->pend_ms);
    for (int r = 0; r < rows; r++) {
        s->pend[r] = NULL;
        s->pend_ms[r] = 0;
    }
    s->rows = rows;
}

static void on_event(void *arg, const struct cast_event *ev)
{
    struct shown *s = arg;
    s->now = ev->ms;
    if (ev->kind != 'o') {
        if (ev->cols > 0 && ev->rows > 0) {
            look(s, 0);
            keep_all(s);
            term_resize(s->t, ev->rows, ev->cols);
            set_rows(s, term_rows(s->t));
            look(s, 0);
        }
        return;
    }
    /* A few lines at a time, so no line scrolls through unseen. */
    int step = s->rows > 2 ? s->rows - 1 : 1;
    size_t at = 0;
    /* What ends the line being typed, alone first: the line has grown, then scrolls. */
    const char *nl = memchr(ev->data, '\n', ev->len);
    if (nl && nl > ev->data) {
        at = (size_t)(nl - ev->data);
        term_feed(s->t, ev->data, at);
        look(s, 1);
    }
    while (at < ev->len) {
        size_t end = at;
        int lines = 0;
        while (end < ev->len && lines < step)
            if (ev->data[end++] == '\n')
                lines++;
        term_feed(s->t, ev->data + at, end - at);
        if (lines && !memchr(ev->data + at, 0x1b, end - at))
            look_plain(s);
        else
            look(s, lines == 0);
        at = end;
    }
}

int session_shown_lines(const char *cast, size_t len, struct session_shown **out, size_t *n,
                        char **err)
{
    *out = NULL;
    *n = 0;
    int cols, rows;
    if (cast_header(cast, len, &cols, &rows, err) != 0)
        return -1;
    struct shown s = {0};
    s.t = term_new(rows, cols, 0);
    term_set_fast_forward(s.t, 0);
    set_rows(&s, term_rows(s.t));
    int rc = cast_read(cast, len, 0, on_event, &s, err);
    look(&s, 0);
    keep_all(&s);
    term_free(s.t);
    free(s.pend);
    free(s.pend_ms);
    strset_free(&s.seen);
    if (rc != 0) {
        session_shown_free(s.out, s.n);
        return -1;
    }
    *out = s.out;
    *n = s.n;
    return 0;
}

void session_shown_free(struct session_shown *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}

/* Inside a transaction. */
static int index_one(struct store *st, const char *id, const char *cast, size_t len, char **err)
{
    struct session_shown *v = NULL;
    size_t n = 0;
    char *e = NULL;
    /* A recording that cannot be read has no lines; it is marked indexed all the same. */
    if (session_shown_lines(cast, len, &v, &n, &e) != 0)
        free(e);
    /* What was indexed of it before goes, by its rowids. */
    sqlite3_stmt *q = store_stmt(
        st, "SELECT first_rowid, lines FROM local_session_indexed WHERE session_id = ?1");
    bind_text(q, 1, id);
    int got = store_one_row(q, err);
    if (got < 0) {
        session_shown_free(v, n);
        return -1;
    }
    int rc;
    if (got == 1) {
        int64_t first = sqlite3_column_int64(q, 0), count = sqlite3_column_int64(q, 1);
        sqlite3_reset(q);
        sqlite3_stmt *d =
            store_stmt(st, "DELETE FROM local_session_fts WHERE rowid >= ?1 AND rowid < ?2");
        bind_int(d, 1, first);
        bind_int(d, 2, first + count);
        rc = sqlite3_step(d);
        sqlite3_reset(d);
        if (rc != SQLITE_DONE) {
            session_shown_free(v, n);
            return store_fail(st, err, _("indexing a recording"));
        }
    }
    int64_t first_rowid = 0;
    sqlite3_stmt *s =
        store_stmt(st, "INSERT INTO local_session_fts(line, session_id, at_ms) VALUES(?1, ?2, ?3)");
    for (size_t i = 0; i < n; i++) {
        bind_text(s, 1, v[i].text);
        bind_text(s, 2, id);
        bind_int(s, 3, v[i].ms);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            session_shown_free(v, n);
            return store_fail(st, err, _("indexing a recording"));
        }
        if (i == 0)
            first_rowid = sqlite3_last_insert_rowid(st->db);
    }
    session_shown_free(v, n);
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    s = store_stmt(st, "INSERT OR REPLACE INTO local_session_indexed(session_id, first_rowid, "
                       "lines, indexed_at) VALUES(?1, ?2, ?3, ?4)");
    bind_text(s, 1, id);
    bind_int(s, 2, first_rowid);
    bind_int(s, 3, (int64_t)n);
    bind_text(s, 4, at);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("indexing a recording"));
    return 0;
}

int session_index_cast(struct store *st, const char *id, const char *cast, size_t len, char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    if (index_one(st, id, cast, len, err) != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int session_index_pending(struct store *st, int rebuild, int *count, char **err)
{
    if (count)
        *count = 0;
    if (store_is_read_only(st))
        return 0;
    /* The ids first, then one recording at a time (a year of them does not fit in
     * memory at once); a transaction per 200 sessions. */
    sqlite3_stmt *s = store_stmt(st, "SELECT s.id FROM ssh_sessions s WHERE s.deleted = 0 "
                                     "AND s.ended_at IS NOT NULL AND s.transcript IS NOT NULL "
                                     "AND (?1 OR NOT EXISTS (SELECT 1 FROM local_session_indexed "
                                     "x WHERE x.session_id = s.id)) ORDER BY s.id");
    bind_int(s, 1, rebuild ? 1 : 0);
    char **ids = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        if (n == cap)
            ids = xrealloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *ids);
        ids[n++] = col_dup(s, 0);
    }
    int out = rc < 0 ? -1 : 0;
    size_t i = 0;
    while (out == 0 && i < n) {
        if (store_begin(st, err) != 0) {
            out = -1;
            break;
        }
        for (size_t k = 0; out == 0 && k < 200 && i < n; k++, i++) {
            sqlite3_stmt *r = store_stmt(st, "SELECT transcript FROM ssh_sessions WHERE id = ?1");
            bind_text(r, 1, ids[i]);
            int got = store_one_row(r, err);
            if (got < 0) {
                out = -1;
                break;
            }
            if (got == 1) {
                const char *cast = (const char *)sqlite3_column_blob(r, 0);
                size_t len = (size_t)sqlite3_column_bytes(r, 0);
                char *copy = xmalloc(len + 1);
                if (len)
                    memcpy(copy, cast, len);
                copy[len] = 0;
                sqlite3_reset(r);
                out = index_one(st, ids[i], copy, len, err);
                free(copy);
            }
            if (out == 0 && count)
                (*count)++;
        }
        if (out == 0 && store_commit(st, err) != 0)
            out = -1;
        if (out != 0) {
            store_rollback(st);
            if (count)
                *count = 0;
        }
    }
    for (size_t k = 0; k < n; k++)
        free(ids[k]);
    free(ids);
    return out;
}

/* Newest session first, its lines in order. */
static int hit_order(const void *a, const void *b)
{
    const struct session_hit *x = a, *y = b;
    int c = strcmp(y->started_at ? y->started_at : "", x->started_at ? x->started_at : "");
    if (!c)
        c = strcmp(x->id, y->id);
    if (!c)
        c = x->at_ms < y->at_ms ? -1 : x->at_ms > y->at_ms;
    return c;
}

int session_search(struct store *st, const char *text, const char *host, const char *from,
                   int limit, struct session_hit **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    if (limit <= 0)
        limit = 100;
    int fts = search_trigram_ok(text);
    sqlite3_stmt *s;
    if (fts) {
        /* The text as one FTS5 phrase: a substring for the trigram tokenizer. */
        char *q = search_fts_phrase(text);
        s = store_stmt(st, "SELECT s.id, s.host_name, o.login, s.started_at, f.at_ms, f.line "
                           "FROM local_session_fts f JOIN ssh_sessions s ON s.id = f.session_id "
                           "LEFT JOIN operators o ON o.id = s.operator_id "
                           "WHERE local_session_fts MATCH ?1 AND s.deleted = 0 "
                           "AND (?2 IS NULL OR s.host_name = ?2) "
                           "AND (?3 IS NULL OR s.started_at >= ?3) "
                           "ORDER BY f.rowid DESC LIMIT ?4");
        bind_text(s, 1, q);
        free(q);
    } else {
        char *q = search_like_pattern(text);
        s = store_stmt(st, "SELECT s.id, s.host_name, o.login, s.started_at, f.at_ms, f.line "
                           "FROM local_session_fts f JOIN ssh_sessions s ON s.id = f.session_id "
                           "LEFT JOIN operators o ON o.id = s.operator_id "
                           "WHERE f.line LIKE ?1 ESCAPE '\\' AND s.deleted = 0 "
                           "AND (?2 IS NULL OR s.host_name = ?2) "
                           "AND (?3 IS NULL OR s.started_at >= ?3) "
                           "ORDER BY f.rowid DESC LIMIT ?4");
        bind_text(s, 1, q);
        free(q);
    }
    bind_text(s, 2, host);
    bind_text(s, 3, from);
    bind_int(s, 4, limit);
    struct session_hit *v = NULL;
    size_t cnt = 0, cap = 0;
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        if (cnt == cap)
            v = xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
        struct session_hit *h = &v[cnt++];
        memset(h, 0, sizeof *h);
        snprintf(h->id, sizeof h->id, "%s", col_text(s, 0) ? col_text(s, 0) : "");
        h->host = col_dup(s, 1);
        h->operator_login = col_dup(s, 2);
        h->started_at = col_dup(s, 3);
        h->at_ms = sqlite3_column_int64(s, 4);
        h->line = col_dup(s, 5);
    }
    if (rc < 0) {
        session_hits_free(v, cnt);
        return -1;
    }
    if (cnt > 1)
        qsort(v, cnt, sizeof *v, hit_order);
    *out = v;
    *n = cnt;
    return 0;
}

void session_hits_free(struct session_hit *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].host);
        free(v[i].operator_login);
        free(v[i].started_at);
        free(v[i].line);
    }
    free(v);
}
