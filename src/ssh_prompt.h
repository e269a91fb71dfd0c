/* Terminal answers to the SSH questions (passphrase, password, unknown host
 * key) for the CLI. On a terminal the answer is read with echo off from
 * /dev/tty; otherwise one line is read from stdin (so a script can pipe a
 * password in: it is never put on the command line or in the environment). */
#ifndef UNYO_SSH_PROMPT_H
#define UNYO_SSH_PROMPT_H

#include "ssh_conn.h"

/* Fills p with the CLI prompt functions. trust_new: answer "yes" to an unknown
 * host key without asking (--accept-new). */
void ssh_cli_prompts(struct ssh_prompts *p, int trust_new);

#endif
