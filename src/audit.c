#include "audit.h"

#include <stdlib.h>

#include "store.h"
#include "util.h"

int audit_list(struct store *st, long limit, struct audit_row **out, size_t *n, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT a.at, o.login, a.action, a.kind, a.row_id, a.detail FROM audit a "
                       "LEFT JOIN operators o ON o.id = a.operator_id ORDER BY a.id DESC LIMIT ?1");
    bind_int(s, 1, limit);
    struct audit_row *v = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        struct audit_row *r = &v[k++];
        r->at = col_dup(s, 0);
        r->operator_login = col_dup(s, 1);
        r->action = col_dup(s, 2);
        r->kind = col_dup(s, 3);
        r->row_id = col_dup(s, 4);
        r->detail = col_dup(s, 5);
    }
    sqlite3_reset(s);
    if (step < 0) {
        audit_rows_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

void audit_rows_free(struct audit_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].at), free(v[i].operator_login), free(v[i].action);
        free(v[i].kind), free(v[i].row_id), free(v[i].detail);
    }
    free(v);
}
