-- 0012 stewards (sqlite): who served a project as its steward (项目服务管家), and when.
-- projects.steward_user_id is the steward now; each assignment is a row here, closed
-- (until_at) when the next one starts, so a reassignment keeps the history.
-- Keep in step with ../postgres/0012_stewards.sql.

CREATE TABLE steward_assignments (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_by_user_id INTEGER REFERENCES users (id),
    from_at TEXT NOT NULL,
    until_at TEXT
);
CREATE INDEX steward_assignments_project ON steward_assignments (project_id, id);

-- Every project's present steward starts its history.
INSERT INTO steward_assignments (zone_id, project_id, user_id, reason, assigned_by, from_at)
SELECT zone_id, id, steward_user_id, '', 'migration', created_at FROM projects
WHERE steward_user_id IS NOT NULL;
