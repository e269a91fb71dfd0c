-- Issue 13: how unyo reaches a host. 'ssh' (every host added by a person or
-- imported from ~/.ssh/config) connects over SSH; 'local' runs the host's
-- checks and jobs on this machine with sh -c: the demo store's hosts, whose
-- 10.x addresses are examples, so that no button of the demo reaches out.
ALTER TABLE hosts ADD COLUMN transport TEXT NOT NULL DEFAULT 'ssh'
  CHECK (transport IN ('ssh', 'local'));
