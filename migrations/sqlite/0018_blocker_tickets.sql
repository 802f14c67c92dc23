-- 0018 blocker tickets (sqlite): a blocker works like a ticket. It may be assigned to a named
-- officer of the department it is with (kept on the row, so "assigned to me" is a filter;
-- the assignment itself is an event like every other step), and files travel with it:
-- each attachment is stored whole with the event it came with (the raise, or a comment),
-- its kind found from its content (luodi-domain/src/stewardship/attachment.rs), its size
-- and SHA-256 kept beside it, and marked internal when it came with an internal note, so
-- that the enterprise never reads it by any route.
-- Keep in step with ../postgres/0018_blocker_tickets.sql.

ALTER TABLE blockers ADD COLUMN assignee_user_id INTEGER REFERENCES users (id);
CREATE INDEX blockers_assignee ON blockers (assignee_user_id);

CREATE TABLE blocker_attachments (
    id INTEGER PRIMARY KEY,
    blocker_id INTEGER NOT NULL REFERENCES blockers (id),
    seq INTEGER NOT NULL,
    internal INTEGER NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    user_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX blocker_attachments_blocker ON blocker_attachments (blocker_id, seq);
