/* `unyo downtime add|list|end`: planned maintenance of hosts (src/downtime.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "downtime.h"
#include "i18n.h"
#include "sign.h"
#include "store.h"
#include "labels.h"
#include "timefmt.h"
#include "util.h"

static int downtime_add_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("downtime", a->argc < 1 ? _("missing HOST") : _("unexpected argument: %s"),
                         a->argc > 1 ? a->argv[1] : "");
    if (!cli_str(a, "from") || !cli_str(a, "to") || !cli_str(a, "reason"))
        return cli_usage("downtime", "%s", _("add needs --from, --to and --reason"));
    int64_t from, to;
    if (time_parse(cli_str(a, "from"), &from) != 0)
        return cli_usage("downtime", _("not a time: %s"), cli_str(a, "from"));
    if (time_parse(cli_str(a, "to"), &to) != 0)
        return cli_usage("downtime", _("not a time: %s"), cli_str(a, "to"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    char id[ID_LEN + 1];
    if (downtime_add(st, a->argv[0], from, to, cli_str(a, "reason"), time_now_ms(), id, &err) !=
        0) {
        store_close(st);
        return cli_fail(err);
    }
    store_close(st);
    char f[24], t[24];
    time_format_jst(from, f, 0);
    time_format_jst(to, t, 0);
    /* The CLI's stdout is sanitised (src/cli/cli.c). */
    printf(_("%s is in downtime from %s to %s JST (downtime %s).\n"), a->argv[0], f, t, id);
    return EXIT_OK;
}

static int downtime_end_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("downtime",
                         a->argc < 1 ? _("missing ID or HOST") : _("unexpected argument: %s"),
                         a->argc > 1 ? a->argv[1] : "");
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    if (store_refuse_write(st, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    if (!cli_has(a, "yes")) {
        char *q = xasprintf(_("End the downtime of %s now? Its checks count again. (yes/no) "),
                            a->argv[0]);
        int yes = cli_confirm(q);
        free(q);
        if (yes <= 0) {
            store_close(st);
            return cli_fail(yes < 0 ? xstrdup(_("there is no terminal to ask; to end it "
                                                "without asking, add --yes"))
                                    : xstrdup(_("nothing was changed")));
        }
    }
    size_t n = 0;
    int rc = downtime_end(st, a->argv[0], time_now_ms(), &n, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    if (n == 1)
        printf(_("Ended the downtime of %s.\n"), a->argv[0]);
    else
        printf(_("Ended %zu downtimes of %s.\n"), n, a->argv[0]);
    return EXIT_OK;
}

static int downtime_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_usage("downtime", _("unexpected argument: %s"), a->argv[0]);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct downtimes v;
    int64_t now = time_now_ms();
    int rc = downtime_list(st, NULL, cli_has(a, "all") > 0, now, &v, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {"id",     "host",   "from", "to",    "source",
                                       "change", "reason", "by",   "ended", "now"};
    /* "From"/"To" read as a handover's in Japanese: the downtime's own words. */
    const char *heads[] = {_("ID"),          _("Host"),   _("Start"),  _("End"),
                           _("Set by"),      _("Change"), _("Reason"), _("Added or approved by"),
                           _("Ended early"), _("Now")};
    struct output_table *t = output_new(10, keys, heads);
    output_booleans(t, "ended,now");
    int text = ctx->format == OUTPUT_TEXT;
    const char *yes = text ? label_yes_no(1) : "true", *no = text ? label_yes_no(0) : "false";
    for (size_t i = 0; i < v.count; i++) {
        const struct downtime *d = &v.items[i];
        char from[TIME_ISO_LEN + 1], to[TIME_ISO_LEN + 1];
        if (text) {
            time_format_jst(d->starts_ms, from, 0);
            time_format_jst(d->ends_ms, to, 0);
        } else {
            time_format_iso(d->starts_ms, from);
            time_format_iso(d->ends_ms, to);
        }
        int on = d->starts_ms <= now && now < d->ends_ms;
        const char *v_[] = {d->id,
                            d->host,
                            from,
                            to,
                            d->from_change ? (text ? _("change") : "change")
                                           : (text ? _("manual") : "manual"),
                            d->change_ref,
                            d->reason,
                            d->by_login,
                            d->ended ? yes : no,
                            on ? yes : no};
        output_row(t, v_);
    }
    downtimes_free(&v);
    rc = output_print(t, ctx->format, stdout);
    output_free(t);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

static const struct cli_opt downtime_add_opts[] = {
    {.name = "from",
     .type = CLI_TIME,
     .arg = "\"YYYY-MM-DD HH:MM\"",
     .flags = CLI_REQUIRED,
     .help = N_("the downtime starts at this time (JST)")},
    {.name = "to",
     .type = CLI_TIME,
     .arg = "\"YYYY-MM-DD HH:MM\"",
     .flags = CLI_REQUIRED,
     .help = N_("the downtime ends at this time (JST)")},
    {.name = "reason",
     .short_name = 'm',
     .type = CLI_STR,
     .arg = N_("TEXT"),
     .flags = CLI_REQUIRED | CLI_NOEMPTY,
     .help = N_("why the host is down (required)")},
    OPT_END};
static const struct cli_opt downtime_list_opts[] = {
    OPT_FLAG("all", 'a', N_("past and ended downtimes too")), OPT_END};
static const struct cli_opt downtime_end_opts[] = {
    OPT_FLAG("yes", 'y', N_("end it without asking")), OPT_END};

const struct cli_family downtime_family = {
    "downtime",
    (const struct cli_verb[]){
        {"add", N_("HOST"), downtime_add_opts, downtime_add_cmd,
         N_("Puts a host in downtime (planned maintenance) from --from to --to for a reason:\n"
            "an NG check result on it in that time is recorded as in downtime, opens no\n"
            "incident draft and is not counted as NG. An approved change with a window\n"
            "puts its target hosts in downtime for the window without this."),
         0},
        {"list", NULL, downtime_list_opts, downtime_list_cmd,
         N_("Lists the downtimes on now or to come, manual and from approved changes."),
         CLI_FORMATS},
        {"end", N_("ID|HOST"), downtime_end_opts, downtime_end_cmd,
         N_("Ends a manual downtime now (by its id, or every one of a host); asks first\n"
            "unless --yes."),
         0},
        {0}},
    NULL};
