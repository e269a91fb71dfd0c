/* The console's side of starting the shift, registering operators and the command
 * log: the `:shift`, `:operator add` and `:log` commands and the Handover pane's keys
 * call these; each calls the same core function as its `unyo …` command and records
 * that command in the command log (src/cmdlog.h). */
#ifndef UNYO_UI_SHIFT_H
#define UNYO_UI_SHIFT_H

/* Starts (or takes over) the shift named by text (a code or a name: early, 早番), or
 * asks which one when text is NULL (the shift of this hour first). */
void ui_shift_start(const char *text);
/* Completion of "shift WORD" (codes, listed with their names) and "operator WORD". */
char *ui_shift_complete(const char *text);
/* The form that registers an operator (login, name, role); login may be NULL. */
void ui_operator_add_form(const char *login);
/* Lists the command log (newest last). */
void ui_cmdlog_show(void);
/* Re-reads the status line's shift now (after a start); in src/ui/console.c. */
void ui_status_shift_changed(void);

#endif
