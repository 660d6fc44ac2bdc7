-- The station-management list orders a subtree's stations by activity (active first,
-- then the longest without a case). With the order's columns beside region_id in one
-- index, the list and the idle count read each region's stations from the index alone
-- instead of every station's row. It replaces units_region, whose lookups it serves
-- the same way (region_id first). Indexes only: no row changes.
CREATE INDEX units_region_activity ON units (region_id, active, last_case_day, name, id);
DROP INDEX units_region;
