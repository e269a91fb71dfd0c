#include "job_schedule_view.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "i18n.h"
#include "job_duration.h"
#include "jobs.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* "HH:MM" (00:00 to 24:00) as minutes, -1 otherwise. */
static int hhmm_minutes(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m))
        return -1;
    return h * 60 + m;
}

static int64_t at_day(const char *day, const char *hhmm)
{
    struct civil_date d;
    int min = hhmm_minutes(hhmm);
    if (min < 0 || !day || civil_parse(day, &d) != 0)
        return 0;
    return jst_to_utc(d.y, d.m, d.d, min) * 1000;
}

static int64_t iso_ms(const char *iso)
{
    int64_t ms;
    return iso && time_parse(iso, &ms) == 0 ? ms : 0;
}

struct usual {
    const char *id; /* a run of the day */
    int64_t v[JOB_DURATION_WINDOW];
    size_t n;
};

static int cmp_usual(const void *a, const void *b)
{
    return strcmp(((const struct usual *)a)->id, ((const struct usual *)b)->id);
}

/* The usual duration of every job with a run on day, in one query: for each of the day's
 * runs (job_runs_due) its job's newest JOB_DURATION_WINDOW succeeded runs before the day
 * (the correlated LIMIT walks job_runs_job_day backwards and stops), the same history as
 * job_duration_history's. u is sorted by run id. */
static int load_usual(struct store *st, const char *day, struct usual *u, size_t n, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT me.id, r.started_at, r.ended_at FROM job_runs me JOIN job_runs r "
                       "ON r.id IN (SELECT x.id FROM job_runs x WHERE x.job_id = me.job_id "
                       "AND x.due_day < me.due_day AND +x.state = 'succeeded' AND x.deleted = 0 "
                       "AND x.started_at IS NOT NULL AND x.ended_at IS NOT NULL AND NOT EXISTS "
                       "(SELECT 1 FROM job_run_events e WHERE e.run_id = x.id AND "
                       "e.kind = 'marked_succeeded') ORDER BY x.due_day DESC LIMIT ?2) "
                       "WHERE me.due_day = ?1 AND me.deleted = 0");
    bind_text(s, 1, day);
    bind_int(s, 2, JOB_DURATION_WINDOW);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        struct usual key = {.id = col_text(s, 0)};
        struct usual *h = n ? bsearch(&key, u, n, sizeof *u, cmp_usual) : NULL;
        int64_t a = iso_ms(col_text(s, 1)), b = iso_ms(col_text(s, 2));
        if (h && h->n < JOB_DURATION_WINDOW && a && b >= a)
            h->v[h->n++] = b - a;
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

static int pending(const char *state)
{
    return streq(state, "waiting") || streq(state, "queued") || streq(state, "held");
}

int job_schedule_of(struct store *st, const char *day, const struct job_run_row *runs, size_t n,
                    int64_t now, struct job_schedule *out, char **err)
{
    memset(out, 0, sizeof *out);
    struct civil_date d;
    if (!day || strlen(day) != 10 || civil_parse(day, &d) != 0) {
        set_err(err, _("\"%s\" is not a day: use YYYY-MM-DD"), day ? day : "");
        return -1;
    }
    snprintf(out->day, sizeof out->day, "%s", day);
    out->day_start = jst_to_utc(d.y, d.m, d.d, 0) * 1000;
    out->day_end = out->day_start + 24 * 3600 * 1000LL;
    struct usual *u = n ? xcalloc(n, sizeof *u) : NULL;
    for (size_t i = 0; i < n; i++)
        u[i].id = runs[i].id;
    if (n)
        qsort(u, n, sizeof *u, cmp_usual);
    if (n && load_usual(st, day, u, n, err) != 0) {
        free(u);
        return -1;
    }
    struct job_duration_limits lim;
    job_duration_limits_config(&lim);
    out->rows = n ? xcalloc(n, sizeof *out->rows) : NULL;
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        const struct job_run_row *r = &runs[i];
        struct job_sched_row *row = &out->rows[i];
        row->run = r;
        const char *rday = r->due_day ? r->due_day : day;
        struct usual key = {.id = r->id};
        struct usual *h = n ? bsearch(&key, u, n, sizeof *u, cmp_usual) : NULL;
        struct job_duration_stats stats = {0};
        if (h && h->n >= JOB_DURATION_MIN_RUNS)
            job_duration_stats_of(h->v, h->n, &stats);
        row->usual_ms = stats.n ? stats.median_ms : 0;
        row->exp_start = at_day(rday, r->expected_start);
        row->exp_end = row->exp_start && stats.n ? row->exp_start + stats.median_ms : 0;
        row->due_end = at_day(rday, r->expected_end);
        if (row->due_end && row->exp_start && row->due_end < row->exp_start)
            row->due_end += 24 * 3600 * 1000LL; /* 22:00 .. 02:00: ends the next morning */
        row->act_start = iso_ms(r->started_at);
        row->act_end = iso_ms(r->ended_at);
        int wait = pending(r->state), running = streq(r->state, "running");
        if (row->exp_start &&
            ((wait && now > row->exp_start) || (!wait && row->act_start > row->exp_start)))
            row->flags |= JOB_SCHED_LATE_START;
        if (row->due_end && (((wait || running) && now > row->due_end) ||
                             (!wait && !running && row->act_end > row->due_end)))
            row->flags |= JOB_SCHED_LATE_END;
        const char *df = r->duration_flag;
        if (running && stats.n && row->act_start && now > row->act_start)
            df = job_duration_judge(&stats, now - row->act_start, &lim) == JOB_DURATION_SLOW
                     ? "slow"
                     : NULL; /* a running run: judged now, slow only */
        else if (running)
            df = NULL;
        if (df && streq(df, "slow"))
            row->flags |= JOB_SCHED_SLOW;
        else if (df && streq(df, "fast"))
            row->flags |= JOB_SCHED_FAST;
        if (r->nominal_day && *r->nominal_day)
            row->flags |= JOB_SCHED_MOVED;
    }
    free(u);
    return 0;
}

int job_schedule_day(struct store *st, const char *day, int64_t now, struct job_schedule *out,
                     char **err)
{
    struct job_run_row *runs = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    if (jobs_day(st, day, now, &runs, &n, err) != 0)
        return -1;
    if (job_schedule_of(st, day, runs, n, now, out, err) != 0) {
        job_run_rows_free(runs, n);
        return -1;
    }
    out->runs = runs;
    out->nruns = n;
    return 0;
}

void job_schedule_free(struct job_schedule *s)
{
    job_run_rows_free(s->runs, s->nruns);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

char *job_sched_flags_text(unsigned flags, int machine)
{
    static const struct {
        unsigned bit;
        const char *key, *text;
    } names[] = {
        {JOB_SCHED_LATE_START, "late_start", N_("late start")},
        {JOB_SCHED_LATE_END, "late_end", N_("late end")},
        {JOB_SCHED_SLOW, "slow", N_("slow")},
        {JOB_SCHED_FAST, "fast", N_("too fast")},
        {JOB_SCHED_MOVED, "moved", N_("moved from a closed day")},
    };
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].bit)
            sb_printf(&sb, "%s%s", sb.len ? (machine ? " " : ", ") : "",
                      machine ? names[i].key : _(names[i].text));
    return sb.len ? sb_detach(&sb) : (sb_free(&sb), NULL);
}
