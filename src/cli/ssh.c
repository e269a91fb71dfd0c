/* unyo ssh HOST: a full-screen recorded session. The screen lives in the UI
 * layer (screens/consoles.c), which src/main.c registers here; core has no
 * ncurses. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"

int (*cli_ssh_fullscreen)(struct cli_ctx *ctx, const char *host, int argc, char **argv);

int cmd_ssh(struct cli_ctx *ctx, int argc, char **argv)
{
    /* argv[0] is "ssh"; options (hidden benchmark modes) may stand anywhere. */
    const char *host = NULL;
    char *opts[8];
    int nopts = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            if (nopts + 2 > (int)(sizeof opts / sizeof opts[0]))
                return cli_usage("ssh", "%s", _("too many options"));
            opts[nopts++] = argv[i];
            if (i + 1 < argc)
                opts[nopts++] = argv[++i];
        } else if (!host) {
            host = argv[i];
        } else {
            return cli_usage("ssh", "%s", _("give one HOST"));
        }
    }
    if (!host)
        return cli_usage("ssh", "%s", _("give one HOST"));
    if (!cli_ssh_fullscreen) {
        fprintf(stderr, "%s\n", _("unyo: this build has no console screen"));
        return EXIT_FAIL;
    }
    return cli_ssh_fullscreen(ctx, host, nopts, opts);
}
