-- The deadline sweep reads, every five minutes, the open work due by its horizon
-- (db::cases::open_cases_due_by, open_assignments_due_by). It found the cases through
-- cases_state, walking every case still 'received' or 'acknowledged' and reading each
-- row for its answer_due: on a county with a million and more open cases that took
-- seconds of a reader's time for a few thousand due. These two partial indexes hold the
-- open work only, by due date, so the sweep reads the range it wants. cases_state served
-- the sweep alone (the inbox's filters cannot use it); it goes. Indexes only: no row
-- changes.
CREATE INDEX cases_answer_due ON cases (answer_due, id)
    WHERE state IN ('received', 'acknowledged') AND answer_due IS NOT NULL;
CREATE INDEX assignments_open_due ON assignments (due_date, id) WHERE state IN ('pending', 'accepted');
DROP INDEX cases_state;
