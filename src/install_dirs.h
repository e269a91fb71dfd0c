/* Where unyo finds its shipped data and message catalogs. */
#ifndef UNYO_INSTALL_DIRS_H
#define UNYO_INSTALL_DIRS_H

/* The shipped data: $UNYO_DATADIR, else found from where the running binary is
 * (an installed tree's share/unyo, a build tree's source data/, else the
 * install path compiled in; see install_dirs.c). */
const char *install_datadir(void);
/* The message catalogs, the same way: $UNYO_LOCALEDIR, an installed tree's
 * share/locale, a build tree's locale/, else the install path compiled in. */
const char *install_localedir(void);

#endif
