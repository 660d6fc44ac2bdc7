-- Tokens for programs (`Authorization: Bearer …`). Each acts as one staff account,
-- with that account's role and scope; only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The stored answer to a POST under /api/v1 sent with an Idempotency-Key, per
-- principal, so that a repeated request gets the same answer and does nothing twice.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
