/* People who act in unyo: operators (運用支援), engineers (維持管理), managers (PM/PL). */
#ifndef UNYO_OPERATORS_H
#define UNYO_OPERATORS_H

struct store;

/* The login check results are recorded by (checklist.h: CHECKLIST_CHECK_ACTOR): an inactive
 * operator row, never a person. */
#define OPERATOR_CHECK_LOGIN "unyo-check"

int operator_role_valid(const char *role);
/* Adds an operator. While the store has no active one, anyone may add the first
 * (`unyo init` suggests yourself, as a manager); after that the acting OS user must
 * be a registered operator (recorded in audit). A login that was deactivated or
 * removed is registered again. out_id (ID_LEN + 1 bytes) may be NULL. */
int operator_add(struct store *st, const char *login, const char *name, const char *role,
                 char *out_id, char **err);
/* Changes login's role (issue 14): only a manager does, and nobody changes their own
 * role (a manager neither). A refusal writes nothing but its audit row
 * ("operator.role.refused"); a change is audited as "operator.role" (from, to). */
int operator_set_role(struct store *st, const char *login, const char *role, char **err);
/* 0 when the acting operator may manage login (a manager; login an active operator and
 * not themselves): the CLI asks for the passphrase only then, and lets the act itself
 * refuse (and audit) otherwise. -1 (err set, a bare word) else. Checks nothing else. */
int operator_may_manage(struct store *st, const char *login, char **err);
/* Deactivates login (issue 14): only a manager does, never themselves; a signed act. A
 * deactivated operator cannot sign in or act (store_require_operator and src/signin.c
 * look at active). Audited as "operator.deactivate"; a refusal as
 * "operator.deactivate.refused". */
int operator_deactivate(struct store *st, const char *login, char **err);
/* Looks an operator up by login; returns 0 and fills id (ID_LEN + 1) or -1. */
int operator_find(struct store *st, const char *login, char *id, char **err);

/* What a person reads for login (issue 13: people by name, never by login):
 * the operator's display name; "自動チェック" (check run) for the checks' actor
 * (OPERATOR_CHECK_LOGIN) and "自動実行" for NULL or "" (a job run by the scheduler, nobody at a
 * keyboard); login itself for a login no operator has (a removed one, another store's). malloc'd.
 */
char *operator_display_name(struct store *st, const char *login);

/* A second person at the keyboard (`:as LOGIN`): from now on this process acts as login,
 * a registered, active operator (store_set_acting_login); NULL, "" or the process's own
 * login goes back to it. Audited as "operator.act_as" by the person who handed the
 * keyboard over, naming both. st's operator is re-read. 0 or -1 (err; nothing changed). */
int operator_act_as(struct store *st, const char *login, char **err);

#include <stddef.h>
struct operator_brief {
    char *login, *name;
};
/* The active operators by login, leaving out except_id (may be NULL): whom a
 * handover can be addressed to. */
int operator_list_active(struct store *st, const char *except_id, struct operator_brief **out,
                         size_t *n, char **err);
void operator_briefs_free(struct operator_brief *v, size_t n);

/* Every operator not deleted, by login: what `unyo operator list` shows. created_at
 * is the UTC text as stored. 0 and *out (free with operator_rows_free) or -1 (err). */
struct operator_row {
    char *login, *name, *role, *created_at;
    int active;
};
int operator_list_all(struct store *st, struct operator_row **out, size_t *n, char **err);
void operator_rows_free(struct operator_row *v, size_t n);

#endif
