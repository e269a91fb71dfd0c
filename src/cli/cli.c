#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "install_dirs.h"
#include "store.h"
#include "textwidth.h"
#include "util.h"

static int help_cmd(struct cli_ctx *ctx, const struct cli_args *a);
static const struct cli_opt help_opts[] = {
    {.name = "table", .type = CLI_FLAG, .flags = CLI_HIDDEN},
    {.name = "man-synopsis", .type = CLI_FLAG, .flags = CLI_HIDDEN},
    OPT_END};
static const struct cli_family help_family = {
    "help",
    (const struct cli_verb[]){{NULL, N_("[COMMAND [VERB]]"), help_opts, help_cmd, NULL, 0}, {0}},
    NULL};

static const struct cli_command commands[] = {
    {"init", N_("create a store and load the work-item templates"), &init_family},
    {"operator", N_("register and list operators"), &operator_family},
    {"library", N_("the libraries incidents and inquiries are filed against"), &library_family},
    {"calendar", N_("show service hours and closed days"), &calendar_family},
    {"template", N_("list the work-item templates"), &template_family},
    {"export", N_("write every table of the store as CSV files"), &export_family},
    {"import", N_("load an export into an empty store"), &import_family},
    {"checklist", N_("the daily checklist: due checks, marks, as-needed items"), &checklist_family},
    {"shift", N_("the shift schedule and who is on duty"), &shift_family},
    {"handover", N_("the shift handover: summary, sign, acknowledge"), &handover_family},
    {"audit", N_("show the audit trail"), &audit_family},
    {"host", N_("the hosts inventory and SSH reach"), &host_family},
    {"check", N_("automated server checks over SSH"), &check_family},
    {"downtime", N_("planned maintenance of hosts: no draft, not counted as NG"), &downtime_family},
    {"session", N_("recorded SSH terminal sessions"), &session_family},
    {"ssh", N_("a recorded SSH session, full screen"), &ssh_family},
    {"demo", N_("create a demo store or a synthetic load"), &demo_family},
    {"central", N_("create or upgrade the central database schema"), &central_family},
    {"sync", N_("exchange changes with the central database"), &sync_family},
    {"incident", N_("record and follow incidents (インシデント管理簿)"), &incident_family},
    {"inquiry", N_("record and answer inquiries (問い合わせ管理簿)"), &inquiry_family},
    {"problem", N_("problem management and knowledge (問題管理)"), &problem_family},
    {"sla", N_("SLA targets, breach scan and achievement report"), &sla_family},
    {"search", N_("full-text search over incidents, inquiries and knowledge"), &search_family},
    {"report", N_("daily (the day's work, incidents, inquiries) and monthly reports"),
     &report_family},
    {"change", N_("change requests: plan, review, approve, execute, roll back"), &change_family},
    {"config", N_("configuration records: software, patches, hardware, accounts"), &config_family},
    {"jobs", N_("batch jobs: definitions, the day's queue, the runner"), &jobs_family},
    {"completion", N_("print a bash completion script"), &completion_family},
    {"help", N_("show help for a command"), &help_family},
};

const struct cli_command *cli_commands(size_t *count)
{
    *count = ARRAY_LEN(commands);
    return commands;
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Messages may echo what the user typed or what a store holds: a name with
 * ESC in it must not reach the terminal raw. */
static void put_err_line(const char *prefix, const char *msg)
{
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, msg, 1);
    fprintf(stderr, "%s%s\n", prefix, sb.buf ? sb.buf : "");
    sb_free(&sb);
}

int cli_fail(char *msg)
{
    put_err_line("unyo: ", msg ? msg : _("unknown error"));
    free(msg);
    return EXIT_FAIL;
}

int cli_count(const char *cmd, const char *name, const char *text, long min, long max, long *out)
{
    char *err = NULL;
    if (cli_parse_count(name, text, min, max, out, &err) == 0)
        return 0;
    cli_usage(cmd, "%s", err);
    free(err);
    return -1;
}

void cli_show_field(int width, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, label);
    for (int w = text_width(label); w < width; w++)
        sb_putc(&sb, ' ');
    sb_putc(&sb, ' ');
    text_sanitize(&sb, value, 0);
    printf("%s\n", sb.buf);
    sb_free(&sb);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    char *prefix = xasprintf("unyo %s: ", cmd);
    put_err_line(prefix, msg);
    free(prefix);
    const struct cli_command *c = find_command(cmd);
    if (c)
        cli_family_usage(stderr, c->family, NULL);
    free(msg);
    return EXIT_USAGE;
}

int cli_open_store(struct cli_ctx *ctx, struct store **st, int need_operator)
{
    char *err = NULL;
    if (store_open(ctx->db_path, STORE_OPEN_EXISTING, st, &err) != 0) {
        cli_fail(err);
        return -1;
    }
    if (need_operator && store_require_operator(*st, &err) != 0) {
        cli_fail(err);
        store_close(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

static void print_overview(FILE *out)
{
    fprintf(out, "%s\n\n", _("unyo — operations console for a resident operator"));
    fprintf(out, "%s\n",
            _("usage: unyo [--db PATH] [--lang ja|en] [--read-only] [COMMAND [ARGS]]"));
    fprintf(out, "%s\n\n", _("Without a command, unyo opens the full-screen console."));
    fprintf(out, "%s\n", _("Commands:"));
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
    fprintf(out, "\n%s\n", _("Every command accepts --db PATH; lists accept --csv and --json."));
    fprintf(out, "%s\n",
            _("--read-only: see everything, change nothing (every write is refused)."));
    fprintf(out, "%s\n",
            _("--passphrase-fd N: a script's passphrases, one a line, from file descriptor N."));
    fprintf(out, "%s\n", _("unyo help COMMAND shows a command's options."));
}

static void no_such_command(const char *name)
{
    char *msg = xasprintf(_("no such command: %s"), name);
    put_err_line("unyo: ", msg);
    free(msg);
    print_overview(stderr);
}

/* A command's usage; with verb, only that verb's. */
static void print_usage(const struct cli_command *c, const char *verb)
{
    printf("unyo %s — %s\n\n", c->name, _(c->summary));
    cli_family_usage(stdout, c->family, verb);
}

static const char *type_name(enum cli_type t)
{
    static const char *const names[] = {"flag",  "string", "int",  "date",
                                        "month", "time",   "enum", "number"};
    return names[t];
}

/* `unyo help --table`: every verb and option of the tables, one per line
 * (NOUN VERB OPTION TYPE MIN MAX CHOICES, tab-separated; "-" for none), for
 * the option test. */
static void print_table(void)
{
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        const struct cli_family *f = commands[i].family;
        for (const struct cli_verb *v = f->verbs; v->run; v++) {
            const char *vn = v->name ? v->name : "-";
            printf("%s\t%s\t-\t-\t-\t-\t-\n", f->noun, vn);
            for (const struct cli_opt *o = v->opts; o && o->name; o++)
                printf("%s\t%s\t%s\t%s\t%ld\t%ld\t%s\n", f->noun, vn, o->name, type_name(o->type),
                       o->min, o->max, o->choices ? o->choices : "-");
        }
    }
}

/* `unyo help --man-synopsis`: the lines of the man page's SYNOPSIS between
 * its GENERATED markers (a test keeps doc/unyo.1 in step). */
static void print_man_synopsis(void)
{
    printf(".ad l\n.in +4n\n"); /* continuation lines hang under the first */
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        const struct cli_family *f = commands[i].family;
        for (const struct cli_verb *v = f->verbs; v->run; v++) {
            printf(".ti -4n\n");
            cli_synopsis(stdout, f->noun, v, 1);
        }
    }
    printf(".in\n.ad\n");
}

static int help_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    (void)ctx;
    if (cli_has(a, "table")) {
        print_table();
        return EXIT_OK;
    }
    if (cli_has(a, "man-synopsis")) {
        print_man_synopsis();
        return EXIT_OK;
    }
    if (a->argc < 1) {
        print_overview(stdout);
        return EXIT_OK;
    }
    const struct cli_command *c = find_command(a->argv[0]);
    if (!c) {
        no_such_command(a->argv[0]);
        return EXIT_USAGE;
    }
    print_usage(c, a->argc > 1 ? a->argv[1] : NULL);
    return EXIT_OK;
}

/* Takes the options every command shares out of argv, wherever they are, so
 * `unyo --db X incident list` and `unyo incident list --db X` both work. */
static int take_global_options(struct cli_ctx *ctx, int *argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "--") == 0) {
            for (; i < *argc; i++)
                argv[out++] = argv[i];
            break;
        }
        if (strncmp(a, "--db=", 5) == 0 || strncmp(a, "--lang=", 7) == 0) {
            val = strchr(a, '=') + 1;
        } else if (strcmp(a, "--db") == 0 || strcmp(a, "--lang") == 0) {
            if (i + 1 >= *argc) {
                char *msg = xasprintf(_("%s needs a value"), a);
                put_err_line("unyo: ", msg);
                free(msg);
                return -1;
            }
            val = argv[++i];
        }
        if (val) {
            if (strncmp(a, "--db", 4) == 0) {
                free(ctx->db_path);
                ctx->db_path = xstrdup(val);
                ctx->explicit_db = 1;
            } else {
                if (strcmp(val, "ja") != 0 && strcmp(val, "en") != 0) {
                    put_err_line("unyo: ", "--lang ja|en");
                    return -1;
                }
                ctx->lang = val;
            }
            continue;
        }
        if (strcmp(a, "--read-only") == 0) {
            ctx->read_only = 1;
            continue;
        }
        /* --passphrase-fd N: where a script gives passphrases (src/cli/sign.h). */
        if (strcmp(a, "--passphrase-fd") == 0 || strncmp(a, "--passphrase-fd=", 16) == 0) {
            const char *v = a[15] == '=' ? a + 16 : i + 1 < *argc ? argv[++i] : NULL;
            char *end = NULL;
            long fd = v ? strtol(v, &end, 10) : -1;
            if (!v || !*v || *end || fd < 0 || fd > 1023 || fcntl((int)fd, F_GETFD) < 0) {
                put_err_line("unyo: ", _("--passphrase-fd needs the number of an open file "
                                         "descriptor"));
                return -1;
            }
            cli_set_passphrase_fd((int)fd);
            continue;
        }
        enum output_format f = OUTPUT_TEXT;
        if (i > 0 && strcmp(a, "--csv") == 0 &&
            !(out > 0 && (strcmp(argv[0], "export") == 0 || strcmp(argv[0], "import") == 0)))
            f = OUTPUT_CSV;
        else if (i > 0 && strcmp(a, "--json") == 0)
            f = OUTPUT_JSON;
        if (f != OUTPUT_TEXT) {
            if (ctx->format != OUTPUT_TEXT && ctx->format != f)
                ctx->format_conflict = 1; /* refused once --lang is known */
            ctx->format = f;
            continue;
        }
        argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

/* A failed write to stdout (a full disk, /dev/full, a closed pipe) is an
 * error: the output the user asked for is not there. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        char *msg = xasprintf(_("could not write the output: %s"), strerror(e ? e : EIO));
        put_err_line("unyo: ", msg);
        free(msg);
        return rc == EXIT_OK ? EXIT_FAIL : rc;
    }
    return rc;
}

/* ---- stdout through text_sanitize ----
 * In text mode every command's stdout goes through a stream that escapes
 * terminal controls and invalid UTF-8 as the console does, so no stored or
 * server text (a check's output, an incident title, a host name) can set the
 * terminal's title, write the clipboard or clear the screen, whichever printf
 * printed it. CSV and JSON are data and stay exact (JSON escapes controls).
 * A multi-byte character split across two writes is held until its end. */
struct safe_out {
    int fd;
    int keep_cr; /* stderr: progress lines return the carriage */
    char pend[4];
    size_t npend;
};

static FILE *real_stdout, *real_stderr;

static int write_fd(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* Bytes at the end of s[0..n) that start a UTF-8 sequence not yet complete. */
static size_t incomplete_tail(const char *s, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = (unsigned char)s[n - back];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: look further back */
        size_t need = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
        return need > back && c >= 0xC2 && c < 0xF5 ? back : 0;
    }
    return 0;
}

static void sanitize_bytes(struct strbuf *out, const char *s, size_t n, int keep_cr)
{
    char *w = xmalloc(n + 1);
    memcpy(w, s, n);
    w[n] = '\0';
    for (size_t i = 0; i < n;) {
        size_t seg = strlen(w + i);
        char *cr = keep_cr ? memchr(w + i, '\r', seg) : NULL;
        if (cr) {
            *cr = '\0';
            seg = (size_t)(cr - (w + i));
        }
        text_sanitize(out, w + i, 1);
        i += seg;
        if (cr) {
            sb_putc(out, '\r');
            i++;
        } else if (i < n) { /* a NUL byte */
            sb_puts(out, "\\x00");
            i++;
        }
    }
    free(w);
}

static ssize_t safe_write(void *cookie, const char *buf, size_t size)
{
    struct safe_out *so = cookie;
    struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
    sb_add(&in, so->pend, so->npend);
    sb_add(&in, buf, size);
    size_t keep = incomplete_tail(in.buf, in.len);
    sanitize_bytes(&out, in.buf, in.len - keep, so->keep_cr);
    memcpy(so->pend, in.buf + in.len - keep, keep);
    so->npend = keep;
    int rc = out.len ? write_fd(so->fd, out.buf, out.len) : 0;
    sb_free(&in);
    sb_free(&out);
    return rc == 0 ? (ssize_t)size : 0;
}

static int safe_close(void *cookie)
{
    struct safe_out *so = cookie;
    int rc = 0;
    if (so->npend) { /* the output ended inside a character */
        struct strbuf out = STRBUF_INIT;
        sanitize_bytes(&out, so->pend, so->npend, so->keep_cr);
        rc = write_fd(so->fd, out.buf, out.len);
        sb_free(&out);
    }
    free(so);
    return rc;
}

static FILE *safe_stream(int fd, int keep_cr, int mode)
{
    struct safe_out *so = xcalloc(1, sizeof *so);
    so->fd = fd;
    so->keep_cr = keep_cr;
    cookie_io_functions_t io = {.write = safe_write, .close = safe_close};
    FILE *f = fopencookie(so, "w", io);
    if (!f) {
        free(so);
        return NULL;
    }
    setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
    return f;
}

/* Raw stdout stays for the commands whose output is a terminal session or a
 * recording (ssh, session), for CSV (data, kept exact; output_print writes
 * JSON lists raw too: json_escape leaves no control in them), and for host exec into a pipe or
 * file (the remote command's bytes, like ssh HOST CMD; to a terminal they are
 * sanitised). */
static int sanitize_stdout(const struct cli_ctx *ctx, int n, char **args)
{
    if (ctx->format == OUTPUT_CSV || strcmp(args[0], "ssh") == 0 || strcmp(args[0], "session") == 0)
        return 0;
    if (strcmp(args[0], "host") == 0 && n > 1 && strcmp(args[1], "exec") == 0 &&
        !isatty(STDOUT_FILENO))
        return 0;
    FILE *f = safe_stream(STDOUT_FILENO, 0, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
    if (!f)
        return 0;
    fflush(stdout);
    real_stdout = stdout;
    stdout = f; /* glibc: stdout is an assignable variable */
    output_set_raw_stdout(real_stdout);
    return 1;
}

static void restore_stdout(void)
{
    FILE *f = stdout;
    stdout = real_stdout;
    output_set_raw_stdout(NULL);
    fclose(f);
}

/* stderr too (a server's signal name, a path or a name typed on the command
 * line in a message): unbuffered, carriage returns kept for progress lines.
 * Not for ssh and session (terminal sessions) nor sync, whose progress line
 * clears itself with ESC [ K. */
static int sanitize_stderr(int n, char **args)
{
    (void)n;
    if (strcmp(args[0], "ssh") == 0 || strcmp(args[0], "session") == 0 ||
        strcmp(args[0], "sync") == 0)
        return 0;
    FILE *f = safe_stream(STDERR_FILENO, 1, _IONBF);
    if (!f)
        return 0;
    fflush(stderr);
    real_stderr = stderr;
    stderr = f;
    return 1;
}

static void restore_stderr(void)
{
    FILE *f = stderr;
    stderr = real_stderr;
    fclose(f);
}

int cli_main(int argc, char **argv, console_fn console)
{
    struct cli_ctx ctx = {0};
    /* argv[0] is dropped: from here on argv[0] is the command. */
    int n = argc - 1;
    char **args = xcalloc((size_t)argc + 1, sizeof *args);
    for (int i = 0; i < n; i++)
        args[i] = argv[i + 1];
    /* --lang must be known before the first message, so parse first and
     * initialise gettext after (errors in parsing are in the locale's tongue). */
    struct cli_ctx probe = {0};
    int pn = n;
    char **pargs = xcalloc((size_t)argc + 1, sizeof *pargs);
    memcpy(pargs, args, (size_t)n * sizeof *args);
    i18n_init(NULL);
    if (take_global_options(&probe, &pn, pargs) != 0) {
        free(pargs);
        free(args);
        free(probe.db_path);
        return EXIT_USAGE;
    }
    free(pargs);
    free(probe.db_path);
    if (probe.lang)
        i18n_init(probe.lang);
    take_global_options(&ctx, &n, args);
    if (ctx.format_conflict) {
        put_err_line("unyo: ", _("--csv and --json cannot be used together"));
        free(ctx.db_path);
        free(args);
        return EXIT_USAGE;
    }
    if (!ctx.db_path)
        ctx.db_path = store_default_path();
    if (ctx.read_only)
        store_set_read_only(1);

    int rc;
    if (n == 0) {
        rc = console(&ctx, n, args);
    } else if (strcmp(args[0], "--version") == 0 || strcmp(args[0], "version") == 0) {
        printf("unyo %s\n", UNYO_VERSION);
        /* Where this binary reads its shipped data and catalogs (an installed
         * tree's, a build tree's or the environment's), as gcc -print-search-dirs. */
        printf(_("data: %s\n"), install_datadir());
        printf(_("catalogs: %s\n"), install_localedir());
        rc = finish_stdout(EXIT_OK);
    } else if (strcmp(args[0], "--help") == 0 || strcmp(args[0], "-h") == 0) {
        print_overview(stdout);
        rc = finish_stdout(EXIT_OK);
    } else if (args[0][0] == '-') {
        /* Options for the console itself (--first-frame, --script ...). */
        rc = console(&ctx, n, args);
    } else {
        const struct cli_command *c = find_command(args[0]);
        if (!c) {
            no_such_command(args[0]);
            rc = EXIT_USAGE;
        } else if (cli_family_wants_help(c->family, n, args)) {
            print_usage(c, n > 1 ? args[1] : NULL);
            rc = finish_stdout(EXIT_OK);
        } else {
            int safe = sanitize_stdout(&ctx, n, args);
            int safe_err = sanitize_stderr(n, args);
            rc = cli_family_run(&ctx, c->family, n, args);
            rc = finish_stdout(rc);
            if (safe) {
                restore_stdout();
                rc = finish_stdout(rc);
            }
            if (safe_err)
                restore_stderr();
        }
    }
    free(ctx.db_path);
    free(args);
    return rc;
}
