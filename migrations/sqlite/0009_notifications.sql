-- 0009 notifications (SQLite): each user's in-app inbox. A notification is written in
-- the same transaction as what it tells of (a blocker raised, answered, escalated …), so
-- it exists exactly when that happened: an escalation made once, whichever server made
-- it, is told once. `read_at` is set when its user reads it.
-- Keep in step with ../postgres/0009_notifications.sql.

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
