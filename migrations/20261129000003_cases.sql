-- The closed loop: cases, their assignments to departments, and the append-only,
-- hash-chained history of everything that happened to them.

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    tracking_code TEXT NOT NULL UNIQUE,
    client_token TEXT UNIQUE,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    resume_state TEXT,
    representative_id TEXT REFERENCES representatives (id),
    unit_id TEXT REFERENCES units (id),
    region_id TEXT NOT NULL REFERENCES regions (id),
    region_path TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    citizen_name TEXT NOT NULL,
    citizen_mobile TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL,
    address TEXT NOT NULL,
    ack_due TEXT NOT NULL,
    answer_due TEXT,
    acknowledged_at BIGINT,
    answer TEXT NOT NULL,
    answered_at BIGINT,
    rating_until TEXT,
    citizen_grade TEXT,
    reopen_count BIGINT NOT NULL,
    merged_into TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX cases_region_path ON cases (region_path);
CREATE INDEX cases_representative ON cases (representative_id);
CREATE INDEX cases_unit ON cases (unit_id);
CREATE INDEX cases_state ON cases (state);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    due_date TEXT NOT NULL,
    requested_due TEXT,
    note TEXT NOT NULL,
    result TEXT NOT NULL,
    grade TEXT,
    rework_count BIGINT NOT NULL,
    returned BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    completed_at BIGINT
);
CREATE INDEX assignments_case ON assignments (case_id);
CREATE INDEX assignments_department ON assignments (department_id, state);

-- One row: the head of the history chain. Updating it serialises appends.
CREATE TABLE chain_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, 'genesis');

CREATE TABLE case_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    assignment_id TEXT NOT NULL,
    note TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, seq);
