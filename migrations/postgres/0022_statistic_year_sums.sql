-- 0022 statistic year sums (postgres).
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
-- Keep in step with ../sqlite/0022_statistic_year_sums.sql.

CREATE UNIQUE INDEX enterprises_zone_id ON enterprises (zone_id, id);
ALTER TABLE enterprise_statistics
    DROP CONSTRAINT enterprise_statistics_zone_id_fkey,
    DROP CONSTRAINT enterprise_statistics_enterprise_id_fkey,
    ADD FOREIGN KEY (zone_id, enterprise_id) REFERENCES enterprises (zone_id, id),
    DROP CONSTRAINT enterprise_statistics_enterprise_id_period_version_key,
    ADD UNIQUE (zone_id, year, enterprise_id, period, version),
    ADD CHECK (year = CAST(substr(period, 1, 4) AS BIGINT));
DROP INDEX enterprise_statistics_zone_year;

CREATE TABLE statistic_year_sums (
    zone_id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    annual BIGINT NOT NULL,
    months BIGINT NOT NULL,
    y_land BIGINT,
    y_revenue_fen BIGINT NOT NULL,
    y_output_fen BIGINT NOT NULL,
    y_tax_fen BIGINT NOT NULL,
    y_value_added_fen BIGINT NOT NULL,
    y_energy_kgce BIGINT NOT NULL,
    y_rd_fen BIGINT NOT NULL,
    y_employees BIGINT NOT NULL,
    m_revenue_fen BIGINT NOT NULL,
    m_output_fen BIGINT NOT NULL,
    m_tax_fen BIGINT NOT NULL,
    m_value_added_fen BIGINT NOT NULL,
    m_energy_kgce BIGINT NOT NULL,
    m_rd_fen BIGINT NOT NULL,
    m_employees BIGINT NOT NULL,
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
