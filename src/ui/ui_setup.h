/* The console's first run after `unyo init` and the libraries in the console: the
 * guided set-up (who you are, the libraries, the hosts, the shift; Esc skips a step)
 * that opens by itself on a new store and with `:setup`, and `:library`. Each step
 * calls the core function of its `unyo …` command and records that command in the
 * command log (src/cmdlog.h). */
#ifndef UNYO_UI_SETUP_H
#define UNYO_UI_SETUP_H

/* Opens the guided set-up at its first step that is still to do. */
void ui_setup_start(void);
/* Opens the set-up when the store's first run is due (src/setup.h); at start-up. */
void ui_setup_maybe_start(void);
/* `:library [add NAME]`: the list of libraries (Enter adds or renames), or the form
 * that adds one with its name filled in. */
void ui_library_command(const char *arg);

#endif
