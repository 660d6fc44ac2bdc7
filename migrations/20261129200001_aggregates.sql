-- The cockpit's aggregates (issue #5). Every counter is filed under the day its case
-- was received (the cohort day, China time) and the case's region path, so a region
-- subtree is one `region_path LIKE '/a/b/%'` range. They are maintained in the
-- transaction that appends each case event (actions::cockpit::record_event) and can be
-- rebuilt from the history (`minyi cockpit rebuild`).

-- Per region, channel and category.
CREATE TABLE agg_region (
    day TEXT NOT NULL,
    region_path TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
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
    PRIMARY KEY (day, region_path, channel, category)
);
CREATE INDEX agg_region_path ON agg_region (region_path, day);

-- Per station (unit) and representative the case was addressed to ('' when none).
CREATE TABLE agg_person (
    day TEXT NOT NULL,
    region_path TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    representative_id TEXT NOT NULL,
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
    PRIMARY KEY (day, region_path, unit_id, representative_id)
);
CREATE INDEX agg_person_path ON agg_person (region_path, day);

-- Per department the case was assigned to, filed under the case's region.
CREATE TABLE agg_department (
    day TEXT NOT NULL,
    region_path TEXT NOT NULL,
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
    PRIMARY KEY (day, region_path, department_id)
);
CREATE INDEX agg_department_path ON agg_department (region_path, day);
