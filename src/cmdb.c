#include "cmdb.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

const char *const cmdb_kinds[] = {"software",   "patch",  "hardware", "account",
                                  "permission", "policy", "other",    NULL};

int cmdb_kind_valid(const char *kind)
{
    for (size_t i = 0; kind && cmdb_kinds[i]; i++)
        if (streq(cmdb_kinds[i], kind))
            return 1;
    return 0;
}

const char *cmdb_op_name(enum cmdb_op op)
{
    switch (op) {
    case CMDB_ADD:
        return "add";
    case CMDB_SET:
        return "set";
    case CMDB_REMOVE:
        return "remove";
    }
    return "add";
}

void cmdb_effect_clear(struct cmdb_effect *e)
{
    free(e->kind), free(e->host), free(e->name);
    free(e->version), free(e->location), free(e->detail);
    memset(e, 0, sizeof *e);
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

static int attr_set(struct cmdb_effect *e, const char *attr, const char *value, char **err)
{
    if (streq(attr, "location")) {
        free(e->location);
        e->location = xstrdup(value);
    } else if (streq(attr, "version")) {
        free(e->version);
        e->version = xstrdup(value);
    } else if (streq(attr, "detail")) {
        free(e->detail);
        e->detail = xstrdup(value);
    } else if (streq(attr, "quantity")) {
        char *end;
        long long q = strtoll(value, &end, 10);
        if (!*value || *end || q < 0) {
            set_err(err, _("quantity= takes a whole number, not %s"), value);
            return -1;
        }
        e->has_quantity = 1;
        e->quantity = q;
    } else {
        set_err(err,
                _("unknown attribute %s= (expected location=, version=, detail= or quantity=)"),
                attr);
        return -1;
    }
    return 0;
}

int cmdb_effect_parse(const char *spec, struct cmdb_effect *out, char **err)
{
    memset(out, 0, sizeof *out);
    const char *c1 = spec ? strchr(spec, ':') : NULL;
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2) {
        set_err(err, _("config effect %s: expected KIND:HOST:VALUE, e.g. patch:lib-ap01:KB5031234"),
                spec ? spec : "");
        return -1;
    }
    out->kind = trim_dup(spec, (size_t)(c1 - spec));
    out->host = trim_dup(c1 + 1, (size_t)(c2 - c1 - 1));
    char *value = trim_dup(c2 + 1, strlen(c2 + 1));
    if (!cmdb_kind_valid(out->kind)) {
        set_err(err,
                _("config effect %s: unknown kind %s (expected software, patch, hardware, "
                  "account, permission, policy or other)"),
                spec, out->kind);
        goto fail;
    }
    if (!out->host[0] || !value[0]) {
        set_err(err, _("config effect %s: the host and the value must not be empty"), spec);
        goto fail;
    }
    out->op = streq(out->kind, "patch") ? CMDB_ADD : CMDB_SET;
    size_t len = strlen(value);
    if (len > 1 && (value[len - 1] == '+' || value[len - 1] == '-') && !strchr(value, '=')) {
        out->op = value[len - 1] == '+' ? CMDB_ADD : CMDB_REMOVE;
        value[--len] = 0;
        while (len && isspace((unsigned char)value[len - 1]))
            value[--len] = 0;
    }
    char *eq = strchr(value, '=');
    if (eq) {
        /* [NAME ]ATTR=VALUE: the word before '=' is the attribute. */
        char *left = trim_dup(value, (size_t)(eq - value));
        char *sp = strrchr(left, ' ');
        const char *attr = sp ? sp + 1 : left;
        char *name = sp ? trim_dup(left, (size_t)(sp - left)) : xstrdup(out->host);
        char *val = trim_dup(eq + 1, strlen(eq + 1));
        int rc = attr_set(out, attr, val, err);
        if (rc != 0) {
            char *inner = *err;
            *err = NULL;
            set_err(err, _("config effect %s: %s"), spec, inner);
            free(inner);
        }
        free(left), free(val);
        out->name = name;
        if (rc != 0)
            goto fail;
        out->op = CMDB_SET;
    } else if (streq(out->kind, "software")) {
        /* "nginx 1.22.1": a last word starting with a digit (or v1.2) is the version. */
        char *sp = strrchr(value, ' ');
        const char *last = sp ? sp + 1 : NULL;
        if (last && (isdigit((unsigned char)last[0]) ||
                     (last[0] == 'v' && isdigit((unsigned char)last[1])))) {
            out->name = trim_dup(value, (size_t)(sp - value));
            out->version = xstrdup(last);
        } else {
            out->name = xstrdup(value);
        }
    } else {
        out->name = xstrdup(value);
    }
    if (!out->name[0]) {
        set_err(err, _("config effect %s: the name must not be empty"), spec);
        goto fail;
    }
    free(value);
    return 0;
fail:
    free(value);
    cmdb_effect_clear(out);
    return -1;
}

static int host_id_of(struct store *st, const char *name, char id[ID_LEN + 1], char **err)
{
    int rc = host_id_by_name(st, name, id, err);
    if (rc == 0)
        set_err(err, _("unknown host %s (not in the hosts inventory)"), name);
    return rc == 1 ? 0 : -1;
}

int cmdb_effect_declare(struct store *st, const char *change_id, int seq, const char *spec,
                        char **err)
{
    struct cmdb_effect e;
    if (cmdb_effect_parse(spec, &e, err) != 0)
        return -1;
    char host_id[ID_LEN + 1];
    if (host_id_of(st, e.host, host_id, err) != 0) {
        cmdb_effect_clear(&e);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO change_effects(id, change_id, seq, spec, kind, host_id, name, op, "
            "version, location, detail, quantity, created_at, updated_at, hlc, origin) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15)");
    char id[ID_LEN + 1], now[TIME_ISO_LEN + 1];
    int64_t ms = time_now_ms();
    id_new_at(id, ms);
    time_format_iso(ms, now);
    bind_text(s, 1, id);
    bind_text(s, 2, change_id);
    bind_int(s, 3, seq);
    bind_text(s, 4, spec);
    bind_text(s, 5, e.kind);
    bind_text(s, 6, host_id);
    bind_text(s, 7, e.name);
    bind_text(s, 8, cmdb_op_name(e.op));
    bind_text(s, 9, e.version);
    bind_text(s, 10, e.location);
    bind_text(s, 11, e.detail);
    if (e.has_quantity)
        bind_int(s, 12, e.quantity);
    bind_text(s, 13, now);
    bind_int(s, 14, store_hlc_next(st));
    bind_text(s, 15, st->origin);
    int rc =
        sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("recording a config effect"));
    cmdb_effect_clear(&e);
    return rc;
}

struct effect_rec {
    char id[ID_LEN + 1];
    char *kind, *host_id, *name, *op, *version, *location, *detail, *item_id, *prev_state;
    int has_quantity;
    int64_t quantity;
    char *prev_version, *prev_location, *prev_detail, *prev_change_id, *prev_applied_at;
    int prev_has_quantity, prev_deleted;
    int64_t prev_quantity;
};

static void effect_rec_free(struct effect_rec *r)
{
    free(r->kind), free(r->host_id), free(r->name), free(r->op), free(r->version);
    free(r->location), free(r->detail), free(r->item_id), free(r->prev_state);
    free(r->prev_version), free(r->prev_location), free(r->prev_detail);
    free(r->prev_change_id), free(r->prev_applied_at);
}

static int load_effects(struct store *st, const char *change_id, struct effect_rec **out, size_t *n,
                        char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT id, kind, host_id, name, op, version, location, detail, quantity, "
                       "config_item_id, prev_state, prev_version, prev_location, prev_detail, "
                       "prev_quantity, prev_deleted, prev_change_id, prev_applied_at "
                       "FROM change_effects WHERE change_id = ?1 AND deleted = 0 ORDER BY seq");
    bind_text(s, 1, change_id);
    struct effect_rec *v = NULL;
    size_t cnt = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        v = xrealloc(v, (cnt + 1) * sizeof *v);
        struct effect_rec *r = &v[cnt++];
        memset(r, 0, sizeof *r);
        snprintf(r->id, sizeof r->id, "%s", col_text(s, 0));
        r->kind = col_dup(s, 1);
        r->host_id = col_dup(s, 2);
        r->name = col_dup(s, 3);
        r->op = col_dup(s, 4);
        r->version = col_dup(s, 5);
        r->location = col_dup(s, 6);
        r->detail = col_dup(s, 7);
        r->has_quantity = sqlite3_column_type(s, 8) != SQLITE_NULL;
        r->quantity = sqlite3_column_int64(s, 8);
        r->item_id = col_dup(s, 9);
        r->prev_state = col_dup(s, 10);
        r->prev_version = col_dup(s, 11);
        r->prev_location = col_dup(s, 12);
        r->prev_detail = col_dup(s, 13);
        r->prev_has_quantity = sqlite3_column_type(s, 14) != SQLITE_NULL;
        r->prev_quantity = sqlite3_column_int64(s, 14);
        r->prev_deleted = sqlite3_column_int(s, 15);
        r->prev_change_id = col_dup(s, 16);
        r->prev_applied_at = col_dup(s, 17);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < cnt; i++)
            effect_rec_free(&v[i]);
        free(v);
        return store_fail(st, err, _("reading config effects"));
    }
    *out = v;
    *n = cnt;
    return 0;
}

static int apply_one(struct store *st, const char *change_id, struct effect_rec *r, const char *now,
                     char **err)
{
    sqlite3_stmt *f = store_stmt(
        st, "SELECT id, version, location, detail, quantity, deleted, change_id, applied_at "
            "FROM config_items WHERE host_id IS ?1 AND kind = ?2 AND name = ?3 "
            "ORDER BY deleted, updated_at DESC LIMIT 1");
    bind_text(f, 1, r->host_id);
    bind_text(f, 2, r->kind);
    bind_text(f, 3, r->name);
    char item[ID_LEN + 1] = "";
    const char *prev_state = "absent";
    int got = store_one_row(f, err);
    if (got < 0)
        return -1; /* never record an item that exists as absent */
    if (got) {
        snprintf(item, sizeof item, "%s", col_text(f, 0));
        r->prev_version = col_dup(f, 1);
        r->prev_location = col_dup(f, 2);
        r->prev_detail = col_dup(f, 3);
        r->prev_has_quantity = sqlite3_column_type(f, 4) != SQLITE_NULL;
        r->prev_quantity = sqlite3_column_int64(f, 4);
        r->prev_deleted = sqlite3_column_int(f, 5);
        r->prev_change_id = col_dup(f, 6);
        r->prev_applied_at = col_dup(f, 7);
        prev_state = "existed";
    }
    sqlite3_reset(f);
    int remove = streq(r->op, "remove");
    if (item[0]) {
        sqlite3_stmt *u = store_stmt(
            st, "UPDATE config_items SET version = coalesce(?2, version), "
                "location = coalesce(?3, location), detail = coalesce(?4, detail), "
                "quantity = coalesce(?5, quantity), deleted = ?6, change_id = ?7, "
                "applied_at = ?8, updated_at = ?8, hlc = ?9, origin = ?10 WHERE id = ?1");
        bind_text(u, 1, item);
        bind_text(u, 2, r->version);
        bind_text(u, 3, r->location);
        bind_text(u, 4, r->detail);
        if (r->has_quantity)
            bind_int(u, 5, r->quantity);
        bind_int(u, 6, remove ? 1 : 0);
        bind_text(u, 7, change_id);
        bind_text(u, 8, now);
        bind_int(u, 9, store_hlc_next(st));
        bind_text(u, 10, st->origin);
        if (sqlite3_step(u) != SQLITE_DONE)
            return store_fail(st, err, _("updating a configuration record"));
    } else if (!remove) {
        id_new(item);
        sqlite3_stmt *i = store_stmt(
            st, "INSERT INTO config_items(id, host_id, kind, name, version, location, detail, "
                "quantity, applied_at, change_id, created_at, updated_at, hlc, origin) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?9, ?11, ?12)");
        bind_text(i, 1, item);
        bind_text(i, 2, r->host_id);
        bind_text(i, 3, r->kind);
        bind_text(i, 4, r->name);
        bind_text(i, 5, r->version);
        bind_text(i, 6, r->location);
        bind_text(i, 7, r->detail);
        if (r->has_quantity)
            bind_int(i, 8, r->quantity);
        bind_text(i, 9, now);
        bind_text(i, 10, change_id);
        bind_int(i, 11, store_hlc_next(st));
        bind_text(i, 12, st->origin);
        if (sqlite3_step(i) != SQLITE_DONE)
            return store_fail(st, err, _("adding a configuration record"));
        prev_state = "new";
    }
    sqlite3_stmt *e = store_stmt(
        st, "UPDATE change_effects SET config_item_id = ?2, applied_at = ?3, prev_state = ?4, "
            "prev_version = ?5, prev_location = ?6, prev_detail = ?7, prev_quantity = ?8, "
            "prev_deleted = ?9, prev_change_id = ?10, prev_applied_at = ?11, updated_at = ?3, "
            "hlc = ?12, origin = ?13 WHERE id = ?1");
    bind_text(e, 1, r->id);
    bind_text(e, 2, item[0] ? item : NULL);
    bind_text(e, 3, now);
    bind_text(e, 4, prev_state);
    bind_text(e, 5, r->prev_version);
    bind_text(e, 6, r->prev_location);
    bind_text(e, 7, r->prev_detail);
    if (r->prev_has_quantity)
        bind_int(e, 8, r->prev_quantity);
    bind_int(e, 9, r->prev_deleted);
    bind_text(e, 10, r->prev_change_id);
    bind_text(e, 11, r->prev_applied_at);
    bind_int(e, 12, store_hlc_next(st));
    bind_text(e, 13, st->origin);
    if (sqlite3_step(e) != SQLITE_DONE)
        return store_fail(st, err, _("recording a config effect"));
    if (item[0] && store_audit(st, remove ? "config.remove" : "config.apply", "config_items", item,
                               r->name, err) != 0)
        return -1;
    return 0;
}

int cmdb_effects_apply(struct store *st, const char *change_id, int *applied, char **err)
{
    struct effect_rec *v;
    size_t n;
    if (load_effects(st, change_id, &v, &n, err) != 0)
        return -1;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = apply_one(st, change_id, &v[i], now, err);
    for (size_t i = 0; i < n; i++)
        effect_rec_free(&v[i]);
    free(v);
    if (rc == 0 && applied)
        *applied = (int)n;
    return rc;
}

int cmdb_effects_revert(struct store *st, const char *change_id, int *reverted, char **err)
{
    struct effect_rec *v;
    size_t n;
    if (load_effects(st, change_id, &v, &n, err) != 0)
        return -1;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    int rc = 0, count = 0;
    /* Newest first, so two effects on one record unwind in order. */
    for (size_t k = n; k-- > 0 && rc == 0;) {
        struct effect_rec *r = &v[k];
        if (!r->item_id || !r->prev_state || streq(r->prev_state, "absent"))
            continue;
        sqlite3_stmt *u;
        if (streq(r->prev_state, "new")) {
            u = store_stmt(st, "UPDATE config_items SET deleted = 1, updated_at = ?2, hlc = ?3, "
                               "origin = ?4 WHERE id = ?1");
            bind_text(u, 1, r->item_id);
            bind_text(u, 2, now);
            bind_int(u, 3, store_hlc_next(st));
            bind_text(u, 4, st->origin);
        } else {
            u = store_stmt(st, "UPDATE config_items SET version = ?2, location = ?3, detail = ?4, "
                               "quantity = ?5, deleted = ?6, change_id = ?7, applied_at = ?8, "
                               "updated_at = ?9, hlc = ?10, origin = ?11 WHERE id = ?1");
            bind_text(u, 1, r->item_id);
            bind_text(u, 2, r->prev_version);
            bind_text(u, 3, r->prev_location);
            bind_text(u, 4, r->prev_detail);
            if (r->prev_has_quantity)
                bind_int(u, 5, r->prev_quantity);
            bind_int(u, 6, r->prev_deleted);
            bind_text(u, 7, r->prev_change_id);
            bind_text(u, 8, r->prev_applied_at);
            bind_text(u, 9, now);
            bind_int(u, 10, store_hlc_next(st));
            bind_text(u, 11, st->origin);
        }
        if (sqlite3_step(u) != SQLITE_DONE) {
            rc = store_fail(st, err, _("restoring a configuration record"));
            break;
        }
        rc = store_audit(st, "config.revert", "config_items", r->item_id, r->name, err);
        count++;
    }
    for (size_t i = 0; i < n; i++)
        effect_rec_free(&v[i]);
    free(v);
    if (rc == 0 && reverted)
        *reverted = count;
    return rc;
}

int cmdb_effects_of(struct store *st, const char *change_id, struct cmdb_effect_row **out,
                    size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT e.seq, e.spec, e.kind, h.name, e.name, e.op, e.applied_at, e.prev_state "
            "FROM change_effects e LEFT JOIN hosts h ON h.id = e.host_id "
            "WHERE e.change_id = ?1 AND e.deleted = 0 ORDER BY e.seq");
    bind_text(s, 1, change_id);
    struct cmdb_effect_row *v = NULL;
    size_t cnt = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        v = xrealloc(v, (cnt + 1) * sizeof *v);
        struct cmdb_effect_row *r = &v[cnt++];
        r->seq = sqlite3_column_int(s, 0);
        r->spec = col_dup(s, 1);
        r->kind = col_dup(s, 2);
        r->host = col_dup(s, 3);
        r->name = col_dup(s, 4);
        r->op = col_dup(s, 5);
        r->applied_at = col_dup(s, 6);
        r->prev_state = col_dup(s, 7);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        cmdb_effect_rows_free(v, cnt);
        return store_fail(st, err, _("reading config effects"));
    }
    *out = v;
    *n = cnt;
    return 0;
}

void cmdb_effect_rows_free(struct cmdb_effect_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct cmdb_effect_row *r = &rows[i];
        free(r->spec), free(r->kind), free(r->host), free(r->name), free(r->op);
        free(r->applied_at), free(r->prev_state);
    }
    free(rows);
}

int cmdb_list(struct store *st, const char *host, const char *kind, struct cmdb_item_row **out,
              size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    if (kind && !cmdb_kind_valid(kind)) {
        set_err(err,
                _("unknown kind %s (expected software, patch, hardware, account, "
                  "permission, policy or other)"),
                kind);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(
        st, "SELECT c.id, h.name, c.kind, c.name, c.version, c.location, c.detail, c.quantity, "
            "c.applied_at, ch.ref FROM config_items c LEFT JOIN hosts h ON h.id = c.host_id "
            "LEFT JOIN changes ch ON ch.id = c.change_id "
            "WHERE c.deleted = 0 AND (?1 IS NULL OR h.name = ?1) AND (?2 IS NULL OR c.kind = ?2) "
            "ORDER BY h.name, c.kind, c.name");
    bind_text(s, 1, host);
    bind_text(s, 2, kind);
    struct cmdb_item_row *v = NULL;
    size_t cnt = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        v = xrealloc(v, (cnt + 1) * sizeof *v);
        struct cmdb_item_row *r = &v[cnt++];
        memset(r, 0, sizeof *r);
        snprintf(r->id, sizeof r->id, "%s", col_text(s, 0));
        r->host = col_dup(s, 1);
        r->kind = col_dup(s, 2);
        r->name = col_dup(s, 3);
        r->version = col_dup(s, 4);
        r->location = col_dup(s, 5);
        r->detail = col_dup(s, 6);
        r->has_quantity = sqlite3_column_type(s, 7) != SQLITE_NULL;
        r->quantity = sqlite3_column_int64(s, 7);
        r->applied_at = col_dup(s, 8);
        r->change_ref = col_dup(s, 9);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        cmdb_item_rows_free(v, cnt);
        return store_fail(st, err, _("reading configuration records"));
    }
    *out = v;
    *n = cnt;
    return 0;
}

void cmdb_item_rows_free(struct cmdb_item_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct cmdb_item_row *r = &rows[i];
        free(r->host), free(r->kind), free(r->name), free(r->version), free(r->location);
        free(r->detail), free(r->applied_at), free(r->change_ref);
    }
    free(rows);
}
