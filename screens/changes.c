/* Changes pane (変更管理台帳): the change requests (src/changes.h) with their
 * window in JST (marked when it falls in service hours), the workflow keys
 * (submit, approve, return, start, check off steps, done, roll back, cancel) and a
 * detail view with the procedure, config effects and timeline. Every refusal is the
 * core's message in the status line; the core writes nothing when it refuses. */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "changes.h"
#include "cmdb.h"
#include "cmdlog.h"
#include "hosts.h"
#include "i18n.h"
#include "input_norm.h"
#include "labels.h"
#include "operators.h"
#include "session_text.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_list.h"
#include "ui_table.h"
#include "ui_view.h"
#include "util.h"

#define CH_NCOLS 8

enum ch_sort {
    CH_SORT_CREATED,
    CH_SORT_REF,
    CH_SORT_STATUS,
    CH_SORT_RISK,
    CH_SORT_WINDOW,
    CH_SORT_DEPT,
    CH_SORT_COUNT
};
static const char *const ch_sort_names[CH_SORT_COUNT] = {"created", "ref",    "status",
                                                         "risk",    "window", "dept"};
static const char *const ch_sort_labels[CH_SORT_COUNT] = {
    N_("date filed"), N_("change ref"),  N_("status"),
    N_("risk level"), N_("work window"), N_("requesting department")};

struct ch_model {
    struct change *rows;
    size_t n;
    unsigned char *in_service; /* per row: the window overlaps service hours */
    size_t *idx;
    size_t nidx;
    struct table table;
    struct ui_list list; /* the shared list keys; filter, sort key (enum ch_sort), order */
    char *load_error;
    /* detail view */
    int detail;
    char detail_id[ID_LEN + 1];
    struct ui_lines lines;
};

static struct table_col ch_cols[CH_NCOLS];
/* the sort key a click on a column's header picks */
static const int ch_col_sort[CH_NCOLS] = {CH_SORT_REF, CH_SORT_STATUS, CH_SORT_RISK, CH_SORT_DEPT,
                                          -1,          CH_SORT_WINDOW, -1,           -1};

static int is_final(const char *s)
{
    return s &&
           (strcmp(s, "done") == 0 || strcmp(s, "cancelled") == 0 || strcmp(s, "rolled_back") == 0);
}

static int status_style(const char *s)
{
    if (!s)
        return STYLE_NORMAL;
    if (strcmp(s, "done") == 0 || strcmp(s, "approved") == 0)
        return STYLE_STATUS_OK;
    if (strcmp(s, "returned") == 0 || strcmp(s, "rolled_back") == 0)
        return STYLE_STATUS_NG;
    if (strcmp(s, "in_review") == 0 || strcmp(s, "in_progress") == 0)
        return STYLE_STATUS_TODO;
    if (strcmp(s, "cancelled") == 0)
        return STYLE_STATUS_SKIP;
    return STYLE_NORMAL;
}

static int risk_style(const char *r)
{
    if (r && strcmp(r, "high") == 0)
        return STYLE_INCIDENT_P2;
    return STYLE_NORMAL;
}

static const char *risk_label(const char *r)
{
    return r ? label_risk(r) : "";
}

static int64_t iso_ms(const char *iso)
{
    int64_t ms;
    return iso && time_parse(iso, &ms) == 0 ? ms : 0;
}

/* "11-28 22:00–11-29 02:00" (the end's date only when it differs). */
static char *window_text(const struct change *c)
{
    int64_t a = iso_ms(c->window_start), b = iso_ms(c->window_end);
    if (!a)
        return xstrdup("");
    char sa[32], sb[32] = "";
    time_format_jst(a, sa, 0);
    if (b) {
        time_format_jst(b, sb, 0);
        if (strncmp(sa, sb, 10) == 0)
            memmove(sb, sb + 11, strlen(sb + 11) + 1);
        else
            memmove(sb, sb + 5, strlen(sb + 5) + 1);
    }
    return xasprintf("%s–%s", sa + 5, sb);
}

/* ---- table source ---- */
static long ch_count(void *data)
{
    struct ch_model *m = data;
    return (long)m->nidx;
}

static long ch_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct ch_model *m = data;
    long got = 0;
    for (long i = 0; i < n && (size_t)(from + i) < m->nidx; i++, got++) {
        size_t k = m->idx[from + i];
        const struct change *c = &m->rows[k];
        struct table_row *t = &rows[i];
        memset(t, 0, sizeof *t);
        int warn = m->in_service[k] && !is_final(c->status);
        char *w = window_text(c);
        t->cell[0] = xstrdup(c->ref);
        t->cell[1] = xstrdup(change_status_name(c->status));
        t->cell[2] = xstrdup(risk_label(c->risk));
        t->cell[3] = xstrdup(c->dept ? c->dept : "");
        t->cell[4] = xstrdup(c->title ? c->title : "");
        t->cell[5] = warn ? xasprintf("%s ⚠", w) : xstrdup(w);
        t->cell[6] = c->requester ? operator_display_name(ui_store(), c->requester) : xstrdup("");
        t->cell[7] = c->approver ? operator_display_name(ui_store(), c->approver) : xstrdup("");
        free(w);
        t->style = is_final(c->status) ? STYLE_DIM : STYLE_NORMAL;
        t->cell_style[1] = status_style(c->status);
        t->cell_style[2] = risk_style(c->risk);
        if (warn)
            t->cell_style[5] = STYLE_OVERDUE;
    }
    return got;
}

static int rank_in(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return 99;
}

static int nz_strcmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static struct ch_model *sort_model;
static int cmp_idx(const void *a, const void *b)
{
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    const struct change *x = &sort_model->rows[ia], *y = &sort_model->rows[ib];
    int c = 0;
    switch ((enum ch_sort)sort_model->list.sort) {
    case CH_SORT_REF:
        c = strcmp(x->ref, y->ref);
        break;
    case CH_SORT_STATUS:
        c = rank_in(change_statuses, x->status) - rank_in(change_statuses, y->status);
        break;
    case CH_SORT_RISK:
        c = rank_in(change_risks, y->risk) - rank_in(change_risks, x->risk); /* high first */
        break;
    case CH_SORT_WINDOW: {
        int64_t wa = iso_ms(x->window_start), wb = iso_ms(y->window_start);
        if (!wa != !wb)
            c = !wa - !wb; /* changes without a window last */
        else
            c = (wa > wb) - (wa < wb);
        break;
    }
    case CH_SORT_DEPT:
        c = nz_strcmp(x->dept, y->dept);
        break;
    default:
        break;
    }
    return c; /* ties: change_list's order, newest first (ui_list_order) */
}

static int row_matches(struct ch_model *m, const struct change *c)
{
    const char *fields[] = {c->ref,
                            c->title,
                            c->dept,
                            c->status,
                            change_status_name(c->status),
                            c->risk,
                            risk_label(c->risk),
                            c->requester,
                            c->approver,
                            c->target};
    return ui_list_match(&m->list, fields, ARRAY_LEN(fields));
}

static void rebuild(void *data)
{
    struct ch_model *m = data;
    free(m->idx);
    m->idx = xcalloc(m->n ? m->n : 1, sizeof *m->idx);
    m->nidx = 0;
    for (size_t i = 0; i < m->n; i++)
        if (row_matches(m, &m->rows[i]))
            m->idx[m->nidx++] = i;
    sort_model = m;
    ui_list_order(&m->list, m->idx, m->nidx, cmp_idx);
    table_reset(&m->table);
}

static const struct change *selected_change(struct ch_model *m)
{
    if (m->detail) {
        for (size_t i = 0; i < m->n; i++)
            if (strcmp(m->rows[i].id, m->detail_id) == 0)
                return &m->rows[i];
        return NULL;
    }
    if (!m->nidx || m->table.sel < 0 || (size_t)m->table.sel >= m->nidx)
        return NULL;
    return &m->rows[m->idx[m->table.sel]];
}

/* ---- detail ---- */
static void add_field_styled(struct ch_model *m, int style, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    struct strbuf sb = STRBUF_INIT;
    int w = text_width(label);
    sb_puts(&sb, label);
    for (; w < 14; w++)
        sb_putc(&sb, ' ');
    /* one line per line of the value */
    const char *p = value;
    int first = 1;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        ui_lines_addf(&m->lines, style, "%s %.*s", first ? sb.buf : "              ", (int)len, p);
        first = 0;
        p += len + (e != NULL);
    }
    sb_free(&sb);
}

static void add_field(struct ch_model *m, const char *label, const char *value)
{
    add_field_styled(m, STYLE_NORMAL, label, value);
}

static const char *jst(const char *iso, char buf[32])
{
    int64_t ms;
    buf[0] = 0;
    if (!iso || time_parse(iso, &ms) != 0)
        return buf;
    time_format_jst(ms, buf, 0);
    return buf;
}

static void build_detail(struct ch_model *m)
{
    ui_lines_clear(&m->lines);
    struct store *st = ui_store();
    struct change c;
    char *err = NULL;
    if (change_get(st, m->detail_id, 1, &c, &err) != 0) {
        ui_lines_addf(&m->lines, STYLE_ERROR, "%s", err ? err : "");
        free(err);
        return;
    }
    char a[32], b[32];
    ui_lines_addf(&m->lines, STYLE_HEADER, "%s  %s", c.ref, c.title ? c.title : "");
    add_field_styled(m, status_style(c.status), _("Status:"), change_status_name(c.status));
    add_field(m, _("Department:"), c.dept);
    char *requester = c.requester ? operator_display_name(ui_store(), c.requester) : NULL;
    add_field(m, _("Requester:"), requester);
    free(requester);
    add_field(m, _("Target:"), c.target);
    add_field(m, _("Reason:"), c.reason);
    add_field(m, _("Plan:"), c.plan);
    add_field(m, _("Rollback:"), c.rollback);
    add_field(m, _("Risk:"), risk_label(c.risk));
    if (c.window_start) {
        char *w = xasprintf("%s – %s JST", jst(c.window_start, a), jst(c.window_end, b));
        add_field(m, _("Window:"), w);
        free(w);
        char *warn = change_window_warning(ui_calendar(), iso_ms(c.window_start),
                                           iso_ms(c.window_end), NULL);
        if (warn)
            ui_lines_addf(&m->lines, is_final(c.status) ? STYLE_DIM : STYLE_OVERDUE,
                          "              ⚠ %s", warn);
        free(warn);
    }
    if (c.approver) {
        char *who = operator_display_name(ui_store(), c.approver);
        char *w = xasprintf("%s (%s)", who, jst(c.approved_at, a));
        free(who);
        add_field(m, _("Approved by:"), w);
        free(w);
    }
    add_field(m, _("Template:"), c.template_code);
    struct strbuf hosts = STRBUF_INIT;
    for (size_t i = 0; i < c.nlinks; i++)
        if (strcmp(c.links[i].kind, "host") == 0)
            sb_printf(&hosts, "%s%s", hosts.len ? ", " : "",
                      c.links[i].label ? c.links[i].label : c.links[i].id);
    if (hosts.len)
        add_field(m, _("Target hosts:"), hosts.buf);
    else
        add_field_styled(m, STYLE_DIM, _("Target hosts:"),
                         _("none yet: H chooses them from the hosts"));
    sb_free(&hosts);
    int nlinked = 0;
    for (size_t i = 0; i < c.nlinks; i++) {
        if (strcmp(c.links[i].kind, "host") == 0)
            continue;
        char *w = xasprintf("%s %s", label_link_kind(c.links[i].kind),
                            c.links[i].label ? c.links[i].label : c.links[i].id);
        add_field(m, nlinked++ ? " " : _("Linked:"), w);
        free(w);
    }
    size_t done = 0;
    for (size_t i = 0; i < c.nsteps; i++)
        done += c.steps[i].done_at != NULL;
    ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", "");
    ui_lines_addf(&m->lines, STYLE_HEADER, _("Procedure (%zu of %zu done)"), done, c.nsteps);
    if (!c.nsteps)
        ui_lines_addf(&m->lines, STYLE_DIM, "  %s", _("no steps yet: A adds one"));
    for (size_t i = 0; i < c.nsteps; i++) {
        const struct change_step_row *r = &c.steps[i];
        ui_lines_addf(&m->lines, r->done_at ? STYLE_STATUS_OK : STYLE_NORMAL, "  [%s] %d. %s",
                      r->done_at ? "x" : " ", r->seq, r->text ? r->text : "");
        if (r->done_at)
            ui_lines_addf(&m->lines, STYLE_DIM, _("         done by %s at %s JST"),
                          r->done_by ? r->done_by : "?", jst(r->done_at, a));
        if (r->session_id)
            ui_lines_addf(&m->lines, STYLE_DIM, _("         SSH session %s"),
                          r->session_label ? r->session_label : r->session_id);
        for (const char *o = r->output; o && *o;) {
            const char *e = strchr(o, '\n');
            size_t len = e ? (size_t)(e - o) : strlen(o);
            ui_lines_addf(&m->lines, STYLE_NORMAL, "         > %.*s", (int)len, o);
            o = e ? e + 1 : o + len;
        }
    }
    struct cmdb_effect_row *eff = NULL;
    size_t ne = 0;
    if (cmdb_effects_of(st, c.id, &eff, &ne, &err) == 0) {
        ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", "");
        ui_lines_addf(&m->lines, STYLE_HEADER, "%s", _("Config effects (applied when done)"));
        if (!ne)
            ui_lines_addf(&m->lines, STYLE_DIM, "  %s", _("none yet: E adds one"));
        for (size_t i = 0; i < ne; i++) {
            /* "KIND:HOST:VALUE": the value as written, the kind and the op as words */
            const char *spec = eff[i].spec ? eff[i].spec : "";
            const char *v = strchr(spec, ':');
            v = v ? strchr(v + 1, ':') : NULL;
            ui_lines_addf(&m->lines, eff[i].applied_at ? STYLE_STATUS_OK : STYLE_NORMAL,
                          "  %s %s  %s  %s (%s)  %s", eff[i].applied_at ? "✓" : "·",
                          label_config_kind(eff[i].kind), eff[i].host ? eff[i].host : "",
                          v ? v + 1 : spec, label_config_op(eff[i].op), jst(eff[i].applied_at, a));
        }
        cmdb_effect_rows_free(eff, ne);
    } else {
        ui_error_take(err);
        err = NULL;
    }
    ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", "");
    ui_lines_addf(&m->lines, STYLE_HEADER, "%s", _("Timeline"));
    for (size_t i = 0; i < c.nevents; i++) {
        const struct ledger_event *e = &c.events[i];
        char iso[TIME_ISO_LEN + 1];
        struct strbuf sb = STRBUF_INIT;
        text_fit(&sb, change_status_name(e->kind), 14);
        sb_putc(&sb, ' ');
        char *who = e->operator_login ? operator_display_name(ui_store(), e->operator_login) : NULL;
        text_fit(&sb, who ? who : "", 10);
        free(who);
        char *head = xasprintf("  %s  %s ", jst(ledger_iso(e->at, iso), a), sb.buf);
        ui_lines_add_note(&m->lines, STYLE_NORMAL, head, e->note);
        free(head);
        sb_free(&sb);
    }
    change_clear(&c);
}

/* ---- loading ---- */
static void reload(struct ch_model *m)
{
    char id[ID_LEN + 1] = "";
    const struct change *cur = m->detail ? NULL : selected_change(m);
    if (cur)
        snprintf(id, sizeof id, "%s", cur->id);
    change_list_free(m->rows, m->n);
    m->rows = NULL;
    m->n = 0;
    free(m->load_error);
    m->load_error = NULL;
    char *err = NULL;
    if (change_list(ui_store(), NULL, &m->rows, &m->n, &err) != 0) {
        m->load_error = err ? err : xstrdup(_("the changes could not be loaded"));
        m->rows = NULL;
        m->n = 0;
    }
    free(m->in_service);
    m->in_service = xcalloc(m->n ? m->n : 1, 1);
    for (size_t i = 0; i < m->n; i++) {
        int64_t a = iso_ms(m->rows[i].window_start), b = iso_ms(m->rows[i].window_end);
        int64_t secs = 0;
        if (a && b > a)
            secs = calendar_service_seconds(ui_calendar(), a / 1000, b / 1000);
        m->in_service[i] = secs > 0;
    }
    long keep = m->table.sel;
    rebuild(m);
    if (id[0]) {
        for (size_t i = 0; i < m->nidx; i++)
            if (strcmp(m->rows[m->idx[i]].id, id) == 0) {
                keep = (long)i;
                break;
            }
        table_goto(&m->table, keep);
    }
    if (m->detail)
        build_detail(m);
    ui_dirty(UI_DIRTY_PANE);
}

/* The title keeps its cells (TABLE_KEEP_TITLE); on a narrow screen the approver,
 * the requester, the department and the window are hidden whole, in that order
 * (the detail shows them); the ref, status and risk are never hidden. */
static void setup_cols(void)
{
    ch_cols[0] = (struct table_col){_("Ref"), 8, 18, 0, 0, 0, 0};
    ch_cols[1] = (struct table_col){_("Status"), 5, 12, 0, 0, 0, 0};
    ch_cols[2] = (struct table_col){_("Risk"), 3, 6, 0, 0, 0, 0};
    ch_cols[3] = (struct table_col){_("Department"), 4, 14, 0, 0, 0, 3};
    ch_cols[4] = (struct table_col){_("Title"), 10, 0, 1, 0, TABLE_KEEP_TITLE, 0};
    ch_cols[5] = (struct table_col){_("Window (JST)"), 6, 27, 0, 0, 0, 4};
    ch_cols[6] = (struct table_col){_("Requester"), 4, 10, 0, 0, 0, 2};
    ch_cols[7] = (struct table_col){_("Approver"), 4, 10, 0, 0, 0, 1};
}

static int ch_open(struct pane *p, char **err)
{
    (void)err;
    struct ch_model *m = xcalloc(1, sizeof *m);
    setup_cols();
    table_init(&m->table, ch_cols, CH_NCOLS, (struct table_source){ch_count, ch_fetch, m});
    ui_list_init(&m->list, &m->table, ch_sort_names, CH_SORT_COUNT, rebuild, m);
    m->list.col_sort = ch_col_sort;
    m->list.sort_labels = ch_sort_labels;
    m->list.detail = &m->lines;
    m->list.detail_open = &m->detail;
    p->data = m;
    reload(m);
    return 0;
}

static void ch_load(struct pane *p)
{
    reload(p->data);
}

static void ch_draw(struct pane *p, const struct ui_canvas *c)
{
    struct ch_model *m = p->data;
    if (m->detail) {
        ui_lines_draw(&m->lines, c, c->h - 1);
        ui_put(c, c->h - 1, 0, -1, STYLE_DIM,
               _("Esc back  s submit  a approve  S start  Space step  e evidence  A add step  "
                 "H hosts  E effect  L link  D done  b roll back  C cancel"));
        return;
    }
    int open = 0, review = 0, warn = 0;
    char order[64];
    for (size_t i = 0; i < m->n; i++) {
        const struct change *x = &m->rows[i];
        open += !is_final(x->status);
        review += strcmp(x->status, "in_review") == 0;
        warn += m->in_service[i] && !is_final(x->status);
    }
    char *head =
        xasprintf(_("Change requests — %zu, %d open, %d in review, %d with a window in "
                    "service hours ⚠ (sorted by %s)"),
                  m->n, open, review, warn, ui_list_order_label(&m->list, order, sizeof order));
    ui_put(c, 0, 0, -1, STYLE_HEADER, head);
    free(head);
    if (m->load_error) {
        ui_put(c, 2, 2, -1, STYLE_ERROR, m->load_error);
        return;
    }
    struct ui_canvas t = ui_canvas_sub(c, 1, 0, c->h - 2, c->w);
    table_draw(&m->table, &t);
    char *foot = m->list.pattern
                     ? xasprintf(_("filter /%s/: %zu of %zu — n/N match  + new  s submit  "
                                   "a approve  S start  Space step  D done  Enter detail"),
                                 m->list.pattern, m->nidx, m->n)
                     : xstrdup(_("+ new  s submit  a approve  t return  S start  Space step  "
                                 "D done  b roll back  C cancel  Enter detail  ? keys"));
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
    free(foot);
    if (!m->n)
        ui_put(c, 3, 2, -1, STYLE_DIM, _("No change requests yet. + files one."));
}

/* ---- workflow ---- */
struct ch_req {
    struct ch_model *m;
    char id[ID_LEN + 1]; /* the ref: the core's messages name the change so */
    char ref[CHANGE_REF_LEN];
    char verb[16];
    int seq;
};

static struct ch_req *new_req(struct ch_model *m, const struct change *c, const char *verb)
{
    struct ch_req *q = xcalloc(1, sizeof *q);
    q->m = m;
    if (c) {
        snprintf(q->id, sizeof q->id, "%s", c->ref);
        snprintf(q->ref, sizeof q->ref, "%s", c->ref);
    }
    snprintf(q->verb, sizeof q->verb, "%s", verb ? verb : "");
    return q;
}

/* The status after a step, with the window warning when it matters. */
static void report(struct ch_req *q)
{
    struct change c;
    char *err = NULL;
    if (change_get(ui_store(), q->id, 0, &c, &err) != 0) {
        ui_error_take(err);
        return;
    }
    char *warn = NULL;
    if (strcmp(q->verb, "start") == 0 || strcmp(q->verb, "submit") == 0)
        warn = change_window_warning(ui_calendar(), iso_ms(c.window_start), iso_ms(c.window_end),
                                     NULL);
    if (warn)
        ui_error(_("Change %s is now %s. Warning: %s"), c.ref, change_status_name(c.status), warn);
    else
        ui_message(_("Change %s is now %s."), c.ref, change_status_name(c.status));
    free(warn);
    change_clear(&c);
}

static void after_write(struct ch_model *m)
{
    reload(m);
    ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
}

static int do_verb(struct ch_req *q, const char *note, char **err)
{
    if (change_step(ui_store(), q->id, q->verb, note && *note ? note : NULL, err) != 0)
        return -1;
    const char *words[] = {"change", "step", q->ref, q->verb, note && *note ? "--note" : NULL,
                           note,     NULL};
    cmdlog_add(words);
    after_write(q->m);
    report(q);
    return 0;
}

static void verb_now(struct ch_model *m, const struct change *c, const char *verb)
{
    struct ch_req *q = new_req(m, c, verb);
    char *err = NULL;
    if (do_verb(q, NULL, &err) != 0)
        ui_error_take(err);
    free(q);
}

static void start_answer(int yes, void *data)
{
    struct ch_req *q = data;
    char *err = NULL;
    if (yes && do_verb(q, NULL, &err) != 0)
        ui_error_take(err);
    else if (!yes)
        ui_message(_("%s was not started."), q->ref);
    free(q);
}

/* Starting a change cannot be undone (only rolled back): the question names
 * the change and says where now stands against its window. */
static void ask_start(struct ch_model *m, const struct change *c)
{
    if (strcmp(c->status, "approved") != 0) {
        verb_now(m, c, "start"); /* the core says why not, and writes nothing */
        return;
    }
    int64_t a = iso_ms(c->window_start), b = iso_ms(c->window_end), now = time_now_ms();
    char *w = window_text(c);
    char *q;
    if (!a)
        q = xasprintf(_("Start the work of %s now? It has no window. (y/n)"), c->ref);
    else if (now < a)
        q = xasprintf(_("Start the work of %s now? Its window %s JST has NOT begun yet. (y/n)"),
                      c->ref, w);
    else if (b && now > b)
        q = xasprintf(_("Start the work of %s now? Its window %s JST is over. (y/n)"), c->ref, w);
    else
        q = xasprintf(_("Start the work of %s now? Its window %s JST is open. (y/n)"), c->ref, w);
    ui_confirm(q, start_answer, new_req(m, c, "start"));
    free(q);
    free(w);
}

static int submit_note(const char *text, void *data, char **err)
{
    return do_verb(data, text, err);
}

/* Approving lets the work start: a refusal comes first (nothing asked), then a
 * question naming the change and its window, then a comment kept in the change's
 * timeline. n or Esc approves nothing. */
static void approve_answer(int yes, void *data)
{
    struct ch_req *q = data;
    if (!yes) {
        ui_message(_("%s was not approved."), q->ref);
        free(q);
        return;
    }
    char *title = xasprintf(_("Approve %s"), q->ref);
    ui_prompt(title, _("Comment"), NULL, 0, submit_note, q, free);
    free(title);
}

static void ask_approve(struct ch_model *m, const struct change *c)
{
    char *err = NULL;
    if (change_check_step(ui_store(), c->id, "approve", &err) != 0) {
        ui_error_take(err); /* who may not approve, or why not now: before any question */
        return;
    }
    char *w = window_text(c);
    char *question =
        c->window_start
            ? xasprintf(_("Approve %s \"%s\"? It may then be started in its window %s JST. A "
                          "comment is asked next; it is kept in the timeline. (y/n)"),
                        c->ref, c->title ? c->title : "", w)
            : xasprintf(_("Approve %s \"%s\"? It may then be started (it has no window). A "
                          "comment is asked next; it is kept in the timeline. (y/n)"),
                        c->ref, c->title ? c->title : "");
    ui_confirm(question, approve_answer, new_req(m, c, "approve"));
    free(question);
    free(w);
}

static void submit_for_review(struct ch_model *m, const struct change *c)
{
    struct ch_req *q = new_req(m, c, "submit");
    char *err = NULL;
    if (strcmp(c->status, "draft") == 0 || strcmp(c->status, "returned") == 0) {
        /* plan first: draft/returned -> planned -> in_review */
        if (change_step(ui_store(), q->id, "plan", NULL, &err) != 0) {
            ui_error_take(err);
            free(q);
            return;
        }
        if (change_step(ui_store(), q->id, "submit", NULL, &err) != 0) {
            after_write(m);
            ui_error(_("%s is planned but not submitted: %s"), q->ref, err ? err : "");
            free(err);
            free(q);
            return;
        }
        after_write(m);
        report(q);
    } else if (do_verb(q, NULL, &err) != 0) {
        ui_error_take(err);
    }
    free(q);
}

static void rollback_answer(int yes, void *data)
{
    struct ch_req *q = data;
    if (!yes) {
        free(q);
        return;
    }
    char *title = xasprintf(_("Roll back %s"), q->ref);
    ui_prompt(title, _("Why"), NULL, 0, submit_note, q, free);
    free(title);
}

static int submit_step(const char *text, void *data, char **err)
{
    struct ch_req *q = data;
    if (change_do_step(ui_store(), q->id, q->seq, *text ? text : NULL, NULL, err) != 0)
        return -1;
    after_write(q->m);
    struct change c;
    char *e2 = NULL;
    if (change_get(ui_store(), q->id, 1, &c, &e2) == 0) {
        size_t left = 0;
        for (size_t i = 0; i < c.nsteps; i++)
            left += c.steps[i].done_at == NULL;
        if (left)
            ui_message(_("Step %d of %s done; %zu to go."), q->seq, q->ref, left);
        else
            ui_message(_("Step %d of %s done; every step is done: D marks the change done."),
                       q->seq, q->ref);
        change_clear(&c);
    } else {
        free(e2);
    }
    return 0;
}

static void check_off_next(struct ch_model *m, const struct change *sel)
{
    struct change c;
    char *err = NULL;
    if (change_get(ui_store(), sel->id, 1, &c, &err) != 0) {
        ui_error_take(err);
        return;
    }
    const struct change_step_row *next = NULL;
    for (size_t i = 0; i < c.nsteps && !next; i++)
        if (!c.steps[i].done_at)
            next = &c.steps[i];
    if (!next) {
        ui_message(c.nsteps ? _("Every step of %s is done: D marks the change done.")
                            : _("%s has no procedure steps."),
                   c.ref);
    } else if (strcmp(c.status, "in_progress") != 0) {
        /* the core says why (and writes nothing) */
        if (change_do_step(ui_store(), c.ref, next->seq, NULL, NULL, &err) != 0)
            ui_error_take(err);
        else
            after_write(m);
    } else {
        struct ch_req *q = new_req(m, &c, "step");
        q->seq = next->seq;
        char *title =
            xasprintf(_("%s step %d: %s"), c.ref, next->seq, next->text ? next->text : "");
        ui_prompt(title, _("Output"), NULL, 0, submit_step, q, free);
        free(title);
    }
    change_clear(&c);
}

/* ---- adding steps one by one ---- */
static int submit_add_step(const char *text, void *data, char **err);

static void prompt_next_step(struct ch_req *q)
{
    char *title = xasprintf(_("%s: step %d (empty finishes)"), q->ref, q->seq);
    ui_prompt(title, _("Step"), NULL, 0, submit_add_step, q, free);
    free(title);
}

static int submit_add_step(const char *text, void *data, char **err)
{
    struct ch_req *q = data;
    if (!*text) {
        ui_message(_("%s has %d step(s). s submits it for review."), q->ref, q->seq - 1);
        return 0;
    }
    if (change_add_step(ui_store(), q->id, text, err) != 0)
        return -1;
    after_write(q->m);
    struct ch_req *n = new_req(q->m, NULL, "add");
    snprintf(n->id, sizeof n->id, "%s", q->id);
    snprintf(n->ref, sizeof n->ref, "%s", q->ref);
    n->seq = q->seq + 1;
    prompt_next_step(n);
    return 0;
}

static void start_add_step(struct ch_model *m, const struct change *sel)
{
    struct change c;
    char *err = NULL;
    if (change_get(ui_store(), sel->id, 1, &c, &err) != 0) {
        ui_error_take(err);
        return;
    }
    struct ch_req *q = new_req(m, &c, "add");
    q->seq = (int)c.nsteps + 1;
    change_clear(&c);
    prompt_next_step(q);
}

/* ---- a list modal: marks (target hosts) or a range of lines (a step's evidence) ---- */
struct ch_sel {
    struct ui_modal m;
    char *title, *foot;
    char **items;
    int n, sel, top;
    unsigned char *mark; /* marks mode: per item */
    int range, anchor;   /* range mode: anchor -1 until v / Space */
    void (*take)(struct ch_sel *s);
    void (*cancel)(struct ch_sel *s); /* may be NULL */
    void *data;
    void (*data_free)(void *data);
};

static void sel_free(struct ui_modal *mm)
{
    struct ch_sel *s = (struct ch_sel *)mm;
    if (s->data_free)
        s->data_free(s->data);
    for (int i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    free(s->mark);
    free(s->title);
    free(s->foot);
    free(s);
}

static void sel_bounds(const struct ch_sel *s, int *a, int *b)
{
    if (s->anchor < 0) {
        *a = *b = s->sel;
    } else {
        *a = s->anchor < s->sel ? s->anchor : s->sel;
        *b = s->anchor < s->sel ? s->sel : s->anchor;
    }
}

static void sel_draw(struct ui_modal *mm, const struct ui_canvas *screen)
{
    struct ch_sel *s = (struct ch_sel *)mm;
    int h = s->n + 3 < screen->h - 2 ? s->n + 3 : screen->h - 2;
    int w = screen->w - 4 < (s->range ? 132 : 72) ? screen->w - 4 : (s->range ? 132 : 72);
    struct ui_canvas in = ui_box(screen, h, w, s->title);
    int rows = in.h - 1;
    if (rows < 1)
        rows = 1;
    if (s->sel < s->top)
        s->top = s->sel;
    if (s->sel >= s->top + rows)
        s->top = s->sel - rows + 1;
    int a, b;
    sel_bounds(s, &a, &b);
    for (int y = 0; y < rows && s->top + y < s->n; y++) {
        int i = s->top + y;
        int style = i == s->sel ? STYLE_ROW_SELECTED : STYLE_NORMAL;
        char *line;
        if (s->range) {
            if (s->anchor >= 0 && i >= a && i <= b && i != s->sel)
                style = STYLE_STATUS_TODO;
            line = xasprintf("%c%4d  %s", s->anchor >= 0 && i >= a && i <= b ? '>' : ' ', i + 1,
                             s->items[i]);
        } else {
            line = xasprintf("[%s] %s", s->mark[i] ? "x" : " ", s->items[i]);
        }
        ui_put(&in, y, 0, in.w, style, line);
        free(line);
    }
    char *foot = s->range && s->anchor >= 0
                     ? xasprintf(_("lines %d-%d marked — %s"), a + 1, b + 1, s->foot)
                     : xstrdup(s->foot);
    ui_put(&in, in.h - 1, 0, in.w, STYLE_DIM, foot);
    free(foot);
}

static int sel_key(struct ui_modal *mm, int key)
{
    struct ch_sel *s = (struct ch_sel *)mm;
    ui_dirty(UI_DIRTY_ALL);
    if (key == UI_KEY_ESC || key == 'q') {
        if (s->cancel)
            s->cancel(s);
        return 1;
    }
    if (key == UI_KEY_ENTER) {
        if (s->n)
            s->take(s);
        else if (s->cancel)
            s->cancel(s);
        return 1;
    }
    if (key == ' ' && !s->range && s->n)
        s->mark[s->sel] = !s->mark[s->sel];
    else if ((key == ' ' || key == 'v') && s->range)
        s->anchor = s->anchor < 0 ? s->sel : -1;
    else if (key == 'G' || key == (UI_KEY_FN | KEY_END))
        s->sel = s->n ? s->n - 1 : 0;
    else if (key == 'g' || key == (UI_KEY_FN | KEY_HOME))
        s->sel = 0;
    else if ((key == 'j' || key == (UI_KEY_FN | KEY_DOWN)) && s->sel + 1 < s->n)
        s->sel++;
    else if ((key == 'k' || key == (UI_KEY_FN | KEY_UP)) && s->sel > 0)
        s->sel--;
    else if (key == (UI_KEY_FN | KEY_NPAGE) || key == UI_KEY_CTRL('f'))
        s->sel = s->sel + 10 < s->n ? s->sel + 10 : (s->n ? s->n - 1 : 0);
    else if (key == (UI_KEY_FN | KEY_PPAGE) || key == UI_KEY_CTRL('b'))
        s->sel = s->sel > 10 ? s->sel - 10 : 0;
    return 0;
}

/* Takes the items (owned from then on). */
static struct ch_sel *sel_new(const char *title, const char *foot, char **items, int n, int range)
{
    struct ch_sel *s = xcalloc(1, sizeof *s);
    s->m.key = sel_key;
    s->m.draw = sel_draw;
    s->m.free = sel_free;
    s->title = xstrdup(title);
    s->foot = xstrdup(foot);
    s->items = items;
    s->n = n;
    s->mark = xcalloc((size_t)(n ? n : 1), 1);
    s->range = range;
    s->anchor = -1;
    return s;
}

/* ---- target hosts: marked in a list of the inventory ---- */
static void prompt_next_step(struct ch_req *q);

struct ch_hosts {
    struct ch_req *q;
    char **names;       /* the inventory's host names, as the items */
    unsigned char *was; /* a target host when the list opened */
    int n;
    int then_steps; /* a new change: the steps are asked next */
};

static void hosts_free(void *data)
{
    struct ch_hosts *h = data;
    for (int i = 0; i < h->n; i++)
        free(h->names[i]);
    free(h->names);
    free(h->was);
    free(h->q);
    free(h);
}

static void hosts_next(struct ch_hosts *h)
{
    if (!h->then_steps)
        return;
    struct ch_req *n = xcalloc(1, sizeof *n);
    *n = *h->q;
    prompt_next_step(n);
}

static void hosts_cancel(struct ch_sel *s)
{
    hosts_next(s->data);
}

static void hosts_take(struct ch_sel *s)
{
    struct ch_hosts *h = s->data;
    int added = 0, removed = 0;
    char *err = NULL;
    for (int i = 0; i < h->n && !err; i++) {
        if (s->mark[i] == h->was[i])
            continue;
        int add = s->mark[i];
        if (change_set_host(ui_store(), h->q->id, h->names[i], add, &err) != 0)
            break;
        const char *words[] = {"change", add ? "add-host" : "remove-host", h->q->ref, h->names[i],
                               NULL};
        cmdlog_add(words);
        add ? added++ : removed++;
    }
    after_write(h->q->m);
    if (err)
        ui_error_take(err);
    else if (added || removed)
        ui_message(_("Target hosts of %s: %d added, %d removed."), h->q->ref, added, removed);
    else
        ui_message(_("The target hosts of %s are unchanged."), h->q->ref);
    hosts_next(h);
}

/* The inventory with the change's target hosts marked; Space marks, Enter keeps. */
static void choose_hosts(struct ch_model *m, const char *ref, int then_steps)
{
    struct change c;
    char *err = NULL;
    if (change_get(ui_store(), ref, 1, &c, &err) != 0) {
        ui_error_take(err);
        return;
    }
    struct host *hs = NULL;
    size_t nh = 0;
    if (host_list(ui_store(), &hs, &nh, &err) != 0) {
        change_clear(&c);
        ui_error_take(err);
        return;
    }
    if (!nh && then_steps) { /* nothing to choose from: straight to the steps */
        struct ch_req *q = new_req(m, &c, "add");
        q->seq = (int)c.nsteps + 1;
        change_clear(&c);
        prompt_next_step(q);
        return;
    }
    struct ch_hosts *h = xcalloc(1, sizeof *h);
    h->q = new_req(m, &c, "hosts");
    h->q->seq = (int)c.nsteps + 1;
    h->then_steps = then_steps;
    h->n = (int)nh;
    h->names = xcalloc(nh ? nh : 1, sizeof *h->names);
    h->was = xcalloc(nh ? nh : 1, 1);
    char **items = xcalloc(nh ? nh : 1, sizeof *items);
    for (size_t i = 0; i < nh; i++) {
        h->names[i] = xstrdup(hs[i].name);
        for (size_t k = 0; k < c.nlinks; k++)
            if (strcmp(c.links[k].kind, "host") == 0 && c.links[k].label &&
                strcmp(c.links[k].label, hs[i].name) == 0)
                h->was[i] = 1;
        struct strbuf sb = STRBUF_INIT;
        text_fit(&sb, hs[i].name, 14);
        sb_putc(&sb, ' ');
        text_fit(&sb, hs[i].role ? label_host_role(hs[i].role) : "", 12);
        sb_putc(&sb, ' ');
        sb_puts(&sb, hs[i].location ? hs[i].location : "");
        items[i] = sb_detach(&sb);
    }
    char *title = xasprintf(_("Target hosts of %s"), c.ref);
    struct ch_sel *s = sel_new(title,
                               _("Space marks or unmarks a host  Enter keeps  Esc leaves "
                                 "them as they were"),
                               items, (int)nh, 0);
    memcpy(s->mark, h->was, nh);
    s->take = hosts_take;
    s->cancel = hosts_cancel;
    s->data = h;
    s->data_free = hosts_free;
    ui_modal_push(&s->m);
    free(title);
    host_list_free(hs, nh);
    change_clear(&c);
    if (!nh)
        ui_message("%s", _("The hosts inventory is empty: add hosts in the Hosts pane first."));
}

/* ---- config effects and links, one at a time ---- */
static int submit_effect(const char *text, void *data, char **err)
{
    struct ch_req *q = data;
    if (change_add_effect(ui_store(), q->id, text, err) != 0)
        return -1;
    const char *words[] = {"change", "effect", q->ref, text, NULL};
    cmdlog_add(words);
    after_write(q->m);
    ui_message(_("Config effect added to %s."), q->ref);
    return 0;
}

static int submit_link(const char *text, void *data, char **err)
{
    struct ch_req *q = data;
    if (change_add_link(ui_store(), q->id, text, err) != 0)
        return -1;
    const char *words[] = {"change", "add-link", q->ref, text, NULL};
    cmdlog_add(words);
    after_write(q->m);
    ui_message(_("%s linked to %s."), text, q->ref);
    return 0;
}

static void prompt_effect(struct ch_req *q)
{
    char *title = xasprintf(_("Config effect of %s (KIND:HOST:VALUE, e.g. "
                              "patch:lib-ap01:KB5031234, account:lib-ad01:tanaka.m+)"),
                            q->ref);
    ui_prompt(title, _("Effect"), NULL, 1, submit_effect, q, free);
    free(title);
}

static void prompt_link(struct ch_req *q)
{
    char *title =
        xasprintf(_("Link %s to an incident, a problem or a change (INC-…, PRB-…, CHG-…)"), q->ref);
    ui_prompt(title, _("Ref"), NULL, 1, submit_link, q, free);
    free(title);
}

/* E and L with something to list: "add…" first, then the effects / links; d removes. */
struct ch_list_edit {
    struct ch_req *q;
    char **keys; /* per item after the first: the effect's seq or the link's ref */
    int n;
};

static void list_edit_free(void *data)
{
    struct ch_list_edit *e = data;
    for (int i = 0; i < e->n; i++)
        free(e->keys[i]);
    free(e->keys);
    free(e->q);
    free(e);
}

static struct ch_req *copy_req(const struct ch_req *q)
{
    struct ch_req *n = xcalloc(1, sizeof *n);
    *n = *q;
    return n;
}

static void effects_pick(int index, void *data)
{
    struct ch_list_edit *e = data;
    if (index == 0)
        prompt_effect(copy_req(e->q));
    else
        ui_message("%s", _("d removes the selected effect."));
}

static void effects_del(int index, void *data)
{
    struct ch_list_edit *e = data;
    if (index == 0)
        return;
    char *err = NULL;
    const char *seq = e->keys[index - 1];
    if (change_remove_effect(ui_store(), e->q->id, atoi(seq), &err) != 0) {
        ui_error_take(err);
        return;
    }
    const char *words[] = {"change", "remove-effect", e->q->ref, seq, NULL};
    cmdlog_add(words);
    after_write(e->q->m);
    ui_message(_("Config effect %s removed from %s."), seq, e->q->ref);
}

static void edit_effects(struct ch_model *m, const struct change *c)
{
    struct cmdb_effect_row *eff = NULL;
    size_t ne = 0;
    char *err = NULL;
    if (cmdb_effects_of(ui_store(), c->id, &eff, &ne, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (!ne) {
        prompt_effect(new_req(m, c, "effect"));
        return;
    }
    struct ch_list_edit *e = xcalloc(1, sizeof *e);
    e->q = new_req(m, c, "effect");
    e->keys = xcalloc(ne, sizeof *e->keys);
    e->n = (int)ne;
    char **items = xcalloc(ne + 1, sizeof *items);
    items[0] = xstrdup(_("+ add a config effect…"));
    for (size_t i = 0; i < ne; i++) {
        e->keys[i] = xasprintf("%d", eff[i].seq);
        const char *spec = eff[i].spec ? eff[i].spec : "";
        const char *v = strchr(spec, ':');
        v = v ? strchr(v + 1, ':') : NULL;
        items[i + 1] =
            xasprintf("%d. %s  %s  %s (%s)", eff[i].seq, label_config_kind(eff[i].kind),
                      eff[i].host ? eff[i].host : "", v ? v + 1 : spec, label_config_op(eff[i].op));
    }
    cmdb_effect_rows_free(eff, ne);
    char *title =
        xasprintf(_("Config effects of %s (Enter on the first row adds, d removes)"), c->ref);
    ui_pick_ex(title, (const char *const *)items, (int)ne + 1, effects_pick, effects_del, e,
               list_edit_free);
    free(title);
    for (size_t i = 0; i <= ne; i++)
        free(items[i]);
    free(items);
}

static void links_pick(int index, void *data)
{
    struct ch_list_edit *e = data;
    if (index == 0)
        prompt_link(copy_req(e->q));
    else
        ui_message("%s", _("d removes the selected link."));
}

static void links_del(int index, void *data)
{
    struct ch_list_edit *e = data;
    if (index == 0)
        return;
    char *err = NULL;
    const char *target = e->keys[index - 1];
    if (change_remove_link(ui_store(), e->q->id, target, &err) != 0) {
        ui_error_take(err);
        return;
    }
    const char *words[] = {"change", "remove-link", e->q->ref, target, NULL};
    cmdlog_add(words);
    after_write(e->q->m);
    ui_message(_("%s is no longer linked to %s."), target, e->q->ref);
}

static void edit_links(struct ch_model *m, const struct change *sel)
{
    struct change c;
    char *err = NULL;
    if (change_get(ui_store(), sel->id, 1, &c, &err) != 0) {
        ui_error_take(err);
        return;
    }
    struct ch_list_edit *e = xcalloc(1, sizeof *e);
    e->q = new_req(m, &c, "link");
    e->keys = xcalloc(c.nlinks ? c.nlinks : 1, sizeof *e->keys);
    char **items = xcalloc(c.nlinks + 1, sizeof *items);
    items[0] = xstrdup(_("+ link an incident, a problem or a change…"));
    for (size_t i = 0; i < c.nlinks; i++) {
        const char *k = c.links[i].kind;
        if (strcmp(k, "incident") != 0 && strcmp(k, "problem") != 0 && strcmp(k, "change") != 0)
            continue;
        const char *label = c.links[i].label ? c.links[i].label : c.links[i].id;
        e->keys[e->n] = xasprintf("%s:%s", k, label);
        items[++e->n] = xasprintf("%s %s", label_link_kind(k), label);
    }
    if (!e->n) {
        prompt_link(copy_req(e->q));
        list_edit_free(e);
    } else {
        char *title = xasprintf(_("Links of %s (Enter on the first row adds, d removes)"), c.ref);
        ui_pick_ex(title, (const char *const *)items, e->n + 1, links_pick, links_del, e,
                   list_edit_free);
        free(title);
    }
    for (size_t i = 0; i <= c.nlinks; i++)
        free(items[i]);
    free(items);
    change_clear(&c);
}

/* ---- a step's evidence from a recorded session ---- */
struct ch_evidence {
    struct ch_req *q; /* the change and the step (seq) */
    struct change_session *rows;
    size_t n;
    char sid[ID_LEN + 1]; /* the chosen session */
    char host[64];
    char **lines;
    size_t nlines;
    int handed; /* handed on to the next modal, which frees it */
};

/* The data_free of each modal of the evidence: the last one frees. */
static void evidence_release(void *data)
{
    struct ch_evidence *e = data;
    if (e->handed) {
        e->handed = 0;
        return;
    }
    change_sessions_free(e->rows, e->n);
    session_lines_free(e->lines, e->nlines);
    free(e->q);
    free(e);
}

static void evidence_record(struct ch_evidence *e, int from, int to)
{
    char *err = NULL;
    if (change_do_step_evidence(ui_store(), e->q->id, e->q->seq, e->sid, from, to, &err) != 0) {
        ui_error_take(err);
        return;
    }
    char range[32];
    snprintf(range, sizeof range, "%d-%d", from, to);
    char seq[16];
    snprintf(seq, sizeof seq, "%d", e->q->seq);
    const char *words[] = {
        "change", "do", e->q->ref, seq, "--evidence-session", e->sid, from ? "--lines" : NULL,
        range,    NULL};
    cmdlog_add(words);
    after_write(e->q->m);
    int nl = from ? to - from + 1 : (int)e->nlines;
    ui_message(_("Step %d of %s done; its evidence is %d line(s) of the session on %s."), e->q->seq,
               e->q->ref, nl, e->host);
}

static void lines_take(struct ch_sel *s)
{
    int a, b;
    sel_bounds(s, &a, &b);
    evidence_record(s->data, a + 1, b + 1);
}

static void evidence_how(int index, void *data)
{
    struct ch_evidence *e = data;
    if (index == 0) {
        evidence_record(e, 0, 0);
        return;
    }
    char **items = xcalloc(e->nlines ? e->nlines : 1, sizeof *items);
    for (size_t i = 0; i < e->nlines; i++)
        items[i] = xstrdup(e->lines[i]);
    char *title =
        xasprintf(_("%s step %d: lines of the session on %s"), e->q->ref, e->q->seq, e->host);
    struct ch_sel *s = sel_new(title,
                               _("j/k move  v or Space marks the start of a range  Enter takes "
                                 "the marked lines (or the line under the cursor)  Esc cancels"),
                               items, (int)e->nlines, 1);
    s->take = lines_take;
    s->data = e;
    s->data_free = evidence_release;
    s->sel = e->nlines ? (int)e->nlines - 1 : 0; /* the end of a session is where results are */
    ui_modal_push(&s->m);
    e->handed = 1;
    free(title);
}

static void evidence_session(int index, void *data)
{
    struct ch_evidence *e = data;
    if (index < 0 || (size_t)index >= e->n)
        return;
    const struct change_session *r = &e->rows[index];
    char *err = NULL;
    if (session_text_lines(ui_store(), r->id, e->sid, &e->lines, &e->nlines, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (!e->nlines) {
        ui_message(_("The session on %s shows no text."), r->host ? r->host : "");
        return;
    }
    snprintf(e->host, sizeof e->host, "%s", r->host ? r->host : "");
    char *all = xasprintf(_("the whole session (%zu lines)"), e->nlines);
    const char *items[] = {all, _("choose lines…")};
    char *title = xasprintf(_("Evidence of %s step %d from the session on %s"), e->q->ref,
                            e->q->seq, e->host);
    ui_pick_ex(title, items, 2, evidence_how, NULL, e, evidence_release);
    e->handed = 1;
    free(title);
    free(all);
}

static void session_label(const struct change_session *r, char **out)
{
    char a[32] = "", b[32] = "";
    if (r->started_at)
        time_format_jst(r->started_at, a, 0);
    if (r->ended_at)
        time_format_jst(r->ended_at, b, 0);
    long mins =
        r->started_at && r->ended_at ? (long)((r->ended_at - r->started_at + 59999) / 60000) : 0;
    /* the mark first, so a narrow picker never cuts it */
    *out = xasprintf(_("%s%s  %s–%s (%ld min)  %s"), r->linked ? _("[linked] ") : "",
                     r->host ? r->host : "", a[0] ? a + 5 : "", b[0] ? b + 11 : "", mins,
                     r->operator_login ? r->operator_login : "");
}

/* e: the next step of the change in progress, its evidence from a session. */
static void evidence_start(struct ch_model *m, const struct change *sel)
{
    struct change c;
    char *err = NULL;
    if (change_get(ui_store(), sel->id, 1, &c, &err) != 0) {
        ui_error_take(err);
        return;
    }
    const struct change_step_row *next = NULL;
    for (size_t i = 0; i < c.nsteps && !next; i++)
        if (!c.steps[i].done_at)
            next = &c.steps[i];
    if (!next || strcmp(c.status, "in_progress") != 0) {
        change_clear(&c);
        check_off_next(m, sel); /* says why not, as Space does */
        return;
    }
    struct ch_evidence *e = xcalloc(1, sizeof *e);
    e->q = new_req(m, &c, "evidence");
    e->q->seq = next->seq;
    if (change_session_candidates(ui_store(), c.ref, &e->rows, &e->n, &err) != 0) {
        ui_error_take(err);
        evidence_release(e);
        change_clear(&c);
        return;
    }
    if (!e->n) {
        ui_message(_("No recorded session is linked to %s or ran on its target hosts: open a "
                     "console on a target host (Consoles pane) first."),
                   c.ref);
        evidence_release(e);
        change_clear(&c);
        return;
    }
    char **items = xcalloc(e->n, sizeof *items);
    for (size_t i = 0; i < e->n; i++)
        session_label(&e->rows[i], &items[i]);
    char *title =
        xasprintf(_("%s step %d: take the evidence from which session?"), c.ref, next->seq);
    ui_pick_ex(title, (const char *const *)items, (int)e->n, evidence_session, NULL, e,
               evidence_release);
    free(title);
    for (size_t i = 0; i < e->n; i++)
        free(items[i]);
    free(items);
    change_clear(&c);
}

/* ---- new change ---- */
static const char *risk_choices[3];

static int parse_window(struct ui_field *fl, const char *text, int64_t *ms)
{
    *ms = 0;
    char *n = input_norm_date(text); /* "２０２６／１１／２８　２２：００" */
    int bad = *n && time_parse(n, ms) != 0;
    free(n);
    if (bad) {
        free(fl->error);
        fl->error = xstrdup(_("a time like 2026-11-28 22:00 (JST)"));
        return -1;
    }
    return 0;
}

static int submit_new(struct ui_form *f, void *data, char **err)
{
    struct ch_model *m = data;
    char *v[8];
    for (int i = 0; i < 5; i++)
        v[i] = ui_field_value(ui_form_field(f, i));
    int risk = ui_form_field(f, 5)->choice;
    v[5] = ui_field_value(ui_form_field(f, 6));
    v[6] = ui_field_value(ui_form_field(f, 7));
    struct change_new in = {0};
    in.dept = v[0];
    in.title = v[1];
    in.reason = *v[2] ? v[2] : NULL;
    in.plan = *v[3] ? v[3] : NULL;
    in.rollback = *v[4] ? v[4] : NULL;
    in.risk = change_risks[risk];
    int rc = -1;
    if (parse_window(ui_form_field(f, 6), v[5], &in.window_start) != 0 ||
        parse_window(ui_form_field(f, 7), v[6], &in.window_end) != 0) {
        set_err(err, "%s", _("the window takes times like 2026-11-28 22:00 (JST)"));
        goto out;
    }
    if (!in.window_start != !in.window_end) {
        set_err(err, "%s", _("give both ends of the window, or neither"));
        goto out;
    }
    char id[ID_LEN + 1], ref[CHANGE_REF_LEN];
    if (change_create(ui_store(), &in, id, ref, err) != 0)
        goto out;
    rc = 0;
    after_write(m);
    /* select it */
    for (size_t i = 0; i < m->nidx; i++)
        if (strcmp(m->rows[m->idx[i]].id, id) == 0)
            table_goto(&m->table, (long)i);
    char *warn = change_window_warning(ui_calendar(), in.window_start, in.window_end, NULL);
    if (warn)
        ui_error(_("Filed change %s (draft). Warning: %s"), ref, warn);
    else
        ui_message(_("Filed change %s (draft)."), ref);
    free(warn);
    choose_hosts(m, ref, 1); /* then the steps, one by one */
out:
    for (int i = 0; i < 7; i++)
        free(v[i]);
    return rc;
}

static void start_new(struct ch_model *m)
{
    for (int i = 0; i < 3; i++)
        risk_choices[i] = label_risk(change_risks[i]);
    struct ui_form *f = ui_form_new(_("New change request"), submit_new, m);
    ui_form_text(f, _("Department"), NULL, 1);
    ui_form_text(f, _("Title"), NULL, 1);
    ui_form_text(f, _("Reason"), NULL, 0);
    ui_form_text(f, _("Plan"), NULL, 0);
    ui_form_text(f, _("Rollback plan"), NULL, 0);
    ui_form_choice(f, _("Risk"), risk_choices, 3, 1);
    ui_form_text(f, _("Window start (JST)"), NULL, 0);
    ui_form_text(f, _("Window end (JST)"), NULL, 0);
    ui_form_show(f);
}

static int ch_action(struct pane *p, const char *a)
{
    struct ch_model *m = p->data;
    if (ui_list_is_shared(a) || strncmp(a, "goto ", 5) == 0)
        return ui_list_action(&m->list, a, p->h > 4 ? p->h - 2 : 1);
    if (strcmp(a, "changes.new") == 0) {
        start_new(m);
        return 1;
    }
    if (strncmp(a, "changes.", 8) == 0 || strcmp(a, "open") == 0) {
        const struct change *c = selected_change(m);
        if (!c) {
            ui_message("%s", _("No change selected."));
            return 1;
        }
        if (strcmp(a, "open") == 0) {
            if (!m->detail) {
                snprintf(m->detail_id, sizeof m->detail_id, "%s", c->id);
                m->detail = 1;
                m->lines.top = 0;
                build_detail(m);
            }
        } else if (strcmp(a, "changes.submit") == 0) {
            submit_for_review(m, c);
        } else if (strcmp(a, "changes.approve") == 0) {
            ask_approve(m, c);
        } else if (strcmp(a, "changes.return") == 0) {
            char *title = xasprintf(_("Return %s to the requester"), c->ref);
            ui_prompt(title, _("Why"), NULL, 1, submit_note, new_req(m, c, "return"), free);
            free(title);
        } else if (strcmp(a, "changes.start") == 0) {
            ask_start(m, c);
        } else if (strcmp(a, "changes.step") == 0) {
            check_off_next(m, c);
        } else if (strcmp(a, "changes.add-step") == 0) {
            start_add_step(m, c);
        } else if (strcmp(a, "changes.hosts") == 0) {
            choose_hosts(m, c->ref, 0);
        } else if (strcmp(a, "changes.effect") == 0) {
            edit_effects(m, c);
        } else if (strcmp(a, "changes.link") == 0) {
            edit_links(m, c);
        } else if (strcmp(a, "changes.evidence") == 0) {
            evidence_start(m, c);
        } else if (strcmp(a, "changes.done") == 0) {
            verb_now(m, c, "done");
        } else if (strcmp(a, "changes.rollback") == 0) {
            char *q = xasprintf(_("Roll back %s (%s)? Config records are restored. (y/n)"), c->ref,
                                change_status_name(c->status));
            ui_confirm(q, rollback_answer, new_req(m, c, "rollback"));
            free(q);
        } else if (strcmp(a, "changes.cancel") == 0) {
            char *title = xasprintf(_("Cancel %s"), c->ref);
            ui_prompt(title, _("Why"), NULL, 1, submit_note, new_req(m, c, "cancel"), free);
            free(title);
        } else {
            return 0;
        }
        return 1;
    }
    return 0;
}

static int ch_key(struct pane *p, int key)
{
    struct ch_model *m = p->data;
    return ui_lines_close(&m->detail, &m->lines, key);
}

static void ch_mouse(struct pane *p, int y, int x, int button)
{
    struct ch_model *m = p->data;
    ui_list_mouse_event(&m->list, y, x, button);
}

static int ch_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                     char **err)
{
    (void)err;
    struct ch_model *m = p->data;
    return ui_list_filter(&m->list, re, pattern);
}

static int ch_sort(struct pane *p, const char *column, char **err)
{
    struct ch_model *m = p->data;
    return ui_list_sort(&m->list, column, err);
}

static void ch_free(struct pane *p)
{
    struct ch_model *m = p->data;
    table_free(&m->table);
    change_list_free(m->rows, m->n);
    free(m->in_service);
    ui_list_free(&m->list);
    free(m->idx);
    free(m->load_error);
    ui_lines_free(&m->lines);
    free(m);
}

static const struct ui_binding ch_bindings[] = {
    {"changes.new", "+", N_("file a new change request")},
    {"changes.submit", "s", N_("submit the change for review (plans a draft first)")},
    {"changes.approve", "a",
     N_("approve the change with a comment (an engineer other than the requester; asks first)")},
    {"changes.return", "t", N_("return the change to the requester with a note")},
    {"changes.start", "S",
     N_("start the approved change (asks first, naming the change and its window)")},
    {"changes.step", "Space o", N_("check off the next procedure step (asks for its output)")},
    {"changes.add-step", "A", N_("add a procedure step (draft, planned or returned)")},
    {"changes.hosts", "H",
     N_("choose the target hosts from the inventory (draft, planned or returned)")},
    {"changes.effect", "E",
     N_("add or remove config effects (draft, planned or returned; d removes)")},
    {"changes.link", "L",
     N_("link the change to an incident, a problem or another change (d removes a link)")},
    {"changes.evidence", "e",
     N_("check off the next step with evidence from a recorded session (all or chosen lines)")},
    {"changes.done", "D", N_("mark the change done (every step checked off)")},
    {"changes.rollback", "b", N_("roll the change back (asks first)")},
    {"changes.cancel", "C", N_("cancel the change (asks why)")},
    {NULL, NULL, NULL},
};

const struct pane_ops changes_pane = {
    .name = "changes",
    .title = N_("Changes"),
    .bindings = ch_bindings,
    .open = ch_open,
    .load = ch_load,
    .reload_on_show = 1,
    .list = 1,
    .draw = ch_draw,
    .action = ch_action,
    .key = ch_key,
    .mouse = ch_mouse,
    .filter = ch_filter,
    .sort = ch_sort,
    .free = ch_free,
};
