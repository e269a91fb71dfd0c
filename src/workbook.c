#include "workbook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "calendar.h"
#include "i18n.h"
#include "report_daily.h"
#include "reports.h"
#include "sla.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* ---- the file: a temporary next to the target, renamed when complete ---- */

struct wb {
    lxw_workbook *wb;
    char *tmp;
    lxw_format *title, *head, *date, *datetime, *month, *pct, *wrap;
    char **names;
    size_t nnames;
    lxw_error lerr; /* the first error of a write */
    char *lerr_where;
};

static int wb_open(struct wb *w, const char *path, int constant_memory, char **err)
{
    memset(w, 0, sizeof *w);
    if (!path || !*path) {
        set_err(err, _("the workbook needs a file name"));
        return -1;
    }
    struct stat sb;
    if (path[strlen(path) - 1] == '/' || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))) {
        set_err(err, _("cannot write %s: %s"), path, strerror(EISDIR));
        return -1;
    }
    w->tmp = xasprintf("%s.partXXXXXX", path);
    int fd = mkstemp(w->tmp);
    if (fd < 0) {
        set_err(err, _("cannot write %s: %s"), path, strerror(errno));
        free(w->tmp);
        w->tmp = NULL;
        return -1;
    }
    /* mkstemp makes 0600; the workbook gets the mode any new file would. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        /* not fatal: the file stays private */
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE};
    w->wb = workbook_new_opt(w->tmp, &opt);
    if (!w->wb) {
        set_err(err, _("cannot write %s: %s"), path, _("the workbook could not be started"));
        unlink(w->tmp);
        free(w->tmp);
        w->tmp = NULL;
        return -1;
    }
    w->title = workbook_add_format(w->wb);
    format_set_bold(w->title);
    format_set_font_size(w->title, 14);
    w->head = workbook_add_format(w->wb);
    format_set_bold(w->head);
    format_set_bg_color(w->head, 0xDDEBF7);
    format_set_border(w->head, LXW_BORDER_THIN);
    w->date = workbook_add_format(w->wb);
    format_set_num_format(w->date, "yyyy-mm-dd");
    w->datetime = workbook_add_format(w->wb);
    format_set_num_format(w->datetime, "yyyy-mm-dd hh:mm");
    w->month = workbook_add_format(w->wb);
    format_set_num_format(w->month, "yyyy-mm");
    w->pct = workbook_add_format(w->wb);
    format_set_num_format(w->pct, "0.0%");
    w->wrap = workbook_add_format(w->wb);
    format_set_text_wrap(w->wrap);
    lxw_doc_properties props = {.author = "unyo"};
    workbook_set_properties(w->wb, &props);
    return 0;
}

static void wb_note_error(struct wb *w, lxw_error e, const char *where)
{
    if (e != LXW_NO_ERROR && w->lerr == LXW_NO_ERROR) {
        w->lerr = e;
        w->lerr_where = xstrdup(where ? where : "");
    }
}

/* ok: everything was gathered (else the temporary is dropped, *err already set). */
static int wb_close(struct wb *w, const char *path, int ok, char **err)
{
    lxw_error e = workbook_close(w->wb);
    int rc = 0;
    if (!ok) {
        rc = -1;
    } else if (w->lerr != LXW_NO_ERROR) {
        set_err(err, _("cannot write %s: %s (%s)"), path, lxw_strerror(w->lerr), w->lerr_where);
        rc = -1;
    } else if (e != LXW_NO_ERROR) {
        set_err(err, _("cannot write %s: %s"), path, lxw_strerror(e));
        rc = -1;
    } else if (rename(w->tmp, path) != 0) {
        set_err(err, _("cannot write %s: %s"), path, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(w->tmp);
    free(w->tmp);
    for (size_t i = 0; i < w->nnames; i++)
        free(w->names[i]);
    free(w->names);
    free(w->lerr_where);
    return rc;
}

/* ---- sheets ---- */

/* A sheet name Excel takes: no []:*?/\, no quote at either end, at most 31
 * characters, unique (case-insensitively) in the workbook. */
static lxw_worksheet *wb_sheet(struct wb *w, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    size_t len = strlen(want), chars = 0, i = 0;
    while (i < len && chars < 31) {
        uint32_t cp;
        size_t n = utf8_decode(want + i, len - i, &cp);
        if (cp == ':') {
            /* "Checklist: NG" -> "Checklist NG" */
        } else if (cp < 0x20 || (cp < 0x80 && strchr("[]:*?/\\", (int)cp)) || cp == 0xFFFD) {
            sb_putc(&sb, '-');
            chars++;
        } else {
            sb_printf(&sb, "%.*s", (int)n, want + i);
            chars++;
        }
        i += n;
    }
    /* Cut short: at the last space, not inside a word ("... and not d"). */
    if (i < len && sb.len && strchr(sb.buf, ' ') && want[i] != ' ') {
        char *sp = strrchr(sb.buf, ' ');
        if (sp - sb.buf > 10)
            sb.len = (size_t)(sp - sb.buf), sb.buf[sb.len] = 0;
    }
    while (sb.len && strchr(" ,", sb.buf[sb.len - 1]))
        sb.buf[--sb.len] = 0;
    char *name = sb_detach(&sb);
    while (*name == '\'')
        memmove(name, name + 1, strlen(name));
    while (*name && name[strlen(name) - 1] == '\'')
        name[strlen(name) - 1] = 0;
    for (int k = 2; !*name || workbook_get_worksheet_by_name(w->wb, name); k++) {
        /* keep room for " (k)" within 31 characters */
        struct strbuf t = STRBUF_INIT;
        size_t nl = strlen(name), c = 0, i = 0;
        for (; i < nl && c < 26; c++) {
            uint32_t cp;
            i += utf8_decode(name + i, nl - i, &cp);
        }
        sb_printf(&t, "%.*s (%d)", (int)i, name, k);
        char *nn = sb_detach(&t);
        if (!workbook_get_worksheet_by_name(w->wb, nn)) {
            free(name);
            name = nn;
            break;
        }
        free(nn);
    }
    /* libxlsxwriter keeps the pointer: the name lives as long as the workbook. */
    w->names = xrealloc(w->names, (w->nnames + 1) * sizeof *w->names);
    w->names[w->nnames++] = name;
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, name);
    if (!ws) {
        char *alt = xasprintf("Sheet%zu", w->nnames);
        w->names[w->nnames - 1] = alt;
        free(name);
        ws = workbook_add_worksheet(w->wb, alt);
    }
    return ws;
}

static const char *wb_sheet_name(const struct wb *w)
{
    return w->names[w->nnames - 1];
}

/* ---- tables of text, typed when written ---- */

struct tab {
    int ncols;
    char **head;
    char ***rows;
    int nrows;
};

static void tab_init(struct tab *t, int ncols, const char *const *head)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->head = xcalloc((size_t)ncols, sizeof *t->head);
    for (int i = 0; i < ncols; i++)
        t->head[i] = xstrdup(head[i] ? head[i] : "");
}

static void tab_add(struct tab *t, const char *const *cells)
{
    t->rows = xrealloc(t->rows, (size_t)(t->nrows + 1) * sizeof *t->rows);
    char **row = xcalloc((size_t)t->ncols, sizeof *row);
    for (int i = 0; i < t->ncols; i++)
        row[i] = xstrdup(cells[i] ? cells[i] : "");
    t->rows[t->nrows++] = row;
}

static void tab_free(struct tab *t)
{
    for (int j = 0; j < t->nrows; j++) {
        for (int k = 0; k < t->ncols; k++)
            free(t->rows[j][k]);
        free(t->rows[j]);
    }
    for (int k = 0; k < t->ncols; k++)
        free(t->head[k]);
    free(t->rows);
    free(t->head);
    memset(t, 0, sizeof *t);
}

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The daily report shows a time of its day as "07:20" and of another day as
 * "11-22 07:20"; a workbook wants the whole instant "2026-11-23 07:20". */
static char *full_time(const char *v, const char *day)
{
    size_t n = strlen(v);
    if (n == 5 && v[2] == ':' && is_digits(v, 2) && is_digits(v + 3, 2))
        return xasprintf("%.10s %s", day, v);
    if (n == 11 && v[2] == '-' && v[5] == ' ' && v[8] == ':' && is_digits(v, 2)) {
        int y = atoi(day), m = atoi(v), dm = atoi(day + 5);
        return xasprintf("%04d-%s", m > dm ? y - 1 : y, v);
    }
    return xstrdup(v);
}

/* A column holding times in the daily report's short form. */
static int time_heading(const char *h)
{
    return streq(h, _("When")) || streq(h, _("Started")) || streq(h, _("Ended")) ||
           streq(h, _("Signed"));
}

/* Section s of r as a table; day (or NULL) completes short times; date (or
 * NULL) is put first in a column of its own. */
static void tab_of_section(struct tab *t, const struct report *r, int s, const char *day,
                           const char *date)
{
    int nc = report_section_cols(r, s), off = date ? 1 : 0;
    const char **h = xcalloc((size_t)(nc + off), sizeof *h);
    if (date)
        h[0] = _("Date");
    for (int k = 0; k < nc; k++)
        h[k + off] = report_section_heading(r, s, k);
    if (!t->head)
        tab_init(t, nc + off, h);
    char **cells = xcalloc((size_t)(nc + off), sizeof *cells);
    for (int j = 0; j < report_rows(r, s); j++) {
        if (date)
            cells[0] = xstrdup(date);
        for (int k = 0; k < nc; k++) {
            const char *v = report_cell(r, s, j, k);
            cells[k + off] = day && time_heading(h[k + off]) ? full_time(v, day) : xstrdup(v);
        }
        tab_add(t, (const char *const *)cells);
        for (int k = 0; k < nc + off; k++)
            free(cells[k]);
    }
    free(cells);
    free(h);
}

enum ctype { C_BLANK, C_TEXT, C_INT, C_PCT, C_DATE, C_DATETIME, C_MONTH };

static enum ctype cell_type(const char *v, double *num, lxw_datetime *dt)
{
    size_t n = strlen(v);
    if (n == 0 || streq(v, "-"))
        return C_BLANK;
    const char *d = v[0] == '-' ? v + 1 : v;
    size_t dn = strlen(d);
    if (dn >= 1 && dn <= 15 && is_digits(d, dn) && (dn == 1 || d[0] != '0')) {
        *num = strtod(v, NULL);
        return C_INT;
    }
    if (n >= 2 && v[n - 1] == '%') {
        char *end;
        double x = strtod(v, &end);
        if (end == v + n - 1 && v[0] >= '0' && v[0] <= '9') {
            *num = x / 100.0;
            return C_PCT;
        }
    }
    memset(dt, 0, sizeof *dt);
    if ((n == 7 || n == 10 || n == 16) && v[4] == '-' && is_digits(v, 4) && is_digits(v + 5, 2)) {
        dt->year = atoi(v);
        dt->month = atoi(v + 5);
        dt->day = 1;
        if (n == 7)
            return dt->month >= 1 && dt->month <= 12 ? C_MONTH : C_TEXT;
        if (v[7] != '-' || !is_digits(v + 8, 2))
            return C_TEXT;
        struct civil_date c;
        char dd[11];
        snprintf(dd, sizeof dd, "%.10s", v);
        if (civil_parse(dd, &c) != 0)
            return C_TEXT;
        dt->day = c.d;
        if (n == 10)
            return C_DATE;
        if (v[10] != ' ' || v[13] != ':' || !is_digits(v + 11, 2) || !is_digits(v + 14, 2))
            return C_TEXT;
        dt->hour = atoi(v + 11);
        dt->min = atoi(v + 14);
        return dt->hour < 24 && dt->min < 60 ? C_DATETIME : C_TEXT;
    }
    return C_TEXT;
}

/* What a column holds: a type every filled cell has, else text. */
static enum ctype column_type(const struct tab *t, int k)
{
    enum ctype ct = C_BLANK;
    for (int j = 0; j < t->nrows; j++) {
        double x;
        lxw_datetime dt;
        enum ctype c = cell_type(t->rows[j][k], &x, &dt);
        if (c == C_BLANK)
            continue;
        if (ct == C_BLANK)
            ct = c;
        else if (c != ct)
            return C_TEXT;
    }
    return ct == C_BLANK ? C_TEXT : ct;
}

static void print_setup(lxw_worksheet *ws, int header_row, double width)
{
    worksheet_set_paper(ws, 9); /* A4 */
    if (width > 95)
        worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, (lxw_row_t)header_row, (lxw_row_t)header_row);
    worksheet_set_header(ws, "&L&A");
    worksheet_set_footer(ws, "&C&P / &N");
}

#define HEAD_ROW 2
#define FIRST_ROW 3

/* Writes t on a new sheet: title on the first row, headings on the third
 * (frozen), the rows under them, a note after. Returns the sheet. */
static lxw_worksheet *wb_table(struct wb *w, const char *sheet, const char *title,
                               const char *subtitle, const struct tab *t, const char *note)
{
    lxw_worksheet *ws = wb_sheet(w, sheet);
    if (!ws)
        return NULL;
    const char *where = wb_sheet_name(w);
    wb_note_error(w, worksheet_write_string(ws, 0, 0, title, w->title), where);
    if (subtitle)
        wb_note_error(w, worksheet_write_string(ws, 1, 0, subtitle, NULL), where);
    enum ctype *ct = xcalloc((size_t)t->ncols, sizeof *ct);
    double total = 0;
    for (int k = 0; k < t->ncols; k++) {
        ct[k] = column_type(t, k);
        int wd = text_width(t->head[k]);
        for (int j = 0; j < t->nrows; j++) {
            int x = ct[k] == C_DATETIME ? 16 : ct[k] == C_PCT ? 7 : text_width(t->rows[j][k]);
            if (x > wd)
                wd = x;
        }
        int wrap = wd > 50;
        if (wrap)
            wd = 50;
        /* Excel's width unit is about one Latin character; a CJK character is two. */
        double cw = wd + 2.5;
        total += cw;
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, cw, wrap ? w->wrap : NULL);
        wb_note_error(w, worksheet_write_string(ws, HEAD_ROW, (lxw_col_t)k, t->head[k], w->head),
                      where);
    }
    for (int j = 0; j < t->nrows; j++) {
        lxw_row_t row = (lxw_row_t)(FIRST_ROW + j);
        for (int k = 0; k < t->ncols; k++) {
            const char *v = t->rows[j][k];
            double x = 0;
            lxw_datetime dt;
            enum ctype c = cell_type(v, &x, &dt);
            lxw_error e = LXW_NO_ERROR;
            if (!*v)
                continue;
            if (c == C_BLANK || c != ct[k] || c == C_TEXT)
                e = worksheet_write_string(ws, row, (lxw_col_t)k, v, NULL);
            else if (c == C_INT)
                e = worksheet_write_number(ws, row, (lxw_col_t)k, x, NULL);
            else if (c == C_PCT)
                e = worksheet_write_number(ws, row, (lxw_col_t)k, x, w->pct);
            else
                e = worksheet_write_datetime(ws, row, (lxw_col_t)k, &dt,
                                             c == C_DATE    ? w->date
                                             : c == C_MONTH ? w->month
                                                            : w->datetime);
            wb_note_error(w, e, where);
        }
    }
    if (t->nrows == 0)
        wb_note_error(w, worksheet_write_string(ws, FIRST_ROW, 0, _("(none)"), NULL), where);
    if (note)
        wb_note_error(w,
                      worksheet_write_string(ws,
                                             (lxw_row_t)(FIRST_ROW + (t->nrows ? t->nrows : 1) + 1),
                                             0, note, NULL),
                      where);
    worksheet_freeze_panes(ws, FIRST_ROW, 0);
    print_setup(ws, HEAD_ROW, total);
    free(ct);
    return ws;
}

static int section_index(const struct report *r, const char *key)
{
    for (int i = 0; i < report_sections(r); i++)
        if (streq(report_section_key(r, i), key))
            return i;
    return -1;
}

/* A sheet's name: the section's title, or a shorter one where the title would
 * be cut at Excel's 31 characters. */
static const char *sheet_name_of(const struct report *r, int s)
{
    const char *key = report_section_key(r, s);
    if (streq(key, "checklist"))
        return _("Checks");
    if (streq(key, "jobs"))
        return _("Job runs");
    return report_section_title(r, s);
}

static lxw_worksheet *wb_section(struct wb *w, const struct report *r, int s, const char *day)
{
    struct tab t = {0};
    tab_of_section(&t, r, s, day, NULL);
    lxw_worksheet *ws = wb_table(w, sheet_name_of(r, s), report_section_title(r, s), NULL, &t,
                                 report_section_note(r, s));
    tab_free(&t);
    return ws;
}

/* ---- charts ---- */

static void chart_basics(lxw_chart *c, const char *title)
{
    chart_title_set_name(c, title);
    chart_legend_set_position(c, LXW_CHART_LEGEND_BOTTOM);
}

/* The SLA section (8 columns: priority, step, target, count, met, missed,
 * pending, rate) with a matrix of rates beside it and a chart of them. */
static void wb_sla_sheet(struct wb *w, const struct report *r, int s)
{
    lxw_worksheet *ws = wb_section(w, r, s, NULL);
    if (!ws)
        return;
    const char *name = wb_sheet_name(w);
    const lxw_col_t c0 = 9;
    worksheet_set_column(ws, c0, c0, text_width(_("Priority")) + 2.5, NULL);
    for (int k = 0; k < SLA_NSTEPS; k++) {
        int wd = text_width(sla_step_name((enum sla_step)k));
        worksheet_set_column(ws, (lxw_col_t)(c0 + 1 + k), (lxw_col_t)(c0 + 1 + k),
                             (wd > 8 ? wd : 8) + 2.5, NULL);
    }
    wb_note_error(w, worksheet_write_string(ws, HEAD_ROW, c0, _("Priority"), w->head), name);
    for (int k = 0; k < SLA_NSTEPS; k++)
        wb_note_error(w,
                      worksheet_write_string(ws, HEAD_ROW, (lxw_col_t)(c0 + 1 + k),
                                             sla_step_name((enum sla_step)k), w->head),
                      name);
    for (int p = 0; p < SLA_NPRIO; p++) {
        char pr[4];
        snprintf(pr, sizeof pr, "P%d", p + 1);
        wb_note_error(w, worksheet_write_string(ws, (lxw_row_t)(FIRST_ROW + p), c0, pr, NULL),
                      name);
    }
    for (int j = 0; j < report_rows(r, s); j++) {
        int p = sla_priority_num(report_cell(r, s, j, 0));
        const char *step = report_cell(r, s, j, 1), *rate = report_cell(r, s, j, 7);
        int k = 0;
        while (k < SLA_NSTEPS && !streq(sla_step_name((enum sla_step)k), step))
            k++;
        double x;
        lxw_datetime dt;
        if (p < 1 || k == SLA_NSTEPS || !rate || cell_type(rate, &x, &dt) != C_PCT)
            continue;
        wb_note_error(w,
                      worksheet_write_number(ws, (lxw_row_t)(FIRST_ROW + p - 1),
                                             (lxw_col_t)(c0 + 1 + k), x, w->pct),
                      name);
    }
    lxw_chart *c = workbook_add_chart(w->wb, LXW_CHART_COLUMN);
    chart_basics(c, _("SLA achievement per priority"));
    for (int k = 0; k < SLA_NSTEPS; k++) {
        lxw_chart_series *se = chart_add_series(c, NULL, NULL);
        chart_series_set_categories(se, name, FIRST_ROW, c0, FIRST_ROW + SLA_NPRIO - 1, c0);
        chart_series_set_values(se, name, FIRST_ROW, (lxw_col_t)(c0 + 1 + k),
                                FIRST_ROW + SLA_NPRIO - 1, (lxw_col_t)(c0 + 1 + k));
        chart_series_set_name(se, sla_step_name((enum sla_step)k));
    }
    chart_axis_set_min(c->y_axis, 0);
    chart_axis_set_max(c->y_axis, 1);
    chart_axis_set_num_format(c->y_axis, "0%");
    wb_note_error(w, worksheet_insert_chart(ws, FIRST_ROW + SLA_NPRIO + 2, c0, c), name);
}

/* ---- the summary sheet: the report's summary and the work of the period ---- */

static void summary_rows(struct tab *t, const struct report *r, const char *key)
{
    int s = section_index(r, key);
    for (int j = 0; s >= 0 && j < report_rows(r, s); j++) {
        const char *row[] = {report_cell(r, s, j, 0), report_cell(r, s, j, 1)};
        tab_add(t, row);
    }
}

static char *made_at(int64_t now)
{
    char when[32];
    time_format_jst(now, when, 0);
    return xasprintf(_("Made %s (JST)"), when);
}

/* ---- daily ---- */

int workbook_daily(struct store *st, const struct sla *sla, const struct calendar *cal,
                   const char *day, int64_t now, const char *path, char **err)
{
    struct daily_report *d = daily_report_build(st, sla, cal, day, now, err);
    if (!d)
        return -1;
    const struct report *r = daily_report_base(d);
    struct wb w;
    if (wb_open(&w, path, 0, err) != 0) {
        daily_report_free(d);
        return -1;
    }
    const char *h[] = {_("Item"), _("Value")};
    struct tab t;
    tab_init(&t, 2, h);
    summary_rows(&t, r, "summary");
    summary_rows(&t, r, "work_summary");
    char *sub = made_at(now);
    wb_table(&w, _("Summary"), report_title(r), sub, &t, NULL);
    free(sub);
    tab_free(&t);
    for (int s = 0; s < report_sections(r); s++) {
        const char *key = report_section_key(r, s);
        if (streq(key, "summary") || streq(key, "work_summary"))
            continue;
        if (streq(key, "sla"))
            wb_sla_sheet(&w, r, s);
        else
            wb_section(&w, r, s, day);
    }
    daily_report_free(d);
    return wb_close(&w, path, 1, err);
}

/* ---- SLA ---- */

int workbook_sla(struct store *st, const struct sla *sla, const char *from, const char *to,
                 int64_t now, const char *path, char **err)
{
    struct report *r = report_sla(st, sla, from, to, now, err);
    if (!r)
        return -1;
    struct wb w;
    if (wb_open(&w, path, 0, err) != 0) {
        report_free(r);
        return -1;
    }
    int tot = section_index(r, "sla_total"), s = section_index(r, "sla");
    struct tab t = {0};
    tab_of_section(&t, r, tot, NULL, NULL);
    char *sub = made_at(now);
    wb_table(&w, _("Summary"), report_title(r), sub, &t, report_section_note(r, s));
    free(sub);
    tab_free(&t);
    wb_sla_sheet(&w, r, s);
    report_free(r);
    return wb_close(&w, path, 1, err);
}

/* ---- monthly ---- */

/* The work of the month, gathered day by day as the daily report does it. */
struct month_work {
    struct tab perday;                           /* one row per day */
    struct tab checks, jobs, changes, handovers; /* the daily sections, dated */
    char **work_labels;                          /* the work summary's items */
    long *work_total;
    int nwork;
};

static void month_work_free(struct month_work *m)
{
    tab_free(&m->perday);
    tab_free(&m->checks);
    tab_free(&m->jobs);
    tab_free(&m->changes);
    tab_free(&m->handovers);
    for (int i = 0; i < m->nwork; i++)
        free(m->work_labels[i]);
    free(m->work_labels);
    free(m->work_total);
}

static const char *cell_or_zero(const struct report *r, int s, int row)
{
    const char *v = s >= 0 ? report_cell(r, s, row, 1) : NULL;
    return v ? v : "0";
}

static int gather_month(struct month_work *m, struct store *st, const struct calendar *cal, int y,
                        int mo, int64_t now, char **err)
{
    memset(m, 0, sizeof *m);
    char today[16];
    time_format_jst_date(now, today);
    int ndays = civil_days_in_month(y, mo);
    for (int dd = 1; dd <= ndays; dd++) {
        char day[40];
        snprintf(day, sizeof day, "%04d-%02d-%02d", y, mo, dd);
        if (strcmp(day, today) > 0)
            break; /* the days to come have no work yet */
        struct civil_date cd = {y, mo, dd}, next = civil_add_days(cd, 1);
        int received, recovered;
        if (report_period_counts(st, jst_to_utc(y, mo, dd, 0) * 1000,
                                 jst_to_utc(next.y, next.m, next.d, 0) * 1000, &received,
                                 &recovered, err) != 0)
            return -1;
        /* the work sections only: the incident lists are the month's report's */
        struct daily_report *d = daily_report_work(st, cal, day, now, err);
        if (!d)
            return -1;
        const struct report *r = daily_report_base(d);
        int work = section_index(r, "work_summary");
        if (!m->perday.head) {
            int nw = report_rows(r, work);
            const char **h = xcalloc((size_t)(nw + 3), sizeof *h);
            h[0] = _("Date");
            h[1] = _("Incidents received");
            h[2] = _("Incidents recovered");
            m->nwork = nw;
            m->work_labels = xcalloc((size_t)nw, sizeof *m->work_labels);
            m->work_total = xcalloc((size_t)nw, sizeof *m->work_total);
            for (int i = 0; i < nw; i++) {
                h[i + 3] = report_cell(r, work, i, 0);
                m->work_labels[i] = xstrdup(h[i + 3]);
            }
            tab_init(&m->perday, nw + 3, h);
            free(h);
        }
        char nrec[16], nrev[16];
        snprintf(nrec, sizeof nrec, "%d", received);
        snprintf(nrev, sizeof nrev, "%d", recovered);
        const char **row = xcalloc((size_t)m->perday.ncols, sizeof *row);
        row[0] = day;
        row[1] = nrec;
        row[2] = nrev;
        for (int i = 0; i < m->nwork; i++) {
            row[i + 3] = cell_or_zero(r, work, i);
            m->work_total[i] += atol(row[i + 3]);
        }
        tab_add(&m->perday, row);
        free(row);
        struct {
            const char *key;
            struct tab *t;
        } parts[] = {{"checklist", &m->checks},
                     {"jobs", &m->jobs},
                     {"changes", &m->changes},
                     {"handovers", &m->handovers}};
        for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
            int s = section_index(r, parts[i].key);
            if (s >= 0)
                tab_of_section(parts[i].t, r, s, day, day);
        }
        daily_report_free(d);
    }
    return 0;
}

/* The last 12 months up to (y, mo): incidents received and each step's rate. */
static int gather_trend(struct tab *t, struct store *st, const struct sla *sla, int y, int mo,
                        int64_t now, char **err)
{
    const char *h[] = {_("Month"), _("Incidents received"), sla_step_name(SLA_ACK),
                       sla_step_name(SLA_FIRST), sla_step_name(SLA_RECOVERY)};
    tab_init(t, 5, h);
    for (int i = 11; i >= 0; i--) {
        int my = y, mm = mo - i;
        while (mm < 1) {
            mm += 12;
            my--;
        }
        struct civil_date a = {my, mm, 1};
        struct civil_date b =
            mm == 12 ? (struct civil_date){my + 1, 1, 1} : (struct civil_date){my, mm + 1, 1};
        struct sla_tally tally[SLA_NPRIO][SLA_NSTEPS];
        if (report_sla_tally(st, sla, jst_to_utc(a.y, a.m, a.d, 0) * 1000,
                             jst_to_utc(b.y, b.m, b.d, 0) * 1000, now, tally, err) != 0)
            return -1;
        char mon[40], n[16], rate[SLA_NSTEPS][16];
        int count = 0;
        for (int p = 0; p < SLA_NPRIO; p++)
            count += tally[p][SLA_ACK].count;
        for (int k = 0; k < SLA_NSTEPS; k++) {
            int met = 0, missed = 0;
            for (int p = 0; p < SLA_NPRIO; p++) {
                met += tally[p][k].met;
                missed += tally[p][k].missed;
            }
            if (met + missed)
                snprintf(rate[k], sizeof rate[k], "%.1f%%", 100.0 * met / (met + missed));
            else
                snprintf(rate[k], sizeof rate[k], "-");
        }
        snprintf(mon, sizeof mon, "%04d-%02d", my, mm);
        snprintf(n, sizeof n, "%d", count);
        const char *row[] = {mon, n, rate[0], rate[1], rate[2]};
        tab_add(t, row);
    }
    return 0;
}

int workbook_monthly(struct store *st, const struct sla *sla, const struct calendar *cal,
                     const char *month, int64_t now, const char *path, char **err)
{
    /* every incident of the month, not the printed report's first 500 */
    struct report *r = report_monthly_limit(st, sla, month, now, 500000, err);
    if (!r)
        return -1;
    int y = atoi(month), mo = atoi(month + 5);
    struct month_work m;
    struct tab trend = {0};
    if (gather_month(&m, st, cal, y, mo, now, err) != 0 ||
        gather_trend(&trend, st, sla, y, mo, now, err) != 0) {
        month_work_free(&m);
        tab_free(&trend);
        report_free(r);
        return -1;
    }
    struct wb w;
    if (wb_open(&w, path, 0, err) != 0) {
        month_work_free(&m);
        tab_free(&trend);
        report_free(r);
        return -1;
    }
    /* Summary: the month's figures and the work totals. */
    {
        const char *h[] = {_("Item"), _("Value")};
        struct tab t;
        tab_init(&t, 2, h);
        summary_rows(&t, r, "summary");
        for (int i = 0; i < m.nwork; i++) {
            char v[24];
            snprintf(v, sizeof v, "%ld", m.work_total[i]);
            const char *row[] = {m.work_labels[i], v};
            tab_add(&t, row);
        }
        char *sub = made_at(now);
        wb_table(&w, _("Summary"), report_title(r), sub, &t, NULL);
        free(sub);
        tab_free(&t);
    }
    static const char *const first[] = {"incidents_by_category", "incidents_by_library"};
    for (size_t i = 0; i < ARRAY_LEN(first); i++) {
        int s = section_index(r, first[i]);
        if (s >= 0)
            wb_section(&w, r, s, NULL);
    }
    int s = section_index(r, "sla");
    if (s >= 0)
        wb_sla_sheet(&w, r, s);
    struct {
        struct tab *t;
        const char *title;
    } work[] = {{&m.checks, _("Checks")},
                {&m.jobs, _("Job runs")},
                {&m.changes, _("Changes worked on")},
                {&m.handovers, _("Handovers signed")}};
    for (size_t i = 0; i < ARRAY_LEN(work); i++) {
        if (!work[i].t->head) { /* no day yet (a month to come) */
            const char *h[] = {_("Date")};
            tab_init(work[i].t, 1, h);
        }
        wb_table(&w, work[i].title,
                 work[i].t == &m.checks ? _("Checklist: NG, skipped and not done") : work[i].title,
                 NULL, work[i].t, NULL);
    }
    static const char *const lists[] = {"incidents", "breaches", "open_incidents", "inquiries",
                                        "open_inquiries"};
    for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
        int k = section_index(r, lists[i]);
        if (k >= 0)
            wb_section(&w, r, k, NULL);
    }
    /* Per day, with a chart of the incidents received each day. */
    if (!m.perday.head) {
        const char *h[] = {_("Date")};
        tab_init(&m.perday, 1, h);
    }
    lxw_worksheet *ws = wb_table(&w, _("Per day"), _("Per day"), NULL, &m.perday, NULL);
    if (ws && m.perday.ncols > 1 && m.perday.nrows > 0) {
        const char *name = wb_sheet_name(&w);
        lxw_chart *c = workbook_add_chart(w.wb, LXW_CHART_COLUMN);
        chart_basics(c, _("Incidents per day"));
        lxw_chart_series *se = chart_add_series(c, NULL, NULL);
        chart_series_set_categories(se, name, FIRST_ROW, 0, FIRST_ROW + m.perday.nrows - 1, 0);
        chart_series_set_values(se, name, FIRST_ROW, 1, FIRST_ROW + m.perday.nrows - 1, 1);
        chart_series_set_name(se, m.perday.head[1]);
        chart_axis_set_num_format(c->x_axis, "m/d");
        wb_note_error(&w,
                      worksheet_insert_chart(ws, (lxw_row_t)(FIRST_ROW + m.perday.nrows + 2), 0, c),
                      name);
    }
    /* The trend of the last 12 months. */
    ws = wb_table(&w, _("Last 12 months"), _("Last 12 months"), NULL, &trend, NULL);
    if (ws) {
        const char *name = wb_sheet_name(&w);
        lxw_row_t last = (lxw_row_t)(FIRST_ROW + trend.nrows - 1);
        lxw_chart *c = workbook_add_chart(w.wb, LXW_CHART_COLUMN);
        chart_basics(c, _("Incidents per month"));
        lxw_chart_series *se = chart_add_series(c, NULL, NULL);
        chart_series_set_categories(se, name, FIRST_ROW, 0, last, 0);
        chart_series_set_values(se, name, FIRST_ROW, 1, last, 1);
        chart_series_set_name(se, trend.head[1]);
        chart_axis_set_num_format(c->x_axis, "yyyy-mm");
        wb_note_error(&w, worksheet_insert_chart(ws, last + 2, 0, c), name);
        lxw_chart *l = workbook_add_chart(w.wb, LXW_CHART_LINE);
        chart_basics(l, _("SLA achievement per month"));
        for (int k = 0; k < SLA_NSTEPS; k++) {
            se = chart_add_series(l, NULL, NULL);
            chart_series_set_categories(se, name, FIRST_ROW, 0, last, 0);
            chart_series_set_values(se, name, FIRST_ROW, (lxw_col_t)(2 + k), last,
                                    (lxw_col_t)(2 + k));
            chart_series_set_name(se, trend.head[2 + k]);
        }
        chart_axis_set_min(l->y_axis, 0);
        chart_axis_set_max(l->y_axis, 1);
        chart_axis_set_num_format(l->y_axis, "0%");
        chart_axis_set_num_format(l->x_axis, "yyyy-mm");
        wb_note_error(&w, worksheet_insert_chart(ws, last + 18, 0, l), name);
    }
    month_work_free(&m);
    tab_free(&trend);
    report_free(r);
    return wb_close(&w, path, 1, err);
}

/* ---- export: every ledger table, as stored ---- */

/* Integers that are ids or clocks (an 18-digit hlc is past what a double
 * holds exactly) go in as text. */
static int keep_as_text(const char *col, sqlite3_int64 v)
{
    size_t n = strlen(col);
    if (streq(col, "id") || (n > 3 && streq(col + n - 3, "_id")) || strstr(col, "hlc"))
        return 1;
    return v > 9007199254740992LL || v < -9007199254740992LL;
}

static int export_table(struct wb *w, struct store *st, const char *table, long long *rows,
                        char **err)
{
    char *sql = xasprintf("SELECT * FROM \"%s\" ORDER BY id", table);
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        store_fail(st, err, table);
        free(sql);
        return -1;
    }
    lxw_worksheet *ws = wb_sheet(w, table);
    const char *where = wb_sheet_name(w);
    int ncols = sqlite3_column_count(s);
    /* Widths from the names and the first rows (constant memory: written as read). */
    int *wd = xcalloc((size_t)ncols + 1, sizeof *wd);
    for (int c = 0; c < ncols; c++)
        wd[c] = text_width(sqlite3_column_name(s, c));
    int step;
    for (int j = 0; j < 200 && (step = sqlite3_step(s)) == SQLITE_ROW; j++)
        for (int c = 0; c < ncols; c++) {
            const char *v = (const char *)sqlite3_column_text(s, c);
            int x = v ? text_width(v) : 0;
            if (x > wd[c])
                wd[c] = x;
        }
    sqlite3_reset(s);
    for (int c = 0; c < ncols; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, (wd[c] > 60 ? 60 : wd[c]) + 2.5, NULL);
        wb_note_error(
            w, worksheet_write_string(ws, 0, (lxw_col_t)c, sqlite3_column_name(s, c), w->head),
            where);
    }
    free(wd);
    lxw_row_t row = 1;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (row >= LXW_ROW_MAX) {
            set_err(err, _("table %s has more rows than an Excel sheet holds"), table);
            goto out;
        }
        for (int c = 0; c < ncols; c++) {
            int type = sqlite3_column_type(s, c);
            lxw_error e = LXW_NO_ERROR;
            if (type == SQLITE_NULL)
                continue;
            if (type == SQLITE_FLOAT ||
                (type == SQLITE_INTEGER &&
                 !keep_as_text(sqlite3_column_name(s, c), sqlite3_column_int64(s, c))))
                e = worksheet_write_number(ws, row, (lxw_col_t)c, sqlite3_column_double(s, c),
                                           NULL);
            else
                e = worksheet_write_string(ws, row, (lxw_col_t)c,
                                           (const char *)sqlite3_column_text(s, c), NULL);
            if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
                set_err(err,
                        _("table %s, column %s: a value is longer than Excel allows (32767 "
                          "characters); export it with --csv"),
                        table, sqlite3_column_name(s, c));
                goto out;
            }
            wb_note_error(w, e, where);
        }
        row++;
        (*rows)++;
    }
    if (step != SQLITE_DONE) {
        store_fail(st, err, table);
        goto out;
    }
    worksheet_freeze_panes(ws, 1, 0);
    print_setup(ws, 0, 200);
    rc = 0;
out:
    sqlite3_finalize(s);
    free(sql);
    return rc;
}

int workbook_export(struct store *st, const char *path, long long *rows, char **err)
{
    long long count = 0;
    struct wb w;
    if (wb_open(&w, path, 1, err) != 0)
        return -1;
    /* One read transaction: one consistent snapshot (as the CSV export). */
    int rc = store_exec(st, "BEGIN", err);
    if (rc == 0) {
        char **tables = store_ledger_tables(st, err);
        rc = tables ? 0 : -1;
        for (char **t = tables; rc == 0 && *t; t++)
            rc = export_table(&w, st, *t, &count, err);
        store_free_names(tables);
        store_exec(st, "COMMIT", NULL);
    }
    if (rows)
        *rows = count;
    return wb_close(&w, path, rc == 0, err);
}
