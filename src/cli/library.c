/* `unyo library list|add|rename|retire`: the libraries incidents and inquiries are
 * filed against (loaded from data/libraries.ini at init, kept in the store after). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "labels.h"
#include "libraries.h"
#include "store.h"
#include "util.h"

static int library_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_usage("library", _("unexpected argument: %s"), a->argv[0]);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct library_brief *libs = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = library_list(st, &libs, &n, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {"code", "name_ja", "name_en", "kind"};
    const char *headings[] = {_("Code"), _("Name (Japanese)"), _("Name (English)"), _("Kind")};
    struct output_table *t = output_new(4, keys, headings);
    int text = ctx->format == OUTPUT_TEXT;
    for (size_t i = 0; i < n; i++) {
        const char *row[] = {libs[i].code, libs[i].name_ja, libs[i].name_en,
                             text ? label_library_kind(libs[i].kind) : libs[i].kind};
        output_row(t, row);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    library_list_free(libs, n);
    return EXIT_OK;
}

static int library_add_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("library", _("give exactly one CODE"));
    struct library_fields f = {.code = a->argv[0],
                               .name_ja = cli_str(a, "name"),
                               .name_en = cli_str(a, "name-en"),
                               .kind = cli_str(a, "kind"),
                               .phone = cli_str(a, "phone"),
                               .address = cli_str(a, "address")};
    if (!f.name_ja)
        return cli_usage("library", _("--name is required (the library's Japanese name)"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = library_add(st, &f, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Added the library %s (%s).\n"), f.name_ja, f.code);
    return EXIT_OK;
}

static int library_rename_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("library", _("give exactly one CODE"));
    const char *ja = cli_str(a, "name"), *en = cli_str(a, "name-en");
    if (!ja && !en)
        return cli_usage("library", _("give --name, --name-en or both"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = library_rename(st, a->argv[0], ja, en, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Renamed the library %s.\n"), a->argv[0]);
    return EXIT_OK;
}

static int library_retire_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("library", _("give exactly one CODE"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = library_retire(st, a->argv[0], &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Retired the library %s: it is no longer offered for new records.\n"), a->argv[0]);
    return EXIT_OK;
}

static const struct cli_opt library_add_opts[] = {
    {.name = "name",
     .short_name = 'n',
     .type = CLI_STR,
     .arg = N_("NAME"),
     .flags = CLI_REQUIRED | CLI_NOEMPTY,
     .help = N_("the name in Japanese (北分館)")},
    OPT_STR("name-en", 'e', N_("NAME"), N_("the name in English (default: the Japanese name)")),
    OPT_ENUM("kind", 'k', "central|branch|center|datacenter|office",
             N_("what the site is (default: branch)")),
    OPT_STR("phone", 0, N_("PHONE"), N_("the phone number")),
    OPT_STR("address", 0, N_("POSTAL_ADDRESS"), N_("the address")),
    OPT_END};
static const struct cli_opt library_rename_opts[] = {
    OPT_STR("name", 'n', N_("NAME"), N_("the new name in Japanese")),
    OPT_STR("name-en", 'e', N_("NAME"), N_("the new name in English")), OPT_END};
const struct cli_family library_family = {
    "library",
    (const struct cli_verb[]){
        {"list", NULL, NULL, library_list_cmd, NULL, CLI_FORMATS | CLI_DEFAULT},
        {"add", N_("CODE"), library_add_opts, library_add_cmd,
         N_("CODE is what --library takes (letters, digits, _ and -): KIT2, EKI."), 0},
        {"rename", N_("CODE"), library_rename_opts, library_rename_cmd, NULL, 0},
        {"retire", N_("CODE"), NULL, library_retire_cmd,
         N_("Incidents and inquiries filed against it keep its name."), 0},
        {0}},
    NULL};
