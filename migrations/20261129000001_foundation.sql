-- The people and places of minyi. Written in the SQL that SQLite and PostgreSQL
-- both accept. Times are integer milliseconds UTC; ids are made by the application.

CREATE TABLE regions (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id TEXT REFERENCES regions (id),
    path TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_id);
CREATE INDEX regions_path ON regions (path);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    studio_kind TEXT,
    name TEXT NOT NULL,
    region_id TEXT NOT NULL REFERENCES regions (id),
    address TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    reception_days TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    service_fields TEXT NOT NULL,
    sector TEXT NOT NULL,
    online BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX units_region ON units (region_id);

CREATE TABLE representatives (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    level TEXT,
    sector TEXT NOT NULL,
    region_id TEXT NOT NULL REFERENCES regions (id),
    title TEXT NOT NULL,
    mobile TEXT NOT NULL,
    profile TEXT NOT NULL,
    photo TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX representatives_region ON representatives (region_id);

CREATE TABLE unit_representatives (
    unit_id TEXT NOT NULL REFERENCES units (id),
    representative_id TEXT NOT NULL REFERENCES representatives (id),
    PRIMARY KEY (unit_id, representative_id)
);
CREATE INDEX unit_representatives_rep ON unit_representatives (representative_id);

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    region_id TEXT NOT NULL REFERENCES regions (id),
    fields TEXT NOT NULL,
    supervising_office TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX departments_region ON departments (region_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    region_id TEXT REFERENCES regions (id),
    unit_id TEXT REFERENCES units (id),
    department_id TEXT REFERENCES departments (id),
    representative_id TEXT REFERENCES representatives (id),
    active BOOLEAN NOT NULL,
    password_changed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins, for throttling per account and per address.
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

-- What administrators did: every change to people and places, every reset, every import.
CREATE TABLE admin_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_label TEXT NOT NULL,
    region_path TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX admin_log_at ON admin_log (at);

-- An uploaded spreadsheet that passed every check, waiting for the person to commit it.
CREATE TABLE import_batches (
    id TEXT PRIMARY KEY,
    resource TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    file_name TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    committed_at BIGINT
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
