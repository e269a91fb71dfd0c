/* Batch job definitions and the day's queue (ジョブ管理; seed 002 items 67-96, seed 000
 * ジョブ管理 / バックアップ管理 / ログ管理).
 *
 * Definitions live in data/jobs/ (INI files), one section per job (format in data/jobs/README.md)
 * and are installed into the jobs table by code (`unyo jobs load`). A job falls due by its
 * period on the service calendar (src/due.h); each due day gets one job_runs row, created
 * idempotently. A run's life:
 *
 *   waiting -> running -> succeeded | failed      (queued: put back by a retry or a rerun)
 *   waiting|queued -> held -> queued;  any not final -> cancelled;  manual jobs are marked
 *   by a person (succeeded / failed / skipped);  running whose runner died -> interrupted.
 *
 * Every change of state is a job_run_events row in the same transaction. */
#ifndef UNYO_JOBS_H
#define UNYO_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"
#include "ledger.h"

struct store;
struct calendar;
struct wf_table;

/* A runner's claim on a run older than the job's timeout + this is stale
 * (the runner died): the run can be claimed again. */
#define JOB_CLAIM_GRACE_S 300

struct job_def {
    char *code, *template_code, *name_ja, *name_en, *period_text;
    unsigned periods; /* enum period_bits */
    int weekday;      /* -1 unset */
    int monthday;     /* 0 unset, 32 last */
    unsigned months;  /* 0 default */
    char *host;       /* hosts.name, NULL for manual work without a host */
    char *role;       /* hosts.role it runs on (canonical: AP, DB, backup, ...), or NULL */
    char *command;    /* NULL: manual, see steps */
    char **steps;     /* manual procedure */
    size_t nsteps;
    char **outputs; /* files the job leaves on the host */
    size_t noutputs;
    char *deliver_to; /* who receives the lists */
    int timeout_s, retries;
    char *group;  /* concurrency group, NULL none */
    char **after; /* codes this job runs after */
    size_t nafter;
    char *expected_start, *expected_end; /* "HH:MM" JST, NULL */
    int enabled;
    int local_scope; /* scope = local: claimed in this store only, never centrally */
    int closed_day;  /* enum due_closed: a due date on a closed day moves after/before, or skips */
    int closed_line; /* the line of closed_day, 0 when not given */
    /* Start conditions (src/job_conditions.h): the file waited for, how long its size must
     * stay the same (seconds), the cut-off (HH:MM JST); the judgement ("J1 exit == 0"). */
    char *wait_file, *wait_until, *when;
    int wait_stable_s, wait_stable_given, when_line;
    char *file; /* where it was defined */
    int line;
};

struct job_defs {
    struct job_def *v;
    size_t n;
};

/* Parses one file and appends its jobs (a code already in *out is an error). All or
 * nothing; errors "FILE:LINE: what, expected what". */
int jobs_parse_file(const char *path, struct job_defs *out, char **err);
/* Every *.ini of dir in name order (NULL: DATADIR/jobs). */
int jobs_parse_dir(const char *dir, struct job_defs *out, char **err);
void jobs_defs_free(struct job_defs *d);

/* ---- start conditions of a definition (defined in src/job_conditions.c) ---- */

/* One of the keys wait_file, wait_stable, wait_until, when of a job definition: 1 taken
 * into d, 0 not one of them, -1 a bad value (*msg, translated, malloc'd, says what was
 * expected; the caller adds FILE:LINE). */
int job_conditions_def_key(struct job_def *d, const char *name, const char *value, int line,
                           char **msg);
/* After a definition's keys: what does not fit together (wait_stable or wait_until
 * without wait_file, a condition on the job itself). 0, or -1 with *msg (translated). */
int job_conditions_def_check(const struct job_def *d, char **msg);
/* Inside the caller's transaction (jobs_install_ex): the conditions of job id (code d)
 * stored, checking that `when` names a known job ("FILE:LINE: ..."). */
int job_conditions_install(struct store *st, const char *job_id, const struct job_def *d,
                           char **err);

/* Where loading put each job (jobs_install_ex). A job is placed on a host by, in order:
 *  1. its `host`, when the inventory has a host of that name (the file decides);
 *  2. the host it has already (assigned by a person, or by an earlier load): loading
 *     again never moves a job the site has placed;
 *  3. its `role`, when the inventory has exactly one host of that role. A definition
 *     stays one job (one code, one run a day, the `after` chains and the checklist item
 *     it belongs to): a nightly backup "on the DB server" is one backup, so with two DB
 *     hosts unyo does not guess (nor run it twice) and a person picks;
 * else a job with a command "needs a host" (host_id NULL, 対象ホスト未割当): loaded, shown,
 * never run until `jobs_assign`. Manual work needs no host. */
struct jobs_install_result {
    int installed;  /* definitions installed or updated */
    int by_role;    /* placed by their role */
    int unassigned; /* jobs with a command left without a host */
    /* One line per job left without a host: "FILE:LINE: CODE needs a host: why" (translated). */
    char **notes;
    size_t nnotes;
};
void jobs_install_result_clear(struct jobs_install_result *r);

/* Installs the definitions (upsert by code, audited) in one transaction, after checking
 * that every `after` names a known job and there is no dependency cycle (the message
 * names it: "L079 -> L080 -> L079"); hosts as above. res may be NULL. */
int jobs_install_ex(struct store *st, const struct job_defs *defs, struct jobs_install_result *res,
                    char **err);
/* The same; *installed (may be NULL) is the number of definitions installed. */
int jobs_install(struct store *st, const struct job_defs *defs, int *installed, char **err);

/* Puts a job on a host of the inventory (a job that needs one, or moving it), audited
 * ("job.assign"). From then on its runs run there. */
int jobs_assign(struct store *st, const char *code, const char *host, char **err);
/* Places every job that needs a host and names a role on the inventory's only host of
 * that role (as loading does), each audited as jobs_assign. dry_run: only counts.
 * *placed (may be NULL) is how many were (or would be) placed. */
int jobs_place_by_role(struct store *st, int dry_run, int *placed, char **err);
/* The number of jobs with a command and no host (-1 with *err on a read error). */
int jobs_count_unassigned(struct store *st, char **err);

/* Period text: "daily", "weekly", ..., "manual", "stocktaking" or the Japanese 日次...
 * Returns 0 and the bits, or -1. */
int jobs_parse_period(const char *text, unsigned *bits);

/* ---- the day's queue ---- */

extern const char *const job_run_states[]; /* NULL-terminated */
/* Translated name of a run state (or event kind). */
const char *jobs_state_name(const char *state);
/* Translated name of an action of jobs_run_action (or "deliver"). */
const char *jobs_action_name(const char *action);
/* What a person may do to a run, as data (src/workflow.h); jobs_run_action and
 * jobs_deliver ("deliver") ask it before they write. */
extern const struct wf_table job_run_workflow;

/* Creates the runs of every enabled job due on day ("YYYY-MM-DD", JST) that has none yet.
 * Idempotent. *created may be NULL. */
int jobs_ensure_runs(struct store *st, const struct calendar *cal, const char *day, int *created,
                     char **err);
/* Creates (if missing) a run of one job for day, whatever its period (as-needed work and
 * stock-taking). out_id may be NULL. */
int jobs_add_run(struct store *st, const char *code, const char *day, char out_id[ID_LEN + 1],
                 char **err);
/* Marks running runs whose runner is gone (a dead pid of this console, or a claim older
 * than the job's timeout plus a grace period) as interrupted. */
int jobs_recover(struct store *st, int *recovered, char **err);

enum job_delay { JOB_ON_TIME = 0, JOB_LATE_START = 1, JOB_LATE_END = 2 };

struct job_run_row {
    char id[ID_LEN + 1];
    char *code, *name_ja, *name_en, *host, *group, *due_day, *state, *claimed_by;
    char *started_at, *ended_at, *expected_start, *expected_end, *incident_ref, *files;
    int attempt, has_exit, exit_status, manual, output_truncated;
    int needs_host;      /* a command and no host: the runner skips it until one is assigned */
    char *host_role;     /* the role the definition names (AP, DB, ...), or NULL */
    unsigned delay;      /* enum job_delay bits at `now` */
    char *nominal_day;   /* the closed due date this run was moved from (振替), or NULL */
    char *duration_flag; /* "slow" / "fast" against its job's history (src/job_duration.h) */
    long long usual_ms;  /* the median it was compared with, when duration_flag */
    /* Queued because a slot was busy (src/job_queue.h): since when it waits (ISO), what
     * is busy ("group" / "host"), its name, which run holds it (CODE@DAY), and for a host
     * how many of how many run. All NULL / 0 unless state is queued for that reason. */
    char *queued_since, *queue_kind, *queue_name, *queue_by;
    int queue_running, queue_limit;
};
/* SQL: q, the run r's last event when it is a "queued" one and the run still waits for a
 * slot of its group or host (src/job_queue.h; its data: since, kind, name, by, running,
 * limit). */
#define JOB_QUEUE_EVENT_JOIN                                                                       \
    "LEFT JOIN job_run_events q ON r.state = 'queued' AND q.id = (SELECT e.id FROM "               \
    "job_run_events e WHERE e.run_id = r.id ORDER BY e.hlc DESC, e.id DESC LIMIT 1) "              \
    "AND q.kind = 'queued' AND json_valid(q.data) "

/* The runs of day (ordered by expected start, code) with their delay at now (UTC ms). */
int jobs_day(struct store *st, const char *day, int64_t now, struct job_run_row **out, size_t *n,
             char **err);
/* Runs of one job, newest first (limit 0: 60). */
int jobs_history(struct store *st, const char *code, int limit, struct job_run_row **out, size_t *n,
                 char **err);
void job_run_rows_free(struct job_run_row *rows, size_t n);

/* Who ran a run, as a person reads it (issue 13): the display name of login
 * (the operator of its "running" event; NULL: 自動実行, the scheduler) and the
 * console by claimed_by ("ORIGIN/PID"): この端末 or 別の端末, never the UUID/pid.
 * malloc'd. */
char *jobs_runner_text(struct store *st, const char *claimed_by, const char *login);
/* A run's files ("PATH (N bytes)" lines, as stored) in the UI's language. malloc'd. */
char *jobs_files_text(const char *files);

/* A run named by id, or CODE@YYYY-MM-DD, or CODE (today's run, JST). */
int jobs_resolve_run(struct store *st, const char *ref, char id[ID_LEN + 1], char **err);

/* hold, release, cancel, rerun; and for manual jobs: succeeded, failed, skipped; and
 * succeeded on a failed or interrupted run of any job, with note as the required reason
 * (job_mark_succeeded_tx). */
int jobs_run_action(struct store *st, const char *ref, const char *action, const char *note,
                    char **err);
/* What jobs_run_action_ex did: the run's state before and after (cancel: cancelled;
 * rerun: queued, a manual job's waiting) and, for a run cancelled while running,
 * what its event says of the command on the host (translated; owned, or NULL). */
struct jobs_action_result {
    char from[24], to[24];
    char *stopping;
};
/* jobs_run_action, saying what happened in *res (filled when 0 is returned). */
int jobs_run_action_ex(struct store *st, const char *ref, const char *action, const char *note,
                       struct jobs_action_result *res, char **err);
void jobs_action_result_free(struct jobs_action_result *res);
/* Marking a failed run succeeded (src/job_rerun.h; defined in job_rerun.c, so that
 * module depends on this one and not the other way round). 1 when a run in state is one
 * a person may mark succeeded: failed or interrupted. */
int job_mark_succeeded_applies(const char *state);
/* Inside the caller's transaction (jobs_run_action, "succeeded" on such a run): the run id
 * (in state from; ref names it) becomes succeeded by the acting operator, with reason
 * (required): a "marked_succeeded" event and a "job.mark_succeeded" audit row. */
int job_mark_succeeded_tx(struct store *st, const char *id, const char *ref, const char *from,
                          const char *reason, char **err);
/* Records that a run's lists were handed to a department (job_deliveries). */
int jobs_deliver(struct store *st, const char *ref, const char *dept, const char *files,
                 const char *note, char **err);

struct job_row {
    char *code, *name_ja, *name_en, *host, *group, *after, *command, *procedure, *outputs;
    char *deliver_to, *expected_start, *expected_end;
    char *host_role; /* the role the definition names, or NULL */
    unsigned periods;
    int weekday, monthday, timeout_s, retries, enabled;
    int needs_host; /* a command and no host (対象ホスト未割当) */
    unsigned months;
    char *closed_day; /* as defined: "after" | "before" | "skip", or NULL (see below) */
    /* The job's latest run due today or before (JST; every field NULL when it has none):
     * code, due_day, nominal_day (振替), state, started_at, ended_at, duration_flag and
     * usual_ms are set, so job_substitute_text and job_duration_text read it. */
    struct job_run_row last;
};
int jobs_list(struct store *st, struct job_row **out, size_t *n, char **err);
void job_rows_free(struct job_row *rows, size_t n);
/* What a closed due date does to the job: its closed_day, else "after" (weekly and
 * longer) or "skip" (a daily job does not run on closed days); NULL for a job with no
 * due date (as needed, stock-taking). */
const char *jobs_closed_day_rule(const struct job_row *r);
/* The rule as a person reads it (translated), NULL for NULL. */
const char *jobs_closed_day_label(const char *rule);
/* "daily", "weekly (Mon)", "monthly (5th)", ... (translated; malloc'd). */
char *jobs_period_label(unsigned periods, int weekday, int monthday, unsigned months);

struct job_run_detail {
    struct job_run_row run;
    char *output, *command, *procedure;
    struct ledger_event *events;
    size_t nevents;
};
int jobs_run_get(struct store *st, const char *ref, struct job_run_detail *out, char **err);
void jobs_run_detail_clear(struct job_run_detail *d);

/* Inside the caller's transaction: an incident draft for a failed run (status 'draft',
 * category software, title from the job, description with the host and the output's
 * tail), linked to the run. */
int job_escalate(struct store *st, const char *run_id, const char *note, char **err);

#endif
