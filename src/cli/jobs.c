/* `unyo jobs`: job definitions, the day's queue and the runner. */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cli.h"
#include "hosts.h"
#include "i18n.h"
#include "job_claims.h"
#include "job_duration.h"
#include "job_queue.h"
#include "job_rerun.h"
#include "job_runner.h"
#include "job_schedule_view.h"
#include "job_substitute.h"
#include "job_conditions.h"
#include "jobs.h"
#include "labels.h"
#include "paths.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

static struct calendar *open_calendar(char **err)
{
    char *path = paths_find_data(NULL, "calendar.ini");
    struct calendar *cal = path ? calendar_load(path, err) : calendar_new_default();
    free(path);
    return cal;
}

static const char *jst(const char *iso, char buf[32])
{
    int64_t ms;
    if (!iso || time_parse(iso, &ms) != 0)
        return NULL;
    time_format_jst(ms, buf, 0);
    return buf;
}

static int day_opt(const char *date, char out[11])
{
    struct civil_date d;
    if (!date) {
        time_format_jst_date(time_now_ms(), out);
        return 0;
    }
    if (strlen(date) != 10 || civil_parse(date, &d) != 0)
        return cli_usage("jobs", _("--date takes YYYY-MM-DD, not %s"), date);
    snprintf(out, 11, "%s", date);
    return 0;
}

static const struct job_duration_limits *duration_limits(void)
{
    static struct job_duration_limits lim;
    job_duration_limits_config(&lim);
    return &lim;
}

static char *delay_label(unsigned delay, int machine)
{
    struct strbuf sb = STRBUF_INIT;
    if (delay & JOB_LATE_START)
        sb_puts(&sb, machine ? "late_start" : _("late start"));
    if (delay & JOB_LATE_END)
        sb_printf(&sb, "%s%s", sb.len ? (machine ? " " : ", ") : "",
                  machine ? "late_end" : _("late end"));
    return sb.len ? sb_detach(&sb) : (sb_free(&sb), NULL);
}

/* The delay column as a person reads it: late start/end, a run moved from a closed day
 * (振替), a duration far from the job's usual one. NULL when there is nothing. */
static char *notes_label(const struct job_run_row *r, int64_t now, int with_queue)
{
    char *late = delay_label(r->delay, 0), *moved = job_substitute_text(r);
    char *odd = job_duration_text(r, now);
    char *queue = with_queue ? job_queue_text(r) : NULL; /* why it waits (queued) */
    struct strbuf sb = STRBUF_INIT;
    const char *parts[] = {late, moved, odd, queue};
    for (size_t i = 0; i < 4; i++)
        if (parts[i])
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", parts[i]);
    free(late), free(moved), free(odd), free(queue);
    return sb.len ? sb_detach(&sb) : (sb_free(&sb), NULL);
}

static void print_runs(struct cli_ctx *ctx, struct job_run_row *rows, size_t n, int history)
{
    int ja = streq(i18n_lang(), "ja");
    int machine = ctx->format != OUTPUT_TEXT;
    int64_t now = time_now_ms();
    /* moved_from, duration: machine-only, after id (the text table ends at incident) */
    /* queued_since, queue_reason: machine-only too (the text shows them under Delay) */
    static const char *const keys[] = {"run",        "code",     "name",         "host",
                                       "state",      "attempt",  "started",      "ended",
                                       "exit",       "delay",    "incident",     "id",
                                       "moved_from", "duration", "queued_since", "queue_reason"};
    const char *headings[] = {_("Run"),        _("Job"),      _("Name"),          _("Host"),
                              _("State"),      _("Try"),      _("Started (JST)"), _("Ended"),
                              _("Exit"),       _("Delay"),    _("Incident"),      _("Id"),
                              _("Moved from"), _("Duration"), _("Queued since"),  _("Waiting for")};
    struct output_table *t = output_new(machine ? 16 : 11, keys, headings);
    output_numbers(t, "attempt,exit");
    for (size_t i = 0; i < n; i++) {
        const struct job_run_row *r = &rows[i];
        char a[32], b[32], ex[16], at[16];
        char *ref = xasprintf("%s@%s", r->code, r->due_day);
        snprintf(ex, sizeof ex, "%d", r->exit_status);
        snprintf(at, sizeof at, "%d", r->attempt);
        char *delay = machine ? delay_label(r->delay, machine) : notes_label(r, now, 1);
        char *reason = machine ? job_queue_reason_text(r) : NULL;
        char *odd = job_duration_text(r, now); /* NULL: no verdict to show for its state */
        const char *state = machine ? r->state : jobs_state_name(r->state);
        char *state_text = NULL;
        if (!machine && r->manual && (streq(r->state, "waiting") || streq(r->state, "queued")))
            state = state_text = xasprintf("%s (%s)", jobs_state_name(r->state), _("manual"));
        else if (r->needs_host && (streq(r->state, "waiting") || streq(r->state, "queued")))
            state = machine ? "unassigned" : jobs_state_name("unassigned");
        const char *row[] = {history ? r->due_day : ref,
                             r->code,
                             ja ? r->name_ja : r->name_en,
                             r->host,
                             state,
                             at,
                             machine ? r->started_at : jst(r->started_at, a),
                             machine ? r->ended_at : jst(r->ended_at, b),
                             r->has_exit ? ex : NULL,
                             delay,
                             r->incident_ref,
                             r->id,
                             r->nominal_day,
                             odd ? r->duration_flag : NULL,
                             reason ? r->queued_since : NULL,
                             reason};
        output_row(t, row);
        free(ref), free(delay), free(state_text), free(odd), free(reason);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
}

static int jobs_due_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *date = cli_str(a, "date");
    if (a->argc > 0)
        return cli_usage("jobs", _("unexpected argument: %s"), a->argv[0]);
    char day[11];
    int rc = day_opt(date, day);
    if (rc != 0)
        return rc;
    char *err = NULL;
    struct calendar *cal = open_calendar(&err);
    if (!cal)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0) {
        calendar_free(cal);
        return EXIT_FAIL;
    }
    int recovered = 0, created = 0;
    struct job_run_row *rows = NULL;
    size_t n = 0;
    if (jobs_recover(st, &recovered, &err) != 0 ||
        jobs_ensure_runs(st, cal, day, &created, &err) != 0 ||
        jobs_day(st, day, time_now_ms(), &rows, &n, &err) != 0 ||
        job_duration_live(st, rows, n, time_now_ms(), duration_limits(), &err) != 0) {
        job_run_rows_free(rows, n);
        calendar_free(cal);
        store_close(st);
        return cli_fail(err);
    }
    calendar_free(cal);
    if (recovered)
        fprintf(stderr, _("unyo: %d run(s) of a runner that is gone marked interrupted\n"),
                recovered);
    if (ctx->format == OUTPUT_TEXT && n == 0)
        printf(_("No jobs are due on %s.\n"), day);
    else
        print_runs(ctx, rows, n, 0);
    job_run_rows_free(rows, n);
    store_close(st);
    return EXIT_OK;
}

/* "07:30" on the day (JST), "11-24 01:10" on another; "" for none. */
static const char *hhmm_on(int64_t ms, const char *day, char buf[32])
{
    if (!ms)
        return NULL;
    char full[32], date[11];
    time_format_jst(ms, full, 0);
    time_format_jst_date(ms, date);
    snprintf(buf, 32, "%s", strcmp(date, day) == 0 ? full + 11 : full + 5);
    return buf;
}

static const char *iso_of(int64_t ms, char buf[32])
{
    if (!ms)
        return NULL;
    time_format_iso(ms, buf);
    return buf;
}

/* `jobs schedule`: the day's schedule (src/job_schedule_view.h). Reads only: unlike
 * `jobs due` it creates no runs. */
static int jobs_schedule_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_usage("jobs", _("unexpected argument: %s"), a->argv[0]);
    char day[11];
    int rc = day_opt(cli_str(a, "date"), day);
    if (rc != 0)
        return rc;
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct job_schedule sc;
    if (job_schedule_day(st, day, time_now_ms(), &sc, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    int machine = ctx->format != OUTPUT_TEXT, ja = streq(i18n_lang(), "ja");
    if (!machine && sc.n == 0) {
        printf(_("No runs on %s.\n"), day);
    } else {
        static const char *const keys[] = {
            "job",   "name",  "expected_start", "expected_end", "started",    "ended",
            "state", "flags", "usual_seconds",  "not_ended_by", "moved_from", "run"};
        const char *headings[] = {_("Job"),          _("Name"),       _("Expected start"),
                                  _("Expected end"), _("Started"),    _("Ended"),
                                  _("State"),        _("Flags"),      _("Usual (s)"),
                                  _("Not ended by"), _("Moved from"), _("Run")};
        struct output_table *t = output_new(machine ? 12 : 8, keys, headings);
        output_numbers(t, "usual_seconds");
        for (size_t i = 0; i < sc.n; i++) {
            const struct job_sched_row *r = &sc.rows[i];
            char b[6][32], us[24];
            snprintf(us, sizeof us, "%lld", (long long)((r->usual_ms + 500) / 1000));
            char *flags = job_sched_flags_text(r->flags, machine);
            const char *row[] = {
                r->run->code,
                ja ? r->run->name_ja : r->run->name_en,
                machine ? iso_of(r->exp_start, b[0]) : hhmm_on(r->exp_start, day, b[0]),
                machine ? iso_of(r->exp_end, b[1]) : hhmm_on(r->exp_end, day, b[1]),
                machine ? iso_of(r->act_start, b[2]) : hhmm_on(r->act_start, day, b[2]),
                machine ? iso_of(r->act_end, b[3]) : hhmm_on(r->act_end, day, b[3]),
                machine ? r->run->state : jobs_state_name(r->run->state),
                flags,
                r->usual_ms ? us : NULL,
                iso_of(r->due_end, b[4]),
                r->run->nominal_day,
                r->run->id};
            output_row(t, row);
            free(flags);
        }
        output_print(t, ctx->format, stdout);
        output_free(t);
    }
    job_schedule_free(&sc);
    store_close(st);
    return EXIT_OK;
}

static void report(void *ud, const char *code, const char *state, const char *note)
{
    (void)ud;
    char *n = NULL;
    if (note) {
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, note, 0);
        n = sb_detach(&sb);
    }
    struct strbuf sb = STRBUF_INIT;
    text_fit(&sb, code, 14);
    sb_putc(&sb, ' ');
    text_fit(&sb, jobs_state_name(state),
             streq(state, "unassigned") || streq(state, "refused") || streq(state, "file_wait") ||
                     streq(state, "judged_out") || streq(state, "not_arrived") ||
                     streq(state, "file_arrived")
                 ? 18
                 : 10);
    printf("%s %s\n", sb.buf, n ? n : "");
    sb_free(&sb);
    fflush(stdout);
    free(n);
}

static int jobs_run_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *date = cli_str(a, "date");
    int due = cli_has(a, "due") > 0, local = cli_has(a, "local") > 0;
    if (a->argc > 1)
        return cli_usage("jobs", _("run takes at most one job"));
    const char *job = a->argc == 1 ? a->argv[0] : NULL;
    if (!job)
        due = 1;
    char day[11];
    int rc = day_opt(date, day);
    if (rc != 0)
        return rc;
    char *err = NULL;
    struct calendar *cal = open_calendar(&err);
    if (!cal)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        calendar_free(cal);
        return EXIT_FAIL;
    }
    struct job_runner_opts o = {0};
    o.day = day;
    o.only_job = job;
    o.due = due;
    o.cal = cal;
    o.exec = local ? job_exec_local : job_exec_ssh;
    o.report = report;
    o.central_url = job_claims_config_url(); /* sync configured: claims go through it */
    o.lease_s = job_claims_config_lease();
    struct job_runner_stats s;
    rc = job_runner_run(st, &o, &s, &err);
    calendar_free(cal);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("%s: %d started, %d succeeded, %d failed, %d retried, %d waiting"), day, s.started,
           s.succeeded, s.failed, s.retried, s.blocked);
    if (s.recovered)
        printf(_(", %d interrupted run(s) found"), s.recovered);
    putchar('\n');
    if (s.queued)
        printf(_("%d run(s) waited in the queue for their group or host (none is skipped; "
                 "`unyo jobs due` shows those still waiting and why).\n"),
               s.queued);
    if (s.unassigned)
        printf(_("%d run(s) not started: their jobs need a host (unyo jobs assign JOB HOST).\n"),
               s.unassigned);
    if (s.elsewhere)
        printf(_("%d run(s) not started here: another console holds them or has run them.\n"),
               s.elsewhere);
    if (s.file_wait)
        printf(_("%d run(s) waiting for their file.\n"), s.file_wait);
    if (s.judged_out)
        printf(_("%d run(s) skipped by judgement (their condition did not hold).\n"), s.judged_out);
    if (s.not_arrived)
        fprintf(stderr,
                _("warning: %d run(s) ended \"did not arrive\": their file was not there by the "
                  "cut-off; an incident draft was made for each.\n"),
                s.not_arrived);
    if (s.refused) {
        char *why = NULL;
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, s.central_why, 0);
        why = sb_detach(&sb);
        printf(_("%d run(s) not started: the central database cannot be reached (%s); without "
                 "it only jobs with scope = local run.\n"),
               s.refused, why);
        free(why);
    }
    return s.failed || s.refused || s.not_arrived ? EXIT_FAIL : EXIT_OK;
}

/* The refs of v, "B@2026-11-24, C@2026-11-24" (malloc'd). */
static char *run_refs(const struct job_rerun_run *v, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        sb_printf(&sb, "%s%s", i ? _(", ") : "", v[i].ref);
    return sb_detach(&sb);
}

static int jobs_rerun_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("jobs", _("say which run (CODE@YYYY-MM-DD, CODE for today, or its id)"));
    int from = cli_has(a, "from-failed"), only = cli_has(a, "only"), after = cli_has(a, "after");
    if ((from != 0) + (only != 0) + (after != 0) > 1)
        return cli_usage("jobs", _("choose one of --from-failed, --only and --after"));
    enum job_rerun_mode mode = from    ? JOB_RERUN_FROM_FAILED
                               : after ? JOB_RERUN_AFTER
                                       : JOB_RERUN_ONLY;
    const char *ref = a->argv[0];
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct job_rerun_plan done;
    int rc = jobs_rerun(st, ref, mode, cli_str(a, "note"), &done, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    if (mode == JOB_RERUN_ONLY) { /* as rerun always said */
        printf(_("Run %s: %s.\n"), ref,
               jobs_state_name(done.nrerun && done.rerun[0].manual ? "waiting" : "queued"));
    } else {
        char *refs = run_refs(done.rerun, done.nrerun);
        printf(_("Rerun %s (%s): %s queued again.\n"), ref, job_rerun_mode_label(mode), refs);
        free(refs);
    }
    if (done.nfollow) {
        char *refs = run_refs(done.follow, done.nfollow);
        printf(_("Not run yet, they start after it as always: %s.\n"), refs);
        free(refs);
    }
    job_rerun_plan_clear(&done);
    return EXIT_OK;
}

static int jobs_action_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *note = cli_has(a, "reason") ? cli_str(a, "reason") : cli_str(a, "note");
    const char *action = streq(a->verb, "mark") ? NULL : a->verb;
    int npos = a->argc;
    if (npos != (action ? 1 : 2))
        return cli_usage("jobs", _("say which run (CODE@YYYY-MM-DD, CODE for today, or its id)"));
    const char *ref = a->argv[0];
    if (!action)
        action = a->argv[1];
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct jobs_action_result res;
    int rc = jobs_run_action_ex(st, ref, action, note, &res, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    /* The state the run is in now ("cancelled", "held", "queued" ...); a run cancelled
     * while running says what becomes of its command on the host. */
    printf(_("Run %s: %s.\n"), ref, res.stopping ? res.stopping : jobs_state_name(res.to));
    jobs_action_result_free(&res);
    return EXIT_OK;
}

static int jobs_load_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    struct job_defs defs = {NULL, 0};
    char *err = NULL;
    size_t files;
    const char **file = cli_all(a, "file", &files);
    if (a->argc > 0)
        return cli_usage("jobs", _("unexpected argument: %s"), a->argv[0]);
    for (size_t i = 0; i < files; i++) {
        if (jobs_parse_file(file[i], &defs, &err) != 0) {
            jobs_defs_free(&defs);
            return cli_fail(err);
        }
    }
    if (!files && jobs_parse_dir(NULL, &defs, &err) != 0)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        jobs_defs_free(&defs);
        return EXIT_FAIL;
    }
    struct jobs_install_result res = {0};
    int rc = jobs_install_ex(st, &defs, &res, &err);
    jobs_defs_free(&defs);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Installed %d job definitions.\n"), res.installed);
    jobs_print_placement(&res);
    jobs_install_result_clear(&res);
    return EXIT_OK;
}

void jobs_print_placement(const struct jobs_install_result *res)
{
    if (res->by_role)
        printf(_("%d placed on the inventory's host of their role.\n"), res->by_role);
    for (size_t i = 0; i < res->nnotes; i++) {
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, res->notes[i], 0);
        printf("  %s\n", sb.buf);
        sb_free(&sb);
    }
    if (res->unassigned)
        printf(_("%d job(s) need a host: they are loaded and do not run until one is assigned "
                 "(unyo jobs assign JOB HOST, or a in the Jobs pane).\n"),
               res->unassigned);
}

static int jobs_assign_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int by_role = cli_has(a, "by-role") > 0;
    if (by_role ? a->argc != 0 : a->argc != 2)
        return cli_usage("jobs", _("say which job and which host (unyo jobs assign JOB HOST)"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    if (by_role) {
        int placed = 0;
        int rc = jobs_place_by_role(st, 0, &placed, &err);
        int left = rc == 0 ? jobs_count_unassigned(st, &err) : -1;
        store_close(st);
        if (rc != 0 || left < 0)
            return cli_fail(err);
        printf(_("%d job(s) placed on the only host of their role; %d still need a host.\n"),
               placed, left);
        return EXIT_OK;
    }
    int rc = jobs_assign(st, a->argv[0], a->argv[1], &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Job %s now runs on %s.\n"), a->argv[0], a->argv[1]);
    return EXIT_OK;
}

static int jobs_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_unknown_verb(&jobs_family, a->argv[0]);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct job_row *rows;
    size_t n;
    char *err = NULL;
    if (jobs_list(st, &rows, &n, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    int ja = streq(i18n_lang(), "ja");
    int machine = ctx->format != OUTPUT_TEXT;
    /* closed_day: the rule on a closed due date; latest_run: the job's latest run's
     * substitute day (振替) and odd duration, as one note in text and as columns of their
     * own in CSV and JSON (usual_seconds a number); condition: wait_file and when. */
    static const char *const keys[] = {
        "code",       "name",       "period",     "host",     "role",         "kind",
        "group",      "after",      "start",      "timeout",  "retries",      "condition",
        "closed_day", "latest_run", "moved_from", "duration", "usual_seconds"};
    const char *headings[] = {_("Job"),        _("Name"),       _("Period"),
                              _("Host"),       _("Role"),       _("Kind"),
                              _("Group"),      _("After"),      _("Start"),
                              _("Timeout"),    _("Retries"),    _("Start condition"),
                              _("Closed day"), _("Latest run"), _("Moved from"),
                              _("Duration"),   _("Usual (s)")};
    struct output_table *t = output_new(machine ? 17 : 14, keys, headings);
    output_numbers(t, "timeout,retries,usual_seconds");
    int64_t now = time_now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct job_row *r = &rows[i];
        char *period = jobs_period_label(r->periods, r->weekday, r->monthday, r->months);
        char to[16], re[16];
        snprintf(to, sizeof to, "%d", r->timeout_s);
        snprintf(re, sizeof re, "%d", r->retries);
        const char *kind =
            r->command ? (machine ? "command" : _("command")) : (machine ? "manual" : _("manual"));
        const char *host = r->host;
        if (r->needs_host)
            host = machine ? NULL : jobs_state_name("unassigned");
        const char *role =
            r->host_role ? (machine ? r->host_role : label_host_role(r->host_role)) : NULL;
        const char *rule = jobs_closed_day_rule(r);
        char *moved = job_substitute_text(&r->last), *odd = job_duration_text(&r->last, now);
        char *latest = NULL, usual[24] = "";
        if (machine) {
            latest = r->last.due_day ? xstrdup(r->last.due_day) : NULL;
            if (odd)
                snprintf(usual, sizeof usual, "%lld", (r->last.usual_ms + 500) / 1000);
        } else if (moved || odd) {
            latest =
                xasprintf("%s%s%s", moved ? moved : "", moved && odd ? ", " : "", odd ? odd : "");
        }
        /* wait_file, when (src/job_conditions.c) */
        char *cond = job_conditions_job_text(st, r->code, machine, NULL);
        const char *row[] = {r->code,
                             ja ? r->name_ja : r->name_en,
                             period,
                             host,
                             role,
                             kind,
                             r->group,
                             r->after,
                             r->expected_start,
                             to,
                             re,
                             cond,
                             machine ? rule : jobs_closed_day_label(rule),
                             latest,
                             r->last.nominal_day,
                             odd ? r->last.duration_flag : NULL,
                             usual[0] ? usual : NULL};
        output_row(t, row);
        free(period), free(moved), free(odd), free(latest), free(cond);
    }
    if (!machine && n == 0)
        printf("%s\n", _("No jobs installed: unyo jobs load installs the shipped definitions."));
    else
        output_print(t, ctx->format, stdout);
    output_free(t);
    job_rows_free(rows, n);
    store_close(st);
    return EXIT_OK;
}

static int jobs_history_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("jobs", _("say which job (its code)"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct job_run_row *rows;
    size_t n;
    char *err = NULL;
    if (jobs_history(st, a->argv[0], 0, &rows, &n, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    if (ctx->format == OUTPUT_TEXT && n == 0)
        printf(_("Job %s has not run yet.\n"), a->argv[0]);
    else
        print_runs(ctx, rows, n, 1);
    job_run_rows_free(rows, n);
    store_close(st);
    return EXIT_OK;
}

static int jobs_show_cmd(struct cli_ctx *ctx, const struct cli_args *args)
{
    if (args->argc != 1)
        return cli_usage("jobs", _("say which run (CODE@YYYY-MM-DD, CODE for today, or its id)"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct job_run_detail d;
    char *err = NULL;
    if (jobs_run_get(st, args->argv[0], &d, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    if (job_duration_live(st, &d.run, 1, time_now_ms(), duration_limits(), &err) != 0) {
        jobs_run_detail_clear(&d);
        store_close(st);
        return cli_fail(err);
    }
    int ja = streq(i18n_lang(), "ja");
    const struct job_run_row *r = &d.run;
    char a[32], b[32], num[32];
    printf("%s@%s  %s\n", r->code, r->due_day, ja ? r->name_ja : r->name_en);
    cli_show_field(12, _("Id:"), r->id);
    cli_show_field(12, _("State:"), jobs_state_name(r->state));
    snprintf(num, sizeof num, "%d", r->attempt);
    cli_show_field(12, _("Attempt:"), num);
    cli_show_field(12, _("Host:"),
                   r->host         ? r->host
                   : r->needs_host ? jobs_state_name("unassigned")
                                   : NULL);
    cli_show_field(12, _("Command:"), d.command);
    cli_show_field(12, _("Started:"), jst(r->started_at, a));
    cli_show_field(12, _("Ended:"), jst(r->ended_at, b));
    if (r->has_exit) {
        snprintf(num, sizeof num, "%d", r->exit_status);
        cli_show_field(12, _("Exit:"), num);
    }
    char *notes = notes_label(r, time_now_ms(), 0);
    cli_show_field(12, _("Warnings:"), notes);
    free(notes);
    char *why = job_queue_reason_text(r); /* queued: since when, and for what */
    if (why) {
        cli_show_field(12, _("Queued since:"), jst(r->queued_since, a));
        cli_show_field(12, _("Waiting for:"), why);
        free(why);
    }
    cli_show_field(12, _("Runner:"), r->claimed_by);
    cli_show_field(12, _("Incident:"), r->incident_ref);
    char *cond = job_conditions_run_text(st, r->id, NULL); /* wait_file, when */
    if (cond) {
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, cond, 1);
        fputs(sb.buf, stdout);
        sb_free(&sb);
        free(cond);
    }
    if (d.procedure) {
        printf("%s\n", _("Procedure:"));
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, d.procedure, 1);
        int k = 1;
        for (char *p = sb.buf, *nl; p && *p; p = nl ? nl + 1 : NULL) {
            nl = strchr(p, '\n');
            if (nl)
                *nl = 0;
            printf("  %d. %s\n", k++, p);
        }
        sb_free(&sb);
    }
    if (r->files) {
        printf("%s\n", _("Files:"));
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, r->files, 1);
        printf("  %s\n", sb.buf);
        sb_free(&sb);
    }
    printf("%s\n", _("Events:"));
    for (size_t i = 0; i < d.nevents; i++) {
        char iso[TIME_ISO_LEN + 1];
        struct strbuf sb = STRBUF_INIT;
        text_fit(&sb, jobs_state_name(d.events[i].kind), 14);
        sb_putc(&sb, ' ');
        text_fit(&sb, d.events[i].operator_login ? d.events[i].operator_login : "", 10);
        sb_putc(&sb, ' ');
        if (d.events[i].note)
            text_sanitize(&sb, d.events[i].note, 0);
        printf("  %s  %s\n", jst(ledger_iso(d.events[i].at, iso), a), sb.buf);
        sb_free(&sb);
    }
    if (d.output && *d.output) {
        printf("%s\n", _("Output:"));
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, d.output, 1);
        fputs(sb.buf, stdout);
        if (sb.len && sb.buf[sb.len - 1] != '\n')
            putchar('\n');
        sb_free(&sb);
    }
    jobs_run_detail_clear(&d);
    store_close(st);
    return EXIT_OK;
}

static int jobs_deliver_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *to = cli_str(a, "to"), *files = cli_str(a, "files"), *note = cli_str(a, "note");
    if (a->argc != 1 || !to)
        return cli_usage("jobs", _("say which run and --to DEPT"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = jobs_deliver(st, a->argv[0], to, files, note, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Delivery of %s to %s recorded.\n"), a->argv[0], to);
    return EXIT_OK;
}

static const struct cli_opt jobs_load_opts[] = {
    OPT_STRS("file", 'f', N_("FILE"), N_("a job definition file (default data/jobs/*.ini)")),
    OPT_END};
static const struct cli_opt jobs_date_opts[] = {
    OPT_DATE("date", 'd', N_("the day (default: today, JST)")), OPT_END};
static const struct cli_opt jobs_run_opts[] = {
    OPT_FLAG("due", 'u', N_("run what is due (the default without JOB)")),
    OPT_DATE("date", 'd', N_("the day (default: today, JST)")),
    OPT_FLAG("local", 'l', N_("run the commands on this machine (demos and tests)")), OPT_END};
static const struct cli_opt jobs_note_opts[] = {
    OPT_STR("note", 'n', N_("NOTE"), N_("a note kept with the run")), OPT_END};
static const struct cli_opt jobs_rerun_opts[] = {
    OPT_FLAG("from-failed", 'F',
             N_("this run (it did not succeed) and every ended run after it in the net")),
    OPT_FLAG("only", 'o', N_("this run alone (the default, as rerun always did)")),
    OPT_FLAG("after", 'a', N_("the ended runs after it in the net, not itself")),
    OPT_STR("note", 'n', N_("NOTE"), N_("a note kept with the run")), OPT_END};
static const struct cli_opt jobs_mark_opts[] = {
    OPT_STR("reason", 'r', N_("TEXT"),
            N_("why a failed run counts as succeeded (required for a failed run)")),
    OPT_STR("note", 'n', N_("NOTE"), N_("a note kept with the run")), OPT_END};
static const struct cli_opt jobs_deliver_opts[] = {
    OPT_REQ("to", 't', N_("DEPT"), N_("the department the output goes to")),
    OPT_STR("files", 'f', N_("FILES"), N_("what was delivered")),
    OPT_STR("note", 'n', N_("NOTE"), N_("a note kept with the run")), OPT_END};
static const struct cli_opt jobs_assign_opts[] = {
    OPT_FLAG("by-role", 'b',
             N_("every job that needs a host, on the inventory's only host of its role")),
    OPT_END};
const struct cli_family jobs_family = {
    "jobs",
    (const struct cli_verb[]){
        {"list", NULL, NULL, jobs_list_cmd, NULL, CLI_DEFAULT | CLI_FORMATS},
        {"load", NULL, jobs_load_opts, jobs_load_cmd,
         N_("Installs the job definitions (data/jobs/*.ini) into the store, by code."), 0},
        {"due", NULL, jobs_date_opts, jobs_due_cmd,
         N_("The day's runs and their state; creates the runs of due jobs (idempotent) and\n"
            "marks runs of crashed runners interrupted. Late runs are flagged."),
         CLI_FORMATS},
        {"run", N_("[JOB]"), jobs_run_opts, jobs_run_cmd,
         N_("Runs what is due (for cron or a systemd timer) or one job, over SSH on its host:\n"
            "dependencies first, one run per concurrency group, timeout and retries. A run is\n"
            "claimed atomically, so two runners never execute it twice. With [sync] url in\n"
            "config.ini the claim is made in the central database too, so consoles synced to it\n"
            "run each run once; when it cannot be reached, only jobs with scope = local run."),
         0},
        {"hold", N_("RUN"), jobs_note_opts, jobs_action_cmd, NULL, 0},
        {"release", N_("RUN"), jobs_note_opts, jobs_action_cmd, NULL, 0},
        {"cancel", N_("RUN"), jobs_note_opts, jobs_action_cmd, NULL, 0},
        {"rerun", N_("RUN"), jobs_rerun_opts, jobs_rerun_cmd,
         N_("Puts a run back in the queue, as JP1 reruns a job net: --only (the default) the\n"
            "run alone; --from-failed a run that did not succeed and every run after it (the\n"
            "jobs that run after its job, directly or not, that day) that has ended; --after\n"
            "those runs and not itself. Runs after it not run yet start after it as always.\n"
            "Nothing is rerun while it or a run after it is running."),
         0},
        {"mark", N_("RUN succeeded|failed|skipped"), jobs_mark_opts, jobs_action_cmd,
         N_("For manual jobs; and `succeeded --reason TEXT` for a failed run of any job: it\n"
            "counts as succeeded from then on (the runs after it may start), its failure stays\n"
            "in its history, and who marked it and why is recorded."),
         0},
        {"show", N_("RUN"), NULL, jobs_show_cmd, NULL, 0},
        {"history", N_("JOB"), NULL, jobs_history_cmd, NULL, CLI_FORMATS},
        {"schedule", NULL, jobs_date_opts, jobs_schedule_cmd,
         N_("The day's schedule (JP1's daily schedule): each run's expected start and end (the\n"
            "job's usual duration after its expected start), its actual start and end, its\n"
            "state, and flags: late start, late end, slow, too fast, moved from a closed day.\n"
            "Reads only: it creates no runs."),
         CLI_FORMATS},
        {"deliver", N_("RUN"), jobs_deliver_opts, jobs_deliver_cmd, NULL, 0},
        {"assign", N_("[JOB HOST]"), jobs_assign_opts, jobs_assign_cmd,
         N_("Puts a job on a host of the inventory: a job that needs a host (its definition\n"
            "names a host or role the site does not have) runs from then on; a placed one moves.\n"
            "--by-role places every job that needs a host on the only host of its role."),
         0},
        {0}},
    N_("RUN: CODE@YYYY-MM-DD, CODE for today, or the run's id.")};
