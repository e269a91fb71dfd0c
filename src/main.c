/* The one place that knows the command line (src/cli*), the console kit
 * (src/ui) and the panes (screens/) together, and wires them: the kit gets the
 * pane registry, the CLI gets the two full-screen entry points. The CLI reads
 * the global options, opens the store and reports its errors; the console and
 * `unyo ssh` get plain data (an open store, their options). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "console.h"
#include "screens.h"
#include "setup.h"
#include "ssh_view.h"
#include "store.h"

/* No command: the full-screen console. */
static int run_console(struct cli_ctx *ctx, int argc, char **argv)
{
    struct console_options o;
    int rc = console_options(argc, argv, &o);
    if (rc != CONSOLE_RUN)
        return rc;
    struct store *st;
    if (cli_open_store(ctx, &st, 0) != 0)
        return EXIT_FAIL;
    char *err = NULL;
    /* A store nobody is registered in yet (after `unyo init`) opens for its first
     * run, which registers you; otherwise you must be registered. */
    int none = 0;
    if (setup_no_operator(st, &none, &err) != 0 ||
        (!none && store_require_operator(st, &err) != 0)) {
        store_close(st);
        return cli_fail(err);
    }
    rc = console_main(st, &o, &err);
    store_close(st);
    return rc < 0 ? cli_fail(err) : rc;
}

/* `unyo ssh HOST [options]`: one session full screen. */
static int run_ssh(struct cli_ctx *ctx, const char *host, int argc, char **argv)
{
    struct consoles_ssh_options o;
    char *err = NULL;
    if (consoles_ssh_options(argc, argv, &o, &err) != 0) {
        int rc = cli_usage("ssh", "%s", err);
        free(err);
        return rc;
    }
    if (consoles_ssh_terminal(&err) != 0)
        return cli_fail(err);
    struct store *st;
    if (cli_open_store(ctx, &st, 1) != 0)
        return EXIT_FAIL;
    int rc = consoles_ssh_main(st, host, &o, &err);
    store_close(st);
    return rc < 0 ? cli_fail(err) : rc;
}

int main(int argc, char **argv)
{
    size_t npanes;
    const struct pane_ops *const *panes = screens_panes(&npanes);
    ui_set_panes(panes, npanes);
    cli_ssh_fullscreen = run_ssh;
    return cli_main(argc, argv, run_console);
}
