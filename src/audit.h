/* The audit trail (the audit table: 業務ログ / 更新ログ), read back. Rows are
 * appended by store_audit (src/store.h). */
#ifndef UNYO_AUDIT_H
#define UNYO_AUDIT_H

#include <stddef.h>

struct store;

struct audit_row {
    char *at;             /* UTC text as stored */
    char *operator_login; /* NULL for system work */
    char *action, *kind, *row_id, *detail;
};

/* The newest limit audit rows, newest first: what `unyo audit` shows. 0 and *out
 * (free with audit_rows_free) or -1 (err). */
int audit_list(struct store *st, long limit, struct audit_row **out, size_t *n, char **err);
void audit_rows_free(struct audit_row *v, size_t n);

#endif
