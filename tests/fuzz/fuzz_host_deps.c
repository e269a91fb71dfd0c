/* Host dependencies (src/host_deps.c): hosts.parents arrives from other consoles
 * (sync) and from CSV imports, so it is hostile text, and the graph may hold cycles
 * no console would accept. The input is up to 16 lines "ID:PARENTS" (the first
 * byte picks which hosts are down). Whatever it is: no crash, no endless walk, a
 * host given itself as parent is a cycle, and
 * host_deps_all_down gives a list exactly when it says yes, naming only hosts of
 * the graph. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_deps.h"
#include "util.h"

#define MAXN 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned downs = data[0];
    char *text = xmalloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    struct host_dep g[MAXN];
    int down[MAXN];
    size_t n = 0;
    for (char *line = text, *next; line && n < MAXN; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *colon = strchr(line, ':');
        if (colon)
            *colon = '\0';
        g[n].id = line;
        g[n].name = line;
        g[n].parents = colon ? colon + 1 : NULL;
        down[n] = (downs >> (n % 8)) & 1;
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        char *via = NULL;
        int all = host_deps_all_down(g, n, i, down, &via);
        if (all != (via != NULL))
            abort();
        if (via) {
            char *copy = xstrdup(via);
            for (char *t = strtok(copy, ","); t; t = strtok(NULL, ",")) {
                int known = 0;
                for (size_t j = 0; j < n && !known; j++)
                    known = strcmp(g[j].name, t) == 0;
                if (!known)
                    abort();
            }
            free(copy);
        }
        free(via);
        (void)host_deps_cycle(g, n, g[i].id, g[i].parents);
        if (*g[i].id && !strpbrk(g[i].id, ", \t") && !host_deps_cycle(g, n, g[i].id, g[i].id))
            abort(); /* itself is always a cycle (an id a list can hold) */
        (void)host_deps_find(g, n, g[i].id);
    }
    free(text);
    return 0;
}
