#include "ssh_console.h"

#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "i18n.h"
#include "store.h"
#include "timefmt.h"
#include "redact.h"
#include "transcript.h"
#include "util.h"
#include <time.h>
static int64_t time_monotonic_ms_(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ssh_console {
    struct store *st;
    struct host h;
    int have_host;
    char *name;
    struct ssh_conn *conn;
    struct term *term;
    struct transcript *tr;
    struct redact_rules *redact;
    int rows, cols;
    char session_id[ID_LEN + 1];
    int shell_requested;
    enum ssh_state last;
    void (*raw)(const char *, size_t, void *);
    void *raw_ud;
    char *error;
    /* The last pump stopped on its time or size limit, not because the shell had
     * nothing more: libssh2 may hold the rest already read off the socket, and
     * the socket then never wakes poll again. The next pump is due at once. */
    int more;
};

static void to_shell(const char *bytes, size_t len, void *ud)
{
    struct ssh_console *c = ud;
    ssh_conn_shell_write(c->conn, bytes, len);
}

struct ssh_console *ssh_console_open(struct store *st, const char *host,
                                     const struct ssh_conn_opts *base, int rows, int cols,
                                     char **err)
{
    /* A session is recorded in the store: refused read-only before it connects. */
    if (store_require_operator(st, err) != 0 || store_refuse_write(st, err) != 0)
        return NULL;
    /* A recording without its redaction rules could keep a secret: a rule file
     * that does not load refuses the session, naming FILE:LINE. */
    struct redact_rules *rules = NULL;
    if (redact_rules_load(NULL, &rules, err) != 0)
        return NULL;
    struct ssh_console *c = xcalloc(1, sizeof *c);
    c->st = st;
    c->redact = rules;
    c->name = xstrdup(host);
    c->rows = rows > 0 ? rows : 24;
    c->cols = cols > 0 ? cols : 80;
    struct ssh_conn_opts o = {0};
    if (base)
        o = *base;
    const char *target = host;
    c->have_host = host_get(st, host, &c->h, NULL) == 0;
    if (c->have_host && host_is_local(&c->h)) {
        /* A demo host's address is an example: never connect to it. */
        set_err(err,
                _("%s is a demo host (its checks and jobs run on this machine): a console "
                  "needs a real host reached over SSH"),
                c->h.name);
        host_clear(&c->h);
        free(c->name);
        redact_rules_free(c->redact);
        free(c);
        return NULL;
    }
    if (c->have_host) {
        o.address = NULL;
        target = host_ssh_target(&c->h, &o);
    }
    c->conn = ssh_conn_new(target, &o, err);
    if (!c->conn) {
        if (c->have_host)
            host_clear(&c->h);
        free(c->name);
        redact_rules_free(c->redact);
        free(c);
        return NULL;
    }
    c->term = term_new(c->rows, c->cols, 0);
    term_set_output(c->term, to_shell, c);
    c->last = SSH_CONNECTING;
    return c;
}

int ssh_console_fd(const struct ssh_console *c)
{
    return ssh_conn_fd(c->conn);
}

short ssh_console_events(const struct ssh_console *c)
{
    return ssh_conn_poll_events(c->conn);
}

int ssh_console_timeout_ms(const struct ssh_console *c)
{
    if (c->more)
        return 0;
    return ssh_conn_timeout_ms(c->conn);
}

int ssh_console_pump(struct ssh_console *c)
{
    int changed = 0;
    enum ssh_state s = ssh_conn_step(c->conn);
    if ((s == SSH_READY || s == SSH_EXEC_DONE) && !c->shell_requested) {
        char *err = NULL;
        if (session_begin(c->st, c->have_host ? c->h.id : NULL, c->have_host ? c->h.name : c->name,
                          c->cols, c->rows, c->session_id, &err) != 0) {
            free(c->error);
            c->error = err;
            c->session_id[0] = '\0';
        }
        c->tr = transcript_new(c->cols, c->rows, time_now_ms(), c->name, 0);
        transcript_set_redact(c->tr, c->redact);
        ssh_conn_shell(c->conn, c->cols, c->rows);
        c->shell_requested = 1;
        s = ssh_conn_step(c->conn);
    }
    if (s == SSH_SHELL) {
        /* Read what is there (for at most a few ms, so a flooding server
         * does not starve the caller's loop), then feed the screen model once:
         * a big batch lets it skip lines that would scroll out of the
         * scrollback anyway. */
        static char *acc;
        static size_t acc_cap;
        size_t got = 0;
        ssize_t n = 0;
        int64_t until = time_monotonic_ms_() + 25;
        if (!acc) {
            acc_cap = 4u << 20;
            acc = xmalloc(acc_cap);
        }
        while (got + 65536 <= acc_cap && (got == 0 || time_monotonic_ms_() < until) &&
               (n = ssh_conn_shell_read(c->conn, acc + got, 65536)) > 0) {
            if (c->tr)
                transcript_output(c->tr, time_now_ms(), acc + got, (size_t)n);
            if (c->raw)
                c->raw(acc + got, (size_t)n, c->raw_ud);
            got += (size_t)n;
        }
        c->more = n > 0;
        if (got) {
            term_feed(c->term, acc, got);
            changed = 1;
        }
        s = ssh_conn_state(c->conn);
    } else {
        c->more = 0;
    }
    if (s != c->last) {
        c->last = s;
        changed = 1;
    }
    return changed;
}

enum ssh_state ssh_console_state(const struct ssh_console *c)
{
    return ssh_conn_state(c->conn);
}

const char *ssh_console_error(const struct ssh_console *c)
{
    if (ssh_conn_state(c->conn) == SSH_FAILED)
        return ssh_conn_error(c->conn);
    return c->error ? c->error : "";
}

const char *ssh_console_label(const struct ssh_console *c)
{
    return ssh_conn_label(c->conn);
}

const char *ssh_console_fingerprint(const struct ssh_console *c)
{
    return ssh_conn_fingerprint(c->conn);
}

int ssh_console_confirm(struct ssh_console *c, int accept)
{
    return ssh_conn_confirm_hostkey(c->conn, accept);
}

struct term *ssh_console_term(struct ssh_console *c)
{
    return c->term;
}

int ssh_console_send(struct ssh_console *c, const char *bytes, size_t len)
{
    return ssh_conn_shell_write(c->conn, bytes, len);
}

void ssh_console_resize(struct ssh_console *c, int rows, int cols)
{
    if (rows < 1 || cols < 1)
        return;
    c->rows = rows;
    c->cols = cols;
    term_resize(c->term, rows, cols);
    if (ssh_conn_state(c->conn) == SSH_SHELL) {
        ssh_conn_shell_resize(c->conn, cols, rows);
        if (c->tr)
            transcript_resize(c->tr, time_now_ms(), cols, rows);
    }
}

void ssh_console_set_raw(struct ssh_console *c, void (*fn)(const char *, size_t, void *), void *ud)
{
    c->raw = fn;
    c->raw_ud = ud;
    /* The real terminal behind a pass-through answers queries itself. */
    term_set_output(c->term, fn ? NULL : to_shell, fn ? NULL : c);
}

const char *ssh_console_session_id(const struct ssh_console *c)
{
    return c->session_id;
}

int ssh_console_exit_status(const struct ssh_console *c)
{
    return ssh_conn_shell_exit_status(c->conn);
}

int ssh_console_close(struct ssh_console *c, char **err)
{
    int rc = 0;
    if (c->session_id[0]) {
        enum ssh_state s = ssh_conn_state(c->conn);
        const char *reason = s == SSH_CLOSED ? "exit" : s == SSH_FAILED ? "lost" : "closed";
        rc = session_end(c->st, c->session_id, c->tr, ssh_conn_shell_exit_status(c->conn), reason,
                         err);
    }
    transcript_free(c->tr);
    term_free(c->term);
    ssh_conn_free(c->conn);
    if (c->have_host)
        host_clear(&c->h);
    free(c->name);
    free(c->error);
    redact_rules_free(c->redact);
    free(c);
    return rc;
}
