-- Issue 16, JP1-grade control. Substitute days (振替): a job definition may say what
-- its run does when its date is a closed day of the service calendar (`closed_day`):
-- NULL or 'after' moves it to the next service day (what every job did before),
-- 'before' to the service day before, 'skip' drops it. A moved run keeps the date it
-- stands for in job_runs.nominal_day (NULL: not moved), shown as "振替: 12/29 → 12/28".
-- Odd durations: a succeeded run much slower or faster than the median of its job's
-- last 20 succeeded runs (src/job_duration.c) is marked when it ends: duration_flag
-- 'slow' or 'fast', with usual_ms the median it was compared with.
ALTER TABLE jobs ADD COLUMN closed_day TEXT
  CHECK (closed_day IS NULL OR closed_day IN ('after', 'before', 'skip'));
ALTER TABLE job_runs ADD COLUMN nominal_day TEXT;
ALTER TABLE job_runs ADD COLUMN duration_flag TEXT
  CHECK (duration_flag IS NULL OR duration_flag IN ('slow', 'fast'));
ALTER TABLE job_runs ADD COLUMN usual_ms INTEGER;
