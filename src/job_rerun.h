/* JP1's rerun modes over the day's job net, and a failed run marked succeeded by a
 * person (issue 16, "JP1-grade control").
 *
 * The net is the jobs' dependencies (`after` in the definitions of data/jobs, table job_deps): the
 * runs "after" a run are the same day's runs of every job that runs after its job, directly or
 * through others (B after A, C after B: C is after A). A rerun puts runs back in the
 * queue (queued; a manual job's run waiting), each with a "rerun" event and a "job.rerun"
 * audit row by the acting operator, all in one transaction:
 *
 *   only         this run alone (what `unyo jobs rerun RUN` always did, the default);
 *   from-failed  this run, which did not succeed, and every run after it that has ended;
 *   after        the runs after this one that have ended, not itself (it succeeded).
 *
 * A run after it that has not run yet (waiting, queued, held) is left as it is: it starts
 * once what it runs after has succeeded, as always. Refused, writing nothing: a running
 * run (or a run after it running), --from-failed on a run that succeeded or has not run,
 * --after on a run that did not succeed or has no runs after it that ended.
 *
 * Marking a failed (or interrupted) run succeeded is JP1's "change status": the run counts
 * as succeeded from then on, so the runs after it may start; its failure stays in its
 * history (the "failed" event, its exit status and output), and a "marked_succeeded"
 * event and a "job.mark_succeeded" audit row say who did it and why. The reason is
 * required. It is `jobs_run_action(st, ref, "succeeded", reason, err)` on such a run. */
#ifndef UNYO_JOB_RERUN_H
#define UNYO_JOB_RERUN_H

#include <stddef.h>

#include "id.h"

struct store;

enum job_rerun_mode { JOB_RERUN_ONLY = 0, JOB_RERUN_FROM_FAILED = 1, JOB_RERUN_AFTER = 2 };

/* "only", "from-failed", "after" (also "from_failed"). 0, or -1 when unknown. */
int job_rerun_mode_parse(const char *text, enum job_rerun_mode *mode);
/* What the mode does, as a person reads it (translated). */
const char *job_rerun_mode_label(enum job_rerun_mode mode);

struct job_rerun_run {
    char id[ID_LEN + 1];
    char *ref;   /* CODE@YYYY-MM-DD */
    char *code;  /* CODE */
    char *state; /* its state before */
    int manual;
};
struct job_rerun_plan {
    struct job_rerun_run *rerun; /* queued again, the net's order */
    size_t nrerun;
    struct job_rerun_run *follow; /* after it and not run yet: they start after it */
    size_t nfollow;
};
void job_rerun_plan_clear(struct job_rerun_plan *p);
/* "B, C, E": the codes of v, for a question or a message (malloc'd). */
char *job_rerun_codes(const struct job_rerun_run *v, size_t n);

/* What jobs_rerun would do, writing nothing (the console's question names it). Refuses as
 * jobs_rerun does. */
int jobs_rerun_plan(struct store *st, const char *ref, enum job_rerun_mode mode,
                    struct job_rerun_plan *plan, char **err);
/* Does it, in one transaction; done (may be NULL) gets what was queued again and what
 * follows. note (may be NULL) is kept with every rerun event. */
int jobs_rerun(struct store *st, const char *ref, enum job_rerun_mode mode, const char *note,
               struct job_rerun_plan *done, char **err);

/* job_mark_succeeded_applies and job_mark_succeeded_tx (declared in jobs.h, which
 * jobs_run_action calls) are defined in job_rerun.c. */

#endif
