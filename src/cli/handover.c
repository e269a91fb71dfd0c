/* `unyo handover`: the shift handover (item 98): show, sign, acknowledge, list. */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "checklist.h"
#include "cli.h"
#include "sign.h"
#include "handover.h"
#include "i18n.h"
#include "labels.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

static void print_safe(const char *text)
{
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, text, 1);
    fputs(sb.buf ? sb.buf : "", stdout);
    if (!sb.len || sb.buf[sb.len - 1] != '\n')
        putchar('\n');
    sb_free(&sb);
}

static void jst(const char *iso, char out[32])
{
    int64_t ms;
    if (iso && time_parse(iso, &ms) == 0)
        time_format_jst(ms, out, 0);
    else
        snprintf(out, 32, "%s", iso ? iso : "");
}

static int handover_show(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *date = cli_str(a, "date");
    int markdown = cli_has(a, "markdown") > 0;
    if (a->argc > 0)
        return cli_usage("handover", _("handover show takes no arguments"));
    int64_t now = time_now_ms();
    char day[11];
    struct civil_date d;
    if (date) {
        if (strlen(date) != 10 || civil_parse(date, &d) != 0)
            return cli_usage("handover", _("--date takes YYYY-MM-DD, not %s"), date);
        snprintf(day, sizeof day, "%s", date);
    } else {
        time_format_jst_date(now, day);
        civil_parse(day, &d);
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct handover_records r;
    if (handover_list_day(st, day, &r, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    if (r.count > 0) {
        const struct handover_record *h = &r.items[r.count - 1];
        if (!markdown) {
            char signed_at[32], acked_at[32];
            jst(h->signed_at, signed_at);
            printf(_("Handover %s, shift %s, signed by %s at %s JST"), h->id, label_shift(h->shift),
                   h->from_login, signed_at);
            if (h->to_login)
                printf(_(", to %s"), h->to_login);
            putchar('\n');
            if (h->acked_at) {
                jst(h->acked_at, acked_at);
                printf(_("Acknowledged by %s at %s JST\n"), h->acked_by_login, acked_at);
            } else {
                printf("%s\n", _("Not acknowledged yet (unyo handover ack)"));
            }
            putchar('\n');
        }
        print_safe(h->summary);
        handover_records_free(&r);
        store_close(st);
        return EXIT_OK;
    }
    handover_records_free(&r);
    /* Nothing signed that day: the live summary, as of now or the day's end. */
    int64_t end = jst_to_utc(d.y, d.m, d.d, MINUTES_PER_DAY) * 1000 - 1000;
    int64_t at = now < end ? now : end;
    struct calendar *cal = checklist_calendar_open(&err);
    if (!cal) {
        store_close(st);
        return cli_fail(err);
    }
    struct handover_summary s;
    int rc = handover_build(st, cal, at, &s, &err);
    calendar_free(cal);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    if (!markdown)
        printf("%s\n\n", _("No handover signed yet; the live summary:"));
    char *md = handover_markdown(&s, NULL);
    print_safe(md);
    free(md);
    handover_summary_free(&s);
    return EXIT_OK;
}

static int handover_sign_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *note = cli_str(a, "note"), *to = cli_str(a, "to");
    size_t n_todos;
    const char **todos = cli_all(a, "todo", &n_todos);
    if (a->argc > 0)
        return cli_usage("handover", _("handover sign takes options only"));
    char *err = NULL;
    struct calendar *cal = checklist_calendar_open(&err);
    if (!cal)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        calendar_free(cal);
        return EXIT_FAIL;
    }
    char id[ID_LEN + 1];
    if (cli_sign(st) != 0) {
        calendar_free(cal);
        store_close(st);
        return EXIT_FAIL;
    }
    int rc = handover_sign(st, cal, note, to, todos, n_todos, id, &err);
    calendar_free(cal);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Signed handover %s.\n"), id);
    return EXIT_OK;
}

static int handover_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *month = cli_str(a, "month");
    if (a->argc > 0)
        return cli_usage("handover", _("unexpected argument: %s"), a->argv[0]);
    int y, m;
    if (cli_month(a, "month", &y, &m) != 0)
        return cli_usage("handover", _("--month takes YYYY-MM, not %s"), month);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct handover_records r;
    char *err = NULL;
    int rc = handover_list_month(st, y, m, &r, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {"id",        "day",      "shift",    "from", "to",
                                       "signed_at", "acked_by", "acked_at", "note"};
    const char *headings[] = {
        _("Id"),  _("Day"),          _("Shift"),           _("From"),
        _("To"),  _("Signed (JST)"), _("Acknowledged by"), _("Acknowledged (JST)"),
        _("Note")};
    struct output_table *t = output_new(9, keys, headings);
    for (size_t i = 0; i < r.count; i++) {
        const struct handover_record *h = &r.items[i];
        char signed_at[32], acked_at[32] = "";
        jst(h->signed_at, signed_at);
        if (h->acked_at)
            jst(h->acked_at, acked_at);
        const char *row[] = {
            h->id,       h->day,    h->shift,          h->from_login,
            h->to_login, signed_at, h->acked_by_login, h->acked_at ? acked_at : NULL,
            h->note};
        output_row(t, row);
    }
    if (r.count == 0 && ctx->format == OUTPUT_TEXT)
        printf(_("No handovers in %04d-%02d.\n"), y, m);
    else
        output_print(t, ctx->format, stdout);
    output_free(t);
    handover_records_free(&r);
    return EXIT_OK;
}

static int handover_ack_clear_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    {
        int ack = streq(a->verb, "ack");
        if (a->argc > 1 || (!ack && a->argc != 1))
            return cli_usage("handover", ack ? _("handover ack takes at most one id")
                                             : _("handover clear takes the carried item's id"));
        struct store *st;
        if (cli_open_store(ctx, &st, 1) != 0)
            return EXIT_FAIL;
        char *err = NULL;
        const char *id = a->argc == 1 ? a->argv[0] : NULL;
        if (ack && cli_sign(st) != 0) {
            store_close(st);
            return EXIT_FAIL;
        }
        int rc = ack ? handover_ack(st, id, &err) : handover_clear_item(st, id, &err);
        store_close(st);
        if (rc != 0)
            return cli_fail(err);
        printf("%s\n", ack ? _("Handover acknowledged.") : _("Carried item cleared."));
        return EXIT_OK;
    }
}

/* `unyo handover withdraw [ID]`: the signer takes back a handover nobody has
 * acknowledged; its note and to-dos are printed so it can be signed again. */
static int handover_withdraw_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 1)
        return cli_usage("handover", _("handover withdraw takes at most one id"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    struct handover_withdrawn w = {0};
    int rc = handover_withdraw(st, a->argc == 1 ? a->argv[0] : NULL, &w, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf("%s\n", _("Handover withdrawn: sign it again with unyo handover sign."));
    if (w.note)
        printf(_("Note: %s\n"), w.note);
    if (w.to_login)
        printf(_("To: %s\n"), w.to_login);
    for (size_t i = 0; i < w.n_todos; i++)
        printf(_("To-do: %s\n"), w.todos[i]);
    handover_withdrawn_free(&w);
    return EXIT_OK;
}

static const struct cli_opt handover_show_opts[] = {
    OPT_DATE("date", 'd', N_("the day (default: today)")),
    OPT_FLAG("markdown", 'm', N_("print Markdown")), OPT_END};
static const struct cli_opt handover_sign_opts[] = {
    OPT_STR("note", 'n', N_("TEXT"), N_("a note for the incoming operator")),
    OPT_STR("to", 't', N_("LOGIN"), N_("the incoming operator")),
    OPT_STRS("todo", 'o', N_("TEXT"),
             N_("an item carried into every later handover until cleared")),
    OPT_END};
static const struct cli_opt handover_list_opts[] = {
    OPT_MONTH("month", 'm', N_("the month to list (default: this month)")), OPT_END};
const struct cli_family handover_family = {
    "handover",
    (const struct cli_verb[]){
        {"show", NULL, handover_show_opts, handover_show,
         N_("The latest handover signed that day, or the live summary when none is: open\n"
            "incidents, checks NG or not done, jobs failed or pending, changes in progress,\n"
            "carried items."),
         CLI_DEFAULT},
        {"sign", NULL, handover_sign_opts, handover_sign_cmd,
         N_("The outgoing operator signs; each --todo is carried into every later handover\n"
            "until cleared."),
         0},
        {"ack", N_("[ID]"), NULL, handover_ack_clear_cmd,
         N_("The incoming operator (not the signer) acknowledges; without ID, the latest."), 0},
        {"clear", N_("ITEM"), NULL, handover_ack_clear_cmd, NULL, 0},
        {"withdraw", N_("[ID]"), NULL, handover_withdraw_cmd,
         N_("The signer takes back a handover nobody has acknowledged (without ID, their\n"
            "latest), to sign it again; its note and to-dos are printed."),
         0},
        {"list", NULL, handover_list_opts, handover_list_cmd, NULL, CLI_FORMATS},
        {0}},
    NULL};
