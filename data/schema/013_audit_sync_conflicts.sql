-- Issue 16: sync conflicts are work items read from the audit trail (action
-- 'sync.conflict', src/sync_conflicts.c); the console counts the open ones on
-- every store change. A partial index keeps that count from scanning the whole
-- audit table (a million rows: ~0.1 s of CPU each time, now a few rows).
CREATE INDEX audit_sync_conflict ON audit(kind, row_id) WHERE action = 'sync.conflict';
