/* Checks on a schedule in the console (issue 15): with `[checks] schedule = on` in
 * config.ini, the checks that are due (src/check_due.h: interval and hours in the
 * check files) run in the background, as `unyo check run --due` does: a round on a
 * thread with its own store connection, at most one at a time, looked for every
 * ROUND_EVERY_MS and soon after start-up; keys are never held up. When a round
 * has recorded results, the pane in front reloads and the status line's counters
 * are read again. Default off: a console does not connect to hosts unasked (tests,
 * demos); unyo-checks.timer does the same for a machine with no console open. */
#ifndef UNYO_UI_CHECK_ROUNDS_H
#define UNYO_UI_CHECK_ROUNDS_H

/* Reads [checks] schedule from config.ini and, when on, starts the rounds. */
void ui_check_rounds_start(void);
/* 1 while a round runs on its thread; 1 when rounds are scheduled at all. */
int ui_check_rounds_running(void);
int ui_check_rounds_on(void);
/* Closes the connections kept between rounds (call after ui_bg_drain). */
void ui_check_rounds_stop(void);

#endif
