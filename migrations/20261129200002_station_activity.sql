-- The cockpit's station management asks, per station, how many cases it received lately.
CREATE INDEX agg_person_unit ON agg_person (unit_id, day);
