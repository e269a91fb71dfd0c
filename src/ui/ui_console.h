/* Console internals exposed for tests (no terminal needed for these). */
#ifndef UNYO_UI_CONSOLE_H
#define UNYO_UI_CONSOLE_H

/* Lays out the tab bar: xs/ws get each tab's start column and width; returns
 * the width used. Tabs share the width evenly when they do not all fit. */
int console_tab_layout(const char *const *titles, int n, int width, int *xs, int *ws);
/* The tab at column x, or -1. */
int console_tab_hit(const int *xs, const int *ws, int n, int x);
/* `:` completion: the completed text (malloc'd) or NULL. */
char *console_complete(const char *text, void *data);
/* A click (button 1) or wheel (4 up, 5 down) at a screen cell. */
void console_mouse(int y, int x, int button);
/* Feeds one key (as from get_wch, with UI_KEY_FN for function keys). */
void console_key(int key);

#endif
