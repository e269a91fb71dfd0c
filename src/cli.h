/* `unyo <noun> [verb] [options]`: every feature is reachable headless over the
 * same core functions the console's panes call. */
#ifndef UNYO_CLI_H
#define UNYO_CLI_H

#include "json.h"
#include "output.h"

struct store;

/* Options every command accepts, wherever they stand on the line. */
struct cli_ctx {
    char *db_path;             /* --db PATH, or the default store */
    const char *lang;          /* --lang ja|en, or NULL for the locale */
    enum output_format format; /* --csv / --json */
    int explicit_db;
    int format_conflict; /* both --csv and --json: refused */
};

typedef int (*console_fn)(struct cli_ctx *ctx, int argc, char **argv);

/* Runs unyo; console is called when no command is given (the full-screen UI
 * lives outside core, so main passes it in). */
int cli_main(int argc, char **argv, console_fn console);

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Opens the store named by ctx (must exist), printing a clear message on
 * failure. need_operator: also resolve the acting operator. */
int cli_open_store(struct cli_ctx *ctx, struct store **st, int need_operator);
/* Prints "unyo: msg" to stderr and frees msg. Returns EXIT_FAIL. */
int cli_fail(char *msg);
/* Prints a usage error for cmd and returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads the options of a command whose only option is --NAME VALUE (into
 * *value; untouched without one), leaving optind at the first operand. 0, or
 * the usage error for cmd (EXIT_USAGE) after an unknown option. */
int cli_option(const char *cmd, int argc, char **argv, const char *name, const char **value);

/* Reads text as a whole number from min to max for option name ("--limit"):
 * digits with an optional sign, nothing else. 0, or -1 with *err (translated,
 * naming the option and the text). Every numeric option goes through it. */
int cli_parse_count(const char *name, const char *text, long min, long max, long *out, char **err);
/* cli_parse_count for an option of cmd: 0, or -1 after printing the usage
 * error (the caller returns EXIT_USAGE). */
int cli_count(const char *cmd, const char *name, const char *text, long min, long max, long *out);

/* One entry point per command family (src/cli_*.c); the table in cli.c lists them. */
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

struct cli_command {
    const char *name;
    int (*run)(struct cli_ctx *ctx, int argc, char **argv);
    const char *summary; /* N_() text */
    const char *usage;   /* N_() text: synopsis lines and options */
};
const struct cli_command *cli_commands(size_t *count);

/* `unyo ssh HOST` full screen: set by src/main.c (the screen is UI code). */
extern int (*cli_ssh_fullscreen)(struct cli_ctx *ctx, const char *host, int argc, char **argv);

#endif
