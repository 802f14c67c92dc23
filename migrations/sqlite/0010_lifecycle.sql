-- 0010 lifecycle (SQLite): the zone's phase lifecycle policy (JSON; none means the
-- default, no start on commitment). Moves of a phase are audited as `move` entries of the
-- phase. Keep in step with ../postgres/0010_lifecycle.sql.

ALTER TABLE zones ADD COLUMN lifecycle_json TEXT;
