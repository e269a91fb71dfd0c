/* Reports pane (seed 002 items 10-16, 97-101; seed 000 end of service): the
 * daily report of the day's work (src/report_daily.h), the monthly report and
 * the SLA achievement report (src/reports.h) for a day, a month or a period
 * (the current half of the fiscal year by default), shown as the Markdown the
 * core renders, drawn plainly: headings, and tables aligned by display width.
 * [ and ] step to the previous / next day, month or half-year; w writes the
 * report to a file (Markdown, CSV, JSON or text by the name's extension); x
 * writes it as an Excel workbook with charts (src/workbook.h, the same file as
 * `unyo report ... --xlsx`, made in the background); E
 * exports every table of the store as CSV files (ledger_export_csv) in the
 * background. Reports are made in the background too, each on a store
 * connection of its own, so the keyboard never waits for a month of incidents. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "calendar.h"
#include "i18n.h"
#include "input_norm.h"
#include "ledger_io.h"
#include "paths.h"
#include "report_daily.h"
#include "reports.h"
#include "screens.h"
#include "sla.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_filter.h"
#include "util.h"
#include "workbook.h"

#define RP_CELL_MAX 40 /* widest table cell on screen; files keep it whole */

enum rp_kind { RP_DAILY, RP_MONTHLY, RP_SLA, RP_NKINDS };

/* A made report: a daily one (with the day's work) or one of reports.c. */
struct rp_doc {
    enum rp_kind kind;
    struct daily_report *daily;
    struct report *rep;
    char made_at[32]; /* JST */
};

struct rp_line {
    int style;
    char *text;
};

struct rp_model {
    enum rp_kind kind;
    char day[11];          /* RP_DAILY */
    char month[8];         /* RP_MONTHLY "YYYY-MM" */
    char from[11], to[11]; /* RP_SLA, inclusive */
    struct sla_config cfg;
    struct sla *sla; /* borrows the console's calendar */
    struct rp_doc *doc;
    char *error;
    struct rp_line *lines;
    size_t n, cap;
    long top;
    int left;
    int view_h;
    unsigned gen; /* of the latest build asked for */
    int building;
    int reload_pending; /* a reload asked while building: once it is done */
    pcre2_code *re;
    /* the CSV export */
    int exporting;
    int64_t export_started;
    int export_timer;
    char *export_dir;
    int export_xlsx; /* the export running writes a workbook */
};

static const char *kind_label(enum rp_kind k)
{
    switch (k) {
    case RP_DAILY:
        return _("Daily");
    case RP_MONTHLY:
        return _("Monthly");
    default:
        return _("SLA achievement");
    }
}

/* ---- periods ---- */
static void half_year_of(const char *day, char from[11], char to[11])
{
    struct civil_date d;
    if (civil_parse(day, &d) != 0)
        return;
    /* The fiscal year starts in April: halves are April-September and
     * October-March. */
    unsigned y = (unsigned)(d.m >= 4 ? d.y : d.y - 1) % 10000u;
    if (d.m >= 4 && d.m <= 9) {
        snprintf(from, 11, "%04u-04-01", y);
        snprintf(to, 11, "%04u-09-30", y);
    } else {
        snprintf(from, 11, "%04u-10-01", y);
        snprintf(to, 11, "%04u-03-31", (y + 1) % 10000u);
    }
}

static void set_today(struct rp_model *m, enum rp_kind k)
{
    char today[11];
    ui_today(today);
    if (k == RP_DAILY)
        snprintf(m->day, sizeof m->day, "%s", today);
    else if (k == RP_MONTHLY)
        snprintf(m->month, sizeof m->month, "%.7s", today);
    else
        half_year_of(today, m->from, m->to);
}

static int parse_month(const char *s, int *y, int *mo)
{
    char extra;
    return s && strlen(s) == 7 && sscanf(s, "%4d-%2d%c", y, mo, &extra) == 2 && *mo >= 1 &&
                   *mo <= 12 && *y >= 1970
               ? 0
               : -1;
}

/* Sets the monthly period. Years stay within 1970..9999, the range parse_month
 * accepts: stepping past 9999-12 keeps the month rather than writing a
 * five-digit year that m->month cannot hold. */
static int set_month(struct rp_model *m, int y, int mo)
{
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12)
        return -1;
    snprintf(m->month, sizeof m->month, "%04d-%02d", y, mo);
    return 0;
}

static void period_text(const struct rp_model *m, char *out, size_t size)
{
    if (m->kind == RP_DAILY)
        snprintf(out, size, "%s", m->day);
    else if (m->kind == RP_MONTHLY)
        snprintf(out, size, "%s", m->month);
    else
        snprintf(out, size, "%s .. %s", m->from, m->to);
}

/* Steps the period: a day, a month, or a half-year (any other span by its
 * own length). */
static void step_period(struct rp_model *m, int dir)
{
    if (m->kind == RP_DAILY) {
        struct civil_date d;
        if (civil_parse(m->day, &d) == 0) {
            d = civil_add_days(d, dir);
            snprintf(m->day, sizeof m->day, "%04d-%02d-%02d", d.y, d.m, d.d);
        }
    } else if (m->kind == RP_MONTHLY) {
        int y, mo;
        if (parse_month(m->month, &y, &mo) == 0) {
            mo += dir;
            if (mo < 1)
                mo = 12, y--;
            if (mo > 12)
                mo = 1, y++;
            set_month(m, y, mo);
        }
    } else {
        struct civil_date a, b;
        if (civil_parse(m->from, &a) != 0 || civil_parse(m->to, &b) != 0)
            return;
        char f[11], t[11];
        half_year_of(m->from, f, t);
        if (streq(f, m->from) && streq(t, m->to)) {
            struct civil_date p = civil_add_days(a, dir > 0 ? 200 : -20);
            char day[11];
            snprintf(day, sizeof day, "%04d-%02d-%02d", p.y, p.m, p.d);
            half_year_of(day, m->from, m->to);
        } else {
            int span = (int)(civil_to_days(b) - civil_to_days(a)) + 1;
            a = civil_add_days(a, dir * span);
            b = civil_add_days(b, dir * span);
            snprintf(m->from, sizeof m->from, "%04d-%02d-%02d", a.y, a.m, a.d);
            snprintf(m->to, sizeof m->to, "%04d-%02d-%02d", b.y, b.m, b.d);
        }
    }
}

/* ---- documents ---- */
static void doc_free(struct rp_doc *d)
{
    if (!d)
        return;
    daily_report_free(d->daily);
    report_free(d->rep);
    free(d);
}

static char *doc_render(const struct rp_doc *d, enum report_format fmt)
{
    return d->daily ? daily_report_render(d->daily, fmt) : report_render(d->rep, fmt);
}

/* ---- lines: the Markdown drawn plainly ---- */
static void lines_clear(struct rp_model *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->lines[i].text);
    m->n = 0;
}

static void add_line(struct rp_model *m, int style, char *text)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 128;
        m->lines = xrealloc(m->lines, m->cap * sizeof *m->lines);
    }
    m->lines[m->n].style = style;
    m->lines[m->n].text = text;
    m->n++;
}

struct md_row {
    char **cell;
    int n;
    int rule; /* the |---|---| line */
};

/* Splits "| a | b \| c |" into cells ("a", "b | c"). */
static void split_row(const char *line, size_t len, struct md_row *r)
{
    memset(r, 0, sizeof *r);
    struct strbuf cur = STRBUF_INIT;
    size_t i = 0;
    if (i < len && line[i] == '|')
        i++;
    int rule = 1;
    for (; i < len; i++) {
        if (line[i] == '\\' && i + 1 < len && line[i + 1] == '|') {
            sb_putc(&cur, '|');
            i++;
        } else if (line[i] == '|') {
            char *c = sb_detach(&cur);
            size_t l = strlen(c);
            char *s = c;
            if (*s == ' ')
                s++, l--;
            if (l > 0 && s[l - 1] == ' ')
                s[--l] = 0;
            if (strspn(s, "-:") != l || l == 0)
                rule = 0;
            r->cell = xrealloc(r->cell, (size_t)(r->n + 1) * sizeof *r->cell);
            r->cell[r->n++] = xstrdup(s);
            free(c);
        } else {
            sb_putc(&cur, line[i]);
        }
    }
    sb_free(&cur);
    r->rule = rule && r->n > 0;
}

static int row_style(const struct md_row *r)
{
    const char *bad[] = {_("NG"), sla_state_name(SLA_BREACHED), sla_state_name(SLA_MISSED),
                         _("failed")};
    for (int k = 0; k < r->n; k++)
        for (size_t b = 0; b < ARRAY_LEN(bad); b++)
            if (streq(r->cell[k], bad[b]))
                return STYLE_STATUS_NG;
    return STYLE_NORMAL;
}

static void add_table(struct rp_model *m, struct md_row *rows, int nrows)
{
    int ncols = 0;
    for (int j = 0; j < nrows; j++)
        if (rows[j].n > ncols)
            ncols = rows[j].n;
    int *w = xcalloc((size_t)ncols + 1, sizeof *w);
    for (int j = 0; j < nrows; j++)
        for (int k = 0; k < rows[j].n && !rows[j].rule; k++) {
            int x = text_width(rows[j].cell[k]);
            if (x > RP_CELL_MAX)
                x = RP_CELL_MAX;
            if (x > w[k])
                w[k] = x;
        }
    int total = 0;
    for (int k = 0; k < ncols; k++)
        total += w[k] + (k ? 2 : 0);
    for (int j = 0; j < nrows; j++) {
        struct strbuf sb = STRBUF_INIT;
        sb_puts(&sb, "  ");
        if (rows[j].rule) {
            for (int x = 0; x < total; x++)
                sb_puts(&sb, "─");
            add_line(m, STYLE_DIM, sb_detach(&sb));
            continue;
        }
        for (int k = 0; k < rows[j].n; k++) {
            if (k)
                sb_puts(&sb, "  ");
            if (k == rows[j].n - 1) {
                int x = text_width(rows[j].cell[k]);
                text_fit(&sb, rows[j].cell[k], x < w[k] ? x : w[k]);
            } else {
                text_fit(&sb, rows[j].cell[k], w[k]);
            }
        }
        add_line(m, j == 0 ? STYLE_FORM_LABEL : row_style(&rows[j]), sb_detach(&sb));
    }
    free(w);
}

static void md_to_lines(struct rp_model *m, const char *md)
{
    lines_clear(m);
    const char *p = md;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (p[0] == '|') {
            struct md_row *rows = NULL;
            int nrows = 0;
            while (*p == '|') {
                e = strchr(p, '\n');
                len = e ? (size_t)(e - p) : strlen(p);
                rows = xrealloc(rows, (size_t)(nrows + 1) * sizeof *rows);
                split_row(p, len, &rows[nrows++]);
                p += len + (e != NULL);
            }
            add_table(m, rows, nrows);
            for (int j = 0; j < nrows; j++) {
                for (int k = 0; k < rows[j].n; k++)
                    free(rows[j].cell[k]);
                free(rows[j].cell);
            }
            free(rows);
            continue;
        }
        if (len >= 3 && strncmp(p, "## ", 3) == 0) {
            char *t = xstrndup(p + 3, len - 3);
            add_line(m, STYLE_HEADER, xasprintf("■ %s", t));
            free(t);
        } else if (len >= 2 && strncmp(p, "# ", 2) == 0) {
            add_line(m, STYLE_HEADER, xstrndup(p + 2, len - 2));
        } else {
            char *t = xstrndup(p, len);
            int none = streq(t, _("(none)"));
            add_line(m, none ? STYLE_DIM : STYLE_NORMAL, none ? xasprintf("  %s", t) : t);
            if (none)
                free(t);
        }
        p += len + (e != NULL);
    }
}

/* ---- building in the background ---- */
struct build_job {
    struct rp_model *m;
    unsigned gen;
    enum rp_kind kind;
    char a[11], b[11];
    char *path;
    const struct sla *sla;
    const struct calendar *cal;
    int64_t now;
    struct rp_doc *doc;
    char *md;
    char *err;
};

static void build_work(void *arg)
{
    struct build_job *j = arg;
    struct store *st = NULL;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    struct rp_doc *d = xcalloc(1, sizeof *d);
    d->kind = j->kind;
    time_format_jst(j->now, d->made_at, 0);
    if (j->kind == RP_DAILY)
        d->daily = daily_report_build(st, j->sla, j->cal, j->a, j->now, &j->err);
    else if (j->kind == RP_MONTHLY)
        d->rep = report_monthly(st, j->sla, j->a, j->now, &j->err);
    else
        d->rep = report_sla(st, j->sla, j->a, j->b, j->now, &j->err);
    store_close(st);
    if (!d->daily && !d->rep) {
        doc_free(d);
        return;
    }
    j->doc = d;
    j->md = doc_render(d, REPORT_MARKDOWN);
}

static void clamp_top(struct rp_model *m)
{
    long max = (long)m->n - (m->view_h > 0 ? m->view_h : 1);
    if (m->top > max)
        m->top = max;
    if (m->top < 0)
        m->top = 0;
}

static void rebuild(struct rp_model *m, int new_period);

static void build_done(void *arg)
{
    struct build_job *j = arg;
    struct rp_model *m = j->m;
    if (j->gen == m->gen) {
        m->building = 0;
        doc_free(m->doc);
        m->doc = j->doc;
        free(m->error);
        m->error = j->doc ? NULL : (j->err ? j->err : xstrdup(_("the report could not be made")));
        if (j->doc)
            free(j->err);
        if (j->md)
            md_to_lines(m, j->md);
        else
            lines_clear(m);
        clamp_top(m);
        ui_dirty(UI_DIRTY_PANE);
        if (m->reload_pending) {
            m->reload_pending = 0;
            rebuild(m, 0);
        }
    } else {
        doc_free(j->doc);
        free(j->err);
    }
    free(j->md);
    free(j->path);
    free(j);
}

/* new_period: the kind or period changed (drop what is shown and go to the
 * top); else a reload of the same report keeps the place. */
static void rebuild(struct rp_model *m, int new_period)
{
    struct build_job *j = xcalloc(1, sizeof *j);
    j->m = m;
    j->gen = ++m->gen;
    j->kind = m->kind;
    if (m->kind == RP_DAILY)
        snprintf(j->a, sizeof j->a, "%s", m->day);
    else if (m->kind == RP_MONTHLY)
        snprintf(j->a, sizeof j->a, "%s", m->month);
    else
        snprintf(j->a, sizeof j->a, "%s", m->from), snprintf(j->b, sizeof j->b, "%s", m->to);
    j->path = xstrdup(ui_store()->path);
    j->sla = m->sla;
    j->cal = ui_calendar();
    j->now = time_now_ms();
    if (new_period) {
        doc_free(m->doc);
        m->doc = NULL;
        lines_clear(m);
        free(m->error);
        m->error = NULL;
        m->top = 0;
        m->left = 0;
    }
    m->building = 1;
    if (ui_bg_run(build_work, build_done, j) != 0) {
        build_work(j);
        build_done(j);
    }
    ui_dirty(UI_DIRTY_PANE);
}

/* ---- the pane ---- */
static int rp_open(struct pane *p, char **err)
{
    struct rp_model *m = xcalloc(1, sizeof *m);
    sla_config_default(&m->cfg);
    char *path = paths_find_data(NULL, "sla.ini");
    if (path && sla_config_load(path, &m->cfg, err) != 0) {
        free(path);
        free(m);
        return -1;
    }
    free(path);
    m->sla = sla_new(&m->cfg, (struct calendar *)ui_calendar());
    m->export_timer = -1;
    for (int k = 0; k < RP_NKINDS; k++)
        set_today(m, (enum rp_kind)k);
    m->kind = RP_DAILY;
    p->data = m;
    rebuild(m, 1);
    return 0;
}

/* A reload (C-r, or the store changed under the console) while a build runs
 * waits for it: restarting at each change would never let a long report end
 * while another process writes every second. */
static void rp_load(struct pane *p)
{
    struct rp_model *m = p->data;
    if (m->building) {
        m->reload_pending = 1;
        return;
    }
    rebuild(m, 0);
}

/* The part of s from cell `skip` on; *pad = 1 when a wide character was cut. */
static const char *skip_cells(const char *s, int skip, int *pad)
{
    *pad = 0;
    size_t len = strlen(s);
    while (skip > 0 && *s) {
        uint32_t cp;
        size_t n = utf8_decode(s, len, &cp);
        int w = cp_width(cp);
        if (w > skip) {
            *pad = 1;
            return s + n;
        }
        skip -= w;
        s += n;
        len -= n;
    }
    return s;
}

static void rp_draw(struct pane *p, const struct ui_canvas *c)
{
    struct rp_model *m = p->data;
    ui_clear(c, -1, STYLE_NORMAL);
    /* Row 0: the kinds, the period, what is going on. */
    int x = 0;
    for (int k = 0; k < RP_NKINDS; k++) {
        char b[64];
        snprintf(b, sizeof b, " %s ", kind_label((enum rp_kind)k));
        x += ui_put(c, 0, x, text_width(b), k == (int)m->kind ? STYLE_TAB_ACTIVE : STYLE_TAB, b);
        x += ui_put(c, 0, x, 1, STYLE_NORMAL, " ");
    }
    char per[40], today[11], info[256];
    period_text(m, per, sizeof per);
    ui_today(today);
    const char *rel = "";
    if (m->kind == RP_DAILY && streq(m->day, today))
        rel = _(" (today)");
    else if (m->kind == RP_MONTHLY && strncmp(m->month, today, 7) == 0)
        rel = _(" (this month)");
    else if (m->kind == RP_SLA) {
        char f[11] = "", t[11] = "";
        half_year_of(today, f, t);
        if (streq(f, m->from) && streq(t, m->to))
            rel = _(" (this half-year)");
    }
    snprintf(info, sizeof info, " %s%s", per, rel);
    x += ui_put(c, 0, x, text_width(info), STYLE_HEADER, info);
    if (m->building)
        snprintf(info, sizeof info, "  %s", _("making the report…"));
    else if (m->doc)
        snprintf(info, sizeof info, _("  made at %s"), m->doc->made_at + 11);
    else
        info[0] = 0;
    if (m->exporting) {
        size_t l = strlen(info);
        snprintf(info + l, sizeof info - l, "  %s", _("exporting CSV…"));
    }
    if (x < c->w)
        ui_put(c, 0, x, -1, STYLE_DIM, info);

    /* The report. */
    int h = c->h - 2;
    m->view_h = h > 0 ? h : 1;
    clamp_top(m);
    if (m->error) {
        ui_put(c, 2, 2, -1, STYLE_ERROR, m->error);
    } else if (!m->n) {
        ui_put(c, 2, 2, -1, STYLE_DIM, _("Making the report…"));
    }
    for (int y = 0; y < h && m->top + y < (long)m->n; y++) {
        const struct rp_line *l = &m->lines[m->top + y];
        int pad;
        const char *s = skip_cells(l->text, m->left, &pad);
        int hit = m->re && ui_filter_match(m->re, l->text, strlen(l->text));
        int style = hit ? STYLE_FORM_FOCUS : l->style;
        if (pad)
            ui_put(c, 1 + y, 0, 1, style, " ");
        ui_put(c, 1 + y, pad, -1, style, s);
    }
    char pos[48] = "";
    if (m->n > (size_t)h)
        snprintf(pos, sizeof pos, " %ld/%zu ", m->top + 1, m->n);
    ui_put(c, c->h - 1, 0, -1, STYLE_DIM,
           _("d daily  m monthly  s SLA  [ ] previous/next  t today  p period  w write  "
             "x Excel  E export CSV  ? keys"));
    int pw = text_width(pos);
    if (*pos && pw < c->w)
        ui_put(c, c->h - 1, c->w - pw, pw, STYLE_DIM, pos);
}

/* ---- writing a file ---- */
static char *expand_home(const char *path)
{
    const char *home = getenv("HOME");
    if (path[0] == '~' && (path[1] == '/' || path[1] == 0) && home)
        return xasprintf("%s%s", home, path + 1);
    return xstrdup(path);
}

static int is_xlsx(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) && strcasecmp(dot, ".xlsx") == 0;
}

static enum report_format format_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return REPORT_MARKDOWN;
    if (strcasecmp(dot, ".csv") == 0)
        return REPORT_CSV;
    if (strcasecmp(dot, ".json") == 0)
        return REPORT_JSON;
    if (strcasecmp(dot, ".txt") == 0)
        return REPORT_TEXT;
    return REPORT_MARKDOWN;
}

static int make_parent(const char *path, char **err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *dir = xstrndup(path, (size_t)(slash - path));
    int rc = mkdir_p(dir, err);
    free(dir);
    return rc;
}

/* What a confirmed file name is for: write the report, export a workbook … */
typedef void (*file_action)(struct rp_model *m, const char *path);

struct write_req {
    struct rp_model *m;
    char *path; /* expanded */
    file_action act;
};

static void write_req_free(void *data)
{
    struct write_req *w = data;
    free(w->path);
    free(w);
}

/* An Excel workbook of the report shown, made in the background on a store
 * connection of its own (a month is read day by day). */
struct xlsx_job {
    char *db, *path;
    enum rp_kind kind;
    char a[11], b[11];
    struct sla *sla; /* the job's own: the pane may close before it ends */
    const struct calendar *cal;
    int64_t now;
    int rc;
    char *err;
};

static void xlsx_work(void *arg)
{
    struct xlsx_job *j = arg;
    struct store *st = NULL;
    j->rc = -1;
    if (store_open(j->db, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    if (j->kind == RP_DAILY)
        j->rc = workbook_daily(st, j->sla, j->cal, j->a, j->now, j->path, &j->err);
    else if (j->kind == RP_MONTHLY)
        j->rc = workbook_monthly(st, j->sla, j->cal, j->a, j->now, j->path, &j->err);
    else
        j->rc = workbook_sla(st, j->sla, j->a, j->b, j->now, j->path, &j->err);
    store_close(st);
}

static void xlsx_done(void *arg)
{
    struct xlsx_job *j = arg;
    if (j->rc == 0)
        ui_message(_("Wrote %s"), j->path);
    else
        ui_error(_("The workbook was not written: %s"), j->err ? j->err : "");
    sla_free(j->sla);
    free(j->err);
    free(j->db);
    free(j->path);
    free(j);
}

static void write_xlsx(struct rp_model *m, const char *path)
{
    struct xlsx_job *j = xcalloc(1, sizeof *j);
    j->db = xstrdup(ui_store()->path);
    j->path = xstrdup(path);
    j->kind = m->kind;
    if (m->kind == RP_DAILY)
        snprintf(j->a, sizeof j->a, "%s", m->day);
    else if (m->kind == RP_MONTHLY)
        snprintf(j->a, sizeof j->a, "%s", m->month);
    else
        snprintf(j->a, sizeof j->a, "%s", m->from), snprintf(j->b, sizeof j->b, "%s", m->to);
    j->cal = ui_calendar();
    j->sla = sla_new(&m->cfg, (struct calendar *)j->cal);
    j->now = time_now_ms();
    ui_message(_("Writing %s…"), path);
    if (ui_bg_run(xlsx_work, xlsx_done, j) != 0) {
        xlsx_work(j);
        xlsx_done(j);
    }
}

static void write_now(struct rp_model *m, const char *path)
{
    char *err = NULL;
    if (make_parent(path, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (is_xlsx(path)) {
        write_xlsx(m, path);
        return;
    }
    if (!m->doc) {
        ui_error("%s", _("The report is not made yet; try again in a moment."));
        return;
    }
    enum report_format fmt = format_of(path);
    char *text = doc_render(m->doc, fmt);
    FILE *f = fopen(path, "wb");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    free(text);
    if (!ok) {
        ui_error(_("cannot write %s: %s"), path, strerror(errno));
        return;
    }
    ui_message(_("Wrote %s"), path);
}

static void overwrite_answer(int yes, void *data)
{
    struct write_req *w = data;
    if (yes)
        w->act(w->m, w->path);
    write_req_free(w);
}

/* A file name typed at a prompt: a directory is refused, an existing file is
 * replaced only after asking (naming it), then act runs on the expanded path. */
static int to_file(struct rp_model *m, const char *text, const char *question, file_action act,
                   char **err)
{
    if (!*text) {
        set_err(err, "%s", _("a file name is required"));
        return -1;
    }
    char *path = expand_home(text);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            set_err(err, _("%s is a directory"), path);
            free(path);
            return -1;
        }
        struct write_req *w = xcalloc(1, sizeof *w);
        w->m = m;
        w->path = path;
        w->act = act;
        char *q = xasprintf(question, path);
        ui_confirm(q, overwrite_answer, w);
        free(q);
        return 0;
    }
    act(m, path);
    free(path);
    return 0;
}

static int write_submit(const char *text, void *data, char **err)
{
    return to_file(data, text, _("%s exists. Overwrite it? (y/n)"), write_now, err);
}

/* xlsx: the Excel workbook (x), else the Markdown and other text forms (w). */
static void start_write(struct rp_model *m, int xlsx)
{
    char name[64];
    const char *ext = xlsx ? "xlsx" : "md";
    if (m->kind == RP_DAILY)
        snprintf(name, sizeof name, "daily-%s.%s", m->day, ext);
    else if (m->kind == RP_MONTHLY)
        snprintf(name, sizeof name, "monthly-%s.%s", m->month, ext);
    else
        snprintf(name, sizeof name, "sla-%s_%s.%s", m->from, m->to, ext);
    char *initial = xasprintf("~/unyo-reports/%s", name);
    if (xlsx)
        ui_prompt(_("Write the report as an Excel workbook (.xlsx, with charts)"), _("File"),
                  initial, 1, write_submit, m, NULL);
    else
        ui_prompt(_("Write the report to a file (.md .csv .json .txt)"), _("File"), initial, 1,
                  write_submit, m, NULL);
    free(initial);
}

/* ---- the CSV export of the whole store ---- */
struct export_job {
    struct rp_model *m;
    char *path, *dir; /* dir: the directory, or the workbook's file (xlsx) */
    int xlsx;
    long long rows;
    int rc;
    char *err;
};

static void export_work(void *arg)
{
    struct export_job *j = arg;
    struct store *st = NULL;
    j->rc = -1;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    store_busy_timeout(st, 10000);
    if (j->xlsx)
        j->rc = workbook_export(st, j->dir, &j->rows, &j->err);
    else
        j->rc = ledger_export_csv(st, j->dir, 0, &j->rows, &j->err);
    store_close(st);
}

static void export_done(void *arg)
{
    struct export_job *j = arg;
    struct rp_model *m = j->m;
    m->exporting = 0;
    if (m->export_timer >= 0)
        ui_loop_remove_timer(m->export_timer);
    m->export_timer = -1;
    if (j->rc == 0)
        ui_message(_("Exported %lld rows to %s"), j->rows, j->dir);
    else
        ui_error(_("The export failed: %s"), j->err ? j->err : "");
    free(j->err);
    free(j->path);
    free(j->dir);
    free(j);
    ui_dirty(UI_DIRTY_PANE | UI_DIRTY_STATUS);
}

static int export_tick(void *data)
{
    struct rp_model *m = data;
    if (!m->exporting)
        return 0;
    long secs = (long)((ui_monotonic_ms() - m->export_started) / 1000);
    if (m->export_xlsx)
        ui_message(_("Exporting every table to the workbook %s… %lds"), m->export_dir, secs);
    else
        ui_message(_("Exporting every table as CSV to %s… %lds"), m->export_dir, secs);
    return 1;
}

static void start_export(struct rp_model *m, const char *dir, int xlsx)
{
    char *err = NULL;
    if (xlsx && make_parent(dir, &err) != 0) {
        ui_error_take(err);
        return;
    }
    struct export_job *j = xcalloc(1, sizeof *j);
    j->m = m;
    j->xlsx = xlsx;
    m->export_xlsx = xlsx;
    j->path = xstrdup(ui_store()->path);
    j->dir = xstrdup(dir);
    free(m->export_dir);
    m->export_dir = xstrdup(dir);
    m->exporting = 1;
    m->export_started = ui_monotonic_ms();
    if (xlsx)
        ui_message(_("Exporting every table to the workbook %s…"), dir);
    else
        ui_message(_("Exporting every table as CSV to %s…"), dir);
    m->export_timer = ui_loop_add_timer(1000, export_tick, m);
    ui_dirty(UI_DIRTY_PANE);
    if (ui_bg_run(export_work, export_done, j) != 0) {
        export_work(j);
        export_done(j);
    }
}

static void export_csv_now(struct rp_model *m, const char *dir)
{
    start_export(m, dir, 0);
}

static void export_xlsx_now(struct rp_model *m, const char *path)
{
    start_export(m, path, 1);
}

static int export_submit(const char *text, void *data, char **err)
{
    struct rp_model *m = data;
    if (!*text) {
        set_err(err, "%s", _("a directory is required"));
        return -1;
    }
    if (m->exporting) {
        set_err(err, "%s", _("an export is already running"));
        return -1;
    }
    char *dir = expand_home(text);
    struct stat sb;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        set_err(err, _("%s is not a directory"), dir);
        free(dir);
        return -1;
    }
    char *probe = xasprintf("%s/audit.csv", dir);
    int exists = stat(probe, &sb) == 0;
    free(probe);
    if (exists) {
        struct write_req *w = xcalloc(1, sizeof *w);
        w->m = m;
        w->path = dir;
        w->act = export_csv_now;
        char *q = xasprintf(_("%s already holds an export. Overwrite it? (y/n)"), dir);
        ui_confirm(q, overwrite_answer, w);
        free(q);
        return 0;
    }
    start_export(m, dir, 0);
    free(dir);
    return 0;
}

/* X: every table as a sheet of one workbook (unyo export --xlsx). */
static int export_xlsx_submit(const char *text, void *data, char **err)
{
    struct rp_model *m = data;
    if (m->exporting) {
        set_err(err, "%s", _("an export is already running"));
        return -1;
    }
    return to_file(m, text, _("%s exists. Overwrite it? (y/n)"), export_xlsx_now, err);
}

static void ask_export_xlsx(struct rp_model *m)
{
    if (m->exporting) {
        ui_error("%s", _("an export is already running"));
        return;
    }
    char stamp[32];
    time_format_jst(time_now_ms(), stamp, 0);
    char *initial = xasprintf("~/unyo-reports/export-%.4s%.2s%.2s-%.2s%.2s.xlsx", stamp, stamp + 5,
                              stamp + 8, stamp + 11, stamp + 14);
    ui_prompt(_("Export every table of the store as one Excel workbook"), _("File"), initial, 1,
              export_xlsx_submit, m, NULL);
    free(initial);
}

static void ask_export(struct rp_model *m)
{
    if (m->exporting) {
        ui_error("%s", _("an export is already running"));
        return;
    }
    char stamp[32];
    time_format_jst(time_now_ms(), stamp, 0); /* "2026-11-23 09:00" */
    char *initial = xasprintf("~/unyo-reports/export-%.4s%.2s%.2s-%.2s%.2s", stamp, stamp + 5,
                              stamp + 8, stamp + 11, stamp + 14);
    ui_prompt(_("Export every table of the store as CSV (end of service)"), _("Directory"), initial,
              1, export_submit, m, NULL);
    free(initial);
}

/* ---- choosing the period ---- */
/* Sets the daily or monthly period from what was typed ("2026/12/07",
 * "２０２６－１２", src/input_norm.h): 0, or -1 when it is neither a date nor
 * a month. want: RP_DAILY or RP_MONTHLY only, or RP_NKINDS for either. */
static int set_day_or_month(struct rp_model *m, const char *text, enum rp_kind want)
{
    char *n = input_norm_date(text);
    struct civil_date d;
    int y, mo, rc = -1;
    if (want != RP_MONTHLY && strlen(n) == 10 && civil_parse(n, &d) == 0) {
        snprintf(m->day, sizeof m->day, "%s", n);
        m->kind = RP_DAILY;
        rc = 0;
    } else if (want != RP_DAILY && parse_month(n, &y, &mo) == 0 && set_month(m, y, mo) == 0) {
        m->kind = RP_MONTHLY;
        rc = 0;
    }
    free(n);
    return rc;
}

static int period_submit(const char *text, void *data, char **err)
{
    struct rp_model *m = data;
    struct civil_date a, b;
    if (m->kind == RP_DAILY) {
        if (set_day_or_month(m, text, RP_DAILY) != 0) {
            set_err(err, _("the date must be YYYY-MM-DD, not %s"), text);
            return -1;
        }
    } else if (m->kind == RP_MONTHLY) {
        if (set_day_or_month(m, text, RP_MONTHLY) != 0) {
            set_err(err, _("the month must be YYYY-MM, not %s"), text);
            return -1;
        }
    } else {
        /* "2026-04-01 .. 2026-09-30", "2026/4/1 2026/9/30", "２０２６／４／１～２０２６／９／３０"
         */
        char *all = input_norm(text);
        char f[32] = "", t[32] = "";
        const char *dots = strstr(all, "..");
        size_t seplen = 2;
        if (!dots)
            dots = strchr(all, '~'), seplen = 1;
        if (dots)
            snprintf(f, sizeof f, "%.*s", (int)(dots - all), all),
                snprintf(t, sizeof t, "%s", dots + seplen);
        else if (sscanf(all, "%31s %31s", f, t) != 2)
            f[0] = 0;
        free(all);
        char *fs = input_norm_date(f), *ts = input_norm_date(t);
        int bad = strlen(fs) != 10 || strlen(ts) != 10 || civil_parse(fs, &a) != 0 ||
                  civil_parse(ts, &b) != 0 || civil_to_days(b) < civil_to_days(a);
        if (!bad) {
            memcpy(m->from, fs, sizeof m->from); /* both are 10 characters and a NUL */
            memcpy(m->to, ts, sizeof m->to);
        }
        free(fs);
        free(ts);
        if (bad) {
            set_err(err, "%s", _("give the period as YYYY-MM-DD .. YYYY-MM-DD"));
            return -1;
        }
    }
    rebuild(m, 1);
    return 0;
}

static void ask_period(struct rp_model *m)
{
    char per[40];
    period_text(m, per, sizeof per);
    const char *label = m->kind == RP_DAILY     ? _("Day (YYYY-MM-DD)")
                        : m->kind == RP_MONTHLY ? _("Month (YYYY-MM)")
                                                : _("Period (YYYY-MM-DD .. YYYY-MM-DD)");
    ui_prompt(_("Report period"), label, per, 1, period_submit, m, NULL);
}

/* ---- keys ---- */
static void next_match(struct rp_model *m, int dir)
{
    if (!m->re)
        return;
    for (long i = m->top + dir; i >= 0 && i < (long)m->n; i += dir)
        if (ui_filter_match(m->re, m->lines[i].text, strlen(m->lines[i].text))) {
            m->top = i;
            clamp_top(m);
            return;
        }
    ui_message("%s", _("No more matches."));
}

static int rp_action(struct pane *p, const char *a)
{
    struct rp_model *m = p->data;
    long page = m->view_h > 1 ? m->view_h - 1 : 1;
    if (streq(a, "reports.daily") || streq(a, "reports.monthly") || streq(a, "reports.sla")) {
        enum rp_kind k = a[8] == 'd' ? RP_DAILY : a[8] == 'm' ? RP_MONTHLY : RP_SLA;
        if (k != m->kind) {
            m->kind = k;
            rebuild(m, 1);
        }
    } else if (streq(a, "reports.prev") || streq(a, "reports.next")) {
        step_period(m, streq(a, "reports.next") ? 1 : -1);
        rebuild(m, 1);
    } else if (streq(a, "reports.today")) {
        set_today(m, m->kind);
        rebuild(m, 1);
    } else if (strncmp(a, "goto ", 5) == 0) {
        /* ":goto 2026/12/07" opens that day's report, ":goto 2026-12" the month's */
        if (set_day_or_month(m, a + 5, RP_NKINDS) != 0)
            return 0;
        rebuild(m, 1);
    } else if (streq(a, "reports.period")) {
        ask_period(m);
    } else if (streq(a, "reports.write") || streq(a, "reports.xlsx")) {
        start_write(m, streq(a, "reports.xlsx"));
    } else if (streq(a, "reports.export")) {
        ask_export(m);
    } else if (streq(a, "reports.export-xlsx")) {
        ask_export_xlsx(m);
    } else if (streq(a, "down")) {
        m->top++;
    } else if (streq(a, "up")) {
        m->top--;
    } else if (streq(a, "top")) {
        m->top = 0;
        m->left = 0;
    } else if (streq(a, "bottom")) {
        m->top = (long)m->n;
    } else if (streq(a, "page-down") || streq(a, "half-down")) {
        m->top += a[0] == 'p' ? page : page / 2;
    } else if (streq(a, "page-up") || streq(a, "half-up")) {
        m->top -= a[0] == 'p' ? page : page / 2;
    } else if (streq(a, "left")) {
        m->left = m->left > 8 ? m->left - 8 : 0;
    } else if (streq(a, "right")) {
        m->left += 8;
    } else if (streq(a, "next-match") || streq(a, "prev-match")) {
        if (!m->re)
            return 0;
        next_match(m, a[0] == 'n' ? 1 : -1);
    } else {
        return 0;
    }
    clamp_top(m);
    return 1;
}

static void rp_mouse(struct pane *p, int y, int x, int button)
{
    struct rp_model *m = p->data;
    if (button == 4)
        m->top -= 3;
    else if (button == 5)
        m->top += 3;
    else if (y == 0 && button == 1) {
        /* a click on a kind's label */
        int cx = 0;
        for (int k = 0; k < RP_NKINDS; k++) {
            char b[64];
            snprintf(b, sizeof b, " %s ", kind_label((enum rp_kind)k));
            int w = text_width(b);
            if (x >= cx && x < cx + w && k != (int)m->kind) {
                m->kind = (enum rp_kind)k;
                rebuild(m, 1);
                break;
            }
            cx += w + 1;
        }
    }
    clamp_top(m);
}

static int rp_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                     char **err)
{
    (void)pattern, (void)err;
    struct rp_model *m = p->data;
    if (m->re)
        pcre2_code_free(m->re);
    m->re = re ? pcre2_code_copy_with_tables(re) : NULL;
    if (m->re) {
        pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE);
        if (!(m->top < (long)m->n &&
              ui_filter_match(m->re, m->lines[m->top].text, strlen(m->lines[m->top].text))))
            next_match(m, 1);
    }
    return 0;
}

static void rp_free(struct pane *p)
{
    struct rp_model *m = p->data;
    if (m->export_timer >= 0)
        ui_loop_remove_timer(m->export_timer);
    doc_free(m->doc);
    lines_clear(m);
    free(m->lines);
    free(m->error);
    free(m->export_dir);
    if (m->re)
        pcre2_code_free(m->re);
    sla_free(m->sla);
    free(m);
}

static const struct ui_binding rp_bindings[] = {
    {"reports.daily", "d", N_("daily report: the day's work, incidents and inquiries")},
    {"reports.monthly", "m", N_("monthly report for the monthly meeting")},
    {"reports.sla", "s", N_("SLA achievement for a period (the current half-year first)")},
    {"reports.prev", "[", N_("previous day, month or half-year")},
    {"reports.next", "]", N_("next day, month or half-year")},
    {"reports.today", "t", N_("back to today, this month or this half-year")},
    {"reports.period", "p", N_("choose the day, month or period")},
    {"reports.write", "w", N_("write the report to a file (.md, .csv, .json, .txt)")},
    {"reports.xlsx", "x", N_("write the report as an Excel workbook with charts (.xlsx)")},
    {"reports.export", "E", N_("export every table of the store as CSV files (in the background)")},
    {"reports.export-xlsx", "X",
     N_("export every table of the store as one Excel workbook (in the background)")},
    {NULL, NULL, NULL},
};

const struct pane_ops reports_pane = {
    .name = "reports",
    .title = N_("Reports"),
    .bindings = rp_bindings,
    .open = rp_open,
    .load = rp_load,
    .reload_on_show = 1,
    .draw = rp_draw,
    .action = rp_action,
    .mouse = rp_mouse,
    .filter = rp_filter,
    .free = rp_free,
};
