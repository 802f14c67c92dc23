-- 0017 project version (postgres): a project is edited on a page (its details, its phases' names
-- and conditions, phases added), and two people may edit it at once: each edit names the
-- version it read and raises it, so the second of two edits is refused rather than silently
-- overwriting the first.
-- Keep in step with ../sqlite/0017_project_version.sql.

ALTER TABLE projects ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
