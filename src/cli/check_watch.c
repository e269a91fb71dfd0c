/* unyo check watch: rounds of the due checks, one after another, on connections
 * kept between rounds (issue 15). What the console does with `[checks] schedule
 * = on`, for a machine with no console open that wants its connections kept (a
 * systemd service instead of unyo-checks.timer, whose every run connects anew). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "check_due.h"
#include "check_pool.h"
#include "check_sched.h"
#include "check_watch.h"
#include "checklist.h"
#include "checks.h"
#include "config.h"
#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
    (void)sig;
    stop_asked = 1;
}

static int stopping(void)
{
    return stop_asked != 0;
}

/* Sleeps ms or until a stop is asked (the signal interrupts nanosleep). */
static void pause_ms(int64_t ms)
{
    int64_t end = check_pool_now_ms() + ms;
    while (!stop_asked) {
        int64_t left = end - check_pool_now_ms();
        if (left <= 0)
            break;
        if (left > 1000)
            left = 1000;
        struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static int64_t duration_ms(const char *text, const char *opt, int64_t def, int *bad)
{
    if (!text)
        return def;
    int64_t s;
    if (check_interval_parse(text, &s) != 0) {
        cli_usage("check", _("--%s takes a time such as 30s, 5m or 1h (\"%s\")"), opt, text);
        *bad = 1;
        return 0;
    }
    return s * 1000;
}

int check_watch_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_usage("check", _("unexpected argument: %s"), a->argv[0]);
    int bad = 0;
    int64_t every = duration_ms(cli_str(a, "every"), "every", 30000, &bad);
    const char *keep_text = cli_str(a, "keep");
    long rounds = cli_int(a, "rounds", 0);
    if (bad)
        return EXIT_USAGE;
    int64_t keep = 0;
    char *err = NULL;
    if (keep_text) {
        if (check_pool_keep_setting(keep_text, &keep, &err) != 0) {
            free(err);
            return cli_usage("check", _("--keep takes a time such as 15m or 1h, or off (\"%s\")"),
                             keep_text);
        }
    } else {
        struct config *cfg = config_load(NULL, &err);
        if (!cfg)
            return cli_fail(err);
        int rc =
            check_pool_keep_setting(config_get(cfg, "checks", "keep_connections"), &keep, &err);
        config_free(cfg);
        if (rc != 0)
            return cli_fail(xasprintf("config.ini: %s", err ? err : ""));
    }
    struct check_run_opts o = {0};
    o.host = cli_str(a, "host");
    o.item = cli_str(a, "item");
    o.concurrency = (int)cli_int(a, "concurrency", 0);
    o.timeout = (int)cli_int(a, "timeout", 0);
    o.stop = stopping;
    const char *where = cli_str(a, "checks");
    struct calendar *cal = checklist_calendar_open(&err);
    if (!cal)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        calendar_free(cal);
        return EXIT_FAIL;
    }
    /* Every round records: a read-only store refuses now, not every round. */
    if (store_is_read_only(st)) {
        store_close(st);
        calendar_free(cal);
        return cli_fail(xstrdup(store_read_only_message()));
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop; /* no SA_RESTART: a sleep or poll ends at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    o.pool = keep > 0 ? check_pool_new(keep) : NULL;
    if (keep > 0)
        printf(_("Checking the due checks every %lld s; connections are kept %lld s after "
                 "their last use. Ctrl-C stops.\n"),
               (long long)(every / 1000), (long long)(keep / 1000));
    else
        printf(_("Checking the due checks every %lld s; every round connects anew. Ctrl-C "
                 "stops.\n"),
               (long long)(every / 1000));
    fflush(stdout);
    int failed = 0;
    for (long n = 0; !stop_asked && (rounds <= 0 || n < rounds); n++) {
        if (n > 0)
            pause_ms(every);
        if (stop_asked)
            break;
        int64_t t0 = check_pool_now_ms();
        check_pool_expire(o.pool, t0);
        /* The check files are read every round: an edit counts from the next one. */
        struct check_set set = {0};
        struct check_report rep;
        memset(&rep, 0, sizeof rep);
        char when[TIME_ISO_LEN + 8];
        time_format_jst(time_now_ms(), when, 0);
        int rc = checks_load(where, &set, &err);
        struct check_due dues = {0};
        if (rc == 0)
            rc = checks_run_due(st, &set, cal, &o, &rep, &dues, &err);
        int busy = dues.busy;
        check_due_free(&dues);
        if (rc != 0) {
            if (stop_asked) {
                free(err); /* stopped mid-round: nothing was recorded, said below */
                err = NULL;
            } else {
                fprintf(stderr, _("unyo: %s: this round failed: %s\n"), when, err ? err : "");
                free(err);
                err = NULL;
                failed = 1;
            }
        } else if (busy) {
            printf(_("%s  another round of checks on this store is running; skipped\n"), when);
        } else if (rep.count) {
            printf(_("%s  %zu results on %zu hosts in %.2f s: %zu OK, %zu NG; %zu connections "
                     "kept\n"),
                   when, rep.count, rep.hosts, (double)(check_pool_now_ms() - t0) / 1000.0,
                   rep.count - rep.ng, rep.ng, check_pool_size(o.pool));
            failed = 0;
        } else {
            printf(_("%s  nothing due\n"), when);
            failed = 0;
        }
        fflush(stdout);
        check_report_free(&rep);
        checks_free(&set);
    }
    if (stop_asked)
        printf("%s\n", _("Stopped; a round under way recorded nothing."));
    check_pool_free(o.pool);
    store_close(st);
    calendar_free(cal);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    return failed ? EXIT_FAIL : EXIT_OK;
}
