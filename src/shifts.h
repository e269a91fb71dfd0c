/* The shift schedule (item 20 シフト表): who works which shift on which day.
 *
 * Shift codes and their default hours come from shifts.ini (paths_find_data: the
 * user's ~/.config/unyo/shifts.ini, else the shipped data/shifts.ini):
 *
 *     [early]
 *     name_ja = 早番
 *     name_en = Early
 *     start = 07:00
 *     end = 15:30
 *
 * Times are JST "HH:MM"; end may be "24:00"; an end at or before the start means the
 * shift runs past midnight into the next day. One operator per (day, shift): setting it
 * again tombstones the old row and inserts a new one; both changes are audited. */
#ifndef UNYO_SHIFTS_H
#define UNYO_SHIFTS_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;

struct shift_def {
    char *code, *name_ja, *name_en;
    char start[6], end[6];  /* "07:00", "24:00" */
    int start_min, end_min; /* minutes of the day; end_min may be 1440 */
};

struct shift_defs {
    struct shift_def *items; /* in file order */
    size_t count;
};

/* Loads one file; FILE:LINE on error, nothing loaded. */
int shift_defs_load(const char *path, struct shift_defs *out, char **err);
/* The configured file (see above), or built-in early/late/sunday when none exists. */
int shift_defs_load_default(struct shift_defs *out, char **err);
void shift_defs_free(struct shift_defs *d);
const struct shift_def *shift_def_find(const struct shift_defs *d, const char *code);

struct shift_entry {
    char id[ID_LEN + 1];
    char day[11];
    char *shift; /* code */
    char operator_id[ID_LEN + 1];
    char *login, *name;
    char start_time[6], end_time[6];
    char *note; /* or NULL */
};

struct shift_list {
    struct shift_entry *items; /* by day, then start time, then shift code */
    size_t count;
};
void shift_list_free(struct shift_list *l);

/* The live (not deleted) entries of a month (y, m) or of one day "YYYY-MM-DD". */
int shift_list_month(struct store *st, int y, int m, struct shift_list *out, char **err);
int shift_list_day(struct store *st, const char *day, struct shift_list *out, char **err);

/* Puts operator `login` on `shift` of `day` with the shift's default hours, replacing
 * whoever was there. Refuses a bad day, an unknown shift code or login. The acting
 * operator must be registered. out_id (ID_LEN + 1) may be NULL. */
int shift_set(struct store *st, const struct shift_defs *defs, const char *day, const char *shift,
              const char *login, char *out_id, char **err);
/* Removes whoever works `shift` on `day` (tombstone + audit); refuses when nobody does. */
int shift_clear(struct store *st, const char *day, const char *shift, char **err);

/* The entries whose hours contain the instant (UTC ms, compared in JST), including a
 * shift of the previous day that runs past midnight. */
int shift_on_duty(struct store *st, int64_t instant_ms, struct shift_list *out, char **err);

/* ---- starting the shift (who is at the keyboard for which shift) ----
 * A start is an audit row (action "shift.start", kind "shift_start", row_id the day)
 * with detail "day=D shift=CODE ends=ISO [from=LOGIN]": it syncs with the audit trail
 * and names both people when one operator takes over from another. */

/* The shift's name for people (name_ja in Japanese, else name_en), or code. */
const char *shift_def_label(const struct shift_def *d);
/* A code, or a shift's Japanese or English name ("早番", "Early"). */
const struct shift_def *shift_def_lookup(const struct shift_defs *d, const char *text);

struct shift_start_info {
    char day[11];
    char *shift;        /* code */
    char *login, *name; /* who started it */
    char *from_login;   /* whom they took over from, or NULL */
    char *from_name;    /* the same person's display name, or NULL */
    int64_t started_ms, ends_ms;
};
void shift_start_info_free(struct shift_start_info *i);

/* The shift to start at `now` when none is named: the acting operator's scheduled
 * shift on duty, else the first shift of defs whose hours contain now (a shift coded
 * "sunday" only on Sundays, and first on Sundays); NULL with *err when none does. */
const struct shift_def *shift_guess(struct store *st, const struct shift_defs *defs, int64_t now,
                                    char **err);
/* The acting operator starts `shift` (a code or a name; NULL: shift_guess) at now,
 * for the day whose hours contain now (or today's, before it begins). Refuses a shift
 * that has ended, and one the same operator already holds. When someone else holds
 * the current shift, this is a take-over and names both. out (may be NULL) gets the
 * new start. */
int shift_start(struct store *st, const struct shift_defs *defs, const char *shift, int64_t now,
                struct shift_start_info *out, char **err);
/* "You started 早番 (12-07 07:00-15:30)." or "… took over … from NAME." (malloc'd),
 * the same line for the CLI and the console. */
char *shift_start_message(const struct shift_defs *defs, const struct shift_start_info *in);
/* The shift started last whose end is after now: 1 and fills out, 0 when nobody has
 * started the shift, -1 on error. */
int shift_current(struct store *st, int64_t now, struct shift_start_info *out, char **err);

#endif
