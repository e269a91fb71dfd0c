/* Full-text search over the ledgers: incident titles, descriptions and event
 * notes, inquiry titles, questions and answers, knowledge articles.
 *
 * One SQLite FTS5 index with the trigram tokenizer (Japanese matches without
 * word breaks) and external content (data/schema/002_incidents.sql): no second
 * copy of the text. Triggers keep it current. A query is split on spaces; every
 * word must match. A word shorter than 3 characters cannot use trigrams: then
 * the search falls back to LIKE over the most recent SEARCH_RECENT_ROWS rows of
 * each ledger (and says so through *partial). While the index is suspended
 * (a bulk load, or after a large sync pull until the index is rebuilt in the
 * background) every search is a LIKE scan of all the rows, event notes
 * included: complete (not partial), only slower. */
#ifndef UNYO_SEARCH_H
#define UNYO_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;

#define SEARCH_RECENT_ROWS 20000

enum search_scope {
    SEARCH_INCIDENTS = 1, /* incidents and their event notes */
    SEARCH_INQUIRIES = 2,
    SEARCH_KNOWLEDGE = 4,
    SEARCH_ALL = 7,
};

/* The pieces of a query that other FTS5 trigram indexes (recordings) share:
 * whether text is long enough for trigrams (3 characters), text as one FTS5
 * phrase (a substring match), and text as a LIKE pattern with ESCAPE '\\'
 * (both malloc'd). */
int search_trigram_ok(const char *text);
char *search_fts_phrase(const char *text);
char *search_like_pattern(const char *text);

/* Hits one by one, newest first within each ledger (incidents, then inquiries,
 * then knowledge). An incident matched by several notes comes once. */
struct search_iter;
struct search_iter *search_begin(struct store *st, const char *query, int scope, char **err);
/* 1 and fills kind ('i' incident, 'q' inquiry, 'k' knowledge) and id; 0 at the end; -1 on error. */
int search_next(struct search_iter *it, char *kind, char id[ID_LEN + 1], char **err);
int search_partial(const struct search_iter *it); /* the short-query fallback is in use */
void search_end(struct search_iter *it);

struct search_hit {
    char kind;
    char id[ID_LEN + 1];
    char *ref; /* INC-/INQ- ref, or NULL for knowledge */
    char *title;
    int64_t at; /* received / published, UTC ms */
};
/* Up to limit hits. */
int search_run(struct store *st, const char *query, int scope, int limit, struct search_hit **out,
               size_t *n, int *partial, char **err);
void search_hits_free(struct search_hit *h, size_t n);

/* Knowledge articles whose title or keywords share enough of `text` (an
 * incident's title): for intake. Best first. */
int search_suggest_knowledge(struct store *st, const char *text, int limit, struct search_hit **out,
                             size_t *n, char **err);

/* Bulk loading (unyo demo --generate): suspend drops the index triggers (their
 * SQL is kept in local_meta); resume recreates them and rebuilds the map and
 * the index from the tables. Both idempotent. */
int search_suspend(struct store *st, char **err);
int search_resume(struct store *st, char **err);
/* Rebuilds the map and index from the tables (after import, or to repair). */
int search_rebuild(struct store *st, char **err);
/* 1 while suspended. */
int search_suspended(struct store *st);

#endif
