-- The departments' counters summed under each top-level region, as 20261130000006 did for
-- stations and representatives: agg_departments has no dimension column, so these rows
-- are filed under the top-level region's path marked with '+' ('+/a/'; a region path
-- starts with '/', so no region's own rows are ever read as them; db::aggregates::TOP_MARK).
-- The cockpit of the whole installation or of a province reads them instead of seeking
-- the rows of every region path below. Filled here from the rows they sum. Adds rows only.
INSERT INTO agg_departments (region_path, grain, bucket, department_id, assigned, returned, reworked,
    ext_requested, ext_granted, submitted, submitted_on_time, completed, rated_satisfied, rated_basic,
    rated_unsatisfied)
SELECT '+' || t.path, a.grain, a.bucket, a.department_id,
    SUM(a.assigned), SUM(a.returned), SUM(a.reworked), SUM(a.ext_requested), SUM(a.ext_granted),
    SUM(a.submitted), SUM(a.submitted_on_time), SUM(a.completed), SUM(a.rated_satisfied), SUM(a.rated_basic),
    SUM(a.rated_unsatisfied)
FROM agg_departments a JOIN regions t ON t.parent_id IS NULL AND substr(a.region_path, 1, length(t.path)) = t.path
GROUP BY t.path, a.grain, a.bucket, a.department_id;
