-- Issue 15: two levels for a check (src/checks.c: a check's `warn` and `crit`
-- thresholds beside its `condition`). A check result's level: 'ok', 'warn' (警告:
-- recorded as status 'ng', opens no incident draft, shown and counted apart from
-- NG) or 'crit' (異常: today's NG). NULL for marks by hand, skipped results and
-- every result recorded before this migration (read as 'crit' when the status is
-- 'ng', else 'ok'). An acknowledgement "until worse" made at WARN (the level of
-- check_acks.event_id's result) ends when a result is CRIT (ended_reason 'worse').
-- No CHECK: a value a console pulls must never stop the pull.
ALTER TABLE checklist_events ADD COLUMN level TEXT;
