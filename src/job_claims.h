/* Claims of job runs through the central database, so that consoles synced to one
 * central database (and timers running `unyo jobs run --due` on any of them) execute
 * each run exactly once.
 *
 * A claim is a row of unyo.job_claims keyed by (run id, attempt): run ids are the same
 * on every console (src/jobs.c run_id_for). Claiming happens in one central transaction
 * under an advisory lock on the run, so two runners never both read "free" and both
 * write. The holder renews the claim's lease while the command runs; a holder that stops
 * renewing (killed, cut off) loses the run: the next runner to find the lease expired
 * marks that attempt interrupted and, when the job's retries allow, runs the next
 * attempt under a new key. When a run ends its row records the end state, so a console
 * whose store has not pulled the result yet does not run it again.
 *
 * Configuration (config.ini): [sync] url turns central claims on; [jobs] lease is the
 * lease length in seconds (default JOB_CLAIM_LEASE_S, at least JOB_CLAIM_LEASE_MIN_S). */
#ifndef UNYO_JOB_CLAIMS_H
#define UNYO_JOB_CLAIMS_H

#define JOB_CLAIM_LEASE_S 60
#define JOB_CLAIM_LEASE_MIN_S 3

struct job_claims;

/* The central url from config ([sync] url, NULL when sync is not configured) and the
 * lease length ([jobs] lease, clamped to the minimum). */
const char *job_claims_config_url(void);
int job_claims_config_lease(void);

/* Connects and makes sure unyo.job_claims exists. holder identifies this runner
 * ("ORIGIN/PID"), holder_name says in words which console it is. -1 with *err saying
 * why the central database cannot be used (for the operator). */
int job_claims_open(const char *url, int lease_s, const char *holder, const char *holder_name,
                    struct job_claims **out, char **err);
void job_claims_close(struct job_claims *c);

struct job_claim_outcome {
    int got;         /* 1: this runner holds (run, attempt) and runs it */
    int attempt;     /* the attempt held (may be above the store's, after an expiry) */
    int interrupted; /* >0: that attempt's lease had expired; now marked interrupted */
    int held;        /* not got: another runner's lease is live */
    char *holder;    /* not got, or interrupted: who held it (words, malloc'd) */
    char *state;     /* not got: the claim's state ("running", "succeeded" ...) (malloc'd) */
    int left_s;      /* held: seconds until the lease ends unless renewed */
    /* Not got because a slot is busy on some console (src/job_queue.h): "group" or
     * "host", the runs holding it (CODE@DAY, comma separated, malloc'd) and how many. */
    const char *busy;
    char *busy_by;
    int busy_running;
};

/* The run's slot, counted against the live claims of every console: its concurrency
 * group (NULL none), its host and that host's limit (0 none), and CODE@DAY for the
 * reasons other consoles show. */
struct job_claim_slot {
    const char *group, *host, *ref;
    int host_limit;
};
void job_claim_outcome_free(struct job_claim_outcome *o);

/* Claims run_id whose store attempt is attempt and whose job allows retries. 0 with
 * *out filled, -1 with *err when the central database failed (the claim is not held). */
int job_claims_take(struct job_claims *c, const char *run_id, int attempt, int retries,
                    struct job_claim_outcome *out, char **err);
/* The same, first checking the run's slot (slot may be NULL): when its group has a live
 * running claim of another run, or its host as many as its limit, nothing is claimed and
 * out->busy says which (under advisory locks on the group and the host, so two consoles
 * never both take the last slot). */
int job_claims_take_slot(struct job_claims *c, const char *run_id, int attempt, int retries,
                         const struct job_claim_slot *slot, struct job_claim_outcome *out,
                         char **err);
/* Extends the lease: 1 renewed, 0 the claim is not ours any more, -1 error (*err). */
int job_claims_renew(struct job_claims *c, const char *run_id, int attempt, char **err);
/* Seconds between renewals (a quarter of the lease). */
int job_claims_renew_every_ms(const struct job_claims *c);
int job_claims_lease_ms(const struct job_claims *c);
/* Lets a claim go that the store could not take (nothing ran). */
void job_claims_release(struct job_claims *c, const char *run_id, int attempt);
/* Records the end state of a held claim. */
int job_claims_finish(struct job_claims *c, const char *run_id, int attempt, const char *state,
                      char **err);

#endif
