-- The submissions whose cockpit counters are still to be added (issue #5). The intake
-- writes each new case's row here, in the transaction that stores the case, instead of
-- adding about 80 counter rows spread over the counter tables; a fold
-- (actions::cockpit::fold_pending) adds a few thousand of them at once and deletes them,
-- every second in `serve` and before the cockpit is read. `seq` is the case's submission
-- event (case_events.seq), so rows are appended in order; `words` are the case's hot words
-- as the intake segmented them, a JSON array. A rebuild counts these cases from their
-- history and empties the table in the transaction that swaps the counters in.
CREATE TABLE agg_pending (
    seq BIGINT PRIMARY KEY,
    case_id TEXT NOT NULL,
    words TEXT NOT NULL
);
