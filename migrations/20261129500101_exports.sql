-- Background exports: a list (the case list with its filter, or an administrator's
-- record list) written to CSV or XLSX files in the data folder by a runner task, page
-- by page, split into parts of at most so many rows. A job is never deleted.

CREATE TABLE exports (
    id TEXT PRIMARY KEY,
    owner_user_id TEXT NOT NULL,              -- only the owner sees it and its files
    subject TEXT NOT NULL,                    -- 'cases' or a record list: 'units', 'representatives', …
    params TEXT NOT NULL DEFAULT '',          -- the list's filter, as JSON (the case list's query)
    format TEXT NOT NULL,                     -- 'csv' | 'xlsx'
    lang TEXT NOT NULL,                       -- the language of headers and labels
    state TEXT NOT NULL,                      -- 'queued' | 'running' | 'done' | 'failed'
    rows_done BIGINT NOT NULL DEFAULT 0,
    rows_total BIGINT NOT NULL DEFAULT 0,     -- counted when the run starts; the files hold rows_done
    part_rows BIGINT NOT NULL,                -- at most this many rows a part (file)
    parts BIGINT NOT NULL DEFAULT 0,          -- the number of finished parts
    attempts BIGINT NOT NULL DEFAULT 0,       -- runs started (a crash leaves one to be started again)
    claimed_by TEXT,                          -- the runner holding it while running
    claimed_until BIGINT,                     -- its lease; after this another runner may start it again
    error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX exports_owner ON exports (owner_user_id, created_at);
CREATE INDEX exports_state ON exports (state, created_at);

-- The export reads the case list oldest first by a key that never changes.
CREATE INDEX cases_created ON cases (created_at, id);
