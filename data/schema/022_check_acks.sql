-- Issue 15: acknowledgements of check problems (src/check_ack.c). A problem is a
-- host x check whose latest check result is NG; an operator acknowledges it with a
-- note, until a time (until_at; --until-shift-end stores the shift's end there), or
-- until it gets worse (kind 'worse': the checks have one severity each, so it holds
-- until the check recovers), or with no limit (kind 'recovery'). While an
-- acknowledgement holds, an NG of that check on that host opens no incident draft.
-- A mutable ledger row: it ends (ended_at, ended_reason 'unack' | 'recovered' |
-- 'replaced') when someone takes it back, when the check is OK again, or when a new
-- acknowledgement replaces it. Past until_at it is expired: kept (the handover lists
-- it) but it no longer suppresses anything. Synced like every ledger table; chained
-- as table 29 (src/store_chain.c: numbers never change, new tables at the end).
CREATE TABLE check_acks (
  id TEXT PRIMARY KEY,
  host_id TEXT NOT NULL REFERENCES hosts(id),
  check_id TEXT NOT NULL,
  note TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('time','shift','worse','recovery')),
  until_at TEXT,
  event_id TEXT,
  created_by TEXT NOT NULL REFERENCES operators(id),
  ended_at TEXT, ended_reason TEXT, ended_by TEXT REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX check_acks_open ON check_acks(host_id, check_id, ended_at, deleted);
CREATE INDEX check_acks_until ON check_acks(until_at);
-- The latest result of a check on a host (problems, acknowledgements), by hlc as the
-- checklist orders results.
CREATE INDEX checklist_events_check ON checklist_events(host_id, note, hlc) WHERE source = 'check';
CREATE TRIGGER local_chain_check_acks_ai AFTER INSERT ON check_acks BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(29, new.id); END;
CREATE TRIGGER local_chain_check_acks_au AFTER UPDATE ON check_acks BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(29, new.id); END;
