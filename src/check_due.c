#include "check_due.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "calendar.h"
#include "hosts.h"
#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* The `at` of the latest result of a check on a host, by the hybrid clock (see
 * the header): 1 found, 0 never ran, -1 error. */
static int latest_at(struct store *st, const char *host_id, const char *check_id, int64_t *at_ms,
                     char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT at FROM checklist_events WHERE host_id = ?1 AND "
                                     "note = ?2 AND source = 'check' ORDER BY hlc DESC, id DESC "
                                     "LIMIT 1");
    char *note = xasprintf("check=%s", check_id);
    bind_text(s, 1, host_id);
    bind_text(s, 2, note);
    int rc = store_one_row(s, err);
    if (rc == 1) {
        const char *at = col_text(s, 0);
        if (!at || time_parse(at, at_ms) != 0)
            rc = 0; /* an unreadable time: as if it never ran, so it runs */
        sqlite3_reset(s);
    }
    free(note);
    return rc;
}

/* Selects hosts by name the way check_run_opts.host does: the same glob list as
 * a check's `hosts` key (check_selects), without the role and OS parts. */
static int host_matches(const char *glob, const char *name)
{
    if (!glob)
        return 1;
    struct check_def by_name;
    memset(&by_name, 0, sizeof by_name);
    by_name.hosts = (char *)glob;
    return check_selects(&by_name, name, NULL, NULL);
}

int checks_due(struct store *st, const struct check_set *set, const struct calendar *cal,
               int64_t now_ms, const char *host_glob, const char *item, struct check_due *out,
               char **err)
{
    memset(out, 0, sizeof *out);
    struct calendar *own = cal ? NULL : calendar_new_default();
    const struct calendar *c = cal ? cal : own;
    int64_t now_s = now_ms / 1000;
    int open = calendar_in_service(c, now_s);
    struct host *hosts;
    size_t nh;
    if (host_list(st, &hosts, &nh, err) != 0) {
        calendar_free(own);
        return -1;
    }
    int rc = 0;
    size_t named = 0;
    for (size_t i = 0; i < nh && rc == 0; i++) {
        const struct host *h = &hosts[i];
        if (!host_matches(host_glob, h->name))
            continue;
        named++;
        if (!host_is_local(h) && !h->ssh_alias && !h->address)
            continue; /* no reach: checks_run does not check it either */
        for (size_t k = 0; k < set->count && rc == 0; k++) {
            const struct check_def *d = &set->defs[k];
            if (item && strcmp(item, d->id) != 0 && strcmp(item, d->template_code) != 0)
                continue;
            if (!check_selects(d, h->name, h->role, h->os))
                continue;
            if (!d->interval_s) {
                out->on_demand++;
                continue;
            }
            int64_t at = 0;
            int found = latest_at(st, h->id, d->id, &at, err);
            if (found < 0) {
                rc = -1;
                break;
            }
            int64_t every = d->interval_s * 1000;
            int64_t next = found ? at + every : now_ms;
            if (found && at > now_ms + every)
                next = now_ms; /* dated ahead of now by more than an interval */
            if (d->service_hours && !open) {
                out->out_of_hours++;
                /* it comes due at the next opening, or later */
                int64_t opens = calendar_next_transition(c, now_s);
                if (opens != INT64_MAX) {
                    int64_t when = opens * 1000 > next ? opens * 1000 : next;
                    if (!out->next_ms || when < out->next_ms)
                        out->next_ms = when;
                }
                continue;
            }
            if (next <= now_ms) {
                check_pairs_add(&out->due, h->id, k);
                continue;
            }
            out->waiting++;
            if (!out->next_ms || next < out->next_ms)
                out->next_ms = next;
        }
    }
    host_list_free(hosts, nh);
    calendar_free(own);
    if (rc == 0 && host_glob && !named) {
        checks_no_host_error(host_glob, err);
        rc = -1;
    }
    if (rc != 0) {
        check_due_free(out);
        return -1;
    }
    check_pairs_sort(&out->due);
    return 0;
}

void check_due_free(struct check_due *due)
{
    check_pairs_free(&due->due);
    memset(due, 0, sizeof *due);
}

static int run_due_locked(struct store *st, const struct check_set *set, const struct calendar *cal,
                          const struct check_run_opts *o, struct check_report *rep,
                          struct check_due *d, char **err);

/* The lock of the store's scheduled rounds: an open descriptor holding an
 * exclusive flock on STORE.checks-lock, -1 when another process or thread holds
 * it, -2 when no lock file can be made (a read-only directory: the round runs
 * unguarded rather than never). flock belongs to the open file, so two threads
 * of one console exclude each other as two processes do, and a killed holder
 * releases it. */
static int round_lock(const struct store *st)
{
    char *path = xasprintf("%s.checks-lock", st->path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free(path);
    if (fd < 0)
        return -2;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int checks_run_due(struct store *st, const struct check_set *set, const struct calendar *cal,
                   const struct check_run_opts *o, struct check_report *rep, struct check_due *due,
                   char **err)
{
    memset(rep, 0, sizeof *rep);
    struct check_due mine;
    struct check_due *d = due ? due : &mine;
    memset(d, 0, sizeof *d);
    /* The console's rounds, unyo-checks.timer and check watch may all be on:
     * one round at a time, or a pair due in both would run twice. */
    int lock = round_lock(st);
    if (lock == -1) {
        d->busy = 1;
        return 0;
    }
    int rc = run_due_locked(st, set, cal, o, rep, d, err);
    if (lock >= 0)
        close(lock); /* releases the flock */
    if (!due)
        check_due_free(&mine);
    return rc;
}

static int run_due_locked(struct store *st, const struct check_set *set, const struct calendar *cal,
                          const struct check_run_opts *o, struct check_report *rep,
                          struct check_due *d, char **err)
{
    if (checks_due(st, set, cal, time_now_ms(), o->host, o->item, d, err) != 0)
        return -1;
    int rc = 0;
    if (d->due.count) {
        struct check_run_opts ro = *o;
        ro.only = &d->due;
        rc = checks_run(st, set, &ro, rep, err);
    }
    return rc;
}
