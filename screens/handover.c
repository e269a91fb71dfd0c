/* Handover pane: the live summary of what the next shift must know
 * (src/handover.h), signed by the outgoing operator (S) and acknowledged by
 * the incoming one (A); c clears a carried to-do once it is done; H browses
 * the handovers signed in a month ([ and ] change the month), Enter shows
 * one. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "check_ack.h"
#include "handover.h"
#include "i18n.h"
#include "labels.h"
#include "jobs.h"
#include "changes.h"
#include "incidents.h"
#include "operators.h"
#include "screens.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_actas.h"
#include "ui_shift.h"
#include "ui_view.h"
#include "util.h"

struct ho_line {
    int style;
    char *text;
    char *item_id; /* a carried to-do's handover_items id, else NULL */
};

enum ho_view { HO_SUMMARY, HO_HISTORY, HO_RECORD };

struct ho_model {
    enum ho_view view;
    struct ho_line *lines;
    size_t n, cap;
    long top, sel;
    struct handover_records hist; /* HO_HISTORY / HO_RECORD */
    long hist_sel;
    int hist_y, hist_m; /* the month HO_HISTORY lists */
    pcre2_code *re;
    char *pattern;
    /* sign form */
    char **logins;
    const char **choice_labels;
    int nlogins;
};

/* The display name of login (operator_display_name) for a format argument: one
 * of a few rotating buffers, so a line may name several people; "" for NULL. */
static const char *person(const char *login)
{
    static char buf[4][160];
    static int k;
    if (!login)
        return "";
    char *name = operator_display_name(ui_store(), login);
    char *b = buf[k = (k + 1) % 4];
    snprintf(b, sizeof buf[0], "%s", name);
    free(name);
    return b;
}

static void lines_clear(struct ho_model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->lines[i].text);
        free(m->lines[i].item_id);
    }
    m->n = 0;
}

static void add_line(struct ho_model *m, int style, char *text)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->lines = xrealloc(m->lines, m->cap * sizeof *m->lines);
    }
    m->lines[m->n].style = style;
    m->lines[m->n].text = text;
    m->lines[m->n].item_id = NULL;
    m->n++;
}

static void add_text(struct ho_model *m, int style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_text(struct ho_model *m, int style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    add_line(m, style, s);
}

/* head (a format with one %s) and a note of any number of lines: the further
 * lines indented below the first, never a literal "\n". */
static void add_note(struct ho_model *m, int style, const char *head_fmt, const char *note)
{
    char *head = xasprintf(head_fmt, "");
    char **rows;
    size_t n = text_note_rows(head, note, &rows);
    for (size_t i = 0; i < n; i++)
        add_line(m, style, rows[i]);
    free(rows);
    free(head);
}

static void jst(const char *iso, char *out, size_t size)
{
    int64_t ms;
    out[0] = 0;
    if (iso && time_parse(iso, &ms) == 0) {
        char b[32];
        time_format_jst(ms, b, 0);
        snprintf(out, size, "%s", b);
    }
}

static void span(int64_t secs, char *out, size_t size)
{
    int64_t m = (secs < 0 ? -secs : secs) / 60;
    snprintf(out, size, "%s%lld:%02lld", secs < 0 ? "-" : "", (long long)(m / 60),
             (long long)(m % 60));
}

static int prio_style(const char *p)
{
    if (p && strcmp(p, "P1") == 0)
        return STYLE_INCIDENT_P1;
    if (p && strcmp(p, "P2") == 0)
        return STYLE_INCIDENT_P2;
    return STYLE_NORMAL;
}

static void latest_record_lines(struct ho_model *m)
{
    char today[11];
    ui_today(today);
    struct handover_records r = {0};
    char *err = NULL;
    struct civil_date d;
    civil_parse(today, &d);
    if (handover_list_month(ui_store(), d.y, d.m, &r, &err) != 0) {
        add_text(m, STYLE_ERROR, "%s", err ? err : "");
        free(err);
        return;
    }
    if (r.count == 0) {
        add_text(m, STYLE_DIM, "%s", _("No handover signed this month yet."));
    } else {
        const struct handover_record *h = &r.items[r.count - 1];
        char at[32], ack[32];
        jst(h->signed_at, at, sizeof at);
        jst(h->acked_at, ack, sizeof ack);
        add_text(m, STYLE_HEADER, _("Last handover: signed by %s at %s%s%s"),
                 h->from_name ? h->from_name : person(h->from_login), at,
                 h->to_login ? _(" for ") : "", person(h->to_login));
        if (h->acked_at)
            add_text(m, STYLE_STATUS_OK, _("  acknowledged by %s at %s"), person(h->acked_by_login),
                     ack);
        else
            add_text(m, STYLE_STATUS_NG, "%s", _("  not acknowledged yet (A acknowledges)"));
        if (h->note && *h->note)
            add_note(m, STYLE_NORMAL, _("  note: %s"), h->note);
    }
    handover_records_free(&r);
    add_line(m, STYLE_NORMAL, xstrdup(""));
}

static void build_summary(struct ho_model *m)
{
    lines_clear(m);
    latest_record_lines(m);
    struct handover_summary s = {0};
    char *err = NULL;
    if (handover_build(ui_store(), ui_calendar(), time_now_ms(), &s, &err) != 0) {
        add_text(m, STYLE_ERROR, "%s", err ? err : _("the summary could not be built"));
        free(err);
        return;
    }
    add_text(m, STYLE_HEADER, _("Open incidents (%zu)"), s.n_incidents);
    for (size_t i = 0; i < s.n_incidents; i++) {
        const struct handover_incident *x = &s.incidents[i];
        char age[48], left[96] = "";
        span(x->age_service_seconds, age, sizeof age);
        int style = prio_style(x->priority);
        if (x->has_sla_left) {
            /* Service time left before the recovery target, or how far past it. */
            char l[48];
            span(x->sla_left_seconds < 0 ? -x->sla_left_seconds : x->sla_left_seconds, l, sizeof l);
            if (x->sla_left_seconds < 0) {
                snprintf(left, sizeof left, _(", recovery target overrun by %s"), l);
                style = STYLE_OVERDUE;
            } else {
                snprintf(left, sizeof left, _(", SLA left %s"), l);
            }
        }
        add_text(m, style, "  %s %s %s — %s, %s %s%s", x->priority, x->ref, x->title,
                 incident_status_name(x->status), _("age"), age, left);
    }
    add_line(m, STYLE_NORMAL, xstrdup(""));
    size_t counted = s.n_checks - s.n_checks_acked - s.n_checks_downtime;
    if (s.n_checks_acked || s.n_checks_downtime)
        add_text(
            m, STYLE_HEADER,
            _("Checklist not done or NG (%zu; not counted: %zu acknowledged, %zu in downtime)"),
            counted, s.n_checks_acked, s.n_checks_downtime);
    else
        add_text(m, STYLE_HEADER, _("Checklist not done or NG (%zu)"), counted);
    for (size_t i = 0; i < s.n_checks; i++) {
        const struct handover_check *c = &s.checks[i];
        int ng = strcmp(c->status, "ng") == 0, warn = strcmp(c->status, "warn") == 0;
        int quiet = !ng && !warn && strcmp(c->status, "todo") != 0;
        add_text(m,
                 c->overdue ? STYLE_OVERDUE
                 : ng       ? STYLE_STATUS_NG
                 : warn     ? STYLE_STATUS_TODO
                 : quiet    ? STYLE_DIM
                            : STYLE_NORMAL,
                 "  %-5s %s %s%s%s%s%s%s", handover_check_mark(c), c->code, c->name,
                 c->host ? " @" : "", c->host ? c->host : "", c->value ? "  " : "",
                 c->value ? c->value : "", c->overdue ? _("  (overdue)") : "");
    }
    add_line(m, STYLE_NORMAL, xstrdup(""));
    add_text(m, STYLE_HEADER, _("Jobs failed or waiting (%zu)"), s.n_jobs);
    for (size_t i = 0; i < s.n_jobs; i++)
        add_text(m, STYLE_NORMAL, "  %s %s — %s (%s)", s.jobs[i].code, s.jobs[i].name,
                 jobs_state_name(s.jobs[i].state), s.jobs[i].due_day);
    add_line(m, STYLE_NORMAL, xstrdup(""));
    add_text(m, STYLE_HEADER, _("Changes in progress (%zu)"), s.n_changes);
    for (size_t i = 0; i < s.n_changes; i++)
        add_text(m, STYLE_NORMAL, "  %s %s — %s", s.changes[i].ref, s.changes[i].title,
                 change_status_name(s.changes[i].status));
    add_line(m, STYLE_NORMAL, xstrdup(""));
    add_text(m, STYLE_HEADER, _("Carried to-dos (%zu)"), s.n_carried);
    for (size_t i = 0; i < s.n_carried; i++) {
        char at[32];
        jst(s.carried[i].created_at, at, sizeof at);
        add_text(m, STYLE_STATUS_TODO, "  • %s (%s, %s)", s.carried[i].text,
                 person(s.carried[i].from_login), at[0] ? at + 5 : "");
        m->lines[m->n - 1].item_id = xstrdup(s.carried[i].id);
    }
    if (s.n_carried)
        add_text(m, STYLE_DIM, "  %s", _("c on a to-do clears it once it is done"));
    if (s.n_acks) {
        add_line(m, STYLE_NORMAL, xstrdup(""));
        add_text(m, STYLE_HEADER, _("Acknowledgements expired or ending with this shift (%zu)"),
                 s.n_acks);
        for (size_t i = 0; i < s.n_acks; i++) {
            char *d = check_ack_describe(&s.acks[i].ack);
            add_text(m, s.acks[i].ack.expired ? STYLE_STATUS_NG : STYLE_STATUS_TODO, "  %s %s: %s",
                     s.acks[i].host, s.acks[i].check, d);
            free(d);
        }
    }
    handover_summary_free(&s);
}

static void build_history(struct ho_model *m)
{
    lines_clear(m);
    handover_records_free(&m->hist);
    memset(&m->hist, 0, sizeof m->hist);
    if (!m->hist_y) {
        char today[11];
        ui_today(today);
        struct civil_date d;
        civil_parse(today, &d);
        m->hist_y = d.y;
        m->hist_m = d.m;
    }
    char *err = NULL;
    if (handover_list_month(ui_store(), m->hist_y, m->hist_m, &m->hist, &err) != 0) {
        add_text(m, STYLE_ERROR, "%s", err ? err : "");
        free(err);
        return;
    }
    add_text(m, STYLE_HEADER, _("Handovers of %04d-%02d (Enter shows one, H returns)"), m->hist_y,
             m->hist_m);
    for (size_t i = m->hist.count; i-- > 0;) {
        const struct handover_record *h = &m->hist.items[i];
        char at[32];
        jst(h->signed_at, at, sizeof at);
        char *note = text_one_line(h->note); /* one row: "first line ⏎" */
        add_text(m, h->acked_at ? STYLE_NORMAL : STYLE_STATUS_TODO, "  %s  %-8s %s → %s  %s%s%s",
                 at, h->shift ? label_shift(h->shift) : "", person(h->from_login),
                 h->to_login ? person(h->to_login) : "*",
                 h->acked_at ? _("acknowledged") : _("not acknowledged"), *note ? "  " : "", note);
        free(note);
    }
    if (!m->hist.count)
        add_text(m, STYLE_DIM, "  %s", _("none"));
}

static void build_record(struct ho_model *m, const struct handover_record *h)
{
    lines_clear(m);
    char at[32];
    jst(h->signed_at, at, sizeof at);
    add_text(m, STYLE_HEADER, _("Handover signed by %s at %s (Esc or H returns)"),
             person(h->from_login), at);
    if (h->note)
        add_note(m, STYLE_NORMAL, _("Note: %s"), h->note);
    if (h->acked_at) {
        char ack[32];
        jst(h->acked_at, ack, sizeof ack);
        add_text(m, STYLE_STATUS_OK, _("  acknowledged by %s at %s"), person(h->acked_by_login),
                 ack);
    } else {
        add_text(m, STYLE_STATUS_TODO, "  %s", _("not acknowledged"));
    }
    add_line(m, STYLE_NORMAL, xstrdup(""));
    const char *p = h->summary ? h->summary : "";
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        add_line(m, p[0] == '#' ? STYLE_HEADER : STYLE_NORMAL, xstrndup(p, len));
        p += len + (e != NULL);
    }
}

static void rebuild(struct ho_model *m)
{
    if (m->view == HO_SUMMARY)
        build_summary(m);
    else if (m->view == HO_HISTORY)
        build_history(m);
    if (m->sel >= (long)m->n)
        m->sel = m->n ? (long)m->n - 1 : 0;
}

static int ho_open(struct pane *p, char **err)
{
    (void)err;
    struct ho_model *m = xcalloc(1, sizeof *m);
    p->data = m;
    rebuild(m);
    return 0;
}

static void ho_load(struct pane *p)
{
    rebuild(p->data);
}

static void ho_draw(struct pane *p, const struct ui_canvas *c)
{
    struct ho_model *m = p->data;
    int h = c->h - 1;
    if (m->sel < m->top)
        m->top = m->sel;
    if (m->sel >= m->top + h)
        m->top = m->sel - h + 1;
    for (int y = 0; y < h && m->top + y < (long)m->n; y++) {
        const struct ho_line *l = &m->lines[m->top + y];
        int style = m->top + y == m->sel ? STYLE_ROW_SELECTED : l->style;
        int hit = m->re && ui_filter_match(m->re, l->text, strlen(l->text));
        ui_put(c, y, 0, -1, hit && style != STYLE_ROW_SELECTED ? STYLE_FORM_FOCUS : style, l->text);
    }
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM,
           m->view == HO_SUMMARY
               ? _("S sign (outgoing)  W withdraw  A acknowledge (incoming)  c clear to-do  H "
                   "history  C-r refresh  ? keys")
               : _("Enter open  [ ] previous/next month  H back to the live summary  ? keys"));
}

/* ---- signing ---- */
/* What the sign form holds while its question is open. */
struct sign_req {
    struct ho_model *m;
    struct ui_form *form;
    char *note, *todo;
    int to; /* choice index: 0 anyone, else logins[to - 1] */
};

static void sign_req_free(struct sign_req *q)
{
    free(q->note);
    free(q->todo);
    free(q);
}

static void sign_answer(int yes, void *data)
{
    struct sign_req *q = data;
    struct ho_model *m = q->m;
    if (!yes) {
        ui_message("%s", _("Not signed: the form keeps what you typed."));
        sign_req_free(q);
        return;
    }
    const char *todos[1] = {q->todo};
    char id[ID_LEN + 1];
    char *err = NULL;
    if (handover_sign(ui_store(), ui_calendar(), *q->note ? q->note : NULL,
                      q->to > 0 ? m->logins[q->to - 1] : NULL, todos, *q->todo ? 1 : 0, id,
                      &err) != 0) {
        ui_error_take(err);
        sign_req_free(q);
        return;
    }
    ui_modal_remove((struct ui_modal *)q->form);
    ui_message("%s", _("Handover signed (W withdraws it until it is acknowledged)."));
    rebuild(m);
    ui_dirty(UI_DIRTY_ALL);
    sign_req_free(q);
}

/* Enter in the form asks first, naming the addressee: a signed handover is what the
 * next shift reads. The form stays open under the question (n keeps the text). */
static int submit_sign(struct ui_form *f, void *data, char **err)
{
    (void)err;
    struct ho_model *m = data;
    struct sign_req *q = xcalloc(1, sizeof *q);
    q->m = m;
    q->form = f;
    q->note = ui_field_value(ui_form_field(f, 0));
    q->to = ui_form_field(f, 1)->choice;
    q->todo = ui_field_value(ui_form_field(f, 2));
    char *question =
        q->to > 0
            ? xasprintf(_("Sign the handover to %s now? The summary is recorded as it stands "
                          "and %s is asked to acknowledge it. (y/n)"),
                        m->choice_labels[q->to], m->logins[q->to - 1])
            : xasprintf("%s", _("Sign the handover to anyone on the next shift now? The summary "
                                "is recorded as it stands. (y/n)"));
    ui_confirm(question, sign_answer, q);
    free(question);
    return -1; /* the form stays until the answer */
}

static void free_logins(struct ho_model *m)
{
    for (int i = 0; i < m->nlogins; i++)
        free(m->logins[i]);
    free(m->logins);
    if (m->choice_labels) {
        for (int i = 1; i <= m->nlogins; i++)
            free((char *)m->choice_labels[i]);
    }
    free(m->choice_labels);
    m->logins = NULL;
    m->choice_labels = NULL;
    m->nlogins = 0;
}

/* The sign form; note, to (a login) and todo (may be NULL) prefill it (a withdrawn
 * handover signed again keeps its text). */
static void open_sign_form(struct ho_model *m, const char *note, const char *to, const char *todo)
{
    free_logins(m);
    struct handover_addressee *ops;
    size_t nops;
    char *read_err = NULL;
    /* A cut list of operators would hand over to the wrong one: it is all or an error. */
    if (handover_addressees(ui_store(), time_now_ms(), &ops, &nops, &read_err) != 0) {
        ui_error_take(read_err);
        return;
    }
    m->logins = xcalloc(nops + 1, sizeof *m->logins);
    m->choice_labels = xcalloc(nops + 1, sizeof *m->choice_labels);
    m->choice_labels[0] = _("anyone on the next shift");
    int initial = 0;
    for (size_t i = 0; i < nops; i++) {
        const struct handover_addressee *o = &ops[i];
        m->logins[i] = xstrdup(o->login);
        const char *name = o->name ? o->name : "";
        m->choice_labels[i + 1] = o->next_shift
                                      ? xasprintf(_("%s (%s, next shift)"), name, o->login)
                                  : o->engineer ? xasprintf(_("%s (%s, engineer)"), name, o->login)
                                                : xasprintf("%s (%s)", name, o->login);
        if (to && strcmp(to, o->login) == 0)
            initial = (int)i + 1;
    }
    m->nlogins = (int)nops;
    handover_addressees_free(ops, nops);
    struct ui_form *f = ui_form_new(_("Sign the handover (outgoing operator)"), submit_sign, m);
    ui_form_text(f, _("Note"), note, 0);
    ui_form_choice(f, _("To"), m->choice_labels, m->nlogins + 1, initial);
    ui_form_text(f, _("To-do"), todo, 0);
    ui_form_show(f);
}

static void start_sign(struct ho_model *m)
{
    open_sign_form(m, NULL, NULL, NULL);
}

static void ack_answer(int yes, void *data)
{
    struct ho_model *m = data;
    if (!yes)
        return;
    char *err = NULL;
    if (handover_ack(ui_store(), NULL, &err) != 0) {
        ui_error_take(err);
        return;
    }
    ui_message("%s", _("Handover acknowledged."));
    rebuild(m);
    ui_dirty(UI_DIRTY_ALL);
}

/* A refuses first (signer, already acknowledged, addressed to someone else), and only
 * asks when the acknowledgement would be taken. */
static void start_ack(struct ho_model *m)
{
    char *err = NULL;
    if (handover_ack_check(ui_store(), NULL, NULL, &err) != 0) {
        ui_error_take(err);
        return;
    }
    ui_confirm(_("Acknowledge the latest handover as the incoming operator? You take over what "
                 "it lists. (y/n)"),
               ack_answer, m);
}

/* ---- withdrawing a signed handover nobody has acknowledged ---- */
static void withdraw_answer(int yes, void *data)
{
    struct ho_model *m = data;
    if (!yes) {
        ui_message("%s", _("The handover stays signed."));
        return;
    }
    struct handover_withdrawn w = {0};
    char *err = NULL;
    if (handover_withdraw(ui_store(), NULL, &w, &err) != 0) {
        ui_error_take(err);
        return;
    }
    rebuild(m);
    ui_dirty(UI_DIRTY_ALL);
    ui_message("%s", _("Handover withdrawn: its text is in the form to sign it again."));
    open_sign_form(m, w.note, w.to_login, w.n_todos ? w.todos[0] : NULL);
    handover_withdrawn_free(&w);
}

static void start_withdraw(struct ho_model *m)
{
    char *err = NULL;
    if (handover_withdraw_check(ui_store(), NULL, &err) != 0) {
        ui_error_take(err); /* nothing of yours to withdraw: said before any question */
        return;
    }
    ui_confirm(_("Withdraw your latest signed handover (nobody has acknowledged it)? It is "
                 "taken back and its text opens in the sign form. (y/n)"),
               withdraw_answer, m);
}

/* ---- clearing a carried to-do ---- */
struct clear_req {
    struct ho_model *m;
    char id[ID_LEN + 1];
};

static void clear_answer(int yes, void *data)
{
    struct clear_req *q = data;
    struct ho_model *m = q->m;
    if (yes) {
        char *err = NULL;
        if (handover_clear_item(ui_store(), q->id, &err) != 0) {
            ui_error_take(err);
        } else {
            ui_message("%s", _("Carried to-do cleared."));
            rebuild(m);
            ui_dirty(UI_DIRTY_ALL);
        }
    }
    free(q);
}

static void start_clear(struct ho_model *m)
{
    const struct ho_line *l =
        m->view == HO_SUMMARY && m->sel >= 0 && (size_t)m->sel < m->n ? &m->lines[m->sel] : NULL;
    if (!l || !l->item_id) {
        ui_error("%s", _("Select a carried to-do (at the end of the summary) to clear it."));
        return;
    }
    struct clear_req *q = xcalloc(1, sizeof *q);
    q->m = m;
    snprintf(q->id, sizeof q->id, "%s", l->item_id);
    char *question =
        xasprintf(_("Clear the carried to-do \"%s\" as done? (y/n)"), l->text + strlen("  • "));
    ui_confirm(question, clear_answer, q);
    free(question);
}

static void step_month(struct ho_model *m, int dir)
{
    m->hist_m += dir;
    if (m->hist_m < 1)
        m->hist_m = 12, m->hist_y--;
    if (m->hist_m > 12)
        m->hist_m = 1, m->hist_y++;
    m->view = HO_HISTORY;
    m->sel = m->top = 0;
    rebuild(m);
}

static int ho_action(struct pane *p, const char *a)
{
    struct ho_model *m = p->data;
    long page = p->h > 4 ? p->h - 2 : 1;
    if (strcmp(a, "handover.sign") == 0) {
        start_sign(m);
    } else if (strcmp(a, "handover.ack") == 0) {
        start_ack(m);
    } else if (strcmp(a, "handover.withdraw") == 0) {
        start_withdraw(m);
    } else if (strcmp(a, "handover.shift-start") == 0) {
        ui_shift_start(NULL);
    } else if (strcmp(a, "handover.operator-add") == 0) {
        ui_operator_add_form(NULL);
    } else if (strcmp(a, "handover.act-as") == 0) {
        ui_act_as_pick();
    } else if (strcmp(a, "handover.clear") == 0) {
        start_clear(m);
    } else if (strcmp(a, "handover.prev-month") == 0 || strcmp(a, "handover.next-month") == 0) {
        if (m->view == HO_SUMMARY)
            return 0;
        step_month(m, a[9] == 'n' ? 1 : -1);
    } else if (strcmp(a, "handover.history") == 0) {
        m->view = m->view == HO_SUMMARY ? HO_HISTORY : HO_SUMMARY;
        m->hist_y = m->hist_m = 0; /* the history opens on this month */
        m->sel = m->top = 0;
        rebuild(m);
    } else if (strcmp(a, "open") == 0) {
        if (m->view == HO_HISTORY && m->sel >= 1 && (size_t)m->sel <= m->hist.count) {
            build_record(m, &m->hist.items[m->hist.count - (size_t)m->sel]);
            m->view = HO_RECORD;
            m->hist_sel = m->sel;
            m->sel = m->top = 0;
        }
    } else if (strcmp(a, "down") == 0 || strcmp(a, "next-match") == 0) {
        long step = 1;
        if (a[0] == 'n') {
            if (!m->re)
                return 0;
            for (long i = m->sel + 1; i < (long)m->n; i++)
                if (ui_filter_match(m->re, m->lines[i].text, strlen(m->lines[i].text))) {
                    m->sel = i;
                    return 1;
                }
            return 1;
        }
        if (m->sel + step < (long)m->n)
            m->sel += step;
    } else if (strcmp(a, "prev-match") == 0) {
        if (!m->re)
            return 0;
        for (long i = m->sel - 1; i >= 0; i--)
            if (ui_filter_match(m->re, m->lines[i].text, strlen(m->lines[i].text))) {
                m->sel = i;
                break;
            }
    } else if (strcmp(a, "up") == 0) {
        if (m->sel > 0)
            m->sel--;
    } else if (strcmp(a, "top") == 0) {
        m->sel = 0;
    } else if (strcmp(a, "bottom") == 0) {
        m->sel = m->n ? (long)m->n - 1 : 0;
    } else if (strcmp(a, "page-down") == 0 || strcmp(a, "half-down") == 0) {
        m->sel += a[0] == 'p' ? page : page / 2;
        if (m->sel >= (long)m->n)
            m->sel = m->n ? (long)m->n - 1 : 0;
    } else if (strcmp(a, "page-up") == 0 || strcmp(a, "half-up") == 0) {
        m->sel -= a[0] == 'p' ? page : page / 2;
        if (m->sel < 0)
            m->sel = 0;
    } else {
        return 0;
    }
    return 1;
}

static int ho_key(struct pane *p, int key)
{
    struct ho_model *m = p->data;
    if (key == UI_KEY_ESC && m->view == HO_RECORD) {
        m->view = HO_HISTORY;
        rebuild(m);
        m->sel = m->hist_sel;
        return 1;
    }
    if (key == UI_KEY_ESC && m->view == HO_HISTORY) {
        m->view = HO_SUMMARY;
        m->sel = m->top = 0;
        rebuild(m);
        return 1;
    }
    return 0;
}

static void ho_mouse(struct pane *p, int y, int x, int button)
{
    (void)x;
    struct ho_model *m = p->data;
    if (button == 4)
        ho_action(p, "up");
    else if (button == 5)
        ho_action(p, "down");
    else if (m->top + y < (long)m->n)
        m->sel = m->top + y;
}

static int ho_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                     char **err)
{
    (void)err;
    struct ho_model *m = p->data;
    ui_filter_keep(&m->re, &m->pattern, re, pattern);
    if (m->re)
        ho_action(p, "next-match");
    return 0;
}

static void ho_free(struct pane *p)
{
    struct ho_model *m = p->data;
    lines_clear(m);
    free(m->lines);
    handover_records_free(&m->hist);
    free_logins(m);
    if (m->re)
        pcre2_code_free(m->re);
    free(m->pattern);
    free(m);
}

static const struct ui_binding ho_bindings[] = {
    {"handover.sign", "S", N_("sign the handover as the outgoing operator (asks first)")},
    {"handover.ack", "A", N_("acknowledge the latest handover as the incoming operator")},
    {"handover.history", "H", N_("signed handovers of this month / back to the summary")},
    {"handover.withdraw", "W",
     N_("withdraw your signed handover nobody has acknowledged, to sign it again (asks first)")},
    {"handover.clear", "c", N_("clear the selected carried to-do (it is done)")},
    {"handover.shift-start", "t", N_("start the shift, or take it over from whoever started it")},
    {"handover.operator-add", "o", N_("register an operator (login, name, role)")},
    {"handover.act-as", "u",
     N_("who is at the keyboard: act as another operator (also :as LOGIN; :as alone goes back)")},
    {"handover.prev-month", "[", N_("history: previous month")},
    {"handover.next-month", "]", N_("history: next month")},
    {NULL, NULL, NULL},
};

const struct pane_ops handover_pane = {
    .name = "handover",
    .title = N_("Handover"),
    .bindings = ho_bindings,
    .open = ho_open,
    .load = ho_load,
    .reload_on_show = 1,
    .draw = ho_draw,
    .action = ho_action,
    .key = ho_key,
    .mouse = ho_mouse,
    .filter = ho_filter,
    .free = ho_free,
};
