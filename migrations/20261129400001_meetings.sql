-- Meetings (督政议事 · 民生议事堂): a supervision, deliberation or consultation meeting
-- held by a station or studio. A meeting is never deleted: it is cancelled.
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    place TEXT NOT NULL,
    agenda TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX meetings_unit ON meetings (unit_id, starts_at);

-- A case sent from a meeting's code names that meeting (at most one per case).
CREATE TABLE case_meetings (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id)
);
CREATE INDEX case_meetings_meeting ON case_meetings (meeting_id);
