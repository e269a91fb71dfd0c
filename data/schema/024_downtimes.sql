-- Issue 15: downtimes (src/downtime.c). A manual downtime puts one host in
-- maintenance from starts_at to ends_at (UTC ISO) for a reason; `downtime end` sets
-- ended_at (now), which cuts it short. An approved or in-progress change with a
-- window and target hosts (links change -> host) puts those hosts in downtime for
-- its window too: that is computed from the change ledger, never copied here. A
-- mutable ledger row, synced; chained as table 30 (src/store_chain.c: numbers never
-- change, new tables at the end).
CREATE TABLE downtimes (
  id TEXT PRIMARY KEY,
  host_id TEXT NOT NULL REFERENCES hosts(id),
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL REFERENCES operators(id),
  ended_at TEXT, ended_by TEXT REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX downtimes_host ON downtimes(host_id, ends_at);
CREATE INDEX downtimes_ends ON downtimes(ends_at);
-- An NG check result recorded inside a downtime names it: the downtimes row, or the
-- change whose window it fell in (changes.id). Such an NG opens no incident draft
-- and is not counted as NG. NULL for every other result.
ALTER TABLE checklist_events ADD COLUMN downtime_id TEXT;
CREATE TRIGGER local_chain_downtimes_ai AFTER INSERT ON downtimes BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(30, new.id); END;
CREATE TRIGGER local_chain_downtimes_au AFTER UPDATE ON downtimes BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(30, new.id); END;
