#include "search.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* Key ranges of search_fts_map (see data/schema/002_incidents.sql). */
#define RID_INQUIRY 4294967296LL
#define RID_INCIDENT 8589934592LL

/* ---- queries ---- */
struct search_iter {
    struct store *st;
    char **words;
    size_t nwords;
    int fts;  /* every word has >= 3 characters */
    int scan; /* the index is suspended: LIKE over every row (complete) */
    int scope;
    int phase; /* 0 incidents, 1 inquiries, 2 knowledge, 3 done */
    sqlite3_stmt *stmt;
    struct strset seen; /* an incident matched by several notes comes once */
    char *match;
};

static size_t utf8_chars(const char *s)
{
    size_t n = 0, len = strlen(s);
    while (len > 0) {
        uint32_t cp;
        size_t k = utf8_decode(s, len, &cp);
        s += k;
        len -= k;
        n++;
    }
    return n;
}

/* Splits on ASCII blanks and the ideographic space U+3000. */
static void split_words(const char *q, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *p = q;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || strncmp(p, "\xE3\x80\x80", 3) == 0)
            p += (*p == ' ' || *p == '\t' || *p == '\n') ? 1 : 3;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && strncmp(p, "\xE3\x80\x80", 3) != 0)
            p++;
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = xstrndup(s, (size_t)(p - s));
    }
}

static char *fts_phrase_query(char **words, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_putc(&sb, ' ');
        sb_putc(&sb, '"');
        for (const char *c = words[i]; *c; c++) {
            if (*c == '"')
                sb_putc(&sb, '"');
            sb_putc(&sb, *c);
        }
        sb_putc(&sb, '"');
    }
    return sb_detach(&sb);
}

int search_trigram_ok(const char *text)
{
    return utf8_chars(text) >= 3;
}

char *search_fts_phrase(const char *text)
{
    char *one[] = {(char *)text};
    return fts_phrase_query(one, 1);
}

char *search_like_pattern(const char *w)
{
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '%');
    for (const char *c = w; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            sb_putc(&sb, '\\');
        sb_putc(&sb, *c);
    }
    sb_putc(&sb, '%');
    return sb_detach(&sb);
}

static int prepare_phase(struct search_iter *it, char **err)
{
    struct store *st = it->st;
    if (it->stmt) {
        sqlite3_finalize(it->stmt);
        it->stmt = NULL;
    }
    int bit = 1 << it->phase;
    if (!(it->scope & bit))
        return 0;
    struct strbuf sql = STRBUF_INIT;
    if (it->fts) {
        /* One statement per phase (incidents, inquiries, knowledge), each named:
         * an array of multi-line literals reads like a missing comma to clang. */
        static const char fts_incidents[] =
            "SELECT CASE m.kind WHEN 'e' THEN (SELECT e.incident_id FROM incident_events e "
            "WHERE e.id = m.row_id) ELSE m.row_id END FROM search_fts f JOIN search_fts_map m "
            "ON m.rid = f.rowid WHERE search_fts MATCH ?1 AND f.rowid > 8589934592 "
            "ORDER BY f.rowid DESC";
        static const char fts_inquiries[] =
            "SELECT m.row_id FROM search_fts f JOIN search_fts_map m ON m.rid = f.rowid "
            "WHERE search_fts MATCH ?1 AND f.rowid > 4294967296 AND f.rowid <= 8589934592 "
            "ORDER BY f.rowid DESC";
        static const char fts_knowledge[] =
            "SELECT m.row_id FROM search_fts f JOIN search_fts_map m ON m.rid = f.rowid "
            "WHERE search_fts MATCH ?1 AND f.rowid <= 4294967296 ORDER BY f.rowid DESC";
        static const char *const fts_sql[] = {fts_incidents, fts_inquiries, fts_knowledge};
        sb_puts(&sql, fts_sql[it->phase]);
    } else {
        static const char from_incidents[] =
            "SELECT id FROM (SELECT id, received_at AS t, title AS a, description AS b, "
            "NULL AS c FROM incidents WHERE deleted = 0 AND status <> 'draft' "
            "ORDER BY received_at DESC LIMIT 20000) WHERE 1";
        static const char from_inquiries[] =
            "SELECT id FROM (SELECT id, received_at AS t, title AS a, question AS b, "
            "answer AS c FROM inquiries WHERE deleted = 0 ORDER BY received_at DESC "
            "LIMIT 20000) WHERE 1";
        static const char from_knowledge[] =
            "SELECT id FROM (SELECT id, created_at AS t, title AS a, body AS b, keywords AS c "
            "FROM knowledge WHERE deleted = 0) WHERE 1";
        /* The index suspended (after a large pull, until it is rebuilt):
         * every row, event notes included, as the index would find them. */
        static const char scan_incidents[] =
            "SELECT id FROM (SELECT id, received_at AS t, title AS a, description AS b, "
            "NULL AS c FROM incidents WHERE deleted = 0 UNION ALL SELECT incident_id, at, "
            "NULL, note, NULL FROM incident_events WHERE note IS NOT NULL AND note <> '') "
            "WHERE 1";
        static const char scan_inquiries[] =
            "SELECT id FROM (SELECT id, received_at AS t, title AS a, question AS b, "
            "answer AS c FROM inquiries WHERE deleted = 0) WHERE 1";
        static const char *const from[] = {from_incidents, from_inquiries, from_knowledge};
        static const char *const scan[] = {scan_incidents, scan_inquiries, from_knowledge};
        sb_puts(&sql, (it->scan ? scan : from)[it->phase]);
        for (size_t i = 0; i < it->nwords; i++)
            sb_printf(&sql,
                      " AND (a LIKE ?%zu ESCAPE '\\' OR coalesce(b, '') LIKE ?%zu ESCAPE '\\' "
                      "OR coalesce(c, '') LIKE ?%zu ESCAPE '\\')",
                      i + 1, i + 1, i + 1);
        sb_puts(&sql, " ORDER BY t DESC");
    }
    int rc = sqlite3_prepare_v2(st->db, sql.buf, -1, &it->stmt, NULL);
    sb_free(&sql);
    if (rc != SQLITE_OK)
        return store_fail(st, err, _("searching"));
    if (it->fts) {
        bind_text(it->stmt, 1, it->match);
    } else {
        for (size_t i = 0; i < it->nwords; i++) {
            char *p = search_like_pattern(it->words[i]);
            sqlite3_bind_text(it->stmt, (int)i + 1, p, -1, free);
        }
    }
    return 0;
}

struct search_iter *search_begin(struct store *st, const char *query, int scope, char **err)
{
    struct search_iter *it = xcalloc(1, sizeof *it);
    it->st = st;
    it->scope = scope;
    split_words(query ? query : "", &it->words, &it->nwords);
    if (it->nwords == 0) {
        set_err(err, _("the search text is empty"));
        search_end(it);
        return NULL;
    }
    it->scan = search_suspended(st);
    it->fts = !it->scan;
    for (size_t i = 0; i < it->nwords; i++)
        if (!search_trigram_ok(it->words[i]))
            it->fts = 0;
    if (it->fts)
        it->match = fts_phrase_query(it->words, it->nwords);
    it->phase = 0;
    if (prepare_phase(it, err) != 0) {
        search_end(it);
        return NULL;
    }
    return it;
}

int search_next(struct search_iter *it, char *kind, char id[ID_LEN + 1], char **err)
{
    static const char kinds[] = {'i', 'q', 'k'};
    while (it->phase < 3) {
        if (it->stmt) {
            int rc;
            while ((rc = sqlite3_step(it->stmt)) == SQLITE_ROW) {
                const char *v = col_text(it->stmt, 0);
                if (!v)
                    continue;
                if (it->phase == 0 && !strset_add(&it->seen, v))
                    continue;
                *kind = kinds[it->phase];
                snprintf(id, ID_LEN + 1, "%s", v);
                return 1;
            }
            if (rc != SQLITE_DONE)
                return store_fail(it->st, err, _("searching"));
        }
        it->phase++;
        if (it->phase < 3 && prepare_phase(it, err) != 0)
            return -1;
    }
    return 0;
}

int search_partial(const struct search_iter *it)
{
    return it && !it->fts && !it->scan;
}

void search_end(struct search_iter *it)
{
    if (!it)
        return;
    if (it->stmt)
        sqlite3_finalize(it->stmt);
    for (size_t i = 0; i < it->nwords; i++)
        free(it->words[i]);
    free(it->words);
    free(it->match);
    strset_free(&it->seen);
    free(it);
}

/* 1 filled, 0 the row is gone, -1 with *err set when it cannot be read. */
static int fill_hit(struct store *st, struct search_hit *h, char **err)
{
    sqlite3_stmt *s;
    if (h->kind == 'i')
        s = store_stmt(st, "SELECT ref, title, received_at FROM incidents WHERE id = ?1 AND "
                           "deleted = 0");
    else if (h->kind == 'q')
        s = store_stmt(st, "SELECT ref, title, received_at FROM inquiries WHERE id = ?1 AND "
                           "deleted = 0");
    else
        s = store_stmt(st, "SELECT NULL, title, coalesce(published_at, created_at) FROM "
                           "knowledge WHERE id = ?1 AND deleted = 0");
    bind_text(s, 1, h->id);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        return got;
    }
    h->ref = col_text(s, 0) ? xstrdup(col_text(s, 0)) : NULL;
    h->title = xstrdup(col_text(s, 1) ? col_text(s, 1) : "");
    int64_t ms = 0;
    if (col_text(s, 2))
        time_parse(col_text(s, 2), &ms);
    h->at = ms;
    sqlite3_reset(s);
    return 1;
}

int search_run(struct store *st, const char *query, int scope, int limit, struct search_hit **out,
               size_t *n, int *partial, char **err)
{
    *out = NULL;
    *n = 0;
    struct search_iter *it = search_begin(st, query, scope, err);
    if (!it)
        return -1;
    if (partial)
        *partial = search_partial(it);
    int rc;
    struct search_hit h;
    while ((int)*n < limit && (rc = search_next(it, &h.kind, h.id, err)) == 1) {
        int got = fill_hit(st, &h, err);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (!got)
            continue;
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = h;
    }
    search_end(it);
    if ((int)*n < limit && rc < 0) {
        search_hits_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

void search_hits_free(struct search_hit *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(h[i].ref);
        free(h[i].title);
    }
    free(h);
}

/* ---- knowledge suggestions ---- */
/* The 3-character pieces of every word of text with 3 or more characters. */
static void trigrams(const char *text, char ***out, size_t *n)
{
    char **words;
    size_t nw;
    split_words(text, &words, &nw);
    *out = NULL;
    *n = 0;
    for (size_t w = 0; w < nw; w++) {
        const char *s = words[w];
        size_t len = strlen(s);
        /* Offsets of each character. */
        size_t *off = xmalloc((len + 1) * sizeof *off), nc = 0;
        for (size_t i = 0; i < len;) {
            uint32_t cp;
            off[nc++] = i;
            i += utf8_decode(s + i, len - i, &cp);
        }
        off[nc] = len;
        for (size_t i = 0; i + 3 <= nc; i++) {
            char *t = xstrndup(s + off[i], off[i + 3] - off[i]);
            int dup = 0;
            for (size_t k = 0; k < *n; k++)
                if (streq((*out)[k], t))
                    dup = 1;
            if (dup) {
                free(t);
                continue;
            }
            *out = xrealloc(*out, (*n + 1) * sizeof **out);
            (*out)[(*n)++] = t;
        }
        free(off);
        free(words[w]);
    }
    free(words);
}

static int strcasestr_utf8(const char *hay, const char *needle)
{
    /* Trigram matching in FTS is case-insensitive for ASCII; do the same. */
    size_t hn = strlen(hay), nn = strlen(needle);
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn) {
            char a = hay[i + k], b = needle[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                break;
            k++;
        }
        if (k == nn)
            return 1;
    }
    return 0;
}

struct scored {
    struct search_hit hit;
    int score;
};

static int cmp_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    return x->hit.at > y->hit.at ? -1 : x->hit.at < y->hit.at;
}

int search_suggest_knowledge(struct store *st, const char *text, int limit, struct search_hit **out,
                             size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    char **tri;
    size_t ntri;
    trigrams(text ? text : "", &tri, &ntri);
    if (ntri == 0)
        return 0;
    /* Any shared trigram makes a candidate (the knowledge key range only);
     * candidates are then scored by the share of the text's trigrams found in
     * their title and keywords. */
    struct strbuf q = STRBUF_INIT;
    for (size_t i = 0; i < ntri; i++) {
        if (i)
            sb_puts(&q, " OR ");
        char *p = search_fts_phrase(tri[i]);
        sb_puts(&q, p);
        free(p);
    }
    sqlite3_stmt *s = store_stmt(
        st, "SELECT k.id, k.title, coalesce(k.keywords, ''), coalesce(k.published_at, "
            "k.created_at) FROM search_fts f JOIN search_fts_map m ON m.rid = f.rowid "
            "JOIN knowledge k ON k.id = m.row_id AND k.deleted = 0 "
            "WHERE search_fts MATCH ?1 AND f.rowid <= 4294967296 AND m.kind = 'k' LIMIT 500");
    bind_text(s, 1, q.buf);
    struct scored *c = NULL;
    size_t nc = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *title = col_text(s, 1), *kw = col_text(s, 2);
        int hits = 0;
        for (size_t i = 0; i < ntri; i++)
            if (strcasestr_utf8(title, tri[i]) || strcasestr_utf8(kw, tri[i]))
                hits++;
        int score = (int)(hits * 100 / ntri);
        if (score < 30)
            continue;
        c = xrealloc(c, (nc + 1) * sizeof *c);
        memset(&c[nc], 0, sizeof c[nc]);
        c[nc].hit.kind = 'k';
        snprintf(c[nc].hit.id, sizeof c[nc].hit.id, "%s", col_text(s, 0));
        c[nc].hit.title = xstrdup(title);
        time_parse(col_text(s, 3), &c[nc].hit.at);
        c[nc].score = score;
        nc++;
    }
    sqlite3_reset(s);
    sb_free(&q);
    for (size_t i = 0; i < ntri; i++)
        free(tri[i]);
    free(tri);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < nc; i++)
            free(c[i].hit.title);
        free(c);
        return store_fail(st, err, _("searching the knowledge base"));
    }
    if (nc > 1)
        qsort(c, nc, sizeof *c, cmp_scored);
    for (size_t i = 0; i < nc; i++) {
        if ((int)*n < limit) {
            *out = xrealloc(*out, (*n + 1) * sizeof **out);
            (*out)[(*n)++] = c[i].hit;
        } else {
            free(c[i].hit.title);
        }
    }
    free(c);
    return 0;
}

/* ---- bulk loading ---- */
static const char *const meta_key = "search_suspended_triggers";

int search_suspended(struct store *st)
{
    char *v = store_meta_get(st, meta_key);
    int r = v != NULL;
    free(v);
    return r;
}

static int exec(struct store *st, const char *sql, char **err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        set_err(err, _("rebuilding the search index: %s"), msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int rebuild_in_tx(struct store *st, char **err)
{
    return exec(st,
                "DELETE FROM search_fts_map;"
                "INSERT INTO search_fts_map(rid, kind, row_id) SELECT row_number() OVER "
                "(ORDER BY created_at, id), 'k', id FROM knowledge;"
                "INSERT INTO search_fts_map(rid, kind, row_id) SELECT 4294967296 + row_number() "
                "OVER (ORDER BY received_at, id), 'q', id FROM inquiries;"
                "INSERT INTO search_fts_map(rid, kind, row_id) SELECT 8589934592 + row_number() "
                "OVER (ORDER BY t, k, id), k, id FROM (SELECT received_at AS t, 'i' AS k, id "
                "FROM incidents UNION ALL SELECT at, 'e', id FROM incident_events WHERE note IS "
                "NOT NULL AND note <> '');"
                "INSERT INTO search_fts(search_fts) VALUES('rebuild');",
                err);
}

int search_rebuild(struct store *st, char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    if (rebuild_in_tx(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

int search_suspend(struct store *st, char **err)
{
    if (search_suspended(st))
        return 0;
    if (store_begin(st, err) != 0)
        return -1;
    struct strbuf all = STRBUF_INIT, drop = STRBUF_INIT;
    sqlite3_stmt *s = store_stmt(st, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name LIKE 'search\\_fts\\_%' ESCAPE '\\' ORDER BY name");
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        sb_printf(&all, "%s;\n", col_text(s, 1));
        sb_printf(&drop, "DROP TRIGGER \"%s\";", col_text(s, 0));
    }
    sqlite3_reset(s);
    if (rc == 0 && all.len == 0) {
        set_err(err, _("the search index triggers are missing"));
        rc = -1;
    }
    if (rc == 0)
        rc = exec(st, drop.buf, err);
    if (rc == 0) {
        s = store_stmt(st, "INSERT OR REPLACE INTO local_meta(key, value) VALUES(?1, ?2)");
        bind_text(s, 1, meta_key);
        bind_text(s, 2, all.buf);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("suspending the search index"));
        sqlite3_reset(s);
    }
    sb_free(&all);
    sb_free(&drop);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

int search_resume(struct store *st, char **err)
{
    if (!search_suspended(st))
        return 0;
    if (store_begin(st, err) != 0)
        return -1;
    /* Read again under the write lock: another process (the console and
     * `unyo sync` both rebuild after a large pull) may have resumed it. */
    char *sql = store_meta_get(st, meta_key);
    if (!sql)
        return store_commit(st, err);
    int rc = rebuild_in_tx(st, err);
    if (rc == 0)
        rc = exec(st, sql, err);
    free(sql);
    if (rc == 0) {
        sqlite3_stmt *s = store_stmt(st, "DELETE FROM local_meta WHERE key = ?1");
        bind_text(s, 1, meta_key);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("resuming the search index"));
        sqlite3_reset(s);
    }
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}
