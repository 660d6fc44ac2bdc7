-- A fold of the intake's new cases carried by the intake's own batches (issue #5, SQLite).
-- `serve` sums the counters of the submissions waiting in agg_pending up to `last_seq`
-- (`cases` of them) in memory, and each intake batch adds the next few hundred of those
-- counter rows, in key order, in its own transaction: the one SQLite writer is then never
-- held by a fold for long. This row notes how many of the fold's rows are added
-- (`rows_done`), in the transaction that adds them, so a server that stops half-way sums
-- the same cases again and goes on past those rows; the batch that adds the last rows
-- deletes the cases from agg_pending and this row. At most one row (id 1).
-- Derived data only: a rebuild deletes it with agg_pending.
CREATE TABLE agg_fold (
    id BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    cases BIGINT NOT NULL,
    rows_done BIGINT NOT NULL
);
