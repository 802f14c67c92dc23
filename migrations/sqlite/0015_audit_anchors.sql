-- 0015 audit anchors (sqlite): each audit entry, and each chain's head, may carry an anchor —
-- an HMAC-SHA256 under a key the operator keeps outside the database (audit_key_file) — so
-- someone who can write to the database but lacks the key cannot edit an entry and hash
-- the rest of the chain again, nor cut its end and rewind the head, unseen. Entries written
-- before a key was configured have none; `luodi audit verify` says how many.
-- Keep in step with ../postgres/0015_audit_anchors.sql.

ALTER TABLE audit_log ADD COLUMN mac TEXT;
ALTER TABLE audit_heads ADD COLUMN mac TEXT;
