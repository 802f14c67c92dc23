-- 0021 cluster schemes (postgres): the 亩均 evaluation's scheme for a zone and year (its
-- method, revenue line, class bands and weighted indicators, as JSON the rules read:
-- luodi-domain/src/cluster/mu.rs). A year without its own is rated on the zone's scheme
-- (cluster_settings.scheme_json), else the default.
-- Keep in step with ../sqlite/0021_cluster_schemes.sql.

CREATE TABLE cluster_schemes (
    zone_id BIGINT NOT NULL REFERENCES zones (id),
    year BIGINT NOT NULL,
    scheme_json TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (zone_id, year)
);
