/* Incidents pane: the incident ledger with its inquiries and problems.
 *
 * This file is the pane: it opens the views, sends keys and the mouse to the
 * one in front and draws it. The views live apart (screens/incidents_int.h):
 * the incident list (screens/incident_list.c, over the core model
 * src/incident_list.h), an incident's detail and workflow keys
 * (screens/incident_detail.c), inquiries (screens/incident_inquiries.c) and
 * problems (screens/incident_problems.c). No view reads the store itself:
 * every list and action is a core call. A list pane: the shared list keys
 * (movement, g/G, paging, / n N, > <, the mouse) act on the list in front
 * or scroll the detail shown; the pane's own keys stay off them. */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "incident_views.h"
#include "incidents_int.h"
#include "screens.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

struct inc_model *inc_cur;

/* ---- helpers the views share ---- */
const char *inc_status_label(const char *s)
{
    return s ? incident_status_name(s) : "";
}

int inc_priority_style(const char *p)
{
    if (!p)
        return STYLE_NORMAL;
    if (strcmp(p, "P1") == 0)
        return STYLE_INCIDENT_P1;
    if (strcmp(p, "P2") == 0)
        return STYLE_INCIDENT_P2;
    if (strcmp(p, "P3") == 0)
        return STYLE_INCIDENT_P3;
    return STYLE_INCIDENT_P4;
}

int inc_sla_style(enum sla_state s)
{
    switch (s) {
    case SLA_OK:
    case SLA_MET:
        return STYLE_STATUS_OK;
    case SLA_WARNING:
        return STYLE_STATUS_TODO;
    case SLA_BREACHED:
    case SLA_MISSED:
        return STYLE_STATUS_NG;
    default:
        return STYLE_DIM;
    }
}

char *inc_jst(int64_t ms)
{
    char b[32] = "";
    if (ms > 0)
        time_format_jst(ms, b, 0);
    return xstrdup(b);
}

char *inc_dup0(const char *s)
{
    return xstrdup(s ? s : "");
}

const char *inc_nz(const char *s)
{
    return s && *s ? s : "-";
}

const char *inc_view_strip(enum view v)
{
    switch (v) {
    case V_LIST:
    case V_DETAIL:
        return _("[Incidents] Inquiries Problems (v)");
    case V_INQ:
    case V_INQ_DETAIL:
        return _("Incidents [Inquiries] Problems (v)");
    default:
        return _("Incidents Inquiries [Problems] (v)");
    }
}

static int is_detail(enum view v)
{
    return v == V_DETAIL || v == V_INQ_DETAIL || v == V_PRB_DETAIL;
}

const char *inc_selected_ref(struct inc_model *m)
{
    struct views *v = m->v;
    if (v->view == V_DETAIL || v->view == V_INQ_DETAIL || v->view == V_PRB_DETAIL)
        return v->ref;
    struct table *t = v->view == V_INQ ? &v->qt : v->view == V_PRB ? &v->pt : &m->table;
    const struct table_row *r = table_selected(t);
    return r && r->cell[0] && r->cell[0][0] ? r->cell[0] : NULL;
}

static int build_detail(struct inc_model *m)
{
    char *err = NULL;
    int rc = m->v->view == V_DETAIL       ? incd_build_incident(m, &err)
             : m->v->view == V_INQ_DETAIL ? incq_build_detail(m, &err)
                                          : incp_build_detail(m, &err);
    if (rc != 0)
        ui_error_take(err);
    ui_dirty(UI_DIRTY_PANE);
    return rc;
}

void inc_open_detail(struct inc_model *m, enum view view, const char *ref)
{
    enum view old = m->v->view;
    snprintf(m->v->ref, sizeof m->v->ref, "%s", ref);
    m->v->view = view;
    m->v->scroll = 0;
    if (build_detail(m) != 0)
        m->v->view = old;
}

void inc_refresh(struct inc_model *m)
{
    struct views *v = m->v;
    m->now = time_now_ms();
    if (v->view == V_LIST || v->view == V_DETAIL)
        incl_reload(m);
    else if (v->view == V_INQ || v->view == V_INQ_DETAIL)
        incq_load(m);
    else
        incp_load(m);
    if (is_detail(v->view))
        build_detail(m);
    ui_dirty(UI_DIRTY_PANE | UI_DIRTY_COUNTS);
}

/* ---- pane ---- */
static int inc_open(struct pane *p, char **err)
{
    (void)err;
    struct inc_model *m = xcalloc(1, sizeof *m);
    m->st = ui_store();
    m->now = time_now_ms();
    char *serr = NULL;
    m->sla = sla_load(NULL, NULL, &serr);
    if (!m->sla)
        ui_error_take(serr);
    m->v = xcalloc(1, sizeof *m->v);
    incl_init(m);
    incq_init(m);
    incp_init(m);
    p->data = m;
    inc_cur = m;
    serr = NULL;
    int n = 0;
    if (!ui_headless && incident_my_draft_count(m->st, &n, &serr) == 0 && n > 0)
        ui_message(_("unfinished incident drafts: %d (+ offers them)"), n);
    free(serr);
    return 0;
}

static void inc_load(struct pane *p)
{
    struct inc_model *m = p->data;
    m->now = time_now_ms();
    incl_reload(m);
    if (m->v->view == V_INQ || m->v->view == V_INQ_DETAIL)
        incq_load(m);
    if (m->v->view == V_PRB || m->v->view == V_PRB_DETAIL)
        incp_load(m);
    if (is_detail(m->v->view))
        build_detail(m);
}

static void inc_draw0(struct inc_model *m, const struct ui_canvas *c);

static void inc_draw(struct pane *p, const struct ui_canvas *c)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    if (m->sla_due) { /* an SLA state changed with the clock */
        incl_sla_clock(m);
        if (is_detail(v->view))
            build_detail(m);
    }
    inc_draw0(m, c);
    incl_sla_schedule(m);
}

static void inc_draw0(struct inc_model *m, const struct ui_canvas *c)
{
    struct views *v = m->v;
    if (is_detail(v->view)) {
        incd_draw(m, c);
        return;
    }
    if (v->view == V_INQ || v->view == V_PRB) {
        struct ui_canvas t = ui_canvas_sub(c, 0, 0, c->h - 1, c->w);
        struct table *tb = v->view == V_INQ ? &v->qt : &v->pt;
        table_draw(tb, &t);
        char *foot =
            xasprintf(v->view == V_INQ ? _("%s │ %ld of %ld inquiries  + new  Enter detail")
                                       : _("%s │ %ld of %ld problems  + new  Enter detail"),
                      inc_view_strip(v->view), tb->nrows ? tb->sel + 1 : 0, tb->nrows);
        ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
        free(foot);
        return;
    }
    incl_draw(m, c);
}

/* The list of the view in front (a detail: the list it was opened from). */
static struct ui_list *front_list(struct inc_model *m)
{
    enum view v = m->v->view;
    return v == V_INQ || v == V_INQ_DETAIL   ? &m->v->ql
           : v == V_PRB || v == V_PRB_DETAIL ? &m->v->pl
                                             : &m->ul;
}

static int inc_sort(struct pane *p, const char *column, char **err)
{
    return ui_list_sort(front_list(p->data), column, err);
}

static int inc_action0(struct pane *p, const char *a);

/* A modal opened by an action (form, prompt, picker) is drawn over the pane. */
static int inc_action(struct pane *p, const char *a)
{
    int r = inc_action0(p, a);
    if (ui_modal_top())
        ui_dirty(UI_DIRTY_ALL);
    return r;
}

static int inc_action0(struct pane *p, const char *a)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    inc_cur = m;
    if (strcmp(a, "incidents.view") == 0) {
        v->view = v->view == V_LIST || v->view == V_DETAIL      ? V_INQ
                  : v->view == V_INQ || v->view == V_INQ_DETAIL ? V_PRB
                                                                : V_LIST;
        if (v->view == V_INQ)
            incq_load(m);
        else if (v->view == V_PRB)
            incp_load(m);
        else
            inc_load(p);
        return 1;
    }
    if (strcmp(a, "incidents.back") == 0) {
        if (!is_detail(v->view) && v->simple && v->view == V_LIST) {
            incl_leave_simple(m);
            table_reset(&m->table);
            ui_message("%s", _("filter cleared"));
            return 1;
        }
        if (!is_detail(v->view))
            return 0;
        v->view = v->view == V_DETAIL ? V_LIST : v->view == V_INQ_DETAIL ? V_INQ : V_PRB;
        inc_refresh(m);
        return 1;
    }
    if (is_detail(v->view)) {
        if (incd_scroll(m, a))
            return 1;
        if (strcmp(a, "open") == 0 && v->view == V_DETAIL) {
            incd_play(m);
            return 1;
        }
        if (strcmp(a, "incidents.new") == 0 || strcmp(a, "open") == 0)
            return 1;
        if (v->view == V_DETAIL)
            return incd_incident_keys(m, a);
        if (v->view == V_INQ_DETAIL)
            return incq_keys(m, a);
        return incp_keys(m, a);
    }
    int page = p->h > 4 ? p->h - 2 : 1;
    if (v->view == V_INQ || v->view == V_PRB) {
        struct table *tb = v->view == V_INQ ? &v->qt : &v->pt;
        if (ui_list_is_shared(a) || strncmp(a, "goto ", 5) == 0)
            return ui_list_action(front_list(m), a, page);
        if (strcmp(a, "incidents.new") == 0) {
            if (v->view == V_INQ)
                incq_new(m);
            else
                incp_new();
            return 1;
        }
        if (strcmp(a, "open") == 0) {
            const struct table_row *r = table_selected(tb);
            if (r)
                inc_open_detail(m, v->view == V_INQ ? V_INQ_DETAIL : V_PRB_DETAIL, r->cell[0]);
            return 1;
        }
        if (v->view == V_INQ && incq_keys(m, a))
            return 1;
        if (v->view == V_PRB && incp_keys(m, a))
            return 1;
        if (strncmp(a, "incidents.", 10) == 0)
            return 1;
        return table_action(tb, a);
    }
    /* the incident list */
    int r = incl_action(m, a, page);
    if (r >= 0)
        return r;
    if (incd_incident_keys(m, a))
        return 1;
    if (strncmp(a, "incidents.", 10) == 0)
        return 1;
    return table_action(&m->table, a);
}

static int inc_key(struct pane *p, int key)
{
    struct inc_model *m = p->data;
    if ((key == UI_KEY_ESC || key == UI_KEY_BACKSPACE) && (is_detail(m->v->view) || m->v->simple))
        return inc_action0(p, "incidents.back");
    return 0;
}

static void inc_mouse(struct pane *p, int y, int x, int button)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    if (is_detail(v->view)) {
        if (button == 4)
            v->scroll = v->scroll > 3 ? v->scroll - 3 : 0;
        else if (button == 5)
            v->scroll += 3;
        return;
    }
    ui_list_mouse_event(front_list(m), y, x, button);
}

static int inc_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                      char **err)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    /* a detail goes back to its list, which the pattern narrows */
    if (v->view == V_INQ_DETAIL || v->view == V_INQ) {
        v->view = V_INQ;
        return ui_list_filter(&v->ql, re, pattern);
    }
    if (v->view == V_PRB_DETAIL || v->view == V_PRB) {
        v->view = V_PRB;
        return ui_list_filter(&v->pl, re, pattern);
    }
    v->view = V_LIST;
    return incl_filter(m, re, pattern, err);
}

static void inc_free(struct pane *p)
{
    struct inc_model *m = p->data;
    struct views *v = m->v;
    if (inc_cur == m)
        inc_cur = NULL;
    incl_free(m);
    incq_free(m);
    incp_free(m);
    incd_clear(v);
    free(v);
    sla_free(m->sla);
    free(m);
}

static const struct ui_binding inc_bindings[] = {
    {"incidents.new", "+",
     N_("new incident (intake; offers unfinished drafts) / inquiry / problem")},
    {"incidents.view", "v", N_("switch view: incidents, inquiries, problems")},
    {"incidents.back", "Esc Backspace", N_("back to the list / clear a field filter")},
    {"incidents.filter-form", "F",
     N_("filter by status, priority, library, category, assignee, SLA")},
    {"incidents.search", "s", N_("full-text search (titles, descriptions, notes)")},
    {"incidents.inbox", "I", N_("my inbox: open incidents assigned to me")},
    {"incidents.isolated", "i", N_("incident: isolated (1st-level) / inquiry: investigating")},
    {"incidents.escalate", "e", N_("incident: escalate to an engineer")},
    {"incidents.first", "f", N_("incident: first response")},
    {"incidents.second", "S", N_("incident: second response")},
    {"incidents.recovered", "r", N_("incident: recovered")},
    {"incidents.closed", "c", N_("incident / inquiry: close")},
    {"incidents.reopen", "o", N_("incident: reopen")},
    {"incidents.pause", "p", N_("incident: pause the SLA clock (reason)")},
    {"incidents.resume", "u", N_("incident: resume the SLA clock")},
    {"incidents.notified", "T",
     N_("incident: library notified (asks first, then to whom; cannot be undone)")},
    {"incidents.note", "t", N_("add a note")},
    {"incidents.link", "l", N_("incident: link to a problem")},
    {"incidents.console", "x",
     N_("incident: a console on its host, linked to it (Enter on its row plays the recording)")},
    {"incidents.draft", "d", N_("inquiry: draft the answer")},
    {"incidents.review", "R", N_("inquiry: ask for review / problem: root cause")},
    {"incidents.approve", "a", N_("inquiry: approve the draft (an engineer, not its author)")},
    {"incidents.return", "b", N_("inquiry: return the draft with corrections")},
    {"incidents.answer", "w", N_("inquiry: answer sent / problem: workaround")},
    {"incidents.convert", "C", N_("inquiry: convert to an incident")},
    {"incidents.measure", "m", N_("problem: permanent measure")},
    {"incidents.prevention", "P", N_("problem: recurrence prevention")},
    {"incidents.link-incident", "L", N_("problem: link an incident")},
    {"incidents.publish", "K", N_("problem: publish as knowledge")},
    {"incidents.advance", "A", N_("problem: next status")},
    {NULL, NULL, NULL}};

const struct pane_ops incidents_pane = {
    .name = "incidents",
    .title = N_("Incidents"),
    .bindings = inc_bindings,
    .open = inc_open,
    .load = inc_load,
    .draw = inc_draw,
    .action = inc_action,
    .key = inc_key,
    .mouse = inc_mouse,
    .filter = inc_filter,
    .sort = inc_sort,
    .list = 1,
    .free = inc_free,
};
