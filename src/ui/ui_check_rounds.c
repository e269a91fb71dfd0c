#include "ui_check_rounds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check_due.h"
#include "check_pool.h"
#include "checks.h"
#include "config.h"
#include "i18n.h"
#include "setup.h"
#include "store.h"
#include "ui.h"
#include "util.h"

#define FIRST_ROUND_MS 1000
#define ROUND_EVERY_MS 30000
#define ROUND_NICE 10

struct round_job {
    char *db;
    const struct calendar *cal;
    int ran; /* a round was made (not skipped) */
    size_t results, ng;
    char *err;
};

static int running;
static int scheduled; /* [checks] schedule = on took effect */
/* Connections kept from one round to the next ([checks] keep_connections);
 * NULL when off. Used by one round at a time (running). */
static struct check_pool *pool;
static char *last_err; /* the error shown last: the same one is not shown every round */

static void round_work(void *arg)
{
    struct round_job *j = arg;
    /* The round shares the machine with the keyboard: this thread (its own,
     * ended with the round) yields to the drawing one. Linux: a thread's nice. */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), ROUND_NICE);
    struct store *st = NULL;
    if (store_open(j->db, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    int none = 0;
    char *e = NULL;
    /* A new store whose first run is not done: nobody to record the run as yet. */
    if (setup_no_operator(st, &none, &e) != 0 || none) {
        free(e);
        store_close(st);
        return;
    }
    struct check_set set = {0};
    if (store_require_operator(st, &j->err) == 0 && checks_load_dir(NULL, &set, &j->err) == 0) {
        struct check_run_opts o = {0};
        o.stop = ui_bg_quitting; /* quitting never waits for a round */
        o.pool = pool;
        check_pool_expire(pool, check_pool_now_ms());
        struct check_report rep;
        if (checks_run_due(st, &set, j->cal, &o, &rep, NULL, &j->err) == 0) {
            j->ran = 1;
            j->results = rep.count;
            check_report_ng_split(&rep, &j->ng, NULL, NULL); /* not downtime, not acked */
        }
        check_report_free(&rep);
    }
    checks_free(&set);
    store_close(st);
}

static void round_done(void *arg)
{
    struct round_job *j = arg;
    running = 0;
    if (j->err && !ui_bg_quitting()) {
        if (!last_err || strcmp(last_err, j->err) != 0)
            ui_error(_("scheduled checks: %s"), j->err);
        free(last_err);
        last_err = j->err;
        j->err = NULL;
    } else if (j->ran) {
        free(last_err);
        last_err = NULL;
    }
    if (j->results) {
        if (j->ng)
            ui_message(_("scheduled checks: %zu NG (of %zu run)"), j->ng, j->results);
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS | UI_DIRTY_STATUS);
    }
    free(j->err);
    free(j->db);
    free(j);
}

static int round_tick(void *data)
{
    (void)data;
    if (running || ui_bg_quitting())
        return 1;
    struct round_job *j = xcalloc(1, sizeof *j);
    j->db = xstrdup(ui_store()->path);
    j->cal = ui_calendar();
    running = 1;
    if (ui_bg_run(round_work, round_done, j) != 0) {
        /* No thread: skip this round rather than hold the keys up with it. */
        running = 0;
        free(j->db);
        free(j);
    }
    return 1;
}

static int first_tick(void *data)
{
    round_tick(data);
    ui_loop_add_timer(ROUND_EVERY_MS, round_tick, NULL);
    return 0;
}

void ui_check_rounds_start(void)
{
    const char *v = config_value("checks", "schedule");
    if (store_is_read_only(ui_store()))
        return; /* a read-only console records nothing */
    if (!v || strcasecmp(v, "off") == 0)
        return;
    if (strcasecmp(v, "on") != 0) {
        ui_error(_("config.ini: [checks] schedule is on or off (\"%s\"): the checks do not run "
                   "on a schedule"),
                 v);
        return;
    }
    int64_t keep;
    char *err = NULL;
    if (check_pool_keep_setting(config_value("checks", "keep_connections"), &keep, &err) != 0) {
        ui_error(_("config.ini: %s; connections are not kept between rounds"), err);
        free(err);
        keep = 0;
    }
    if (keep > 0)
        pool = check_pool_new(keep);
    scheduled = 1;
    ui_loop_add_timer(FIRST_ROUND_MS, first_tick, NULL);
}

int ui_check_rounds_running(void)
{
    return running;
}

int ui_check_rounds_on(void)
{
    return scheduled;
}

void ui_check_rounds_stop(void)
{
    check_pool_free(pool); /* after ui_bg_drain: no round uses it any more */
    pool = NULL;
}
