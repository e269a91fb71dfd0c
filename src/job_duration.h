/* Odd durations (issue 16, "late and odd durations"): a run much slower or much faster
 * than its own job's history. The history is the job's last JOB_DURATION_WINDOW
 * succeeded runs before the run's day (one per day, newest first); with fewer than
 * JOB_DURATION_MIN_RUNS nothing is judged.
 *
 * Statistic: the median and the median absolute deviation (MAD) of those durations.
 * A run is slow when it took longer than median + band, fast ("速すぎる") when shorter
 * than median - band, where
 *
 *   band = max(spread * 1.4826 * MAD, min_diff)
 *
 * 1.4826 * MAD estimates the standard deviation of normally spread durations, so the
 * default spread 3 reads "three sigmas". min_diff keeps a job that always takes 2 s
 * from being flagged for taking 5 s (and a job whose history is identical, MAD 0,
 * from being flagged for every millisecond). Both come from config.ini:
 *
 *   [jobs]
 *   duration_spread = 3     ; how many scaled MADs away is odd (default 3, 0.5 to 100)
 *   duration_min_diff = 60  ; seconds: a smaller difference from the median is never odd
 *                           ; (default 60, 0 to 86400)
 *
 * A succeeded run is judged once, when it ends (job_duration_record, called by the
 * runner in the transaction that records the result): the verdict and the median are
 * kept in job_runs.duration_flag / usual_ms and an odd one is audited ("job.duration").
 * A running run is judged on display (job_duration_live), slow only: it is not over. */
#ifndef UNYO_JOB_DURATION_H
#define UNYO_JOB_DURATION_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct job_run_row;

#define JOB_DURATION_WINDOW 20
#define JOB_DURATION_MIN_RUNS 5
#define JOB_DURATION_SPREAD_DEFAULT 3.0
#define JOB_DURATION_MIN_DIFF_S_DEFAULT 60

enum job_duration_verdict { JOB_DURATION_FAST = -1, JOB_DURATION_USUAL = 0, JOB_DURATION_SLOW = 1 };

struct job_duration_stats {
    size_t n;          /* durations it was computed from */
    int64_t median_ms; /* an even count: the mean of the two middle ones, rounded down */
    int64_t mad_ms;    /* the median of |duration - median|, the same way */
};

struct job_duration_limits {
    double spread;       /* scaled MADs */
    int64_t min_diff_ms; /* the band's floor */
};

/* Median and MAD of n durations (ms); n may be 0 (all zero). */
void job_duration_stats_of(const int64_t *ms, size_t n, struct job_duration_stats *out);
/* How far from the median a duration may be before it is odd (ms). */
int64_t job_duration_band(const struct job_duration_stats *s, const struct job_duration_limits *l);
/* The verdict for a run that took took_ms; JOB_DURATION_USUAL with fewer than
 * JOB_DURATION_MIN_RUNS durations. */
int job_duration_judge(const struct job_duration_stats *s, int64_t took_ms,
                       const struct job_duration_limits *l);
/* The limits from config.ini [jobs] (defaults above when unset or malformed). */
void job_duration_limits_config(struct job_duration_limits *l);

/* The history of the run's job before the run's day (succeeded runs with a start and
 * an end, newest JOB_DURATION_WINDOW). */
int job_duration_history(struct store *st, const char *run_id, struct job_duration_stats *out,
                         char **err);
/* Inside the caller's transaction, for a run that has just ended: judges a succeeded
 * run against its history, writes duration_flag / usual_ms (cleared when usual, or when
 * the run did not succeed) and audits an odd one. *verdict may be NULL. */
int job_duration_record(struct store *st, const char *run_id, const struct job_duration_limits *l,
                        int *verdict, char **err);
/* For each running row (started, not ended): duration_flag "slow" and usual_ms when it
 * has already run longer than its history allows at now (UTC ms). */
int job_duration_live(struct store *st, struct job_run_row *rows, size_t n, int64_t now,
                      const struct job_duration_limits *l, char **err);
/* "slow: usual 2 min → this time 9 min" / "too fast: ..." for a flagged row (translated,
 * malloc'd), NULL for none. A running row's "this time" is so far, at now. */
char *job_duration_text(const struct job_run_row *r, int64_t now);

#endif
