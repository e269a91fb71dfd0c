/* The ssh_config parser, with Include confined to a temp directory.
 *
 * Input: NUL-separated parts. Part 0 is the host alias asked for, part 1 the
 * file ~/.ssh/config, parts 2.. the files ~/.ssh/inc1, inc2, ... that it may
 * Include (so the fuzzer can build include graphs, loops and fan-out). The
 * parser's home is the temp directory (ssh_config_set_sandbox): nothing of
 * the machine is read, an Include outside is skipped.
 *
 * Properties: no crash, no leak; bounded time (Include depth and file count
 * limits, linear pattern matching); a lookup either fails with a message or
 * resolves to valid values: a host name, a port in 1..65535, flags 0/1,
 * timeouts in range, identity files without duplicates, no string with a
 * line break; concrete host names hold no wildcard and no duplicate;
 * ProxyJump hops parse to a host and a port in range. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh_config.h"
#include "util.h"

#define MAX_PARTS 8

static char root[64];

static void cleanup(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/.ssh/config", root);
    unlink(path);
    for (int i = 1; i < MAX_PARTS; i++) {
        snprintf(path, sizeof path, "%s/.ssh/inc%d", root, i);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/.ssh", root);
    rmdir(path);
    rmdir(root);
}

static void init(void)
{
    if (root[0])
        return;
    snprintf(root, sizeof root, "/tmp/unyo-fuzz-sshcfg-XXXXXX");
    if (!mkdtemp(root))
        abort();
    char path[128];
    snprintf(path, sizeof path, "%s/.ssh", root);
    if (mkdir(path, 0700) != 0)
        abort();
    ssh_config_set_sandbox(root);
    atexit(cleanup);
}

static void write_part(const char *name, const uint8_t *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/.ssh/%s", root, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

static void check_str(const char *s)
{
    if (s && strpbrk(s, "\r\n"))
        abort();
}

static void check_lookup(const char *path, const char *alias)
{
    struct ssh_host_config c;
    char *err = NULL;
    if (ssh_config_lookup(path, alias, &c, &err) != 0) {
        if (!err || !*err)
            abort(); /* a failure always says why */
        free(err);
        return;
    }
    if (err)
        abort();
    if (!c.alias || strcmp(c.alias, alias) != 0 || !c.hostname)
        abort();
    if (c.port < 1 || c.port > 65535)
        abort();
    if ((c.identities_only & ~1) || (c.pubkey_auth & ~1) || (c.password_auth & ~1) ||
        (c.kbdint_auth & ~1))
        abort();
    if (c.connect_timeout < 0 || c.connect_timeout > 86400 || c.server_alive_interval < 0 ||
        c.server_alive_interval > 86400)
        abort();
    check_str(c.hostname);
    check_str(c.user);
    check_str(c.proxy_jump);
    check_str(c.preferred_auths);
    if (!c.identity_files || c.identity_files[c.n_identity] != NULL)
        abort();
    for (size_t i = 0; i < c.n_identity; i++) {
        if (!c.identity_files[i])
            abort();
        check_str(c.identity_files[i]);
        for (size_t k = 0; k < i; k++)
            if (strcmp(c.identity_files[i], c.identity_files[k]) == 0)
                abort();
    }
    if (c.proxy_jump) {
        struct ssh_jump_hop *hops = NULL;
        size_t n = 0;
        if (ssh_jump_parse(c.proxy_jump, &hops, &n, &err) == 0) {
            for (size_t i = 0; i < n; i++)
                if (!hops[i].host || !*hops[i].host || hops[i].port < 0 || hops[i].port > 65535)
                    abort();
            ssh_jump_free(hops, n);
        } else {
            if (!err)
                abort();
            free(err);
        }
    }
    int any = ssh_config_auth_allowed(&c, "publickey") | ssh_config_auth_allowed(&c, "password");
    (void)any;
    ssh_host_config_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    const uint8_t *part[MAX_PARTS + 1];
    size_t len[MAX_PARTS + 1];
    size_t nparts = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && nparts < MAX_PARTS; i++) {
        if (i == size || data[i] == 0) {
            part[nparts] = data + start;
            len[nparts++] = i - start;
            start = i + 1;
        }
    }
    /* The alias is one word of a command line: up to a line break. */
    char alias[256];
    size_t alen = 0;
    while (nparts > 0 && alen < len[0] && alen + 1 < sizeof alias && part[0][alen] != '\n' &&
           part[0][alen] != '\r')
        alen++;
    if (alen)
        memcpy(alias, part[0], alen);
    alias[alen] = '\0';
    if (!alias[0])
        snprintf(alias, sizeof alias, "ap1");

    write_part("config", nparts > 1 ? part[1] : (const uint8_t *)"", nparts > 1 ? len[1] : 0);
    for (size_t i = 2; i < MAX_PARTS; i++) {
        char name[16];
        snprintf(name, sizeof name, "inc%zu", i - 1);
        if (i < nparts) {
            write_part(name, part[i], len[i]);
        } else {
            char p[128];
            snprintf(p, sizeof p, "%s/.ssh/%s", root, name);
            unlink(p); /* a missing file is skipped, as OpenSSH does */
        }
    }
    char path[128];
    snprintf(path, sizeof path, "%s/.ssh/config", root);

    check_lookup(path, alias);

    char **names = NULL;
    size_t count = 0;
    char *err = NULL;
    if (ssh_config_concrete_hosts(path, &names, &count, &err) == 0) {
        if (!names || names[count] != NULL)
            abort();
        for (size_t i = 0; i < count; i++) {
            if (!names[i] || !*names[i] || strpbrk(names[i], "*?!"))
                abort();
            check_str(names[i]);
            for (size_t k = 0; k < i; k++)
                if (strcmp(names[i], names[k]) == 0)
                    abort();
        }
        /* Every concrete name resolves (or fails with a message). */
        for (size_t i = 0; i < count && i < 2; i++)
            check_lookup(path, names[i]);
        ssh_config_free_names(names);
    } else {
        if (!err || !*err)
            abort();
        free(err);
    }
    return 0;
}
