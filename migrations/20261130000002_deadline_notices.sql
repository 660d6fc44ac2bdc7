-- The deadline notices the sweep has sent, one row an occasion
-- (`deadline:{work}:{reminder|chase|escalation}:{due date}`). Every five minutes the sweep
-- looks at all open work with a deadline; this lets it pass over a notice already sent
-- with one key lookup, instead of reading its recipients and rendering it again only to
-- find its outbox rows there. Nothing is copied from the outbox: on the first sweep after
-- this, notices sent before are rendered once more, their outbox rows are found there as
-- before (nothing is sent twice), and their occasions are written here.
CREATE TABLE deadline_notices (
    occasion TEXT PRIMARY KEY,
    sent_at BIGINT NOT NULL
);
