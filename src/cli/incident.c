/* Ledger commands: incident, inquiry, problem, sla, report. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sign.h"
#include "i18n.h"
#include "labels.h"
#include "incidents.h"
#include "inquiries.h"
#include "problems.h"
#include "report_daily.h"
#include "reports.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"
#include "workbook.h"

static struct sla *load_sla(void)
{
    char *err = NULL;
    struct sla *s = sla_load(NULL, NULL, &err);
    if (!s)
        cli_fail(err);
    return s;
}

/* The SLA rules and the store (need_operator: resolve the acting operator);
 * -1 (nothing left open) when either fails, the reason printed. */
static int open_sla_store(struct cli_ctx *ctx, int need_operator, struct sla **sla,
                          struct store **st)
{
    *sla = load_sla();
    if (!*sla)
        return -1;
    if (cli_open_store(ctx, st, need_operator) != 0) {
        sla_free(*sla);
        return -1;
    }
    return 0;
}

static void fmt_jst(int64_t ms, char *out)
{
    if (ms > 0)
        time_format_jst(ms, out, 0);
    else
        snprintf(out, 20, "-");
}

static void fmt_iso(int64_t ms, char *out)
{
    if (ms > 0)
        time_format_iso(ms, out);
    else
        out[0] = '\0';
}

/* "2h05m", "-0h20m". */
static void fmt_dur(int64_t s, char *out, size_t n)
{
    int neg = s < 0;
    if (neg)
        s = -s;
    snprintf(out, n, "%s%lldh%02lldm", neg ? "-" : "", (long long)(s / 3600),
             (long long)(s % 3600 / 60));
}

/* Prints untrusted text for a terminal. */
static void put_clean(const char *label, const char *v)
{
    if (!v || !*v)
        return;
    struct strbuf sb = STRBUF_INIT;
    text_fit(&sb, label, 14);
    sb_putc(&sb, ' ');
    text_sanitize(&sb, v, 1);
    puts(sb.buf);
    sb_free(&sb);
}

static int state_filter(const char *s, int *out)
{
    if (streq(s, "ok"))
        *out = SLA_OK;
    else if (streq(s, "warning"))
        *out = SLA_WARNING;
    else if (streq(s, "breached"))
        *out = SLA_BREACHED;
    else
        return -1;
    return 0;
}

/* ---- incident ---- */
static int incident_new_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    struct incident_new in = {0};
    in.library = cli_str(a, "library");
    in.channel = cli_str(a, "channel");
    in.title = cli_str(a, "title");
    in.description = cli_str(a, "description");
    in.category = cli_str(a, "category");
    in.reporter = cli_str(a, "reporter");
    in.draft = cli_has(a, "draft") > 0;
    size_t nhosts;
    const char **hosts = cli_all(a, "host", &nhosts);
    in.hosts = hosts;
    in.nhosts = nhosts;
    const char *received = cli_str(a, "received");
    if (a->argc > 0)
        return cli_usage("incident", _("unexpected argument: %s"), a->argv[0]);
    if (!in.library || !in.channel || !in.title || !cli_has(a, "impact") || !cli_has(a, "urgency"))
        return cli_usage("incident",
                         _("new needs --library, --channel, --title, --impact and --urgency"));
    if (received)
        time_parse(received, &in.received); /* validated by the parser */
    in.impact = (int)cli_int(a, "impact", -1);
    in.urgency = (int)cli_int(a, "urgency", -1);
    struct sla *sla = load_sla();
    if (!sla) {
        return EXIT_FAIL;
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        sla_free(sla);
        return EXIT_FAIL;
    }
    char *err = NULL, ref[24];
    int rc = incident_create(st, sla, &in, NULL, ref, &err);
    if (rc == 0) {
        printf(in.draft ? _("Saved draft %s.\n") : _("Recorded %s.\n"), ref);
        struct search_hit *h;
        size_t n;
        if (search_suggest_knowledge(st, in.title, 5, &h, &n, NULL) == 0 && n > 0) {
            printf("%s\n", _("Knowledge that may help:"));
            for (size_t i = 0; i < n; i++) {
                struct strbuf sb = STRBUF_INIT;
                text_sanitize(&sb, h[i].title, 0);
                printf("  %s  %s\n", h[i].id, sb.buf);
                sb_free(&sb);
            }
            search_hits_free(h, n);
        }
    }
    store_close(st);
    sla_free(sla);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

static int incident_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int inbox = streq(a->verb, "inbox");
    struct incident_filter f = {.inbox = inbox};
    f.status = cli_str(a, "status");
    f.priority = cli_str(a, "priority");
    f.library = cli_str(a, "library");
    f.category = cli_str(a, "category");
    f.assignee = cli_str(a, "assignee");
    if (cli_str(a, "sla"))
        state_filter(cli_str(a, "sla"), &f.sla); /* one of the table's choices */
    f.search = cli_str(a, "search");
    f.limit = (int)cli_int(a, "limit", 0);
    f.offset = (int)cli_int(a, "offset", 0);
    if (a->argc > 0)
        return cli_usage("incident", _("unexpected argument: %s"), a->argv[0]);
    struct sla *sla;
    struct store *st;
    if (open_sla_store(ctx, inbox, &sla, &st) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct incident *rows;
    size_t n;
    int partial = 0;
    int64_t now = time_now_ms();
    if (incident_list(st, sla, &f, now, &rows, &n, &partial, &err) != 0) {
        store_close(st);
        sla_free(sla);
        return cli_fail(err);
    }
    static const char *const keys[] = {"ref",      "received_at", "priority", "status",
                                       "library",  "category",    "assignee", "sla",
                                       "sla_left", "title",       "id",       "sla_left_seconds"};
    const char *headings[] = {_("Ref"),     _("Received"), _("Pri"),      _("Status"),
                              _("Library"), _("Category"), _("Assignee"), _("SLA"),
                              _("Left"),    _("Title"),    _("Id"),       "sla_left_seconds"};
    int ncols = ctx->format == OUTPUT_TEXT ? 10 : 12;
    struct output_table *t = output_new(ncols, keys, headings);
    output_numbers(t, "sla_left_seconds");
    for (size_t i = 0; i < n; i++) {
        struct incident *r = &rows[i];
        char when[TIME_ISO_LEN + 1], left[24] = "-", left_s[24] = "";
        if (ctx->format == OUTPUT_TEXT)
            fmt_jst(r->received, when);
        else
            fmt_iso(r->received, when);
        /* Time left on the clock that runs now (recovery once acknowledged). */
        for (int k = 0; k < SLA_NSTEPS; k++) {
            enum sla_state s = r->sla.step[k].state;
            if (s == SLA_OK || s == SLA_WARNING || s == SLA_BREACHED) {
                fmt_dur(r->sla.step[k].left, left, sizeof left);
                snprintf(left_s, sizeof left_s, "%lld", (long long)r->sla.step[k].left);
                break;
            }
        }
        const char *row[] = {
            r->ref,
            when,
            r->priority,
            ctx->format == OUTPUT_TEXT ? incident_status_name(r->status) : r->status,
            ctx->format == OUTPUT_TEXT ? r->library_name : r->library_code,
            ctx->format == OUTPUT_TEXT ? incident_category_name(r->category) : r->category,
            r->assignee_login,
            ctx->format == OUTPUT_TEXT ? sla_state_name(r->sla.overall)
                                       : sla_state_key(r->sla.overall),
            left,
            r->title,
            r->id,
            *left_s ? left_s : NULL};
        output_row(t, row);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    if (partial)
        fprintf(stderr,
                _("note: words shorter than 3 characters are matched only against the latest "
                  "%d incidents (titles and descriptions); use 3 or more characters for a full "
                  "search\n"),
                SEARCH_RECENT_ROWS);
    incident_list_free(rows, n);
    store_close(st);
    sla_free(sla);
    return EXIT_OK;
}

static int incident_show_cmd(struct cli_ctx *ctx, const struct cli_args *args)
{
    if (args->argc < 1)
        return cli_usage("incident", _("show needs REF"));
    struct sla *sla;
    struct store *st;
    if (open_sla_store(ctx, 0, &sla, &st) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct incident inc;
    int64_t now = time_now_ms();
    struct ledger_event *ev = NULL;
    struct ledger_link *links = NULL;
    size_t nev = 0, nl = 0;
    if (incident_get(st, sla, args->argv[0], now, &inc, &err) != 0 ||
        incident_events(st, inc.id, &ev, &nev, &err) != 0 ||
        incident_links(st, inc.id, &links, &nl, &err) != 0) {
        if (inc.status)
            incident_clear(&inc);
        ledger_events_free(ev, nev);
        store_close(st);
        sla_free(sla);
        return cli_fail(err);
    }
    char b[8][TIME_ISO_LEN + 1];
    if (ctx->format == OUTPUT_JSON) {
        struct strbuf sb = STRBUF_INIT;
        sb_putc(&sb, '{');
        json_member(&sb, "id", inc.id);
        json_member(&sb, "ref", inc.ref);
        json_member(&sb, "library", inc.library_code);
        json_member(&sb, "channel", inc.channel);
        json_member(&sb, "reporter", inc.reporter);
        json_member(&sb, "title", inc.title);
        json_member(&sb, "description", inc.description);
        json_member(&sb, "category", inc.category);
        sb_printf(&sb, ",\"impact\":%d,\"urgency\":%d", inc.impact, inc.urgency);
        json_member(&sb, "priority", inc.priority);
        json_member(&sb, "status", inc.status);
        json_member(&sb, "assignee", inc.assignee_login);
        fmt_iso(inc.received, b[0]);
        json_member(&sb, "received_at", b[0]);
        json_member(&sb, "acknowledged_at", ledger_iso(inc.acknowledged, b[1]));
        json_member(&sb, "first_response_at", ledger_iso(inc.first_response, b[2]));
        json_member(&sb, "recovered_at", ledger_iso(inc.recovered, b[3]));
        json_member(&sb, "closed_at", ledger_iso(inc.closed, b[4]));
        json_member(&sb, "sla_paused_since", ledger_iso(inc.paused_since, b[5]));
        json_member(&sb, "notified_to", inc.notified_to);
        sb_puts(&sb, ",\"sla\":{");
        json_member(&sb, "state", sla_state_key(inc.sla.overall));
        for (int k = 0; k < SLA_NSTEPS; k++) {
            const struct sla_step_status *s = &inc.sla.step[k];
            sb_putc(&sb, ',');
            json_string(&sb, sla_step_key((enum sla_step)k));
            sb_printf(&sb,
                      ":{\"target_seconds\":%lld,\"elapsed_seconds\":%lld,"
                      "\"left_seconds\":%lld",
                      (long long)s->target, (long long)s->elapsed, (long long)s->left);
            json_member(&sb, "due",
                        s->due != INT64_MAX && s->due > 0 ? ledger_iso(s->due * 1000, b[6]) : NULL);
            json_member(&sb, "state", sla_state_key(s->state));
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "},\"events\":[");
        for (size_t i = 0; i < nev; i++) {
            sb_puts(&sb, i ? ",{" : "{");
            json_member(&sb, "kind", ev[i].kind);
            fmt_iso(ev[i].at, b[7]);
            json_member(&sb, "at", b[7]);
            json_member(&sb, "by", ev[i].operator_login);
            json_member(&sb, "note", ev[i].note);
            sb_puts(&sb, ",\"data\":");
            sb_puts(&sb, ev[i].data ? ev[i].data : "null");
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "],\"links\":[");
        for (size_t i = 0; i < nl; i++) {
            sb_puts(&sb, i ? ",{" : "{");
            json_member(&sb, "kind", links[i].kind);
            json_member(&sb, "id", links[i].id);
            json_member(&sb, "label", links[i].label);
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "]}\n");
        fputs(sb.buf, stdout);
        sb_free(&sb);
    } else {
        char line[256];
        snprintf(line, sizeof line, "%s  %s  %s", inc.ref, inc.priority,
                 incident_status_name(inc.status));
        put_clean(_("Incident"), line);
        put_clean(_("Title"), inc.title);
        put_clean(_("Library"), inc.library_name);
        put_clean(_("Channel"), incident_channel_name(inc.channel));
        put_clean(_("Reporter"), inc.reporter);
        put_clean(_("Category"), incident_category_name(inc.category));
        snprintf(line, sizeof line, "%d x %d -> %s", inc.impact, inc.urgency, inc.priority);
        put_clean(_("Impact x urg."), line);
        char *who = inc.assignee_name && *inc.assignee_name
                        ? xasprintf("%s (%s)", inc.assignee_name, inc.assignee_login)
                        : NULL;
        put_clean(_("Assignee"), who ? who : inc.assignee_login);
        free(who);
        fmt_jst(inc.received, b[0]);
        put_clean(_("Received"), b[0]);
        put_clean(_("Description"), inc.description);
        if (inc.paused_since) {
            fmt_jst(inc.paused_since, b[1]);
            put_clean(_("SLA paused"), b[1]);
        }
        if (inc.notified_to)
            put_clean(_("Notified"), inc.notified_to);
        if (!streq(inc.status, "draft")) {
            printf("\n%s\n", _("SLA (service hours)"));
            for (int k = 0; k < SLA_NSTEPS; k++) {
                const struct sla_step_status *s = &inc.sla.step[k];
                char tg[24], el[24], lf[24], due[20];
                fmt_dur(s->target, tg, sizeof tg);
                fmt_dur(s->elapsed, el, sizeof el);
                fmt_dur(s->left, lf, sizeof lf);
                if (s->due == INT64_MAX)
                    snprintf(due, sizeof due, "%s", _("(paused)"));
                else
                    fmt_jst(s->due * 1000, due);
                struct strbuf sb = STRBUF_INIT;
                sb_puts(&sb, "  ");
                text_fit(&sb, sla_step_name((enum sla_step)k), 16);
                sb_printf(&sb, " %s %-7s %s %-7s %s %-8s %s %s  %s", _("target"), tg, _("elapsed"),
                          el, _("left"), lf, _("due"), due, sla_state_name(s->state));
                puts(sb.buf);
                sb_free(&sb);
            }
        }
        printf("\n%s\n", _("Timeline"));
        for (size_t i = 0; i < nev; i++) {
            char when[20];
            fmt_jst(ev[i].at, when);
            struct strbuf sb = STRBUF_INIT;
            sb_printf(&sb, "  %s  ", when);
            text_fit(&sb, incident_status_name(ev[i].kind), 16);
            sb_printf(&sb, " %-10s", ev[i].operator_login ? ev[i].operator_login : "-");
            if (ev[i].note) {
                sb_putc(&sb, ' ');
                text_sanitize(&sb, ev[i].note, 0);
            }
            char *data = incident_event_text(st, ev[i].data);
            if (*data) {
                sb_putc(&sb, ' ');
                text_sanitize(&sb, data, 0);
            }
            free(data);
            puts(sb.buf);
            sb_free(&sb);
        }
        if (nl) {
            printf("\n%s\n", _("Links"));
            for (size_t i = 0; i < nl; i++) {
                struct strbuf sb = STRBUF_INIT;
                sb_printf(&sb, "  %s ", label_link_kind(links[i].kind));
                text_sanitize(&sb, links[i].label ? links[i].label : links[i].id, 0);
                puts(sb.buf);
                sb_free(&sb);
            }
        }
    }
    ledger_events_free(ev, nev);
    ledger_links_free(links, nl);
    incident_clear(&inc);
    store_close(st);
    sla_free(sla);
    return EXIT_OK;
}

static int incident_step_cmd(struct cli_ctx *ctx, const struct cli_args *args)
{
    struct incident_step_args a = {0};
    a.note = cli_str(args, "note");
    a.assignee = cli_str(args, "assignee");
    a.to = cli_str(args, "to");
    if (args->argc != 2)
        return cli_usage("incident", _("step needs REF and STEP"));
    struct sla *sla;
    struct store *st;
    if (open_sla_store(ctx, 1, &sla, &st) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    /* Closing is signed: the closer's passphrase. */
    int rc = streq(args->argv[1], "closed") && cli_sign(st) != 0 ? -1 : 0;
    if (rc != 0) {
        store_close(st);
        sla_free(sla);
        return EXIT_FAIL;
    }
    rc = incident_step(st, sla, args->argv[0], args->argv[1], &a, &err);
    if (rc == 0)
        printf(_("%s: %s recorded.\n"), args->argv[0], incident_status_name(args->argv[1]));
    store_close(st);
    sla_free(sla);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

static int incident_simple_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    /* submit REF | discard REF | link REF KIND ID [--note N] */
    const char *note = cli_str(a, "note");
    int discard = streq(a->verb, "discard");
    int submit = streq(a->verb, "submit") || discard;
    if (a->argc != (submit ? 1 : 3))
        return cli_usage("incident", discard  ? _("discard needs REF")
                                     : submit ? _("submit needs REF")
                                              : _("link needs REF KIND ID"));
    char **argv = a->argv;
    struct sla *sla;
    struct store *st;
    if (open_sla_store(ctx, 1, &sla, &st) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = discard  ? incident_discard_draft(st, argv[0], &err)
             : submit ? incident_submit(st, sla, argv[0], &err)
                      : incident_link(st, argv[0], argv[1], argv[2], note, &err);
    if (rc == 0)
        printf(_("%s: done.\n"), argv[0]);
    store_close(st);
    sla_free(sla);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

/* ---- inquiry ---- */
static int inquiry_show(struct store *st, const char *ref, enum output_format fmt)
{
    char *err = NULL;
    struct inquiry q;
    struct ledger_event *ev = NULL;
    size_t n = 0;
    if (inquiry_get(st, ref, &q, &err) != 0 || inquiry_events(st, q.id, &ev, &n, &err) != 0) {
        if (q.status)
            inquiry_clear(&q);
        return cli_fail(err);
    }
    char when[TIME_ISO_LEN + 1];
    if (fmt == OUTPUT_JSON) {
        struct strbuf sb = STRBUF_INIT;
        sb_putc(&sb, '{');
        json_member(&sb, "id", q.id);
        json_member(&sb, "ref", q.ref);
        json_member(&sb, "library", q.library_code);
        json_member(&sb, "channel", q.channel);
        json_member(&sb, "reporter", q.reporter);
        json_member(&sb, "title", q.title);
        json_member(&sb, "question", q.question);
        json_member(&sb, "status", q.status);
        json_member(&sb, "draft_answer", q.draft_answer);
        json_member(&sb, "draft_by", q.draft_by_login);
        json_member(&sb, "reviewer", q.reviewer_login);
        json_member(&sb, "answer", q.answer);
        json_member(&sb, "incident", q.incident_ref);
        fmt_iso(q.received, when);
        json_member(&sb, "received_at", when);
        sb_puts(&sb, ",\"events\":[");
        for (size_t i = 0; i < n; i++) {
            sb_puts(&sb, i ? ",{" : "{");
            json_member(&sb, "kind", ev[i].kind);
            fmt_iso(ev[i].at, when);
            json_member(&sb, "at", when);
            json_member(&sb, "by", ev[i].operator_login);
            json_member(&sb, "note", ev[i].note);
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "]}\n");
        fputs(sb.buf, stdout);
        sb_free(&sb);
    } else {
        char line[128];
        snprintf(line, sizeof line, "%s  %s", q.ref, inquiry_status_name(q.status));
        put_clean(_("Inquiry"), line);
        put_clean(_("Title"), q.title);
        put_clean(_("Library"), q.library_name);
        put_clean(_("Reporter"), q.reporter);
        fmt_jst(q.received, when);
        put_clean(_("Received"), when);
        put_clean(_("Question"), q.question);
        put_clean(_("Draft answer"), q.draft_answer);
        put_clean(_("Drafted by"), q.draft_by_login);
        put_clean(_("Reviewer"), q.reviewer_login);
        put_clean(_("Answer"), q.answer);
        put_clean(_("Incident"), q.incident_ref);
        printf("\n%s\n", _("Timeline"));
        for (size_t i = 0; i < n; i++) {
            fmt_jst(ev[i].at, when);
            struct strbuf sb = STRBUF_INIT;
            sb_printf(&sb, "  %s  ", when);
            text_fit(&sb, inquiry_status_name(ev[i].kind), 14);
            sb_printf(&sb, " %-10s", ev[i].operator_login ? ev[i].operator_login : "-");
            if (ev[i].note) {
                sb_putc(&sb, ' ');
                text_sanitize(&sb, ev[i].note, 0);
            }
            char *data = incident_event_text(st, ev[i].data);
            if (*data) {
                sb_putc(&sb, ' ');
                text_sanitize(&sb, data, 0);
            }
            free(data);
            puts(sb.buf);
            sb_free(&sb);
        }
    }
    ledger_events_free(ev, n);
    inquiry_clear(&q);
    return EXIT_OK;
}

static int inquiry_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *verb = a->verb;
    const char *library = cli_str(a, "library"), *channel = cli_str(a, "channel");
    const char *title = cli_str(a, "title"), *question = cli_str(a, "question");
    const char *reporter = cli_str(a, "reporter"), *status = cli_str(a, "status");
    const char *search = cli_str(a, "search"), *note = cli_str(a, "note");
    const char *text = cli_str(a, "text"), *answer = cli_str(a, "answer");
    const char *category = cli_str(a, "category");
    int approve = cli_has(a, "approve") ? 1 : cli_has(a, "return") ? 0 : -1;
    int limit = (int)cli_int(a, "limit", 0);
    char **pos = a->argv;
    int npos = a->argc;
    int need_op = !streq(verb, "list") && !streq(verb, "show");
    if (!streq(verb, "new") && !streq(verb, "list") && npos < 1)
        return cli_usage("inquiry", _("%s needs REF"), verb);
    struct store *st;
    if (cli_open_store(ctx, &st, need_op) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = 0;
    if (streq(verb, "new")) {
        if (!library || !channel || !title) {
            store_close(st);
            return cli_usage("inquiry", _("new needs --library, --channel and --title"));
        }
        struct inquiry_new in = {.library = library,
                                 .channel = channel,
                                 .reporter = reporter,
                                 .title = title,
                                 .question = question};
        char ref[24];
        rc = inquiry_create(st, &in, NULL, ref, &err);
        if (rc == 0)
            printf(_("Recorded %s.\n"), ref);
    } else if (streq(verb, "list")) {
        struct inquiry_filter f = {
            .status = status, .library = library, .search = search, .limit = limit};
        struct inquiry *rows;
        size_t n;
        rc = inquiry_list(st, &f, &rows, &n, NULL, &err);
        if (rc == 0) {
            static const char *const keys[] = {"ref",    "received_at", "library",
                                               "status", "title",       "id"};
            const char *h[] = {_("Ref"),    _("Received"), _("Library"),
                               _("Status"), _("Title"),    _("Id")};
            struct output_table *t = output_new(ctx->format == OUTPUT_TEXT ? 5 : 6, keys, h);
            for (size_t i = 0; i < n; i++) {
                char when[TIME_ISO_LEN + 1];
                if (ctx->format == OUTPUT_TEXT)
                    fmt_jst(rows[i].received, when);
                else
                    fmt_iso(rows[i].received, when);
                const char *row[] = {
                    rows[i].ref,
                    when,
                    ctx->format == OUTPUT_TEXT ? rows[i].library_name : rows[i].library_code,
                    ctx->format == OUTPUT_TEXT ? inquiry_status_name(rows[i].status)
                                               : rows[i].status,
                    rows[i].title,
                    rows[i].id};
                output_row(t, row);
            }
            output_print(t, ctx->format, stdout);
            output_free(t);
            inquiry_list_free(rows, n);
        }
    } else if (streq(verb, "show")) {
        rc = inquiry_show(st, pos[0], ctx->format) == EXIT_OK ? 0 : 1;
        store_close(st);
        return rc ? EXIT_FAIL : EXIT_OK;
    } else if (streq(verb, "step")) {
        if (npos != 2) {
            store_close(st);
            return cli_usage("inquiry", _("step needs REF and STEP"));
        }
        rc = inquiry_step(st, pos[0], pos[1], note, &err);
    } else if (streq(verb, "draft")) {
        rc = inquiry_draft(st, pos[0], text, &err);
    } else if (streq(verb, "review")) {
        if (approve < 0) {
            store_close(st);
            return cli_usage("inquiry", _("review needs --approve or --return"));
        }
        /* Reviewing is signed: the reviewer's passphrase. */
        if (cli_sign(st) != 0) {
            store_close(st);
            return EXIT_FAIL;
        }
        rc = inquiry_review(st, pos[0], approve, note, answer, &err);
    } else if (streq(verb, "answer")) {
        rc = inquiry_answer(st, pos[0], text, &err);
    } else if (streq(verb, "convert")) {
        if (!cli_has(a, "impact") || !cli_has(a, "urgency")) {
            store_close(st);
            return cli_usage("inquiry", _("convert needs --impact and --urgency"));
        }
        struct sla *sla = load_sla();
        if (!sla) {
            store_close(st);
            return EXIT_FAIL;
        }
        int im = (int)cli_int(a, "impact", -1), ur = (int)cli_int(a, "urgency", -1);
        char ref[24];
        rc = inquiry_convert(st, sla, pos[0], im, ur, category, ref, &err);
        if (rc == 0)
            printf(_("%s became incident %s.\n"), pos[0], ref);
        sla_free(sla);
    }
    if (rc == 0 && !streq(verb, "new") && !streq(verb, "list") && !streq(verb, "convert"))
        printf(_("%s: done.\n"), pos[0]);
    store_close(st);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

/* ---- problem ---- */
static int problem_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *verb = a->verb;
    const char *title = cli_str(a, "title"), *description = cli_str(a, "description");
    const char *keywords = cli_str(a, "keywords");
    struct problem_update u = {0};
    u.owner_login = cli_str(a, "owner");
    u.status = cli_str(a, "status");
    u.root_cause = cli_str(a, "root-cause");
    u.workaround = cli_str(a, "workaround");
    u.permanent_measure = cli_str(a, "permanent-measure");
    u.prevention_status = cli_str(a, "prevention-status");
    u.prevention_due = cli_str(a, "prevention-due");
    u.note = cli_str(a, "note");
    char **pos = a->argv;
    int npos = a->argc;
    if (!streq(verb, "new") && !streq(verb, "list") && npos < 1)
        return cli_usage("problem", _("%s needs REF"), verb);
    if (streq(verb, "new") && (!title || !*title)) /* a usage error: exit 2 */
        return cli_usage("problem", _("new needs --title TITLE"));
    struct store *st;
    if (cli_open_store(ctx, &st, !streq(verb, "list") && !streq(verb, "show")) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = 0;
    if (streq(verb, "new")) {
        char ref[24];
        rc = problem_create(st, title, description, u.owner_login, NULL, ref, &err);
        if (rc == 0)
            printf(_("Recorded %s.\n"), ref);
    } else if (streq(verb, "list")) {
        struct problem *rows;
        size_t n;
        rc = problem_list(st, u.status, 200, &rows, &n, &err);
        if (rc == 0) {
            static const char *const keys[] = {
                "ref", "status", "incidents", "owner", "prevention_due", "title", "id"};
            const char *h[] = {_("Ref"), _("Status"), _("Incidents"), _("Owner"),
                               _("Due"), _("Title"),  _("Id")};
            struct output_table *t = output_new(ctx->format == OUTPUT_TEXT ? 6 : 7, keys, h);
            output_numbers(t, "incidents");
            for (size_t i = 0; i < n; i++) {
                char cnt[16];
                snprintf(cnt, sizeof cnt, "%d", rows[i].incidents);
                const char *row[] = {rows[i].ref,
                                     ctx->format == OUTPUT_TEXT
                                         ? problem_status_name(rows[i].status)
                                         : rows[i].status,
                                     cnt,
                                     rows[i].owner_login,
                                     rows[i].prevention_due,
                                     rows[i].title,
                                     rows[i].id};
                output_row(t, row);
            }
            output_print(t, ctx->format, stdout);
            output_free(t);
            problem_list_free(rows, n);
        }
    } else if (streq(verb, "show")) {
        struct problem p;
        rc = problem_get(st, pos[0], &p, &err);
        if (rc == 0) {
            char line[128];
            snprintf(line, sizeof line, "%s  %s", p.ref, problem_status_name(p.status));
            put_clean(_("Problem"), line);
            put_clean(_("Title"), p.title);
            put_clean(_("Description"), p.description);
            put_clean(_("Owner"), p.owner_login);
            put_clean(_("Root cause"), p.root_cause);
            put_clean(_("Workaround"), p.workaround);
            put_clean(_("Permanent"), p.permanent_measure);
            put_clean(_("Prevention"), p.prevention_status);
            put_clean(_("Due"), p.prevention_due);
            put_clean(_("Knowledge"), p.knowledge_id);
            char **inc;
            size_t n;
            if (problem_incidents(st, p.id, &inc, &n, NULL) == 0) {
                if (n)
                    printf("\n%s\n", _("Linked incidents"));
                for (size_t i = 0; i < n; i++) {
                    put_clean(" ", inc[i]);
                    free(inc[i]);
                }
                free(inc);
            }
            problem_clear(&p);
        }
    } else if (streq(verb, "update")) {
        rc = problem_update(st, pos[0], &u, &err);
    } else if (streq(verb, "link")) {
        if (npos != 2) {
            store_close(st);
            return cli_usage("problem", _("link needs REF and INCIDENT"));
        }
        rc = problem_link_incident(st, pos[0], pos[1], &err);
    } else if (streq(verb, "publish")) {
        char kid[ID_LEN + 1];
        rc = problem_publish(st, pos[0], keywords, kid, &err);
        if (rc == 0)
            printf(_("Published knowledge %s.\n"), kid);
    }
    if (rc == 0 && (streq(verb, "update") || streq(verb, "link")))
        printf(_("%s: done.\n"), pos[0]);
    store_close(st);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

/* ---- sla and report ---- */

static enum report_format report_fmt(struct cli_ctx *ctx, int markdown)
{
    if (markdown)
        return REPORT_MARKDOWN;
    if (ctx->format == OUTPUT_CSV)
        return REPORT_CSV;
    if (ctx->format == OUTPUT_JSON)
        return REPORT_JSON;
    return REPORT_TEXT;
}

/* Prints r as --section, --dir and the format say: CSV is one table per
 * file, so a report of several tables asks which (--section) or writes one
 * file each (--dir). */
static int show_report(struct cli_ctx *ctx, const struct cli_args *a, const struct report *r)
{
    int markdown = cli_has(a, "markdown") > 0;
    const char *key = cli_str(a, "section"), *dir = cli_str(a, "dir");
    int only = -1;
    char *err = NULL;
    struct strbuf keys = STRBUF_INIT;
    for (int i = 0; i < report_sections(r); i++)
        sb_printf(&keys, "%s%s", i ? ", " : "", report_section_key(r, i));
    if (key && (only = report_section_index(r, key)) < 0) {
        int rc =
            cli_usage(a->noun, _("this report has no table %s: its tables are %s"), key, keys.buf);
        sb_free(&keys);
        return rc;
    }
    if (dir) {
        sb_free(&keys);
        if (report_write_csv_dir(r, dir, only, &err) != 0)
            return cli_fail(err);
        fprintf(stderr, _("Wrote %d table(s) to %s\n"), only >= 0 ? 1 : report_sections(r), dir);
        return EXIT_OK;
    }
    enum report_format fmt = report_fmt(ctx, markdown);
    if (fmt == REPORT_CSV && only < 0 && report_sections(r) > 1) {
        int rc = cli_usage(a->noun,
                           _("--csv writes one table and this report has %d (%s): name one "
                             "with --section NAME, or write one file per table with --dir DIR"),
                           report_sections(r), keys.buf);
        sb_free(&keys);
        return rc;
    }
    sb_free(&keys);
    char *s = only >= 0 ? report_render_section(r, only, fmt) : report_render(r, fmt);
    fputs(s, stdout);
    free(s);
    return EXIT_OK;
}

/* Prints r, or fails with *err (set by whatever made r) when r is NULL. */
static int print_report(struct cli_ctx *ctx, const struct cli_args *a, struct report *r, char **err)
{
    if (!r)
        return cli_fail(*err);
    int rc = show_report(ctx, a, r);
    report_free(r);
    return rc;
}

/* After a workbook was written (rc 0) or not (*err says why). */
static int wrote_workbook(int rc, const char *path, char **err)
{
    if (rc != 0)
        return cli_fail(*err);
    fprintf(stderr, _("Wrote %s\n"), path);
    return EXIT_OK;
}

static void print_breach(void *user, const struct incident *inc, enum sla_step step)
{
    (void)user;
    struct strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "%s  %s  %s  ", inc->ref, inc->priority, sla_step_name(step));
    text_sanitize(&sb, inc->title, 0);
    puts(sb.buf);
    sb_free(&sb);
}

static int sla_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *verb = a->verb;
    const char *from = cli_str(a, "from"), *to = cli_str(a, "to");
    if (a->argc > 0)
        return cli_usage("sla", _("unexpected argument: %s"), a->argv[0]);
    struct sla *sla = load_sla();
    if (!sla)
        return EXIT_FAIL;
    int rc = EXIT_OK;
    if (streq(verb, "show")) {
        /* Programs get durations in seconds, under keys that say so. */
        static const char *const keys[] = {"priority", "acknowledge_seconds",
                                           "first_response_seconds", "recovery_seconds"};
        const char *h[] = {_("Priority"), sla_step_name(SLA_ACK), sla_step_name(SLA_FIRST),
                           sla_step_name(SLA_RECOVERY)};
        struct output_table *t = output_new(4, keys, h);
        output_numbers(t, "acknowledge_seconds,first_response_seconds,recovery_seconds");
        for (int p = 0; p < SLA_NPRIO; p++) {
            char pr[4], v[3][16];
            snprintf(pr, sizeof pr, "P%d", p + 1);
            for (int k = 0; k < 3; k++)
                snprintf(v[k], sizeof v[k], "%d",
                         sla->cfg.target_min[p][k] * (ctx->format == OUTPUT_TEXT ? 1 : 60));
            const char *row[] = {pr, v[0], v[1], v[2]};
            output_row(t, row);
        }
        output_print(t, ctx->format, stdout);
        output_free(t);
        if (ctx->format == OUTPUT_TEXT) {
            printf("%s\n", _("Targets in minutes of service time; impact x urgency (1 high):"));
            for (int i = 0; i < 3; i++)
                printf("  %d: P%d P%d P%d\n", i + 1, sla->cfg.matrix[i][0], sla->cfg.matrix[i][1],
                       sla->cfg.matrix[i][2]);
            printf(_("Warning at %d%% of a target.\n"), sla->cfg.warning_percent);
        }
    } else if (streq(verb, "scan") || streq(verb, "report")) {
        struct store *st;
        if (cli_open_store(ctx, &st, streq(verb, "scan")) != 0) {
            sla_free(sla);
            return EXIT_FAIL;
        }
        char *err = NULL;
        if (streq(verb, "scan")) {
            int found = 0;
            if (sla_scan(st, sla, time_now_ms(), print_breach, NULL, &found, &err) != 0)
                rc = cli_fail(err);
            else
                printf(_("%d new SLA breach(es) recorded.\n"), found);
        } else {
            if (!from || !to) {
                store_close(st);
                sla_free(sla);
                return cli_usage("sla", _("report needs --from and --to"));
            }
            const char *xlsx = cli_str(a, "xlsx");
            if (xlsx && (cli_has(a, "markdown") || ctx->format != OUTPUT_TEXT))
                rc = cli_usage("sla", "%s",
                               _("--xlsx writes a workbook: not with --markdown, --csv or --json"));
            else if (xlsx)
                rc = wrote_workbook(workbook_sla(st, sla, from, to, time_now_ms(), xlsx, &err),
                                    xlsx, &err);
            else
                rc = print_report(ctx, a, report_sla(st, sla, from, to, time_now_ms(), &err), &err);
        }
        store_close(st);
    }
    sla_free(sla);
    return rc;
}

static int report_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *date = cli_str(a, "date"), *month = cli_str(a, "month");
    int daily = streq(a->verb, "daily");
    /* the day or month may also be the operand (unyo report daily 2026-11-23),
     * checked as the option is */
    if (a->argc > 1 || (a->argc == 1 && (daily ? date : month) != NULL))
        return cli_usage("report", _("unexpected argument: %s"), a->argv[a->argc - 1]);
    if (a->argc == 1) {
        char *err = NULL;
        long unused;
        if (cli_check_value(&a->v->opts[0], a->argv[0], &unused, &err) != 0) {
            int rc = cli_usage("report", "%s", err);
            free(err);
            return rc;
        }
        *(daily ? &date : &month) = a->argv[0];
    }
    char today[16];
    int64_t now = time_now_ms();
    if (daily && !date) {
        time_format_jst_date(now, today);
        date = today;
    }
    if (!daily && !month) {
        time_format_jst_date(now, today);
        today[7] = '\0';
        month = today;
    }
    struct sla *sla;
    struct store *st;
    if (open_sla_store(ctx, 0, &sla, &st) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = EXIT_OK;
    const char *xlsx = cli_str(a, "xlsx");
    if (xlsx && (cli_has(a, "markdown") || ctx->format != OUTPUT_TEXT)) {
        store_close(st);
        sla_free(sla);
        return cli_usage("report", "%s",
                         _("--xlsx writes a workbook: not with --markdown, --csv or --json"));
    }
    if (xlsx) {
        rc = wrote_workbook(daily ? workbook_daily(st, sla, sla->cal, date, now, xlsx, &err)
                                  : workbook_monthly(st, sla, sla->cal, month, now, xlsx, &err),
                            xlsx, &err);
        store_close(st);
        sla_free(sla);
        return rc;
    }
    if (daily) { /* the day's work too: checklist, jobs, changes, handovers */
        struct daily_report *d = daily_report_build(st, sla, sla->cal, date, now, &err);
        if (!d) {
            rc = cli_fail(err);
        } else {
            rc = show_report(ctx, a, daily_report_base(d));
            daily_report_free(d);
        }
        store_close(st);
        sla_free(sla);
        return rc;
    }
    rc = print_report(ctx, a, report_monthly(st, sla, month, now, &err), &err);
    store_close(st);
    sla_free(sla);
    return rc;
}

/* ---- search ---- */
static int search_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    static const char *const scopes[] = {"incidents", "inquiries", "knowledge", "all"};
    static const int scope_of[] = {SEARCH_INCIDENTS, SEARCH_INQUIRIES, SEARCH_KNOWLEDGE,
                                   SEARCH_ALL};
    int scope = SEARCH_ALL, limit = (int)cli_int(a, "limit", 50), action = 0;
    for (size_t i = 0; cli_str(a, "scope") && i < ARRAY_LEN(scopes); i++)
        if (streq(cli_str(a, "scope"), scopes[i]))
            scope = scope_of[i];
    action = cli_has(a, "rebuild")   ? 'R'
             : cli_has(a, "suspend") ? 'S'
             : cli_has(a, "resume")  ? 'r'
                                     : 0;
    if (!action && a->argc < 1)
        return cli_usage("search", _("say what to look for"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = 0;
    if (action) {
        rc = action == 'R'   ? search_rebuild(st, &err)
             : action == 'S' ? search_suspend(st, &err)
                             : search_resume(st, &err);
        if (rc == 0)
            printf("%s\n",
                   action == 'S' ? _("Search index suspended.") : _("Search index rebuilt."));
    } else {
        struct strbuf q = STRBUF_INIT;
        for (int i = 0; i < a->argc; i++) {
            if (q.len)
                sb_putc(&q, ' ');
            sb_puts(&q, a->argv[i]);
        }
        struct search_hit *h;
        size_t n;
        int partial = 0;
        rc = search_run(st, q.buf, scope, limit > 0 ? limit : 50, &h, &n, &partial, &err);
        sb_free(&q);
        if (rc == 0) {
            static const char *const keys[] = {"kind", "ref", "at", "title", "id"};
            const char *hd[] = {_("Kind"), _("Ref"), _("When"), _("Title"), _("Id")};
            struct output_table *t = output_new(ctx->format == OUTPUT_TEXT ? 4 : 5, keys, hd);
            for (size_t i = 0; i < n; i++) {
                char when[TIME_ISO_LEN + 1];
                if (ctx->format == OUTPUT_TEXT)
                    fmt_jst(h[i].at, when);
                else
                    fmt_iso(h[i].at, when);
                const char *kind = h[i].kind == 'i'   ? _("incident")
                                   : h[i].kind == 'q' ? _("inquiry")
                                                      : _("knowledge");
                const char *row[] = {kind, h[i].ref ? h[i].ref : "-", when, h[i].title, h[i].id};
                output_row(t, row);
            }
            output_print(t, ctx->format, stdout);
            output_free(t);
            search_hits_free(h, n);
            if (partial)
                fprintf(stderr,
                        _("note: words shorter than 3 characters are matched only against the "
                          "latest %d rows of each ledger, without event notes\n"),
                        SEARCH_RECENT_ROWS);
        }
    }
    store_close(st);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

/* ---- the tables ---- */
#define CHANNELS "phone|mail|alert|visit|rounds"
static const struct cli_opt incident_new_opts[] = {
    OPT_REQ("library", 0, N_("CODE"), N_("the library (libraries.ini)")),
    {.name = "channel", .type = CLI_ENUM, .choices = CHANNELS, .flags = CLI_REQUIRED},
    OPT_REQ("title", 0, N_("TITLE"), N_("what happened, in a few words")),
    {.name = "impact",
     .type = CLI_INT,
     .arg = N_("1-3"),
     .min = 1,
     .max = 3,
     .flags = CLI_REQUIRED,
     .help = N_("1 high, 3 low")},
    {.name = "urgency",
     .type = CLI_INT,
     .arg = N_("1-3"),
     .min = 1,
     .max = 3,
     .flags = CLI_REQUIRED,
     .help = N_("1 high, 3 low")},
    OPT_STR("description", 0, N_("DESCRIPTION"), NULL),
    OPT_STR("category", 0, N_("CATEGORY"), NULL),
    OPT_STR("reporter", 0, N_("REPORTER"), N_("who reported it")),
    OPT_STRS("host", 0, N_("NAME"), N_("a host concerned")),
    OPT_TIME("received", 0, N_("when it was received (default: now)")),
    OPT_FLAG("draft", 0, N_("save as a draft, not yet submitted")),
    OPT_END};
static const struct cli_opt incident_list_opts[] = {OPT_STR("status", 0, N_("STATUS"), NULL),
                                                    OPT_STR("priority", 0, N_("PRIORITY"), NULL),
                                                    OPT_STR("library", 0, N_("LIBRARY"), NULL),
                                                    OPT_STR("category", 0, N_("CATEGORY"), NULL),
                                                    OPT_STR("assignee", 0, N_("LOGIN"), NULL),
                                                    OPT_ENUM("sla", 0, "ok|warning|breached", NULL),
                                                    OPT_STR("search", 0, N_("TEXT"), NULL),
                                                    OPT_INT("limit", 0, N_("N"), 1, INT_MAX, NULL),
                                                    OPT_INT("offset", 0, N_("N"), 0, INT_MAX, NULL),
                                                    OPT_END};
static const struct cli_opt incident_step_opts[] = {
    OPT_STR("note", 0, N_("NOTE"), NULL), OPT_STR("assignee", 0, N_("LOGIN"), NULL),
    OPT_STR("to", 0, N_("WHOM"), N_("who was escalated to or notified")), OPT_END};
static const struct cli_opt note_opts[] = {OPT_STR("note", 0, N_("NOTE"), NULL), OPT_END};
const struct cli_family incident_family = {
    "incident",
    (const struct cli_verb[]){
        {"new", NULL, incident_new_opts, incident_new_cmd,
         N_("Impact and urgency: 1 high, 3 low; the priority comes from sla.ini."), 0},
        {"submit", N_("REF"), NULL, incident_simple_cmd, N_("Submits a draft."), 0},
        {"list", NULL, incident_list_opts, incident_list_cmd, NULL, CLI_FORMATS},
        {"show", N_("REF"), NULL, incident_show_cmd, NULL, CLI_JSON},
        {"step", N_("REF STEP"), incident_step_opts, incident_step_cmd,
         N_("STEP: isolated escalated first_response second_response recovered closed\n"
            "      reopened note assigned paused resumed notified"),
         0},
        {"inbox", NULL, incident_list_opts, incident_list_cmd, N_("The incidents waiting for you."),
         CLI_FORMATS},
        {"link", N_("REF KIND ID"), note_opts, incident_simple_cmd, NULL, 0},
        {"discard", N_("REF"), NULL, incident_simple_cmd,
         N_("Throws a draft away (it is no longer offered; audited)."), 0},
        {0}},
    NULL};

static const struct cli_opt inquiry_new_opts[] = {
    OPT_REQ("library", 0, N_("CODE"), N_("the library (libraries.ini)")),
    OPT_REQ("channel", 0, N_("CHANNEL"), NULL),
    OPT_REQ("title", 0, N_("TITLE"), NULL),
    OPT_STR("question", 0, N_("QUESTION"), NULL),
    OPT_STR("reporter", 0, N_("REPORTER"), NULL),
    OPT_END};
static const struct cli_opt inquiry_list_opts[] = {
    OPT_STR("status", 0, N_("STATUS"), NULL), OPT_STR("library", 0, N_("LIBRARY"), NULL),
    OPT_STR("search", 0, N_("TEXT"), NULL), OPT_INT("limit", 0, N_("N"), 1, INT_MAX, NULL),
    OPT_END};
static const struct cli_opt inquiry_text_opts[] = {
    OPT_STR("text", 0, N_("ANSWER"), N_("the answer")), OPT_END};
static const struct cli_opt inquiry_review_opts[] = {
    OPT_FLAG("approve", 0, N_("approve the draft")),
    OPT_STR("answer", 0, N_("CORRECTED"), N_("the corrected answer, approved")),
    OPT_FLAG("return", 0, N_("return the draft with corrections")),
    OPT_STR("note", 0, N_("CORRECTIONS"), NULL), OPT_END};
static const struct cli_opt inquiry_convert_opts[] = {{.name = "impact",
                                                       .type = CLI_INT,
                                                       .arg = N_("1-3"),
                                                       .min = 1,
                                                       .max = 3,
                                                       .flags = CLI_REQUIRED},
                                                      {.name = "urgency",
                                                       .type = CLI_INT,
                                                       .arg = N_("1-3"),
                                                       .min = 1,
                                                       .max = 3,
                                                       .flags = CLI_REQUIRED},
                                                      OPT_STR("category", 0, N_("CATEGORY"), NULL),
                                                      OPT_END};
const struct cli_family inquiry_family = {
    "inquiry",
    (const struct cli_verb[]){
        {"new", NULL, inquiry_new_opts, inquiry_cmd, NULL, 0},
        {"list", NULL, inquiry_list_opts, inquiry_cmd, NULL, CLI_FORMATS},
        {"show", N_("REF"), NULL, inquiry_cmd, NULL, CLI_JSON},
        {"step", N_("REF investigating|in_review|closed|note"), note_opts, inquiry_cmd, NULL, 0},
        {"draft", N_("REF"), inquiry_text_opts, inquiry_cmd, N_("Drafts the answer (--text)."), 0},
        {"review", N_("REF"), inquiry_review_opts, inquiry_cmd,
         N_("--approve [--answer CORRECTED] or --return --note CORRECTIONS. The draft's\n"
            "author cannot review it; an engineer approves."),
         0},
        {"answer", N_("REF"), inquiry_text_opts, inquiry_cmd, N_("Records the answer as sent."), 0},
        {"convert", N_("REF"), inquiry_convert_opts, inquiry_cmd,
         N_("Turns the inquiry into an incident."), 0},
        {0}},
    NULL};

static const struct cli_opt problem_new_opts[] = {
    OPT_REQ("title", 0, N_("TITLE"), NULL), OPT_STR("description", 0, N_("DESCRIPTION"), NULL),
    OPT_STR("owner", 0, N_("LOGIN"), NULL), OPT_END};
static const struct cli_opt problem_list_opts[] = {OPT_STR("status", 0, N_("STATUS"), NULL),
                                                   OPT_END};
static const struct cli_opt problem_update_opts[] = {
    OPT_ENUM("status", 0, "open|investigating|known_error|resolved|closed", NULL),
    OPT_STR("root-cause", 0, N_("TEXT"), NULL),
    OPT_STR("workaround", 0, N_("TEXT"), NULL),
    OPT_STR("permanent-measure", 0, N_("TEXT"), NULL),
    OPT_STR("prevention-status", 0, N_("TEXT"), NULL),
    OPT_DATE("prevention-due", 0, NULL),
    OPT_STR("owner", 0, N_("LOGIN"), NULL),
    OPT_STR("note", 0, N_("NOTE"), NULL),
    OPT_END};
static const struct cli_opt problem_publish_opts[] = {
    OPT_STR("keywords", 0, N_("KEYWORDS"), N_("search keywords of the knowledge entry")), OPT_END};
const struct cli_family problem_family = {
    "problem",
    (const struct cli_verb[]){{"new", NULL, problem_new_opts, problem_cmd, NULL, 0},
                              {"list", NULL, problem_list_opts, problem_cmd, NULL, CLI_FORMATS},
                              {"show", N_("REF"), NULL, problem_cmd, NULL, 0},
                              {"update", N_("REF"), problem_update_opts, problem_cmd, NULL, 0},
                              {"link", N_("REF INCIDENT"), NULL, problem_cmd, NULL, 0},
                              {"publish", N_("REF"), problem_publish_opts, problem_cmd,
                               N_("Publishes the problem's workaround as knowledge."), 0},
                              {0}},
    NULL};

static const struct cli_opt sla_report_opts[] = {
    {.name = "from", .type = CLI_DATE, .arg = N_("YYYY-MM-DD"), .flags = CLI_REQUIRED},
    {.name = "to", .type = CLI_DATE, .arg = N_("YYYY-MM-DD"), .flags = CLI_REQUIRED},
    OPT_FLAG("markdown", 0, N_("print Markdown")),
    OPT_ENUM("section", 0, "sla|sla_total", N_("only this table (one table per CSV)")),
    OPT_STR("dir", 0, N_("DIR"), N_("write each table to DIR/NAME.csv")),
    OPT_STR("xlsx", 0, N_("FILE"), N_("write an Excel workbook (with charts) to FILE")),
    OPT_END};
const struct cli_family sla_family = {
    "sla",
    (const struct cli_verb[]){
        {"show", NULL, NULL, sla_cmd, NULL, CLI_FORMATS},
        {"scan", NULL, NULL, sla_cmd,
         N_("Records an sla_breached event for each step past its target (idempotent)."), 0},
        {"report", NULL, sla_report_opts, sla_cmd, NULL, CLI_FORMATS},
        {0}},
    NULL};

static const struct cli_opt report_daily_opts[] = {
    OPT_DATE("date", 0, N_("the day (default: today, JST)")),
    OPT_FLAG("markdown", 0, N_("print Markdown")),
    OPT_STR("section", 0, N_("NAME"), N_("only the table NAME (one table per CSV)")),
    OPT_STR("dir", 0, N_("DIR"), N_("write each table to DIR/NAME.csv")),
    OPT_STR("xlsx", 0, N_("FILE"), N_("write an Excel workbook to FILE")),
    OPT_END};
static const struct cli_opt report_monthly_opts[] = {
    OPT_MONTH("month", 0, N_("the month (default: this month)")),
    OPT_FLAG("markdown", 0, N_("print Markdown")),
    OPT_STR("section", 0, N_("NAME"), N_("only the table NAME (one table per CSV)")),
    OPT_STR("dir", 0, N_("DIR"), N_("write each table to DIR/NAME.csv")),
    OPT_STR("xlsx", 0, N_("FILE"), N_("write an Excel workbook (with charts) to FILE")),
    OPT_END};
const struct cli_family report_family = {
    "report",
    (const struct cli_verb[]){
        {"daily", N_("[YYYY-MM-DD]"), report_daily_opts, report_cmd,
         N_("The day's work: checklist, jobs, changes, handovers, incidents, inquiries."),
         CLI_FORMATS},
        {"monthly", N_("[YYYY-MM]"), report_monthly_opts, report_cmd, NULL, CLI_FORMATS},
        {0}},
    NULL};

static const struct cli_opt search_opts[] = {
    OPT_ENUM("scope", 0, "incidents|inquiries|knowledge|all", NULL),
    OPT_INT("limit", 0, N_("N"), 1, INT_MAX, NULL),
    OPT_FLAG("rebuild", 0, N_("rebuild the index from the tables")),
    OPT_FLAG("suspend", 0, N_("suspend the index for a bulk load")),
    OPT_FLAG("resume", 0, N_("resume the index (rebuilds it)")),
    OPT_END};
const struct cli_family search_family = {
    "search",
    (const struct cli_verb[]){
        {NULL, N_("TEXT..."), search_opts, search_cmd,
         N_("Every word must match; Japanese needs no spaces. Words of 1-2 characters are\n"
            "matched only against the latest rows (the index needs 3 characters).\n"
            "Bulk loads (unyo demo --generate, import) suspend the index, then resume it:\n"
            "resume rebuilds it from the tables."),
         CLI_FORMATS},
        {0}},
    NULL};
