-- unyo store, schema version 1: every ledger from day one.
--
-- Conventions (doc/architecture.md):
--  * id: UUIDv7 text, time-ordered and random, so rows made on two consoles never collide.
--  * times: UTC, ISO 8601 with milliseconds and Z ("2026-11-22T22:00:00.000Z"); shown in JST.
--  * hlc/origin: hybrid logical clock of the last write and the console that made it (sync).
--  * Mutable rows carry deleted (tombstone) and updated_at; their changes are recorded as
--    events or in audit, never silently.
--  * *_events, audit, checklist_events, job_run_events, change_events: append-only; triggers
--    below refuse UPDATE and DELETE.
--  * Tables whose name starts with "local_" are this console's own bookkeeping and are
--    neither exported nor synced.

CREATE TABLE local_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE operators (
  id TEXT PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('operator','engineer','manager')),
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE libraries (
  id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name_ja TEXT NOT NULL, name_en TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('central','branch','center','datacenter','office')),
  phone TEXT, address TEXT, notes TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE hosts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, address TEXT,
  role TEXT NOT NULL DEFAULT 'other', location TEXT, os TEXT, owner TEXT, notes TEXT,
  library_id TEXT REFERENCES libraries(id),
  ssh_alias TEXT, ssh_user TEXT, ssh_port INTEGER, ssh_jump TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE templates (
  id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, source TEXT NOT NULL, item_no INTEGER NOT NULL,
  category1 TEXT, category2 TEXT, category3 TEXT,
  name_ja TEXT NOT NULL, name_en TEXT NOT NULL, summary_ja TEXT, summary_en TEXT,
  period_text TEXT NOT NULL, periods INTEGER NOT NULL, pane TEXT NOT NULL,
  duty_engineer TEXT, duty_operator TEXT, per_host INTEGER NOT NULL DEFAULT 0,
  weekday INTEGER, monthday INTEGER, months INTEGER,
  value_unit TEXT, value_min REAL, value_max REAL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

-- One row per mark: OK, NG, skipped, a value, a note, or an as-needed item added to a day.
-- The current state of (day, template, host) is its latest event; corrections are new rows.
CREATE TABLE checklist_events (
  id TEXT PRIMARY KEY, day TEXT NOT NULL, template_id TEXT NOT NULL REFERENCES templates(id),
  host_id TEXT REFERENCES hosts(id),
  status TEXT NOT NULL CHECK (status IN ('ok','ng','skip','added','note')),
  value REAL, unit TEXT, note TEXT, reason TEXT, raw_output TEXT,
  source TEXT NOT NULL DEFAULT 'manual', incident_id TEXT,
  operator_id TEXT NOT NULL REFERENCES operators(id), at TEXT NOT NULL,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX checklist_events_day ON checklist_events(day, template_id, host_id);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY, ref TEXT NOT NULL,
  library_id TEXT REFERENCES libraries(id), channel TEXT NOT NULL, reporter TEXT,
  title TEXT NOT NULL, description TEXT, category TEXT NOT NULL,
  impact INTEGER NOT NULL, urgency INTEGER NOT NULL, priority TEXT NOT NULL,
  status TEXT NOT NULL, assignee_id TEXT REFERENCES operators(id),
  problem_id TEXT, inquiry_id TEXT,
  received_at TEXT NOT NULL, acknowledged_at TEXT, first_response_at TEXT,
  recovered_at TEXT, closed_at TEXT,
  sla_paused_since TEXT, sla_paused_seconds INTEGER NOT NULL DEFAULT 0,
  notified_at TEXT, notified_to TEXT,
  created_by TEXT NOT NULL REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX incidents_received ON incidents(received_at);
CREATE INDEX incidents_status ON incidents(status, received_at);

CREATE TABLE incident_events (
  id TEXT PRIMARY KEY, incident_id TEXT NOT NULL REFERENCES incidents(id),
  kind TEXT NOT NULL, note TEXT, data TEXT,
  operator_id TEXT NOT NULL REFERENCES operators(id), at TEXT NOT NULL,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX incident_events_incident ON incident_events(incident_id, at);

CREATE TABLE inquiries (
  id TEXT PRIMARY KEY, ref TEXT NOT NULL,
  library_id TEXT REFERENCES libraries(id), channel TEXT NOT NULL, reporter TEXT,
  title TEXT NOT NULL, question TEXT, status TEXT NOT NULL,
  assignee_id TEXT REFERENCES operators(id), reviewer_id TEXT REFERENCES operators(id),
  draft_answer TEXT, draft_by TEXT REFERENCES operators(id), answer TEXT,
  incident_id TEXT, received_at TEXT NOT NULL, answered_at TEXT, closed_at TEXT,
  created_by TEXT NOT NULL REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE inquiry_events (
  id TEXT PRIMARY KEY, inquiry_id TEXT NOT NULL REFERENCES inquiries(id),
  kind TEXT NOT NULL, note TEXT, data TEXT,
  operator_id TEXT NOT NULL REFERENCES operators(id), at TEXT NOT NULL,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX inquiry_events_inquiry ON inquiry_events(inquiry_id, at);

CREATE TABLE problems (
  id TEXT PRIMARY KEY, ref TEXT NOT NULL, title TEXT NOT NULL, description TEXT,
  status TEXT NOT NULL, root_cause TEXT, workaround TEXT, permanent_measure TEXT,
  prevention_status TEXT, prevention_due TEXT, owner_id TEXT REFERENCES operators(id),
  created_by TEXT NOT NULL REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE problem_events (
  id TEXT PRIMARY KEY, problem_id TEXT NOT NULL REFERENCES problems(id),
  kind TEXT NOT NULL, note TEXT, data TEXT,
  operator_id TEXT NOT NULL REFERENCES operators(id), at TEXT NOT NULL,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE knowledge (
  id TEXT PRIMARY KEY, problem_id TEXT REFERENCES problems(id), title TEXT NOT NULL,
  body TEXT NOT NULL, keywords TEXT, published_at TEXT, published_by TEXT REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

-- Generic links between ledger rows (incident↔host, incident↔problem, change↔incident,
-- session↔incident, checklist result↔incident ...).
CREATE TABLE links (
  id TEXT PRIMARY KEY, from_kind TEXT NOT NULL, from_id TEXT NOT NULL,
  to_kind TEXT NOT NULL, to_id TEXT NOT NULL, note TEXT,
  created_by TEXT NOT NULL REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX links_from ON links(from_kind, from_id);
CREATE INDEX links_to ON links(to_kind, to_id);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, template_id TEXT REFERENCES templates(id),
  name_ja TEXT NOT NULL, name_en TEXT NOT NULL,
  periods INTEGER NOT NULL, weekday INTEGER, monthday INTEGER, months INTEGER,
  host_id TEXT REFERENCES hosts(id), command TEXT, procedure TEXT, outputs TEXT, deliver_to TEXT,
  timeout_seconds INTEGER NOT NULL DEFAULT 3600, retries INTEGER NOT NULL DEFAULT 0,
  concurrency_group TEXT, expected_start TEXT, expected_end TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE job_deps (
  id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id),
  depends_on_id TEXT NOT NULL REFERENCES jobs(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE job_runs (
  id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id), due_day TEXT NOT NULL,
  state TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 1,
  claimed_by TEXT, claimed_at TEXT, started_at TEXT, ended_at TEXT, exit_status INTEGER,
  output TEXT, output_truncated INTEGER NOT NULL DEFAULT 0, files TEXT, incident_id TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX job_runs_due ON job_runs(due_day, job_id);

CREATE TABLE job_run_events (
  id TEXT PRIMARY KEY, run_id TEXT NOT NULL REFERENCES job_runs(id),
  kind TEXT NOT NULL, note TEXT, data TEXT,
  operator_id TEXT REFERENCES operators(id), at TEXT NOT NULL,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE job_deliveries (
  id TEXT PRIMARY KEY, run_id TEXT NOT NULL REFERENCES job_runs(id),
  department TEXT NOT NULL, files TEXT, note TEXT,
  delivered_by TEXT NOT NULL REFERENCES operators(id), delivered_at TEXT NOT NULL,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE changes (
  id TEXT PRIMARY KEY, ref TEXT NOT NULL, title TEXT NOT NULL,
  requester_dept TEXT NOT NULL, requester_id TEXT REFERENCES operators(id),
  target TEXT, reason TEXT, plan TEXT, rollback_plan TEXT, risk TEXT,
  window_start TEXT, window_end TEXT, status TEXT NOT NULL,
  approver_id TEXT REFERENCES operators(id), approved_at TEXT, template_code TEXT,
  created_by TEXT NOT NULL REFERENCES operators(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE change_steps (
  id TEXT PRIMARY KEY, change_id TEXT NOT NULL REFERENCES changes(id), seq INTEGER NOT NULL,
  text TEXT NOT NULL, done_at TEXT, done_by TEXT REFERENCES operators(id),
  output TEXT, session_id TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE change_events (
  id TEXT PRIMARY KEY, change_id TEXT NOT NULL REFERENCES changes(id),
  kind TEXT NOT NULL, note TEXT, data TEXT,
  operator_id TEXT NOT NULL REFERENCES operators(id), at TEXT NOT NULL,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

-- Configuration records (構成管理): software, patches, hardware, accounts, permissions.
CREATE TABLE config_items (
  id TEXT PRIMARY KEY, host_id TEXT REFERENCES hosts(id),
  kind TEXT NOT NULL CHECK (kind IN ('software','patch','hardware','account','permission','policy','other')),
  name TEXT NOT NULL, version TEXT, detail TEXT, location TEXT, quantity INTEGER,
  applied_at TEXT, change_id TEXT REFERENCES changes(id),
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE shifts (
  id TEXT PRIMARY KEY, day TEXT NOT NULL, shift TEXT NOT NULL,
  operator_id TEXT NOT NULL REFERENCES operators(id),
  start_time TEXT NOT NULL, end_time TEXT NOT NULL, note TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX shifts_day ON shifts(day);

CREATE TABLE handovers (
  id TEXT PRIMARY KEY, day TEXT NOT NULL, shift TEXT NOT NULL,
  from_operator_id TEXT NOT NULL REFERENCES operators(id), to_operator_id TEXT REFERENCES operators(id),
  note TEXT, summary TEXT NOT NULL, signed_at TEXT NOT NULL, acked_at TEXT, acked_by TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE ssh_sessions (
  id TEXT PRIMARY KEY, host_id TEXT REFERENCES hosts(id), host_name TEXT NOT NULL,
  operator_id TEXT NOT NULL REFERENCES operators(id),
  started_at TEXT NOT NULL, ended_at TEXT, exit_status INTEGER, end_reason TEXT,
  cols INTEGER, rows INTEGER, transcript TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE host_metrics (
  id TEXT PRIMARY KEY, host_id TEXT NOT NULL REFERENCES hosts(id), metric TEXT NOT NULL,
  value REAL NOT NULL, at TEXT NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX host_metrics_host ON host_metrics(host_id, metric, at);

-- Who did what to which row, when and why: the 業務ログ / 更新ログ of the seeds.
CREATE TABLE audit (
  id TEXT PRIMARY KEY, at TEXT NOT NULL, operator_id TEXT REFERENCES operators(id),
  action TEXT NOT NULL, kind TEXT NOT NULL, row_id TEXT, detail TEXT,
  hlc INTEGER NOT NULL, origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX audit_row ON audit(kind, row_id);

CREATE TRIGGER checklist_events_append_only_u BEFORE UPDATE ON checklist_events BEGIN SELECT RAISE(ABORT, 'checklist_events is append-only'); END;
CREATE TRIGGER checklist_events_append_only_d BEFORE DELETE ON checklist_events BEGIN SELECT RAISE(ABORT, 'checklist_events is append-only'); END;
CREATE TRIGGER incident_events_append_only_u BEFORE UPDATE ON incident_events BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END;
CREATE TRIGGER incident_events_append_only_d BEFORE DELETE ON incident_events BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END;
CREATE TRIGGER inquiry_events_append_only_u BEFORE UPDATE ON inquiry_events BEGIN SELECT RAISE(ABORT, 'inquiry_events is append-only'); END;
CREATE TRIGGER inquiry_events_append_only_d BEFORE DELETE ON inquiry_events BEGIN SELECT RAISE(ABORT, 'inquiry_events is append-only'); END;
CREATE TRIGGER problem_events_append_only_u BEFORE UPDATE ON problem_events BEGIN SELECT RAISE(ABORT, 'problem_events is append-only'); END;
CREATE TRIGGER problem_events_append_only_d BEFORE DELETE ON problem_events BEGIN SELECT RAISE(ABORT, 'problem_events is append-only'); END;
CREATE TRIGGER job_run_events_append_only_u BEFORE UPDATE ON job_run_events BEGIN SELECT RAISE(ABORT, 'job_run_events is append-only'); END;
CREATE TRIGGER job_run_events_append_only_d BEFORE DELETE ON job_run_events BEGIN SELECT RAISE(ABORT, 'job_run_events is append-only'); END;
CREATE TRIGGER job_deliveries_append_only_u BEFORE UPDATE ON job_deliveries BEGIN SELECT RAISE(ABORT, 'job_deliveries is append-only'); END;
CREATE TRIGGER job_deliveries_append_only_d BEFORE DELETE ON job_deliveries BEGIN SELECT RAISE(ABORT, 'job_deliveries is append-only'); END;
CREATE TRIGGER change_events_append_only_u BEFORE UPDATE ON change_events BEGIN SELECT RAISE(ABORT, 'change_events is append-only'); END;
CREATE TRIGGER change_events_append_only_d BEFORE DELETE ON change_events BEGIN SELECT RAISE(ABORT, 'change_events is append-only'); END;
CREATE TRIGGER host_metrics_append_only_u BEFORE UPDATE ON host_metrics BEGIN SELECT RAISE(ABORT, 'host_metrics is append-only'); END;
CREATE TRIGGER host_metrics_append_only_d BEFORE DELETE ON host_metrics BEGIN SELECT RAISE(ABORT, 'host_metrics is append-only'); END;
CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
