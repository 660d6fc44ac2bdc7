-- The cockpit's station view sums each representative's counters over a period.
CREATE INDEX agg_person_representative ON agg_person (representative_id, day);
