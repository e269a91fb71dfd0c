#include "job_runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hosts.h"
#include "i18n.h"
#include "job_claims.h"
#include "job_duration.h"
#include "job_queue.h"
#include "jobs.h"
#include "json.h"
#include "output.h"
#include "ssh_conn.h"
#include "store.h"
#include "timefmt.h"
#include "utf8.h"
#include "util.h"

void job_exec_result_free(struct job_exec_result *r)
{
    free(r->output);
    free(r->stop_note);
    free(r->error);
    memset(r, 0, sizeof *r);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- executors ---- */

/* After stdout: the stderr part under a "[stderr]" line, as a run's output is kept. */
static void add_stderr(struct strbuf *sb, const char *e, size_t n)
{
    if (!n)
        return;
    if (sb->len && sb->buf[sb->len - 1] != '\n')
        sb_putc(sb, '\n');
    sb_puts(sb, "[stderr]\n");
    sb_add(sb, e, n);
}

int job_exec_ssh(void *ud, const struct host *host, const char *command, int timeout_s, size_t cap,
                 struct job_exec_result *r)
{
    return job_exec_ssh_ex(ud, host, command, timeout_s, cap, NULL, NULL, r);
}

/* What stopping a command did, for the run's events (malloc'd, translated). */
static char *stop_note(enum ssh_stop stop, long pgid, const char *why)
{
    switch (stop) {
    case SSH_STOP_TERMINATED:
        return xasprintf(_("the command on the host was stopped: process group %ld ended on "
                           "SIGTERM"),
                         pgid);
    case SSH_STOP_KILLED:
        return xasprintf(_("the command on the host was stopped: process group %ld was still "
                           "there %d s after SIGTERM and was killed (SIGKILL)"),
                         pgid, JOB_STOP_GRACE_S);
    case SSH_STOP_ENDED:
        return xstrdup(_("the command on the host had already ended when it was to be stopped"));
    case SSH_STOP_NOT_STARTED:
        return xstrdup(_("the command was not started on the host"));
    case SSH_STOP_FAILED:
        return xasprintf(_("could not stop the command on the host: %s"), why ? why : "?");
    case SSH_STOP_NONE:
        break;
    }
    return NULL;
}

/* Between the job's view (which may ask to stop) and ssh_run_job. */
struct ssh_job_view {
    job_output_fn fn;
    void *ud;
    int stop;
};

static void ssh_view_output(int stream, const char *buf, size_t n, void *ud)
{
    struct ssh_job_view *v = ud;
    if (v->fn && v->fn(stream, buf, n, v->ud))
        v->stop = 1;
}

static int ssh_view_stop(void *ud)
{
    return ((struct ssh_job_view *)ud)->stop;
}

int job_exec_ssh_ex(void *ud, const struct host *host, const char *command, int timeout_s,
                    size_t cap, job_output_fn on_output, void *out_ud, struct job_exec_result *r)
{
    memset(r, 0, sizeof *r);
    r->exit_status = -1;
    struct ssh_conn_opts o = {0};
    if (ud) {
        const struct ssh_conn_opts *base = ud;
        o.config_path = base->config_path;
        o.known_hosts = base->known_hosts;
    }
    o.hostkey_policy = SSH_HOSTKEY_STRICT;
    o.connect_timeout_ms = timeout_s * 1000 < 15000 ? timeout_s * 1000 : 15000;
    const char *target = host_ssh_target(host, &o);
    struct ssh_result res;
    char *err = NULL;
    int64_t t0 = mono_ms();
    struct ssh_job_view view = {on_output, out_ud, 0};
    /* The inventory's OS field: Windows hosts run cmd.exe or PowerShell, not sh. */
    int posix = !(host && host->os && strncasecmp(host->os, "windows", 7) == 0);
    if (ssh_run_job(target, &o, command, cap, timeout_s * 1000, JOB_STOP_GRACE_S * 1000, posix,
                    ssh_view_output, ssh_view_stop, &view, &res, &err) != 0) {
        r->error = err ? err : xstrdup(_("SSH failed"));
        r->timed_out = mono_ms() - t0 >= (int64_t)timeout_s * 1000;
        return -1;
    }
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, res.out ? res.out : "", res.out_len);
    add_stderr(&sb, res.err, res.err_len);
    r->output_len = sb.len;
    r->output = sb_detach(&sb);
    r->truncated = res.truncated;
    r->exit_status = res.exit_status;
    if (res.exit_signal && r->exit_status < 0)
        r->exit_status = 128 + 9;
    r->timed_out = res.timed_out;
    r->cancelled = res.stop != SSH_STOP_NONE && !res.timed_out;
    r->stop_note = stop_note(res.stop, res.pgid, res.stop_error);
    ssh_result_free(&res);
    return 0;
}

/* Whether a member of process group pgid still runs. kill(-pgid, 0) also sees members
 * that have exited and wait to be reaped (orphans wait for init, which in a container may
 * take seconds), so on Linux /proc tells those apart. */
static int group_alive(pid_t pgid)
{
    if (kill(-pgid, 0) != 0 && errno == ESRCH)
        return 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 1;
    int alive = 0;
    struct dirent *e;
    while (!alive && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        /* "pid (comm) state ppid pgrp ...": comm may hold anything, so after its last ')' */
        const char *rp = strrchr(buf, ')');
        char state;
        long ppid, pgrp;
        if (rp && sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
            state != 'Z')
            alive = 1;
    }
    closedir(d);
    return alive;
}

/* SIGTERM to the command's process group, SIGKILL if anything is left after the grace
 * period; reaps the shell (*status, *reaped) on the way. */
static enum ssh_stop stop_local_group(pid_t pid, int *status, int *reaped)
{
    if (!*reaped && waitpid(pid, status, WNOHANG) == pid)
        *reaped = 1;
    if ((*reaped && kill(-pid, 0) != 0) || kill(-pid, SIGTERM) != 0)
        return SSH_STOP_ENDED;
    int64_t until = mono_ms() + JOB_STOP_GRACE_S * 1000;
    for (;;) {
        if (!*reaped && waitpid(pid, status, WNOHANG) == pid)
            *reaped = 1;
        if (*reaped && !group_alive(pid))
            return SSH_STOP_TERMINATED;
        if (mono_ms() >= until) {
            kill(-pid, SIGKILL);
            return SSH_STOP_KILLED;
        }
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
}

int job_exec_local(void *ud, const struct host *host, const char *command, int timeout_s,
                   size_t cap, struct job_exec_result *r)
{
    return job_exec_local_ex(ud, host, command, timeout_s, cap, NULL, NULL, r);
}

int job_exec_local_ex(void *ud, const struct host *host, const char *command, int timeout_s,
                      size_t cap, job_output_fn on_output, void *out_ud, struct job_exec_result *r)
{
    (void)ud, (void)host;
    memset(r, 0, sizeof *r);
    r->exit_status = -1;
    int po[2], pe[2];
    if (pipe(po) != 0) {
        r->error = xasprintf("pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe(pe) != 0) {
        r->error = xasprintf("pipe: %s", strerror(errno));
        close(po[0]), close(po[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        r->error = xasprintf("fork: %s", strerror(errno));
        close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    close(po[1]);
    close(pe[1]);
    int status = 0, reaped = 0;
    enum ssh_stop stop = SSH_STOP_NONE;
    /* Like ssh: stdout and stderr apart, each capped. */
    struct strbuf sb[2] = {STRBUF_INIT, STRBUF_INIT};
    int open_fds[2] = {po[0], pe[0]};
    int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
    char buf[65536];
    while (open_fds[0] >= 0 || open_fds[1] >= 0) {
        int64_t left = deadline - mono_ms();
        if (left <= 0 || r->cancelled) {
            r->timed_out = !r->cancelled;
            stop = stop_local_group(pid, &status, &reaped);
            break;
        }
        struct pollfd p[2] = {{open_fds[0], POLLIN, 0}, {open_fds[1], POLLIN, 0}};
        /* Woken at least every JOB_STATE_CHECK_MS: a cancel is seen that soon. */
        int pr = poll(p, 2, left > JOB_STATE_CHECK_MS ? JOB_STATE_CHECK_MS : (int)left);
        for (int k = 0; k < 2 && pr > 0; k++) {
            if (open_fds[k] < 0 || !(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(open_fds[k], buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(open_fds[k]);
                open_fds[k] = -1;
                continue;
            }
            size_t room = sb[k].len < cap ? cap - sb[k].len : 0;
            sb_add(&sb[k], buf, (size_t)n < room ? (size_t)n : room);
            if ((size_t)n > room)
                r->truncated = 1;
            if (on_output && on_output(k + 1, buf, (size_t)n, out_ud))
                r->cancelled = 1;
        }
        /* the tick: every JOB_STATE_CHECK_MS at most (poll waits no longer) */
        if (on_output && on_output(0, NULL, 0, out_ud))
            r->cancelled = 1;
    }
    if (r->cancelled && stop == SSH_STOP_NONE) /* asked as the output ended */
        stop = stop_local_group(pid, &status, &reaped);
    for (int k = 0; k < 2; k++)
        if (open_fds[k] >= 0)
            close(open_fds[k]);
    while (!reaped && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (r->timed_out)
        kill(-pid, SIGKILL); /* anything the shell left behind */
    r->stop_note = stop_note(stop, (long)pid, NULL);
    if (WIFEXITED(status))
        r->exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r->exit_status = 128 + WTERMSIG(status);
    add_stderr(&sb[0], sb[1].buf, sb[1].len);
    sb_free(&sb[1]);
    r->output_len = sb[0].len;
    r->output = sb_detach(&sb[0]);
    return 0;
}

/* ---- the runner ---- */

struct candidate {
    char id[ID_LEN + 1];
    char job_id[ID_LEN + 1];
    char *code, *group, *host, *command, *outputs;
    int timeout_s, retries, attempt;
    int local_scope;                     /* scope = local: claimed in the store only */
    char *claimed_by;                    /* running on another console (claims on): its runner */
    char *expected_start, *queued_since; /* the queue's order (src/job_queue.h) */
};

static void candidates_free(struct candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].code), free(c[i].group), free(c[i].host), free(c[i].command), free(c[i].outputs),
            free(c[i].claimed_by), free(c[i].expected_start), free(c[i].queued_since);
    free(c);
}

static char *dup_col(sqlite3_stmt *s, int i)
{
    const char *t = col_text(s, i);
    return t ? xstrdup(t) : NULL;
}

static int candidate_cmp(const void *pa, const void *pb)
{
    const struct candidate *a = pa, *b = pb;
    struct job_queue_key ka = {a->queued_since, a->expected_start, a->code};
    struct job_queue_key kb = {b->queued_since, b->expected_start, b->code};
    return job_queue_cmp(&ka, &kb);
}

/* central: 0 claims in the store only (no sync), 1 claims through the central database
 * (runs another console's runner holds are candidates too: its lease may have expired),
 * -1 the central database is out of reach (only jobs with scope = local). */
static int load_candidates(struct store *st, const char *day, const char *only, int central,
                           struct candidate **out, size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT r.id, j.id, j.code, j.concurrency_group, h.name, j.command, j.outputs, "
            "j.timeout_seconds, j.retries, r.attempt, j.scope IS 'local', "
            "CASE WHEN r.state = 'running' THEN r.claimed_by END, j.expected_start, "
            "json_extract(q.data, '$.since') FROM job_runs r "
            "JOIN jobs j ON j.id = r.job_id JOIN hosts h ON h.id = j.host_id AND h.deleted = "
            "0 " JOB_QUEUE_EVENT_JOIN
            "WHERE r.due_day = ?1 AND r.deleted = 0 AND (r.state IN ('waiting', 'queued') "
            "OR (?3 = 1 AND r.state = 'running' AND j.scope IS NOT 'local' "
            "AND substr(coalesce(r.claimed_by, ''), 1, length(?4) + 1) <> ?4 || '/')) "
            "AND (?3 >= 0 OR j.scope IS 'local') "
            "AND j.command IS NOT NULL AND (?2 IS NULL OR j.code = ?2) "
            "AND " JOB_CONDITIONS_READY_SQL " "
            "ORDER BY coalesce(j.expected_start, '99:99'), j.code");
    bind_text(s, 1, day);
    bind_text(s, 2, only);
    bind_int(s, 3, central);
    bind_text(s, 4, st->origin);
    *out = NULL;
    *n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct candidate *c = &(*out)[(*n)++];
        snprintf(c->id, sizeof c->id, "%s", col_text(s, 0));
        snprintf(c->job_id, sizeof c->job_id, "%s", col_text(s, 1));
        c->code = dup_col(s, 2);
        c->group = dup_col(s, 3);
        c->host = dup_col(s, 4);
        c->command = dup_col(s, 5);
        c->outputs = dup_col(s, 6);
        c->timeout_s = sqlite3_column_int(s, 7);
        c->retries = sqlite3_column_int(s, 8);
        c->attempt = sqlite3_column_int(s, 9);
        c->local_scope = sqlite3_column_int(s, 10);
        c->claimed_by = dup_col(s, 11);
        c->expected_start = dup_col(s, 12);
        c->queued_since = dup_col(s, 13);
    }
    sqlite3_reset(s);
    if (step < 0) {
        candidates_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    /* The queue's order: the runs that waited for a slot first, first come first served. */
    if (*n > 1) /* qsort must not get the NULL of an empty list */
        qsort(*out, *n, sizeof **out, candidate_cmp);
    return 0;
}

/* The count, or -1 with *err set when it cannot be read (never 0 then). */
static long long count1(struct store *st, const char *sql, const char *a, const char *b, char **err)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    bind_text(s, 1, a);
    bind_text(s, 2, b);
    int got = store_one_row(s, err);
    long long n = got == 1 ? sqlite3_column_int64(s, 0) : got;
    sqlite3_reset(s);
    return n;
}

/* What the central database said about a run not claimed (malloc'd, translated). */
static char *refusal_text(const struct job_claim_outcome *o)
{
    if (o->held)
        return xasprintf(_("not run here: %s holds it (its lease ends in %d s unless renewed)"),
                         o->holder ? o->holder : "?", o->left_s);
    if (o->interrupted)
        return xasprintf(_("interrupted: the runner on %s stopped renewing its claim of attempt "
                           "%d, and the job has no retry left"),
                         o->holder ? o->holder : "?", o->interrupted);
    return xasprintf(_("not run here: already run by %s (%s); this console shows the result "
                       "after its next sync"),
                     o->holder ? o->holder : "?", jobs_state_name(o->state));
}

/* Inside the caller's transaction: whether c's concurrency group or host has no slot
 * free (src/job_queue.h). JOB_SLOT_GROUP / JOB_SLOT_HOST with the "queued" event's data
 * in *data (JSON, malloc'd; "since" is added by queue_run), JOB_SLOT_FREE, or -1 (*err). */
static int slot_busy(struct store *st, const struct candidate *c, char **data, char **err)
{
    *data = NULL;
    int group_running = 0, host_running = 0;
    char *group_by = NULL, *host_by = NULL;
    if (c->group) {
        sqlite3_stmt *s = store_stmt(
            st, "SELECT count(*), min(j.code || '@' || r.due_day) FROM job_runs r "
                "JOIN jobs j ON j.id = r.job_id WHERE r.state = 'running' AND r.deleted = 0 "
                "AND j.concurrency_group = ?1 AND r.id IS NOT ?2");
        bind_text(s, 1, c->group);
        bind_text(s, 2, c->id);
        int got = store_one_row(s, err);
        if (got == 1) {
            group_running = sqlite3_column_int(s, 0);
            group_by = dup_col(s, 1);
        }
        sqlite3_reset(s);
        if (got != 1)
            return -1;
    }
    int limit = job_host_limit(c->host);
    if (limit > 0 && c->host) {
        sqlite3_stmt *s = store_stmt(
            st, "SELECT count(*), group_concat(j.code || '@' || r.due_day, ', ') FROM job_runs r "
                "JOIN jobs j ON j.id = r.job_id JOIN hosts h ON h.id = j.host_id "
                "WHERE r.state = 'running' AND r.deleted = 0 AND h.deleted = 0 AND h.name = ?1 "
                "AND r.id IS NOT ?2");
        bind_text(s, 1, c->host);
        bind_text(s, 2, c->id);
        int got = store_one_row(s, err);
        if (got == 1) {
            host_running = sqlite3_column_int(s, 0);
            host_by = dup_col(s, 1);
        }
        sqlite3_reset(s);
        if (got != 1) {
            free(group_by);
            return -1;
        }
    }
    enum job_slot k = job_slot_decide(group_running, host_running, limit);
    if (k != JOB_SLOT_FREE) {
        struct strbuf sb = STRBUF_INIT;
        sb_printf(&sb, "{\"kind\":\"%s\",\"name\":", k == JOB_SLOT_GROUP ? "group" : "host");
        json_string(&sb, k == JOB_SLOT_GROUP ? c->group : c->host);
        sb_puts(&sb, ",\"by\":");
        const char *by = k == JOB_SLOT_GROUP ? group_by : host_by;
        json_string(&sb, by ? by : "?");
        if (k == JOB_SLOT_HOST)
            sb_printf(&sb, ",\"running\":%d,\"limit\":%d", host_running, limit);
        sb_putc(&sb, '}');
        *data = sb_detach(&sb);
    }
    free(group_by);
    free(host_by);
    return k;
}

/* Inside the caller's transaction: run c waits for a slot (data from slot_busy). A waiting
 * run becomes queued; a "queued" event records why and since when, unless its last event
 * says so already (the same wait goes on: nothing is written). *why (malloc'd) is the
 * reason in words. */
static int queue_run(struct store *st, const struct candidate *c, const char *data, char **why,
                     char **err)
{
    *why = NULL;
    sqlite3_stmt *s =
        store_stmt(st, "SELECT r.state, q.data, json_extract(q.data, '$.since'), "
                       "json_extract(q.data, '$.kind') IS json_extract(?2, '$.kind') AND "
                       "json_extract(q.data, '$.name') IS json_extract(?2, '$.name') AND "
                       "json_extract(q.data, '$.by') IS json_extract(?2, '$.by') AND "
                       "json_extract(q.data, '$.running') IS json_extract(?2, '$.running') "
                       "FROM job_runs r " JOB_QUEUE_EVENT_JOIN "WHERE r.id = ?1");
    bind_text(s, 1, c->id);
    bind_text(s, 2, data);
    int got = store_one_row(s, err);
    char *state = got == 1 ? dup_col(s, 0) : NULL;
    char *since = got == 1 ? dup_col(s, 2) : NULL;
    int same = got == 1 && sqlite3_column_type(s, 1) != SQLITE_NULL && sqlite3_column_int(s, 3);
    sqlite3_reset(s);
    if (got != 1) {
        if (got == 0)
            set_err(err, _("no run %s"), c->code);
        return -1;
    }
    /* The reason in words, as the Jobs pane and `jobs due` show it. */
    struct job_run_row row = {0};
    sqlite3_stmt *x =
        store_stmt(st, "SELECT json_extract(?1, '$.kind'), json_extract(?1, '$.name'), "
                       "json_extract(?1, '$.by'), json_extract(?1, '$.running'), "
                       "json_extract(?1, '$.limit')");
    bind_text(x, 1, data);
    if (sqlite3_step(x) == SQLITE_ROW) {
        row.queued_since = (char *)"";
        row.queue_kind = dup_col(x, 0);
        row.queue_name = dup_col(x, 1);
        row.queue_by = dup_col(x, 2);
        row.queue_running = sqlite3_column_int(x, 3);
        row.queue_limit = sqlite3_column_int(x, 4);
    }
    sqlite3_reset(x);
    *why = job_queue_reason_text(&row);
    free(row.queue_kind), free(row.queue_name), free(row.queue_by);
    int rc = 0;
    if (!streq(state, "waiting") && !streq(state, "queued")) {
        free(state), free(since);
        return 0;
    }
    if (!same) {
        char at[TIME_ISO_LEN + 1];
        time_format_iso(time_now_ms(), at);
        if (streq(state, "waiting")) {
            sqlite3_stmt *u = store_stmt(
                st, "UPDATE job_runs SET state = 'queued', updated_at = ?2, hlc = ?3, origin = ?4 "
                    "WHERE id = ?1 AND state = 'waiting'");
            bind_text(u, 1, c->id);
            bind_text(u, 2, at);
            bind_int(u, 3, store_hlc_next(st));
            bind_text(u, 4, st->origin);
            if (sqlite3_step(u) != SQLITE_DONE)
                rc = store_fail(st, err, _("queueing the run"));
            sqlite3_reset(u);
        }
        /* Still waiting (for another run now): it keeps its place in the queue. */
        struct strbuf d = STRBUF_INIT;
        sb_add(&d, data, strlen(data) - 1);
        sb_puts(&d, ",\"since\":");
        json_string(&d, since ? since : at);
        sb_putc(&d, '}');
        if (rc == 0)
            rc = job_event(st, c->id, "queued", *why, d.buf, err);
        sb_free(&d);
    }
    free(state), free(since);
    return rc;
}

/* 1 claimed; 0 not now (*why says why, static, or *why_dyn, malloc'd); 2 queued: its group
 * or host has no slot free (*why_dyn says which, by which run); -1 error; -2 the central
 * database failed (*err says how; the run is not claimed). check_only: the run is not
 * claimed (1 means it could be), only queued when it waits for a slot. */
static int try_claim(struct store *st, struct candidate *c, const char *day, const char *me,
                     struct job_claims *claims, int check_only, const char **why, char **why_dyn,
                     char **err)
{
    *why = NULL;
    *why_dyn = NULL;
    if (store_begin(st, err) != 0)
        return -1;
    long long n = count1(st,
                         "SELECT count(*) FROM job_deps x JOIN job_runs d "
                         "ON d.job_id = x.depends_on_id AND d.due_day = ?2 AND d.deleted = 0 "
                         "WHERE x.job_id = ?1 AND x.deleted = 0 "
                         "AND d.state NOT IN " JOB_CONDITIONS_DEP_DONE_SQL,
                         c->job_id, day, err);
    if (n != 0) {
        store_rollback(st);
        if (n < 0)
            return -1;
        *why = N_("waiting for a job it runs after");
        return 0;
    }
    /* A run another console's runner held (its lease may have expired) has its slot. */
    char *slot = NULL;
    int busy = c->claimed_by ? JOB_SLOT_FREE : slot_busy(st, c, &slot, err);
    if (busy != JOB_SLOT_FREE) {
        /* Not skipped: it waits in the queue, and starts when a slot frees. */
        if (busy > 0 && queue_run(st, c, slot, why_dyn, err) == 0 && store_commit(st, err) == 0) {
            free(slot);
            return 2;
        }
        free(slot);
        store_rollback(st);
        free(*why_dyn);
        *why_dyn = NULL;
        return -1;
    }
    if (check_only) {
        store_rollback(st);
        return 1;
    }
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *u = store_stmt(
        st, "UPDATE job_runs SET state = 'running', claimed_by = ?2, claimed_at = ?3, "
            "started_at = ?3, ended_at = NULL, exit_status = NULL, updated_at = ?3, hlc = ?4, "
            "origin = ?5 WHERE id = ?1 AND (state IN ('waiting', 'queued') "
            "OR (?6 IS NOT NULL AND state = 'running' AND claimed_by IS ?6))");
    bind_text(u, 1, c->id);
    bind_text(u, 2, me);
    bind_text(u, 3, at);
    bind_int(u, 4, store_hlc_next(st));
    bind_text(u, 5, st->origin);
    bind_text(u, 6, c->claimed_by);
    if (sqlite3_step(u) != SQLITE_DONE) {
        store_fail(st, err, _("claiming the run"));
        store_rollback(st);
        return -1;
    }
    if (sqlite3_changes(st->db) != 1) {
        *why = N_("claimed by another runner");
        store_rollback(st);
        return 0;
    }
    /* Held in the store; with sync, the central database has the last word (the store's
     * write lock is held meanwhile, so no runner on this store gets between). */
    int central = claims && !c->local_scope;
    struct job_claim_outcome o = {0};
    char *ref = xasprintf("%s@%s", c->code, day);
    struct job_claim_slot slot_c = {c->group, c->host, ref, job_host_limit(c->host)};
    int took = central ? job_claims_take_slot(claims, c->id, c->attempt, c->retries,
                                              c->claimed_by ? NULL : &slot_c, &o, err)
                       : 0;
    free(ref);
    if (took != 0) {
        store_rollback(st);
        return -2;
    }
    if (central && o.busy) {
        /* Its group or host is busy on another console (a run this store has not pulled
         * yet): it waits in the queue as for a run here. */
        store_rollback(st);
        struct strbuf d = STRBUF_INIT;
        int g = streq(o.busy, "group");
        sb_printf(&d, "{\"kind\":\"%s\",\"name\":", o.busy);
        json_string(&d, g ? c->group : c->host);
        sb_puts(&d, ",\"by\":");
        json_string(&d, o.busy_by && *o.busy_by ? o.busy_by : "?");
        if (!g)
            sb_printf(&d, ",\"running\":%d,\"limit\":%d", o.busy_running, slot_c.host_limit);
        sb_putc(&d, '}');
        job_claim_outcome_free(&o);
        int qrc = store_begin(st, err);
        if (qrc == 0 && (qrc = queue_run(st, c, d.buf, why_dyn, err)) == 0)
            qrc = store_commit(st, err);
        if (qrc != 0) {
            store_rollback(st);
            free(*why_dyn);
            *why_dyn = NULL;
        }
        sb_free(&d);
        return qrc != 0 ? -1 : 2;
    }
    int rc = 0;
    if (central && o.interrupted) {
        /* The previous attempt's runner is gone (its lease expired): that attempt ends
         * interrupted with the output that arrived; the retry rules say what comes next. */
        struct strbuf note = STRBUF_INIT;
        sb_printf(&note,
                  _("the runner on %s stopped renewing its claim of attempt %d (lease "
                    "expired); the run was interrupted"),
                  o.holder ? o.holder : "?", o.interrupted);
        /* The output that had arrived (pulled from the other console's live writes): the
         * next attempt's output replaces it in the run, so the event keeps its end. */
        sqlite3_stmt *x = store_stmt(st, "SELECT output FROM job_runs WHERE id = ?1");
        bind_text(x, 1, c->id);
        if (sqlite3_step(x) == SQLITE_ROW && col_text(x, 0) && *col_text(x, 0)) {
            const char *out = col_text(x, 0);
            size_t len = strlen(out), keep = len > 4000 ? 4000 : len;
            const char *from = out + len - keep;
            while (keep < len && ((unsigned char)*from & 0xC0) == 0x80) /* whole characters */
                from++;
            sb_printf(&note, "\n%s\n%s", _("output that had arrived:"), from);
        }
        sqlite3_reset(x);
        char *d = xasprintf("{\"attempt\":%d}", o.interrupted);
        rc = job_event(st, c->id, "interrupted", note.buf, d, err);
        sb_free(&note);
        free(d);
    }
    if (rc == 0 && central && !o.got) {
        if (o.interrupted) { /* no retry left: the run ends interrupted */
            sqlite3_stmt *x = store_stmt(
                st, "UPDATE job_runs SET state = 'interrupted', ended_at = ?2, attempt = ?3, "
                    "updated_at = ?2, hlc = ?4, origin = ?5 WHERE id = ?1");
            bind_text(x, 1, c->id);
            bind_text(x, 2, at);
            bind_int(x, 3, o.interrupted);
            bind_int(x, 4, store_hlc_next(st));
            bind_text(x, 5, st->origin);
            if (sqlite3_step(x) != SQLITE_DONE)
                rc = store_fail(st, err, _("marking an interrupted run"));
            sqlite3_reset(x);
            if (rc == 0)
                rc = store_commit(st, err);
        }
        if (rc != 0)
            store_rollback(st);
        else if (!o.interrupted)
            store_rollback(st);
        *why_dyn = refusal_text(&o);
        job_claim_outcome_free(&o);
        return rc != 0 ? -1 : 0;
    }
    if (rc == 0 && central && o.attempt != c->attempt) {
        c->attempt = o.attempt;
        sqlite3_stmt *x = store_stmt(st, "UPDATE job_runs SET attempt = ?2 WHERE id = ?1");
        bind_text(x, 1, c->id);
        bind_int(x, 2, c->attempt);
        if (sqlite3_step(x) != SQLITE_DONE)
            rc = store_fail(st, err, _("claiming the run"));
        sqlite3_reset(x);
    }
    job_claim_outcome_free(&o);
    char *data = xasprintf("{\"claimed_by\":\"%s\",\"attempt\":%d}", me, c->attempt);
    if (rc == 0)
        rc = job_event(st, c->id, "running", NULL, data, err);
    free(data);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        if (central) /* the store did not take it: let the central claim go */
            job_claims_release(claims, c->id, c->attempt);
        return -1;
    }
    return 1;
}

static void shell_quote(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_puts(sb, "'\\''");
        else
            sb_putc(sb, *s);
    }
    sb_putc(sb, '\'');
}

#define FILE_MARK "@@unyo-file "
#define MISSING_MARK "@@unyo-missing "

/* The command in a subshell, then one marker line per expected output file with its size,
 * so one round trip both runs the job and collects the file list. */
static char *wrap_command(const char *command, const char *outputs)
{
    if (!outputs || !*outputs)
        return xstrdup(command);
    struct strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "(\n%s\n); __unyo_rc=$?; for __unyo_f in", command);
    const char *p = outputs;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *f = xstrndup(p, len);
        sb_putc(&sb, ' ');
        shell_quote(&sb, f);
        free(f);
        p += len + (nl ? 1 : 0);
    }
    sb_puts(&sb, "; do if [ -e \"$__unyo_f\" ]; then printf '\\n" FILE_MARK
                 "%s %s\\n' \"$(wc -c < \"$__unyo_f\" | tr -d ' ')\" \"$__unyo_f\" >&2; "
                 "else printf '\\n" MISSING_MARK "%s\\n' \"$__unyo_f\" >&2; fi; done; "
                 "exit $__unyo_rc");
    return sb_detach(&sb);
}

/* Takes the marker lines out of the output; files gets "PATH (N bytes)" lines, missing the
 * paths not found. */
static void take_markers(struct job_exec_result *r, char **files, char **missing)
{
    struct strbuf out = STRBUF_INIT, f = STRBUF_INIT, m = STRBUF_INIT;
    const char *p = r->output ? r->output : "";
    const char *end = p + r->output_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        if (len > strlen(FILE_MARK) && strncmp(p, FILE_MARK, strlen(FILE_MARK)) == 0) {
            const char *q = p + strlen(FILE_MARK);
            const char *sp = memchr(q, ' ', len - strlen(FILE_MARK));
            if (sp) {
                size_t plen = (size_t)(p + len - (sp + 1)) - (nl ? 1 : 0);
                sb_printf(&f, "%s%.*s (%.*s bytes)", f.len ? "\n" : "", (int)plen, sp + 1,
                          (int)(sp - q), q);
            }
            /* drop the blank line printed before the marker */
            if (out.len && out.buf[out.len - 1] == '\n' &&
                (out.len == 1 || out.buf[out.len - 2] == '\n'))
                out.len--;
        } else if (len > strlen(MISSING_MARK) &&
                   strncmp(p, MISSING_MARK, strlen(MISSING_MARK)) == 0) {
            size_t plen = len - strlen(MISSING_MARK) - (nl ? 1 : 0);
            sb_printf(&m, "%s%.*s", m.len ? ", " : "", (int)plen, p + strlen(MISSING_MARK));
            if (out.len && out.buf[out.len - 1] == '\n' &&
                (out.len == 1 || out.buf[out.len - 2] == '\n'))
                out.len--;
        } else {
            sb_add(&out, p, len);
        }
        p += len;
    }
    static const char tag[] = "[stderr]\n"; /* nothing left on stderr but markers */
    size_t tl = sizeof tag - 1;
    if (out.len >= tl && memcmp(out.buf + out.len - tl, tag, tl) == 0 &&
        (out.len == tl || out.buf[out.len - tl - 1] == '\n'))
        out.len -= tl;
    if (out.buf)
        out.buf[out.len] = 0;
    free(r->output);
    r->output_len = out.len;
    r->output = sb_detach(&out);
    *files = f.len ? sb_detach(&f) : (sb_free(&f), NULL);
    *missing = m.len ? sb_detach(&m) : (sb_free(&m), NULL);
}

/* The output as stored: no NUL bytes (a text column), stdout and stderr together within
 * cap (not cutting a UTF-8 character), and a visible mark when anything was cut (*truncated
 * is set when cut here, and may come set from the executor). */
static void render_output(struct strbuf *out, const char *o, size_t len, size_t cap, int *truncated)
{
    sb_reset(out);
    utf8_repair_add(out, o ? o : "", o ? len : 0); /* valid UTF-8, NUL as \x00 */
    for (size_t k = 0; k < out->len; k++)
        if (out->buf[k] == '\0')
            out->buf[k] = '?';
    if (out->len > cap) {
        size_t keep = cap;
        while (keep > 0 && (out->buf[keep] & 0xC0) == 0x80) /* not inside a UTF-8 character */
            keep--;
        out->len = keep;
        out->buf[keep] = 0;
        *truncated = 1;
    }
    if (*truncated)
        sb_printf(out, _("\n[… output truncated: only the first %zu bytes are kept]\n"), out->len);
}

static int finish_run(struct store *st, const struct candidate *c, const char *me,
                      struct job_exec_result *r, int rc_exec, int64_t elapsed_ms, size_t cap,
                      int local, const char **state_out, char **note_out, char **err)
{
    char *files = NULL, *missing = NULL;
    if (rc_exec == 0)
        take_markers(r, &files, &missing);
    struct strbuf note = STRBUF_INIT;
    int ok = rc_exec == 0 && !r->timed_out && r->exit_status == 0 && !missing;
    if (rc_exec != 0)
        sb_printf(&note, _("could not run: %s"), r->error ? r->error : "?");
    else if (r->timed_out && r->stop_note)
        sb_printf(&note, _("timed out after %d s; %s"), c->timeout_s, r->stop_note);
    else if (r->timed_out)
        sb_printf(&note, _("timed out after %d s"), c->timeout_s);
    else if (r->exit_status != 0)
        sb_printf(&note, _("exit status %d"), r->exit_status);
    else if (missing)
        sb_printf(&note, _("expected output missing: %s"), missing);
    if (local) /* a demo host: said in the run's events, so nobody takes it for the server's */
        sb_printf(&note, "%s%s", note.len ? "; " : "", _("ran on this machine (demo host)"));
    int retry = !ok && c->attempt <= c->retries;
    const char *state = ok ? "succeeded" : retry ? "queued" : "failed";
    /* The output, capped, with a visible mark when cut. */
    struct strbuf out = STRBUF_INIT;
    render_output(&out, r->output, r->output_len, cap, &r->truncated);
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    int rc = -1;
    if (store_begin(st, err) != 0)
        goto out;
    sqlite3_stmt *u = store_stmt(
        st, "UPDATE job_runs SET state = ?3, ended_at = ?4, exit_status = ?5, output = ?6, "
            "output_truncated = ?7, files = ?8, attempt = attempt + ?9, updated_at = ?4, "
            "hlc = ?10, origin = ?11 WHERE id = ?1 AND state = 'running' AND claimed_by = ?2");
    bind_text(u, 1, c->id);
    bind_text(u, 2, me);
    bind_text(u, 3, state);
    bind_text(u, 4, at);
    if (rc_exec == 0 && r->exit_status >= 0)
        bind_int(u, 5, r->exit_status);
    bind_text(u, 6, out.buf ? out.buf : "");
    bind_int(u, 7, r->truncated);
    bind_text(u, 8, files);
    bind_int(u, 9, retry);
    bind_int(u, 10, store_hlc_next(st));
    bind_text(u, 11, st->origin);
    if (sqlite3_step(u) != SQLITE_DONE) {
        store_fail(st, err, _("recording the run's result"));
        goto fail;
    }
    char *data = xasprintf("{\"exit\":%d,\"elapsed_ms\":%lld,\"attempt\":%d,\"timed_out\":%s}",
                           r->exit_status, (long long)elapsed_ms, c->attempt,
                           r->timed_out ? "true" : "false");
    if (sqlite3_changes(st->db) != 1) {
        /* Cancelled or marked interrupted while it ran: keep the state and the output, and
         * say what became of the command (stopped, or it finished by itself). The run is
         * not this runner's any more: nothing is queued again. */
        retry = 0;
        sqlite3_stmt *k = store_stmt(
            st, "UPDATE job_runs SET output = ?3, output_truncated = ?4, files = ?5, "
                "updated_at = ?6, hlc = ?7, origin = ?8 WHERE id = ?1 AND claimed_by = ?2 "
                "AND state IN ('cancelled', 'interrupted')");
        bind_text(k, 1, c->id);
        bind_text(k, 2, me);
        bind_text(k, 3, out.buf ? out.buf : "");
        bind_int(k, 4, r->truncated);
        bind_text(k, 5, files);
        bind_text(k, 6, at);
        bind_int(k, 7, store_hlc_next(st));
        bind_text(k, 8, st->origin);
        if (sqlite3_step(k) != SQLITE_DONE) {
            free(data);
            store_fail(st, err, _("recording the run's result"));
            goto fail;
        }
        int e;
        if (r->cancelled && r->stop_note) {
            state = "stopped";
            sb_reset(&note);
            sb_puts(&note, r->stop_note);
            e = job_event(st, c->id, state, note.buf, data, err);
        } else {
            state = "late_result";
            e = job_event(st, c->id, state,
                          note.len ? note.buf
                                   : _("the command finished after the run was "
                                       "cancelled or marked interrupted"),
                          data, err);
        }
        free(data);
        if (e != 0)
            goto fail;
    } else {
        int e =
            job_event(st, c->id, retry ? "retry" : state, note.len ? note.buf : NULL, data, err);
        free(data);
        if (e == 0 && !ok && !retry)
            e = job_escalate(st, c->id, note.buf, err);
        if (e == 0 && ok) { /* much slower or faster than its history: marked, audited once */
            struct job_duration_limits lim;
            job_duration_limits_config(&lim);
            e = job_duration_record(st, c->id, &lim, NULL, err);
        }
        if (e != 0)
            goto fail;
    }
    if (store_commit(st, err) != 0)
        goto fail;
    rc = 0;
    *state_out = retry ? "retry" : state;
    *note_out = note.len ? xstrdup(note.buf) : NULL;
    goto out;
fail:
    store_rollback(st);
out:
    free(files), free(missing);
    sb_free(&out);
    sb_free(&note);
    return rc;
}

/* The output of the running command so far, stored at most once a second. */
struct live_output {
    struct store *st;
    const char *run_id, *me;
    size_t cap;
    struct strbuf s[2]; /* stdout, stderr: each capped as the executors do */
    int truncated;
    int dirty;          /* output arrived since the last write */
    int64_t last_write; /* monotonic ms */
    int64_t last_check; /* of the run's state, monotonic ms */
    int stop;           /* the run is no longer this runner's: stop the command */
    /* With central claims: the lease renewed every job_claims_renew_every_ms. */
    struct job_claims *claims;
    int attempt;
    int64_t last_renew, lease_ok_until; /* monotonic ms */
    int lost;                           /* the lease is lost: the run is not ours */
};

#define LIVE_WRITE_MS 1000

/* One short UPDATE of output and updated_at in a transaction of its own, rendered as the
 * final write renders it (markers out, capped, marked). Only the run this runner holds:
 * a run cancelled meanwhile is left alone. A failure (the store busy) is dropped: the
 * next second tries again, and the final write does not depend on it. */
static void live_write(struct live_output *l)
{
    l->dirty = 0;
    l->last_write = mono_ms();
    if (!sqlite3_get_autocommit(l->st->db)) /* never inside someone's transaction */
        return;
    struct strbuf all = STRBUF_INIT;
    if (l->s[0].len)
        sb_add(&all, l->s[0].buf, l->s[0].len);
    add_stderr(&all, l->s[1].buf, l->s[1].len);
    struct job_exec_result r = {0};
    r.output_len = all.len;
    r.output = sb_detach(&all);
    r.truncated = l->truncated;
    char *files = NULL, *missing = NULL;
    take_markers(&r, &files, &missing);
    free(files), free(missing);
    struct strbuf out = STRBUF_INIT;
    render_output(&out, r.output, r.output_len, l->cap, &r.truncated);
    job_exec_result_free(&r);
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    char *err = NULL;
    if (store_begin(l->st, &err) == 0) {
        sqlite3_stmt *u = store_stmt(l->st, "UPDATE job_runs SET output = ?3, updated_at = ?4 "
                                            "WHERE id = ?1 AND state = 'running' "
                                            "AND claimed_by = ?2");
        bind_text(u, 1, l->run_id);
        bind_text(u, 2, l->me);
        bind_text(u, 3, out.buf ? out.buf : "");
        bind_text(u, 4, at);
        int ok = sqlite3_step(u) == SQLITE_DONE;
        sqlite3_reset(u);
        if (!ok || store_commit(l->st, &err) != 0)
            store_rollback(l->st);
    }
    free(err);
    sb_free(&out);
    l->last_write = mono_ms();
}

/* Whether the run is still this runner's to run: not when it was cancelled (here, by the
 * CLI, or by another process on the store) or marked interrupted meanwhile. A read error
 * (the store busy) says yes: the next check tries again. */
static int still_ours(struct live_output *l)
{
    sqlite3_stmt *s = store_stmt(l->st, "SELECT state = 'running' AND claimed_by IS ?2 "
                                        "FROM job_runs WHERE id = ?1");
    bind_text(s, 1, l->run_id);
    bind_text(s, 2, l->me);
    int rc = sqlite3_step(s);
    int ours = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : rc != SQLITE_DONE;
    sqlite3_reset(s);
    return ours;
}

/* From the state check: the central lease renewed when due. A claim found gone (another
 * runner saw the lease expired) or not renewed before the lease ran out stops the run. */
static void renew_lease(struct live_output *l)
{
    if (!l->claims || l->stop)
        return;
    int64_t now = mono_ms();
    if (now - l->last_renew < job_claims_renew_every_ms(l->claims))
        return;
    l->last_renew = now;
    char *err = NULL;
    int rc = job_claims_renew(l->claims, l->run_id, l->attempt, &err);
    free(err);
    if (rc == 1)
        l->lease_ok_until = now + job_claims_lease_ms(l->claims);
    else if (rc == 0 || now >= l->lease_ok_until)
        l->lost = l->stop = 1;
}

static void live_claims(struct live_output *l, struct job_claims *claims, const struct candidate *c)
{
    if (!claims || c->local_scope)
        return;
    l->claims = claims;
    l->attempt = c->attempt;
    l->last_renew = mono_ms();
    l->lease_ok_until = l->last_renew + job_claims_lease_ms(claims);
}

static int live_output_cb(int stream, const char *buf, size_t n, void *ud)
{
    struct live_output *l = ud;
    if (n && buf && (stream == 1 || stream == 2)) {
        struct strbuf *sb = &l->s[stream - 1];
        size_t room = sb->len < l->cap ? l->cap - sb->len : 0;
        if (room)
            sb_add(sb, buf, n < room ? n : room);
        if (n > room)
            l->truncated = 1;
        l->dirty = 1;
    }
    if (l->dirty && mono_ms() - l->last_write >= LIVE_WRITE_MS)
        live_write(l);
    if (!l->stop && mono_ms() - l->last_check >= JOB_STATE_CHECK_MS) {
        l->last_check = mono_ms();
        l->stop = !still_ours(l);
        renew_lease(l);
    }
    return l->stop;
}

/* The day's waiting runs of jobs that need a host (a command, no host): never started,
 * each told to report with the reason. One job asked for by name is refused instead. */
static int skip_unassigned(struct store *st, const struct job_runner_opts *o, const char *day,
                           struct job_runner_stats *stats, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT j.code, j.host_role FROM job_runs r JOIN jobs j ON j.id = r.job_id "
            "WHERE r.due_day = ?1 AND r.state IN ('waiting', 'queued') AND r.deleted = 0 "
            "AND j.command IS NOT NULL AND (?2 IS NULL OR j.code = ?2) AND NOT EXISTS "
            "(SELECT 1 FROM hosts h WHERE h.id = j.host_id AND h.deleted = 0) ORDER BY j.code");
    bind_text(s, 1, day);
    bind_text(s, 2, o->only_job);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        const char *code = col_text(s, 0);
        if (o->only_job) {
            set_err(err, _("%s needs a host: assign one first (unyo jobs assign %s HOST)"), code,
                    code);
            step = -1;
            break;
        }
        stats->unassigned++;
        if (o->report) {
            char *note = xasprintf(_("not run: needs a host (unyo jobs assign %s HOST)"), code);
            o->report(o->report_ud, code, "unassigned", note);
            free(note);
        }
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

/* The day's due runs of central jobs when the central database cannot be reached: never
 * started, each reported with the reason. One job asked for by name is refused instead. */
static int refuse_central(struct store *st, const struct job_runner_opts *o, const char *day,
                          struct job_runner_stats *stats, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT j.code FROM job_runs r JOIN jobs j ON j.id = r.job_id "
            "JOIN hosts h ON h.id = j.host_id AND h.deleted = 0 "
            "WHERE r.due_day = ?1 AND r.state IN ('waiting', 'queued') AND r.deleted = 0 "
            "AND j.command IS NOT NULL AND (?2 IS NULL OR j.code = ?2) "
            "AND j.scope IS NOT 'local' ORDER BY j.code");
    bind_text(s, 1, day);
    bind_text(s, 2, o->only_job);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        const char *code = col_text(s, 0);
        if (o->only_job) {
            set_err(err,
                    _("%s not run: the central database cannot be reached, and this console "
                      "runs only jobs with scope = local without it (%s)"),
                    code, stats->central_why);
            step = -1;
            break;
        }
        stats->refused++;
        if (o->report) {
            char *note = xasprintf(_("not run: the central database cannot be reached (%s)"),
                                   stats->central_why);
            o->report(o->report_ud, code, "refused", note);
            free(note);
        }
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

/* The central database failed: claims stop, the central jobs left are refused. */
static int central_down(struct store *st, const struct job_runner_opts *o, const char *day,
                        struct job_claims **claims, const char *why, struct job_runner_stats *stats,
                        char **err)
{
    job_claims_close(*claims);
    *claims = NULL;
    snprintf(stats->central_why, sizeof stats->central_why, "%s", why ? why : "?");
    return refuse_central(st, o, day, stats, err);
}

/* Whether id is in the list (runs reported as run elsewhere: once each). */
static int seen_add(char (**ids)[ID_LEN + 1], size_t *n, const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (streq((*ids)[i], id))
            return 1;
    *ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
    snprintf((*ids)[(*n)++], ID_LEN + 1, "%s", id);
    return 0;
}

/* A run that waits in the queue: counted and reported once per runner. */
static void note_queued(const struct job_runner_opts *o, struct job_runner_stats *stats,
                        char (**qseen)[ID_LEN + 1], size_t *nqseen, const struct candidate *c,
                        const char *why)
{
    if (seen_add(qseen, nqseen, c->id))
        return;
    stats->queued++;
    if (o->report)
        o->report(o->report_ud, c->code, "queued", why);
}

/* After claiming cs[k]: every other due run it keeps from starting (the same group, a
 * host at its limit) is queued now, not when this runner comes back to it. */
static int queue_others(struct store *st, const struct job_runner_opts *o,
                        struct job_runner_stats *stats, char (**qseen)[ID_LEN + 1], size_t *nqseen,
                        struct candidate *cs, size_t n, size_t k, const char *day, const char *me,
                        char **err)
{
    for (size_t j = 0; j < n; j++) {
        if (j == k || cs[j].claimed_by)
            continue;
        /* only runs that share the slot just taken can have lost theirs */
        int same_group = cs[j].group && cs[k].group && streq(cs[j].group, cs[k].group);
        int same_host = cs[j].host && cs[k].host && streq(cs[j].host, cs[k].host);
        if (!same_group && !same_host)
            continue;
        const char *why = NULL;
        char *why_dyn = NULL;
        int got = try_claim(st, &cs[j], day, me, NULL, 1, &why, &why_dyn, err);
        if (got < 0) {
            free(why_dyn);
            return -1;
        }
        if (got == 2)
            note_queued(o, stats, qseen, nqseen, &cs[j], why_dyn);
        free(why_dyn);
    }
    return 0;
}

/* The run's claim was lost while it ran (lease not renewed): the run is not this
 * runner's any more; it ends interrupted here (the output finish_run keeps). */
static int mark_lost(struct store *st, const struct candidate *c, const char *me, char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *u = store_stmt(
        st, "UPDATE job_runs SET state = 'interrupted', ended_at = ?3, updated_at = ?3, "
            "hlc = ?4, origin = ?5 WHERE id = ?1 AND state = 'running' AND claimed_by = ?2");
    bind_text(u, 1, c->id);
    bind_text(u, 2, me);
    bind_text(u, 3, at);
    bind_int(u, 4, store_hlc_next(st));
    bind_text(u, 5, st->origin);
    int rc = 0;
    if (sqlite3_step(u) != SQLITE_DONE)
        rc = store_fail(st, err, _("marking an interrupted run"));
    else if (sqlite3_changes(st->db) == 1)
        rc = job_event(st, c->id, "interrupted",
                       _("this runner lost its claim in the central database (its lease could "
                         "not be renewed in time); the command was stopped"),
                       NULL, err);
    sqlite3_reset(u);
    if (rc == 0)
        rc = store_commit(st, err);
    if (rc != 0)
        store_rollback(st);
    return rc;
}

int job_runner_run(struct store *st, const struct job_runner_opts *o,
                   struct job_runner_stats *stats, char **err)
{
    struct job_runner_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    if (store_require_operator(st, err) != 0)
        return -1;
    char day[11];
    if (o->day)
        snprintf(day, sizeof day, "%s", o->day);
    else
        time_format_jst_date(time_now_ms(), day);
    if (jobs_recover(st, &stats->recovered, err) != 0)
        return -1;
    if (o->due && (!o->cal || jobs_ensure_runs(st, o->cal, day, &stats->created, err) != 0)) {
        if (!o->cal)
            set_err(err, _("the runner needs the service calendar to find due jobs"));
        return -1;
    }
    if (o->only_job && jobs_add_run(st, o->only_job, day, NULL, err) != 0)
        return -1;
    if (skip_unassigned(st, o, day, stats, err) != 0)
        return -1;
    job_executor exec = o->exec ? o->exec : job_exec_ssh;
    job_executor_ex exec_ex = o->exec_ex;
    if (!exec_ex && exec == job_exec_ssh)
        exec_ex = job_exec_ssh_ex;
    else if (!exec_ex && exec == job_exec_local)
        exec_ex = job_exec_local_ex;
    size_t cap = o->output_cap ? o->output_cap : JOB_OUTPUT_CAP;
    char me[ID_LEN + 32];
    snprintf(me, sizeof me, "%s/%ld", st->origin, (long)getpid());
    struct job_claims *claims = NULL;
    int central = 0; /* as load_candidates takes it */
    if (o->central_url) {
        char host[256] = "?";
        if (gethostname(host, sizeof host) != 0)
            snprintf(host, sizeof host, "?");
        host[sizeof host - 1] = 0;
        /* The origin's end: its random part (the start is a timestamp, the same for
         * consoles made within a minute). */
        size_t olen = strlen(st->origin);
        char *name = xasprintf(_("console %s on %s (process %ld)"),
                               st->origin + (olen > 8 ? olen - 8 : 0), host, (long)getpid());
        char *cerr = NULL;
        if (job_claims_open(o->central_url, o->lease_s ? o->lease_s : JOB_CLAIM_LEASE_S, me, name,
                            &claims, &cerr) == 0) {
            central = 1;
        } else {
            central = -1;
            int rc = central_down(st, o, day, &claims, cerr, stats, err);
            free(cerr);
            if (rc != 0) {
                free(name);
                return -1;
            }
        }
        free(name);
    }
    char(*seen)[ID_LEN + 1] = NULL;
    size_t nseen = 0;
    char(*qseen)[ID_LEN + 1] = NULL; /* runs reported queued: once each */
    size_t nqseen = 0;
    int rc_run = 0;
    int cond_rounds = 0;
    for (;;) {
        struct candidate *cs;
        size_t n;
        /* Start conditions first (src/job_conditions.h): files looked for once a pass. */
        if (job_conditions_round(st, o, day, exec, cond_rounds++ == 0, stats, err) != 0) {
            rc_run = -1;
            break;
        }
        if (load_candidates(st, day, o->only_job, central, &cs, &n, err) != 0) {
            rc_run = -1;
            break;
        }
        int started = 0;
        stats->blocked = 0;
        for (size_t i = 0; i < n && !started; i++) {
            const char *why = NULL;
            char *why_dyn = NULL;
            int got = try_claim(st, &cs[i], day, me, claims, 0, &why, &why_dyn, err);
            if (got == -2) { /* the central database failed: local jobs only from here */
                central = -1;
                char *cerr = *err;
                *err = NULL;
                got = central_down(st, o, day, &claims, cerr, stats, err) != 0 ? -1 : 0;
                free(cerr);
                if (got == 0) {
                    started = 1; /* load the candidates again, the central ones left out */
                    break;
                }
            }
            if (got < 0) {
                free(why_dyn);
                candidates_free(cs, n);
                job_claims_close(claims);
                free(seen);
                free(qseen);
                return -1;
            }
            if (got == 2) { /* its group or host is busy: it waits in the queue */
                stats->blocked++;
                note_queued(o, stats, &qseen, &nqseen, &cs[i], why_dyn);
                free(why_dyn);
                continue;
            }
            if (!got && why_dyn) {
                /* held, or already run, by another console (or interrupted there) */
                if (o->only_job) { /* asked for by name: a refusal naming the holder */
                    stats->elsewhere++;
                    set_err(err, _("%s: %s"), cs[i].code, why_dyn);
                    free(why_dyn);
                    rc_run = -1;
                    break;
                }
                if (!seen_add(&seen, &nseen, cs[i].id)) {
                    stats->elsewhere++;
                    if (o->report)
                        o->report(o->report_ud, cs[i].code, "elsewhere", why_dyn);
                }
                free(why_dyn);
                continue;
            }
            if (!got) {
                stats->blocked++;
                continue;
            }
            started = 1;
            stats->started++;
            if (o->report)
                o->report(o->report_ud, cs[i].code, "running", NULL);
            /* The due runs this one keeps from starting (its group, its host) wait in the
             * queue meanwhile, with the reason; this runner takes them when it ends. */
            char *qerr = NULL; /* not fatal: they are queued when this runner tries them */
            if (queue_others(st, o, stats, &qseen, &nqseen, cs, n, i, day, me, &qerr) != 0)
                free(qerr);
            struct job_exec_result r;
            struct host h;
            int rc_exec, local = 0, lost = 0;
            int64_t t0 = mono_ms();
            char *herr = NULL;
            if (!cs[i].host || host_get(st, cs[i].host, &h, &herr) != 0) {
                memset(&r, 0, sizeof r);
                r.exit_status = -1;
                r.error = herr ? herr : xstrdup(_("the job has no host"));
                rc_exec = -1;
            } else {
                char *cmd = wrap_command(cs[i].command, cs[i].outputs);
                /* A host with transport 'local' (the demo's) never gets a connection,
                 * whatever the runner was given: its command runs on this machine. */
                local = host_is_local(&h);
                if (local) {
                    struct live_output live = {0};
                    live.st = st;
                    live.run_id = cs[i].id;
                    live.me = me;
                    live.cap = cap;
                    live.last_write = mono_ms() - LIVE_WRITE_MS;
                    live_claims(&live, claims, &cs[i]);
                    rc_exec = job_exec_local_ex(NULL, &h, cmd, cs[i].timeout_s, cap, live_output_cb,
                                                &live, &r);
                    sb_free(&live.s[0]);
                    sb_free(&live.s[1]);
                    lost = live.lost;
                } else if (exec_ex) {
                    struct live_output live = {0};
                    live.st = st;
                    live.run_id = cs[i].id;
                    live.me = me;
                    live.cap = cap;
                    live.last_write = mono_ms() - LIVE_WRITE_MS; /* the first output at once */
                    live_claims(&live, claims, &cs[i]);
                    rc_exec = exec_ex(o->exec_ud, &h, cmd, cs[i].timeout_s, cap, live_output_cb,
                                      &live, &r);
                    sb_free(&live.s[0]);
                    sb_free(&live.s[1]);
                    lost = live.lost;
                } else {
                    rc_exec = exec(o->exec_ud, &h, cmd, cs[i].timeout_s, cap, &r);
                }
                free(cmd);
                host_clear(&h);
            }
            const char *state = NULL;
            char *note = NULL;
            int frc = lost ? mark_lost(st, &cs[i], me, err) : 0;
            if (frc == 0)
                frc = finish_run(st, &cs[i], me, &r, rc_exec, mono_ms() - t0, cap, local, &state,
                                 &note, err);
            job_exec_result_free(&r);
            if (frc == 0 && claims && !cs[i].local_scope) {
                /* The end, for consoles whose store has not pulled the result yet. A failure
                 * here leaves the lease to expire: the run is then marked interrupted. */
                char *cerr = NULL;
                job_claims_finish(claims, cs[i].id, cs[i].attempt, lost ? "interrupted" : state,
                                  &cerr);
                free(cerr);
            }
            if (frc != 0) {
                candidates_free(cs, n);
                job_claims_close(claims);
                free(seen);
                free(qseen);
                return -1;
            }
            if (streq(state, "succeeded"))
                stats->succeeded++;
            else if (streq(state, "failed"))
                stats->failed++;
            else if (streq(state, "retry"))
                stats->retried++;
            if (o->report)
                o->report(o->report_ud, cs[i].code, state, note);
            free(note);
        }
        candidates_free(cs, n);
        if (!started || rc_run != 0)
            break;
    }
    job_claims_close(claims);
    free(seen);
    free(qseen);
    return rc_run;
}
