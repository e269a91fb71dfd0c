/* Checklist pane: the day's checks (src/checklist.h), marked OK / NG / skipped,
 * with values, notes and as-needed items added by hand. Earlier days are
 * browsable with [ and ]. An NG offers an incident draft.
 *
 * One row per item: a per-host item is a row with its summary ("7/10 OK, 2 NG",
 * the worst state) and its hosts as rows under it, shown or hidden with Enter,
 * Space or →/← (an item with an NG host starts open). With a `/` filter the
 * matching items are listed flat. */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "check_ack.h"
#include "check_flap.h"
#include "checklist.h"
#include "checks.h"
#include "hosts.h"
#include "i18n.h"
#include "labels.h"
#include "incidents.h"
#include "input_norm.h"
#include "sla.h"
#include "screens.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_list.h"
#include "ui_table.h"
#include "ui_view.h"
#include "util.h"

enum cl_sort { CL_SORT_LIST, CL_SORT_STATUS, CL_SORT_HOST, CL_SORT_COUNT };
static const char *const cl_sort_names[CL_SORT_COUNT] = {"code", "status", "host"};
static const char *const cl_sort_labels[CL_SORT_COUNT] = {N_("item code"), N_("item status"),
                                                          N_("item host")};

/* A row of the list: an item alone (not per host, or any item while filtered),
 * a per-host item's summary, or one of its hosts. */
enum cl_row_kind { ROW_ITEM, ROW_GROUP, ROW_HOST };
struct cl_row {
    enum cl_row_kind kind;
    size_t group; /* index into groups (ROW_GROUP, ROW_HOST) */
    size_t item;  /* index into d.items (ROW_ITEM, ROW_HOST; the first host for ROW_GROUP) */
    int last;     /* the last host row of its item */
};

struct cl_model {
    char day[11];
    struct checklist_day d;
    struct check_problems probs;    /* the current problems and their acknowledgements */
    struct checklist_group *groups; /* d grouped by item (checklist_group_items) */
    size_t ngroups;
    struct cl_row *rows; /* visible rows (filter, sort, open items) */
    size_t nrows;
    /* items opened or closed by hand ("CODE|DUE-DAY"), else open when one is NG */
    char **toggled;
    int *toggled_open;
    size_t ntoggled;
    struct table table;
    struct ui_list list; /* the shared list keys; filter, sort key (enum cl_sort), order */
    char *load_error;
    /* pending action state */
    char code[32];
    char host[128];
    /* detail view: every result the item's status is the worst of, reasons in full */
    int detail;
    struct ui_lines lines;
};

static struct table_col cl_cols[9];
/* the sort key a click on a column's header picks */
static const int cl_col_sort[9] = {
    CL_SORT_STATUS, CL_SORT_LIST, -1, CL_SORT_HOST, -1, -1, -1, -1, -1};

static int ja(void)
{
    return strcmp(i18n_lang(), "ja") == 0;
}

static const char *status_label(enum checklist_status s)
{
    switch (s) {
    case CHECK_OK:
        return _("OK");
    case CHECK_NG:
        return _("NG");
    case CHECK_SKIP:
        return _("skip");
    default:
        return _("to do");
    }
}

/* An item's status as shown: an NG of WARN results only is WARN (警告). */
static const char *item_status_label(const struct checklist_item *it)
{
    return it->warn ? check_level_label(CHECK_LEVEL_WARN) : status_label(it->status);
}

static int status_style(enum checklist_status s)
{
    switch (s) {
    case CHECK_OK:
        return STYLE_STATUS_OK;
    case CHECK_NG:
        return STYLE_STATUS_NG;
    case CHECK_SKIP:
        return STYLE_STATUS_SKIP;
    default:
        return STYLE_STATUS_TODO;
    }
}

static const char *item_name(const struct checklist_item *it)
{
    return ja() ? it->name_ja : it->name_en;
}

/* The acknowledgement of host x check, when the check is a problem with one (NULL). */
static const struct check_ack_info *ack_of(const struct cl_model *m, const char *host_id,
                                           const char *check)
{
    for (size_t i = 0; host_id && host_id[0] && check && i < m->probs.count; i++) {
        const struct check_problem *p = &m->probs.items[i];
        if (p->acked && streq(p->host_id, host_id) && streq(p->check, check))
            return &p->ack;
    }
    return NULL;
}

/* An item one of whose NG checks is acknowledged (and not expired). */
static const struct check_ack_info *item_ack(const struct cl_model *m,
                                             const struct checklist_item *it)
{
    if (it->status != CHECK_NG)
        return NULL;
    for (size_t i = 0; i < it->n_results; i++) {
        const struct checklist_result *r = &it->results[i];
        const struct check_ack_info *a =
            r->status == CHECK_NG ? ack_of(m, it->host_id, r->check) : NULL;
        if (a && !a->expired)
            return a;
    }
    return NULL;
}

/* An NG item one of whose NG checks flaps (check_flap.h): the problem, else NULL. */
static const struct check_problem *item_flap(const struct cl_model *m,
                                             const struct checklist_item *it)
{
    if (it->status != CHECK_NG || !it->host_id[0])
        return NULL;
    for (size_t i = 0; i < it->n_results; i++) {
        const struct checklist_result *r = &it->results[i];
        for (size_t k = 0; r->status == CHECK_NG && r->check && k < m->probs.count; k++) {
            const struct check_problem *p = &m->probs.items[k];
            if (p->flapping && streq(p->host_id, it->host_id) && streq(p->check, r->check))
                return p;
        }
    }
    return NULL;
}

static void format_value(const struct checklist_item *it, char *out, size_t size)
{
    out[0] = 0;
    if (!it->has_value)
        return;
    snprintf(out, size, "%g%s%s", it->value, it->unit ? " " : "", it->unit ? it->unit : "");
    if (it->out_of_range && it->has_range) {
        size_t l = strlen(out);
        snprintf(out + l, size - l, " (%g–%g)", it->value_min, it->value_max);
    }
}

static void format_when(const char *iso, const char *day, char *out, size_t size)
{
    out[0] = 0;
    int64_t ms;
    if (!iso || time_parse(iso, &ms) != 0)
        return;
    char full[32], date[16];
    time_format_jst(ms, full, 0);
    time_format_jst_date(ms, date);
    snprintf(out, size, "%s", strcmp(date, day) == 0 ? full + 11 : full + 5);
}

/* ---- table source ---- */
static long cl_count(void *data)
{
    struct cl_model *m = data;
    return (long)m->nrows;
}

static char *group_key(const struct cl_model *m, size_t g)
{
    const struct checklist_item *it = &m->d.items[m->groups[g].first];
    return xasprintf("%s|%s", it->code, it->due_day);
}

static int group_open(const struct cl_model *m, size_t g)
{
    char *key = group_key(m, g);
    int open = m->groups[g].ng > 0;
    for (size_t i = 0; i < m->ntoggled; i++)
        if (strcmp(m->toggled[i], key) == 0)
            open = m->toggled_open[i];
    free(key);
    return open;
}

/* The summary row of a per-host item. */
static void fill_group(const struct cl_model *m, const struct cl_row *row, struct table_row *r)
{
    const struct checklist_group *g = &m->groups[row->group];
    const struct checklist_item *it = &m->d.items[g->first];
    int all_warn = g->worst == CHECK_NG && g->ng == g->warn;
    r->cell[0] = xstrdup(all_warn ? check_level_label(CHECK_LEVEL_WARN) : status_label(g->worst));
    r->cell[1] = xstrdup(it->code);
    r->cell[2] = xasprintf("%s %s", group_open(m, row->group) ? "▾" : "▸", item_name(it));
    /* in the host column: how many of its hosts are OK ("7/10 OK") */
    r->cell[3] = xasprintf(_("%d/%d OK"), g->ok, (int)g->count);
    r->cell[4] = it->overdue ? xasprintf(_("due %s"), it->due_day) : xstrdup(it->period_text);
    if (g->ng) { /* how many NG and which hosts, even while the item is closed */
        struct strbuf sb = STRBUF_INIT;
        for (size_t k = g->first; k < g->first + g->count; k++)
            if (m->d.items[k].status == CHECK_NG)
                sb_printf(&sb, "%s%s%s%s", sb.len ? ", " : "", m->d.items[k].host_name,
                          m->d.items[k].warn ? " " : "",
                          m->d.items[k].warn ? check_level_label(CHECK_LEVEL_WARN) : "");
        r->cell[6] = xasprintf(_("NG %d: %s"), g->ng, sb.buf);
        sb_free(&sb);
    } else if (g->todo) {
        r->cell[6] = xasprintf(_("%d to do"), g->todo);
    }
    r->style = it->overdue ? STYLE_OVERDUE : STYLE_NORMAL;
    r->cell_style[0] = all_warn ? STYLE_STATUS_TODO : status_style(g->worst);
    if (g->ng)
        r->cell_style[3] = r->cell_style[6] = all_warn ? STYLE_STATUS_TODO : STYLE_STATUS_NG;
    if (it->overdue)
        r->cell_style[4] = STYLE_OVERDUE;
}

static long cl_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct cl_model *m = data;
    long got = 0;
    for (long i = 0; i < n && (size_t)(from + i) < m->nrows; i++, got++) {
        const struct cl_row *row = &m->rows[from + i];
        const struct checklist_item *it = &m->d.items[row->item];
        struct table_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        if (row->kind == ROW_GROUP) {
            fill_group(m, row, r);
            continue;
        }
        char value[64], when[32];
        format_value(it, value, sizeof value);
        format_when(it->at, m->day, when, sizeof when);
        r->cell[0] = xstrdup(item_status_label(it));
        r->cell[1] = xstrdup(it->code);
        /* a host row under its item: the tree, not the name again */
        r->cell[2] =
            row->kind == ROW_HOST ? xstrdup(row->last ? "  └" : "  ├") : xstrdup(item_name(it));
        r->cell[3] = xstrdup(it->host_name ? it->host_name : "");
        r->cell[4] = it->overdue ? xasprintf(_("due %s"), it->due_day) : xstrdup(it->period_text);
        r->cell[5] = xstrdup(value);
        r->cell[6] = text_one_line(checklist_item_note(it)); /* "first line ⏎" */
        const struct check_ack_info *ack = item_ack(m, it);
        if (ack) { /* an acknowledged problem: the mark and its note */
            char *n = text_one_line(ack->note);
            char *c = xasprintf("%s %s", _("[ack]"), n);
            free(n);
            free(r->cell[6]);
            r->cell[6] = c;
        }
        if (item_flap(m, it)) { /* flapping: the mark first, so it is never cut */
            char *c = xasprintf("%s %s", _("[flapping]"), r->cell[6]);
            free(r->cell[6]);
            r->cell[6] = c;
        }
        r->cell[7] = xstrdup(it->who_name ? it->who_name : "");
        r->cell[8] = xstrdup(when);
        r->style = it->overdue ? STYLE_OVERDUE : STYLE_NORMAL;
        r->cell_style[0] = it->warn ? STYLE_STATUS_TODO : status_style(it->status);
        if (it->out_of_range)
            r->cell_style[5] = STYLE_STATUS_NG;
        if (it->overdue)
            r->cell_style[4] = STYLE_OVERDUE;
    }
    return got;
}

static int status_rank(enum checklist_status s)
{
    return s == CHECK_NG ? 0 : s == CHECK_TODO ? 1 : s == CHECK_SKIP ? 2 : 3;
}

static struct cl_model *sort_model;
static int cmp_idx(const void *a, const void *b)
{
    const struct checklist_item *x = &sort_model->d.items[*(const size_t *)a];
    const struct checklist_item *y = &sort_model->d.items[*(const size_t *)b];
    int c = 0;
    if (sort_model->list.sort == CL_SORT_STATUS)
        c = status_rank(x->status) - status_rank(y->status);
    else if (sort_model->list.sort == CL_SORT_HOST)
        c = strcmp(x->host_name ? x->host_name : "", y->host_name ? y->host_name : "");
    if (!c)
        c = (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
    return c;
}

static int item_matches(struct cl_model *m, const struct checklist_item *it)
{
    const char *fields[] = {it->code,      it->name_ja, it->name_en,
                            it->host_name, it->note,    it->reason};
    return ui_list_match(&m->list, fields, ARRAY_LEN(fields));
}

static int cmp_group(const void *a, const void *b)
{
    const struct checklist_group *x = &sort_model->groups[*(const size_t *)a];
    const struct checklist_group *y = &sort_model->groups[*(const size_t *)b];
    int c = 0;
    if (sort_model->list.sort == CL_SORT_STATUS)
        c = status_rank(x->worst) - status_rank(y->worst);
    if (!c)
        c = (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
    return c;
}

static void push_row(struct cl_model *m, enum cl_row_kind kind, size_t group, size_t item)
{
    m->rows[m->nrows++] = (struct cl_row){kind, group, item, 0};
}

static void rebuild(void *data)
{
    struct cl_model *m = data;
    free(m->rows);
    m->rows = xcalloc(m->d.count + m->ngroups + 1, sizeof *m->rows);
    m->nrows = 0;
    size_t *idx = xcalloc(m->d.count + m->ngroups + 1, sizeof *idx);
    size_t n = 0;
    sort_model = m;
    if (m->list.re) { /* filtered: the matching items, flat */
        for (size_t i = 0; i < m->d.count; i++)
            if (item_matches(m, &m->d.items[i]))
                idx[n++] = i;
        ui_list_order(&m->list, idx, n, cmp_idx);
        for (size_t i = 0; i < n; i++)
            push_row(m, ROW_ITEM, 0, idx[i]);
    } else {
        for (size_t g = 0; g < m->ngroups; g++)
            idx[n++] = g;
        ui_list_order(&m->list, idx, n, cmp_group);
        size_t *hosts = xcalloc(m->d.count + 1, sizeof *hosts);
        for (size_t k = 0; k < n; k++) {
            const struct checklist_group *g = &m->groups[idx[k]];
            if (!g->per_host) {
                push_row(m, ROW_ITEM, idx[k], g->first);
                continue;
            }
            push_row(m, ROW_GROUP, idx[k], g->first);
            if (!group_open(m, idx[k]))
                continue;
            for (size_t h = 0; h < g->count; h++)
                hosts[h] = g->first + h;
            ui_list_order(&m->list, hosts, g->count, cmp_idx);
            for (size_t h = 0; h < g->count; h++)
                push_row(m, ROW_HOST, idx[k], hosts[h]);
            m->rows[m->nrows - 1].last = 1;
        }
        free(hosts);
    }
    free(idx);
    table_reset(&m->table);
}

/* What a row is, to find it again after a reload: its kind, code, due day and host. */
static char *row_identity(const struct cl_model *m, size_t i)
{
    const struct cl_row *row = &m->rows[i];
    const struct checklist_item *it = &m->d.items[row->item];
    return xasprintf("%d|%s|%s|%s", row->kind == ROW_GROUP, it->code, it->due_day,
                     row->kind == ROW_GROUP ? ""
                     : it->host_name        ? it->host_name
                                            : "");
}

static void select_identity(struct cl_model *m, const char *id)
{
    for (size_t i = 0; id && i < m->nrows; i++) {
        char *k = row_identity(m, i);
        int same = strcmp(k, id) == 0;
        free(k);
        if (same) {
            table_goto(&m->table, (long)i);
            return;
        }
    }
}

/* Opens or closes the per-host item of group g (remembered for the day's reloads);
 * the selection stays on the same row. */
static void set_open(struct cl_model *m, size_t g, int open)
{
    char *sel = m->nrows && m->table.sel >= 0 && (size_t)m->table.sel < m->nrows
                    ? row_identity(m, (size_t)m->table.sel)
                    : NULL;
    char *key = group_key(m, g);
    size_t i = 0;
    while (i < m->ntoggled && strcmp(m->toggled[i], key) != 0)
        i++;
    if (i == m->ntoggled) {
        m->toggled = xrealloc(m->toggled, (m->ntoggled + 1) * sizeof *m->toggled);
        m->toggled_open = xrealloc(m->toggled_open, (m->ntoggled + 1) * sizeof *m->toggled_open);
        m->toggled[m->ntoggled++] = key;
    } else {
        free(key);
    }
    m->toggled_open[i] = open;
    rebuild(m);
    select_identity(m, sel);
    free(sel);
}

static void reload(struct cl_model *m)
{
    /* keep the selection on the same row */
    char *sel = m->nrows && m->table.sel >= 0 && (size_t)m->table.sel < m->nrows
                    ? row_identity(m, (size_t)m->table.sel)
                    : NULL;
    free(m->groups);
    m->groups = NULL;
    m->ngroups = 0;
    checklist_day_free(&m->d);
    check_problems_free(&m->probs);
    free(m->load_error);
    m->load_error = NULL;
    char *err = NULL;
    if (checklist_load(ui_store(), ui_calendar(), m->day, &m->d, &err) != 0) {
        m->load_error = err ? err : xstrdup(_("the checklist could not be loaded"));
        memset(&m->d, 0, sizeof m->d);
    } else if (check_problems_list(ui_store(), NULL, time_now_ms(), &m->probs, &err) != 0) {
        m->load_error = err ? err : xstrdup(_("the checklist could not be loaded"));
    }
    checklist_group_items(&m->d, &m->groups, &m->ngroups);
    rebuild(m);
    select_identity(m, sel);
    free(sel);
}

/* ---- pane ---- */
static void setup_cols(void)
{
    cl_cols[0] = (struct table_col){_("Status"), 4, 6, 0, 0, 0, 0};
    cl_cols[1] = (struct table_col){_("Code"), 4, 6, 0, 0, 0, 0};
    cl_cols[2] = (struct table_col){_("Item"), 12, 0, 1, 0, 0, 0};
    cl_cols[3] = (struct table_col){_("Host"), 4, 12, 0, 0, 0, 0};
    cl_cols[4] = (struct table_col){_("Period"), 4, 16, 0, 0, 0, 0};
    cl_cols[5] = (struct table_col){_("Value"), 5, 22, 0, 1, 0, 0};
    cl_cols[6] = (struct table_col){_("Note"), 10, 24, 0, 0, 0, 0}; /* a short memo whole */
    cl_cols[7] = (struct table_col){_("Who"), 3, 10, 0, 0, 0, 0};
    cl_cols[8] = (struct table_col){_("When"), 5, 11, 0, 0, 0, 0};
}

static int cl_open(struct pane *p, char **err)
{
    (void)err;
    struct cl_model *m = xcalloc(1, sizeof *m);
    ui_today(m->day);
    setup_cols();
    table_init(&m->table, cl_cols, 9, (struct table_source){cl_count, cl_fetch, m});
    ui_list_init(&m->list, &m->table, cl_sort_names, CL_SORT_COUNT, rebuild, m);
    m->list.col_sort = cl_col_sort;
    m->list.sort_labels = cl_sort_labels;
    m->list.detail = &m->lines;
    m->list.detail_open = &m->detail;
    p->data = m;
    reload(m);
    return 0;
}

static void cl_load(struct pane *p)
{
    reload(p->data);
}

static const struct cl_row *selected_row(struct cl_model *m)
{
    if (!m->nrows || m->table.sel < 0 || (size_t)m->table.sel >= m->nrows)
        return NULL;
    return &m->rows[m->table.sel];
}

/* The selected item or host (NULL on a per-host item's summary row). */
static const struct checklist_item *selected_item(struct cl_model *m)
{
    const struct cl_row *row = selected_row(m);
    if (!row || row->kind == ROW_GROUP)
        return NULL;
    return &m->d.items[row->item];
}

static void cl_draw(struct pane *p, const struct ui_canvas *c)
{
    struct cl_model *m = p->data;
    if (m->detail) {
        ui_lines_draw(&m->lines, c, c->h - 1);
        ui_put(c, c->h - 1, 0, -1, STYLE_DIM, _("Esc back  ↑↓ scroll"));
        return;
    }
    char today[11];
    ui_today(today);
    struct civil_date cd;
    civil_parse(m->day, &cd);
    static const char *const wd_en[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const wd_ja[] = {"日", "月", "火", "水", "木", "金", "土"};
    int wd = civil_weekday(cd.y, cd.m, cd.d);
    int ok = 0, ng = 0, todo = 0, skip = 0, warn = 0, quiet = 0;
    for (size_t i = 0; i < m->d.count; i++) {
        enum checklist_status s = m->d.items[i].status;
        /* NG as the status line counts it (checklist_item_ng); acknowledged and
         * downtime NGs apart, a WARN apart */
        int q = s == CHECK_NG && checklist_item_ng(&m->d.items[i]) != CHECKLIST_NG_COUNTED;
        int w = s == CHECK_NG && !q && m->d.items[i].warn;
        ok += s == CHECK_OK, ng += s == CHECK_NG && !q && !w, todo += s == CHECK_TODO;
        skip += s == CHECK_SKIP, warn += w, quiet += q;
    }
    char *head =
        warn
            ? xasprintf(_("%s (%s)%s — %zu items: %d OK, %d NG, %d WARN, %d to do, %d skipped"),
                        m->day, ja() ? wd_ja[wd] : wd_en[wd],
                        strcmp(m->day, today) == 0 ? _(" today") : "", m->d.count, ok, ng, warn,
                        todo, skip)
            : xasprintf(_("%s (%s)%s — %zu items: %d OK, %d NG, %d to do, %d skipped"), m->day,
                        ja() ? wd_ja[wd] : wd_en[wd], strcmp(m->day, today) == 0 ? _(" today") : "",
                        m->d.count, ok, ng, todo, skip);
    if (quiet) {
        char *more = xasprintf(_("%s (+%d NG acknowledged or in downtime)"), head, quiet);
        free(head);
        head = more;
    }
    ui_put(c, 0, 0, -1, STYLE_HEADER, head);
    free(head);
    if (m->load_error) {
        ui_put(c, 2, 2, -1, STYLE_ERROR, m->load_error);
        return;
    }
    struct ui_canvas t = ui_canvas_sub(c, 1, 0, c->h - 2, c->w);
    table_draw(&m->table, &t);
    char *foot = m->list.pattern
                     ? xasprintf(_("filter /%s/: %zu of %zu — o OK  x NG  s skip  v value  "
                                   "e note  a add  [ ] day  ? keys"),
                                 m->list.pattern, m->nrows, m->d.count)
                     : xstrdup(_("o OK  x NG  s skip  v value  e note  a add  [ ] day  "
                                 "? keys"));
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM, foot);
    free(foot);
    if (!m->d.count)
        ui_put(c, 3, 2, -1, STYLE_DIM, _("Nothing is due on this day. a adds an as-needed item."));
}

/* ---- marking ---- */
struct mark_req {
    struct cl_model *m;
    char code[32];
    char host[128];
    char status[8];
};

static struct mark_req *new_req(struct cl_model *m, const struct checklist_item *it,
                                const char *status)
{
    struct mark_req *r = xcalloc(1, sizeof *r);
    r->m = m;
    snprintf(r->code, sizeof r->code, "%s", it->code);
    snprintf(r->host, sizeof r->host, "%s", it->host_name ? it->host_name : "");
    snprintf(r->status, sizeof r->status, "%s", status ? status : "");
    return r;
}

static char draft_event[ID_LEN + 1];

static void draft_answer(int yes, void *data)
{
    (void)data;
    if (!yes)
        return;
    char *err = NULL;
    struct checklist_incident ci;
    struct sla *sla = sla_load(NULL, NULL, &err);
    if (!sla || checklist_ng_incident(ui_store(), sla, draft_event, &ci, &err) != 0) {
        ui_error(_("Incident draft not saved: %s"), err ? err : "");
        free(err);
    } else if (ci.created) {
        ui_message(_("Incident draft %s saved (submit it in Incidents)"), ci.ref);
        ui_dirty(UI_DIRTY_COUNTS);
    } else {
        ui_message(_("The NG was added to the open incident %s of the same problem"), ci.ref);
        ui_dirty(UI_DIRTY_COUNTS);
    }
    sla_free(sla);
}

/* Appends text in lines of at most width cells (the view does not wrap). */
static void add_wrapped(struct ui_lines *l, int style, const char *indent, const char *text,
                        int width)
{
    const char *p = text ? text : "";
    do {
        const char *q = p;
        int w = 0;
        while (*q && *q != '\n') {
            uint32_t cp;
            size_t n = utf8_decode(q, strlen(q), &cp);
            int cw = cp_width(cp);
            if (w + cw > width && q > p)
                break;
            w += cw;
            q += n;
        }
        ui_lines_addf(l, style, "%s%.*s", indent, (int)(q - p), p);
        p = *q == '\n' ? q + 1 : q;
    } while (*p);
}

static void open_detail(struct cl_model *m, const struct checklist_item *it, int width)
{
    ui_lines_clear(&m->lines);
    m->lines.top = 0;
    ui_lines_addf(&m->lines, STYLE_HEADER, "%s %s%s%s — %s", it->code, item_name(it),
                  it->host_name ? " @" : "", it->host_name ? it->host_name : "",
                  item_status_label(it));
    if (it->failed)
        ui_lines_addf(&m->lines, STYLE_STATUS_NG, _("Failed checks: %s"), it->failed);
    ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", "");
    for (size_t i = 0; i < it->n_results; i++) {
        const struct checklist_result *r = &it->results[i];
        char when[32], value[48] = "";
        format_when(r->at, m->day, when, sizeof when);
        if (r->has_value)
            snprintf(value, sizeof value, " %g%s%s", r->value, it->unit ? " " : "",
                     it->unit ? it->unit : "");
        ui_lines_addf(&m->lines, r->warn ? STYLE_STATUS_TODO : status_style(r->status),
                      "%-4s %s%s  %s %s",
                      r->warn ? check_level_label(CHECK_LEVEL_WARN) : status_label(r->status),
                      r->check ? label_check(r->check) : _("(by hand)"), value,
                      r->check ? _("check run") : "", when);
        if (r->reason && *r->reason)
            add_wrapped(&m->lines, STYLE_NORMAL, "     ", r->reason, width > 12 ? width - 6 : 6);
        if (r->unreachable_via) {
            char *line = xasprintf(_("Unreachable via %s: the parent's incident draft covers it; "
                                     "not counted as NG."),
                                   r->unreachable_via);
            add_wrapped(&m->lines, STYLE_DIM, "     ", line, width > 12 ? width - 6 : 6);
            free(line);
        }
        const struct check_ack_info *a =
            r->status == CHECK_NG ? ack_of(m, it->host_id, r->check) : NULL;
        if (a) {
            char *d = check_ack_describe(a);
            char *line =
                xasprintf(a->expired ? _("Acknowledgement expired: %s") : _("Acknowledged: %s"), d);
            add_wrapped(&m->lines, STYLE_DIM, "     ", line, width > 12 ? width - 6 : 6);
            free(line);
            free(d);
        }
        for (size_t k = 0; r->status == CHECK_NG && r->check && k < m->probs.count; k++) {
            const struct check_problem *p = &m->probs.items[k];
            if (p->flapping && streq(p->host_id, it->host_id) && streq(p->check, r->check)) {
                char *line = xasprintf(_("Flapping: the state changed in %.0f%% of the last %d "
                                         "results; one incident stands for it."),
                                       p->flap_pct, CHECK_FLAP_WINDOW);
                add_wrapped(&m->lines, STYLE_DIM, "     ", line, width > 12 ? width - 6 : 6);
                free(line);
            }
        }
    }
    if (it->note) {
        ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", "");
        add_wrapped(&m->lines, STYLE_DIM, _("Note: "), it->note, width > 12 ? width - 8 : 6);
    }
    m->detail = 1;
}

static int do_mark(struct mark_req *r, const char *value, const char *note, const char *reason,
                   char **err)
{
    struct cl_model *m = r->m;
    struct checklist_mark mk = {0};
    mk.status = r->status[0] ? r->status : NULL;
    mk.value = value && *value ? value : NULL;
    mk.note = note && *note ? note : NULL;
    mk.reason = reason && *reason ? reason : NULL;
    mk.host = r->host[0] ? r->host : NULL;
    char ev[ID_LEN + 1] = "";
    if (checklist_mark(ui_store(), ui_calendar(), m->day, r->code, &mk, ev, err) != 0)
        return -1;
    reload(m);
    ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
    const struct checklist_item *it = checklist_find(&m->d, r->code, r->host[0] ? r->host : NULL);
    const char *label = it ? status_label(it->status) : r->status;
    /* what was recorded, whole (a narrow list cuts the note column) */
    const char *said = mk.reason ? mk.reason : mk.note;
    if (said)
        ui_message(_("%s %s: %s — %s"), r->code, r->host, label, said);
    else
        ui_message(_("%s %s: %s"), r->code, r->host, label);
    if (it && it->status == CHECK_NG && strcmp(r->status, "note") != 0) {
        snprintf(draft_event, sizeof draft_event, "%s", ev);
        ui_confirm(_("NG recorded. Create an incident draft? (y/n)"), draft_answer, NULL);
    }
    return 0;
}

static int submit_prompt(const char *text, void *data, char **err)
{
    struct mark_req *r = data;
    int rc;
    if (strcmp(r->status, "skip") == 0)
        rc = do_mark(r, NULL, NULL, text, err);
    else if (strcmp(r->status, "note") == 0)
        rc = do_mark(r, NULL, text, NULL, err);
    else
        rc = do_mark(r, text, NULL, NULL, err);
    return rc;
}

static int submit_ng(struct ui_form *f, void *data, char **err)
{
    struct mark_req *r = data;
    char *value = ui_field_value(ui_form_field(f, 0));
    char *note = ui_field_value(ui_form_field(f, 1));
    int rc = do_mark(r, value, note, NULL, err);
    free(value);
    free(note);
    return rc;
}

/* ---- adding as-needed items ---- */
struct add_state {
    struct cl_model *m;
    char **codes;
    int *per_host;
    int n;
    char **hosts;
    int nhosts;
    int chosen;
};
static struct add_state add;

static void add_reset(void)
{
    for (int i = 0; i < add.n; i++)
        free(add.codes[i]);
    for (int i = 0; i < add.nhosts; i++)
        free(add.hosts[i]);
    free(add.codes);
    free(add.per_host);
    free(add.hosts);
    memset(&add, 0, sizeof add);
}

static void add_finish(const char *host)
{
    char *err = NULL;
    const char *code = add.codes[add.chosen];
    if (checklist_add(ui_store(), ui_calendar(), add.m->day, code, host, &err) != 0) {
        ui_error_take(err);
        return;
    }
    reload(add.m);
    ui_message(_("%s added to %s"), code, add.m->day);
    ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
}

static void picked_host(int i, void *data)
{
    (void)data;
    add_finish(add.hosts[i]);
}

static void picked_template(int i, void *data)
{
    (void)data;
    add.chosen = i;
    if (!add.per_host[i]) {
        add_finish(NULL);
        return;
    }
    struct host *hosts;
    size_t nhosts;
    char *read_err = NULL;
    if (host_list(ui_store(), &hosts, &nhosts, &read_err) != 0) {
        ui_error_take(read_err);
        add_reset();
        return;
    }
    add.hosts = xcalloc(nhosts + 1, sizeof *add.hosts);
    for (size_t k = 0; k < nhosts; k++)
        add.hosts[add.nhosts++] = xstrdup(hosts[k].name);
    host_list_free(hosts, nhosts);
    ui_pick(_("Host"), (const char *const *)add.hosts, add.nhosts, picked_host, NULL);
}

static void start_add(struct cl_model *m)
{
    add_reset();
    add.m = m;
    struct checklist_addable *t;
    size_t nt;
    char *read_err = NULL;
    if (checklist_addable_list(ui_store(), &t, &nt, &read_err) != 0) {
        add_reset();
        ui_error_take(read_err);
        return;
    }
    add.codes = xcalloc(nt + 1, sizeof *add.codes);
    add.per_host = xcalloc(nt + 1, sizeof *add.per_host);
    char **labels = xcalloc(nt + 1, sizeof *labels);
    for (size_t k = 0; k < nt; k++) {
        const char *name = ja() ? t[k].name_ja : t[k].name_en;
        add.codes[add.n] = xstrdup(t[k].code);
        add.per_host[add.n] = t[k].per_host;
        labels[add.n] = xasprintf("%-6s %s  [%s]", t[k].code, name ? name : "",
                                  t[k].period_text ? t[k].period_text : "");
        add.n++;
    }
    checklist_addable_free(t, nt);
    ui_pick(_("Add a checklist item for this day"), (const char *const *)labels, add.n,
            picked_template, NULL);
    for (int i = 0; i < add.n; i++)
        free(labels[i]);
    free(labels);
}

static void show_day(struct cl_model *m, struct civil_date d)
{
    char today[11];
    ui_today(today);
    char next[11];
    snprintf(next, sizeof next, "%04d-%02d-%02d", d.y, d.m, d.d);
    if (strcmp(next, today) > 0) {
        ui_message("%s", _("Later days cannot be marked yet."));
        return;
    }
    snprintf(m->day, sizeof m->day, "%s", next);
    reload(m);
    table_goto(&m->table, 0);
}

static void change_day(struct cl_model *m, int delta)
{
    struct civil_date d;
    if (civil_parse(m->day, &d) != 0)
        return;
    show_day(m, civil_add_days(d, delta));
}

/* ":goto 2026/12/07" (full-width too): that day's checklist. 0 when arg is not
 * a date (then it is a row number). */
static int goto_day(struct cl_model *m, const char *arg)
{
    char *n = input_norm_date(arg);
    struct civil_date d;
    int is_day = strlen(n) == 10 && civil_parse(n, &d) == 0;
    free(n);
    if (is_day)
        show_day(m, d);
    return is_day;
}

/* Selects the summary row of group g. */
static void goto_group(struct cl_model *m, size_t g)
{
    for (size_t i = 0; i < m->nrows; i++)
        if (m->rows[i].kind == ROW_GROUP && m->rows[i].group == g) {
            table_goto(&m->table, (long)i);
            return;
        }
}

/* ---- c: the checks of every host (checks_run in the background) ---- */
static int cl_checks_running; /* one run of every host at a time */

struct cl_check_job {
    char *db, *err;
    int ok;
    size_t hosts, results, ng, unknown;
};

static void cl_check_work(void *arg)
{
    struct cl_check_job *j = arg;
    struct store *st = NULL;
    struct check_set set = {0};
    struct check_report rep = {0};
    if (store_open(j->db, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    if (store_require_operator(st, &j->err) == 0 && checks_load_dir(NULL, &set, &j->err) == 0) {
        struct check_run_opts o = {0};
        if (checks_run(st, &set, &o, &rep, &j->err) == 0) {
            j->ok = 1;
            j->hosts = rep.hosts;
            j->results = rep.count;
            check_report_ng_split(&rep, &j->ng, NULL, NULL); /* not downtime, not acked */
            j->unknown = rep.n_unknown_keys;
        }
        check_report_free(&rep);
    }
    checks_free(&set);
    store_close(st);
    ui_filter_thread_done();
}

static void cl_check_done(void *arg)
{
    struct cl_check_job *j = arg;
    cl_checks_running = 0;
    if (j->ok && j->unknown)
        ui_message(_("checks on %zu hosts: %zu results, %zu NG; %zu hosts' keys are not trusted "
                     "(c in the Hosts pane shows the key and asks)"),
                   j->hosts, j->results, j->ng, j->unknown);
    else if (j->ok)
        ui_message(_("checks on %zu hosts: %zu results, %zu NG"), j->hosts, j->results, j->ng);
    else
        ui_error(_("checks of every host: %s"), j->err ? j->err : "?");
    free(j->err);
    free(j->db);
    free(j);
    ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_ALL | UI_DIRTY_COUNTS);
}

static void cl_check_answer(int yes, void *data)
{
    (void)data;
    if (!yes || cl_checks_running)
        return;
    struct cl_check_job *j = xcalloc(1, sizeof *j);
    j->db = xstrdup(ui_store()->path);
    cl_checks_running = 1;
    ui_message("%s", _("running the checks of every host…"));
    if (ui_bg_run(cl_check_work, cl_check_done, j) != 0) {
        cl_check_work(j);
        cl_check_done(j);
    }
}

/* Asks first, naming how many hosts the run reaches. */
static void cl_run_checks(void)
{
    if (cl_checks_running) {
        ui_message("%s", _("the checks of every host are already running"));
        return;
    }
    struct check_set set = {0};
    char *err = NULL;
    size_t n = 0;
    if (checks_load_dir(NULL, &set, &err) != 0 ||
        checks_host_count(ui_store(), &set, &n, &err) != 0) {
        checks_free(&set);
        ui_error_take(err);
        return;
    }
    checks_free(&set);
    if (n == 0) {
        ui_message("%s", _("no host to check: add hosts with an address in the Hosts pane"));
        return;
    }
    char *q = xasprintf(_("Run the checks on %zu hosts now? Each result is recorded, and an NG "
                          "opens an incident draft. (y/n)"),
                        n);
    ui_confirm(q, cl_check_answer, NULL);
    free(q);
}

static int cl_action(struct pane *p, const char *a)
{
    struct cl_model *m = p->data;
    if (!m->detail && strncmp(a, "goto ", 5) == 0 && goto_day(m, a + 5))
        return 1;
    if (ui_list_is_shared(a) || strncmp(a, "goto ", 5) == 0)
        return ui_list_action(&m->list, a, p->h > 4 ? p->h - 2 : 1);
    if (m->detail)
        return ui_lines_scroll(&m->lines, a, p->h > 4 ? p->h - 2 : 1);
    const struct cl_row *row = selected_row(m);
    const struct checklist_item *it = selected_item(m);
    if (row && row->kind != ROW_ITEM) {
        /* a per-host item: Enter and Space open or close it, → opens (then goes to
         * its first host), ← closes (from a host, back to its item) */
        int open = group_open(m, row->group);
        size_t g = row->group;
        if (strcmp(a, "checklist.toggle") == 0 || (strcmp(a, "open") == 0 && !it)) {
            int host = row->kind == ROW_HOST; /* Space on a host closes its item */
            set_open(m, g, host ? 0 : !open);
            if (host)
                goto_group(m, g);
            return 1;
        }
        if (strcmp(a, "right") == 0) {
            if (!open)
                set_open(m, g, 1);
            else if (row->kind == ROW_GROUP)
                table_move(&m->table, 1);
            return 1;
        }
        if (strcmp(a, "left") == 0) {
            if (row->kind == ROW_HOST)
                goto_group(m, g);
            else if (open)
                set_open(m, g, 0);
            return 1;
        }
        if (!it && strncmp(a, "checklist.", 10) == 0 && strcmp(a, "checklist.add") != 0 &&
            strcmp(a, "checklist.prev-day") != 0 && strcmp(a, "checklist.next-day") != 0) {
            /* a mark goes on a host: open the item, its first host selected */
            if (!open)
                set_open(m, g, 1);
            table_move(&m->table, 1);
            ui_message(_("%s is checked on %d hosts: mark a host's row (Space hides them)"),
                       m->d.items[m->groups[g].first].code, (int)m->groups[g].count);
            return 1;
        }
    }
    if (strcmp(a, "checklist.toggle") == 0) {
        ui_message("%s", _("This item is not checked per host: it has no hosts to show."));
        return 1;
    }
    if (strcmp(a, "open") == 0 && it &&
        ((it->n_results &&
          (it->status == CHECK_NG || it->status == CHECK_SKIP || it->n_results > 1)) ||
         (it->note && strchr(it->note, '\n')))) { /* the row shows "first line ⏎" */
        open_detail(m, it, p->w > 20 ? p->w : 80);
        return 1;
    }
    if (strcmp(a, "checklist.prev-day") == 0 || strcmp(a, "left") == 0) {
        change_day(m, -1);
        return 1;
    }
    if (strcmp(a, "checklist.next-day") == 0 || strcmp(a, "right") == 0) {
        change_day(m, 1);
        return 1;
    }
    if (strcmp(a, "checklist.add") == 0) {
        start_add(m);
        return 1;
    }
    if (strcmp(a, "checklist.run-checks") == 0) {
        cl_run_checks();
        return 1;
    }
    if (strncmp(a, "checklist.", 10) == 0 || strcmp(a, "open") == 0) {
        if (!it) {
            ui_message("%s", _("No item selected."));
            return 1;
        }
        char *err = NULL;
        if (strcmp(a, "checklist.ok") == 0) {
            struct mark_req *r = new_req(m, it, "ok");
            if (do_mark(r, NULL, NULL, NULL, &err) != 0)
                ui_error_take(err);
            free(r);
        } else if (strcmp(a, "checklist.ng") == 0) {
            struct mark_req *r = new_req(m, it, "ng");
            char *title = xasprintf(_("NG: %s %s"), it->code, item_name(it));
            struct ui_form *f = ui_form_new(title, submit_ng, r);
            ui_form_set_data_free(f, free);
            free(title);
            ui_form_text(f, _("Value"), NULL, 0);
            ui_form_text(f, _("Note"), NULL, 0);
            ui_form_show(f);
        } else if (strcmp(a, "checklist.skip") == 0) {
            char *title = xasprintf(_("Skip: %s %s"), it->code, item_name(it));
            ui_prompt(title, _("Reason"), NULL, 1, submit_prompt, new_req(m, it, "skip"), free);
            free(title);
        } else if (strcmp(a, "open") == 0 && !it->unit) {
            char when[32];
            format_when(it->at, m->day, when, sizeof when);
            ui_message(_("%s %s%s%s — %s, due %s; last: %s %s %s"), it->code, item_name(it),
                       it->host_name ? " @" : "", it->host_name ? it->host_name : "",
                       it->period_text, it->due_day, status_label(it->status),
                       it->who_name ? it->who_name : "", when);
        } else if (strcmp(a, "checklist.value") == 0 || strcmp(a, "open") == 0) {
            char *title = it->has_range
                              ? xasprintf(_("Value: %s %s (%g–%g %s)"), it->code, item_name(it),
                                          it->value_min, it->value_max, it->unit ? it->unit : "")
                              : xasprintf(_("Value: %s %s"), it->code, item_name(it));
            ui_prompt(title, _("Value"), NULL, 1, submit_prompt, new_req(m, it, NULL), free);
            free(title);
        } else if (strcmp(a, "checklist.note") == 0) {
            char *title = xasprintf(_("Note: %s %s"), it->code, item_name(it));
            ui_prompt(title, _("Note"), it->note, 1, submit_prompt, new_req(m, it, "note"), free);
            free(title);
        } else {
            return 0;
        }
        return 1;
    }
    return 0;
}

static int cl_key(struct pane *p, int key)
{
    struct cl_model *m = p->data;
    return ui_lines_close(&m->detail, &m->lines, key);
}

static void cl_mouse(struct pane *p, int y, int x, int button)
{
    struct cl_model *m = p->data;
    ui_list_mouse_event(&m->list, y, x, button);
}

static int cl_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                     char **err)
{
    (void)err;
    struct cl_model *m = p->data;
    return ui_list_filter(&m->list, re, pattern);
}

static int cl_sort(struct pane *p, const char *column, char **err)
{
    struct cl_model *m = p->data;
    return ui_list_sort(&m->list, column, err);
}

static void cl_free(struct pane *p)
{
    struct cl_model *m = p->data;
    table_free(&m->table);
    checklist_day_free(&m->d);
    check_problems_free(&m->probs);
    ui_list_free(&m->list);
    free(m->rows);
    free(m->groups);
    for (size_t i = 0; i < m->ntoggled; i++)
        free(m->toggled[i]);
    free(m->toggled);
    free(m->toggled_open);
    free(m->load_error);
    ui_lines_free(&m->lines);
    free(m);
    add_reset();
}

static const struct ui_binding cl_bindings[] = {
    {"checklist.ok", "o", N_("mark the item OK")},
    {"checklist.ng", "x", N_("mark the item NG (value and note optional)")},
    {"checklist.skip", "s", N_("skip the item (a reason is required)")},
    {"checklist.value", "v", N_("record a value (outside the range it is NG)")},
    {"checklist.note", "e", N_("add a note")},
    {"checklist.add", "a", N_("add an as-needed item to this day")},
    {"checklist.toggle", "Space", N_("show or hide an item's hosts (also Enter, → and ←)")},
    {"checklist.run-checks", "c", N_("run the checks of every host (asks first, names how many)")},
    {"checklist.prev-day", "[", N_("previous day")},
    {"checklist.next-day", "]", N_("next day")},
    {NULL, NULL, NULL},
};

const struct pane_ops checklist_pane = {
    .name = "checklist",
    .title = N_("Checklist"),
    .bindings = cl_bindings,
    .open = cl_open,
    .load = cl_load,
    .reload_on_show = 1,
    .list = 1,
    .draw = cl_draw,
    .action = cl_action,
    .key = cl_key,
    .mouse = cl_mouse,
    .filter = cl_filter,
    .sort = cl_sort,
    .free = cl_free,
};
