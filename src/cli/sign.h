/* The command line's side of signing in (src/signin.h): a passphrase is read from the
 * terminal with echo off, or from the file descriptor given with --passphrase-fd N (a
 * script), one line per question; never from an argument or an environment variable. */
#ifndef UNYO_CLI_SIGN_H
#define UNYO_CLI_SIGN_H

#include <stddef.h>

struct store;

/* cli_set_passphrase_fd (cli.h) says where passphrases come from. */
/* Reads one passphrase (the line without its end) into buf: 0, or -1 with *err (no
 * terminal and no --passphrase-fd, end of input, too long). */
int cli_read_passphrase(const char *prompt, char *buf, size_t size, char **err);
/* Before a signing act: on a real store asks the acting operator's passphrase and
 * checks it (src/signin.c), on a demo or test store does nothing. 0, or -1 after
 * printing why (the caller returns EXIT_FAIL). */
int cli_sign(struct store *st);

/* Asks question on the terminal: 1 for yes (y, yes, はい), 0 for anything else, -1 when
 * there is no terminal (the caller says to use --yes). */
int cli_confirm(const char *question);

#endif
