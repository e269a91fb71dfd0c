/* The hosts inventory: every server and device the operator looks after, and
 * how to reach it over SSH (an ssh_config alias, read from ~/.ssh/config or
 * from the file the host was imported from, or explicit user / port / jump).
 * Every change is audited. */
#ifndef UNYO_HOSTS_H
#define UNYO_HOSTS_H

#include <stddef.h>

#include "id.h"

struct store;
struct ssh_conn_opts;

struct host {
    char id[ID_LEN + 1];
    char *name, *address, *role, *location, *os, *owner, *notes;
    char *ssh_alias, *ssh_user, *ssh_jump;
    int ssh_port; /* 0 = unset */
    /* The ssh_config file (full path) the alias is read from, as `ssh -F`;
     * NULL: ~/.ssh/config. */
    char *ssh_config;
    char *updated_at;
    /* transport 'local' (the demo's hosts): checks and jobs run on this machine
     * (sh -c), never over SSH; everything else, 'ssh', connects. */
    int local;
    /* The parents' host ids, comma-separated (host_deps.h), or NULL: none. */
    char *parents;
};

/* The roles a host can have: AP DB file AD proxy WSUS backup network other. */
int host_role_valid(const char *role);
/* Canonical spelling of a role given in any case ("ap" -> "AP"), or NULL. */
const char *host_role_canonical(const char *role);

/* Fields to set; NULL leaves a field as it is (edit) or unset (add). An empty
 * string clears it. ssh_port: -1 = leave, 0 = clear. */
struct host_fields {
    const char *name, *address, *role, *location, *os, *owner, *notes;
    const char *ssh_alias, *ssh_user, *ssh_jump;
    int ssh_port;
    const char *ssh_config; /* a full path; "" clears (~/.ssh/config) */
};

int host_add(struct store *st, const struct host_fields *f, char out_id[ID_LEN + 1], char **err);
int host_edit(struct store *st, const char *name, const struct host_fields *f, char **err);
int host_remove(struct store *st, const char *name, char **err);
/* By name (or id). 0, or -1 with *err when there is none. */
int host_get(struct store *st, const char *name, struct host *out, char **err);
/* The live host's id by its name: 1, 0 (no such host, *err untouched), -1 (*err). */
int host_id_by_name(struct store *st, const char *name, char id[ID_LEN + 1], char **err);
/* All live hosts by name. */
int host_list(struct store *st, struct host **out, size_t *count, char **err);
void host_clear(struct host *h);
void host_list_free(struct host *hosts, size_t count);
/* The latest (at most max) values of one metric of a host (host_metrics, written
 * by checks), oldest first into vals: how many, or -1 with *err. */
int host_metric_recent(struct store *st, const char *host_id, const char *metric, double *vals,
                       int max, char **err);

/* 1 when the host's commands run on this machine (transport 'local'). Checks,
 * jobs and consoles ask this before they connect. */
int host_is_local(const struct host *h);
/* How the host is reached, for people: "ローカル実行（デモ）" or "SSH" (translated). */
const char *host_transport_label(const struct host *h);
/* Sets a host's transport, "ssh" or "local" (audited). */
int host_set_transport(struct store *st, const char *name, const char *transport, char **err);

/* The alias to give ssh_conn_new and the overrides from the record: the
 * host's own ssh_config file (config_path, which must then exist) replaces
 * the caller's. The strings point into h. */
const char *host_ssh_target(const struct host *h, struct ssh_conn_opts *opts);

/* Adds one host per concrete Host entry of an ssh_config file (wildcard
 * entries are skipped), with ssh_alias set and the address from HostName.
 * path NULL: ~/.ssh/config, read again at each connection. Another file must
 * exist; its full path is recorded with each host (ssh_config), so connecting
 * reads that file, as `ssh -F FILE ALIAS` does, and follows later edits of it.
 * Names already in the inventory are left alone. *added / *skipped count. */
int hosts_import_ssh_config(struct store *st, const char *path, int *added, int *skipped,
                            char **err);

#endif
