/* The daily checklist (定期稼働確認 / 定型作業 / 監視): which checklist templates fall
 * due on a day, and what was recorded against them.
 *
 * A day's items come from the templates whose pane is "checklist", their periods and
 * schedule, and the service calendar (due_on()). As-needed (随時) items appear only when
 * added by hand for that day (a checklist_events row with status 'added'). Items with
 * per_host expand once per host of the inventory (hosts.deleted = 0).
 *
 * State of (due day, template, host): events are append-only, a correction is a new
 * event. Every result is kept: a check run writes one event per check (source
 * 'check', note "check=ID", by the check-run actor), a person one per mark. The
 * item's status is the worst (NG > skip > OK) of the latest result of each check,
 * counting only results since the latest mark by hand (a person's mark settles the
 * item as of its time; later check results count again). So an NG of cpu_load is
 * not hidden by a later OK of disk_use. A note alone does not change the status. A
 * value outside the template's range makes the mark NG.
 *
 * Roll-over: a non-daily item whose most recent due day before the viewed day was
 * never done (no ok/ng/skip event for that due day) appears as overdue until done,
 * looking back at most CHECKLIST_LOOKBACK_DAYS and never before the store was
 * created; marking it records against its original due day. Daily items do not roll
 * over: the next service day's check supersedes a missed one. An as-needed item added
 * on an earlier day rolls over the same way. */
#ifndef UNYO_CHECKLIST_H
#define UNYO_CHECKLIST_H

#include <stddef.h>

#include "id.h"
#include "operators.h"

struct store;
struct calendar;

#define CHECKLIST_LOOKBACK_DAYS 31

enum checklist_status { CHECK_TODO, CHECK_OK, CHECK_NG, CHECK_SKIP };

/* The login of the actor automated check results are recorded by (not a person). */
#define CHECKLIST_CHECK_ACTOR OPERATOR_CHECK_LOGIN

/* The latest result of one check (or of the marks by hand) that counts for an item. */
struct checklist_result {
    char *check; /* check id; NULL for a mark by hand */
    enum checklist_status status;
    int has_value;
    double value;
    char *reason; /* why NG / skipped (full text), or NULL */
    char *at;
    char event_id[ID_LEN + 1];
    int in_downtime; /* an NG recorded in a downtime (downtime.h) */
    /* An NG recorded unreachable via these parents (host_deps.h): no draft, not
     * counted (as in_downtime); the parents' names, or NULL. */
    char *unreachable_via;
    int warn;  /* an NG of level WARN (checks.h): no draft, counted apart */
    int acked; /* an NG of a check whose problem an acknowledgement holds now */
};

/* Strings are malloc'd and owned by the checklist_day; NULL where noted. */
struct checklist_item {
    char template_id[ID_LEN + 1];
    char *code;               /* "L025" */
    char *name_ja, *name_en;  /* never NULL */
    unsigned periods;         /* enum period_bits */
    char *period_text;        /* as written in the template: "日次" */
    char host_id[ID_LEN + 1]; /* "" when not per host */
    char *host_name;          /* NULL when not per host */
    char due_day[11];         /* the day it fell due (earlier than the viewed day when overdue) */
    int overdue;              /* rolled over from an earlier due day and still undone */
    enum checklist_status status;
    int has_value; /* value is from the latest ok/ng/skip event */
    double value;
    char *unit; /* template's unit, or NULL */
    int has_range;
    double value_min, value_max;
    int out_of_range; /* has_value && has_range && value outside [min, max] */
    /* From the latest ok/ng/skip event: reason. From the latest event that has one:
     * note. From the latest event of any kind (mark or note): who and when. NULL if none. */
    char *note, *reason, *who_login, *who_name;
    char *at;                         /* stored UTC ISO text; show with time_format_jst */
    char last_event_id[ID_LEN + 1];   /* latest ok/ng/skip/note event, "" if none */
    char status_event_id[ID_LEN + 1]; /* latest ok/ng/skip event, "" if none */
    int added_by_hand;                /* an 'added' event put it on this day */
    int by_check_run;                 /* the status comes from a check run, not a person */
    /* NG only through results recorded in a downtime (downtime.h) or unreachable
     * via a down parent (host_deps.h, "[unreachable via core-sw01]" in the
     * reason): shown with downtime_mark in the reason, not counted as NG. */
    int in_downtime;
    /* Not counted (in_downtime) because its NG results were unreachable via a down
     * parent (host_deps.h), none in a downtime. */
    int unreachable;
    /* NG only through WARN results (checks.h: a check's warn threshold): shown as
     * WARN (警告), counted apart from NG (checklist_counts leaves it out). */
    int warn;
    /* NG, not only in a downtime, but every NG result that makes it NG is in a downtime
     * or held by an acknowledgement (check_ack.h) now: shown, not counted as NG. */
    int acked;
    /* The results the status is the worst of (see above), in check order; and the ids
     * of the checks that are NG, comma separated (NULL when none). When NG or skipped,
     * reason holds every failing result's "check: reason", joined by "; ". */
    struct checklist_result *results;
    size_t n_results;
    char *failed;
};

struct checklist_day {
    char day[11];
    struct checklist_item *items; /* sorted: overdue first, then by code, then host name */
    size_t count;
};

/* How an NG stands, the one rule every NG count follows (the status line, the
 * checklist, the handover, the Hosts pane, the daily report, check run's exit
 * status): an NG recorded in a downtime is not counted and is shown as in downtime;
 * an NG an acknowledgement holds (not expired) is not counted and is shown as
 * acknowledged; any other NG is counted. */
enum checklist_ng {
    CHECKLIST_NOT_NG,
    CHECKLIST_NG_COUNTED,
    CHECKLIST_NG_ACKED,
    CHECKLIST_NG_DOWNTIME
};
enum checklist_ng checklist_ng_standing(int ng, int in_downtime, int acked);
/* An item's standing: NG (or out of range) by checklist_ng_standing of its in_downtime
 * and acked. */
enum checklist_ng checklist_item_ng(const struct checklist_item *it);

/* What the note column shows: the reason when NG or skipped and there is one
 * (which checks failed and why), else the note; NULL when neither. */
const char *checklist_item_note(const struct checklist_item *it);

/* "ok", "ng", "skip" or "todo". */
const char *checklist_status_name(enum checklist_status s);

/* The day's due items (day "YYYY-MM-DD", JST). One query for the events of the look-back
 * window, not one per item. out is filled on success and must be freed with
 * checklist_day_free (also safe on a zeroed struct). */
int checklist_load(struct store *st, const struct calendar *cal, const char *day,
                   struct checklist_day *out, char **err);
void checklist_day_free(struct checklist_day *d);

/* The item of template code (and host name or id, for a per-host item) on a loaded day;
 * NULL when absent. */
const struct checklist_item *checklist_find(const struct checklist_day *d, const char *code,
                                            const char *host);

/* The day's items grouped by item, for a view of one row per item with its hosts
 * under it: the items of one template and due day (a per-host item's hosts) are
 * consecutive in checklist_day order and form one group. */
struct checklist_group {
    size_t first, count;         /* d->items[first .. first + count) */
    int per_host;                /* the item is per host: the hosts are its rows */
    int ok, ng, skip, todo;      /* how many of its items are in each state */
    int warn;                    /* of the NG, how many are WARN only */
    enum checklist_status worst; /* NG, else to do, else skipped, else OK */
};
/* Fills *out (malloc'd, free()) with the groups of d in its order; *n their number. */
void checklist_group_items(const struct checklist_day *d, struct checklist_group **out, size_t *n);

struct checklist_mark {
    /* "ok" | "ng" | "skip" | "note", or NULL when value is given: then OK in range, NG
     * out of range. */
    const char *status;
    const char *value;  /* a number as text, or NULL */
    const char *note;   /* free text, or NULL */
    const char *reason; /* required for skip */
    const char *host;   /* host name or id: required for a per-host item, refused otherwise */
};

/* Records one event for item `code` shown on `day` (due that day, added that day, or
 * overdue on it: then the event is recorded against the original due day). Acting
 * operator via store_require_operator; writes an audit row in the same transaction.
 * Refuses, writing nothing: a bad day, an unknown code, a per-host item without a known
 * host, skip without reason, a value that is not a number, an item not on that day's
 * list. out_event_id (ID_LEN + 1) may be NULL. */
int checklist_mark(struct store *st, const struct calendar *cal, const char *day, const char *code,
                   const struct checklist_mark *m, char out_event_id[ID_LEN + 1], char **err);
/* What a recorded event holds, read back: its status ("ok", "ng", "skip", "note": a
 * value out of range is "ng") and the day it counts for (the due day of an overdue
 * item). 1 when found, 0 when there is no such event, -1 on a read error (err). */
int checklist_event_status(struct store *st, const char *event_id, char status[8], char day[11],
                           char **err);

/* Puts a checklist item (normally an as-needed one) on `day` by hand. Refuses an
 * unknown code, a template of another pane, a missing/unknown host for a per-host item
 * and an item already on that day's list. */
int checklist_add(struct store *st, const struct calendar *cal, const char *day, const char *code,
                  const char *host, char **err);
/* What checklist_add can put on a day: the active checklist templates, as-needed
 * ones first, then by code. per_host: the item needs a host (pick one of host_list). */
struct checklist_addable {
    char *code, *name_ja, *name_en, *period_text;
    int per_host;
};
int checklist_addable_list(struct store *st, struct checklist_addable **out, size_t *n, char **err);
void checklist_addable_free(struct checklist_addable *v, size_t n);

/* For the status line: ng = items NG (incl. out of range) on the day that count
 * (checklist_item_ng: not in a downtime, not acknowledged); todo = items not yet done
 * (incl. overdue). */
int checklist_counts(struct store *st, const struct calendar *cal, const char *day, int *ng,
                     int *todo, char **err);

/* NG → incident draft: title, description and category prefilled from the item, host and
 * value of an ng event. The incidents module creates the incident; then link it back
 * with checklist_link_incident. */
struct checklist_draft {
    char *title, *description, *category;
    char host_id[ID_LEN + 1]; /* "" when not per host */
    char event_id[ID_LEN + 1];
};
int checklist_ng_draft(struct store *st, const char *event_id, struct checklist_draft *out,
                       char **err);
void checklist_draft_free(struct checklist_draft *d);
/* Writes a links row checklist_event → incident (with audit). */
int checklist_link_incident(struct store *st, const char *event_id, const char *incident_id,
                            char **err);

/* NG → incident, in one transaction: an NG result (a checklist event) opens one
 * incident draft per problem (template × host × check), or, while a draft or incident
 * of the same problem is still open (not recovered or closed), adds the result to it
 * (a "linked" event and a link). Either way the event is linked to the incident. An
 * event already linked returns its incident. The draft's library: the data centre,
 * else the central library, else the first. Manual NG marks (the pane, `unyo
 * checklist incident`) and check runs (automatically) both come here. */
struct checklist_incident {
    char incident_id[ID_LEN + 1];
    char ref[24];
    int created; /* 1 a new draft, 0 added to an open one */
};
struct sla;
int checklist_ng_incident(struct store *st, const struct sla *sla, const char *event_id,
                          struct checklist_incident *out, char **err);
/* The same inside the caller's transaction (a check run records its results and
 * raises their drafts in one). */
int checklist_ng_incident_in_tx(struct store *st, const struct sla *sla, const char *event_id,
                                struct checklist_incident *out, char **err);

/* The service calendar the operator configured: paths_find_data(NULL, "calendar.ini")
 * loaded with calendar_load, else calendar_new_default(). NULL with *err on a bad file. */
struct calendar *checklist_calendar_open(char **err);

#endif
