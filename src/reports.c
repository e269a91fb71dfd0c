#include "reports.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "i18n.h"
#include "incidents.h"
#include "inquiries.h"
#include "json.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* ---- the document model: titled tables ---- */
struct section {
    char *key, *title;
    int ncols;
    char **headings;
    char ***rows;
    int nrows;
    char *note; /* shown under the table */
};

struct report {
    char *title;
    struct section *s;
    int n;
};

static struct report *report_new(const char *title)
{
    struct report *r = xcalloc(1, sizeof *r);
    r->title = xstrdup(title ? title : "");
    return r;
}

struct report *report_empty(const char *title)
{
    return report_new(title);
}

void report_set_title(struct report *r, const char *title)
{
    free(r->title);
    r->title = xstrdup(title ? title : "");
}

int report_add_section(struct report *r, const char *key, const char *title, int ncols,
                       const char *const *headings)
{
    r->s = xrealloc(r->s, (size_t)(r->n + 1) * sizeof *r->s);
    struct section *s = &r->s[r->n];
    memset(s, 0, sizeof *s);
    s->key = xstrdup(key);
    s->title = xstrdup(title);
    s->ncols = ncols;
    s->headings = xcalloc((size_t)ncols, sizeof(char *));
    for (int i = 0; i < ncols; i++)
        s->headings[i] = xstrdup(headings[i]);
    return r->n++;
}

static void add_row(struct section *s, const char *const *cells)
{
    s->rows = xrealloc(s->rows, (size_t)(s->nrows + 1) * sizeof *s->rows);
    char **row = xcalloc((size_t)s->ncols, sizeof(char *));
    for (int i = 0; i < s->ncols; i++)
        row[i] = xstrdup(cells[i] ? cells[i] : "");
    s->rows[s->nrows++] = row;
}

void report_add_row(struct report *r, int section, const char *const *cells)
{
    if (section < 0 || section >= r->n)
        abort();
    add_row(&r->s[section], cells);
}

/* The new section, for filling it here: valid until the next section is added. */
static struct section *add_section(struct report *r, const char *key, const char *title, int ncols,
                                   const char *const *headings)
{
    int i = report_add_section(r, key, title, ncols, headings);
    return &r->s[i];
}

void report_free(struct report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++) {
        struct section *s = &r->s[i];
        for (int j = 0; j < s->nrows; j++) {
            for (int k = 0; k < s->ncols; k++)
                free(s->rows[j][k]);
            free(s->rows[j]);
        }
        for (int k = 0; k < s->ncols; k++)
            free(s->headings[k]);
        free(s->rows);
        free(s->headings);
        free(s->key);
        free(s->title);
        free(s->note);
    }
    free(r->s);
    free(r->title);
    free(r);
}

int report_sections(const struct report *r)
{
    return r->n;
}
const char *report_section_key(const struct report *r, int i)
{
    return i >= 0 && i < r->n ? r->s[i].key : NULL;
}
int report_rows(const struct report *r, int i)
{
    return i >= 0 && i < r->n ? r->s[i].nrows : 0;
}
const char *report_cell(const struct report *r, int i, int row, int col)
{
    if (i < 0 || i >= r->n || row < 0 || row >= r->s[i].nrows || col < 0 || col >= r->s[i].ncols)
        return NULL;
    return r->s[i].rows[row][col];
}

const char *report_title(const struct report *r)
{
    return r->title;
}
const char *report_section_title(const struct report *r, int i)
{
    return i >= 0 && i < r->n ? r->s[i].title : NULL;
}
int report_section_cols(const struct report *r, int i)
{
    return i >= 0 && i < r->n ? r->s[i].ncols : 0;
}
const char *report_section_heading(const struct report *r, int i, int col)
{
    return i >= 0 && i < r->n && col >= 0 && col < r->s[i].ncols ? r->s[i].headings[col] : NULL;
}
const char *report_section_note(const struct report *r, int i)
{
    return i >= 0 && i < r->n ? r->s[i].note : NULL;
}

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

/* One GitHub-flavoured Markdown table cell. The table splitter takes every
 * "|" not written as "\|" for a column break, and inline parsing then turns
 * "\\" into one backslash: so a backslash is doubled (text "a\|b" becomes
 * "a\\\|b", shown as typed), a pipe is escaped, and a line break, which
 * would end the row, becomes <br>. */
static void md_cell(struct strbuf *sb, const char *v)
{
    struct strbuf t = STRBUF_INIT;
    text_sanitize(&t, v, 1);
    for (size_t i = 0; i < t.len; i++) {
        char c = t.buf[i];
        if (c == '\\')
            sb_puts(sb, "\\\\");
        else if (c == '|')
            sb_puts(sb, "\\|");
        else if (c == '\n')
            sb_puts(sb, "<br>");
        else if (c == '\t')
            sb_putc(sb, ' ');
        else
            sb_putc(sb, c);
    }
    sb_free(&t);
}

/* A cell that is a whole number as JSON writes one (no leading zero, at most 15
 * digits, as the workbook's cells): a count, minutes, a target. Anything else,
 * "33.3%", a reference, "007", stays a string. */
static int json_int_cell(const char *v)
{
    const char *d = v[0] == '-' ? v + 1 : v;
    size_t n = strlen(d);
    if (n == 0 || n > 15 || (n > 1 && d[0] == '0'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] < '0' || d[i] > '9')
            return 0;
    return !(v[0] == '-' && streq(d, "0"));
}

char *report_render(const struct report *r, enum report_format fmt)
{
    struct strbuf sb = STRBUF_INIT;
    if (fmt == REPORT_JSON) {
        sb_puts(&sb, "{\"title\":");
        json_string(&sb, r->title);
        sb_puts(&sb, ",\"sections\":[");
        for (int i = 0; i < r->n; i++) {
            const struct section *s = &r->s[i];
            sb_puts(&sb, i ? ",{\"key\":" : "{\"key\":");
            json_string(&sb, s->key);
            sb_puts(&sb, ",\"title\":");
            json_string(&sb, s->title);
            sb_puts(&sb, ",\"columns\":[");
            for (int k = 0; k < s->ncols; k++) {
                if (k)
                    sb_putc(&sb, ',');
                json_string(&sb, s->headings[k]);
            }
            sb_puts(&sb, "],\"rows\":[");
            /* A column is numbers when every cell is a whole number or empty ("" or
             * "-", written null): one type per column, as a reader expects. */
            char *numeric = xcalloc((size_t)s->ncols + 1, 1);
            for (int k = 0; k < s->ncols; k++) {
                int ints = 0, other = 0;
                for (int j = 0; j < s->nrows; j++) {
                    const char *v = s->rows[j][k];
                    if (json_int_cell(v))
                        ints++;
                    else if (*v && !streq(v, "-"))
                        other++;
                }
                numeric[k] = ints > 0 && other == 0;
            }
            for (int j = 0; j < s->nrows; j++) {
                sb_puts(&sb, j ? ",[" : "[");
                for (int k = 0; k < s->ncols; k++) {
                    if (k)
                        sb_putc(&sb, ',');
                    const char *v = s->rows[j][k];
                    if (numeric[k])
                        sb_puts(&sb, json_int_cell(v) ? v : "null");
                    else
                        json_string(&sb, v);
                }
                sb_putc(&sb, ']');
            }
            free(numeric);
            sb_puts(&sb, "]}");
        }
        sb_puts(&sb, "]}\n");
        return sb_detach(&sb);
    }
    if (fmt == REPORT_CSV && r->n == 1) { /* one table: its headings, its rows */
        const struct section *s = &r->s[0];
        for (int k = 0; k < s->ncols; k++) {
            if (k)
                sb_putc(&sb, ',');
            csv_field(&sb, s->headings[k]);
        }
        sb_puts(&sb, "\r\n");
        for (int j = 0; j < s->nrows; j++) {
            for (int k = 0; k < s->ncols; k++) {
                if (k)
                    sb_putc(&sb, ',');
                csv_field(&sb, s->rows[j][k]);
            }
            sb_puts(&sb, "\r\n");
        }
        return sb_detach(&sb);
    }
    if (fmt == REPORT_CSV) {
        for (int i = 0; i < r->n; i++) {
            const struct section *s = &r->s[i];
            sb_puts(&sb, "section");
            for (int k = 0; k < s->ncols; k++) {
                sb_putc(&sb, ',');
                csv_field(&sb, s->headings[k]);
            }
            sb_puts(&sb, "\r\n");
            for (int j = 0; j < s->nrows; j++) {
                csv_field(&sb, s->key);
                for (int k = 0; k < s->ncols; k++) {
                    sb_putc(&sb, ',');
                    csv_field(&sb, s->rows[j][k]);
                }
                sb_puts(&sb, "\r\n");
            }
        }
        return sb_detach(&sb);
    }
    if (fmt == REPORT_MARKDOWN) {
        sb_printf(&sb, "# %s\n", r->title);
        for (int i = 0; i < r->n; i++) {
            const struct section *s = &r->s[i];
            sb_printf(&sb, "\n## %s\n\n", s->title);
            if (s->nrows == 0) {
                sb_printf(&sb, "%s\n", _("(none)"));
            } else {
                sb_puts(&sb, "|");
                for (int k = 0; k < s->ncols; k++) {
                    sb_putc(&sb, ' ');
                    md_cell(&sb, s->headings[k]);
                    sb_puts(&sb, " |");
                }
                sb_puts(&sb, "\n|");
                for (int k = 0; k < s->ncols; k++)
                    sb_puts(&sb, "---|");
                sb_putc(&sb, '\n');
                for (int j = 0; j < s->nrows; j++) {
                    sb_puts(&sb, "|");
                    for (int k = 0; k < s->ncols; k++) {
                        sb_putc(&sb, ' ');
                        md_cell(&sb, s->rows[j][k]);
                        sb_puts(&sb, " |");
                    }
                    sb_putc(&sb, '\n');
                }
            }
            if (s->note)
                sb_printf(&sb, "\n%s\n", s->note);
        }
        return sb_detach(&sb);
    }
    /* Text: aligned columns, widths by display cells, long cells cut. */
    sb_printf(&sb, "%s\n", r->title);
    for (int i = 0; i < r->n; i++) {
        const struct section *s = &r->s[i];
        sb_printf(&sb, "\n■ %s\n", s->title);
        if (s->nrows == 0) {
            sb_printf(&sb, "  %s\n", _("(none)"));
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
                sb_puts(&sb, " ");
                for (int k = 0; k < s->ncols; k++) {
                    sb_putc(&sb, ' ');
                    const char *v = j < 0 ? s->headings[k] : s->rows[j][k];
                    if (k == s->ncols - 1) {
                        struct strbuf t = STRBUF_INIT;
                        text_fit(&t, v, text_width(v) < w[k] ? text_width(v) : w[k]);
                        sb_puts(&sb, t.buf ? t.buf : "");
                        sb_free(&t);
                    } else {
                        text_fit(&sb, v, w[k]);
                    }
                }
                sb_putc(&sb, '\n');
            }
            free(w);
        }
        if (s->note)
            sb_printf(&sb, "  %s\n", s->note);
    }
    return sb_detach(&sb);
}

int report_print(const struct report *r, enum report_format fmt, FILE *out)
{
    char *s = report_render(r, fmt);
    int rc = fputs(s, out) < 0 ? -1 : 0;
    free(s);
    return rc;
}

int report_section_index(const struct report *r, const char *key)
{
    for (int i = 0; key && i < r->n; i++)
        if (streq(r->s[i].key, key))
            return i;
    return -1;
}

char *report_render_section(const struct report *r, int section, enum report_format fmt)
{
    if (section < 0 || section >= r->n)
        abort();
    struct report one = {.title = r->title, .s = &r->s[section], .n = 1};
    return report_render(&one, fmt);
}

int report_write_csv_dir(const struct report *r, const char *dir, int only, char **err)
{
    if (mkdir_p(dir, err) != 0)
        return -1;
    for (int i = 0; i < r->n; i++) {
        if (only >= 0 && i != only)
            continue;
        char *path = xasprintf("%s/%s.csv", dir, r->s[i].key);
        char *csv = report_render_section(r, i, REPORT_CSV);
        FILE *f = fopen(path, "wb");
        int ok = f && fputs(csv, f) >= 0;
        if (f && fclose(f) != 0)
            ok = 0;
        if (!ok)
            set_err(err, _("cannot write %s: %s"), path, strerror(errno));
        free(csv);
        free(path);
        if (!ok)
            return -1;
    }
    return 0;
}

/* ---- gathering ---- */
static int64_t day_start_ms(struct civil_date d)
{
    return jst_to_utc(d.y, d.m, d.d, 0) * 1000;
}

int report_sla_tally(struct store *st, const struct sla *sla, int64_t from, int64_t to, int64_t now,
                     struct sla_tally tally[SLA_NPRIO][SLA_NSTEPS], char **err)
{
    memset(tally, 0, sizeof(struct sla_tally) * SLA_NPRIO * SLA_NSTEPS);
    char a[TIME_ISO_LEN + 1], b[TIME_ISO_LEN + 1];
    time_format_iso(from, a);
    time_format_iso(to, b);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT id, status, priority, received_at, acknowledged_at, first_response_at, "
            "recovered_at, sla_paused_seconds, sla_paused_since FROM incidents WHERE deleted = 0 "
            "AND received_at >= ?1 AND received_at < ?2 AND status <> 'draft'");
    bind_text(s, 1, a);
    bind_text(s, 2, b);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct incident inc;
        memset(&inc, 0, sizeof inc);
        snprintf(inc.id, sizeof inc.id, "%s", col_text(s, 0));
        inc.status = (char *)col_text(s, 1);
        snprintf(inc.priority, sizeof inc.priority, "%s", col_text(s, 2));
        inc.received = ledger_ms(col_text(s, 3));
        inc.acknowledged = ledger_ms(col_text(s, 4));
        inc.first_response = ledger_ms(col_text(s, 5));
        inc.recovered = ledger_ms(col_text(s, 6));
        inc.paused_seconds = sqlite3_column_int64(s, 7);
        inc.paused_since = ledger_ms(col_text(s, 8));
        int p = sla_priority_num(inc.priority);
        if (!p)
            continue;
        /* incident_sla reads pauses through other cached statements only. */
        if (incident_sla(st, sla, &inc, now, err) != 0) {
            sqlite3_reset(s);
            return -1;
        }
        for (int k = 0; k < SLA_NSTEPS; k++) {
            struct sla_tally *t = &tally[p - 1][k];
            switch (inc.sla.step[k].state) {
            case SLA_MET:
                t->met++;
                break;
            case SLA_MISSED:
            case SLA_BREACHED:
                t->missed++;
                break;
            default:
                t->pending++;
                break;
            }
            t->count++;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading incidents"));
    return 0;
}

static void rate_text(const struct sla_tally *t, char *out, size_t n)
{
    if (t->met + t->missed == 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.1f%%", 100.0 * t->met / (t->met + t->missed));
}

static void add_sla_section(struct report *r, struct sla_tally tally[SLA_NPRIO][SLA_NSTEPS],
                            const struct sla *sla)
{
    const char *h[] = {_("Priority"), _("Step"),   _("Target (min)"), _("Count"),
                       _("Met"),      _("Missed"), _("Pending"),      _("Rate")};
    struct section *s = add_section(r, "sla", _("SLA achievement"), 8, h);
    for (int p = 0; p < SLA_NPRIO; p++)
        for (int k = 0; k < SLA_NSTEPS; k++) {
            const struct sla_tally *t = &tally[p][k];
            char pr[4], tg[16], c[16], m[16], x[16], pe[16], rt[16];
            snprintf(pr, sizeof pr, "P%d", p + 1);
            snprintf(tg, sizeof tg, "%d", sla->cfg.target_min[p][k]);
            snprintf(c, sizeof c, "%d", t->count);
            snprintf(m, sizeof m, "%d", t->met);
            snprintf(x, sizeof x, "%d", t->missed);
            snprintf(pe, sizeof pe, "%d", t->pending);
            rate_text(t, rt, sizeof rt);
            const char *row[] = {pr, sla_step_name((enum sla_step)k), tg, c, m, x, pe, rt};
            add_row(s, row);
        }
    s->note = xstrdup(_("Rate = met / (met + missed); pending clocks still run. Times count "
                        "service hours only, without paused time."));
}

static int count_section(struct store *st, struct report *r, const char *key, const char *title,
                         const char *heading, const char *sql, const char *a, const char *b,
                         const char *(*name)(const char *), char **err)
{
    const char *h[] = {heading, _("Count")};
    struct section *s = add_section(r, key, title, 2, h);
    sqlite3_stmt *q = store_stmt(st, sql);
    bind_text(q, 1, a);
    bind_text(q, 2, b);
    bind_text(q, 3, i18n_lang());
    int step;
    while ((step = store_next_row(q, err)) == 1) {
        char n[16];
        snprintf(n, sizeof n, "%d", sqlite3_column_int(q, 1));
        const char *v = col_text(q, 0) ? col_text(q, 0) : "-";
        const char *row[] = {name ? name(v) : v, n};
        add_row(s, row);
    }
    sqlite3_reset(q);
    return step < 0 ? -1 : 0;
}

static int scalar(struct store *st, const char *sql, const char *a, const char *b, int *v,
                  char **err)
{
    sqlite3_stmt *q = store_stmt(st, sql);
    bind_text(q, 1, a);
    bind_text(q, 2, b);
    int got = store_one_row(q, err);
    *v = got == 1 ? sqlite3_column_int(q, 0) : 0;
    sqlite3_reset(q);
    return got < 0 ? -1 : 0;
}

static const char sql_received[] =
    "SELECT count(*) FROM incidents WHERE deleted = 0 AND status <> 'draft' AND "
    "received_at >= ?1 AND received_at < ?2";
static const char sql_recovered[] = "SELECT count(*) FROM incidents WHERE deleted = 0 AND "
                                    "recovered_at >= ?1 AND recovered_at < ?2";

int report_period_counts(struct store *st, int64_t from, int64_t to, int *received, int *recovered,
                         char **err)
{
    char a[TIME_ISO_LEN + 1], b[TIME_ISO_LEN + 1];
    time_format_iso(from, a);
    time_format_iso(to, b);
    if (scalar(st, sql_received, a, b, received, err) != 0 ||
        scalar(st, sql_recovered, a, b, recovered, err) != 0)
        return -1;
    return 0;
}

static void jst(int64_t ms, char *out)
{
    if (ms > 0)
        time_format_jst(ms, out, 0);
    else
        snprintf(out, 20, "-");
}

static struct report *build(struct store *st, const struct sla *sla, const char *title,
                            int64_t from, int64_t to, int64_t now, int list_limit, char **err)
{
    struct report *r = report_new(title);
    char a[TIME_ISO_LEN + 1], b[TIME_ISO_LEN + 1];
    time_format_iso(from, a);
    time_format_iso(to, b);

    /* Summary. */
    {
        const char *h[] = {_("Item"), _("Value")};
        struct section *s = add_section(r, "summary", _("Summary"), 2, h);
        struct {
            const char *label;
            const char *sql;
        } items[] = {
            {_("Incidents received"), sql_received},
            {_("Incidents recovered"), sql_recovered},
            {_("Incidents closed"), "SELECT count(*) FROM incidents WHERE deleted = 0 AND "
                                    "closed_at >= ?1 AND closed_at < ?2"},
            {_("SLA breaches recorded"),
             "SELECT count(*) FROM incident_events WHERE kind = 'sla_breached' AND at >= ?1 AND "
             "at < ?2"},
            {_("Incidents open now"),
             "SELECT count(*) FROM incidents WHERE deleted = 0 AND status IN ('received', "
             "'isolated', 'escalated', 'first_response', 'second_response', 'reopened') AND "
             "?1 IS NOT NULL AND ?2 IS NOT NULL"},
            {_("Inquiries received"), "SELECT count(*) FROM inquiries WHERE deleted = 0 AND "
                                      "received_at >= ?1 AND received_at < ?2"},
            {_("Inquiries answered"), "SELECT count(*) FROM inquiries WHERE deleted = 0 AND "
                                      "answered_at >= ?1 AND answered_at < ?2"},
            {_("Inquiries open now"),
             "SELECT count(*) FROM inquiries WHERE deleted = 0 AND status NOT IN ('closed', "
             "'converted') AND ?1 IS NOT NULL AND ?2 IS NOT NULL"},
        };
        for (size_t i = 0; i < ARRAY_LEN(items); i++) {
            char v[16];
            int count;
            if (scalar(st, items[i].sql, a, b, &count, err) != 0) {
                report_free(r);
                return NULL;
            }
            snprintf(v, sizeof v, "%d", count);
            const char *row[] = {items[i].label, v};
            add_row(s, row);
        }
    }
    if (count_section(st, r, "incidents_by_category", _("Incidents by category"), _("Category"),
                      "SELECT category, count(*) FROM incidents WHERE deleted = 0 AND status <> "
                      "'draft' AND received_at >= ?1 AND received_at < ?2 AND ?3 IS NOT NULL "
                      "GROUP BY category ORDER BY count(*) DESC, category",
                      a, b, incident_category_name, err) != 0 ||
        count_section(st, r, "incidents_by_library", _("Incidents by library"), _("Library"),
                      "SELECT CASE WHEN ?3 = 'ja' THEN l.name_ja ELSE l.name_en END, count(*) "
                      "FROM incidents i LEFT JOIN libraries l ON l.id = i.library_id WHERE "
                      "i.deleted = 0 AND i.status <> 'draft' AND i.received_at >= ?1 AND "
                      "i.received_at < ?2 GROUP BY i.library_id ORDER BY count(*) DESC, l.code",
                      a, b, NULL, err) != 0) {
        report_free(r);
        return NULL;
    }

    struct sla_tally tally[SLA_NPRIO][SLA_NSTEPS];
    if (report_sla_tally(st, sla, from, to, now, tally, err) != 0) {
        report_free(r);
        return NULL;
    }
    add_sla_section(r, tally, sla);

    /* The period's incidents. */
    {
        const char *h[] = {_("Ref"),    _("Received"), _("Priority"), _("Library"),
                           _("Status"), _("SLA"),      _("Title")};
        struct section *s = add_section(r, "incidents", _("Incidents received"), 7, h);
        sqlite3_stmt *q = store_stmt(st, "SELECT id FROM incidents WHERE deleted = 0 AND status "
                                         "<> 'draft' AND received_at >= ?1 AND received_at < ?2 "
                                         "ORDER BY received_at LIMIT ?3");
        bind_text(q, 1, a);
        bind_text(q, 2, b);
        bind_int(q, 3, list_limit);
        char **ids = NULL;
        size_t nid = 0;
        int step;
        while ((step = store_next_row(q, err)) == 1) {
            ids = xrealloc(ids, (nid + 1) * sizeof *ids);
            ids[nid++] = xstrdup(col_text(q, 0));
        }
        sqlite3_reset(q);
        for (size_t i = 0; i < nid; i++) {
            struct incident inc;
            if (step < 0 || incident_get(st, sla, ids[i], now, &inc, err) != 0)
                step = -1;
            else {
                char when[20];
                jst(inc.received, when);
                const char *row[] = {inc.ref,
                                     when,
                                     inc.priority,
                                     inc.library_name,
                                     incident_status_name(inc.status),
                                     sla_state_name(inc.sla.overall),
                                     inc.title};
                add_row(s, row);
                incident_clear(&inc);
            }
            free(ids[i]);
        }
        free(ids);
        if (step < 0) {
            report_free(r);
            return NULL;
        }
    }
    /* Breaches recorded in the period. */
    {
        const char *h[] = {_("When"), _("Ref"), _("Step"), _("Title")};
        struct section *s = add_section(r, "breaches", _("SLA breaches"), 4, h);
        sqlite3_stmt *q =
            store_stmt(st, "SELECT e.at, i.ref, json_extract(e.data, '$.step'), i.title FROM "
                           "incident_events e JOIN incidents i ON i.id = e.incident_id WHERE "
                           "e.kind = 'sla_breached' AND e.at >= ?1 AND e.at < ?2 ORDER BY e.at "
                           "LIMIT ?3");
        bind_text(q, 1, a);
        bind_text(q, 2, b);
        bind_int(q, 3, list_limit);
        int step;
        while ((step = store_next_row(q, err)) == 1) {
            char when[20];
            jst(ledger_ms(col_text(q, 0)), when);
            int k = sla_step_from_key(col_text(q, 2) ? col_text(q, 2) : "");
            const char *row[] = {when, col_text(q, 1),
                                 k >= 0 ? sla_step_name((enum sla_step)k) : "-", col_text(q, 3)};
            add_row(s, row);
        }
        sqlite3_reset(q);
        if (step < 0) {
            report_free(r);
            return NULL;
        }
    }
    /* Open items (as of now). */
    {
        const char *h[] = {_("Ref"),      _("Received"), _("Priority"), _("Status"),
                           _("Assignee"), _("SLA"),      _("Title")};
        struct section *s = add_section(r, "open_incidents", _("Open incidents"), 7, h);
        s->note = xstrdup(_("Open items as of the time the report was made."));
        struct incident_filter f = {.limit = list_limit};
        struct incident *rows;
        size_t n;
        static const char *const open[] = {"received",       "isolated",        "escalated",
                                           "first_response", "second_response", "reopened"};
        for (size_t k = 0; k < ARRAY_LEN(open); k++) {
            f.status = open[k];
            if (incident_list(st, sla, &f, now, &rows, &n, NULL, err) != 0) {
                report_free(r);
                return NULL;
            }
            for (size_t i = 0; i < n; i++) {
                char when[20];
                jst(rows[i].received, when);
                const char *row[] = {rows[i].ref,
                                     when,
                                     rows[i].priority,
                                     incident_status_name(rows[i].status),
                                     rows[i].assignee_login ? rows[i].assignee_login : "-",
                                     sla_state_name(rows[i].sla.overall),
                                     rows[i].title};
                add_row(s, row);
            }
            incident_list_free(rows, n);
        }
    }
    /* Inquiries of the period and those still open. */
    {
        const char *h[] = {_("Ref"), _("Received"), _("Library"), _("Status"), _("Title")};
        /* add_section may move the array: take both pointers after adding both. */
        add_section(r, "inquiries", _("Inquiries received"), 5, h);
        add_section(r, "open_inquiries", _("Open inquiries"), 5, h);
        struct section *s = &r->s[r->n - 2], *o = &r->s[r->n - 1];
        sqlite3_stmt *q = store_stmt(
            st, "SELECT q.ref, q.received_at, CASE WHEN ?4 = 'ja' THEN l.name_ja ELSE l.name_en "
                "END, q.status, q.title, (q.received_at >= ?1 AND q.received_at < ?2), "
                "q.status NOT IN ('closed', 'converted') FROM inquiries q LEFT JOIN libraries l "
                "ON l.id = q.library_id WHERE q.deleted = 0 AND ((q.received_at >= ?1 AND "
                "q.received_at < ?2) OR q.status NOT IN ('closed', 'converted')) ORDER BY "
                "q.received_at LIMIT ?3");
        bind_text(q, 1, a);
        bind_text(q, 2, b);
        bind_int(q, 3, list_limit * 2);
        bind_text(q, 4, i18n_lang());
        int step;
        while ((step = store_next_row(q, err)) == 1) {
            char when[20];
            jst(ledger_ms(col_text(q, 1)), when);
            const char *row[] = {col_text(q, 0), when, col_text(q, 2),
                                 inquiry_status_name(col_text(q, 3)), col_text(q, 4)};
            if (sqlite3_column_int(q, 5))
                add_row(s, row);
            if (sqlite3_column_int(q, 6))
                add_row(o, row);
        }
        sqlite3_reset(q);
        if (step < 0) {
            report_free(r);
            return NULL;
        }
    }
    return r;
}

struct report *report_daily(struct store *st, const struct sla *sla, const char *day, int64_t now,
                            char **err)
{
    struct civil_date d;
    if (!day || civil_parse(day, &d) != 0) {
        set_err(err, _("the date must be YYYY-MM-DD, not %s"), day ? day : "");
        return NULL;
    }
    char *title =
        xasprintf(_("Daily report %04d-%02d-%02d (incidents and inquiries)"), d.y, d.m, d.d);
    struct report *r =
        build(st, sla, title, day_start_ms(d), day_start_ms(civil_add_days(d, 1)), now, 200, err);
    free(title);
    return r;
}

struct report *report_monthly(struct store *st, const struct sla *sla, const char *month,
                              int64_t now, char **err)
{
    return report_monthly_limit(st, sla, month, now, 500, err);
}

struct report *report_monthly_limit(struct store *st, const struct sla *sla, const char *month,
                                    int64_t now, int list_limit, char **err)
{
    int y, m;
    char extra;
    if (!month || sscanf(month, "%4d-%2d%c", &y, &m, &extra) != 2 || m < 1 || m > 12 ||
        strlen(month) != 7) {
        set_err(err, _("the month must be YYYY-MM, not %s"), month ? month : "");
        return NULL;
    }
    struct civil_date a = {y, m, 1};
    struct civil_date b =
        m == 12 ? (struct civil_date){y + 1, 1, 1} : (struct civil_date){y, m + 1, 1};
    char *title = xasprintf(_("Monthly report %04d-%02d (incidents and inquiries)"), y, m);
    struct report *r =
        build(st, sla, title, day_start_ms(a), day_start_ms(b), now, list_limit, err);
    free(title);
    return r;
}

struct report *report_sla(struct store *st, const struct sla *sla, const char *from, const char *to,
                          int64_t now, char **err)
{
    struct civil_date a, b;
    if (!from || civil_parse(from, &a) != 0 || !to || civil_parse(to, &b) != 0) {
        set_err(err, _("--from and --to take dates YYYY-MM-DD"));
        return NULL;
    }
    if (civil_to_days(b) < civil_to_days(a)) {
        set_err(err, _("--to is before --from"));
        return NULL;
    }
    struct sla_tally tally[SLA_NPRIO][SLA_NSTEPS];
    if (report_sla_tally(st, sla, day_start_ms(a), day_start_ms(civil_add_days(b, 1)), now, tally,
                         err) != 0)
        return NULL;
    char *title = xasprintf(_("SLA achievement %s .. %s (incidents received)"), from, to);
    struct report *r = report_new(title);
    free(title);
    add_sla_section(r, tally, sla);
    /* Totals per step over all priorities. */
    const char *h[] = {_("Step"), _("Count"), _("Met"), _("Missed"), _("Pending"), _("Rate")};
    struct section *s = add_section(r, "sla_total", _("All priorities"), 6, h);
    for (int k = 0; k < SLA_NSTEPS; k++) {
        struct sla_tally t = {0};
        for (int p = 0; p < SLA_NPRIO; p++) {
            t.count += tally[p][k].count;
            t.met += tally[p][k].met;
            t.missed += tally[p][k].missed;
            t.pending += tally[p][k].pending;
        }
        char c[16], m[16], x[16], pe[16], rt[16];
        snprintf(c, sizeof c, "%d", t.count);
        snprintf(m, sizeof m, "%d", t.met);
        snprintf(x, sizeof x, "%d", t.missed);
        snprintf(pe, sizeof pe, "%d", t.pending);
        rate_text(&t, rt, sizeof rt);
        const char *row[] = {sla_step_name((enum sla_step)k), c, m, x, pe, rt};
        add_row(s, row);
    }
    return r;
}
