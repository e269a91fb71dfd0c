/* The full-screen console: entry point called by cli_main when no command is given. */
#ifndef UNYO_CONSOLE_H
#define UNYO_CONSOLE_H

#include "cli.h"

int console_main(struct cli_ctx *ctx, int argc, char **argv);

#endif
