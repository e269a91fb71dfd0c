/* unyo check list | run */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks.h"
#include "cli.h"
#include "i18n.h"
#include "labels.h"
#include "output.h"
#include "store.h"
#include "textwidth.h"
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

static int load(const char *where, struct check_set *set, char **err)
{
    struct stat sb;
    if (where && stat(where, &sb) == 0 && S_ISREG(sb.st_mode))
        return checks_load_file(where, set, err);
    return checks_load_dir(where, set, err);
}

static int check_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *where = cli_str(a, "checks");
    if (a->argc > 0)
        return cli_usage("check", _("unexpected argument: %s"), a->argv[0]);
    struct check_set set = {0};
    char *err = NULL;
    if (load(where, &set, &err) != 0)
        return cli_fail(err);
    static const char *const keys[] = {"id", "item", "severity", "name", "hosts", "command"};
    const char *heads[] = {_("Check"), _("Item"),  _("Severity"),
                           _("Name"),  _("Hosts"), _("Command")};
    struct output_table *t = output_new(6, keys, heads);
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
        char *c[6] = {clean(d->id),
                      clean(d->template_code),
                      clean(ctx->format == OUTPUT_TEXT ? label_severity(d->severity) : d->severity),
                      clean(d->name),
                      clean(sel.len ? sel.buf : "*"),
                      clean(cmd)};
        const char *v[] = {c[0], c[1], c[2], c[3], c[4], c[5]};
        output_row(t, v);
        for (size_t k = 0; k < ARRAY_LEN(c); k++)
            free(c[k]);
        free(cmd);
        sb_free(&sel);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    checks_free(&set);
    return EXIT_OK;
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
    const char *where = cli_str(a, "checks");
    int quiet = cli_has(a, "quiet") > 0;
    if (a->argc > 0)
        return cli_usage("check", _("unexpected argument: %s"), a->argv[0]);
    struct check_set set = {0};
    char *err = NULL;
    if (load(where, &set, &err) != 0)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, !o.dry_run) != 0) {
        checks_free(&set);
        return EXIT_FAIL;
    }
    struct check_report rep;
    int rc = checks_run(st, &set, &o, &rep, &err);
    store_close(st);
    checks_free(&set);
    if (rc != 0) {
        check_report_free(&rep);
        return cli_fail(err);
    }
    if (!quiet || ctx->format != OUTPUT_TEXT) {
        static const char *const keys[] = {"host", "check",  "item",     "status",  "value",
                                           "unit", "detail", "event_id", "incident"};
        const char *heads[] = {_("Host"), _("Check"),  _("Item"),  _("Status"),  _("Value"),
                               _("Unit"), _("Detail"), _("Event"), _("Incident")};
        struct output_table *t = output_new(9, keys, heads);
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
                               r->ok ? "OK" : "NG",
                               val[0] ? val : NULL,
                               c[3],
                               c[4],
                               r->event_id[0] ? r->event_id : NULL,
                               r->incident_ref[0] ? c[5] : NULL};
            output_row(t, v);
            for (size_t k = 0; k < ARRAY_LEN(c); k++)
                free(c[k]);
        }
        output_print(t, ctx->format, stdout);
        output_free(t);
    }
    if (ctx->format == OUTPUT_TEXT) {
        printf(_("\n%zu results on %zu hosts in %.1f s: %zu OK, %zu NG.\n"), rep.count, rep.hosts,
               (double)rep.elapsed_ms / 1000.0, rep.count - rep.ng, rep.ng);
        if (rep.ng) {
            printf("%s\n", _("NG (each with its incident draft):"));
            for (size_t i = 0; i < rep.count; i++) {
                const struct check_result *r = &rep.results[i];
                if (r->ok)
                    continue;
                char *c[5] = {clean(label_severity(r->severity)), clean(r->template_code),
                              clean(r->host), clean(r->check_id), clean(r->detail)};
                printf("  [%s] %s %s %s: %s", c[0], c[1], c[2], c[3], c[4]);
                if (r->incident_ref[0])
                    printf(r->incident_created ? _(" → draft %s") : _(" → added to %s"),
                           r->incident_ref);
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
    int code = rep.ng ? 3 : EXIT_OK;
    check_report_free(&rep);
    return code;
}

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
    OPT_FLAG("quiet", 'q', N_("print only the NG results")),
    OPT_END};
const struct cli_family check_family = {
    "check",
    (const struct cli_verb[]){
        {"list", NULL, check_list_opts, check_list_cmd, NULL, CLI_FORMATS},
        {"run", NULL, check_run_opts, check_run_cmd,
         N_("Runs the checks (data/checks/*.ini, or ~/.config/unyo/checks) on every host of the\n"
            "inventory in parallel, records OK/NG in the daily checklist and metrics, and\n"
            "lists the NG results. Exit status 3 when any result is NG."),
         0},
        {0}},
    NULL};
