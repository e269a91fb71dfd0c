/* The level of a check result (issue 15): a check's `condition`, `warn` and `crit`
 * (checks.h) make a result OK, WARN (警告) or CRIT (異常). WARN is recorded as an NG
 * (status 'ng', level 'warn') that opens no incident draft and is shown and counted
 * apart; CRIT is today's NG. Stored in checklist_events.level (migration 030). */
#ifndef UNYO_CHECK_LEVEL_H
#define UNYO_CHECK_LEVEL_H

enum check_level { CHECK_LEVEL_OK = 0, CHECK_LEVEL_WARN = 1, CHECK_LEVEL_CRIT = 2 };
/* "ok" | "warn" | "crit": the stored key (checklist_events.level). */
const char *check_level_key(int level);
/* The key back; NULL or unknown: CRIT for an NG ("ng"), else OK. */
int check_level_parse(const char *key, const char *status);
/* "OK" | "WARN" | "CRIT", translated (警告 / 異常). */
const char *check_level_label(int level);

#endif
