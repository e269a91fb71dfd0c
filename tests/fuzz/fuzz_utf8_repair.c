/* utf8_repair (issue 11: server text is stored as valid UTF-8): whatever the
 * bytes, the result is text PostgreSQL takes (valid UTF-8, no NUL); repairing
 * it again changes nothing; storable input comes back byte for byte; and each
 * invalid byte costs exactly the four characters of its \xNN escape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textwidth.h"
#include "utf8.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *out = utf8_repair(in, size);
    size_t n = strlen(out);
    if (!utf8_storable(out, n) || !utf8_valid(out, n))
        abort();
    char *again = utf8_repair(out, n);
    if (strcmp(again, out) != 0)
        abort();
    if (utf8_storable(in, size) && (n != size || memcmp(out, in, size) != 0))
        abort();
    /* Length: kept bytes + 4 per escaped byte; never shorter than the input. */
    if (n < size || (n - size) % 3 != 0)
        abort();
    struct strbuf sb = STRBUF_INIT;
    utf8_repair_add(&sb, in, size);
    if (sb.len != n || (n && memcmp(sb.buf, out, n) != 0))
        abort();
    sb_free(&sb);
    free(again);
    free(out);
    return 0;
}
