#include "report_daily.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "changes.h"
#include "checklist.h"
#include "handover.h"
#include "i18n.h"
#include "jobs.h"
#include "output.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* The work sections: titled tables, rendered in the shapes reports.c uses. */
struct wsection {
    char *key, *title;
    int ncols;
    char **headings;
    char ***rows;
    int nrows;
    char *note;
};

struct daily_report {
    char *title;
    struct report *base; /* incidents and inquiries (reports.c) */
    struct wsection *s;
    int n;
};

static struct wsection *add_section(struct daily_report *r, const char *key, const char *title,
                                    int ncols, const char *const *headings)
{
    r->s = xrealloc(r->s, (size_t)(r->n + 1) * sizeof *r->s);
    struct wsection *s = &r->s[r->n++];
    memset(s, 0, sizeof *s);
    s->key = xstrdup(key);
    s->title = xstrdup(title);
    s->ncols = ncols;
    s->headings = xcalloc((size_t)ncols, sizeof(char *));
    for (int i = 0; i < ncols; i++)
        s->headings[i] = xstrdup(headings[i]);
    return s;
}

static void add_row(struct wsection *s, const char *const *cells)
{
    s->rows = xrealloc(s->rows, (size_t)(s->nrows + 1) * sizeof *s->rows);
    char **row = xcalloc((size_t)s->ncols, sizeof(char *));
    for (int i = 0; i < s->ncols; i++)
        row[i] = xstrdup(cells[i] ? cells[i] : "");
    s->rows[s->nrows++] = row;
}

void daily_report_free(struct daily_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++) {
        struct wsection *s = &r->s[i];
        for (int j = 0; j < s->nrows; j++) {
            for (int k = 0; k < s->ncols; k++)
                free(s->rows[j][k]);
            free(s->rows[j]);
        }
        for (int k = 0; k < s->ncols; k++)
            free(s->headings[k]);
        free(s->rows), free(s->headings), free(s->key), free(s->title), free(s->note);
    }
    free(r->s);
    free(r->title);
    report_free(r->base);
    free(r);
}

const struct report *daily_report_base(const struct daily_report *r)
{
    return r->base;
}
int daily_report_sections(const struct daily_report *r)
{
    return r->n;
}
const char *daily_report_section_key(const struct daily_report *r, int i)
{
    return i >= 0 && i < r->n ? r->s[i].key : NULL;
}
int daily_report_section_index(const struct daily_report *r, const char *key)
{
    for (int i = 0; i < r->n; i++)
        if (streq(r->s[i].key, key))
            return i;
    return -1;
}
int daily_report_rows(const struct daily_report *r, int i)
{
    return i >= 0 && i < r->n ? r->s[i].nrows : 0;
}
const char *daily_report_cell(const struct daily_report *r, int i, int row, int col)
{
    if (i < 0 || i >= r->n || row < 0 || row >= r->s[i].nrows || col < 0 || col >= r->s[i].ncols)
        return NULL;
    return r->s[i].rows[row][col];
}

/* ---- gathering ---- */
static int ja(void)
{
    return streq(i18n_lang(), "ja");
}

/* "07:20" when iso falls on day (JST), else "11-22 07:20"; "" for NULL. */
static void when(const char *iso, const char *day, char out[32])
{
    out[0] = 0;
    int64_t ms;
    if (!iso || !*iso || time_parse(iso, &ms) != 0)
        return;
    char full[32], date[16];
    time_format_jst(ms, full, 0);
    time_format_jst_date(ms, date);
    snprintf(out, 32, "%s", streq(date, day) ? full + 11 : full + 5);
}

static char *value_text(const struct checklist_item *it)
{
    if (!it->has_value)
        return xstrdup("");
    char *v = xasprintf("%.10g%s%s", it->value, it->unit ? " " : "", it->unit ? it->unit : "");
    if (it->has_range && it->out_of_range) {
        char *w = xasprintf(_("%s (range %.10g–%.10g)"), v, it->value_min, it->value_max);
        free(v);
        v = w;
    }
    return v;
}

struct counts {
    int ok, ng, skip, todo;
    int job_ok, job_failed, job_other;
    int changes, handovers;
};

static int gather_checklist(struct daily_report *r, struct store *st, const struct calendar *cal,
                            const char *day, struct counts *c, char **err)
{
    struct checklist_day d;
    if (checklist_load(st, cal, day, &d, err) != 0)
        return -1;
    const char *h[] = {_("Status"), _("Item"), _("Name"), _("Host"),
                       _("Value"),  _("Note"), _("Who"),  _("When")};
    struct wsection *s =
        add_section(r, "checklist", _("Checklist: NG, skipped and not done"), 8, h);
    /* NG and skipped one by one; not done one row per item (and due day). */
    for (size_t k = 0; k < d.count; k++) {
        const struct checklist_item *it = &d.items[k];
        int ng = it->status == CHECK_NG || it->out_of_range;
        if (ng)
            c->ng++;
        else if (it->status == CHECK_OK)
            c->ok++;
        else if (it->status == CHECK_SKIP)
            c->skip++;
        else
            c->todo++;
        if (!ng && it->status != CHECK_SKIP)
            continue;
        char at[32];
        when(it->at, day, at);
        char *v = value_text(it);
        const char *note = it->status == CHECK_SKIP && it->reason ? it->reason : it->note;
        const char *row[] = {
            ng ? _("NG") : _("skipped"),        it->code, ja() ? it->name_ja : it->name_en,
            it->host_name ? it->host_name : "", v,        note ? note : "",
            it->who_login ? it->who_login : "", at};
        add_row(s, row);
        free(v);
    }
    for (size_t k = 0; k < d.count; k++) {
        const struct checklist_item *it = &d.items[k];
        if (it->status != CHECK_TODO || it->out_of_range)
            continue;
        /* The first of its item and due day gathers the hosts of the others. */
        int first = 1;
        for (size_t p = 0; p < k && first; p++) {
            const struct checklist_item *o = &d.items[p];
            if (o->status == CHECK_TODO && !o->out_of_range && streq(o->code, it->code) &&
                streq(o->due_day, it->due_day))
                first = 0;
        }
        if (!first)
            continue;
        struct strbuf hosts = STRBUF_INIT;
        int nhosts = 0;
        for (size_t q = k; q < d.count; q++) {
            const struct checklist_item *o = &d.items[q];
            if (o->status != CHECK_TODO || o->out_of_range || !streq(o->code, it->code) ||
                !streq(o->due_day, it->due_day) || !o->host_name)
                continue;
            sb_printf(&hosts, "%s%s", nhosts++ ? ", " : "", o->host_name);
        }
        char *status =
            it->overdue ? xasprintf(_("not done (due %s)"), it->due_day) : xstrdup(_("not done"));
        const char *row[] = {status,
                             it->code,
                             ja() ? it->name_ja : it->name_en,
                             hosts.buf ? hosts.buf : "",
                             "",
                             it->note ? it->note : "",
                             "",
                             ""};
        add_row(s, row);
        free(status);
        sb_free(&hosts);
    }
    checklist_day_free(&d);
    return 0;
}

static int gather_jobs(struct daily_report *r, struct store *st, const char *day, int64_t now,
                       struct counts *c, char **err)
{
    struct job_run_row *rows = NULL;
    size_t n = 0;
    if (jobs_day(st, day, now, &rows, &n, err) != 0)
        return -1;
    const char *h[] = {_("Code"),  _("Name"), _("State"),   _("Started"),
                       _("Ended"), _("Exit"), _("Incident")};
    struct wsection *s = add_section(r, "jobs", _("Job runs of the day"), 7, h);
    for (size_t i = 0; i < n; i++) {
        const struct job_run_row *j = &rows[i];
        const char *state = j->state ? j->state : "";
        if (streq(state, "succeeded"))
            c->job_ok++;
        else if (streq(state, "failed") || streq(state, "interrupted"))
            c->job_failed++;
        else
            c->job_other++;
        char a[32], b[32], x[16] = "";
        when(j->started_at, day, a);
        when(j->ended_at, day, b);
        if (j->has_exit)
            snprintf(x, sizeof x, "%d", j->exit_status);
        const char *row[] = {
            j->code, ja() ? j->name_ja : j->name_en,        jobs_state_name(state), a, b,
            x,       j->incident_ref ? j->incident_ref : ""};
        add_row(s, row);
    }
    job_run_rows_free(rows, n);
    return 0;
}

struct chg {
    char *id, *ref, *title, *dept, *status;
    struct strbuf work, who;
    char *last_kind;
    int repeat;
};

static void chg_flush_kind(struct chg *g)
{
    if (!g->last_kind)
        return;
    sb_printf(&g->work, "%s%s", g->work.len ? ", " : "", change_status_name(g->last_kind));
    if (g->repeat > 1)
        sb_printf(&g->work, " ×%d", g->repeat);
    free(g->last_kind);
    g->last_kind = NULL;
    g->repeat = 0;
}

static int gather_changes(struct daily_report *r, struct store *st, const char *a, const char *b,
                          struct counts *c, char **err)
{
    sqlite3_stmt *q =
        store_stmt(st, "SELECT c.id, c.ref, c.title, c.requester_dept, c.status, e.kind, o.login "
                       "FROM change_events e JOIN changes c ON c.id = e.change_id "
                       "LEFT JOIN operators o ON o.id = e.operator_id "
                       "WHERE c.deleted = 0 AND e.at >= ?1 AND e.at < ?2 ORDER BY e.at, e.id");
    bind_text(q, 1, a);
    bind_text(q, 2, b);
    struct chg *g = NULL;
    size_t ng = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = col_text(q, 0);
        struct chg *x = NULL;
        for (size_t i = 0; i < ng && !x; i++)
            if (streq(g[i].id, id))
                x = &g[i];
        if (!x) {
            g = xrealloc(g, (ng + 1) * sizeof *g);
            x = &g[ng++];
            memset(x, 0, sizeof *x);
            x->id = xstrdup(id);
            x->ref = xstrdup(col_text(q, 1) ? col_text(q, 1) : "");
            x->title = xstrdup(col_text(q, 2) ? col_text(q, 2) : "");
            x->dept = xstrdup(col_text(q, 3) ? col_text(q, 3) : "");
            x->status = xstrdup(col_text(q, 4) ? col_text(q, 4) : "");
        }
        const char *kind = col_text(q, 5) ? col_text(q, 5) : "";
        if (x->last_kind && streq(x->last_kind, kind)) {
            x->repeat++;
        } else {
            chg_flush_kind(x);
            x->last_kind = xstrdup(kind);
            x->repeat = 1;
        }
        const char *login = col_text(q, 6);
        if (login) {
            int seen = 0;
            for (const char *p = x->who.buf; p && *p && !seen;) {
                size_t l = strcspn(p, ",");
                seen = l == strlen(login) && strncmp(p, login, l) == 0;
                p += l;
                while (*p == ',' || *p == ' ')
                    p++;
            }
            if (!seen)
                sb_printf(&x->who, "%s%s", x->who.len ? ", " : "", login);
        }
    }
    sqlite3_reset(q);
    if (rc == SQLITE_DONE) {
        const char *h[] = {_("Ref"), _("Title"), _("Department"), _("Work"), _("Status"), _("By")};
        struct wsection *s = add_section(r, "changes", _("Changes worked on"), 6, h);
        for (size_t i = 0; i < ng; i++) {
            chg_flush_kind(&g[i]);
            const char *row[] = {g[i].ref,
                                 g[i].title,
                                 g[i].dept,
                                 g[i].work.buf ? g[i].work.buf : "",
                                 change_status_name(g[i].status),
                                 g[i].who.buf ? g[i].who.buf : ""};
            add_row(s, row);
        }
        c->changes = (int)ng;
    }
    for (size_t i = 0; i < ng; i++) {
        free(g[i].id), free(g[i].ref), free(g[i].title), free(g[i].dept), free(g[i].status);
        free(g[i].last_kind);
        sb_free(&g[i].work);
        sb_free(&g[i].who);
    }
    free(g);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading the changes of the day"));
    return 0;
}

static int gather_handovers(struct daily_report *r, struct store *st, const char *day,
                            struct counts *c, char **err)
{
    struct handover_records hr;
    if (handover_list_day(st, day, &hr, err) != 0)
        return -1;
    const char *h[] = {_("Signed"), _("Shift"), _("From"), _("To"), _("Acknowledged"), _("Note")};
    struct wsection *s = add_section(r, "handovers", _("Handovers signed"), 6, h);
    for (size_t i = 0; i < hr.count; i++) {
        const struct handover_record *x = &hr.items[i];
        char at[32], ack_at[32];
        when(x->signed_at, day, at);
        when(x->acked_at, day, ack_at);
        char *ack = x->acked_at
                        ? xasprintf("%s %s", x->acked_by_login ? x->acked_by_login : "", ack_at)
                        : xstrdup(_("not acknowledged"));
        const char *row[] = {at,
                             x->shift ? x->shift : "",
                             x->from_login ? x->from_login : "",
                             x->to_login ? x->to_login : "*",
                             ack,
                             x->note ? x->note : ""};
        add_row(s, row);
        free(ack);
    }
    c->handovers = (int)hr.count;
    handover_records_free(&hr);
    return 0;
}

static void fill_summary(struct wsection *s, const struct counts *c)
{
    struct {
        const char *label;
        int v;
    } items[] = {
        {_("Checks OK"), c->ok},
        {_("Checks NG"), c->ng},
        {_("Checks skipped"), c->skip},
        {_("Checks not done"), c->todo},
        {_("Job runs succeeded"), c->job_ok},
        {_("Job runs failed"), c->job_failed},
        {_("Job runs not finished, skipped or cancelled"), c->job_other},
        {_("Changes worked on"), c->changes},
        {_("Handovers signed"), c->handovers},
    };
    for (size_t i = 0; i < ARRAY_LEN(items); i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", items[i].v);
        const char *row[] = {items[i].label, v};
        add_row(s, row);
    }
}

struct daily_report *daily_report_build(struct store *st, const struct sla *sla,
                                        const struct calendar *cal, const char *day, int64_t now,
                                        char **err)
{
    struct civil_date d;
    if (!day || strlen(day) != 10 || civil_parse(day, &d) != 0) {
        set_err(err, _("the date must be YYYY-MM-DD, not %s"), day ? day : "");
        return NULL;
    }
    struct daily_report *r = xcalloc(1, sizeof *r);
    r->base = report_daily(st, sla, day, now, err);
    if (!r->base) {
        free(r);
        return NULL;
    }
    r->title = xasprintf(_("Daily report %s"), day);
    char a[TIME_ISO_LEN + 1], b[TIME_ISO_LEN + 1];
    time_format_iso(jst_to_utc(d.y, d.m, d.d, 0) * 1000, a);
    struct civil_date e = civil_add_days(d, 1);
    time_format_iso(jst_to_utc(e.y, e.m, e.d, 0) * 1000, b);

    struct counts c;
    memset(&c, 0, sizeof c);
    const char *h[] = {_("Item"), _("Value")};
    add_section(r, "work_summary", _("Work of the day"), 2, h);
    if (gather_checklist(r, st, cal, day, &c, err) != 0 ||
        gather_jobs(r, st, day, now, &c, err) != 0 || gather_changes(r, st, a, b, &c, err) != 0 ||
        gather_handovers(r, st, day, &c, err) != 0) {
        daily_report_free(r);
        return NULL;
    }
    fill_summary(&r->s[0], &c);
    return r;
}

/* ---- rendering (the shapes of reports.c's report_render) ---- */
static void csv_field(struct strbuf *sb, const char *v)
{
    if (strpbrk(v, ",\"\r\n")) {
        sb_putc(sb, '"');
        for (; *v; v++) {
            if (*v == '"')
                sb_putc(sb, '"');
            sb_putc(sb, *v);
        }
        sb_putc(sb, '"');
    } else {
        sb_puts(sb, v);
    }
}

static void md_cell(struct strbuf *sb, const char *v)
{
    struct strbuf t = STRBUF_INIT;
    text_sanitize(&t, v, 0);
    for (size_t i = 0; i < t.len; i++) {
        if (t.buf[i] == '|')
            sb_putc(sb, '\\');
        sb_putc(sb, t.buf[i]);
    }
    sb_free(&t);
}

static void render_json(struct strbuf *sb, const struct wsection *s)
{
    sb_puts(sb, "{\"key\":");
    json_string(sb, s->key);
    sb_puts(sb, ",\"title\":");
    json_string(sb, s->title);
    sb_puts(sb, ",\"columns\":[");
    for (int k = 0; k < s->ncols; k++) {
        if (k)
            sb_putc(sb, ',');
        json_string(sb, s->headings[k]);
    }
    sb_puts(sb, "],\"rows\":[");
    for (int j = 0; j < s->nrows; j++) {
        sb_puts(sb, j ? ",[" : "[");
        for (int k = 0; k < s->ncols; k++) {
            if (k)
                sb_putc(sb, ',');
            json_string(sb, s->rows[j][k]);
        }
        sb_putc(sb, ']');
    }
    sb_puts(sb, "]}");
}

static void render_csv(struct strbuf *sb, const struct wsection *s)
{
    sb_puts(sb, "section");
    for (int k = 0; k < s->ncols; k++) {
        sb_putc(sb, ',');
        csv_field(sb, s->headings[k]);
    }
    sb_puts(sb, "\r\n");
    for (int j = 0; j < s->nrows; j++) {
        csv_field(sb, s->key);
        for (int k = 0; k < s->ncols; k++) {
            sb_putc(sb, ',');
            csv_field(sb, s->rows[j][k]);
        }
        sb_puts(sb, "\r\n");
    }
}

static void render_markdown(struct strbuf *sb, const struct wsection *s)
{
    sb_printf(sb, "\n## %s\n\n", s->title);
    if (s->nrows == 0) {
        sb_printf(sb, "%s\n", _("(none)"));
    } else {
        sb_puts(sb, "|");
        for (int k = 0; k < s->ncols; k++) {
            sb_putc(sb, ' ');
            md_cell(sb, s->headings[k]);
            sb_puts(sb, " |");
        }
        sb_puts(sb, "\n|");
        for (int k = 0; k < s->ncols; k++)
            sb_puts(sb, "---|");
        sb_putc(sb, '\n');
        for (int j = 0; j < s->nrows; j++) {
            sb_puts(sb, "|");
            for (int k = 0; k < s->ncols; k++) {
                sb_putc(sb, ' ');
                md_cell(sb, s->rows[j][k]);
                sb_puts(sb, " |");
            }
            sb_putc(sb, '\n');
        }
    }
    if (s->note)
        sb_printf(sb, "\n%s\n", s->note);
}

static void render_text(struct strbuf *sb, const struct wsection *s)
{
    sb_printf(sb, "\n■ %s\n", s->title);
    if (s->nrows == 0) {
        sb_printf(sb, "  %s\n", _("(none)"));
    } else {
        int *w = xcalloc((size_t)s->ncols, sizeof *w);
        for (int k = 0; k < s->ncols; k++) {
            w[k] = text_width(s->headings[k]);
            for (int j = 0; j < s->nrows; j++) {
                int x = text_width(s->rows[j][k]);
                if (x > w[k])
                    w[k] = x;
            }
            if (w[k] > 48)
                w[k] = 48;
        }
        for (int j = -1; j < s->nrows; j++) {
            sb_puts(sb, " ");
            for (int k = 0; k < s->ncols; k++) {
                sb_putc(sb, ' ');
                const char *v = j < 0 ? s->headings[k] : s->rows[j][k];
                if (k == s->ncols - 1) {
                    int tw = text_width(v);
                    text_fit(sb, v, tw < w[k] ? tw : w[k]);
                } else {
                    text_fit(sb, v, w[k]);
                }
            }
            sb_putc(sb, '\n');
        }
        free(w);
    }
    if (s->note)
        sb_printf(sb, "  %s\n", s->note);
}

/* The base rendering with its title (first line, or the JSON "title") replaced. */
static void put_base(struct strbuf *sb, const char *base, const char *title, enum report_format fmt)
{
    if (fmt == REPORT_CSV) {
        sb_puts(sb, base);
        return;
    }
    if (fmt == REPORT_JSON) {
        /* {"title":"...","sections":[...]}\n: keep everything but the title and
         * the closing "]}\n", which the caller writes after the work sections. */
        const char *p = strstr(base, ",\"sections\":[");
        size_t len = strlen(base);
        if (len >= 3 && strcmp(base + len - 3, "]}\n") == 0)
            len -= 3;
        sb_puts(sb, "{\"title\":");
        json_string(sb, title);
        if (p && (size_t)(p - base) < len)
            sb_add(sb, p, len - (size_t)(p - base));
        else
            sb_puts(sb, ",\"sections\":[");
        return;
    }
    const char *nl = strchr(base, '\n');
    sb_printf(sb, fmt == REPORT_MARKDOWN ? "# %s" : "%s", title);
    sb_puts(sb, nl ? nl : "\n");
}

char *daily_report_render(const struct daily_report *r, enum report_format fmt)
{
    char *base = report_render(r->base, fmt);
    struct strbuf sb = STRBUF_INIT;
    put_base(&sb, base, r->title, fmt);
    int base_has_sections = report_sections(r->base) > 0;
    free(base);
    for (int i = 0; i < r->n; i++) {
        const struct wsection *s = &r->s[i];
        switch (fmt) {
        case REPORT_JSON:
            if (i || base_has_sections)
                sb_putc(&sb, ',');
            render_json(&sb, s);
            break;
        case REPORT_CSV:
            render_csv(&sb, s);
            break;
        case REPORT_MARKDOWN:
            render_markdown(&sb, s);
            break;
        default:
            render_text(&sb, s);
            break;
        }
    }
    if (fmt == REPORT_JSON)
        sb_puts(&sb, "]}\n");
    return sb_detach(&sb);
}

int daily_report_print(const struct daily_report *r, enum report_format fmt, FILE *out)
{
    char *s = daily_report_render(r, fmt);
    int rc = fputs(s, out) < 0 ? -1 : 0;
    free(s);
    return rc;
}
