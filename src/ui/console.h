/* The full-screen console. It knows nothing of the command line: src/main.c
 * reads its options with console_options, opens the store (with the CLI's
 * messages) and runs console_main on it. */
#ifndef UNYO_CONSOLE_H
#define UNYO_CONSOLE_H

struct store;

struct console_options {
    const char *pane;          /* --pane NAME: the tab shown first (NULL: the first) */
    int first_frame;           /* --first-frame: exit after the first frame (benchmark) */
    const char *script;        /* --script FILE: headless, keys from FILE */
    const char *dump;          /* --dump-screen FILE: the screen after the script */
    int script_w, script_h;    /* --size WxH of the headless screen */
    const char *bench;         /* hidden benchmarks: "pagedown" or "filter", or NULL */
    const char *bench_pattern; /* --bench-filter PATTERN */
    long bench_arg, bench_row;
    /* --bench-typing-round N: N down/up keys, 20 ms apart, each timed from the key
     * to its frame; with [checks] schedule = on they start once a round runs. */
    long bench_typing;
};

/* console_options' answer when the console is to open. */
#define CONSOLE_RUN (-1)

/* Reads the console's options (argv: the words after the global options; the
 * pane names are checked against the registry, see ui_set_panes). Needs no
 * store. Returns CONSOLE_RUN with *o filled, or the exit code after doing what
 * was asked (--keys, --keys-ini, --help) or printing a usage error. */
int console_options(int argc, char **argv, struct console_options *o);

/* Runs the console on st (open, acting operator resolved; it stays the
 * caller's to close). Returns the exit code, or -1 with *err for the caller to
 * report (exit 1). */
int console_main(struct store *st, const struct console_options *o, char **err);

#endif
