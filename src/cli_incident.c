/* Ledger commands: incident, inquiry, problem, sla, report. */
#include <limits.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_commands.h"
#include "i18n.h"
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

static void reset_getopt(void)
{
    optind = 0;
    opterr = 1;
}

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

static int parse_level(const char *s, int *out)
{
    if (s && s[0] >= '1' && s[0] <= '3' && s[1] == '\0') {
        *out = s[0] - '0';
        return 0;
    }
    /* anything else ("2x", "abc", "0") is refused by sla_priority with the
     * table's message */
    *out = -1;
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
static int incident_new_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"library", required_argument, NULL, 'l'},  {"channel", required_argument, NULL, 'c'},
        {"title", required_argument, NULL, 't'},    {"description", required_argument, NULL, 'd'},
        {"category", required_argument, NULL, 'k'}, {"impact", required_argument, NULL, 'i'},
        {"urgency", required_argument, NULL, 'u'},  {"reporter", required_argument, NULL, 'r'},
        {"host", required_argument, NULL, 'h'},     {"draft", no_argument, NULL, 'D'},
        {"received", required_argument, NULL, 'R'}, {NULL, 0, NULL, 0}};
    struct incident_new in = {0};
    const char **hosts = NULL;
    const char *impact = NULL, *urgency = NULL, *received = NULL;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            in.library = optarg;
            break;
        case 'c':
            in.channel = optarg;
            break;
        case 't':
            in.title = optarg;
            break;
        case 'd':
            in.description = optarg;
            break;
        case 'k':
            in.category = optarg;
            break;
        case 'i':
            impact = optarg;
            break;
        case 'u':
            urgency = optarg;
            break;
        case 'r':
            in.reporter = optarg;
            break;
        case 'h':
            hosts = xrealloc(hosts, (in.nhosts + 1) * sizeof *hosts);
            hosts[in.nhosts++] = optarg;
            break;
        case 'D':
            in.draft = 1;
            break;
        case 'R':
            received = optarg;
            break;
        default:
            free(hosts);
            return cli_usage("incident", _("unknown option"));
        }
    }
    in.hosts = hosts;
    if (optind < argc) {
        free(hosts);
        return cli_usage("incident", _("unexpected argument: %s"), argv[optind]);
    }
    if (!in.library || !in.channel || !in.title || !impact || !urgency) {
        free(hosts);
        return cli_usage("incident",
                         _("new needs --library, --channel, --title, --impact and --urgency"));
    }
    if (received && time_parse(received, &in.received) != 0) {
        free(hosts);
        return cli_usage("incident", _("--received takes a time such as \"2026-11-22 09:30\""));
    }
    parse_level(impact, &in.impact);
    parse_level(urgency, &in.urgency);
    struct sla *sla = load_sla();
    if (!sla) {
        free(hosts);
        return EXIT_FAIL;
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        sla_free(sla);
        free(hosts);
        return EXIT_FAIL;
    }
    char *err = NULL, ref[24];
    int rc = incident_create(st, sla, &in, NULL, ref, &err);
    free(hosts);
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

static int incident_list_cmd(struct cli_ctx *ctx, int argc, char **argv, int inbox)
{
    static const struct option opts[] = {
        {"status", required_argument, NULL, 's'},   {"priority", required_argument, NULL, 'p'},
        {"library", required_argument, NULL, 'l'},  {"category", required_argument, NULL, 'c'},
        {"assignee", required_argument, NULL, 'a'}, {"sla", required_argument, NULL, 'S'},
        {"search", required_argument, NULL, 'q'},   {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'o'},   {NULL, 0, NULL, 0}};
    struct incident_filter f = {.inbox = inbox};
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            f.status = optarg;
            break;
        case 'p':
            f.priority = optarg;
            break;
        case 'l':
            f.library = optarg;
            break;
        case 'c':
            f.category = optarg;
            break;
        case 'a':
            f.assignee = optarg;
            break;
        case 'S':
            if (state_filter(optarg, &f.sla) != 0)
                return cli_usage("incident", _("--sla takes ok, warning or breached"));
            break;
        case 'q':
            f.search = optarg;
            break;
        case 'n':
        case 'o': {
            long v;
            if (cli_count("incident", c == 'n' ? "--limit" : "--offset", optarg, c == 'n', INT_MAX,
                          &v) != 0)
                return EXIT_USAGE;
            *(c == 'n' ? &f.limit : &f.offset) = (int)v;
            break;
        }
        default:
            return cli_usage("incident", _("unknown option"));
        }
    }
    if (optind < argc)
        return cli_usage("incident", _("unexpected argument: %s"), argv[optind]);
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
                                       "sla_left", "title",       "id"};
    const char *headings[] = {_("Ref"),     _("Received"), _("Pri"),      _("Status"),
                              _("Library"), _("Category"), _("Assignee"), _("SLA"),
                              _("Left"),    _("Title"),    _("Id")};
    int ncols = ctx->format == OUTPUT_TEXT ? 10 : 11;
    struct output_table *t = output_new(ncols, keys, headings);
    for (size_t i = 0; i < n; i++) {
        struct incident *r = &rows[i];
        char when[TIME_ISO_LEN + 1], left[24] = "-";
        if (ctx->format == OUTPUT_TEXT)
            fmt_jst(r->received, when);
        else
            fmt_iso(r->received, when);
        /* Time left on the clock that runs now (recovery once acknowledged). */
        for (int k = 0; k < SLA_NSTEPS; k++) {
            enum sla_state s = r->sla.step[k].state;
            if (s == SLA_OK || s == SLA_WARNING || s == SLA_BREACHED) {
                fmt_dur(r->sla.step[k].left, left, sizeof left);
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
            r->id};
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

static void json_kv(struct strbuf *sb, const char *k, const char *v, int comma)
{
    if (comma)
        sb_putc(sb, ',');
    json_string(sb, k);
    sb_putc(sb, ':');
    if (v)
        json_string(sb, v);
    else
        sb_puts(sb, "null");
}

static int incident_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
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
    if (incident_get(st, sla, argv[1], now, &inc, &err) != 0 ||
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
        json_kv(&sb, "id", inc.id, 0);
        json_kv(&sb, "ref", inc.ref, 1);
        json_kv(&sb, "library", inc.library_code, 1);
        json_kv(&sb, "channel", inc.channel, 1);
        json_kv(&sb, "reporter", inc.reporter, 1);
        json_kv(&sb, "title", inc.title, 1);
        json_kv(&sb, "description", inc.description, 1);
        json_kv(&sb, "category", inc.category, 1);
        sb_printf(&sb, ",\"impact\":%d,\"urgency\":%d", inc.impact, inc.urgency);
        json_kv(&sb, "priority", inc.priority, 1);
        json_kv(&sb, "status", inc.status, 1);
        json_kv(&sb, "assignee", inc.assignee_login, 1);
        fmt_iso(inc.received, b[0]);
        json_kv(&sb, "received_at", b[0], 1);
        json_kv(&sb, "acknowledged_at", ledger_iso(inc.acknowledged, b[1]), 1);
        json_kv(&sb, "first_response_at", ledger_iso(inc.first_response, b[2]), 1);
        json_kv(&sb, "recovered_at", ledger_iso(inc.recovered, b[3]), 1);
        json_kv(&sb, "closed_at", ledger_iso(inc.closed, b[4]), 1);
        json_kv(&sb, "sla_paused_since", ledger_iso(inc.paused_since, b[5]), 1);
        json_kv(&sb, "notified_to", inc.notified_to, 1);
        sb_puts(&sb, ",\"sla\":{");
        json_kv(&sb, "state", sla_state_key(inc.sla.overall), 0);
        for (int k = 0; k < SLA_NSTEPS; k++) {
            const struct sla_step_status *s = &inc.sla.step[k];
            sb_putc(&sb, ',');
            json_string(&sb, sla_step_key((enum sla_step)k));
            sb_printf(&sb,
                      ":{\"target_seconds\":%lld,\"elapsed_seconds\":%lld,"
                      "\"left_seconds\":%lld",
                      (long long)s->target, (long long)s->elapsed, (long long)s->left);
            json_kv(&sb, "due",
                    s->due != INT64_MAX && s->due > 0 ? ledger_iso(s->due * 1000, b[6]) : NULL, 1);
            json_kv(&sb, "state", sla_state_key(s->state), 1);
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "},\"events\":[");
        for (size_t i = 0; i < nev; i++) {
            sb_puts(&sb, i ? ",{" : "{");
            json_kv(&sb, "kind", ev[i].kind, 0);
            fmt_iso(ev[i].at, b[7]);
            json_kv(&sb, "at", b[7], 1);
            json_kv(&sb, "by", ev[i].operator_login, 1);
            json_kv(&sb, "note", ev[i].note, 1);
            sb_puts(&sb, ",\"data\":");
            sb_puts(&sb, ev[i].data ? ev[i].data : "null");
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "],\"links\":[");
        for (size_t i = 0; i < nl; i++) {
            sb_puts(&sb, i ? ",{" : "{");
            json_kv(&sb, "kind", links[i].kind, 0);
            json_kv(&sb, "id", links[i].id, 1);
            json_kv(&sb, "label", links[i].label, 1);
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
        put_clean(_("Assignee"), inc.assignee_login);
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
            if (ev[i].data) {
                sb_putc(&sb, ' ');
                text_sanitize(&sb, ev[i].data, 0);
            }
            puts(sb.buf);
            sb_free(&sb);
        }
        if (nl) {
            printf("\n%s\n", _("Links"));
            for (size_t i = 0; i < nl; i++) {
                struct strbuf sb = STRBUF_INIT;
                sb_printf(&sb, "  %-10s ", links[i].kind);
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

static int incident_step_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
                                         {"assignee", required_argument, NULL, 'a'},
                                         {"to", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    struct incident_step_args a = {0};
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n')
            a.note = optarg;
        else if (c == 'a')
            a.assignee = optarg;
        else if (c == 't')
            a.to = optarg;
        else
            return cli_usage("incident", _("unknown option"));
    }
    if (argc - optind != 2)
        return cli_usage("incident", _("step needs REF and STEP"));
    struct sla *sla;
    struct store *st;
    if (open_sla_store(ctx, 1, &sla, &st) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = incident_step(st, sla, argv[optind], argv[optind + 1], &a, &err);
    if (rc == 0)
        printf(_("%s: %s recorded.\n"), argv[optind], incident_status_name(argv[optind + 1]));
    store_close(st);
    sla_free(sla);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

static int incident_simple_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    /* submit REF | link REF KIND ID [--note N] */
    const char *note = NULL;
    if (cli_option("incident", argc, argv, "note", &note) != 0)
        return EXIT_USAGE;
    int submit = streq(argv[0], "submit");
    if (argc - optind != (submit ? 1 : 3))
        return cli_usage("incident", submit ? _("submit needs REF") : _("link needs REF KIND ID"));
    struct sla *sla;
    struct store *st;
    if (open_sla_store(ctx, 1, &sla, &st) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = submit
                 ? incident_submit(st, sla, argv[optind], &err)
                 : incident_link(st, argv[optind], argv[optind + 1], argv[optind + 2], note, &err);
    if (rc == 0)
        printf(_("%s: done.\n"), argv[optind]);
    store_close(st);
    sla_free(sla);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

int cmd_incident(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("incident", _("say new, list, show, step, submit, inbox or link"));
    const char *verb = argv[1];
    if (streq(verb, "new"))
        return incident_new_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "list"))
        return incident_list_cmd(ctx, argc - 1, argv + 1, 0);
    if (streq(verb, "inbox"))
        return incident_list_cmd(ctx, argc - 1, argv + 1, 1);
    if (streq(verb, "show"))
        return incident_show_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "step"))
        return incident_step_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "submit") || streq(verb, "link"))
        return incident_simple_cmd(ctx, argc - 1, argv + 1);
    return cli_usage("incident",
                     _("unknown verb %s: use new, list, inbox, show, step, submit or link"), verb);
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
        json_kv(&sb, "id", q.id, 0);
        json_kv(&sb, "ref", q.ref, 1);
        json_kv(&sb, "library", q.library_code, 1);
        json_kv(&sb, "channel", q.channel, 1);
        json_kv(&sb, "reporter", q.reporter, 1);
        json_kv(&sb, "title", q.title, 1);
        json_kv(&sb, "question", q.question, 1);
        json_kv(&sb, "status", q.status, 1);
        json_kv(&sb, "draft_answer", q.draft_answer, 1);
        json_kv(&sb, "draft_by", q.draft_by_login, 1);
        json_kv(&sb, "reviewer", q.reviewer_login, 1);
        json_kv(&sb, "answer", q.answer, 1);
        json_kv(&sb, "incident", q.incident_ref, 1);
        fmt_iso(q.received, when);
        json_kv(&sb, "received_at", when, 1);
        sb_puts(&sb, ",\"events\":[");
        for (size_t i = 0; i < n; i++) {
            sb_puts(&sb, i ? ",{" : "{");
            json_kv(&sb, "kind", ev[i].kind, 0);
            fmt_iso(ev[i].at, when);
            json_kv(&sb, "at", when, 1);
            json_kv(&sb, "by", ev[i].operator_login, 1);
            json_kv(&sb, "note", ev[i].note, 1);
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
            puts(sb.buf);
            sb_free(&sb);
        }
    }
    ledger_events_free(ev, n);
    inquiry_clear(&q);
    return EXIT_OK;
}

int cmd_inquiry(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("inquiry",
                         _("say new, list, show, step, draft, review, answer or convert"));
    const char *verb = argv[1];
    static const struct option opts[] = {{"library", required_argument, NULL, 'l'},
                                         {"channel", required_argument, NULL, 'c'},
                                         {"title", required_argument, NULL, 't'},
                                         {"question", required_argument, NULL, 'Q'},
                                         {"reporter", required_argument, NULL, 'r'},
                                         {"status", required_argument, NULL, 's'},
                                         {"search", required_argument, NULL, 'q'},
                                         {"note", required_argument, NULL, 'n'},
                                         {"text", required_argument, NULL, 'x'},
                                         {"answer", required_argument, NULL, 'A'},
                                         {"approve", no_argument, NULL, 'Y'},
                                         {"return", no_argument, NULL, 'N'},
                                         {"impact", required_argument, NULL, 'i'},
                                         {"urgency", required_argument, NULL, 'u'},
                                         {"category", required_argument, NULL, 'k'},
                                         {"limit", required_argument, NULL, 'L'},
                                         {NULL, 0, NULL, 0}};
    const char *library = NULL, *channel = NULL, *title = NULL, *question = NULL;
    const char *reporter = NULL, *status = NULL, *search = NULL, *note = NULL, *text = NULL;
    const char *answer = NULL, *impact = NULL, *urgency = NULL, *category = NULL;
    int approve = -1, limit = 0, c;
    reset_getopt();
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            library = optarg;
            break;
        case 'c':
            channel = optarg;
            break;
        case 't':
            title = optarg;
            break;
        case 'Q':
            question = optarg;
            break;
        case 'r':
            reporter = optarg;
            break;
        case 's':
            status = optarg;
            break;
        case 'q':
            search = optarg;
            break;
        case 'n':
            note = optarg;
            break;
        case 'x':
            text = optarg;
            break;
        case 'A':
            answer = optarg;
            break;
        case 'Y':
            approve = 1;
            break;
        case 'N':
            approve = 0;
            break;
        case 'i':
            impact = optarg;
            break;
        case 'u':
            urgency = optarg;
            break;
        case 'k':
            category = optarg;
            break;
        case 'L': {
            long v;
            if (cli_count("inquiry", "--limit", optarg, 1, INT_MAX, &v) != 0)
                return EXIT_USAGE;
            limit = (int)v;
            break;
        }
        default:
            return cli_usage("inquiry", _("unknown option"));
        }
    }
    char **pos = argv + 1 + optind;
    int npos = argc - 1 - optind;
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
        rc = inquiry_review(st, pos[0], approve, note, answer, &err);
    } else if (streq(verb, "answer")) {
        rc = inquiry_answer(st, pos[0], text, &err);
    } else if (streq(verb, "convert")) {
        if (!impact || !urgency) {
            store_close(st);
            return cli_usage("inquiry", _("convert needs --impact and --urgency"));
        }
        struct sla *sla = load_sla();
        if (!sla) {
            store_close(st);
            return EXIT_FAIL;
        }
        int im, ur;
        parse_level(impact, &im);
        parse_level(urgency, &ur);
        char ref[24];
        rc = inquiry_convert(st, sla, pos[0], im, ur, category, ref, &err);
        if (rc == 0)
            printf(_("%s became incident %s.\n"), pos[0], ref);
        sla_free(sla);
    } else {
        store_close(st);
        return cli_usage(
            "inquiry",
            _("unknown verb %s: use new, list, show, step, draft, review, answer or convert"),
            verb);
    }
    if (rc == 0 && !streq(verb, "new") && !streq(verb, "list") && !streq(verb, "convert"))
        printf(_("%s: done.\n"), pos[0]);
    store_close(st);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

/* ---- problem ---- */
int cmd_problem(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("problem", _("say new, list, show, update, link or publish"));
    const char *verb = argv[1];
    static const struct option opts[] = {{"title", required_argument, NULL, 't'},
                                         {"description", required_argument, NULL, 'd'},
                                         {"owner", required_argument, NULL, 'o'},
                                         {"status", required_argument, NULL, 's'},
                                         {"root-cause", required_argument, NULL, 'r'},
                                         {"workaround", required_argument, NULL, 'w'},
                                         {"permanent-measure", required_argument, NULL, 'p'},
                                         {"prevention-status", required_argument, NULL, 'P'},
                                         {"prevention-due", required_argument, NULL, 'D'},
                                         {"note", required_argument, NULL, 'n'},
                                         {"keywords", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    const char *title = NULL, *description = NULL, *keywords = NULL;
    struct problem_update u = {0};
    int c;
    reset_getopt();
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            title = optarg;
            break;
        case 'd':
            description = optarg;
            break;
        case 'o':
            u.owner_login = optarg;
            break;
        case 's':
            u.status = optarg;
            break;
        case 'r':
            u.root_cause = optarg;
            break;
        case 'w':
            u.workaround = optarg;
            break;
        case 'p':
            u.permanent_measure = optarg;
            break;
        case 'P':
            u.prevention_status = optarg;
            break;
        case 'D':
            u.prevention_due = optarg;
            break;
        case 'n':
            u.note = optarg;
            break;
        case 'k':
            keywords = optarg;
            break;
        default:
            return cli_usage("problem", _("unknown option"));
        }
    }
    char **pos = argv + 1 + optind;
    int npos = argc - 1 - optind;
    if (!streq(verb, "new") && !streq(verb, "list") && npos < 1)
        return cli_usage("problem", _("%s needs REF"), verb);
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
    } else {
        store_close(st);
        return cli_usage("problem", _("unknown verb: %s"), verb);
    }
    if (rc == 0 && (streq(verb, "update") || streq(verb, "link")))
        printf(_("%s: done.\n"), pos[0]);
    store_close(st);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

/* ---- sla and report ---- */
/* The options of `unyo CMD VERB`: --NAME1 V, --NAME2 V and --markdown. 0, or
 * the usage error (EXIT_USAGE). */
static int report_options(const char *cmd, int argc, char **argv, const char *name1,
                          const char **v1, const char *name2, const char **v2, int *markdown)
{
    const struct option opts[] = {{name1, required_argument, NULL, '1'},
                                  {name2, required_argument, NULL, '2'},
                                  {"markdown", no_argument, NULL, 'm'},
                                  {NULL, 0, NULL, 0}};
    int c;
    reset_getopt();
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (c == '1')
            *v1 = optarg;
        else if (c == '2')
            *v2 = optarg;
        else if (c == 'm')
            *markdown = 1;
        else
            return cli_usage(cmd, _("unknown option"));
    }
    return 0;
}

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

/* Prints r, or fails with *err (set by whatever made r) when r is NULL. */
static int print_report(struct cli_ctx *ctx, int markdown, struct report *r, char **err)
{
    if (!r)
        return cli_fail(*err);
    report_print(r, report_fmt(ctx, markdown), stdout);
    report_free(r);
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

int cmd_sla(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("sla", _("say show, scan or report"));
    const char *verb = argv[1];
    const char *from = NULL, *to = NULL;
    int markdown = 0;
    if (report_options("sla", argc, argv, "from", &from, "to", &to, &markdown) != 0)
        return EXIT_USAGE;
    struct sla *sla = load_sla();
    if (!sla)
        return EXIT_FAIL;
    int rc = EXIT_OK;
    if (streq(verb, "show")) {
        static const char *const keys[] = {"priority", "acknowledge", "first_response", "recovery"};
        const char *h[] = {_("Priority"), sla_step_name(SLA_ACK), sla_step_name(SLA_FIRST),
                           sla_step_name(SLA_RECOVERY)};
        struct output_table *t = output_new(4, keys, h);
        for (int p = 0; p < SLA_NPRIO; p++) {
            char pr[4], v[3][16];
            snprintf(pr, sizeof pr, "P%d", p + 1);
            for (int k = 0; k < 3; k++)
                snprintf(v[k], sizeof v[k], "%d", sla->cfg.target_min[p][k]);
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
            rc = print_report(ctx, markdown, report_sla(st, sla, from, to, time_now_ms(), &err),
                              &err);
        }
        store_close(st);
    } else {
        rc = cli_usage("sla", _("unknown verb: %s"), verb);
    }
    sla_free(sla);
    return rc;
}

int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("report", _("say daily or monthly"));
    const char *verb = argv[1];
    const char *date = NULL, *month = NULL;
    int markdown = 0;
    if (report_options("report", argc, argv, "date", &date, "month", &month, &markdown) != 0)
        return EXIT_USAGE;
    int daily = streq(verb, "daily");
    if (!daily && !streq(verb, "monthly"))
        return cli_usage("report", _("unknown verb: %s"), verb);
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
    if (daily) { /* the day's work too: checklist, jobs, changes, handovers */
        struct daily_report *d = daily_report_build(st, sla, sla->cal, date, now, &err);
        if (!d) {
            rc = cli_fail(err);
        } else {
            daily_report_print(d, report_fmt(ctx, markdown), stdout);
            daily_report_free(d);
        }
        store_close(st);
        sla_free(sla);
        return rc;
    }
    rc = print_report(ctx, markdown, report_monthly(st, sla, month, now, &err), &err);
    store_close(st);
    sla_free(sla);
    return rc;
}

/* ---- search ---- */
int cmd_search(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"scope", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'n'},
        {"rebuild", no_argument, NULL, 'R'},     {"suspend", no_argument, NULL, 'S'},
        {"resume", no_argument, NULL, 'r'},      {NULL, 0, NULL, 0}};
    int scope = SEARCH_ALL, limit = 50, action = 0, c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's') {
            if (streq(optarg, "incidents"))
                scope = SEARCH_INCIDENTS;
            else if (streq(optarg, "inquiries"))
                scope = SEARCH_INQUIRIES;
            else if (streq(optarg, "knowledge"))
                scope = SEARCH_KNOWLEDGE;
            else if (streq(optarg, "all"))
                scope = SEARCH_ALL;
            else
                return cli_usage("search",
                                 _("--scope takes incidents, inquiries, knowledge or all"));
        } else if (c == 'n') {
            long v;
            if (cli_count("search", "--limit", optarg, 1, INT_MAX, &v) != 0)
                return EXIT_USAGE;
            limit = (int)v;
        } else if (c == 'R' || c == 'S' || c == 'r') {
            action = c;
        } else {
            return cli_usage("search", _("unknown option"));
        }
    }
    if (!action && argc - optind < 1)
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
        for (int i = optind; i < argc; i++) {
            if (q.len)
                sb_putc(&q, ' ');
            sb_puts(&q, argv[i]);
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
