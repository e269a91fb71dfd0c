/* The console kit: one poll() loop, panes as ops tables, a canvas that is the
 * only way panes put text on the terminal (sanitised and fitted to display
 * width), semantic styles, and modal widgets (forms, prompts, pickers).
 *
 * Handlers never draw: they change state and call ui_dirty(); the loop redraws
 * what is dirty once per pass and calls doupdate() once. */
#ifndef UNYO_UI_H
#define UNYO_UI_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct calendar;

/* ---- styles (semantic names; colours come from data/theme.ini) ---- */
enum ui_style {
    STYLE_NORMAL,
    STYLE_TAB,
    STYLE_TAB_ACTIVE,
    STYLE_HEADER,
    STYLE_ROW_SELECTED,
    STYLE_STATUSBAR,
    STYLE_MESSAGE,
    STYLE_ERROR,
    STYLE_DIM,
    STYLE_STATUS_OK,
    STYLE_STATUS_NG,
    STYLE_STATUS_TODO,
    STYLE_STATUS_SKIP,
    STYLE_OVERDUE,
    STYLE_INCIDENT_P1,
    STYLE_INCIDENT_P2,
    STYLE_INCIDENT_P3,
    STYLE_INCIDENT_P4,
    STYLE_SERVICE_OPEN,
    STYLE_SERVICE_CLOSED,
    STYLE_FORM_LABEL,
    STYLE_FORM_FIELD,
    STYLE_FORM_FOCUS,
    STYLE_BORDER,
    STYLE_COUNT
};
/* "status.ok" etc.; -1 when unknown. */
int ui_style_by_name(const char *name);
const char *ui_style_name(int style);
/* Loads data/theme.ini (or the user's copy) for the terminal's colour depth:
 * section [256], [8] or [mono] (NO_COLOR or no colours). Errors name FILE:LINE
 * and keep the built-in theme; *err is set then (the caller shows it). */
int ui_theme_init(char **err);
attr_t ui_style_attr(int style);

/* ---- canvas: a rectangle of the screen panes draw into ---- */
struct ui_canvas {
    WINDOW *win;
    int y, x, h, w;
};
/* Puts text at (y, x) of the canvas, exactly width cells (padded or cut with
 * "…"), sanitised. width < 0: to the right edge. Returns cells used. */
int ui_put(const struct ui_canvas *c, int y, int x, int width, int style, const char *text);
int ui_put_right(const struct ui_canvas *c, int y, int x, int width, int style, const char *text);
/* Fills a row (or the whole canvas when y < 0) with blanks of a style. */
void ui_clear(const struct ui_canvas *c, int y, int style);
struct ui_canvas ui_canvas_sub(const struct ui_canvas *c, int y, int x, int h, int w);
/* A framed box with a title; returns the inner canvas. */
struct ui_canvas ui_box(const struct ui_canvas *c, int h, int w, const char *title);

/* ---- keys ---- */
/* Keys are Unicode code points, or UI_KEY_FN | an ncurses KEY_* code. */
#define UI_KEY_FN 0x1000000
#define UI_KEY_ENTER 10
#define UI_KEY_ESC 27
#define UI_KEY_TAB 9
#define UI_KEY_BACKSPACE (UI_KEY_FN | KEY_BACKSPACE)
#define UI_KEY_CTRL(c) ((c)&0x1f)

/* ---- the loop ---- */
enum {
    UI_DIRTY_PANE = 1,   /* the current pane's area */
    UI_DIRTY_STATUS = 2, /* tab bar, message and status lines */
    UI_DIRTY_COUNTS = 4, /* re-query the status counters */
    UI_DIRTY_RELOAD = 8, /* the current pane reloads from the store */
    UI_DIRTY_ALL = 16,   /* clear and redraw everything (resize) */
};
void ui_dirty(unsigned flags);

typedef void (*ui_fd_cb)(int fd, short revents, void *data);
/* Watches fd for poll() events; returns a handle for ui_loop_*_fd, or -1. */
int ui_loop_add_fd(int fd, short events, ui_fd_cb cb, void *data);
void ui_loop_set_fd_events(int handle, short events);
void ui_loop_remove_fd(int handle);
/* cb runs after ms milliseconds, and again every ms while it returns 1.
 * Returns a handle, or -1. Callbacks may remove their own timer or fd and add
 * new ones (a new one may get the same handle). */
typedef int (*ui_timer_cb)(void *data);
int ui_loop_add_timer(int ms, ui_timer_cb cb, void *data);
void ui_loop_remove_timer(int handle);
void ui_loop_quit(void);
int64_t ui_monotonic_ms(void);
/* Runs work(arg) on a thread (it must use its own SQLite connection), then
 * done(arg) on the loop. -1 when no thread could be started: the caller then
 * runs the work itself. Headless (--script, --bench-*): both run at once, in
 * order, so scripted runs are deterministic. */
int ui_bg_run(void (*work)(void *arg), void (*done)(void *arg), void *arg);
/* Waits for every running job and runs its done (the console calls it before
 * freeing what the jobs read: panes, calendar, store). */
void ui_bg_drain(void);
/* 1 once the console is quitting (ui_bg_drain started): long work checks it
 * often and stops, so quitting never waits for a long scan. */
int ui_bg_quitting(void);

/* ---- messages in the message line ---- */
void ui_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ui_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Shows err (if any) as an error and frees it. */
void ui_error_take(char *err);

/* ---- panes ---- */
struct ui_binding {
    const char *action; /* "quit", "checklist.ok" */
    const char *keys;   /* default keys, space separated: "q", "j Down", "C-d" */
    const char *help;   /* N_() text */
};

struct pane;
struct pcre2_real_code_8;

struct pane_ops {
    const char *name;                  /* "checklist": for --pane and :pane */
    const char *title;                 /* N_() tab title */
    const struct ui_binding *bindings; /* the pane's own actions, NULL-terminated */
    /* Allocates p->data; -1 with *err when the pane cannot work. */
    int (*open)(struct pane *p, char **err);
    /* Re-reads from the store (after a change, or `:refresh`). */
    void (*load)(struct pane *p);
    /* Call load each time the pane is shown again (cheap loads only). */
    int reload_on_show;
    /* The pane watches the store for other connections' writes itself (the
     * console's own watch, which calls load, leaves it alone). */
    int watches_store;
    /* A list pane (src/ui/ui_list.h): the shared list keys come first and its
     * bindings may not take one of them (keymap_init refuses the table). */
    int list;
    void (*draw)(struct pane *p, const struct ui_canvas *c);
    /* An action from the key map ("down", "checklist.ok"); 1 when handled. */
    int (*action)(struct pane *p, const char *action);
    /* Unbound keys; 1 when handled. May be NULL. */
    int (*key)(struct pane *p, int key);
    /* Click or wheel inside the pane area (y, x relative to it); button: 1
     * click, 4 wheel up, 5 wheel down. May be NULL. */
    void (*mouse)(struct pane *p, int y, int x, int button);
    void (*resize)(struct pane *p, int h, int w); /* may be NULL */
    /* Narrows the list to rows matching re (NULL clears); -1 with *err. */
    int (*filter)(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                  char **err);
    /* `:sort COLUMN`; -1 with *err for an unknown column. May be NULL. */
    int (*sort)(struct pane *p, const char *column, char **err);
    void (*free)(struct pane *p);
};

struct pane {
    const struct pane_ops *ops;
    void *data;
    int opened;
    char *open_error; /* why open failed: shown in place of the pane */
    int h, w;         /* size of the pane area */
    int64_t seen;     /* the store's data_version at the last load (console.c) */
};

/* The registry: every pane, in tab order. The kit does not know the panes:
 * the program sets them once (src/main.c, from screens/panes.c) before the key
 * map or the console start; until then there is none. */
void ui_set_panes(const struct pane_ops *const *panes, size_t count);
const struct pane_ops *const *ui_pane_registry(size_t *count);

/* What panes may ask of the console. */
struct store *ui_store(void);
const struct calendar *ui_calendar(void);
/* Today in JST ("YYYY-MM-DD"), from time_now_ms(). */
void ui_today(char day[11]);
/* Switches to the pane named name; -1 if there is none. */
int ui_switch_pane(const char *name);
/* Set by the command line --bench-* modes so panes skip deferred work. */
extern int ui_headless;

/* ---- modal widgets (src/ui/ui_form.c) ---- */
enum ui_field_kind { FIELD_TEXT, FIELD_CHOICE };
/* The most characters a text field (or the line editor) holds. */
#define UI_FIELD_MAX 4096
struct ui_field {
    const char *label; /* translated */
    enum ui_field_kind kind;
    int required;
    /* text: wide characters, len of them, cursor index */
    wchar_t *text;
    size_t len, cap, cursor;
    /* choice */
    const char *const *choices; /* translated labels */
    int nchoices, choice;
    char *error; /* validation message, malloc'd */
};
struct ui_form;
/* Returns 0 to close the form, -1 to keep it open (set field errors or *err). */
typedef int (*ui_form_submit)(struct ui_form *f, void *data, char **err);
struct ui_form *ui_form_new(const char *title, ui_form_submit submit, void *data);
struct ui_field *ui_form_text(struct ui_form *f, const char *label, const char *initial,
                              int required);
struct ui_field *ui_form_choice(struct ui_form *f, const char *label, const char *const *choices,
                                int nchoices, int initial);
/* Field value as malloc'd UTF-8 (text) or index (choice). */
char *ui_field_value(const struct ui_field *fl);
struct ui_field *ui_form_field(struct ui_form *f, int i);
/* The form frees its data with data_free when it closes (saved or not). */
void ui_form_set_data_free(struct ui_form *f, void (*data_free)(void *data));
/* Makes the form the modal on top of the panes (owning it). */
void ui_form_show(struct ui_form *f);
/* 1 when a form with typed input is open. */
int ui_form_has_input(void);

/* One-line prompt: submit gets the text (never NULL); data_free (may be NULL)
 * frees data when the prompt closes. */
typedef int (*ui_prompt_cb)(const char *text, void *data, char **err);
void ui_prompt(const char *title, const char *label, const char *initial, int required,
               ui_prompt_cb cb, void *data, void (*data_free)(void *data));
/* y/n question; cb gets 1 for yes. */
typedef void (*ui_confirm_cb)(int yes, void *data);
void ui_confirm(const char *question, ui_confirm_cb cb, void *data);
/* Picks one of n items (labels copied); cb gets the index. */
typedef void (*ui_pick_cb)(int index, void *data);
void ui_pick(const char *title, const char *const *items, int n, ui_pick_cb cb, void *data);
/* The same, with d / Delete calling del on the selected item (the picker closes; del
 * may be NULL), and data freed by data_free (may be NULL) when the picker closes,
 * however it closes. G / End and g / Home work in every picker. */
void ui_pick_ex(const char *title, const char *const *items, int n, ui_pick_cb cb, ui_pick_cb del,
                void *data, void (*data_free)(void *data));

/* The modal stack the console drives. */
struct ui_modal {
    int (*key)(struct ui_modal *m, int key); /* returns 1 when the modal closes */
    void (*draw)(struct ui_modal *m, const struct ui_canvas *screen);
    void (*free)(struct ui_modal *m);
    int has_input;
    /* Every mouse event while on top (may be NULL: the console's own mouse). */
    void (*mouse)(struct ui_modal *m, const MEVENT *ev);
    /* A bracketed paste while on top, all of it at once (may be NULL: it comes
     * as keys, line breaks as spaces). 1 when taken; 0: it comes as keys, as
     * typed (a session's password question). */
    int (*paste)(struct ui_modal *m, const char *text, size_t len);
};
void ui_modal_push(struct ui_modal *m);
struct ui_modal *ui_modal_top(void);
/* Closes (and frees) the top modal, or a given one. */
void ui_modal_pop(void);
void ui_modal_remove(struct ui_modal *m);

/* A line editor on the message line (the `/` filter, the `:` command line).
 * complete (may be NULL) gets the text and returns a malloc'd completion or
 * NULL. */
typedef int (*ui_line_cb)(const char *text, void *data, char **err);
typedef char *(*ui_line_complete)(const char *text, void *data);
void ui_line(const char *prefix, const char *initial, ui_line_cb cb, ui_line_complete complete,
             void *data);
/* Shows text (the completion's candidates) on the row above the open line editor,
 * until the next hint or the line closes; NULL or "" clears it. */
void ui_line_hint(const char *text);

#endif
