-- The "2" of 1 + 2 + 8 + N: a short, stable, unguessable code for every representative
-- and unit, and how often each is scanned per day (no personal data of a scan is kept).
CREATE TABLE codes (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, target_id)
);

CREATE TABLE code_scans (
    code TEXT NOT NULL REFERENCES codes (code),
    day TEXT NOT NULL,
    scans BIGINT NOT NULL,
    PRIMARY KEY (code, day)
);
