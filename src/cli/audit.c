/* `unyo audit`: the audit trail, and the records' verification (issue 14). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "central.h"
#include "chain.h"
#include "cli.h"
#include "config.h"
#include "i18n.h"
#include "output.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static int audit_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    long limit = cli_int(a, "limit", 50);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct audit_row *rows = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = audit_list(st, limit, &rows, &n, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {"at", "operator", "action", "kind", "row_id", "detail"};
    const char *headings[] = {_("When (JST)"), _("Operator"), _("Action"),
                              _("Kind"),       _("Row"),      _("Detail")};
    struct output_table *t = output_new(6, keys, headings);
    for (size_t i = 0; i < n; i++) {
        const struct audit_row *r = &rows[i];
        char when[20] = "";
        int64_t ms;
        if (time_parse(r->at, &ms) == 0)
            time_format_jst(ms, when, 1);
        const char *row[] = {ctx->format == OUTPUT_TEXT ? when : r->at,
                             r->operator_login,
                             r->action,
                             r->kind,
                             r->row_id,
                             r->detail};
        output_row(t, row);
    }
    audit_rows_free(rows, n);
    output_print(t, ctx->format, stdout);
    output_free(t);
    return EXIT_OK;
}

static int audit_verify_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_usage("audit", _("unexpected argument: %s"), a->argv[0]);
    /* The central database's record of this console's chain, when sync is set up. */
    const char *url = cli_str(a, "url");
    struct config *cfg = NULL;
    if (!url || !*url) {
        char *e = NULL;
        cfg = config_load(NULL, &e);
        free(e);
        url = cfg ? config_get(cfg, "sync", "url") : NULL;
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0) {
        config_free(cfg);
        return EXIT_FAIL;
    }
    struct chain_report r;
    char *err = NULL;
    if (chain_verify(st, &r, &err) != 0) {
        store_close(st);
        config_free(cfg);
        return cli_fail(err);
    }
    long long heads = -1;
    if (url && *url) {
        PGconn *c = NULL;
        if (central_connect(url, &c, &err) != 0 ||
            chain_check_central(st, c, &heads, &r, &err) != 0) {
            char *clean = central_scrub(url, err);
            fprintf(stderr,
                    _("unyo: warning: the chain could not be compared with the central "
                      "database: %s\n"),
                    clean);
            free(clean);
            free(err);
            err = NULL;
            heads = -1;
        }
        PQfinish(c);
    }
    store_close(st);
    config_free(cfg);
    for (size_t i = 0; i < r.n; i++)
        printf("%s\n", r.findings[i]);
    if (heads >= 0)
        printf(_("Checked %lld chain links, %lld rows, %lld session transcripts, the triggers "
                 "and %lld chain heads the central database recorded.\n"),
               r.links, r.rows, r.sessions, heads);
    else
        printf(_("Checked %lld chain links, %lld rows, %lld session transcripts and the "
                 "triggers.\n"),
               r.links, r.rows, r.sessions);
    int found = r.n > 0;
    if (found)
        printf(_("Findings: %zu. These records were changed outside unyo.\n"), r.n);
    else
        printf(_("Nothing was changed unseen.\n"));
    chain_report_free(&r);
    return found ? EXIT_FAIL : EXIT_OK;
}

static int audit_export_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("audit", a->argc ? _("unexpected argument: %s") : _("missing DIR"),
                         a->argc ? a->argv[1] : "");
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    long long files = 0;
    char *err = NULL;
    int rc = chain_export(st, a->argv[0], &files, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    fprintf(stderr,
            _("Wrote %lld files to %s: check them with python3 %s/verify.py (see %s/README)\n"),
            files, a->argv[0], a->argv[0], a->argv[0]);
    return EXIT_OK;
}

static const struct cli_opt audit_opts[] = {
    OPT_INT("limit", 'l', N_("N"), 1, INT_MAX, N_("the latest N rows (default 50)")), OPT_END};
static const struct cli_opt audit_verify_opts[] = {
    OPT_STR("url", 'u', N_("URL"),
            N_("the central database to compare the chain heads with (default: [sync] url)")),
    OPT_END};
const struct cli_family audit_family = {
    "audit",
    (const struct cli_verb[]){
        {"list", NULL, audit_opts, audit_cmd,
         N_("The newest rows of the audit trail, newest first."), CLI_DEFAULT | CLI_FORMATS},
        {"verify", NULL, audit_verify_opts, audit_verify_cmd,
         N_("Checks that no record was changed unseen: every hash chain unbroken, every row\n"
            "equal to its last recorded state, the triggers as shipped, every session\n"
            "transcript as recorded when it ended, and (with sync set up) the chain heads the\n"
            "central database recorded. Names each finding; exit status 1 when there is one."),
         0},
        {"export", N_("DIR"), NULL, audit_export_cmd,
         N_("Writes the rows as JSON lines, the chain, its heads, the session transcripts,\n"
            "SHA256SUMS, verify.py and a README into DIR, for an auditor to check with\n"
            "sha256sum, jq or python3 alone, without unyo."),
         0},
        {0}},
    NULL};
