/* Substitute days (振替, issue 16) as a person reads them. The rule itself is in
 * src/due.h (enum due_closed, due_moved_from); a job definition's `closed_day` picks
 * it, and jobs_ensure_runs keeps the closed date a run was moved from in
 * job_runs.nominal_day. */
#ifndef UNYO_JOB_SUBSTITUTE_H
#define UNYO_JOB_SUBSTITUTE_H

struct job_run_row;

/* "moved (closed day): 12/29 → 12/28" (translated; Japanese 振替: 12/29 → 12/28) for a
 * run moved from a closed day, NULL for any other. malloc'd. */
char *job_substitute_text(const struct job_run_row *r);

#endif
