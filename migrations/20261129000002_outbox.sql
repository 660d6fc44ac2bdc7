-- Outbound notifications: where they may go, what is waiting to go, and what staff read
-- in the application. Written in the SQL that SQLite and PostgreSQL both accept. Times
-- are integer milliseconds UTC; ids are made by the application.

-- A place a department, a region's office or a user wants notices sent to, besides the
-- in-app inbox: an e-mail address, a DingTalk robot, or a generic JSON webhook.
CREATE TABLE notification_channels (
    id TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL,          -- 'department' | 'region' | 'user'
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,                -- 'email' | 'dingtalk' | 'webhook'
    target TEXT NOT NULL,              -- the e-mail address or the URL
    secret TEXT NOT NULL DEFAULT '',   -- DingTalk signing secret or webhook HMAC key
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX notification_channels_owner ON notification_channels (owner_kind, owner_id);

-- One message to deliver once, with its own delivery state (never the case's state).
-- The target and secret are copied in when the message is written, so a message goes
-- where it was meant to go even if the channel changes later.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    channel TEXT NOT NULL,             -- 'inbox' | 'email' | 'dingtalk' | 'webhook'
    recipient_user_id TEXT,
    target TEXT NOT NULL DEFAULT '',
    secret TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,                -- markdown or plain text
    link TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '',  -- the JSON body for DingTalk and webhooks
    dedupe_key TEXT NOT NULL UNIQUE,   -- the same notice for the same occasion is written once
    state TEXT NOT NULL,               -- 'pending' | 'sending' | 'sent' | 'failed' (given up)
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    last_response TEXT NOT NULL DEFAULT '',
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at);

-- The in-app inbox of staff. Delivering an 'inbox' outbox row writes one of these.
CREATE TABLE inbox_messages (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    read_at BIGINT
);
CREATE INDEX inbox_messages_user ON inbox_messages (user_id, created_at);

-- Administrators' own wording of a notice, overriding the built-in default of that key.
CREATE TABLE message_templates (
    key TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
