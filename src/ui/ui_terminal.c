/* The one full-screen terminal start-up (see ui_terminal.h). */
#include "ui_terminal.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

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

static struct {
    SCREEN *scr;
    FILE *out, *in;
} headless;

int ui_terminal_start_headless(int w, int h, char **err)
{
    headless.out = fopen("/dev/null", "w");
    headless.in = fopen("/dev/null", "r");
    headless.scr =
        headless.out && headless.in ? newterm("xterm-256color", headless.out, headless.in) : NULL;
    if (!headless.scr) {
        if (headless.out)
            fclose(headless.out);
        if (headless.in)
            fclose(headless.in);
        headless.out = headless.in = NULL;
        set_err(err, "no terminal description for xterm-256color");
        return -1;
    }
    set_term(headless.scr);
    resizeterm(h, w);
    ui_headless = 1;
    char *theme_err = NULL;
    if (ui_theme_init(&theme_err) != 0) {
        ui_error("%s", theme_err);
        free(theme_err);
    }
    return 0;
}

void ui_terminal_stop_headless(void)
{
    if (!headless.scr)
        return;
    if (!isendwin())
        endwin();
    delscreen(headless.scr);
    fclose(headless.out);
    fclose(headless.in);
    headless.scr = NULL;
    headless.out = headless.in = NULL;
}
