/* Sync rounds: push then pull on one connection, the outcome recorded in
 * local_sync_meta (sync_round, sync_run, sync_run_full), and the console's
 * non-blocking session that runs rounds on a worker thread. */
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central.h"
#include "config.h"
#include "i18n.h"
#include "store.h"
#include "sync_int.h"
#include "timefmt.h"
#include "util.h"

/* ---- rounds -------------------------------------------------------------- */

/* full_pull: pull everything first, this console's own rows included (see
 * sync_run_full), instead of checking for a restore. */
static int run_round(struct store *st, PGconn *c, int full_pull, struct sync_report *rep,
                     sync_progress_fn progress, void *ud, char **err)
{
    sync_trace("round");
    struct ledger_schema ls;
    if (ledger_schema_load(st, &ls, err) != 0)
        return -1;
    char *instance = NULL;
    int rc = central_check(c, &instance, err);
    if (rc == 0) {
        char *known = sync_meta_get(st, "central");
        int full = !known || !streq(known, instance);
        free(known);
        rc = sync_prepare_tables(st, &ls, full, full ? instance : NULL, err);
    }
    sync_trace("prepared");
    int check_in_pull = 0;
    if (rc == 0 && full_pull) {
        rc = sync_pull(st, c, &ls, 1, 0, 0, 0, 0, rep, progress, ud, err);
        if (rc == 0 && (rc = store_begin(st, err)) == 0) {
            if (sync_meta_set(st, "restore_detected", NULL) != 0) {
                rc = store_fail(st, err, _("saving the sync state"));
                store_rollback(st);
            } else {
                rc = store_commit(st, err);
            }
        }
        sync_trace("full pull");
    } else if (rc == 0) {
        char *found = sync_meta_get(st, "restore_detected");
        int restored = found != NULL;
        free(found);
        if (restored)
            rc = sync_restore_refused(err);
        /* With something to send, check before sending it; otherwise the
         * pull checks, on the tables where there is something new. */
        sqlite3_stmt *o = store_stmt(st, "SELECT 1 FROM local_sync_outbox LIMIT 1");
        check_in_pull = sqlite3_step(o) != SQLITE_ROW;
        sqlite3_reset(o);
        if (rc == 0 && !check_in_pull)
            rc = sync_restore_check(st, c, &ls, NULL, NULL, err);
        sync_trace("restore checked");
    }
    /* The push reports into own too, whatever rep is. */
    struct sync_report own = {0};
    /* Nothing to send when the outbox was read empty: rows written since go
     * next round, after a check. */
    if (rc == 0 && !check_in_pull)
        rc = sync_push_all(st, c, &ls, &own, progress, ud, err);
    if (rc == 0 && rep) {
        for (int i = 0; i < own.count; i++) {
            struct sync_table_report *tr = sync_report_for(rep, own.t[i].table);
            tr->sent += own.t[i].sent;
            tr->pushed += own.t[i].pushed;
            tr->conflicts += own.t[i].conflicts;
        }
        rep->sent += own.sent;
        rep->pushed += own.pushed;
        rep->conflicts += own.conflicts;
    }
    sync_trace("pushed");
    if (rc == 0)
        rc = sync_pull(st, c, &ls, 0, check_in_pull, own.sent, own.own_lo, own.own_hi, rep,
                       progress, ud, err);
    sync_trace("pulled");
    sync_report_free(&own);
    free(instance);
    ledger_schema_free(&ls);
    return rc;
}

int sync_round(struct store *st, PGconn *c, struct sync_report *rep, sync_progress_fn progress,
               void *ud, char **err)
{
    return run_round(st, c, 0, rep, progress, ud, err);
}

static void record_outcome(struct store *st, int ok, const char *msg, int offline)
{
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    if (store_begin(st, NULL) != 0)
        return;
    sync_meta_set(st, "last_attempt", now);
    if (ok) {
        sync_meta_set(st, "last_success", now);
        sync_meta_set(st, "last_error", NULL);
        sync_meta_set(st, "last_error_at", NULL);
        sync_meta_set(st, "offline_since", NULL);
    } else {
        sync_meta_set(st, "last_error", msg);
        sync_meta_set(st, "last_error_at", now);
        if (offline) {
            char *since = sync_meta_get(st, "offline_since");
            if (!since)
                sync_meta_set(st, "offline_since", now);
            free(since);
        }
    }
    if (store_commit(st, NULL) != 0)
        store_rollback(st);
}

static int run_connected(struct store *st, const char *url, int full_pull, struct sync_report *rep,
                         sync_progress_fn progress, void *ud, char **err)
{
    /* A round writes what it pulls and moves the cursor: none of it read-only. */
    if (store_refuse_write(st, err) != 0)
        return -1;
    PGconn *c = NULL;
    char *e = NULL;
    int offline = 0;
    int rc = central_connect(url, &c, &e);
    if (rc != 0)
        offline = 1;
    else
        rc = run_round(st, c, full_pull, rep, progress, ud, &e);
    if (rc != 0 && c && PQstatus(c) == CONNECTION_BAD)
        offline = 1;
    PQfinish(c);
    if (e) { /* never show or keep the URL's password */
        char *clean = central_scrub(url, e);
        free(e);
        e = clean;
    }
    record_outcome(st, rc == 0, e, offline);
    if (rc != 0) {
        if (err)
            *err = e;
        else
            free(e);
    }
    return rc;
}

int sync_run(struct store *st, const char *url, struct sync_report *rep, sync_progress_fn progress,
             void *ud, char **err)
{
    return run_connected(st, url, 0, rep, progress, ud, err);
}

int sync_run_full(struct store *st, const char *url, struct sync_report *rep,
                  sync_progress_fn progress, void *ud, char **err)
{
    return run_connected(st, url, 1, rep, progress, ud, err);
}

/* ---- non-blocking session ------------------------------------------------ */

struct sync_session {
    struct store *st; /* the console's; used on the main thread only */
    char *path, *url;
    int interval_ms;
    int pipe[2];
    pthread_t thread;
    int running, kicked;
    int64_t next_at;
    enum sync_state state;
    long long pending;
    long long set_aside; /* rows the central database refused, as of the last round */
    char *error;
    int64_t offline_since;
    int64_t last_success;
    /* Shared with the worker, under lock. */
    pthread_mutex_t lock;
    const char *phase;
    long long done, total;
    int result;
    char *result_err;
    int result_offline;
    int64_t result_hlc;
    long long result_pending;
    long long result_set_aside;
};

static void worker_progress(void *ud, const char *phase, long long done, long long total)
{
    struct sync_session *ss = ud;
    pthread_mutex_lock(&ss->lock);
    ss->phase = phase;
    ss->done = done;
    ss->total = total;
    pthread_mutex_unlock(&ss->lock);
}

static long long count_pending(struct store *st, long long *set_aside)
{
    struct sync_status s;
    *set_aside = 0;
    if (sync_status_read(st, &s, NULL) != 0)
        return 0;
    long long n = s.pending;
    *set_aside = s.set_aside;
    sync_status_free(&s);
    return n;
}

static void *worker(void *arg)
{
    struct sync_session *ss = arg;
    struct store *st = NULL;
    char *err = NULL;
    int rc = store_open(ss->path, STORE_OPEN_EXISTING, &st, &err);
    int offline = 0;
    int64_t hlc = 0;
    long long pending = -1, aside = 0;
    if (rc == 0) {
        rc = sync_run(st, ss->url, NULL, worker_progress, ss, &err);
        if (rc != 0) {
            char *off = sync_meta_get(st, "offline_since");
            offline = off != NULL;
            free(off);
        }
        hlc = st->hlc_last;
        pending = count_pending(st, &aside);
        store_close(st);
    }
    pthread_mutex_lock(&ss->lock);
    ss->result_pending = pending;
    ss->result_set_aside = aside;
    ss->result = rc;
    ss->result_err = err;
    ss->result_offline = offline;
    ss->result_hlc = hlc;
    pthread_mutex_unlock(&ss->lock);
    char b = 1;
    while (write(ss->pipe[1], &b, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

struct sync_session *sync_session_new(struct store *st, const char *url, int interval_s)
{
    struct sync_session *ss = xcalloc(1, sizeof *ss);
    ss->st = st;
    ss->path = xstrdup(st->path);
    const char *u = url ? url : config_value("sync", "url");
    ss->url = u && *u ? xstrdup(u) : NULL;
    if (interval_s <= 0) {
        const char *iv = config_value("sync", "interval");
        interval_s = iv ? atoi(iv) : 0;
        if (interval_s <= 0)
            interval_s = 30;
    }
    ss->interval_ms = interval_s * 1000;
    if (pipe(ss->pipe) != 0) {
        ss->pipe[0] = ss->pipe[1] = -1;
        free(ss->url);
        ss->url = NULL; /* no pipe, no worker: sync stays off */
    } else {
        fcntl(ss->pipe[0], F_SETFL, O_NONBLOCK);
        fcntl(ss->pipe[0], F_SETFD, FD_CLOEXEC);
        fcntl(ss->pipe[1], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&ss->lock, NULL);
    ss->state = SYNC_STATE_IDLE;
    /* Counted by the worker after each round (counting can take a while on
     * a large store that never synced): unknown until then. */
    ss->pending = -1;
    ss->next_at = time_now_ms(); /* first round at once */
    return ss;
}

void sync_session_free(struct sync_session *ss)
{
    if (!ss)
        return;
    if (ss->running)
        pthread_join(ss->thread, NULL);
    free(ss->result_err);
    if (ss->pipe[0] >= 0) {
        close(ss->pipe[0]);
        close(ss->pipe[1]);
    }
    pthread_mutex_destroy(&ss->lock);
    free(ss->path);
    free(ss->url);
    free(ss->error);
    free(ss);
}

int sync_fd(const struct sync_session *ss)
{
    return ss->pipe[0];
}

short sync_poll_events(const struct sync_session *ss)
{
    return ss->running ? POLLIN : 0;
}

void sync_session_kick(struct sync_session *ss)
{
    ss->kicked = 1;
}

int sync_session_timeout_ms(const struct sync_session *ss)
{
    if (!ss->url)
        return -1;
    if (ss->running)
        return 1000; /* progress updates */
    int64_t d = ss->kicked ? 0 : ss->next_at - time_now_ms();
    return d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
}

int sync_step(struct sync_session *ss)
{
    if (!ss->url)
        return 0;
    int changed = 0;
    if (ss->running) {
        char b[16];
        if (read(ss->pipe[0], b, sizeof b) <= 0)
            return ss->total > 0; /* still running: progress may have moved */
        pthread_join(ss->thread, NULL);
        ss->running = 0;
        changed = 1;
        pthread_mutex_lock(&ss->lock);
        int rc = ss->result;
        char *e = ss->result_err;
        ss->result_err = NULL;
        int offline = ss->result_offline;
        store_hlc_observe(ss->st, ss->result_hlc);
        pthread_mutex_unlock(&ss->lock);
        free(ss->error);
        ss->error = e;
        int64_t now = time_now_ms();
        if (rc == 0) {
            ss->state = SYNC_STATE_SYNCED;
            ss->last_success = now;
            ss->offline_since = 0;
        } else if (offline) {
            if (ss->state != SYNC_STATE_OFFLINE || !ss->offline_since)
                ss->offline_since = now;
            ss->state = SYNC_STATE_OFFLINE;
        } else {
            ss->state = SYNC_STATE_ERROR;
        }
        pthread_mutex_lock(&ss->lock);
        if (ss->result_pending >= 0)
            ss->pending = ss->result_pending;
        ss->set_aside = ss->result_set_aside;
        pthread_mutex_unlock(&ss->lock);
        ss->next_at = now + ss->interval_ms;
    }
    if (!ss->running && (ss->kicked || time_now_ms() >= ss->next_at)) {
        ss->kicked = 0;
        pthread_mutex_lock(&ss->lock);
        ss->phase = NULL;
        ss->done = ss->total = 0;
        pthread_mutex_unlock(&ss->lock);
        if (pthread_create(&ss->thread, NULL, worker, ss) == 0) {
            ss->running = 1;
            changed = 1;
        } else {
            ss->next_at = time_now_ms() + ss->interval_ms;
        }
    }
    return changed;
}

enum sync_state sync_session_state(const struct sync_session *ss)
{
    return ss->running ? SYNC_STATE_RUNNING : ss->state;
}

long long sync_session_pending(const struct sync_session *ss)
{
    return ss->pending;
}

const char *sync_session_error(const struct sync_session *ss)
{
    return ss->error;
}

static void hhmm(int64_t ms, char *out)
{
    char buf[32];
    time_format_jst(ms, buf, 0); /* "2026-11-23 07:00" */
    const char *sp = strchr(buf, ' ');
    const char *hm = sp ? sp + 1 : buf;
    size_t len = strlen(hm);
    if (len > 7)
        len = 7;
    memcpy(out, hm, len);
    out[len] = '\0';
}

void sync_status_line(const struct sync_session *ss, char *buf, size_t n)
{
    char t[8];
    if (!ss->url) {
        snprintf(buf, n, "%s", _("sync off"));
        return;
    }
    if (ss->running) {
        struct sync_session *m = (struct sync_session *)ss;
        pthread_mutex_lock(&m->lock);
        long long done = ss->done, total = ss->total;
        const char *phase = ss->phase;
        pthread_mutex_unlock(&m->lock);
        if (phase && total > 0)
            snprintf(buf, n, _("syncing: %s %lld%%"),
                     streq(phase, "push") ? _("sending") : _("receiving"),
                     done * 100 / (total ? total : 1) > 100 ? 100 : done * 100 / total);
        else
            snprintf(buf, n, "%s", _("syncing"));
        return;
    }
    switch (ss->state) {
    case SYNC_STATE_IDLE:
        if (ss->pending >= 0)
            snprintf(buf, n, _("%lld pending"), ss->pending);
        else
            snprintf(buf, n, "%s", _("syncing"));
        break;
    case SYNC_STATE_SYNCED:
        hhmm(ss->last_success, t);
        if (ss->pending > 0)
            snprintf(buf, n, _("synced %s, %lld pending"), t, ss->pending);
        else
            snprintf(buf, n, _("synced %s"), t);
        break;
    case SYNC_STATE_OFFLINE:
        hhmm(ss->offline_since, t);
        snprintf(buf, n, _("offline since %s (%lld pending)"), t,
                 ss->pending > 0 ? ss->pending : 0);
        break;
    default:
        snprintf(buf, n, _("sync error: %s"), ss->error ? ss->error : "?");
    }
    if (ss->set_aside > 0 && ss->state != SYNC_STATE_ERROR) {
        size_t used = strlen(buf);
        if (used < n)
            snprintf(buf + used, n - used, _(", %lld set aside"), ss->set_aside);
    }
}
