#include "template_list.h"

#include <stdlib.h>

#include "store.h"
#include "util.h"

int template_list(struct store *st, const char *pane, struct template_row **out, size_t *n,
                  char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT code, source, item_no, name_ja, name_en, period_text, pane, per_host "
            "FROM templates WHERE deleted = 0 AND (?1 IS NULL OR pane = ?1) "
            "ORDER BY source DESC, item_no, code");
    bind_text(s, 1, pane);
    struct template_row *v = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        struct template_row *r = &v[k++];
        r->code = col_dup(s, 0);
        r->source = col_dup(s, 1);
        r->item_no = col_dup(s, 2);
        r->name_ja = col_dup(s, 3);
        r->name_en = col_dup(s, 4);
        r->period_text = col_dup(s, 5);
        r->pane = col_dup(s, 6);
        r->per_host = sqlite3_column_int(s, 7);
    }
    sqlite3_reset(s);
    if (step < 0) {
        template_rows_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

void template_rows_free(struct template_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].code), free(v[i].source), free(v[i].item_no), free(v[i].name_ja);
        free(v[i].name_en), free(v[i].period_text), free(v[i].pane);
    }
    free(v);
}
