-- 0002 calendar (PostgreSQL): years of the PRC working-day calendar imported after the
-- release (`luodi calendar import`). The years built into the binary need no row; a row
-- for the same year replaces the built-in one (a corrected notice).
-- Keep in step with ../sqlite/0002_calendar.sql.

CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    schedule_json TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
