//! 地块 — the zone's parcels: imported all or nothing (new codes are added, known codes
//! updated), listed and read, reserved for a project phase and handed over to it. A parcel
//! is never reserved or handed to two phases: each move is one conditional `UPDATE` on its
//! status (and the phase columns are unique), so whichever transaction comes second, on
//! any server, changes nothing and is told why.

use luodi_domain::ZoneId;
use luodi_domain::land::parcel::{ParcelAttrs, ParcelDraft, ParcelStatus};
use luodi_domain::stewardship::project::PhaseStatus;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::{Page, PageRequest, Result, Store, StoreError, now};

/// A stored parcel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parcel {
    pub id: i64,
    pub zone_id: ZoneId,
    pub code: String,
    pub status: ParcelStatus,
    pub area_m2: f64,
    pub area_mu: f64,
    /// (longitude, latitude).
    pub centroid: (f64, f64),
    /// (min longitude, min latitude, max longitude, max latitude).
    pub bbox: (f64, f64, f64, f64),
    pub attrs: ParcelAttrs,
    /// The shape as a GeoJSON geometry.
    pub geometry: serde_json::Value,
    pub reserved_phase_id: Option<i64>,
    pub handed_phase_id: Option<i64>,
    pub version: i64,
    pub updated_at: String,
}

/// How the parcels list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParcelSort {
    #[default]
    Code,
    Area,
    Status,
}

/// What the parcels list asks: each `None` asks nothing of its column.
#[derive(Debug, Clone, Default)]
pub struct ParcelQuery {
    /// Part of the code, the name or the owning enterprise's name, in any case.
    pub search: Option<String>,
    pub status: Option<ParcelStatus>,
    pub land_use: Option<String>,
    pub min_area_mu: Option<f64>,
    pub max_area_mu: Option<f64>,
    pub sort: ParcelSort,
    pub descending: bool,
}

/// A parcel as the list shows it: with the enterprise it is reserved for or handed to.
#[derive(Debug, Clone)]
pub struct ParcelLine {
    pub parcel: Parcel,
    pub owner: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParcelImport {
    pub created: usize,
    pub updated: usize,
    /// Parcels of the file already held exactly so: nothing written for them.
    pub unchanged: usize,
}

/// What an import compares to know a parcel unchanged: its geometry and its attributes
/// but the status, which it compares apart (a file may leave the status out).
fn content_digest(geometry_json: &str, attrs: &ParcelAttrs) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut a = attrs.clone();
    a.status = ParcelStatus::Available;
    a.status_given = false;
    let mut h = Sha256::new();
    h.update(geometry_json.as_bytes());
    h.update([0u8]);
    h.update(
        serde_json::to_string(&a)
            .expect("attributes serialise")
            .as_bytes(),
    );
    h.finalize().into()
}

/// A parcel the zone holds, as an import compares it.
struct Held {
    id: i64,
    status: String,
    digest: [u8; 32],
}

impl Held {
    /// Whether the zone holds `draft` exactly so: an import writes nothing for it.
    fn holds(&self, draft: &ParcelDraft) -> bool {
        let geometry = draft.shape.to_geojson().to_string();
        (!draft.attrs.status_given || draft.attrs.status.as_str() == self.status)
            && content_digest(&geometry, &draft.attrs) == self.digest
    }
}

/// The zone's parcels by code, read a few thousand at a time and kept only as a digest,
/// so a large zone is not held in memory twice.
async fn held_parcels(
    conn: &mut sqlx::AnyConnection,
    zone: ZoneId,
) -> Result<std::collections::HashMap<String, Held>> {
    let mut existing: std::collections::HashMap<String, Held> = Default::default();
    let mut after = 0i64;
    loop {
        let rows = sqlx::query("SELECT id, code, status, geometry_json, attrs_json FROM parcels WHERE zone_id = $1 AND id > $2 ORDER BY id LIMIT 5000")
            .bind(zone.0)
            .bind(after)
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        for r in &rows {
            let attrs: ParcelAttrs = serde_json::from_str(&r.get::<String, _>("attrs_json"))
                .map_err(|e| StoreError::Corrupt(format!("parcel attributes: {e}")))?;
            existing.insert(
                r.get("code"),
                Held {
                    id: r.get("id"),
                    status: r.get("status"),
                    digest: content_digest(&r.get::<String, _>("geometry_json"), &attrs),
                },
            );
        }
    }
    Ok(existing)
}

/// The statuses a file may not give its parcels, given what the zone holds (a file keeps
/// reservations and handovers but never makes or undoes one): every one, by feature.
fn status_problems(
    drafts: &[ParcelDraft],
    existing: &std::collections::HashMap<String, Held>,
) -> Vec<luodi_domain::land::parcel::FeatureProblem> {
    let mut problems = Vec::new();
    for (index, d) in drafts.iter().enumerate() {
        let current = existing
            .get(&d.attrs.code)
            .and_then(|h| ParcelStatus::parse(&h.status));
        if let Err(reason) = luodi_domain::land::parcel::import_status_allowed(
            current,
            d.attrs.status,
            d.attrs.status_given,
        ) {
            problems.push(luodi_domain::land::parcel::FeatureProblem {
                unit: "feature",
                index,
                code: Some(d.attrs.code.clone()),
                field: "status".into(),
                reason,
            });
        }
    }
    problems
}

/// What importing a parcel of a file would do to the zone's parcels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelChange {
    /// A code the zone does not hold: added.
    New,
    /// A code the zone holds, with another shape, attributes or status: updated.
    Changed,
    /// Held exactly so: nothing written.
    Unchanged,
}

/// Why an import was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ParcelImportError {
    #[error("{} problem(s) in the file", .0.len())]
    Invalid(Vec<luodi_domain::land::parcel::FeatureProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a reservation or handover is refused.
#[derive(Debug, thiserror::Error)]
pub enum AllocationError {
    #[error("parcel {code} is {status}, not available")]
    NotAvailable { code: String, status: &'static str },
    #[error("parcel {code} is not reserved for this phase")]
    NotReservedForPhase { code: String },
    /// Land is handed over only as a parcel the zone holds, reserved for the phase.
    #[error(
        "the zone has no parcel {code}: import it, reserve it for this phase, then hand it over"
    )]
    UnknownParcel { code: String },
    #[error("this phase already has parcel {0}")]
    PhaseHasParcel(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

const COLUMNS: &str = "id, zone_id, code, status, area_cm2, centroid_lon_e7, centroid_lat_e7, min_lon_e7, min_lat_e7, max_lon_e7, max_lat_e7, geometry_json, attrs_json, reserved_phase_id, handed_phase_id, version, updated_at";

const E7: f64 = 1e7;

fn parcel_from(r: &sqlx::any::AnyRow) -> Result<Parcel> {
    let corrupt = |what: &str, e: String| StoreError::Corrupt(format!("parcel {what}: {e}"));
    let status_text: String = r.get("status");
    let status =
        ParcelStatus::parse(&status_text).ok_or_else(|| corrupt("status", status_text.clone()))?;
    let mut attrs: ParcelAttrs = serde_json::from_str(&r.get::<String, _>("attrs_json"))
        .map_err(|e| corrupt("attributes", e.to_string()))?;
    attrs.status = status;
    let area_m2 = r.get::<i64, _>("area_cm2") as f64 / 1e4;
    let e7 = |c: &str| r.get::<i64, _>(c) as f64 / E7;
    Ok(Parcel {
        id: r.get("id"),
        zone_id: ZoneId(r.get("zone_id")),
        code: r.get("code"),
        status,
        area_m2,
        area_mu: area_m2 / luodi_domain::land::geometry::M2_PER_MU,
        centroid: (e7("centroid_lon_e7"), e7("centroid_lat_e7")),
        bbox: (
            e7("min_lon_e7"),
            e7("min_lat_e7"),
            e7("max_lon_e7"),
            e7("max_lat_e7"),
        ),
        attrs,
        geometry: serde_json::from_str(&r.get::<String, _>("geometry_json"))
            .map_err(|e| corrupt("geometry", e.to_string()))?,
        reserved_phase_id: r.get("reserved_phase_id"),
        handed_phase_id: r.get("handed_phase_id"),
        version: r.get("version"),
        updated_at: r.get("updated_at"),
    })
}

impl Store {
    /// Imports parcels into a zone, all or nothing: new codes are added; a known code is
    /// updated (its shape and attributes), keeping its status unless the file gives one —
    /// and a file may not change the status of a parcel that is reserved or handed over.
    /// One audit entry records the import.
    pub async fn import_parcels(
        &self,
        actor: &Actor,
        zone: ZoneId,
        drafts: &[ParcelDraft],
    ) -> Result<ParcelImport, ParcelImportError> {
        self.import_parcels_with(actor, zone, drafts, &|_| {}).await
    }

    /// [`Store::import_parcels`], calling `progress` with the number of parcels written so
    /// far (for a progress bar on long files).
    pub async fn import_parcels_with(
        &self,
        actor: &Actor,
        zone: ZoneId,
        drafts: &[ParcelDraft],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ParcelImport, ParcelImportError> {
        let mut tx = self.begin_write().await?;
        let existing = held_parcels(&mut tx, zone).await?;
        let problems = status_problems(drafts, &existing);
        if !problems.is_empty() {
            return Err(ParcelImportError::Invalid(problems));
        }
        let t = now();
        let revision = next_parcel_revision(&mut tx, zone).await?;
        let (mut created, mut updated, mut unchanged) = (0, 0, 0);
        let mut fresh = Vec::new();
        for (done, d) in drafts.iter().enumerate() {
            let Some(held) = existing.get(&d.attrs.code) else {
                fresh.push(done);
                continue;
            };
            let id = &held.id;
            if done % 1000 == 0 {
                progress(updated + unchanged);
            }
            if held.holds(d) {
                unchanged += 1;
                continue;
            }
            let geometry = d.shape.to_geojson().to_string();
            let area_cm2 = (d.shape.area_m2() * 1e4).round() as i64;
            let (cx, cy) = d.shape.centroid();
            let (x0, y0, x1, y1) = d.shape.bbox();
            let e7 = |v: f64| (v * E7).round() as i64;
            let attrs = serde_json::to_string(&d.attrs).expect("attributes serialise");
            let checked = d.attrs.checked_on.map(|c| c.to_string());
            // The status changes only when the file gives one, and never over a
            // reservation or handover made since this import read the parcels.
            let status = d.attrs.status_given.then(|| d.attrs.status.as_str());
            let changed = sqlx::query(
                "UPDATE parcels SET name = $1, park_code = $2, land_use = $3, status = COALESCE($4, status), area_cm2 = $5, centroid_lon_e7 = $6, centroid_lat_e7 = $7,
                    min_lon_e7 = $8, min_lat_e7 = $9, max_lon_e7 = $10, max_lat_e7 = $11, geometry_json = $12, attrs_json = $13, checked_on = $14,
                    version = version + 1, updated_at = $15, revision = $17
                 WHERE id = $16 AND ($4 IS NULL OR status = $4 OR status IN ('available', 'withdrawn'))",
            )
            .bind(d.attrs.name.clone())
            .bind(d.attrs.park.clone())
            .bind(&d.attrs.land_use)
            .bind(status)
            .bind(area_cm2)
            .bind(e7(cx))
            .bind(e7(cy))
            .bind(e7(x0))
            .bind(e7(y0))
            .bind(e7(x1))
            .bind(e7(y1))
            .bind(&geometry)
            .bind(&attrs)
            .bind(checked)
            .bind(&t)
            .bind(id)
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .rows_affected();
            if changed != 1 {
                return Err(ParcelImportError::Invalid(vec![
                    luodi_domain::land::parcel::FeatureProblem {
                        unit: "feature",
                        index: done,
                        code: Some(d.attrs.code.clone()),
                        field: "status".into(),
                        reason: luodi_domain::Text::key("rules.parcel.changed_meanwhile"),
                    },
                ]));
            }
            updated += 1;
        }
        // New parcels go in by many rows a statement: a round trip per row is most of an
        // import's time. On SQLite long statements cost more than they save (measured on
        // 50,000 parcels: 1 row a statement 4.1 s, 8–32 rows 1.35 s, 100 rows 2.3 s).
        let rows = match self.backend() {
            crate::Backend::Postgres => 400,
            crate::Backend::Sqlite => 16,
        };
        for (n, chunk) in fresh.chunks(rows).enumerate() {
            progress(drafts.len() - fresh.len() + n * rows);
            let mut sql = String::from(
                "INSERT INTO parcels (zone_id, code, name, park_code, land_use, status, area_cm2, centroid_lon_e7, centroid_lat_e7,
                    min_lon_e7, min_lat_e7, max_lon_e7, max_lat_e7, geometry_json, attrs_json, checked_on, version, created_at, updated_at, revision) VALUES ",
            );
            // $1 zone, $2 time, $3 revision; then 15 per row.
            for i in 0..chunk.len() {
                let b = 4 + i * 15;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "($1, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 1, $2, $2, $3)",
                    b,
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11,
                    b + 12,
                    b + 13,
                    b + 14
                ));
            }
            // Only placeholders are formatted into the text; every value is bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(zone.0)
                .bind(&t)
                .bind(revision);
            for i in chunk {
                let d = &drafts[*i];
                let area_cm2 = (d.shape.area_m2() * 1e4).round() as i64;
                let (cx, cy) = d.shape.centroid();
                let (x0, y0, x1, y1) = d.shape.bbox();
                let e7 = |v: f64| (v * E7).round() as i64;
                q = q
                    .bind(d.attrs.code.clone())
                    .bind(d.attrs.name.clone())
                    .bind(d.attrs.park.clone())
                    .bind(d.attrs.land_use.clone())
                    .bind(d.attrs.status.as_str())
                    .bind(area_cm2)
                    .bind(e7(cx))
                    .bind(e7(cy))
                    .bind(e7(x0))
                    .bind(e7(y0))
                    .bind(e7(x1))
                    .bind(e7(y1))
                    .bind(d.shape.to_geojson().to_string())
                    .bind(serde_json::to_string(&d.attrs).expect("attributes serialise"))
                    .bind(d.attrs.checked_on.map(|c| c.to_string()));
            }
            q.execute(&mut *tx).await.map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::Conflict {
                        field: "code",
                        value: "(a parcel of this file was imported meanwhile)".into(),
                    }
                } else {
                    StoreError::from(e)
                }
            })?;
            created += chunk.len();
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "import",
                entity: "parcels",
                entity_id: format!("{} parcels", drafts.len()),
                before: serde_json::Value::Null,
                after: json!({"created": created, "updated": updated, "unchanged": unchanged,
                    "codes": drafts.iter().take(100).map(|d| &d.attrs.code).collect::<Vec<_>>(),
                    "more_codes": drafts.len().saturating_sub(100)}),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        progress(drafts.len());
        Ok(ParcelImport {
            created,
            updated,
            unchanged,
        })
    }

    /// What [`Store::import_parcels`] would do with `drafts`, parcel by parcel, read from
    /// what the zone holds now and writing nothing; refused as the import would refuse
    /// (a status a file may not give). The import itself decides again in its own
    /// transaction, so a parcel changed in between is counted as it is then.
    pub async fn compare_parcels(
        &self,
        zone: ZoneId,
        drafts: &[ParcelDraft],
    ) -> Result<Vec<ParcelChange>, ParcelImportError> {
        let mut conn = self.pool().acquire().await.map_err(StoreError::from)?;
        let existing = held_parcels(&mut conn, zone).await?;
        let problems = status_problems(drafts, &existing);
        if !problems.is_empty() {
            return Err(ParcelImportError::Invalid(problems));
        }
        Ok(drafts
            .iter()
            .map(|d| match existing.get(&d.attrs.code) {
                None => ParcelChange::New,
                Some(held) if held.holds(d) => ParcelChange::Unchanged,
                Some(_) => ParcelChange::Changed,
            })
            .collect())
    }

    /// A page of the zone's parcels by code, optionally of one status; and the total.
    pub async fn parcels(
        &self,
        zone: ZoneId,
        status: Option<ParcelStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Parcel>, i64)> {
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM parcels WHERE zone_id = $1 AND ($2 IS NULL OR status = $2)",
        )
        .bind(zone.0)
        .bind(status.map(|s| s.as_str()))
        .fetch_one(self.pool())
        .await?
        .get("n");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM parcels WHERE zone_id = $1 AND ($2 IS NULL OR status = $2) ORDER BY code{} LIMIT $3 OFFSET $4",
            self.collate()
        )))
        .bind(zone.0)
        .bind(status.map(|s| s.as_str()))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((rows.iter().map(parcel_from).collect::<Result<_>>()?, total))
    }

    /// A page of the zone's parcels that match `query`, each with the enterprise it is
    /// reserved for or handed to, and how many match: filtered, counted and cut in SQL, as
    /// a zone may hold many thousands.
    pub async fn parcel_search(
        &self,
        zone: ZoneId,
        query: &ParcelQuery,
        page: PageRequest,
    ) -> Result<Page<ParcelLine>> {
        let search = query
            .search
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(crate::core::enterprises::like_pattern);
        // Whole square centimetres, as stored; a bound in mu is met when the parcel's mu
        // (area_cm2 / 1e4 / M2_PER_MU) is at or beyond it.
        let cm2 = |mu: f64| mu * luodi_domain::land::geometry::M2_PER_MU * 1e4;
        let min = query.min_area_mu.map(|mu| cm2(mu).ceil() as i64);
        let max = query.max_area_mu.map(|mu| cm2(mu).floor() as i64);
        let owner = "SELECT e.name FROM project_phases ph JOIN projects pr ON pr.id = ph.project_id
             JOIN enterprises e ON e.id = pr.enterprise_id
             WHERE ph.id = COALESCE(parcels.handed_phase_id, parcels.reserved_phase_id)";
        let filter = format!(
            "zone_id = $1 AND ($2 IS NULL OR LOWER(code) LIKE $2 ESCAPE '\\'
               OR LOWER(COALESCE(name, '')) LIKE $2 ESCAPE '\\'
               OR LOWER(COALESCE(({owner}), '')) LIKE $2 ESCAPE '\\')
             AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR land_use = $4)
             AND ($5 IS NULL OR area_cm2 >= $5) AND ($6 IS NULL OR area_cm2 <= $6)"
        );
        macro_rules! bind_filter {
            ($q:expr) => {
                $q.bind(zone.0)
                    .bind(search.clone())
                    .bind(query.status.map(|s| s.as_str()))
                    .bind(query.land_use.clone())
                    .bind(min)
                    .bind(max)
            };
        }
        let total: i64 = bind_filter!(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM parcels WHERE {filter}"
        ))))
        .fetch_one(self.pool())
        .await?
        .get("n");
        let dir = if query.descending { "DESC" } else { "ASC" };
        let collate = self.collate();
        let order = match query.sort {
            ParcelSort::Code => format!("code{collate} {dir}"),
            ParcelSort::Area => format!("area_cm2 {dir}, code{collate} {dir}"),
            ParcelSort::Status => format!("status {dir}, code{collate} {dir}"),
        };
        let rows = bind_filter!(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, ({owner}) AS owner FROM parcels WHERE {filter}
             ORDER BY {order}, id {dir} LIMIT $7 OFFSET $8"
        ))))
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(self.pool())
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(ParcelLine {
                    parcel: parcel_from(r)?,
                    owner: r.get("owner"),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        })
    }

    /// The land uses the zone's parcels have, in order (the parcels list's choices).
    pub async fn parcel_land_uses(&self, zone: ZoneId) -> Result<Vec<String>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT land_use FROM parcels WHERE zone_id = $1 GROUP BY land_use ORDER BY land_use{}",
            self.collate()
        )))
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(|r| r.get("land_use")).collect())
    }

    /// Every parcel of the zone (for the matcher and exports).
    pub async fn all_parcels(&self, zone: ZoneId) -> Result<Vec<Parcel>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM parcels WHERE zone_id = $1 ORDER BY id"
        )))
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(parcel_from).collect()
    }

    /// The zone's parcels whose bounding boxes meet a box (min lon, min lat, max lon, max
    /// lat), at most `limit`: what a map around one place draws.
    pub async fn parcels_in_box(
        &self,
        zone: ZoneId,
        bbox: (f64, f64, f64, f64),
        limit: i64,
    ) -> Result<Vec<Parcel>> {
        let e7 = |v: f64| (v * E7).round() as i64;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM parcels WHERE zone_id = $1 AND max_lon_e7 >= $2 AND min_lon_e7 <= $3 AND max_lat_e7 >= $4 AND min_lat_e7 <= $5
             ORDER BY id LIMIT $6"
        )))
        .bind(zone.0)
        .bind(e7(bbox.0))
        .bind(e7(bbox.2))
        .bind(e7(bbox.1))
        .bind(e7(bbox.3))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(parcel_from).collect()
    }

    pub async fn parcel(&self, zone: ZoneId, id: i64) -> Result<Parcel> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM parcels WHERE zone_id = $1 AND id = $2"
        )))
        .bind(zone.0)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        parcel_from(&row)
    }

    pub async fn parcel_by_code(&self, zone: ZoneId, code: &str) -> Result<Option<Parcel>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM parcels WHERE zone_id = $1 AND code = $2"
        )))
        .bind(zone.0)
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(parcel_from).transpose()
    }

    /// Reserves an available parcel for a phase of the zone, for the reason given if any
    /// (kept in the audit trail), and moves a phase before land matched to it. Exactly one
    /// of any number of concurrent reservations of a parcel succeeds, on every backend and
    /// across servers.
    pub async fn reserve_parcel(
        &self,
        actor: &Actor,
        zone: ZoneId,
        parcel_id: i64,
        phase_id: i64,
        reason: Option<&str>,
    ) -> Result<Parcel, AllocationError> {
        let mut tx = self.begin_write().await?;
        let phase_row = sqlx::query(
            "SELECT ph.status FROM project_phases ph JOIN projects p ON p.id = ph.project_id WHERE ph.id = $1 AND p.zone_id = $2",
        )
        .bind(phase_id)
        .bind(zone.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let Some(phase_row) = phase_row else {
            return Err(StoreError::NotFound.into());
        };
        let phase_before = phase_status(phase_id, &phase_row.get::<String, _>("status"))?;
        if let Some(r) = sqlx::query("SELECT code FROM parcels WHERE reserved_phase_id = $1")
            .bind(phase_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
        {
            return Err(AllocationError::PhaseHasParcel(r.get("code")));
        }
        let t = now();
        let revision = next_parcel_revision(&mut tx, zone).await?;
        let changed = sqlx::query(
            "UPDATE parcels SET status = 'reserved', reserved_phase_id = $1, version = version + 1, updated_at = $2, revision = $5
             WHERE id = $3 AND zone_id = $4 AND status = 'available'",
        )
        .bind(phase_id)
        .bind(&t)
        .bind(parcel_id)
        .bind(zone.0)
        .bind(revision)
        .execute(&mut *tx)
        .await;
        let changed = match changed {
            Ok(done) => done.rows_affected(),
            // Another parcel was reserved for this phase at the same moment (PostgreSQL).
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(AllocationError::PhaseHasParcel(
                    "(reserved meanwhile)".into(),
                ));
            }
            Err(e) => return Err(StoreError::from(e).into()),
        };
        if changed != 1 {
            let row =
                sqlx::query("SELECT code, status FROM parcels WHERE id = $1 AND zone_id = $2")
                    .bind(parcel_id)
                    .bind(zone.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::from)?
                    .ok_or(StoreError::NotFound)?;
            let status = ParcelStatus::parse(&row.get::<String, _>("status"))
                .unwrap_or(ParcelStatus::Withdrawn);
            return Err(AllocationError::NotAvailable {
                code: row.get("code"),
                status: status.as_str(),
            });
        }
        let phase_after = phase_before.on_reservation();
        set_phase_status(&mut tx, phase_id, phase_before, phase_after).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "reserve",
                entity: "parcel",
                entity_id: parcel_id.to_string(),
                before: json!({"status": "available", "phase_status": phase_before.as_str()}),
                after: json!({
                    "status": "reserved",
                    "phase_id": phase_id,
                    "phase_status": phase_after.as_str(),
                    "reason": reason,
                }),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(self.parcel(zone, parcel_id).await?)
    }

    /// Releases a reservation, for the reason given: the parcel is available again.
    pub async fn release_parcel(
        &self,
        actor: &Actor,
        zone: ZoneId,
        parcel_id: i64,
        reason: &str,
    ) -> Result<Parcel, AllocationError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT code, reserved_phase_id FROM parcels WHERE id = $1 AND zone_id = $2 AND status = 'reserved'")
            .bind(parcel_id)
            .bind(zone.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let Some(row) = row else {
            let p = self.parcel(zone, parcel_id).await?;
            return Err(AllocationError::NotReservedForPhase { code: p.code });
        };
        let phase: Option<i64> = row.get("reserved_phase_id");
        let revision = next_parcel_revision(&mut tx, zone).await?;
        let changed = sqlx::query("UPDATE parcels SET status = 'available', reserved_phase_id = NULL, version = version + 1, updated_at = $1, revision = $4
             WHERE id = $2 AND status = 'reserved' AND reserved_phase_id = $3")
            .bind(now())
            .bind(parcel_id)
            .bind(phase)
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .rows_affected();
        if changed != 1 {
            return Err(AllocationError::NotReservedForPhase {
                code: row.get("code"),
            });
        }
        // The phase the parcel was reserved for no longer has land matched.
        let mut phase_status_change = (None, None);
        if let Some(phase_id) = phase
            && let Some(r) = sqlx::query("SELECT status FROM project_phases WHERE id = $1")
                .bind(phase_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?
        {
            let before = phase_status(phase_id, &r.get::<String, _>("status"))?;
            let after = before.on_release();
            set_phase_status(&mut tx, phase_id, before, after).await?;
            phase_status_change = (Some(before.as_str()), Some(after.as_str()));
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "release",
                entity: "parcel",
                entity_id: parcel_id.to_string(),
                before: json!({"status": "reserved", "phase_id": phase, "phase_status": phase_status_change.0}),
                after: json!({"status": "available", "reason": reason, "phase_status": phase_status_change.1}),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(self.parcel(zone, parcel_id).await?)
    }

    /// Marks a parcel reserved for `phase_id` as handed over to it, inside the caller's
    /// transaction (the handover that makes the phase's list), and gives its regional
    /// assessments. A parcel the zone does not hold, or not reserved for the phase, is
    /// refused: every handover goes through a reservation.
    pub(crate) async fn take_parcel(
        tx: &mut crate::Tx,
        zone: ZoneId,
        code: &str,
        phase_id: i64,
    ) -> Result<Vec<String>, AllocationError> {
        let row = sqlx::query("SELECT id, code, status, reserved_phase_id, attrs_json FROM parcels WHERE zone_id = $1 AND UPPER(code) = UPPER($2)")
            .bind(zone.0)
            .bind(code)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::from)?;
        let Some(row) = row else {
            return Err(AllocationError::UnknownParcel {
                code: code.to_string(),
            });
        };
        let id: i64 = row.get("id");
        let revision = next_parcel_revision(tx, zone).await?;
        let changed = sqlx::query(
            "UPDATE parcels SET status = 'handed_over', handed_phase_id = $1, version = version + 1, updated_at = $2, revision = $4
             WHERE id = $3 AND status = 'reserved' AND reserved_phase_id = $1",
        )
        .bind(phase_id)
        .bind(now())
        .bind(id)
        .bind(revision)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if changed != 1 {
            return Err(AllocationError::NotReservedForPhase {
                code: code.to_string(),
            });
        }
        let attrs: ParcelAttrs = serde_json::from_str(&row.get::<String, _>("attrs_json"))
            .map_err(|e| StoreError::Corrupt(format!("parcel {code}: {e}")))?;
        Ok(attrs.assessments)
    }
}

/// A phase's stored status, read.
fn phase_status(phase_id: i64, stored: &str) -> Result<PhaseStatus, StoreError> {
    PhaseStatus::parse(stored)
        .ok_or_else(|| StoreError::Corrupt(format!("phase {phase_id} status")))
}

/// Moves a phase from `from` to `to` inside a parcel write's transaction (nothing when they
/// are the same); stale when the phase moved meanwhile.
async fn set_phase_status(
    tx: &mut crate::Tx,
    phase_id: i64,
    from: PhaseStatus,
    to: PhaseStatus,
) -> Result<(), StoreError> {
    if from == to {
        return Ok(());
    }
    let changed = sqlx::query(
        "UPDATE project_phases SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to.as_str())
    .bind(now())
    .bind(phase_id)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Takes the zone's next parcel revision, first in a parcel write's transaction: the
/// zone's row stays locked until the write commits, so revisions commit in order.
async fn next_parcel_revision(tx: &mut crate::Tx, zone: ZoneId) -> Result<i64> {
    let row = sqlx::query(
        "UPDATE zones SET parcel_revision = parcel_revision + 1 WHERE id = $1 RETURNING parcel_revision",
    )
    .bind(zone.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(row.get("parcel_revision"))
}

/// A parcel as the in-memory matcher reads it: no geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchRow {
    pub id: i64,
    pub attrs: ParcelAttrs,
    pub area_mu: f64,
    pub centroid: (f64, f64),
}

/// Parcels read a page at a time for the matcher.
pub const CHANGES_PAGE: i64 = 5_000;

/// Parcels written in a zone after a revision, and the revision they bring it to.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelChanges {
    pub revision: i64,
    pub rows: Vec<MatchRow>,
}

impl Store {
    /// Every zone's parcel revision.
    pub async fn parcel_revisions(&self) -> Result<Vec<(ZoneId, i64)>> {
        Ok(
            sqlx::query("SELECT id, parcel_revision FROM zones ORDER BY id")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| (ZoneId(r.get("id")), r.get("parcel_revision")))
                .collect(),
        )
    }

    /// The zone's parcel revision: every parcel write so far has one at or below it.
    pub async fn parcel_revision(&self, zone: ZoneId) -> Result<i64> {
        Ok(
            sqlx::query("SELECT parcel_revision FROM zones WHERE id = $1")
                .bind(zone.0)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?
                .get("parcel_revision"),
        )
    }

    /// A page of the zone's parcels written after revision `since` (all of them when none),
    /// as the matcher reads them: up to `limit` of them with ids above `after_id`, by id.
    /// There is no upper bound: a parcel written again while the pages are read comes as it
    /// is now, so a reader that took the zone's revision before reading has seen every
    /// parcel as of that revision or later.
    pub async fn parcel_changes_page(
        &self,
        zone: ZoneId,
        since: Option<i64>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<MatchRow>> {
        let rows = sqlx::query(
            "SELECT id, status, area_cm2, centroid_lon_e7, centroid_lat_e7, attrs_json FROM parcels
             WHERE zone_id = $1 AND revision > $2 AND id > $3 ORDER BY id LIMIT $4",
        )
        .bind(zone.0)
        .bind(since.unwrap_or(-1))
        .bind(after_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let corrupt = |what: &str, e: String| {
                    StoreError::Corrupt(format!("parcel {}: {what}: {e}", r.get::<i64, _>("id")))
                };
                let status_text: String = r.get("status");
                let mut attrs: ParcelAttrs =
                    serde_json::from_str(&r.get::<String, _>("attrs_json"))
                        .map_err(|e| corrupt("attributes", e.to_string()))?;
                attrs.status = ParcelStatus::parse(&status_text)
                    .ok_or_else(|| corrupt("status", status_text.clone()))?;
                attrs.status_given = true;
                attrs.extra = Default::default();
                let e7 = |c: &str| r.get::<i64, _>(c) as f64 / E7;
                Ok(MatchRow {
                    id: r.get("id"),
                    attrs,
                    area_mu: r.get::<i64, _>("area_cm2") as f64
                        / 1e4
                        / luodi_domain::land::geometry::M2_PER_MU,
                    centroid: (e7("centroid_lon_e7"), e7("centroid_lat_e7")),
                })
            })
            .collect()
    }

    /// Every parcel written after revision `since` (all of them when none), with the
    /// revision they bring the zone's matcher to at least: the zone's revision is taken
    /// before the rows are read, and rows written since come as they are now.
    pub async fn parcel_changes(&self, zone: ZoneId, since: Option<i64>) -> Result<ParcelChanges> {
        let revision = self.parcel_revision(zone).await?;
        let mut rows = Vec::new();
        loop {
            let after = rows.last().map_or(0, |r: &MatchRow| r.id);
            let page = self
                .parcel_changes_page(zone, since, after, CHANGES_PAGE)
                .await?;
            let done = (page.len() as i64) < CHANGES_PAGE;
            rows.extend(page);
            if done {
                break;
            }
        }
        Ok(ParcelChanges { revision, rows })
    }

    /// The parcels reserved for or handed to a phase.
    pub async fn phase_parcel_ids(&self, zone: ZoneId, phase_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query(
            "SELECT id FROM parcels WHERE zone_id = $1 AND (reserved_phase_id = $2 OR handed_phase_id = $2) ORDER BY id",
        )
        .bind(zone.0)
        .bind(phase_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect())
    }

    /// The zone's matcher weights (the defaults unless it has set its own).
    pub async fn match_weights(
        &self,
        zone: ZoneId,
    ) -> Result<luodi_domain::land::matching::Weights> {
        self.zone_setting(zone, crate::core::orgs::MATCH_WEIGHTS)
            .await
    }

    /// Sets the zone's matcher weights, audited with the old ones.
    pub async fn set_match_weights(
        &self,
        actor: &Actor,
        zone: ZoneId,
        weights: &luodi_domain::land::matching::Weights,
    ) -> Result<()> {
        self.set_zone_setting(actor, zone, crate::core::orgs::MATCH_WEIGHTS, weights)
            .await
    }
}

/// A park's boundary for the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParkBoundary {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub geometry: serde_json::Value,
}

impl Store {
    /// Sets a park's boundary (a checked shape), audited.
    pub async fn set_park_boundary(
        &self,
        actor: &Actor,
        zone: ZoneId,
        park_code: &str,
        shape: &luodi_domain::land::geometry::Shape,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let geometry = shape.to_geojson().to_string();
        let changed =
            sqlx::query("UPDATE parks SET boundary_json = $1 WHERE zone_id = $2 AND code = $3")
                .bind(&geometry)
                .bind(zone.0)
                .bind(park_code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "set_boundary",
                entity: "park",
                entity_id: park_code.to_string(),
                before: serde_json::Value::Null,
                after: json!({"area_m2": shape.area_m2().round()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The zone's parks that have a boundary.
    pub async fn park_boundaries(&self, zone: ZoneId) -> Result<Vec<ParkBoundary>> {
        let rows = sqlx::query("SELECT code, name_zh, name_en, boundary_json FROM parks WHERE zone_id = $1 AND boundary_json IS NOT NULL ORDER BY id")
            .bind(zone.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ParkBoundary {
                    code: r.get("code"),
                    name_zh: r.get("name_zh"),
                    name_en: r.get("name_en"),
                    geometry: serde_json::from_str(&r.get::<String, _>("boundary_json"))
                        .map_err(|e| StoreError::Corrupt(format!("park boundary: {e}")))?,
                })
            })
            .collect()
    }
}
