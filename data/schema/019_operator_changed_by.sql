-- Issue 14: a role change that arrives by sync counts only if a manager made it.
-- Each version of an operator row now says who wrote it (the operator id of the
-- person signed in; NULL on rows written before this column, and for the first
-- operator of a store, whom nobody registered). A pulled version that changes
-- role, active or deleted is applied only when changed_by is an active manager
-- in the pulling store (src/sync_pull.c); otherwise it is refused and listed
-- as a sync conflict.
ALTER TABLE operators ADD COLUMN changed_by TEXT;
