/* A terminal screen model over libvterm 0.1.4: feed it the bytes a server
 * sends, read back a grid of cells (code points, width, colours, attributes)
 * that the console kit draws, with a scrollback of past lines. Keys typed by
 * the operator come back out as the bytes to send to the server. No ncurses
 * here: drawing is the UI's job. */
#ifndef UNYO_TERM_H
#define UNYO_TERM_H

#include <stddef.h>
#include <stdint.h>

#define TERM_MAX_CHARS 6               /* base character and combining marks per cell */
#define TERM_WIDE_RIGHT ((uint32_t)-1) /* chars[0] of a wide character's right half */
#define TERM_DEFAULT_SCROLLBACK 10000

enum term_color_kind { TERM_COLOR_DEFAULT, TERM_COLOR_INDEXED, TERM_COLOR_RGB };

struct term_color {
    uint8_t kind; /* enum term_color_kind */
    uint8_t index;
    uint8_t r, g, b;
};

enum term_attr {
    TERM_ATTR_BOLD = 1,
    TERM_ATTR_UNDERLINE = 2,
    TERM_ATTR_ITALIC = 4,
    TERM_ATTR_BLINK = 8,
    TERM_ATTR_REVERSE = 16,
    TERM_ATTR_STRIKE = 32,
};

/* chars[0] == 0: an empty cell (draw a space); TERM_WIDE_RIGHT: the right half
 * of the wide character to its left (skip it). Unused chars are 0. */
struct term_cell {
    uint32_t chars[TERM_MAX_CHARS];
    uint8_t width; /* 1 or 2 */
    uint8_t attrs; /* enum term_attr bits */
    struct term_color fg, bg;
};

enum term_key {
    TERM_KEY_ENTER = 1,
    TERM_KEY_TAB,
    TERM_KEY_BACKSPACE,
    TERM_KEY_ESCAPE,
    TERM_KEY_UP,
    TERM_KEY_DOWN,
    TERM_KEY_LEFT,
    TERM_KEY_RIGHT,
    TERM_KEY_INS,
    TERM_KEY_DEL,
    TERM_KEY_HOME,
    TERM_KEY_END,
    TERM_KEY_PAGEUP,
    TERM_KEY_PAGEDOWN,
    TERM_KEY_F1 /* ... TERM_KEY_F1 + 11 = F12 */
};

enum term_mod { TERM_MOD_SHIFT = 1, TERM_MOD_ALT = 2, TERM_MOD_CTRL = 4 };

struct term;

/* scrollback: lines kept above the screen (0: TERM_DEFAULT_SCROLLBACK).
 * Any size is accepted: it is clamped to 1..1000 rows and 2..1000 columns
 * (two, so a wide character fits: term_cols() then says 2, and the UI shows
 * what fits its pane). */
struct term *term_new(int rows, int cols, int scrollback);
void term_free(struct term *t);

/* Where the bytes for the server go (keys, terminal answers to queries). */
typedef void (*term_output_fn)(const char *bytes, size_t len, void *ud);
void term_set_output(struct term *t, term_output_fn fn, void *ud);

/* Bytes from the server, any bytes in any chunks: invalid UTF-8 shows as
 * U+FFFD, and sequences libvterm 0.1.4 mishandles are made harmless (see
 * term.c). */
void term_feed(struct term *t, const char *data, size_t len);
/* A flood of plain lines skips the ones that would scroll out of the
 * scrollback anyway (on by default); the result is the same either way. */
void term_set_fast_forward(struct term *t, int on);
/* 1 when libvterm joins cp to the cell before it (its combining table). */
int term_cp_combining(uint32_t cp);
void term_resize(struct term *t, int rows, int cols);
int term_rows(const struct term *t);
int term_cols(const struct term *t);

/* row 0 .. rows-1 is the screen; -1 .. -scrollback_count() the lines above it
 * (-1 the most recent). Returns 0, or -1 outside (cell then blank). */
int term_cell(struct term *t, int row, int col, struct term_cell *out);
size_t term_scrollback_count(const struct term *t);
void term_cursor(struct term *t, int *row, int *col, int *visible);

/* Rows changed since the last call: 1 and [*first, *last], or 0. */
int term_take_damage(struct term *t, int *first, int *last);
/* The window title the server set (OSC 0/2), "" when none. */
const char *term_title(const struct term *t);
/* 1 when the bell rang since the last call. */
int term_take_bell(struct term *t);

/* A row as UTF-8 text, trailing blanks dropped (malloc'd): copy and tests. */
char *term_row_text(struct term *t, int row);

/* Keys typed by the operator: produce bytes through the output callback. */
void term_key_char(struct term *t, uint32_t cp, int mods);
void term_key(struct term *t, enum term_key key, int mods);
/* Text pasted (bracketed when the application asked for it). */
void term_paste(struct term *t, const char *text, size_t len);

/* The mouse reporting the application asked for (DECSET 1000, 1002, 1003). */
enum term_mouse_mode { TERM_MOUSE_NONE, TERM_MOUSE_CLICK, TERM_MOUSE_DRAG, TERM_MOUSE_MOVE };
enum term_mouse_mode term_mouse_mode(const struct term *t);
/* The operator's mouse at screen cell (row, col), clamped to the screen:
 * button 1-3 pressed or released, 4/5 the wheel (up/down, pressed only).
 * Encoded by libvterm as the application chose (X10, UTF-8, SGR 1006) and
 * sent through the output; nothing when the application did not ask. */
void term_mouse_button(struct term *t, int row, int col, int button, int pressed, int mods);
/* The pointer moved: reported only in drag mode with a button held, or in
 * move mode. */
void term_mouse_move(struct term *t, int row, int col, int mods);

#endif
