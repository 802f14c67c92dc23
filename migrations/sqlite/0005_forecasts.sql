-- 0005 forecasts (SQLite): each active phase's latest forecast, kept so the portfolio can be
-- listed and sorted without recomputing it. A row is derived data: `inputs_key` names what
-- it was computed from (the list's steps, the zone's history, the calendar, the day), and a
-- sweep recomputes only the rows whose inputs changed. Keep in step with
-- ../postgres/0005_forecasts.sql.

CREATE TABLE phase_forecasts (
    phase_id INTEGER PRIMARY KEY REFERENCES project_phases (id),
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    inputs_key TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    today TEXT NOT NULL,
    handover_date TEXT NOT NULL,
    target_start_date TEXT NOT NULL,
    start_item TEXT,
    start_date TEXT,
    start_p50_date TEXT,
    start_p80_date TEXT,
    start_p90_date TEXT,
    started_on TEXT,
    late_working_days INTEGER NOT NULL,
    on_target_permille INTEGER,
    permit_p50_date TEXT,
    completion_p50_date TEXT,
    next_critical_item TEXT,
    samples INTEGER NOT NULL,
    seed INTEGER NOT NULL
);
CREATE INDEX phase_forecasts_zone_late ON phase_forecasts (zone_id, late_working_days);
