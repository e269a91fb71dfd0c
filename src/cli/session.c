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
#include "ssh_console.h"
#include "ssh_prompt.h"
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
    sqlite3_stmt *s = store_stmt(
        st, "SELECT s.id, s.host_name, o.login, s.started_at, s.ended_at, s.exit_status, "
            "s.end_reason, length(s.transcript) FROM ssh_sessions s "
            "LEFT JOIN operators o ON o.id = s.operator_id "
            "WHERE s.deleted = 0 AND (?1 IS NULL OR s.host_name = ?1) "
            "ORDER BY s.started_at DESC LIMIT ?2");
    bind_text(s, 1, host);
    bind_int(s, 2, limit > 0 ? limit : 100);
    static const char *const keys[] = {"id",       "host", "operator", "started_at",
                                       "ended_at", "exit", "reason",   "bytes"};
    const char *heads[] = {_("Session"),     _("Host"), _("Operator"), _("Started (JST)"),
                           _("Ended (JST)"), _("Exit"), _("End"),      _("Bytes")};
    struct output_table *t = output_new(8, keys, heads);
    char *read_err = NULL;
    int step;
    while ((step = store_next_row(s, &read_err)) == 1) {
        char started[32] = "", ended[32] = "";
        int64_t ms;
        int text = ctx->format == OUTPUT_TEXT;
        if (col_text(s, 3) && time_parse(col_text(s, 3), &ms) == 0) {
            if (text)
                time_format_jst(ms, started, 1);
            else
                snprintf(started, sizeof started, "%s", col_text(s, 3));
        }
        if (col_text(s, 4) && time_parse(col_text(s, 4), &ms) == 0) {
            if (text)
                time_format_jst(ms, ended, 1);
            else
                snprintf(ended, sizeof ended, "%s", col_text(s, 4));
        }
        const char *v[] = {col_text(s, 0),          col_text(s, 1), col_text(s, 2), started,
                           ended[0] ? ended : NULL, col_text(s, 5), col_text(s, 6), col_text(s, 7)};
        output_row(t, v);
    }
    sqlite3_reset(s);
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

static int session_export_cmd(struct cli_ctx *ctx, const char *id)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    sqlite3_stmt *s = store_stmt(st, "SELECT transcript FROM ssh_sessions WHERE (id = ?1 OR id "
                                     "LIKE ?1 || '%') AND deleted = 0 LIMIT 2");
    bind_text(s, 1, id);
    char *read_err = NULL;
    int rc = store_one_row(s, &read_err);
    if (rc != 1) {
        sqlite3_reset(s);
        store_close(st);
        return cli_fail(rc < 0 ? read_err
                               : xasprintf(_("no session %s (see unyo session list)"), id));
    }
    const void *b = sqlite3_column_blob(s, 0);
    size_t n = (size_t)sqlite3_column_bytes(s, 0);
    char *blob = NULL;
    if (b) {
        blob = xmalloc(n + 1);
        memcpy(blob, b, n);
    }
    int more = store_next_row(s, &read_err);
    sqlite3_reset(s);
    store_close(st);
    int out = EXIT_OK;
    if (more < 0)
        out = cli_fail(read_err);
    else if (more)
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
        {0}},
    NULL};
