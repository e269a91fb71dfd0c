#include "libraries.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "store.h"
#include "util.h"

int library_list(struct store *st, struct library_brief **out, size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT code, name_ja, name_en, kind FROM libraries "
                                     "WHERE deleted = 0 "
                                     "ORDER BY kind <> 'central', kind <> 'branch', code");
    struct library_brief *v = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        v[k].code = col_dup(s, 0);
        v[k].name_ja = col_dup(s, 1);
        v[k].name_en = col_dup(s, 2);
        v[k].kind = col_dup(s, 3);
        k++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        library_list_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

const char *library_name(const struct library_brief *l)
{
    const char *name = strcmp(i18n_lang(), "ja") == 0 ? l->name_ja : l->name_en;
    return name && *name ? name : l->code;
}

void library_list_free(struct library_brief *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].code), free(v[i].name_ja), free(v[i].name_en), free(v[i].kind);
    free(v);
}
