-- 0019 cluster (sqlite): the cluster's numbers (issue 17).
-- enterprise_statistics: every version of an enterprise's figures for a period (a year
--   `2025` or a month `2025-03`); a correction adds a version and marks the one before it
--   superseded (superseded_at), so the current figures are the rows with none. Money is
--   fen, energy thousandths of a tce (kgce), land ten-thousandths of a mu (NULL: the
--   parcels handed to the enterprise's phases count).
-- statistic_periods_closed: periods a zone administrator closed; a change to one needs a
--   reason. A closed year covers its months.
-- cluster_settings: a zone's cluster (GB/T 4754 classes), the ramp to full production, its
--   亩均 scheme (JSON; the default when NULL) and the department a failed post-completion
--   check's blocker goes to.
-- cluster_years: what the zone knows beyond its enterprises, per year: a declared count
--   of market entities and the city's totals.
-- kpi_targets: the cluster's targets with their KPI card (definition, owner department,
--   alarm and excellence thresholds on yearly growth, in basis points).
-- completion_checks: each phase's post-completion check (达产复核) for a year, its
--   verdicts, the blocker a failure opened and an officer's accepted explanation.
-- Keep in step with ../postgres/0019_cluster.sql.

CREATE TABLE enterprise_statistics (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    period TEXT NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER,
    version INTEGER NOT NULL,
    revenue_fen INTEGER NOT NULL,
    output_fen INTEGER NOT NULL,
    tax_fen INTEGER NOT NULL,
    value_added_fen INTEGER NOT NULL,
    energy_kgce INTEGER NOT NULL,
    rd_fen INTEGER NOT NULL,
    employees INTEGER NOT NULL,
    land_mu_e4 INTEGER,
    source TEXT NOT NULL,
    reason TEXT,
    entered_by TEXT NOT NULL,
    entered_by_user_id INTEGER REFERENCES users (id),
    entered_at TEXT NOT NULL,
    superseded_at TEXT,
    UNIQUE (enterprise_id, period, version)
);
CREATE INDEX enterprise_statistics_zone_year ON enterprise_statistics (zone_id, year, enterprise_id);

CREATE TABLE statistic_periods_closed (
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    period TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    PRIMARY KEY (zone_id, period)
);

CREATE TABLE cluster_settings (
    zone_id INTEGER PRIMARY KEY REFERENCES zones (id),
    classes_json TEXT NOT NULL,
    ramp TEXT NOT NULL,
    scheme_json TEXT,
    completion_department_id INTEGER REFERENCES departments (id),
    updated_at TEXT NOT NULL
);

CREATE TABLE cluster_years (
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    year INTEGER NOT NULL,
    declared_entities INTEGER,
    city_entities INTEGER,
    city_output_fen INTEGER,
    city_revenue_fen INTEGER,
    city_tax_fen INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (zone_id, year)
);

CREATE TABLE kpi_targets (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    code TEXT NOT NULL,
    figure TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    definition_zh TEXT NOT NULL,
    definition_en TEXT NOT NULL,
    owner_department_id INTEGER REFERENCES departments (id),
    baseline_year INTEGER NOT NULL,
    baseline_value INTEGER NOT NULL,
    target_year INTEGER NOT NULL,
    target_value INTEGER NOT NULL,
    yellow_margin_bp INTEGER NOT NULL,
    alarm_growth_bp INTEGER,
    excellence_growth_bp INTEGER,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (zone_id, code)
);

CREATE TABLE completion_checks (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    phase_id INTEGER NOT NULL REFERENCES project_phases (id),
    year INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    check_json TEXT NOT NULL,
    blocker_id INTEGER REFERENCES blockers (id),
    explanation TEXT,
    explained_by TEXT,
    explained_at TEXT,
    checked_at TEXT NOT NULL,
    UNIQUE (phase_id, year)
);
