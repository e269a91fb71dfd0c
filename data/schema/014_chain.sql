-- Issue 14: records no one can rewrite unseen (src/store_chain.c, src/chain.c).
-- Every row of the ledgers is chained: per origin, a link's hash is
-- SHA-256(previous link's hash of that origin || SHA-256(canonical form of the row)).
-- Append-only rows get one link each; a mutable row gets a link (its state) each time a
-- transaction writes it. The triggers below only note which rows a transaction
-- touched (local_chain_dirty, by table number: the order of the list in
-- src/store_chain.c, never to change); store_commit seals them before COMMIT.
-- Tables local_*: this console's bookkeeping, never synced; `unyo audit export` writes
-- the links for an auditor. Rows that exist before this migration are chained once at
-- the open that applies it.
CREATE TABLE local_chain (
  seq INTEGER PRIMARY KEY,      -- arrival order on this console
  o INTEGER NOT NULL,           -- local_chain_heads.o of the row's origin
  t INTEGER NOT NULL,           -- table number
  row_id TEXT NOT NULL,
  ncol INTEGER NOT NULL,        -- how many of the table's columns the digest covers
  digest BLOB NOT NULL,         -- SHA-256 of the row's canonical form
  hash BLOB NOT NULL,           -- SHA-256(previous hash of origin o || digest)
  late INTEGER                  -- 1: the row was written outside a unyo transaction
);
-- The newest link of each row (what `audit verify` compares the row with).
CREATE TABLE local_chain_rows (
  t INTEGER NOT NULL, row_id TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (t, row_id)
) WITHOUT ROWID;
CREATE TABLE local_chain_heads (
  o INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE, seq INTEGER NOT NULL, hash BLOB NOT NULL
);
CREATE TABLE local_chain_dirty (n INTEGER PRIMARY KEY, t INTEGER NOT NULL, row_id TEXT NOT NULL);

CREATE TRIGGER local_chain_audit_ai AFTER INSERT ON audit BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(0, new.id); END;
CREATE TRIGGER local_chain_incident_events_ai AFTER INSERT ON incident_events BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(1, new.id); END;
CREATE TRIGGER local_chain_inquiry_events_ai AFTER INSERT ON inquiry_events BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(2, new.id); END;
CREATE TRIGGER local_chain_problem_events_ai AFTER INSERT ON problem_events BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(3, new.id); END;
CREATE TRIGGER local_chain_change_events_ai AFTER INSERT ON change_events BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(4, new.id); END;
CREATE TRIGGER local_chain_job_run_events_ai AFTER INSERT ON job_run_events BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(5, new.id); END;
CREATE TRIGGER local_chain_checklist_events_ai AFTER INSERT ON checklist_events BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(6, new.id); END;
CREATE TRIGGER local_chain_host_metrics_ai AFTER INSERT ON host_metrics BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(7, new.id); END;
CREATE TRIGGER local_chain_job_deliveries_ai AFTER INSERT ON job_deliveries BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(8, new.id); END;
CREATE TRIGGER local_chain_operators_ai AFTER INSERT ON operators BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(9, new.id); END;
CREATE TRIGGER local_chain_operators_au AFTER UPDATE ON operators BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(9, new.id); END;
CREATE TRIGGER local_chain_libraries_ai AFTER INSERT ON libraries BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(10, new.id); END;
CREATE TRIGGER local_chain_libraries_au AFTER UPDATE ON libraries BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(10, new.id); END;
CREATE TRIGGER local_chain_hosts_ai AFTER INSERT ON hosts BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(11, new.id); END;
CREATE TRIGGER local_chain_hosts_au AFTER UPDATE ON hosts BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(11, new.id); END;
CREATE TRIGGER local_chain_templates_ai AFTER INSERT ON templates BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(12, new.id); END;
CREATE TRIGGER local_chain_templates_au AFTER UPDATE ON templates BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(12, new.id); END;
CREATE TRIGGER local_chain_incidents_ai AFTER INSERT ON incidents BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(13, new.id); END;
CREATE TRIGGER local_chain_incidents_au AFTER UPDATE ON incidents BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(13, new.id); END;
CREATE TRIGGER local_chain_inquiries_ai AFTER INSERT ON inquiries BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(14, new.id); END;
CREATE TRIGGER local_chain_inquiries_au AFTER UPDATE ON inquiries BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(14, new.id); END;
CREATE TRIGGER local_chain_problems_ai AFTER INSERT ON problems BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(15, new.id); END;
CREATE TRIGGER local_chain_problems_au AFTER UPDATE ON problems BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(15, new.id); END;
CREATE TRIGGER local_chain_knowledge_ai AFTER INSERT ON knowledge BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(16, new.id); END;
CREATE TRIGGER local_chain_knowledge_au AFTER UPDATE ON knowledge BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(16, new.id); END;
CREATE TRIGGER local_chain_links_ai AFTER INSERT ON links BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(17, new.id); END;
CREATE TRIGGER local_chain_links_au AFTER UPDATE ON links BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(17, new.id); END;
CREATE TRIGGER local_chain_jobs_ai AFTER INSERT ON jobs BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(18, new.id); END;
CREATE TRIGGER local_chain_jobs_au AFTER UPDATE ON jobs BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(18, new.id); END;
CREATE TRIGGER local_chain_job_deps_ai AFTER INSERT ON job_deps BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(19, new.id); END;
CREATE TRIGGER local_chain_job_deps_au AFTER UPDATE ON job_deps BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(19, new.id); END;
CREATE TRIGGER local_chain_job_runs_ai AFTER INSERT ON job_runs BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(20, new.id); END;
CREATE TRIGGER local_chain_job_runs_au AFTER UPDATE ON job_runs BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(20, new.id); END;
CREATE TRIGGER local_chain_changes_ai AFTER INSERT ON changes BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(21, new.id); END;
CREATE TRIGGER local_chain_changes_au AFTER UPDATE ON changes BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(21, new.id); END;
CREATE TRIGGER local_chain_change_steps_ai AFTER INSERT ON change_steps BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(22, new.id); END;
CREATE TRIGGER local_chain_change_steps_au AFTER UPDATE ON change_steps BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(22, new.id); END;
CREATE TRIGGER local_chain_config_items_ai AFTER INSERT ON config_items BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(23, new.id); END;
CREATE TRIGGER local_chain_config_items_au AFTER UPDATE ON config_items BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(23, new.id); END;
CREATE TRIGGER local_chain_shifts_ai AFTER INSERT ON shifts BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(24, new.id); END;
CREATE TRIGGER local_chain_shifts_au AFTER UPDATE ON shifts BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(24, new.id); END;
CREATE TRIGGER local_chain_handovers_ai AFTER INSERT ON handovers BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(25, new.id); END;
CREATE TRIGGER local_chain_handovers_au AFTER UPDATE ON handovers BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(25, new.id); END;
CREATE TRIGGER local_chain_ssh_sessions_ai AFTER INSERT ON ssh_sessions BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(26, new.id); END;
CREATE TRIGGER local_chain_ssh_sessions_au AFTER UPDATE ON ssh_sessions BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(26, new.id); END;
CREATE TRIGGER local_chain_handover_items_ai AFTER INSERT ON handover_items BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(27, new.id); END;
CREATE TRIGGER local_chain_handover_items_au AFTER UPDATE ON handover_items BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(27, new.id); END;
CREATE TRIGGER local_chain_change_effects_ai AFTER INSERT ON change_effects BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(28, new.id); END;
CREATE TRIGGER local_chain_change_effects_au AFTER UPDATE ON change_effects BEGIN INSERT INTO local_chain_dirty(t, row_id) VALUES(28, new.id); END;
-- The rows already there, chained by the open that applies this migration.
INSERT INTO local_chain_dirty(t, row_id) SELECT 0, id FROM audit ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 1, id FROM incident_events ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 2, id FROM inquiry_events ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 3, id FROM problem_events ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 4, id FROM change_events ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 5, id FROM job_run_events ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 6, id FROM checklist_events ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 7, id FROM host_metrics ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 8, id FROM job_deliveries ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 9, id FROM operators ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 10, id FROM libraries ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 11, id FROM hosts ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 12, id FROM templates ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 13, id FROM incidents ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 14, id FROM inquiries ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 15, id FROM problems ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 16, id FROM knowledge ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 17, id FROM links ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 18, id FROM jobs ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 19, id FROM job_deps ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 20, id FROM job_runs ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 21, id FROM changes ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 22, id FROM change_steps ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 23, id FROM config_items ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 24, id FROM shifts ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 25, id FROM handovers ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 26, id FROM ssh_sessions ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 27, id FROM handover_items ORDER BY hlc, id;
INSERT INTO local_chain_dirty(t, row_id) SELECT 28, id FROM change_effects ORDER BY hlc, id;
