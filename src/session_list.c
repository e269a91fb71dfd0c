#include "session_list.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

int session_list(struct store *st, const char *host, int limit, struct session_row **out, size_t *n,
                 char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT s.id, s.host_name, o.login, s.started_at, s.ended_at, s.exit_status, "
            "s.end_reason, length(s.transcript) FROM ssh_sessions s "
            "LEFT JOIN operators o ON o.id = s.operator_id "
            "WHERE s.deleted = 0 AND (?1 IS NULL OR s.host_name = ?1) "
            "ORDER BY s.started_at DESC LIMIT ?2");
    bind_text(s, 1, host);
    bind_int(s, 2, limit > 0 ? limit : 100);
    struct session_row *v = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        struct session_row *r = &v[k++];
        r->id = col_dup(s, 0);
        r->host = col_dup(s, 1);
        r->operator_login = col_dup(s, 2);
        r->started_at = col_dup(s, 3);
        r->ended_at = col_dup(s, 4);
        r->has_exit = sqlite3_column_type(s, 5) != SQLITE_NULL;
        r->exit_status = sqlite3_column_int(s, 5);
        r->end_reason = col_dup(s, 6);
        r->length = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
    }
    sqlite3_reset(s);
    if (step < 0) {
        session_rows_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

void session_rows_free(struct session_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id), free(v[i].host), free(v[i].operator_login);
        free(v[i].started_at), free(v[i].ended_at), free(v[i].end_reason);
    }
    free(v);
}

int session_recording_by_prefix(struct store *st, const char *id, char full_id[ID_LEN + 1],
                                char **data, size_t *len, char **err)
{
    *data = NULL;
    *len = 0;
    if (!id || !*id)
        return 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT transcript, id FROM ssh_sessions WHERE (id = ?1 OR id "
                                     "LIKE ?1 || '%') AND deleted = 0 LIMIT 2");
    bind_text(s, 1, id);
    int rc = store_one_row(s, err);
    if (rc != 1) {
        sqlite3_reset(s);
        return rc;
    }
    if (full_id)
        snprintf(full_id, ID_LEN + 1, "%s", col_text(s, 1) ? col_text(s, 1) : "");
    const void *b = sqlite3_column_blob(s, 0);
    size_t n = (size_t)sqlite3_column_bytes(s, 0);
    char *blob = NULL;
    if (b) {
        blob = xmalloc(n + 1);
        memcpy(blob, b, n);
        blob[n] = '\0';
    }
    int more = store_next_row(s, err);
    sqlite3_reset(s);
    if (more != 0) {
        free(blob);
        return more < 0 ? -1 : 2;
    }
    *data = blob;
    *len = blob ? n : 0;
    return 1;
}
