/* unyo check watch (src/cli/check_watch.c). */
#ifndef UNYO_CLI_CHECK_WATCH_H
#define UNYO_CLI_CHECK_WATCH_H

#include "cli.h"

int check_watch_cmd(struct cli_ctx *ctx, const struct cli_args *a);

#endif
