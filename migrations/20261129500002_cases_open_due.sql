-- The cockpit's overdue and due-soon lists (issue #5): an open case's next due date (to
-- acknowledge until acknowledged, then to answer; none once the case is no longer open),
-- with its region path, so a province's overdue cases are one index range however many
-- cases are closed. db::cases::open_due_between writes the same expression.
CREATE INDEX cases_open_due ON cases (
    (CASE WHEN state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
        THEN (CASE WHEN acknowledged_at IS NULL THEN ack_due ELSE COALESCE(answer_due, ack_due) END) END),
    created_at, id, region_path
);
