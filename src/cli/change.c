/* `unyo change`: the change ledger (変更管理台帳); `unyo config`: configuration records. */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "changes.h"
#include "cli.h"
#include "sign.h"
#include "cmdb.h"
#include "i18n.h"
#include "labels.h"
#include "paths.h"
#include "session_text.h"
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

static int change_new_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    struct change_new in = {0};
    struct strv steps = {0}, effects = {0}, hosts = {0}, links = {0};
    in.dept = cli_str(a, "dept");
    in.title = cli_str(a, "title");
    in.target = cli_str(a, "target");
    in.reason = cli_str(a, "reason");
    in.plan = cli_str(a, "plan");
    in.rollback = cli_str(a, "rollback");
    in.risk = cli_str(a, "risk");
    const char *ws = cli_str(a, "window-start"), *we = cli_str(a, "window-end");
    const char *tpl = cli_str(a, "template"), *month = cli_str(a, "month");
    static const char *const lists[] = {"step", "effect", "host", "link"};
    struct strv *into[] = {&steps, &effects, &hosts, &links};
    for (size_t k = 0; k < 4; k++)
        for (const char **v = cli_all(a, lists[k], NULL); *v; v++)
            strv_push(into[k], *v);
    int rc = EXIT_USAGE;
    if (a->argc > 0) {
        rc = cli_usage("change", _("unexpected argument %s"), a->argv[0]);
        goto out;
    }
    /* validated by the parser */
    if (ws)
        time_parse(ws, &in.window_start);
    if (we)
        time_parse(we, &in.window_end);
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

static int change_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *status = cli_str(a, "status");
    if (a->argc > 0)
        return cli_usage("change", _("unexpected argument %s"), a->argv[0]);
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
                             machine ? r->risk : label_risk(r->risk),
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

static void show_json(const struct change *c, struct cmdb_effect_row *eff, size_t ne)
{
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '{');
    json_member(&sb, "id", c->id);
    json_member(&sb, "ref", c->ref);
    json_member(&sb, "status", c->status);
    json_member(&sb, "title", c->title);
    json_member(&sb, "dept", c->dept);
    json_member(&sb, "requester", c->requester);
    json_member(&sb, "target", c->target);
    json_member(&sb, "reason", c->reason);
    json_member(&sb, "plan", c->plan);
    json_member(&sb, "rollback", c->rollback);
    json_member(&sb, "risk", c->risk);
    json_member(&sb, "window_start", c->window_start);
    json_member(&sb, "window_end", c->window_end);
    json_member(&sb, "approver", c->approver);
    json_member(&sb, "approved_at", c->approved_at);
    json_member(&sb, "template", c->template_code);
    json_member(&sb, "created_at", c->created_at);
    sb_puts(&sb, ",\"steps\":[");
    for (size_t i = 0; i < c->nsteps; i++) {
        const struct change_step_row *r = &c->steps[i];
        sb_printf(&sb, "%s{\"seq\":%d", i ? "," : "", r->seq);
        json_member(&sb, "text", r->text);
        json_member(&sb, "done_at", r->done_at);
        json_member(&sb, "done_by", r->done_by);
        json_member(&sb, "output", r->output);
        json_member(&sb, "session_id", r->session_id);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"effects\":[");
    for (size_t i = 0; i < ne; i++) {
        sb_printf(&sb, "%s{\"seq\":%d", i ? "," : "", eff[i].seq);
        json_member(&sb, "spec", eff[i].spec);
        json_member(&sb, "op", eff[i].op);
        json_member(&sb, "applied_at", eff[i].applied_at);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"links\":[");
    for (size_t i = 0; i < c->nlinks; i++) {
        sb_puts(&sb, i ? ",{" : "{");
        json_member(&sb, "kind", c->links[i].kind);
        json_member(&sb, "id", c->links[i].id);
        json_member(&sb, "label", c->links[i].label);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"events\":[");
    for (size_t i = 0; i < c->nevents; i++) {
        sb_puts(&sb, i ? ",{" : "{");
        json_member(&sb, "kind", c->events[i].kind);
        json_member(&sb, "note", c->events[i].note);
        char iso[TIME_ISO_LEN + 1];
        json_member(&sb, "who", c->events[i].operator_login);
        json_member(&sb, "at", ledger_iso(c->events[i].at, iso));
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "]}\n");
    fputs(sb.buf, stdout);
    sb_free(&sb);
}

static void show_text(const struct change *c, struct cmdb_effect_row *eff, size_t ne)
{
    char a[32], b[32];
    printf("%s  %s\n", c->ref, c->title);
    cli_show_field(14, _("Status:"), change_status_name(c->status));
    cli_show_field(14, _("Department:"), c->dept);
    cli_show_field(14, _("Requester:"), c->requester);
    cli_show_field(14, _("Target:"), c->target);
    cli_show_field(14, _("Reason:"), c->reason);
    cli_show_field(14, _("Plan:"), c->plan);
    cli_show_field(14, _("Rollback:"), c->rollback);
    cli_show_field(14, _("Risk:"), c->risk ? label_risk(c->risk) : NULL);
    if (c->window_start) {
        char *w = xasprintf("%s – %s JST", jst(c->window_start, a), jst(c->window_end, b));
        cli_show_field(14, _("Window:"), w);
        free(w);
    }
    if (c->approver) {
        char *w = xasprintf("%s (%s)", c->approver, jst(c->approved_at, a));
        cli_show_field(14, _("Approved by:"), w);
        free(w);
    }
    cli_show_field(14, _("Template:"), c->template_code);
    struct strbuf hosts = STRBUF_INIT;
    for (size_t i = 0; i < c->nlinks; i++)
        if (streq(c->links[i].kind, "host"))
            sb_printf(&hosts, "%s%s", hosts.len ? ", " : "",
                      c->links[i].label ? c->links[i].label : c->links[i].id);
    cli_show_field(14, _("Target hosts:"), hosts.buf);
    sb_free(&hosts);
    int nlinked = 0;
    for (size_t i = 0; i < c->nlinks; i++) {
        if (streq(c->links[i].kind, "host"))
            continue;
        char *w = xasprintf("%s %s", label_link_kind(c->links[i].kind),
                            c->links[i].label ? c->links[i].label : c->links[i].id);
        cli_show_field(14, nlinked++ ? "" : _("Linked:"), w);
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
            printf(_("         SSH session %s\n"),
                   r->session_label ? r->session_label : r->session_id);
        if (r->output) {
            char *o = san(r->output);
            printf("         > %s\n", o);
            free(o);
        }
    }
    if (ne) {
        printf("\n%s\n", _("Config effects (applied when done):"));
        for (size_t i = 0; i < ne; i++) {
            /* KIND:HOST:VALUE: the kind and the op as words, the value as written */
            const char *v = eff[i].spec ? strchr(eff[i].spec, ':') : NULL;
            v = v ? strchr(v + 1, ':') : NULL;
            char *val = san(v ? v + 1 : eff[i].spec);
            char *host = san(eff[i].host);
            printf("  %s %d. %s  %s  %s (%s)%s%s\n", eff[i].applied_at ? "✓" : "·", eff[i].seq,
                   label_config_kind(eff[i].kind), host, val, label_config_op(eff[i].op),
                   eff[i].applied_at ? "  " : "",
                   eff[i].applied_at ? jst(eff[i].applied_at, a) : "");
            free(val);
            free(host);
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

static int change_show_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("change", _("say which change (its ref or id)"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct change c;
    char *err = NULL;
    struct cmdb_effect_row *eff = NULL;
    size_t ne = 0;
    if (change_get(st, a->argv[0], 1, &c, &err) != 0 ||
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

static int change_step_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *note = cli_str(a, "note");
    const char *fixed_verb = streq(a->verb, "step") ? NULL : a->verb;
    int npos = a->argc;
    if (npos != (fixed_verb ? 1 : 2))
        return cli_usage("change", _("say which change and the step (plan, submit, approve, "
                                     "return, start, done, cancel, rollback)"));
    const char *ref = a->argv[0];
    const char *verb = fixed_verb ? fixed_verb : a->argv[1];
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    /* Approving is signed: the approver's passphrase (src/cli/sign.h). */
    if (streq(verb, "approve") && cli_sign(st) != 0) {
        store_close(st);
        return EXIT_FAIL;
    }
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

static int change_do_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *output = cli_str(a, "output"), *session = cli_str(a, "session");
    const char *evidence = cli_str(a, "evidence-session"), *range = cli_str(a, "lines");
    if (a->argc != 2)
        return cli_usage("change", _("say which change and the step number"));
    long seq;
    if (cli_count("change", _("the step number"), a->argv[1], 1, 100000, &seq) != 0)
        return EXIT_USAGE;
    if (evidence && (output || session))
        return cli_usage("change", _("--evidence-session takes the output and the session from "
                                     "the recording: not with --output or --session"));
    if (range && !evidence)
        return cli_usage("change", _("--lines goes with --evidence-session"));
    int from = 0, to = 0;
    if (range && !session_parse_range(range, &from, &to))
        return cli_usage("change", _("--lines takes A-B, A or A- (line numbers from 1), not %s"),
                         range);
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = evidence ? change_do_step_evidence(st, a->argv[0], (int)seq, evidence, from, to, &err)
                      : change_do_step(st, a->argv[0], (int)seq, output, session, &err);
    if (rc != 0) {
        store_close(st);
        return cli_fail(err);
    }
    printf(_("Step %ld of %s done.\n"), seq, a->argv[0]);
    store_close(st);
    return EXIT_OK;
}

static int change_target_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int link = streq(a->verb, "add-link") || streq(a->verb, "remove-link");
    int add = !streq(a->verb, "remove-host") && !streq(a->verb, "remove-link");
    if (a->argc != 2)
        return cli_usage("change", link ? _("say which change and what it is linked to "
                                            "(incident:REF, problem:REF or change:REF)")
                                        : _("say which change and the host"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = link ? (add ? change_add_link(st, a->argv[0], a->argv[1], &err)
                         : change_remove_link(st, a->argv[0], a->argv[1], &err))
                  : change_set_host(st, a->argv[0], a->argv[1], add, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    if (link)
        printf(add ? _("%s linked to %s.\n") : _("%s is no longer linked to %s.\n"), a->argv[1],
               a->argv[0]);
    else
        printf(add ? _("%s is now a target host of %s.\n")
                   : _("%s is no longer a target host of %s.\n"),
               a->argv[1], a->argv[0]);
    return EXIT_OK;
}

static int change_remove_effect_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 2)
        return cli_usage("change",
                         _("say which change and the effect's number (unyo change show)"));
    long seq;
    if (cli_count("change", _("the effect's number"), a->argv[1], 1, 100000, &seq) != 0)
        return EXIT_USAGE;
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = change_remove_effect(st, a->argv[0], (int)seq, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Config effect %ld removed from %s.\n"), seq, a->argv[0]);
    return EXIT_OK;
}

static int change_add_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int effect = streq(a->verb, "effect");
    if (a->argc != 2)
        return cli_usage("change", effect ? _("say which change and the effect KIND:HOST:VALUE")
                                          : _("say which change and the step's text"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = effect ? change_add_effect(st, a->argv[0], a->argv[1], &err)
                    : change_add_step(st, a->argv[0], a->argv[1], &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(effect ? _("Config effect added to %s.\n") : _("Step added to %s.\n"), a->argv[0]);
    return EXIT_OK;
}

static int change_link_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *session = cli_str(a, "session");
    if (a->argc != 1)
        return cli_usage("change", _("say which change"));
    if (!session)
        return cli_usage("change", _("--session is required"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = change_link_session(st, a->argv[0], session, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Session %s linked to %s.\n"), session, a->argv[0]);
    return EXIT_OK;
}

static int config_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *host = cli_str(a, "host"), *kind = cli_str(a, "kind");
    if (a->argc > 0)
        return cli_unknown_verb(&config_family, a->argv[0]);
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
    output_numbers(t, "quantity");
    for (size_t i = 0; i < n; i++) {
        char a[32], q[24];
        const struct cmdb_item_row *r = &rows[i];
        snprintf(q, sizeof q, "%lld", (long long)r->quantity);
        const char *row[] = {r->host,
                             machine ? r->kind : label_config_kind(r->kind),
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

static const struct cli_opt change_new_opts[] = {
    OPT_REQ("dept", 0, N_("DEPT"), N_("the requesting department")),
    OPT_REQ("title", 0, N_("TITLE"), N_("what changes, in a few words")),
    OPT_STR("target", 0, N_("TARGET"), N_("the systems or services changed")),
    OPT_STR("reason", 0, N_("REASON"), N_("why")),
    OPT_STR("plan", 0, N_("PLAN"), N_("how")),
    OPT_STR("rollback", 0, N_("ROLLBACK"), N_("how to undo it")),
    OPT_ENUM("risk", 0, "low|medium|high", N_("the risk")),
    OPT_TIME("window-start", 0, N_("the start of the window (JST)")),
    OPT_TIME("window-end", 0, N_("the end of the window (JST)")),
    OPT_STRS("step", 0, N_("TEXT"), N_("a procedure step, in order")),
    OPT_STRS("effect", 0, N_("KIND:HOST:VALUE"),
             N_("applied to the configuration records when done")),
    OPT_STRS("host", 0, N_("HOST"), N_("a host the change touches")),
    OPT_STRS("link", 0, N_("incident:REF|problem:REF|change:REF"),
             N_("a related incident, problem or change")),
    OPT_STR("template", 0, N_("NAME"), N_("fill the change from data/changes/NAME")),
    OPT_MONTH("month", 0, N_("the month of a template's round")),
    OPT_END};
static const struct cli_opt change_list_opts[] = {
    OPT_STR("status", 0, N_("STATUS"), N_("only changes in this state")), OPT_END};
static const struct cli_opt change_note_opts[] = {
    OPT_STR("note", 0, N_("NOTE"), N_("a note kept in the timeline")), OPT_END};
static const struct cli_opt change_do_opts[] = {
    OPT_STR("output", 0, N_("TEXT"), N_("what the step printed or showed")),
    OPT_STR("session", 0, N_("ID"), N_("the recorded session the step was done in")),
    OPT_STR("evidence-session", 0, N_("ID"),
            N_("take the output from this recorded session's text (unyo session list)")),
    OPT_STR("lines", 0, N_("A-B"), N_("only these lines of the session's text (from 1)")), OPT_END};
static const struct cli_opt change_link_opts[] = {
    OPT_REQ("session", 0, N_("ID"), N_("the recorded console session (unyo session list)")),
    OPT_END};
const struct cli_family change_family = {
    "change",
    (const struct cli_verb[]){
        {"new", NULL, change_new_opts, change_new_cmd,
         N_("Files a change in draft; you are the requester. Times are JST (\"2026-11-28 "
            "22:00\").\n"
            "A window inside service hours is warned about. --template patch-round fills the\n"
            "monthly patch round (steps, rollback, risk) from data/changes/.\n"
            "Effects, applied to the configuration records when the change is done:\n"
            "patch:lib-ap01:KB5031234  software:lib-web01:nginx 1.22.1\n"
            "hardware:core-sw01:location=DC ラック A-02  account:lib-ad01:tanaka.m+ (- removes)"),
         0},
        {"list", NULL, change_list_opts, change_list_cmd, NULL, CLI_DEFAULT | CLI_FORMATS},
        {"show", N_("REF"), NULL, change_show_cmd,
         N_("The change with its steps, effects and timeline."), CLI_JSON},
        {"step", N_("REF plan|submit|approve|return|start|done|cancel|rollback"), change_note_opts,
         change_step_cmd,
         N_("draft -> planned -> in_review -> approved (or returned -> planned) -> in_progress\n"
            "-> done. Only an engineer approves or returns, never the requester."),
         0},
        {"approve", N_("REF"), change_note_opts, change_step_cmd, NULL, 0},
        {"cancel", N_("REF"), change_note_opts, change_step_cmd, NULL, 0},
        {"rollback", N_("REF"), change_note_opts, change_step_cmd, NULL, 0},
        {"do", N_("REF STEP_NO"), change_do_opts, change_do_cmd,
         N_("Checks off a procedure step while in progress; steps go in order.\n"
            "--evidence-session ID [--lines A-B] keeps the text of a recorded session (what\n"
            "the screen showed, without control sequences) as the step's output."),
         0},
        {"add-step", N_("REF TEXT"), NULL, change_add_cmd, NULL, 0},
        {"effect", N_("REF KIND:HOST:VALUE"), NULL, change_add_cmd, NULL, 0},
        {"add-host", N_("REF HOST"), NULL, change_target_cmd,
         N_("Adds a target host (from unyo host list) while the change is a draft, planned or "
            "returned."),
         0},
        {"remove-host", N_("REF HOST"), NULL, change_target_cmd, NULL, 0},
        {"add-link", N_("REF incident:REF|problem:REF|change:REF"), NULL, change_target_cmd,
         N_("Links the change to an incident, a problem or another change."), 0},
        {"remove-link", N_("REF incident:REF|problem:REF|change:REF"), NULL, change_target_cmd,
         NULL, 0},
        {"remove-effect", N_("REF EFFECT_NO"), NULL, change_remove_effect_cmd,
         N_("Removes a config effect (its number in unyo change show) while the change is a\n"
            "draft, planned or returned."),
         0},
        {"link", N_("REF"), change_link_opts, change_link_cmd,
         N_("Links a recorded console session to the change, as the Consoles pane's\n"
            ": link change REF does; the link and an audit row are kept."),
         0},
        {0}},
    NULL};

static const struct cli_opt config_list_opts[] = {
    OPT_STR("host", 0, N_("HOST"), N_("only the records of this host")),
    OPT_ENUM("kind", 0, "software|patch|hardware|account|permission|policy|other",
             N_("only records of this kind")),
    OPT_END};
const struct cli_family config_family = {
    "config",
    (const struct cli_verb[]){
        {"list", NULL, config_list_opts, config_list_cmd,
         N_("Records change through change requests (unyo change ... --effect)."),
         CLI_DEFAULT | CLI_FORMATS},
        {0}},
    NULL};
