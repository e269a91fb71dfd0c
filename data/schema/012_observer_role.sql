-- Issue 14: an observer role (sees every pane and report, changes nothing: a store the
-- acting observer opens is read-only, see store.h). The role's CHECK constraint gains
-- 'observer'. SQLite cannot alter a CHECK constraint, and rebuilding operators would
-- touch every table that references it; widening the constraint is the in-place edit
-- of the table's definition that SQLite's ALTER TABLE documentation allows for it
-- (no row can violate a wider constraint). schema_version is bumped by the edit.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, 'CHECK (role IN (''operator'',''engineer'',''manager''))',
                          'CHECK (role IN (''operator'',''engineer'',''manager'',''observer''))')
 WHERE type = 'table' AND name = 'operators';
PRAGMA writable_schema = OFF;
