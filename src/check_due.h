/* Checks on a schedule (issue 15): which host × check pairs are due, and one
 * round of them. `unyo check run --due` (src/cli/check.c), unyo-checks.timer and
 * the console's background rounds (`[checks] schedule = on` in config.ini) all go
 * through checks_run_due.
 *
 * A pair is due when its check has an interval (check_sched.h), its latest result
 * is at least the interval old or it never ran, and, with `hours = service`, the
 * service calendar is open now. "Latest" is by the hybrid clock (hlc), never by
 * the wall-clock `at`: several processes (consoles, the timer) write results, and
 * each one's test clock restarts at UNYO_NOW. The age is now minus the `at` of
 * that latest result; a result dated more than one interval ahead of now (the
 * clock was set back) does not hold the check back. */
#ifndef UNYO_CHECK_DUE_H
#define UNYO_CHECK_DUE_H

#include <stddef.h>
#include <stdint.h>

#include "check_sched.h"
#include "checks.h"

struct calendar;
struct store;

struct check_due {
    struct check_pairs due; /* due now */
    size_t waiting;         /* scheduled pairs that ran within their interval */
    size_t out_of_hours;    /* hours = service pairs while the service is closed */
    size_t on_demand;       /* pairs whose check has no interval */
    int64_t next_ms;        /* when the next waiting pair comes due; 0 if none */
    int busy;               /* another round of this store was running: none ran */
};

/* The pairs due at now_ms, over the hosts checks_run would check (reachable and
 * selected by the check; host_glob and item as check_run_opts.host and .item,
 * NULL = all; a host_glob naming no host is refused, checks_no_host_error). cal: the
 * service calendar (NULL: the built-in hours). */
int checks_due(struct store *st, const struct check_set *set, const struct calendar *cal,
               int64_t now_ms, const char *host_glob, const char *item, struct check_due *out,
               char **err);
void check_due_free(struct check_due *due);

/* One round: checks_due now, then checks_run over the due pairs only (the same
 * recording: checklist, host metrics, incident drafts). Nothing due: rep is
 * empty, nothing is recorded, 0. due (may be NULL) gets what was found.
 * One round of a store at a time, whoever runs it (a console, the timer, check
 * watch): while another holds the store's round lock, nothing runs, rep is
 * empty, due->busy is set and 0 is returned. */
int checks_run_due(struct store *st, const struct check_set *set, const struct calendar *cal,
                   const struct check_run_opts *o, struct check_report *rep, struct check_due *due,
                   char **err);

#endif
