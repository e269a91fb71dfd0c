/* The one option parser of the command line. Each command family declares its
 * verbs and their options as a table (struct cli_verb, struct cli_opt); from
 * that table one parser validates every option's type and range (a malformed
 * value is a usage error, exit 2, with a translated message), answers --help
 * anywhere after a verb, and prints `unyo help NOUN [VERB]`, `unyo NOUN VERB
 * --help` and the man page's synopsis. Usage text lives with the options it
 * describes. */
#ifndef UNYO_CLI_OPT_H
#define UNYO_CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

struct cli_ctx;

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

enum cli_type {
    CLI_FLAG,  /* no value */
    CLI_STR,   /* any text */
    CLI_INT,   /* a whole number from min to max */
    CLI_DATE,  /* YYYY-MM-DD, a day the month has */
    CLI_MONTH, /* YYYY-MM */
    CLI_TIME,  /* "YYYY-MM-DD HH:MM" JST (time_parse) */
    CLI_ENUM,  /* one of choices ("low|medium|high") */
    CLI_NUM,   /* a decimal number ("31.5", "-3"; full-width "３１．５" too) */
};

/* cli_opt.flags */
enum {
    CLI_REPEAT = 1,   /* may be given more than once: every value is kept */
    CLI_REQUIRED = 2, /* shown without brackets (the verb says what it needs) */
    CLI_NOEMPTY = 4,  /* CLI_STR: an empty value is refused */
    CLI_HIDDEN = 8,   /* not in the usage (benchmark modes) */
};

struct cli_opt {
    const char *name; /* long name without "--"; NULL ends a table */
    char short_name;  /* -x, or 0 */
    enum cli_type type;
    const char *arg;     /* the value's name in the synopsis: N, PATH ... */
    long min, max;       /* CLI_INT */
    const char *choices; /* CLI_ENUM */
    unsigned flags;
    const char *help; /* N_() one line, or NULL */
};

#define OPT_FLAG(n, s, h)                                                                          \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_FLAG, .help = h                                    \
    }
#define OPT_STR(n, s, a, h)                                                                        \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_STR, .arg = a, .help = h                           \
    }
#define OPT_STRS(n, s, a, h)                                                                       \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_STR, .arg = a, .flags = CLI_REPEAT, .help = h      \
    }
#define OPT_REQ(n, s, a, h)                                                                        \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_STR, .arg = a, .flags = CLI_REQUIRED, .help = h    \
    }
#define OPT_INT(n, s, a, lo, hi, h)                                                                \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_INT, .arg = a, .min = lo, .max = hi, .help = h     \
    }
#define OPT_DATE(n, s, h)                                                                          \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_DATE, .arg = "YYYY-MM-DD", .help = h               \
    }
#define OPT_MONTH(n, s, h)                                                                         \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_MONTH, .arg = "YYYY-MM", .help = h                 \
    }
#define OPT_TIME(n, s, h)                                                                          \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_TIME, .arg = "\"YYYY-MM-DD HH:MM\"", .help = h     \
    }
#define OPT_ENUM(n, s, c, h)                                                                       \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_ENUM, .choices = c, .help = h                      \
    }
#define OPT_NUM(n, s, a, h)                                                                        \
    {                                                                                              \
        .name = n, .short_name = s, .type = CLI_NUM, .arg = a, .help = h                           \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        .name = NULL                                                                               \
    }

struct cli_args;
typedef int (*cli_verb_fn)(struct cli_ctx *ctx, const struct cli_args *a);

/* cli_verb.flags */
enum {
    CLI_DEFAULT = 1, /* run when the noun is given without a verb (or with options only) */
    CLI_FORMATS = 2, /* a list: accepts --csv and --json (taken by cli_main) */
    CLI_STOP = 4,    /* options end at the first operand (host exec NAME COMMAND...) */
    CLI_JSON = 8,    /* accepts --json only */
};

struct cli_verb {
    const char *name;           /* NULL: the noun has no verbs (unyo audit) */
    const char *operands;       /* after the verb in the synopsis ("REF STEP"), or NULL */
    const struct cli_opt *opts; /* ended by OPT_END, or NULL */
    cli_verb_fn run;
    const char *help; /* N_() lines under the synopsis, or NULL */
    unsigned flags;
};

/* What the parser found. The values point into argv, except a date, month,
 * time or number typed full-width ("２０２６／１２／０７"): its folded form
 * ("2026-12-07", src/input_norm.h) is kept in owned. */
struct cli_args {
    const char *noun;
    const char *verb; /* the verb as typed, NULL for a noun without verbs */
    const struct cli_verb *v;
    int argc; /* operands, options taken out */
    char **argv;
    /* per option of v->opts, by index */
    int *count;
    const char **val;  /* the last value */
    long *num;         /* CLI_INT: the last value */
    const char ***all; /* CLI_REPEAT: every value, NULL-terminated */
    char **owned;      /* folded values, freed by cli_args_free */
    size_t nowned;
};

/* Parses argv[0..argc) (what follows the verb) for verb v of noun. 0, or
 * EXIT_USAGE after printing the message and the verb's synopsis. */
int cli_parse(const char *noun, const struct cli_verb *v, const char *verb, int argc, char **argv,
              struct cli_args *a);
void cli_args_free(struct cli_args *a);

/* Option values by name; an option the verb does not declare reads as not
 * given (one handler may serve several verbs). */
int cli_has(const struct cli_args *a, const char *name);         /* times given */
const char *cli_str(const struct cli_args *a, const char *name); /* last value or NULL */
long cli_int(const struct cli_args *a, const char *name, long dflt);
/* A CLI_MONTH option as numbers: the month given (the parser has already
 * refused what is not YYYY-MM), or this month in JST when it was not given.
 * 0, or -1 for a month before 1970-01 (the month lists start at the epoch):
 * the caller refuses it as a usage error. */
int cli_month(const struct cli_args *a, const char *name, int *year, int *month);
/* CLI_REPEAT: every value in order, NULL-terminated (never NULL), *n their number. */
const char **cli_all(const struct cli_args *a, const char *name, size_t *n);

/* Reads text as a whole number from min to max for option name ("--limit"):
 * digits with an optional sign, nothing else, after input_norm (full-width
 * digits and minus, spaces around). 0, or -1 with *err (translated, naming the
 * option and the text). CLI_INT options and numeric operands go through it. */
int cli_parse_count(const char *name, const char *text, long min, long max, long *out, char **err);

/* The text value of one option typed on a command line, a date, month, time or
 * number folded first (input_norm_date, input_norm): 0, or -1 with *err
 * (translated, naming the option and the text). */
int cli_check_value(const struct cli_opt *o, const char *text, long *num, char **err);

/* One command family: the noun, its verbs and notes. */
struct cli_family {
    const char *noun;
    const struct cli_verb *verbs; /* ended by {.run = NULL} */
    const char *notes;            /* N_() after all verbs in `unyo help NOUN`, or NULL */
};

/* Dispatches argv (argv[0] is the noun) to its verb: --help anywhere after the
 * verb prints its usage (exit 0), a malformed option is exit 2. */
int cli_family_run(struct cli_ctx *ctx, const struct cli_family *f, int argc, char **argv);
/* A default verb given a word it does not take (`unyo jobs list frob`, read as
 * `unyo jobs frob`): "unyo NOUN: unknown verb WORD: use VERBS" and the family's
 * usage on stderr, as cli_family_run says it; returns EXIT_USAGE. */
int cli_unknown_verb(const struct cli_family *f, const char *word);
/* 1 when argv (argv[0] the noun) asks for help: --help after the verb, or
 * -h right after the noun. */
int cli_family_wants_help(const struct cli_family *f, int argc, char **argv);
/* `unyo NOUN VERB --help`, `unyo help NOUN [VERB]`: the synopsis lines and
 * help of the verb named (all verbs when verb is NULL or unknown). */
void cli_family_usage(FILE *out, const struct cli_family *f, const char *verb);
/* One synopsis line: "unyo NOUN VERB OPERANDS [--opt ARG] ..." (man: in roff). */
void cli_synopsis(FILE *out, const char *noun, const struct cli_verb *v, int man);
const struct cli_verb *cli_family_verb(const struct cli_family *f, const char *verb);

#endif
