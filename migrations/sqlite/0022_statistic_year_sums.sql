-- 0022 statistic year sums (sqlite).
-- enterprise_statistics, keyed for imports of many rows (180,000 in a few seconds):
-- - its zone and enterprise are checked by one key, (zone_id, enterprise_id) against
--   enterprises (zone_id, id), in place of one key each: a row can no longer name an
--   enterprise of another zone, and each row inserted makes one check, not two;
-- - one unique index, (zone_id, year, enterprise_id, period, version), serves both what
--   the two indexes did: a version of a period is unique (the zone follows from the
--   enterprise, the year from the period, checked), and a zone's years are read by it;
--   each row inserted updates two indexes, not three.
-- statistic_year_sums: each enterprise's year of statistics added up, kept in
-- step with enterprise_statistics by every import in the same transaction, so the
-- cluster's figures read one row per enterprise and year instead of adding up every
-- month on every view. annual: 1 when the year has its own row (its figures are y_*,
-- its land y_land); months: how many of its months have rows, their totals m_*
-- (employees summed, land left out). Filled here from the rows already held.
-- Keep in step with ../postgres/0022_statistic_year_sums.sql.

CREATE UNIQUE INDEX enterprises_zone_id ON enterprises (zone_id, id);

-- SQLite changes a table's keys by making it again.
CREATE TABLE enterprise_statistics_keyed (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL,
    enterprise_id INTEGER NOT NULL,
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
    UNIQUE (zone_id, year, enterprise_id, period, version),
    FOREIGN KEY (zone_id, enterprise_id) REFERENCES enterprises (zone_id, id),
    CHECK (year = CAST(substr(period, 1, 4) AS INTEGER))
);
INSERT INTO enterprise_statistics_keyed SELECT id, zone_id, enterprise_id, period, year, month, version,
    revenue_fen, output_fen, tax_fen, value_added_fen, energy_kgce, rd_fen, employees, land_mu_e4,
    source, reason, entered_by, entered_by_user_id, entered_at, superseded_at
FROM enterprise_statistics;
DROP TABLE enterprise_statistics;
ALTER TABLE enterprise_statistics_keyed RENAME TO enterprise_statistics;

CREATE TABLE statistic_year_sums (
    zone_id INTEGER NOT NULL,
    enterprise_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    annual INTEGER NOT NULL,
    months INTEGER NOT NULL,
    y_land INTEGER,
    y_revenue_fen INTEGER NOT NULL,
    y_output_fen INTEGER NOT NULL,
    y_tax_fen INTEGER NOT NULL,
    y_value_added_fen INTEGER NOT NULL,
    y_energy_kgce INTEGER NOT NULL,
    y_rd_fen INTEGER NOT NULL,
    y_employees INTEGER NOT NULL,
    m_revenue_fen INTEGER NOT NULL,
    m_output_fen INTEGER NOT NULL,
    m_tax_fen INTEGER NOT NULL,
    m_value_added_fen INTEGER NOT NULL,
    m_energy_kgce INTEGER NOT NULL,
    m_rd_fen INTEGER NOT NULL,
    m_employees INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, year),
    FOREIGN KEY (zone_id, enterprise_id) REFERENCES enterprises (zone_id, id)
);
CREATE INDEX statistic_year_sums_zone_year ON statistic_year_sums (zone_id, year);

INSERT INTO statistic_year_sums (zone_id, enterprise_id, year, annual, months, y_land,
    y_revenue_fen, y_output_fen, y_tax_fen, y_value_added_fen, y_energy_kgce, y_rd_fen, y_employees,
    m_revenue_fen, m_output_fen, m_tax_fen, m_value_added_fen, m_energy_kgce, m_rd_fen, m_employees)
SELECT MIN(zone_id), enterprise_id, year,
    SUM(CASE WHEN month IS NULL THEN 1 ELSE 0 END), COUNT(month),
    MAX(CASE WHEN month IS NULL THEN land_mu_e4 END),
    SUM(CASE WHEN month IS NULL THEN revenue_fen ELSE 0 END),
    SUM(CASE WHEN month IS NULL THEN output_fen ELSE 0 END),
    SUM(CASE WHEN month IS NULL THEN tax_fen ELSE 0 END),
    SUM(CASE WHEN month IS NULL THEN value_added_fen ELSE 0 END),
    SUM(CASE WHEN month IS NULL THEN energy_kgce ELSE 0 END),
    SUM(CASE WHEN month IS NULL THEN rd_fen ELSE 0 END),
    SUM(CASE WHEN month IS NULL THEN employees ELSE 0 END),
    SUM(CASE WHEN month IS NOT NULL THEN revenue_fen ELSE 0 END),
    SUM(CASE WHEN month IS NOT NULL THEN output_fen ELSE 0 END),
    SUM(CASE WHEN month IS NOT NULL THEN tax_fen ELSE 0 END),
    SUM(CASE WHEN month IS NOT NULL THEN value_added_fen ELSE 0 END),
    SUM(CASE WHEN month IS NOT NULL THEN energy_kgce ELSE 0 END),
    SUM(CASE WHEN month IS NOT NULL THEN rd_fen ELSE 0 END),
    SUM(CASE WHEN month IS NOT NULL THEN employees ELSE 0 END)
FROM enterprise_statistics
WHERE superseded_at IS NULL
GROUP BY enterprise_id, year;
