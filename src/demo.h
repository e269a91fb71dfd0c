/* Demo content for `make run` and synthetic load for the benchmarks. */
#ifndef UNYO_DEMO_H
#define UNYO_DEMO_H

#include <stdint.h>

struct store;

/* What demo_populate adds beyond the operators, hosts, shifts and history. */
enum demo_day {
    DEMO_DAY_SO_FAR = 0, /* today as far as the clock: the shipped jobs with the runs of the
                          * last days and today's runs due before now done, today's
                          * checklist round up to now (what `make run` opens) */
    DEMO_DAY_UNTOUCHED,  /* nothing of today and no jobs (the tests' starting store) */
};
/* Adds sample operators (and the OS user), hosts, shifts and a few days of
 * history to a freshly initialised store. The hosts run their checks and jobs
 * on this machine (transport 'local'). */
int demo_populate(struct store *st, enum demo_day day, char **err);
/* Adds n synthetic incidents with their events (2–5 each; most older ones
 * recovered and closed), spread over the two years before now. *rows gets
 * incidents + events written; *index_seconds (may be NULL) the time spent
 * rebuilding the derived indexes afterwards (full-text index, the console's
 * title table), whose triggers are off during the load. progress (may be NULL) is
 * called every 100k incidents. */
int demo_generate(struct store *st, long long n, long long *rows, double *index_seconds,
                  void (*progress)(long long done, long long total), char **err);

#endif
