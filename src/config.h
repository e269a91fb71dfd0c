/* User settings: ~/.config/unyo/config.ini ($XDG_CONFIG_HOME/unyo/config.ini),
 * an INI file (src/ini.h: " ;" starts a comment, an indented line continues
 * the value above after a space, lines of any length). A small key/value API
 * any module can use:
 *
 *   [sync]
 *   url = host=db.example port=5432 dbname=unyo user=console1
 *   interval = 30
 *
 * Missing file = no settings (not an error); a malformed file names FILE:LINE
 * and loads nothing. */
#ifndef UNYO_CONFIG_H
#define UNYO_CONFIG_H

struct config;

/* $XDG_CONFIG_HOME/unyo/config.ini or ~/.config/unyo/config.ini. Malloc'd. */
char *config_default_path(void);
/* Loads path (NULL: the default path). A missing file gives an empty config. */
struct config *config_load(const char *path, char **err);
void config_free(struct config *cfg);
/* The value of key in [section], or NULL. Later duplicates override earlier ones. */
const char *config_get(const struct config *cfg, const char *section, const char *key);
/* The value as an integer, or def when unset or not a number. */
long config_get_int(const struct config *cfg, const char *section, const char *key, long def);

/* The default file, loaded once per process (errors: printed once to stderr,
 * then treated as an empty config). For code without a config at hand. */
const char *config_value(const char *section, const char *key);

#endif
