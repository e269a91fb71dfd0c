/* data/central/columns.tsv (src/central_views.h) over any bytes. Properties:
 * - a file is loaded whole or refused with "fuzz.tsv:LINE: " and nothing loaded;
 * - every loaded name is [a-z0-9_], every type one of central_view_types, every
 *   text valid UTF-8 without control characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central_views.h"
#include "utf8.h"

static void check_name(const char *s)
{
    if (!*s)
        abort();
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            abort();
}

static void check_text(const char *s)
{
    if (!*s || !utf8_storable(s, strlen(s)))
        abort();
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct central_docs d = {NULL, 0};
    char *err = NULL;
    if (central_docs_parse("fuzz.tsv", (const char *)data, size, &d, &err) != 0) {
        if (d.v || d.n || !err || strncmp(err, "fuzz.tsv:", 9) != 0)
            abort();
        free(err);
        return 0;
    }
    if (err)
        abort();
    for (size_t i = 0; i < d.n; i++) {
        check_name(d.v[i].table);
        if (d.v[i].column) {
            check_name(d.v[i].column);
            int known = 0;
            for (int t = 0; central_view_types[t]; t++)
                known |= d.v[i].type && strcmp(d.v[i].type, central_view_types[t]) == 0;
            if (!known)
                abort();
        } else if (d.v[i].type) {
            abort();
        }
        check_text(d.v[i].ja);
        check_text(d.v[i].en);
        if (central_docs_find(&d, d.v[i].table, d.v[i].column) != &d.v[i])
            abort();
    }
    central_docs_free(&d);
    return 0;
}
