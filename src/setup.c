#include "setup.h"

#include <stdlib.h>

#include "store.h"
#include "util.h"

int setup_no_operator(struct store *st, int *none, char **err)
{
    *none = 0;
    sqlite3_stmt *s =
        store_stmt(st, "SELECT count(*) FROM operators WHERE deleted = 0 AND active = 1");
    int got = store_one_row(s, err);
    if (got == 1)
        *none = sqlite3_column_int(s, 0) == 0;
    sqlite3_reset(s);
    return got < 0 ? -1 : 0;
}

int setup_first_run_due(struct store *st, int *due, char **err)
{
    *due = 0;
    char *done = store_meta_get(st, "first_run");
    int seen = done != NULL;
    free(done);
    if (seen)
        return 0;
    return setup_no_operator(st, due, err);
}

int setup_first_run_done(struct store *st, char **err)
{
    return store_meta_set(st, "first_run", "done", err);
}
