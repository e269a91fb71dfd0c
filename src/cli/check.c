/* unyo check list | run | ack | unack | problems */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_ack.h"
#include "check_due.h"
#include "check_watch.h"
#include "calendar.h"
#include "checklist.h"
#include "checks.h"
#include "cli.h"
#include "i18n.h"
#include "labels.h"
#include "output.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* Server output and stored text reach the terminal (and cron mail) only
 * sanitised: no escape sequence from a host sets a title, the clipboard or
 * clears the screen. Malloc'd; NULL stays NULL. */
static char *clean(const char *s)
{
    if (!s)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, s, 0);
    return sb_detach(&sb);
}

static int check_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *where = cli_str(a, "checks");
    if (a->argc > 0)
        return cli_usage("check", _("unexpected argument: %s"), a->argv[0]);
    struct check_set set = {0};
    char *err = NULL;
    if (checks_load(where, &set, &err) != 0)
        return cli_fail(err);
    /* warn / crit (check_level.h) last: the columns before them keep their places. */
    static const char *const keys[] = {"id",       "item",  "severity", "name", "hosts",
                                       "interval", "hours", "command",  "warn", "crit"};
    const char *heads[] = {_("Check"), _("Item"),  _("Severity"), _("Name"),      _("Hosts"),
                           _("Every"), _("Hours"), _("Command"),  _("WARN when"), _("CRIT when")};
    struct output_table *t = output_new(10, keys, heads);
    int text = ctx->format == OUTPUT_TEXT;
    for (size_t i = 0; i < set.count; i++) {
        const struct check_def *d = &set.defs[i];
        struct strbuf sel = STRBUF_INIT;
        if (d->roles)
            sb_printf(&sel, "roles=%s ", d->roles);
        if (d->hosts)
            sb_printf(&sel, "hosts=%s ", d->hosts);
        if (d->os)
            sb_printf(&sel, "os=%s", d->os);
        char *cmd = xstrdup(d->command);
        for (char *p = cmd; *p; p++)
            if (*p == '\n')
                *p = ' ';
        /* No interval: not scheduled, run only on demand (check run, c in the console). */
        char every[32];
        check_interval_format(d->interval_s, every, sizeof every);
        const char *hours = !d->interval_s     ? NULL
                            : d->service_hours ? (text ? _("service hours") : "service")
                                               : (text ? _("always") : "always");
        char *c[6] = {clean(d->id),
                      clean(d->template_code),
                      clean(text ? label_severity(d->severity) : d->severity),
                      clean(d->name),
                      clean(sel.len ? sel.buf : "*"),
                      clean(cmd)};
        char *warn = check_conds_text(d->warns, d->n_warns);
        char *crit = check_conds_text(d->crits, d->n_crits);
        const char *v[] = {
            c[0],  c[1], c[2], c[3], c[4], d->interval_s ? every : text ? _("on demand") : NULL,
            hours, c[5], warn, crit};
        output_row(t, v);
        for (size_t k = 0; k < ARRAY_LEN(c); k++)
            free(c[k]);
        free(warn);
        free(crit);
        free(cmd);
        sb_free(&sel);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    checks_free(&set);
    return EXIT_OK;
}

/* The OK results the flapping and recovery rules touched (check_flap.h): a recovery
 * noted on an incident, a flapping that started on an OK. */
static void print_flaps(const struct check_report *rep)
{
    for (size_t i = 0; i < rep->count; i++) {
        const struct check_result *r = &rep->results[i];
        if (!r->ok)
            continue;
        char *h = clean(r->host), *c = clean(r->check_id);
        if (r->recovered_ref[0])
            printf(_("Recovered: %s %s → noted on %s\n"), h, c, r->recovered_ref);
        else if (r->flapping && r->incident_ref[0])
            printf(r->incident_created ? _("Flapping: %s %s (%.0f%%) → draft %s\n")
                                       : _("Flapping: %s %s (%.0f%%) → noted on %s\n"),
                   h, c, r->flap_pct, r->incident_ref);
        free(h);
        free(c);
    }
}

static int check_run_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    struct check_run_opts o = {0};
    o.host = cli_str(a, "host");
    o.item = cli_str(a, "item");
    o.concurrency = (int)cli_int(a, "concurrency", 0);
    o.timeout = (int)cli_int(a, "timeout", 0);
    o.accept_new = cli_has(a, "accept-new") > 0;
    o.dry_run = cli_has(a, "dry-run") > 0;
    int due = cli_has(a, "due") > 0;
    const char *where = cli_str(a, "checks");
    int quiet = cli_has(a, "quiet") > 0;
    if (a->argc > 0)
        return cli_usage("check", _("unexpected argument: %s"), a->argv[0]);
    struct check_set set = {0};
    char *err = NULL;
    if (checks_load(where, &set, &err) != 0)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, !o.dry_run) != 0) {
        checks_free(&set);
        return EXIT_FAIL;
    }
    struct check_report rep;
    struct check_due dues = {0};
    int rc;
    if (due) {
        struct calendar *cal = checklist_calendar_open(&err);
        rc = cal ? checks_run_due(st, &set, cal, &o, &rep, &dues, &err) : -1;
        if (!cal)
            memset(&rep, 0, sizeof rep);
        calendar_free(cal);
    } else {
        rc = checks_run(st, &set, &o, &rep, &err);
    }
    store_close(st);
    checks_free(&set);
    if (rc != 0) {
        check_report_free(&rep);
        check_due_free(&dues);
        return cli_fail(err);
    }
    if (due && dues.busy) {
        /* said on stderr: --csv/--json output stays a table (an empty one) */
        fprintf(stderr, "%s\n",
                _("unyo: another round of checks on this store is running (a console, "
                  "unyo-checks.timer or check watch); nothing was run"));
        check_report_free(&rep);
        check_due_free(&dues);
        return EXIT_OK;
    }
    if (due && !dues.due.count && ctx->format == OUTPUT_TEXT) {
        printf(_("Nothing is due: %zu within their interval, %zu waiting for the service hours, "
                 "%zu on demand only (no interval).\n"),
               dues.waiting, dues.out_of_hours, dues.on_demand);
        if (dues.next_ms) {
            char when[TIME_ISO_LEN + 8];
            time_format_jst(dues.next_ms, when, 0);
            printf(_("The next check is due at %s.\n"), when);
        }
        check_report_free(&rep);
        check_due_free(&dues);
        return EXIT_OK;
    }
    check_due_free(&dues);
    if (!quiet || ctx->format != OUTPUT_TEXT) {
        /* level last: the columns before it keep their places for scripts */
        static const char *const keys[] = {"host", "check",  "item",     "status",   "value",
                                           "unit", "detail", "event_id", "incident", "level"};
        const char *heads[] = {_("Host"), _("Check"),  _("Item"),  _("Status"),   _("Value"),
                               _("Unit"), _("Detail"), _("Event"), _("Incident"), _("Level")};
        struct output_table *t = output_new(10, keys, heads);
        output_numbers(t, "value");
        for (size_t i = 0; i < rep.count; i++) {
            const struct check_result *r = &rep.results[i];
            char val[64] = "";
            if (r->has_value)
                check_format_value(r->value, val, sizeof val);
            char *c[6] = {clean(r->host), clean(r->check_id), clean(r->template_code),
                          clean(r->unit), clean(r->detail),   clean(r->incident_ref)};
            const char *v[] = {c[0],
                               c[1],
                               c[2],
                               r->ok ? "OK"
                               : r->unreachable_via
                                   ? (ctx->format == OUTPUT_TEXT ? _("unreachable") : "unreachable")
                                   : "NG",
                               val[0] ? val : NULL,
                               c[3],
                               c[4],
                               r->event_id[0] ? r->event_id : NULL,
                               r->incident_ref[0] ? c[5] : NULL,
                               ctx->format == OUTPUT_TEXT ? check_level_label(r->level)
                                                          : check_level_key(r->level)};
            output_row(t, v);
            for (size_t k = 0; k < ARRAY_LEN(c); k++)
                free(c[k]);
        }
        output_print(t, ctx->format, stdout);
        output_free(t);
    }
    if (ctx->format == OUTPUT_TEXT) {
        printf(_("\n%zu results on %zu hosts in %.1f s: %zu OK, %zu NG.\n"), rep.count, rep.hosts,
               (double)rep.elapsed_ms / 1000.0, rep.count - rep.ng - rep.unreachable, rep.ng);
        if (rep.warn)
            printf(_("Of the NG, %zu WARN (no incident draft) and %zu CRIT.\n"), rep.warn,
                   rep.ng - rep.warn);
        if (rep.unreachable)
            printf(_("%zu unreachable through a down parent (no draft of their own, not counted "
                     "as NG).\n"),
                   rep.unreachable);
        if (rep.ng || rep.unreachable) {
            printf("%s\n", _("NG (each with its incident draft):"));
            for (size_t i = 0; i < rep.count; i++) {
                const struct check_result *r = &rep.results[i];
                if (r->ok)
                    continue;
                char *c[5] = {clean(label_severity(r->severity)), clean(r->template_code),
                              clean(r->host), clean(r->check_id), clean(r->detail)};
                /* A WARN says so; a CRIT reads as an NG always did. */
                printf("  [%s] %s %s %s: %s", c[0], c[1], c[2], c[3], c[4]);
                if (r->level == CHECK_LEVEL_WARN)
                    printf(" [%s]", check_level_label(r->level));
                if (r->ack_dropped)
                    printf("%s", _(" → the acknowledgement made at WARN ended: it is CRIT now"));
                if (r->flapping)
                    printf(_(" [flapping %.0f%%]"), r->flap_pct);
                if (r->unreachable_via) {
                    char *t = clean(r->unreachable_via);
                    printf(_(" → unreachable via %s: no draft"), t ? t : "");
                    free(t);
                } else if (r->downtime_id[0]) {
                    char *t = clean(r->downtime_text);
                    printf(_(" → in downtime: %s"), t ? t : "");
                    free(t);
                } else if (r->acked) {
                    char *t = clean(r->ack_text);
                    printf(_(" → acknowledged: %s"), t ? t : "");
                    free(t);
                } else if (r->incident_ref[0])
                    printf(r->incident_created ? _(" → draft %s") : _(" → added to %s"),
                           r->incident_ref);
                else if (r->flap_held)
                    printf("%s", _(" → flapping: no new draft"));
                else if (r->level == CHECK_LEVEL_WARN)
                    printf("%s", _(" → WARN: no incident draft"));
                if (r->children) {
                    char *t = clean(r->children);
                    printf(_(" (behind it: %s)"), t ? t : "");
                    free(t);
                }
                putchar('\n');
                if (r->incident_error) {
                    char *e = clean(r->incident_error);
                    fprintf(stderr, _("unyo: no incident draft for %s %s: %s\n"), c[2], c[3], e);
                    free(e);
                }
                for (size_t k = 0; k < ARRAY_LEN(c); k++)
                    free(c[k]);
            }
        }
    }
    if (ctx->format == OUTPUT_TEXT)
        print_flaps(&rep);
    /* Exit 3 only for NGs that call for action: one in a downtime or acknowledged is
     * recorded and listed, but a run with only those is not a failure. */
    size_t counted, in_downtime, acked;
    check_report_ng_split(&rep, &counted, &in_downtime, &acked);
    if (ctx->format == OUTPUT_TEXT && rep.ng && !counted)
        printf(_("Every NG is in a downtime (%zu) or acknowledged (%zu): nothing calls for "
                 "action.\n"),
               in_downtime, acked);
    int code = counted ? 3 : EXIT_OK;
    check_report_free(&rep);
    return code;
}

static int check_ack_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 2)
        return cli_usage("check",
                         a->argc < 2 ? _("missing HOST CHECK") : _("unexpected argument: %s"),
                         a->argc > 2 ? a->argv[2] : "");
    int ways = (cli_str(a, "until") != NULL) + (cli_has(a, "until-shift-end") > 0) +
               (cli_has(a, "until-worse") > 0);
    if (ways > 1)
        return cli_usage("check", "%s",
                         _("give one of --until, --until-shift-end and --until-worse"));
    struct check_ack_req r = {.host = a->argv[0], .check = a->argv[1], .note = cli_str(a, "note")};
    r.kind = CHECK_ACK_RECOVERY;
    if (cli_str(a, "until")) {
        r.kind = CHECK_ACK_TIME;
        if (time_parse(cli_str(a, "until"), &r.until_ms) != 0)
            return cli_usage("check", _("not a time: %s"), cli_str(a, "until"));
    } else if (cli_has(a, "until-shift-end")) {
        r.kind = CHECK_ACK_SHIFT;
    } else if (cli_has(a, "until-worse")) {
        r.kind = CHECK_ACK_WORSE;
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int64_t now = time_now_ms();
    if (check_ack(st, &r, now, NULL, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    struct check_ack_info info;
    char host_id[ID_LEN + 1] = "";
    struct check_problems p;
    if (check_problems_list(st, NULL, now, &p, &err) == 0) {
        for (size_t i = 0; i < p.count; i++)
            if (streq(p.items[i].host, r.host) && streq(p.items[i].check, r.check))
                memcpy(host_id, p.items[i].host_id, sizeof host_id);
        check_problems_free(&p);
    } else {
        free(err);
        err = NULL;
    }
    if (host_id[0] && check_ack_find(st, host_id, r.check, now, &info, &err) == 1) {
        char *d = check_ack_describe(&info);
        char *c[3] = {clean(r.host), clean(r.check), clean(d)};
        printf(_("Acknowledged %s %s: %s\n"), c[0], c[1], c[2]);
        for (size_t k = 0; k < ARRAY_LEN(c); k++)
            free(c[k]);
        free(d);
        check_ack_info_clear(&info);
    }
    free(err);
    store_close(st);
    return EXIT_OK;
}

static int check_unack_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 2)
        return cli_usage("check",
                         a->argc < 2 ? _("missing HOST CHECK") : _("unexpected argument: %s"),
                         a->argc > 2 ? a->argv[2] : "");
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    if (check_unack(st, a->argv[0], a->argv[1], time_now_ms(), &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    store_close(st);
    char *c[2] = {clean(a->argv[0]), clean(a->argv[1])};
    printf(_("%s %s is no longer acknowledged.\n"), c[0], c[1]);
    free(c[0]);
    free(c[1]);
    return EXIT_OK;
}

static int check_problems_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_usage("check", _("unexpected argument: %s"), a->argv[0]);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct check_problems p;
    int rc = check_problems_list(st, NULL, time_now_ms(), &p, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {
        "host",     "check",           "item",   "at",       "value",     "unit",
        "detail",   "acked",           "ack_by", "ack_note", "ack_until", "ack_expired",
        "flapping", "unreachable_via", "level",  "ack_level"};
    const char *heads[] = {_("Host"),           _("Check"),           _("Item"),
                           _("Last result"),    _("Value"),           _("Unit"),
                           _("Detail"),         _("Acknowledged"),    _("By"),
                           _("Note"),           _("Until"),           _("Expired"),
                           _("Flapping"),       _("Unreachable via"), _("Level"),
                           _("Acknowledged at")};
    struct output_table *t = output_new(16, keys, heads);
    output_numbers(t, "value");
    output_booleans(t, "acked,ack_expired,flapping");
    int text = ctx->format == OUTPUT_TEXT;
    for (size_t i = 0; i < p.count; i++) {
        const struct check_problem *x = &p.items[i];
        char val[64] = "", since[TIME_ISO_LEN + 1] = "", until[TIME_ISO_LEN + 1] = "";
        if (x->has_value)
            check_format_value(x->value, val, sizeof val);
        int64_t ms;
        if (text && time_parse(x->at, &ms) == 0)
            time_format_jst(ms, since, 0);
        if (x->acked && x->ack.until_at) {
            if (text && time_parse(x->ack.until_at, &ms) == 0)
                time_format_jst(ms, until, 0);
            else if (!text)
                snprintf(until, sizeof until, "%s", x->ack.until_at);
        }
        const char *until_v = until[0] ? until : NULL;
        if (x->acked && !x->ack.until_at)
            until_v = text ? (streq(x->ack.kind, "worse")
                                  ? (x->ack.level == CHECK_LEVEL_WARN ? _("until it is CRIT")
                                                                      : _("until it gets worse"))
                                  : _("until it recovers"))
                           : x->ack.kind;
        char *reason = x->reason ? xstrdup(x->reason) : NULL;
        for (char *q = reason; q && *q; q++)
            if (*q == '\n')
                *q = ' ';
        char *c[8] = {clean(x->host),
                      clean(x->check),
                      clean(x->code),
                      clean(x->unit),
                      clean(reason),
                      clean(x->acked ? x->ack.by_login : NULL),
                      clean(x->acked ? x->ack.note : NULL),
                      clean(x->unreachable_via)};
        const char *yes = text ? label_yes_no(1) : "true", *no = text ? label_yes_no(0) : "false";
        const char *v[] = {
            c[0],
            c[1],
            c[2],
            text ? since : x->at,
            val[0] ? val : NULL,
            c[3],
            c[4],
            x->acked ? yes : no,
            c[5],
            c[6],
            until_v,
            x->acked ? (x->ack.expired ? yes : no) : NULL,
            x->flapping ? yes : no,
            c[7],
            text ? check_level_label(x->level) : check_level_key(x->level),
            x->acked ? (text ? check_level_label(x->ack.level) : check_level_key(x->ack.level))
                     : NULL};
        output_row(t, v);
        for (size_t k = 0; k < ARRAY_LEN(c); k++)
            free(c[k]);
        free(reason);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    check_problems_free(&p);
    return EXIT_OK;
}

static const struct cli_opt check_ack_opts[] = {
    {.name = "note",
     .short_name = 'm',
     .type = CLI_STR,
     .arg = N_("TEXT"),
     .flags = CLI_REQUIRED | CLI_NOEMPTY,
     .help = N_("why it is acknowledged (required)")},
    OPT_TIME("until", 0, N_("the acknowledgement ends at this time (JST)")),
    OPT_FLAG("until-shift-end", 0, N_("the acknowledgement ends with the current shift")),
    OPT_FLAG("until-worse", 0, N_("the acknowledgement holds until the problem gets worse")),
    OPT_END};

static const struct cli_opt check_list_opts[] = {
    OPT_STR("checks", 'c', N_("DIR|FILE"), N_("the check definitions (default data/checks)")),
    OPT_END};
static const struct cli_opt check_run_opts[] = {
    OPT_STR("host", 'H', N_("GLOB"), N_("only the hosts whose name matches")),
    OPT_STR("item", 'i', N_("CHECK|CODE"), N_("only this check, or the checks of this item")),
    OPT_INT("concurrency", 'n', N_("N"), 1, 1000, N_("hosts checked at once")),
    OPT_INT("timeout", 't', N_("SECONDS"), 1, 86400, N_("seconds for each check")),
    OPT_STR("checks", 'c', N_("DIR|FILE"), N_("the check definitions (default data/checks)")),
    OPT_FLAG("accept-new", 'A', N_("trust a host key seen for the first time")),
    OPT_FLAG("dry-run", 'd', N_("show what would run, record nothing")),
    OPT_FLAG("due", 'D', N_("only the scheduled checks that are due (interval in the check file)")),
    OPT_FLAG("quiet", 'q', N_("print only the NG results")),
    OPT_END};
static const struct cli_opt check_watch_opts[] = {
    OPT_STR("every", 'e', N_("TIME"), N_("how often to look for due checks (default 30s)")),
    OPT_STR("keep", 'k', N_("TIME|off"),
            N_("how long an unused connection is kept (default [checks] keep_connections, 15m)")),
    OPT_INT("rounds", 'r', N_("N"), 1, 1000000, N_("stop after N rounds (default: until stopped)")),
    OPT_STR("host", 'H', N_("GLOB"), N_("only the hosts whose name matches")),
    OPT_STR("item", 'i', N_("CHECK|CODE"), N_("only this check, or the checks of this item")),
    OPT_INT("concurrency", 'n', N_("N"), 1, 1000, N_("hosts checked at once")),
    OPT_INT("timeout", 't', N_("SECONDS"), 1, 86400, N_("seconds for each check")),
    OPT_STR("checks", 'c', N_("DIR|FILE"), N_("the check definitions (default data/checks)")),
    OPT_END};
const struct cli_family check_family = {
    "check",
    (const struct cli_verb[]){
        {"list", NULL, check_list_opts, check_list_cmd, NULL, CLI_FORMATS},
        {"run", NULL, check_run_opts, check_run_cmd,
         N_("Runs the checks (data/checks/*.ini, or ~/.config/unyo/checks) on every host of the\n"
            "inventory in parallel, records OK/NG in the daily checklist and metrics, and\n"
            "lists the NG results. Exit status 3 when any result is NG (WARN or CRIT).\n"
            "A check with warn / crit thresholds reports WARN (no incident draft) or CRIT.\n"
            "--due runs only the host x check pairs whose latest result is older than the\n"
            "check's interval (or that never ran), in the service hours for hours = service;\n"
            "a check with no interval runs only without --due. For unyo-checks.timer or cron."),
         0},
        {"watch", NULL, check_watch_opts, check_watch_cmd,
         N_("Runs the due checks (as check run --due) every --every, until stopped (Ctrl-C,\n"
            "SIGTERM) or for --rounds N, keeping each host's connection open between rounds\n"
            "and closing it after --keep unused, as OpenSSH's ControlPersist does. A kept\n"
            "connection that died is replaced at once; it never makes a result NG. One line\n"
            "per round; a stop during a round records nothing of that round."),
         0},
        {"ack", N_("HOST CHECK"), check_ack_opts, check_ack_cmd,
         N_("Acknowledges a problem (the check's latest result on the host is NG): its NG\n"
            "results open no incident draft while the acknowledgement holds. Without --until,\n"
            "--until-shift-end or --until-worse it holds until the check is OK again.\n"
            "--until-worse made while the problem is WARN ends when the check is CRIT (a\n"
            "draft opens then); made at CRIT it holds until the check recovers."),
         0},
        {"unack", N_("HOST CHECK"), NULL, check_unack_cmd,
         N_("Takes back the acknowledgement of a problem."), 0},
        {"problems", NULL, NULL, check_problems_cmd,
         N_("Lists the current problems (latest result NG) with their level (WARN or\n"
            "CRIT) and their acknowledgement."),
         CLI_FORMATS},
        {0}},
    NULL};
