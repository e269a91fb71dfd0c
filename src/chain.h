/* Verifiable records (issue 14): `unyo audit verify` and `unyo audit export`.
 * The chain itself is written by store_commit (src/store_chain.c, migration 014);
 * doc/NOTES.md "Verifiable records" documents the canonical form and the checks. */
#ifndef UNYO_CHAIN_H
#define UNYO_CHAIN_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* What verify found: each finding one sentence in the operator's language that
 * names the table, row or session. */
struct chain_report {
    char **findings;
    size_t n;
    long long links; /* chain links checked */
    long long rows;  /* ledger rows compared with their last recorded state */
    long long sessions;
};

/* Checks every chain unbroken, every row equal to its last recorded state, the
 * schema's triggers as shipped, every session transcript equal to the SHA-256 recorded
 * when it ended. 0 (findings in *r, maybe none) or -1 (err: could not check). */
int chain_verify(struct store *st, struct chain_report *r, char **err);
/* The same, stopping early (its report then incomplete) once stop() returns nonzero. */
int chain_verify_until(struct store *st, struct chain_report *r, int (*stop)(void), char **err);
void chain_report_free(struct chain_report *r);
void chain_report_add(struct chain_report *r, char *finding); /* takes finding */

/* This console's own chain head: the last link's number and hash (hex). 0 with
 * *seq = 0 when nothing is chained yet, or -1 (err). */
int chain_own_head(struct store *st, long long *seq, char hex[65], char **err);
/* Compares a head central recorded for this console (seq, hash hex) with the local
 * chain: 1 = the local link seq has that hash, 0 = it does not (the history was
 * rewritten; a finding is added to r), -1 = err. */
int chain_check_head(struct store *st, long long seq, const char *hex, struct chain_report *r,
                     char **err);

/* Compares this console's chain with every head central recorded for it at a sync
 * (unyo.chain_heads): a finding per head that no longer matches. *checked = heads
 * compared. 0, or -1 (err: central could not be read). */
typedef struct pg_conn PGconn;
int chain_check_central(struct store *st, PGconn *c, long long *checked, struct chain_report *r,
                        char **err);

/* Writes what an auditor needs into DIR (created; must not exist or be empty): one
 * JSON-lines file per chained table, chain.jsonl, heads.json, the session transcripts,
 * SHA256SUMS, verify.py and README. *files = how many files were written. */
int chain_export(struct store *st, const char *dir, long long *files, char **err);

/* The export's verify.py (src/chain_py.c, made from data/audit/verify.py). */
extern const char chain_verify_py[];

/* n bytes as lowercase hex into out (2n + 1 bytes). */
void chain_hex(const uint8_t *b, size_t n, char *out);

#endif
