#include "libraries.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "id.h"
#include "store.h"
#include "timefmt.h"
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

int library_kind_valid(const char *kind)
{
    return kind && (streq(kind, "central") || streq(kind, "branch") || streq(kind, "center") ||
                    streq(kind, "datacenter") || streq(kind, "office"));
}

static int code_valid(const char *code)
{
    if (!code || !*code || strlen(code) > 16)
        return 0;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return 0;
    return 1;
}

static int blank(const char *s)
{
    return !s || !*s;
}

/* The live row of code (any case): 1 and its id/names, 0 (with *err) when there is none. */
static int find_live(struct store *st, const char *code, char id[ID_LEN + 1], char **name_ja,
                     char **name_en, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id, name_ja, name_en, code FROM libraries "
                                     "WHERE code = ?1 COLLATE NOCASE AND deleted = 0");
    bind_text(s, 1, code);
    int got = store_one_row(s, err);
    if (got == 1) {
        snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
        *name_ja = col_dup(s, 1);
        *name_en = col_dup(s, 2);
    } else if (got == 0) {
        set_err(err, _("no library with code %s (unyo library list shows them)"), code);
    }
    sqlite3_reset(s);
    return got;
}

static int finish(struct store *st, const char *action, const char *id, const char *detail,
                  char **err)
{
    if (store_audit(st, action, "libraries", id, detail, err) != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int library_add(struct store *st, const struct library_fields *f, char **err)
{
    if (!code_valid(f->code)) {
        set_err(err, _("\"%s\" is not a valid library code (letters, digits, _ and -, at most 16)"),
                f->code ? f->code : "");
        return -1;
    }
    if (blank(f->name_ja)) {
        set_err(err, "%s", _("a library needs a name"));
        return -1;
    }
    const char *kind = blank(f->kind) ? "branch" : f->kind;
    if (!library_kind_valid(kind)) {
        set_err(err, _("kind \"%s\" is not one of central, branch, center, datacenter, office"),
                kind);
        return -1;
    }
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    /* The same code on two consoles is one library after sync (as init's rows). */
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    id_for_name(id, "library", f->code);
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *c = store_stmt(st, "SELECT code FROM libraries WHERE code = ?1 COLLATE NOCASE "
                                     "AND deleted = 0");
    bind_text(c, 1, f->code);
    int got = store_one_row(c, err);
    sqlite3_reset(c);
    if (got != 0) {
        if (got == 1)
            set_err(err, _("a library with code %s already exists"), f->code);
        store_rollback(st);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO libraries(id, code, name_ja, name_en, kind, phone, address, notes, "
            "created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, "
            "?10, ?11) ON CONFLICT(code) DO UPDATE SET name_ja = excluded.name_ja, "
            "name_en = excluded.name_en, kind = excluded.kind, phone = excluded.phone, "
            "address = excluded.address, notes = excluded.notes, deleted = 0, "
            "updated_at = excluded.updated_at, hlc = excluded.hlc, origin = excluded.origin");
    bind_text(s, 1, id);
    bind_text(s, 2, f->code);
    bind_text(s, 3, f->name_ja);
    bind_text(s, 4, blank(f->name_en) ? f->name_ja : f->name_en);
    bind_text(s, 5, kind);
    bind_text(s, 6, blank(f->phone) ? NULL : f->phone);
    bind_text(s, 7, blank(f->address) ? NULL : f->address);
    bind_text(s, 8, blank(f->notes) ? NULL : f->notes);
    bind_text(s, 9, at);
    bind_int(s, 10, store_hlc_next(st));
    bind_text(s, 11, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("adding the library"));
        store_rollback(st);
        return -1;
    }
    char *detail = xasprintf("code=%s name_ja=%s name_en=%s kind=%s", f->code, f->name_ja,
                             blank(f->name_en) ? f->name_ja : f->name_en, kind);
    int rc = finish(st, "library.add", id, detail, err);
    free(detail);
    return rc;
}

int library_rename(struct store *st, const char *code, const char *name_ja, const char *name_en,
                   char **err)
{
    if (blank(name_ja) && !name_en) {
        set_err(err, "%s", _("give the new name (Japanese, English or both)"));
        return -1;
    }
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    char *old_ja = NULL, *old_en = NULL;
    if (find_live(st, code, id, &old_ja, &old_en, err) != 1) {
        store_rollback(st);
        return -1;
    }
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *s = store_stmt(st, "UPDATE libraries SET name_ja = coalesce(?2, name_ja), "
                                     "name_en = coalesce(?3, name_en), updated_at = ?4, hlc = ?5, "
                                     "origin = ?6 WHERE id = ?1");
    bind_text(s, 1, id);
    bind_text(s, 2, blank(name_ja) ? NULL : name_ja);
    bind_text(s, 3, name_en);
    bind_text(s, 4, at);
    bind_int(s, 5, store_hlc_next(st));
    bind_text(s, 6, st->origin);
    int rc = 0;
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("renaming the library"));
        store_rollback(st);
        rc = -1;
    }
    sqlite3_reset(s);
    if (rc == 0) {
        char *detail = xasprintf("code=%s name_ja=%s->%s name_en=%s->%s", code,
                                 old_ja ? old_ja : "", blank(name_ja) ? old_ja : name_ja,
                                 old_en ? old_en : "", name_en ? name_en : old_en);
        rc = finish(st, "library.rename", id, detail, err);
        free(detail);
    }
    free(old_ja);
    free(old_en);
    return rc;
}

int library_retire(struct store *st, const char *code, char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    char *old_ja = NULL, *old_en = NULL;
    if (find_live(st, code, id, &old_ja, &old_en, err) != 1) {
        store_rollback(st);
        return -1;
    }
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *s = store_stmt(st, "UPDATE libraries SET deleted = 1, updated_at = ?2, hlc = ?3, "
                                     "origin = ?4 WHERE id = ?1");
    bind_text(s, 1, id);
    bind_text(s, 2, at);
    bind_int(s, 3, store_hlc_next(st));
    bind_text(s, 4, st->origin);
    int rc = 0;
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("retiring the library"));
        store_rollback(st);
        rc = -1;
    }
    sqlite3_reset(s);
    if (rc == 0) {
        char *detail = xasprintf("code=%s name_ja=%s", code, old_ja ? old_ja : "");
        rc = finish(st, "library.retire", id, detail, err);
        free(detail);
    }
    free(old_ja);
    free(old_en);
    return rc;
}
