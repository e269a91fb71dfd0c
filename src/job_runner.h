/* The job runner: for cron or a systemd timer (`unyo jobs run --due`), or one job from
 * the console. It claims a run atomically (UPDATE ... WHERE state IN ('waiting','queued')
 * inside BEGIN IMMEDIATE, claimed_by = "ORIGIN/PID"), so two runners — two consoles, or a
 * console and a timer — never execute the same run twice. A run starts only when every
 * job it runs after has succeeded that day and nothing else of its concurrency group is
 * running. The command runs on the job's host through an executor (SSH by default) with
 * the job's timeout; a failure is retried up to the job's retries, then escalates: an
 * incident draft linked to the run. */
#ifndef UNYO_JOB_RUNNER_H
#define UNYO_JOB_RUNNER_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct calendar;
struct host;

#define JOB_OUTPUT_CAP (1024 * 1024) /* bytes of output kept per run */
#define JOB_STOP_GRACE_S 5           /* a stopped command gets SIGKILL this long after SIGTERM */

struct job_exec_result {
    int exit_status; /* -1 unknown; 128+N for signal N (local) */
    char *output;    /* stdout then stderr, NUL-terminated */
    size_t output_len;
    int truncated;
    int timed_out;
    int cancelled; /* stopped because on_output asked (the run was cancelled meanwhile) */
    /* When the command was stopped (timeout or cancel): what became of it, translated
     * ("the command on the host was stopped: ...", "could not stop ...: why"), else NULL. */
    char *stop_note;
    char *error; /* could not run at all (connection, host key, ...), else NULL */
};
void job_exec_result_free(struct job_exec_result *r);

/* Runs command on host within timeout_s, keeping at most cap bytes of output. Returns 0
 * when the command ran (whatever its exit status), -1 with r->error when it could not. */
typedef int (*job_executor)(void *ud, const struct host *host, const char *command, int timeout_s,
                            size_t cap, struct job_exec_result *r);

/* Told of the output while the command runs, for a live view: stream 1 (stdout) or 2
 * (stderr) with every byte read (also beyond the cap), and a tick (stream 0, buf NULL,
 * n 0) at least once a second, so the caller can act on its own clock. Must not block
 * long: the command's output waits meanwhile. Returns nonzero to have the command stopped
 * (its run was cancelled): the executor then ends it and everything it started (SIGTERM
 * to its process group, SIGKILL after JOB_STOP_GRACE_S), sets cancelled and stop_note,
 * and returns the output so far. A timeout stops the command the same way. */
typedef int (*job_output_fn)(int stream, const char *buf, size_t n, void *ud);
/* An executor that streams: as job_executor, telling on_output (may be NULL) meanwhile. */
typedef int (*job_executor_ex)(void *ud, const struct host *host, const char *command,
                               int timeout_s, size_t cap, job_output_fn on_output, void *out_ud,
                               struct job_exec_result *r);

/* The default: over SSH (src/ssh_conn.h ssh_run) with the host record's reach; unknown host
 * keys are refused (batch work). ud: NULL, or a struct ssh_conn_opts with config_path /
 * known_hosts to use. */
int job_exec_ssh(void *ud, const struct host *host, const char *command, int timeout_s, size_t cap,
                 struct job_exec_result *r);
/* The TEST AND DEMO executor: runs `sh -c command` on this machine, ignoring the host.
 * Used by the unit tests and by `unyo jobs run --local`; never the default. */
int job_exec_local(void *ud, const struct host *host, const char *command, int timeout_s,
                   size_t cap, struct job_exec_result *r);
/* The same two, streaming (job_exec_ssh is job_exec_ssh_ex without on_output, ...). */
int job_exec_ssh_ex(void *ud, const struct host *host, const char *command, int timeout_s,
                    size_t cap, job_output_fn on_output, void *out_ud, struct job_exec_result *r);
int job_exec_local_ex(void *ud, const struct host *host, const char *command, int timeout_s,
                      size_t cap, job_output_fn on_output, void *out_ud, struct job_exec_result *r);

struct job_runner_opts {
    const char *day;      /* "YYYY-MM-DD" JST; NULL today */
    const char *only_job; /* a job code, or NULL for every due run */
    int due;              /* create the day's due runs first (needs cal) */
    const struct calendar *cal;
    job_executor exec; /* NULL: job_exec_ssh */
    void *exec_ud;
    /* Streams the output (preferred over exec; NULL: the streaming form of exec when it is
     * job_exec_ssh or job_exec_local, else exec without a live view). While a command
     * runs, the runner stores its output so far in job_runs.output at most once a second
     * (capped and marked like the final output), each time in a short transaction of its
     * own on st, so a console's Jobs pane shows it live. Meanwhile it reads the run's state
     * every JOB_STATE_CHECK_MS: once the run is cancelled (by this console, `unyo jobs
     * cancel` or another process sharing the store) or marked interrupted, the command is
     * stopped on its host, the run keeps its state and output, and a "stopped" event says
     * what became of the command. */
    job_executor_ex exec_ex;
    size_t output_cap; /* 0: JOB_OUTPUT_CAP */
    /* Told of each run as it starts and ends (may be NULL), of each due run not started
     * because its job needs a host (state "unassigned", the reason as the note), and of
     * each run that waits for a slot of its group or host (state "queued", the reason). */
    void (*report)(void *ud, const char *code, const char *state, const char *note);
    void *report_ud;
    /* With sync configured: the central database's url (job_claims_config_url). Each run
     * is then also claimed there (src/job_claims.h), holding a lease of lease_s seconds
     * (0: JOB_CLAIM_LEASE_S) renewed while its command runs, so consoles synced to one
     * central database run it once. When the central database cannot be reached, only
     * jobs with scope = local run; the others are reported ("refused") with the reason.
     * NULL: claims in the store only. */
    const char *central_url;
    int lease_s;
};

#define JOB_STATE_CHECK_MS 250

struct job_runner_stats {
    int recovered, created, started, succeeded, failed, retried, blocked;
    int unassigned; /* due runs of jobs that need a host: not started (reported as "unassigned") */
    int refused;    /* not started: the central database cannot be reached (reported "refused") */
    int elsewhere;  /* not started: held or already run by another console (reported so) */
    int queued;     /* waited in the queue for a slot of their group or host (reported
                     * "queued" with the reason, once per run); they are not skipped */
    char central_why[400]; /* refused: why the central database cannot be used */
    /* Start conditions (src/job_conditions.h): runs still waiting for their file after
     * this pass, ended "did not arrive" at the cut-off, or skipped by judgement. */
    int file_wait, not_arrived, judged_out;
};

/* Runs until nothing more can start. The acting operator must be registered (failed runs
 * become incident drafts in their name). */
int job_runner_run(struct store *st, const struct job_runner_opts *o,
                   struct job_runner_stats *stats, char **err);

/* ---- start conditions (defined in src/job_conditions.c, see job_conditions.h) ---- */

/* The runs load_candidates may start: the file found, the judgement made (SQL over
 * job_runs r JOIN jobs j). */
#define JOB_CONDITIONS_READY_SQL                                                                   \
    "(j.wait_file IS NULL OR r.wait_found IS NOT NULL) "                                           \
    "AND (j.run_when IS NULL OR r.judged_at IS NOT NULL)"
/* The states of an `after` job's run that let the runs after it start. */
#define JOB_CONDITIONS_DEP_DONE_SQL "('succeeded', 'judged_out')"

/* Before the runner looks for a run to start: the day's runs with conditions moved on.
 * Files are looked for on each host only when check_files (the runner's first round of
 * a pass: once per `jobs run`); judgements are made whenever they can be. exec: how a
 * command runs on a host that is not local. Reports "file_wait", "file_arrived",
 * "not_arrived" and "judged_out" through o->report. */
int job_conditions_round(struct store *st, const struct job_runner_opts *o, const char *day,
                         job_executor exec, int check_files, struct job_runner_stats *stats,
                         char **err);

/* Inside the caller's transaction: one job_run_events row by the acting operator. */
int job_event(struct store *st, const char *run_id, const char *kind, const char *note,
              const char *data, char **err);

#endif
