-- Reception days (接待日) are meetings of the kind 'reception'. When one is held the
-- station records how many citizens came and which representatives received them;
-- any meeting may record the same. When a meeting is cancelled, the moment is kept, so
-- a day cancelled on or after its date still counts as planned and not held.
ALTER TABLE meetings ADD COLUMN citizens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN representatives TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN cancelled_at BIGINT;
UPDATE meetings SET cancelled_at = updated_at WHERE state = 'cancelled';

-- The cockpit counts a subtree's reception days of a period: for each unit of the
-- subtree, its reception days by time, with everything the count reads, so the
-- meetings table itself is not visited.
CREATE INDEX meetings_unit_reception ON meetings (unit_id, kind, starts_at, state, cancelled_at);
