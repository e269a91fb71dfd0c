#include "ssh_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "ssh_config.h"
#include "ssh_crypto.h"
#include "util.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 15000
#define READ_CHUNK 65536

enum { AGAIN = 0, PROGRESS = 1 };

enum auth_phase {
    AUTH_LIST,
    AUTH_AGENT_START,
    AUTH_AGENT_TRY,
    AUTH_KEYS,
    AUTH_KBDINT,
    AUTH_PASSWORD,
    AUTH_GIVE_UP
};

enum exec_phase { EX_OPEN, EX_START, EX_READ, EX_CLOSE, EX_WAIT_CLOSED };

struct ssh_conn {
    char *alias;
    char *hostname;
    int port;
    char *user;
    char *label;
    struct ssh_host_config cfg;
    struct ssh_conn_opts opts;
    char *config_path, *known_hosts_path;

    int fd;
    struct addrinfo *ai, *ai_cur;
    LIBSSH2_SESSION *s;
    struct ssh_conn *via; /* the previous hop, owned */
    LIBSSH2_CHANNEL *via_ch;
    int hop_depth;

    enum ssh_state state;
    enum ssh_fail fail;
    char *error;
    int64_t deadline; /* monotonic ms; 0 = none */
    int connect_timeout_ms;
    int64_t next_keepalive;

    /* host key */
    char fp[SSH_FP_LEN + 1];
    char *key_type;
    unsigned char *key;
    size_t key_len;
    int kh_type;

    /* authentication */
    enum auth_phase auth;
    char *methods;
    LIBSSH2_AGENT *agent;
    struct libssh2_agent_publickey *ident;
    int agent_keys_tried;
    size_t key_index;
    char **key_files;
    size_t n_key_files;
    char *passphrase;
    char *password;
    struct strbuf tried;
    struct strbuf rsa_refused;
    int kbd_cancelled;
    int pass_tries; /* passphrases given for the current key file */

    /* command / shell */
    LIBSSH2_CHANNEL *ch;
    enum exec_phase ex;
    char *command;
    size_t cap;
    struct strbuf out, err;
    int truncated;
    int exit_status;
    char *exit_signal;
    int64_t ex_started;
    int64_t op_deadline;
    int shell;
    int cols, rows;
    struct strbuf wq; /* bytes for the shell not yet sent */
    size_t wq_off;
    /* The directions libssh2 waited on when a write of wq last said EAGAIN: a
     * later read's EAGAIN overwrites the session's own record, and without
     * POLLOUT the bytes would wait for the server to speak first. */
    int wq_block;
    /* The last read of the shell or command left stdout queued inside libssh2
     * (channel_queued): the next step is due at once, the socket will not say so. */
    int read_queued;
    ssh_output_fn on_output; /* ssh_run_job's live view, NULL */
    void *on_output_ud;
    /* ssh_run_job: stderr starts with the process group marker line, taken out here */
    int report_pgid;
    int errhead_done;
    struct strbuf errhead; /* stderr held back until the marker line is complete */
    long pgid;             /* 0: not told (yet) */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ssh_global_init(void)
{
    static int done;
    if (!done) {
        libssh2_init(0);
        done = 1;
    }
}

static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home && *home)
        return home;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir ? pw->pw_dir : "/";
}

static void wipe(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = 0;
    }
}

static int fail(struct ssh_conn *c, enum ssh_fail kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct ssh_conn *c, enum ssh_fail kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    free(c->error);
    c->error = xasprintf("%s: %s", c->label, m);
    free(m);
    c->fail = kind;
    c->state = SSH_FAILED;
    return PROGRESS;
}

static const char *session_msg(LIBSSH2_SESSION *s)
{
    char *msg = NULL;
    if (!s)
        return "";
    libssh2_session_last_error(s, &msg, NULL, 0);
    return msg ? msg : "";
}

/* libssh2 error that means the transport is gone. */
static int transport_gone(int rc)
{
    return rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND ||
           rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_NONE ||
           rc == LIBSSH2_ERROR_DECRYPT || rc == LIBSSH2_ERROR_INVALID_MAC ||
           rc == LIBSSH2_ERROR_BAD_SOCKET;
}

/* ---------------------------------------------------------------- set-up */

struct ssh_conn *ssh_conn_new(const char *alias, const struct ssh_conn_opts *opts, char **err)
{
    ssh_global_init();
    struct ssh_conn *c = xcalloc(1, sizeof *c);
    static const struct ssh_conn_opts none = {0};
    c->opts = opts ? *opts : none;
    c->config_path = c->opts.config_path ? xstrdup(c->opts.config_path) : NULL;
    c->known_hosts_path = c->opts.known_hosts ? xstrdup(c->opts.known_hosts)
                                              : xasprintf("%s/.ssh/known_hosts", home_dir());
    c->opts.config_path = c->config_path;
    c->opts.known_hosts = c->known_hosts_path;
    c->fd = -1;
    c->exit_status = -1;
    c->alias = xstrdup(alias);
    if (c->opts.config_required && c->config_path && access(c->config_path, R_OK) != 0) {
        /* Never the alias dialled as a host name instead. */
        set_err(err, _("cannot read the ssh_config file %s: %s"), c->config_path, strerror(errno));
        ssh_conn_free(c);
        return NULL;
    }
    if (ssh_config_lookup(c->config_path, alias, &c->cfg, err) != 0) {
        ssh_conn_free(c);
        return NULL;
    }
    c->hostname = xstrdup(c->opts.address && *c->opts.address ? c->opts.address : c->cfg.hostname);
    c->port = c->opts.port > 0 ? c->opts.port : c->cfg.port;
    if (c->opts.user && *c->opts.user)
        c->user = xstrdup(c->opts.user);
    else if (c->cfg.user)
        c->user = xstrdup(c->cfg.user);
    else {
        struct passwd *pw = getpwuid(getuid());
        c->user = xstrdup(pw ? pw->pw_name : "root");
    }
    c->connect_timeout_ms = c->opts.connect_timeout_ms > 0 ? c->opts.connect_timeout_ms
                            : c->cfg.connect_timeout > 0   ? c->cfg.connect_timeout * 1000
                                                           : DEFAULT_CONNECT_TIMEOUT_MS;
    if (strcmp(c->alias, c->hostname) == 0 && c->port == 22)
        c->label = xasprintf("%s@%s", c->user, c->alias);
    else
        c->label = xasprintf("%s@%s (%s:%d)", c->user, c->alias, c->hostname, c->port);
    c->state = SSH_CONNECTING;

    /* ProxyJump: hops are connected in order; this connection goes through the last. */
    const char *jump = c->opts.jump && *c->opts.jump ? c->opts.jump : c->cfg.proxy_jump;
    struct ssh_jump_hop *hops = NULL;
    size_t nhops = 0;
    if (jump && ssh_jump_parse(jump, &hops, &nhops, err) != 0) {
        ssh_conn_free(c);
        return NULL;
    }
    struct ssh_conn *prev = NULL;
    for (size_t i = 0; i < nhops; i++) {
        struct ssh_conn_opts ho = c->opts;
        ho.address = NULL;
        ho.user = hops[i].user;
        ho.port = hops[i].port;
        ho.jump = "none";
        if (ho.hostkey_policy == SSH_HOSTKEY_ASK && !ho.prompts.confirm_hostkey)
            ho.hostkey_policy = SSH_HOSTKEY_STRICT;
        struct ssh_conn *h = ssh_conn_new(hops[i].host, &ho, err);
        if (!h) {
            ssh_jump_free(hops, nhops);
            if (prev)
                ssh_conn_free(prev);
            ssh_conn_free(c);
            return NULL;
        }
        h->via = prev;
        h->hop_depth = (int)i;
        prev = h;
    }
    ssh_jump_free(hops, nhops);
    c->via = prev;
    c->deadline = 0; /* set at the first step */
    return c;
}

static void free_channel(struct ssh_conn *c)
{
    if (c->ch) {
        libssh2_channel_free(c->ch);
        c->ch = NULL;
    }
}

/* Shuts the sockets down so libssh2's teardown meets an error at once instead of
 * waiting on the peer: its blocking frees stop at a timeout with the session
 * half-freed (leaked) when the peer is alive but silent. */
static void shut_sockets(struct ssh_conn *c)
{
    for (; c; c = c->via)
        if (c->fd >= 0)
            shutdown(c->fd, SHUT_RDWR);
}

void ssh_conn_drop(struct ssh_conn *c)
{
    if (!c)
        return;
    shut_sockets(c);
    ssh_conn_free(c);
}

void ssh_conn_free(struct ssh_conn *c)
{
    if (!c)
        return;
    /* In non-blocking mode libssh2's channel and session frees return EAGAIN
     * part-way and leak what is left. Tear down blocking, but with a short
     * timeout so a dead peer costs at most a second, not a hang. */
    if (c->s) {
        libssh2_session_set_timeout(c->s, 1000);
        libssh2_session_set_blocking(c->s, 1);
    }
    free_channel(c);
    if (c->agent) {
        libssh2_agent_disconnect(c->agent);
        libssh2_agent_free(c->agent);
    }
    if (c->s) {
        libssh2_session_disconnect(c->s, "bye");
        libssh2_session_free(c->s);
    }
    if (c->via_ch)
        libssh2_channel_free(c->via_ch);
    if (c->via)
        ssh_conn_free(c->via);
    if (c->fd >= 0)
        close(c->fd);
    if (c->ai)
        freeaddrinfo(c->ai);
    ssh_host_config_clear(&c->cfg);
    for (size_t i = 0; i < c->n_key_files; i++)
        free(c->key_files[i]);
    free(c->key_files);
    if (c->passphrase) {
        wipe(c->passphrase);
        free(c->passphrase);
    }
    if (c->password) {
        wipe(c->password);
        free(c->password);
    }
    free(c->alias);
    free(c->hostname);
    free(c->user);
    free(c->label);
    free(c->config_path);
    free(c->known_hosts_path);
    free(c->error);
    free(c->key_type);
    free(c->key);
    free(c->methods);
    free(c->command);
    free(c->exit_signal);
    sb_free(&c->tried);
    sb_free(&c->rsa_refused);
    sb_free(&c->out);
    sb_free(&c->err);
    sb_free(&c->wq);
    sb_free(&c->errhead);
    free(c);
}

/* ---------------------------------------------------------------- accessors */

enum ssh_state ssh_conn_state(const struct ssh_conn *c)
{
    return c->state;
}

enum ssh_fail ssh_conn_fail_kind(const struct ssh_conn *c)
{
    return c->fail;
}

const char *ssh_conn_error(const struct ssh_conn *c)
{
    return c->error ? c->error : "";
}

const char *ssh_conn_label(const struct ssh_conn *c)
{
    return c->label;
}

const char *ssh_conn_alias(const struct ssh_conn *c)
{
    return c->alias;
}

const char *ssh_conn_fingerprint(const struct ssh_conn *c)
{
    return c->fp;
}

const char *ssh_conn_hostkey_type(const struct ssh_conn *c)
{
    return c->key_type ? c->key_type : "";
}

int ssh_conn_fd(const struct ssh_conn *c)
{
    const struct ssh_conn *o = c;
    while (o->via && o->fd < 0)
        o = o->via;
    return o->fd;
}

short ssh_conn_poll_events(const struct ssh_conn *c)
{
    short ev = 0;
    for (const struct ssh_conn *o = c; o; o = o->via) {
        if (o->state == SSH_CONNECTING && o->fd >= 0 && !o->s) {
            ev |= POLLOUT;
            continue;
        }
        if (o->s) {
            int dir = libssh2_session_block_directions(o->s);
            if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
                ev |= POLLIN;
            if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
                ev |= POLLOUT;
            /* Keys still queued for the shell because the socket was full: wake
             * when it drains, whatever a read since has recorded. (A queue held
             * back by the channel's window waits for the server's window
             * adjustment, which POLLIN below already catches.) */
            if (o->ch && o->wq_off < o->wq.len && (o->wq_block & LIBSSH2_SESSION_BLOCK_OUTBOUND))
                ev |= POLLOUT;
        }
    }
    /* Always listen for input: a server may speak (or hang up) at any time. */
    return (short)(ev | POLLIN);
}

int ssh_conn_timeout_ms(const struct ssh_conn *c)
{
    if ((c->state == SSH_SHELL || c->state == SSH_EXEC) && c->read_queued)
        return 0; /* output libssh2 holds already: read it now, the socket will not say so */
    int64_t now = mono_ms();
    int64_t t = -1;
    int64_t dls[3] = {c->state < SSH_READY && c->state != SSH_NEEDS_CONFIRM ? c->deadline : 0,
                      c->state == SSH_EXEC ? c->op_deadline : 0,
                      c->state >= SSH_READY ? c->next_keepalive : 0};
    for (int i = 0; i < 3; i++) {
        if (dls[i] <= 0)
            continue;
        int64_t left = dls[i] - now;
        if (left < 0)
            left = 0;
        if (t < 0 || left < t)
            t = left;
    }
    if (c->via && c->state == SSH_CONNECTING) {
        int vt = ssh_conn_timeout_ms(c->via);
        if (vt >= 0 && (t < 0 || vt < t))
            t = vt;
    }
    return t > 1000000 ? 1000000 : (int)t;
}

/* ---------------------------------------------------------------- transport */

/* Inner sessions of a jump talk through the previous hop's channel. */
static LIBSSH2_SEND_FUNC(via_send)
{
    struct ssh_conn *c = *abstract;
    if (socket != ssh_conn_fd(c)) {
        ssize_t n = send(socket, buffer, length, flags);
        return n < 0 ? -errno : n;
    }
    ssize_t n = libssh2_channel_write(c->via_ch, buffer, length);
    if (n == LIBSSH2_ERROR_EAGAIN)
        return -EAGAIN;
    if (n < 0)
        return -EPIPE;
    return n;
}

static LIBSSH2_RECV_FUNC(via_recv)
{
    struct ssh_conn *c = *abstract;
    if (socket != ssh_conn_fd(c)) {
        ssize_t n = recv(socket, buffer, length, flags);
        return n < 0 ? -errno : n;
    }
    ssize_t n = libssh2_channel_read(c->via_ch, buffer, length);
    if (n == LIBSSH2_ERROR_EAGAIN)
        return -EAGAIN;
    if (n < 0)
        return -ECONNRESET;
    if (n == 0)
        return libssh2_channel_eof(c->via_ch) ? 0 : -EAGAIN;
    return n;
}

static void prefer_known_hostkeys(struct ssh_conn *c);

static int start_session(struct ssh_conn *c)
{
    c->s = libssh2_session_init_ex(NULL, NULL, NULL, c);
    if (!c->s)
        return fail(c, SSH_FAIL_PROTOCOL, "%s", _("cannot create an SSH session"));
    libssh2_session_set_blocking(c->s, 0);
    prefer_known_hostkeys(c);
    if (c->via) {
        libssh2_session_callback_set(c->s, LIBSSH2_CALLBACK_SEND, (void *)via_send);
        libssh2_session_callback_set(c->s, LIBSSH2_CALLBACK_RECV, (void *)via_recv);
    }
    c->state = SSH_HANDSHAKE;
    return PROGRESS;
}

static int try_next_address(struct ssh_conn *c, int last_errno)
{
    for (; c->ai_cur; c->ai_cur = c->ai_cur->ai_next) {
        if (c->fd >= 0) {
            close(c->fd);
            c->fd = -1;
        }
        int fd = socket(c->ai_cur->ai_family, c->ai_cur->ai_socktype | SOCK_CLOEXEC,
                        c->ai_cur->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
        if (connect(fd, c->ai_cur->ai_addr, c->ai_cur->ai_addrlen) == 0) {
            c->ai_cur = c->ai_cur->ai_next;
            return start_session(c);
        }
        if (errno == EINPROGRESS)
            return AGAIN; /* wait for POLLOUT */
        last_errno = errno;
    }
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (last_errno == ECONNREFUSED)
        return fail(c, SSH_FAIL_REFUSED, "%s",
                    _("connection refused (no SSH server listening on that port, or the host "
                      "rejects it)"));
    if (last_errno == ENETUNREACH || last_errno == EHOSTUNREACH || last_errno == EHOSTDOWN)
        return fail(c, SSH_FAIL_UNREACHABLE, _("host unreachable: %s"), strerror(last_errno));
    if (last_errno == ETIMEDOUT)
        return fail(c, SSH_FAIL_TIMEOUT, "%s", _("connection timed out"));
    return fail(c, SSH_FAIL_UNREACHABLE, _("cannot connect: %s"), strerror(last_errno));
}

static int step_connect(struct ssh_conn *c)
{
    if (c->via) {
        if (!c->via_ch) {
            enum ssh_state vs = ssh_conn_step(c->via);
            if (vs == SSH_FAILED)
                return fail(c, SSH_FAIL_JUMP, _("through the jump host: %s"),
                            ssh_conn_error(c->via));
            if (vs == SSH_NEEDS_CONFIRM) {
                if (c->via->opts.prompts.confirm_hostkey &&
                    c->via->opts.prompts.confirm_hostkey(c->via->opts.prompts.ud, c->via->label,
                                                         c->via->fp) == 1)
                    ssh_conn_confirm_hostkey(c->via, 1);
                else
                    ssh_conn_confirm_hostkey(c->via, 0);
                return PROGRESS;
            }
            if (vs != SSH_READY)
                return AGAIN;
            c->via_ch =
                libssh2_channel_direct_tcpip_ex(c->via->s, c->hostname, c->port, "127.0.0.1", 22);
            if (!c->via_ch) {
                int rc = libssh2_session_last_errno(c->via->s);
                if (rc == LIBSSH2_ERROR_EAGAIN)
                    return AGAIN;
                return fail(c, SSH_FAIL_JUMP,
                            _("the jump host %s could not open a connection to %s:%d (%s)"),
                            c->via->alias, c->hostname, c->port, session_msg(c->via->s));
            }
        }
        return start_session(c);
    }
    if (c->fd < 0 && !c->ai) {
        struct addrinfo hints = {0};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_family = AF_UNSPEC;
        char port[16];
        snprintf(port, sizeof port, "%d", c->port);
        int rc = getaddrinfo(c->hostname, port, &hints, &c->ai);
        if (rc != 0) {
            c->ai = NULL;
            return fail(c, SSH_FAIL_RESOLVE, _("cannot resolve host name %s: %s"), c->hostname,
                        gai_strerror(rc));
        }
        c->ai_cur = c->ai;
        return try_next_address(c, ECONNREFUSED);
    }
    /* Connect in progress: done when writable. */
    struct pollfd p = {c->fd, POLLOUT, 0};
    if (poll(&p, 1, 0) <= 0)
        return AGAIN;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr == 0) {
        c->ai_cur = c->ai_cur ? c->ai_cur->ai_next : NULL;
        return start_session(c);
    }
    c->ai_cur = c->ai_cur ? c->ai_cur->ai_next : NULL;
    return try_next_address(c, soerr);
}

/* ---------------------------------------------------------------- host key */

static int kh_key_type(int hktype)
{
    switch (hktype) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
        return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
        return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
        return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
        return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
    }
}

/* Finds the known_hosts line that holds a different key for this host: its
 * number and the old key's fingerprint. */
static int find_mismatch_line(struct ssh_conn *c, int kh_type, char oldfp[SSH_FP_LEN + 1])
{
    FILE *f = fopen(c->known_hosts_path, "r");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, found = 0;
    int mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kh_type;
    while (!found && getline(&line, &cap, f) != -1) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n' || line[0] == '@')
            continue;
        LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(c->s);
        if (!kh)
            break;
        size_t len = strlen(line);
        if (libssh2_knownhost_readline(kh, line, len, LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0) {
            struct libssh2_knownhost *k = NULL;
            int r = libssh2_knownhost_checkp(kh, c->hostname, c->port, (const char *)c->key,
                                             c->key_len, mask, &k);
            if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
                found = lineno;
                oldfp[0] = '\0';
                if (k && k->key) {
                    size_t bl;
                    unsigned char *blob = base64_decode(k->key, &bl);
                    if (blob) {
                        ssh_fingerprint(blob, bl, oldfp);
                        free(blob);
                    }
                }
            }
        }
        libssh2_knownhost_free(kh);
    }
    free(line);
    fclose(f);
    return found;
}

/* The host key types known_hosts holds for this host, as a bit per entry of
 * kh_types[] (hashed and plain entries alike). */
static const struct {
    int kh;
    const char *algs; /* libssh2 host key method names */
    const char *name; /* as ssh-keygen names the type */
} kh_types[] = {
    {LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519", "ED25519"},
    {LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256", "ECDSA"},
    {LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384", "ECDSA-384"},
    {LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521", "ECDSA-521"},
    {LIBSSH2_KNOWNHOST_KEY_SSHRSA, "rsa-sha2-512,rsa-sha2-256,ssh-rsa", "RSA"},
    {LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss", "DSA"},
};

static unsigned known_types(struct ssh_conn *c, LIBSSH2_SESSION *s)
{
    unsigned bits = 0;
    if (access(c->known_hosts_path, R_OK) != 0)
        return 0;
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(s);
    if (!kh)
        return 0;
    libssh2_knownhost_readfile(kh, c->known_hosts_path, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    /* A key that is no real key: any entry of the type for this host is then
     * a mismatch, which is how libssh2 says "this host has a key of that type". */
    static const char probe[] = "unyo-no-key";
    for (size_t i = 0; i < ARRAY_LEN(kh_types); i++) {
        struct libssh2_knownhost *k = NULL;
        int r = libssh2_knownhost_checkp(
            kh, c->hostname, c->port, probe, sizeof probe - 1,
            LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kh_types[i].kh, &k);
        if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
            bits |= 1u << i;
    }
    libssh2_knownhost_free(kh);
    return bits;
}

/* Host key algorithms in the order to offer them: those known_hosts holds for
 * this host first (as OpenSSH orders HostKeyAlgorithms), so a server with
 * several keys shows the one we trust. */
static void prefer_known_hostkeys(struct ssh_conn *c)
{
    unsigned bits = known_types(c, c->s);
    if (!bits)
        return;
    const char **algs = NULL;
    int n = libssh2_session_supported_algs(c->s, LIBSSH2_METHOD_HOSTKEY, &algs);
    if (n <= 0)
        return;
    struct strbuf pref = STRBUF_INIT;
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < n; k++) {
            int known = 0;
            for (size_t i = 0; i < ARRAY_LEN(kh_types); i++) {
                if (!(bits & (1u << i)))
                    continue;
                /* algs[k] is one of the comma-separated names */
                const char *p = kh_types[i].algs;
                size_t len = strlen(algs[k]);
                for (; (p = strstr(p, algs[k])); p += len)
                    if ((p == kh_types[i].algs || p[-1] == ',') && (p[len] == ',' || !p[len]))
                        known = 1;
            }
            if (known == (pass == 0)) {
                if (pref.len)
                    sb_putc(&pref, ',');
                sb_puts(&pref, algs[k]);
            }
        }
    }
    libssh2_free(c->s, algs);
    if (pref.len)
        libssh2_session_method_pref(c->s, LIBSSH2_METHOD_HOSTKEY, pref.buf);
    sb_free(&pref);
}

static enum ssh_state step_inner(struct ssh_conn *c);

static int step_hostkey(struct ssh_conn *c)
{
    size_t len = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(c->s, &len, &type);
    if (!key)
        return fail(c, SSH_FAIL_PROTOCOL, "%s", _("the server sent no host key"));
    free(c->key);
    c->key = xmalloc(len);
    memcpy(c->key, key, len);
    c->key_len = len;
    c->kh_type = kh_key_type(type);
    free(c->key_type);
    c->key_type = ssh_blob_type(key, len);
    ssh_fingerprint(key, len, c->fp);

    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(c->s);
    int r = LIBSSH2_KNOWNHOST_CHECK_NOTFOUND;
    if (kh) {
        if (access(c->known_hosts_path, R_OK) == 0)
            libssh2_knownhost_readfile(kh, c->known_hosts_path, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
        struct libssh2_knownhost *k = NULL;
        r = libssh2_knownhost_checkp(
            kh, c->hostname, c->port, key, len,
            LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | c->kh_type, &k);
        libssh2_knownhost_free(kh);
    }
    if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
        c->state = SSH_AUTH;
        c->auth = AUTH_LIST;
        return PROGRESS;
    }
    if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
        char oldfp[SSH_FP_LEN + 1] = "";
        int line = find_mismatch_line(c, c->kh_type, oldfp);
        char hostspec[300];
        if (c->port == 22)
            snprintf(hostspec, sizeof hostspec, "%s", c->hostname);
        else
            snprintf(hostspec, sizeof hostspec, "[%s]:%d", c->hostname, c->port);
        return fail(c, SSH_FAIL_HOSTKEY_CHANGED,
                    _("HOST KEY CHANGED: the server offered %s key %s, but %s:%d records %s for "
                      "it. Someone may be intercepting the connection; nothing was sent. If the "
                      "change is expected, remove that line (ssh-keygen -R '%s' -f %s) and "
                      "connect again."),
                    c->key_type, c->fp, c->known_hosts_path, line,
                    oldfp[0] ? oldfp : _("another key"), hostspec, c->known_hosts_path);
    }
    /* Not found. A host known_hosts holds under other key types is not new:
     * the server now shows a key we never trusted, which OpenSSH refuses as
     * a changed key whatever StrictHostKeyChecking says (accept-new too). */
    unsigned others = known_types(c, c->s);
    if (others) {
        struct strbuf names = STRBUF_INIT;
        int line = 0;
        char oldfp[SSH_FP_LEN + 1] = "";
        for (size_t i = 0; i < ARRAY_LEN(kh_types); i++) {
            if (!(others & (1u << i)))
                continue;
            if (names.len)
                sb_puts(&names, ", ");
            sb_puts(&names, kh_types[i].name);
            if (!line)
                line = find_mismatch_line(c, kh_types[i].kh, oldfp);
        }
        char hostspec[300];
        if (c->port == 22)
            snprintf(hostspec, sizeof hostspec, "%s", c->hostname);
        else
            snprintf(hostspec, sizeof hostspec, "[%s]:%d", c->hostname, c->port);
        fail(c, SSH_FAIL_HOSTKEY_CHANGED,
             _("HOST KEY CHANGED: the server offered %s key %s, but %s:%d records a key of "
               "another type (%s) for it. Someone may be intercepting the connection; nothing "
               "was sent. If the change is expected, remove that line (ssh-keygen -R '%s' -f "
               "%s) and connect again."),
             c->key_type, c->fp, c->known_hosts_path, line, names.buf, hostspec,
             c->known_hosts_path);
        sb_free(&names);
        return PROGRESS;
    }
    if (c->opts.hostkey_policy == SSH_HOSTKEY_ACCEPT_NEW) {
        ssh_conn_confirm_hostkey(c, 1); /* on failure the state is FAILED */
        return PROGRESS;
    }
    if (c->opts.hostkey_policy == SSH_HOSTKEY_STRICT)
        return fail(c, SSH_FAIL_HOSTKEY_UNKNOWN,
                    _("host key not known: %s key %s is not in %s. Verify the fingerprint with "
                      "the server's administrator, then trust it (unyo host trust NAME)."),
                    c->key_type, c->fp, c->known_hosts_path);
    c->state = SSH_NEEDS_CONFIRM;
    return AGAIN;
}

int ssh_conn_confirm_hostkey(struct ssh_conn *c, int accept)
{
    if (!c->key) {
        fail(c, SSH_FAIL_HOSTKEY_UNKNOWN, "%s", _("no host key to confirm"));
        return -1;
    }
    if (!accept) {
        fail(c, SSH_FAIL_HOSTKEY_UNKNOWN, _("host key %s was not trusted; disconnected"), c->fp);
        return -1;
    }
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(c->s);
    char *name = c->port == 22 ? xstrdup(c->hostname) : xasprintf("[%s]:%d", c->hostname, c->port);
    struct libssh2_knownhost *node = NULL;
    char line[16384];
    size_t outlen = 0;
    int ok = kh &&
             libssh2_knownhost_addc(kh, name, NULL, (const char *)c->key, c->key_len, "unyo", 4,
                                    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                        c->kh_type,
                                    &node) == 0 &&
             libssh2_knownhost_writeline(kh, node, line, sizeof line, &outlen,
                                         LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0;
    if (kh)
        libssh2_knownhost_free(kh);
    free(name);
    if (!ok) {
        fail(c, SSH_FAIL_HOSTKEY_UNKNOWN, "%s", _("cannot format the known_hosts line"));
        return -1;
    }
    /* Append, keeping what is there (comments, hashed entries). */
    char *dir = xstrdup(c->known_hosts_path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir_p(dir, NULL);
    }
    free(dir);
    FILE *f = fopen(c->known_hosts_path, "a");
    int werr = !f || fwrite(line, 1, outlen, f) != outlen;
    if (f && fclose(f) != 0)
        werr = 1;
    if (werr) {
        fail(c, SSH_FAIL_HOSTKEY_UNKNOWN, _("cannot write %s: %s"), c->known_hosts_path,
             strerror(errno));
        return -1;
    }
    c->state = SSH_AUTH;
    c->auth = AUTH_LIST;
    c->deadline = mono_ms() + c->connect_timeout_ms;
    return 0;
}

static int step_handshake(struct ssh_conn *c)
{
    int rc = libssh2_session_handshake(c->s, ssh_conn_fd(c));
    if (rc == LIBSSH2_ERROR_EAGAIN)
        return AGAIN;
    if (rc != 0) {
        if (rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
            rc == LIBSSH2_ERROR_SOCKET_RECV)
            return fail(c, SSH_FAIL_PROTOCOL,
                        _("the server closed the connection before the SSH greeting (%s): not an "
                          "SSH server, or sshd refused us (MaxStartups, tcp wrappers)"),
                        session_msg(c->s));
        return fail(c, SSH_FAIL_PROTOCOL, _("SSH handshake failed: %s"), session_msg(c->s));
    }
    return step_hostkey(c);
}

/* ---------------------------------------------------------------- auth */

/* The server accepts method m and ssh_config lets us use it
 * (PubkeyAuthentication no, PreferredAuthentications ...). */
static int method_ok(struct ssh_conn *c, const char *m)
{
    if (!c->methods || !ssh_config_auth_allowed(&c->cfg, m))
        return 0;
    size_t n = strlen(m);
    for (const char *p = c->methods; (p = strstr(p, m)); p += n)
        if ((p == c->methods || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

static void tried(struct ssh_conn *c, const char *what)
{
    if (c->tried.len)
        sb_puts(&c->tried, ", ");
    sb_puts(&c->tried, what);
}

/* Reads a private key file's type and whether it is encrypted. */
static void key_file_info(const char *path, char **type, int *encrypted)
{
    *type = xstrdup("");
    *encrypted = 0;
    char *text = read_file(path, NULL, NULL);
    if (!text)
        return;
    const char *begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    char *b = strstr(text, begin);
    if (b) {
        b += strlen(begin);
        char *e = strstr(b, "-----END");
        if (e) {
            *e = '\0';
            size_t n;
            unsigned char *bin = base64_decode(b, &n);
            const char magic[] = "openssh-key-v1";
            if (bin && n > sizeof magic + 4 && memcmp(bin, magic, sizeof magic) == 0) {
                size_t off = sizeof magic;
                uint32_t l = (uint32_t)bin[off] << 24 | (uint32_t)bin[off + 1] << 16 |
                             (uint32_t)bin[off + 2] << 8 | bin[off + 3];
                if (off + 4 + l <= n) {
                    *encrypted = !(l == 4 && memcmp(bin + off + 4, "none", 4) == 0);
                    off += 4 + l;
                    /* kdfname, kdfoptions, nkeys, then the public key blob */
                    for (int i = 0; i < 2 && off + 4 <= n; i++) {
                        l = (uint32_t)bin[off] << 24 | (uint32_t)bin[off + 1] << 16 |
                            (uint32_t)bin[off + 2] << 8 | bin[off + 3];
                        off += 4 + l;
                    }
                    off += 4;
                    if (off + 4 <= n) {
                        l = (uint32_t)bin[off] << 24 | (uint32_t)bin[off + 1] << 16 |
                            (uint32_t)bin[off + 2] << 8 | bin[off + 3];
                        if (off + 4 + l <= n) {
                            free(*type);
                            *type = ssh_blob_type(bin + off + 4, l);
                        }
                    }
                }
            }
            free(bin);
        }
    } else if (strstr(text, "BEGIN RSA PRIVATE KEY")) {
        free(*type);
        *type = xstrdup("ssh-rsa");
        *encrypted = strstr(text, "ENCRYPTED") != NULL;
    } else if (strstr(text, "BEGIN EC PRIVATE KEY")) {
        free(*type);
        *type = xstrdup("ecdsa");
        *encrypted = strstr(text, "ENCRYPTED") != NULL;
    } else if (strstr(text, "BEGIN ENCRYPTED PRIVATE KEY")) {
        *encrypted = 1;
    }
    free(text);
}

static void collect_key_files(struct ssh_conn *c)
{
    if (c->key_files)
        return;
    const char *defaults[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
    size_t n = c->cfg.n_identity ? c->cfg.n_identity : ARRAY_LEN(defaults);
    c->key_files = xcalloc(n + 1, sizeof *c->key_files);
    for (size_t i = 0; i < n; i++) {
        char *p = c->cfg.n_identity ? xstrdup(c->cfg.identity_files[i])
                                    : xasprintf("%s/.ssh/%s", home_dir(), defaults[i]);
        if (access(p, R_OK) == 0)
            c->key_files[c->n_key_files++] = p;
        else
            free(p);
    }
}

static LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC(kbd_response)
{
    (void)name;
    (void)name_len;
    (void)instruction;
    (void)instruction_len;
    struct ssh_conn *c = *abstract;
    for (int i = 0; i < num_prompts; i++) {
        char buf[512] = "";
        char *prompt = xstrndup((const char *)prompts[i].text, prompts[i].length);
        int ok = c->opts.prompts.password &&
                 c->opts.prompts.password(c->opts.prompts.ud, prompt, prompts[i].echo, buf,
                                          sizeof buf) == 0;
        free(prompt);
        if (!ok)
            c->kbd_cancelled = 1;
        responses[i].text = xstrdup(ok ? buf : "");
        responses[i].length = (unsigned int)strlen(responses[i].text);
        volatile char *v = buf;
        for (size_t k = 0; k < sizeof buf; k++)
            v[k] = 0;
    }
}

static void auth_failed(struct ssh_conn *c)
{
    if (c->rsa_refused.len)
        fail(c, SSH_FAIL_AUTH,
             _("authentication failed (tried: %s). The server refused the RSA key %s: libssh2 "
               "1.10 signs RSA keys only with ssh-rsa (SHA-1), which OpenSSH 8.8 and later "
               "refuse (libssh2 #634). Use an ed25519 key instead (ssh-keygen -t ed25519, then "
               "add it to the server's authorized_keys)."),
             c->tried.len ? c->tried.buf : "-", c->rsa_refused.buf);
    else if (!c->tried.len && (!c->cfg.pubkey_auth || !c->cfg.password_auth ||
                               !c->cfg.kbdint_auth || c->cfg.preferred_auths))
        fail(c, SSH_FAIL_AUTH,
             _("no way to authenticate: the server accepts %s, and ssh_config leaves none of "
               "them usable (PubkeyAuthentication, PasswordAuthentication, "
               "KbdInteractiveAuthentication, PreferredAuthentications)"),
             c->methods ? c->methods : "-");
    else if (!c->tried.len)
        fail(c, SSH_FAIL_AUTH,
             _("no way to authenticate: the server accepts %s, but there is no agent key, no "
               "key file (IdentityFile or ~/.ssh/id_ed25519) and no password prompt"),
             c->methods ? c->methods : "-");
    else
        fail(c, SSH_FAIL_AUTH, _("authentication failed (tried: %s; the server accepts: %s)"),
             c->tried.buf, c->methods ? c->methods : "-");
}

static int step_auth(struct ssh_conn *c)
{
    int rc;
    switch (c->auth) {
    case AUTH_LIST: {
        char *m = libssh2_userauth_list(c->s, c->user, (unsigned int)strlen(c->user));
        if (!m) {
            if (libssh2_userauth_authenticated(c->s))
                goto done;
            rc = libssh2_session_last_errno(c->s);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return AGAIN;
            return fail(c, transport_gone(rc) ? SSH_FAIL_LOST : SSH_FAIL_AUTH,
                        _("cannot start authentication: %s"), session_msg(c->s));
        }
        c->methods = xstrdup(m);
        c->auth = AUTH_AGENT_START;
        return PROGRESS;
    }
    case AUTH_AGENT_START: {
        const char *sock = getenv("SSH_AUTH_SOCK");
        if (c->opts.no_agent || c->cfg.identities_only || !sock || !*sock ||
            !method_ok(c, "publickey")) {
            c->auth = AUTH_KEYS;
            return PROGRESS;
        }
        c->agent = libssh2_agent_init(c->s);
        if (!c->agent || libssh2_agent_connect(c->agent) != 0 ||
            libssh2_agent_list_identities(c->agent) != 0) {
            if (c->agent) {
                libssh2_agent_free(c->agent);
                c->agent = NULL;
            }
            c->auth = AUTH_KEYS;
            return PROGRESS;
        }
        c->ident = NULL;
        if (libssh2_agent_get_identity(c->agent, &c->ident, NULL) != 0) {
            c->auth = AUTH_KEYS;
            return PROGRESS;
        }
        c->auth = AUTH_AGENT_TRY;
        return PROGRESS;
    }
    case AUTH_AGENT_TRY:
        rc = libssh2_agent_userauth(c->agent, c->user, c->ident);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return AGAIN;
        if (rc == 0)
            goto done;
        if (transport_gone(rc))
            return fail(c, SSH_FAIL_LOST, _("connection lost during authentication: %s"),
                        session_msg(c->s));
        {
            c->agent_keys_tried++;
            char *t = ssh_blob_type(c->ident->blob, c->ident->blob_len);
            if (strcmp(t, "ssh-rsa") == 0) {
                if (c->rsa_refused.len)
                    sb_puts(&c->rsa_refused, ", ");
                sb_printf(&c->rsa_refused, _("agent key %s"), c->ident->comment);
            }
            free(t);
            struct libssh2_agent_publickey *prev = c->ident;
            if (libssh2_agent_get_identity(c->agent, &c->ident, prev) != 0) {
                char *what = xasprintf(_("agent (%d keys)"), c->agent_keys_tried);
                tried(c, what);
                free(what);
                c->auth = AUTH_KEYS;
            }
        }
        return PROGRESS;
    case AUTH_KEYS:
        collect_key_files(c);
        if (c->key_index >= c->n_key_files || !method_ok(c, "publickey")) {
            c->auth = method_ok(c, "keyboard-interactive") && c->opts.prompts.password
                          ? AUTH_KBDINT
                          : AUTH_PASSWORD;
            return PROGRESS;
        }
        {
            const char *path = c->key_files[c->key_index];
            if (!c->passphrase) {
                char *type;
                int enc;
                key_file_info(path, &type, &enc);
                free(type);
                if (enc) {
                    char buf[512] = "";
                    if (!c->opts.prompts.passphrase ||
                        c->opts.prompts.passphrase(c->opts.prompts.ud, path, buf, sizeof buf) !=
                            0) {
                        char *what = xasprintf(_("%s (passphrase not given)"), path);
                        tried(c, what);
                        free(what);
                        c->key_index++;
                        c->pass_tries = 0;
                        return PROGRESS;
                    }
                    c->passphrase = xstrdup(buf);
                    wipe(buf);
                    /* The person took time to answer. */
                    c->deadline = mono_ms() + c->connect_timeout_ms;
                } else {
                    c->passphrase = xstrdup("");
                }
            }
            rc = libssh2_userauth_publickey_fromfile_ex(c->s, c->user, (unsigned)strlen(c->user),
                                                        NULL, path, c->passphrase);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return AGAIN;
            wipe(c->passphrase);
            free(c->passphrase);
            c->passphrase = NULL;
            if (rc == 0)
                goto done;
            if (transport_gone(rc))
                return fail(c, SSH_FAIL_LOST, _("connection lost during authentication: %s"),
                            session_msg(c->s));
            char *type;
            int enc;
            key_file_info(path, &type, &enc);
            if (rc == LIBSSH2_ERROR_FILE && enc && ++c->pass_tries < 3) {
                /* A wrong passphrase is asked again (three times, as OpenSSH
                 * does) before going on: the next question would otherwise be
                 * the server's password, which takes what is typed to it. */
                free(type);
                return PROGRESS;
            }
            c->pass_tries = 0;
            char *what = rc == LIBSSH2_ERROR_FILE
                             ? xasprintf(_("%s (cannot read the key: wrong passphrase or "
                                           "unsupported format)"),
                                         path)
                             : xstrdup(path);
            tried(c, what);
            free(what);
            if (strcmp(type, "ssh-rsa") == 0 && rc != LIBSSH2_ERROR_FILE) {
                if (c->rsa_refused.len)
                    sb_puts(&c->rsa_refused, ", ");
                sb_puts(&c->rsa_refused, path);
            }
            free(type);
            c->key_index++;
            return PROGRESS;
        }
    case AUTH_KBDINT:
        rc = libssh2_userauth_keyboard_interactive_ex(c->s, c->user, (unsigned)strlen(c->user),
                                                      kbd_response);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return AGAIN;
        if (rc == 0)
            goto done;
        if (transport_gone(rc))
            return fail(c, SSH_FAIL_LOST, _("connection lost during authentication: %s"),
                        session_msg(c->s));
        tried(c, _("keyboard-interactive"));
        c->auth = AUTH_GIVE_UP;
        return PROGRESS;
    case AUTH_PASSWORD:
        if (!method_ok(c, "password") || !c->opts.prompts.password) {
            c->auth = AUTH_GIVE_UP;
            return PROGRESS;
        }
        if (!c->password) {
            char buf[512] = "";
            char *prompt = xasprintf(_("%s@%s's password: "), c->user, c->alias);
            int ok = c->opts.prompts.password(c->opts.prompts.ud, prompt, 0, buf, sizeof buf) == 0;
            free(prompt);
            if (!ok) {
                tried(c, _("password (cancelled)"));
                c->auth = AUTH_GIVE_UP;
                return PROGRESS;
            }
            c->password = xstrdup(buf);
            wipe(buf);
            c->deadline = mono_ms() + c->connect_timeout_ms;
        }
        rc = libssh2_userauth_password_ex(c->s, c->user, (unsigned)strlen(c->user), c->password,
                                          (unsigned)strlen(c->password), NULL);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return AGAIN;
        wipe(c->password);
        free(c->password);
        c->password = NULL;
        if (rc == 0)
            goto done;
        if (transport_gone(rc))
            return fail(c, SSH_FAIL_LOST, _("connection lost during authentication: %s"),
                        session_msg(c->s));
        if (rc == LIBSSH2_ERROR_PASSWORD_EXPIRED)
            return fail(c, SSH_FAIL_AUTH, "%s",
                        _("the password has expired: change it with a regular ssh login first"));
        tried(c, _("password (refused)"));
        c->auth = AUTH_GIVE_UP;
        return PROGRESS;
    case AUTH_GIVE_UP:
        auth_failed(c);
        return PROGRESS;
    }
    return AGAIN;
done:
    if (c->agent) {
        libssh2_agent_disconnect(c->agent);
        libssh2_agent_free(c->agent);
        c->agent = NULL;
    }
    c->state = SSH_READY;
    c->deadline = 0;
    if (c->cfg.server_alive_interval > 0) {
        libssh2_keepalive_config(c->s, 1, (unsigned)c->cfg.server_alive_interval);
        c->next_keepalive = mono_ms() + c->cfg.server_alive_interval * 1000;
    }
    return PROGRESS;
}

/* ---------------------------------------------------------------- commands */

int ssh_conn_exec(struct ssh_conn *c, const char *command, size_t cap, int timeout_ms)
{
    if (c->state != SSH_READY && c->state != SSH_EXEC_DONE)
        return -1;
    free(c->command);
    c->command = xstrdup(command);
    c->cap = cap ? cap : (size_t)1 << 20;
    sb_reset(&c->out);
    sb_reset(&c->err);
    c->truncated = 0;
    c->exit_status = -1;
    free(c->exit_signal);
    c->exit_signal = NULL;
    c->shell = 0;
    c->report_pgid = 0;
    c->errhead_done = 0;
    c->pgid = 0;
    sb_reset(&c->errhead);
    c->ex = EX_OPEN;
    c->ex_started = mono_ms();
    c->op_deadline = timeout_ms > 0 ? c->ex_started + timeout_ms : 0;
    c->state = SSH_EXEC;
    return 0;
}

int ssh_conn_exec_opened(const struct ssh_conn *c)
{
    return c->state == SSH_EXEC_DONE || (c->state == SSH_EXEC && c->ex != EX_OPEN);
}

int ssh_conn_shell(struct ssh_conn *c, int cols, int rows)
{
    if (c->state != SSH_READY && c->state != SSH_EXEC_DONE)
        return -1;
    c->shell = 1;
    c->cols = cols;
    c->rows = rows;
    c->ex = EX_OPEN;
    c->exit_status = -1;
    c->op_deadline = 0;
    c->state = SSH_SHELL_OPENING;
    return 0;
}

static int channel_error(struct ssh_conn *c, int rc, const char *doing)
{
    if (transport_gone(rc))
        return fail(c, SSH_FAIL_LOST, _("connection lost %s: %s"), doing, session_msg(c->s));
    return fail(c, SSH_FAIL_CHANNEL, _("the server refused %s: %s"), doing, session_msg(c->s));
}

/* Appends up to the cap, dropping the rest. */
static void capture(struct ssh_conn *c, struct strbuf *sb, const char *buf, size_t n)
{
    if (sb->len < c->cap) {
        size_t take = n < c->cap - sb->len ? n : c->cap - sb->len;
        sb_add(sb, buf, take);
        if (take < n)
            c->truncated = 1;
    } else {
        c->truncated = 1;
    }
}

#define PGID_MARK "@@unyo-pgid "
/* The marker comes before the command runs; what precedes it is the server's or the
 * login shell's notices ("Could not chdir to home directory"). Past this, give up. */
#define PGID_HEAD_MAX 4096

static void stderr_out(struct ssh_conn *c, const char *buf, size_t n)
{
    if (!n)
        return;
    capture(c, &c->err, buf, n);
    if (c->on_output)
        c->on_output(2, buf, n, c->on_output_ud);
}

/* The complete marker line in errhead: its start and end (past the newline), or 0. */
static int find_marker(const struct strbuf *h, size_t *from, size_t *to)
{
    size_t ml = strlen(PGID_MARK);
    for (size_t at = 0; at < h->len;) {
        const char *nl = memchr(h->buf + at, '\n', h->len - at);
        if (!nl)
            return 0;
        if ((size_t)(nl - h->buf) - at > ml && memcmp(h->buf + at, PGID_MARK, ml) == 0) {
            *from = at;
            *to = (size_t)(nl - h->buf) + 1;
            return 1;
        }
        at = (size_t)(nl - h->buf) + 1;
    }
    return 0;
}

/* Hands on stderr held back, without the marker line (final: at the end of the output). */
static void flush_errhead(struct ssh_conn *c, int final)
{
    size_t from, to;
    if (find_marker(&c->errhead, &from, &to)) {
        c->pgid = strtol(c->errhead.buf + from + strlen(PGID_MARK), NULL, 10);
        stderr_out(c, c->errhead.buf, from);
        stderr_out(c, c->errhead.buf + to, c->errhead.len - to);
    } else if (final || c->errhead.len >= PGID_HEAD_MAX) {
        stderr_out(c, c->errhead.buf, c->errhead.len);
    } else {
        return; /* not yet */
    }
    c->errhead_done = 1;
    sb_free(&c->errhead);
}

static void take_stderr(struct ssh_conn *c, const char *buf, size_t n)
{
    if (!c->report_pgid || c->errhead_done) {
        stderr_out(c, buf, n);
        return;
    }
    sb_add(&c->errhead, buf, n);
    flush_errhead(c, 0);
}

/* Whether libssh2 holds stdout data of ch already read off the socket. Every
 * libssh2 read first takes all the packets the socket holds, for both streams:
 * the stderr read that follows a stdout read may queue stdout data (and the EOF
 * after it), which is then no longer on the socket, so poll would never wake for
 * it. Readers read stdout, then stderr, and again while this says yes. (Only
 * stdout is asked: stderr is always read after stdout, and a packet of another
 * extended stream, which nobody reads, must not keep a reader looping.) */
static int channel_queued(LIBSSH2_CHANNEL *ch)
{
    return libssh2_poll_channel_read(ch, 0) == 1;
}

static int step_exec(struct ssh_conn *c)
{
    int rc;
    switch (c->ex) {
    case EX_OPEN:
        c->ch = libssh2_channel_open_session(c->s);
        if (!c->ch) {
            rc = libssh2_session_last_errno(c->s);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return AGAIN;
            return channel_error(c, rc, _("opening a session channel"));
        }
        c->ex = EX_START;
        return PROGRESS;
    case EX_START:
        if (c->shell) {
            /* PTY first, then the shell: two requests, each may say EAGAIN. */
            if (c->state == SSH_SHELL_OPENING && c->cols > 0) {
                rc = libssh2_channel_request_pty_ex(c->ch, "xterm-256color", 14, NULL, 0, c->cols,
                                                    c->rows, 0, 0);
                if (rc == LIBSSH2_ERROR_EAGAIN)
                    return AGAIN;
                if (rc != 0)
                    return channel_error(c, rc, _("a terminal (PTY)"));
                c->cols = -c->cols; /* done */
                return PROGRESS;
            }
            rc = libssh2_channel_shell(c->ch);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return AGAIN;
            if (rc != 0)
                return channel_error(c, rc, _("starting a shell"));
            c->cols = -c->cols;
            c->state = SSH_SHELL;
            c->ex = EX_READ;
            return PROGRESS;
        }
        rc = libssh2_channel_exec(c->ch, c->command);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return AGAIN;
        if (rc != 0)
            return channel_error(c, rc, _("running the command"));
        c->ex = EX_READ;
        return PROGRESS;
    case EX_READ: {
        char buf[READ_CHUNK];
        int progressed = 0;
        c->read_queued = 0;
        for (int idle = 0;;) {
            ssize_t n1 = libssh2_channel_read_ex(c->ch, 0, buf, sizeof buf);
            if (n1 > 0) {
                capture(c, &c->out, buf, (size_t)n1);
                if (c->on_output)
                    c->on_output(1, buf, (size_t)n1, c->on_output_ud);
            } else if (n1 < 0 && n1 != LIBSSH2_ERROR_EAGAIN)
                return channel_error(c, (int)n1, _("reading the command's output"));
            ssize_t n2 = libssh2_channel_read_ex(c->ch, SSH_EXTENDED_DATA_STDERR, buf, sizeof buf);
            if (n2 > 0)
                take_stderr(c, buf, (size_t)n2);
            else if (n2 < 0 && n2 != LIBSSH2_ERROR_EAGAIN)
                return channel_error(c, (int)n2, _("reading the command's output"));
            if (n1 > 0 || n2 > 0) {
                progressed = 1;
                idle = 0;
                continue;
            }
            if (!channel_queued(c->ch))
                break;
            if (++idle == 4) {
                c->read_queued = 1;
                break;
            }
        }
        if (libssh2_channel_eof(c->ch)) {
            if (c->report_pgid && !c->errhead_done)
                flush_errhead(c, 1);
            c->ex = EX_CLOSE;
            return PROGRESS;
        }
        (void)progressed;
        return AGAIN;
    }
    case EX_CLOSE:
        rc = libssh2_channel_close(c->ch);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return AGAIN;
        c->ex = EX_WAIT_CLOSED;
        return PROGRESS;
    case EX_WAIT_CLOSED:
        rc = libssh2_channel_wait_closed(c->ch);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return AGAIN;
        c->exit_status = libssh2_channel_get_exit_status(c->ch);
        {
            char *sig = NULL;
            size_t sl = 0;
            libssh2_channel_get_exit_signal(c->ch, &sig, &sl, NULL, NULL, NULL, NULL);
            if (sig) {
                c->exit_signal = xstrndup(sig, sl);
                c->exit_status = -1;
                libssh2_free(c->s, sig);
            }
        }
        free_channel(c);
        c->state = c->shell ? SSH_CLOSED : SSH_EXEC_DONE;
        return PROGRESS;
    }
    return AGAIN;
}

static void flush_wq(struct ssh_conn *c)
{
    while (c->ch && c->wq_off < c->wq.len) {
        ssize_t n = libssh2_channel_write(c->ch, c->wq.buf + c->wq_off, c->wq.len - c->wq_off);
        if (n == LIBSSH2_ERROR_EAGAIN || n == 0) {
            c->wq_block = c->s ? libssh2_session_block_directions(c->s) : 0;
            return;
        }
        if (n < 0) {
            channel_error(c, (int)n, _("writing to the shell"));
            return;
        }
        c->wq_off += (size_t)n;
    }
    if (c->wq_off == c->wq.len) {
        sb_reset(&c->wq);
        c->wq_off = 0;
        c->wq_block = 0;
    }
}

static void keepalive(struct ssh_conn *c)
{
    if (c->next_keepalive <= 0 || mono_ms() < c->next_keepalive)
        return;
    int next = 0;
    int rc = libssh2_keepalive_send(c->s, &next);
    if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN && transport_gone(rc)) {
        fail(c, SSH_FAIL_LOST, _("connection lost: %s"), session_msg(c->s));
        return;
    }
    c->next_keepalive = mono_ms() + (next > 0 ? next : c->cfg.server_alive_interval) * 1000;
}

static int check_deadline(struct ssh_conn *c)
{
    int64_t now = mono_ms();
    if (c->state < SSH_READY && c->state != SSH_NEEDS_CONFIRM) {
        if (c->deadline == 0)
            c->deadline = now + c->connect_timeout_ms;
        if (now >= c->deadline) {
            int secs = (c->connect_timeout_ms + 999) / 1000;
            if (c->state == SSH_CONNECTING && !c->via)
                return fail(c, SSH_FAIL_TIMEOUT,
                            _("no answer within %d s (host down, unroutable, or a firewall drops "
                              "the connection)"),
                            secs);
            if (c->state == SSH_CONNECTING)
                return fail(c, SSH_FAIL_TIMEOUT, _("the jump host did not get through within %d s"),
                            secs);
            if (c->state == SSH_HANDSHAKE)
                return fail(c, SSH_FAIL_TIMEOUT,
                            _("connected, but no SSH greeting or key exchange within %d s (the "
                              "server hangs or is not SSH)"),
                            secs);
            return fail(c, SSH_FAIL_TIMEOUT, _("authentication did not finish within %d s"), secs);
        }
    }
    if (c->state == SSH_EXEC && c->op_deadline > 0 && now >= c->op_deadline)
        return fail(c, SSH_FAIL_TIMEOUT, _("the command did not finish within %d s"),
                    (int)((c->op_deadline - c->ex_started + 999) / 1000));
    return AGAIN;
}

static const char *state_name(enum ssh_state s)
{
    static const char *const n[] = {"connecting", "handshake", "needs-confirm", "auth",
                                    "ready",      "exec",      "exec-done",     "shell-opening",
                                    "shell",      "closed",    "failed"};
    return (size_t)s < ARRAY_LEN(n) ? n[s] : "?";
}

/* UNYO_SSH_DEBUG=1: one line per state change on stderr, with the time. */
static void trace(struct ssh_conn *c, enum ssh_state from)
{
    static int on = -1;
    if (on < 0)
        on = getenv("UNYO_SSH_DEBUG") && *getenv("UNYO_SSH_DEBUG") == '1';
    if (!on || from == c->state)
        return;
    static int64_t t0;
    if (!t0)
        t0 = mono_ms();
    fprintf(stderr, "[%6lld ms] %s: %s -> %s%s%s\n", (long long)(mono_ms() - t0), c->label,
            state_name(from), state_name(c->state), c->state == SSH_FAILED ? ": " : "",
            c->state == SSH_FAILED ? c->error : "");
}

enum ssh_state ssh_conn_step(struct ssh_conn *c)
{
    enum ssh_state from = c->state;
    enum ssh_state s = step_inner(c);
    trace(c, from);
    return s;
}

static enum ssh_state step_inner(struct ssh_conn *c)
{
    for (int guard = 0; guard < 1000; guard++) {
        if (c->state == SSH_FAILED || c->state == SSH_CLOSED)
            return c->state;
        if (check_deadline(c) == PROGRESS)
            return c->state;
        int r = AGAIN;
        switch (c->state) {
        case SSH_CONNECTING:
            r = step_connect(c);
            break;
        case SSH_HANDSHAKE:
            r = step_handshake(c);
            break;
        case SSH_NEEDS_CONFIRM:
            return c->state;
        case SSH_AUTH:
            r = step_auth(c);
            break;
        case SSH_READY:
        case SSH_EXEC_DONE:
            keepalive(c);
            return c->state;
        case SSH_EXEC:
        case SSH_SHELL_OPENING:
            r = step_exec(c);
            break;
        case SSH_SHELL:
            flush_wq(c);
            keepalive(c);
            return c->state;
        default:
            return c->state;
        }
        if (r == AGAIN)
            return c->state;
    }
    return c->state;
}

void ssh_conn_take_result(struct ssh_conn *c, struct ssh_result *r)
{
    memset(r, 0, sizeof *r);
    r->out_len = c->out.len;
    r->out = sb_detach(&c->out);
    r->err_len = c->err.len;
    r->err = sb_detach(&c->err);
    r->exit_status = c->exit_status;
    r->exit_signal = c->exit_signal;
    c->exit_signal = NULL;
    r->truncated = c->truncated;
    r->elapsed_ms = mono_ms() - c->ex_started;
    if (c->state == SSH_EXEC_DONE)
        c->state = SSH_READY;
}

void ssh_result_free(struct ssh_result *r)
{
    free(r->stop_error);
    free(r->out);
    free(r->err);
    free(r->exit_signal);
    memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- shell */

ssize_t ssh_conn_shell_read(struct ssh_conn *c, char *buf, size_t size)
{
    c->read_queued = 0;
    if (c->state != SSH_SHELL)
        return c->state == SSH_SHELL_OPENING ? 0 : -1;
    flush_wq(c);
    if (c->state != SSH_SHELL)
        return -1;
    /* Both streams, again while libssh2 holds stdout data (channel_queued); a few
     * rounds at most, and what is still queued then makes the next timeout 0
     * (ssh_conn_timeout_ms), so the session never waits on a socket with nothing
     * more to say, e.g. after `exit`. */
    for (int round = 0; round < 4; round++) {
        ssize_t n = libssh2_channel_read_ex(c->ch, 0, buf, size);
        if (n > 0)
            return n;
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
            channel_error(c, (int)n, _("reading from the shell"));
            return -1;
        }
        n = libssh2_channel_read_ex(c->ch, SSH_EXTENDED_DATA_STDERR, buf, size);
        if (n > 0)
            return n;
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
            channel_error(c, (int)n, _("reading from the shell"));
            return -1;
        }
        if (!channel_queued(c->ch))
            break;
    }
    if (libssh2_channel_eof(c->ch)) {
        /* The shell ended: run the close steps (ssh_conn_step finishes them). */
        c->ex = EX_CLOSE;
        c->state = SSH_SHELL_OPENING;
        ssh_conn_step(c);
        return -1;
    }
    c->read_queued = channel_queued(c->ch);
    return 0;
}

int ssh_conn_shell_write(struct ssh_conn *c, const char *buf, size_t len)
{
    if (c->state != SSH_SHELL)
        return -1;
    sb_add(&c->wq, buf, len);
    flush_wq(c);
    return c->state == SSH_SHELL ? 0 : -1;
}

int ssh_conn_shell_resize(struct ssh_conn *c, int cols, int rows)
{
    if (c->state != SSH_SHELL || !c->ch)
        return -1;
    int rc;
    /* A small request; a short blocking retry keeps the API simple. */
    for (int i = 0; i < 1000; i++) {
        rc = libssh2_channel_request_pty_size_ex(c->ch, cols, rows, 0, 0);
        if (rc != LIBSSH2_ERROR_EAGAIN)
            return rc == 0 ? 0 : -1;
        struct pollfd p = {ssh_conn_fd(c), ssh_conn_poll_events(c), 0};
        poll(&p, 1, 10);
    }
    return -1;
}

int ssh_conn_shell_exit_status(const struct ssh_conn *c)
{
    return c->exit_status;
}

/* ---------------------------------------------------------------- blocking helpers */

static void wait_io(struct ssh_conn *c, int64_t until)
{
    int t = ssh_conn_timeout_ms(c);
    int64_t left = until - mono_ms();
    if (left < 0)
        left = 0;
    if (t < 0 || t > left)
        t = (int)left;
    if (t > 1000)
        t = 1000;
    int fd = ssh_conn_fd(c);
    if (fd < 0) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        return;
    }
    struct pollfd p = {fd, ssh_conn_poll_events(c), 0};
    poll(&p, 1, t);
}

int ssh_conn_wait_ready(struct ssh_conn *c, int timeout_ms, char **err)
{
    int64_t until = mono_ms() + (timeout_ms > 0 ? timeout_ms : 3600000);
    for (;;) {
        enum ssh_state s = ssh_conn_step(c);
        if (s == SSH_READY || s == SSH_EXEC_DONE)
            return 0;
        if (s == SSH_FAILED) {
            set_err(err, "%s", ssh_conn_error(c));
            return -1;
        }
        if (s == SSH_NEEDS_CONFIRM) {
            int ok = c->opts.prompts.confirm_hostkey &&
                     c->opts.prompts.confirm_hostkey(c->opts.prompts.ud, c->label, c->fp) == 1;
            if (ssh_conn_confirm_hostkey(c, ok) != 0) {
                set_err(err, "%s", ssh_conn_error(c));
                return -1;
            }
            until = mono_ms() + (timeout_ms > 0 ? timeout_ms : 3600000);
            continue;
        }
        if (mono_ms() >= until) {
            set_err(err, _("%s: no answer within %d s"), c->label, timeout_ms / 1000);
            return -1;
        }
        wait_io(c, until);
    }
}

int ssh_run(const char *host, const struct ssh_conn_opts *opts, const char *command, size_t cap,
            int timeout_ms, struct ssh_result *result, char **err)
{
    memset(result, 0, sizeof *result);
    struct ssh_conn *c = ssh_conn_new(host, opts, err);
    if (!c)
        return -1;
    int64_t start = mono_ms();
    if (ssh_conn_wait_ready(c, timeout_ms, err) != 0) {
        ssh_conn_free(c);
        return -1;
    }
    int left = timeout_ms > 0 ? timeout_ms - (int)(mono_ms() - start) : 0;
    if (timeout_ms > 0 && left <= 0)
        left = 1;
    ssh_conn_exec(c, command, cap, left);
    int64_t until = mono_ms() + (timeout_ms > 0 ? left : 3600000 * 24);
    for (;;) {
        enum ssh_state s = ssh_conn_step(c);
        if (s == SSH_EXEC_DONE)
            break;
        if (s == SSH_FAILED) {
            set_err(err, "%s", ssh_conn_error(c));
            ssh_conn_free(c);
            return -1;
        }
        wait_io(c, until + 1000);
    }
    ssh_conn_take_result(c, result);
    ssh_conn_free(c);
    return 0;
}

/* ---------------------------------------------------------------- stopping a command */

/* A short command on a second channel of the same connection, stepped without blocking
 * next to the first. */
struct side_cmd {
    LIBSSH2_CHANNEL *ch;
    enum exec_phase phase;
    char *command;
    struct strbuf out;
};

/* 1 done, 0 not yet, -1 failed (*why: malloc'd). */
static int side_step(struct ssh_conn *c, struct side_cmd *k, char **why)
{
    int rc;
    for (;;) {
        switch (k->phase) {
        case EX_OPEN:
            k->ch = libssh2_channel_open_session(c->s);
            if (!k->ch) {
                rc = libssh2_session_last_errno(c->s);
                if (rc == LIBSSH2_ERROR_EAGAIN)
                    return 0;
                goto failed;
            }
            k->phase = EX_START;
            break;
        case EX_START:
            rc = libssh2_channel_exec(k->ch, k->command);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return 0;
            if (rc != 0)
                goto failed;
            k->phase = EX_READ;
            break;
        case EX_READ: {
            char buf[256];
            ssize_t n = libssh2_channel_read(k->ch, buf, sizeof buf);
            if (n > 0) {
                sb_add(&k->out, buf, (size_t)n);
                break;
            }
            if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                rc = (int)n;
                goto failed;
            }
            if (!libssh2_channel_eof(k->ch))
                return 0;
            k->phase = EX_CLOSE;
            break;
        }
        case EX_CLOSE:
            if (libssh2_channel_close(k->ch) == LIBSSH2_ERROR_EAGAIN)
                return 0;
            k->phase = EX_WAIT_CLOSED;
            break;
        case EX_WAIT_CLOSED:
            if (libssh2_channel_wait_closed(k->ch) == LIBSSH2_ERROR_EAGAIN)
                return 0;
            return 1;
        }
    }
failed : {
    char *m = transport_gone(rc) ? xasprintf(_("connection lost: %s"), session_msg(c->s))
                                 : xstrdup(session_msg(c->s));
    *why = xasprintf("%s: %s", c->label, m);
    free(m);
}
    return -1;
}

static void side_free(struct ssh_conn *c, struct side_cmd *k)
{
    if (k->ch) {
        /* as ssh_conn_free: a non-blocking free may leave half of it behind */
        libssh2_session_set_timeout(c->s, 1000);
        libssh2_session_set_blocking(c->s, 1);
        libssh2_channel_free(k->ch);
        libssh2_session_set_blocking(c->s, 0);
        k->ch = NULL;
    }
    free(k->command);
    sb_free(&k->out);
}

/* SIGTERM to the group (or, when the shell is no group leader, to the shell alone), then
 * SIGKILL once grace has passed with anything left; says which on stdout. A member that
 * has exited but is not yet reaped (an orphan waits for init, which in a container may
 * take seconds) still answers kill -0: ps, where there is one, tells it apart. */
static char *stop_script(long pgid, int grace_ms)
{
    return xasprintf(
        "P=%ld; n=%d; alive() { kill -0 -$P 2>/dev/null || kill -0 $P 2>/dev/null || return 1; "
        "command -v ps >/dev/null 2>&1 || return 0; ps -e -o pgid= -o stat= 2>/dev/null | "
        "awk -v p=$P '$1 == p && $2 !~ /^Z/ { f = 1 } END { exit !f }'; }; "
        "if kill -TERM -$P 2>/dev/null; then :; elif kill -TERM $P 2>/dev/null; "
        "then :; else echo ended; exit 0; fi; i=0; "
        "while alive; do "
        "if [ $i -ge $n ]; then kill -KILL -$P 2>/dev/null; kill -KILL $P 2>/dev/null; "
        "echo killed; exit 0; fi; sleep 0.2 2>/dev/null || sleep 1; i=$((i+1)); done; "
        "echo terminated",
        pgid, (grace_ms + 199) / 200);
}

#define STOP_PGID_WAIT_MS 5000 /* for the marker, when asked to stop right at the start */
#define STOP_END_WAIT_MS 5000  /* for the channel to close once the group is gone */

int ssh_run_job(const char *host, const struct ssh_conn_opts *opts, const char *command, size_t cap,
                int timeout_ms, int grace_ms, int posix_shell, ssh_output_fn on_output,
                ssh_stop_fn should_stop, void *ud, struct ssh_result *result, char **err)
{
    memset(result, 0, sizeof *result);
    struct ssh_conn *c = ssh_conn_new(host, opts, err);
    if (!c)
        return -1;
    int64_t start = mono_ms();
    if (ssh_conn_wait_ready(c, timeout_ms, err) != 0) {
        ssh_conn_free(c);
        return -1;
    }
    if (should_stop && should_stop(ud)) {
        ssh_conn_free(c);
        result->exit_status = -1;
        result->stop = SSH_STOP_NOT_STARTED;
        return 0;
    }
    /* A line of its own first: a syntax error in the command cannot keep it from running.
     * Not on a Windows host: cmd.exe and PowerShell would run the marker line, not the job. */
    char *wrapped =
        posix_shell ? xasprintf("echo \"" PGID_MARK "$$\" >&2\n%s", command) : xstrdup(command);
    ssh_conn_exec(c, wrapped, cap, 0); /* the timeout is ours: it stops the command */
    free(wrapped);
    c->report_pgid = posix_shell;
    c->on_output = on_output;
    c->on_output_ud = ud;
    int64_t deadline = timeout_ms > 0 ? start + timeout_ms : 0;
    enum { RUNNING, WAIT_PGID, KILLING, STOPPED } phase = RUNNING;
    enum ssh_stop stop = SSH_STOP_NONE;
    char *stop_error = NULL;
    int timed_out = 0;
    int64_t phase_at = 0;
    struct side_cmd k = {0};
    for (;;) {
        enum ssh_state s = ssh_conn_step(c);
        if (s == SSH_FAILED) {
            if (phase == RUNNING) {
                set_err(err, "%s", ssh_conn_error(c));
                ssh_conn_free(c);
                return -1;
            }
            if (phase != STOPPED) {
                stop = SSH_STOP_FAILED;
                stop_error = xstrdup(ssh_conn_error(c));
            }
            break;
        }
        int64_t now = mono_ms();
        if (phase == RUNNING &&
            ((deadline && now >= deadline) || (should_stop && should_stop(ud)))) {
            timed_out = deadline && now >= deadline;
            phase = WAIT_PGID;
            phase_at = now;
        }
        if (phase == WAIT_PGID) {
            if (!posix_shell) {
                stop = SSH_STOP_FAILED;
                stop_error = xasprintf(_("%s: a Windows host: the connection is closed, but the "
                                         "command may still be running there"),
                                       c->label);
                break;
            }
            if (c->pgid > 0) {
                k.command = stop_script(c->pgid, grace_ms);
                phase = KILLING;
            } else if (s == SSH_EXEC_DONE) {
                stop = SSH_STOP_ENDED;
                phase = STOPPED;
            } else if (now - phase_at >= STOP_PGID_WAIT_MS) {
                stop = SSH_STOP_FAILED;
                stop_error =
                    xasprintf(_("%s: the host did not report the command's process id"), c->label);
                break;
            }
        }
        if (phase == KILLING) {
            char *why = NULL;
            int r = side_step(c, &k, &why);
            if (r != 0) {
                if (r < 0) {
                    stop = SSH_STOP_FAILED;
                    stop_error = why;
                } else if (strstr(k.out.buf ? k.out.buf : "", "terminated")) {
                    stop = SSH_STOP_TERMINATED;
                } else if (strstr(k.out.buf ? k.out.buf : "", "killed")) {
                    stop = SSH_STOP_KILLED;
                } else if (strstr(k.out.buf ? k.out.buf : "", "ended")) {
                    stop = SSH_STOP_ENDED;
                } else {
                    stop = SSH_STOP_FAILED;
                    stop_error = xasprintf(_("%s: no answer from the kill command"), c->label);
                }
                phase = STOPPED;
                phase_at = now;
                if (stop == SSH_STOP_FAILED)
                    break;
            }
        }
        if (s == SSH_EXEC_DONE && (phase == RUNNING || phase == STOPPED))
            break;
        if (phase == STOPPED && now - phase_at >= STOP_END_WAIT_MS)
            break; /* something still holds the output open: keep what came */
        /* With a stop to watch for, tick 4 times a second: a cancel is seen that soon. */
        int64_t until = now + (should_stop ? 250 : 1000);
        if (phase == RUNNING && deadline && deadline < until)
            until = deadline;
        if (phase != RUNNING) /* libssh2 may hold the answer already read: look again soon */
            until = now + 50;
        wait_io(c, until);
        if (on_output)
            on_output(0, NULL, 0, ud);
    }
    c->on_output = NULL;
    if (c->report_pgid && !c->errhead_done)
        flush_errhead(c, 1);
    long pgid = c->pgid;
    side_free(c, &k);
    ssh_conn_take_result(c, result);
    ssh_conn_free(c);
    result->timed_out = timed_out;
    result->stop = stop;
    result->stop_error = stop_error;
    result->pgid = pgid;
    return 0;
}
