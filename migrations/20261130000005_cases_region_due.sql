-- The cockpit's overdue and due-soon lists of a region below the root read its open cases
-- by their next due date (db::cases::open_due_between and open_due_count with `narrow`):
-- for each region path of the subtree, one range of this index, which holds the open
-- cases only. Before, cases_region_open held every case the region ever received, and a
-- town's count walked all of them. cases_region_open goes; cases_region_path
-- (region_path, id) serves the lookups by region path it also served. Indexes only: no
-- row changes.
CREATE INDEX cases_region_due ON cases (
    region_path,
    (CASE WHEN acknowledged_at IS NULL THEN ack_due ELSE COALESCE(answer_due, ack_due) END),
    created_at,
    id
) WHERE state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded');
CREATE INDEX cases_region_path ON cases (region_path, id);
DROP INDEX cases_region_open;
