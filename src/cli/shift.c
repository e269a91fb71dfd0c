/* `unyo shift`: the monthly shift schedule (item 20 シフト表) and who is on duty now. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "input_norm.h"
#include "labels.h"
#include "shifts.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static const char *shift_name(const struct shift_defs *defs, const char *code)
{
    const struct shift_def *d = shift_def_find(defs, code);
    if (!d)
        return label_shift(code);
    return streq(i18n_lang(), "ja") ? d->name_ja : d->name_en;
}

static void print_entries(struct cli_ctx *ctx, const struct shift_defs *defs,
                          const struct shift_list *l)
{
    static const char *const keys[] = {"day",  "shift", "shift_name", "login",
                                       "name", "start", "end"};
    const char *headings[] = {_("Day"),  _("Shift"), _("Shift name"), _("Login"),
                              _("Name"), _("Start"), _("End")};
    /* A person reads the shift's name; the code (what `shift set` takes) is
     * machine data (--csv, --json). */
    int text = ctx->format == OUTPUT_TEXT;
    static const char *const text_keys[] = {"day", "shift_name", "login", "name", "start", "end"};
    const char *text_headings[] = {_("Day"),  _("Shift"), _("Login"),
                                   _("Name"), _("Start"), _("End")};
    struct output_table *t =
        text ? output_new(6, text_keys, text_headings) : output_new(7, keys, headings);
    for (size_t i = 0; i < l->count; i++) {
        const struct shift_entry *e = &l->items[i];
        const char *row[] = {e->day,     e->shift, shift_name(defs, e->shift),
                             e->login,   e->name,  e->start_time,
                             e->end_time};
        const char *text_row[] = {
            e->day, shift_name(defs, e->shift), e->login, e->name, e->start_time, e->end_time};
        output_row(t, text ? text_row : row);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
}

static int shift_list_cmd(struct cli_ctx *ctx, const struct cli_args *a,
                          const struct shift_defs *defs)
{
    const char *month = cli_str(a, "month");
    if (a->argc > 0)
        return cli_usage("shift", _("unexpected argument: %s"), a->argv[0]);
    int y, m;
    if (cli_month(a, "month", &y, &m) != 0)
        return cli_usage("shift", _("--month takes YYYY-MM, not %s"), month);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct shift_list l;
    char *err = NULL;
    int rc = shift_list_month(st, y, m, &l, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    if (l.count == 0 && ctx->format == OUTPUT_TEXT)
        printf(_("No shifts are scheduled in %04d-%02d.\n"), y, m);
    else
        print_entries(ctx, defs, &l);
    shift_list_free(&l);
    return EXIT_OK;
}

static int shift_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *verb = a->verb;
    struct shift_defs defs;
    char *err = NULL;
    if (shift_defs_load_default(&defs, &err) != 0)
        return cli_fail(err);
    int rc;
    struct store *st;
    if (streq(verb, "list")) {
        rc = shift_list_cmd(ctx, a, &defs);
    } else if (streq(verb, "set")) {
        if (a->argc != 3) {
            rc = cli_usage("shift", _("shift set takes DAY SHIFT LOGIN"));
        } else if (cli_open_store(ctx, &st, 1) != 0) {
            rc = EXIT_FAIL;
        } else {
            char *day = input_norm_date(a->argv[0]); /* "２０２６／１２／０７" */
            rc = shift_set(st, &defs, day, a->argv[1], a->argv[2], NULL, &err);
            store_close(st);
            if (rc != 0) {
                rc = cli_fail(err);
            } else {
                const struct shift_def *d = shift_def_find(&defs, a->argv[1]);
                printf(_("%s %s (%s-%s): %s\n"), day, shift_name(&defs, a->argv[1]), d->start,
                       d->end, a->argv[2]);
                rc = EXIT_OK;
            }
            free(day);
        }
    } else if (streq(verb, "clear")) {
        if (a->argc != 2) {
            rc = cli_usage("shift", _("shift clear takes DAY SHIFT"));
        } else if (cli_open_store(ctx, &st, 1) != 0) {
            rc = EXIT_FAIL;
        } else {
            char *day = input_norm_date(a->argv[0]);
            rc = shift_clear(st, day, a->argv[1], &err);
            free(day);
            store_close(st);
            rc = rc != 0 ? cli_fail(err) : EXIT_OK;
        }
    } else if (streq(verb, "start")) {
        if (a->argc > 1) {
            rc = cli_usage("shift", _("shift start takes at most one SHIFT"));
        } else if (cli_open_store(ctx, &st, 1) != 0) {
            rc = EXIT_FAIL;
        } else {
            struct shift_start_info in;
            rc = shift_start(st, &defs, a->argc ? a->argv[0] : NULL, time_now_ms(), &in, &err);
            store_close(st);
            if (rc != 0) {
                rc = cli_fail(err);
            } else {
                char *msg = shift_start_message(&defs, &in);
                printf("%s\n", msg);
                free(msg);
                shift_start_info_free(&in);
                rc = EXIT_OK;
            }
        }
    } else if (streq(verb, "now")) {
        if (a->argc != 0) {
            rc = cli_usage("shift", _("shift now takes no arguments"));
        } else if (cli_open_store(ctx, &st, 0) != 0) {
            rc = EXIT_FAIL;
        } else {
            struct shift_list l;
            rc = shift_on_duty(st, time_now_ms(), &l, &err);
            store_close(st);
            if (rc != 0) {
                rc = cli_fail(err);
            } else {
                if (l.count == 0 && ctx->format == OUTPUT_TEXT)
                    printf(_("Nobody is on shift now.\n"));
                else
                    print_entries(ctx, &defs, &l);
                shift_list_free(&l);
                rc = EXIT_OK;
            }
        }
    } else {
        rc = EXIT_USAGE;
    }
    shift_defs_free(&defs);
    return rc;
}

static const struct cli_opt shift_list_opts[] = {
    OPT_MONTH("month", 'm', N_("the month to list (default: this month)")), OPT_END};
const struct cli_family shift_family = {
    "shift",
    (const struct cli_verb[]){
        {"list", NULL, shift_list_opts, shift_cmd, NULL, CLI_FORMATS},
        {"set", N_("DAY SHIFT LOGIN"), NULL, shift_cmd,
         N_("Puts LOGIN on SHIFT (a code of shifts.ini: early, late, sunday ...) of DAY,\n"
            "replacing whoever was there (the change is kept in the audit trail)."),
         0},
        {"clear", N_("DAY SHIFT"), NULL, shift_cmd, NULL, 0},
        {"start", N_("[SHIFT]"), NULL, shift_cmd,
         N_("You start SHIFT (a code or name: early, 早番 ...; default: the shift of this hour)\n"
            "as the operator at the keyboard; taking over from whoever started it names\n"
            "both in the audit trail. The console's status line shows the shift."),
         0},
        {"now", NULL, NULL, shift_cmd, N_("Who is on shift at this moment (JST)."), CLI_FORMATS},
        {0}},
    NULL};
