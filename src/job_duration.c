#include "job_duration.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "i18n.h"
#include "jobs.h"
#include "labels.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* 1 / Φ⁻¹(3/4): the MAD times this estimates σ of a normal distribution. */
#define MAD_TO_SIGMA 1.4826

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorted in place); an even count: the mean of the middle two,
 * rounded down (durations are whole milliseconds). */
static int64_t median_sorting(int64_t *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_i64);
    return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/* Why the MAD and not the interquartile range: with 5 to 20 durations the quartiles
 * rest on one or two interpolated points each, and a quarter of odd days (the night
 * the DB was slow) already widens the IQR; the MAD ignores up to half of them (its
 * breakdown point is 50 %, the IQR's 25 %), so the band stays what the job usually
 * does, and it is one sort more, no interpolation rule to pick. */
void job_duration_stats_of(const int64_t *ms, size_t n, struct job_duration_stats *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (!n)
        return;
    int64_t *v = xmalloc(n * sizeof *v);
    memcpy(v, ms, n * sizeof *v);
    out->median_ms = median_sorting(v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = ms[i] > out->median_ms ? ms[i] - out->median_ms : out->median_ms - ms[i];
    out->mad_ms = median_sorting(v, n);
    free(v);
}

int64_t job_duration_band(const struct job_duration_stats *s, const struct job_duration_limits *l)
{
    int64_t band = (int64_t)llround(l->spread * MAD_TO_SIGMA * (double)s->mad_ms);
    return band > l->min_diff_ms ? band : l->min_diff_ms;
}

int job_duration_judge(const struct job_duration_stats *s, int64_t took_ms,
                       const struct job_duration_limits *l)
{
    if (s->n < JOB_DURATION_MIN_RUNS)
        return JOB_DURATION_USUAL;
    int64_t band = job_duration_band(s, l);
    if (took_ms > s->median_ms + band)
        return JOB_DURATION_SLOW;
    if (took_ms < s->median_ms - band)
        return JOB_DURATION_FAST;
    return JOB_DURATION_USUAL;
}

void job_duration_limits_config(struct job_duration_limits *l)
{
    l->spread = JOB_DURATION_SPREAD_DEFAULT;
    l->min_diff_ms = JOB_DURATION_MIN_DIFF_S_DEFAULT * 1000;
    const char *v = config_value("jobs", "duration_spread");
    char *end;
    if (v && *v) {
        double x = strtod(v, &end);
        if (!*end && x >= 0.5 && x <= 100)
            l->spread = x;
    }
    v = config_value("jobs", "duration_min_diff");
    if (v && *v) {
        long x = strtol(v, &end, 10);
        if (!*end && x >= 0 && x <= 86400)
            l->min_diff_ms = (int64_t)x * 1000;
    }
}

static int took_ms(const char *started, const char *ended, int64_t *out)
{
    int64_t a, b;
    if (!started || !ended || time_parse(started, &a) != 0 || time_parse(ended, &b) != 0 || b < a)
        return -1;
    *out = b - a;
    return 0;
}

int job_duration_history(struct store *st, const char *run_id, struct job_duration_stats *out,
                         char **err)
{
    memset(out, 0, sizeof *out);
    /* By the job's own runs (job_runs_job_day, newest first, stopping at 20): the unary +
     * keeps SQLite off job_runs_state, which would walk every job's succeeded runs. A run
     * a person marked succeeded failed: its duration says nothing of the job's usual one. */
    sqlite3_stmt *s =
        store_stmt(st, "SELECT r.started_at, r.ended_at FROM job_runs me JOIN job_runs r "
                       "ON r.job_id = me.job_id AND r.due_day < me.due_day WHERE me.id = ?1 "
                       "AND +r.state = 'succeeded' AND r.deleted = 0 AND r.started_at IS NOT NULL "
                       "AND r.ended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_run_events e "
                       "WHERE e.run_id = r.id AND e.kind = 'marked_succeeded') "
                       "ORDER BY r.due_day DESC LIMIT ?2");
    bind_text(s, 1, run_id);
    bind_int(s, 2, JOB_DURATION_WINDOW);
    int64_t v[JOB_DURATION_WINDOW];
    size_t n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1)
        if (n < JOB_DURATION_WINDOW && took_ms(col_text(s, 0), col_text(s, 1), &v[n]) == 0)
            n++;
    sqlite3_reset(s);
    if (step < 0)
        return -1;
    job_duration_stats_of(v, n, out);
    return 0;
}

int job_duration_record(struct store *st, const char *run_id, const struct job_duration_limits *l,
                        int *verdict, char **err)
{
    if (verdict)
        *verdict = JOB_DURATION_USUAL;
    sqlite3_stmt *s = store_stmt(st, "SELECT r.state, r.started_at, r.ended_at, j.code, "
                                     "r.due_day FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                                     "WHERE r.id = ?1");
    bind_text(s, 1, run_id);
    int got = store_one_row(s, err);
    if (got <= 0) {
        sqlite3_reset(s);
        return got; /* 0: no such run, nothing to judge */
    }
    int64_t took = 0;
    int judged =
        streq(col_text(s, 0), "succeeded") && took_ms(col_text(s, 1), col_text(s, 2), &took) == 0;
    char *what = xasprintf("%s@%s", col_text(s, 3), col_text(s, 4));
    sqlite3_reset(s);
    struct job_duration_stats stats = {0};
    if (judged && job_duration_history(st, run_id, &stats, err) != 0) {
        free(what);
        return -1;
    }
    int v = judged ? job_duration_judge(&stats, took, l) : JOB_DURATION_USUAL;
    const char *flag = v == JOB_DURATION_SLOW ? "slow" : v == JOB_DURATION_FAST ? "fast" : NULL;
    sqlite3_stmt *u = store_stmt(st, "UPDATE job_runs SET duration_flag = ?2, usual_ms = ?3 "
                                     "WHERE id = ?1 AND (duration_flag IS NOT ?2 OR "
                                     "usual_ms IS NOT ?3)");
    bind_text(u, 1, run_id);
    bind_text(u, 2, flag);
    if (flag)
        bind_int(u, 3, stats.median_ms);
    else
        sqlite3_bind_null(u, 3);
    int rc =
        sqlite3_step(u) == SQLITE_DONE ? 0 : store_fail(st, err, _("recording the run's result"));
    int changed = rc == 0 && sqlite3_changes(st->db) == 1;
    sqlite3_reset(u);
    if (changed && flag) { /* once: judging the same end again writes and audits nothing */
        /* Machine-readable, as other audit details: the figures it was judged on. */
        char *detail = xasprintf("%s %s took_ms=%lld median_ms=%lld mad_ms=%lld runs=%zu", what,
                                 flag, (long long)took, (long long)stats.median_ms,
                                 (long long)stats.mad_ms, stats.n);
        rc = store_audit(st, "job.duration", "job_runs", run_id, detail, err);
        free(detail);
    }
    free(what);
    if (rc == 0 && verdict)
        *verdict = v;
    return rc;
}

int job_duration_live(struct store *st, struct job_run_row *rows, size_t n, int64_t now,
                      const struct job_duration_limits *l, char **err)
{
    for (size_t i = 0; i < n; i++) {
        struct job_run_row *r = &rows[i];
        int64_t started;
        if (r->state && streq(r->state, "running")) { /* a verdict of an earlier attempt */
            free(r->duration_flag);
            r->duration_flag = NULL;
        }
        if (!r->state || !streq(r->state, "running") || r->ended_at || !r->started_at ||
            time_parse(r->started_at, &started) != 0 || now <= started)
            continue;
        struct job_duration_stats stats;
        if (job_duration_history(st, r->id, &stats, err) != 0)
            return -1;
        if (job_duration_judge(&stats, now - started, l) != JOB_DURATION_SLOW)
            continue;
        free(r->duration_flag);
        r->duration_flag = xstrdup("slow");
        r->usual_ms = stats.median_ms;
    }
    return 0;
}

char *job_duration_text(const struct job_run_row *r, int64_t now)
{
    if (!r->duration_flag || !r->state ||
        (!streq(r->state, "succeeded") && !streq(r->state, "running")))
        return NULL;
    int64_t a, b = now;
    if (!r->started_at || time_parse(r->started_at, &a) != 0 ||
        (r->ended_at && time_parse(r->ended_at, &b) != 0))
        return NULL;
    char usual[48], took[48];
    label_duration((r->usual_ms + 500) / 1000, usual, sizeof usual);
    label_duration((b - a + 500) / 1000, took, sizeof took);
    if (streq(r->duration_flag, "fast"))
        return xasprintf(_("too fast: usual %s → this time %s"), usual, took);
    return xasprintf(_("slow: usual %s → this time %s"), usual, took);
}
