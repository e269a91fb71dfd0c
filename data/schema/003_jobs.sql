-- unyo store, schema 006: the job queue (ジョブ管理) and change requests (変更管理).
--
-- * A job falls due at most once a day: one job_runs row per (job, due_day). Retries and
--   reruns reuse the row (attempt counts them; job_run_events keep every attempt), so
--   `jobs due` can create the day's runs idempotently with INSERT OR IGNORE.
-- * change_effects: the configuration records a change declares ("patch:lib-ap01:KB5031234").
--   They are applied to config_items when the change is done, and the values they replaced
--   are kept here (prev_*) so a rollback after done can restore them.

CREATE UNIQUE INDEX job_runs_job_day ON job_runs(job_id, due_day);
CREATE INDEX job_runs_state ON job_runs(state, due_day);
CREATE INDEX job_run_events_run ON job_run_events(run_id, at);
CREATE INDEX job_deps_job ON job_deps(job_id, deleted);
CREATE INDEX job_deliveries_run ON job_deliveries(run_id, delivered_at);

CREATE INDEX changes_status ON changes(status, created_at);
CREATE INDEX changes_ref ON changes(ref);
CREATE INDEX change_steps_change ON change_steps(change_id, seq);
CREATE INDEX change_events_change ON change_events(change_id, at);
CREATE INDEX config_items_host ON config_items(host_id, kind, name);
CREATE INDEX config_items_change ON config_items(change_id);

CREATE TABLE change_effects (
  id TEXT PRIMARY KEY, change_id TEXT NOT NULL REFERENCES changes(id), seq INTEGER NOT NULL,
  spec TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('software','patch','hardware','account','permission','policy','other')),
  host_id TEXT REFERENCES hosts(id), name TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('add','set','remove')),
  version TEXT, location TEXT, detail TEXT, quantity INTEGER,
  config_item_id TEXT REFERENCES config_items(id), applied_at TEXT,
  prev_state TEXT CHECK (prev_state IN ('new','existed','absent')),
  prev_version TEXT, prev_location TEXT, prev_detail TEXT, prev_quantity INTEGER,
  prev_deleted INTEGER, prev_change_id TEXT, prev_applied_at TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX change_effects_change ON change_effects(change_id, seq);
