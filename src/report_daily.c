#include "report_daily.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "changes.h"
#include "checklist.h"
#include "check_level.h"
#include "handover.h"
#include "i18n.h"
#include "job_duration.h"
#include "job_substitute.h"
#include "jobs.h"
#include "labels.h"
#include "operators.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* One report: report_daily()'s incident and inquiry sections, then the work
 * sections from index `first` on. */
struct daily_report {
    struct report *rep;
    int first;
};

void daily_report_free(struct daily_report *r)
{
    if (!r)
        return;
    report_free(r->rep);
    free(r);
}

const struct report *daily_report_base(const struct daily_report *r)
{
    return r->rep;
}
int daily_report_sections(const struct daily_report *r)
{
    return report_sections(r->rep) - r->first;
}
const char *daily_report_section_key(const struct daily_report *r, int i)
{
    return i >= 0 ? report_section_key(r->rep, r->first + i) : NULL;
}
int daily_report_section_index(const struct daily_report *r, const char *key)
{
    for (int i = 0; i < daily_report_sections(r); i++)
        if (streq(daily_report_section_key(r, i), key))
            return i;
    return -1;
}
int daily_report_rows(const struct daily_report *r, int i)
{
    return i >= 0 ? report_rows(r->rep, r->first + i) : 0;
}
const char *daily_report_cell(const struct daily_report *r, int i, int row, int col)
{
    return i >= 0 ? report_cell(r->rep, r->first + i, row, col) : NULL;
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
    int ok, ng, skip, todo, downtime, warn, acked;
    int job_ok, job_failed, job_other;
    int changes, handovers;
};

static int gather_checklist(struct report *rep, struct store *st, const struct calendar *cal,
                            const char *day, struct counts *c, char **err)
{
    struct checklist_day d;
    if (checklist_load(st, cal, day, &d, err) != 0)
        return -1;
    const char *h[] = {_("Status"), _("Item"), _("Name"), _("Host"),
                       _("Value"),  _("Note"), _("Who"),  _("When")};
    int s = report_add_section(rep, "checklist", _("Checklist: NG, skipped and not done"), 8, h);
    /* NG and skipped one by one; not done one row per item (and due day). */
    for (size_t k = 0; k < d.count; k++) {
        const struct checklist_item *it = &d.items[k];
        /* An NG in a downtime or acknowledged is listed but not counted as NG
         * (checklist_item_ng, the rule of the status line and the handover). */
        enum checklist_ng standing = checklist_item_ng(it);
        int ng = standing != CHECKLIST_NOT_NG;
        if (standing == CHECKLIST_NG_DOWNTIME)
            c->downtime++;
        else if (standing == CHECKLIST_NG_ACKED)
            c->acked++;
        else if (ng && it->warn && !it->out_of_range)
            c->warn++; /* WARN only (checks.h): listed, counted apart from NG */
        else if (ng)
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
        const char *note = checklist_item_note(it); /* NG: the failing checks and why */
        char *who = it->who_login ? operator_display_name(st, it->who_login) : xstrdup("");
        const char *row[] = {!ng               ? _("skipped")
                             : it->unreachable ? _("NG (unreachable via a parent)")
                             : standing == CHECKLIST_NG_DOWNTIME ? _("NG (downtime)")
                             : standing == CHECKLIST_NG_ACKED    ? _("NG (acknowledged)")
                             : it->warn && !it->out_of_range ? check_level_label(CHECK_LEVEL_WARN)
                                                             : _("NG"),
                             it->code,
                             ja() ? it->name_ja : it->name_en,
                             it->host_name ? it->host_name : "",
                             v,
                             note ? note : "",
                             who,
                             at};
        report_add_row(rep, s, row);
        free(v);
        free(who);
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
        report_add_row(rep, s, row);
        free(status);
        sb_free(&hosts);
    }
    checklist_day_free(&d);
    return 0;
}

static int gather_jobs(struct report *rep, struct store *st, const char *day, int64_t now,
                       struct counts *c, char **err)
{
    struct job_run_row *rows = NULL;
    size_t n = 0;
    if (jobs_day(st, day, now, &rows, &n, err) != 0)
        return -1;
    const char *h[] = {_("Code"),  _("Name"), _("State"),    _("Started"),
                       _("Ended"), _("Exit"), _("Incident"), _("Note")};
    int s = report_add_section(rep, "jobs", _("Job runs of the day"), 8, h);
    for (size_t i = 0; i < n; i++) {
        const struct job_run_row *j = &rows[i];
        const char *state = j->state ? j->state : "";
        if (streq(state, "succeeded"))
            c->job_ok++;
        else if (streq(state, "failed") || streq(state, "interrupted") ||
                 streq(state, "not_arrived")) /* its file never came: a failure of the day */
            c->job_failed++;
        else
            c->job_other++;
        char a[32], b[32], x[16] = "";
        when(j->started_at, day, a);
        when(j->ended_at, day, b);
        if (j->has_exit)
            snprintf(x, sizeof x, "%d", j->exit_status);
        /* A run moved from a closed day (振替) and one far from its usual duration. */
        char *moved = job_substitute_text(j), *odd = job_duration_text(j, now);
        char *note =
            xasprintf("%s%s%s", moved ? moved : "", moved && odd ? ", " : "", odd ? odd : "");
        const char *row[] = {j->code,
                             ja() ? j->name_ja : j->name_en,
                             jobs_state_name(state),
                             a,
                             b,
                             x,
                             j->incident_ref ? j->incident_ref : "",
                             note};
        report_add_row(rep, s, row);
        free(moved), free(odd), free(note);
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

static int gather_changes(struct report *rep, struct store *st, const char *a, const char *b,
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
            if (!seen) {
                char *name = operator_display_name(st, login);
                sb_printf(&x->who, "%s%s", x->who.len ? ", " : "", name);
                free(name);
            }
        }
    }
    sqlite3_reset(q);
    if (rc == SQLITE_DONE) {
        const char *h[] = {_("Ref"), _("Title"), _("Department"), _("Work"), _("Status"), _("By")};
        int s = report_add_section(rep, "changes", _("Changes worked on"), 6, h);
        for (size_t i = 0; i < ng; i++) {
            chg_flush_kind(&g[i]);
            const char *row[] = {g[i].ref,
                                 g[i].title,
                                 g[i].dept,
                                 g[i].work.buf ? g[i].work.buf : "",
                                 change_status_name(g[i].status),
                                 g[i].who.buf ? g[i].who.buf : ""};
            report_add_row(rep, s, row);
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

static int gather_handovers(struct report *rep, struct store *st, const char *day, struct counts *c,
                            char **err)
{
    struct handover_records hr;
    if (handover_list_day(st, day, &hr, err) != 0)
        return -1;
    const char *h[] = {_("Signed"), _("Shift"), _("From"), _("To"), _("Acknowledged"), _("Note")};
    int s = report_add_section(rep, "handovers", _("Handovers signed"), 6, h);
    for (size_t i = 0; i < hr.count; i++) {
        const struct handover_record *x = &hr.items[i];
        char at[32], ack_at[32];
        when(x->signed_at, day, at);
        when(x->acked_at, day, ack_at);
        char *by = x->acked_by_login ? operator_display_name(st, x->acked_by_login) : xstrdup("");
        char *ack = x->acked_at ? xasprintf("%s %s", by, ack_at) : xstrdup(_("not acknowledged"));
        char *from = x->from_login ? operator_display_name(st, x->from_login) : xstrdup("");
        char *to = x->to_login ? operator_display_name(st, x->to_login) : xstrdup("*");
        const char *row[] = {at,   label_shift(x->shift && *x->shift ? x->shift : "none"),
                             from, to,
                             ack,  x->note ? x->note : ""};
        report_add_row(rep, s, row);
        free(by), free(ack), free(from), free(to);
    }
    c->handovers = (int)hr.count;
    handover_records_free(&hr);
    return 0;
}

static void fill_summary(struct report *rep, int s, const struct counts *c)
{
    struct {
        const char *label;
        int v;
    } items[] = {
        {_("Checks OK"), c->ok},
        {_("Checks NG"), c->ng},
        {_("Checks NG in downtime (not counted)"), c->downtime},
        {_("Checks WARN (not counted as NG)"), c->warn},
        {_("Checks NG acknowledged (not counted)"), c->acked},
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
        report_add_row(rep, s, row);
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
    char *title = xasprintf(_("Daily report %s"), day);
    if (sla) {
        r->rep = report_daily(st, sla, day, now, err);
        if (r->rep)
            report_set_title(r->rep, title);
    } else {
        r->rep = report_empty(title);
    }
    free(title);
    if (!r->rep) {
        free(r);
        return NULL;
    }
    r->first = report_sections(r->rep);
    char a[TIME_ISO_LEN + 1], b[TIME_ISO_LEN + 1];
    time_format_iso(jst_to_utc(d.y, d.m, d.d, 0) * 1000, a);
    struct civil_date e = civil_add_days(d, 1);
    time_format_iso(jst_to_utc(e.y, e.m, e.d, 0) * 1000, b);

    struct counts c;
    memset(&c, 0, sizeof c);
    const char *h[] = {_("Item"), _("Value")};
    int summary = report_add_section(r->rep, "work_summary", _("Work of the day"), 2, h);
    if (gather_checklist(r->rep, st, cal, day, &c, err) != 0 ||
        gather_jobs(r->rep, st, day, now, &c, err) != 0 ||
        gather_changes(r->rep, st, a, b, &c, err) != 0 ||
        gather_handovers(r->rep, st, day, &c, err) != 0) {
        daily_report_free(r);
        return NULL;
    }
    fill_summary(r->rep, summary, &c);
    return r;
}

struct daily_report *daily_report_work(struct store *st, const struct calendar *cal,
                                       const char *day, int64_t now, char **err)
{
    return daily_report_build(st, NULL, cal, day, now, err);
}

char *daily_report_render(const struct daily_report *r, enum report_format fmt)
{
    return report_render(r->rep, fmt);
}

int daily_report_print(const struct daily_report *r, enum report_format fmt, FILE *out)
{
    char *s = daily_report_render(r, fmt);
    int rc = fputs(s, out) < 0 ? -1 : 0;
    free(s);
    return rc;
}
