-- The day (China time, YYYY-MM-DD) the last case addressed to a station came, kept as
-- cases come (with the cockpit's counters), so the station-management list ranks every
-- station of a province by its last activity without a seek per station. '' for never.
-- Filled here from the counters: only derived data is read; nothing is dropped.
ALTER TABLE units ADD COLUMN last_case_day TEXT NOT NULL DEFAULT '';
UPDATE units SET last_case_day = COALESCE(
    (SELECT MAX(a.bucket) FROM agg_cases a WHERE a.key = units.id AND a.dim = 'unit' AND a.grain = 'd'), '');
