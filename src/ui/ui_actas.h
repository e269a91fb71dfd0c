/* A second person at the keyboard: `:as LOGIN` and the Handover pane's chooser make the
 * console act as another registered operator (operator_act_as: checked, audited); the
 * status line and the command log (`UNYO_USER=LOGIN unyo …`) follow. */
#ifndef UNYO_UI_ACTAS_H
#define UNYO_UI_ACTAS_H

/* Acts as login from now on; NULL or "" goes back to the person who started unyo. */
void ui_act_as(const char *login);
/* Asks who is at the keyboard, by name, among the active operators. */
void ui_act_as_pick(void);
/* Completion of "as WORD": active operators' logins, listed with their names. */
char *ui_act_as_complete(const char *text);

#endif
