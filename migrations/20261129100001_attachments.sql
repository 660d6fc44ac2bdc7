-- Photos and voice messages a citizen attaches to a case. The files live in the
-- data folder (attachments/<id>, and attachments/<id>.thumb for a photo's
-- thumbnail), written before the case's transaction commits; a row here means its
-- files are complete. Photos are stored re-encoded as JPEG, without EXIF or GPS.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX attachments_case ON attachments (case_id, position);
