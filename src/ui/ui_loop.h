/* Internals of the loop, for console.c (other modules use ui.h). */
#ifndef UNYO_UI_LOOP_H
#define UNYO_UI_LOOP_H

#include "ui.h"

int ui_loop_init(void);
void ui_loop_done(void);
/* One pass: waits for input, a signal, a watched fd or the next timer, and runs
 * the callbacks. */
int ui_loop_wait(int input_fd, void (*on_input)(void), void (*on_signal)(int sig));
unsigned ui_loop_take_dirty(void);
unsigned ui_loop_pending(void);
int ui_loop_quitting(void);

/* Modal stack internals (ui_form.c). */
void ui_modal_draw_all(const struct ui_canvas *screen);
extern int ui_cursor_y, ui_cursor_x;

#endif
