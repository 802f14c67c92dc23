-- 0011 outbox (sqlite): notifications that leave Luodi (email, webhooks), written in the
-- transaction of the notification, so a thing told once inside Luodi is sent once outside
-- it. A server's deliverer takes a row by setting a lease (lease_until, lease_token) with a
-- compare-and-set, so two servers never send the same row at once; a failed send is retried
-- later (next_attempt_at) until it succeeds or its attempts run out (state 'failed').
-- The zone says what goes out in zones.outbound_json (none: nothing).
-- Keep in step with ../postgres/0011_outbox.sql.

ALTER TABLE zones ADD COLUMN outbound_json TEXT;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    message_json TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,
    lease_token TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_zone ON outbox (zone_id, id);
