-- 0004 projects and service lists (SQLite): projects with phases (each phase its own land,
-- facts and list), and each phase's service list made from one catalogue version at land
-- handover. An item's steps are kept as a JSON timeline on its row, and each step is also
-- an audit entry. Keep in step with ../postgres/0004_projects_service_lists.sql.

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    name TEXT NOT NULL,
    name_en TEXT,
    total_investment_fen INTEGER NOT NULL,
    industry_code TEXT,
    chain_position TEXT,
    expected_output_fen INTEGER,
    expected_tax_fen INTEGER,
    jobs INTEGER,
    steward_user_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX projects_zone_enterprise ON projects (zone_id, enterprise_id);

CREATE TABLE project_phases (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    facts_json TEXT NOT NULL,
    parcel_code TEXT,
    parcel_assessments_json TEXT,
    land_handover_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, seq)
);

CREATE TABLE service_lists (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    phase_id INTEGER NOT NULL UNIQUE REFERENCES project_phases (id),
    catalogue_version_id INTEGER NOT NULL REFERENCES catalogue_versions (id),
    handover_date TEXT NOT NULL,
    generated_at TEXT NOT NULL
);

CREATE TABLE service_list_items (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    list_id INTEGER NOT NULL REFERENCES service_lists (id),
    code TEXT NOT NULL,
    department_code TEXT NOT NULL,
    applicability TEXT NOT NULL,
    waived_by TEXT,
    prerequisites_json TEXT NOT NULL,
    state TEXT NOT NULL,
    timeline_json TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (list_id, code)
);
CREATE INDEX service_list_items_queue ON service_list_items (zone_id, department_code, state);
