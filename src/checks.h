/* Automated checks: a check is data (data/checks/NAME.ini): which hosts, a
 * command, a PCRE2 pattern with named captures, conditions on the captures,
 * a severity, and the checklist item it verifies (L025 alive/performance,
 * L026 backup, L028 pattern files, L033 server state). `check run` connects to
 * the hosts in parallel in one process (non-blocking SSH in one poll loop),
 * evaluates, and writes checklist_events and host_metrics.
 *
 * File format, one section per check:
 *   [disk_use]
 *   name = Disk use per filesystem
 *   template = L025
 *   roles = AP, DB            ; optional: host roles
 *   hosts = lib-*, !lib-bk*   ; optional: name globs, ! excludes
 *   os = !Windows*            ; optional: OS globs
 *   command = df -P           ; continuation lines (indented) add lines
 *   pattern = (?<use>\d+)%\s+(?<mount>/\S*)$
 *   each = yes                ; every match must pass (default: the first)
 *   condition = use < 80      ; capture OP number; more lines: all must hold.
 *                               One that does not hold: CRIT (today's NG)
 *   warn = use > 80           ; the problem side: when it holds, WARN (警告).
 *                               More lines: any one holding is WARN
 *   crit = use > 95           ; the problem side: when it holds, CRIT (異常).
 *                               A result is the worst of: a condition not
 *                               holding (CRIT), a crit holding (CRIT), a warn
 *                               holding (WARN), else OK. With each = yes, the
 *                               worst item's. A check with only `condition`
 *                               is OK or CRIT, as before warn/crit existed.
 *   value = use               ; capture recorded as the value
 *   aggregate = max           ; max | min | first (with each)
 *   label = mount             ; capture naming the matched item in messages
 *   unit = %
 *   metric = disk_used_pct    ; also written to host_metrics
 *   severity = warning        ; info | warning | critical
 *   timeout = 20              ; seconds for the command
 *   interval = 5m             ; run on a schedule (30s, 5m, 1h, 1h30m, 1d):
 *                               `check run --due`, unyo-checks.timer, the
 *                               console with [checks] schedule = on. No
 *                               interval: on demand only (src/check_due.h)
 *   hours = service           ; scheduled only inside the service calendar's
 *                               hours (default: always)
 *   backup_path = /var/backups ; any other key: {backup_path} in the command,
 *                               shell-quoted. {since}: unix time of this
 *                               check's last run on the host (else 24 h ago).
 * src/ini.h rules apply: " ;" starts a comment; a line may be of any length,
 * and an indented line continues the key above. */
#ifndef UNYO_CHECKS_H
#define UNYO_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "check_level.h"
#include "id.h"

struct store;
struct check_pairs;

enum check_op { CHECK_LT, CHECK_LE, CHECK_GT, CHECK_GE, CHECK_EQ, CHECK_NE };

struct check_cond {
    char *var;
    enum check_op op;
    double value;
};

struct check_var {
    char *key, *value;
};

struct check_def {
    char *id; /* section name */
    char *name;
    char *template_code;
    char *roles, *hosts, *os; /* selectors, NULL = any */
    char *command;
    char *pattern;
    int each;
    struct check_cond *conds; /* must hold (OK side); one failing: CRIT */
    size_t n_conds;
    struct check_cond *warns, *crits; /* problem side: one holding is WARN / CRIT */
    size_t n_warns, n_crits;
    char *value_var, *label_var, *unit, *metric, *severity;
    int aggregate;      /* 0 max, 1 min, 2 first */
    int timeout;        /* seconds, 0 = the run's */
    int64_t interval_s; /* run every this many seconds; 0 = not scheduled (check_sched.h) */
    int service_hours;  /* 1: scheduled only in the service calendar's hours */
    struct check_var *vars;
    size_t n_vars;
    char *file;
    int line;
    void *re; /* compiled pattern (pcre2_code) */
};

struct check_set {
    struct check_def *defs;
    size_t count;
};

/* Loads one file (appends). All or nothing; errors name FILE:LINE. */
int checks_load_file(const char *path, struct check_set *set, char **err);
/* Every *.ini of a directory, in name order. dir NULL: the user's
 * ~/.config/unyo/checks when it exists, else DATADIR/checks. */
int checks_load_dir(const char *dir, struct check_set *set, char **err);
/* `--checks DIR|FILE` of the CLI: one file when where names a regular file,
 * else checks_load_dir(where) (NULL: the default directories). */
int checks_load(const char *where, struct check_set *set, char **err);
void checks_free(struct check_set *set);

/* Outcome of one check on one host's output. */
struct check_outcome {
    int ok;    /* level == CHECK_LEVEL_OK */
    int level; /* enum check_level */
    int has_value;
    double value;
    char *detail; /* why NG, or a short summary when OK */
};
/* Pure evaluation (unit-tested): pattern, conditions, value. */
int check_evaluate(const struct check_def *d, const char *output, size_t len, int exit_status,
                   const char *stderr_text, struct check_outcome *out, char **err);
void check_outcome_clear(struct check_outcome *o);
/* "use > 80, use >= 85": the expressions as written (malloc'd), NULL when n is 0. */
char *check_conds_text(const struct check_cond *c, size_t n);
/* A value as people read it: integers whole, else 6 significant digits. */
void check_format_value(double v, char *buf, size_t size);

/* 1 when the host (name, role, os) is selected by the check. */
int check_selects(const struct check_def *d, const char *name, const char *role, const char *os);
/* The command with {vars} replaced ({since} = since_unix). Malloc'd. */
char *check_command(const struct check_def *d, int64_t since_unix);

struct check_pool;
struct check_run_opts {
    const char *host;                     /* glob over host names; NULL = every host */
    const char *item;                     /* check id or template code; NULL = all */
    int concurrency;                      /* hosts at once; 0 = 10 */
    int timeout;                          /* seconds per host (connect + its checks); 0 = 60 */
    int accept_new;                       /* trust unknown host keys (first run) */
    const char *known_hosts, *ssh_config; /* NULL = the defaults */
    int dry_run;                          /* evaluate but do not record */
    /* An unknown host key with exactly this fingerprint ("SHA256:...") is added to
     * known_hosts: the key the console showed the operator and they confirmed
     * (check_report.unknown_keys of an earlier run). Any other unknown key fails. */
    const char *trust_fingerprint;
    /* Only these host × check pairs (the due ones: check_due.h); NULL = every pair. */
    const struct check_pairs *only;
    /* Polled while the run waits on the network: when it returns 1 the run stops,
     * records nothing and fails ("stopped"). NULL = never (a console quitting). */
    int (*stop)(void);
    /* Connections kept between rounds (check_pool.h): a host's connection is
     * taken from it and given back after its checks. NULL = connect and close
     * every host each run. */
    struct check_pool *pool;
};

struct check_result {
    char host_id[ID_LEN + 1];
    char *host;
    char *check_id;
    char *check_name;
    char *template_code;
    char *severity;
    int ok;
    int level;   /* enum check_level: OK, WARN (an NG with no draft), CRIT */
    int skipped; /* unused: a check that could not run is NG (see detail) */
    int has_value;
    double value;
    char *unit;
    char *detail;
    char *raw_output;
    int64_t elapsed_ms;
    size_t order;              /* the check's index in the set */
    char event_id[ID_LEN + 1]; /* the checklist_events row, once recorded */
    char incident_ref[24];     /* an NG's incident draft (new or added to), once recorded */
    int incident_created;      /* 1 when this result opened the draft */
    char *incident_error;      /* why an NG has no draft (the result is recorded), or NULL */
    int acked;                 /* an NG under an acknowledgement (check_ack.h): no draft */
    char *ack_text;            /* check_ack_describe of it, or NULL */
    int ack_dropped;           /* a WARN ack "until worse" this CRIT ended (check_ack.h) */
    int flapping;              /* the host x check flaps after this result (check_flap.h) */
    double flap_pct;           /* its weighted state-change percentage */
    int flap_held;             /* an NG the flapping rules took care of: no draft here */
    char recovered_ref[24];    /* an OK after NG: the open incident given a recovery note */

    /* An NG recorded in a downtime (downtime.h; no draft): the downtime's id, ""
     * when none, and downtime_describe of it (or NULL). */
    char downtime_id[ID_LEN + 1];
    char *downtime_text;

    /* 1: the host could not be reached at all (refused, timeout, lost, no such
     * name): a down parent for its children (host_deps.h). */
    int conn_failed;
    /* An NG of a host whose every parent was down in the round: the parents'
     * names ("core-sw01"), no draft, not counted in ng; else NULL. */
    char *unreachable_via;
    /* On the result that opened a parent's draft: the hosts behind it that were
     * unreachable through it, comma-separated (named in the draft), or NULL. */
    char *children;
};

/* A host the run could not check because its key is not in known_hosts. */
struct check_hostkey {
    char *host, *fingerprint, *type;
};

struct check_report {
    struct check_result *results;
    size_t count;
    size_t hosts;
    size_t ng;          /* every NG, WARN included */
    size_t warn;        /* of them, WARN */
    size_t skipped;     /* always 0 now: a check that could not run is NG */
    size_t unreachable; /* NG results unreachable via a parent (not in ng) */
    int64_t elapsed_ms;
    struct check_hostkey *unknown_keys;
    size_t n_unknown_keys;
};

/* Runs the checks over the hosts of the inventory that have SSH reach, and
 * records the results (unless dry_run): one checklist event per check and host,
 * by the check-run actor (CHECKLIST_CHECK_ACTOR), in one transaction with the
 * incident drafts of the NG results (checklist_ng_incident_in_tx). An NG that an
 * acknowledgement holds (check_ack.h) opens no draft (result.acked); an OK ends the
 * check's acknowledgement on that host. An NG recorded while its host is in downtime
 * (downtime.h) names it (result.downtime_id) and opens no draft. A check that
 * could not run (unreachable, timeout) is NG with the full reason. An NG of a host
 * whose every parent is down (host_deps.h) is recorded unreachable via them
 * (result.unreachable_via), opens no draft and is not counted in ng; the draft of
 * the parent's NG names those hosts (result.children). The acting
 * operator must be registered (the run's audit row is theirs). A flapping check
 * (check_flap.h) raises one incident, not one per change, and an OK after an NG
 * notes the recovery on the problem's open incident. o->host matching no host of the
 * inventory is refused (checks_no_host_error). */
int checks_run(struct store *st, const struct check_set *set, const struct check_run_opts *o,
               struct check_report *rep, char **err);
void check_report_free(struct check_report *rep);
/* The run's NG results split by what an operator must do about them: *counted (may be
 * NULL) the ones that call for action, *downtime those recorded in a downtime,
 * *acked those an acknowledgement holds (a downtime NG is not also counted as
 * acknowledged). Only counted NGs make `check run` signal failure (exit 3). */
void check_report_ng_split(const struct check_report *rep, size_t *counted, size_t *downtime,
                           size_t *acked);
/* The refusal of a run (or a due round) whose --host pattern names no host of the
 * inventory: checks_run and checks_due return -1 with it rather than run nothing. */
void checks_no_host_error(const char *pattern, char **err);
/* How many hosts a run over every host (o->host NULL, o->item NULL) would check:
 * those with reach and at least one check of set selecting them. 0 or -1. */
int checks_host_count(struct store *st, const struct check_set *set, size_t *n, char **err);

#endif
