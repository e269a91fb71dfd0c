#include "ssh_config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

#define MAX_INCLUDE_DEPTH 16
/* Files one lookup may read (a file included many times, by files included
 * many times, would otherwise grow as a power of the depth). */
#define MAX_INCLUDE_FILES 256

static char *sandbox_root; /* see ssh_config_set_sandbox */

void ssh_config_set_sandbox(const char *root)
{
    free(sandbox_root);
    sandbox_root = NULL;
    if (root) {
        sandbox_root = realpath(root, NULL);
        if (!sandbox_root)
            sandbox_root = xstrdup(root);
    }
}

/* 1 when path may be read: always, unless sandboxed and outside the root
 * (resolved, so ".." and symbolic links cannot leave it). */
static int path_allowed(const char *path)
{
    if (!sandbox_root)
        return 1;
    char *real = realpath(path, NULL);
    if (!real)
        return 0;
    size_t n = strlen(sandbox_root);
    int ok = strncmp(real, sandbox_root, n) == 0 && (real[n] == '/' || real[n] == '\0');
    free(real);
    return ok;
}

static const char *home_dir(void)
{
    if (sandbox_root)
        return sandbox_root;
    const char *home = getenv("HOME");
    if (home && *home)
        return home;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir ? pw->pw_dir : "/";
}

static const char *local_user(void)
{
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        return pw->pw_name;
    const char *u = getenv("USER");
    return u ? u : "root";
}

char *ssh_config_default_path(void)
{
    return xasprintf("%s/.ssh/config", home_dir());
}

/* Glob match with * and ?, case-insensitively. Backtracks only to the last
 * star (the classic linear wildcard match), so a pattern with many stars
 * costs O(len(p) * len(s)), not a power of them. */
int ssh_pattern_match(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            while (*p == '*')
                p++;
            if (!*p)
                return 1;
            star = p;
            resume = s;
            continue;
        }
        if (*p && (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
            continue;
        }
        if (!star)
            return 0;
        p = star;
        s = ++resume;
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

int ssh_pattern_list_match(const char *const *patterns, size_t n, const char *name)
{
    int positive = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = patterns[i];
        if (p[0] == '!') {
            if (ssh_pattern_match(p + 1, name))
                return 0;
        } else if (ssh_pattern_match(p, name)) {
            positive = 1;
        }
    }
    return positive;
}

/* Splits a config line into words: whitespace separates, "..." and '...' quote,
 * a keyword may be joined to its first argument by '=' ("Port=22", "Port = 22").
 * Returns the number of words (<= max), or -1 for an unterminated quote. */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;
    int first = 1;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p || *p == '#')
            break;
        if (!first && n == 1 && *p == '=') {
            p++;
            continue;
        }
        char *out = p;
        char *w = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && !(first && *p == '=')) {
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                while (*p && *p != q)
                    *out++ = *p++;
                if (*p != q)
                    return -1;
                p++;
            } else if (*p == '\\' && p[1]) {
                p++;
                *out++ = *p++;
            } else {
                *out++ = *p++;
            }
        }
        char stop = *p;
        if (*p)
            p++;
        *out = '\0';
        if (n < max)
            words[n++] = w;
        if (first && stop == '=') {
            /* "Keyword=value": the value follows at once. */
            first = 0;
            continue;
        }
        first = 0;
    }
    return n;
}

struct parse {
    const char *alias;         /* NULL: collecting concrete names */
    struct ssh_host_config *c; /* when alias */
    int have_user, have_port, have_hostname, have_io, have_jump, have_ct, have_sai;
    int have_pka, have_pwa, have_kia, have_pref;
    char *raw_hostname;
    char **raw_ids;
    size_t n_raw_ids;
    char **names; /* concrete host names */
    size_t n_names;
    size_t names_cap;
    size_t *slots; /* hash set over names */
    size_t n_slots;
    char *files[MAX_INCLUDE_DEPTH + 1];
    int depth;
    int nfiles; /* files read so far, to bound Include fan-out */
};

static int parse_file(struct parse *ps, const char *path, int active, int never_match, char **err);

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Adds a concrete name once. A hash set (slots hold index + 1) keeps this
 * linear: a config (or the same file included many times) may name tens of
 * thousands of hosts. */
static void add_name(struct parse *ps, const char *name)
{
    if (ps->n_names * 2 >= ps->n_slots) {
        size_t n = ps->n_slots ? ps->n_slots * 2 : 64;
        size_t *slots = xcalloc(n, sizeof *slots);
        for (size_t i = 0; i < ps->n_names; i++) {
            size_t k = name_hash(ps->names[i]) & (n - 1);
            while (slots[k])
                k = (k + 1) & (n - 1);
            slots[k] = i + 1;
        }
        free(ps->slots);
        ps->slots = slots;
        ps->n_slots = n;
    }
    size_t k = name_hash(name) & (ps->n_slots - 1);
    for (; ps->slots[k]; k = (k + 1) & (ps->n_slots - 1))
        if (strcmp(ps->names[ps->slots[k] - 1], name) == 0)
            return;
    ps->slots[k] = ps->n_names + 1;
    if (ps->n_names + 2 > ps->names_cap) {
        ps->names_cap = ps->names_cap ? ps->names_cap * 2 : 16;
        ps->names = xrealloc(ps->names, ps->names_cap * sizeof *ps->names);
    }
    ps->names[ps->n_names++] = xstrdup(name);
    ps->names[ps->n_names] = NULL;
}

static int do_include(struct parse *ps, char **args, int nargs, int active, int never_match,
                      const char *file, int line, char **err)
{
    for (int i = 0; i < nargs; i++) {
        char *pat;
        if (args[i][0] == '~' && (args[i][1] == '/' || args[i][1] == '\0'))
            pat = xasprintf("%s%s", home_dir(), args[i] + 1);
        else if (args[i][0] == '/')
            pat = xstrdup(args[i]);
        else
            pat = xasprintf("%s/.ssh/%s", home_dir(), args[i]);
        if (sandbox_root &&
            (strncmp(pat, sandbox_root, strlen(sandbox_root)) != 0 || strstr(pat, "/.."))) {
            free(pat); /* outside the sandbox: as a missing file */
            continue;
        }
        glob_t g;
        int rc = glob(pat, 0, NULL, &g);
        if (rc == 0) {
            for (size_t k = 0; k < g.gl_pathc; k++) {
                if (parse_file(ps, g.gl_pathv[k], active, never_match, err) != 0) {
                    globfree(&g);
                    free(pat);
                    return -1;
                }
            }
            globfree(&g);
        } else if (rc != GLOB_NOMATCH) {
            set_err(err, _("%s:%d: cannot expand Include %s"), file, line, args[i]);
            free(pat);
            return -1;
        }
        free(pat);
    }
    return 0;
}

static int parse_file(struct parse *ps, const char *path, int active, int never_match, char **err)
{
    for (int i = 0; i < ps->depth; i++) {
        if (strcmp(ps->files[i], path) == 0) {
            set_err(err, _("%s: Include loop (the file includes itself)"), path);
            return -1;
        }
    }
    if (ps->depth >= MAX_INCLUDE_DEPTH) {
        set_err(err, _("%s: Include nested too deeply"), path);
        return -1;
    }
    if (ps->nfiles >= MAX_INCLUDE_FILES) {
        set_err(err, _("%s: Include reads more than %d files"), path, MAX_INCLUDE_FILES);
        return -1;
    }
    FILE *f = path_allowed(path) ? fopen(path, "r") : (errno = ENOENT, NULL);
    if (!f) {
        /* A missing file: the top one means "no configuration", an included one
         * is skipped, as OpenSSH does. */
        return errno == ENOENT || errno == ENOTDIR
                   ? 0
                   : (set_err(err, _("cannot read %s: %s"), path, strerror(errno)), -1);
    }
    ps->nfiles++;
    ps->files[ps->depth++] = xstrdup(path);
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    int rc = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) != -1) {
        lineno++;
        /* The line ends at its newline (CRLF too). A control character left
         * inside it — a CR, or a NUL that would hide the rest — could only
         * reach a host name or a command (an escaped "\" before the newline
         * once put a line break into a host name): refuse the file. */
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        int control = 0;
        for (ssize_t i = 0; i < got; i++)
            control |= ((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f;
        if (control) {
            set_err(err, _("%s:%d: a control character in the line"), path, lineno);
            rc = -1;
            break;
        }
        char *words[64];
        int n = split_words(line, words, 64);
        if (n < 0) {
            set_err(err, _("%s:%d: unterminated quote"), path, lineno);
            rc = -1;
            break;
        }
        if (n == 0)
            continue;
        const char *kw = words[0];
        char **args = words + 1;
        int nargs = n - 1;
        if (strcasecmp(kw, "Host") == 0) {
            if (nargs < 1) {
                set_err(err, _("%s:%d: Host needs at least one pattern"), path, lineno);
                rc = -1;
                break;
            }
            if (ps->alias)
                active = !never_match && ssh_pattern_list_match((const char *const *)args,
                                                                (size_t)nargs, ps->alias);
            else
                for (int i = 0; i < nargs; i++)
                    if (args[i][0] && !strpbrk(args[i], "*?!")) /* "" names no host */
                        add_name(ps, args[i]);
            continue;
        }
        if (strcasecmp(kw, "Match") == 0) {
            active = 0; /* not evaluated */
            continue;
        }
        if (strcasecmp(kw, "Include") == 0) {
            if (nargs < 1) {
                set_err(err, _("%s:%d: Include needs a file name"), path, lineno);
                rc = -1;
                break;
            }
            if (do_include(ps, args, nargs, active, never_match || !active, path, lineno, err) !=
                0) {
                rc = -1;
                break;
            }
            continue;
        }
        if (!active || !ps->alias)
            continue;
        struct ssh_host_config *c = ps->c;
        int bad = 0;
        if (nargs < 1) {
            set_err(err, _("%s:%d: %s needs a value"), path, lineno, kw);
            rc = -1;
            break;
        }
        if (strcasecmp(kw, "HostName") == 0) {
            if (!ps->have_hostname++)
                ps->raw_hostname = xstrdup(args[0]);
        } else if (strcasecmp(kw, "User") == 0) {
            if (!ps->have_user++)
                c->user = xstrdup(args[0]);
        } else if (strcasecmp(kw, "Port") == 0) {
            int v;
            if (parse_int(args[0], 1, 65535, &v) != 0)
                bad = 1;
            else if (!ps->have_port++)
                c->port = v;
        } else if (strcasecmp(kw, "IdentityFile") == 0) {
            ps->raw_ids = xrealloc(ps->raw_ids, (ps->n_raw_ids + 1) * sizeof *ps->raw_ids);
            ps->raw_ids[ps->n_raw_ids++] = xstrdup(args[0]);
        } else if (strcasecmp(kw, "IdentitiesOnly") == 0) {
            int v = strcasecmp(args[0], "yes") == 0 ? 1 : strcasecmp(args[0], "no") == 0 ? 0 : -1;
            if (v < 0)
                bad = 1;
            else if (!ps->have_io++)
                c->identities_only = v;
        } else if (strcasecmp(kw, "PubkeyAuthentication") == 0 ||
                   strcasecmp(kw, "PasswordAuthentication") == 0 ||
                   strcasecmp(kw, "KbdInteractiveAuthentication") == 0 ||
                   strcasecmp(kw, "ChallengeResponseAuthentication") == 0) {
            /* yes/no; OpenSSH also takes true/false, and for
             * PubkeyAuthentication "unbound"/"host-bound" (both mean yes). */
            const char *a = args[0];
            int v = strcasecmp(a, "yes") == 0 || strcasecmp(a, "true") == 0 ||
                            strcasecmp(a, "unbound") == 0 || strcasecmp(a, "host-bound") == 0
                        ? 1
                    : strcasecmp(a, "no") == 0 || strcasecmp(a, "false") == 0 ? 0
                                                                              : -1;
            int *have = &ps->have_kia, *dst = &c->kbdint_auth;
            if (strcasecmp(kw, "PubkeyAuthentication") == 0) {
                have = &ps->have_pka;
                dst = &c->pubkey_auth;
            } else if (strcasecmp(kw, "PasswordAuthentication") == 0) {
                have = &ps->have_pwa;
                dst = &c->password_auth;
            }
            if (v < 0)
                bad = 1;
            else if (!(*have)++)
                *dst = v;
        } else if (strcasecmp(kw, "PreferredAuthentications") == 0) {
            if (!ps->have_pref++)
                c->preferred_auths = xstrdup(args[0]);
        } else if (strcasecmp(kw, "ProxyJump") == 0) {
            if (!ps->have_jump++ && strcasecmp(args[0], "none") != 0)
                c->proxy_jump = xstrdup(args[0]);
        } else if (strcasecmp(kw, "ConnectTimeout") == 0) {
            int v;
            if (strcasecmp(args[0], "none") == 0)
                v = 0;
            else if (parse_int(args[0], 0, 86400, &v) != 0) {
                bad = 1;
                v = 0;
            }
            if (!bad && !ps->have_ct++)
                c->connect_timeout = v;
        } else if (strcasecmp(kw, "ServerAliveInterval") == 0) {
            int v;
            if (parse_int(args[0], 0, 86400, &v) != 0)
                bad = 1;
            else if (!ps->have_sai++)
                c->server_alive_interval = v;
        }
        /* Every other keyword is OpenSSH's business, not ours: ignored. */
        if (bad) {
            set_err(err, _("%s:%d: bad value for %s: %s"), path, lineno, kw, args[0]);
            rc = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    free(ps->files[--ps->depth]);
    return rc;
}

/* Expands %% %h (host name) %d (home) %u (local user) %r (remote user) %n
 * (alias) and a leading ~. */
static char *expand_tokens(const char *s, const struct ssh_host_config *c, int tilde)
{
    struct strbuf sb = STRBUF_INIT;
    if (tilde && s[0] == '~' && (s[1] == '/' || s[1] == '\0')) {
        sb_puts(&sb, home_dir());
        s++;
    }
    for (; *s; s++) {
        if (*s != '%' || !s[1]) {
            sb_putc(&sb, *s);
            continue;
        }
        s++;
        switch (*s) {
        case '%':
            sb_putc(&sb, '%');
            break;
        case 'h':
            sb_puts(&sb, c->hostname ? c->hostname : c->alias);
            break;
        case 'n':
            sb_puts(&sb, c->alias);
            break;
        case 'd':
            sb_puts(&sb, home_dir());
            break;
        case 'u':
            sb_puts(&sb, local_user());
            break;
        case 'r':
            sb_puts(&sb, c->user ? c->user : local_user());
            break;
        case 'p': {
            char num[16];
            snprintf(num, sizeof num, "%d", c->port);
            sb_puts(&sb, num);
            break;
        }
        default:
            sb_putc(&sb, '%');
            sb_putc(&sb, *s);
        }
    }
    return sb_detach(&sb);
}

int ssh_config_lookup(const char *path, const char *alias, struct ssh_host_config *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->alias = xstrdup(alias);
    out->port = 22;
    out->pubkey_auth = out->password_auth = out->kbdint_auth = 1;
    struct parse ps = {0};
    ps.alias = alias;
    ps.c = out;
    char *def = path ? NULL : ssh_config_default_path();
    int rc = parse_file(&ps, path ? path : def, 1, 0, err);
    free(def);
    if (rc == 0) {
        if (ps.raw_hostname) {
            struct ssh_host_config tmp = *out;
            tmp.hostname = NULL;
            out->hostname = expand_tokens(ps.raw_hostname, &tmp, 0);
        } else {
            out->hostname = xstrdup(alias);
        }
        out->identity_files = xcalloc(ps.n_raw_ids + 1, sizeof *out->identity_files);
        for (size_t i = 0; i < ps.n_raw_ids; i++) {
            char *e = expand_tokens(ps.raw_ids[i], out, 1);
            int dup = 0;
            for (size_t k = 0; k < out->n_identity; k++)
                if (strcmp(out->identity_files[k], e) == 0)
                    dup = 1;
            if (dup)
                free(e);
            else
                out->identity_files[out->n_identity++] = e;
        }
    }
    free(ps.raw_hostname);
    for (size_t i = 0; i < ps.n_raw_ids; i++)
        free(ps.raw_ids[i]);
    free(ps.raw_ids);
    if (rc != 0)
        ssh_host_config_clear(out);
    return rc;
}

void ssh_host_config_clear(struct ssh_host_config *c)
{
    free(c->alias);
    free(c->hostname);
    free(c->user);
    if (c->identity_files)
        for (size_t i = 0; i < c->n_identity; i++)
            free(c->identity_files[i]);
    free(c->identity_files);
    free(c->proxy_jump);
    free(c->preferred_auths);
    memset(c, 0, sizeof *c);
}

int ssh_config_auth_allowed(const struct ssh_host_config *c, const char *method)
{
    if (strcmp(method, "publickey") == 0 && !c->pubkey_auth)
        return 0;
    if (strcmp(method, "password") == 0 && !c->password_auth)
        return 0;
    if (strcmp(method, "keyboard-interactive") == 0 && !c->kbdint_auth)
        return 0;
    if (!c->preferred_auths)
        return 1;
    size_t n = strlen(method);
    for (const char *p = c->preferred_auths; (p = strstr(p, method)); p += n)
        if ((p == c->preferred_auths || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

int ssh_config_concrete_hosts(const char *path, char ***names, size_t *count, char **err)
{
    struct parse ps = {0};
    char *def = path ? NULL : ssh_config_default_path();
    int rc = parse_file(&ps, path ? path : def, 1, 0, err);
    free(def);
    free(ps.slots);
    if (rc != 0) {
        ssh_config_free_names(ps.names);
        return -1;
    }
    if (!ps.names)
        ps.names = xcalloc(1, sizeof *ps.names);
    *names = ps.names;
    *count = ps.n_names;
    return 0;
}

void ssh_config_free_names(char **names)
{
    if (!names)
        return;
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}

int ssh_jump_parse(const char *value, struct ssh_jump_hop **hops, size_t *count, char **err)
{
    *hops = NULL;
    *count = 0;
    if (!value || !*value || strcasecmp(value, "none") == 0)
        return 0;
    char *copy = xstrdup(value);
    char *save = NULL;
    struct ssh_jump_hop *h = NULL;
    size_t n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (strncmp(tok, "ssh://", 6) == 0)
            tok += 6;
        struct ssh_jump_hop hop = {0};
        char *at = strrchr(tok, '@');
        char *hostpart = tok;
        if (at) {
            *at = '\0';
            hop.user = xstrdup(tok);
            hostpart = at + 1;
        }
        char *port = NULL;
        if (hostpart[0] == '[') {
            char *close = strchr(hostpart, ']');
            if (close) {
                *close = '\0';
                hostpart++;
                if (close[1] == ':')
                    port = close + 2;
            }
        } else {
            char *colon = strrchr(hostpart, ':');
            if (colon && strchr(hostpart, ':') == colon) {
                *colon = '\0';
                port = colon + 1;
            }
        }
        char *end = hostpart + strlen(hostpart);
        while (end > hostpart && end[-1] == ' ')
            *--end = '\0';
        if (!*hostpart || (port && parse_int(port, 1, 65535, &hop.port) != 0) ||
            (hop.user && !*hop.user)) {
            set_err(err, _("bad ProxyJump hop \"%s\": expected [user@]host[:port]"), value);
            free(hop.user);
            ssh_jump_free(h, n);
            free(copy);
            return -1;
        }
        hop.host = xstrdup(hostpart);
        h = xrealloc(h, (n + 1) * sizeof *h);
        h[n++] = hop;
    }
    free(copy);
    *hops = h;
    *count = n;
    return 0;
}

void ssh_jump_free(struct ssh_jump_hop *hops, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(hops[i].user);
        free(hops[i].host);
    }
    free(hops);
}
