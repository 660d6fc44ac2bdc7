-- How far a rebuild of the cockpit's counters has got (issue #5), so that one stopped
-- (Ctrl-C, a crash, a server restarted during its first fill) goes on from there instead
-- of starting again: at ten million cases a rebuild takes more than an hour. At most one
-- row (id 1), written in the transaction of each part of the spare counters
-- (agg_*_next) it adds, deleted when those are emptied or swapped in. `mark` is the last
-- history event the rebuild counts; `chunk_first` and `chunk_last` the region paths of
-- the chunk it was writing, `rows_done` how many of that chunk's summed rows (in key
-- order) are written; `cases_before` and `events_before` what the chunks before it
-- counted.
CREATE TABLE agg_rebuild (
    id BIGINT PRIMARY KEY,
    mark BIGINT NOT NULL,
    chunk_first TEXT NOT NULL,
    chunk_last TEXT NOT NULL,
    rows_done BIGINT NOT NULL,
    cases_before BIGINT NOT NULL,
    events_before BIGINT NOT NULL
);
