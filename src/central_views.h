/* The central database as people read it (issue 17): schema "ledger" beside
 * the sync mirror "unyo". For every ledger table a view with typed columns
 * (timestamptz, date, boolean, integer, jsonb ... as data/central/columns.tsv
 * says, cast by functions that give NULL for a value that does not parse, so
 * no row a console wrote can break an engineer's query), a comment on every
 * view, mirror table and column in Japanese and English, and views for the
 * questions people ask: open incidents with their SLA time left, SLA results
 * per month, priority and step, the day's checks, job runs and changes, and
 * the references between tables.
 *
 * The mirror itself stays untyped and without foreign keys: it is sync's wire
 * format, takes rows from many consoles in any order, and must never refuse
 * one; the views are rebuilt by every `unyo central init`. */
#ifndef UNYO_CENTRAL_VIEWS_H
#define UNYO_CENTRAL_VIEWS_H

#include <libpq-fe.h>
#include <stddef.h>

struct ledger_schema;
struct store;

/* One line of columns.tsv: a table (column NULL) or a column of it. */
struct central_column_doc {
    char *table, *column; /* column NULL: the table's own line */
    char *type;           /* one of central_view_types; NULL on a table line */
    char *ja, *en;
};

struct central_docs {
    struct central_column_doc *v;
    size_t n;
};

/* The types a column may take in a view. */
extern const char *const central_view_types[];

/* Parses columns.tsv text (name is for messages: "NAME:LINE: ..."). The whole
 * file or nothing: 0, or -1 with *err. Fields must be valid UTF-8 without
 * control characters, at most 1000 bytes each. */
int central_docs_parse(const char *name, const char *text, size_t len, struct central_docs *out,
                       char **err);
/* Loads the shipped file (data/central/columns.tsv, or the config dir's). */
int central_docs_load(struct central_docs *out, char **err);
void central_docs_free(struct central_docs *d);
/* The line of table.column (column NULL: the table's), or NULL. */
const struct central_column_doc *central_docs_find(const struct central_docs *d, const char *table,
                                                   const char *column);

/* `unyo central init`: central_init (the mirror, in its own transaction), then
 * schema "ledger" rebuilt in a second one under the same lock. The mirror is
 * usable for sync once the first commits; a failure in the second leaves it
 * so and says why (running init again finishes). 0 or -1 (err). */
int central_setup(struct store *st, PGconn *c, int *from, int *to, char **err);
/* What `central init` tells an engineer about reaching the views (translated). */
const char *central_views_hint(void);

/* Creates or replaces schema "ledger" (views, comments, cast functions) for the
 * tables of ls, inside the caller's transaction on c. */
int central_views_create(PGconn *c, struct store *st, const struct ledger_schema *ls,
                         const struct central_docs *d, char **err);

#endif
