-- 0013 forecast history (postgres): each active phase's P50 construction start as forecast on
-- each day a sweep computed it (the last of the day kept), so a steward sees how far a
-- phase's forecast has slipped since a week before. Derived data, like phase_forecasts.
-- Keep in step with ../sqlite/0013_forecast_history.sql.

CREATE TABLE phase_forecast_history (
    phase_id BIGINT NOT NULL REFERENCES project_phases (id),
    day TEXT NOT NULL,
    start_p50_date TEXT,
    late_working_days BIGINT NOT NULL,
    PRIMARY KEY (phase_id, day)
);
