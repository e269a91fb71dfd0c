#include "ssh_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util.h"

/* SHA-256 is OpenSSL's (libcrypto, linked already for the records' hash chain):
 * a well-kept implementation that uses the CPU's SHA instructions, instead of a
 * second, hand-written one to keep correct. */
void sha256(const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
        abort(); /* only on allocation failure inside libcrypto */
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len, int pad)
{
    const uint8_t *p = data;
    struct strbuf sb = STRBUF_INIT;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {B64[v >> 18], B64[(v >> 12) & 63], B64[(v >> 6) & 63], B64[v & 63]};
        sb_add(&sb, q, 4);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        sb_putc(&sb, B64[v >> 18]);
        sb_putc(&sb, B64[(v >> 12) & 63]);
        if (pad)
            sb_puts(&sb, "==");
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        sb_putc(&sb, B64[v >> 18]);
        sb_putc(&sb, B64[(v >> 12) & 63]);
        sb_putc(&sb, B64[(v >> 6) & 63]);
        if (pad)
            sb_putc(&sb, '=');
    }
    return sb_detach(&sb);
}

unsigned char *base64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    unsigned char *out = xmalloc(n / 4 * 3 + 4);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s; s++) {
        if (*s == '=' || *s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
            continue;
        const char *q = strchr(B64, *s);
        if (!q) {
            free(out);
            return NULL;
        }
        acc = acc << 6 | (uint32_t)(q - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    *len = o;
    return out;
}

void ssh_fingerprint(const void *blob, size_t len, char out[SSH_FP_LEN + 1])
{
    uint8_t h[32];
    sha256(blob, len, h);
    char *b = base64_encode(h, 32, 0);
    snprintf(out, SSH_FP_LEN + 1, "SHA256:%s", b);
    free(b);
}

char *ssh_blob_type(const void *blob, size_t len)
{
    const uint8_t *p = blob;
    if (len < 4)
        return xstrdup("");
    uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (n > len - 4 || n > 64)
        return xstrdup("");
    return xstrndup((const char *)p + 4, n);
}
