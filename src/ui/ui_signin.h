/* The console knows who is at the keyboard (issue 14), on a store made by `unyo init`
 * (a demo or test store keeps acting as UNYO_USER or the OS user, with no sign-in):
 * a sign-in screen at start (the OS login is only the name offered; a first sign-in
 * sets the passphrase, twice), `:switch` when the shift changes at a shared terminal,
 * a lock after [signin] lock_after seconds without a key (config.ini; 0: never;
 * default 900), and a pop-up asking the passphrase when a signed act finds none given
 * in the last 5 minutes. The screens show nothing of the ledgers; a passphrase is
 * never echoed, logged or kept after it is checked. */
#ifndef UNYO_UI_SIGNIN_H
#define UNYO_UI_SIGNIN_H

/* At start: the sign-in screen when the store is real and has an active operator. */
void ui_signin_start(void);
/* `:switch`: another person signs in (Esc: the one signed in stays). */
void ui_signin_switch(void);
/* A key was pressed (the idle clock starts again). */
void ui_signin_activity(void);
/* Once a second: locks the console after the idle time. */
void ui_signin_tick(void);
/* After a refused act: when it was refused for want of a passphrase, asks for it. */
void ui_signin_after_error(void);

#endif
