/* Where the shipped data and catalogs are. Apart from paths.c because it needs
 * nothing but libc: i18n.c binds its catalog from here, and paths.c (which uses
 * util.c, which uses i18n) would close an include cycle. */
#include "install_dirs.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the shipped data and the catalogs are, decided once per process from
 * where the running binary is (/proc/self/exe):
 *   1. an installed tree: BINDIR/../share/unyo and BINDIR/../share/locale (the
 *      relative paths CMake computed from the install layout), when they exist
 *      — so a package unpacked anywhere (dpkg -x, DESTDIR) finds its own;
 *   2. a binary under the build directory (unyo itself, the unit tests): the
 *      source tree's data/ and the build's locale/;
 *   3. otherwise the absolute install paths compiled in.
 * UNYO_DATADIR and UNYO_LOCALEDIR in the environment override all of them. */
static pthread_once_t located_once = PTHREAD_ONCE_INIT;
static char located_data[PATH_MAX], located_locale[PATH_MAX];

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static void locate(void)
{
    snprintf(located_data, sizeof located_data, "%s", UNYO_INSTALL_DATADIR);
    snprintf(located_locale, sizeof located_locale, "%s", UNYO_INSTALL_LOCALEDIR);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0'; /* exe is now the binary's directory */
    char data[PATH_MAX], locale[PATH_MAX];
    if (snprintf(data, sizeof data, "%s/%s", exe, UNYO_REL_DATADIR) >= (int)sizeof data ||
        snprintf(locale, sizeof locale, "%s/%s", exe, UNYO_REL_LOCALEDIR) >= (int)sizeof locale)
        return;
    char real[PATH_MAX];
    if (is_dir(data) && realpath(data, real)) {
        snprintf(located_data, sizeof located_data, "%s", real);
        if (realpath(locale, real))
            snprintf(located_locale, sizeof located_locale, "%s", real);
        return;
    }
    char build[PATH_MAX];
    if (realpath(UNYO_BUILD_DIR, build) && under(exe, build)) {
        snprintf(located_data, sizeof located_data, "%s", UNYO_DATADIR);
        snprintf(located_locale, sizeof located_locale, "%s", UNYO_LOCALEDIR);
    }
}

const char *install_datadir(void)
{
    const char *d = getenv("UNYO_DATADIR");
    if (d && *d)
        return d;
    pthread_once(&located_once, locate);
    return located_data;
}

const char *install_localedir(void)
{
    const char *d = getenv("UNYO_LOCALEDIR");
    if (d && *d)
        return d;
    pthread_once(&located_once, locate);
    return located_locale;
}
