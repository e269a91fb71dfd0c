/* Incidents pane: an incident's detail (fields, SLA clocks, timeline, links)
 * and the incident workflow keys, which work on the detail and on the
 * selected row of the list (every step is incident_step, src/incidents.h).
 * The detail text helpers (incd_add, ...) serve the inquiry and problem
 * details too. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_text.h"
#include "hosts.h"
#include "i18n.h"
#include "labels.h"
#include "incident_views.h"
#include "incidents_int.h"
#include "operators.h"
#include "screens.h"
#include "session_play.h"
#include "sla.h"
#include "ssh_view.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* A section that cannot be read is left out: its error is not shown. */
static void drop_err(char **err)
{
    free(*err);
    *err = NULL;
}

/* "2h05m", "-0h20m" */
static void fmt_left(int64_t s, char *out, size_t n)
{
    int neg = s < 0;
    if (neg)
        s = -s;
    snprintf(out, n, "%s%lldh%02lldm", neg ? "-" : "", (long long)(s / 3600),
             (long long)(s % 3600 / 60));
}

/* ---- detail text ---- */
void incd_clear(struct views *v)
{
    for (int i = 0; i < v->nlines; i++)
        free(v->lines[i].text);
    free(v->lines);
    v->lines = NULL;
    v->nlines = 0;
    for (int i = 0; i < v->nsess; i++)
        free(v->sess[i]);
    free(v->sess);
    v->sess = NULL;
    v->nsess = 0;
}

/* A console session of the incident shown, once. 1 when it is new. */
static int add_session(struct views *v, const char *id)
{
    for (int i = 0; i < v->nsess; i++)
        if (strcmp(v->sess[i], id) == 0)
            return 0;
    v->sess = xrealloc(v->sess, (size_t)(v->nsess + 1) * sizeof *v->sess);
    v->sess[v->nsess++] = xstrdup(id);
    return 1;
}

void incd_add(struct views *v, int style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = NULL;
    if (vasprintf(&t, fmt, ap) < 0)
        abort();
    va_end(ap);
    v->lines = xrealloc(v->lines, (size_t)(v->nlines + 1) * sizeof *v->lines);
    v->lines[v->nlines].text = t;
    v->lines[v->nlines].style = style;
    v->nlines++;
}

/* Multi-line text, indented. */
void incd_text(struct views *v, const char *label, const char *text)
{
    if (!text || !*text)
        return;
    incd_add(v, STYLE_FORM_LABEL, "%s", label);
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        incd_add(v, STYLE_NORMAL, "  %.*s", (int)n, p);
        p += n;
        if (*p)
            p++;
    }
}

void incd_note(struct views *v, int style, const char *head, const char *note)
{
    char **rows;
    size_t n = text_note_rows(head, note, &rows);
    for (size_t i = 0; i < n; i++) {
        incd_add(v, style, "%s", rows[i]);
        free(rows[i]);
    }
    free(rows);
}

/* The keys of a detail view, below a blank line. */
void incd_keys(struct views *v, const char *keys)
{
    incd_add(v, STYLE_NORMAL, "%s", "");
    incd_add(v, STYLE_DIM, "%s", keys);
}

/* s padded with spaces to w display cells (CJK is two): for columns in the
 * detail text. Returns one of four rotating buffers (the loop's thread only). */
const char *incd_padw(const char *s, int w)
{
    static char buf[4][128];
    static int k;
    char *b = buf[k = (k + 1) % 4];
    snprintf(b, sizeof buf[0], "%s", s ? s : "");
    size_t len = strlen(b);
    for (int cw = text_width(b); cw < w && len + 1 < sizeof buf[0]; cw++)
        b[len++] = ' ', b[len] = 0;
    return b;
}

int incd_build_incident(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    struct incident inc;
    m->now = time_now_ms();
    if (incident_get(m->st, m->sla, v->ref, m->now, &inc, err) != 0)
        return -1;
    incl_sla_seen(m, &inc.sla);
    incd_clear(v);
    incd_add(v, inc_priority_style(inc.priority), "%s  %s  %s  %s", inc.ref, inc.priority,
             inc_status_label(inc.status), inc_nz(inc.title));
    char *rc = inc_jst(inc.received);
    incd_add(v, STYLE_NORMAL, "%s %s   %s %s   %s %s", _("Received:"), rc, _("Library:"),
             inc_nz(inc.library_name), _("Channel:"), incident_channel_name(inc.channel));
    free(rc);
    incd_add(v, STYLE_NORMAL, "%s %s   %s %s   %s %d×%d", _("Reporter:"), inc_nz(inc.reporter),
             _("Category:"), incident_category_name(inc.category), _("Impact×urgency:"), inc.impact,
             inc.urgency);
    incd_add(v, STYLE_NORMAL, "%s %s   %s %s", _("Assignee:"),
             inc.assignee_name ? inc.assignee_name : inc_nz(inc.assignee_login), _("Notified:"),
             inc_nz(inc.notified_to));
    incd_text(v, _("Description:"), inc.description);
    incd_add(v, STYLE_NORMAL, "%s", "");
    incd_add(v, STYLE_HEADER, "%s", _("SLA (service hours)"));
    if (strcmp(inc.status, "draft") == 0)
        incd_add(v, STYLE_DIM, "  %s", _("a draft has no clock yet"));
    else
        for (int st = 0; st < SLA_NSTEPS; st++) {
            const struct sla_step_status *ss = &inc.sla.step[st];
            char due[32] = "-", left[24] = "-";
            if (ss->due != INT64_MAX && ss->due > 0)
                time_format_jst(ss->due * 1000, due, 0);
            if (ss->state == SLA_OK || ss->state == SLA_WARNING || ss->state == SLA_BREACHED)
                fmt_left(ss->left, left, sizeof left);
            incd_add(v, inc_sla_style(ss->state), "  %s %s %-16s  %s %-8s  %s",
                     incd_padw(sla_step_name((enum sla_step)st), 16), _("due"), due, _("left"),
                     left, sla_state_name(ss->state));
        }
    if (inc.sla.paused)
        incd_add(v, STYLE_STATUS_TODO, "  %s", _("the clock is paused"));
    incd_add(v, STYLE_NORMAL, "%s", "");
    incd_add(v, STYLE_HEADER, "%s", _("Timeline"));
    struct ledger_event *ev = NULL;
    size_t nev = 0;
    if (incident_events(m->st, inc.id, &ev, &nev, err) == 0) {
        for (size_t i = 0; i < nev; i++) {
            char *at = inc_jst(ev[i].at);
            char *head = xasprintf(
                "  %s  %s %s ", at, incd_padw(incident_status_name(ev[i].kind), 18),
                incd_padw(ev[i].operator_name ? ev[i].operator_name : inc_nz(ev[i].operator_login),
                          12));
            char *data = incident_event_text(m->st, ev[i].data);
            char sid[ID_LEN + 1];
            if (event_session_id(m->st, ev[i].data, sid) && add_session(v, sid)) {
                char *d2 = xasprintf("%s  %s", data, _("(Enter plays it)"));
                free(data);
                data = d2;
            }
            char *text = xasprintf("%s%s%s", ev[i].note ? ev[i].note : "",
                                   ev[i].note && *ev[i].note && *data ? "  " : "", data);
            incd_note(v, strcmp(ev[i].kind, "sla_breached") == 0 ? STYLE_STATUS_NG : STYLE_NORMAL,
                      head, text);
            free(text);
            free(data);
            free(head);
            free(at);
        }
        ledger_events_free(ev, nev);
    } else {
        drop_err(err);
    }
    incd_add(v, STYLE_NORMAL, "%s", "");
    incd_add(v, STYLE_HEADER, "%s", _("Links"));
    struct ledger_link *ln = NULL;
    size_t nl = 0;
    if (incident_links(m->st, inc.id, &ln, &nl, err) == 0) {
        if (nl == 0)
            incd_add(v, STYLE_DIM, "  %s", _("(none)"));
        for (size_t i = 0; i < nl; i++) {
            if (strcmp(ln[i].kind, "ssh_session") == 0 && ln[i].id)
                add_session(v, ln[i].id);
            incd_add(v, STYLE_NORMAL, "  %s %s  %s", incd_padw(label_link_kind(ln[i].kind), 10),
                     inc_nz(ln[i].label), ln[i].note ? ln[i].note : "");
        }
        ledger_links_free(ln, nl);
    } else {
        drop_err(err);
    }
    incd_keys(
        v, _("i isolated  e escalate  f first response  S second response  r recovered  c closed  "
             "o reopen  p/u pause/resume  T notified  t note  l link problem  x console on a host  "
             "Enter play a session  Esc back"));
    incident_clear(&inc);
    return 0;
}

void incd_draw(struct inc_model *m, const struct ui_canvas *c)
{
    struct views *v = m->v;
    int h = c->h - 1;
    if (v->scroll > v->nlines - h)
        v->scroll = v->nlines - h > 0 ? v->nlines - h : 0;
    for (int y = 0; y < h && v->scroll + y < v->nlines; y++) {
        const struct dline *d = &v->lines[v->scroll + y];
        ui_put(c, y, 1, c->w - 1, d->style, d->text);
    }
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, inc_view_strip(v->view));
}

int incd_scroll(struct inc_model *m, const char *a)
{
    struct views *v = m->v;
    int h = m->table.height > 0 ? m->table.height : 20;
    if (strcmp(a, "down") == 0)
        v->scroll++;
    else if (strcmp(a, "up") == 0)
        v->scroll = v->scroll > 0 ? v->scroll - 1 : 0;
    else if (strcmp(a, "page-down") == 0 || strcmp(a, "half-down") == 0)
        v->scroll += h / 2;
    else if (strcmp(a, "page-up") == 0 || strcmp(a, "half-up") == 0)
        v->scroll = v->scroll > h / 2 ? v->scroll - h / 2 : 0;
    else if (strcmp(a, "top") == 0)
        v->scroll = 0;
    else if (strcmp(a, "bottom") == 0)
        v->scroll = v->nlines;
    else
        return 0;
    return 1;
}

/* ---- workflow actions ---- */
struct step_ctx {
    char step[24];
    char ref[24];
};

static void done_msg(const char *ref, const char *what)
{
    ui_message(_("%s: %s recorded"), ref, what);
}

static int incident_step_cb(const char *text, void *data, char **err)
{
    struct step_ctx *c = data;
    struct inc_model *m = inc_cur;
    struct incident_step_args a = {0};
    if (strcmp(c->step, "notified") == 0)
        a.to = text;
    else if (strcmp(c->step, "escalated") == 0 || strcmp(c->step, "assigned") == 0)
        a.assignee = text;
    else
        a.note = *text ? text : NULL;
    if (incident_step(m->st, m->sla, c->ref, c->step, &a, err) != 0)
        return -1;
    done_msg(c->ref, incident_status_name(c->step));
    inc_refresh(m);
    return 0;
}

static void ask_step_of(const char *ref, const char *step, const char *label, int required)
{
    struct step_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->step, sizeof c->step, "%s", step);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    char *title = xasprintf("%s: %s", ref, incident_status_name(step));
    ui_prompt(title, label, "", required, incident_step_cb, c, free);
    free(title);
}

static void ask_step(struct inc_model *m, const char *step, const char *label, int required)
{
    const char *ref = inc_selected_ref(m);
    if (ref)
        ask_step_of(ref, step, label, required);
}

static void notified_answer(int yes, void *data)
{
    char *ref = data;
    if (yes)
        ask_step_of(ref, "notified", _("Told whom (name, department)"), 1);
    free(ref);
}

/* "The library was notified" cannot be undone: ask first, naming the incident. */
static void ask_notified(struct inc_model *m)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    char *q =
        xasprintf(_("%s: record that the library was notified? It cannot be undone. (y/n)"), ref);
    ui_confirm(q, notified_answer, xstrdup(ref));
    free(q);
}

/* Engineers for escalation. */
struct pick_ctx {
    char ref[24];
    char **logins;
    int n;
};

static void escalate_picked(int index, void *data)
{
    struct pick_ctx *c = data;
    if (index >= 0 && index < c->n) {
        char *err = NULL;
        struct incident_step_args a = {.assignee = c->logins[index]};
        if (incident_step(inc_cur->st, inc_cur->sla, c->ref, "escalated", &a, &err) != 0)
            ui_error_take(err);
        else {
            char *name = operator_display_name(inc_cur->st, c->logins[index]);
            ui_message(_("%s: escalated to %s"), c->ref, name);
            free(name);
            inc_refresh(inc_cur);
        }
    }
    for (int i = 0; i < c->n; i++)
        free(c->logins[i]);
    free(c->logins);
    free(c);
}

static void pick_engineer(struct inc_model *m)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    struct incident_choice *eng = NULL;
    size_t n = 0;
    char *err = NULL;
    if (incident_engineers(m->st, &eng, &n, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (n == 0) {
        ui_error("%s", _("no engineer to escalate to (operators with role engineer)"));
        return;
    }
    struct pick_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    c->n = (int)n;
    c->logins = xcalloc(n, sizeof *c->logins);
    char **labels = xcalloc(n, sizeof *labels);
    for (size_t i = 0; i < n; i++) {
        c->logins[i] = xstrdup(eng[i].key);
        labels[i] = xasprintf("%s  %s", eng[i].key, eng[i].name);
    }
    incident_choices_free(eng, n);
    char *title = xasprintf(_("%s: escalate to"), ref);
    ui_pick(title, (const char *const *)labels, c->n, escalate_picked, c);
    free(title);
    for (int i = 0; i < c->n; i++)
        free(labels[i]);
    free(labels);
}

/* Link to a problem: pick from the open problems. */
struct prb_pick {
    char ref[24];
    struct problem *p;
    size_t n;
};

static void problem_picked(int index, void *data)
{
    struct prb_pick *c = data;
    if (index >= 0 && (size_t)index < c->n) {
        char *err = NULL;
        if (problem_link_incident(inc_cur->st, c->p[index].ref, c->ref, &err) != 0)
            ui_error_take(err);
        else {
            ui_message(_("%s linked to %s"), c->ref, c->p[index].ref);
            inc_refresh(inc_cur);
        }
    }
    problem_list_free(c->p, c->n);
    free(c);
}

static void pick_problem(struct inc_model *m)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    struct prb_pick *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    char *err = NULL;
    if (problem_list(m->st, NULL, 200, &c->p, &c->n, &err) != 0 || c->n == 0) {
        if (err)
            ui_error_take(err);
        else
            ui_error("%s", _("no problem to link to (create one in the Problems view: v, +)"));
        problem_list_free(c->p, c->n);
        free(c);
        return;
    }
    char **labels = xcalloc(c->n, sizeof *labels);
    for (size_t i = 0; i < c->n; i++)
        labels[i] = xasprintf("%s  %s  %s", c->p[i].ref, problem_status_name(c->p[i].status),
                              inc_nz(c->p[i].title));
    char *title = xasprintf(_("%s: link to the problem"), ref);
    ui_pick(title, (const char *const *)labels, (int)c->n, problem_picked, c);
    free(title);
    for (size_t i = 0; i < c->n; i++)
        free(labels[i]);
    free(labels);
}

/* ---- consoles ---- */
/* x: a console on a host of the incident, linked to it (Consoles pane). */
struct con_pick {
    char ref[24];
    char **hosts;
    int n;
};

static void con_pick_free(void *data)
{
    struct con_pick *c = data;
    for (int i = 0; i < c->n; i++)
        free(c->hosts[i]);
    free(c->hosts);
    free(c);
}

static void open_console_on(const char *ref, const char *host)
{
    char *err = NULL;
    if (consoles_open_host_for(host, "incident", ref, "incidents", &err) != 0)
        ui_error_take(err);
}

static void console_picked(int index, void *data)
{
    struct con_pick *c = data;
    if (index >= 0 && index < c->n)
        open_console_on(c->ref, c->hosts[index]);
}

static void open_console(struct inc_model *m)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    char id[ID_LEN + 1], *err = NULL;
    struct ledger_link *ln = NULL;
    size_t nl = 0;
    if (incident_resolve(m->st, ref, id, &err) != 0 ||
        incident_links(m->st, id, &ln, &nl, &err) != 0) {
        ui_error_take(err);
        return;
    }
    struct con_pick *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    for (size_t i = 0; i < nl; i++)
        if (strcmp(ln[i].kind, "host") == 0 && ln[i].label && *ln[i].label) {
            c->hosts = xrealloc(c->hosts, (size_t)(c->n + 1) * sizeof *c->hosts);
            c->hosts[c->n++] = xstrdup(ln[i].label);
        }
    ledger_links_free(ln, nl);
    if (c->n == 1) {
        open_console_on(c->ref, c->hosts[0]);
        con_pick_free(c);
        return;
    }
    char *title;
    if (c->n > 1) {
        title = xasprintf(_("%s: a console on which affected host?"), ref);
    } else { /* no affected host recorded: the inventory */
        struct host *h = NULL;
        size_t nh = 0;
        if (host_list(m->st, &h, &nh, &err) != 0) {
            ui_error_take(err);
            con_pick_free(c);
            return;
        }
        for (size_t i = 0; i < nh; i++) {
            c->hosts = xrealloc(c->hosts, (size_t)(c->n + 1) * sizeof *c->hosts);
            c->hosts[c->n++] = xstrdup(h[i].name);
        }
        host_list_free(h, nh);
        if (c->n == 0) {
            ui_error("%s", _("no host in the inventory: add one in the Hosts pane"));
            con_pick_free(c);
            return;
        }
        title = xasprintf(_("%s: no affected host recorded; a console on which host?"), ref);
    }
    ui_pick_ex(title, (const char *const *)c->hosts, c->n, console_picked, NULL, c, con_pick_free);
    free(title);
}

/* Enter: play a console session of the incident. */
static void play_picked(int index, void *data)
{
    char **ids = data;
    int n = 0;
    while (ids[n])
        n++;
    if (index >= 0 && index < n) {
        char *err = NULL;
        if (session_player_open(inc_cur->st, ids[index], &err) != 0)
            ui_error_take(err);
    }
}

static void ids_free(void *data)
{
    char **ids = data;
    for (int i = 0; ids[i]; i++)
        free(ids[i]);
    free(ids);
}

void incd_play(struct inc_model *m)
{
    struct views *v = m->v;
    char *err = NULL;
    if (v->nsess == 0) {
        ui_message("%s", _("no console session in this incident: x opens one on its host"));
        return;
    }
    if (v->nsess == 1) {
        if (session_player_open(m->st, v->sess[0], &err) != 0)
            ui_error_take(err);
        return;
    }
    char **ids = xcalloc((size_t)v->nsess + 1, sizeof *ids);
    char **labels = xcalloc((size_t)v->nsess, sizeof *labels);
    for (int i = 0; i < v->nsess; i++) {
        ids[i] = xstrdup(v->sess[i]);
        if (session_label(m->st, v->sess[i], &labels[i], &err) != 0 || !labels[i]) {
            free(err);
            err = NULL;
            labels[i] = xstrdup(v->sess[i]);
        }
    }
    char *title = xasprintf(_("%s: play which session?"), v->ref);
    ui_pick_ex(title, (const char *const *)labels, v->nsess, play_picked, NULL, ids, ids_free);
    free(title);
    for (int i = 0; i < v->nsess; i++)
        free(labels[i]);
    free(labels);
}

int incd_incident_keys(struct inc_model *m, const char *a)
{
    if (strcmp(a, "incidents.isolated") == 0)
        ask_step(m, "isolated", _("Note (what was found; optional)"), 0);
    else if (strcmp(a, "incidents.escalate") == 0)
        pick_engineer(m);
    else if (strcmp(a, "incidents.first") == 0)
        ask_step(m, "first_response", _("Note (what was done; optional)"), 0);
    else if (strcmp(a, "incidents.second") == 0)
        ask_step(m, "second_response", _("Note (what was done; optional)"), 0);
    else if (strcmp(a, "incidents.recovered") == 0)
        ask_step(m, "recovered", _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.closed") == 0)
        ask_step(m, "closed", _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.reopen") == 0)
        ask_step(m, "reopened", _("Why (optional)"), 0);
    else if (strcmp(a, "incidents.pause") == 0)
        ask_step(m, "paused", _("Reason (waiting for whom)"), 1);
    else if (strcmp(a, "incidents.resume") == 0)
        ask_step(m, "resumed", _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.notified") == 0)
        ask_notified(m);
    else if (strcmp(a, "incidents.note") == 0)
        ask_step(m, "note", _("Note"), 1);
    else if (strcmp(a, "incidents.link") == 0)
        pick_problem(m);
    else if (strcmp(a, "incidents.console") == 0)
        open_console(m);
    else
        return 0;
    return 1;
}
