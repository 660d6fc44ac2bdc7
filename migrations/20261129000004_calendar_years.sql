-- Working-day calendar years added or corrected by an administrator; they take
-- precedence over the years shipped in calendars/.
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source_text TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
