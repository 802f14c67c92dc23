-- 0006 parcels (SQLite): the zone's land parcels. The shape is kept as GeoJSON text with
-- its geodesic area, centroid and bounding box as integers (area in cm², coordinates in
-- 1e-7 degrees) so lists, filters and a spatial index need no geometry parsing. Attributes
-- (the 标准地 indicators, planning limits, utilities, assessments, extra properties) are
-- JSON text. A parcel is reserved for, then handed to, at most one phase: the unique
-- phase columns and a conditional update on status keep it so under any concurrency.
-- Parks get their boundary for the map. Keep in step with ../postgres/0006_parcels.sql.

CREATE TABLE parcels (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    code TEXT NOT NULL,
    name TEXT,
    park_code TEXT,
    land_use TEXT NOT NULL,
    status TEXT NOT NULL,
    area_cm2 INTEGER NOT NULL,
    centroid_lon_e7 INTEGER NOT NULL,
    centroid_lat_e7 INTEGER NOT NULL,
    min_lon_e7 INTEGER NOT NULL,
    min_lat_e7 INTEGER NOT NULL,
    max_lon_e7 INTEGER NOT NULL,
    max_lat_e7 INTEGER NOT NULL,
    geometry_json TEXT NOT NULL,
    attrs_json TEXT NOT NULL,
    checked_on TEXT,
    reserved_phase_id INTEGER UNIQUE REFERENCES project_phases (id),
    handed_phase_id INTEGER UNIQUE REFERENCES project_phases (id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (zone_id, code)
);
CREATE INDEX parcels_zone_status ON parcels (zone_id, status);
CREATE INDEX parcels_zone_updated ON parcels (zone_id, updated_at);

-- A park's boundary, drawn on the map around its parcels (GeoJSON geometry text).
ALTER TABLE parks ADD COLUMN boundary_json TEXT;

-- What a phase needs of its land (area, industry, investment, utilities, budget …), as the
-- matcher reads it (JSON text).
ALTER TABLE project_phases ADD COLUMN land_needs_json TEXT;
