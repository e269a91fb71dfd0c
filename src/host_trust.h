/* Trusting a host's SSH key from the console (the first run's hosts step): connect as
 * far as the host key, show its fingerprint, and append it to known_hosts only when
 * the person says yes, the same question `unyo host trust` asks on a terminal. */
#ifndef UNYO_HOST_TRUST_H
#define UNYO_HOST_TRUST_H

struct store;
struct host_key_check;

/* Prepares the check of the inventory host name (reads the store: call it where the
 * store is used). NULL with *err for an unknown host or a demo host (transport
 * local: no key to trust). */
struct host_key_check *host_key_check_new(struct store *st, const char *name, char **err);
/* Connects as far as the host key (blocking; any thread, no store). */
void host_key_check_run(struct host_key_check *k);
/* After run: 1 when the key is unknown and waits for host_key_check_trust, 0 when
 * known_hosts already has it, -1 on failure (host_key_check_error says why). */
int host_key_check_result(const struct host_key_check *k);
/* The server's key as OpenSSH prints it ("SHA256:…"), its label ("ops@ap1 (…:22)"). */
const char *host_key_check_fingerprint(const struct host_key_check *k);
const char *host_key_check_label(const struct host_key_check *k);
const char *host_key_check_error(const struct host_key_check *k);
const char *host_key_check_host(const struct host_key_check *k);
/* Appends the unknown key to known_hosts. 0, or -1 with *err. */
int host_key_check_trust(struct host_key_check *k, char **err);
void host_key_check_free(struct host_key_check *k);

#endif
