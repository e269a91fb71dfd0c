-- Issue 14: operators sign in with a personal passphrase. It is kept only as a
-- yescrypt hash (libxcrypt), in a local_ table: it never leaves this console (sync,
-- export and the central database skip local_ tables). hash NULL: the operator sets
-- one at the next sign-in (a new operator, or a manager's reset). failures counts
-- the wrong passphrases since the last right one: each makes the next answer wait
-- longer (src/signin.c).
CREATE TABLE local_passphrases (
  operator_id TEXT PRIMARY KEY REFERENCES operators(id),
  hash TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
