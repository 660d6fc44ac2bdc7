-- The cockpit's station management at the root lists the first 200 stations of the
-- whole installation in this order (inactive last, the least recently active first):
-- walked in the index's order instead of sorting every station of the province twice
-- (db::aggregates::stations and db::meetings::reception_counts). A region below keeps
-- units_region_activity. Index only: no row changes.
CREATE INDEX units_activity ON units (active DESC, last_case_day, name, id);
