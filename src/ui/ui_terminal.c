/* The one full-screen terminal start-up (see ui_terminal.h). */
#include "ui_terminal.h"

#include "ui.h"
#include "ui_loop.h"

int ui_terminal_start(unsigned flags, char **err)
{
    initscr();
    if (flags & UI_TERM_RAW)
        raw();
    else
        cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (flags & UI_TERM_MOUSE)
        mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                      | BUTTON5_PRESSED
#endif
                  ,
                  NULL);
    mouseinterval(0); /* presses and releases as they come */
    ui_loop_init();   /* after initscr: the loop's signal handlers are the ones in force */
    return ui_theme_init(err);
}

void ui_terminal_stop(void)
{
    if (!isendwin())
        endwin();
}

void ui_terminal_done(void)
{
    ui_loop_done();
}
