-- 0008 blockers (SQLite): a project's difficulties and blockages (难点堵点), raised by
-- its steward or its enterprise and routed to a department. What happened to a blocker is
-- its events, in order (the rules in luodi-domain/src/blocker.rs replay them into its state
-- and three clocks); the blocker row keeps the current state and department for lists and
-- filters, and a version that every action moves on, so two officers acting at once cannot
-- both succeed on the same version. The limits in force when it was raised are kept with it:
-- a later change of the zone's limits does not move a running clock. An escalation is a row
-- keyed by blocker, clock and rung, so it is made once, whichever server sees it first.
-- Keep in step with ../postgres/0008_blockers.sql.

CREATE TABLE blockers (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    phase_id INTEGER REFERENCES project_phases (id),
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    attachments_json TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    state TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    limits_json TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX blockers_zone_state ON blockers (zone_id, state);
CREATE INDEX blockers_project ON blockers (project_id);
CREATE INDEX blockers_department ON blockers (department_id, state);

CREATE TABLE blocker_events (
    id INTEGER PRIMARY KEY,
    blocker_id INTEGER NOT NULL REFERENCES blockers (id),
    seq INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    party TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    action_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (blocker_id, seq)
);

CREATE TABLE blocker_escalations (
    blocker_id INTEGER NOT NULL REFERENCES blockers (id),
    clock TEXT NOT NULL,
    rung INTEGER NOT NULL,
    target TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    PRIMARY KEY (blocker_id, clock, rung)
);

-- The zone's blocker limits and escalation ladder (JSON; none means the defaults).
ALTER TABLE zones ADD COLUMN blocker_sla_json TEXT;
