/* Incidents pane: the incident list view.
 *
 * A fast read-only list over the whole ledger from the core model
 * (src/incident_list.h: keyset paging, never OFFSET, never all rows). The
 * exact count runs in the background while the list starts with a lower
 * bound; the `/` filter scans the titles on a worker thread and the list
 * shows the previous rows until its result arrives. `F`, `:filter
 * status=open ...`, `s` (full-text search) and `I` (inbox) show a short
 * list from incident_list() instead. The shared list keys (src/ui/ui_list.h)
 * drive the model: `>`/`<` and a header click set its order, n/N move between
 * the title matches. `+` starts intake (screens/incident_form.c), offering the
 * operator's unfinished drafts. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "incident_views.h"
#include "incidents_int.h"
#include "screens.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "ui_view.h"
#include "util.h"

static const char *const sort_labels[INC_SORT_COUNT] = {N_("received"), N_("priority"),
                                                        N_("status")};
static const int sort_col_of[INC_SORT_COUNT] = {1, 3, 4};
/* per table column: the sort key a header click picks */
static const int col_sort[7] = {-1, INC_SORT_RECEIVED, -1, INC_SORT_PRIORITY, INC_SORT_STATUS, -1,
                                -1};

static struct table_col cols[7];

/* At 80 columns the title keeps its cells (TABLE_KEEP_TITLE) and the columns with a
 * drop order are hidden whole, in that order: the intake time first (the ref
 * carries the date), then the library (in the detail), then priority and SLA only
 * on narrower screens still. The ref and the state are never hidden. */
static void setup_cols(void)
{
    cols[0] = (struct table_col){_("Ref"), 8, 22, 0, 0, 0, 0};
    cols[1] = (struct table_col){_("Received (JST)"), 16, 16, 0, 0, 0, 1};
    cols[2] = (struct table_col){_("Library"), 6, 16, 0, 0, 0, 2};
    cols[3] = (struct table_col){_("Pri"), 3, 4, 0, 0, 0, 3};
    cols[4] = (struct table_col){_("Status"), 6, 14, 0, 0, 0, 0};
    cols[5] = (struct table_col){_("Title"), 10, 0, 1, 0, TABLE_KEEP_TITLE, 0};
    cols[6] = (struct table_col){_("SLA"), 4, 10, 0, 0, 0, 4};
}

/* One incident as a table row; sla: show its clock (inc->sla is computed). */
static void row_of(const struct incident *inc, int sla, struct table_row *r)
{
    memset(r, 0, sizeof *r);
    r->cell[0] = xstrdup(inc->ref);
    r->cell[1] = inc_jst(inc->received);
    r->cell[2] = inc_dup0(inc->library_name);
    r->cell[3] = xstrdup(inc->priority);
    r->cell[4] = xstrdup(inc_status_label(inc->status));
    r->cell[5] = inc_dup0(inc->title);
    r->cell_style[3] = inc_priority_style(inc->priority);
    r->style = STYLE_NORMAL;
    if (sla) {
        enum sla_state ss = sla_state_simple(inc->sla.overall);
        r->cell[6] = xstrdup(inc->sla.paused ? _("paused") : sla_state_name(ss));
        r->cell_style[6] = inc_sla_style(ss);
    } else
        r->cell[6] = xstrdup("");
}

static int open_status(const char *s)
{
    return s && strcmp(s, "draft") != 0 && strcmp(s, "closed") != 0;
}

/* ---- the simple (array) incident list: fields, search, inbox ---- */
static void simple_clear(struct views *v)
{
    incident_list_free(v->srows, v->ns);
    v->srows = NULL;
    v->ns = 0;
}

static void simple_reset_args(struct views *v)
{
    inc_fields_clear(&v->f);
    free(v->simple_desc);
    v->simple_desc = NULL;
}

static int simple_load(struct inc_model *m, char **err)
{
    struct views *v = m->v;
    simple_clear(v);
    int partial = 0;
    if (inc_fields_list(m->st, m->sla, &v->f, SIMPLE_LIMIT, m->now, &v->srows, &v->ns, &partial,
                        err) != 0)
        return -1;
    v->partial = partial;
    return 0;
}

static long simple_count(struct inc_model *m)
{
    return m->v->simple ? (long)m->v->ns : -1;
}

static long simple_fetch(struct inc_model *m, long from, long n, struct table_row *rows)
{
    long got = 0;
    for (long i = 0; i < n && from + i < (long)m->v->ns; i++, got++) {
        const struct incident *inc = &m->v->srows[from + i];
        row_of(inc, open_status(inc->status), &rows[i]);
        if (open_status(inc->status))
            incl_sla_seen(m, &inc->sla);
    }
    return got;
}

/* `:filter status=open priority=P1 …` (or the F form): fields instead of a
 * pattern. Returns 1 when text is such a filter, 0 when it is a pattern. */
static int parse_field_filter(struct inc_model *m, const char *text, char **err)
{
    struct views *v = m->v;
    int r = inc_fields_parse(text, &v->f, err);
    if (r != 0) {
        free(v->simple_desc);
        v->simple_desc = r == 1 ? xstrdup(text) : NULL;
    }
    return r;
}

static void show_simple(struct inc_model *m)
{
    char *err = NULL;
    m->now = time_now_ms();
    if (simple_load(m, &err) != 0) {
        ui_error_take(err);
        simple_reset_args(m->v);
        m->v->simple = 0;
    } else
        m->v->simple = 1;
    table_reset(&m->table);
    table_goto(&m->table, 0);
    ui_dirty(UI_DIRTY_PANE);
}

void incl_leave_simple(struct inc_model *m)
{
    simple_clear(m->v);
    simple_reset_args(m->v);
    m->v->simple = 0;
}

/* ---- the table source ---- */
#define PROVISIONAL_ROWS 1000

struct count_job {
    struct inc_model *m;
    char *path;
    long n;
};

static void count_work(void *arg)
{
    struct count_job *j = arg;
    char *err = NULL;
    if (incident_count_at(j->path, &j->n, &err) != 0)
        j->n = -1;
    free(err); /* the list keeps its lower bound */
}

static void count_done(void *arg)
{
    struct count_job *j = arg;
    struct inc_model *m = j->m;
    m->counting = 0;
    if (inc_list_set_count(m->list, j->n)) {
        if (!inc_list_filtered(m->list))
            m->table.nrows = j->n;
        ui_dirty(UI_DIRTY_PANE);
    }
    free(j->path);
    free(j);
}

/* The exact count takes a scan of the ledger (~0.3 s for a million rows): on
 * the console it runs in the background and the list starts with a lower
 * bound (the first PROVISIONAL_ROWS rows). */
static long inc_count(void *data)
{
    struct inc_model *m = data;
    if (simple_count(m) >= 0)
        return simple_count(m);
    struct inc_list *l = m->list;
    if (inc_list_filtered(l) || inc_list_counted(l))
        return inc_list_size(l);
    char *err = NULL;
    if (!ui_headless && !m->counting) {
        struct count_job *j = xcalloc(1, sizeof *j);
        j->m = m;
        j->path = xstrdup(m->st->path);
        m->counting = 1;
        if (ui_bg_run(count_work, count_done, j) == 0) {
            if (inc_list_count_first(l, PROVISIONAL_ROWS, &err) != 0)
                ui_error_take(err); /* an empty list must not look like no incidents */
            return inc_list_total(l);
        }
        m->counting = 0;
        free(j->path);
        free(j);
    }
    if (m->counting)
        return inc_list_total(l);
    if (inc_list_count(l, &err) != 0)
        ui_error_take(err); /* an empty list must not look like no incidents */
    return inc_list_total(l);
}

static long inc_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct inc_model *m = data;
    if (simple_count(m) >= 0)
        return simple_fetch(m, from, n, rows);
    struct inc_list_row *lr = xcalloc((size_t)(n > 0 ? n : 1), sizeof *lr);
    inc_list_set_now(m->list, m->now);
    char *err = NULL;
    long got = inc_list_fetch(m->list, from, n, lr, &err);
    if (err)
        ui_error_take(err); /* the list is short, or a row blank: say why */
    for (long i = 0; i < got; i++) {
        if (lr[i].inc.status) {
            row_of(&lr[i].inc, lr[i].has_sla, &rows[i]);
            if (lr[i].has_sla)
                incl_sla_seen(m, &lr[i].inc.sla);
        } else
            memset(&rows[i], 0, sizeof rows[i]);
    }
    inc_list_rows_clear(lr, n);
    free(lr);
    /* a far jump counts the rows as it builds its anchors */
    if (inc_list_counted(m->list) && !inc_list_filtered(m->list))
        m->table.nrows = inc_list_total(m->list);
    return got;
}

/* The list is in a new order: show its first row. */
static void resort(struct inc_model *m)
{
    struct inc_list *l = m->list;
    m->table.sort_col = sort_col_of[inc_list_sort(l)];
    m->table.sort_desc = inc_list_desc(l);
    table_reset(&m->table);
    table_goto(&m->table, 0);
}

/* ---- the title filter ---- */
/* A filter run: the core scan plus the pattern (its own JIT-compiled copy),
 * so it can run on a worker thread while the console keeps drawing (the list
 * shows the previous rows until the result arrives; a newer filter makes an
 * older result stale). */
struct filter_job {
    struct inc_model *m;
    unsigned gen;
    pcre2_code *re;
    struct inc_scan *scan;
};

static int scan_match(void *ctx, const char *title, size_t len)
{
    struct filter_job *j = ctx;
    int hit = ui_filter_try(j->re, title, len);
    return hit == UI_FILTER_YES ? 1 : hit == UI_FILTER_CUT ? -1 : 0;
}

static int scan_stop(void *ctx)
{
    (void)ctx;
    return ui_bg_quitting();
}

static void scan_thread_done(void *ctx)
{
    (void)ctx;
    ui_filter_thread_done();
}

static void filter_work(void *arg)
{
    struct filter_job *j = arg;
    struct inc_scan_ops ops = {scan_match, scan_stop, scan_thread_done, j};
    inc_scan_run(j->scan, &ops);
    ui_filter_thread_done();
}

static void filter_done(void *arg)
{
    struct filter_job *j = arg;
    struct inc_model *m = j->m;
    if (m->job == j)
        m->job = NULL;
    if (j->gen == m->filter_gen && !inc_scan_cancelled(j->scan)) {
        m->filtering = 0;
        m->ncut = inc_scan_cut(j->scan);
        inc_list_take_scan(m->list, j->scan);
        if (inc_scan_failed(j->scan))
            ui_error("%s", _("the filter could not read the whole ledger; the list may be "
                             "incomplete"));
        else if (m->ncut)
            ui_error(_("%ld titles not checked: pattern too complex"), m->ncut);
        resort(m);
        ui_dirty(UI_DIRTY_PANE);
    }
    inc_scan_free(j->scan);
    pcre2_code_free(j->re);
    free(j);
}

/* Stops a scan whose result will not be used (its done still runs). */
static void cancel_scan(struct inc_model *m)
{
    if (m->job)
        inc_scan_cancel(m->job->scan);
    m->job = NULL;
}

static void start_filter(struct inc_model *m, const pcre2_code *re, const char *pattern)
{
    cancel_scan(m);
    struct filter_job *j = xcalloc(1, sizeof *j);
    j->m = m;
    j->gen = ++m->filter_gen;
    j->re = pcre2_code_copy(re);
    pcre2_jit_compile(j->re, PCRE2_JIT_COMPLETE);
    j->scan = inc_scan_new(m->list); /* a failed read: filter_done says so */
    inc_scan_with_refs(j->scan, inc_ref_like(pattern));
    m->filtering = 1;
    m->job = j;
    if (ui_bg_run(filter_work, filter_done, j) != 0) {
        filter_work(j);
        filter_done(j);
    }
}

/* No pattern filter any more: a running scan's result is stale now. */
static void drop_filter(struct inc_model *m)
{
    cancel_scan(m);
    m->filter_gen++;
    m->filtering = 0;
    inc_list_clear_filter(m->list);
}

int incl_filter(struct inc_model *m, const pcre2_code *re, const char *pattern, char **err)
{
    if (pattern && *pattern) {
        int r = parse_field_filter(m, pattern, err);
        if (r < 0)
            return -1;
        if (r == 1) {
            ui_filter_keep(&m->ul.re, &m->ul.pattern, NULL, NULL);
            drop_filter(m); /* fields, not a pattern: clear any pattern filter */
            show_simple(m);
            return 0;
        }
    }
    if (m->v->simple)
        incl_leave_simple(m);
    /* the list keeps the pattern (n/N, the footer); the core scans with it */
    ui_filter_keep(&m->ul.re, &m->ul.pattern, re, re ? pattern : NULL);
    if (!re) {
        drop_filter(m);
        table_reset(&m->table);
        table_goto(&m->table, 0);
        return 0;
    }
    start_filter(m, re, pattern);
    return 0;
}

/* ---- sort ---- */
static void set_order(struct inc_model *m, enum inc_sort sort, int desc)
{
    if (m->v->simple)
        incl_leave_simple(m);
    char *err = NULL;
    inc_list_set_order(m->list, sort, desc, &err);
    free(err); /* a rank not read keeps its row's place */
    resort(m);
}

/* ui_list's rebuild: its sort key and direction (reversed from the model's
 * natural order, newest or highest first) become the model's order. */
static void list_rebuild(void *data)
{
    struct inc_model *m = data;
    set_order(m, (enum inc_sort)m->ul.sort, !m->ul.desc);
}

/* ---- intake (screens/incident_form.c) ---- */
void incident_form_open(struct store *st, const struct sla *sla, const char *draft_ref,
                        void (*done)(const char *ref, void *data), void *data);

void incl_intake_done(const char *ref, void *data)
{
    (void)ref;
    inc_refresh(data);
}

struct draft_pick {
    struct incident_choice *d;
    size_t n;
};

static void draft_pick_free(void *data)
{
    struct draft_pick *d = data;
    incident_choices_free(d->d, d->n);
    free(d);
}

/* Item 0 is a new intake; item i > 0 the draft d[i - 1] (newest first). */
static void draft_picked(int index, void *data)
{
    struct draft_pick *d = data;
    if (index >= 0 && (size_t)index <= d->n && inc_cur)
        incident_form_open(inc_cur->st, inc_cur->sla, index > 0 ? d->d[index - 1].key : NULL,
                           incl_intake_done, inc_cur);
}

static void choose_draft(struct inc_model *m, int form_if_none);

static void draft_delete_answer(int yes, void *data)
{
    char *ref = data;
    if (yes && inc_cur) {
        char *err = NULL;
        if (incident_discard_draft(inc_cur->st, ref, &err) != 0) {
            ui_error_take(err);
        } else {
            ui_message(_("The draft %s is discarded."), ref);
            inc_refresh(inc_cur);
            ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
        }
    }
    free(ref);
    if (inc_cur)
        choose_draft(inc_cur, 0); /* back to the chooser while drafts are left */
}

static void draft_delete(int index, void *data)
{
    struct draft_pick *d = data;
    if (index < 1 || (size_t)index > d->n) {
        if (inc_cur)
            choose_draft(inc_cur, 0); /* d on "New incident": nothing to delete */
        return;
    }
    const struct incident_choice *c = &d->d[index - 1];
    char *q = xasprintf(_("Discard the draft %s \"%s\"? It is thrown away (recorded in the audit "
                          "log). (y/n)"),
                        c->key, c->name);
    ui_confirm(q, draft_delete_answer, xstrdup(c->key));
    free(q);
}

/* Offers a new intake first, then the acting operator's drafts, newest first (a crash
 * or a quit left them); d deletes one (asks first). With no draft: the intake form
 * when form_if_none, else nothing. */
static void choose_draft(struct inc_model *m, int form_if_none)
{
    if (!m->sla) {
        ui_error("%s", _("sla.ini could not be read: intake needs the priority table"));
        return;
    }
    char *err = NULL;
    struct draft_pick *d = xcalloc(1, sizeof *d);
    if (incident_my_drafts(m->st, 50, &d->d, &d->n, &err) != 0) {
        free(d);
        ui_error_take(err);
        return;
    }
    if (d->n == 0) {
        free(d);
        if (form_if_none)
            incident_form_open(m->st, m->sla, NULL, incl_intake_done, m);
        return;
    }
    char **labels = xcalloc(d->n + 1, sizeof *labels);
    labels[0] = xstrdup(_("New incident"));
    for (size_t i = 0; i < d->n; i++) {
        char *at = inc_jst(d->d[i].at);
        labels[i + 1] = xasprintf(_("Resume draft %s  %s  (%s)"), d->d[i].key, d->d[i].name, at);
        free(at);
    }
    int nl = (int)d->n + 1;
    ui_pick_ex(_("Unfinished drafts (Enter opens, d discards)"), (const char *const *)labels, nl,
               draft_picked, draft_delete, d, draft_pick_free);
    for (int i = 0; i < nl; i++)
        free(labels[i]);
    free(labels);
}

static void start_intake(struct inc_model *m)
{
    choose_draft(m, 1);
}

/* ---- the F filter form ---- */
static const char *const f_status_keys[] = {
    "",          "open",      "draft",          "received",
    "isolated",  "escalated", "first_response", "second_response",
    "recovered", "closed",    "reopened",       NULL};
static const char *f_status_labels[16];
static const char *const f_prio[] = {"", "P1", "P2", "P3", "P4"};
static const char *const f_sla_keys[] = {"", "ok", "warning", "breached"};
static const char *f_sla_labels[4];
static const char *f_cat_labels[16];

static int filter_form_cb(struct ui_form *f, void *data, char **err)
{
    struct inc_model *m = data;
    struct strbuf sb = STRBUF_INIT;
    int st = ui_form_field(f, 0)->choice, pr = ui_form_field(f, 1)->choice;
    int ca = ui_form_field(f, 2)->choice, sl = ui_form_field(f, 5)->choice;
    char *lib = ui_field_value(ui_form_field(f, 3));
    char *as = ui_field_value(ui_form_field(f, 4));
    if (st > 0)
        sb_printf(&sb, "status=%s ", f_status_keys[st]);
    if (pr > 0)
        sb_printf(&sb, "priority=%s ", f_prio[pr]);
    if (ca > 0)
        sb_printf(&sb, "category=%s ", incident_categories[ca - 1]);
    if (*lib)
        sb_printf(&sb, "library=%s ", lib);
    if (*as)
        sb_printf(&sb, "assignee=%s ", as);
    if (sl > 0)
        sb_printf(&sb, "sla=%s ", f_sla_keys[sl]);
    free(lib), free(as);
    if (!sb.buf) {
        incl_leave_simple(m);
        table_reset(&m->table);
        ui_message("%s", _("filter cleared"));
        return 0;
    }
    sb.buf[sb.len - 1] = 0;
    int rc = parse_field_filter(m, sb.buf, err);
    sb_free(&sb);
    if (rc < 0)
        return -1;
    show_simple(m);
    return 0;
}

static void filter_form(struct inc_model *m)
{
    f_status_labels[0] = _("any");
    f_status_labels[1] = _("open");
    for (int i = 2; f_status_keys[i]; i++)
        f_status_labels[i] = incident_status_name(f_status_keys[i]);
    f_cat_labels[0] = _("any");
    int nc = 0;
    for (; incident_categories[nc] && nc < 14; nc++)
        f_cat_labels[nc + 1] = incident_category_name(incident_categories[nc]);
    f_sla_labels[0] = _("any");
    for (int i = 1; i < 4; i++)
        f_sla_labels[i] = sla_state_name(i);
    struct ui_form *f = ui_form_new(_("Filter incidents"), filter_form_cb, m);
    ui_form_choice(f, _("Status"), f_status_labels, 11, 0);
    ui_form_choice(f, _("Priority"), (const char *const *)f_prio, 5, 0);
    ui_form_choice(f, _("Category"), f_cat_labels, nc + 1, 0);
    ui_form_text(f, _("Library code"), "", 0);
    ui_form_text(f, _("Assignee login"), "", 0);
    ui_form_choice(f, _("SLA"), f_sla_labels, 4, 0);
    ui_form_show(f);
}

static int search_cb(const char *text, void *data, char **err)
{
    struct inc_model *m = data;
    (void)err;
    simple_reset_args(m->v);
    if (!*text) {
        incl_leave_simple(m);
        table_reset(&m->table);
        return 0;
    }
    m->v->f.search = xstrdup(text);
    m->v->simple_desc = xasprintf(_("search \"%s\""), text);
    show_simple(m);
    return 0;
}

static void inbox(struct inc_model *m)
{
    char *err = NULL;
    if (store_require_operator(m->st, &err) != 0) {
        ui_error_take(err);
        return;
    }
    simple_reset_args(m->v);
    m->v->f.inbox = 1;
    m->v->simple_desc = xasprintf(_("inbox of %s"), m->st->operator_login);
    show_simple(m);
}

/* ---- SLA states with the clock ----
 * States are computed at m->now; the rows read remember the earliest instant
 * one of them changes state (src/sla.h: sla_next_change), a one-shot timer
 * fires then, and the next draw re-reads the rows on screen at the clock: a
 * row due at 16:00 shows breached at 16:00:01 without a key press. */
#define SLA_TIMER_MAX_MS (6 * 3600 * 1000) /* a far change: look again by then */
#define SLA_TIMER_SLACK_MS 20              /* fire just after the second turns */

void incl_sla_seen(struct inc_model *m, const struct sla_status *s)
{
    int64_t t = sla_next_change(m->sla, s, m->now / 1000);
    if (t < m->sla_next)
        m->sla_next = t;
}

static int sla_fired(void *data)
{
    struct inc_model *m = data;
    m->sla_timer = -1;
    m->sla_timer_at = 0;
    m->sla_due = 1;
    ui_dirty(UI_DIRTY_PANE | UI_DIRTY_COUNTS);
    return 0;
}

static void sla_timer_stop(struct inc_model *m)
{
    if (m->sla_timer >= 0)
        ui_loop_remove_timer(m->sla_timer);
    m->sla_timer = -1;
    m->sla_timer_at = 0;
}

void incl_sla_clock(struct inc_model *m)
{
    m->sla_due = 0;
    m->sla_next = INT64_MAX;
    m->now = time_now_ms();
    if (m->v->simple) {
        char *err = NULL;
        if (simple_load(m, &err) != 0)
            ui_error_take(err);
    }
    table_reset(&m->table); /* the rows on screen are read again at now */
}

void incl_sla_schedule(struct inc_model *m)
{
    if (ui_headless || m->sla_next == INT64_MAX) {
        sla_timer_stop(m);
        return;
    }
    if (m->sla_timer >= 0 && m->sla_timer_at == m->sla_next)
        return;
    sla_timer_stop(m);
    int64_t ms = m->sla_next * 1000 - time_now_ms() + SLA_TIMER_SLACK_MS;
    if (ms < 1)
        ms = 1;
    if (ms > SLA_TIMER_MAX_MS)
        ms = SLA_TIMER_MAX_MS;
    m->sla_timer = ui_loop_add_timer((int)ms, sla_fired, m);
    m->sla_timer_at = m->sla_next;
}

/* ---- the view ---- */
void incl_init(struct inc_model *m)
{
    m->sla_next = INT64_MAX;
    m->sla_timer = -1;
    char *err = NULL;
    m->list = inc_list_new(m->st, m->sla, &err);
    if (err)
        ui_error_take(err); /* names not read show as ids */
    setup_cols();
    table_init(&m->table, cols, 7, (struct table_source){inc_count, inc_fetch, m});
    m->table.sort_col = sort_col_of[inc_list_sort(m->list)];
    m->table.sort_desc = inc_list_desc(m->list);
    ui_list_init(&m->ul, &m->table, inc_sort_keys, INC_SORT_COUNT, list_rebuild, m);
    m->ul.sort_labels = sort_labels;
    m->ul.col_sort = col_sort;
    m->ul.header_rows = 0; /* the table starts at the pane's top */
    m->ul.sort = (int)inc_list_sort(m->list);
    m->ul.desc = !inc_list_desc(m->list);
}

void incl_free(struct inc_model *m)
{
    sla_timer_stop(m);
    cancel_scan(m);
    table_free(&m->table);
    simple_clear(m->v);
    simple_reset_args(m->v);
    inc_list_free(m->list);
    ui_list_free(&m->ul);
}

/* After a reload the selected incident may have moved a few rows (others were
 * added or removed above it, in this console or another): look for it in the
 * windows around its old place and put the cursor back on it. Not found: the
 * cursor keeps its row number. */
static void keep_selection(struct inc_model *m, const char *ref, long sel, long top)
{
    struct table *t = &m->table;
    long tops[3] = {top, sel, sel - t->height + 1};
    for (int k = 0; k < 3; k++) {
        t->top = tops[k] < 0 ? 0 : tops[k];
        if (t->top >= t->nrows)
            continue;
        t->sel = t->top;
        table_materialize(t);
        for (long i = 0; i < t->cache_n; i++) {
            const char *r = t->cache[i].cell[0];
            if (r && strcmp(r, ref) == 0) {
                long at = t->cache_from + i;
                t->top = top + (at - sel) < 0 ? 0 : top + (at - sel);
                table_goto(t, at);
                return;
            }
        }
    }
    t->top = top;
    table_goto(t, sel);
}

void incl_reload(struct inc_model *m)
{
    char ref[sizeof m->v->ref] = "";
    long sel = m->table.sel, top = m->table.top;
    const struct table_row *r = m->table.nrows > 0 ? table_selected(&m->table) : NULL;
    if (r && r->cell[0])
        snprintf(ref, sizeof ref, "%s", r->cell[0]);
    inc_list_reset(m->list);
    m->sla_next = INT64_MAX; /* the rows are read again */
    if (m->v->simple) {
        char *err = NULL;
        if (simple_load(m, &err) != 0)
            ui_error_take(err);
    }
    table_reset(&m->table);
    if (ref[0])
        keep_selection(m, ref, sel, top);
}

void incl_draw(struct inc_model *m, const struct ui_canvas *c)
{
    struct views *v = m->v;
    struct inc_list *l = m->list;
    struct ui_canvas t = ui_canvas_sub(c, 0, 0, c->h - 1, c->w);
    table_draw(&m->table, &t);
    long sel = m->table.nrows ? m->table.sel + 1 : 0;
    char order[96];
    const char *sorted = ui_list_order_label(&m->ul, order, sizeof order);
    char *foot;
    if (v->simple)
        foot = xasprintf(_("%s │ %ld of %ld incidents for %s%s (F or :filter clears)"),
                         inc_view_strip(v->view), sel, m->table.nrows,
                         v->simple_desc ? v->simple_desc : "",
                         v->partial ? _(" (recent rows only)") : "");
    else if (m->filtering)
        foot = xasprintf(_("filtering /%s/ …"), m->ul.pattern ? m->ul.pattern : "");
    else if (inc_list_filtered(l) && m->ncut)
        foot = xasprintf(_("%ld of %ld matches for /%s/ (%ld titles not checked: pattern too "
                           "complex) — sorted by %s"),
                         sel, inc_list_size(l), m->ul.pattern, m->ncut, sorted);
    else if (inc_list_filtered(l))
        foot = xasprintf(_("%ld of %ld matches for /%s/ — sorted by %s"), sel, inc_list_size(l),
                         m->ul.pattern, sorted);
    else if (!inc_list_counted(l))
        foot = xasprintf(_("%ld of %ld+ incidents (counting…) — sorted by %s"), sel, m->table.nrows,
                         sorted);
    else
        foot = xasprintf(_("%ld of %ld incidents — sorted by %s"), sel, m->table.nrows, sorted);
    if (!v->simple && !m->filtering) {
        char *f2 = xasprintf("%s │ %s", foot, inc_view_strip(v->view));
        free(foot);
        foot = f2;
    }
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
    free(foot);
}

int incl_action(struct inc_model *m, const char *a, int page)
{
    struct views *v = m->v;
    if (strcmp(a, "incidents.new") == 0) {
        start_intake(m);
        return 1;
    }
    if (strcmp(a, "incidents.filter-form") == 0) {
        filter_form(m);
        return 1;
    }
    if (strcmp(a, "incidents.search") == 0) {
        ui_prompt(_("Full-text search"), _("Words (all must match)"), "", 0, search_cb, m, NULL);
        return 1;
    }
    if (strcmp(a, "incidents.inbox") == 0) {
        inbox(m);
        return 1;
    }
    if (strcmp(a, "incidents.back") == 0 && v->simple) {
        incl_leave_simple(m);
        table_reset(&m->table);
        return 1;
    }
    if (strncmp(a, "goto ", 5) == 0) {
        long row = atol(a + 5);
        if (row < 1)
            return 0;
        table_goto(&m->table, row - 1);
        m->table.top = m->table.sel;
        return 1;
    }
    if (ui_list_is_shared(a))
        return ui_list_action(&m->ul, a, page);
    if (strcmp(a, "open") == 0) {
        const struct table_row *r = table_selected(&m->table);
        if (r && r->cell[0] && r->cell[4] && m->sla &&
            strcmp(r->cell[4], incident_status_name("draft")) == 0)
            incident_form_open(m->st, m->sla, r->cell[0], incl_intake_done, m); /* finish it */
        else if (r && r->cell[0])
            inc_open_detail(m, V_DETAIL, r->cell[0]);
        return 1;
    }
    return -1; /* not a list action */
}
