/* Labels of the enumerated values that are not a ledger's states or actions
 * (those live with their workflow: incident_status_name, change_status_name,
 * jobs_state_name, ...): operator roles, host roles, change risks, shift codes,
 * library kinds, configuration kinds and operations, link kinds, yes/no, and the
 * keys of a timeline event's data. Each returns the translated label of a key,
 * or the key itself when it is not one of the family's (never NULL). Machine
 * output (--json, --csv) keeps the keys; whatever a person reads goes through
 * these (issue 13: nothing raw on a Japanese screen). */
#ifndef UNYO_LABELS_H
#define UNYO_LABELS_H

extern const char *const label_roles[];         /* operator engineer manager */
extern const char *const label_host_roles[];    /* AP DB file AD proxy WSUS backup network other */
extern const char *const label_risks[];         /* low medium high */
extern const char *const label_shifts[];        /* early late night sunday day */
extern const char *const label_library_kinds[]; /* central branch center datacenter office */
extern const char *const label_config_kinds[];  /* software patch ... other */
extern const char *const label_config_ops[];    /* add set remove */
extern const char *const label_link_kinds[];    /* incident problem ... ssh_session */
extern const char *const label_yes_no_keys[];   /* yes no */
extern const char *const label_severities[];    /* info warning critical (checks) */
extern const char *const label_panes[];         /* templates.pane: checklist incidents ... */
extern const char *const label_event_keys[];    /* keys of events' data */

const char *label_role(const char *key);
const char *label_host_role(const char *key);
const char *label_risk(const char *key);
const char *label_shift(const char *key);
const char *label_library_kind(const char *key);
const char *label_config_kind(const char *key);
const char *label_config_op(const char *key);
const char *label_link_kind(const char *key);
const char *label_yes_no_key(const char *key);
const char *label_yes_no(int yes);
const char *label_severity(const char *key);
const char *label_pane(const char *key);
const char *label_event_key(const char *key);
/* The shipped checks (data/checks/linux.ini section keys) and their captured
 * variables; a site's own check or variable comes back as given. */
extern const char *const label_checks[];
extern const char *const label_check_vars[];
const char *label_check(const char *key);
const char *label_check_var(const char *key);

/* "1時間", "5分", "1時間5分", "30秒" for a duration in seconds (buf >= 48). */
const char *label_duration(long long seconds, char *buf, unsigned size);

#endif
