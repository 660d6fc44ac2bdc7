-- The cockpit's counters rolled up (issue #5), replacing the per-day, per-region rows of
-- 20261129200001 and 20261129400202, which a province-wide view had to sum row by row.
--
-- Every counter is filed twice, under the day its case was received (grain 'd', bucket
-- YYYY-MM-DD, China time) and under that day's month (grain 'm', bucket YYYY-MM), so a
-- period is summed from its whole months and the days of its ragged ends
-- (domain::rates::Period::buckets).
--
-- agg_cases, by `dim`:
--   'child', 'channel', 'category': filed under EVERY region path above and at the
--       case's own (and '/'), keyed by the child region the case lies under ('' for a
--       case filed at that region itself), its channel, its category. A view of one
--       region reads only the rows with that exact region_path.
--   'unit', 'rep': filed under the case's own region path, keyed by the station and the
--       representative it was addressed to; a subtree is a region_path LIKE range.
-- agg_departments: per department the case was assigned to, under the case's own path.
-- agg_hot_words: cases per hot word, under every region path above the case, like 'child'.
--
-- These are derived from case_events alone and hold nothing a person entered: the old
-- tables are emptied and dropped here, and `minyi migrate` / `serve` refill the new ones
-- from the history (actions::cockpit::rebuild_aggregates) when they find them empty.

CREATE TABLE agg_cases (
    dim TEXT NOT NULL,
    region_path TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    received BIGINT NOT NULL,
    acknowledged BIGINT NOT NULL,
    ack_on_time BIGINT NOT NULL,
    answered_direct BIGINT NOT NULL,
    forwarded BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    answered_on_time BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    solved BIGINT NOT NULL,
    withdrawn BIGINT NOT NULL,
    merged BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    citizen_satisfied BIGINT NOT NULL,
    citizen_basic BIGINT NOT NULL,
    citizen_unsatisfied BIGINT NOT NULL,
    rep_satisfied BIGINT NOT NULL,
    rep_basic BIGINT NOT NULL,
    rep_unsatisfied BIGINT NOT NULL,
    rated_both BIGINT NOT NULL,
    disagree BIGINT NOT NULL,
    returns BIGINT NOT NULL,
    reworks BIGINT NOT NULL,
    extensions BIGINT NOT NULL,
    PRIMARY KEY (dim, region_path, grain, bucket, key)
);
-- One station's or one representative's counters over a period.
CREATE INDEX agg_cases_key ON agg_cases (key, dim, grain, bucket);

CREATE TABLE agg_departments (
    region_path TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket TEXT NOT NULL,
    department_id TEXT NOT NULL,
    assigned BIGINT NOT NULL,
    returned BIGINT NOT NULL,
    reworked BIGINT NOT NULL,
    ext_requested BIGINT NOT NULL,
    ext_granted BIGINT NOT NULL,
    submitted BIGINT NOT NULL,
    submitted_on_time BIGINT NOT NULL,
    completed BIGINT NOT NULL,
    rated_satisfied BIGINT NOT NULL,
    rated_basic BIGINT NOT NULL,
    rated_unsatisfied BIGINT NOT NULL,
    PRIMARY KEY (region_path, grain, bucket, department_id)
);

CREATE TABLE agg_hot_words (
    region_path TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket TEXT NOT NULL,
    word TEXT NOT NULL,
    cases BIGINT NOT NULL,
    PRIMARY KEY (region_path, grain, bucket, word)
);

DROP TABLE agg_region;
DROP TABLE agg_person;
DROP TABLE agg_department;
DROP TABLE agg_words;
