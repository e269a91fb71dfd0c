/* The Incidents pane's views, private to its files:
 *   screens/incidents.c          the pane: open, load, draw, keys → the view in front
 *   screens/incident_list.c      the incident list (src/incident_list.h: paged
 *                                list, title filter; field filter, search, inbox)
 *   screens/incident_detail.c    an incident's detail text and its workflow keys
 *   screens/incident_inquiries.c the inquiry list, detail and actions
 *   screens/incident_problems.c  the problem list, detail and actions
 * `v` cycles Incidents → Inquiries → Problems; Enter opens a row's detail,
 * Esc (or Backspace) goes back to its list. The footer names the view. The
 * pane is a list pane (src/ui/ui_list.h): each of the three lists has a
 * ui_list, the shared list keys act on the one in front, `+` is new. */
#ifndef UNYO_SCREENS_INCIDENTS_INT_H
#define UNYO_SCREENS_INCIDENTS_INT_H

#include <stdint.h>

#include "incident_list.h"
#include "inquiries.h"
#include "problems.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_list.h"
#include "ui_table.h"

enum view { V_LIST, V_DETAIL, V_INQ, V_INQ_DETAIL, V_PRB, V_PRB_DETAIL };

#define SIMPLE_LIMIT 500

struct dline {
    char *text;
    int style;
};

struct views {
    enum view view;
    /* the incident list narrowed by fields, a full-text search or the inbox */
    int simple;
    char *simple_desc;
    struct inc_fields f;
    struct incident *srows;
    size_t ns;
    int partial;
    /* detail of the incident / inquiry / problem with this ref */
    char ref[24];
    struct dline *lines;
    int nlines, scroll;
    /* the console sessions of the incident shown (timeline, links): Enter
     * plays one */
    char **sess;
    int nsess;
    /* inquiries and problems: the rows read, and the visible order (filter, sort) */
    struct table qt, pt;
    struct ui_list ql, pl;
    struct inquiry *qrows;
    size_t nq;
    size_t *qidx, nqidx;
    struct problem *prows;
    size_t np;
    size_t *pidx, npidx;
};

struct filter_job;

struct inc_model {
    struct store *st;
    struct inc_list *list;  /* the paged list and its title filter */
    int counting;           /* a count runs in the background */
    int filtering;          /* a scan runs in the background */
    struct filter_job *job; /* that scan, to cancel it */
    long ncut;              /* titles the last scan could not check */
    unsigned filter_gen;    /* the latest filter; older results are dropped */
    struct table table;
    /* the shared list keys; its filter is the title scan's pattern, its sort
     * key and direction drive the core model's order (desc: reversed from
     * the model's natural order, newest first) */
    struct ui_list ul;
    struct sla *sla; /* NULL when sla.ini is broken: no SLA column then */
    int64_t now;     /* SLA states are computed at this instant (set on load) */
    /* SLA states move with the clock: the earliest next change of the rows
     * read at now (UTC s, INT64_MAX none), the timer set for it, and that it
     * fired (the next draw recomputes at the clock). */
    int64_t sla_next, sla_timer_at;
    int sla_timer, sla_due;
    struct views *v; /* detail, field filters, search, inbox, inquiries, problems */
};

/* The pane's model, for prompt and picker callbacks. */
extern struct inc_model *inc_cur;

/* ---- shared (screens/incidents.c) ---- */
const char *inc_status_label(const char *s);
int inc_priority_style(const char *p);
int inc_sla_style(enum sla_state s);
char *inc_jst(int64_t ms); /* malloc'd; "" for 0 */
char *inc_dup0(const char *s);
const char *inc_nz(const char *s); /* "-" for NULL or "" */
const char *inc_view_strip(enum view v);
/* The ref of the selected row, or of the detail shown; NULL for none. */
const char *inc_selected_ref(struct inc_model *m);
/* After a change: the list re-reads, the detail rebuilds. */
void inc_refresh(struct inc_model *m);
void inc_open_detail(struct inc_model *m, enum view view, const char *ref);

/* ---- the incident list (screens/incident_list.c) ---- */
void incl_init(struct inc_model *m);
void incl_free(struct inc_model *m);
void incl_reload(struct inc_model *m); /* forget the count and the window; re-read */
void incl_draw(struct inc_model *m, const struct ui_canvas *c);
int incl_action(struct inc_model *m, const char *a, int page);
int incl_filter(struct inc_model *m, const pcre2_code *re, const char *pattern, char **err);
void incl_leave_simple(struct inc_model *m);
void incl_intake_done(const char *ref, void *data);
/* A row's SLA clock read at m->now: the pane redraws when it changes state. */
void incl_sla_seen(struct inc_model *m, const struct sla_status *s);
/* Before drawing: the timer fired, recompute the states at the clock. */
void incl_sla_clock(struct inc_model *m);
/* After drawing: a timer at the next SLA state change of what is shown. */
void incl_sla_schedule(struct inc_model *m);

/* ---- detail text and incident actions (screens/incident_detail.c) ---- */
void incd_clear(struct views *v);
void incd_add(struct views *v, int style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void incd_text(struct views *v, const char *label, const char *text);
/* A timeline row: head and the note, its further lines indented below it. */
void incd_note(struct views *v, int style, const char *head, const char *note);
void incd_keys(struct views *v, const char *keys);
const char *incd_padw(const char *s, int w);
int incd_build_incident(struct inc_model *m, char **err);
void incd_draw(struct inc_model *m, const struct ui_canvas *c);
int incd_scroll(struct inc_model *m, const char *a);
int incd_incident_keys(struct inc_model *m, const char *a);
/* Enter on an incident's detail: plays its console session (a chooser when
 * there are several). */
void incd_play(struct inc_model *m);

/* ---- inquiries (screens/incident_inquiries.c) ---- */
void incq_init(struct inc_model *m);
void incq_load(struct inc_model *m);
void incq_free(struct inc_model *m);
int incq_build_detail(struct inc_model *m, char **err);
int incq_keys(struct inc_model *m, const char *a);
void incq_new(struct inc_model *m);

/* ---- problems (screens/incident_problems.c) ---- */
void incp_init(struct inc_model *m);
void incp_load(struct inc_model *m);
void incp_free(struct inc_model *m);
int incp_build_detail(struct inc_model *m, char **err);
int incp_keys(struct inc_model *m, const char *a);
void incp_new(void);

#endif
