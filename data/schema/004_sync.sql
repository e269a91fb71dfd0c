-- Sync with the central PostgreSQL database: this console's own bookkeeping
-- (local_*: never exported, never synced). See src/sync.c for the design.
--
-- local_sync_outbox: one row per local write to a ledger row, written by
-- triggers (installed by sync for every ledger table, so tables added later
-- are covered too) in the same transaction as the write. base_hlc/base_origin
-- are the version the write replaced (NULL for an insert): a push compares
-- them with the central copy to tell a concurrent edit from a later one.
-- base_origin '*' marks a row noted because the central database is new to
-- this store: it is sent whatever its origin.
-- seq is AUTOINCREMENT: never reused, so two sync processes on one store
-- (the console's and a `unyo sync`) each forget exactly what they sent.
CREATE TABLE local_sync_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, row_id TEXT NOT NULL,
  base_hlc INTEGER, base_origin TEXT
);
CREATE INDEX local_sync_outbox_row ON local_sync_outbox(tbl, row_id);

-- Per ledger table: whether its outbox triggers are installed, the central
-- server_seq pulled up to, and counters for `unyo sync --status`.
CREATE TABLE local_sync_tables (
  tbl TEXT PRIMARY KEY,
  installed INTEGER NOT NULL DEFAULT 0,
  pull_seq INTEGER NOT NULL DEFAULT 0,
  pushed_total INTEGER NOT NULL DEFAULT 0,
  pulled_total INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- central (the central database's instance id the cursors belong to),
-- last_attempt, last_success, last_error, last_error_at, offline_since.
CREATE TABLE local_sync_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
