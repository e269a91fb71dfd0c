/* The daily schedule (issue 16, JP1's 日次スケジュール): for a service day (JST), each
 * run with its expected and actual bars on the day's 24-hour axis.
 *
 *   expected start  the job's expected_start (HH:MM JST on the run's day), else unknown
 *   expected end    expected start + the job's usual duration: the median of its last
 *                   JOB_DURATION_WINDOW succeeded runs before the day (src/job_duration.h;
 *                   fewer than JOB_DURATION_MIN_RUNS, or no expected start: unknown)
 *   actual          started_at .. ended_at (a running run: up to now)
 *   flags           late start (not started by expected_start), late end (not ended by
 *                   the job's expected_end), slow / too fast (job_runs.duration_flag, or
 *                   judged live for a running run), moved from a closed day (nominal_day)
 *
 * Two queries for the whole day, whatever its size: the day's runs (jobs_day, by the
 * job_runs_due index) and the usual durations of the jobs that have a run that day
 * (each job's newest succeeded runs by the job_runs_job_day index). Reads only. */
#ifndef UNYO_JOB_SCHEDULE_VIEW_H
#define UNYO_JOB_SCHEDULE_VIEW_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct job_run_row;

enum job_sched_flag {
    JOB_SCHED_LATE_START = 1, /* not started by its expected start */
    JOB_SCHED_LATE_END = 2,   /* not ended by its expected end */
    JOB_SCHED_SLOW = 4,       /* far slower than its job's usual duration */
    JOB_SCHED_FAST = 8,       /* far faster */
    JOB_SCHED_MOVED = 16,     /* moved from a closed day (振替): nominal_day */
};

struct job_sched_row {
    const struct job_run_row *run; /* the run (state, code, names, nominal_day, ...) */
    int64_t exp_start, exp_end;    /* UTC ms; 0 unknown */
    int64_t due_end;               /* the job's expected_end ("not ended by"); 0 none */
    int64_t usual_ms;              /* the job's usual duration; 0 unknown */
    int64_t act_start, act_end;    /* UTC ms; 0 not started / not ended */
    unsigned flags;                /* enum job_sched_flag */
};

struct job_schedule {
    char day[11];
    int64_t day_start, day_end; /* 00:00 JST of the day and of the next, UTC ms */
    struct job_run_row *runs;   /* owned when the schedule loaded them */
    size_t nruns;
    struct job_sched_row *rows; /* in jobs_day's order: expected start, code */
    size_t n;
};

/* The day's schedule at now (UTC ms): loads the runs and computes the rows. */
int job_schedule_day(struct store *st, const char *day, int64_t now, struct job_schedule *out,
                     char **err);
/* The same for runs already loaded by jobs_day (borrowed: they must outlive out). */
int job_schedule_of(struct store *st, const char *day, const struct job_run_row *runs, size_t n,
                    int64_t now, struct job_schedule *out, char **err);
void job_schedule_free(struct job_schedule *s);

/* "late_start late_end slow moved" (machine) or the translated, comma-separated list;
 * NULL for none. malloc'd. */
char *job_sched_flags_text(unsigned flags, int machine);

#endif
