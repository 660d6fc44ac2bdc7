-- Rate limits of the citizen's form: one row per accepted submission and per key
-- (the SHA-256 of "address:<ip>" or "mobile:<number>", never the address or number
-- itself). Rows older than a day are of no use and are removed as new ones come.
CREATE TABLE intake_hits (
    key_hash TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE INDEX intake_hits_key ON intake_hits (key_hash, at);
