/* Keys as data: every action has a name, default keys and help text. The same
 * tables feed the dispatcher, the `?` overlay and `unyo --keys` (the man
 * page's key list). Users override keys in config.ini, section [keys]:
 *     quit = Q
 *     checklist.ok = o Enter
 */
#ifndef UNYO_UI_KEYMAP_H
#define UNYO_UI_KEYMAP_H

#include <stdio.h>

#include "ui.h"

#define KEYMAP_MAX_KEYS 6

/* Global actions (any pane) and list actions (panes with a table). */
extern const struct ui_binding ui_global_bindings[];
extern const struct ui_binding ui_list_bindings[];

/* Parses one key name ("q", "C-d", "S-Tab", "PgDn", "F1", "Space", "Enter").
 * Returns the key, or -1. */
int keymap_parse_key(const char *name);
/* Writes a key's name into buf. */
const char *keymap_key_name(int key, char *buf, size_t size);
/* Normalises what get_wch returned (Enter, Backspace variants). */
int keymap_normalize(int key);

/* Resets to the compiled-in defaults for the global and list tables and every
 * pane of the registry. */
void keymap_init(void);
/* The same without the check below (for the check's own test). */
void keymap_init_unchecked(void);
/* -1 with *err naming the action and key when a list pane's binding takes a
 * shared list key (ui_list.h); keymap_init aborts on that (a compiled-in
 * table is wrong), keymap_set refuses it for a user's line. */
int keymap_check_panes(char **err);
/* The same check for one table's default keys (a list pane's bindings). */
int keymap_check_bindings(const struct ui_binding *b, char **err);
/* Replaces the keys of an action: "Q" or "j Down". -1 with *err (unknown action
 * or key name). */
int keymap_set(const char *action, const char *keys, char **err);
/* Reads [keys] of an INI file (other sections are ignored). Stops at the first
 * bad line: *err = "FILE:LINE: ..."; the bindings stay as they were before the
 * call (nothing half-applied). A missing file is not an error. */
int keymap_load_file(const char *path, char **err);
/* The action a key triggers in a pane (NULL pane: global only): in a list
 * pane the shared list actions first (ui_list.h), then pane bindings, then
 * list actions, then global. */
const char *keymap_lookup(const struct pane_ops *pane, int key);
/* Space-separated current key names for an action ("j Down"), in buf. */
const char *keymap_keys_of(const char *action, char *buf, size_t size);
/* Reads an INI file with src/ini.h (" ;" comments, indented continuation
 * lines given as their key again) and calls handler per pair; the handler
 * returns nonzero to go on. Returns 0, the first bad line, or -1 when the file
 * cannot be read. */
typedef int (*ui_ini_line_handler)(void *user, const char *section, const char *name,
                                   const char *value, int line);
int ui_ini_parse(const char *path, ui_ini_line_handler handler, void *user);
/* Prints every binding (global, list, then each pane's) for the man page. */
void keymap_print(FILE *out);
/* The defaults as data/keys.ini (untranslated help as comments). */
void keymap_print_ini(FILE *out);

#endif
