/* `unyo checklist`: the day's due checks, marking them, adding as-needed ones. */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "check_level.h"
#include "checklist.h"
#include "cli.h"
#include "i18n.h"
#include "incidents.h"
#include "sla.h"
#include "store.h"
#include "templates.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* Stored text (a check's reason quotes server output) reaches the terminal
 * sanitised. Malloc'd; NULL stays NULL. */
static char *clean(const char *s)
{
    if (!s)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, s, 0);
    return sb_detach(&sb);
}

static void today_jst(char out[11])
{
    time_format_jst_date(time_now_ms(), out);
}

/* "日次" for Japanese, "daily / as needed" for English. */
static char *period_label(const struct checklist_item *it, int ja)
{
    if (ja || !it->periods)
        return xstrdup(it->period_text);
    struct strbuf sb = STRBUF_INIT;
    for (unsigned bit = 1; bit <= PERIOD_STOCKTAKING; bit <<= 1) {
        if (!(it->periods & bit))
            continue;
        const char *name = templates_period_name_en(bit);
        if (name)
            sb_printf(&sb, "%s%s", sb.len ? " / " : "", _(name));
    }
    return sb_detach(&sb);
}

static const char *status_label(enum checklist_status s)
{
    switch (s) {
    case CHECK_OK:
        return _("OK");
    case CHECK_NG:
        return _("NG");
    case CHECK_SKIP:
        return _("skipped");
    case CHECK_TODO:
        break;
    }
    return _("to do");
}

static char *value_label(const struct checklist_item *it)
{
    if (!it->has_value)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "%.10g", it->value);
    if (it->unit)
        sb_printf(&sb, " %s", it->unit);
    if (it->out_of_range)
        sb_printf(&sb, _(" (out of range %.10g-%.10g)"), it->value_min, it->value_max);
    return sb_detach(&sb);
}

static int parse_date_opt(const char *cmd, const char *date, char out[11])
{
    struct civil_date d;
    if (!date) {
        today_jst(out);
        return 0;
    }
    if (strlen(date) != 10 || civil_parse(date, &d) != 0)
        return cli_usage(cmd, _("--date takes YYYY-MM-DD, not %s"), date);
    snprintf(out, 11, "%s", date);
    return 0;
}

static int open_all(struct cli_ctx *ctx, struct store **st, struct calendar **cal,
                    int need_operator)
{
    char *err = NULL;
    *cal = checklist_calendar_open(&err);
    if (!*cal)
        return cli_fail(err);
    if (cli_open_store(ctx, st, need_operator) != 0) {
        calendar_free(*cal);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int checklist_list(struct cli_ctx *ctx, const char *day)
{
    struct store *st;
    struct calendar *cal;
    if (open_all(ctx, &st, &cal, 0) != EXIT_OK)
        return EXIT_FAIL;
    struct checklist_day d;
    char *err = NULL;
    int rc = checklist_load(st, cal, day, &d, &err);
    calendar_free(cal);
    if (rc != 0) {
        store_close(st);
        return cli_fail(err);
    }
    int ja = streq(i18n_lang(), "ja");
    /* CSV and JSON are for programs: status keys, not translated words. */
    int machine = ctx->format != OUTPUT_TEXT;
    static const char *const keys[] = {"code",    "name",          "host", "period", "status",
                                       "value",   "note",          "who",  "when",   "due_day",
                                       "overdue", "failed_checks", "warn"};
    const char *headings[] = {_("Item"),       _("Name"),  _("Host"),    _("Period"),
                              _("Status"),     _("Value"), _("Note"),    _("Who"),
                              _("When (JST)"), _("Due"),   _("Overdue"), _("Failed checks"),
                              _("WARN")};
    /* The note of an NG row already starts with its failing checks; programs get
     * them in a column of their own. */
    /* warn (programs only): an NG of WARN results only (check_level.h), which the text
     * shows in the status column. */
    struct output_table *t = output_new(machine ? 13 : 11, keys, headings);
    output_booleans(t, "overdue,warn");
    for (size_t i = 0; i < d.count; i++) {
        const struct checklist_item *it = &d.items[i];
        char *period = period_label(it, ja);
        char *value = value_label(it);
        char when[32] = "";
        int64_t ms;
        if (it->at && time_parse(it->at, &ms) == 0)
            time_format_jst(ms, when, 0);
        char *note = clean(checklist_item_note(it));
        char *who = clean(it->who_name ? it->who_name : it->who_login);
        char *host = clean(it->host_name);
        const char *row[] = {it->code,
                             ja ? it->name_ja : it->name_en,
                             host,
                             period,
                             machine    ? checklist_status_name(it->status)
                             : it->warn ? check_level_label(CHECK_LEVEL_WARN)
                                        : status_label(it->status),
                             value,
                             note,
                             who,
                             when[0] ? when : NULL,
                             it->due_day,
                             machine       ? (it->overdue ? "true" : "false")
                             : it->overdue ? _("overdue")
                                           : NULL,
                             it->failed,
                             it->warn ? "true" : "false"};
        output_row(t, row);
        free(period);
        free(value);
        free(note);
        free(who);
        free(host);
    }
    if (ctx->format == OUTPUT_TEXT && d.count == 0)
        printf(_("Nothing is due on %s.\n"), day);
    else
        output_print(t, ctx->format, stdout);
    output_free(t);
    checklist_day_free(&d);
    store_close(st);
    return EXIT_OK;
}

static int checklist_mark_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *value = cli_str(a, "value"), *note = cli_str(a, "note");
    const char *reason = cli_str(a, "reason"), *host = cli_str(a, "host");
    const char *date = cli_str(a, "date");
    int npos = a->argc;
    if (npos < 1 || npos > 2)
        return cli_usage("checklist", _("say which item and ok, ng, skip or note"));
    const char *code = a->argv[0];
    const char *status = npos == 2 ? a->argv[1] : NULL;
    char day[11];
    int rc = parse_date_opt("checklist", date, day);
    if (rc != 0)
        return rc;
    struct store *st;
    struct calendar *cal;
    if (open_all(ctx, &st, &cal, 1) != EXIT_OK)
        return EXIT_FAIL;
    struct checklist_mark m = {status, value, note, reason, host};
    char id[ID_LEN + 1];
    char *err = NULL;
    rc = checklist_mark(st, cal, day, code, &m, id, &err);
    calendar_free(cal);
    if (rc != 0) {
        store_close(st);
        return cli_fail(err);
    }
    char stored[8], stored_day[11];
    rc = checklist_event_status(st, id, stored, stored_day, &err);
    store_close(st);
    if (rc < 0)
        return cli_fail(err);
    if (rc == 1) {
        if (status && streq(status, "ok") && streq(stored, "ng"))
            fprintf(stderr, _("unyo: the value is out of range: recorded as NG\n"));
        printf(_("%s%s%s: recorded %s for %s (event %s)\n"), code, host ? " " : "",
               host ? host : "", stored, stored_day, id);
    }
    return EXIT_OK;
}

static int checklist_add_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *host = cli_str(a, "host"), *date = cli_str(a, "date");
    if (a->argc != 1)
        return cli_usage("checklist", _("say which item to add"));
    const char *code = a->argv[0];
    char day[11];
    int rc = parse_date_opt("checklist", date, day);
    if (rc != 0)
        return rc;
    struct store *st;
    struct calendar *cal;
    if (open_all(ctx, &st, &cal, 1) != EXIT_OK)
        return EXIT_FAIL;
    char *err = NULL;
    rc = checklist_add(st, cal, day, code, host, &err);
    calendar_free(cal);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Added %s%s%s to the checklist of %s.\n"), code, host ? " " : "", host ? host : "",
           day);
    return EXIT_OK;
}

/* unyo checklist incident ITEM [--host H] [--date D]: every NG result of the item
 * opens its incident draft, or adds to the open one of the same problem. */
static int checklist_incident_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *host = cli_str(a, "host"), *date = cli_str(a, "date");
    if (a->argc != 1)
        return cli_usage("checklist", _("say which item (and --host) to raise an incident for"));
    const char *code = a->argv[0];
    char day[11];
    int rc = parse_date_opt("checklist", date, day);
    if (rc != 0)
        return rc;
    struct store *st;
    struct calendar *cal;
    if (open_all(ctx, &st, &cal, 1) != EXIT_OK)
        return EXIT_FAIL;
    char *err = NULL;
    struct checklist_day d = {0};
    struct sla *sla = NULL;
    rc = checklist_load(st, cal, day, &d, &err);
    calendar_free(cal);
    const struct checklist_item *it = rc == 0 ? checklist_find(&d, code, host) : NULL;
    if (rc == 0 && !it) {
        set_err(&err, _("%s%s%s is not on the checklist of %s"), code, host ? " " : "",
                host ? host : "", day);
        rc = -1;
    }
    if (rc == 0 && it->status != CHECK_NG) {
        set_err(&err, _("%s%s%s is not NG on %s (it is %s)"), code, host ? " " : "",
                host ? host : "", day, status_label(it->status));
        rc = -1;
    }
    if (rc == 0 && !(sla = sla_load(NULL, NULL, &err)))
        rc = -1;
    for (size_t i = 0; rc == 0 && i < it->n_results; i++) {
        const struct checklist_result *r = &it->results[i];
        if (r->status != CHECK_NG)
            continue;
        struct checklist_incident ci;
        rc = checklist_ng_incident(st, sla, r->event_id, &ci, &err);
        if (rc != 0)
            break;
        char *what = clean(r->check ? r->check : _("mark by hand"));
        printf(ci.created ? _("%s %s (%s): incident draft %s\n")
                          : _("%s %s (%s): added to incident %s\n"),
               it->code, it->host_name ? it->host_name : "-", what, ci.ref);
        free(what);
    }
    sla_free(sla);
    checklist_day_free(&d);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    return EXIT_OK;
}

static int checklist_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_unknown_verb(&checklist_family, a->argv[0]);
    char day[11];
    int rc = parse_date_opt("checklist", cli_str(a, "date"), day);
    if (rc != 0)
        return rc;
    return checklist_list(ctx, day);
}

static const struct cli_opt checklist_list_opts[] = {
    OPT_DATE("date", 'd', N_("the day (default: today, JST)")), OPT_END};
static const struct cli_opt checklist_mark_opts[] = {
    OPT_NUM("value", 'v', N_("VALUE"), N_("the value read (its range decides OK or NG)")),
    OPT_STR("note", 'n', N_("TEXT"), N_("a note kept with the mark")),
    OPT_STR("reason", 'r', N_("TEXT"), N_("why the item is skipped (skip needs it)")),
    OPT_STR("host", 'h', N_("HOST"), N_("the host of a per-host item")),
    OPT_DATE("date", 'd', N_("the day (default: today, JST)")),
    OPT_END};
static const struct cli_opt checklist_host_opts[] = {
    OPT_STR("host", 'h', N_("HOST"), N_("the host of a per-host item")),
    OPT_DATE("date", 'd', N_("the day (default: today, JST)")), OPT_END};
const struct cli_family checklist_family = {
    "checklist",
    (const struct cli_verb[]){
        {"list", NULL, checklist_list_opts, checklist_list_cmd,
         N_("One row per due item and host, overdue ones (rolled over, still undone) first."),
         CLI_DEFAULT | CLI_FORMATS},
        {"mark", N_("ITEM ok|ng|skip|note"), checklist_mark_opts, checklist_mark_cmd,
         N_("ITEM is the template code (L025). skip needs --reason; a value outside the\n"
            "item's range is recorded as NG; with --value alone the range decides."),
         0},
        {"add", N_("ITEM"), checklist_host_opts, checklist_add_cmd,
         N_("Puts an as-needed item on the day's checklist."), 0},
        {"incident", N_("ITEM"), checklist_host_opts, checklist_incident_cmd,
         N_("Each NG result of the item opens an incident draft (one per host and check),\n"
            "or is added to the open one of the same problem."),
         0},
        {0}},
    NULL};
