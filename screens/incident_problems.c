/* Incidents pane: the problem view (問題管理; src/problems.h): the list, a
 * problem's detail and its fields (root cause, workaround, permanent
 * measure, prevention), links to incidents, knowledge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "incident_views.h"
#include "incidents_int.h"
#include "timefmt.h"
#include "util.h"

static struct table_col pcols[5];

/* A section that cannot be read is left out: its error is not shown. */
static void drop_err(char **err)
{
    free(*err);
    *err = NULL;
}

/* ---- the list: the rows read, in the order the shared list keys give ---- */
static const char *const p_sort_names[] = {"created", "status"};
static const char *const p_sort_labels[] = {N_("created"), N_("status")};
static const int p_col_sort[5] = {-1, 1, -1, -1, -1}; /* header clicks */

static const struct problem *p_sort_rows;

static int p_cmp(const void *a, const void *b)
{
    const struct problem *x = &p_sort_rows[*(const size_t *)a];
    const struct problem *y = &p_sort_rows[*(const size_t *)b];
    return strcmp(x->status ? x->status : "", y->status ? y->status : "");
}

/* The visible order: the rows matching the filter, sorted (created: as read,
 * newest first). */
static void p_rebuild(void *data)
{
    struct inc_model *m = data;
    struct views *v = m->v;
    free(v->pidx);
    v->pidx = xcalloc(v->np ? v->np : 1, sizeof *v->pidx);
    v->npidx = 0;
    for (size_t i = 0; i < v->np; i++) {
        const struct problem *pb = &v->prows[i];
        const char *fields[] = {pb->ref, problem_status_name(pb->status), pb->owner_login,
                                pb->title};
        if (ui_list_match(&v->pl, fields, sizeof fields / sizeof *fields))
            v->pidx[v->npidx++] = i;
    }
    p_sort_rows = v->prows;
    ui_list_order(&v->pl, v->pidx, v->npidx, v->pl.sort == 1 ? p_cmp : NULL);
    p_sort_rows = NULL;
    v->pt.sort_col = v->pl.sort == 1 ? 1 : -1;
    v->pt.sort_desc = v->pl.desc;
    table_reset(&v->pt);
}

static long p_count(void *data)
{
    struct inc_model *m = data;
    return (long)m->v->npidx;
}

static long p_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct inc_model *m = data;
    long got = 0;
    for (long i = 0; i < n && from + i < (long)m->v->npidx; i++, got++) {
        const struct problem *pb = &m->v->prows[m->v->pidx[from + i]];
        struct table_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->cell[0] = xstrdup(pb->ref);
        r->cell[1] = xstrdup(problem_status_name(pb->status));
        r->cell[2] = xasprintf("%d", pb->incidents);
        r->cell[3] = inc_dup0(pb->owner_login);
        r->cell[4] = inc_dup0(pb->title);
    }
    return got;
}

void incp_load(struct inc_model *m)
{
    struct views *v = m->v;
    problem_list_free(v->prows, v->np);
    v->prows = NULL;
    v->np = 0;
    char *err = NULL;
    if (problem_list(m->st, NULL, SIMPLE_LIMIT, &v->prows, &v->np, &err) != 0)
        ui_error_take(err);
    p_rebuild(m);
}

void incp_init(struct inc_model *m)
{
    /* the title keeps its cells; the owner and the count are hidden whole first */
    pcols[0] = (struct table_col){_("Ref"), 8, 22, 0, 0, 0, 0};
    pcols[1] = (struct table_col){_("Status"), 6, 16, 0, 0, 0, 0};
    pcols[2] = (struct table_col){_("Incidents"), 3, 9, 0, 1, 0, 2};
    pcols[3] = (struct table_col){_("Owner"), 4, 12, 0, 0, 0, 1};
    pcols[4] = (struct table_col){_("Title"), 10, 0, 1, 0, TABLE_KEEP_TITLE, 0};
    table_init(&m->v->pt, pcols, 5, (struct table_source){p_count, p_fetch, m});
    ui_list_init(&m->v->pl, &m->v->pt, p_sort_names, 2, p_rebuild, m);
    m->v->pl.sort_labels = p_sort_labels;
    m->v->pl.col_sort = p_col_sort;
    m->v->pl.header_rows = 0; /* the table starts at the pane's top */
    m->v->pt.sort_col = -1;
}

void incp_free(struct inc_model *m)
{
    table_free(&m->v->pt);
    ui_list_free(&m->v->pl);
    problem_list_free(m->v->prows, m->v->np);
    m->v->prows = NULL;
    m->v->np = 0;
    free(m->v->pidx);
    m->v->pidx = NULL;
    m->v->npidx = 0;
}

int incp_build_detail(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    struct problem pb;
    if (problem_get(m->st, v->ref, &pb, err) != 0)
        return -1;
    incd_clear(v);
    incd_add(v, STYLE_HEADER, "%s  %s  %s", pb.ref, problem_status_name(pb.status),
             inc_nz(pb.title));
    incd_add(v, STYLE_NORMAL, "%s %s   %s %s", _("Owner:"), inc_nz(pb.owner_login), _("Knowledge:"),
             pb.knowledge_id ? _("published") : "-");
    incd_text(v, _("Description:"), pb.description);
    incd_text(v, _("Root cause:"), pb.root_cause);
    incd_text(v, _("Workaround:"), pb.workaround);
    incd_text(v, _("Permanent measure:"), pb.permanent_measure);
    if (pb.prevention_status || pb.prevention_due)
        incd_add(v, STYLE_NORMAL, "%s %s (%s %s)", _("Prevention:"), inc_nz(pb.prevention_status),
                 _("due"), inc_nz(pb.prevention_due));
    incd_add(v, STYLE_NORMAL, "%s", "");
    incd_add(v, STYLE_HEADER, "%s", _("Linked incidents"));
    char **lines = NULL;
    size_t n = 0;
    if (problem_incidents(m->st, pb.id, &lines, &n, err) == 0) {
        if (n == 0)
            incd_add(v, STYLE_DIM, "  %s", _("(none)"));
        for (size_t i = 0; i < n; i++) {
            incd_add(v, STYLE_NORMAL, "  %s", lines[i]);
            free(lines[i]);
        }
        free(lines);
    } else {
        drop_err(err);
    }
    incd_keys(v, _("R root cause  w workaround  m permanent measure  P prevention  A next status  "
                   "L link incident  K publish as knowledge  Esc back"));
    problem_clear(&pb);
    return 0;
}

static int new_problem_cb(struct ui_form *f, void *data, char **err)
{
    (void)data;
    char *title = ui_field_value(ui_form_field(f, 0));
    char *desc = ui_field_value(ui_form_field(f, 1));
    char ref[24] = "";
    int rc = problem_create(inc_cur->st, title, desc, NULL, NULL, ref, err);
    free(title), free(desc);
    if (rc != 0)
        return -1;
    ui_message(_("%s created"), ref);
    inc_refresh(inc_cur);
    return 0;
}

void incp_new(void)
{
    struct ui_form *f = ui_form_new(_("New problem"), new_problem_cb, NULL);
    ui_form_text(f, _("Title"), "", 1);
    ui_form_text(f, _("Description"), "", 0);
    ui_form_show(f);
}

/* ---- problem actions ---- */
struct p_ctx {
    char ref[24];
    char what; /* R root cause, w workaround, m measure, P prevention, L link, k publish */
};

static int problem_cb(const char *text, void *data, char **err)
{
    struct p_ctx *c = data;
    struct store *st = inc_cur->st;
    struct problem_update u = {0};
    int rc;
    switch (c->what) {
    case 'L':
        rc = problem_link_incident(st, c->ref, text, err);
        break;
    case 'k':
        rc = problem_publish(st, c->ref, *text ? text : NULL, NULL, err);
        break;
    default:
        if (c->what == 'R')
            u.root_cause = text;
        else if (c->what == 'w')
            u.workaround = text;
        else if (c->what == 'm')
            u.permanent_measure = text;
        else
            u.prevention_status = text;
        rc = problem_update(st, c->ref, &u, err);
    }
    if (rc != 0)
        return -1;
    ui_message(_("%s: saved"), c->ref);
    inc_refresh(inc_cur);
    return 0;
}

static void ask_problem(struct inc_model *m, char what, const char *label)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    const char *initial = "";
    struct problem pb;
    char *err = NULL;
    int have = problem_get(m->st, ref, &pb, &err) == 0;
    free(err);
    if (have)
        initial = what == 'R'   ? (pb.root_cause ? pb.root_cause : "")
                  : what == 'w' ? (pb.workaround ? pb.workaround : "")
                  : what == 'm' ? (pb.permanent_measure ? pb.permanent_measure : "")
                  : what == 'P' ? (pb.prevention_status ? pb.prevention_status : "")
                                : "";
    struct p_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    c->what = what;
    char *t = xasprintf("%s: %s", ref, label);
    ui_prompt(t, label, initial, what != 'k', problem_cb, c, free);
    free(t);
    if (have)
        problem_clear(&pb);
}

static void advance_problem(struct inc_model *m)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    char r[24];
    snprintf(r, sizeof r, "%s", ref);
    struct problem pb;
    char *err = NULL;
    if (problem_get(m->st, r, &pb, &err) != 0) {
        ui_error_take(err);
        return;
    }
    const char *next = problem_next_status(pb.status);
    problem_clear(&pb);
    if (!next) {
        ui_error(_("%s is at its last status"), r);
        return;
    }
    struct problem_update u = {.status = next};
    if (problem_update(m->st, r, &u, &err) != 0)
        ui_error_take(err);
    else {
        ui_message(_("%s: %s"), r, problem_status_name(next));
        inc_refresh(m);
    }
}

int incp_keys(struct inc_model *m, const char *a)
{
    if (strcmp(a, "incidents.review") == 0)
        ask_problem(m, 'R', _("Root cause"));
    else if (strcmp(a, "incidents.answer") == 0)
        ask_problem(m, 'w', _("Workaround"));
    else if (strcmp(a, "incidents.measure") == 0)
        ask_problem(m, 'm', _("Permanent measure"));
    else if (strcmp(a, "incidents.prevention") == 0)
        ask_problem(m, 'P', _("Recurrence prevention"));
    else if (strcmp(a, "incidents.link-incident") == 0)
        ask_problem(m, 'L', _("Incident (INC-…)"));
    else if (strcmp(a, "incidents.publish") == 0)
        ask_problem(m, 'k', _("Keywords (optional)"));
    else if (strcmp(a, "incidents.advance") == 0)
        advance_problem(m);
    else
        return 0;
    return 1;
}
