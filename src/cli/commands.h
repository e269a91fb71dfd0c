/* One line per command family; the table in cli.c lists them. */
#ifndef UNYO_CLI_COMMANDS_H
#define UNYO_CLI_COMMANDS_H

#include "cli.h"

int cmd_init(struct cli_ctx *ctx, int argc, char **argv);
int cmd_export(struct cli_ctx *ctx, int argc, char **argv);
int cmd_import(struct cli_ctx *ctx, int argc, char **argv);
int cmd_operator(struct cli_ctx *ctx, int argc, char **argv);
int cmd_calendar(struct cli_ctx *ctx, int argc, char **argv);
int cmd_demo(struct cli_ctx *ctx, int argc, char **argv);
int cmd_template(struct cli_ctx *ctx, int argc, char **argv);
int cmd_audit(struct cli_ctx *ctx, int argc, char **argv);
int cmd_incident(struct cli_ctx *ctx, int argc, char **argv);
int cmd_inquiry(struct cli_ctx *ctx, int argc, char **argv);
int cmd_problem(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sla(struct cli_ctx *ctx, int argc, char **argv);
int cmd_report(struct cli_ctx *ctx, int argc, char **argv);
int cmd_search(struct cli_ctx *ctx, int argc, char **argv);
int cmd_host(struct cli_ctx *ctx, int argc, char **argv);
int cmd_check(struct cli_ctx *ctx, int argc, char **argv);
int cmd_session(struct cli_ctx *ctx, int argc, char **argv);
int cmd_ssh(struct cli_ctx *ctx, int argc, char **argv);
int cmd_central(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sync(struct cli_ctx *ctx, int argc, char **argv);
int cmd_checklist(struct cli_ctx *ctx, int argc, char **argv);
int cmd_shift(struct cli_ctx *ctx, int argc, char **argv);
int cmd_handover(struct cli_ctx *ctx, int argc, char **argv);
int cmd_change(struct cli_ctx *ctx, int argc, char **argv);
int cmd_config(struct cli_ctx *ctx, int argc, char **argv);
int cmd_jobs(struct cli_ctx *ctx, int argc, char **argv);

#endif
