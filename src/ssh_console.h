/* One server console: an SSH connection to a host of the inventory, a PTY
 * shell, its screen model (term.h) and its recording (transcript.h, kept in
 * ssh_sessions). What the Consoles pane and `unyo session open` drive from
 * their poll loop:
 *
 *   c = ssh_console_open(st, "lib-ap01", &opts, rows, cols, &err);
 *   loop: poll(ssh_console_fd(c), ssh_console_events(c), ssh_console_timeout_ms(c));
 *         ssh_console_pump(c);             reads the server, updates the screen
 *         keys -> term_key / term_key_char (ssh_console_term(c)): sent to the shell
 *   ssh_console_close(c, &err);            records the end and the transcript
 *
 * While connecting, ssh_console_state() tells where it stands; an unknown host
 * key stops in SSH_NEEDS_CONFIRM (show ssh_console_fingerprint, then
 * ssh_console_confirm). Password and passphrase questions go to opts->prompts. */
#ifndef UNYO_SSH_CONSOLE_H
#define UNYO_SSH_CONSOLE_H

#include <stddef.h>

#include "id.h"
#include "ssh_conn.h"
#include "term.h"

struct store;
struct ssh_console;

/* host: a host of the inventory (by name) or an ssh_config alias. base: prompts,
 * known_hosts, timeouts (reach fields are taken from the host record). */
struct ssh_console *ssh_console_open(struct store *st, const char *host,
                                     const struct ssh_conn_opts *base, int rows, int cols,
                                     char **err);
int ssh_console_fd(const struct ssh_console *c);
short ssh_console_events(const struct ssh_console *c);
int ssh_console_timeout_ms(const struct ssh_console *c);

/* Advances the connection, opens the shell once ready (and records the session
 * start), feeds output to the screen and the recording. Returns 1 when the
 * screen or the state changed, 0 otherwise. */
int ssh_console_pump(struct ssh_console *c);
/* SSH_SHELL while the session runs; SSH_CLOSED when the shell ended; SSH_FAILED. */
enum ssh_state ssh_console_state(const struct ssh_console *c);
const char *ssh_console_error(const struct ssh_console *c);
const char *ssh_console_label(const struct ssh_console *c);
const char *ssh_console_fingerprint(const struct ssh_console *c);
int ssh_console_confirm(struct ssh_console *c, int accept);

struct term *ssh_console_term(struct ssh_console *c);
/* Bytes typed straight to the shell (the term's key functions do the same). */
int ssh_console_send(struct ssh_console *c, const char *bytes, size_t len);
void ssh_console_resize(struct ssh_console *c, int rows, int cols);
/* Also hand each chunk of server output to fn (a raw pass-through to a real
 * terminal); the screen model then stops answering terminal queries. */
void ssh_console_set_raw(struct ssh_console *c, void (*fn)(const char *, size_t, void *), void *ud);
/* The ssh_sessions row, "" before the shell opened. */
const char *ssh_console_session_id(const struct ssh_console *c);
int ssh_console_exit_status(const struct ssh_console *c);

/* Ends the session record (transcript, exit status, reason) and frees c. */
int ssh_console_close(struct ssh_console *c, char **err);

#endif
