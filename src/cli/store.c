/* Foundation commands: init, operator, calendar, template, export, import, audit. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cli.h"
#include "i18n.h"
#include "jobs.h"
#include "labels.h"
#include "ledger_io.h"
#include "operators.h"
#include "install_dirs.h"
#include "sign.h"
#include "signin.h"
#include "paths.h"
#include "seed_data.h"
#include "store.h"
#include "template_list.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"
#include "workbook.h"

/* What init set up besides the work items: the jobs (and which need a host), the checks
 * and change templates at hand. */
static void init_print_site(const struct seed_site *site, const struct jobs_install_result *jobs)
{
    if (site->with_jobs) {
        printf(_("Installed %d shipped job definitions (unyo jobs list).\n"), jobs->installed);
        if (jobs->unassigned)
            printf(_("%d of them need a host: add your hosts (unyo host add NAME --role DB ...), "
                     "then unyo jobs load places them by role, or unyo jobs assign JOB HOST.\n"),
                   jobs->unassigned);
    }
    struct strbuf names = STRBUF_INIT;
    for (size_t i = 0; i < site->nchanges; i++)
        sb_printf(&names, "%s%s", i ? ", " : "", site->changes[i]);
    printf(_("Shipped checks: %zu (unyo check run); change templates: %s (unyo change new "
             "--template NAME).\n"),
           site->nchecks, names.len ? names.buf : "-");
    sb_free(&names);
}

static int init_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *which = cli_str(a, "template") ? cli_str(a, "template") : "library";
    if (a->argc > 0)
        return cli_usage("init", _("unexpected argument: %s"), a->argv[0]);

    /* Load and check every data file before the store exists, so a broken
     * file leaves nothing behind. */
    char *err = NULL;
    struct template_set set = {0};
    if (templates_load_builtin(install_datadir(), which, &set, &err) != 0)
        return cli_fail(err);
    struct seed_site site;
    if (seed_site_load(which, &site, &err) != 0) {
        templates_free(&set);
        return cli_fail(err);
    }
    struct store *st = NULL;
    if (store_open(ctx->db_path, STORE_CREATE_NEW, &st, &err) != 0) {
        templates_free(&set);
        seed_site_free(&site);
        return cli_fail(err);
    }
    char *libs = xasprintf("%s/libraries.ini", install_datadir());
    struct jobs_install_result jobs = {0};
    int rc = seed_install_templates(st, &set, &err);
    if (rc == 0)
        rc = seed_install_libraries(st, libs, &err);
    if (rc == 0)
        rc = seed_site_install(st, &site, &jobs, &err);
    if (rc == 0)
        rc = store_meta_set(st, "template_set", which, &err);
    free(libs);
    size_t count = set.count;
    templates_free(&set);
    store_close(st);
    if (rc != 0) {
        seed_site_free(&site);
        return cli_fail(err);
    }
    printf(_("Created the store %s with %zu work-item templates (%s).\n"), ctx->db_path, count,
           which);
    init_print_site(&site, &jobs);
    jobs_install_result_clear(&jobs);
    seed_site_free(&site);
    printf(_("Next: open the console with: unyo --db %s\n"
             "It guides you through the first run: you as the first operator (a manager), "
             "the libraries, the hosts and the shift.\n"
             "Or, on the command line: unyo operator add %s --role manager --db %s\n"),
           ctx->db_path, store_os_login(), ctx->db_path);
    return EXIT_OK;
}

static int operator_list(struct cli_ctx *ctx, const struct cli_args *a)
{
    (void)a;
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct operator_row *rows = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = operator_list_all(st, &rows, &n, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {"login", "name", "role", "active", "created_at"};
    const char *headings[] = {_("Login"), _("Name"), _("Role"), _("Active"), _("Registered")};
    struct output_table *t = output_new(5, keys, headings);
    output_booleans(t, "active");
    int text = ctx->format == OUTPUT_TEXT;
    for (size_t i = 0; i < n; i++) {
        const struct operator_row *r = &rows[i];
        char when[20] = "";
        int64_t ms;
        if (time_parse(r->created_at, &ms) == 0)
            time_format_jst(ms, when, 0);
        const char *row[] = {r->login, r->name, text ? label_role(r->role) : r->role,
                             text        ? label_yes_no(r->active)
                             : r->active ? "yes"
                                         : "no",
                             text ? when : r->created_at};
        output_row(t, row);
    }
    operator_rows_free(rows, n);
    output_print(t, ctx->format, stdout);
    output_free(t);
    return EXIT_OK;
}

static int operator_add_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *role = cli_str(a, "role"), *name = cli_str(a, "name");
    if (a->argc != 1)
        return cli_usage("operator", _("give exactly one LOGIN"));
    if (!role)
        return cli_usage("operator",
                         _("--role is required (operator, engineer, manager or observer)"));
    const char *login = a->argv[0];
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = operator_add(st, login, name, role, NULL, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Registered %s as %s.\n"), login, label_role(role));
    return EXIT_OK;
}

static int operator_role_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *role = cli_str(a, "role");
    if (a->argc != 1)
        return cli_usage("operator", _("give exactly one LOGIN"));
    if (!role)
        return cli_usage("operator",
                         _("--role is required (operator, engineer, manager or observer)"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    /* A signed act: the manager's passphrase (a demo or test store asks none). */
    char *err = NULL;
    struct operator_row *cur = NULL;
    size_t n = 0;
    int rc = 0, same = 0;
    if (operator_list_all(st, &cur, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++)
            same |= streq(cur[i].login, a->argv[0]) && streq(cur[i].role, role);
        operator_rows_free(cur, n);
    }
    free(err);
    err = NULL;
    if (!same && operator_may_manage(st, a->argv[0], NULL) == 0 && cli_sign(st) != 0) {
        store_close(st);
        return EXIT_FAIL;
    }
    rc = operator_set_role(st, a->argv[0], role, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("%s is now %s.\n"), a->argv[0], label_role(role));
    return EXIT_OK;
}

/* `calendar --csv|--json`: one row per day, times as HH:MM JST and the day's
 * service time in seconds. */
static int calendar_table(struct cli_ctx *ctx, const struct calendar *cal, int y, int m)
{
    static const char *const wd[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    static const char *const keys[] = {"date",      "weekday",         "open",  "opens_at",
                                       "closes_at", "service_seconds", "reason"};
    struct output_table *t = output_new(7, keys, NULL);
    output_booleans(t, "open");
    output_numbers(t, "service_seconds");
    int n = civil_days_in_month(y, m);
    for (int d = 1; d <= n; d++) {
        struct civil_date day = {y, m, d};
        int o = 0, c = 0;
        const char *reason = NULL;
        int open = calendar_day_hours(cal, day, &o, &c, &reason);
        char date[48], oa[32], ca[32], secs[16];
        snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
        snprintf(oa, sizeof oa, "%02d:%02d", o / 60, o % 60);
        snprintf(ca, sizeof ca, "%02d:%02d", c / 60, c % 60);
        snprintf(secs, sizeof secs, "%d", open ? (c - o) * 60 : 0);
        const char *row[] = {date,
                             wd[civil_weekday(y, m, d)],
                             open ? "true" : "false",
                             open ? oa : NULL,
                             open ? ca : NULL,
                             secs,
                             reason && *reason ? reason : NULL};
        output_row(t, row);
    }
    int rc = output_print(t, ctx->format, stdout);
    output_free(t);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

static int operator_passwd_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 1)
        return cli_usage("operator", _("give at most one LOGIN"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    if (store_refuse_write(st, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    char *login = xstrdup(a->argc == 1 ? a->argv[0] : st->operator_login);
    int rc = -1;
    if (!streq(login, st->operator_login)) {
        /* A manager makes someone set a new passphrase at the next sign-in. */
        int may = operator_may_manage(st, login, &err) == 0;
        free(err);
        err = NULL;
        /* Not allowed: the reset itself says why (and audits it). */
        if (!may || cli_sign(st) == 0)
            rc = signin_reset_passphrase(st, login, &err);
        store_close(st);
        if (rc == 0)
            printf(_("%s sets a new passphrase at the next sign-in.\n"), login);
        free(login);
        return rc == 0 ? EXIT_OK : err ? cli_fail(err) : EXIT_FAIL;
    }
    int state = signin_state(st, login, &err);
    char old[SIGNIN_MAX_LEN + 2] = "", p1[SIGNIN_MAX_LEN + 2] = "", p2[SIGNIN_MAX_LEN + 2] = "";
    rc = state < 0 ? -1 : 0;
    if (rc == 0 && state == SIGNIN_HAS_PASSPHRASE)
        rc = cli_read_passphrase(_("Current passphrase: "), old, sizeof old, &err);
    if (rc == 0)
        rc = cli_read_passphrase(_("New passphrase: "), p1, sizeof p1, &err);
    if (rc == 0)
        rc = cli_read_passphrase(_("New passphrase again: "), p2, sizeof p2, &err);
    if (rc == 0 && !streq(p1, p2)) {
        set_err(&err, _("the two new passphrases differ; nothing was changed"));
        rc = -1;
    }
    if (rc == 0)
        rc = signin_set_passphrase(st, login, old, p1, &err);
    signin_wipe(old, sizeof old), signin_wipe(p1, sizeof p1), signin_wipe(p2, sizeof p2);
    store_close(st);
    if (rc == 0)
        printf(_("The passphrase of %s is set.\n"), login);
    free(login);
    return rc == 0 ? EXIT_OK : cli_fail(err);
}

static int operator_deactivate_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("operator", _("give exactly one LOGIN"));
    const char *login = a->argv[0];
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    if (store_refuse_write(st, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    if (operator_may_manage(st, login, &err) != 0) {
        /* The refusal itself is audited by operator_deactivate. */
        free(err);
        err = NULL;
        int rc = operator_deactivate(st, login, &err);
        store_close(st);
        return rc == 0 ? EXIT_OK : cli_fail(err);
    }
    if (!cli_has(a, "yes")) {
        char *q =
            xasprintf(_("Deactivate %s? They can no longer sign in or act here. (yes/no) "), login);
        int yes = cli_confirm(q);
        free(q);
        if (yes <= 0) {
            store_close(st);
            return cli_fail(yes < 0 ? xstrdup(_("there is no terminal to ask; to deactivate "
                                                "without asking, add --yes"))
                                    : xstrdup(_("nothing was changed")));
        }
    }
    if (cli_sign(st) != 0) {
        store_close(st);
        return EXIT_FAIL;
    }
    int rc = operator_deactivate(st, login, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("%s is deactivated.\n"), login);
    return EXIT_OK;
}

static int calendar_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *month = cli_str(a, "month"), *file = cli_str(a, "file");
    int y, m;
    if (cli_month(a, "month", &y, &m) != 0)
        return cli_usage("calendar", _("--month takes YYYY-MM, not %s"), month);
    char *path = paths_find_data(file, "calendar.ini");
    char *err = NULL;
    struct calendar *cal = path ? calendar_load(path, &err) : calendar_new_default();
    free(path);
    if (!cal)
        return cli_fail(err);
    int rc = EXIT_OK;
    if (ctx->format == OUTPUT_TEXT)
        calendar_print_month(cal, y, m, stdout);
    else
        rc = calendar_table(ctx, cal, y, m);
    calendar_free(cal);
    return rc;
}

static int template_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *pane = cli_str(a, "pane");
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct template_row *rows = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = template_list(st, pane, &rows, &n, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    int ja = streq(i18n_lang(), "ja");
    static const char *const keys[] = {"code",   "source", "item",    "name",
                                       "period", "pane",   "per_host"};
    /* "item" is the work item's number in its source list (seed 002: 1 to 101) */
    const char *headings[] = {_("Code"),   _("Source"), _("No."),     _("Name"),
                              _("Period"), _("Pane"),   _("Per host")};
    struct output_table *t = output_new(7, keys, headings);
    output_booleans(t, "per_host");
    int text = ctx->format == OUTPUT_TEXT;
    for (size_t i = 0; i < n; i++) {
        const struct template_row *r = &rows[i];
        const char *row[] = {r->code,
                             r->source,
                             r->item_no,
                             ja ? r->name_ja : r->name_en,
                             r->period_text,
                             text ? label_pane(r->pane) : r->pane,
                             text          ? label_yes_no(r->per_host)
                             : r->per_host ? "yes"
                                           : "no"};
        output_row(t, row);
    }
    template_rows_free(rows, n);
    output_print(t, ctx->format, stdout);
    output_free(t);
    return EXIT_OK;
}

static int dir_operands(const struct cli_args *a, const char **dir)
{
    if (a->argc > 0)
        return cli_usage(a->noun, _("unexpected argument: %s"), a->argv[0]);
    *dir = cli_str(a, "csv");
    if (!*dir)
        return cli_usage(a->noun, _("--csv DIR is required"));
    return EXIT_OK;
}

static int export_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *dir = NULL, *xlsx = cli_str(a, "xlsx");
    int bom = cli_has(a, "bom") > 0;
    if (xlsx && (cli_str(a, "csv") || bom))
        return cli_usage(a->noun, "%s", _("--xlsx writes one workbook: not with --csv or --bom"));
    if (xlsx) { /* every table as a sheet of one workbook */
        if (a->argc > 0)
            return cli_usage(a->noun, _("unexpected argument: %s"), a->argv[0]);
        struct store *st;
        if (cli_open_store(ctx, &st, 0) != 0)
            return EXIT_FAIL;
        char *err = NULL;
        long long rows = 0;
        int wrc = workbook_export(st, xlsx, &rows, &err);
        store_close(st);
        if (wrc != 0)
            return cli_fail(err);
        fprintf(stderr, _("Exported %lld rows to %s\n"), rows, xlsx);
        return EXIT_OK;
    }
    if (!xlsx && !cli_str(a, "csv"))
        return cli_usage(a->noun, _("--csv DIR or --xlsx FILE is required"));
    int rc = dir_operands(a, &dir);
    if (rc != EXIT_OK)
        return rc;
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    long long rows = 0;
    rc = ledger_export_csv(st, dir, bom, &rows, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    fprintf(stderr, _("Exported %lld rows to %s\n"), rows, dir);
    return EXIT_OK;
}

static int import_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *dir = NULL;
    int rc = dir_operands(a, &dir);
    if (rc != EXIT_OK)
        return rc;
    char *err = NULL;
    struct store *st;
    FILE *probe = fopen(ctx->db_path, "rb");
    int created = 0;
    if (probe)
        fclose(probe);
    if (store_open(ctx->db_path, probe ? STORE_OPEN_EXISTING : STORE_CREATE_NEW, &st, &err) != 0)
        return cli_fail(err);
    created = !probe;
    long long rows = 0;
    rc = ledger_import_csv(st, dir, &rows, &err);
    store_close(st);
    if (rc != 0) {
        /* A store this command created and could not fill is removed: a
         * half-imported file must not be mistaken for the real one. */
        if (created) {
            char *wal = xasprintf("%s-wal", ctx->db_path), *shm = xasprintf("%s-shm", ctx->db_path);
            remove(ctx->db_path);
            remove(wal);
            remove(shm);
            free(wal);
            free(shm);
        }
        return cli_fail(err);
    }
    fprintf(stderr, _("Imported %lld rows from %s into %s\n"), rows, dir, ctx->db_path);
    return EXIT_OK;
}

/* ---- the tables ---- */
static const struct cli_opt init_opts[] = {
    OPT_ENUM("template", 't', "library|package|all",
             N_("which templates to load (default library)")),
    OPT_END};
const struct cli_family init_family = {
    "init",
    (const struct cli_verb[]){
        {NULL, NULL, init_opts, init_cmd,
         N_("Creates a new store (never overwrites one) and loads the shipped work-item\n"
            "templates: library (seed 002, default), package (seed 000) or all."),
         0},
        {0}},
    NULL};

static const struct cli_opt operator_add_opts[] = {
    {.name = "role",
     .short_name = 'r',
     .type = CLI_ENUM,
     .choices = "operator|engineer|manager|observer",
     .flags = CLI_REQUIRED},
    OPT_STR("name", 'n', N_("NAME"), N_("the person's name")),
    OPT_END};
static const struct cli_opt operator_role_opts[] = {
    {.name = "role",
     .short_name = 'r',
     .type = CLI_ENUM,
     .choices = "operator|engineer|manager|observer",
     .flags = CLI_REQUIRED},
    OPT_END};
static const struct cli_opt operator_deactivate_opts[] = {
    OPT_FLAG("yes", 'y', N_("deactivate without asking")), OPT_END};
const struct cli_family operator_family = {
    "operator",
    (const struct cli_verb[]){{"add", N_("LOGIN"), operator_add_opts, operator_add_cmd,
                               N_("LOGIN is the OS user name the person logs in with."), 0},
                              {"role", N_("LOGIN"), operator_role_opts, operator_role_cmd,
                               N_("Changes LOGIN's role: only a manager does, and nobody "
                                  "changes their own role."),
                               0},
                              {"passwd", N_("[LOGIN]"), NULL, operator_passwd_cmd,
                               N_("Without LOGIN: sets your passphrase (asks the current one, "
                                  "then the new\none twice). With LOGIN (a manager): LOGIN "
                                  "sets a new one at the next sign-in."),
                               0},
                              {"deactivate", N_("LOGIN"), operator_deactivate_opts,
                               operator_deactivate_cmd,
                               N_("LOGIN can no longer sign in or act: only a manager does, "
                                  "never to\nthemselves; asks first unless --yes."),
                               0},
                              {"list", NULL, NULL, operator_list, NULL, CLI_FORMATS},
                              {0}},
    NULL};

static const struct cli_opt calendar_opts[] = {
    OPT_MONTH("month", 'm', N_("the month to show (default: this month)")),
    OPT_STR("file", 'f', N_("PATH"), N_("the calendar file")), OPT_END};
const struct cli_family calendar_family = {
    "calendar",
    (const struct cli_verb[]){
        {NULL, NULL, calendar_opts, calendar_cmd,
         N_("Service hours in JST: Sunday 07:00-17:30, other days 07:00-24:00, minus the\n"
            "closed days of the calendar file (default: ~/.config/unyo/calendar.ini, else\n"
            "the shipped data/calendar.ini)."),
         CLI_FORMATS},
        {0}},
    NULL};

static const struct cli_opt template_opts[] = {
    OPT_STR("pane", 'p', N_("PANE"), N_("only the templates of this pane")), OPT_END};
const struct cli_family template_family = {
    "template",
    (const struct cli_verb[]){{"list", NULL, template_opts, template_list_cmd, NULL, CLI_FORMATS},
                              {0}},
    NULL};

static const struct cli_opt export_opts[] = {
    {.name = "csv", .short_name = 'c', .type = CLI_STR, .arg = N_("DIR")},
    OPT_FLAG("bom", 'b',
             N_("for a spreadsheet: a byte-order mark, and values that would run as formulas kept "
                "as text")),
    OPT_STR("xlsx", 0, N_("FILE"), N_("write every table as a sheet of one Excel workbook")),
    OPT_END};
const struct cli_family export_family = {
    "export",
    (const struct cli_verb[]){
        {NULL, NULL, export_opts, export_cmd,
         N_("One RFC 4180 file per table (UTF-8, header row). This is the end-of-service\n"
            "extraction: nothing stored is left out."),
         0},
        {0}},
    NULL};

static const struct cli_opt import_opts[] = {
    {.name = "csv", .short_name = 'c', .type = CLI_STR, .arg = N_("DIR"), .flags = CLI_REQUIRED},
    OPT_END};
const struct cli_family import_family = {
    "import",
    (const struct cli_verb[]){
        {NULL, NULL, import_opts, import_cmd,
         N_("Creates the store named by --db if it does not exist; an existing store must\n"
            "hold no ledger rows. All or nothing."),
         0},
        {0}},
    NULL};
