/* unyo host list|add|edit|show|remove|import-ssh-config|exec|trust */
#include <limits.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hosts.h"
#include "i18n.h"
#include "output.h"
#include "ssh_conn.h"
#include "ssh_prompt.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

static void reset_getopt(void)
{
    optind = 0;
    opterr = 1;
}

static int host_list_cmd(struct cli_ctx *ctx)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct host *h;
    size_t n;
    char *err = NULL;
    if (host_list(st, &h, &n, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    static const char *const keys[] = {"name",     "address",  "role",      "location",
                                       "os",       "owner",    "ssh_alias", "ssh_user",
                                       "ssh_port", "ssh_jump", "notes"};
    const char *heads[] = {_("Name"), _("Address"), _("Role"),      _("Location"),
                           _("OS"),   _("Owner"),   _("SSH alias"), _("SSH user"),
                           _("Port"), _("Jump"),    _("Notes")};
    struct output_table *t = output_new((int)ARRAY_LEN(keys), keys, heads);
    for (size_t i = 0; i < n; i++) {
        char port[16] = "";
        if (h[i].ssh_port > 0)
            snprintf(port, sizeof port, "%d", h[i].ssh_port);
        const char *v[] = {h[i].name,      h[i].address,  h[i].role,
                           h[i].location,  h[i].os,       h[i].owner,
                           h[i].ssh_alias, h[i].ssh_user, port[0] ? port : NULL,
                           h[i].ssh_jump,  h[i].notes};
        output_row(t, v);
    }
    output_print(t, ctx->format, stdout);
    output_free(t);
    host_list_free(h, n);
    store_close(st);
    return EXIT_OK;
}

static int host_show_cmd(struct cli_ctx *ctx, const char *name)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    struct host h;
    char *err = NULL;
    if (host_get(st, name, &h, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    char port[16] = "";
    if (h.ssh_port > 0)
        snprintf(port, sizeof port, "%d", h.ssh_port);
    static const char *const keys[] = {"field", "value"};
    const char *heads[] = {_("Field"), _("Value")};
    struct output_table *t = output_new(2, keys, heads);
    const char *rows[][2] = {{"id", h.id},
                             {"name", h.name},
                             {"address", h.address},
                             {"role", h.role},
                             {"location", h.location},
                             {"os", h.os},
                             {"owner", h.owner},
                             {"notes", h.notes},
                             {"ssh_alias", h.ssh_alias},
                             {"ssh_user", h.ssh_user},
                             {"ssh_port", port[0] ? port : NULL},
                             {"ssh_jump", h.ssh_jump},
                             {"updated_at", h.updated_at}};
    for (size_t i = 0; i < ARRAY_LEN(rows); i++)
        output_row(t, rows[i]);
    output_print(t, ctx->format, stdout);
    output_free(t);
    host_clear(&h);
    store_close(st);
    return EXIT_OK;
}

/* add / edit share their options. */
static int parse_fields(int argc, char **argv, struct host_fields *f, const char **name)
{
    static const struct option opts[] = {
        {"address", required_argument, NULL, 'a'},   {"role", required_argument, NULL, 'r'},
        {"location", required_argument, NULL, 'l'},  {"os", required_argument, NULL, 'o'},
        {"owner", required_argument, NULL, 'w'},     {"notes", required_argument, NULL, 'n'},
        {"ssh-alias", required_argument, NULL, 's'}, {"user", required_argument, NULL, 'u'},
        {"port", required_argument, NULL, 'p'},      {"jump", required_argument, NULL, 'j'},
        {"rename", required_argument, NULL, 'R'},    {NULL, 0, NULL, 0}};
    memset(f, 0, sizeof *f);
    f->ssh_port = -1;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "a:r:l:o:w:n:s:u:p:j:R:", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            f->address = optarg;
            break;
        case 'r':
            f->role = optarg;
            break;
        case 'l':
            f->location = optarg;
            break;
        case 'o':
            f->os = optarg;
            break;
        case 'w':
            f->owner = optarg;
            break;
        case 'n':
            f->notes = optarg;
            break;
        case 's':
            f->ssh_alias = optarg;
            break;
        case 'u':
            f->ssh_user = optarg;
            break;
        case 'p': {
            long v;
            if (cli_count("host", "--port", optarg, 0, 65535, &v) != 0)
                return -2; /* the message is out */
            f->ssh_port = (int)v;
            break;
        }
        case 'j':
            f->ssh_jump = optarg;
            break;
        case 'R':
            f->name = optarg;
            break;
        default:
            return -1;
        }
    }
    if (optind != argc - 1)
        return -1;
    *name = argv[optind];
    return 0;
}

static int host_add_edit_cmd(struct cli_ctx *ctx, int argc, char **argv, int adding)
{
    struct host_fields f;
    const char *name;
    int prc = parse_fields(argc, argv, &f, &name);
    if (prc == -2)
        return EXIT_USAGE;
    if (prc != 0)
        return cli_usage("host", _("give one NAME and valid options"));
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc;
    if (adding) {
        if (f.name)
            return cli_usage("host", _("--rename is for edit"));
        f.name = name;
        rc = host_add(st, &f, NULL, &err);
    } else {
        rc = host_edit(st, name, &f, &err);
    }
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(adding ? _("Added host %s.\n") : _("Changed host %s.\n"), f.name ? f.name : name);
    return EXIT_OK;
}

static int host_remove_cmd(struct cli_ctx *ctx, const char *name)
{
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    int rc = host_remove(st, name, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Removed host %s.\n"), name);
    return EXIT_OK;
}

static int host_import_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"file", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *file = NULL;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
        if (c == 'f')
            file = optarg;
        else
            return cli_usage("host", _("unknown option"));
    }
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    int added, skipped;
    char *err = NULL;
    int rc = hosts_import_ssh_config(st, file, &added, &skipped, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Imported %d hosts from ssh_config (%d already in the inventory).\n"), added, skipped);
    return EXIT_OK;
}

/* Options shared by the commands that connect. */
struct conn_flags {
    int timeout;
    int accept_new;
    const char *known_hosts;
    const char *ssh_config;
};

/* NAME is a host of the inventory when there is a store holding it, else an
 * ssh_config alias: connecting needs no store. Fills h (have = 1) and opts. */
static const char *resolve_target(struct cli_ctx *ctx, const char *name, struct host *h, int *have,
                                  struct ssh_conn_opts *o)
{
    struct store *st = NULL;
    *have = 0;
    if (store_open(ctx->db_path, STORE_OPEN_EXISTING, &st, NULL) == 0) {
        *have = host_get(st, name, h, NULL) == 0;
        store_close(st);
    }
    return *have ? host_ssh_target(h, o) : name;
}

static int host_exec_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"timeout", required_argument, NULL, 't'},
                                         {"accept-new", no_argument, NULL, 'A'},
                                         {"max-output", required_argument, NULL, 'm'},
                                         {NULL, 0, NULL, 0}};
    int timeout = 30, accept_new = 0;
    long max_output = 16L << 20;
    int c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "+t:Am:", opts, NULL)) != -1) {
        long v;
        if (c == 't') {
            if (cli_count("host", "--timeout", optarg, 1, 86400, &v) != 0)
                return EXIT_USAGE;
            timeout = (int)v;
        } else if (c == 'A') {
            accept_new = 1;
        } else if (c == 'm') {
            if (cli_count("host", "--max-output", optarg, 1, LONG_MAX, &max_output) != 0)
                return EXIT_USAGE;
        } else
            return cli_usage("host", _("unknown option"));
    }
    if (argc - optind < 2)
        return cli_usage("host", _("give NAME and a COMMAND"));
    const char *name = argv[optind];
    struct strbuf cmd = STRBUF_INIT;
    for (int i = optind + 1; i < argc; i++) {
        if (i > optind + 1)
            sb_putc(&cmd, ' ');
        sb_puts(&cmd, argv[i]);
    }
    struct host h;
    char *err = NULL;
    struct ssh_conn_opts o = {0};
    int have_host;
    const char *target = resolve_target(ctx, name, &h, &have_host, &o);
    ssh_cli_prompts(&o.prompts, accept_new);
    struct ssh_result r;
    int rc = ssh_run(target, &o, cmd.buf, (size_t)max_output, timeout * 1000, &r, &err);
    if (have_host)
        host_clear(&h);
    sb_free(&cmd);
    if (rc != 0)
        return cli_fail(err);
    fwrite(r.out, 1, r.out_len, stdout);
    fwrite(r.err, 1, r.err_len, stderr);
    fflush(stdout);
    if (r.truncated)
        fprintf(stderr, _("unyo: output cut at %ld bytes\n"), max_output);
    int status = r.exit_status;
    if (r.exit_signal)
        fprintf(stderr, _("unyo: the command was killed by signal %s\n"), r.exit_signal);
    ssh_result_free(&r);
    return status < 0 ? EXIT_FAIL : status;
}

static int host_trust_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"yes", no_argument, NULL, 'y'}, {NULL, 0, NULL, 0}};
    int yes = 0, c;
    reset_getopt();
    while ((c = getopt_long(argc, argv, "y", opts, NULL)) != -1) {
        if (c == 'y')
            yes = 1;
        else
            return cli_usage("host", _("unknown option"));
    }
    if (optind != argc - 1)
        return cli_usage("host", _("give one NAME"));
    const char *name = argv[optind];
    struct host h;
    struct ssh_conn_opts o = {0};
    int have_host;
    const char *target = resolve_target(ctx, name, &h, &have_host, &o);
    o.hostkey_policy = SSH_HOSTKEY_ASK;
    ssh_cli_prompts(&o.prompts, yes);
    char *err = NULL;
    struct ssh_conn *conn = ssh_conn_new(target, &o, &err);
    int rc = EXIT_FAIL;
    if (conn) {
        /* Only as far as the host key: stop before authenticating. */
        for (;;) {
            enum ssh_state s = ssh_conn_step(conn);
            if (s == SSH_FAILED) {
                err = xstrdup(ssh_conn_error(conn));
                break;
            }
            if (s == SSH_NEEDS_CONFIRM) {
                int ok = o.prompts.confirm_hostkey(NULL, ssh_conn_label(conn),
                                                   ssh_conn_fingerprint(conn));
                if (ssh_conn_confirm_hostkey(conn, ok) != 0) {
                    err = xstrdup(ssh_conn_error(conn));
                    break;
                }
                printf(_("Trusted %s: %s\n"), ssh_conn_label(conn), ssh_conn_fingerprint(conn));
                rc = EXIT_OK;
                break;
            }
            if (s >= SSH_AUTH) {
                printf(_("%s is already known: %s\n"), ssh_conn_label(conn),
                       ssh_conn_fingerprint(conn));
                rc = EXIT_OK;
                break;
            }
            struct pollfd p = {ssh_conn_fd(conn), ssh_conn_poll_events(conn), 0};
            int t = ssh_conn_timeout_ms(conn);
            if (p.fd < 0)
                p.fd = -1;
            poll(&p, 1, t < 0 || t > 1000 ? 1000 : t);
        }
        ssh_conn_free(conn);
    }
    if (have_host)
        host_clear(&h);
    if (rc != EXIT_OK)
        return cli_fail(err);
    return rc;
}

int cmd_host(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("host", _("say list, add, edit, show, remove, import-ssh-config, exec or "
                                   "trust"));
    const char *verb = argv[1];
    if (streq(verb, "list"))
        return host_list_cmd(ctx);
    if (streq(verb, "show")) {
        if (argc != 3)
            return cli_usage("host", _("give one NAME"));
        return host_show_cmd(ctx, argv[2]);
    }
    if (streq(verb, "add") || streq(verb, "edit"))
        return host_add_edit_cmd(ctx, argc - 1, argv + 1, streq(verb, "add"));
    if (streq(verb, "remove")) {
        if (argc != 3)
            return cli_usage("host", _("give one NAME"));
        return host_remove_cmd(ctx, argv[2]);
    }
    if (streq(verb, "import-ssh-config"))
        return host_import_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "exec"))
        return host_exec_cmd(ctx, argc - 1, argv + 1);
    if (streq(verb, "trust"))
        return host_trust_cmd(ctx, argc - 1, argv + 1);
    return cli_usage(
        "host",
        _("unknown verb %s: use list, show, add, edit, remove, import-ssh-config, exec or trust"),
        verb);
}
