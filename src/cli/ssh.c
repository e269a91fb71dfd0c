/* unyo ssh HOST: a full-screen recorded session. The screen lives in the UI
 * layer (screens/consoles.c), which src/main.c registers here; core has no
 * ncurses. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"

int (*cli_ssh_fullscreen)(struct cli_ctx *ctx, const char *host, int argc, char **argv);

/* The benchmark modes (tests/bench): validated here, passed on to the screen. */
static const struct cli_opt ssh_opts[] = {
    {.name = "bench-seq", .type = CLI_STR, .arg = N_("COMMAND"), .flags = CLI_HIDDEN},
    {.name = "bench-typing",
     .type = CLI_INT,
     .arg = N_("N"),
     .min = 0,
     .max = 64,
     .flags = CLI_HIDDEN},
    {.name = "bench-keys",
     .type = CLI_INT,
     .arg = N_("N"),
     .min = 1,
     .max = 100000000,
     .flags = CLI_HIDDEN},
    {.name = "bench-stream", .type = CLI_STR, .arg = N_("COMMAND"), .flags = CLI_HIDDEN},
    OPT_END};

static int ssh_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    if (a->argc != 1)
        return cli_usage("ssh", "%s", _("give one HOST"));
    const char *host = a->argv[0];
    char *opts[8];
    int nopts = 0;
    for (size_t i = 0; ssh_opts[i].name; i++) {
        const char *v = cli_str(a, ssh_opts[i].name);
        if (!v)
            continue;
        static char names[4][24];
        snprintf(names[i], sizeof names[i], "--%s", ssh_opts[i].name);
        opts[nopts++] = names[i];
        opts[nopts++] = (char *)v;
    }
    if (!cli_ssh_fullscreen) {
        fprintf(stderr, "%s\n", _("unyo: this build has no console screen"));
        return EXIT_FAIL;
    }
    return cli_ssh_fullscreen(ctx, host, nopts, opts);
}

const struct cli_family ssh_family = {
    "ssh",
    (const struct cli_verb[]){
        {NULL, N_("HOST"), ssh_opts, ssh_cmd,
         N_("An interactive shell on HOST (inventory name or ssh_config alias) drawn full\n"
            "screen and recorded like a Consoles pane session. The prefix key (C-], or\n"
            "config.ini [consoles] prefix) then d or q leaves; then [ scrolls back."),
         0},
        {0}},
    NULL};
