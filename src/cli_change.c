/* `unyo change`: the change ledger (変更管理台帳); `unyo config`: configuration records. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "changes.h"
#include "cli_commands.h"
#include "cmdb.h"
#include "i18n.h"
#include "paths.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

struct strv {
    const char **v;
    size_t n;
};

static void strv_push(struct strv *a, const char *s)
{
    a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
    a->v[a->n++] = s;
}

static struct calendar *open_calendar(char **err)
{
    char *path = paths_find_data(NULL, "calendar.ini");
    struct calendar *cal = path ? calendar_load(path, err) : calendar_new_default();
    free(path);
    return cal;
}

/* Prints the window warning, if any, to stderr. */
static void warn_window(const char *start_iso, const char *end_iso)
{
    int64_t a, b;
    if (!start_iso || !end_iso || time_parse(start_iso, &a) != 0 || time_parse(end_iso, &b) != 0)
        return;
    char *err = NULL;
    struct calendar *cal = open_calendar(&err);
    if (!cal) {
        free(err);
        return;
    }
    char *w = change_window_warning(cal, a, b, NULL);
    if (w)
        fprintf(stderr, _("unyo: warning: %s\n"), w);
    free(w);
    calendar_free(cal);
}

static char *san(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, s ? s : "", 0);
    return sb_detach(&sb);
}

static const char *jst(const char *iso, char buf[32])
{
    int64_t ms;
    if (!iso || time_parse(iso, &ms) != 0)
        return NULL;
    time_format_jst(ms, buf, 0);
    return buf;
}

static int change_new_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"dept", required_argument, NULL, 'D'},
                                         {"title", required_argument, NULL, 't'},
                                         {"target", required_argument, NULL, 'T'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"plan", required_argument, NULL, 'p'},
                                         {"rollback", required_argument, NULL, 'b'},
                                         {"risk", required_argument, NULL, 'k'},
                                         {"window-start", required_argument, NULL, 's'},
                                         {"window-end", required_argument, NULL, 'e'},
                                         {"step", required_argument, NULL, 'S'},
                                         {"effect", required_argument, NULL, 'E'},
                                         {"host", required_argument, NULL, 'H'},
                                         {"link", required_argument, NULL, 'L'},
                                         {"template", required_argument, NULL, 'M'},
                                         {"month", required_argument, NULL, 'm'},
                                         {NULL, 0, NULL, 0}};
    struct change_new in = {0};
    struct strv steps = {0}, effects = {0}, hosts = {0}, links = {0};
    const char *ws = NULL, *we = NULL, *tpl = NULL, *month = NULL;
    int c, rc = EXIT_USAGE;
    optind = 0;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'D':
            in.dept = optarg;
            break;
        case 't':
            in.title = optarg;
            break;
        case 'T':
            in.target = optarg;
            break;
        case 'r':
            in.reason = optarg;
            break;
        case 'p':
            in.plan = optarg;
            break;
        case 'b':
            in.rollback = optarg;
            break;
        case 'k':
            in.risk = optarg;
            break;
        case 's':
            ws = optarg;
            break;
        case 'e':
            we = optarg;
            break;
        case 'S':
            strv_push(&steps, optarg);
            break;
        case 'E':
            strv_push(&effects, optarg);
            break;
        case 'H':
            strv_push(&hosts, optarg);
            break;
        case 'L':
            strv_push(&links, optarg);
            break;
        case 'M':
            tpl = optarg;
            break;
        case 'm':
            month = optarg;
            break;
        default:
            rc = cli_usage("change", _("unknown option"));
            goto out;
        }
    }
    if (optind < argc) {
        rc = cli_usage("change", _("unexpected argument %s"), argv[optind]);
        goto out;
    }
    if ((ws && time_parse(ws, &in.window_start) != 0) ||
        (we && time_parse(we, &in.window_end) != 0)) {
        rc = cli_usage("change", _("the window takes times like \"2026-11-28 22:00\" (JST)"));
        goto out;
    }
    struct change_template t = {0};
    char *err = NULL;
    if (tpl) {
        if (change_template_load(NULL, tpl, month, &t, &err) != 0) {
            rc = cli_fail(err);
            goto out;
        }
        in.template_code = t.code;
        if (!in.title)
            in.title = t.title;
        if (!in.dept)
            in.dept = t.dept;
        if (!in.target)
            in.target = t.target;
        if (!in.reason)
            in.reason = t.reason;
        if (!in.plan)
            in.plan = t.plan;
        if (!in.rollback)
            in.rollback = t.rollback;
        if (!in.risk)
            in.risk = t.risk;
        struct strv all = {0};
        for (size_t i = 0; i < t.nsteps; i++)
            strv_push(&all, t.steps[i]);
        for (size_t i = 0; i < steps.n; i++)
            strv_push(&all, steps.v[i]);
        free(steps.v);
        steps = all;
        struct strv alle = {0};
        for (size_t i = 0; i < t.neffects; i++)
            strv_push(&alle, t.effects[i]);
        for (size_t i = 0; i < effects.n; i++)
            strv_push(&alle, effects.v[i]);
        free(effects.v);
        effects = alle;
    } else if (month) {
        rc = cli_usage("change", _("--month goes with --template"));
        goto out;
    }
    if (!in.dept || !in.title) {
        change_template_free(&t);
        rc = cli_usage("change", _("--dept and --title are required (or --template)"));
        goto out;
    }
    in.steps = steps.v, in.nsteps = steps.n;
    in.effects = effects.v, in.neffects = effects.n;
    in.hosts = hosts.v, in.nhosts = hosts.n;
    in.links = links.v, in.nlinks = links.n;
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        change_template_free(&t);
        rc = EXIT_FAIL;
        goto out;
    }
    char ref[CHANGE_REF_LEN];
    if (change_create(st, &in, NULL, ref, &err) != 0) {
        rc = cli_fail(err);
    } else {
        printf(_("Filed change %s (draft).\n"), ref);
        if (in.window_start) {
            char a[TIME_ISO_LEN + 1], b[TIME_ISO_LEN + 1];
            time_format_iso(in.window_start, a);
            time_format_iso(in.window_end, b);
            warn_window(a, b);
        }
        rc = EXIT_OK;
    }
    store_close(st);
    change_template_free(&t);
out:
    free(steps.v), free(effects.v), free(hosts.v), free(links.v);
    return rc;
}

static int change_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *status = NULL;
    if (cli_option("change", argc, argv, "status", &status) != 0)
        return EXIT_USAGE;
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct change *rows;
    size_t n;
    char *err = NULL;
    if (change_list(st, status, &rows, &n, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    int machine = ctx->format != OUTPUT_TEXT;
    static const char *const keys[] = {"ref",   "status",       "risk",       "dept",
                                       "title", "window_start", "window_end", "requester"};
    const char *headings[] = {_("Ref"),   _("Status"),       _("Risk"),  _("Department"),
                              _("Title"), _("Window (JST)"), _("Until"), _("Requester")};
    struct output_table *t = output_new(8, keys, headings);
    for (size_t i = 0; i < n; i++) {
        char a[32], b[32];
        const struct change *r = &rows[i];
        const char *row[] = {r->ref,
                             machine ? r->status : change_status_name(r->status),
                             r->risk,
                             r->dept,
                             r->title,
                             machine ? r->window_start : jst(r->window_start, a),
                             machine ? r->window_end : jst(r->window_end, b),
                             r->requester};
        output_row(t, row);
    }
    if (!machine && n == 0)
        printf("%s\n", _("No changes."));
    else
        output_print(t, ctx->format, stdout);
    output_free(t);
    change_list_free(rows, n);
    store_close(st);
    return EXIT_OK;
}

static void json_kv(struct strbuf *sb, const char *k, const char *v, int comma)
{
    json_string(sb, k);
    sb_putc(sb, ':');
    if (v)
        json_string(sb, v);
    else
        sb_puts(sb, "null");
    if (comma)
        sb_putc(sb, ',');
}

static void show_json(const struct change *c, struct cmdb_effect_row *eff, size_t ne)
{
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '{');
    json_kv(&sb, "id", c->id, 1);
    json_kv(&sb, "ref", c->ref, 1);
    json_kv(&sb, "status", c->status, 1);
    json_kv(&sb, "title", c->title, 1);
    json_kv(&sb, "dept", c->dept, 1);
    json_kv(&sb, "requester", c->requester, 1);
    json_kv(&sb, "target", c->target, 1);
    json_kv(&sb, "reason", c->reason, 1);
    json_kv(&sb, "plan", c->plan, 1);
    json_kv(&sb, "rollback", c->rollback, 1);
    json_kv(&sb, "risk", c->risk, 1);
    json_kv(&sb, "window_start", c->window_start, 1);
    json_kv(&sb, "window_end", c->window_end, 1);
    json_kv(&sb, "approver", c->approver, 1);
    json_kv(&sb, "approved_at", c->approved_at, 1);
    json_kv(&sb, "template", c->template_code, 1);
    json_kv(&sb, "created_at", c->created_at, 1);
    sb_puts(&sb, "\"steps\":[");
    for (size_t i = 0; i < c->nsteps; i++) {
        const struct change_step_row *r = &c->steps[i];
        sb_printf(&sb, "%s{\"seq\":%d,", i ? "," : "", r->seq);
        json_kv(&sb, "text", r->text, 1);
        json_kv(&sb, "done_at", r->done_at, 1);
        json_kv(&sb, "done_by", r->done_by, 1);
        json_kv(&sb, "output", r->output, 1);
        json_kv(&sb, "session_id", r->session_id, 0);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"effects\":[");
    for (size_t i = 0; i < ne; i++) {
        sb_printf(&sb, "%s{\"seq\":%d,", i ? "," : "", eff[i].seq);
        json_kv(&sb, "spec", eff[i].spec, 1);
        json_kv(&sb, "op", eff[i].op, 1);
        json_kv(&sb, "applied_at", eff[i].applied_at, 0);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"links\":[");
    for (size_t i = 0; i < c->nlinks; i++) {
        sb_puts(&sb, i ? ",{" : "{");
        json_kv(&sb, "kind", c->links[i].kind, 1);
        json_kv(&sb, "id", c->links[i].id, 1);
        json_kv(&sb, "label", c->links[i].label, 0);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"events\":[");
    for (size_t i = 0; i < c->nevents; i++) {
        sb_puts(&sb, i ? ",{" : "{");
        json_kv(&sb, "kind", c->events[i].kind, 1);
        json_kv(&sb, "note", c->events[i].note, 1);
        char iso[TIME_ISO_LEN + 1];
        json_kv(&sb, "who", c->events[i].operator_login, 1);
        json_kv(&sb, "at", ledger_iso(c->events[i].at, iso), 0);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "]}\n");
    fputs(sb.buf, stdout);
    sb_free(&sb);
}

static void show_field(const char *label, const char *value)
{
    if (!value || !*value)
        return;
    struct strbuf sb = STRBUF_INIT;
    int w = text_width(label);
    sb_puts(&sb, label);
    for (; w < 14; w++)
        sb_putc(&sb, ' ');
    sb_putc(&sb, ' ');
    text_sanitize(&sb, value, 0);
    printf("%s\n", sb.buf);
    sb_free(&sb);
}

static void show_text(const struct change *c, struct cmdb_effect_row *eff, size_t ne)
{
    char a[32], b[32];
    printf("%s  %s\n", c->ref, c->title);
    show_field(_("Status:"), change_status_name(c->status));
    show_field(_("Department:"), c->dept);
    show_field(_("Requester:"), c->requester);
    show_field(_("Target:"), c->target);
    show_field(_("Reason:"), c->reason);
    show_field(_("Plan:"), c->plan);
    show_field(_("Rollback:"), c->rollback);
    show_field(_("Risk:"), c->risk);
    if (c->window_start) {
        char *w = xasprintf("%s – %s JST", jst(c->window_start, a), jst(c->window_end, b));
        show_field(_("Window:"), w);
        free(w);
    }
    if (c->approver) {
        char *w = xasprintf("%s (%s)", c->approver, jst(c->approved_at, a));
        show_field(_("Approved by:"), w);
        free(w);
    }
    show_field(_("Template:"), c->template_code);
    for (size_t i = 0; i < c->nlinks; i++) {
        char *w = xasprintf("%s %s", c->links[i].kind,
                            c->links[i].label ? c->links[i].label : c->links[i].id);
        show_field(i ? "" : _("Linked:"), w);
        free(w);
    }
    printf("\n%s\n", _("Procedure:"));
    for (size_t i = 0; i < c->nsteps; i++) {
        const struct change_step_row *r = &c->steps[i];
        char *text = san(r->text);
        printf("  [%s] %d. %s\n", r->done_at ? "x" : " ", r->seq, text);
        free(text);
        if (r->done_at)
            printf(_("         done by %s at %s JST\n"), r->done_by ? r->done_by : "?",
                   jst(r->done_at, a));
        if (r->session_id)
            printf(_("         SSH session %s\n"), r->session_id);
        if (r->output) {
            char *o = san(r->output);
            printf("         > %s\n", o);
            free(o);
        }
    }
    if (ne) {
        printf("\n%s\n", _("Config effects (applied when done):"));
        for (size_t i = 0; i < ne; i++) {
            char *spec = san(eff[i].spec);
            printf("  %s %s%s%s\n", eff[i].applied_at ? "✓" : "·", spec,
                   eff[i].applied_at ? "  " : "",
                   eff[i].applied_at ? jst(eff[i].applied_at, a) : "");
            free(spec);
        }
    }
    printf("\n%s\n", _("Timeline:"));
    for (size_t i = 0; i < c->nevents; i++) {
        const struct ledger_event *e = &c->events[i];
        char iso[TIME_ISO_LEN + 1];
        struct strbuf sb = STRBUF_INIT;
        text_fit(&sb, change_status_name(e->kind), 14);
        sb_putc(&sb, ' ');
        text_fit(&sb, e->operator_login ? e->operator_login : "", 10);
        sb_putc(&sb, ' ');
        if (e->note)
            text_sanitize(&sb, e->note, 0);
        printf("  %s  %s\n", jst(ledger_iso(e->at, iso), a), sb.buf);
        sb_free(&sb);
    }
}

static int change_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage("change", _("say which change (its ref or id)"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct change c;
    char *err = NULL;
    struct cmdb_effect_row *eff = NULL;
    size_t ne = 0;
    if (change_get(st, argv[1], 1, &c, &err) != 0 ||
        cmdb_effects_of(st, c.id, &eff, &ne, &err) != 0) {
        change_clear(&c);
        store_close(st);
        return cli_fail(err);
    }
    if (ctx->format == OUTPUT_JSON) {
        show_json(&c, eff, ne);
    } else {
        show_text(&c, eff, ne);
        if (!streq(c.status, "done") && !streq(c.status, "cancelled") &&
            !streq(c.status, "rolled_back"))
            warn_window(c.window_start, c.window_end);
    }
    cmdb_effect_rows_free(eff, ne);
    change_clear(&c);
    store_close(st);
    return EXIT_OK;
}

static int change_step_cmd(struct cli_ctx *ctx, int argc, char **argv, const char *fixed_verb)
{
    const char *note = NULL;
    if (cli_option("change", argc, argv, "note", &note) != 0)
        return EXIT_USAGE;
    int npos = argc - optind;
    if (npos != (fixed_verb ? 1 : 2))
        return cli_usage("change", _("say which change and the step (plan, submit, approve, "
                                     "return, start, done, cancel, rollback)"));
    const char *ref = argv[optind];
    const char *verb = fixed_verb ? fixed_verb : argv[optind + 1];
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = change_step(st, ref, verb, note, &err);
    if (rc != 0) {
        store_close(st);
        return cli_fail(err);
    }
    struct change ch;
    if (change_get(st, ref, 0, &ch, &err) == 0) {
        printf(_("Change %s is now %s.\n"), ch.ref, change_status_name(ch.status));
        if (streq(verb, "plan") || streq(verb, "submit") || streq(verb, "start"))
            warn_window(ch.window_start, ch.window_end);
        change_clear(&ch);
    } else {
        free(err);
    }
    store_close(st);
    return EXIT_OK;
}

static int change_do_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"session", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *output = NULL, *session = NULL;
    int c;
    optind = 0;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'o')
            output = optarg;
        else if (c == 's')
            session = optarg;
        else
            return cli_usage("change", _("unknown option"));
    }
    if (argc - optind != 2)
        return cli_usage("change", _("say which change and the step number"));
    long seq;
    if (cli_count("change", _("the step number"), argv[optind + 1], 1, 100000, &seq) != 0)
        return EXIT_USAGE;
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    if (change_do_step(st, argv[optind], (int)seq, output, session, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    printf(_("Step %ld of %s done.\n"), seq, argv[optind]);
    store_close(st);
    return EXIT_OK;
}

static int change_add_cmd(struct cli_ctx *ctx, int argc, char **argv, int effect)
{
    if (argc != 3)
        return cli_usage("change", effect ? _("say which change and the effect KIND:HOST:VALUE")
                                          : _("say which change and the step's text"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = effect ? change_add_effect(st, argv[1], argv[2], &err)
                    : change_add_step(st, argv[1], argv[2], &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(effect ? _("Config effect added to %s.\n") : _("Step added to %s.\n"), argv[1]);
    return EXIT_OK;
}

int cmd_change(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || streq(argv[1], "list"))
        return change_list_cmd(ctx, argc < 2 ? argc : argc - 1, argc < 2 ? argv : argv + 1);
    const char *verb = argv[1];
    if (streq(verb, "new"))
        return change_new_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "show"))
        return change_show_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "step"))
        return change_step_cmd(ctx, argc - 1, argv + 1, NULL);
    if (streq(verb, "approve") || streq(verb, "rollback") || streq(verb, "cancel"))
        return change_step_cmd(ctx, argc - 1, argv + 1, verb);
    if (streq(verb, "do"))
        return change_do_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "add-step"))
        return change_add_cmd(ctx, argc - 1, argv + 1, 0);
    if (streq(verb, "effect"))
        return change_add_cmd(ctx, argc - 1, argv + 1, 1);
    return cli_usage("change",
                     _("unknown verb %s: use new, list, show, step, approve, rollback, cancel, do, "
                       "add-step or effect"),
                     verb);
}

int cmd_config(struct cli_ctx *ctx, int argc, char **argv)
{
    int first = argc >= 2 && streq(argv[1], "list") ? 1 : 0;
    static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                         {"kind", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    const char *host = NULL, *kind = NULL;
    int c;
    optind = 0;
    opterr = 1;
    while ((c = getopt_long(argc - first, argv + first, "", opts, NULL)) != -1) {
        if (c == 'h')
            host = optarg;
        else if (c == 'k')
            kind = optarg;
        else
            return cli_usage("config", _("unknown option"));
    }
    if (optind < argc - first)
        return cli_usage("config", _("unknown verb %s: use list"), argv[first + optind]);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct cmdb_item_row *rows;
    size_t n;
    char *err = NULL;
    if (cmdb_list(st, host, kind, &rows, &n, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    int machine = ctx->format != OUTPUT_TEXT;
    static const char *const keys[] = {"host",     "kind",     "name",       "version",
                                       "location", "quantity", "applied_at", "change"};
    const char *headings[] = {_("Host"),     _("Kind"),     _("Name"),          _("Version"),
                              _("Location"), _("Quantity"), _("Applied (JST)"), _("Change")};
    struct output_table *t = output_new(8, keys, headings);
    for (size_t i = 0; i < n; i++) {
        char a[32], q[24];
        const struct cmdb_item_row *r = &rows[i];
        snprintf(q, sizeof q, "%lld", (long long)r->quantity);
        const char *row[] = {r->host,
                             r->kind,
                             r->name,
                             r->version,
                             r->location,
                             r->has_quantity ? q : NULL,
                             machine ? r->applied_at : jst(r->applied_at, a),
                             r->change_ref};
        output_row(t, row);
    }
    if (!machine && n == 0)
        printf("%s\n", _("No configuration records."));
    else
        output_print(t, ctx->format, stdout);
    output_free(t);
    cmdb_item_rows_free(rows, n);
    store_close(st);
    return EXIT_OK;
}
