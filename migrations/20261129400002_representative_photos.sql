-- A representative's photo: a re-encoded JPEG (and its thumbnail) in the data folder's
-- attachments/, named by photo_id. A new photo replaces the link; the old file is kept.
CREATE TABLE representative_photos (
    representative_id TEXT PRIMARY KEY REFERENCES representatives (id),
    photo_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
