/* The one full-screen terminal start-up, shared by the console
 * (src/ui/console.c) and `unyo ssh HOST` (screens/consoles.c). */
#ifndef UNYO_UI_TERMINAL_H
#define UNYO_UI_TERMINAL_H

enum ui_terminal_flags {
    /* raw(): C-c, C-z and C-\ are keys for the program in an SSH session, not
     * signals; without it cbreak() (the console: C-c quits through SIGINT). */
    UI_TERM_RAW = 1 << 0,
    /* clicks and the wheel for the console's own use (tabs, rows, scrolling);
     * without it the mouse mask stays empty and the terminal keeps its own
     * selection until a session's program asks for the mouse. */
    UI_TERM_MOUSE = 1 << 1,
};

/* Takes the terminal (stdin and stdout, both a terminal): the poll loop and
 * its signals (SIGWINCH, SIGTERM, SIGHUP, SIGINT through ui_loop_wait), the
 * ncurses screen (no echo, no newline translation, function keys, reads that
 * never block, a 25 ms Escape delay, mouse events as they come, no cursor
 * until a frame places it) and the colour theme. The locale was set before
 * (i18n_init). 0, or -1 with *err when the theme file could not be used: the
 * terminal is started all the same, with the built-in colours, and the
 * caller shows or drops the message. */
int ui_terminal_start(unsigned flags, char **err);

/* Gives the screen back (endwin): call it as soon as nothing more is drawn,
 * before closing work that may take a while. */
void ui_terminal_stop(void);

/* After the closing work that still uses the loop (background jobs drained,
 * sessions closed): ends the loop and puts the signals back to their
 * defaults. */
void ui_terminal_done(void);

/* The headless screen of the console's --script and benchmark modes: w x h
 * cells of an xterm-256color drawn to /dev/null, keys from nowhere (the
 * caller feeds them), ui_headless set. A theme file error is shown on the
 * message line (ui_error). 0, or -1 with *err when there is no terminal
 * description (nothing started). */
int ui_terminal_start_headless(int w, int h, char **err);
/* Ends the headless screen and frees it. */
void ui_terminal_stop_headless(void);

#endif
