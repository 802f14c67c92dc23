-- 0007 parcel revisions (SQLite): every write to a zone's parcels takes the zone's next
-- parcel revision (an import takes one for all its parcels) and stamps the rows it writes
-- with it. The revision is taken first in the write's transaction, by updating the zone's
-- row, so revisions commit in order: a server that has read revision N has seen every
-- parcel written at N or before, and catches its in-memory matcher up by reading only the
-- rows above N. The zone also keeps its matcher weights (JSON; none means the defaults).
-- Keep in step with ../postgres/0007_parcel_revisions.sql.

ALTER TABLE zones ADD COLUMN parcel_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zones ADD COLUMN match_weights_json TEXT;
ALTER TABLE parcels ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX parcels_zone_revision ON parcels (zone_id, revision);
