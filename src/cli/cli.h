/* `unyo <noun> [verb] [options]`: every feature is reachable headless over the
 * same core functions the console's panes call. */
#ifndef UNYO_CLI_H
#define UNYO_CLI_H

#include "json.h"
#include "opt.h"
#include "output.h"

struct store;

/* Options every command accepts, wherever they stand on the line. */
struct cli_ctx {
    char *db_path;             /* --db PATH, or the default store */
    const char *lang;          /* --lang ja|en, or NULL for the locale */
    enum output_format format; /* --csv / --json */
    int explicit_db;
    int format_conflict; /* both --csv and --json: refused */
    int read_only;       /* --read-only: every store is opened read-only (store.h) */
};

typedef int (*console_fn)(struct cli_ctx *ctx, int argc, char **argv);

/* Runs unyo; console is called when no command is given (the full-screen UI
 * lives outside core, so main passes it in). */
int cli_main(int argc, char **argv, console_fn console);

/* Opens the store named by ctx (must exist), printing a clear message on
 * failure. need_operator: also resolve the acting operator. */
int cli_open_store(struct cli_ctx *ctx, struct store **st, int need_operator);
/* --passphrase-fd N (N >= 0), or -1 for the terminal: where src/cli/sign.c reads a
 * passphrase. */
void cli_set_passphrase_fd(int fd);
/* Prints "unyo: msg" to stderr and frees msg. Returns EXIT_FAIL. */
int cli_fail(char *msg);
/* Prints a usage error for cmd and returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_parse_count for an operand of cmd (change do REF STEP_NO): 0, or -1
 * after printing the usage error (the caller returns EXIT_USAGE). */
int cli_count(const char *cmd, const char *name, const char *text, long min, long max, long *out);

/* One "Label:   value" line of a record shown as text (change show, jobs show):
 * the label padded to width columns, then a space and the value on one line
 * (sanitised); nothing when value is NULL or empty. */
void cli_show_field(int width, const char *label, const char *value);

/* The command families, one per file of src/cli/ (src/cli/change.c ...); the
 * table in cli.c lists them. */
struct jobs_install_result;
/* `unyo jobs load`'s account of where the jobs went (src/cli/jobs.c). */
void jobs_print_placement(const struct jobs_install_result *res);

extern const struct cli_family init_family;
extern const struct cli_family operator_family;
extern const struct cli_family library_family;
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
extern const struct cli_family downtime_family;
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
extern const struct cli_family completion_family;

struct cli_command {
    const char *name;
    const char *summary; /* N_() text */
    /* The verbs and options as a table (opt.h): parsed, validated and
     * documented by one parser. */
    const struct cli_family *family;
};
const struct cli_command *cli_commands(size_t *count);

/* `unyo ssh HOST` full screen: set by src/main.c (the screen is UI code). */
extern int (*cli_ssh_fullscreen)(struct cli_ctx *ctx, const char *host, int argc, char **argv);

#endif
