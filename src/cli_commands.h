/* What a command family's file (src/cli_*.c) includes: the CLI helpers and
 * the cmd_* entry points, declared in cli.h beside the table in cli.c that
 * lists them (cli.c does not include this header: no include cycle). */
#ifndef UNYO_CLI_COMMANDS_H
#define UNYO_CLI_COMMANDS_H

#include "cli.h"

#endif
