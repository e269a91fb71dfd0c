/* unyo host list|add|edit|show|remove|import-ssh-config|exec|trust|parents */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "host_deps.h"
#include "hosts.h"
#include "i18n.h"
#include "jobs.h"
#include "job_runner.h"
#include "labels.h"
#include "output.h"
#include "ssh_conn.h"
#include "ssh_prompt.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

static int host_list_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc > 0)
        return cli_usage("host", _("unexpected argument: %s"), a->argv[0]);
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
                                       "ssh_port", "ssh_jump", "notes",     "transport"};
    const char *heads[] = {_("Name"), _("Address"), _("Role"),      _("Location"),
                           _("OS"),   _("Owner"),   _("SSH alias"), _("SSH user"),
                           _("Port"), _("Jump"),    _("Notes"),     _("Reach")};
    struct output_table *t = output_new((int)ARRAY_LEN(keys), keys, heads);
    output_numbers(t, "ssh_port");
    for (size_t i = 0; i < n; i++) {
        char port[16] = "";
        if (h[i].ssh_port > 0)
            snprintf(port, sizeof port, "%d", h[i].ssh_port);
        const char *v[] = {h[i].name,
                           h[i].address,
                           ctx->format == OUTPUT_TEXT && h[i].role ? label_host_role(h[i].role)
                                                                   : h[i].role,
                           h[i].location,
                           h[i].os,
                           h[i].owner,
                           h[i].ssh_alias,
                           h[i].ssh_user,
                           port[0] ? port : NULL,
                           h[i].ssh_jump,
                           h[i].notes,
                           host_transport_label(&h[i])};
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
    char *parents = NULL;
    if (host_parents_names(st, &h, &parents, &err) != 0) {
        host_clear(&h);
        store_close(st);
        return cli_fail(err);
    }
    static const char *const keys[] = {"field", "value"};
    const char *heads[] = {_("Field"), _("Value")};
    struct output_table *t = output_new(2, keys, heads);
    const char *rows[][2] = {
        {"id", h.id},
        {"name", h.name},
        {"address", h.address},
        {"role", ctx->format == OUTPUT_TEXT && h.role ? label_host_role(h.role) : h.role},
        {"location", h.location},
        {"os", h.os},
        {"owner", h.owner},
        {"notes", h.notes},
        {"ssh_alias", h.ssh_alias},
        {"ssh_user", h.ssh_user},
        {"ssh_port", port[0] ? port : NULL},
        {"ssh_jump", h.ssh_jump},
        {"ssh_config", h.ssh_config},
        {"parents", *parents ? parents : NULL},
        {"updated_at", h.updated_at}};
    for (size_t i = 0; i < ARRAY_LEN(rows); i++)
        output_row(t, rows[i]);
    output_print(t, ctx->format, stdout);
    output_free(t);
    free(parents);
    host_clear(&h);
    store_close(st);
    return EXIT_OK;
}

/* add / edit share their options. */
static int host_add_edit_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int adding = streq(a->verb, "add");
    struct host_fields f = {0};
    f.address = cli_str(a, "address");
    f.role = cli_str(a, "role");
    f.location = cli_str(a, "location");
    f.os = cli_str(a, "os");
    f.owner = cli_str(a, "owner");
    f.notes = cli_str(a, "notes");
    f.ssh_alias = cli_str(a, "ssh-alias");
    f.ssh_user = cli_str(a, "user");
    f.ssh_port = (int)cli_int(a, "port", -1);
    f.ssh_jump = cli_str(a, "jump");
    f.name = adding ? NULL : cli_str(a, "rename");
    if (a->argc != 1)
        return cli_usage("host", _("give one NAME and valid options"));
    /* The file is read at each connection, from wherever unyo runs: keep its
     * full path, and refuse one that is not there (as ssh -F does). */
    const char *config = cli_str(a, "ssh-config");
    char *config_real = NULL;
    if (config && *config) {
        config_real = realpath(config, NULL);
        if (!config_real)
            return cli_fail(xasprintf(_("cannot read %s: %s"), config, strerror(errno)));
        f.ssh_config = config_real;
    } else if (config) {
        f.ssh_config = "";
    }
    const char *name = a->argv[0];
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0) {
        free(config_real);
        return EXIT_FAIL;
    }
    char *err = NULL;
    int rc;
    if (adding) {
        if (f.name) {
            free(config_real);
            store_close(st);
            return cli_usage("host", _("--rename is for edit"));
        }
        f.name = name;
        rc = host_add(st, &f, NULL, &err);
    } else {
        rc = host_edit(st, name, &f, &err);
        const char *transport = cli_str(a, "transport");
        if (rc == 0 && transport)
            rc = host_set_transport(st, f.name ? f.name : name, transport, &err);
    }
    /* A job waiting for a host of this role runs here once it is the role's only host. */
    int placed = 0;
    if (rc == 0 && f.role)
        rc = jobs_place_by_role(st, 0, &placed, &err);
    store_close(st);
    free(config_real);
    if (rc != 0)
        return cli_fail(err);
    printf(adding ? _("Added host %s.\n") : _("Changed host %s.\n"), f.name ? f.name : name);
    if (placed > 0)
        printf(_("Jobs that needed a host of role %s now run on it: %d.\n"),
               label_host_role(f.role), placed);
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

static int host_import_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    const char *file = cli_str(a, "file");
    if (a->argc > 0)
        return cli_usage("host", _("unexpected argument: %s"), a->argv[0]);
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

static int host_exec_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int timeout = (int)cli_int(a, "timeout", 30);
    int accept_new = cli_has(a, "accept-new") > 0;
    long max_output = cli_int(a, "max-output", 16L << 20);
    if (a->argc < 2)
        return cli_usage("host", _("give NAME and a COMMAND"));
    const char *name = a->argv[0];
    struct strbuf cmd = STRBUF_INIT;
    for (int i = 1; i < a->argc; i++) {
        if (i > 1)
            sb_putc(&cmd, ' ');
        sb_puts(&cmd, a->argv[i]);
    }
    struct host h;
    char *err = NULL;
    struct ssh_conn_opts o = {0};
    int have_host;
    const char *target = resolve_target(ctx, name, &h, &have_host, &o);
    if (have_host && host_is_local(&h)) {
        /* A demo host: its example address is never dialled; the command runs here. */
        struct job_exec_result jr;
        int lrc = job_exec_local(NULL, &h, cmd.buf, timeout, (size_t)max_output, &jr);
        fprintf(stderr, _("unyo: %s is a demo host: the command ran on this machine\n"), h.name);
        host_clear(&h);
        sb_free(&cmd);
        if (lrc != 0) {
            int frc = cli_fail(jr.error ? xstrdup(jr.error) : NULL);
            job_exec_result_free(&jr);
            return frc;
        }
        fwrite(jr.output ? jr.output : "", 1, jr.output_len, stdout);
        fflush(stdout);
        if (jr.truncated)
            fprintf(stderr, _("unyo: output cut at %ld bytes\n"), max_output);
        int status = jr.timed_out ? EXIT_FAIL : jr.exit_status;
        job_exec_result_free(&jr);
        return status < 0 ? EXIT_FAIL : status;
    }
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

static int host_trust_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    int yes = cli_has(a, "yes") > 0;
    if (a->argc != 1)
        return cli_usage("host", _("give one NAME"));
    const char *name = a->argv[0];
    struct host h;
    struct ssh_conn_opts o = {0};
    int have_host;
    const char *target = resolve_target(ctx, name, &h, &have_host, &o);
    if (have_host && host_is_local(&h)) {
        char *why = xasprintf(_("%s is a demo host (its checks and jobs run on this machine): "
                                "it has no host key to trust"),
                              h.name);
        host_clear(&h);
        return cli_fail(why);
    }
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
                if (!yes && !isatty(STDIN_FILENO)) {
                    /* Nobody to ask: say so, with the key to compare, rather
                     * than a bare "not trusted". */
                    err = xasprintf(_("the host key of %s is %s; there is no terminal to ask "
                                      "whether to trust it: compare the fingerprint with the "
                                      "server's and run again with --yes to trust this key"),
                                    ssh_conn_label(conn), ssh_conn_fingerprint(conn));
                    break;
                }
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

/* host parents NAME [--set LIST | --clear] */
static int host_parents_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("host", _("give one NAME"));
    const char *set = cli_str(a, "set");
    int clear = cli_has(a, "clear");
    if (set && clear)
        return cli_usage("host", _("give --set or --clear, not both"));
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    if ((set || clear) && host_parents_set(st, a->argv[0], clear ? "" : set, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    struct host h;
    char *names = NULL;
    if (host_get(st, a->argv[0], &h, &err) != 0) {
        store_close(st);
        return cli_fail(err);
    }
    int rc = host_parents_names(st, &h, &names, &err);
    store_close(st);
    if (rc != 0) {
        host_clear(&h);
        return cli_fail(err);
    }
    static const char *const keys[] = {"host", "parent"};
    const char *heads[] = {_("Host"), _("Parent")};
    struct output_table *t = output_new(2, keys, heads);
    for (char *tok = strtok(names, ","); tok; tok = strtok(NULL, ",")) {
        const char *v[] = {h.name, tok};
        output_row(t, v);
    }
    if (ctx->format == OUTPUT_TEXT && !*names)
        printf(_("%s has no parents: its check failures are its own.\n"), h.name);
    else
        output_print(t, ctx->format, stdout);
    output_free(t);
    free(names);
    host_clear(&h);
    return EXIT_OK;
}

static int host_name_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("host", _("give one NAME"));
    return streq(a->verb, "show") ? host_show_cmd(ctx, a->argv[0])
                                  : host_remove_cmd(ctx, a->argv[0]);
}

#define HOST_FIELD_OPTS                                                                            \
    OPT_STR("address", 'a', N_("ADDRESS"), N_("the address (name or IP)")),                        \
        OPT_STR("role", 'r', N_("ROLE"), N_("AP DB file AD proxy WSUS backup network other")),     \
        OPT_STR("location", 'l', N_("LOCATION"), N_("where the machine stands")),                  \
        OPT_STR("os", 'o', N_("OS"), N_("the operating system")),                                  \
        OPT_STR("owner", 'w', N_("OWNER"), N_("who is responsible for it")),                       \
        OPT_STR("notes", 'n', N_("NOTES"), N_("free notes")),                                      \
        OPT_STR("ssh-alias", 's', N_("ALIAS"),                                                     \
                N_("the Host entry of ~/.ssh/config to connect by")),                              \
        OPT_STR("user", 'u', N_("USER"), N_("the SSH user")),                                      \
        OPT_INT("port", 'p', N_("PORT"), 0, 65535, N_("the SSH port")),                            \
        OPT_STR("jump", 'j', N_("JUMP"), N_("the jump host (ProxyJump)")),                         \
        OPT_STR("ssh-config", 'F', N_("PATH"),                                                     \
                N_("the ssh_config file the alias is read from (default ~/.ssh/config)"))
static const struct cli_opt host_add_opts[] = {HOST_FIELD_OPTS, OPT_END};
static const struct cli_opt host_edit_opts[] = {
    HOST_FIELD_OPTS, OPT_STR("rename", 'R', N_("NEW"), N_("the host's new name")),
    OPT_ENUM("transport", 'T', "ssh|local",
             N_("how it is reached: ssh, or local (its checks and jobs run on this machine, "
                "as the demo's hosts)")),
    OPT_END};
static const struct cli_opt host_import_opts[] = {
    OPT_STR("file", 'f', N_("PATH"), N_("the ssh_config file (default ~/.ssh/config)")), OPT_END};
static const struct cli_opt host_exec_opts[] = {
    OPT_INT("timeout", 't', N_("SECONDS"), 1, 86400, N_("seconds before the command is stopped")),
    OPT_FLAG("accept-new", 'A', N_("trust a host key seen for the first time")),
    OPT_INT("max-output", 'm', N_("BYTES"), 1, LONG_MAX, N_("the output kept, in bytes")), OPT_END};
static const struct cli_opt host_parents_opts[] = {
    OPT_STR("set", 'S', N_("HOST,..."),
            N_("the parents (core switch, hypervisor), comma-separated: any one up is a path")),
    OPT_FLAG("clear", 'C', N_("the host has no parents")), OPT_END};
static const struct cli_opt host_trust_opts[] = {OPT_FLAG("yes", 'y', N_("trust without asking")),
                                                 OPT_END};
const struct cli_family host_family = {
    "host",
    (const struct cli_verb[]){
        {"list", NULL, NULL, host_list_cmd, NULL, CLI_FORMATS},
        {"show", N_("NAME"), NULL, host_name_cmd, NULL, CLI_FORMATS},
        {"add", N_("NAME"), host_add_opts, host_add_edit_cmd, NULL, 0},
        {"edit", N_("NAME"), host_edit_opts, host_add_edit_cmd,
         N_("An empty value clears a field."), 0},
        {"remove", N_("NAME"), NULL, host_name_cmd, NULL, 0},
        {"import-ssh-config", NULL, host_import_opts, host_import_cmd,
         N_("One host per concrete Host entry of ~/.ssh/config (wildcards skipped). Hosts "
            "imported with --file remember that file: connecting to them reads it, as ssh -F "
            "does."),
         0},
        {"exec", N_("NAME COMMAND..."), host_exec_opts, host_exec_cmd,
         N_("Runs COMMAND over SSH (NAME: a host of the inventory or an ssh_config alias)."),
         CLI_STOP},
        {"parents", N_("NAME"), host_parents_opts, host_parents_cmd,
         N_("Lists the host's parents, or sets them (--set, audited): when every parent is down "
            "in a check round, the host's failures are recorded unreachable via them and only "
            "the parent's failure opens an incident draft. Unknown hosts and cycles are "
            "refused."),
         CLI_FORMATS},
        {"trust", N_("NAME"), host_trust_opts, host_trust_cmd,
         N_("Shows the host key's SHA256 fingerprint and adds it to ~/.ssh/known_hosts: after "
            "yes on a terminal, or at once with --yes (without a terminal too)."),
         0},
        {0}},
    NULL};
