#include "operators.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "labels.h"
#include "signin.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* A refused act on operators is audited (the refusal is the only row written). */
static void operator_refusal(struct store *st, const char *action, const char *detail)
{
    char *ignore = NULL;
    if (store_begin(st, &ignore) == 0 &&
        (store_audit(st, action, "operators", NULL, detail, &ignore) != 0 ||
         store_commit(st, &ignore) != 0))
        store_rollback(st);
    free(ignore);
}

int operator_role_valid(const char *role)
{
    return streq(role, "operator") || streq(role, "engineer") || streq(role, "manager") ||
           streq(role, "observer");
}

static int login_valid(const char *login)
{
    if (!login || !*login || strlen(login) > 64)
        return 0;
    for (const char *p = login; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return 0;
    return 1;
}

int operator_add(struct store *st, const char *login, const char *name, const char *role,
                 char *out_id, char **err)
{
    if (!login_valid(login)) {
        set_err(err, _("\"%s\" is not a valid login name (letters, digits, . _ - only)"),
                login ? login : "");
        return -1;
    }
    if (!operator_role_valid(role)) {
        set_err(err, _("unknown role \"%s\": use operator, engineer, manager or observer"),
                role ? role : "");
        return -1;
    }
    /* Counted as not_registered (src/store.c) counts: while nobody active is
     * registered, anyone may add the first operator, so the command a refusal
     * names is one that works. */
    sqlite3_stmt *c =
        store_stmt(st, "SELECT count(*) FROM operators WHERE deleted = 0 AND active = 1");
    int got = store_one_row(c, err);
    int existing = got == 1 ? sqlite3_column_int(c, 0) : 0;
    sqlite3_reset(c);
    if (got < 0)
        return -1;
    /* The first operator of a store is its manager (issue 14): somebody must be able
     * to register the others and change roles. Test and demo stores (st->demo) are
     * left as they were: the harness's fixtures start with an operator of any role. */
    if (existing == 0 && !st->demo && !streq(role, "manager")) {
        set_err(err,
                _("the first operator of a store is its manager: register %s with --role "
                  "manager, then add the others"),
                login);
        return -1;
    }
    if (existing > 0 && store_require_operator(st, err) != 0)
        return -1;
    if (store_refuse_write(st, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    int64_t now = time_now_ms();
    /* The same person registered on two consoles is one operator after sync. */
    id_for_name(id, "operator", login);
    time_format_iso(now, at);
    /* A login that was deactivated or removed is registered again (its row comes
     * back): otherwise "ask X to register you" would end in "already exists". */
    sqlite3_stmt *e = store_stmt(st, "SELECT id, active, deleted FROM operators WHERE login = ?1");
    bind_text(e, 1, login);
    got = store_one_row(e, err);
    int again = got == 1 && (sqlite3_column_int(e, 1) == 0 || sqlite3_column_int(e, 2) != 0);
    if (got == 1)
        snprintf(id, sizeof id, "%s", col_text(e, 0));
    sqlite3_reset(e);
    if (got < 0 || (got == 1 && !again)) {
        if (got == 1)
            set_err(err, _("an operator with login %s already exists"), login);
        store_rollback(st);
        return -1;
    }
    /* Only a manager registers someone (issue 14); the first operator of a store is
     * registered by whoever makes it. */
    if (existing > 0 && !streq(st->operator_role, "manager")) {
        store_rollback(st);
        char *detail = xasprintf("login=%s role=%s refused=not-a-manager", login, role);
        operator_refusal(st, "operator.add.refused", detail);
        free(detail);
        set_err(err, _("only a manager registers operators; you (%s) are registered as %s"),
                st->operator_login, label_role(st->operator_role));
        return -1;
    }
    sqlite3_stmt *s =
        again ? store_stmt(st, "UPDATE operators SET name = ?3, role = ?4, active = 1, "
                               "deleted = 0, updated_at = ?5, hlc = ?6, origin = ?7, "
                               "changed_by = ?8 WHERE id = ?1 AND login = ?2")
              : store_stmt(st, "INSERT INTO operators(id, login, name, role, created_at, "
                               "updated_at, hlc, origin, changed_by) "
                               "VALUES(?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8)");
    bind_text(s, 1, id);
    bind_text(s, 2, login);
    bind_text(s, 3, name && *name ? name : login);
    bind_text(s, 4, role);
    bind_text(s, 5, at);
    bind_int(s, 6, store_hlc_next(st));
    bind_text(s, 7, st->origin);
    /* Who registered them (see 019_operator_changed_by.sql): nobody for a store's first. */
    bind_text(s, 8, st->operator_id[0] ? st->operator_id : NULL);
    if (sqlite3_step(s) != SQLITE_DONE) {
        if ((sqlite3_extended_errcode(st->db)) == SQLITE_CONSTRAINT_UNIQUE)
            set_err(err, _("an operator with login %s already exists"), login);
        else
            store_fail(st, err, _("adding the operator"));
        store_rollback(st);
        return -1;
    }
    char *detail = xasprintf("login=%s role=%s%s", login, role, again ? " again=1" : "");
    int rc = store_audit(st, "operator.add", "operators", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (out_id)
        memcpy(out_id, id, ID_LEN + 1);
    return 0;
}

/* An active operator's id (and role when asked, malloc'd) by login: 1 found,
 * 0 not an active operator, -1 error (*err set). */
static int active_operator(struct store *st, const char *login, char id[ID_LEN + 1], char **role,
                           char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT id, role FROM operators WHERE login = ?1 AND deleted = 0 AND active = 1");
    bind_text(s, 1, login);
    int got = store_one_row(s, err);
    if (got == 1) {
        snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
        if (role)
            *role = col_dup(s, 1);
    }
    sqlite3_reset(s);
    return got;
}

int operator_set_role(struct store *st, const char *login, const char *role, char **err)
{
    if (!operator_role_valid(role)) {
        set_err(err, _("unknown role \"%s\": use operator, engineer, manager or observer"),
                role ? role : "");
        return -1;
    }
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    char *from = NULL;
    int got = active_operator(st, login, id, &from, err);
    if (got < 0)
        return -1;
    if (got == 0) {
        set_err(err, _("%s is not an active operator of this store"), login);
        return -1;
    }
    const char *why = streq(login, st->operator_login)       ? "own-role"
                      : !streq(st->operator_role, "manager") ? "not-a-manager"
                                                             : NULL;
    if (why) {
        char *detail = xasprintf("login=%s role=%s refused=%s", login, role, why);
        operator_refusal(st, "operator.role.refused", detail);
        free(detail);
        if (streq(why, "own-role"))
            set_err(err, _("nobody changes their own role, a manager neither: ask another "
                           "manager"));
        else
            set_err(err, _("only a manager changes roles; you (%s) are registered as %s"),
                    st->operator_login, label_role(st->operator_role));
        free(from);
        return -1;
    }
    if (streq(from, role)) {
        free(from);
        return 0;
    }
    /* Changing a role is signed (issue 14). */
    if (signin_require_fresh(st, "operator.role", err) != 0) {
        free(from);
        return -1;
    }
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    int rc = store_begin(st, err);
    if (rc == 0) {
        sqlite3_stmt *s =
            store_stmt(st, "UPDATE operators SET role = ?2, updated_at = ?3, hlc = ?4, "
                           "origin = ?5, changed_by = ?6 WHERE id = ?1");
        bind_text(s, 1, id);
        bind_text(s, 2, role);
        bind_text(s, 3, at);
        bind_int(s, 4, store_hlc_next(st));
        bind_text(s, 5, st->origin);
        bind_text(s, 6, st->operator_id);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("changing the role"));
        sqlite3_reset(s);
    }
    if (rc == 0) {
        char *detail = xasprintf("login=%s from=%s to=%s", login, from, role);
        rc = store_audit(st, "operator.role", "operators", id, detail, err);
        free(detail);
    }
    free(from);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int operator_may_manage(struct store *st, const char *login, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    int got = active_operator(st, login, id, NULL, err);
    if (got < 0)
        return -1;
    if (got == 0 || streq(login, st->operator_login) || !streq(st->operator_role, "manager")) {
        set_err(err, "%s", login);
        return -1;
    }
    return 0;
}

int operator_deactivate(struct store *st, const char *login, char **err)
{
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    int got = active_operator(st, login, id, NULL, err);
    if (got < 0)
        return -1;
    if (got == 0) {
        set_err(err, _("%s is not an active operator of this store"), login);
        return -1;
    }
    const char *why = streq(login, st->operator_login)       ? "self"
                      : !streq(st->operator_role, "manager") ? "not-a-manager"
                                                             : NULL;
    if (why) {
        char *detail = xasprintf("login=%s refused=%s", login, why);
        operator_refusal(st, "operator.deactivate.refused", detail);
        free(detail);
        if (streq(why, "self"))
            set_err(err, _("nobody deactivates themselves: ask another manager"));
        else
            set_err(err, _("only a manager deactivates operators; you (%s) are registered as %s"),
                    st->operator_login, label_role(st->operator_role));
        return -1;
    }
    if (signin_require_fresh(st, "operator.deactivate", err) != 0)
        return -1;
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    int rc = store_begin(st, err);
    if (rc == 0) {
        sqlite3_stmt *s =
            store_stmt(st, "UPDATE operators SET active = 0, updated_at = ?2, hlc = ?3, "
                           "origin = ?4, changed_by = ?5 WHERE id = ?1");
        bind_text(s, 1, id);
        bind_text(s, 2, at);
        bind_int(s, 3, store_hlc_next(st));
        bind_text(s, 4, st->origin);
        bind_text(s, 5, st->operator_id);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("deactivating the operator"));
        sqlite3_reset(s);
    }
    if (rc == 0) {
        char *detail = xasprintf("login=%s", login);
        rc = store_audit(st, "operator.deactivate", "operators", id, detail, err);
        free(detail);
    }
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    signin_forget(login);
    return 0;
}

int operator_act_as(struct store *st, const char *login, char **err)
{
    if (!login || !*login)
        login = store_own_login();
    if (store_require_operator(st, err) != 0)
        return -1;
    if (!st->demo) {
        set_err(err, _("acting as someone else (:as) works only in a demo or test store; at a "
                       "shared terminal the next person signs in with :switch"));
        return -1;
    }
    char id[ID_LEN + 1];
    int got = active_operator(st, login, id, NULL, err);
    if (got < 0)
        return -1;
    if (got == 0) {
        set_err(err, _("%s is not an active operator of this store (register with :operator add)"),
                login);
        return -1;
    }
    if (streq(login, st->operator_login))
        return 0;
    if (store_begin(st, err) != 0)
        return -1;
    char *detail = xasprintf("from=%s to=%s", st->operator_login, login);
    int rc = store_audit(st, "operator.act_as", "operators", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    store_set_acting_login(login);
    store_forget_operator(st);
    if (store_require_operator(st, err) != 0)
        return -1;
    return 0;
}

int operator_find(struct store *st, const char *login, char *id, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM operators WHERE login = ?1 AND deleted = 0");
    bind_text(s, 1, login);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        if (got == 0)
            set_err(err, _("no operator with login %s"), login);
        return -1;
    }
    snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    sqlite3_reset(s);
    return 0;
}

char *operator_display_name(struct store *st, const char *login)
{
    if (!login || !*login)
        return xstrdup(_("automatic run"));
    if (streq(login, OPERATOR_CHECK_LOGIN))
        return xstrdup(_("check run"));
    sqlite3_stmt *s = store_stmt(st, "SELECT name FROM operators WHERE login = ?1 AND deleted = 0");
    bind_text(s, 1, login);
    char *err = NULL;
    int rc = store_one_row(s, &err);
    const char *name = rc == 1 ? col_text(s, 0) : NULL;
    char *out = xstrdup(name && *name ? name : login);
    sqlite3_reset(s);
    free(err);
    return out;
}

int operator_list_active(struct store *st, const char *except_id, struct operator_brief **out,
                         size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT login, name FROM operators WHERE deleted = 0 AND "
                                     "active = 1 AND (?1 IS NULL OR id <> ?1) ORDER BY login");
    bind_text(s, 1, except_id);
    struct operator_brief *v = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        v[k].login = col_dup(s, 0);
        v[k].name = col_dup(s, 1);
        k++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        operator_briefs_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

void operator_briefs_free(struct operator_brief *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].login), free(v[i].name);
    free(v);
}

int operator_list_all(struct store *st, struct operator_row **out, size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT login, name, role, active, created_at "
                                     "FROM operators WHERE deleted = 0 ORDER BY login");
    struct operator_row *v = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        v[k].login = col_dup(s, 0);
        v[k].name = col_dup(s, 1);
        v[k].role = col_dup(s, 2);
        v[k].active = sqlite3_column_int(s, 3);
        v[k].created_at = col_dup(s, 4);
        k++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        operator_rows_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

void operator_rows_free(struct operator_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].login), free(v[i].name), free(v[i].role), free(v[i].created_at);
    free(v);
}
