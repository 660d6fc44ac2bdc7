-- Outbound webhooks for integrators: a subscription to case events, with an optional
-- filter, managed by the system administrator. Each matching case event writes one
-- outbox row (channel 'webhook') naming its subscription, in the move's transaction.

CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,                       -- the HMAC-SHA256 key
    region_id TEXT NOT NULL DEFAULT '',         -- '' = every region; else this region's subtree
    region_path TEXT NOT NULL DEFAULT '',
    unit_id TEXT NOT NULL DEFAULT '',           -- '' = every unit
    department_id TEXT NOT NULL DEFAULT '',     -- '' = every department
    event_types TEXT NOT NULL DEFAULT '',       -- comma list of move kinds; '' = every event
    state TEXT NOT NULL,                        -- 'active' | 'paused' | 'inactive' (never deleted)
    consecutive_failures BIGINT NOT NULL DEFAULT 0,  -- deliveries given up in a row
    owner_user_id TEXT NOT NULL,                -- told in the app when the subscription is paused
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Which subscription a webhook delivery is for (NULL for every other message).
ALTER TABLE outbox ADD COLUMN subscription_id TEXT;
CREATE INDEX outbox_subscription ON outbox (subscription_id, created_at);
