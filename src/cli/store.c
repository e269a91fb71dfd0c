/* Foundation commands: init, operator, calendar, template, export, import, audit. */
#include <limits.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "commands.h"
#include "i18n.h"
#include "ledger_io.h"
#include "operators.h"
#include "paths.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

/* getopt_long keeps state across calls; every command starts afresh. */
static void reset_getopt(void)
{
    optind = 0;
    opterr = 1;
}

int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"template", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    const char *which = "library";
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
        if (c == 't')
            which = optarg;
        else
            return cli_usage("init", _("unknown option"));
    }
    if (optind < argc)
        return cli_usage("init", _("unexpected argument: %s"), argv[optind]);
    if (!streq(which, "library") && !streq(which, "package") && !streq(which, "all"))
        return cli_usage("init", _("--template takes library, package or all"));

    /* Load and check every data file before the store exists, so a broken
     * file leaves nothing behind. */
    char *err = NULL;
    struct template_set set = {0};
    if (templates_load_builtin(paths_datadir(), which, &set, &err) != 0)
        return cli_fail(err);
    struct store *st = NULL;
    if (store_open(ctx->db_path, STORE_CREATE_NEW, &st, &err) != 0) {
        templates_free(&set);
        return cli_fail(err);
    }
    char *libs = xasprintf("%s/libraries.ini", paths_datadir());
    int rc = seed_install_templates(st, &set, &err);
    if (rc == 0)
        rc = seed_install_libraries(st, libs, &err);
    if (rc == 0)
        rc = store_meta_set(st, "template_set", which, &err);
    free(libs);
    size_t count = set.count;
    templates_free(&set);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Created the store %s with %zu work-item templates (%s).\n"), ctx->db_path, count,
           which);
    printf(_("Next: register yourself with: unyo operator add %s --role operator --db %s\n"),
           store_os_login(), ctx->db_path);
    return EXIT_OK;
}

static int operator_list(struct cli_ctx *ctx)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    static const char *const keys[] = {"login", "name", "role", "active", "created_at"};
    const char *headings[] = {_("Login"), _("Name"), _("Role"), _("Active"), _("Registered")};
    struct output_table *t = output_new(5, keys, headings);
    sqlite3_stmt *s = store_stmt(st, "SELECT login, name, role, active, created_at "
                                     "FROM operators WHERE deleted = 0 ORDER BY login");
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        char when[20] = "";
        int64_t ms;
        if (time_parse(col_text(s, 4), &ms) == 0)
            time_format_jst(ms, when, 0);
        const char *row[] = {col_text(s, 0), col_text(s, 1), col_text(s, 2),
                             sqlite3_column_int(s, 3) ? "yes" : "no",
                             ctx->format == OUTPUT_TEXT ? when : col_text(s, 4)};
        output_row(t, row);
    }
    if (step < 0) {
        output_free(t);
        store_close(st);
        return cli_fail(read_err);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    store_close(st);
    return EXIT_OK;
}

int cmd_operator(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("operator", _("say add or list"));
    if (streq(argv[1], "list"))
        return operator_list(ctx);
    if (!streq(argv[1], "add"))
        return cli_usage("operator", _("unknown verb %s: use add or list"), argv[1]);
    static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
                                         {"name", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *role = NULL, *name = NULL;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc - 1, argv + 1, "r:n:", opts, NULL)) != -1) {
        if (c == 'r')
            role = optarg;
        else if (c == 'n')
            name = optarg;
        else
            return cli_usage("operator", _("unknown option"));
    }
    if (optind != argc - 2)
        return cli_usage("operator", _("give exactly one LOGIN"));
    if (!role)
        return cli_usage("operator", _("--role is required (operator, engineer or manager)"));
    const char *login = argv[1 + optind];
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = operator_add(st, login, name, role, NULL, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Registered %s as %s.\n"), login, role);
    return EXIT_OK;
}

int cmd_calendar(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    static const struct option opts[] = {{"month", required_argument, NULL, 'm'},
                                         {"file", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *month = NULL, *file = NULL;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "m:f:", opts, NULL)) != -1) {
        if (c == 'm')
            month = optarg;
        else if (c == 'f')
            file = optarg;
        else
            return cli_usage("calendar", _("unknown option"));
    }
    int y, m;
    if (month) {
        char extra;
        if (sscanf(month, "%4d-%2d%c", &y, &m, &extra) != 2 || m < 1 || m > 12 || y < 1970)
            return cli_usage("calendar", _("--month takes YYYY-MM, not %s"), month);
    } else {
        char today[11];
        time_format_jst_date(time_now_ms(), today);
        sscanf(today, "%4d-%2d", &y, &m);
    }
    char *path = paths_find_data(file, "calendar.ini");
    char *err = NULL;
    struct calendar *cal = path ? calendar_load(path, &err) : calendar_new_default();
    free(path);
    if (!cal)
        return cli_fail(err);
    calendar_print_month(cal, y, m, stdout);
    calendar_free(cal);
    return EXIT_OK;
}

int cmd_template(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || !streq(argv[1], "list"))
        return cli_usage("template", _("say list"));
    static const struct option opts[] = {{"pane", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    const char *pane = NULL;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc - 1, argv + 1, "p:", opts, NULL)) != -1) {
        if (c == 'p')
            pane = optarg;
        else
            return cli_usage("template", _("unknown option"));
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    int ja = streq(i18n_lang(), "ja");
    static const char *const keys[] = {"code",   "source", "item",    "name",
                                       "period", "pane",   "per_host"};
    const char *headings[] = {_("Code"),   _("Source"), _("Item"),    _("Name"),
                              _("Period"), _("Pane"),   _("Per host")};
    struct output_table *t = output_new(7, keys, headings);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT code, source, item_no, name_ja, name_en, period_text, pane, per_host "
            "FROM templates WHERE deleted = 0 AND (?1 IS NULL OR pane = ?1) "
            "ORDER BY source DESC, item_no, code");
    bind_text(s, 1, pane);
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        const char *row[] = {col_text(s, 0),
                             col_text(s, 1),
                             col_text(s, 2),
                             col_text(s, ja ? 3 : 4),
                             col_text(s, 5),
                             col_text(s, 6),
                             sqlite3_column_int(s, 7) ? "yes" : "no"};
        output_row(t, row);
    }
    if (step < 0) {
        output_free(t);
        store_close(st);
        return cli_fail(read_err);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    store_close(st);
    return EXIT_OK;
}

static int parse_dir_options(const char *cmd, int argc, char **argv, const char **dir, int *bom)
{
    static const struct option opts[] = {
        {"csv", required_argument, NULL, 'c'}, {"bom", no_argument, NULL, 'b'}, {NULL, 0, NULL, 0}};
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "c:b", opts, NULL)) != -1) {
        if (c == 'c')
            *dir = optarg;
        else if (c == 'b' && bom)
            *bom = 1;
        else
            return cli_usage(cmd, _("unknown option"));
    }
    if (optind < argc)
        return cli_usage(cmd, _("unexpected argument: %s"), argv[optind]);
    if (!*dir)
        return cli_usage(cmd, _("--csv DIR is required"));
    return EXIT_OK;
}

int cmd_export(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *dir = NULL;
    int bom = 0;
    int rc = parse_dir_options("export", argc, argv, &dir, &bom);
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

int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *dir = NULL;
    int rc = parse_dir_options("import", argc, argv, &dir, NULL);
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

int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"limit", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    long limit = 50;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "l:", opts, NULL)) != -1) {
        if (c == 'l') {
            if (cli_count("audit", "--limit", optarg, 1, INT_MAX, &limit) != 0)
                return EXIT_USAGE;
        } else
            return cli_usage("audit", _("unknown option"));
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    static const char *const keys[] = {"at", "operator", "action", "kind", "row_id", "detail"};
    const char *headings[] = {_("When (JST)"), _("Operator"), _("Action"),
                              _("Kind"),       _("Row"),      _("Detail")};
    struct output_table *t = output_new(6, keys, headings);
    sqlite3_stmt *s =
        store_stmt(st, "SELECT a.at, o.login, a.action, a.kind, a.row_id, a.detail FROM audit a "
                       "LEFT JOIN operators o ON o.id = a.operator_id ORDER BY a.id DESC LIMIT ?1");
    bind_int(s, 1, limit);
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        char when[20] = "";
        int64_t ms;
        if (time_parse(col_text(s, 0), &ms) == 0)
            time_format_jst(ms, when, 1);
        const char *row[] = {ctx->format == OUTPUT_TEXT ? when : col_text(s, 0),
                             col_text(s, 1),
                             col_text(s, 2),
                             col_text(s, 3),
                             col_text(s, 4),
                             col_text(s, 5)};
        output_row(t, row);
    }
    if (step < 0) {
        output_free(t);
        store_close(st);
        return cli_fail(read_err);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    store_close(st);
    return EXIT_OK;
}
