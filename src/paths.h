/* Where unyo finds its shipped data and the user's configuration. */
#ifndef UNYO_PATHS_H
#define UNYO_PATHS_H

/* $XDG_CONFIG_HOME/unyo or ~/.config/unyo (malloc'd). */
char *paths_config_dir(void);
/* The first that exists of: explicit, CONFIG_DIR/name, DATADIR/name (malloc'd),
 * or NULL when none does. */
char *paths_find_data(const char *explicit_path, const char *name);

#endif
