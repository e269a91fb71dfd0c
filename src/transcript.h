/* Recording of a terminal session as an asciicast v2 file
 * (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then
 * one [time, "o", data] line per chunk of output. Only what the server sends
 * is recorded, never the keys typed, so a password typed at a prompt with echo
 * off never lands in the record. Sessions are kept in ssh_sessions. */
#ifndef UNYO_TRANSCRIPT_H
#define UNYO_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

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
void transcript_resize(struct transcript *tr, int64_t now_ms, int cols, int rows);
/* The whole recording (NUL-terminated). */
const char *transcript_text(struct transcript *tr, size_t *len);
int transcript_truncated(const struct transcript *tr);

/* ssh_sessions rows: one per terminal session, started when the shell opens. */
int session_begin(struct store *st, const char *host_id, const char *host_name, int cols, int rows,
                  char id[ID_LEN + 1], char **err);
int session_end(struct store *st, const char *id, struct transcript *tr, int exit_status,
                const char *end_reason, char **err);

#endif
