-- The Incidents pane's list (screens/incidents.c).
--
-- * incidents_priority: sorting the unfiltered list by priority pages by keyset on
--   (priority, received_at, id); with this index every page is an index walk, not a scan.
-- * local_incident_titles: a narrow copy of what the `/` filter reads, under an integer
--   key, so a PCRE2 scan over a million titles reads a small table instead of the whole
--   incidents table, and cuts into per-thread slices by key. Per live incident: the title
--   (read for every row) and k, the sort keys packed in one integer (read for matches):
--     k = received_at as UTC milliseconds << 8 | priority rank << 4 | status rank
--   (priority P1..P4 -> 1..4; status ranks in text order, as the status index walks).
--   A received_at that does not parse sorts as 0 rather than failing the write.
--   Derived data: the name starts with local_, so export and sync leave it out; the
--   triggers keep it current (import and sync write incidents, so they fill it too).
CREATE INDEX incidents_priority ON incidents(priority, received_at, id);

CREATE TABLE local_incident_titles (
  n INTEGER PRIMARY KEY, title TEXT NOT NULL, k INTEGER NOT NULL,
  incident_id TEXT NOT NULL UNIQUE
);
INSERT INTO local_incident_titles(title, k, incident_id)
  SELECT title,
       (CAST(COALESCE(strftime('%s', received_at), 0) AS INTEGER) * 1000
        + CAST(substr(received_at, 21, 3) AS INTEGER)) * 256
       + (CASE WHEN priority GLOB 'P[1-4]' THEN CAST(substr(priority, 2, 1) AS INTEGER)
          ELSE 9 END) * 16
       + (CASE status WHEN 'closed' THEN 0 WHEN 'draft' THEN 1 WHEN 'escalated' THEN 2
          WHEN 'first_response' THEN 3 WHEN 'isolated' THEN 4 WHEN 'received' THEN 5
          WHEN 'recovered' THEN 6 WHEN 'reopened' THEN 7 WHEN 'second_response' THEN 8
          ELSE 9 END),
       id
    FROM incidents WHERE deleted = 0 ORDER BY received_at, id;

CREATE TRIGGER local_incident_titles_ai AFTER INSERT ON incidents WHEN new.deleted = 0 BEGIN
  INSERT OR REPLACE INTO local_incident_titles(title, k, incident_id)
    VALUES(new.title,
       (CAST(COALESCE(strftime('%s', new.received_at), 0) AS INTEGER) * 1000
        + CAST(substr(new.received_at, 21, 3) AS INTEGER)) * 256
       + (CASE WHEN new.priority GLOB 'P[1-4]' THEN CAST(substr(new.priority, 2, 1) AS INTEGER)
          ELSE 9 END) * 16
       + (CASE new.status WHEN 'closed' THEN 0 WHEN 'draft' THEN 1 WHEN 'escalated' THEN 2
          WHEN 'first_response' THEN 3 WHEN 'isolated' THEN 4 WHEN 'received' THEN 5
          WHEN 'recovered' THEN 6 WHEN 'reopened' THEN 7 WHEN 'second_response' THEN 8
          ELSE 9 END),
       new.id);
END;
CREATE TRIGGER local_incident_titles_au
AFTER UPDATE OF title, received_at, priority, status, deleted ON incidents BEGIN
  DELETE FROM local_incident_titles WHERE incident_id = old.id AND new.deleted <> 0;
  UPDATE local_incident_titles
     SET title = new.title,
         k = (CAST(COALESCE(strftime('%s', new.received_at), 0) AS INTEGER) * 1000
        + CAST(substr(new.received_at, 21, 3) AS INTEGER)) * 256
       + (CASE WHEN new.priority GLOB 'P[1-4]' THEN CAST(substr(new.priority, 2, 1) AS INTEGER)
          ELSE 9 END) * 16
       + (CASE new.status WHEN 'closed' THEN 0 WHEN 'draft' THEN 1 WHEN 'escalated' THEN 2
          WHEN 'first_response' THEN 3 WHEN 'isolated' THEN 4 WHEN 'received' THEN 5
          WHEN 'recovered' THEN 6 WHEN 'reopened' THEN 7 WHEN 'second_response' THEN 8
          ELSE 9 END)
   WHERE incident_id = new.id AND new.deleted = 0;
  INSERT OR IGNORE INTO local_incident_titles(title, k, incident_id)
    SELECT new.title,
       (CAST(COALESCE(strftime('%s', new.received_at), 0) AS INTEGER) * 1000
        + CAST(substr(new.received_at, 21, 3) AS INTEGER)) * 256
       + (CASE WHEN new.priority GLOB 'P[1-4]' THEN CAST(substr(new.priority, 2, 1) AS INTEGER)
          ELSE 9 END) * 16
       + (CASE new.status WHEN 'closed' THEN 0 WHEN 'draft' THEN 1 WHEN 'escalated' THEN 2
          WHEN 'first_response' THEN 3 WHEN 'isolated' THEN 4 WHEN 'received' THEN 5
          WHEN 'recovered' THEN 6 WHEN 'reopened' THEN 7 WHEN 'second_response' THEN 8
          ELSE 9 END),
       new.id
     WHERE new.deleted = 0;
END;
CREATE TRIGGER local_incident_titles_ad AFTER DELETE ON incidents BEGIN
  DELETE FROM local_incident_titles WHERE incident_id = old.id;
END;
