/* unyo session open | list | export */
#include <limits.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "output.h"
#include "redact.h"
#include "ssh_console.h"
#include "ssh_prompt.h"
#include "session_index.h"
#include "session_list.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
    (void)sig;
    winch = 1;
}

static void window_size(int *cols, int *rows)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    } else {
        *cols = 80;
        *rows = 24;
    }
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The last screen as text (scrollback, then the screen), for the record. */
static void write_screen(struct term *t, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, _("unyo: cannot write %s: %s\n"), path, strerror(errno));
        return;
    }
    for (int r = -(int)term_scrollback_count(t); r < term_rows(t); r++) {
        char *line = term_row_text(t, r);
        fprintf(f, "%s\n", line);
        free(line);
    }
    fclose(f);
}

static void raw_out(const char *b, size_t n, void *ud)
{
    (void)ud;
    write_all(STDOUT_FILENO, b, n);
}

static int session_open_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int accept_new = cli_has(a, "accept-new") > 0;
    const char *save_screen = cli_str(a, "save-screen");
    if (a->argc != 1)
        return cli_usage("session", _("give one HOST"));
    const char *name = a->argv[0];
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    struct ssh_conn_opts o = {0};
    ssh_cli_prompts(&o.prompts, accept_new);
    int cols, rows;
    window_size(&cols, &rows);
    char *err = NULL;
    struct ssh_console *con = ssh_console_open(st, name, &o, rows, cols, &err);
    if (!con) {
        store_close(st);
        return cli_fail(err);
    }
    ssh_console_set_raw(con, raw_out, NULL);

    int tty = isatty(STDIN_FILENO);
    int raw_mode = 0;
    struct termios saved;
    int stdin_open = 1;
    char buf[65536];
    for (;;) {
        ssh_console_pump(con);
        enum ssh_state s = ssh_console_state(con);
        if (s == SSH_FAILED || s == SSH_CLOSED)
            break;
        if (s == SSH_NEEDS_CONFIRM) {
            int ok = o.prompts.confirm_hostkey(NULL, ssh_console_label(con),
                                               ssh_console_fingerprint(con));
            ssh_console_confirm(con, ok);
            continue;
        }
        if (s == SSH_SHELL && tty && !raw_mode) {
            /* Raw only once connected: prompts before that need the line discipline. */
            tcgetattr(STDIN_FILENO, &saved);
            struct termios raw = saved;
            cfmakeraw(&raw);
            tcsetattr(STDIN_FILENO, TCSANOW, &raw);
            signal(SIGWINCH, on_winch);
            raw_mode = 1;
        }
        if (winch) {
            winch = 0;
            window_size(&cols, &rows);
            ssh_console_resize(con, rows, cols);
        }
        struct pollfd p[2] = {{ssh_console_fd(con), ssh_console_events(con), 0},
                              {stdin_open && s == SSH_SHELL ? STDIN_FILENO : -1, POLLIN, 0}};
        int t = ssh_console_timeout_ms(con);
        if (poll(p, 2, t < 0 || t > 1000 ? 1000 : t) < 0 && errno != EINTR)
            break;
        if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n > 0)
                ssh_console_send(con, buf, (size_t)n);
            else if (n == 0)
                stdin_open = 0; /* piped input ended: wait for the shell to exit */
        }
    }
    if (raw_mode) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        signal(SIGWINCH, SIG_DFL);
    }
    enum ssh_state s = ssh_console_state(con);
    int status = ssh_console_exit_status(con);
    if (s == SSH_FAILED)
        fprintf(stderr, "\r\nunyo: %s\r\n", ssh_console_error(con));
    if (save_screen)
        write_screen(ssh_console_term(con), save_screen);
    char sid[ID_LEN + 1];
    snprintf(sid, sizeof sid, "%s", ssh_console_session_id(con));
    int rc = ssh_console_close(con, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    if (sid[0])
        fprintf(stderr, _("unyo: session %s recorded (unyo session export %s)\n"), sid, sid);
    if (s == SSH_FAILED)
        return EXIT_FAIL;
    return status > 0 ? status : EXIT_OK;
}

static int session_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *host = cli_str(a, "host");
    int limit = (int)cli_int(a, "limit", 100);
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct session_row *rows = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = session_list(st, host, limit, &rows, &n, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {"id",       "host", "operator", "started_at",
                                       "ended_at", "exit", "reason",   "bytes"};
    const char *heads[] = {_("Session"),     _("Host"), _("Operator"), _("Started (JST)"),
                           _("Ended (JST)"), _("Exit"), _("End"),      _("Bytes")};
    struct output_table *t = output_new(8, keys, heads);
    output_numbers(t, "exit,bytes");
    int text = ctx->format == OUTPUT_TEXT;
    for (size_t i = 0; i < n; i++) {
        const struct session_row *r = &rows[i];
        char started[32] = "", ended[32] = "", exit_s[16] = "", bytes[24] = "";
        int64_t ms;
        if (r->started_at && time_parse(r->started_at, &ms) == 0) {
            if (text)
                time_format_jst(ms, started, 1);
            else
                snprintf(started, sizeof started, "%s", r->started_at);
        }
        if (r->ended_at && time_parse(r->ended_at, &ms) == 0) {
            if (text)
                time_format_jst(ms, ended, 1);
            else
                snprintf(ended, sizeof ended, "%s", r->ended_at);
        }
        if (r->has_exit)
            snprintf(exit_s, sizeof exit_s, "%d", r->exit_status);
        if (r->length >= 0)
            snprintf(bytes, sizeof bytes, "%lld", r->length);
        const char *v[] = {r->id,
                           r->host,
                           r->operator_login,
                           started,
                           ended[0] ? ended : NULL,
                           r->has_exit ? exit_s : NULL,
                           r->end_reason,
                           r->length >= 0 ? bytes : NULL};
        output_row(t, v);
    }
    session_rows_free(rows, n);
    output_print(t, ctx->format, stdout);
    output_free(t);
    return EXIT_OK;
}

static int session_export_cmd(struct cli_ctx *ctx, const char *id)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *blob = NULL, *err = NULL;
    size_t n = 0;
    int rc = session_recording_by_prefix(st, id, NULL, &blob, &n, &err);
    store_close(st);
    int out = EXIT_OK;
    if (rc < 0)
        out = cli_fail(err);
    else if (rc == 0)
        out = cli_fail(xasprintf(_("no session %s (see unyo session list)"), id));
    else if (rc == 2)
        out = cli_fail(xasprintf(_("%s matches several sessions: give more of the id"), id));
    else if (!blob)
        out = cli_fail(xasprintf(_("session %s has no recording (still open, or it failed)"), id));
    else if (write_all(STDOUT_FILENO, blob, n) != 0)
        out = cli_fail(xasprintf(_("cannot write the recording: %s"), strerror(errno)));
    free(blob);
    return out;
}

static int session_export_verb(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("session", _("give one session ID"));
    return session_export_cmd(ctx, a->argv[0]);
}

static int session_search_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc < 1)
        return cli_usage("session", _("give the text to look for"));
    struct strbuf q = STRBUF_INIT;
    for (int i = 0; i < a->argc; i++)
        sb_printf(&q, "%s%s", i ? " " : "", a->argv[i]);
    char from[TIME_ISO_LEN + 1] = "";
    const char *day = cli_str(a, "from");
    if (day) {
        /* The day starts at 00:00 JST. */
        char *t = xasprintf("%sT00:00:00+09:00", day);
        int64_t ms;
        int ok = time_parse(t, &ms) == 0;
        free(t);
        if (!ok) {
            sb_free(&q);
            return cli_usage("session", _("--from takes a day, YYYY-MM-DD"));
        }
        time_format_iso(ms, from);
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0) {
        sb_free(&q);
        return EXIT_FAIL;
    }
    char *err = NULL;
    struct session_hit *hits = NULL;
    size_t n = 0;
    int rc = session_index_pending(st, 0, NULL, &err);
    if (rc == 0)
        rc = session_search(st, q.buf, cli_str(a, "host"), from[0] ? from : NULL,
                            (int)cli_int(a, "limit", 100), &hits, &n, &err);
    store_close(st);
    sb_free(&q);
    if (rc != 0)
        return cli_fail(err);
    static const char *const keys[] = {"session", "host",      "operator", "started_at",
                                       "offset",  "offset_ms", "line"};
    const char *heads[] = {_("Session"), _("Host"),    _("Operator"), _("Started (JST)"),
                           _("At"),      _("At (ms)"), _("Line")};
    struct output_table *t = output_new(7, keys, heads);
    int text = ctx->format == OUTPUT_TEXT;
    for (size_t i = 0; i < n; i++) {
        const struct session_hit *h = &hits[i];
        char started[40] = "", off[32], off_ms[32];
        int64_t ms;
        if (h->started_at && time_parse(h->started_at, &ms) == 0 && text)
            time_format_jst(ms, started, 1);
        else if (h->started_at)
            snprintf(started, sizeof started, "%s", h->started_at);
        time_format_offset(h->at_ms, off, sizeof off);
        snprintf(off_ms, sizeof off_ms, "%lld", (long long)h->at_ms);
        const char *v[] = {h->id, h->host, h->operator_login, started, off, off_ms, h->line};
        output_row(t, v);
    }
    session_hits_free(hits, n);
    output_print(t, ctx->format, stdout);
    output_free(t);
    return EXIT_OK;
}

static int session_index_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 0)
        return cli_usage("session", _("session index takes no operand"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    /* A read-only console searches what is indexed; asked to index, it says why not
     * rather than "0 recordings indexed". */
    if (store_refuse_write(st, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    int count = 0;
    int rc = session_index_pending(st, cli_has(a, "rebuild") > 0, &count, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("%d recordings indexed\n"), count);
    return EXIT_OK;
}

/* stdin through the redaction rules to stdout, as a session's output would be
 * recorded: for trying a rule file. */
static int session_redact_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    (void)ctx;
    if (a->argc != 0)
        return cli_usage("session", _("session redact reads standard input"));
    struct redact_rules *rules = NULL;
    char *err = NULL;
    if (redact_rules_load(cli_str(a, "rules"), &rules, &err) != 0)
        return cli_fail(err);
    if (cli_has(a, "check")) {
        printf(_("%zu rules\n"), redact_rules_count(rules));
        redact_rules_free(rules);
        return EXIT_OK;
    }
    struct redactor *r = redactor_new(rules);
    struct strbuf out = STRBUF_INIT;
    char buf[65536];
    ssize_t n;
    int rc = EXIT_OK;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = cli_fail(xasprintf(_("cannot read standard input: %s"), strerror(errno)));
            break;
        }
        redactor_feed(r, buf, (size_t)n, &out);
        if (out.len && write_all(STDOUT_FILENO, out.buf, out.len) != 0)
            break;
        sb_reset(&out);
    }
    redactor_flush(r, &out);
    if (out.len)
        write_all(STDOUT_FILENO, out.buf, out.len);
    sb_free(&out);
    redactor_free(r);
    redact_rules_free(rules);
    return rc;
}

static const struct cli_opt session_redact_opts[] = {
    OPT_STR("rules", 'r', N_("FILE"),
            N_("the rule file (default: redact.ini in the config "
               "directory, else the shipped one)")),
    OPT_FLAG("check", 'c', N_("only load the rules and say how many there are")), OPT_END};
static const struct cli_opt session_search_opts[] = {
    OPT_STR("host", 'H', N_("NAME"), N_("only the sessions on this host")),
    OPT_DATE("from", 'f', N_("only the sessions started on this day (JST) or later")),
    OPT_INT("limit", 'n', N_("N"), 1, INT_MAX, N_("at most N lines (default 100)")), OPT_END};
static const struct cli_opt session_index_opts[] = {
    OPT_FLAG("rebuild", 0, N_("index every recording again, not only the new ones")), OPT_END};
static const struct cli_opt session_open_opts[] = {
    OPT_FLAG("accept-new", 'A', N_("trust a host key seen for the first time")),
    OPT_STR("save-screen", 's', N_("FILE"),
            N_("write the final screen and its scrollback as text")),
    OPT_END};
static const struct cli_opt session_list_opts[] = {
    OPT_STR("host", 'H', N_("NAME"), N_("only the sessions on this host")),
    OPT_INT("limit", 'n', N_("N"), 1, INT_MAX, N_("the latest N sessions (default 100)")), OPT_END};
const struct cli_family session_family = {
    "session",
    (const struct cli_verb[]){
        {"open", N_("HOST"), session_open_opts, session_open_cmd,
         N_("An interactive shell on HOST, recorded (output only) as an asciicast v2."), 0},
        {"list", NULL, session_list_opts, session_list_cmd, NULL, CLI_FORMATS},
        {"export", N_("ID"), NULL, session_export_verb,
         N_("Writes the recording to stdout; play it with asciinema play FILE.cast."), 0},
        {"search", N_("TEXT"), session_search_opts, session_search_cmd,
         N_("The lines recorded sessions showed that contain TEXT, with the moment they "
            "showed (play it from there in the console)."),
         CLI_FORMATS},
        {"index", NULL, session_index_opts, session_index_cmd,
         N_("Makes recordings searchable: those not indexed yet (a search does it too)."), 0},
        {"redact", NULL, session_redact_opts, session_redact_cmd,
         N_("Standard input through the redaction rules to standard output, as a session's "
            "output is recorded."),
         0},
        {0}},
    NULL};
