/* Incidents pane: the inquiry view (問い合わせ; src/inquiries.h): the list,
 * an inquiry's detail and its workflow (draft, review, answer, convert to an
 * incident, close). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "incident_views.h"
#include "incidents_int.h"
#include "operators.h"
#include "timefmt.h"
#include "util.h"

static struct table_col qcols[5];

/* A section that cannot be read is left out: its error is not shown. */
static void drop_err(char **err)
{
    free(*err);
    *err = NULL;
}

/* ---- the list: the rows read, in the order the shared list keys give ---- */
static const char *const q_sort_names[] = {"received", "status"};
static const char *const q_sort_labels[] = {N_("received"), N_("status")};
static const int q_col_sort[5] = {-1, 0, -1, 1, -1}; /* header clicks */

static const struct inquiry *q_sort_rows;

static int q_cmp(const void *a, const void *b)
{
    const struct inquiry *x = &q_sort_rows[*(const size_t *)a];
    const struct inquiry *y = &q_sort_rows[*(const size_t *)b];
    return strcmp(x->status ? x->status : "", y->status ? y->status : "");
}

/* The visible order: the rows matching the filter, sorted (received: as
 * read, newest first). */
static void q_rebuild(void *data)
{
    struct inc_model *m = data;
    struct views *v = m->v;
    free(v->qidx);
    v->qidx = xcalloc(v->nq ? v->nq : 1, sizeof *v->qidx);
    v->nqidx = 0;
    for (size_t i = 0; i < v->nq; i++) {
        const struct inquiry *q = &v->qrows[i];
        const char *fields[] = {q->ref, q->library_name, inquiry_status_name(q->status), q->title};
        if (ui_list_match(&v->ql, fields, sizeof fields / sizeof *fields))
            v->qidx[v->nqidx++] = i;
    }
    q_sort_rows = v->qrows;
    ui_list_order(&v->ql, v->qidx, v->nqidx, v->ql.sort == 1 ? q_cmp : NULL);
    q_sort_rows = NULL;
    v->qt.sort_col = v->ql.sort == 1 ? 3 : 1;
    v->qt.sort_desc = v->ql.sort == 1 ? v->ql.desc : !v->ql.desc;
    table_reset(&v->qt);
}

static long q_count(void *data)
{
    struct inc_model *m = data;
    return (long)m->v->nqidx;
}

static long q_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct inc_model *m = data;
    long got = 0;
    for (long i = 0; i < n && from + i < (long)m->v->nqidx; i++, got++) {
        const struct inquiry *q = &m->v->qrows[m->v->qidx[from + i]];
        struct table_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->cell[0] = xstrdup(q->ref);
        r->cell[1] = inc_jst(q->received);
        r->cell[2] = inc_dup0(q->library_name);
        r->cell[3] = xstrdup(inquiry_status_name(q->status));
        r->cell[4] = inc_dup0(q->title);
        if (q->status && (strcmp(q->status, "drafted") == 0 || strcmp(q->status, "in_review") == 0))
            r->cell_style[3] = STYLE_STATUS_TODO;
    }
    return got;
}

void incq_load(struct inc_model *m)
{
    struct views *v = m->v;
    inquiry_list_free(v->qrows, v->nq);
    v->qrows = NULL;
    v->nq = 0;
    struct inquiry_filter f = {.limit = SIMPLE_LIMIT};
    int partial = 0;
    char *err = NULL;
    if (inquiry_list(m->st, &f, &v->qrows, &v->nq, &partial, &err) != 0)
        ui_error_take(err);
    q_rebuild(m);
}

void incq_init(struct inc_model *m)
{
    /* as the incidents list: the title keeps its cells, the time and the library
     * are hidden whole first */
    qcols[0] = (struct table_col){_("Ref"), 8, 22, 0, 0, 0, 0};
    qcols[1] = (struct table_col){_("Received (JST)"), 16, 16, 0, 0, 0, 1};
    qcols[2] = (struct table_col){_("Library"), 6, 16, 0, 0, 0, 2};
    qcols[3] = (struct table_col){_("Status"), 6, 14, 0, 0, 0, 0};
    qcols[4] = (struct table_col){_("Title"), 10, 0, 1, 0, TABLE_KEEP_TITLE, 0};
    table_init(&m->v->qt, qcols, 5, (struct table_source){q_count, q_fetch, m});
    ui_list_init(&m->v->ql, &m->v->qt, q_sort_names, 2, q_rebuild, m);
    m->v->ql.sort_labels = q_sort_labels;
    m->v->ql.col_sort = q_col_sort;
    m->v->ql.header_rows = 0; /* the table starts at the pane's top */
    m->v->qt.sort_col = 1;
    m->v->qt.sort_desc = 1;
}

void incq_free(struct inc_model *m)
{
    table_free(&m->v->qt);
    ui_list_free(&m->v->ql);
    inquiry_list_free(m->v->qrows, m->v->nq);
    m->v->qrows = NULL;
    m->v->nq = 0;
    free(m->v->qidx);
    m->v->qidx = NULL;
    m->v->nqidx = 0;
}

int incq_build_detail(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    struct inquiry q;
    if (inquiry_get(m->st, v->ref, &q, err) != 0)
        return -1;
    incd_clear(v);
    incd_add(v, STYLE_HEADER, "%s  %s  %s", q.ref, inquiry_status_name(q.status), inc_nz(q.title));
    char *rc = inc_jst(q.received);
    incd_add(v, STYLE_NORMAL, "%s %s   %s %s   %s %s   %s %s", _("Received:"), rc, _("Library:"),
             inc_nz(q.library_name), _("Channel:"), incident_channel_name(q.channel),
             _("Reporter:"), inc_nz(q.reporter));
    free(rc);
    incd_text(v, _("Question:"), q.question);
    if (q.draft_answer) {
        char *l = xasprintf(_("Draft answer (by %s):"), inc_nz(q.draft_by_login));
        incd_text(v, l, q.draft_answer);
        free(l);
    }
    if (q.reviewer_login)
        incd_add(v, STYLE_NORMAL, "%s %s", _("Reviewer:"), q.reviewer_login);
    incd_text(v, _("Answer sent:"), q.answer);
    if (q.incident_ref)
        incd_add(v, STYLE_NORMAL, "%s %s", _("Converted to:"), q.incident_ref);
    incd_add(v, STYLE_NORMAL, "%s", "");
    incd_add(v, STYLE_HEADER, "%s", _("Timeline"));
    struct ledger_event *ev = NULL;
    size_t nev = 0;
    if (inquiry_events(m->st, q.id, &ev, &nev, err) == 0) {
        for (size_t i = 0; i < nev; i++) {
            char *at = inc_jst(ev[i].at);
            char *who = ev[i].operator_login ? operator_display_name(m->st, ev[i].operator_login)
                                             : xstrdup("");
            char *head =
                xasprintf("  %s  %s %s ", at, incd_padw(inquiry_status_name(ev[i].kind), 16),
                          incd_padw(who, 12));
            free(who);
            char *data = incident_event_text(m->st, ev[i].data);
            char *text = xasprintf("%s%s%s", ev[i].note ? ev[i].note : "",
                                   ev[i].note && *ev[i].note && *data ? "  " : "", data);
            incd_note(v, STYLE_NORMAL, head, text);
            free(text);
            free(data);
            free(head);
            free(at);
        }
        ledger_events_free(ev, nev);
    } else {
        drop_err(err);
    }
    incd_keys(v,
              _("i investigating  d draft answer  R ask for review  a approve  b return  w answer "
                "sent  C convert to incident  c close  t note  Esc back"));
    inquiry_clear(&q);
    return 0;
}

/* ---- inquiry actions ---- */
struct q_ctx {
    char ref[24];
    char what; /* d draft, a approve, b return, w answer, t note, n new, c close */
};

static int inquiry_cb(const char *text, void *data, char **err)
{
    struct q_ctx *c = data;
    struct store *st = inc_cur->st;
    int rc;
    switch (c->what) {
    case 'd':
        rc = inquiry_draft(st, c->ref, text, err);
        break;
    case 'a':
        rc = inquiry_review(st, c->ref, 1, *text ? text : NULL, NULL, err);
        break;
    case 'b':
        rc = inquiry_review(st, c->ref, 0, text, NULL, err);
        break;
    case 'w':
        rc = inquiry_answer(st, c->ref, *text ? text : NULL, err);
        break;
    case 'c':
        rc = inquiry_step(st, c->ref, "closed", *text ? text : NULL, err);
        break;
    default:
        rc = inquiry_step(st, c->ref, "note", text, err);
    }
    if (rc != 0)
        return -1;
    ui_message(_("%s: saved"), c->ref);
    inc_refresh(inc_cur);
    return 0;
}

static void ask_inquiry(struct inc_model *m, char what, const char *title, const char *label,
                        int required)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    const char *initial = "";
    struct inquiry q;
    char *err = NULL;
    int have = 0;
    if (what == 'd' && inquiry_get(m->st, ref, &q, &err) == 0) {
        have = 1;
        initial = q.draft_answer ? q.draft_answer : "";
    }
    free(err);
    struct q_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    c->what = what;
    char *t = xasprintf("%s: %s", ref, title);
    ui_prompt(t, label, initial, required, inquiry_cb, c, free);
    free(t);
    if (have)
        inquiry_clear(&q);
}

static void inquiry_simple_step(struct inc_model *m, const char *step)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    char *err = NULL;
    char r[24];
    snprintf(r, sizeof r, "%s", ref);
    if (inquiry_step(m->st, r, step, NULL, &err) != 0)
        ui_error_take(err);
    else {
        ui_message(_("%s: %s recorded"), r, inquiry_status_name(step));
        inc_refresh(m);
    }
}

struct conv_ctx {
    char ref[24];
};

static int convert_cb(struct ui_form *f, void *data, char **err)
{
    struct conv_ctx *c = data;
    int impact = ui_form_field(f, 0)->choice + 1, urgency = ui_form_field(f, 1)->choice + 1;
    const char *cat = incident_categories[ui_form_field(f, 2)->choice];
    char iref[24] = "";
    if (inquiry_convert(inc_cur->st, inc_cur->sla, c->ref, impact, urgency, cat, iref, err) != 0)
        return -1;
    ui_message(_("%s converted to incident %s"), c->ref, iref);
    inc_refresh(inc_cur);
    return 0;
}

static const char *const level_labels[] = {"1", "2", "3"};
static const char *cat_labels[16];

static void convert_inquiry(struct inc_model *m)
{
    const char *ref = inc_selected_ref(m);
    if (!ref)
        return;
    struct conv_ctx *c = xcalloc(1, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", ref);
    int nc = 0;
    for (; incident_categories[nc] && nc < 15; nc++)
        cat_labels[nc] = incident_category_name(incident_categories[nc]);
    char *t = xasprintf(_("%s: convert to an incident"), ref);
    struct ui_form *f = ui_form_new(t, convert_cb, c);
    free(t);
    ui_form_choice(f, _("Impact (1 high)"), level_labels, 3, 1);
    ui_form_choice(f, _("Urgency (1 high)"), level_labels, 3, 1);
    ui_form_choice(f, _("Category"), cat_labels, nc, nc - 1);
    ui_form_set_data_free(f, free);
    ui_form_show(f);
}

/* The new inquiry form. */
struct lib_choices {
    char **codes;
    const char **names;
    int n;
};

static void lib_choices_free(void *data)
{
    struct lib_choices *l = data;
    for (int i = 0; i < l->n; i++) {
        free(l->codes[i]);
        free((char *)l->names[i]);
    }
    free(l->codes);
    free(l->names);
    free(l);
}

static const char *chan_labels[16];

static int new_inquiry_cb(struct ui_form *f, void *data, char **err)
{
    struct lib_choices *l = data;
    struct inquiry_new in = {0};
    char *rep = ui_field_value(ui_form_field(f, 2));
    char *title = ui_field_value(ui_form_field(f, 3));
    char *qtext = ui_field_value(ui_form_field(f, 4));
    in.library = l->n ? l->codes[ui_form_field(f, 0)->choice] : NULL;
    in.channel = incident_channels[ui_form_field(f, 1)->choice];
    in.reporter = rep;
    in.title = title;
    in.question = qtext;
    char ref[24] = "";
    int rc = inquiry_create(inc_cur->st, &in, NULL, ref, err);
    free(rep), free(title), free(qtext);
    if (rc != 0)
        return -1;
    ui_message(_("%s received"), ref);
    inc_refresh(inc_cur);
    return 0;
}

void incq_new(struct inc_model *m)
{
    struct lib_choices *l = xcalloc(1, sizeof *l);
    struct incident_choice *c = NULL;
    size_t n = 0;
    char *err = NULL;
    if (incident_library_choices(m->st, &c, &n, &err) != 0) {
        free(l);
        ui_error_take(err);
        return;
    }
    l->n = (int)n;
    l->codes = xcalloc(n ? n : 1, sizeof *l->codes);
    l->names = xcalloc(n ? n : 1, sizeof *l->names);
    for (size_t i = 0; i < n; i++) {
        l->codes[i] = xstrdup(c[i].key);
        l->names[i] = xstrdup(c[i].name);
    }
    incident_choices_free(c, n);
    int nch = 0;
    for (; incident_channels[nch] && nch < 15; nch++)
        chan_labels[nch] = incident_channel_name(incident_channels[nch]);
    struct ui_form *f = ui_form_new(_("New inquiry"), new_inquiry_cb, l);
    ui_form_choice(f, _("Library"), l->names, l->n, 0);
    ui_form_choice(f, _("Channel"), chan_labels, nch, 0);
    ui_form_text(f, _("Reporter"), "", 0);
    ui_form_text(f, _("Title"), "", 1);
    ui_form_text(f, _("Question"), "", 0);
    ui_form_set_data_free(f, lib_choices_free);
    ui_form_show(f);
}

int incq_keys(struct inc_model *m, const char *a)
{
    if (strcmp(a, "incidents.isolated") == 0)
        inquiry_simple_step(m, "investigating");
    else if (strcmp(a, "incidents.draft") == 0)
        ask_inquiry(m, 'd', _("draft answer"), _("Answer"), 1);
    else if (strcmp(a, "incidents.review") == 0)
        inquiry_simple_step(m, "in_review");
    else if (strcmp(a, "incidents.approve") == 0)
        ask_inquiry(m, 'a', _("approve"), _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.return") == 0)
        ask_inquiry(m, 'b', _("return with corrections"), _("What to correct"), 1);
    else if (strcmp(a, "incidents.answer") == 0)
        ask_inquiry(m, 'w', _("answer sent"), _("Text sent (empty: the approved draft)"), 0);
    else if (strcmp(a, "incidents.convert") == 0)
        convert_inquiry(m);
    else if (strcmp(a, "incidents.closed") == 0)
        ask_inquiry(m, 'c', _("close"), _("Note (optional)"), 0);
    else if (strcmp(a, "incidents.note") == 0)
        ask_inquiry(m, 't', _("note"), _("Note"), 1);
    else
        return 0;
    return 1;
}
