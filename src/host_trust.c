#include "host_trust.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "i18n.h"
#include "ssh_conn.h"
#include "util.h"

struct host_key_check {
    struct host h; /* the reach strings of opts point into it */
    struct ssh_conn_opts o;
    struct ssh_conn *conn;
    int result;
    char *fp, *label, *err;
};

struct host_key_check *host_key_check_new(struct store *st, const char *name, char **err)
{
    struct host_key_check *k = xcalloc(1, sizeof *k);
    if (host_get(st, name, &k->h, err) != 0) {
        free(k);
        return NULL;
    }
    if (host_is_local(&k->h)) {
        set_err(err,
                _("%s is a demo host (its checks and jobs run on this machine): it has no host "
                  "key to trust"),
                k->h.name);
        host_clear(&k->h);
        free(k);
        return NULL;
    }
    k->result = -1;
    return k;
}

void host_key_check_run(struct host_key_check *k)
{
    char *err = NULL;
    const char *target = host_ssh_target(&k->h, &k->o);
    k->o.hostkey_policy = SSH_HOSTKEY_ASK;
    k->conn = ssh_conn_new(target, &k->o, &err);
    if (!k->conn) {
        k->err = err;
        return;
    }
    for (;;) {
        enum ssh_state s = ssh_conn_step(k->conn);
        if (s == SSH_FAILED) {
            k->err = xstrdup(ssh_conn_error(k->conn));
            return;
        }
        if (s == SSH_NEEDS_CONFIRM || s >= SSH_AUTH) {
            k->result = s == SSH_NEEDS_CONFIRM;
            k->fp = xstrdup(ssh_conn_fingerprint(k->conn) ? ssh_conn_fingerprint(k->conn) : "");
            k->label = xstrdup(ssh_conn_label(k->conn) ? ssh_conn_label(k->conn) : k->h.name);
            return;
        }
        struct pollfd p = {ssh_conn_fd(k->conn), ssh_conn_poll_events(k->conn), 0};
        int t = ssh_conn_timeout_ms(k->conn);
        if (p.fd < 0)
            p.fd = -1;
        poll(&p, 1, t < 0 || t > 1000 ? 1000 : t);
    }
}

int host_key_check_result(const struct host_key_check *k)
{
    return k->result;
}

const char *host_key_check_fingerprint(const struct host_key_check *k)
{
    return k->fp ? k->fp : "";
}

const char *host_key_check_label(const struct host_key_check *k)
{
    return k->label ? k->label : k->h.name;
}

const char *host_key_check_error(const struct host_key_check *k)
{
    return k->err ? k->err : "";
}

const char *host_key_check_host(const struct host_key_check *k)
{
    return k->h.name;
}

int host_key_check_trust(struct host_key_check *k, char **err)
{
    if (k->result != 1 || !k->conn) {
        set_err(err, "%s", _("there is no unknown host key to trust"));
        return -1;
    }
    if (ssh_conn_confirm_hostkey(k->conn, 1) != 0) {
        set_err(err, "%s", ssh_conn_error(k->conn));
        return -1;
    }
    k->result = 0;
    return 0;
}

void host_key_check_free(struct host_key_check *k)
{
    if (!k)
        return;
    if (k->conn)
        ssh_conn_free(k->conn);
    host_clear(&k->h);
    free(k->fp);
    free(k->label);
    free(k->err);
    free(k);
}
