#include "ledger.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

const char *ledger_label(const char *ctx_id)
{
    const char *t = gettext(ctx_id);
    if (t == ctx_id) {
        const char *sep = strchr(ctx_id, '\004');
        return sep ? sep + 1 : ctx_id;
    }
    return t;
}

/* ---- shared helpers ---- */
int ledger_key_valid(const char *const *keys, const char *k)
{
    if (!k)
        return 0;
    for (; *keys; keys++)
        if (streq(*keys, k))
            return 1;
    return 0;
}

char *ledger_key_list(const char *const *keys)
{
    struct strbuf sb = STRBUF_INIT;
    for (; *keys; keys++) {
        if (sb.len)
            sb_puts(&sb, ", ");
        sb_puts(&sb, *keys);
    }
    return sb_detach(&sb);
}

const char *ledger_iso(int64_t ms, char *buf)
{
    if (ms <= 0)
        return NULL;
    time_format_iso(ms, buf);
    return buf;
}

int64_t ledger_ms(const char *iso)
{
    int64_t ms;
    if (!iso || time_parse(iso, &ms) != 0)
        return 0;
    return ms;
}

int ledger_find(sqlite3_stmt *by_id, sqlite3_stmt *by_ref, const char *ref_or_id,
                char id[ID_LEN + 1], char **err)
{
    sqlite3_stmt *s = id_valid(ref_or_id) ? by_id : by_ref;
    char norm[24];
    ledger_norm_ref(ref_or_id, norm);
    bind_text(s, 1, id_valid(ref_or_id) ? ref_or_id : norm);
    int n = 0, step;
    while ((step = store_next_row(s, err)) == 1)
        if (n++ == 0)
            snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    sqlite3_reset(s);
    return step < 0 ? -1 : n;
}

int ledger_created(struct store *st, int rc, const char *id, const char *ref, char *out_id,
                   char *out_ref, char **err)
{
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    if (store_commit(st, err) != 0)
        return -1;
    if (out_id)
        snprintf(out_id, ID_LEN + 1, "%s", id);
    if (out_ref)
        snprintf(out_ref, 24, "%s", ref);
    return 0;
}

int ledger_insert_event(struct store *st, sqlite3_stmt *s, const char *owner_id, const char *kind,
                        const char *note, const char *data, int64_t at)
{
    char id[ID_LEN + 1], ts[TIME_ISO_LEN + 1];
    id_new_at(id, at);
    time_format_iso(at, ts);
    bind_text(s, 1, id);
    bind_text(s, 2, owner_id);
    bind_text(s, 3, kind);
    bind_text(s, 4, note && *note ? note : NULL);
    bind_text(s, 5, data);
    bind_text(s, 6, st->operator_id);
    bind_text(s, 7, ts);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

void ledger_norm_ref(const char *in, char out[24])
{
    /* "inc-20261124-B4C3" -> "INC-20261124-b4c3": the prefix is upper case, the
     * id part lower case, as made by ledger_ref. */
    size_t i = 0;
    int dashes = 0;
    for (; in[i] && i < 23; i++) {
        char c = in[i];
        if (c == '-')
            dashes++;
        if (dashes < 2 && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (dashes >= 2 && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[i] = c;
    }
    out[i] = '\0';
}

void ledger_ref(const char *prefix, const char *id, int64_t ms, char out[24])
{
    char day[16];
    time_format_jst_date(ms, day);
    snprintf(out, 24, "%s-%.4s%.2s%.2s-%.4s", prefix, day, day + 5, day + 8, id + 24);
}

int ledger_library(struct store *st, const char *code, char id[ID_LEN + 1], char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT id FROM libraries WHERE code = ?1 COLLATE NOCASE AND deleted = 0");
    bind_text(s, 1, code);
    int got = code ? store_one_row(s, err) : 0;
    if (got < 0)
        return -1;
    if (got) {
        snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
        sqlite3_reset(s);
        return 0;
    }
    sqlite3_reset(s);
    struct strbuf known = STRBUF_INIT;
    s = store_stmt(st, "SELECT code FROM libraries WHERE deleted = 0 ORDER BY code");
    while ((got = store_next_row(s, err)) == 1) {
        if (known.len)
            sb_puts(&known, ", ");
        sb_puts(&known, col_text(s, 0));
    }
    sqlite3_reset(s);
    if (got < 0) {
        sb_free(&known);
        return -1;
    }
    set_err(err, _("unknown library \"%s\" (known: %s)"), code ? code : "",
            known.len ? known.buf : _("none; run unyo init"));
    sb_free(&known);
    return -1;
}

int ledger_operator(struct store *st, const char *login, char id[ID_LEN + 1], char role[16],
                    char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id, role FROM operators WHERE login = ?1 AND "
                                     "deleted = 0 AND active = 1");
    bind_text(s, 1, login);
    int got = login ? store_one_row(s, err) : 0;
    if (got < 0)
        return -1;
    if (!got) {
        sqlite3_reset(s);
        set_err(err, _("unknown operator \"%s\" (see unyo operator list)"), login ? login : "");
        return -1;
    }
    snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    if (role)
        snprintf(role, 16, "%s", col_text(s, 1));
    sqlite3_reset(s);
    return 0;
}

int ledger_add_link(struct store *st, const char *from_kind, const char *from_id,
                    const char *to_kind, const char *to_id, const char *note, char **err)
{
    return ledger_add_link_id(st, from_kind, from_id, to_kind, to_id, note, NULL, err);
}

int ledger_add_link_id(struct store *st, const char *from_kind, const char *from_id,
                       const char *to_kind, const char *to_id, const char *note,
                       char out_id[ID_LEN + 1], char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO links(id, from_kind, from_id, to_kind, to_id, note, created_by, "
            "created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, "
            "?10)");
    char id[ID_LEN + 1], now[TIME_ISO_LEN + 1];
    int64_t ms = time_now_ms();
    id_new_at(id, ms);
    time_format_iso(ms, now);
    bind_text(s, 1, id);
    bind_text(s, 2, from_kind);
    bind_text(s, 3, from_id);
    bind_text(s, 4, to_kind);
    bind_text(s, 5, to_id);
    bind_text(s, 6, note);
    bind_text(s, 7, st->operator_id);
    bind_text(s, 8, now);
    bind_int(s, 9, store_hlc_next(st));
    bind_text(s, 10, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("linking records"));
    if (out_id)
        memcpy(out_id, id, ID_LEN + 1);
    return 0;
}

void ledger_links_free(struct ledger_link *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(l[i].kind);
        free(l[i].id);
        free(l[i].label);
        free(l[i].note);
    }
    free(l);
}

int ledger_events_read(sqlite3_stmt *s, struct ledger_event **rows, size_t *n, char **err)
{
    int cols = sqlite3_column_count(s);
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        *rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
        struct ledger_event *r = &(*rows)[(*n)++];
        r->kind = col_dup(s, 0);
        r->note = col_dup(s, 1);
        r->operator_login = col_dup(s, 2);
        r->at = ledger_ms(col_text(s, 3));
        r->data = cols > 4 ? col_dup(s, 4) : NULL;
        r->operator_name = cols > 5 ? col_dup(s, 5) : NULL;
    }
    sqlite3_reset(s);
    if (rc < 0) {
        ledger_events_free(*rows, *n);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

void ledger_events_free(struct ledger_event *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].kind);
        free(rows[i].note);
        free(rows[i].operator_login);
        free(rows[i].data);
        free(rows[i].operator_name);
    }
    free(rows);
}
