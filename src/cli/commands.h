/* One line per command family; the table in cli.c lists them. */
#ifndef UNYO_CLI_COMMANDS_H
#define UNYO_CLI_COMMANDS_H

#include "cli.h"
#include "opt.h"

extern const struct cli_family init_family;
extern const struct cli_family operator_family;
extern const struct cli_family calendar_family;
extern const struct cli_family template_family;
extern const struct cli_family export_family;
extern const struct cli_family import_family;
extern const struct cli_family audit_family;
extern const struct cli_family demo_family;
extern const struct cli_family shift_family;
extern const struct cli_family ssh_family;
extern const struct cli_family session_family;
extern const struct cli_family central_family;
extern const struct cli_family sync_family;
extern const struct cli_family check_family;
extern const struct cli_family handover_family;
extern const struct cli_family checklist_family;
extern const struct cli_family host_family;
extern const struct cli_family jobs_family;
extern const struct cli_family change_family;
extern const struct cli_family config_family;
extern const struct cli_family incident_family;
extern const struct cli_family inquiry_family;
extern const struct cli_family problem_family;
extern const struct cli_family sla_family;
extern const struct cli_family report_family;
extern const struct cli_family search_family;
#endif
