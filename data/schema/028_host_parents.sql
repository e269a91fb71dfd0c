-- Issue 15, dependencies. A host names its parents (the core switch, the
-- hypervisor): hosts.parents, the parents' host ids separated by commas (NULL or
-- '': none). Any one parent up is a path to the host. `unyo host parents` sets it
-- (audited; unknown hosts and cycles refused). Synced and chained with the host row.
ALTER TABLE hosts ADD COLUMN parents TEXT;
-- A check result of a host whose every parent was down in the same round
-- (src/host_deps.c): the parents' names, comma-separated, "unreachable via". Such a
-- result opens no incident draft and is not counted as NG; the parent's draft names
-- it. NULL for every other result.
ALTER TABLE checklist_events ADD COLUMN unreachable_via TEXT;
-- 1 when the result is a connection failure (the host could not be reached at
-- all), which makes the host a down parent for its children. NULL otherwise.
ALTER TABLE checklist_events ADD COLUMN conn_failed INTEGER;
