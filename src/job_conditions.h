/* Start conditions of a job (issue 16, JP1-grade control), apart from the queue itself:
 *
 *  - waiting for a file (JP1's file monitoring with its close check): `wait_file` (a path
 *    or a glob with * and ?) on the job's host, started once the file found keeps one size
 *    for `wait_stable` seconds; by `wait_until` (HH:MM JST on the run's day) without such
 *    a file the run ends "did not arrive" (未着, state not_arrived) with an incident draft.
 *    A run waiting has state file_wait (ファイル待ち); the file last seen (path, size,
 *    since when) is on the run (job_runs.wait_path, wait_size, wait_since) and the one
 *    that started it too (wait_found: when).
 *  - judgement (JP1's 判定ジョブ): `when = CODE exit OP N` (OP ==, !=, >=, <=, >, <) on the
 *    exit status of that job's run the same day, or `when = file PATH exists` /
 *    `when = file PATH missing` on the job's host. Judged once the runs it comes after
 *    have ended (and CODE's run has ended): true, the run starts as any other
 *    (job_runs.judged_at); false, it ends judged_out (判定で実行せず), and so does every
 *    waiting run of that day all of whose `after` jobs were judged out. A run after a
 *    judged-out run and others runs once the others succeeded: the net goes on.
 *
 * The decisions (parsing, the close check, the judgement) are pure functions, tested
 * alone; job_conditions_round applies them to the day's runs, called by the runner
 * (src/job_runner.c) before each search for a run to start. */
#ifndef UNYO_JOB_CONDITIONS_H
#define UNYO_JOB_CONDITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "job_runner.h"

struct store;
struct job_def;
struct job_runner_opts;
struct job_runner_stats;

/* ---- definitions (data/jobs, the INI files) ---- */

/* job_conditions_def_key, _def_check and _install, the loader's part, are declared in
 * jobs.h (so that module does not depend on this one). */

/* Seconds of "30", "30s", "2m", "1h" (0 .. 86400), or -1. */
int job_conditions_parse_seconds(const char *v);
/* A file to wait for: an absolute path, no control character, at most 1024 bytes; * and
 * ? match as in the shell, nothing else is special. 0 or -1. */
int job_conditions_path_valid(const char *path);

enum job_when_kind { JOB_WHEN_EXIT = 1, JOB_WHEN_FILE_EXISTS, JOB_WHEN_FILE_MISSING };
enum job_when_op { JOB_OP_EQ, JOB_OP_NE, JOB_OP_GE, JOB_OP_LE, JOB_OP_GT, JOB_OP_LT };

struct job_when {
    int kind;      /* enum job_when_kind */
    char code[33]; /* JOB_WHEN_EXIT: the job whose exit status decides */
    int op;        /* enum job_when_op */
    int value;
    char path[1025]; /* JOB_WHEN_FILE_*: the file */
};
/* "J1 exit == 0", "J1 exit>=4", "file /path exists", "file /path missing". 0, or -1
 * with *msg (translated, malloc'd). */
int job_when_parse(const char *text, struct job_when *w, char **msg);
/* Whether exit status x satisfies an exit condition. */
int job_when_exit_holds(const struct job_when *w, int x);
/* The condition as a person reads it ("J1 の終了コード == 0"), malloc'd. */
char *job_when_text(const struct job_when *w);

/* ---- the close check ---- */

/* What a check of the host saw: the first regular file matching the pattern. */
struct job_file_seen {
    int found;
    char path[1025]; /* shown safely: control characters escaped */
    long long size;
};
/* What the run has recorded of the earlier checks (found 0: nothing seen yet). */
struct job_file_watch {
    int found;
    char path[1025];
    long long size;
    int64_t since_ms; /* first seen at this size (UTC ms) */
};

enum job_wait_decision { JOB_WAIT_WAIT = 0, JOB_WAIT_START = 1, JOB_WAIT_CUTOFF = 2 };

/* The close check: START when the file seen now is the one of w with the same size, and
 * has kept it for at least stable_s seconds (stable_s 0: as soon as it is seen); CUTOFF
 * when not and cutoff_ms (0: none) has come; else WAIT. w is updated to what was seen
 * (since_ms kept while the file and its size stay the same). */
int job_wait_decide(struct job_file_watch *w, const struct job_file_seen *seen, int stable_s,
                    int64_t cutoff_ms, int64_t now_ms);

/* The shell command listing the files matching pattern (a valid path): one line
 * "@@unyo-wait SIZE PATH" per regular file. malloc'd. */
char *job_wait_command(const char *pattern);
/* Reads such a listing (server output: hostile): the first well-formed line whose path
 * matches pattern. Control characters in the path are escaped. */
void job_wait_parse_listing(const char *out, size_t len, const char *pattern,
                            struct job_file_seen *seen);

/* ---- the runner's round ---- */

/* job_conditions_round, the runner's part, is declared in job_runner.h (so the runner
 * does not depend on this module). */

/* A job's start conditions in one line (NULL: none), malloc'd: translated for a person
 * ("waits for /data/in/a*.csv, unchanged for 30 s, until 06:30; runs when exit status of J1
 * == 0"), or, when
 * machine, as defined ("wait_file=/data/in/a*.csv; wait_stable=30; wait_until=06:30;
 * when=J1 exit == 0"). For `jobs list`. */
char *job_conditions_job_text(struct store *st, const char *code, int machine, char **err);

/* What a run's conditions say now (the file awaited and last seen, or found; the
 * judgement), translated, lines; NULL when the run's job has none. For `jobs show` and
 * the Jobs pane. */
char *job_conditions_run_text(struct store *st, const char *run_id, char **err);

#endif
