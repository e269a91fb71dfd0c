-- Issue 16, JP1-grade control: start conditions (src/job_conditions.c).
-- Waiting for a file (JP1's file monitoring with its close check): a job may name a file
-- (a path or a glob) on its host, `wait_stable` the seconds its size must stay the same,
-- `wait_until` (HH:MM JST) the cut-off. The run records the file last seen (wait_path,
-- wait_size, since wait_since) and when it was found settled (wait_found; NULL: not yet).
-- Judgement jobs (判定ジョブ): `run_when` is the condition ("J1 exit == 0", "file /p
-- exists"); judged_at is when it held (the run may start). A run waiting for its file is
-- in state 'file_wait', one whose file did not come by the cut-off 'not_arrived' (未着),
-- one whose condition did not hold 'judged_out' (判定で実行せず).
ALTER TABLE jobs ADD COLUMN wait_file TEXT;
ALTER TABLE jobs ADD COLUMN wait_stable INTEGER;
ALTER TABLE jobs ADD COLUMN wait_until TEXT;
ALTER TABLE jobs ADD COLUMN run_when TEXT;
ALTER TABLE job_runs ADD COLUMN wait_path TEXT;
ALTER TABLE job_runs ADD COLUMN wait_size INTEGER;
ALTER TABLE job_runs ADD COLUMN wait_since TEXT;
ALTER TABLE job_runs ADD COLUMN wait_found TEXT;
ALTER TABLE job_runs ADD COLUMN judged_at TEXT;
