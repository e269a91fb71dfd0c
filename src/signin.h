/* Who is at the keyboard (issue 14): each operator's personal passphrase, kept only as a
 * yescrypt hash (libxcrypt) in local_passphrases (migration 015), never logged, never in
 * a transcript; checked in constant time; each wrong one makes the next answer wait
 * longer and is audited. A right passphrase is "fresh" for SIGNIN_FRESH_MS (in memory,
 * per operator, like sudo's timestamp): the signing acts (approving a change, reviewing
 * an inquiry answer, signing and acknowledging a handover, closing an incident as an
 * engineer, changing roles) need it on a real store; a demo or test store (store.h:
 * st->demo) needs no passphrase. */
#ifndef UNYO_SIGNIN_H
#define UNYO_SIGNIN_H

#include <stddef.h>

struct store;

#define SIGNIN_FRESH_MS (5 * 60 * 1000)
#define SIGNIN_MIN_LEN 8
#define SIGNIN_MAX_LEN 256

enum signin_state {
    SIGNIN_HAS_PASSPHRASE = 1, /* signs in with it */
    SIGNIN_MUST_SET = 2,       /* active, no passphrase yet (new, or reset by a manager) */
};

/* What login's sign-in needs: SIGNIN_HAS_PASSPHRASE or SIGNIN_MUST_SET; -1 with *err
 * when login is no operator of the store or is deactivated (the refusal is audited). */
int signin_state(struct store *st, const char *login, char **err);

/* Checks login's passphrase. 0: right (failures reset, login fresh now); -1 with *err:
 * unknown login, deactivated, no passphrase set yet, or wrong (audited as
 * "signin.failed" with the count of failures; the answer waits longer after each,
 * up to a few seconds). */
int signin_check(struct store *st, const char *login, const char *pass, char **err);

/* Records that login is now the person at the keyboard of the console (audit
 * "signin", detail "how=start|switch|unlock"): who acted is then read from the
 * ledger, not only from the acts. A read-only store records nothing. */
void signin_record(struct store *st, const char *login, const char *how);

/* Sets login's passphrase: when one is set, old must be it (checked as signin_check);
 * when none is (first sign-in, or after a reset), old is ignored. At least
 * SIGNIN_MIN_LEN characters. Audited as "operator.passphrase" (never the passphrase).
 * login is fresh afterwards. */
int signin_set_passphrase(struct store *st, const char *login, const char *old, const char *pass,
                          char **err);

/* A manager makes login set a new passphrase at the next sign-in (the old one stops
 * working). Not one's own (use signin_set_passphrase). Audited. */
int signin_reset_passphrase(struct store *st, const char *login, char **err);

/* 1 when login gave the right passphrase less than SIGNIN_FRESH_MS ago (this process);
 * [signin] sign_within = SECONDS in config.ini shortens the window (never lengthens). */
int signin_is_fresh(const char *login);
/* Forgets login's freshness (a lock, a switch, sign-out); NULL forgets everyone. */
void signin_forget(const char *login);

/* The check a signing act makes before it writes: 0 on a demo store or when the acting
 * operator is fresh; else -1 with *err asking for the passphrase (audited as
 * "sign.refused" naming the act). */
int signin_require_fresh(struct store *st, const char *act, char **err);

/* 1 once after signin_require_fresh refused an act for want of a passphrase (the
 * console then asks for it in a pop-up). */
int signin_take_needed(void);

/* Wipes a passphrase buffer (not optimised away). */
void signin_wipe(char *buf, size_t n);

#endif
