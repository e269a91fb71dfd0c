#include "central.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "id.h"
#include "store.h"
#include "textwidth.h"
#include "util.h"

void sql_ident(struct strbuf *sb, const char *name)
{
    sb_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sb_putc(sb, '"');
        sb_putc(sb, *p);
    }
    sb_putc(sb, '"');
}

static char affinity(const char *decl)
{
    /* SQLite's rules (datatype3.html, 3.1), reduced to what the mirror needs. */
    char up[64];
    size_t n = 0;
    for (; decl && decl[n] && n < sizeof up - 1; n++)
        up[n] = (char)(decl[n] >= 'a' && decl[n] <= 'z' ? decl[n] - 32 : decl[n]);
    up[n] = '\0';
    if (strstr(up, "INT"))
        return 'i';
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
        return 't';
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        return 'r';
    return 't';
}

int ledger_col(const struct ledger_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (streq(t->cols[i], name))
            return i;
    return -1;
}

const char *central_pg_type(char aff)
{
    return aff == 'i' ? "bigint" : aff == 'r' ? "double precision" : "text";
}

/* 1 or 0, or -1 with *err set when the schema cannot be read. */
static int has_append_only_trigger(struct store *st, const char *table, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = ?1 AND sql LIKE '%BEFORE UPDATE%' "
                                     "AND sql LIKE '%RAISE%'");
    bind_text(s, 1, table);
    int has = store_one_row(s, err);
    sqlite3_reset(s);
    return has;
}

int ledger_schema_load(struct store *st, struct ledger_schema *out, char **err)
{
    char **names = store_ledger_tables(st, err);
    if (!names)
        return -1;
    int n = 0;
    while (names[n])
        n++;
    out->t = xcalloc((size_t)n + 1, sizeof *out->t);
    out->count = 0;
    for (int i = 0; i < n; i++) {
        struct ledger_table *t = &out->t[out->count];
        t->name = xstrdup(names[i]);
        t->col_id = t->col_hlc = t->col_origin = t->col_updated_at = -1;
        char *sql = xasprintf("PRAGMA table_info(\"%s\")", names[i]);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
            free(sql);
            store_fail(st, err, names[i]);
            out->count++;
            ledger_schema_free(out);
            store_free_names(names);
            return -1;
        }
        free(sql);
        int cap = 0, has_deleted = 0, step;
        while ((step = store_next_row(s, err)) == 1) {
            if (t->ncols == cap) {
                cap = cap ? cap * 2 : 32;
                t->cols = xrealloc(t->cols, (size_t)cap * sizeof *t->cols);
                t->aff = xrealloc(t->aff, (size_t)cap + 1);
            }
            const char *col = col_text(s, 1);
            t->cols[t->ncols] = xstrdup(col);
            t->aff[t->ncols] = affinity(col_text(s, 2));
            if (streq(col, "id"))
                t->col_id = t->ncols;
            else if (streq(col, "hlc"))
                t->col_hlc = t->ncols;
            else if (streq(col, "origin"))
                t->col_origin = t->ncols;
            else if (streq(col, "updated_at"))
                t->col_updated_at = t->ncols;
            else if (streq(col, "deleted"))
                has_deleted = 1;
            t->ncols++;
        }
        sqlite3_finalize(s);
        out->count++;
        if (step < 0) {
            ledger_schema_free(out);
            store_free_names(names);
            return -1;
        }
        /* A table without the sync columns is not a ledger table sync can
         * carry: skip it rather than guess (another module's scratch table). */
        if (t->col_id < 0 || t->col_hlc < 0 || t->col_origin < 0) {
            out->count--;
            for (int c = 0; c < t->ncols; c++)
                free(t->cols[c]);
            free(t->cols);
            free(t->aff);
            free(t->name);
            memset(t, 0, sizeof *t);
            continue;
        }
        int trig = has_deleted ? has_append_only_trigger(st, t->name, err) : 1;
        if (trig < 0) {
            ledger_schema_free(out);
            store_free_names(names);
            return -1;
        }
        t->append_only = trig;
    }
    store_free_names(names);
    return 0;
}

void ledger_schema_free(struct ledger_schema *ls)
{
    for (int i = 0; i < ls->count; i++) {
        for (int c = 0; c < ls->t[i].ncols; c++)
            free(ls->t[i].cols[c]);
        free(ls->t[i].cols);
        free(ls->t[i].aff);
        free(ls->t[i].name);
    }
    free(ls->t);
    ls->t = NULL;
    ls->count = 0;
}

static char *clean_pg_message(const char *m)
{
    struct strbuf sb = STRBUF_INIT;
    char *copy = xstrdup(m ? m : "");
    /* libpq's messages span lines ("...failed: Connection refused\n\tIs the
     * server running ..."): one line for the status line and the CLI. */
    char *w = copy;
    for (const char *r = copy; *r; r++) {
        if (*r == '\n' || *r == '\t' || *r == '\r') {
            if (w > copy && w[-1] != ' ')
                *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    size_t n = strlen(copy);
    while (n > 0 && (copy[n - 1] == '\n' || copy[n - 1] == ' '))
        copy[--n] = '\0';
    text_sanitize(&sb, copy, 0);
    free(copy);
    return sb_detach(&sb);
}

/* ---- passwords never shown or stored --------------------------------------- *
 *
 * libpq quotes parts of a malformed connection string in its messages (an
 * invalid percent-encoded password, a whole URI with an unclosed "["), and
 * those messages are shown and kept in local_sync_meta. The password the URL
 * holds is cut out of every message before it leaves this file or src/sync*.c. */

static int hexval(char c)
{
    return c >= '0' && c <= '9'                 ? c - '0'
           : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10
                                                : -1;
}

static void add_secret(char ***v, int *n, const char *s, size_t len)
{
    if (len == 0)
        return;
    *v = xrealloc(*v, ((size_t)*n + 2) * sizeof **v);
    (*v)[(*n)++] = xstrndup(s, len);
    /* Its percent-decoded form too (a URI's userinfo and query). */
    char *d = xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            d[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            d[o++] = s[i];
        }
    }
    d[o] = '\0';
    if (o != len && o > 0)
        (*v)[(*n)++] = d;
    else
        free(d);
}

/* Every way the password may be written in url (NULL-terminated, malloc'd). */
static char **url_secrets(const char *url)
{
    char **v = NULL;
    int n = 0;
    if (!url)
        url = "";
    const char *scheme = strstr(url, "://");
    if (scheme &&
        (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)) {
        const char *auth = scheme + 3;
        const char *colon = strchr(auth, ':');
        const char *first_at = strchr(auth, '@');
        const char *last_at = strrchr(auth, '@');
        if (colon && first_at && colon < first_at)
            add_secret(&v, &n, colon + 1, (size_t)(first_at - colon - 1));
        if (colon && last_at && colon < last_at && last_at != first_at)
            add_secret(&v, &n, colon + 1, (size_t)(last_at - colon - 1));
        for (const char *p = strstr(auth, "password="); p; p = strstr(p + 1, "password=")) {
            if (p > auth && p[-1] != '?' && p[-1] != '&')
                continue;
            const char *val = p + 9, *end = val + strcspn(val, "&#");
            add_secret(&v, &n, val, (size_t)(end - val));
        }
    } else {
        /* keyword = value pairs; value bare or in single quotes (\' inside). */
        for (const char *p = strstr(url, "password"); p; p = strstr(p + 1, "password")) {
            if (p > url && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n')
                continue;
            const char *q = p + 8;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q != '=')
                continue;
            q++;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '\'') {
                struct strbuf sb = STRBUF_INIT;
                const char *r = q + 1;
                for (; *r && *r != '\''; r++) {
                    if (*r == '\\' && r[1])
                        r++;
                    sb_putc(&sb, *r);
                }
                if (sb.len)
                    add_secret(&v, &n, sb.buf, sb.len);
                sb_free(&sb);
                /* and as written, escapes and all */
                add_secret(&v, &n, q + 1, (size_t)(r - q - 1));
            } else {
                size_t len = strcspn(q, " \t\n");
                add_secret(&v, &n, q, len);
            }
        }
    }
    if (!v)
        v = xmalloc(sizeof *v);
    v[n] = NULL;
    return v;
}

static void free_secrets(char **v)
{
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

int central_url_has_password(const char *url)
{
    char **v = url_secrets(url);
    int has = v[0] != NULL;
    free_secrets(v);
    return has;
}

/* Replaces what follows "password=" (to a space, quote or &) and a URI's
 * "://user:secret@" with ***, whatever the URL was. */
static void scrub_patterns(struct strbuf *out, const char *m)
{
    const char *p = m;
    while (*p) {
        if (strncmp(p, "password", 8) == 0) {
            const char *q = p + 8;
            while (*q == ' ')
                q++;
            if (*q == '=') {
                q++;
                while (*q == ' ')
                    q++;
                sb_add(out, p, (size_t)(q - p));
                sb_puts(out, "***");
                if (*q == '\'' || *q == '"') {
                    char quote = *q++;
                    while (*q && *q != quote)
                        q++;
                    if (*q)
                        q++;
                } else {
                    q += strcspn(q, " \t&\"'");
                }
                p = q;
                continue;
            }
        }
        if (strncmp(p, "://", 3) == 0) {
            const char *a = p + 3, *end = a + strcspn(a, "/?# \"'");
            const char *at = NULL;
            for (const char *k = a; k < end; k++)
                if (*k == '@')
                    at = k;
            const char *colon = at ? memchr(a, ':', (size_t)(at - a)) : NULL;
            if (colon) {
                sb_add(out, p, (size_t)(colon + 1 - p));
                sb_puts(out, "***");
                p = at;
                continue;
            }
        }
        sb_putc(out, *p++);
    }
}

char *central_scrub(const char *url, const char *msg)
{
    if (!msg)
        return NULL;
    char **v = url_secrets(url);
    char *cur = xstrdup(msg);
    /* Longest first, so a password's decoded form inside its encoded one
     * does not leave a tail. */
    for (int again = 1; again;) {
        again = 0;
        const char *longest = NULL;
        for (char **p = v; *p; p++)
            if (strlen(*p) >= 3 && strstr(cur, *p) && (!longest || strlen(*p) > strlen(longest)))
                longest = *p;
        if (longest) {
            struct strbuf sb = STRBUF_INIT;
            size_t ln = strlen(longest);
            for (const char *c = cur, *hit; *c; c = hit + ln) {
                hit = strstr(c, longest);
                if (!hit) {
                    sb_puts(&sb, c);
                    break;
                }
                sb_add(&sb, c, (size_t)(hit - c));
                sb_puts(&sb, "***");
            }
            free(cur);
            cur = sb_detach(&sb);
            again = 1;
        }
    }
    free_secrets(v);
    struct strbuf out = STRBUF_INIT;
    scrub_patterns(&out, cur);
    free(cur);
    return sb_detach(&out);
}

/* Per thread: the console syncs on a worker thread. */
static _Thread_local char last_sqlstate[6];

const char *central_last_sqlstate(void)
{
    return last_sqlstate;
}

int central_fail(PGconn *c, PGresult *r, const char *doing, char **err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(last_sqlstate, sizeof last_sqlstate, "%s", state ? state : "");
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    if (!m || !*m)
        m = PQerrorMessage(c);
    char *msg = clean_pg_message(m);
    if (PQstatus(c) == CONNECTION_BAD)
        set_err(err, _("%s: the connection to the central database was lost: %s"), doing, msg);
    else
        set_err(err, "%s: %s", doing, msg);
    free(msg);
    return -1;
}

int central_exec(PGconn *c, const char *sql, const char *doing, char **err)
{
    PGresult *r = PQexec(c, sql);
    int st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = central_fail(c, r, doing, err);
    PQclear(r);
    return rc;
}

void central_conn_params(const char *url, const char **kw, const char **val)
{
    /* Earlier keywords are defaults the URL (expanded last) overrides. */
    kw[0] = "connect_timeout";
    val[0] = "10";
    kw[1] = "fallback_application_name";
    val[1] = "unyo";
    kw[2] = "client_encoding";
    val[2] = "UTF8";
    kw[3] = "dbname";
    val[3] = url;
    kw[4] = NULL;
    val[4] = NULL;
}

char *central_conn_error(PGconn *c)
{
    char *msg = clean_pg_message(c ? PQerrorMessage(c) : "out of memory");
    char *out = NULL;
    /* The server's part of the message is in its language, libpq's in ours:
     * ask libpq first, then look for the server's English words. */
    if ((c && PQconnectionNeedsPassword(c)) || strstr(msg, "password authentication failed") ||
        strstr(msg, "no password supplied"))
        set_err(&out,
                _("the central database refused the login (check the user name and password in "
                  "the URL or ~/.pgpass): %s"),
                msg);
    else if (strstr(msg, "does not exist"))
        set_err(&out, _("cannot use the central database: %s"), msg);
    else
        set_err(&out,
                _("cannot reach the central database (working offline; changes stay "
                  "pending): %s"),
                msg);
    free(msg);
    return out;
}

static void quiet_notices(void *arg, const char *message)
{
    /* "already exists, skipping" and the like are not for the operator. */
    (void)arg;
    (void)message;
}

int central_connect(const char *url, PGconn **out, char **err)
{
    const char *kw[5], *val[5];
    *out = NULL;
    central_conn_params(url, kw, val);
    PGconn *c = PQconnectdbParams(kw, val, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        char *m = central_conn_error(c);
        char *clean = central_scrub(url, m);
        set_err(err, "%s", clean);
        free(clean);
        free(m);
        PQfinish(c);
        return -1;
    }
    PQsetNoticeProcessor(c, quiet_notices, NULL);
    *out = c;
    return 0;
}

/* Reads format and store_version from unyo.meta; -1 each when the schema is
 * missing (returns 0 then too). */
static int read_versions(PGconn *c, long *format, long *version, char **instance, int in_tx,
                         char **err)
{
    *format = *version = -1;
    if (instance)
        *instance = NULL;
    PGresult *r;
    if (!in_tx) {
        /* One round trip in the common case; a missing schema is an error
         * here, which would abort an enclosing transaction (hence in_tx). */
        r = PQexec(c, "SELECT key, value FROM unyo.meta");
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            goto parse;
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        int missing = state && (streq(state, "42P01") || streq(state, "3F000"));
        if (!missing)
            central_fail(c, r, _("reading the central schema version"), err);
        PQclear(r);
        return missing ? 0 : -1;
    }
    r = PQexec(c, "SELECT to_regclass('unyo.meta') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        central_fail(c, r, _("reading the central schema version"), err);
        PQclear(r);
        return -1;
    }
    int present = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!present)
        return 0;
    r = PQexec(c, "SELECT key, value FROM unyo.meta");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        central_fail(c, r, _("reading the central schema version"), err);
        PQclear(r);
        return -1;
    }
parse:
    for (int i = 0; i < PQntuples(r); i++) {
        const char *k = PQgetvalue(r, i, 0), *v = PQgetvalue(r, i, 1);
        if (streq(k, "format"))
            *format = strtol(v, NULL, 10);
        else if (streq(k, "store_version"))
            *version = strtol(v, NULL, 10);
        else if (streq(k, "instance") && instance)
            *instance = xstrdup(v);
    }
    PQclear(r);
    return 0;
}

int central_check_values(long format, long store_version, char **err)
{
    int mine = store_schema_version();
    if (format < 0 || store_version < 0) {
        set_err(err, _("the central database has no unyo schema; create it with: unyo central "
                       "init --url URL"));
        return -1;
    }
    if (format > CENTRAL_FORMAT || store_version > mine) {
        set_err(err,
                _("the central database is newer (schema version %ld, layout %ld) than this "
                  "console (schema version %d, layout %d): upgrade unyo on this console"),
                store_version, format, mine, CENTRAL_FORMAT);
        return -1;
    }
    if (format < CENTRAL_FORMAT || store_version < mine) {
        set_err(err,
                _("the central database is older (schema version %ld) than this console (schema "
                  "version %d): upgrade the central database with: unyo central init --url URL"),
                store_version, mine);
        return -1;
    }
    return 0;
}

int central_check(PGconn *c, char **instance, char **err)
{
    long format, version;
    if (read_versions(c, &format, &version, instance, 0, err) != 0)
        return -1;
    if (central_check_values(format, version, err) != 0) {
        if (instance) {
            free(*instance);
            *instance = NULL;
        }
        return -1;
    }
    return 0;
}

static int mirror_table(PGconn *c, const struct ledger_table *t, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "CREATE TABLE IF NOT EXISTS unyo.");
    sql_ident(&sb, t->name);
    sb_puts(&sb, " (id text PRIMARY KEY, server_seq bigint NOT NULL)");
    int rc = central_exec(c, sb.buf, t->name, err);
    sb_reset(&sb);
    for (int i = 0; rc == 0 && i < t->ncols; i++) {
        if (i == t->col_id)
            continue;
        sb_reset(&sb);
        sb_puts(&sb, "ALTER TABLE unyo.");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " ADD COLUMN IF NOT EXISTS ");
        sql_ident(&sb, t->cols[i]);
        sb_printf(&sb, " %s", central_pg_type(t->aff[i]));
        rc = central_exec(c, sb.buf, t->name, err);
    }
    if (rc == 0) {
        /* For pushes that COPY new rows straight into the mirror. */
        sb_reset(&sb);
        sb_puts(&sb, "ALTER TABLE unyo.");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " ALTER COLUMN server_seq SET DEFAULT nextval('unyo.server_seq')");
        rc = central_exec(c, sb.buf, t->name, err);
    }
    if (rc == 0) {
        sb_reset(&sb);
        char *idx = xasprintf("%s_server_seq", t->name);
        sb_puts(&sb, "CREATE INDEX IF NOT EXISTS ");
        sql_ident(&sb, idx);
        sb_puts(&sb, " ON unyo.");
        sql_ident(&sb, t->name);
        sb_puts(&sb, " (server_seq)");
        free(idx);
        rc = central_exec(c, sb.buf, t->name, err);
    }
    sb_free(&sb);
    return rc;
}

int central_init(struct store *st, PGconn *c, int *from, int *to, char **err)
{
    struct ledger_schema ls;
    if (ledger_schema_load(st, &ls, err) != 0)
        return -1;
    int mine = store_schema_version();
    *to = mine;
    *from = 0;
    const char *doing = _("creating the central schema");
    int rc = central_exec(c, "BEGIN", doing, err);
    /* The same lock as pushes: no push runs against a half-migrated schema,
     * and two consoles initialising at once take turns. */
    if (rc == 0) {
        char *lock = xasprintf("SELECT pg_advisory_xact_lock(%lld)", CENTRAL_LOCK_KEY);
        rc = central_exec(c, lock, doing, err);
        free(lock);
    }
    long format = -1, version = -1;
    char *instance = NULL;
    if (rc == 0)
        rc = read_versions(c, &format, &version, &instance, 1, err);
    if (rc == 0 && (format > CENTRAL_FORMAT || version > mine)) {
        set_err(err,
                _("the central database is newer (schema version %ld) than this console "
                  "(schema version %d): upgrade unyo on this console"),
                version, mine);
        rc = -1;
    }
    if (rc == 0) {
        *from = version < 0 ? 0 : (int)version;
        rc = central_exec(c,
                          "CREATE SCHEMA IF NOT EXISTS unyo;"
                          "CREATE TABLE IF NOT EXISTS unyo.meta (key text PRIMARY KEY, "
                          "value text NOT NULL);"
                          "CREATE SEQUENCE IF NOT EXISTS unyo.server_seq;"
                          /* Each console's chain head at each push (issue 14): a store
                           * whose history was rewritten and re-chained no longer has
                           * these hashes (`unyo audit verify`). */
                          "CREATE TABLE IF NOT EXISTS unyo.chain_heads (origin text NOT NULL, "
                          "seq bigint NOT NULL, hash text NOT NULL, "
                          "at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (origin, seq))",
                          doing, err);
    }
    for (int i = 0; rc == 0 && i < ls.count; i++)
        rc = mirror_table(c, &ls.t[i], err);
    if (rc == 0)
        rc = central_exec(c, CENTRAL_JOB_CLAIMS_DDL "; " CENTRAL_JOB_CLAIMS_MIGRATE, doing, err);

    if (rc == 0) {
        char id[ID_LEN + 1];
        id_new(id);
        char *sql = xasprintf("INSERT INTO unyo.meta VALUES ('format', '%d'), "
                              "('store_version', '%d') ON CONFLICT (key) DO UPDATE SET "
                              "value = EXCLUDED.value;"
                              "INSERT INTO unyo.meta VALUES ('instance', '%s') "
                              "ON CONFLICT (key) DO NOTHING",
                              CENTRAL_FORMAT, mine, id);
        rc = central_exec(c, sql, doing, err);
        free(sql);
    }
    if (rc == 0)
        rc = central_exec(c, "COMMIT", doing, err);
    else
        PQclear(PQexec(c, "ROLLBACK"));
    free(instance);
    ledger_schema_free(&ls);
    return rc;
}
