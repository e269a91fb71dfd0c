#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "ini.h"
#include "util.h"

struct config_entry {
    char *section, *key, *value;
};

struct config {
    struct config_entry *e;
    size_t count, cap;
};

char *config_default_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg)
        return xasprintf("%s/unyo/config.ini", xdg);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/tmp";
    }
    return xasprintf("%s/.config/unyo/config.ini", home);
}

static int on_value(void *user, const struct ini_item *it, char **err)
{
    (void)err;
    struct config *cfg = user;
    if (it->kind != INI_PAIR)
        return 0;
    if (it->continued) {
        /* An indented line goes on with the value above, after a space. */
        struct config_entry *e = &cfg->e[cfg->count - 1];
        char *v = *e->value ? xasprintf("%s %s", e->value, it->value) : xstrdup(it->value);
        free(e->value);
        e->value = v;
        return 0;
    }
    if (cfg->count == cfg->cap) {
        cfg->cap = cfg->cap ? cfg->cap * 2 : 16;
        cfg->e = xrealloc(cfg->e, cfg->cap * sizeof *cfg->e);
    }
    cfg->e[cfg->count].section = xstrdup(it->section);
    cfg->e[cfg->count].key = xstrdup(it->key);
    cfg->e[cfg->count].value = xstrdup(it->value);
    cfg->count++;
    return 0;
}

struct config *config_load(const char *path, char **err)
{
    char *def = path ? NULL : config_default_path();
    const char *p = path ? path : def;
    struct config *cfg = xcalloc(1, sizeof *cfg);
    FILE *f = fopen(p, "r");
    if (!f) {
        if (errno != ENOENT) {
            set_err(err, _("cannot read %s: %s"), p, strerror(errno));
            config_free(cfg);
            cfg = NULL;
        }
        free(def);
        return cfg;
    }
    fclose(f);
    if (ini_read_file(p, INI_OPT_CLASSIC, on_value, cfg, NULL, err) != 0) {
        config_free(cfg);
        cfg = NULL;
    }
    free(def);
    return cfg;
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->count; i++) {
        free(cfg->e[i].section);
        free(cfg->e[i].key);
        free(cfg->e[i].value);
    }
    free(cfg->e);
    free(cfg);
}

const char *config_get(const struct config *cfg, const char *section, const char *key)
{
    if (!cfg)
        return NULL;
    for (size_t i = cfg->count; i-- > 0;)
        if (strcmp(cfg->e[i].section, section) == 0 && strcmp(cfg->e[i].key, key) == 0)
            return cfg->e[i].value;
    return NULL;
}

long config_get_int(const struct config *cfg, const char *section, const char *key, long def)
{
    const char *v = config_get(cfg, section, key);
    if (!v || !*v)
        return def;
    char *end;
    long n = strtol(v, &end, 10);
    return *end ? def : n;
}

const char *config_value(const char *section, const char *key)
{
    static struct config *cfg;
    static int loaded;
    if (!loaded) {
        char *err = NULL;
        loaded = 1;
        cfg = config_load(NULL, &err);
        if (!cfg) {
            fprintf(stderr, "unyo: %s\n", err);
            free(err);
        }
    }
    return config_get(cfg, section, key);
}
