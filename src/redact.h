/* Redaction of a terminal session's output before it is recorded (src/transcript.c)
 * or indexed: PCRE2 rules from redact.ini (the operator's CONFIG_DIR/redact.ini, else
 * the shipped data/redact.ini; config.ini [record] redact = FILE names another). A
 * match is replaced by a visible mark, "[redacted:NAME]", naming the rule; when the
 * pattern has a group named secret only that group is replaced (so `password=` stays
 * readable). The secret itself is never kept.
 *
 *   [aws-access-key]
 *   pattern = \b(?:AKIA|ASIA)[0-9A-Z]{16}\b
 *
 * Output arrives in chunks, and a secret may be cut between two of them (a private key
 * block always is): the redactor holds back the text from where any rule's match could
 * still begin (PCRE2's hard partial matching) until the next chunk decides it, at most
 * REDACT_HOLD_MAX bytes; a partial match that would hold more, or is still open when
 * the session ends, is redacted whole. Rules match on what the server sent, escape
 * sequences included. */
#ifndef UNYO_REDACT_H
#define UNYO_REDACT_H

#include <stddef.h>

#include "util.h"

#define REDACT_HOLD_MAX ((size_t)16384)

struct redact_rules;
struct redactor;

/* Rules from an INI text (name for messages). A section is a rule; its only key is
 * pattern. A name other than letters, digits, '-', '_' and '.', a duplicate, a missing
 * or unknown key, a pattern that does not compile or can match empty text: -1 with
 * "FILE:LINE: ..." and nothing loaded. */
int redact_rules_parse(const char *name, const char *data, size_t len, struct redact_rules **out,
                       char **err);
/* From path; path NULL: config.ini [record] redact, else redact.ini in the config
 * directory, else the shipped one; no file at all gives no rules. */
int redact_rules_load(const char *path, struct redact_rules **out, char **err);
void redact_rules_free(struct redact_rules *rules);
size_t redact_rules_count(const struct redact_rules *rules);
const char *redact_rule_name(const struct redact_rules *rules, size_t i);

/* A stream over rules (which must outlive it; NULL: pass everything through). */
struct redactor *redactor_new(const struct redact_rules *rules);
void redactor_free(struct redactor *r);
/* Appends to out what of data (after what is held) can be written now. */
void redactor_feed(struct redactor *r, const char *data, size_t len, struct strbuf *out);
/* Appends what is held, at the end of the stream. */
void redactor_flush(struct redactor *r, struct strbuf *out);
/* "password:2,jwt:1" (malloc'd), the rules that redacted and how often; "" for none. */
char *redactor_summary(const struct redactor *r);

/* The whole of text through rules at once (malloc'd, *out_len set). */
char *redact_text(const struct redact_rules *rules, const char *text, size_t len, size_t *out_len);

#endif
