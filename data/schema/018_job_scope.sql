-- Issue 16: with sync configured, a run is claimed through the central database
-- (unyo.job_claims, src/job_claims.c), so two consoles and a timer never run it
-- twice; a console that cannot reach the central database runs none of them.
-- A job defined with `scope = local` is this console's own: claimed in the store
-- only, and run even when the central database is out of reach. NULL: central.
ALTER TABLE jobs ADD COLUMN scope TEXT CHECK (scope IS NULL OR scope IN ('local'));
