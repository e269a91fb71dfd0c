/* What the SSH code needs to show keys the way OpenSSH does: SHA-256 and
 * base64 (fingerprints are "SHA256:" + base64 of the key blob's hash, without
 * padding). */
#ifndef UNYO_SSH_CRYPTO_H
#define UNYO_SSH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);
/* Base64 of data (malloc'd); pad = 0 drops the trailing '='. */
char *base64_encode(const void *data, size_t len, int pad);
/* Decodes base64 (whitespace ignored); malloc'd, *len set. NULL when invalid. */
unsigned char *base64_decode(const char *s, size_t *len);
/* "SHA256:..." of a public key blob. out needs SSH_FP_LEN + 1 bytes. */
#define SSH_FP_LEN 50
void ssh_fingerprint(const void *blob, size_t len, char out[SSH_FP_LEN + 1]);
/* The key type name at the start of a key blob ("ssh-ed25519"), or "" (malloc'd). */
char *ssh_blob_type(const void *blob, size_t len);

#endif
