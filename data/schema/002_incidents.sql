-- unyo store, schema version 2: incident, inquiry and problem ledgers (SLA, search).
--
-- * incidents.sla_breaches: bit mask of the SLA steps whose breach has been recorded as an
--   `sla_breached` event (1 acknowledge, 2 first response, 4 recovery), so detection is
--   idempotent and a list can filter without reading events.
-- * Full-text search: one FTS5 index (trigram tokenizer, so Japanese matches without word
--   breaks) with external content: it keeps no copy of the text. search_fts_map gives every
--   indexed row an integer key (the ledgers are WITHOUT ROWID tables); search_fts_src is the
--   view FTS5 reads when asked to 'rebuild'. Keys live in ranges per kind so a search can
--   stay inside one kind cheaply:
--     knowledge          [1, 2^32)
--     inquiries          [2^32, 2^33)
--     incidents, events  [2^33, ...)   (in insertion order, so rowid DESC = newest first)
--   Triggers keep the index current; bulk loaders may suspend them and rebuild
--   (src/search.h). The map, the index and its shadow tables are derived data: their
--   names contain "_fts", so export and sync leave them out; import rebuilds them.

ALTER TABLE incidents ADD COLUMN sla_breaches INTEGER NOT NULL DEFAULT 0;
CREATE INDEX incidents_ref ON incidents(ref);
-- The engineer's inbox: open work per assignee (partial, so closed history costs nothing).
CREATE INDEX incidents_inbox ON incidents(assignee_id, received_at)
  WHERE status NOT IN ('recovered', 'closed', 'draft');
CREATE INDEX inquiries_received ON inquiries(received_at);
CREATE INDEX inquiries_ref ON inquiries(ref);
CREATE INDEX inquiries_status ON inquiries(status, received_at);
CREATE INDEX problems_ref ON problems(ref);
CREATE INDEX problem_events_problem ON problem_events(problem_id, at);
CREATE INDEX knowledge_problem ON knowledge(problem_id);
-- Breaches per period (reports): only the sla_breached events are indexed.
CREATE INDEX incident_events_breaches ON incident_events(at) WHERE kind = 'sla_breached';

CREATE TABLE search_fts_map (
  rid INTEGER PRIMARY KEY, kind TEXT NOT NULL, row_id TEXT NOT NULL
);
-- Mutable rows (incidents 'i', inquiries 'q', knowledge 'k') are found by id to re-index
-- them; events ('e') are append-only and never looked up, so they stay out of this index.
CREATE UNIQUE INDEX search_fts_map_row ON search_fts_map(row_id, kind) WHERE kind <> 'e';

CREATE VIEW search_fts_src AS
  SELECT m.rid AS rid, i.title AS title, i.description AS body, NULL AS more
    FROM search_fts_map m JOIN incidents i ON i.id = m.row_id WHERE m.kind = 'i'
  UNION ALL
  SELECT m.rid, NULL, e.note, NULL
    FROM search_fts_map m JOIN incident_events e ON e.id = m.row_id WHERE m.kind = 'e'
  UNION ALL
  SELECT m.rid, q.title, q.question, q.answer
    FROM search_fts_map m JOIN inquiries q ON q.id = m.row_id WHERE m.kind = 'q'
  UNION ALL
  SELECT m.rid, k.title, k.body, k.keywords
    FROM search_fts_map m JOIN knowledge k ON k.id = m.row_id WHERE m.kind = 'k';

CREATE VIRTUAL TABLE search_fts USING fts5(
  title, body, more, content='search_fts_src', content_rowid='rid', tokenize='trigram',
  columnsize=0
);

CREATE TRIGGER search_fts_incidents_ai AFTER INSERT ON incidents BEGIN
  INSERT INTO search_fts_map(rid, kind, row_id) VALUES(
    max(coalesce((SELECT max(rid) FROM search_fts_map), 0), 8589934592) + 1, 'i', new.id);
  INSERT INTO search_fts(rowid, title, body, more)
    VALUES(last_insert_rowid(), new.title, new.description, NULL);
END;
CREATE TRIGGER search_fts_incidents_au AFTER UPDATE OF title, description ON incidents
WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
  INSERT INTO search_fts(search_fts, rowid, title, body, more)
    SELECT 'delete', rid, old.title, old.description, NULL FROM search_fts_map
     WHERE row_id = old.id AND kind = 'i' AND kind <> 'e';
  INSERT INTO search_fts(rowid, title, body, more)
    SELECT rid, new.title, new.description, NULL FROM search_fts_map
     WHERE row_id = new.id AND kind = 'i' AND kind <> 'e';
END;
CREATE TRIGGER search_fts_incident_events_ai AFTER INSERT ON incident_events
WHEN new.note IS NOT NULL AND new.note <> '' BEGIN
  INSERT INTO search_fts_map(rid, kind, row_id) VALUES(
    max(coalesce((SELECT max(rid) FROM search_fts_map), 0), 8589934592) + 1, 'e', new.id);
  INSERT INTO search_fts(rowid, title, body, more)
    VALUES(last_insert_rowid(), NULL, new.note, NULL);
END;
CREATE TRIGGER search_fts_inquiries_ai AFTER INSERT ON inquiries BEGIN
  INSERT INTO search_fts_map(rid, kind, row_id) VALUES(
    coalesce((SELECT max(rid) FROM search_fts_map
               WHERE rid >= 4294967296 AND rid < 8589934592), 4294967296) + 1, 'q', new.id);
  INSERT INTO search_fts(rowid, title, body, more)
    VALUES(last_insert_rowid(), new.title, new.question, new.answer);
END;
CREATE TRIGGER search_fts_inquiries_au AFTER UPDATE OF title, question, answer ON inquiries
WHEN old.title IS NOT new.title OR old.question IS NOT new.question
  OR old.answer IS NOT new.answer BEGIN
  INSERT INTO search_fts(search_fts, rowid, title, body, more)
    SELECT 'delete', rid, old.title, old.question, old.answer FROM search_fts_map
     WHERE row_id = old.id AND kind = 'q' AND kind <> 'e';
  INSERT INTO search_fts(rowid, title, body, more)
    SELECT rid, new.title, new.question, new.answer FROM search_fts_map
     WHERE row_id = new.id AND kind = 'q' AND kind <> 'e';
END;
CREATE TRIGGER search_fts_knowledge_ai AFTER INSERT ON knowledge BEGIN
  INSERT INTO search_fts_map(rid, kind, row_id) VALUES(
    coalesce((SELECT max(rid) FROM search_fts_map WHERE rid < 4294967296), 0) + 1, 'k', new.id);
  INSERT INTO search_fts(rowid, title, body, more)
    VALUES(last_insert_rowid(), new.title, new.body, new.keywords);
END;
CREATE TRIGGER search_fts_knowledge_au AFTER UPDATE OF title, body, keywords ON knowledge
WHEN old.title IS NOT new.title OR old.body IS NOT new.body
  OR old.keywords IS NOT new.keywords BEGIN
  INSERT INTO search_fts(search_fts, rowid, title, body, more)
    SELECT 'delete', rid, old.title, old.body, old.keywords FROM search_fts_map
     WHERE row_id = old.id AND kind = 'k' AND kind <> 'e';
  INSERT INTO search_fts(rowid, title, body, more)
    SELECT rid, new.title, new.body, new.keywords FROM search_fts_map
     WHERE row_id = new.id AND kind = 'k' AND kind <> 'e';
END;
