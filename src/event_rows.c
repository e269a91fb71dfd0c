#include "event_rows.h"

#include <stdlib.h>

#include "store.h"
#include "util.h"

int event_rows_read(sqlite3_stmt *s, struct event_row **rows, size_t *n, char **err)
{
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        *rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
        struct event_row *r = &(*rows)[(*n)++];
        r->kind = col_dup(s, 0);
        r->note = col_dup(s, 1);
        r->who = col_dup(s, 2);
        r->at = col_dup(s, 3);
    }
    sqlite3_reset(s);
    if (rc < 0) {
        event_rows_free(*rows, *n);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

void event_rows_free(struct event_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].kind), free(rows[i].note), free(rows[i].who), free(rows[i].at);
    free(rows);
}
