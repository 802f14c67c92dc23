-- 0003 catalogue (SQLite): versions of each zone's service catalogue. The checked TOML
-- text is kept whole (it is what `luodi catalogue export` gives back); a project's service
-- list will refer to the version it was made from, so a new version never changes old lists.
-- Keep in step with ../postgres/0003_catalogue.sql.

CREATE TABLE catalogue_versions (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    version TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    source_toml TEXT NOT NULL,
    checksum TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    superseded_at TEXT,
    UNIQUE (zone_id, version)
);
