/* The job queue (JP1's 実行待ち, Rundeck's "queued" executions): a run that is due but
 * cannot start because its concurrency group or its host is busy is not skipped. It gets
 * state "queued" (待機中) with the reason, in a "queued" event of the run (data: what is
 * busy and by which run, and since when it waits), and it is taken before the runs that
 * have not waited, first come first served (the time it began to wait, then its expected
 * start, then its code). The runner that ends a run reloads the queue at once, so the
 * next queued run starts in that same process when a slot frees.
 *
 * Limits: a concurrency group runs one run at a time (JOB_GROUP_LIMIT); a host runs at
 * most `[jobs] host_limit` runs at once (0 or unset: no limit), overridden per host by
 * `[jobs] host_limit.NAME`. Both count the runs the store shows running, on any day, which
 * includes those of other consoles pulled by sync. */
#ifndef UNYO_JOB_QUEUE_H
#define UNYO_JOB_QUEUE_H

struct job_run_row;

#define JOB_GROUP_LIMIT 1

/* What keeps a due run from starting. */
enum job_slot { JOB_SLOT_FREE = 0, JOB_SLOT_GROUP = 1, JOB_SLOT_HOST = 2 };

/* group_running: other runs of its group running now (0 when it has no group);
 * host_running: other runs on its host running now; host_limit: 0 no limit. The group
 * is named first when both are full. */
enum job_slot job_slot_decide(int group_running, int host_running, int host_limit);

/* A host's limit: per_host (`host_limit.NAME`) when set, else dflt (`host_limit`), else 0.
 * Anything but a whole number 0..1000 counts as unset. */
int job_host_limit_parse(const char *dflt, const char *per_host);
/* The same, read from config.ini [jobs]. */
int job_host_limit(const char *host);

/* Queue order of two due runs: queued_since (ISO time the run began to wait, NULL when
 * it has not waited) first and earliest first, then expected_start ("HH:MM", NULL last),
 * then code. <0, 0, >0 as strcmp. */
struct job_queue_key {
    const char *queued_since, *expected_start, *code;
};
int job_queue_cmp(const struct job_queue_key *a, const struct job_queue_key *b);

/* Why a queued run waits, as a person reads it (translated, malloc'd), or NULL when it
 * does not wait for a slot: "group G is busy: CODE@DAY is running" / "host H is busy
 * (N of N running: CODE@DAY)". */
char *job_queue_reason_text(const struct job_run_row *r);
/* "queued since HH:MM: <reason>" (translated, malloc'd; the time in JST), or NULL. */
char *job_queue_text(const struct job_run_row *r);

#endif
