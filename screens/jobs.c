/* Jobs pane (ジョブ管理): the day's runs of the batch jobs (src/jobs.h), created
 * idempotently as `unyo jobs due` does, with delay warnings; runs started in the
 * background through the runner (src/job_runner.h) on a connection of their own, so
 * the console never waits for a job. Enter opens a run: its events, output, the
 * incident draft of a failed run and the job's history.
 *
 * The list is one query per load (jobs_day) and the table fetches only the rows on
 * screen from memory, so a day of 10,000 runs scrolls as fast as ten. A one-second
 * timer watches `PRAGMA data_version` and reloads when another connection (a runner
 * of this console, a timer's `unyo jobs run --due`, sync) wrote to the store. The
 * runner stores a running command's output about once a second, so a running run's
 * detail shows its output so far and the time it has been running. */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cmdlog.h"
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
#include "operators.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_list.h"
#include "ui_table.h"
#include "ui_view.h"
#include "util.h"

#define JB_NCOLS 10
#define JB_HISTORY 30
#define JB_DELAY_RELOAD_MS 60000

enum jb_sort { JB_SORT_START, JB_SORT_STATE, JB_SORT_HOST, JB_SORT_CODE, JB_SORT_COUNT };
static const char *const jb_sort_names[JB_SORT_COUNT] = {"start", "state", "host", "code"};
static const char *const jb_sort_labels[JB_SORT_COUNT] = {N_("expected start"), N_("run state"),
                                                          N_("job host"), N_("job code")};

struct jb_model {
    char day[11];
    struct job_run_row *rows;
    size_t n;
    size_t *idx; /* visible rows (filter, sort) */
    size_t nidx;
    struct table table;
    struct ui_list list; /* the shared list keys; filter, sort key (enum jb_sort), order */
    char *load_error;
    int local; /* UNYO_JOB_EXECUTOR=local: the test and demo executor */
    int bg;    /* runners of this console still working */
    int timer;
    int64_t data_version;
    int64_t loaded_at; /* monotonic ms */
    unsigned gen;      /* counts synchronous loads */
    int loading;       /* a background load is under way */
    /* detail view */
    int detail;
    char detail_id[ID_LEN + 1];
    /* the daily schedule (v): the same rows on a 24-hour axis */
    int grid;
    struct job_schedule sched; /* rows borrow m->rows; n 0 until computed */
    long grid_top;
    int detail_running;
    char *detail_started;
    struct ui_lines lines;
};

static struct table_col jb_cols[JB_NCOLS];

static int ja(void)
{
    return strcmp(i18n_lang(), "ja") == 0;
}

static const char *run_name(const struct job_run_row *r)
{
    const char *n = ja() ? r->name_ja : r->name_en;
    return n ? n : "";
}

static int state_style(const char *s)
{
    if (!s)
        return STYLE_NORMAL;
    if (strcmp(s, "succeeded") == 0)
        return STYLE_STATUS_OK;
    if (strcmp(s, "failed") == 0 || strcmp(s, "interrupted") == 0 || strcmp(s, "not_arrived") == 0)
        return STYLE_STATUS_NG;
    if (strcmp(s, "running") == 0 || strcmp(s, "file_wait") == 0)
        return STYLE_STATUS_TODO;
    if (strcmp(s, "held") == 0 || strcmp(s, "skipped") == 0 || strcmp(s, "cancelled") == 0 ||
        strcmp(s, "judged_out") == 0)
        return STYLE_STATUS_SKIP;
    return STYLE_NORMAL;
}

static int is_state(const struct job_run_row *r, const char *s)
{
    return r->state && strcmp(r->state, s) == 0;
}

/* A run that would start but for its job's host: shown as "needs a host", never run. */
static int needs_host(const struct job_run_row *r)
{
    return r->needs_host && (is_state(r, "waiting") || is_state(r, "queued"));
}

/* "09:12" for a time on the run's day, "11-22 23:50" otherwise; "" for none. */
static void when_s(const char *iso, const char *day, int seconds, char *out, size_t size)
{
    out[0] = 0;
    int64_t ms;
    if (!iso || time_parse(iso, &ms) != 0)
        return;
    char full[32], date[16];
    time_format_jst(ms, full, seconds);
    time_format_jst_date(ms, date);
    snprintf(out, size, "%s", day && strcmp(date, day) == 0 ? full + 11 : full + 5);
}

/* A duration verdict shown for the run's state (running or succeeded). */
static int odd_duration(const struct job_run_row *r)
{
    char *t = job_duration_text(r, time_now_ms());
    int shown = t != NULL;
    free(t);
    return shown;
}

/* with_queue: a queued run's reason first (the table; the detail has its own line). */
static char *delay_text(const struct job_run_row *r, int with_queue)
{
    struct strbuf sb = STRBUF_INIT;
    /* queued: what it waits for (its group, its host, and which run holds it) */
    char *why = with_queue ? job_queue_reason_text(r) : NULL;
    if (why)
        sb_printf(&sb, "%s", why);
    free(why);
    if (r->delay & JOB_LATE_START) {
        if (sb.len)
            sb_puts(&sb, ", ");
        sb_printf(&sb, _("not started by %s"), r->expected_start ? r->expected_start : "");
    }
    if (r->delay & JOB_LATE_END) {
        if (sb.len)
            sb_puts(&sb, ", ");
        sb_printf(&sb, _("not ended by %s"), r->expected_end ? r->expected_end : "");
    }
    /* much slower or faster than the job's history (src/job_duration.h), and a run
     * moved from a closed day (振替) */
    char *odd = job_duration_text(r, time_now_ms()), *moved = job_substitute_text(r);
    if (odd)
        sb_printf(&sb, "%s%s", sb.len ? ", " : "", odd);
    if (moved)
        sb_printf(&sb, "%s%s", sb.len ? ", " : "", moved);
    free(odd), free(moved);
    if (r->incident_ref)
        sb_printf(&sb, "%s%s", sb.len ? "  " : "", r->incident_ref);
    return sb_detach(&sb);
}

static void when(const char *iso, const char *day, char *out, size_t size)
{
    when_s(iso, day, 1, out, size);
}

/* ---- table source ---- */
static long jb_count(void *data)
{
    struct jb_model *m = data;
    return (long)m->nidx;
}

static long jb_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct jb_model *m = data;
    long got = 0;
    for (long i = 0; i < n && (size_t)(from + i) < m->nidx; i++, got++) {
        const struct job_run_row *r = &m->rows[m->idx[from + i]];
        struct table_row *t = &rows[i];
        memset(t, 0, sizeof *t);
        char a[32], b[32];
        when_s(r->started_at, r->due_day, 0, a, sizeof a);
        when_s(r->ended_at, r->due_day, 0, b, sizeof b);
        const char *state = jobs_state_name(needs_host(r) ? "unassigned" : r->state);
        t->cell[0] = r->manual && (is_state(r, "waiting") || is_state(r, "queued"))
                         ? xasprintf("%s (%s)", state, _("manual"))
                         : xstrdup(state);
        t->cell[1] = xstrdup(r->code ? r->code : "");
        t->cell[2] = xstrdup(run_name(r));
        if (r->needs_host && r->host_role)
            t->cell[3] = xasprintf(_("role %s"), label_host_role(r->host_role));
        else
            t->cell[3] = xstrdup(r->host ? r->host : "");
        t->cell[4] = r->expected_start || r->expected_end
                         ? xasprintf("%s–%s", r->expected_start ? r->expected_start : "",
                                     r->expected_end ? r->expected_end : "")
                         : xstrdup("");
        t->cell[5] = xstrdup(a);
        t->cell[6] = xstrdup(b);
        t->cell[7] = r->attempt ? xasprintf("%d", r->attempt) : xstrdup("");
        t->cell[8] = r->has_exit ? xasprintf("%d", r->exit_status) : xstrdup("");
        t->cell[9] = delay_text(r, 1);
        t->style = STYLE_NORMAL;
        t->cell_style[0] = needs_host(r) ? STYLE_OVERDUE : state_style(r->state);
        if (r->delay) {
            t->cell_style[4] = STYLE_OVERDUE;
            t->cell_style[9] = STYLE_OVERDUE;
        }
        if (r->delay & JOB_LATE_START)
            t->cell_style[1] = STYLE_OVERDUE;
        if (r->has_exit && r->exit_status != 0)
            t->cell_style[8] = STYLE_STATUS_NG;
        if (r->incident_ref && !r->delay)
            t->cell_style[9] = STYLE_STATUS_NG;
        if (odd_duration(r))
            t->cell_style[9] = STYLE_OVERDUE;
    }
    return got;
}

static int state_rank(const char *s)
{
    static const char *const order[] = {
        "failed", "interrupted", "not_arrived", "unassigned", "running", "file_wait", "waiting",
        "queued", "held",        "succeeded",   "judged_out", "skipped", "cancelled"};
    for (size_t i = 0; s && i < ARRAY_LEN(order); i++)
        if (strcmp(s, order[i]) == 0)
            return (int)i;
    return (int)ARRAY_LEN(order);
}

/* the sort key a click on a column's header picks */
static const int jb_col_sort[] = {
    JB_SORT_STATE, JB_SORT_CODE, -1, JB_SORT_HOST, JB_SORT_START, -1, -1, -1, -1, -1};

static struct jb_model *sort_model;
static int cmp_idx(const void *a, const void *b)
{
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    const struct job_run_row *x = &sort_model->rows[ia], *y = &sort_model->rows[ib];
    int c = 0;
    if (sort_model->list.sort == JB_SORT_STATE)
        c = state_rank(needs_host(x) ? "unassigned" : x->state) -
            state_rank(needs_host(y) ? "unassigned" : y->state);
    else if (sort_model->list.sort == JB_SORT_HOST)
        c = strcmp(x->host ? x->host : "", y->host ? y->host : "");
    else if (sort_model->list.sort == JB_SORT_CODE)
        c = strcmp(x->code ? x->code : "", y->code ? y->code : "");
    if (!c)
        c = (ia > ib) - (ia < ib); /* jobs_day's order: expected start, code */
    return c;
}

static int row_matches(struct jb_model *m, const struct job_run_row *r)
{
    const char *fields[] = {r->code,
                            r->name_ja,
                            r->name_en,
                            r->host,
                            r->incident_ref,
                            r->state,
                            jobs_state_name(r->state)};
    return ui_list_match(&m->list, fields, ARRAY_LEN(fields));
}

static void rebuild(void *data)
{
    struct jb_model *m = data;
    free(m->idx);
    m->idx = xcalloc(m->n ? m->n : 1, sizeof *m->idx);
    m->nidx = 0;
    for (size_t i = 0; i < m->n; i++)
        if (row_matches(m, &m->rows[i]))
            m->idx[m->nidx++] = i;
    /* start: jobs_day's order (expected start, code) */
    sort_model = m;
    ui_list_order(&m->list, m->idx, m->nidx, m->list.sort != JB_SORT_START ? cmp_idx : NULL);
    table_reset(&m->table);
}

static const struct job_run_row *selected_run(struct jb_model *m)
{
    if (!m->nidx || m->table.sel < 0 || (size_t)m->table.sel >= m->nidx)
        return NULL;
    return &m->rows[m->idx[m->table.sel]];
}

/* ---- detail ---- */
/* Adds text line by line, each with a prefix. */
static void add_block(struct jb_model *m, int style, const char *prefix, const char *text)
{
    const char *p = text ? text : "";
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        ui_lines_addf(&m->lines, style, "%s%.*s", prefix, (int)len, p);
        p += len + (e != NULL);
    }
}

static void build_detail(struct jb_model *m)
{
    ui_lines_clear(&m->lines);
    free(m->detail_started);
    m->detail_started = NULL;
    m->detail_running = 0;
    struct store *st = ui_store();
    struct job_run_detail d;
    char *err = NULL;
    if (jobs_run_get(st, m->detail_id, &d, &err) != 0) {
        ui_lines_addf(&m->lines, STYLE_ERROR, "%s", err ? err : _("the run could not be loaded"));
        free(err);
        return;
    }
    struct job_duration_limits lim;
    job_duration_limits_config(&lim);
    if (job_duration_live(st, &d.run, 1, time_now_ms(), &lim, &err) != 0) { /* shown, not fatal */
        ui_lines_addf(&m->lines, STYLE_ERROR, "%s", err ? err : "");
        free(err);
        err = NULL;
    }
    const struct job_run_row *r = &d.run;
    char a[32], b[32];
    ui_lines_addf(&m->lines, STYLE_HEADER, "%s@%s  %s", r->code, r->due_day, run_name(r));
    m->detail_running = is_state(r, "running");
    if (m->detail_running && r->started_at)
        m->detail_started = xstrdup(r->started_at);
    ui_lines_addf(&m->lines, state_style(r->state), _("State:     %s (attempt %d)%s"),
                  jobs_state_name(r->state), r->attempt,
                  r->manual ? _(" — manual work, m marks it") : "");
    if (r->host)
        ui_lines_addf(&m->lines, STYLE_NORMAL, _("Host:      %s"), r->host);
    else if (r->needs_host)
        ui_lines_addf(&m->lines, STYLE_OVERDUE, _("Host:      %s%s%s — a assigns one"),
                      jobs_state_name("unassigned"), r->host_role ? "  " : "",
                      r->host_role ? label_host_role(r->host_role) : "");
    if (r->expected_start || r->expected_end) {
        char *delay = delay_text(r, 0);
        ui_lines_addf(&m->lines, r->delay ? STYLE_OVERDUE : STYLE_NORMAL,
                      _("Expected:  %s–%s JST  %s"), r->expected_start ? r->expected_start : "",
                      r->expected_end ? r->expected_end : "", r->delay ? delay : "");
        free(delay);
    }
    char *queued = job_queue_text(r); /* since when it waits, and for what */
    if (queued)
        ui_lines_addf(&m->lines, r->delay ? STYLE_OVERDUE : STYLE_NORMAL, "%s", queued);
    free(queued);
    char *moved = job_substitute_text(r), *odd = job_duration_text(r, time_now_ms());
    if (moved)
        ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", moved);
    if (odd)
        ui_lines_addf(&m->lines, STYLE_OVERDUE, "%s", odd);
    free(moved), free(odd);
    if (d.command)
        ui_lines_addf(&m->lines, STYLE_NORMAL, _("Command:   %s"), d.command);
    when(r->started_at, NULL, a, sizeof a);
    when(r->ended_at, NULL, b, sizeof b);
    if (a[0])
        ui_lines_addf(&m->lines, STYLE_NORMAL, _("Started:   %s  Ended: %s"), a, b[0] ? b : "—");
    if (r->has_exit)
        ui_lines_addf(&m->lines, r->exit_status ? STYLE_STATUS_NG : STYLE_STATUS_OK,
                      _("Exit:      %d"), r->exit_status);
    if (r->claimed_by) {
        const char *login = NULL; /* the operator of the last "running" event */
        for (size_t i = 0; i < d.nevents; i++)
            if (streq(d.events[i].kind, "running"))
                login = d.events[i].operator_login;
        char *runner = jobs_runner_text(st, r->claimed_by, login);
        ui_lines_addf(&m->lines, STYLE_DIM, _("Runner:    %s"), runner);
        free(runner);
    }
    if (r->incident_ref)
        ui_lines_addf(&m->lines, STYLE_STATUS_NG,
                      _("Incident draft: %s (review and submit it in Incidents)"), r->incident_ref);
    char *cond = job_conditions_run_text(st, r->id, NULL); /* wait_file, when */
    if (cond)
        add_block(m, state_style(r->state), "", cond);
    free(cond);
    if (r->files) {
        char *files = jobs_files_text(r->files);
        add_block(m, STYLE_NORMAL, _("Files:     "), files);
        free(files);
    }
    if (d.procedure) {
        ui_lines_addf(&m->lines, STYLE_HEADER, "%s", _("Procedure"));
        int k = 1;
        const char *p = d.procedure;
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            ui_lines_addf(&m->lines, STYLE_NORMAL, "  %d. %.*s", k++, (int)len, p);
            p += len + (e != NULL);
        }
    }
    ui_lines_addf(&m->lines, STYLE_HEADER, "%s", _("Events"));
    for (size_t i = 0; i < d.nevents; i++) {
        const struct ledger_event *e = &d.events[i];
        char at[32], iso[TIME_ISO_LEN + 1];
        when(ledger_iso(e->at, iso), NULL, at, sizeof at);
        struct strbuf sb = STRBUF_INIT;
        text_fit(&sb, jobs_state_name(e->kind), 16);
        sb_putc(&sb, ' ');
        char *who = e->operator_login ? operator_display_name(st, e->operator_login) : NULL;
        text_fit(&sb, who ? who : "", 10);
        free(who);
        char *head = xasprintf("  %s  %s ", at, sb.buf);
        ui_lines_add_note(&m->lines, state_style(e->kind), head, e->note);
        free(head);
        sb_free(&sb);
    }
    ui_lines_addf(&m->lines, STYLE_HEADER, "%s", _("Output"));
    if (d.output && *d.output)
        add_block(m, STYLE_NORMAL, "  ", d.output);
    else if (m->detail_running)
        ui_lines_addf(&m->lines, STYLE_DIM, "  %s",
                      _("(no output yet; the runner stores it as it comes, and this view refreshes "
                        "by itself)"));
    else
        ui_lines_addf(&m->lines, STYLE_DIM, "  %s", _("(none)"));
    /* the job's history */
    struct job_run_row *h = NULL;
    size_t nh = 0;
    if (jobs_history(st, r->code, JB_HISTORY, &h, &nh, &err) == 0) {
        ui_lines_addf(&m->lines, STYLE_HEADER, _("History of %s (last %d)"), r->code, JB_HISTORY);
        for (size_t i = 0; i < nh; i++) {
            char s[32], e[32];
            when(h[i].started_at, h[i].due_day, s, sizeof s);
            when(h[i].ended_at, h[i].due_day, e, sizeof e);
            char ex[16] = "";
            if (h[i].has_exit)
                snprintf(ex, sizeof ex, "%d", h[i].exit_status);
            struct strbuf sb = STRBUF_INIT;
            text_fit(&sb, jobs_state_name(h[i].state), 12);
            ui_lines_addf(&m->lines, state_style(h[i].state), "  %s  %s %2d  %-8s %-8s %4s  %s",
                          h[i].due_day, sb.buf, h[i].attempt, s, e, ex,
                          h[i].incident_ref ? h[i].incident_ref : "");
            sb_free(&sb);
        }
        job_run_rows_free(h, nh);
    } else {
        ui_error_take(err);
    }
    jobs_run_detail_clear(&d);
    if (m->lines.top >= (long)m->lines.n)
        m->lines.top = m->lines.n ? (long)m->lines.n - 1 : 0;
}

/* ---- loading ---- */
static int64_t data_version(void)
{
    return store_data_version(ui_store());
}

/* Puts a fresh list in place, keeping the selection on the same run. */
static void install_rows(struct jb_model *m, struct job_run_row *rows, size_t n,
                         struct job_schedule *sched, char *err)
{
    char id[ID_LEN + 1] = "";
    const struct job_run_row *cur = selected_run(m);
    if (cur)
        snprintf(id, sizeof id, "%s", cur->id);
    job_schedule_free(&m->sched); /* borrows the rows freed next */
    job_run_rows_free(m->rows, m->n);
    m->rows = rows;
    m->n = n;
    if (sched)
        m->sched = *sched;
    free(m->load_error);
    m->load_error = err;
    m->loaded_at = ui_monotonic_ms();
    long keep = m->table.sel;
    rebuild(m);
    if (id[0]) {
        for (size_t i = 0; i < m->nidx; i++)
            if (strcmp(m->rows[m->idx[i]].id, id) == 0) {
                keep = (long)i;
                break;
            }
        table_goto(&m->table, keep);
    }
    if (m->detail)
        build_detail(m);
    ui_dirty(UI_DIRTY_PANE);
}

/* Re-reads the day now (after this console's own writes). */
static void reload(struct jb_model *m)
{
    m->gen++; /* a background load started before this one is stale */
    char *err = NULL;
    struct job_run_row *rows = NULL;
    size_t n = 0;
    struct job_schedule sched = {0};
    struct job_duration_limits lim;
    job_duration_limits_config(&lim);
    if ((jobs_day(ui_store(), m->day, time_now_ms(), &rows, &n, &err) != 0 ||
         job_duration_live(ui_store(), rows, n, time_now_ms(), &lim, &err) != 0 ||
         (m->grid &&
          job_schedule_of(ui_store(), m->day, rows, n, time_now_ms(), &sched, &err) != 0)) &&
        !err)
        err = xstrdup(_("the day's runs could not be loaded"));
    m->data_version = data_version();
    install_rows(m, rows, n, &sched, err);
}

/* Opening, a change of day and the timer's reloads work on a connection of their own,
 * in the background: creating and reading a day of 10,000 runs takes a tenth of a
 * second, which the keyboard must not feel (nor while a runner commits run after run).
 * A load started before a newer one is dropped when it ends. */
struct bg_load {
    struct jb_model *m;
    unsigned gen;
    int ensure;
    int grid; /* compute the daily schedule too */
    struct job_schedule sched;
    const struct calendar *cal;
    char *path;
    char day[11];
    struct job_run_row *rows;
    size_t n;
    int created;
    char *err, *ensure_err;
};

static void load_work(void *arg)
{
    struct bg_load *j = arg;
    struct store *st = NULL;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    if (j->ensure &&
        (jobs_recover(st, NULL, &j->ensure_err) != 0 ||
         jobs_ensure_runs(st, j->cal, j->day, &j->created, &j->ensure_err) != 0) &&
        !j->ensure_err)
        j->ensure_err = xstrdup(_("the day's runs could not be created"));
    struct job_duration_limits lim;
    job_duration_limits_config(&lim);
    if ((jobs_day(st, j->day, time_now_ms(), &j->rows, &j->n, &j->err) != 0 ||
         job_duration_live(st, j->rows, j->n, time_now_ms(), &lim, &j->err) != 0 ||
         (j->grid &&
          job_schedule_of(st, j->day, j->rows, j->n, time_now_ms(), &j->sched, &j->err) != 0)) &&
        !j->err)
        j->err = xstrdup(_("the day's runs could not be loaded"));
    store_close(st);
}

static void load_done(void *arg)
{
    struct bg_load *j = arg;
    struct jb_model *m = j->m;
    m->loading--;
    if (j->gen == m->gen && strcmp(j->day, m->day) == 0) {
        if (j->ensure_err)
            ui_error("%s", j->ensure_err);
        if (j->created)
            ui_dirty(UI_DIRTY_COUNTS);
        install_rows(m, j->rows, j->n, &j->sched, j->err);
    } else {
        job_schedule_free(&j->sched);
        job_run_rows_free(j->rows, j->n);
        free(j->err);
    }
    free(j->ensure_err);
    free(j->path);
    free(j);
}

/* ensure: create the day's due runs first (today and later days only). */
static void reload_in_background(struct jb_model *m, int ensure)
{
    char today[11];
    ui_today(today);
    struct bg_load *j = xcalloc(1, sizeof *j);
    j->m = m;
    j->gen = ++m->gen;
    j->ensure = ensure && strcmp(m->day, today) >= 0;
    j->grid = m->grid;
    j->cal = ui_calendar();
    j->path = xstrdup(ui_store()->path);
    snprintf(j->day, sizeof j->day, "%s", m->day);
    m->data_version = data_version();
    m->loading++;
    if (ui_bg_run(load_work, load_done, j) != 0) {
        load_work(j); /* no thread: here */
        load_done(j);
    }
}

static int tick(void *data)
{
    struct jb_model *m = data;
    int64_t v = data_version();
    if (m->loading)
        return 1; /* the next tick sees what changed meanwhile */
    if (v != m->data_version || ui_monotonic_ms() - m->loaded_at >= JB_DELAY_RELOAD_MS)
        reload_in_background(m, 0);
    else if (m->detail && m->detail_running)
        ui_dirty(UI_DIRTY_PANE); /* the running time */
    return 1;
}

/* ---- pane ---- */
/* The name keeps its cells (TABLE_KEEP_TITLE); on a narrow screen the columns the
 * detail repeats are hidden whole, in their drop order: the try count, the start,
 * the exit code (the state says failed), the delay, then the end, the window, the
 * host. The state and the job code are never hidden. */
static void setup_cols(void)
{
    jb_cols[0] = (struct table_col){_("State"), 6, 16, 0, 0, 0, 0};
    jb_cols[1] = (struct table_col){_("Job"), 4, 12, 0, 0, 0, 0};
    jb_cols[2] = (struct table_col){_("Name"), 10, 0, 1, 0, TABLE_KEEP_TITLE, 0};
    jb_cols[3] = (struct table_col){_("Host"), 4, 12, 0, 0, 0, 7};
    jb_cols[4] = (struct table_col){_("Expected"), 5, 11, 0, 0, 0, 6};
    jb_cols[5] = (struct table_col){_("Started"), 5, 11, 0, 0, 0, 2};
    jb_cols[6] = (struct table_col){_("Ended"), 5, 11, 0, 0, 0, 5};
    jb_cols[7] = (struct table_col){_("Try"), 3, 3, 0, 1, 0, 1};
    jb_cols[8] = (struct table_col){_("Exit"), 4, 4, 0, 1, 0, 3};
    jb_cols[9] = (struct table_col){_("Delay / incident"), 4, 30, 0, 0, 0, 4};
}

static int jb_open(struct pane *p, char **err)
{
    (void)err;
    struct jb_model *m = xcalloc(1, sizeof *m);
    ui_today(m->day);
    const char *ex = getenv("UNYO_JOB_EXECUTOR");
    m->local = ex && strcmp(ex, "local") == 0;
    setup_cols();
    table_init(&m->table, jb_cols, JB_NCOLS, (struct table_source){jb_count, jb_fetch, m});
    ui_list_init(&m->list, &m->table, jb_sort_names, JB_SORT_COUNT, rebuild, m);
    m->list.col_sort = jb_col_sort;
    m->list.sort_labels = jb_sort_labels;
    m->list.detail = &m->lines;
    m->list.detail_open = &m->detail;
    p->data = m;
    reload_in_background(m, 1);
    m->timer = ui_headless ? -1 : ui_loop_add_timer(1000, tick, m);
    return 0;
}

static void jb_load(struct pane *p)
{
    reload_in_background(p->data, 1);
}

/* A tag at the right end of the first line. */
static void put_tag(const struct ui_canvas *c, int used, int style, const char *tag)
{
    int w = text_width(tag) + 1;
    if (used + 2 + w <= c->w)
        ui_put(c, 0, c->w - w, w, style, tag);
}

static void draw_detail(struct jb_model *m, const struct ui_canvas *c)
{
    ui_lines_draw(&m->lines, c, c->h - 1);
    if (m->detail_running && m->detail_started) {
        int64_t t0;
        if (time_parse(m->detail_started, &t0) == 0) {
            int64_t s = (time_now_ms() - t0) / 1000;
            char *run =
                xasprintf(_("running for %lld:%02lld"), (long long)(s / 60), (long long)(s % 60));
            put_tag(c, text_width(m->lines.n ? m->lines.v[0].text : ""), STYLE_STATUS_TODO, run);
            free(run);
        }
    }
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM,
           _("Esc back  j/k scroll  r start  h hold/release  c cancel  x rerun  m mark  "
             "d delivery"));
}

/* ---- the daily schedule (JP1's 日次スケジュール) ---- */
/* One row per run of the visible list (filter and sort as the list), the day's 24 hours
 * across the width: the expected bar (░, from the expected start for the job's usual
 * duration) under the actual one (█, coloured by state), a late run's mark (！) and
 * name in the late colour, a run not started past its expected start ▒ up to now, now
 * as │. The name column takes what the hours leave. */
#define GRID_NAME_MIN 14
#define GRID_MARK_W 2
#define GRID_MIN_W (GRID_NAME_MIN + 1 + GRID_MARK_W + 24)
#define GRID_MIN_H 5

static int grid_cols_per_hour(int w)
{
    return (w - GRID_NAME_MIN - 1 - GRID_MARK_W) / 24;
}

/* Keeps the selection on screen (rows visible at once). */
static void grid_scroll(struct jb_model *m, long rows)
{
    long sel = m->table.sel < 0 ? 0 : m->table.sel;
    if (rows < 1)
        rows = 1;
    if (sel < m->grid_top)
        m->grid_top = sel;
    if (sel >= m->grid_top + rows)
        m->grid_top = sel - rows + 1;
    if (m->grid_top > (long)m->nidx - rows)
        m->grid_top = (long)m->nidx - rows;
    if (m->grid_top < 0)
        m->grid_top = 0;
}

static void draw_grid(struct jb_model *m, const struct ui_canvas *c)
{
    const char *foot = _("v list  j/k move  Enter detail  [ ] day   ░ expected  █ actual  "
                         "! late  │ now");
    if (c->w < GRID_MIN_W || c->h < GRID_MIN_H) {
        char *msg = xasprintf(_("The daily schedule needs a terminal of %d×%d or more (v: "
                                "back to the list)."),
                              GRID_MIN_W, GRID_MIN_H + 1);
        ui_put(c, c->h > 1 ? 1 : 0, 0, -1, STYLE_ERROR, msg);
        free(msg);
        return;
    }
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
    if (m->load_error) {
        ui_put(c, 2, 2, -1, STYLE_ERROR, m->load_error);
        return;
    }
    if (m->sched.n != m->n || (m->n && m->sched.rows[0].run != &m->rows[0])) {
        ui_put(c, 2, 2, -1, STYLE_DIM, _("Loading…"));
        return;
    }
    int cph = grid_cols_per_hour(c->w);
    int axis = 24 * cph, nw = c->w - 1 - GRID_MARK_W - axis, x0 = nw + 1 + GRID_MARK_W;
    /* the hours header: a label where it fits after the one before */
    ui_put(c, 1, 0, nw, STYLE_HEADER, _("Job"));
    int next = 0;
    for (int h = 0; h < 24; h++) {
        char lab[4];
        snprintf(lab, sizeof lab, "%d", h);
        int x = h * cph, len = (int)strlen(lab);
        if (x >= next && x + len <= axis) {
            ui_put(c, 1, x0 + x, len, STYLE_HEADER, lab);
            next = x + len + 1;
        }
    }
    int64_t now = time_now_ms(), span = m->sched.day_end - m->sched.day_start;
    int now_col = now >= m->sched.day_start && now < m->sched.day_end
                      ? (int)((now - m->sched.day_start) * axis / span)
                      : -1;
    if (now_col >= 0 && now_col >= next - 1) /* the header's now, where no label is */
        ui_put(c, 1, x0 + now_col, 1, STYLE_OVERDUE, "▼");
    long rows = c->h - 3;
    grid_scroll(m, rows);
    const char *late_mark = ja() ? "！" : "!";
    for (long k = 0; k < rows && m->grid_top + k < (long)m->nidx; k++) {
        long vi = m->grid_top + k;
        const struct job_sched_row *g = &m->sched.rows[m->idx[vi]];
        const struct job_run_row *r = g->run;
        int y = 2 + (int)k, late = (g->flags & (JOB_SCHED_LATE_START | JOB_SCHED_LATE_END)) != 0;
        int sel = vi == m->table.sel;
        char *label = xasprintf("%s %s", r->code ? r->code : "", run_name(r));
        ui_put(c, y, 0, nw, sel ? STYLE_ROW_SELECTED : late ? STYLE_OVERDUE : STYLE_NORMAL, label);
        free(label);
        ui_put(c, y, nw, 1, sel ? STYLE_ROW_SELECTED : STYLE_NORMAL, "");
        ui_put(c, y, nw + 1, GRID_MARK_W, STYLE_OVERDUE, late ? late_mark : "");
        int running = is_state(r, "running");
        int64_t as = g->act_start, ae = g->act_end ? g->act_end : running ? now : as;
        int64_t es = g->exp_start, ee = g->exp_end ? g->exp_end : es;
        if (ae < as)
            ae = as;
        int overdue = !as && es && (g->flags & JOB_SCHED_LATE_START);
        for (int x = 0; x < axis; x++) {
            int64_t t0 = m->sched.day_start + span * x / axis;
            int64_t t1 = m->sched.day_start + span * (x + 1) / axis;
            const char *ch = x % cph == 0 ? "·" : " ";
            int style = STYLE_DIM;
            if (as && as < t1 && (ae > t0 || as >= t0)) {
                ch = "█";
                style = state_style(r->state);
                if (style == STYLE_NORMAL)
                    style = STYLE_STATUS_TODO;
            } else if (es && es < t1 && (ee > t0 || es >= t0)) {
                ch = "░";
                style = late ? STYLE_OVERDUE : STYLE_DIM;
            } else if (overdue && es < t1 && now > t0) {
                ch = "▒"; /* waiting past its expected start, up to now */
                style = STYLE_OVERDUE;
            } else if (x == now_col) {
                ch = "│";
                style = STYLE_OVERDUE;
            }
            ui_put(c, y, x0 + x, 1, style, ch);
        }
    }
    if (!m->nidx)
        ui_put(c, 3, 2, -1, STYLE_DIM, m->loading ? _("Loading…") : _("No runs on this day."));
}

static void jb_draw(struct pane *p, const struct ui_canvas *c)
{
    struct jb_model *m = p->data;
    if (m->detail) {
        draw_detail(m, c);
        return;
    }
    char today[11];
    ui_today(today);
    int run = 0, ok = 0, ng = 0, wait = 0, late = 0, unplaced = 0;
    for (size_t i = 0; i < m->n; i++) {
        const struct job_run_row *r = &m->rows[i];
        unplaced += needs_host(r);
        run += is_state(r, "running");
        ok += is_state(r, "succeeded");
        ng += is_state(r, "failed") || is_state(r, "interrupted");
        wait += is_state(r, "waiting") || is_state(r, "queued") || is_state(r, "held") ||
                is_state(r, "file_wait");
        late += r->delay != 0;
    }
    char *head = xasprintf(_("%s%s — %zu runs: %d running, %d succeeded, %d failed, %d waiting, "
                             "%d late"),
                           m->day, strcmp(m->day, today) == 0 ? _(" today") : "", m->n, run, ok, ng,
                           wait, late);
    ui_put(c, 0, 0, -1, late || ng ? STYLE_OVERDUE : STYLE_HEADER, head);
    int used = text_width(head);
    free(head);
    if (unplaced) { /* what keeps runs from ever starting: said next to the counts */
        char *more = xasprintf(_(", %d need a host (a assigns one)"), unplaced);
        ui_put(c, 0, used, -1, STYLE_OVERDUE, more);
        used += text_width(more);
        free(more);
    }
    if (m->local || m->bg) {
        char *tag = m->bg ? xasprintf(_("runner busy (%d)%s"), m->bg,
                                      m->local ? _(" · local executor") : "")
                          : xstrdup(_("local executor (test and demo)"));
        put_tag(c, used, STYLE_STATUS_TODO, tag);
        free(tag);
    }
    if (m->grid) {
        draw_grid(m, c);
        return;
    }
    if (m->load_error) {
        ui_put(c, 2, 2, -1, STYLE_ERROR, m->load_error);
        return;
    }
    struct ui_canvas t = ui_canvas_sub(c, 1, 0, c->h - 2, c->w);
    table_draw(&m->table, &t);
    char *foot =
        m->list.pattern
            ? xasprintf(_("filter /%s/: %zu of %zu — r start  R run all  h hold  c cancel  "
                          "x rerun  m mark  d delivery  [ ] day"),
                        m->list.pattern, m->nidx, m->n)
            : xstrdup(_("r start  R run all due  h hold/release  c cancel  x rerun  m mark  "
                        "d delivery  Enter detail  [ ] day  ? keys"));
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
    free(foot);
    if (!m->n && m->loading)
        ui_put(c, 3, 2, -1, STYLE_DIM, _("Loading…"));
    else if (!m->n)
        ui_put(c, 3, 2, -1, STYLE_DIM,
               strcmp(m->day, today) < 0
                   ? _("No runs on this day.")
                   : _("No jobs are due on this day (unyo jobs load installs the definitions)."));
}

/* ---- the runner in the background ---- */
struct bg_run {
    struct jb_model *m;
    char *path;
    char day[11];
    char *code; /* NULL: every due run */
    int local;
    char *central_url; /* sync configured: runs are claimed through it */
    int lease_s;
    int rc;
    char *err;
    struct job_runner_stats stats;
};

static void bg_work(void *arg)
{
    struct bg_run *j = arg;
    struct store *st = NULL;
    j->rc = -1;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    store_busy_timeout(st, 10000);
    struct job_runner_opts o = {0};
    o.day = j->day;
    o.only_job = j->code;
    o.exec = j->local ? job_exec_local : job_exec_ssh;
    o.central_url = j->central_url;
    o.lease_s = j->lease_s;
    j->rc = job_runner_run(st, &o, &j->stats, &j->err);
    store_close(st);
}

static void bg_done(void *arg)
{
    struct bg_run *j = arg;
    struct jb_model *m = j->m;
    m->bg--;
    if (j->rc != 0) {
        ui_error(_("The runner stopped: %s"), j->err ? j->err : "");
    } else if (j->stats.refused) {
        ui_error(_("%s: %d run(s) not started: the central database cannot be reached (%s); "
                   "without it only jobs with scope = local run"),
                 j->code ? j->code : j->day, j->stats.refused, j->stats.central_why);
    } else if (j->stats.not_arrived) {
        ui_error(_("%s: %d run(s) did not arrive: their file was not there by the cut-off (an "
                   "incident draft is filed for each)"),
                 j->code ? j->code : j->day, j->stats.not_arrived);
    } else if (!j->stats.started && (j->stats.file_wait || j->stats.judged_out)) {
        ui_message(_("%s: nothing started (%d waiting for their file, %d skipped by judgement)"),
                   j->code ? j->code : j->day, j->stats.file_wait, j->stats.judged_out);
    } else if (!j->stats.started && j->stats.elsewhere) {
        ui_message(_("%s: nothing started here (%d held or already run by another console)"),
                   j->code ? j->code : j->day, j->stats.elsewhere);
    } else if (!j->stats.started) {
        ui_message(_("%s: nothing started (%d waiting for a job it runs after or for its group)"),
                   j->code ? j->code : j->day, j->stats.blocked);
    } else if (j->stats.failed) {
        ui_error(_("%s: %d started, %d succeeded, %d failed (an incident draft is filed for each "
                   "failure)"),
                 j->code ? j->code : j->day, j->stats.started, j->stats.succeeded, j->stats.failed);
    } else {
        ui_message(_("%s: %d started, %d succeeded, %d retried, %d waiting"),
                   j->code ? j->code : j->day, j->stats.started, j->stats.succeeded,
                   j->stats.retried, j->stats.blocked);
    }
    reload(m);
    ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_STATUS);
    free(j->path);
    free(j->code);
    free(j->central_url);
    free(j->err);
    free(j);
}

static void start_runner(struct jb_model *m, const char *code)
{
    struct bg_run *j = xcalloc(1, sizeof *j);
    j->m = m;
    j->path = xstrdup(ui_store()->path);
    snprintf(j->day, sizeof j->day, "%s", m->day);
    j->code = code ? xstrdup(code) : NULL;
    j->local = m->local;
    const char *url = job_claims_config_url(); /* read here: config is loaded once, unlocked */
    j->central_url = url ? xstrdup(url) : NULL;
    j->lease_s = job_claims_config_lease();
    m->bg++;
    ui_message(code ? _("%s: started in the background")
                    : _("%s: running every due run in the "
                        "background"),
               code ? code : m->day);
    if (ui_bg_run(bg_work, bg_done, j) != 0) {
        bg_work(j); /* no thread: run it here */
        bg_done(j);
    }
    ui_dirty(UI_DIRTY_PANE);
}

/* ---- actions on a run ---- */
struct run_req {
    struct jb_model *m;
    char id[96]; /* CODE@YYYY-MM-DD: the core's messages name the run so */
    char code[64];
    char action[16];
};

static struct run_req *new_req(struct jb_model *m, const struct job_run_row *r, const char *action)
{
    struct run_req *q = xcalloc(1, sizeof *q);
    q->m = m;
    snprintf(q->id, sizeof q->id, "%s@%s", r->code ? r->code : "", r->due_day ? r->due_day : "");
    snprintf(q->code, sizeof q->code, "%s", r->code ? r->code : "");
    snprintf(q->action, sizeof q->action, "%s", action ? action : "");
    return q;
}

static int do_action(struct run_req *q, const char *note, char **err)
{
    if (jobs_run_action(ui_store(), q->id, q->action, note && *note ? note : NULL, err) != 0)
        return -1;
    reload(q->m);
    const char *state = q->action;
    for (size_t i = 0; i < q->m->n; i++)
        if (q->m->rows[i].code && strcmp(q->m->rows[i].code, q->code) == 0)
            state = q->m->rows[i].state;
    ui_message(_("%s: %s"), q->code, jobs_state_name(state));
    ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
    return 0;
}

static void simple_action(struct jb_model *m, const struct job_run_row *r, const char *action)
{
    struct run_req *q = new_req(m, r, action);
    char *err = NULL;
    if (do_action(q, NULL, &err) != 0)
        ui_error_take(err);
    free(q);
}

static void cancel_answer(int yes, void *data)
{
    struct run_req *q = data;
    if (yes) {
        char *err = NULL;
        if (do_action(q, NULL, &err) != 0)
            ui_error_take(err);
    }
    free(q);
}

static int submit_note(const char *text, void *data, char **err)
{
    return do_action(data, text, err);
}

static const char *const mark_actions[] = {"succeeded", "failed", "skipped"};
static struct run_req *mark_pending;

static void mark_picked(int i, void *data)
{
    (void)data;
    struct run_req *q = mark_pending;
    mark_pending = NULL;
    if (!q)
        return;
    snprintf(q->action, sizeof q->action, "%s", mark_actions[i]);
    char *title = xasprintf(_("%s: %s"), q->code, jobs_state_name(q->action));
    ui_prompt(title, _("Note"), NULL, strcmp(q->action, "succeeded") != 0, submit_note, q, free);
    free(title);
}

/* ---- rerun modes (x) and a failed run marked succeeded (m), src/job_rerun.h ---- */
struct rerun_req {
    struct jb_model *m;
    char ref[96]; /* CODE@YYYY-MM-DD */
    char code[64], day[16];
    enum job_rerun_mode mode;
    char *reason;
};

static struct rerun_req *rerun_req_new(struct jb_model *m, const struct job_run_row *r)
{
    struct rerun_req *q = xcalloc(1, sizeof *q);
    q->m = m;
    snprintf(q->ref, sizeof q->ref, "%s@%s", r->code ? r->code : "", r->due_day ? r->due_day : "");
    snprintf(q->code, sizeof q->code, "%s", r->code ? r->code : "");
    snprintf(q->day, sizeof q->day, "%s", r->due_day ? r->due_day : "");
    return q;
}

static void rerun_req_free(void *data)
{
    struct rerun_req *q = data;
    if (q)
        free(q->reason);
    free(q);
}

static void rerun_answer(int yes, void *data)
{
    struct rerun_req *q = data;
    struct job_rerun_plan done;
    char *err = NULL;
    if (!yes) {
        ui_message(_("%s: nothing was rerun."), q->ref);
    } else if (jobs_rerun(ui_store(), q->ref, q->mode, NULL, &done, &err) != 0) {
        ui_error_take(err);
    } else {
        static const char *const flags[] = {"--only", "--from-failed", "--after"};
        const char *words[] = {"jobs", "rerun", q->ref, flags[q->mode], NULL};
        cmdlog_add(words);
        char *codes = job_rerun_codes(done.rerun, done.nrerun);
        ui_message(_("%s queued again: r starts one, R every due run (the runs after them "
                     "follow)"),
                   codes);
        free(codes);
        job_rerun_plan_clear(&done);
        reload(q->m);
        ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
    }
    rerun_req_free(q);
}

static const enum job_rerun_mode rerun_modes[] = {JOB_RERUN_ONLY, JOB_RERUN_FROM_FAILED,
                                                  JOB_RERUN_AFTER};

/* A mode picked: the question names every run it puts back in the queue. */
static void rerun_picked(int i, void *data)
{
    const struct rerun_req *src = data;
    struct rerun_req *q = xcalloc(1, sizeof *q);
    *q = *src;
    q->reason = NULL;
    q->mode = rerun_modes[i];
    struct job_rerun_plan plan;
    char *err = NULL;
    if (jobs_rerun_plan(ui_store(), q->ref, q->mode, &plan, &err) != 0) {
        ui_error_take(err);
        rerun_req_free(q);
        return;
    }
    char *codes = job_rerun_codes(plan.rerun, plan.nrerun);
    char *question;
    if (plan.nfollow) {
        char *follow = job_rerun_codes(plan.follow, plan.nfollow);
        question = xasprintf(_("Rerun %s (%s)? %s, not run yet, follow once it succeeds. (y/n)"),
                             codes, q->day, follow);
        free(follow);
    } else {
        question = xasprintf(_("Rerun %s (%s)? (y/n)"), codes, q->day);
    }
    ui_confirm(question, rerun_answer, q);
    free(question);
    free(codes);
    job_rerun_plan_clear(&plan);
}

static void start_rerun(struct jb_model *m, const struct job_run_row *r)
{
    if (is_state(r, "running")) {
        ui_error(_("%s is running: a run is rerun once it has ended (c cancels it)"), r->code);
        return;
    }
    struct rerun_req *q = rerun_req_new(m, r);
    struct job_rerun_plan plan; /* a run that cannot go back at all: said before the picker */
    char *err = NULL;
    if (jobs_rerun_plan(ui_store(), q->ref, JOB_RERUN_ONLY, &plan, &err) != 0) {
        ui_error_take(err);
        rerun_req_free(q);
        return;
    }
    job_rerun_plan_clear(&plan);
    const char *items[ARRAY_LEN(rerun_modes)];
    for (size_t i = 0; i < ARRAY_LEN(rerun_modes); i++)
        items[i] = job_rerun_mode_label(rerun_modes[i]);
    char *title = xasprintf(_("Rerun %s@%s"), r->code, r->due_day);
    ui_pick_ex(title, items, (int)ARRAY_LEN(rerun_modes), rerun_picked, NULL, q, rerun_req_free);
    free(title);
}

static void mark_failed_answer(int yes, void *data)
{
    struct rerun_req *q = data;
    char *err = NULL;
    if (!yes) {
        ui_message(_("%s was not marked."), q->ref);
    } else if (jobs_run_action(ui_store(), q->ref, "succeeded", q->reason, &err) != 0) {
        ui_error_take(err);
    } else {
        const char *words[] = {"jobs", "mark", q->ref, "succeeded", "--reason", q->reason, NULL};
        cmdlog_add(words);
        ui_message(_("%s marked succeeded; its failure stays in its history"), q->ref);
        reload(q->m);
        ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
    }
    rerun_req_free(q);
}

/* The reason typed: asks, naming what may start then. */
static int submit_mark_failed(struct ui_form *f, void *data, char **err)
{
    const struct rerun_req *src = data;
    struct job_rerun_plan plan;
    if (jobs_rerun_plan(ui_store(), src->ref, JOB_RERUN_ONLY, &plan, err) != 0)
        return -1;
    struct rerun_req *q = xcalloc(1, sizeof *q);
    *q = *src;
    q->reason = ui_field_value(ui_form_field(f, 0));
    char *question;
    if (plan.nfollow) {
        char *follow = job_rerun_codes(plan.follow, plan.nfollow);
        question = xasprintf(_("Mark %s succeeded? %s may start then. (y/n)"), q->ref, follow);
        free(follow);
    } else {
        question = xasprintf(_("Mark %s succeeded? (y/n)"), q->ref);
    }
    job_rerun_plan_clear(&plan);
    ui_confirm(question, mark_failed_answer, q);
    free(question);
    return 0;
}

/* JP1's "change status": a failed run counts as succeeded, with a reason. */
static void start_mark_failed(struct jb_model *m, const struct job_run_row *r)
{
    char *title =
        xasprintf(_("Mark %s@%s (%s) succeeded"), r->code, r->due_day, jobs_state_name(r->state));
    struct ui_form *f = ui_form_new(title, submit_mark_failed, rerun_req_new(m, r));
    ui_form_set_data_free(f, rerun_req_free);
    ui_form_text(f, _("Reason"), NULL, 1);
    ui_form_show(f);
    free(title);
}

static void start_mark(struct jb_model *m, const struct job_run_row *r)
{
    if (job_mark_succeeded_applies(r->state)) {
        start_mark_failed(m, r);
        return;
    }
    free(mark_pending);
    mark_pending = new_req(m, r, NULL);
    const char *items[3];
    for (int i = 0; i < 3; i++)
        items[i] = jobs_state_name(mark_actions[i]);
    char *title = xasprintf(_("Mark %s"), r->code);
    if (r->manual) {
        ui_pick(title, items, 3, mark_picked, NULL);
    } else {
        ui_message("%s", _("A job with a command is marked by the runner; skipped is the only "
                           "mark left."));
        mark_picked(2, NULL);
    }
    free(title);
}

static int submit_delivery(struct ui_form *f, void *data, char **err)
{
    struct run_req *q = data;
    char *dept = ui_field_value(ui_form_field(f, 0));
    char *files = ui_field_value(ui_form_field(f, 1));
    char *note = ui_field_value(ui_form_field(f, 2));
    int rc = jobs_deliver(ui_store(), q->id, dept, *files ? files : NULL, *note ? note : NULL, err);
    if (rc == 0) {
        ui_message(_("Delivery of %s to %s recorded."), q->code, dept);
        reload(q->m);
    }
    free(dept), free(files), free(note);
    return rc;
}

static void start_delivery(struct jb_model *m, const struct job_run_row *r)
{
    /* the department from the job's definition fills the form in */
    char *to = NULL, *err = NULL;
    struct job_row *jobs;
    size_t njobs;
    if (jobs_list(ui_store(), &jobs, &njobs, &err) != 0) {
        ui_error_take(err);
        return;
    }
    for (size_t i = 0; i < njobs && !to; i++)
        if (strcmp(jobs[i].code, r->code) == 0 && jobs[i].deliver_to)
            to = xstrdup(jobs[i].deliver_to);
    job_rows_free(jobs, njobs);
    /* files: the first word of each "PATH (N bytes)" line */
    struct strbuf files = STRBUF_INIT;
    for (const char *p = r->files; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *sp = memchr(p, ' ', len);
        size_t w = sp ? (size_t)(sp - p) : len;
        if (w)
            sb_printf(&files, "%s%.*s", files.len ? ", " : "", (int)w, p);
        p += len + (e != NULL);
    }
    char *title = xasprintf(_("Delivery of %s@%s"), r->code, r->due_day);
    struct ui_form *f = ui_form_new(title, submit_delivery, new_req(m, r, NULL));
    ui_form_set_data_free(f, free);
    ui_form_text(f, _("Department"), to, 1);
    ui_form_text(f, _("Files"), files.buf, 0);
    ui_form_text(f, _("Note"), NULL, 0);
    ui_form_show(f);
    free(title);
    free(to);
    sb_free(&files);
}

static void start_answer(int yes, void *data)
{
    struct run_req *q = data;
    if (yes)
        start_runner(q->m, q->code);
    else
        ui_message(_("%s was not started."), q->code);
    free(q);
}

static void run_due_answer(int yes, void *data)
{
    struct jb_model *m = data;
    if (yes)
        start_runner(m, NULL);
    else
        ui_message("%s", _("Nothing was started."));
}

/* R starts every due run of the day at once: the question says how many. */
static void ask_run_due(struct jb_model *m)
{
    int due = 0, unplaced = 0;
    for (size_t i = 0; i < m->n; i++) {
        unplaced += needs_host(&m->rows[i]);
        if (!m->rows[i].manual && !needs_host(&m->rows[i]) &&
            (is_state(&m->rows[i], "waiting") || is_state(&m->rows[i], "queued") ||
             is_state(&m->rows[i], "file_wait")))
            due++;
    }
    if (!due && unplaced) {
        ui_message(_("%s: no run can start: %d need a host (a assigns one)."), m->day, unplaced);
        return;
    }
    if (!due) {
        ui_message(_("%s: no run is waiting or queued."), m->day);
        return;
    }
    char *question = xasprintf(_("Run every due run of %s now (%d waiting or queued)? Their "
                                 "commands run on the hosts at once. (y/n)"),
                               m->day, due);
    ui_confirm(question, run_due_answer, m);
    free(question);
}

static void start_run(struct jb_model *m, const struct job_run_row *r)
{
    if (r->manual) {
        ui_message(_("%s is manual work: do its procedure (Enter shows it), then m marks it."),
                   r->code);
        return;
    }
    if (needs_host(r)) {
        ui_error(_("%s needs a host: a assigns one from the inventory, then r runs it"), r->code);
        return;
    }
    if (!is_state(r, "waiting") && !is_state(r, "queued") && !is_state(r, "file_wait")) {
        ui_error(_("%s is %s: only a waiting or queued run starts (x reruns a finished one, h "
                   "releases a held one)"),
                 r->code, jobs_state_name(r->state));
        return;
    }
    char today[11];
    ui_today(today);
    if (strcmp(m->day, today) > 0) {
        ui_error(_("%s is due on %s: later days do not run yet"), r->code, m->day);
        return;
    }
    struct run_req *q = new_req(m, r, "start");
    char *question = xasprintf(_("Run %s (%s) on %s now? Its command runs on the host at once. "
                                 "(y/n)"),
                               r->code, run_name(r), r->host && *r->host ? r->host : "-");
    ui_confirm(question, start_answer, q);
    free(question);
}

/* ---- assigning a host ---- */
struct assign_req {
    struct jb_model *m;
    char code[64];
    char *name;   /* the job's name, for the question */
    char **hosts; /* the chooser's hosts, in its order */
    size_t nhosts;
    char *host; /* the one picked */
};

static void assign_req_free(void *data)
{
    struct assign_req *q = data;
    for (size_t i = 0; i < q->nhosts; i++)
        free(q->hosts[i]);
    free(q->hosts);
    free(q->name);
    free(q->host);
    free(q);
}

static void assign_answer(int yes, void *data)
{
    struct assign_req *q = data;
    if (!yes) {
        ui_message(_("%s: no host was assigned."), q->code);
    } else {
        char *err = NULL;
        if (jobs_assign(ui_store(), q->code, q->host, &err) != 0) {
            ui_error_take(err);
        } else {
            const char *words[] = {"jobs", "assign", q->code, q->host, NULL};
            cmdlog_add(words);
            reload(q->m);
            ui_message(_("%s now runs on %s: r starts its run."), q->code, q->host);
            ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
        }
    }
    assign_req_free(q);
}

static void assign_picked(int i, void *data)
{
    struct assign_req *p = data;
    if (i < 0 || (size_t)i >= p->nhosts)
        return;
    /* The chooser frees its data when it closes: the question gets its own copy. */
    struct assign_req *q = xcalloc(1, sizeof *q);
    q->m = p->m;
    snprintf(q->code, sizeof q->code, "%s", p->code);
    q->name = xstrdup(p->name);
    q->host = xstrdup(p->hosts[i]);
    char *question = xasprintf(_("Run job %s (%s) on host %s from now on? Its runs execute "
                                 "there. (y/n)"),
                               q->code, q->name, q->host);
    ui_confirm(question, assign_answer, q);
    free(question);
}

/* The inventory's hosts, those of the role the job's definition names first. */
static void start_assign_job(struct jb_model *m, const char *code, const char *name,
                             const char *role)
{
    struct host *hosts = NULL;
    size_t n = 0;
    char *err = NULL;
    if (host_list(ui_store(), &hosts, &n, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (n == 0) {
        ui_error("%s", _("The hosts inventory is empty: add a host (Hosts pane, a) first."));
        host_list_free(hosts, n);
        return;
    }
    struct assign_req *q = xcalloc(1, sizeof *q);
    q->m = m;
    snprintf(q->code, sizeof q->code, "%s", code ? code : "");
    q->name = xstrdup(name ? name : "");
    q->hosts = xcalloc(n, sizeof *q->hosts);
    const char **items = xcalloc(n, sizeof *items);
    char **labels = xcalloc(n, sizeof *labels);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            int same = role && hosts[i].role && strcmp(role, hosts[i].role) == 0;
            if (same != (pass == 0))
                continue;
            labels[q->nhosts] =
                xasprintf("%s  %s%s%s", hosts[i].name, label_host_role(hosts[i].role),
                          hosts[i].address ? "  " : "", hosts[i].address ? hosts[i].address : "");
            items[q->nhosts] = labels[q->nhosts];
            q->hosts[q->nhosts++] = xstrdup(hosts[i].name);
        }
    char *title = role ? xasprintf(_("Host for %s (role %s)"), q->code, label_host_role(role))
                       : xasprintf(_("Host for %s"), q->code);
    ui_pick_ex(title, items, (int)q->nhosts, assign_picked, NULL, q, assign_req_free);
    free(title);
    for (size_t i = 0; i < q->nhosts; i++)
        free(labels[i]);
    free(labels);
    free(items);
    host_list_free(hosts, n);
}

/* a: the job of the selected run. */
static void start_assign(struct jb_model *m, const struct job_run_row *r)
{
    if (r->manual) {
        ui_message(_("%s is manual work: it needs no host."), r->code);
        return;
    }
    start_assign_job(m, r->code, run_name(r), r->host_role);
}

/* A: every job that needs a host, whatever day it falls due on (a yearly job's run is
 * not on today's list), then the host chooser of the one picked. */
struct unplaced_list {
    struct jb_model *m;
    struct job_row *jobs; /* only those that need a host */
    size_t n;
    int by_role; /* how many have their role's only host: the first item places them */
};

static void by_role_answer(int yes, void *data)
{
    struct jb_model *m = data;
    if (!yes) {
        ui_message("%s", _("No host was assigned."));
        return;
    }
    int placed = 0;
    char *err = NULL;
    if (jobs_place_by_role(ui_store(), 0, &placed, &err) != 0) {
        ui_error_take(err);
        return;
    }
    const char *words[] = {"jobs", "assign", "--by-role", NULL};
    cmdlog_add(words);
    reload(m);
    ui_message(_("%d job(s) placed on the only host of their role."), placed);
    ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
}

static void unplaced_free(void *data)
{
    struct unplaced_list *u = data;
    job_rows_free(u->jobs, u->n);
    free(u);
}

static void unplaced_picked(int i, void *data)
{
    struct unplaced_list *u = data;
    if (u->by_role && i == 0) {
        char *q = xasprintf(_("Assign %d job(s) to the only host of their role (AP, DB, ...)? "
                              "Their runs execute there. (y/n)"),
                            u->by_role);
        ui_confirm(q, by_role_answer, u->m);
        free(q);
        return;
    }
    if (u->by_role)
        i--;
    if (i < 0 || (size_t)i >= u->n)
        return;
    const struct job_row *j = &u->jobs[i];
    start_assign_job(u->m, j->code, ja() ? j->name_ja : j->name_en, j->host_role);
}

static void start_assign_any(struct jb_model *m)
{
    struct job_row *jobs;
    size_t n;
    char *err = NULL;
    if (jobs_list(ui_store(), &jobs, &n, &err) != 0) {
        ui_error_take(err);
        return;
    }
    struct unplaced_list *u = xcalloc(1, sizeof *u);
    u->m = m;
    u->jobs = xcalloc(n + 1, sizeof *u->jobs);
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].needs_host)
            u->jobs[u->n++] = jobs[i];
        else { /* one row's fields: job_rows_free frees the array it is given */
            struct job_row *one = xmalloc(sizeof *one);
            *one = jobs[i];
            job_rows_free(one, 1);
        }
    }
    free(jobs);
    if (!u->n) {
        ui_message("%s", _("No job needs a host: every job with a command has one."));
        unplaced_free(u);
        return;
    }
    if (jobs_place_by_role(ui_store(), 1, &u->by_role, &err) != 0) {
        ui_error_take(err);
        unplaced_free(u);
        return;
    }
    size_t k = u->by_role ? 1 : 0, nl = u->n + k;
    char **labels = xcalloc(nl, sizeof *labels);
    if (k)
        labels[0] = xasprintf(_("→ %d of them to the only host of their role"), u->by_role);
    for (size_t i = 0; i < u->n; i++) {
        const struct job_row *j = &u->jobs[i];
        char *period = jobs_period_label(j->periods, j->weekday, j->monthday, j->months);
        labels[i + k] =
            xasprintf("%s  %s  %s%s%s", j->code, ja() ? j->name_ja : j->name_en, period,
                      j->host_role ? "  " : "", j->host_role ? label_host_role(j->host_role) : "");
        free(period);
    }
    char *title = xasprintf(_("Jobs that need a host (%zu): Enter picks the host"), u->n);
    ui_pick_ex(title, (const char *const *)labels, (int)nl, unplaced_picked, NULL, u,
               unplaced_free);
    free(title);
    for (size_t i = 0; i < nl; i++)
        free(labels[i]);
    free(labels);
}

static void change_day(struct jb_model *m, int delta)
{
    struct civil_date d;
    if (civil_parse(m->day, &d) != 0)
        return;
    d = civil_add_days(d, delta);
    snprintf(m->day, sizeof m->day, "%04d-%02d-%02d", d.y, d.m, d.d);
    m->detail = 0;
    install_rows(m, NULL, 0, NULL, NULL); /* nothing of the other day while this one loads */
    table_goto(&m->table, 0);
    reload_in_background(m, 1);
}

static void open_detail(struct jb_model *m, const struct job_run_row *r)
{
    snprintf(m->detail_id, sizeof m->detail_id, "%s", r->id);
    m->detail = 1;
    m->lines.top = 0;
    build_detail(m);
}

/* The run actions work on the run shown in the detail view, else the selected row. */
static const struct job_run_row *target_run(struct jb_model *m)
{
    if (m->detail) {
        for (size_t i = 0; i < m->n; i++)
            if (strcmp(m->rows[i].id, m->detail_id) == 0)
                return &m->rows[i];
        return NULL;
    }
    return selected_run(m);
}

static int jb_action(struct pane *p, const char *a)
{
    struct jb_model *m = p->data;
    if (ui_list_is_shared(a) || strncmp(a, "goto ", 5) == 0)
        return ui_list_action(&m->list, a, p->h > 4 ? p->h - 2 : 1);
    if (strcmp(a, "jobs.prev-day") == 0) {
        change_day(m, -1);
        return 1;
    }
    if (strcmp(a, "jobs.next-day") == 0) {
        change_day(m, 1);
        return 1;
    }
    if (strcmp(a, "jobs.schedule") == 0) {
        m->grid = !m->grid;
        m->detail = 0;
        m->grid_top = 0;
        if (m->grid)
            reload_in_background(m, 0); /* the usual durations, computed only for the view */
        ui_dirty(UI_DIRTY_PANE);
        return 1;
    }
    if (strcmp(a, "jobs.assign-any") == 0) {
        start_assign_any(m);
        return 1;
    }
    if (strcmp(a, "jobs.run-due") == 0) {
        char today[11];
        ui_today(today);
        if (strcmp(m->day, today) > 0)
            ui_error(_("%s is a later day: its runs do not start yet"), m->day);
        else
            ask_run_due(m);
        return 1;
    }
    if (strncmp(a, "jobs.", 5) == 0 || strcmp(a, "open") == 0) {
        const struct job_run_row *r = target_run(m);
        if (!r) {
            ui_message("%s", _("No run selected."));
            return 1;
        }
        if (strcmp(a, "open") == 0) {
            if (!m->detail)
                open_detail(m, r);
        } else if (strcmp(a, "jobs.start") == 0) {
            start_run(m, r);
        } else if (strcmp(a, "jobs.hold") == 0) {
            simple_action(m, r, is_state(r, "held") ? "release" : "hold");
        } else if (strcmp(a, "jobs.cancel") == 0) {
            char *q = is_state(r, "running")
                          ? xasprintf(_("Cancel %s@%s? It is running: its command on the host is "
                                        "stopped. (y/n)"),
                                      r->code, r->due_day)
                          : xasprintf(_("Cancel %s@%s (%s)? (y/n)"), r->code, r->due_day,
                                      jobs_state_name(r->state));
            ui_confirm(q, cancel_answer, new_req(m, r, "cancel"));
            free(q);
        } else if (strcmp(a, "jobs.rerun") == 0) {
            start_rerun(m, r);
        } else if (strcmp(a, "jobs.mark") == 0) {
            start_mark(m, r);
        } else if (strcmp(a, "jobs.deliver") == 0) {
            start_delivery(m, r);
        } else if (strcmp(a, "jobs.assign") == 0) {
            start_assign(m, r);
        } else {
            return 0;
        }
        return 1;
    }
    return 0;
}

static int jb_key(struct pane *p, int key)
{
    struct jb_model *m = p->data;
    return ui_lines_close(&m->detail, &m->lines, key);
}

static void jb_mouse(struct pane *p, int y, int x, int button)
{
    struct jb_model *m = p->data;
    if (m->grid && !m->detail) { /* rows from the pane's third line; the wheel moves by 3 */
        long to = button == 4             ? m->table.sel - 3
                  : button == 5           ? m->table.sel + 3
                  : button == 1 && y >= 2 ? m->grid_top + y - 2
                                          : -1;
        if (to >= (long)m->nidx)
            to = (long)m->nidx - 1;
        if (button == 4 && to < 0)
            to = 0;
        if (to >= 0) {
            table_goto(&m->table, to);
            ui_dirty(UI_DIRTY_PANE);
        }
        (void)x;
        return;
    }
    ui_list_mouse_event(&m->list, y, x, button);
}

static int jb_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                     char **err)
{
    (void)err;
    struct jb_model *m = p->data;
    return ui_list_filter(&m->list, re, pattern);
}

static int jb_sort(struct pane *p, const char *column, char **err)
{
    struct jb_model *m = p->data;
    return ui_list_sort(&m->list, column, err);
}

static void jb_free(struct pane *p)
{
    struct jb_model *m = p->data;
    if (m->timer >= 0)
        ui_loop_remove_timer(m->timer);
    table_free(&m->table);
    job_schedule_free(&m->sched);
    job_run_rows_free(m->rows, m->n);
    ui_list_free(&m->list);
    free(m->idx);
    free(m->load_error);
    ui_lines_free(&m->lines);
    free(m->detail_started);
    free(m);
    free(mark_pending);
    mark_pending = NULL;
}

static const struct ui_binding jb_bindings[] = {
    {"jobs.start", "r", N_("start the selected run now, in the background (asks first)")},
    {"jobs.run-due", "R", N_("run every due run of the day, in the background (asks first)")},
    {"jobs.hold", "h", N_("hold the run / release a held run")},
    {"jobs.cancel", "c", N_("cancel the run (asks first)")},
    {"jobs.rerun", "x",
     N_("rerun: this run only, from this failed run on, or the runs after it (asks first)")},
    {"jobs.mark", "m",
     N_("mark a manual job succeeded, failed or skipped; a failed run succeeded, with a reason")},
    {"jobs.deliver", "d", N_("record a delivery of the run's lists to a department")},
    {"jobs.assign", "a", N_("assign a host to the job (one that needs a host; asks first)")},
    {"jobs.assign-any", "A", N_("list every job that needs a host, any day, and assign one")},
    {"jobs.prev-day", "[", N_("previous day")},
    {"jobs.next-day", "]", N_("next day")},
    {"jobs.schedule", "v",
     N_("switch view: the list / the daily schedule (expected and actual bars on the day's "
        "hours)")},
    {NULL, NULL, NULL},
};

const struct pane_ops jobs_pane = {
    .name = "jobs",
    .title = N_("Jobs"),
    .bindings = jb_bindings,
    .open = jb_open,
    .load = jb_load,
    .reload_on_show = 1,
    .watches_store = 1,
    .list = 1,
    .draw = jb_draw,
    .action = jb_action,
    .key = jb_key,
    .mouse = jb_mouse,
    .filter = jb_filter,
    .sort = jb_sort,
    .free = jb_free,
};
