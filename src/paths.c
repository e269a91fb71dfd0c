#include "paths.h"

#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "install_dirs.h"
#include "util.h"

char *paths_config_dir(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg)
        return xasprintf("%s/unyo", xdg);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/tmp";
    }
    return xasprintf("%s/.config/unyo", home);
}

char *paths_find_data(const char *explicit_path, const char *name)
{
    if (explicit_path)
        return xstrdup(explicit_path);
    char *cfg = paths_config_dir();
    char *p = xasprintf("%s/%s", cfg, name);
    free(cfg);
    if (access(p, R_OK) == 0)
        return p;
    free(p);
    p = xasprintf("%s/%s", install_datadir(), name);
    if (access(p, R_OK) == 0)
        return p;
    free(p);
    return NULL;
}
