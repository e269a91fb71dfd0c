#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "timefmt.h"
#include "utf8.h"
#include "util.h"

extern const char *const unyo_schema_sql[];
extern const size_t unyo_schema_count;

struct stmt_cache {
    const char **sql;
    sqlite3_stmt **stmt;
    size_t count, cap;
};

int store_schema_version(void)
{
    return (int)unyo_schema_count;
}

char *store_default_path(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg)
        return xasprintf("%s/unyo/unyo.db", xdg);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/tmp";
    }
    return xasprintf("%s/.local/share/unyo/unyo.db", home);
}

const char *store_own_login(void)
{
    const char *u = getenv("UNYO_USER");
    if (u && *u)
        return u;
    struct passwd *pw = getpwuid(getuid());
    if (pw)
        return pw->pw_name;
    u = getenv("USER");
    return u && *u ? u : "unknown";
}

/* The acting-login override (`:as`): an immutable string swapped atomically. A string
 * once published is never freed (the background workers may hold it); the strings are
 * kept reachable in a small list so a switch back and forth does not grow it. */
struct acting_name {
    struct acting_name *next;
    char login[];
};
static _Atomic(const char *) acting_login;
static atomic_int acting_signed_in; /* acting_login was set by a verified sign-in */
static struct acting_name *acting_names;
static pthread_mutex_t acting_mu = PTHREAD_MUTEX_INITIALIZER;

static void set_acting(const char *login, int signed_in);

void store_set_acting_login(const char *login)
{
    set_acting(login, 0);
}

int store_acting_signed_in(void)
{
    return atomic_load(&acting_signed_in) && atomic_load(&acting_login) != NULL;
}

void store_set_signed_in_login(const char *login)
{
    set_acting(login, 1);
}

static void set_acting(const char *login, int signed_in)
{
    if (!login || !*login) {
        atomic_store(&acting_signed_in, 0);
        atomic_store(&acting_login, NULL);
        return;
    }
    /* A signed-in person is kept even when it is the OS user: it was verified. */
    if (!signed_in && strcmp(login, store_own_login()) == 0) {
        atomic_store(&acting_signed_in, 0);
        atomic_store(&acting_login, NULL);
        return;
    }
    pthread_mutex_lock(&acting_mu);
    struct acting_name *a = acting_names;
    while (a && strcmp(a->login, login) != 0)
        a = a->next;
    if (!a) {
        size_t n = strlen(login) + 1;
        a = xmalloc(sizeof *a + n);
        memcpy(a->login, login, n);
        a->next = acting_names;
        acting_names = a;
    }
    atomic_store(&acting_signed_in, signed_in);
    atomic_store(&acting_login, (const char *)a->login);
    pthread_mutex_unlock(&acting_mu);
}

const char *store_os_login(void)
{
    const char *a = atomic_load(&acting_login);
    return a ? a : store_own_login();
}

/* Read-only mode: see store.h. */
static atomic_int read_only_default;

void store_set_read_only(int on)
{
    atomic_store(&read_only_default, on ? 1 : 0);
}

int store_is_read_only(const struct store *st)
{
    return st ? st->read_only : atomic_load(&read_only_default);
}

const char *store_read_only_message(void)
{
    return _("read-only: this console cannot change the record");
}

int store_refuse_write(struct store *st, char **err)
{
    if (!store_is_read_only(st))
        return 0;
    set_err(err, "%s", store_read_only_message());
    return -1;
}

/* A write the connection refused because the store is read-only. */
static int refused_read_only(struct store *st)
{
    return st->read_only && (sqlite3_errcode(st->db) & 0xff) == SQLITE_READONLY;
}

int store_fail(struct store *st, char **err, const char *doing)
{
    if (refused_read_only(st))
        set_err(err, "%s", store_read_only_message());
    else
        set_err(err, "%s: %s", doing, sqlite3_errmsg(st->db));
    return -1;
}

/* What a failed read means to an operator, by SQLite's primary result code. */
static const char *read_failure(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return _("the store is locked by another process");
    case SQLITE_INTERRUPT:
        return _("the read was interrupted");
    case SQLITE_IOERR:
        return _("input/output error");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return _("the store file is damaged");
    case SQLITE_NOMEM:
        return _("out of memory");
    case SQLITE_FULL:
        return _("the disk is full");
    case SQLITE_CANTOPEN:
        return _("the store file cannot be opened");
    case SQLITE_SCHEMA:
        return _("the store's schema changed");
    default:
        return _("the store cannot be read");
    }
}

int store_next_row(sqlite3_stmt *s, char **err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    sqlite3 *db = sqlite3_db_handle(s);
    /* The message before the reset, which may replace it. */
    set_err(err, _("reading the store failed: %s (SQLite: %s)"), read_failure(rc),
            db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_reset(s);
    return -1;
}

int store_one_row(sqlite3_stmt *s, char **err)
{
    return store_next_row(s, err);
}

void store_busy_timeout(struct store *st, int ms)
{
    sqlite3_busy_timeout(st->db, ms);
}

int64_t store_data_version(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, "PRAGMA data_version");
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    /* both only grow: their sum moves when either does */
    return v + (int64_t)sqlite3_total_changes(st->db);
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
    struct stmt_cache *c = st->cache;
    for (size_t i = 0; i < c->count; i++) {
        if (c->sql[i] == sql) {
            sqlite3_reset(c->stmt[i]);
            sqlite3_clear_bindings(c->stmt[i]);
            return c->stmt[i];
        }
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        /* A statement that does not prepare is a programming error in unyo,
         * not bad input: say which and stop. */
        fprintf(stderr, "unyo: internal error preparing [%s]: %s\n", sql, sqlite3_errmsg(st->db));
        abort();
    }
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->sql = xrealloc(c->sql, c->cap * sizeof *c->sql);
        c->stmt = xrealloc(c->stmt, c->cap * sizeof *c->stmt);
    }
    c->sql[c->count] = sql;
    c->stmt[c->count] = s;
    c->count++;
    return s;
}

int store_exec(struct store *st, const char *sql, char **err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        set_err(err, "%s",
                refused_read_only(st) ? store_read_only_message()
                : msg                 ? msg
                                      : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int store_begin(struct store *st, char **err)
{
    /* Every write of the ledgers starts here: refused before it has any effect. */
    if (store_refuse_write(st, err) != 0)
        return -1;
    if (store_exec(st, "BEGIN IMMEDIATE", err) != 0)
        return -1;
    /* Rows written outside a unyo transaction (sqlite3 by hand) are chained now,
     * marked late: `unyo audit verify` names them. */
    if (store_chain_seal(st, 1, err) != 0) {
        store_rollback(st);
        return -1;
    }
    /* Another process on this store (the console and `unyo sync`, a job
     * runner) may have moved the clock on; read it under the write lock so
     * this transaction's writes order after theirs. */
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM local_meta WHERE key = 'hlc'");
    int got = store_one_row(s, err);
    if (got < 0) {
        store_rollback(st);
        return -1;
    }
    if (got) {
        int64_t saved = sqlite3_column_int64(s, 0);
        store_hlc_observe(st, saved);
        if (saved > st->hlc_saved)
            st->hlc_saved = saved;
    }
    sqlite3_reset(s);
    return 0;
}

static int save_hlc(struct store *st, char **err)
{
    if (st->hlc_last == st->hlc_saved)
        return 0;
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO local_meta(key, value) VALUES('hlc', ?1) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)st->hlc_last);
    bind_text(s, 1, buf);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("saving the clock"));
    st->hlc_saved = st->hlc_last;
    return 0;
}

int store_commit(struct store *st, char **err)
{
    if (store_chain_seal(st, 0, err) != 0 || save_hlc(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (store_exec(st, "COMMIT", err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

void store_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int64_t store_hlc_next(struct store *st)
{
    int64_t phys = time_now_ms() << 16;
    st->hlc_last = phys > st->hlc_last ? phys : st->hlc_last + 1;
    return st->hlc_last;
}

void store_hlc_observe(struct store *st, int64_t remote)
{
    if (remote > st->hlc_last)
        st->hlc_last = remote;
}

void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && !utf8_storable(v, strlen(v))) /* text is stored as valid UTF-8 (issue 11) */
        sqlite3_bind_text(s, i, utf8_repair(v, strlen(v)), -1, free);
    else if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

void bind_int(sqlite3_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(s, i, v);
}

const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

char *col_dup(sqlite3_stmt *s, int i)
{
    const char *t = col_text(s, i);
    return t ? xstrdup(t) : NULL;
}

char *store_meta_get(struct store *st, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM local_meta WHERE key = ?1");
    bind_text(s, 1, key);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = xstrdup(col_text(s, 0));
    sqlite3_reset(s);
    return v;
}

int store_meta_set(struct store *st, const char *key, const char *value, char **err)
{
    if (store_refuse_write(st, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO local_meta(key, value) VALUES(?1, ?2) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    bind_text(s, 1, key);
    bind_text(s, 2, value);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("saving settings"));
    return 0;
}

/* Creates the file with mode 0600 before SQLite sees it: the store holds
 * names, phone numbers and transcripts. O_EXCL makes "never overwrite" hold
 * even against a race. */
static int create_file(const char *path, char **err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir_p(dir, err) != 0) {
            free(dir);
            return -1;
        }
    }
    free(dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            set_err(err,
                    _("a store already exists at %s; unyo init never overwrites a store "
                      "(use --db PATH for a new one)"),
                    path);
        else
            set_err(err, _("cannot create the store %s: %s"), path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

static int migrate(struct store *st, int from, char **err)
{
    for (int v = from; v < (int)unyo_schema_count; v++) {
        /* Not store_begin: before the first migration there is no clock to read. */
        if (store_exec(st, "BEGIN IMMEDIATE", err) != 0)
            return -1;
        char *msg = NULL;
        if (sqlite3_exec(st->db, unyo_schema_sql[v], NULL, NULL, &msg) != SQLITE_OK) {
            set_err(err, _("upgrading the store to version %d failed: %s"), v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            store_rollback(st);
            return -1;
        }
        /* A migration that edits a definition in place (012: writable_schema) leaves
         * the schema cookie as it was: bump it, so this and every other connection
         * re-reads the schema (a migration's DDL bumps it anyway). */
        sqlite3_stmt *q = NULL;
        int cookie = -1;
        if (sqlite3_prepare_v2(st->db, "PRAGMA schema_version", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            cookie = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA schema_version = %d", cookie + 1);
        if (cookie < 0 || store_exec(st, pragma, err) != 0) {
            if (cookie < 0)
                set_err(err, _("upgrading the store to version %d failed: %s"), v + 1,
                        sqlite3_errmsg(st->db));
            store_rollback(st);
            return -1;
        }
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (store_exec(st, pragma, err) != 0 || store_exec(st, "COMMIT", err) != 0) {
            store_rollback(st);
            return -1;
        }
    }
    /* Migration 014 noted every row already there: chained once, now. */
    if (from < 14 && (int)unyo_schema_count >= 14) {
        if (store_exec(st, "BEGIN IMMEDIATE", err) != 0)
            return -1;
        if (store_chain_seal(st, 0, err) != 0 || store_exec(st, "COMMIT", err) != 0) {
            store_rollback(st);
            return -1;
        }
    }
    return 0;
}

/* The acting login's role is observer (a store that is not migrated far enough to
 * have the table answers no). */
static int is_observer(struct store *st)
{
    sqlite3_stmt *s = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM operators WHERE login = ?1 AND role = 'observer' "
                           "AND deleted = 0 AND active = 1",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, store_os_login(), -1, SQLITE_TRANSIENT);
        yes = sqlite3_step(s) == SQLITE_ROW;
    }
    sqlite3_finalize(s);
    return yes;
}

static int load_identity(struct store *st, int fresh, char **err)
{
    char *origin = store_meta_get(st, "origin");
    if (!origin) {
        if (!fresh) {
            set_err(err, _("the store %s has no console id; it was not made by unyo init"),
                    st->path);
            return -1;
        }
        char id[ID_LEN + 1];
        id_new(id);
        if (store_meta_set(st, "origin", id, err) != 0)
            return -1;
        origin = xstrdup(id);
    }
    snprintf(st->origin, sizeof st->origin, "%s", origin);
    free(origin);
    /* UNYO_TEST_STORE is read here only, when the store is being made: the harness's
     * stores are test stores from their first row on; an existing store never becomes
     * one. */
    const char *test = getenv("UNYO_TEST_STORE");
    if (fresh && test && streq(test, "1") && store_meta_set(st, "demo", "test", err) != 0)
        return -1;
    char *demo = store_meta_get(st, "demo");
    st->demo = demo != NULL;
    free(demo);
    char *hlc = store_meta_get(st, "hlc");
    st->hlc_last = st->hlc_saved = hlc ? strtoll(hlc, NULL, 10) : 0;
    free(hlc);
    return 0;
}

static int refuse_acting_env(struct store *st, int fresh, char **err);

int store_open(const char *path, enum store_open_mode mode, struct store **out, char **err)
{
    *out = NULL;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (mode == STORE_OPEN_EXISTING && !exists) {
        set_err(err, _("no store at %s; create one with: unyo init --db %s"), path, path);
        return -1;
    }
    if (mode == STORE_CREATE_NEW && store_is_read_only(NULL)) {
        set_err(err, "%s", store_read_only_message());
        return -1;
    }
    if (mode == STORE_CREATE_NEW && create_file(path, err) != 0)
        return -1;
    if (exists && S_ISDIR(sb.st_mode)) {
        set_err(err, _("%s is a directory, not a store"), path);
        return -1;
    }

    struct store *st = xcalloc(1, sizeof *st);
    st->path = xstrdup(path);
    st->cache = xcalloc(1, sizeof *st->cache);
    /* One connection per thread (unyo is single-threaded): no SQLite mutexes. */
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        set_err(err, _("cannot open the store %s: %s"), path, sqlite3_errmsg(st->db));
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    sqlite3_extended_result_codes(st->db, 1);

    /* Reading user_version is the first access to the file: a file that is
     * not a database fails here, before anything is written to it. */
    sqlite3_stmt *s = NULL;
    int version = -1;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    rc = sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    if (version < 0) {
        if ((rc & 0xff) == SQLITE_NOTADB)
            set_err(err,
                    _("%s is not a unyo store (not an SQLite database); it was left untouched"),
                    path);
        else
            set_err(err, _("cannot read the store %s: %s"), path, sqlite3_errmsg(st->db));
        goto fail;
    }
    if (version > (int)unyo_schema_count) {
        set_err(err,
                _("the store %s is from a newer unyo (schema %d; this unyo knows up to %d); "
                  "upgrade unyo. The file was left untouched"),
                path, version, (int)unyo_schema_count);
        goto fail;
    }
    if (version == 0 && mode != STORE_CREATE_NEW) {
        sqlite3_stmt *q = NULL;
        int tables = 0;
        if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL) ==
                SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            tables = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        set_err(err,
                tables ? _("%s is an SQLite database but not a unyo store; it was left untouched")
                       : _("%s is empty, not a unyo store; create one with: unyo init --db %s"),
                path, path);
        goto fail;
    }
    st->read_only = store_is_read_only(NULL) || (version > 0 && is_observer(st));
    if (st->read_only && version < (int)unyo_schema_count) {
        set_err(err,
                _("the store %s needs upgrading to this unyo (schema %d to %d), which a "
                  "read-only console cannot do; open it once without --read-only "
                  "(as an operator who is not an observer)"),
                path, version, (int)unyo_schema_count);
        goto fail;
    }
    if (st->read_only) {
        /* Nothing of the store's own housekeeping at open (WAL mode is already set by
         * the open that made it, no migration, no UTF-8 repair) and no checkpoint when
         * the connection closes: the files are left as they were. */
        sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        if (store_exec(st, "PRAGMA query_only = ON", err) != 0 ||
            store_exec(st, "PRAGMA foreign_keys = ON", err) != 0 ||
            load_identity(st, 0, err) != 0 || refuse_acting_env(st, 0, err) != 0)
            goto fail;
        *out = st;
        return 0;
    }
    if (store_exec(st, "PRAGMA journal_mode = WAL", err) != 0 ||
        store_exec(st, "PRAGMA foreign_keys = ON", err) != 0 ||
        store_exec(st, "PRAGMA synchronous = NORMAL", err) != 0 ||
        /* A big pull or import grows the WAL; without a limit the file keeps that size
         * for as long as a console stays open. */
        store_exec(st, "PRAGMA journal_size_limit = 67108864", err) != 0)
        goto fail;
    if (migrate(st, version, err) != 0)
        goto fail;
    if (load_identity(st, version == 0, err) != 0 || store_repair_utf8(st, NULL, err) != 0 ||
        refuse_acting_env(st, version == 0, err) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    store_close(st);
    return -1;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    if (st->db && !st->read_only && st->hlc_last != st->hlc_saved && sqlite3_get_autocommit(st->db))
        save_hlc(st, NULL);
    if (st->cache) {
        for (size_t i = 0; i < st->cache->count; i++)
            sqlite3_finalize(st->cache->stmt[i]);
        free(st->cache->sql);
        free(st->cache->stmt);
        free(st->cache);
    }
    if (st->db)
        sqlite3_close(st->db);
    free(st->path);
    free(st->operator_login);
    free(st->operator_name);
    free(st->operator_role);
    free(st);
}

/* UNYO_USER names who acts in a demo or test store only (issue 14): a real store refuses
 * to be opened with it, reading included, so nobody takes a real store for a demo. The
 * store being made (fresh) is not refused yet: `unyo init` and `unyo demo` make it. */
static int unyo_user_refused(struct store *st, const char *u, char **err)
{
    set_err(err,
            _("UNYO_USER=%s is refused: acting as someone else works only in a store made by "
              "unyo demo or by the tests, and %s was made by unyo init. Unset UNYO_USER; the "
              "console asks who you are when it starts"),
            u, st->path);
    return -1;
}

static int refuse_acting_env(struct store *st, int fresh, char **err)
{
    const char *u = getenv("UNYO_USER");
    if (fresh || st->demo || !u || !*u)
        return 0;
    return unyo_user_refused(st, u, err);
}

/* The refusal for an unregistered login: on an empty store, how to register as the
 * first operator (a manager); otherwise who can register them (the managers, or every
 * operator when there is no manager) — never the command that refuses them. */
static int not_registered(struct store *st, const char *login, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT name, login, role FROM operators WHERE deleted = 0 AND active = 1 "
                       "ORDER BY role <> 'manager', login");
    struct strbuf who = STRBUF_INIT;
    int step, n = 0, managers = 0;
    while ((step = store_next_row(s, err)) == 1) {
        int manager = streq(col_text(s, 2), "manager");
        if (n > 0 && managers > 0 && !manager)
            continue;
        managers += manager;
        if (n < 5)
            sb_printf(&who, "%s%s (%s)", n ? ", " : "", col_text(s, 0), col_text(s, 1));
        n++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        sb_free(&who);
        return -1;
    }
    if (n == 0)
        set_err(err,
                _("no operator is registered in this store yet: register yourself as its first "
                  "operator (a manager) with: unyo operator add %s --role manager "
                  "[--name \"Full Name\"]"),
                login);
    else
        set_err(err,
                _("you (%s) are not registered as an operator of this store; ask %s to register "
                  "you (in the console: Handover pane, or :operator add)"),
                login, who.buf);
    sb_free(&who);
    return -1;
}

int store_mark_demo(struct store *st, const char *kind, char **err)
{
    if (store_meta_set(st, "demo", kind, err) != 0)
        return -1;
    st->demo = 1;
    return 0;
}

void store_forget_operator(struct store *st)
{
    st->operator_id[0] = '\0';
}

int store_require_operator(struct store *st, char **err)
{
    if (st->operator_id[0])
        return 0;
    const char *login = store_os_login();
    if (!st->demo) {
        /* Acting as someone else is for demo and test stores only (issue 14). */
        const char *u = getenv("UNYO_USER");
        const char *acting = atomic_load(&acting_login);
        if (u && *u)
            return unyo_user_refused(st, u, err);
        if (acting && !atomic_load(&acting_signed_in)) {
            set_err(err,
                    _("acting as %s is refused: this store was made by unyo init; sign in "
                      "instead (:switch)"),
                    acting);
            return -1;
        }
    }
    sqlite3_stmt *s = store_stmt(
        st, "SELECT id, name, role FROM operators WHERE login = ?1 AND deleted = 0 AND active = 1");
    bind_text(s, 1, login);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        if (got < 0)
            return -1;
        return not_registered(st, login, err);
    }
    snprintf(st->operator_id, sizeof st->operator_id, "%s", col_text(s, 0));
    free(st->operator_login);
    free(st->operator_name);
    free(st->operator_role);
    st->operator_login = xstrdup(login);
    st->operator_name = xstrdup(col_text(s, 1));
    st->operator_role = xstrdup(col_text(s, 2));
    sqlite3_reset(s);
    /* An observer sees everything and changes nothing: the store turns read-only (and
     * back when the acting operator is someone else, unless the process is). */
    int ro = store_is_read_only(NULL) || streq(st->operator_role, "observer");
    if (ro != st->read_only) {
        st->read_only = 0; /* the pragma's own failure must not read as a refusal */
        if (store_exec(st, ro ? "PRAGMA query_only = ON" : "PRAGMA query_only = OFF", err) != 0)
            return -1;
        st->read_only = ro;
    }
    return 0;
}

int store_audit(struct store *st, const char *action, const char *kind, const char *row_id,
                const char *detail, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO audit(id, at, operator_id, action, kind, row_id, detail, hlc, origin) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    int64_t now = time_now_ms();
    id_new_at(id, now);
    time_format_iso(now, at);
    bind_text(s, 1, id);
    bind_text(s, 2, at);
    bind_text(s, 3, st->operator_id[0] ? st->operator_id : NULL);
    bind_text(s, 4, action);
    bind_text(s, 5, kind);
    bind_text(s, 6, row_id);
    bind_text(s, 7, detail);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("recording the audit trail"));
    return 0;
}

char **store_ledger_tables(struct store *st, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name NOT LIKE 'local\\_%' ESCAPE '\\' "
                                     "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                     "AND sql NOT LIKE 'CREATE VIRTUAL%' "
                                     "AND name NOT LIKE '%\\_fts%' ESCAPE '\\' ORDER BY rowid");
    size_t n = 0, cap = 16;
    char **names = xmalloc(cap * sizeof *names);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        if (n + 1 >= cap)
            names = xrealloc(names, (cap *= 2) * sizeof *names);
        names[n++] = xstrdup(col_text(s, 0));
    }
    names[n] = NULL;
    if (step < 0) {
        store_free_names(names);
        return NULL;
    }
    sqlite3_reset(s);
    return names;
}

void store_free_names(char **names)
{
    if (!names)
        return;
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}
