/* Recording of a terminal session as an asciicast v2 file
 * (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then
 * one [time, "o", data] line per chunk of output. Only what the server sends
 * is recorded, never the keys typed, so a password typed at a prompt with echo
 * off never lands in the record. Output passes the redaction rules first
 * (src/redact.h). Sessions are kept in ssh_sessions. */
#ifndef UNYO_TRANSCRIPT_H
#define UNYO_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct redact_rules;
struct store;
struct transcript;

/* start_ms: UTC ms of the start; cap: bytes kept (0: 64 MiB), later output is
 * dropped and a note added. */
struct transcript *transcript_new(int cols, int rows, int64_t start_ms, const char *title,
                                  size_t cap);
void transcript_free(struct transcript *tr);
/* Output from the server at now_ms. UTF-8 split across calls is joined;
 * invalid bytes become U+FFFD. */
void transcript_output(struct transcript *tr, int64_t now_ms, const char *data, size_t len);
/* Output passes rules (src/redact.h; they must outlive tr) before it is recorded.
 * Part of it may be held back until the next output decides whether it is a secret. */
void transcript_set_redact(struct transcript *tr, const struct redact_rules *rules);
/* Records what redaction holds back (session_end, a resize do it). */
void transcript_finish(struct transcript *tr);
/* The rules that redacted and how often, "password:1,jwt:2" (malloc'd). */
char *transcript_redactions(const struct transcript *tr);
void transcript_resize(struct transcript *tr, int64_t now_ms, int cols, int rows);
/* The whole recording (NUL-terminated). */
const char *transcript_text(struct transcript *tr, size_t *len);
int transcript_truncated(const struct transcript *tr);

/* Marker events ("m", asciicast v2) at at_ms (UTC ms, ascending) with labels, placed in
 * time order among the events recorded so far. session_end adds one for each step of
 * an incident or a change linked to the session that was recorded while it was open. */
void transcript_add_markers(struct transcript *tr, const int64_t *at_ms, char *const *labels,
                            size_t n);

/* ssh_sessions rows: one per terminal session, started when the shell opens. */
int session_begin(struct store *st, const char *host_id, const char *host_name, int cols, int rows,
                  char id[ID_LEN + 1], char **err);
int session_end(struct store *st, const char *id, struct transcript *tr, int exit_status,
                const char *end_reason, char **err);

#endif
