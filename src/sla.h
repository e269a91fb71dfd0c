/* Service-level targets and clocks for incidents (seed 002 items 2, 12-16).
 *
 * data/sla.ini holds the impact x urgency -> priority table and, per priority,
 * the target of each step in service minutes. Clocks count service time only
 * (src/calendar.h) and leave out paused time (waiting on the library or a
 * vendor). Everything here works on UTC seconds. */
#ifndef UNYO_SLA_H
#define UNYO_SLA_H

#include <stddef.h>
#include <stdint.h>

struct calendar;

enum sla_step { SLA_ACK, SLA_FIRST, SLA_RECOVERY, SLA_NSTEPS };
#define SLA_NPRIO 4 /* P1 .. P4 */

enum sla_state {
    SLA_NONE,     /* no clock (a draft) */
    SLA_OK,       /* running, under the warning threshold */
    SLA_WARNING,  /* running, at or past warning_percent of the target */
    SLA_BREACHED, /* running, past the target */
    SLA_MET,      /* done within the target */
    SLA_MISSED,   /* done after the target */
};

struct sla_config {
    int warning_percent;                   /* default 75 */
    int matrix[3][3];                      /* [impact-1][urgency-1] -> priority 1..4 */
    int target_min[SLA_NPRIO][SLA_NSTEPS]; /* service minutes */
};

/* The config plus the calendar it counts against. */
struct sla {
    struct sla_config cfg;
    struct calendar *cal;
    int own_cal;
};

void sla_config_default(struct sla_config *cfg);
/* Loads an sla.ini over the defaults; FILE:LINE on error, nothing loaded. */
int sla_config_load(const char *path, struct sla_config *cfg, char **err);
/* sla_path / calendar_path: explicit files, or NULL to look in the config dir
 * then the data dir (sla.ini, calendar.ini); built-in defaults if none. */
struct sla *sla_load(const char *sla_path, const char *calendar_path, char **err);
/* Borrows cal (NULL: the built-in default hours, owned). */
struct sla *sla_new(const struct sla_config *cfg, struct calendar *cal);
void sla_free(struct sla *sla);

/* "P1".."P4" for impact and urgency 1..3; -1 with *err outside the table. */
int sla_priority(const struct sla *sla, int impact, int urgency, char out[4], char **err);
/* 1..4 from "P1".."P4", 0 if not a priority. */
int sla_priority_num(const char *p);
/* Target in service seconds, or -1 for an unknown priority. */
int64_t sla_target_seconds(const struct sla *sla, const char *priority, enum sla_step step);

const char *sla_step_key(enum sla_step step);  /* "acknowledge", "first_response", "recovery" */
const char *sla_step_name(enum sla_step step); /* translated */
const char *sla_state_key(enum sla_state s);   /* "ok", "warning", ... */
const char *sla_state_name(enum sla_state s);  /* translated */
int sla_step_from_key(const char *key);        /* -1 if unknown */

/* A paused interval [from, to); to == 0 means still paused. */
struct sla_pause {
    int64_t from, to;
};

struct sla_clock {
    const char *priority;
    int64_t received;         /* UTC seconds */
    int64_t done[SLA_NSTEPS]; /* when each step was reached, 0 if not yet */
    const struct sla_pause *pauses;
    size_t npauses;
};

struct sla_step_status {
    int64_t target;  /* service seconds */
    int64_t elapsed; /* service seconds, pauses left out */
    int64_t left;    /* target - elapsed (negative when late) */
    int64_t due;     /* instant; INT64_MAX while paused or never */
    enum sla_state state;
};

struct sla_status {
    struct sla_step_status step[SLA_NSTEPS];
    enum sla_state overall; /* worst: BREACHED/MISSED > WARNING > OK/MET */
    int paused;
};

/* Computes every step's clock at `now` (UTC seconds). */
void sla_compute(const struct sla *sla, const struct sla_clock *c, int64_t now,
                 struct sla_status *out);
/* Service seconds of [from, to) that fall inside the pauses. */
int64_t sla_paused_service(const struct sla *sla, const struct sla_pause *p, size_t n, int64_t from,
                           int64_t to, int64_t now);
/* The next instant after now (UTC seconds) at which a clock computed at now
 * (s, from sla_compute) changes state by the clock alone: a running step
 * reaching its warning threshold, or passing its target (a step due at 16:00
 * is breached at 16:00:01). Counts service time only: outside the hours the
 * instant is in the next window. INT64_MAX when nothing will change (paused,
 * every step done, no clock). */
int64_t sla_next_change(const struct sla *sla, const struct sla_status *s, int64_t now);
/* The earliest sla_next_change of n clocks (the rows on screen). */
int64_t sla_next_change_of(const struct sla *sla, const struct sla_status *s, size_t n,
                           int64_t now);
/* Overall state reduced to ok / warning / breached (MET -> ok, MISSED -> breached). */
enum sla_state sla_state_simple(enum sla_state s);

#endif
