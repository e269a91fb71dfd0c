-- Issue 11: one row the central database refuses no longer blocks sync.
--
-- local_sync_setaside: outbox entries of rows a push found the central
-- database refusing (error: its message, password-free), kept out of the
-- outbox so everything else flows. `unyo sync --status` and the console's
-- status line count them; a repair of the row (utf8_store_repair) or
-- `unyo sync --retry` puts them back in the outbox.
CREATE TABLE local_sync_setaside (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, row_id TEXT NOT NULL,
  base_hlc INTEGER, base_origin TEXT,
  error TEXT NOT NULL, at TEXT NOT NULL
);
CREATE INDEX local_sync_setaside_row ON local_sync_setaside(tbl, row_id);

-- Older unyo stored server output byte for byte: text that is not valid
-- UTF-8 is rewritten ("\xff" for a stray byte) by store_open once this
-- migration has run (see utf8_store_repair in src/utf8.c).
INSERT OR REPLACE INTO local_meta(key, value) VALUES('utf8_repair', 'pending');
