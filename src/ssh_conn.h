/* One SSH connection as a non-blocking state machine (libssh2 over a
 * non-blocking socket), made to live in a poll() loop with many others:
 *
 *   c = ssh_conn_new("ap1", &opts, &err);
 *   loop: ssh_conn_step(c);               advance as far as possible
 *         poll(ssh_conn_fd(c), ssh_conn_poll_events(c), ssh_conn_timeout_ms(c));
 *
 * connect → handshake → host key check → authentication → ready; then one
 * command at a time (exec, output captured) or an interactive PTY shell.
 * Failures name the host and why (refused, timeout, unreachable, host key,
 * authentication, connection lost). Credentials are never stored or logged;
 * nothing is sent to a server whose host key does not match known_hosts. */
#ifndef UNYO_SSH_CONN_H
#define UNYO_SSH_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum ssh_state {
    SSH_CONNECTING,    /* TCP connect (or the jump host's forwarding channel) */
    SSH_HANDSHAKE,     /* SSH banner, key exchange */
    SSH_NEEDS_CONFIRM, /* unknown host key: ssh_conn_confirm_hostkey() */
    SSH_AUTH,
    SSH_READY,     /* authenticated, no command running */
    SSH_EXEC,      /* a command runs */
    SSH_EXEC_DONE, /* its result waits in ssh_conn_result() */
    SSH_SHELL_OPENING,
    SSH_SHELL,  /* interactive PTY: read / write / resize */
    SSH_CLOSED, /* shell ended normally */
    SSH_FAILED
};

enum ssh_fail {
    SSH_FAIL_NONE,
    SSH_FAIL_CONFIG,      /* ssh_config or host record unusable */
    SSH_FAIL_RESOLVE,     /* name not found */
    SSH_FAIL_REFUSED,     /* connection refused */
    SSH_FAIL_UNREACHABLE, /* no route */
    SSH_FAIL_TIMEOUT,
    SSH_FAIL_PROTOCOL,        /* not SSH, key exchange failed */
    SSH_FAIL_HOSTKEY_UNKNOWN, /* not in known_hosts and not accepted */
    SSH_FAIL_HOSTKEY_CHANGED, /* differs from known_hosts: refused */
    SSH_FAIL_AUTH,
    SSH_FAIL_LOST,   /* connection dropped after it was up */
    SSH_FAIL_JUMP,   /* the jump host failed or could not reach the target */
    SSH_FAIL_CHANNEL /* the server refused the session / command */
};

/* Only for a host known_hosts does not hold at all: a host it holds under
 * another key type that now offers a key of a type not there is refused as
 * SSH_FAIL_HOSTKEY_CHANGED whatever the policy (as OpenSSH does). The key
 * types known_hosts holds for a host are asked for first in the handshake. */
enum ssh_hostkey_policy {
    SSH_HOSTKEY_ASK,        /* unknown key: stop in SSH_NEEDS_CONFIRM */
    SSH_HOSTKEY_STRICT,     /* unknown key: fail (batch work) */
    SSH_HOSTKEY_ACCEPT_NEW, /* unknown key: add it to known_hosts and go on */
};

/* Questions for the person at the console. Each returns 0 with a NUL-terminated
 * answer in buf, or -1 to cancel. The answer is wiped after use. */
struct ssh_prompts {
    int (*passphrase)(void *ud, const char *keyfile, char *buf, size_t size);
    /* Password and keyboard-interactive prompts ("ops@ap1's password: "). */
    int (*password)(void *ud, const char *prompt, int echo, char *buf, size_t size);
    /* Unknown host key, for the blocking helpers: 1 trust (append to
     * known_hosts), 0 refuse. */
    int (*confirm_hostkey)(void *ud, const char *host, const char *fingerprint);
    void *ud;
};

struct ssh_conn_opts {
    const char *config_path; /* NULL: ~/.ssh/config */
    /* 1: config_path must exist (a host's own file); else a missing file is
     * no configuration, as OpenSSH treats ~/.ssh/config. */
    int config_required;
    const char *known_hosts; /* NULL: ~/.ssh/known_hosts */
    /* Explicit reach from the hosts inventory; each overrides ssh_config. */
    const char *address;
    const char *user;
    int port;
    const char *jump;       /* ProxyJump syntax; "none" for direct */
    int connect_timeout_ms; /* 0: ConnectTimeout, else 15 s */
    enum ssh_hostkey_policy hostkey_policy;
    int no_agent;
    struct ssh_prompts prompts;
};

struct ssh_conn;

/* Reads the configuration for host_alias; the connection starts at the first
 * ssh_conn_step(). NULL with *err only for an unusable configuration. */
struct ssh_conn *ssh_conn_new(const char *host_alias, const struct ssh_conn_opts *opts, char **err);
void ssh_conn_free(struct ssh_conn *c);
/* Closes c without a goodbye to the server: for a connection that stopped
 * answering (a graceful close would wait on it, then leak what libssh2 could not
 * free), and for closing many at once (quitting). */
void ssh_conn_drop(struct ssh_conn *c);

/* Advances without blocking; returns the state reached. */
enum ssh_state ssh_conn_step(struct ssh_conn *c);
enum ssh_state ssh_conn_state(const struct ssh_conn *c);
/* The socket to poll (the outermost one when going through jump hosts), -1
 * before it exists; POLLIN/POLLOUT to wait for; ms until the current phase's
 * deadline or keepalive (-1: none). */
int ssh_conn_fd(const struct ssh_conn *c);
short ssh_conn_poll_events(const struct ssh_conn *c);
int ssh_conn_timeout_ms(const struct ssh_conn *c);

/* In SSH_FAILED: why, and a message naming the host. */
enum ssh_fail ssh_conn_fail_kind(const struct ssh_conn *c);
const char *ssh_conn_error(const struct ssh_conn *c);
/* "ops@ap1 (10.0.0.11:22)": for status lines. */
const char *ssh_conn_label(const struct ssh_conn *c);
const char *ssh_conn_alias(const struct ssh_conn *c);

/* In SSH_NEEDS_CONFIRM (or after a host key failure): the server's key, as
 * OpenSSH prints it ("SHA256:..."), and its type ("ssh-ed25519"). */
const char *ssh_conn_fingerprint(const struct ssh_conn *c);
const char *ssh_conn_hostkey_type(const struct ssh_conn *c);
/* accept: append the key to known_hosts and go on; else fail. 0 or -1 (write
 * error, reported in the connection's error). */
int ssh_conn_confirm_hostkey(struct ssh_conn *c, int accept);

/* Runs command (READY or EXEC_DONE). Output beyond cap bytes per stream is
 * read and dropped (truncated is set). timeout_ms 0: none. */
int ssh_conn_exec(struct ssh_conn *c, const char *command, size_t cap, int timeout_ms);
/* 1 once the server has opened the channel of the command ssh_conn_exec started
 * (the connection is alive), or the command has ended. */
int ssh_conn_exec_opened(const struct ssh_conn *c);

/* How stopping a command went (ssh_run_job). */
enum ssh_stop {
    SSH_STOP_NONE,        /* not asked to stop */
    SSH_STOP_NOT_STARTED, /* asked before the command started: it never ran */
    SSH_STOP_TERMINATED,  /* its process group ended on SIGTERM */
    SSH_STOP_KILLED,      /* still there after the grace period: SIGKILL */
    SSH_STOP_ENDED,       /* it had already ended by itself */
    SSH_STOP_FAILED       /* could not: stop_error says why */
};

struct ssh_result {
    char *out; /* stdout, NUL-terminated (may hold NULs) */
    size_t out_len;
    char *err; /* stderr */
    size_t err_len;
    int exit_status;   /* -1 when the server sent none */
    char *exit_signal; /* "KILL" etc., NULL */
    int truncated;
    int64_t elapsed_ms;
    /* ssh_run_job only */
    int timed_out; /* stopped because timeout_ms passed */
    enum ssh_stop stop;
    long pgid;        /* the command's process group on the host, 0 unknown */
    char *stop_error; /* SSH_STOP_FAILED: why, naming the host */
};
/* Moves the finished command's result out (state back to READY). */
void ssh_conn_take_result(struct ssh_conn *c, struct ssh_result *r);
void ssh_result_free(struct ssh_result *r);

/* Opens an interactive shell on a PTY ("xterm-256color"). */
int ssh_conn_shell(struct ssh_conn *c, int cols, int rows);
/* In SSH_SHELL: bytes read (stdout and stderr merged), 0 when nothing is
 * waiting, -1 at the end (state then CLOSED or FAILED). */
ssize_t ssh_conn_shell_read(struct ssh_conn *c, char *buf, size_t size);
/* Queues bytes for the shell; they are sent by ssh_conn_step / here as the
 * window allows. 0 or -1. */
int ssh_conn_shell_write(struct ssh_conn *c, const char *buf, size_t len);
int ssh_conn_shell_resize(struct ssh_conn *c, int cols, int rows);
/* Exit status of the shell once CLOSED (-1 unknown). */
int ssh_conn_shell_exit_status(const struct ssh_conn *c);

/* Blocking helper for the CLI over the same machine: connects to host, runs
 * command, waits up to timeout_ms in total. Unknown host keys go to
 * opts->prompts.confirm_hostkey (refused without one). 0, or -1 with *err. */
int ssh_run(const char *host, const struct ssh_conn_opts *opts, const char *command, size_t cap,
            int timeout_ms, struct ssh_result *result, char **err);

/* Told of a command's output as it arrives, for a live view: stream 1 (stdout) or 2
 * (stderr) with every byte read, also those beyond the cap (the result keeps only cap);
 * and a tick (stream 0, buf NULL, n 0) at least once a second while the command runs, so
 * the caller can act on its own clock. Runs inside ssh_run_job: it must not block long. */
typedef void (*ssh_output_fn)(int stream, const char *buf, size_t n, void *ud);

/* Asked at least once a second while ssh_run_job's command runs: nonzero to stop it now. */
typedef int (*ssh_stop_fn)(void *ud);

/* ssh_run for batch work, with a live view (on_output), that may have to be stopped. Closing a
 * channel does not end a command on the host (OpenSSH ignores "signal" requests for sessions
 * without a PTY before 7.9 and many servers still do), so the command's shell first reports its
 * process id on stderr (taken out of the output): OpenSSH starts every session's command in a
 * session of its own (setsid), so that id is also the process group of everything the command
 * starts. When timeout_ms passes (0: none) or should_stop says so, a second channel on the same
 * connection sends SIGTERM to that group and SIGKILL after grace_ms if anything is left.
 * posix_shell 0 (a Windows host): the command goes as it is, and stopping it only closes
 * the connection (stop FAILED, saying so).
 * Returns 0 when the command ran or was stopped, with the output so far, timed_out and
 * stop set; -1 with *err when it could not be started (nothing ran). */
int ssh_run_job(const char *host, const struct ssh_conn_opts *opts, const char *command, size_t cap,
                int timeout_ms, int grace_ms, int posix_shell, ssh_output_fn on_output,
                ssh_stop_fn should_stop, void *ud, struct ssh_result *result, char **err);

/* Blocks until c reaches READY (or fails): for the CLI and tests. */
int ssh_conn_wait_ready(struct ssh_conn *c, int timeout_ms, char **err);

/* The libssh2 library, once per process (idempotent). */
void ssh_global_init(void);

#endif
