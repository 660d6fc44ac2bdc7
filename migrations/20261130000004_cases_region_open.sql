-- The cockpit's overdue and due-soon lists of a town or county read the region's own cases
-- (db::cases::open_due_between with `narrow`): with the columns that decide whether a case
-- is open and when it is next due beside region_path, they are answered from this index
-- alone, then the few listed cases read whole; before, they walked the whole province's
-- open cases by due date to find a small region's few. It replaces cases_region_path,
-- whose lookups it serves the same way (region_path first). Indexes only: no row changes.
CREATE INDEX cases_region_open ON cases (region_path, state, acknowledged_at, ack_due, answer_due, created_at, id);
DROP INDEX cases_region_path;
