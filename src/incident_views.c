/* Choices for the incident, inquiry and problem views (see incident_views.h). */
#include "incident_views.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "libraries.h"
#include "problems.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

void incident_choices_free(struct incident_choice *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++) {
        free(c[i].key);
        free(c[i].name);
    }
    free(c);
}

/* Reads rows of (key, name[, at]) from s into *out; a NULL name becomes the
 * key when key_for_name, else "". 0, or -1 with *err (nothing handed back). */
static int read_choices(sqlite3_stmt *s, int with_at, int key_for_name,
                        struct incident_choice **out, size_t *n, char **err)
{
    struct incident_choice *c = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        c = xrealloc(c, (k + 1) * sizeof *c);
        const char *key = col_text(s, 0) ? col_text(s, 0) : "";
        c[k].key = xstrdup(key);
        c[k].name = xstrdup(col_text(s, 1) ? col_text(s, 1) : key_for_name ? key : "");
        int64_t ms = 0;
        if (with_at && col_text(s, 2) && time_parse(col_text(s, 2), &ms) != 0)
            ms = 0;
        c[k].at = ms;
        k++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        incident_choices_free(c, k);
        *out = NULL;
        *n = 0;
        return -1;
    }
    *out = c;
    *n = k;
    return 0;
}

int incident_engineers(struct store *st, struct incident_choice **out, size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT login, name FROM operators WHERE role = "
                                     "'engineer' AND active = 1 AND deleted = 0 ORDER BY login");
    return read_choices(s, 0, 0, out, n, err);
}

int incident_library_choices(struct store *st, struct incident_choice **out, size_t *n, char **err)
{
    struct library_brief *libs = NULL;
    size_t k = 0;
    if (library_list(st, &libs, &k, err) != 0)
        return -1;
    struct incident_choice *c = xcalloc(k ? k : 1, sizeof *c);
    for (size_t i = 0; i < k; i++) {
        c[i].key = xstrdup(libs[i].code ? libs[i].code : "");
        c[i].name = xstrdup(library_name(&libs[i]));
    }
    library_list_free(libs, k);
    *out = c;
    *n = k;
    return 0;
}

int incident_my_drafts(struct store *st, int limit, struct incident_choice **out, size_t *n,
                       char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT ref, title, updated_at FROM incidents "
                                     "WHERE status = 'draft' AND deleted = 0 AND created_by = "
                                     "?1 ORDER BY updated_at DESC LIMIT ?2");
    bind_text(s, 1, st->operator_id);
    bind_int(s, 2, limit);
    return read_choices(s, 1, 0, out, n, err);
}

int incident_my_draft_count(struct store *st, int *n, char **err)
{
    *n = 0;
    if (store_require_operator(st, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM incidents WHERE status = "
                                     "'draft' AND deleted = 0 AND created_by = ?1");
    bind_text(s, 1, st->operator_id);
    int got = store_one_row(s, err);
    if (got == 1)
        *n = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return got < 0 ? -1 : 0;
}

const char *problem_next_status(const char *status)
{
    for (int i = 0; status && problem_statuses[i]; i++)
        if (strcmp(problem_statuses[i], status) == 0)
            return problem_statuses[i + 1];
    return NULL;
}
