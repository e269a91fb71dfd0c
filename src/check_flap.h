/* Flapping and recovery of check problems (issue 15).
 *
 * Flapping, Icinga's (and Nagios') method: over the last 21 results of a host x
 * check (ordered by hlc, never by wall-clock `at`: each process's test clock
 * restarts at UNYO_NOW), each of the 20 places where one result differs from the
 * one before is a state change, weighted from 0.8 (the oldest pair) to 1.2 (the
 * newest) in 19 equal steps: w(k) = 0.8 + 0.4 * (k - 1) / 19, k = 1..20. The
 * state-change percentage is 100 * sum(w of the changes) / 20: 0 for a steady
 * check, 100 for one that alternates on every result. With fewer than 21 results
 * the missing older ones count as no change (the divisor stays 20). A check
 * starts flapping when the percentage is above the high threshold (default 50)
 * and stops when it is below the low threshold (default 25); in between it keeps
 * its state (hysteresis). Thresholds: config.ini [checks] flap_high, flap_low
 * (percent, 0 <= low <= high <= 100; anything else refuses the check run and the
 * problem list with a message naming the setting).
 *
 * The state is derived from the results, not stored: the walk starts, not
 * flapping, at the oldest of the last CHECK_FLAP_HISTORY results, so every store
 * that holds the same results (sync) tells the same state. (It differs from a
 * walk over the whole history only for a check whose figure stayed between the
 * thresholds for all of the last 63 windows.) A check whose last 21 results are
 * all alike is not flapping: only those 21 are read.
 *
 * While a check flaps, one incident stands for it: when flapping starts, the open
 * incident (draft included) of the problem gets a note saying so, or, when there
 * is none, one draft "Flapping: …" is opened; while it flaps, an NG opens no new
 * draft (it is linked to the open incident when there is one, as any NG is).
 *
 * Recovery: an OK result right after an NG of the same host x check, while the
 * check does not flap, adds a note with the time (JST) and the value to every
 * open incident (draft included) linked to an NG of that host x check. Nothing is
 * closed: a person confirms. */
#ifndef UNYO_CHECK_FLAP_H
#define UNYO_CHECK_FLAP_H

#include <stddef.h>

struct store;

#define CHECK_FLAP_WINDOW 21  /* results weighed */
#define CHECK_FLAP_HISTORY 84 /* results walked for the hysteresis */
#define CHECK_FLAP_HIGH 50.0
#define CHECK_FLAP_LOW 25.0

/* The weighted state-change percentage of the last CHECK_FLAP_WINDOW (or fewer)
 * of states[0..n) (oldest first; equal values are the same state). */
double check_flap_percent(const int *states, size_t n);

struct check_flap {
    int flapping;     /* after the last result */
    int was_flapping; /* before it */
    double pct;       /* the last result's percentage */
    size_t results;   /* how many were walked */
};
/* Walks states[0..n) from "not flapping", one percentage per result, with the
 * thresholds' hysteresis: starts when pct > high, stops when pct < low. */
void check_flap_walk(const int *states, size_t n, double high, double low, struct check_flap *out);

/* config.ini [checks] flap_high / flap_low, else the defaults. -1 with *err on a
 * value that is not a number in 0..100 or a low above the high. */
int check_flap_thresholds(double *high, double *low, char **err);

/* The flapping state of host x check from its latest results. */
int check_flap_state(struct store *st, const char *host_id, const char *check_id,
                     struct check_flap *out, char **err);

/* What the flapping and recovery rules did with one recorded result. */
struct check_flap_outcome {
    int flapping;
    double pct;
    int held; /* an NG the caller opens no draft for: flapping took care of it */
    char incident_ref[24];
    int incident_created;   /* 1: the flapping's draft was opened by this result */
    char recovered_ref[24]; /* an incident this OK added a recovery note to, or "" */
};

/* In the caller's transaction (a check run, as the check-run actor), after the
 * result event_id of host x check is recorded: applies the flapping and recovery
 * rules above. Results an acknowledgement holds are not passed here. */
int check_flap_settle_in_tx(struct store *st, const char *host_id, const char *check_id,
                            const char *event_id, struct check_flap_outcome *out, char **err);

#endif
