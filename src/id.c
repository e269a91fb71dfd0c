#include "id.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ssh_crypto.h"
#include "timefmt.h"
#include "util.h"

/* Random bytes come from a buffer refilled by getrandom(): one syscall per
 * 4 KiB, not per id, keeps bulk generation fast. */
static unsigned char pool[4096];
static size_t pool_left;

static void random_bytes(unsigned char *out, size_t n)
{
    while (n > 0) {
        if (pool_left == 0) {
            size_t got = 0;
            while (got < sizeof pool) {
                ssize_t r = getrandom(pool + got, sizeof pool - got, 0);
                if (r > 0)
                    got += (size_t)r;
            }
            pool_left = sizeof pool;
        }
        size_t take = n < pool_left ? n : pool_left;
        memcpy(out, pool + sizeof pool - pool_left, take);
        pool_left -= take;
        out += take;
        n -= take;
    }
}

static int64_t last_ms = -1;
static uint16_t last_seq;

static void format_uuid(const unsigned char b[16], char out[ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}

void id_new_at(char out[ID_LEN + 1], int64_t unix_ms)
{
    unsigned char b[16];
    random_bytes(b + 6, 10);
    /* Monotonic within a millisecond (RFC 9562 method 1): a 12-bit counter in
     * rand_a, seeded randomly in its lower half so it rarely overflows. */
    if (unix_ms <= last_ms) {
        unix_ms = last_ms;
        if (++last_seq > 0x0FFF) {
            unix_ms = ++last_ms;
            last_seq = 0;
        }
    } else {
        last_ms = unix_ms;
        last_seq = (uint16_t)(b[6] & 0x07) << 8 | b[7];
    }
    uint64_t ms = (uint64_t)unix_ms;
    b[0] = (unsigned char)(ms >> 40);
    b[1] = (unsigned char)(ms >> 32);
    b[2] = (unsigned char)(ms >> 24);
    b[3] = (unsigned char)(ms >> 16);
    b[4] = (unsigned char)(ms >> 8);
    b[5] = (unsigned char)ms;
    b[6] = (unsigned char)(0x70 | (last_seq >> 8));
    b[7] = (unsigned char)(last_seq & 0xFF);
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3F));
    format_uuid(b, out);
}

void id_new(char out[ID_LEN + 1])
{
    id_new_at(out, time_now_ms());
}

void id_for_name(char out[ID_LEN + 1], const char *kind, const char *name)
{
    size_t lk = strlen(kind), ln = strlen(name);
    unsigned char *buf = xmalloc(lk + 1 + ln);
    memcpy(buf, kind, lk);
    buf[lk] = 0;
    memcpy(buf + lk + 1, name, ln);
    uint8_t h[32];
    sha256(buf, lk + 1 + ln, h);
    free(buf);
    unsigned char b[16];
    memcpy(b, h, 16);
    b[6] = (unsigned char)(0x80 | (b[6] & 0x0F)); /* version 8: custom */
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3F)); /* RFC 9562 variant */
    format_uuid(b, out);
}

int id_valid(const char *s)
{
    if (!s || strlen(s) != ID_LEN)
        return 0;
    for (int i = 0; i < ID_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}
