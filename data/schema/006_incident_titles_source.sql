-- The source of local_incident_titles (005_incident_list.sql) as a view, so a bulk
-- load (unyo demo --generate) can drop that table's triggers, load, and refill it
-- in one statement instead of firing a trigger per row. Same key as the triggers.
CREATE VIEW local_incident_titles_source AS
  SELECT title,
       (CAST(COALESCE(strftime('%s', received_at), 0) AS INTEGER) * 1000
        + CAST(substr(received_at, 21, 3) AS INTEGER)) * 256
       + (CASE WHEN priority GLOB 'P[1-4]' THEN CAST(substr(priority, 2, 1) AS INTEGER)
          ELSE 9 END) * 16
       + (CASE status WHEN 'closed' THEN 0 WHEN 'draft' THEN 1 WHEN 'escalated' THEN 2
          WHEN 'first_response' THEN 3 WHEN 'isolated' THEN 4 WHEN 'received' THEN 5
          WHEN 'recovered' THEN 6 WHEN 'reopened' THEN 7 WHEN 'second_response' THEN 8
          ELSE 9 END) AS k,
       id AS incident_id, received_at
    FROM incidents WHERE deleted = 0;
