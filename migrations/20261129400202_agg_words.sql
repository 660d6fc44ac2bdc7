-- The cockpit's hot words (issue #5): per cohort day and region path, how many cases
-- gave each word (domain::words). Kept in the transaction that files a case
-- (actions::cockpit::record_event), rebuilt with the other counters.
CREATE TABLE agg_words (
    day TEXT NOT NULL,
    region_path TEXT NOT NULL,
    word TEXT NOT NULL,
    cases BIGINT NOT NULL,
    PRIMARY KEY (day, region_path, word)
);
CREATE INDEX agg_words_path ON agg_words (region_path, day);
