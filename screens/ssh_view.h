/* One SSH terminal session on the console kit's poll loop, and its drawing.
 *
 * A struct sv wraps an ssh_console (connection + PTY shell + libvterm model +
 * recording): its socket is watched with ui_loop_add_fd and the events are
 * re-armed after every step, so a dead or slow host never blocks the loop.
 * The libvterm cell grid is drawn into a canvas (default colours -> -1,
 * indexed, RGB -> the 6x6x6 cube; bold, underline, reverse; wide characters).
 * Connection states (connecting, unknown host key, changed host key, password
 * and passphrase questions with echo off) are drawn in place of the screen.
 *
 * Used by the Consoles pane (screens/consoles.c) and by `unyo ssh HOST`. */
#ifndef UNYO_SSH_VIEW_H
#define UNYO_SSH_VIEW_H

#include <stdint.h>

#include "ssh_conn.h"
#include "ui.h"

struct store;
struct sv;
struct term;

/* Called when the session's screen or state changed (the owner marks itself dirty). */
typedef void (*sv_notify)(struct sv *v, void *ud);

struct sv *sv_open(struct store *st, const char *host, int rows, int cols, sv_notify notify,
                   void *ud, char **err);
/* Ends the session (the recording is completed) and frees v. */
int sv_close(struct sv *v, char **err);

const char *sv_host(const struct sv *v);
/* Short state for tab labels: "", "connecting", "exited 0", "failed". */
const char *sv_state_label(const struct sv *v);
enum ssh_state sv_state(const struct sv *v);
/* 1 when the shell ended or the connection failed, and no password or
 * passphrase is being asked (the connection is retried with the answer). */
int sv_finished(const struct sv *v);
int sv_exit_status(const struct sv *v);
const char *sv_session_id(const struct sv *v);
const char *sv_error(const struct sv *v);
int sv_rows(const struct sv *v);
int sv_cols(const struct sv *v);

/* The session on screen is pumped whenever its socket is ready; the others
 * share at most half the time (a flooding background host cannot slow the
 * echo of what is typed). */
void sv_set_foreground(struct sv *v, int on);

/* Asks for a new size; merged: the server hears once per burst (after 40 ms). */
void sv_resize(struct sv *v, int rows, int cols);
/* Applies a pending resize now (e.g. before the benchmark draws). */
void sv_resize_flush(struct sv *v);

/* Draws the session (terminal grid or state screen) into c. When the cursor
 * should show, cy and cx get its screen position (else -1). */
void sv_draw(struct sv *v, const struct ui_canvas *c, int *cy, int *cx);

/* A key for the session: typed to the server, or an answer to the state's
 * question (y/n for a host key, the password). 1 when it was used. */
int sv_key(struct sv *v, int key);
/* Text pasted (bracketed when the remote application enabled it). 1 when it
 * went to the server; 0 while the session asks a question or has no shell yet
 * (then the text is keys: sv_key). */
int sv_paste(struct sv *v, const char *text, size_t len);
/* Raw bytes to the shell (benchmarks, scripted input). */
void sv_send(struct sv *v, const char *bytes, size_t len);

/* The mouse reporting the program in the session asked for (enum
 * term_mouse_mode; TERM_MOUSE_NONE when none or no shell runs). */
int sv_mouse_mode(const struct sv *v);
/* An ncurses mouse event at session cell (row, col): passed to the program
 * through libvterm's encoder (the encoding the program chose) when it asked
 * for the mouse. A release is passed only for a button the program saw
 * pressed. 1 when something was passed. */
int sv_mouse(struct sv *v, const MEVENT *ev, int row, int col);
/* 1 while the program holds a button pressed through sv_mouse: its release
 * goes to the program wherever it happens. */
int sv_mouse_held(const struct sv *v);
/* The wheel over the session for the console: lines > 0 scrolls back (scroll
 * mode starts), < 0 forward (scroll mode ends at the live screen). */
void sv_scroll_wheel(struct sv *v, int lines);
/* What the operator's terminal reports, for a session wanting mode (enum
 * term_mouse_mode): presses, releases and modifiers, plus motion (xterm 1002
 * or 1003) only for drag or move. TERM_MOUSE_NONE gives back the mask in
 * force before (the console's clicks and wheel, or none). */
void sv_outer_mouse(int mode);

/* Scroll mode over scrollback + screen: 0 off, else the lines scrolled back. */
int sv_scrolling(const struct sv *v);
void sv_scroll_enter(struct sv *v);
/* Keys in scroll mode (k/j, PgUp/PgDn, g/G, / search, n/N, q/Esc leaves). */
int sv_scroll_key(struct sv *v, int key);
/* PCRE2 search of scrollback + screen, from the view upwards (dir -1) or down. */
int sv_search(struct sv *v, const char *pattern, int dir, char **err);

/* The cursor position of the terminal model (for benchmarks). */
void sv_cursor(struct sv *v, int *row, int *col);
/* The text of a screen row (malloc'd). */
char *sv_row_text(struct sv *v, int row);

/* The prefix key (default C-]); config.ini [consoles] prefix = C-x. */
int sv_prefix_key(void);
/* Its name for messages ("C-]"), in buf. */
const char *sv_prefix_name(char *buf, size_t size);
void sv_load_prefix(void);

/* Key code for bracketed paste begin/end (define_key on the outer terminal):
 * `unyo ssh` full screen only. In the console the kit reads pastes (mode 2004
 * and ESC [ 200 ~ are the kit's) and gives them to the focus modal whole. */
#define SV_KEY_PASTE_BEGIN (UI_KEY_FN | 01001)
#define SV_KEY_PASTE_END (UI_KEY_FN | 01002)
void sv_define_paste_keys(void);
/* Turns bracketed paste on the operator's terminal on or off. */
void sv_outer_paste_mode(int on);

/* Consoles pane entry points (screens/consoles.c). */
/* Opens a session to host in the Consoles pane and switches to it. */
int consoles_open_host(const char *host, char **err);
/* The same for a record (kind "incident" or "change", its ref): the session
 * is linked to it once recorded (as `:link kind ref`), and closing the
 * session switches back to back_pane (NULL: stay). */
int consoles_open_host_for(const char *host, const char *kind, const char *ref,
                           const char *back_pane, char **err);
/* Draws the screen of t (rows above it when off > 0, scrollback) on c; the
 * row match_row (a term row; LONG_MIN: none) stands out. A read-only view: the
 * session player (screens/session_player.c). */
void sv_draw_term(struct term *t, const struct ui_canvas *c, long off, long match_row);
/* `unyo ssh HOST`: a full-screen session. src/main.c reads the options,
 * opens the store and runs it. The options are hidden benchmark modes. */
struct consoles_ssh_options {
    const char *bench_seq;  /* --bench-seq CMD: run CMD, exit, print the times */
    int bench_typing;       /* --bench-typing N given: type keys, measure their echo */
    int typing;             /* N: sessions streaming beside the typed one (0..64) */
    int keys;               /* --bench-keys K: keys to type (default 200) */
    const char *stream_cmd; /* --bench-stream CMD: what the streaming sessions run */
};
/* Reads argv (the options after HOST) into *o: 0, or -1 with *err (a usage
 * error, translated). */
int consoles_ssh_options(int argc, char **argv, struct consoles_ssh_options *o, char **err);
/* 0 when stdin and stdout are a terminal, or -1 with *err. */
int consoles_ssh_terminal(char **err);
/* Runs the session to host on st (open, acting operator resolved; it stays
 * the caller's to close). Returns the exit code (the remote shell's status),
 * or -1 with *err when the session could not start (exit 1). */
int consoles_ssh_main(struct store *st, const char *host, const struct consoles_ssh_options *o,
                      char **err);

#endif
