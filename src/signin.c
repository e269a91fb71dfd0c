#include "signin.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "i18n.h"
#include "labels.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* ---- freshness: in memory, per operator, on the monotonic clock (UNYO_NOW, which tests
 * use to fix the ledger's time, does not move it) ---- */
struct fresh {
    char login[65];
    int64_t at;
};
static struct fresh fresh_tab[16];
static pthread_mutex_t fresh_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void mark_fresh(const char *login)
{
    pthread_mutex_lock(&fresh_mu);
    size_t slot = 0;
    for (size_t i = 0; i < sizeof fresh_tab / sizeof *fresh_tab; i++) {
        if (streq(fresh_tab[i].login, login)) {
            slot = i;
            break;
        }
        if (fresh_tab[i].at < fresh_tab[slot].at)
            slot = i;
    }
    snprintf(fresh_tab[slot].login, sizeof fresh_tab[slot].login, "%s", login);
    fresh_tab[slot].at = mono_ms();
    pthread_mutex_unlock(&fresh_mu);
}

/* [signin] sign_within in config.ini (seconds) may only shorten the window. */
static int64_t fresh_ms(void)
{
    const char *v = config_value("signin", "sign_within");
    char *end = NULL;
    long n = v && *v ? strtol(v, &end, 10) : -1;
    if (!v || !*v || !end || *end || n < 0 || n * 1000 > SIGNIN_FRESH_MS)
        return SIGNIN_FRESH_MS;
    return (int64_t)n * 1000;
}

int signin_is_fresh(const char *login)
{
    if (!login || !*login)
        return 0;
    int yes = 0;
    int64_t now = mono_ms(), window = fresh_ms();
    pthread_mutex_lock(&fresh_mu);
    for (size_t i = 0; i < sizeof fresh_tab / sizeof *fresh_tab; i++)
        if (fresh_tab[i].at && streq(fresh_tab[i].login, login))
            yes = now - fresh_tab[i].at < window;
    pthread_mutex_unlock(&fresh_mu);
    return yes;
}

void signin_forget(const char *login)
{
    pthread_mutex_lock(&fresh_mu);
    for (size_t i = 0; i < sizeof fresh_tab / sizeof *fresh_tab; i++)
        if (!login || streq(fresh_tab[i].login, login))
            memset(&fresh_tab[i], 0, sizeof fresh_tab[i]);
    pthread_mutex_unlock(&fresh_mu);
}

void signin_wipe(char *buf, size_t n)
{
    if (buf)
        OPENSSL_cleanse(buf, n);
}

/* ---- the store side ---- */

/* One audit row on its own (a refusal writes nothing else); a read-only store writes
 * none. */
static void audit_alone(struct store *st, const char *action, const char *row_id,
                        const char *detail)
{
    if (store_is_read_only(st))
        return;
    char *ignore = NULL;
    if (store_begin(st, &ignore) == 0 &&
        (store_audit(st, action, "operators", row_id, detail, &ignore) != 0 ||
         store_commit(st, &ignore) != 0))
        store_rollback(st);
    free(ignore);
}

struct who {
    char id[ID_LEN + 1];
    int found, active;
    char *hash;
    int failures;
};

static int look_up(struct store *st, const char *login, struct who *w, char **err)
{
    memset(w, 0, sizeof *w);
    sqlite3_stmt *s =
        store_stmt(st, "SELECT o.id, o.active AND NOT o.deleted, p.hash, coalesce(p.failures, 0) "
                       "FROM operators o LEFT JOIN local_passphrases p ON p.operator_id = o.id "
                       "WHERE o.login = ?1");
    bind_text(s, 1, login);
    int got = store_one_row(s, err);
    if (got == 1) {
        w->found = 1;
        snprintf(w->id, sizeof w->id, "%s", col_text(s, 0));
        w->active = sqlite3_column_int(s, 1);
        w->hash = col_dup(s, 2);
        w->failures = sqlite3_column_int(s, 3);
    }
    sqlite3_reset(s);
    return got < 0 ? -1 : 0;
}

static void who_free(struct who *w)
{
    if (w->hash)
        signin_wipe(w->hash, strlen(w->hash));
    free(w->hash);
    w->hash = NULL;
}

/* Unknown or deactivated: refused, audited, with a message that says which. */
static int refuse_who(struct store *st, const char *login, const struct who *w, char **err)
{
    if (!w->found) {
        char *d = xasprintf("login=%s refused=unknown-login", login);
        audit_alone(st, "signin.refused", NULL, d);
        free(d);
        set_err(err, _("%s is not an operator of this store"), login);
        return -1;
    }
    if (!w->active) {
        char *d = xasprintf("login=%s refused=deactivated", login);
        audit_alone(st, "signin.refused", w->id, d);
        free(d);
        set_err(err, _("%s is deactivated in this store and cannot sign in; ask a manager"), login);
        return -1;
    }
    return 0;
}

int signin_state(struct store *st, const char *login, char **err)
{
    struct who w;
    if (look_up(st, login, &w, err) != 0)
        return -1;
    int rc = refuse_who(st, login, &w, err);
    if (rc == 0)
        rc = w.hash && *w.hash ? SIGNIN_HAS_PASSPHRASE : SIGNIN_MUST_SET;
    who_free(&w);
    return rc;
}

/* yescrypt of pass with hash's setting compared to hash, in constant time for a given
 * length (the length of a yescrypt string is not a secret). */
static int hash_matches(const char *pass, const char *hash)
{
    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    int ok = 0;
    if (crypt_rn(pass, hash, cd, (int)sizeof *cd) && cd->output[0] != '*') {
        size_t a = strlen(cd->output), b = strlen(hash);
        ok = a == b && CRYPTO_memcmp(cd->output, hash, a) == 0;
    }
    OPENSSL_cleanse(cd, sizeof *cd);
    free(cd);
    return ok;
}

/* The wait after the n-th wrong passphrase in a row: 0.25 s, doubling, up to 8 s. */
static void failure_delay(int n)
{
    int64_t ms = 250;
    for (int i = 1; i < n && ms < 8000; i++)
        ms *= 2;
    if (ms > 8000)
        ms = 8000;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

int signin_check(struct store *st, const char *login, const char *pass, char **err)
{
    struct who w;
    if (look_up(st, login, &w, err) != 0)
        return -1;
    if (refuse_who(st, login, &w, err) != 0) {
        who_free(&w);
        failure_delay(1);
        return -1;
    }
    if (!w.hash || !*w.hash) {
        who_free(&w);
        set_err(err,
                _("%s has no passphrase yet: set one first (at sign-in, or with: unyo "
                  "operator passwd)"),
                login);
        return -1;
    }
    int ok = pass && hash_matches(pass, w.hash);
    if (ok) {
        if (w.failures > 0 && !store_is_read_only(st)) {
            sqlite3_stmt *s =
                store_stmt(st, "UPDATE local_passphrases SET failures = 0 WHERE operator_id = ?1");
            bind_text(s, 1, w.id);
            sqlite3_step(s);
            sqlite3_reset(s);
        }
        who_free(&w);
        mark_fresh(login);
        return 0;
    }
    int n = w.failures + 1;
    if (!store_is_read_only(st)) {
        sqlite3_stmt *s = store_stmt(
            st, "UPDATE local_passphrases SET failures = failures + 1 WHERE operator_id = ?1");
        bind_text(s, 1, w.id);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    char *d = xasprintf("login=%s failures=%d", login, n);
    audit_alone(st, "signin.failed", w.id, d);
    free(d);
    who_free(&w);
    failure_delay(n);
    set_err(err, _("wrong passphrase for %s"), login);
    return -1;
}

void signin_record(struct store *st, const char *login, const char *how)
{
    struct who w;
    char *ignore = NULL;
    if (look_up(st, login, &w, &ignore) == 0 && w.found) {
        char *d = xasprintf("login=%s how=%s", login, how);
        audit_alone(st, "signin", w.id, d);
        free(d);
    }
    free(ignore);
    who_free(&w);
}

static int store_hash(struct store *st, const char *id, const char *hash, const char *action,
                      const char *detail, char **err)
{
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *s =
        store_stmt(st, "INSERT INTO local_passphrases(operator_id, hash, failures, updated_at) "
                       "VALUES(?1, ?2, 0, ?3) ON CONFLICT(operator_id) DO UPDATE SET "
                       "hash = excluded.hash, failures = 0, updated_at = excluded.updated_at");
    bind_text(s, 1, id);
    bind_text(s, 2, hash);
    bind_text(s, 3, at);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("saving the passphrase"));
    sqlite3_reset(s);
    if (rc == 0)
        rc = store_audit(st, action, "operators", id, detail, err);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int signin_set_passphrase(struct store *st, const char *login, const char *old, const char *pass,
                          char **err)
{
    if (store_refuse_write(st, err) != 0)
        return -1;
    struct who w;
    if (look_up(st, login, &w, err) != 0)
        return -1;
    if (refuse_who(st, login, &w, err) != 0) {
        who_free(&w);
        return -1;
    }
    int had = w.hash && *w.hash;
    who_free(&w);
    if (had && signin_check(st, login, old ? old : "", err) != 0)
        return -1;
    size_t len = pass ? strlen(pass) : 0;
    if (len < SIGNIN_MIN_LEN || len > SIGNIN_MAX_LEN) {
        set_err(err, _("a passphrase has %d to %d characters"), SIGNIN_MIN_LEN, SIGNIN_MAX_LEN);
        return -1;
    }
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$y$", 0, NULL, 0, setting, (int)sizeof setting)) {
        set_err(err, _("cannot make a passphrase hash (libxcrypt has no yescrypt)"));
        return -1;
    }
    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    int rc = -1;
    if (!crypt_rn(pass, setting, cd, (int)sizeof *cd) || cd->output[0] == '*')
        set_err(err, _("cannot make a passphrase hash (libxcrypt has no yescrypt)"));
    else {
        char *d = xasprintf("login=%s%s", login, had ? "" : " first=1");
        rc = store_hash(st, w.id, cd->output, "operator.passphrase", d, err);
        free(d);
    }
    OPENSSL_cleanse(cd, sizeof *cd);
    free(cd);
    if (rc == 0)
        mark_fresh(login);
    return rc;
}

int signin_reset_passphrase(struct store *st, const char *login, char **err)
{
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return -1;
    struct who w;
    if (look_up(st, login, &w, err) != 0)
        return -1;
    who_free(&w);
    if (!w.found || !w.active) {
        set_err(err, _("%s is not an active operator of this store"), login);
        return -1;
    }
    if (streq(login, st->operator_login)) {
        set_err(err, _("to change your own passphrase, give no LOGIN: unyo operator passwd"));
        return -1;
    }
    if (!streq(st->operator_role, "manager")) {
        char *d = xasprintf("login=%s refused=not-a-manager", login);
        audit_alone(st, "operator.passphrase.refused", w.id, d);
        free(d);
        set_err(err, _("only a manager resets someone's passphrase; you (%s) are registered as %s"),
                st->operator_login, label_role(st->operator_role));
        return -1;
    }
    if (signin_require_fresh(st, "passphrase-reset", err) != 0)
        return -1;
    char *d = xasprintf("login=%s reset=1", login);
    int rc = store_hash(st, w.id, NULL, "operator.passphrase", d, err);
    free(d);
    if (rc == 0)
        signin_forget(login);
    return rc;
}

static atomic_int needed;

int signin_take_needed(void)
{
    return atomic_exchange(&needed, 0);
}

int signin_require_fresh(struct store *st, const char *act, char **err)
{
    if (st->demo)
        return 0;
    if (store_require_operator(st, err) != 0)
        return -1;
    if (signin_is_fresh(st->operator_login))
        return 0;
    char *d = xasprintf("login=%s act=%s refused=no-passphrase", st->operator_login, act);
    audit_alone(st, "sign.refused", st->operator_id, d);
    free(d);
    atomic_store(&needed, 1);
    set_err(err,
            _("this act is signed: it needs your passphrase (%s), given now or in the "
              "last 5 minutes"),
            st->operator_login);
    return -1;
}
