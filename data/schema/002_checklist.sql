-- Handover to-do items (item 98): written by the outgoing operator when signing, they
-- reappear in every later handover summary until someone clears them.
CREATE TABLE handover_items (
  id TEXT PRIMARY KEY, handover_id TEXT NOT NULL REFERENCES handovers(id),
  text TEXT NOT NULL, created_by TEXT NOT NULL REFERENCES operators(id),
  cleared_at TEXT, cleared_by TEXT REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX handover_items_open ON handover_items(cleared_at, created_at);
CREATE INDEX shifts_day_shift ON shifts(day, shift, deleted);
CREATE INDEX handovers_day ON handovers(day, signed_at);
