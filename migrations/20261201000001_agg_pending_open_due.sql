-- The open cases by due day (open_due) of a new case are counted by the fold too
-- (issue #5): the intake notes the case's region path and due date here instead of adding
-- one to a row under each region above it. Rows written before this migration have them
-- NULL: the intake that wrote them had already counted their cases in open_due.
ALTER TABLE agg_pending ADD COLUMN open_path TEXT;
ALTER TABLE agg_pending ADD COLUMN open_due TEXT;
