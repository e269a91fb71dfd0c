/* Demo content for `make run` and synthetic load for the benchmarks. */
#ifndef UNYO_DEMO_H
#define UNYO_DEMO_H

#include <stdint.h>

struct store;

/* Adds sample operators (and the OS user), hosts, shifts and a few days of
 * history to a freshly initialised store. */
int demo_populate(struct store *st, char **err);
/* Adds n synthetic incidents, each with 2–4 events, spread over the two
 * years before now. *rows gets incidents + events written. progress (may be
 * NULL) is called every 100k incidents. */
int demo_generate(struct store *st, long long n, long long *rows,
                  void (*progress)(long long done, long long total), char **err);

#endif
