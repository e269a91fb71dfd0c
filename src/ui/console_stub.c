/* Placeholder until the console kit lands: says so plainly. */
#include <stdio.h>

#include "console.h"
#include "i18n.h"

int console_main(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx, (void)argc, (void)argv;
    fprintf(stderr, "%s\n", _("unyo: the full-screen console is not built yet; see unyo help"));
    return 1;
}
