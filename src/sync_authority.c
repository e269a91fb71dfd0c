/* Who may change an operator, checked again when the change arrives by sync
 * (issue 14): a console enforces "only a manager changes roles" when the
 * change is made, but a pulled version could have been written by a console
 * that did not (an older unyo, a store edited by hand). Each operator version
 * names its author (operators.changed_by, migration 019); the pulling store
 * decides with what it knows of that author, the same rule every console
 * applies, so honest consoles agree. The author is as the writing console
 * recorded it: a console that lies about it is beyond this check (the chain
 * heads in the central database catch a history rewritten afterwards). */
#include "sync.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "store.h"
#include "sync_int.h"
#include "util.h"

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && streq(a, b));
}

/* Is id a manager in this store? Deactivated ones count: what they did while
 * they were managers stays valid on a console that learns of it later (a console
 * that lies about the author is beyond this check anyway). 1, 0 or -1. */
static int is_manager(struct store *st, const char *id, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT 1 FROM operators WHERE id = ?1 AND role = 'manager' AND deleted = 0");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    sqlite3_reset(s);
    return got;
}

/* Does this store know an active manager yet? 1, 0 or -1. */
static int has_manager(struct store *st, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM operators WHERE role = 'manager' AND "
                                     "active = 1 AND deleted = 0 LIMIT 1");
    int got = store_one_row(s, err);
    sqlite3_reset(s);
    return got;
}

int sync_operator_version_allowed(struct store *st, const struct ledger_table *t, char **v,
                                  char **err)
{
    if (!streq(t->name, "operators"))
        return 1;
    int role = ledger_col(t, "role"), active = ledger_col(t, "active"),
        deleted = ledger_col(t, "deleted"), by = ledger_col(t, "changed_by");
    if (role < 0 || active < 0 || deleted < 0 || by < 0)
        return 1; /* a central database older than 019 has no author to check */
    const char *id = v[t->col_id], *author = v[by];
    sqlite3_stmt *s = store_stmt(st, "SELECT role, CAST(active AS TEXT), CAST(deleted AS TEXT), "
                                     "hlc, origin FROM operators WHERE id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    if (got < 0) {
        sqlite3_reset(s);
        return -1;
    }
    int needs;
    if (got == 1) {
        /* A version older than the one here is not applied anyway. */
        int64_t hlc = v[t->col_hlc] ? strtoll(v[t->col_hlc], NULL, 10) : 0,
                lhlc = sqlite3_column_int64(s, 3);
        const char *lorigin = col_text(s, 4) ? col_text(s, 4) : "";
        if (hlc < lhlc ||
            (hlc == lhlc && strcmp(v[t->col_origin] ? v[t->col_origin] : "", lorigin) <= 0)) {
            sqlite3_reset(s);
            return 1;
        }
        /* A change of who they are allowed to be: role, or (de)activation. */
        needs = !same(col_text(s, 0), v[role]) || !same(col_text(s, 1), v[active]) ||
                !same(col_text(s, 2), v[deleted]);
        sqlite3_reset(s);
        /* Nobody changes their own role or state. */
        if (needs && (!author || streq(author, id)))
            return 0;
    } else {
        sqlite3_reset(s);
        /* A new operator with rights beyond an operator's needs a manager as its
         * author. Nobody registers themselves. A store's first operator has no
         * author: that counts only where no manager is known yet (a console that
         * joins pulls before it registers anyone, and takes the first manager it
         * meets in the central order; the others a manager registers again). */
        int privileged = v[role] && (streq(v[role], "manager") || streq(v[role], "engineer")) &&
                         !(v[active] && streq(v[active], "0"));
        if (!privileged)
            return 1;
        if (author && streq(author, id))
            return 0;
        if (!author) {
            int any = has_manager(st, err);
            return any < 0 ? -1 : !any;
        }
        needs = 1;
    }
    if (!needs)
        return 1;
    return is_manager(st, author, err);
}
