-- 0017 project version (sqlite): a project is edited on a page (its details, its phases' names
-- and conditions, phases added), and two people may edit it at once: each edit names the
-- version it read and raises it, so the second of two edits is refused rather than silently
-- overwriting the first.
-- Keep in step with ../postgres/0017_project_version.sql.

ALTER TABLE projects ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
