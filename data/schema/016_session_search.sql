-- Issue 15: search inside recordings. An ended session's output, played through the
-- terminal model (src/session_index.c), gives the lines the screen showed (a
-- full-screen program's too), each distinct line once with the offset in ms from the
-- start at which it first showed. The recordings are already redacted
-- (src/redact.h), so is this. Derived data, built again from ssh_sessions.transcript
-- (`unyo session index`): local_ tables, neither exported nor synced.
-- A session's lines have consecutive rowids from first_rowid (session_id is not an
-- indexed column: a DELETE by it would read the whole index).
CREATE TABLE local_session_indexed(
  session_id TEXT PRIMARY KEY,
  first_rowid INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  indexed_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE local_session_fts USING fts5(
  line, session_id UNINDEXED, at_ms UNINDEXED, tokenize='trigram'
);
