#include "hosts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "i18n.h"
#include "ssh_config.h"
#include "ssh_conn.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static const char *const roles[] = {"AP",   "DB",     "file",    "AD",   "proxy",
                                    "WSUS", "backup", "network", "other"};

const char *host_role_canonical(const char *role)
{
    if (!role)
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(roles); i++)
        if (strcasecmp(roles[i], role) == 0)
            return roles[i];
    return NULL;
}

int host_role_valid(const char *role)
{
    return host_role_canonical(role) != NULL;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static void read_row(sqlite3_stmt *s, struct host *h)
{
    memset(h, 0, sizeof *h);
    snprintf(h->id, sizeof h->id, "%s", col_text(s, 0));
    h->name = xstrdup(col_text(s, 1));
    h->address = dup_or_null(col_text(s, 2));
    h->role = xstrdup(col_text(s, 3) ? col_text(s, 3) : "other");
    h->location = dup_or_null(col_text(s, 4));
    h->os = dup_or_null(col_text(s, 5));
    h->owner = dup_or_null(col_text(s, 6));
    h->notes = dup_or_null(col_text(s, 7));
    h->ssh_alias = dup_or_null(col_text(s, 8));
    h->ssh_user = dup_or_null(col_text(s, 9));
    h->ssh_port = sqlite3_column_int(s, 10);
    h->ssh_jump = dup_or_null(col_text(s, 11));
    h->updated_at = dup_or_null(col_text(s, 12));
    h->local = streq(col_text(s, 13) ? col_text(s, 13) : "", "local");
    h->ssh_config = dup_or_null(col_text(s, 14));
    h->parents = col_text(s, 15) && *col_text(s, 15) ? xstrdup(col_text(s, 15)) : NULL;
}

#define HOST_COLS                                                                                  \
    "id, name, address, role, location, os, owner, notes, ssh_alias, ssh_user, ssh_port, "         \
    "ssh_jump, updated_at, transport, ssh_config, parents"

void host_clear(struct host *h)
{
    free(h->name);
    free(h->address);
    free(h->role);
    free(h->location);
    free(h->os);
    free(h->owner);
    free(h->notes);
    free(h->ssh_alias);
    free(h->ssh_user);
    free(h->ssh_jump);
    free(h->ssh_config);
    free(h->parents);
    free(h->updated_at);
    memset(h, 0, sizeof *h);
}

void host_list_free(struct host *hosts, size_t count)
{
    for (size_t i = 0; i < count; i++)
        host_clear(&hosts[i]);
    free(hosts);
}

int host_get(struct store *st, const char *name, struct host *out, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " HOST_COLS
                                     " FROM hosts WHERE (name = ?1 OR id = ?1) AND deleted = 0");
    bind_text(s, 1, name);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            set_err(err, _("no host named %s (see unyo host list)"), name);
        else
            store_fail(st, err, _("reading the host"));
        return -1;
    }
    read_row(s, out);
    sqlite3_reset(s);
    return 0;
}

int host_id_by_name(struct store *st, const char *name, char id[ID_LEN + 1], char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM hosts WHERE name = ?1 AND deleted = 0");
    bind_text(s, 1, name);
    int rc = store_one_row(s, err);
    if (rc == 1)
        snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    sqlite3_reset(s);
    return rc;
}

int host_list(struct store *st, struct host **out, size_t *count, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT " HOST_COLS " FROM hosts WHERE deleted = 0 ORDER BY name");
    struct host *v = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        v = xrealloc(v, (n + 1) * sizeof *v);
        read_row(s, &v[n++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        host_list_free(v, n);
        return store_fail(st, err, _("listing hosts"));
    }
    *out = v;
    *count = n;
    return 0;
}

int host_metric_recent(struct store *st, const char *host_id, const char *metric, double *vals,
                       int max, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM host_metrics WHERE host_id = ?1 AND "
                                     "metric = ?2 ORDER BY at DESC LIMIT ?3");
    bind_text(s, 1, host_id);
    bind_text(s, 2, metric);
    bind_int(s, 3, max);
    int n = 0, step = 0;
    while (n < max && (step = store_next_row(s, err)) == 1)
        vals[n++] = sqlite3_column_double(s, 0);
    sqlite3_reset(s);
    if (step < 0)
        return -1;
    for (int i = 0; i < n / 2; i++) { /* newest first -> oldest first */
        double t = vals[i];
        vals[i] = vals[n - 1 - i];
        vals[n - 1 - i] = t;
    }
    return n;
}

static int check_fields(const struct host_fields *f, int adding, char **err)
{
    if (adding && (!f->name || !*f->name)) {
        set_err(err, "%s", _("a host needs a name"));
        return -1;
    }
    if (f->name && (!*f->name || strpbrk(f->name, " \t\n/"))) {
        set_err(err, _("\"%s\" is not a usable host name (no spaces or slashes)"), f->name);
        return -1;
    }
    if (f->role && *f->role && !host_role_valid(f->role)) {
        set_err(err,
                _("unknown role \"%s\": use AP, DB, file, AD, proxy, WSUS, backup, network "
                  "or other"),
                f->role);
        return -1;
    }
    if (f->ssh_port > 65535 || f->ssh_port < -1) {
        set_err(err, _("port %d is out of range"), f->ssh_port);
        return -1;
    }
    if (f->ssh_config && *f->ssh_config && f->ssh_config[0] != '/') {
        set_err(err, _("give the ssh_config file by its full path, not %s"), f->ssh_config);
        return -1;
    }
    if (f->ssh_jump && *f->ssh_jump) {
        struct ssh_jump_hop *h;
        size_t n;
        if (ssh_jump_parse(f->ssh_jump, &h, &n, err) != 0)
            return -1;
        ssh_jump_free(h, n);
    }
    return 0;
}

static void detail_add(struct strbuf *sb, const char *key, const char *v)
{
    if (!v)
        return;
    if (sb->len)
        sb_putc(sb, ' ');
    sb_printf(sb, "%s=%s", key, v);
}

static void fields_detail(struct strbuf *sb, const struct host_fields *f)
{
    detail_add(sb, "name", f->name);
    detail_add(sb, "address", f->address);
    detail_add(sb, "role", f->role);
    detail_add(sb, "location", f->location);
    detail_add(sb, "os", f->os);
    detail_add(sb, "owner", f->owner);
    detail_add(sb, "notes", f->notes);
    detail_add(sb, "ssh_alias", f->ssh_alias);
    detail_add(sb, "ssh_user", f->ssh_user);
    detail_add(sb, "ssh_jump", f->ssh_jump);
    detail_add(sb, "ssh_config", f->ssh_config);
    if (f->ssh_port >= 0)
        sb_printf(sb, "%sssh_port=%d", sb->len ? " " : "", f->ssh_port);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    bind_text(s, i, v && *v ? v : NULL);
}

int host_add(struct store *st, const struct host_fields *f, char out_id[ID_LEN + 1], char **err)
{
    if (check_fields(f, 1, err) != 0)
        return -1;
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    int64_t now = time_now_ms();
    id_new_at(id, now);
    time_format_iso(now, at);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO hosts(id, name, address, role, location, os, owner, notes, ssh_alias, "
            "ssh_user, ssh_port, ssh_jump, created_at, updated_at, hlc, origin, ssh_config) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16)");
    bind_text(s, 1, id);
    bind_text(s, 2, f->name);
    bind_opt(s, 3, f->address);
    bind_text(s, 4, f->role && *f->role ? host_role_canonical(f->role) : "other");
    bind_opt(s, 5, f->location);
    bind_opt(s, 6, f->os);
    bind_opt(s, 7, f->owner);
    bind_opt(s, 8, f->notes);
    bind_opt(s, 9, f->ssh_alias);
    bind_opt(s, 10, f->ssh_user);
    if (f->ssh_port > 0)
        bind_int(s, 11, f->ssh_port);
    else
        sqlite3_bind_null(s, 11);
    bind_opt(s, 12, f->ssh_jump);
    bind_text(s, 13, at);
    bind_int(s, 14, store_hlc_next(st));
    bind_text(s, 15, st->origin);
    bind_opt(s, 16, f->ssh_config);
    if (sqlite3_step(s) != SQLITE_DONE) {
        if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE)
            set_err(err, _("a host named %s already exists"), f->name);
        else
            store_fail(st, err, _("adding the host"));
        store_rollback(st);
        return -1;
    }
    struct strbuf d = STRBUF_INIT;
    fields_detail(&d, f);
    int rc = store_audit(st, "host.add", "hosts", id, d.buf ? d.buf : "", err);
    sb_free(&d);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (out_id)
        memcpy(out_id, id, ID_LEN + 1);
    return 0;
}

/* 1 when a field is given and differs from the host's ("" and unset are the same). */
static int field_changed(const char *old, const char *given)
{
    if (!given)
        return 0;
    return strcmp(old ? old : "", given) != 0;
}

/* Whether f gives the host a different reach (address or SSH settings): a demo host
 * given a real address becomes a real host, reached over SSH. */
static int reach_changed(const struct host *h, const struct host_fields *f)
{
    return field_changed(h->address, f->address) || field_changed(h->ssh_alias, f->ssh_alias) ||
           field_changed(h->ssh_user, f->ssh_user) || field_changed(h->ssh_jump, f->ssh_jump) ||
           field_changed(h->ssh_config, f->ssh_config) ||
           (f->ssh_port >= 0 && f->ssh_port != h->ssh_port);
}

int host_edit(struct store *st, const char *name, const struct host_fields *f, char **err)
{
    if (check_fields(f, 0, err) != 0)
        return -1;
    struct host h;
    if (store_require_operator(st, err) != 0 || host_get(st, name, &h, err) != 0)
        return -1;
    if (store_begin(st, err) != 0) {
        host_clear(&h);
        return -1;
    }
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    /* ?N IS NULL keeps the old value; '' clears (NULLIF). */
    sqlite3_stmt *s =
        store_stmt(st, "UPDATE hosts SET "
                       "name = coalesce(?2, name), "
                       "address = CASE WHEN ?3 IS NULL THEN address ELSE nullif(?3, '') END, "
                       "role = coalesce(nullif(?4, ''), role), "
                       "location = CASE WHEN ?5 IS NULL THEN location ELSE nullif(?5, '') END, "
                       "os = CASE WHEN ?6 IS NULL THEN os ELSE nullif(?6, '') END, "
                       "owner = CASE WHEN ?7 IS NULL THEN owner ELSE nullif(?7, '') END, "
                       "notes = CASE WHEN ?8 IS NULL THEN notes ELSE nullif(?8, '') END, "
                       "ssh_alias = CASE WHEN ?9 IS NULL THEN ssh_alias ELSE nullif(?9, '') END, "
                       "ssh_user = CASE WHEN ?10 IS NULL THEN ssh_user ELSE nullif(?10, '') END, "
                       "ssh_port = CASE WHEN ?11 < 0 THEN ssh_port ELSE nullif(?11, 0) END, "
                       "ssh_jump = CASE WHEN ?12 IS NULL THEN ssh_jump ELSE nullif(?12, '') END, "
                       "transport = coalesce(?16, transport), "
                       "ssh_config = CASE WHEN ?17 IS NULL THEN ssh_config "
                       "ELSE nullif(?17, '') END, "
                       "updated_at = ?13, hlc = ?14, origin = ?15 WHERE id = ?1");
    bind_text(s, 1, h.id);
    int to_ssh = h.local && reach_changed(&h, f);
    bind_text(s, 16, to_ssh ? "ssh" : NULL);
    bind_text(s, 2, f->name);
    bind_text(s, 3, f->address);
    bind_text(s, 4, f->role ? (*f->role ? host_role_canonical(f->role) : "") : NULL);
    bind_text(s, 5, f->location);
    bind_text(s, 6, f->os);
    bind_text(s, 7, f->owner);
    bind_text(s, 8, f->notes);
    bind_text(s, 9, f->ssh_alias);
    bind_text(s, 10, f->ssh_user);
    bind_int(s, 11, f->ssh_port);
    bind_text(s, 12, f->ssh_jump);
    bind_text(s, 13, at);
    bind_int(s, 14, store_hlc_next(st));
    bind_text(s, 15, st->origin);
    bind_text(s, 17, f->ssh_config);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE)
            set_err(err, _("a host named %s already exists"), f->name);
        else
            store_fail(st, err, _("changing the host"));
        store_rollback(st);
        host_clear(&h);
        return -1;
    }
    struct strbuf d = STRBUF_INIT;
    fields_detail(&d, f);
    if (to_ssh)
        sb_printf(&d, "%stransport=ssh", d.len ? " " : "");
    rc = store_audit(st, "host.edit", "hosts", h.id, d.buf ? d.buf : "", err);
    sb_free(&d);
    host_clear(&h);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int host_remove(struct store *st, const char *name, char **err)
{
    struct host h;
    if (store_require_operator(st, err) != 0 || host_get(st, name, &h, err) != 0)
        return -1;
    if (store_begin(st, err) != 0) {
        host_clear(&h);
        return -1;
    }
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    /* A tombstone; the name is freed for a new host by suffixing the id. */
    sqlite3_stmt *s = store_stmt(st, "UPDATE hosts SET deleted = 1, name = name || '~' || id, "
                                     "updated_at = ?2, hlc = ?3, origin = ?4 WHERE id = ?1");
    bind_text(s, 1, h.id);
    bind_text(s, 2, at);
    bind_int(s, 3, store_hlc_next(st));
    bind_text(s, 4, st->origin);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, err, _("removing the host"));
        store_rollback(st);
        host_clear(&h);
        return -1;
    }
    char *detail = xasprintf("name=%s", h.name);
    rc = store_audit(st, "host.remove", "hosts", h.id, detail, err);
    free(detail);
    host_clear(&h);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int host_is_local(const struct host *h)
{
    return h && h->local;
}

const char *host_transport_label(const struct host *h)
{
    return host_is_local(h) ? _("local run (demo)") : _("SSH");
}

int host_set_transport(struct store *st, const char *name, const char *transport, char **err)
{
    if (!transport || (!streq(transport, "ssh") && !streq(transport, "local"))) {
        set_err(err, _("unknown transport \"%s\": use ssh or local"), transport ? transport : "");
        return -1;
    }
    struct host h;
    if (store_require_operator(st, err) != 0 || host_get(st, name, &h, err) != 0)
        return -1;
    if (store_begin(st, err) != 0) {
        host_clear(&h);
        return -1;
    }
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *s = store_stmt(st, "UPDATE hosts SET transport = ?2, updated_at = ?3, hlc = ?4, "
                                     "origin = ?5 WHERE id = ?1");
    bind_text(s, 1, h.id);
    bind_text(s, 2, transport);
    bind_text(s, 3, at);
    bind_int(s, 4, store_hlc_next(st));
    bind_text(s, 5, st->origin);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, err, _("changing the host"));
        store_rollback(st);
        host_clear(&h);
        return -1;
    }
    char *d = xasprintf("transport=%s", transport);
    rc = store_audit(st, "host.edit", "hosts", h.id, d, err);
    free(d);
    host_clear(&h);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

const char *host_ssh_target(const struct host *h, struct ssh_conn_opts *opts)
{
    if (h->ssh_config) {
        /* Imported from another file: read it, as `ssh -F FILE` (jump hops too). */
        opts->config_path = h->ssh_config;
        opts->config_required = 1;
    }
    if (h->ssh_alias) {
        /* The alias carries its own reach; explicit fields still override. */
        opts->user = h->ssh_user;
        opts->port = h->ssh_port;
        opts->jump = h->ssh_jump;
        return h->ssh_alias;
    }
    opts->address = h->address;
    opts->user = h->ssh_user;
    opts->port = h->ssh_port;
    opts->jump = h->ssh_jump;
    return h->name;
}

/* The full path of an ssh_config file given to the import: NULL (*record) when
 * it is ~/.ssh/config itself, so such hosts keep following the default file
 * of whichever console connects. 0, or -1 with *err when it is not a file. */
static int import_path(const char *path, char **real, char **record, char **err)
{
    *real = *record = NULL;
    if (!path)
        return 0;
    struct stat sb;
    char *r = realpath(path, NULL);
    if (!r || stat(r, &sb) != 0) {
        set_err(err, _("cannot read %s: %s"), path, strerror(errno));
        free(r);
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        set_err(err, _("%s is not an ssh_config file"), path);
        free(r);
        return -1;
    }
    char *def = ssh_config_default_path();
    char *def_real = realpath(def, NULL);
    *real = r;
    *record = def_real && streq(def_real, r) ? NULL : r;
    free(def);
    free(def_real);
    return 0;
}

int hosts_import_ssh_config(struct store *st, const char *path, int *added, int *skipped,
                            char **err)
{
    char **names;
    size_t n;
    char *real, *record;
    *added = *skipped = 0;
    if (import_path(path, &real, &record, err) != 0)
        return -1;
    if (ssh_config_concrete_hosts(real, &names, &n, err) != 0) {
        free(real);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct host h;
        if (host_get(st, names[i], &h, NULL) == 0) {
            host_clear(&h);
            (*skipped)++;
            continue;
        }
        struct ssh_host_config c;
        if (ssh_config_lookup(real, names[i], &c, err) != 0) {
            rc = -1;
            break;
        }
        struct host_fields f = {0};
        f.ssh_port = -1;
        f.name = names[i];
        f.address = c.hostname;
        f.role = "other";
        f.ssh_alias = names[i];
        /* Not the resolved HostName / Port / User: the file keeps IdentityFile,
         * ProxyJump hops named in it and the rest, and its later edits count. */
        f.ssh_config = record;
        f.notes = NULL;
        rc = host_add(st, &f, NULL, err);
        ssh_host_config_clear(&c);
        if (rc == 0)
            (*added)++;
    }
    ssh_config_free_names(names);
    free(real);
    return rc;
}
