#include "seed_data.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "checks.h"
#include "i18n.h"
#include "ini.h"
#include "paths.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

int seed_install_templates(struct store *st, const struct template_set *set, char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    char at[TIME_ISO_LEN + 1];
    int64_t now = time_now_ms();
    time_format_iso(now, at);
    const char *sql =
        "INSERT INTO templates(id, code, source, item_no, category1, category2, category3, "
        "name_ja, name_en, summary_ja, summary_en, period_text, periods, pane, duty_engineer, "
        "duty_operator, per_host, weekday, monthday, months, value_unit, value_min, value_max, "
        "created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?24, ?25, ?26) "
        "ON CONFLICT(code) DO UPDATE SET source = excluded.source, item_no = excluded.item_no, "
        "category1 = excluded.category1, category2 = excluded.category2, "
        "category3 = excluded.category3, name_ja = excluded.name_ja, name_en = excluded.name_en, "
        "summary_ja = excluded.summary_ja, summary_en = excluded.summary_en, "
        "period_text = excluded.period_text, periods = excluded.periods, pane = excluded.pane, "
        "duty_engineer = excluded.duty_engineer, duty_operator = excluded.duty_operator, "
        "per_host = excluded.per_host, weekday = excluded.weekday, "
        "monthday = excluded.monthday, months = excluded.months, "
        "value_unit = excluded.value_unit, value_min = excluded.value_min, "
        "value_max = excluded.value_max, updated_at = excluded.updated_at, hlc = excluded.hlc, "
        "origin = excluded.origin";
    for (size_t i = 0; i < set->count; i++) {
        const struct template_item *t = &set->items[i];
        sqlite3_stmt *s = store_stmt(st, sql);
        char id[ID_LEN + 1];
        id_for_name(id, "template", t->code);
        bind_text(s, 1, id);
        bind_text(s, 2, t->code);
        bind_text(s, 3, t->source);
        bind_int(s, 4, t->item_no);
        bind_text(s, 5, t->category1);
        bind_text(s, 6, t->category2);
        bind_text(s, 7, t->category3);
        bind_text(s, 8, t->name_ja);
        bind_text(s, 9, t->name_en);
        bind_text(s, 10, t->summary_ja);
        bind_text(s, 11, t->summary_en);
        bind_text(s, 12, t->period_text);
        bind_int(s, 13, t->periods);
        bind_text(s, 14, t->pane);
        bind_text(s, 15, t->duty_engineer);
        bind_text(s, 16, t->duty_operator);
        bind_int(s, 17, t->per_host);
        if (t->weekday >= 0)
            bind_int(s, 18, t->weekday);
        if (t->monthday > 0)
            bind_int(s, 19, t->monthday);
        if (t->months)
            bind_int(s, 20, t->months);
        bind_text(s, 21, t->value_unit);
        if (t->has_range) {
            sqlite3_bind_double(s, 22, t->value_min);
            sqlite3_bind_double(s, 23, t->value_max);
        }
        bind_text(s, 24, at);
        bind_int(s, 25, store_hlc_next(st));
        bind_text(s, 26, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE) {
            store_fail(st, err, t->code);
            store_rollback(st);
            return -1;
        }
    }
    char *detail = xasprintf("%zu templates", set->count);
    int rc = store_audit(st, "templates.load", "templates", NULL, detail, err);
    free(detail);
    if (rc != 0)
        return store_rollback(st), -1;
    return store_commit(st, err);
}

struct library_row {
    char *code, *name_ja, *name_en, *kind, *phone, *address, *notes;
    int line;
};

struct library_parse {
    struct library_row *rows;
    size_t count;
};

/* The reader stops at the first error, so exactly one message is made. */
static int library_handler(void *user, const struct ini_item *it, char **err)
{
    struct library_parse *p = user;
    const char *section = it->section, *key = it->key, *value = it->value;
    if (it->kind != INI_PAIR)
        return 0;
    if (!*section)
        return ini_fail(it, err, _("\"%s\" is outside any section (expected [CODE] first)"), key);
    if (p->count == 0 || strcmp(p->rows[p->count - 1].code, section) != 0) {
        for (size_t i = 0; i < p->count; i++)
            if (strcmp(p->rows[i].code, section) == 0)
                return ini_fail(it, err, _("library [%s] appears twice"), section);
        p->rows = xrealloc(p->rows, (p->count + 1) * sizeof *p->rows);
        memset(&p->rows[p->count], 0, sizeof *p->rows);
        p->rows[p->count].code = xstrdup(section);
        p->count++;
    }
    struct library_row *r = &p->rows[p->count - 1];
    char **slot = NULL;
    if (!strcmp(key, "name_ja"))
        slot = &r->name_ja;
    else if (!strcmp(key, "name_en"))
        slot = &r->name_en;
    else if (!strcmp(key, "kind"))
        slot = &r->kind;
    else if (!strcmp(key, "phone"))
        slot = &r->phone;
    else if (!strcmp(key, "address"))
        slot = &r->address;
    else if (!strcmp(key, "notes"))
        slot = &r->notes;
    if (!slot)
        return ini_fail(it, err,
                        _("unknown key \"%s\" (expected name_ja, name_en, kind, phone, "
                          "address or notes)"),
                        key);
    /* An indented line goes on with the text above, after a space. */
    char *v = it->continued && *slot ? xasprintf("%s %s", *slot, value) : xstrdup(value);
    if (slot == &r->kind && !(streq(v, "central") || streq(v, "branch") || streq(v, "center") ||
                              streq(v, "datacenter") || streq(v, "office"))) {
        ini_fail(it, err,
                 _("kind \"%s\" is not one of central, branch, center, datacenter, "
                   "office"),
                 v);
        free(v);
        return -1;
    }
    free(*slot);
    *slot = v;
    return 0;
}

static void free_libraries(struct library_parse *p)
{
    for (size_t i = 0; i < p->count; i++) {
        struct library_row *r = &p->rows[i];
        free(r->code), free(r->name_ja), free(r->name_en), free(r->kind);
        free(r->phone), free(r->address), free(r->notes);
    }
    free(p->rows);
}

int seed_install_libraries(struct store *st, const char *path, char **err)
{
    struct library_parse p = {NULL, 0};
    if (ini_read_file(path, INI_OPT_CLASSIC, library_handler, &p, NULL, err) != 0) {
        free_libraries(&p);
        return -1;
    }
    for (size_t i = 0; i < p.count; i++) {
        struct library_row *r = &p.rows[i];
        if (!r->name_ja || !r->name_en || !r->kind) {
            set_err(err, _("%s: library [%s] needs name_ja, name_en and kind"), path, r->code);
            free_libraries(&p);
            return -1;
        }
    }
    int rc = store_begin(st, err);
    char at[TIME_ISO_LEN + 1];
    int64_t now = time_now_ms();
    time_format_iso(now, at);
    for (size_t i = 0; i < p.count && rc == 0; i++) {
        struct library_row *r = &p.rows[i];
        sqlite3_stmt *s = store_stmt(
            st, "INSERT INTO libraries(id, code, name_ja, name_en, kind, phone, address, notes, "
                "created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                "?9, ?10, ?11) ON CONFLICT(code) DO UPDATE SET name_ja = excluded.name_ja, "
                "name_en = excluded.name_en, kind = excluded.kind, phone = excluded.phone, "
                "address = excluded.address, notes = excluded.notes, "
                "updated_at = excluded.updated_at, hlc = excluded.hlc, origin = excluded.origin");
        char id[ID_LEN + 1];
        id_for_name(id, "library", r->code);
        bind_text(s, 1, id);
        bind_text(s, 2, r->code);
        bind_text(s, 3, r->name_ja);
        bind_text(s, 4, r->name_en);
        bind_text(s, 5, r->kind);
        bind_text(s, 6, r->phone);
        bind_text(s, 7, r->address);
        bind_text(s, 8, r->notes);
        bind_text(s, 9, at);
        bind_int(s, 10, store_hlc_next(st));
        bind_text(s, 11, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, r->code);
    }
    if (rc == 0)
        rc = store_audit(st, "libraries.load", "libraries", NULL, path, err);
    if (rc == 0)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    free_libraries(&p);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The change templates of the data directory, each loaded once to check it. */
static int load_change_templates(struct seed_site *s, char **err)
{
    char *dir = paths_find_data(NULL, "changes");
    if (!dir)
        return 0; /* none shipped */
    DIR *d = opendir(dir);
    if (!d) {
        set_err(err, _("cannot open %s: %s"), dir, strerror(errno));
        free(dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".ini") != 0)
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct change_template t;
        memset(&t, 0, sizeof t);
        rc = change_template_load(path, NULL, NULL, &t, err);
        change_template_free(&t);
        free(path);
        if (rc == 0) {
            s->changes = xrealloc(s->changes, (s->nchanges + 1) * sizeof *s->changes);
            s->changes[s->nchanges++] = xstrndup(e->d_name, len - 4);
        }
    }
    closedir(d);
    free(dir);
    if (s->nchanges)
        qsort(s->changes, s->nchanges, sizeof *s->changes, cmp_name);
    return rc;
}

int seed_site_load(const char *which, struct seed_site *s, char **err)
{
    memset(s, 0, sizeof *s);
    /* The shipped jobs are the library system's batch work (seed 002 and the backup and log
     * work of seed 000 on its hosts): not for a package-only store. */
    s->with_jobs = !which || strcmp(which, "package") != 0;
    if (s->with_jobs && jobs_parse_dir(NULL, &s->jobs, err) != 0)
        return -1;
    struct check_set checks = {0};
    if (checks_load_dir(NULL, &checks, err) != 0) {
        seed_site_free(s);
        return -1;
    }
    s->nchecks = checks.count;
    checks_free(&checks);
    if (load_change_templates(s, err) != 0) {
        seed_site_free(s);
        return -1;
    }
    return 0;
}

int seed_site_install(struct store *st, const struct seed_site *s, struct jobs_install_result *res,
                      char **err)
{
    if (!s->with_jobs || s->jobs.n == 0)
        return 0;
    return jobs_install_ex(st, &s->jobs, res, err);
}

void seed_site_free(struct seed_site *s)
{
    jobs_defs_free(&s->jobs);
    for (size_t i = 0; i < s->nchanges; i++)
        free(s->changes[i]);
    free(s->changes);
    memset(s, 0, sizeof *s);
}
