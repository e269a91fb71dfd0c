/* OpenSSH client configuration (~/.ssh/config), the subset unyo needs to reach
 * a host the way `ssh ALIAS` would: Host blocks with * ? wildcards and !
 * negation, first value wins, Include (glob; relative paths under ~/.ssh),
 * HostName (%h), User, Port, IdentityFile (~ and %d %u %h %r %%; several),
 * IdentitiesOnly, ProxyJump, ConnectTimeout, ServerAliveInterval,
 * PubkeyAuthentication, PasswordAuthentication, KbdInteractiveAuthentication,
 * PreferredAuthentications.
 * Match blocks are not evaluated: their options never apply. */
#ifndef UNYO_SSH_CONFIG_H
#define UNYO_SSH_CONFIG_H

#include <stddef.h>

struct ssh_host_config {
    char *alias;           /* the name asked for */
    char *hostname;        /* HostName with %h expanded, else the alias */
    char *user;            /* User, else NULL (the caller picks the local login) */
    int port;              /* Port, else 22 */
    char **identity_files; /* expanded paths, in order; NULL-terminated */
    size_t n_identity;
    int identities_only;       /* 0/1 */
    char *proxy_jump;          /* raw ProxyJump value, NULL when unset or "none" */
    int connect_timeout;       /* seconds, 0 = unset */
    int server_alive_interval; /* seconds, 0 = off */
    /* PubkeyAuthentication, PasswordAuthentication, KbdInteractiveAuthentication
     * (ChallengeResponseAuthentication): 0/1, default 1. */
    int pubkey_auth;
    int password_auth;
    int kbdint_auth;
    /* PreferredAuthentications: the methods that may be used (comma list),
     * NULL when unset (all). unyo keeps its own order: publickey,
     * keyboard-interactive, password. */
    char *preferred_auths;
};

/* One hop of ProxyJump "[user@]host[:port]" (or ssh://[user@]host[:port]). */
struct ssh_jump_hop {
    char *user; /* NULL when not given */
    char *host;
    int port; /* 0 when not given */
};

/* 1 when the configuration lets unyo use this authentication method
 * ("publickey", "password", "keyboard-interactive"). */
int ssh_config_auth_allowed(const struct ssh_host_config *c, const char *method);

/* Confines the parser to the directory root (for the fuzzer): the home
 * directory is root, and an Include of a path outside root is skipped as
 * missing. NULL lifts the confinement. Not thread-safe: set it before use. */
void ssh_config_set_sandbox(const char *root);

/* ~/.ssh/config of $HOME (malloc'd). */
char *ssh_config_default_path(void);

/* Resolves alias through the file at path (NULL: the default). A missing file
 * is not an error (everything takes its default). Returns 0, or -1 with *err
 * naming FILE:LINE for a malformed line or an Include loop. */
int ssh_config_lookup(const char *path, const char *alias, struct ssh_host_config *out, char **err);
void ssh_host_config_clear(struct ssh_host_config *c);

/* The concrete names of every Host line (no wildcard, no negation), in file
 * order (includes followed), duplicates removed. NULL-terminated, malloc'd. */
int ssh_config_concrete_hosts(const char *path, char ***names, size_t *count, char **err);
void ssh_config_free_names(char **names);

/* Splits a ProxyJump value ("a,b@c:2222") into hops. 0, or -1 with *err. */
int ssh_jump_parse(const char *value, struct ssh_jump_hop **hops, size_t *count, char **err);
void ssh_jump_free(struct ssh_jump_hop *hops, size_t count);

/* 1 when name matches one glob pattern (* and ?), case-insensitively. */
int ssh_pattern_match(const char *pattern, const char *name);
/* 1 when name matches a comma/space list of patterns with ! negation: some
 * positive pattern matches and no negated one does. */
int ssh_pattern_list_match(const char *const *patterns, size_t n, const char *name);

#endif
