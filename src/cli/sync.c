/* `unyo central init` and `unyo sync`: the central PostgreSQL database. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "central.h"
#include "cli.h"
#include "config.h"
#include "i18n.h"
#include "store.h"
#include "sync.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

/* --url, else [sync] url in config.ini. NULL (with a message) when neither. */
static const char *resolve_url(const char *cmd, const char *url, struct config **cfg)
{
    if (url && *url)
        return url;
    char *err = NULL;
    *cfg = config_load(NULL, &err);
    if (!*cfg) {
        cli_fail(err);
        return NULL;
    }
    const char *u = config_get(*cfg, "sync", "url");
    if (u && *u) {
        /* A password in a file others can read is no secret. */
        char *path = config_default_path();
        struct stat sb;
        if (central_url_has_password(u) && stat(path, &sb) == 0 && (sb.st_mode & 077))
            fprintf(stderr,
                    _("unyo: warning: %s holds the central database password and other users "
                      "can read it; make it private with: chmod 600 %s\n"),
                    path, path);
        free(path);
        return u;
    }
    char *path = config_default_path();
    fprintf(stderr,
            _("unyo %s: no central database given: pass --url URL or set url in the [sync] "
              "section of %s\n"),
            cmd, path);
    free(path);
    return NULL;
}

static int central_init_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *url = cli_str(a, "url");
    if (a->argc > 0)
        return cli_usage("central", _("unexpected argument: %s"), a->argv[0]);
    struct config *cfg = NULL;
    url = resolve_url("central", url, &cfg);
    if (!url) {
        config_free(cfg);
        return EXIT_FAIL;
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0) {
        config_free(cfg);
        return EXIT_FAIL;
    }
    char *err = NULL;
    PGconn *conn = NULL;
    int from = 0, to = 0;
    int rc = central_connect(url, &conn, &err);
    if (rc == 0)
        rc = central_init(st, conn, &from, &to, &err);
    PQfinish(conn);
    store_close(st);
    if (rc != 0) {
        char *clean = central_scrub(url, err);
        free(err);
        config_free(cfg);
        return cli_fail(clean);
    }
    config_free(cfg);
    if (from == 0)
        printf(_("Created the central schema (version %d).\n"), to);
    else if (from == to)
        printf(_("The central schema is up to date (version %d).\n"), to);
    else
        printf(_("Upgraded the central schema from version %d to %d.\n"), from, to);
    return EXIT_OK;
}

static void show_progress(void *ud, const char *phase, long long done, long long total)
{
    (void)ud;
    if (total > 0)
        fprintf(stderr, "\r%s %lld / %lld   ", streq(phase, "push") ? _("sending") : _("receiving"),
                done, total);
    else
        fprintf(stderr, "\r%s %lld   ", streq(phase, "push") ? _("sending") : _("receiving"), done);
    fflush(stderr);
}

static void fmt_time(const char *iso, char *out)
{
    int64_t ms;
    if (iso && time_parse(iso, &ms) == 0)
        time_format_jst(ms, out, 1);
    else
        snprintf(out, 32, "%s", _("never"));
}

static int sync_status_cmd(struct cli_ctx *ctx)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct sync_status s;
    char *err = NULL;
    if (sync_status_read(st, &s, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    store_close(st);
    static const char *const keys[] = {"table", "pending", "pushed_total", "pulled_total",
                                       "set_aside"};
    const char *headings[] = {_("Table"), _("Pending"), _("Sent (total)"), _("Received (total)"),
                              _("Set aside")};
    struct output_table *t = output_new(5, keys, headings);
    for (int i = 0; i < s.count; i++) {
        char a[32], b[32], c[32], d[32];
        long long aside = 0;
        for (long long k = 0; k < s.set_aside; k++)
            aside += streq(s.aside[k].table, s.t[i].table);
        snprintf(a, sizeof a, "%lld", s.t[i].pending);
        snprintf(b, sizeof b, "%lld", s.t[i].pushed_total);
        snprintf(c, sizeof c, "%lld", s.t[i].pulled_total);
        snprintf(d, sizeof d, "%lld", aside);
        const char *row[] = {s.t[i].table, a, b, c, d};
        output_row(t, row);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    if (ctx->format == OUTPUT_TEXT) {
        char when[32];
        printf("\n");
        printf(_("Pending changes: %lld\n"), s.pending);
        fmt_time(s.last_success, when);
        printf(_("Last successful sync: %s\n"), when);
        if (s.last_error) {
            struct strbuf sb = STRBUF_INIT;
            text_sanitize(&sb, s.last_error, 0);
            fmt_time(s.last_error_at, when);
            printf(_("Last error (%s): %s\n"), when, sb.buf);
            sb_free(&sb);
        }
        if (s.offline_since) {
            fmt_time(s.offline_since, when);
            printf(_("Offline since: %s\n"), when);
        }
        if (s.set_aside > 0) {
            printf(_("Set aside (refused by the central database, kept here; they go again "
                     "once repaired, or with `unyo sync --retry`): %lld\n"),
                   s.set_aside);
            for (long long i = 0; i < s.set_aside; i++) {
                struct strbuf sb = STRBUF_INIT;
                fmt_time(s.aside[i].at, when);
                text_sanitize(&sb, s.aside[i].table, 0);
                sb_puts(&sb, " ");
                text_sanitize(&sb, s.aside[i].row_id, 0);
                sb_printf(&sb, " (%s): ", when);
                text_sanitize(&sb, s.aside[i].error, 0);
                printf("  %s\n", sb.buf);
                sb_free(&sb);
            }
        }
        if (s.restore_detected) {
            fmt_time(s.restore_detected, when);
            printf(_("Restored from an older copy (found %s): nothing is sent or received until "
                     "`unyo sync --full` brings back the changes it lacks.\n"),
                   when);
        }
    }
    sync_status_free(&s);
    return EXIT_OK;
}

static int sync_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *url = cli_str(a, "url");
    int status = cli_has(a, "status") > 0, full = cli_has(a, "full") > 0;
    int retry = cli_has(a, "retry") > 0;
    if (a->argc > 0)
        return cli_usage("sync", _("unexpected argument: %s"), a->argv[0]);
    if (status && full)
        return cli_usage("sync", _("--status and --full do not go together"));
    if (status && retry)
        return cli_usage("sync", _("--status and --retry do not go together"));
    if (status)
        return sync_status_cmd(ctx);
    struct config *cfg = NULL;
    url = resolve_url("sync", url, &cfg);
    if (!url) {
        config_free(cfg);
        return EXIT_FAIL;
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0) {
        config_free(cfg);
        return EXIT_FAIL;
    }
    struct sync_report rep = {0};
    char *err = NULL;
    if (retry && sync_retry_set_aside(st, NULL, &err) != 0) {
        store_close(st);
        config_free(cfg);
        return cli_fail(err);
    }
    int tty = isatty(2);
    int rc =
        (full ? sync_run_full : sync_run)(st, url, &rep, tty ? show_progress : NULL, NULL, &err);
    config_free(cfg);
    if (tty)
        fprintf(stderr, "\r\033[K");
    if (rc != 0) {
        long long pending = 0;
        struct sync_status s;
        if (sync_status_read(st, &s, NULL) == 0) {
            pending = s.pending;
            sync_status_free(&s);
        }
        store_close(st);
        sync_report_free(&rep);
        cli_fail(err);
        fprintf(stderr, _("unyo: %lld changes stay pending in the store.\n"), pending);
        return EXIT_FAIL;
    }
    long long aside = 0;
    struct sync_status ss;
    if (sync_status_read(st, &ss, NULL) == 0) {
        aside = ss.set_aside;
        sync_status_free(&ss);
    }
    store_close(st);
    if (aside > 0)
        fprintf(stderr,
                _("unyo: %lld rows refused by the central database are set aside (see unyo sync "
                  "--status); everything else was exchanged.\n"),
                aside);
    static const char *const keys[] = {"table", "sent", "pushed", "pulled", "conflicts"};
    const char *headings[] = {_("Table"), _("Sent"), _("Applied centrally"), _("Received"),
                              _("Conflicts")};
    struct output_table *t = output_new(5, keys, headings);
    for (int i = 0; i < rep.count; i++) {
        char a[32], b[32], d[32], e[32];
        snprintf(a, sizeof a, "%lld", rep.t[i].sent);
        snprintf(b, sizeof b, "%lld", rep.t[i].pushed);
        snprintf(d, sizeof d, "%lld", rep.t[i].pulled);
        snprintf(e, sizeof e, "%lld", rep.t[i].conflicts);
        const char *row[] = {rep.t[i].table, a, b, d, e};
        output_row(t, row);
    }
    if (ctx->format != OUTPUT_TEXT || rep.count > 0)
        output_print(t, ctx->format, stdout);
    output_free(t);
    if (ctx->format == OUTPUT_TEXT) {
        if (rep.count == 0)
            printf("%s\n", _("Up to date: nothing to send or receive."));
        else
            printf(_("Sent %lld, received %lld, conflicts %lld.\n"), rep.sent, rep.pulled,
                   rep.conflicts);
    }
    sync_report_free(&rep);
    return EXIT_OK;
}

static const struct cli_opt central_opts[] = {
    OPT_STR("url", 'u', N_("URL"), N_("a libpq connection string or URI")), OPT_END};
const struct cli_family central_family = {
    "central",
    (const struct cli_verb[]){
        {"init", NULL, central_opts, central_init_cmd,
         N_("Creates the schema in the central PostgreSQL database, or upgrades it to this\n"
            "unyo's version. URL is a libpq connection string or URI (PG* variables,\n"
            "~/.pgpass and sslmode work as in psql); default: url in the [sync] section of\n"
            "~/.config/unyo/config.ini."),
         0},
        {0}},
    NULL};

static const struct cli_opt sync_opts[] = {
    OPT_STR("url", 'u', N_("URL"), N_("a libpq connection string or URI")),
    OPT_FLAG("full", 'f', N_("receive every row again (a store restored from a backup)")),
    OPT_FLAG("retry", 'r', N_("first send again the rows the central database refused")),
    OPT_FLAG("status", 's', N_("show pending changes, the last sync and its error")), OPT_END};
const struct cli_family sync_family = {
    "sync",
    (const struct cli_verb[]){
        {NULL, NULL, sync_opts, sync_cmd,
         N_("One round: sends this console's changes, then receives everyone else's, and\n"
            "prints what moved per table. Without a connection nothing is lost: changes\n"
            "stay pending until the next successful round. --full receives every row\n"
            "again, this console's own included (the newer version of each wins), then\n"
            "sends what is newer here. --status lists pending changes per table, the last\n"
            "successful sync and the last error, and the rows set aside because the central\n"
            "database refused them."),
         CLI_FORMATS},
        {0}},
    NULL};
