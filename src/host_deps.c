/* Dependencies between hosts: see host_deps.h. */
#include "host_deps.h"

#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* The items of a comma-separated list, spaces around each trimmed, empty ones
 * dropped: malloc'd strings in *out, their count returned. */
static size_t split_list(const char *list, char ***out)
{
    *out = NULL;
    size_t n = 0;
    const char *p = list ? list : "";
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b > a) {
            *out = xrealloc(*out, (n + 1) * sizeof **out);
            (*out)[n++] = xstrndup(a, (size_t)(b - a));
        }
        p = *end ? end + 1 : end;
    }
    return n;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

size_t host_deps_find(const struct host_dep *g, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (g[i].id && id && strcmp(g[i].id, id) == 0)
            return i;
    return (size_t)-1;
}

/* 1 when target is host j or one of its ancestors; seen guards the walk. */
static int reaches(const struct host_dep *g, size_t n, size_t j, const char *target,
                   unsigned char *seen)
{
    if (strcmp(g[j].id, target) == 0)
        return 1;
    if (seen[j])
        return 0;
    seen[j] = 1;
    char **ps;
    size_t np = split_list(g[j].parents, &ps);
    int hit = 0;
    for (size_t k = 0; k < np && !hit; k++) {
        size_t p = host_deps_find(g, n, ps[k]);
        if (p != (size_t)-1)
            hit = reaches(g, n, p, target, seen);
        else
            hit = strcmp(ps[k], target) == 0;
    }
    free_list(ps, np);
    return hit;
}

int host_deps_cycle(const struct host_dep *g, size_t n, const char *child_id, const char *parents)
{
    char **ps;
    size_t np = split_list(parents, &ps);
    unsigned char *seen = xcalloc(n ? n : 1, 1);
    int hit = 0;
    for (size_t k = 0; k < np && !hit; k++) {
        if (strcmp(ps[k], child_id) == 0) {
            hit = 1;
            break;
        }
        size_t p = host_deps_find(g, n, ps[k]);
        if (p != (size_t)-1)
            hit = reaches(g, n, p, child_id, seen);
    }
    free(seen);
    free_list(ps, np);
    return hit;
}

int host_deps_all_down(const struct host_dep *g, size_t n, size_t i, const int *down, char **via)
{
    *via = NULL;
    if (i >= n)
        return 0;
    char **ps;
    size_t np = split_list(g[i].parents, &ps);
    struct strbuf sb = STRBUF_INIT;
    int all = np > 0;
    for (size_t k = 0; k < np && all; k++) {
        size_t p = host_deps_find(g, n, ps[k]);
        if (p == (size_t)-1 || p == i || !down[p])
            all = 0;
        else
            sb_printf(&sb, "%s%s", sb.len ? "," : "", g[p].name ? g[p].name : g[p].id);
    }
    free_list(ps, np);
    if (!all) {
        sb_free(&sb);
        return 0;
    }
    *via = sb_detach(&sb);
    return 1;
}

int host_parents_names(struct store *st, const struct host *h, char **names, char **err)
{
    *names = NULL;
    char **ps;
    size_t np = split_list(h->parents, &ps);
    struct strbuf sb = STRBUF_INIT;
    sqlite3_stmt *s = store_stmt(st, "SELECT name FROM hosts WHERE id = ?1 AND deleted = 0");
    for (size_t k = 0; k < np; k++) {
        bind_text(s, 1, ps[k]);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            sb_printf(&sb, "%s%s", sb.len ? "," : "", col_text(s, 0));
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            free_list(ps, np);
            sb_free(&sb);
            return store_fail(st, err, _("reading the host"));
        }
    }
    free_list(ps, np);
    *names = sb_detach(&sb);
    return 0;
}

int host_parents_set(struct store *st, const char *name, const char *parents, char **err)
{
    struct host h;
    if (store_require_operator(st, err) != 0 || host_get(st, name, &h, err) != 0)
        return -1;
    char **ps;
    size_t np = split_list(parents, &ps);
    struct host *all = NULL;
    size_t na = 0;
    struct strbuf ids = STRBUF_INIT, names = STRBUF_INIT;
    int rc = host_list(st, &all, &na, err);
    for (size_t k = 0; k < np && rc == 0; k++) {
        const struct host *p = NULL;
        for (size_t j = 0; j < na && !p; j++)
            if (streq(all[j].name, ps[k]) || streq(all[j].id, ps[k]))
                p = &all[j];
        if (!p) {
            set_err(err, _("no host named %s (see unyo host list)"), ps[k]);
            rc = -1;
        } else if (streq(p->id, h.id)) {
            set_err(err, _("%s cannot be its own parent"), h.name);
            rc = -1;
        } else if (!strstr(ids.len ? ids.buf : "", p->id)) { /* a name given twice counts once */
            sb_printf(&ids, "%s%s", ids.len ? "," : "", p->id);
            sb_printf(&names, "%s%s", names.len ? "," : "", p->name);
        }
    }
    if (rc == 0 && ids.len) {
        struct host_dep *g = xcalloc(na ? na : 1, sizeof *g);
        for (size_t j = 0; j < na; j++)
            g[j] = (struct host_dep){all[j].id, all[j].name, all[j].parents};
        if (host_deps_cycle(g, na, h.id, ids.buf)) {
            /* Say which parent already depends on the host. */
            const char *which = NULL;
            char **v;
            size_t nv = split_list(ids.buf, &v);
            for (size_t k = 0; k < nv && !which; k++)
                if (host_deps_cycle(g, na, h.id, v[k]))
                    which = all[host_deps_find(g, na, v[k])].name;
            set_err(err,
                    _("%s already depends on %s: parents must not form a cycle (see unyo host "
                      "parents %s)"),
                    which ? which : "?", h.name, which ? which : "?");
            free_list(v, nv);
            rc = -1;
        }
        free(g);
    }
    free_list(ps, np);
    if (rc == 0 && store_begin(st, err) != 0)
        rc = -1;
    else if (rc == 0) {
        char at[TIME_ISO_LEN + 1];
        time_format_iso(time_now_ms(), at);
        sqlite3_stmt *s = store_stmt(st, "UPDATE hosts SET parents = ?2, updated_at = ?3, "
                                         "hlc = ?4, origin = ?5 WHERE id = ?1");
        bind_text(s, 1, h.id);
        if (ids.len)
            bind_text(s, 2, ids.buf);
        else
            sqlite3_bind_null(s, 2);
        bind_text(s, 3, at);
        bind_int(s, 4, store_hlc_next(st));
        bind_text(s, 5, st->origin);
        int step = sqlite3_step(s);
        sqlite3_reset(s);
        if (step != SQLITE_DONE) {
            store_fail(st, err, _("changing the host"));
            rc = -1;
        } else {
            char *d = xasprintf("parents=%s", names.len ? names.buf : "");
            rc = store_audit(st, "host.parents", "hosts", h.id, d, err);
            free(d);
        }
        if (rc != 0 || store_commit(st, err) != 0) {
            store_rollback(st);
            rc = -1;
        }
    }
    sb_free(&ids);
    sb_free(&names);
    host_list_free(all, na);
    host_clear(&h);
    return rc;
}
