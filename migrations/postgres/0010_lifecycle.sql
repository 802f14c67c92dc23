-- 0010 lifecycle (PostgreSQL): the zone's phase lifecycle policy (JSON; none means the
-- default, no start on commitment). Moves of a phase are audited as `move` entries of the
-- phase. Keep in step with ../sqlite/0010_lifecycle.sql.

ALTER TABLE zones ADD COLUMN lifecycle_json TEXT;
