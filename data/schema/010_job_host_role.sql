-- Issue 13: a job definition may name the role of the host it runs on (AP, DB,
-- backup, ... as hosts.role) besides, or instead of, a host name. Loading places
-- the job on the inventory's only host of that role; a job with a command that
-- cannot be placed is kept with host_id NULL ("needs a host", 対象ホスト未割当)
-- and never runs until a person assigns a host (`unyo jobs assign JOB HOST`).
ALTER TABLE jobs ADD COLUMN host_role TEXT;
