/* `unyo central init` and `unyo sync`: the central PostgreSQL database. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "central.h"
#include "central_views.h"
#include "cli.h"
#include "config.h"
#include "i18n.h"
#include "store.h"
#include "sync.h"
#include "sync_conflicts.h"
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
        rc = central_setup(st, conn, &from, &to, &err);
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
    printf("%s\n", central_views_hint());
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
    long conflicts = 0;
    if (sync_conflicts_count_open(st, &conflicts, &err) != 0) {
        sync_status_free(&s);
        store_close(st);
        return cli_fail(err);
    }
    store_close(st);
    static const char *const keys[] = {"table", "pending", "pushed_total", "pulled_total",
                                       "set_aside"};
    const char *headings[] = {_("Table"), _("Pending"), _("Sent (total)"), _("Received (total)"),
                              _("Set aside")};
    struct output_table *t = output_new(5, keys, headings);
    output_numbers(t, "pending,pushed_total,pulled_total,set_aside");
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
        if (conflicts > 0)
            printf(_("Open conflicts (edits another console's edit replaced): %ld; see unyo sync "
                     "conflicts.\n"),
                   conflicts);
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

/* After a large pull the search index waits (sync_index_build): built here,
 * once the result is out, unless --no-index. 0, or cli_fail's code. */
static int build_index(struct cli_ctx *ctx, struct store *st, int no_index)
{
    if (no_index || sync_index_state(st) != SYNC_INDEX_DUE)
        return 0;
    if (ctx->format == OUTPUT_TEXT)
        fprintf(stderr, "%s\n", _("unyo: building the search index…"));
    char *err = NULL;
    return sync_index_build(st, &err) == 0 ? 0 : cli_fail(err);
}

static int sync_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *url = cli_str(a, "url");
    int status = cli_has(a, "status") > 0, full = cli_has(a, "full") > 0;
    int retry = cli_has(a, "retry") > 0, no_index = cli_has(a, "no-index") > 0;
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
        sync_report_free(&rep);
        cli_fail(err);
        fprintf(stderr, _("unyo: %lld changes stay pending in the store.\n"), pending);
        build_index(ctx, st, no_index); /* rows a failed pull committed are searched too */
        store_close(st);
        return EXIT_FAIL;
    }
    long long aside = 0;
    struct sync_status ss;
    if (sync_status_read(st, &ss, NULL) == 0) {
        aside = ss.set_aside;
        sync_status_free(&ss);
    }
    if (aside > 0)
        fprintf(stderr,
                _("unyo: %lld rows refused by the central database are set aside (see unyo sync "
                  "--status); everything else was exchanged.\n"),
                aside);
    static const char *const keys[] = {"table", "sent", "pushed", "pulled", "conflicts"};
    const char *headings[] = {_("Table"), _("Sent"), _("Applied centrally"), _("Received"),
                              _("Conflicts")};
    struct output_table *t = output_new(5, keys, headings);
    output_numbers(t, "sent,pushed,pulled,conflicts");
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
        if (rep.conflicts > 0)
            printf("%s\n", _("Each conflict is listed by unyo sync conflicts, with both values, "
                             "to keep or reapply."));
    }
    sync_report_free(&rep);
    fflush(stdout); /* the result is out before the index is built */
    int ic = build_index(ctx, st, no_index);
    store_close(st);
    return ic ? ic : EXIT_OK;
}

/* "by NAME, MM-DD HH:MM" of one edit, or what is known of it. */
/* The record as a person names it: "incident INC-20261207-0001". */
static char *record_label(const struct sync_conflict *c)
{
    return xasprintf("%s %s", sync_conflict_table_label(c->table),
                     c->record ? c->record : c->row_id);
}

static int conflicts_list_cmd(struct cli_ctx *ctx)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct sync_conflict *v = NULL;
    size_t n = 0;
    char *err = NULL;
    if (sync_conflicts_list(st, 0, &v, &n, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    store_close(st);
    int text = ctx->format == OUTPUT_TEXT;
    static const char *const keys[] = {
        "id",  "table",  "record", "row_id", "fields", "lost",       "lost_by",     "lost_at",
        "won", "won_by", "won_at", "kind",   "at",     "resolution", "resolved_by", "resolved_at"};
    const char *headings[] = {_("ID"),       _("Kind"),       _("Record"),      _("Record id"),
                              _("Field"),    _("Lost"),       _("Lost: by"),    _("Lost: when"),
                              _("Won"),      _("Won: by"),    _("Won: when"),   _("Conflict"),
                              _("Recorded"), _("Resolution"), _("Resolved by"), _("Resolved")};
    /* Text: id, record, field, the value that lost and its edit, the winner and its
     * edit, the state. */
    static const char *const tkeys[] = {"id", "record", "fields", "lost", "won", "resolution"};
    const char *theads[] = {
        _("ID"), _("Record"), _("Field"), _("Lost (who, when)"), _("Won (who, when)"), _("State")};
    struct output_table *t = text ? output_new(6, tkeys, theads) : output_new(16, keys, headings);
    long open = 0;
    for (size_t i = 0; i < n; i++) {
        struct sync_conflict *c = &v[i];
        struct strbuf fl = STRBUF_INIT, lost = STRBUF_INIT, won = STRBUF_INIT;
        for (size_t f = 0; f < c->nfields; f++) {
            const char *sep = f ? (text ? _(", ") : "; ") : "";
            sb_printf(&fl, "%s%s", sep,
                      text ? sync_conflict_field_label(c->fields[f].column) : c->fields[f].column);
            if (text) {
                sb_printf(&lost, "%s%s", sep, c->fields[f].lost_text);
                sb_printf(&won, "%s%s", sep, c->fields[f].won_text);
            } else {
                sb_printf(&lost, "%s%s", sep, c->fields[f].lost ? c->fields[f].lost : "");
                sb_printf(&won, "%s%s", sep, c->fields[f].won ? c->fields[f].won : "");
            }
        }
        open += !c->resolution;
        if (text) {
            char *rec = record_label(c);
            char *lw = sync_conflict_who_when(c->lost_by, c->lost_at);
            char *l = c->unique ? xstrdup(lost.buf) : xasprintf(_("%s (by %s)"), lost.buf, lw);
            char *w = sync_conflict_won_text(c, won.buf);
            const char *state = sync_conflict_state_label(c);
            const char *row[] = {c->id, rec, fl.buf, l, w, state};
            output_row(t, row);
            free(rec), free(lw), free(l), free(w);
        } else {
            const char *row[] = {
                c->id,          c->table,
                c->record,      c->row_id,
                fl.buf,         lost.buf,
                c->lost_by,     c->lost_at,
                won.buf,        c->won_by,
                c->won_at,      c->unique ? "unique" : c->refused ? "refused" : "concurrent edit",
                c->at,          c->resolution,
                c->resolved_by, c->resolved_at};
            output_row(t, row);
        }
        sb_free(&fl), sb_free(&lost), sb_free(&won);
    }
    if (!text || n > 0)
        output_print(t, ctx->format, stdout);
    output_free(t);
    if (text) {
        if (n == 0)
            printf("%s\n", _("No sync conflicts: no edit was overwritten by another console's."));
        else
            printf(_("Open conflicts: %ld of %zu (unyo sync conflicts keep ID | reapply ID).\n"),
                   open, n);
    }
    sync_conflicts_free(v, n);
    return EXIT_OK;
}

static int conflicts_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc == 0)
        return conflicts_list_cmd(ctx);
    const char *what = a->argv[0];
    int keep = streq(what, "keep"), reapply = streq(what, "reapply");
    if (!keep && !reapply)
        return cli_usage("sync", _("sync conflicts takes keep ID or reapply ID, not %s"), what);
    if (a->argc < 2)
        return cli_usage("sync", _("sync conflicts %s needs the conflict's ID"), what);
    if (a->argc > 2)
        return cli_usage("sync", _("unexpected argument: %s"), a->argv[2]);
    if (ctx->format != OUTPUT_TEXT)
        return cli_usage("sync", _("--csv and --json are for the list of conflicts"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    struct sync_conflict *c = NULL;
    char *err = NULL;
    int rc = keep ? sync_conflict_keep(st, a->argv[1], &c, &err)
                  : sync_conflict_reapply(st, a->argv[1], &c, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    char *rec = record_label(c);
    for (size_t f = 0; f < c->nfields; f++) {
        const char *field = sync_conflict_field_label(c->fields[f].column);
        if (keep)
            printf(_("Kept the winning %s of %s: %s.\n"), field, rec, c->fields[f].won_text);
        else
            printf(_("Wrote the %s of %s again: %s (it goes to the other consoles with the next "
                     "sync).\n"),
                   field, rec, c->fields[f].lost_text);
    }
    free(rec);
    sync_conflicts_free(c, 1);
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
    OPT_FLAG("status", 's', N_("show pending changes, the last sync and its error")),
    OPT_FLAG("no-index", 0,
             N_("after a large pull, leave the search index to the next sync or console")),
    OPT_END};
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
            "database refused them. After a large pull the rows are committed first and\n"
            "the search index is rebuilt before the command ends (searches find the rows\n"
            "meanwhile, by a slower scan); --no-index leaves that to the next sync or to\n"
            "a console."),
         CLI_FORMATS},
        {"conflicts", N_("[keep ID | reapply ID]"), NULL, conflicts_cmd,
         N_("Lists the edits a sync overwrote (another console changed the same field and\n"
            "the later edit won) and the records renamed because two consoles gave the\n"
            "same name: both values, who made each edit and when, which won, and whether\n"
            "somebody dealt with it. keep ID accepts the winner; reapply ID writes the value\n"
            "that lost again as a new edit, which the next sync sends everywhere. ID may be\n"
            "the first characters of the id, as long as only one conflict has them."),
         CLI_FORMATS},
        {0}},
    NULL};
