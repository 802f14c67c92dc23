//! The zone's parcels as files: a GeoJSON FeatureCollection (readable by GDAL) and a
//! table (CSV or XLSX) whose columns are the import's names, so an export imports back as
//! it is; and a file imported, all or nothing.

use luodi_domain::Operation;
use luodi_domain::land::parcel::ParcelDraft;
use luodi_domain::land::readers::{parcels_from_csv, parcels_from_geojson, parcels_from_xlsx};
use luodi_store::land::parcels::{Parcel, ParcelImportError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::core::table::{Cell, Table};
use crate::land::LandError;
use crate::{App, Caller};

/// The zone's parcels as a GeoJSON FeatureCollection (readable by GDAL), each feature's
/// properties the parcel's attributes with `id`, `code`, `area_m2`, `area_mu`, `status`.
pub async fn feature_collection(
    app: &App,
    caller: &Caller,
) -> Result<serde_json::Value, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let parcels = app.store.all_parcels(zone).await?;
    Ok(features_of(&parcels))
}

/// Parcels as a GeoJSON FeatureCollection (see [`feature_collection`]).
fn features_of(parcels: &[Parcel]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = parcels
        .iter()
        .map(|p| {
            let mut props = serde_json::to_value(&p.attrs)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default();
            let extra = props
                .remove("extra")
                .and_then(|e| e.as_object().cloned())
                .unwrap_or_default();
            for (k, v) in extra {
                props.entry(k).or_insert(v);
            }
            props.insert("id".into(), p.id.into());
            props.insert("area_m2".into(), ((p.area_m2 * 100.0).round() / 100.0).into());
            props.insert("area_mu".into(), ((p.area_mu * 1000.0).round() / 1000.0).into());
            props.insert("status".into(), p.status.as_str().into());
            // Lists as comma-separated text, so every GIS reads them as plain fields.
            for k in ["allowed_industries", "assessments"] {
                if let Some(serde_json::Value::Array(a)) = props.get(k) {
                    let joined = a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(",");
                    props.insert(k.into(), joined.into());
                }
            }
            serde_json::json!({"type": "Feature", "id": p.id, "properties": props, "geometry": p.geometry})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// The attribute columns of a parcel table, in the import's names (so an export imports
/// back as it is).
const TABLE_COLUMNS: &[&str] = &[
    "code",
    "name",
    "park",
    "land_use",
    "status",
    "area_m2",
    "area_mu",
    "price_per_mu_wan",
    "power_kva",
    "water_m3_per_day",
    "gas",
    "steam",
    "road_access",
    "sewage_class",
    "plot_ratio_min",
    "plot_ratio_max",
    "building_coverage_min",
    "green_ratio_max",
    "height_max_m",
    "investment_intensity_min_wan_per_mu",
    "tax_per_mu_min_wan",
    "output_per_mu_min_wan",
    "energy_per_value_added_max_tce",
    "allowed_industries",
    "assessments",
    "checked_on",
];

/// The zone's parcels as a table: the attributes, extra properties, then `wkt`.
pub async fn parcel_table(app: &App, caller: &Caller) -> Result<Table, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let parcels = app.store.all_parcels(zone).await?;
    Ok(table_of(&parcels))
}

/// Parcels as a table in the form a file imports back: the attributes, extra properties,
/// then `wkt`.
pub fn table_of(parcels: &[Parcel]) -> Table {
    let fc = features_of(parcels);
    let features = fc["features"].as_array().cloned().unwrap_or_default();
    let wkt: std::collections::HashMap<i64, String> = parcels
        .iter()
        .filter_map(|p| {
            luodi_domain::land::geometry::shape_from_geojson(Some(&p.geometry))
                .ok()
                .map(|s| (p.id, s.to_wkt()))
        })
        .collect();
    let mut extra: Vec<String> = parcels
        .iter()
        .flat_map(|p| p.attrs.extra.keys().cloned())
        .filter(|k| !TABLE_COLUMNS.contains(&k.as_str()) && k != "id" && k != "wkt")
        .collect();
    extra.sort();
    extra.dedup();
    let mut headers: Vec<String> = TABLE_COLUMNS.iter().map(|c| c.to_string()).collect();
    headers.extend(extra);
    headers.push("wkt".into());
    let rows = features
        .iter()
        .map(|f| {
            let props = &f["properties"];
            let id = props["id"].as_i64().unwrap_or(0);
            headers
                .iter()
                .map(|h| match (h.as_str(), &props[h.as_str()]) {
                    ("wkt", _) => wkt.get(&id).cloned().unwrap_or_default().into(),
                    (_, serde_json::Value::Null) => Cell::Empty,
                    ("checked_on", serde_json::Value::String(s)) => {
                        match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                            Ok(d) => Cell::Date(d),
                            Err(_) => s.clone().into(),
                        }
                    }
                    (_, serde_json::Value::String(s)) => s.clone().into(),
                    (_, serde_json::Value::Number(n)) => {
                        n.as_f64().map_or(Cell::Empty, Cell::Number)
                    }
                    (_, serde_json::Value::Bool(b)) => Cell::Bool(*b),
                    (_, v) => v.to_string().into(),
                })
                .collect()
        })
        .collect();
    Table {
        name: "parcels".into(),
        headers,
        rows,
    }
}

/// The kinds of parcel file, by media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A GeoJSON FeatureCollection (`application/geo+json`, `application/json`, or no
    /// type given).
    GeoJson,
    /// A table with a header row of attribute names and a `wkt` column.
    Csv,
    Xlsx,
}

impl FileKind {
    /// The kind a `Content-Type` names (its parameters ignored); GeoJSON unless a table's.
    pub fn from_media_type(content_type: &str) -> FileKind {
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "text/csv" => FileKind::Csv,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => FileKind::Xlsx,
            _ => FileKind::GeoJson,
        }
    }
}

/// The most a parcel file may hold over the API or from the pages (the web layer's body
/// limit); a bigger file goes in by `luodi import parcels`.
pub const MAX_PARCEL_FILE_BYTES: usize = 1024 * 1024;

/// Reads and checks a whole file of `kind`: its parcels, or every problem by feature or
/// row. Reading and checking geometry is CPU work: it runs on the blocking pool, so a big
/// file never holds up the workers that answer other requests (and /healthz).
pub(crate) async fn read(kind: FileKind, body: Vec<u8>) -> Result<Vec<ParcelDraft>, LandError> {
    if kind == FileKind::GeoJson && std::str::from_utf8(&body).is_err() {
        return Err(LandError::Encoding);
    }
    tokio::task::spawn_blocking(move || match kind {
        FileKind::Csv => parcels_from_csv(&body),
        FileKind::Xlsx => parcels_from_xlsx(&body),
        FileKind::GeoJson => parcels_from_geojson(std::str::from_utf8(&body).unwrap_or_default()),
    })
    .await
    .map_err(LandError::internal)?
    .map_err(LandError::Import)
}

impl FileKind {
    /// The kind of an uploaded file: by its name's extension (`.geojson`/`.json`, `.csv`,
    /// `.xlsx`); with none of these, by its content (a ZIP container is a workbook) and
    /// then by its media type, as the API decides. `None` for another extension.
    pub fn of_upload(name: &str, content_type: &str, bytes: &[u8]) -> Option<FileKind> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        match ext {
            Some("geojson" | "json") => Some(FileKind::GeoJson),
            Some("csv") => Some(FileKind::Csv),
            Some("xlsx") => Some(FileKind::Xlsx),
            Some(_) => None,
            None if bytes.starts_with(b"PK\x03\x04") => Some(FileKind::Xlsx),
            None => Some(FileKind::from_media_type(content_type)),
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub created: usize,
    pub updated: usize,
    /// Parcels the zone already held exactly as in the file: nothing written for them.
    pub unchanged: usize,
}

/// Imports a file of parcels into `zone`, all or nothing: new codes added, known codes
/// updated, identical ones left unchanged; every problem named by feature or row.
pub async fn import(
    app: &App,
    caller: &Caller,
    kind: FileKind,
    body: Vec<u8>,
) -> Result<ImportResponse, LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    let drafts = read(kind, body).await?;
    let done = app
        .store
        .import_parcels(&caller.actor, zone, &drafts)
        .await
        .map_err(|e| match e {
            ParcelImportError::Invalid(p) => LandError::Import(p),
            ParcelImportError::Store(e) => LandError::Store(e),
        })?;
    Ok(ImportResponse {
        created: done.created,
        updated: done.updated,
        unchanged: done.unchanged,
    })
}
