-- Issue 17: the SLA of each step stored on the incident, so SQL on the central
-- database can report it (the ledger.sla_monthly view). Written by the core with
-- the incident's state at every change that moves a clock (src/incidents.c):
-- *_due is the instant the step's target falls due, counted in service hours with
-- paused time left out (ISO UTC; NULL for a draft or while paused); *_result is
-- 'met' or 'missed' once the step is done (NULL while it runs). Steps: ack =
-- acknowledge, first = first_response, recovery. No CHECK: a value a console
-- pulls must never stop the pull.
ALTER TABLE incidents ADD COLUMN sla_ack_due TEXT;
ALTER TABLE incidents ADD COLUMN sla_ack_result TEXT;
ALTER TABLE incidents ADD COLUMN sla_first_due TEXT;
ALTER TABLE incidents ADD COLUMN sla_first_result TEXT;
ALTER TABLE incidents ADD COLUMN sla_recovery_due TEXT;
ALTER TABLE incidents ADD COLUMN sla_recovery_result TEXT;
