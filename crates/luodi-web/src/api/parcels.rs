//! `/api/v1/parcels` and `/api/v1/match`: the zone's land parcels — list, read, import
//! (GeoJSON, all or nothing), export (GeoJSON), reserve and release — and the matcher that
//! ranks them for a project's land needs with every reason shown. Zone staff only: an
//! enterprise sees no parcels (their reservations tell of other projects).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use luodi_domain::land::match_index::Query;
use luodi_domain::land::matching::{AssessmentSavings, LandNeeds, Weights};
use luodi_domain::land::parcel::{FeatureProblem, ParcelAttrs, ParcelStatus, parcels_from_geojson};
use luodi_domain::stewardship::project::PhaseFacts;
use luodi_domain::{Action, Lang, ZoneId};
use luodi_store::land::parcels::{AllocationError, Parcel, ParcelImportError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::enterprises::path_id;
use crate::error::{ApiError, ErrorBody, FieldErrorBody, t};
use crate::export::Cell;
use crate::extract::{ApiUser, JsonBody, QueryParams};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/parcels", get(list).post(import))
        .route("/api/v1/parcels.geojson", get(export))
        .route("/api/v1/parcels.csv", get(export_csv))
        .route("/api/v1/parcels.xlsx", get(export_xlsx))
        .route("/api/v1/parcels/{id}", get(show))
        .route("/api/v1/parcels/{id}/reserve", post(reserve))
        .route("/api/v1/parcels/{id}/release", post(release))
        .route("/api/v1/match", post(match_parcels))
        .route(
            "/api/v1/match/weights",
            get(match_weights).put(set_match_weights),
        )
        .route(
            "/api/v1/phases/{id}/land-needs",
            axum::routing::put(set_land_needs),
        )
}

/// A parcel as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParcelResponse {
    pub id: i64,
    pub code: String,
    /// Geodesic, WGS84.
    pub area_m2: f64,
    /// 1 mu = 2000/3 m².
    pub area_mu: f64,
    /// `available`, `reserved`, `handed_over` or `withdrawn`.
    pub status: String,
    /// [longitude, latitude].
    pub centroid: [f64; 2],
    pub reserved_phase_id: Option<i64>,
    pub handed_phase_id: Option<i64>,
    /// Every attribute (see `luodi import parcels` in the README for names and defaults),
    /// unknown properties under `extra`.
    #[schema(value_type = Object)]
    pub attributes: ParcelAttrs,
    /// GeoJSON geometry.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    pub version: i64,
    pub updated_at: String,
}

impl From<Parcel> for ParcelResponse {
    fn from(p: Parcel) -> Self {
        ParcelResponse {
            id: p.id,
            code: p.code,
            area_m2: (p.area_m2 * 100.0).round() / 100.0,
            area_mu: (p.area_mu * 1000.0).round() / 1000.0,
            status: p.status.as_str().to_string(),
            centroid: [p.centroid.0, p.centroid.1],
            reserved_phase_id: p.reserved_phase_id,
            handed_phase_id: p.handed_phase_id,
            attributes: p.attrs,
            geometry: p.geometry,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParcelPage {
    pub items: Vec<ParcelResponse>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[utoipa::path(get, path = "/api/v1/parcels", tag = "parcels",
    params(("status" = Option<String>, Query, description = "available, reserved, handed_over or withdrawn"),
        ("page" = Option<i64>, Query, description = "from 1"), ("per_page" = Option<i64>, Query, description = "1–200, default 20")),
    responses((status = 200, body = ParcelPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<ParcelPage>, ApiError> {
    let zone = caller.zone_for(Action::ViewParcels)?;
    let params = params.with_lang(caller.lang);
    params.only(&["status", "page", "per_page"])?;
    let status = match params.text("status") {
        Some(s) => Some(ParcelStatus::parse(s).ok_or_else(|| {
            params.bad(
                "status",
                "应为 available、reserved、handed_over 或 withdrawn",
                "must be available, reserved, handed_over or withdrawn",
            )
        })?),
        None => None,
    };
    let page = params.page()?;
    let (items, total) = state
        .store
        .parcels(zone, status, page.offset(), page.per_page)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(ParcelPage {
        items: items.into_iter().map(Into::into).collect(),
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[utoipa::path(get, path = "/api/v1/parcels/{id}", tag = "parcels", params(("id" = i64, Path, description = "parcel id")),
    responses((status = 200, body = ParcelResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ParcelResponse>, ApiError> {
    let zone = caller.zone_for(Action::ViewParcels)?;
    let id = path_id(&id, caller.lang)?;
    let p = state
        .store
        .parcel(zone, id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(p.into()))
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub created: usize,
    pub updated: usize,
    /// Parcels the zone already held exactly as in the file: nothing written for them.
    pub unchanged: usize,
}

/// Every problem of a refused file, one `errors` entry each: `field` is
/// `features[i].field` (or `rows[i].field` for a table), the message names the code.
pub fn import_problems(lang: Lang, problems: &[FeatureProblem]) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_parcels",
        t(
            lang,
            &format!("文件有 {} 处问题，未导入任何地块", problems.len()),
            &format!(
                "the file has {} problem(s); no parcel was imported",
                problems.len()
            ),
        ),
    );
    e.body.errors = problems
        .iter()
        .map(|p| FieldErrorBody {
            field: format!("{}s[{}].{}", p.unit, p.index, p.field),
            code: "invalid_feature".into(),
            message: p.to_string(),
        })
        .collect();
    e.body.field = e.body.errors.first().map(|f| f.field.clone());
    e
}

#[utoipa::path(post, path = "/api/v1/parcels", tag = "parcels",
    request_body(content = String, content_type = "application/geo+json", description = "a GeoJSON FeatureCollection (or, with Content-Type text/csv or the XLSX type, a table with a header row of attribute names and a `wkt` column); only `code` and the geometry are required"),
    responses((status = 201, description = "imported: new codes added, known codes updated, identical ones left unchanged", body = ImportResponse), (status = 403, body = ErrorBody),
        (status = 413, description = "over 1 MiB: use `luodi import parcels`", body = ErrorBody),
        (status = 422, description = "every problem by feature index and code; nothing was written", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: ApiUser,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResponse>), ApiError> {
    let lang = caller.lang;
    let zone = caller.zone_for(Action::ManageParcels)?;
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(
        mime.as_str(),
        "text/csv" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ) && std::str::from_utf8(&body).is_err()
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_encoding",
            t(lang, "请求体须为 UTF-8", "the body must be UTF-8"),
        ));
    }
    // Reading and checking geometry is CPU work: it runs on the blocking pool, so a big
    // file never holds up the workers that answer other requests (and /healthz).
    let drafts = tokio::task::spawn_blocking(move || match mime.as_str() {
        "text/csv" => luodi_domain::land::parcel::parcels_from_csv(&body),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            luodi_domain::land::parcel::parcels_from_xlsx(&body)
        }
        _ => parcels_from_geojson(std::str::from_utf8(&body).unwrap_or_default()),
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|p| import_problems(lang, &p))?;
    let done = state
        .store
        .import_parcels(&caller.user.actor(), zone, &drafts)
        .await
        .map_err(|e| match e {
            ParcelImportError::Invalid(p) => import_problems(lang, &p),
            ParcelImportError::Store(e) => ApiError::store(lang, e),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(ImportResponse {
            created: done.created,
            updated: done.updated,
            unchanged: done.unchanged,
        }),
    ))
}

/// The zone's parcels as a GeoJSON FeatureCollection (readable by GDAL), each feature's
/// properties the parcel's attributes with `id`, `code`, `area_m2`, `area_mu`, `status`.
pub async fn feature_collection(
    state: &AppState,
    zone: ZoneId,
    lang: Lang,
) -> Result<serde_json::Value, ApiError> {
    let parcels = state
        .store
        .all_parcels(zone)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
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

#[utoipa::path(get, path = "/api/v1/parcels.geojson", tag = "parcels",
    responses((status = 200, description = "every parcel of the zone as a GeoJSON FeatureCollection", content_type = "application/geo+json", body = crate::api::schemas::FeatureCollectionSchema), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(State(state): State<AppState>, caller: ApiUser) -> Result<Response, ApiError> {
    let zone = caller.zone_for(Action::ViewParcels)?;
    let fc = feature_collection(&state, zone, caller.lang).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"parcels.geojson\"",
            ),
        ],
        fc.to_string(),
    )
        .into_response())
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
pub async fn parcel_table(
    state: &AppState,
    zone: ZoneId,
    lang: Lang,
) -> Result<crate::export::Table, ApiError> {
    let parcels = state
        .store
        .all_parcels(zone)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let fc = features_of(&parcels);
    let features = fc["features"].as_array().cloned().unwrap_or_default();
    let wkt: std::collections::HashMap<i64, String> = parcels
        .iter()
        .filter_map(|p| {
            luodi_domain::land::parcel::shape_from_geojson(Some(&p.geometry))
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
    Ok(crate::export::Table {
        name: "parcels".into(),
        headers,
        rows,
    })
}

#[utoipa::path(get, path = "/api/v1/parcels.csv", tag = "parcels",
    responses((status = 200, description = "every parcel as CSV: the attribute columns and `wkt`; imports back as it is", content_type = "text/csv", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_csv(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Response, ApiError> {
    let zone = caller.zone_for(Action::ViewParcels)?;
    let table = parcel_table(&state, zone, caller.lang).await?;
    Ok(table.response(crate::export::ExportFormat::Csv))
}

#[utoipa::path(get, path = "/api/v1/parcels.xlsx", tag = "parcels",
    responses((status = 200, description = "every parcel as an Excel workbook: the attribute columns and `wkt`; imports back as it is", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Response, ApiError> {
    let zone = caller.zone_for(Action::ViewParcels)?;
    let table = parcel_table(&state, zone, caller.lang).await?;
    Ok(table.response(crate::export::ExportFormat::Xlsx))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveRequest {
    /// The project phase to reserve the parcel for.
    pub phase_id: i64,
}

/// The answer to a refused reservation, release or handover of a parcel.
pub fn allocation_error(lang: Lang, e: AllocationError) -> ApiError {
    match e {
        AllocationError::Store(e) => ApiError::store(lang, e),
        AllocationError::PhaseHasParcel(code) => ApiError::new(
            StatusCode::CONFLICT,
            "phase_has_parcel",
            t(
                lang,
                &format!("该期项目已预留地块 {code}"),
                &format!("this phase already has parcel {code}"),
            ),
        )
        .field("phase_id"),
        AllocationError::NotAvailable { code, status } => ApiError::new(
            StatusCode::CONFLICT,
            "not_available",
            t(
                lang,
                &format!(
                    "地块 {code} 当前为“{}”，不能预留",
                    crate::i18n::Tr::new(lang).t(&format!("parcels.status_{status}"))
                ),
                &format!("parcel {code} is {status}, not available"),
            ),
        )
        .field("status"),
        AllocationError::NotReservedForPhase { code } => ApiError::new(
            StatusCode::CONFLICT,
            "not_reserved_for_phase",
            t(
                lang,
                &format!("地块 {code} 没有预留给这一期项目，不能释放或交地"),
                &format!("parcel {code} is not reserved for this phase"),
            ),
        )
        .field("phase_id"),
        AllocationError::UnknownParcel { code } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_parcel",
            t(
                lang,
                &format!("园区没有地块 {code}：请先导入该地块并预留给这一期项目，再交地"),
                &format!(
                    "the zone has no parcel {code}: import it, reserve it for this phase, then hand it over"
                ),
            ),
        )
        .field("parcel_code"),
    }
}

#[utoipa::path(post, path = "/api/v1/parcels/{id}/reserve", tag = "parcels", params(("id" = i64, Path, description = "parcel id")),
    request_body = ReserveRequest,
    responses((status = 200, body = ParcelResponse), (status = 403, body = ErrorBody), (status = 404, description = "no such parcel or phase in the zone", body = ErrorBody),
        (status = 409, description = "the parcel is not available, or the phase has a parcel already; nothing changed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reserve(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReserveRequest>,
) -> Result<Json<ParcelResponse>, ApiError> {
    let zone = caller.zone_for(Action::ManageParcels)?;
    let id = path_id(&id, caller.lang)?;
    let p = state
        .store
        .reserve_parcel(&caller.user.actor(), zone, id, body.phase_id)
        .await
        .map_err(|e| allocation_error(caller.lang, e))?;
    Ok(Json(p.into()))
}

/// Why a reservation is given up; kept in the audit trail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/parcels/{id}/release", tag = "parcels", params(("id" = i64, Path, description = "parcel id")),
    request_body = ReleaseRequest,
    responses((status = 200, body = ParcelResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "not reserved", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn release(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReleaseRequest>,
) -> Result<Json<ParcelResponse>, ApiError> {
    let zone = caller.zone_for(Action::ManageParcels)?;
    let id = path_id(&id, caller.lang)?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            t(
                caller.lang,
                "须说明释放原因",
                "give the reason for releasing the parcel",
            ),
        )
        .field("reason"));
    }
    let p = state
        .store
        .release_parcel(&caller.user.actor(), zone, id, body.reason.trim())
        .await
        .map_err(|e| allocation_error(caller.lang, e))?;
    Ok(Json(p.into()))
}

/// A matching request: a project phase (whose recorded land needs and facts are used, and
/// whose own reserved parcel stays eligible) and/or land needs given here, optionally phase
/// facts (which the catalogue's rules read to tell what each parcel's assessments save),
/// the zone's weights (default 15/25/15/15/15/15) and how many to return.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    pub phase_id: Option<i64>,
    #[schema(value_type = Option<crate::api::schemas::LandNeedsSchema>)]
    pub needs: Option<LandNeeds>,
    #[schema(value_type = Option<crate::api::schemas::PhaseFactsSchema>)]
    pub facts: Option<PhaseFacts>,
    /// The score's weights; default: the zone's (see `GET /api/v1/match/weights`).
    #[schema(value_type = Option<crate::api::schemas::WeightsSchema>)]
    pub weights: Option<Weights>,
    /// 1–100, default 10.
    #[schema(minimum = 1, maximum = 100)]
    pub k: Option<usize>,
    /// How many excluded parcels to explain constraint by constraint, lowest ids first:
    /// 0–10,000, default 200. The funnel counts them all.
    #[schema(maximum = 10000)]
    pub explain: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchedParcel {
    pub rank: usize,
    pub parcel_id: i64,
    pub code: String,
    pub area_mu: f64,
    pub centroid: [f64; 2],
    /// Points of 100.
    pub score: f64,
    /// Each component: `name`, `weight`, `value` (0–1), `points`, `detail`.
    #[schema(value_type = Vec<Object>)]
    pub components: Vec<luodi_domain::land::matching::Component>,
    /// What the parcel's regional assessments spare: `start_days`, `workload_days`, `waived`.
    #[schema(value_type = Object)]
    pub saving: luodi_domain::land::matching::Saving,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExcludedParcel {
    pub parcel_id: i64,
    pub code: String,
    /// Each failed constraint with its figures, and in words.
    #[schema(value_type = Vec<Object>)]
    pub constraints: Vec<luodi_domain::land::matching::Exclusion>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    pub parcels: usize,
    pub eligible: usize,
    /// The weights the scores used: the request's, or the zone's.
    #[schema(value_type = Object)]
    pub weights: Weights,
    /// Site elimination: each hard constraint in the order applied, with how many
    /// parcels it removed (`excluded`) and how many were left (`left`).
    #[schema(value_type = Vec<Object>)]
    pub funnel: Vec<luodi_domain::land::match_index::Stage>,
    pub top: Vec<MatchedParcel>,
    /// All the excluded parcels; `excluded` explains the first `explain` of them.
    pub excluded_total: usize,
    pub excluded: Vec<ExcludedParcel>,
}

pub async fn run_match(
    state: &AppState,
    zone: ZoneId,
    lang: Lang,
    req: &MatchRequest,
) -> Result<MatchResponse, ApiError> {
    let scope = luodi_domain::Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let phase = match req.phase_id {
        Some(id) => Some(
            state
                .store
                .phase(&scope, id)
                .await
                .map_err(|e| ApiError::store(lang, e).field("phase_id"))?,
        ),
        None => None,
    };
    let needs = req
        .needs
        .clone()
        .or_else(|| phase.as_ref().and_then(|p| p.land_needs.clone()))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "required",
                t(
                    lang,
                    "须给出用地需求，或所选期次已记录用地需求",
                    "give the land needs, or a phase whose land needs are recorded",
                ),
            )
            .field("needs")
        })?;
    let industry = needs.check().map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_needs",
            e.to_string(),
        )
        .field(format!("needs.{}", e.field))
    })?;
    let k = req.k.unwrap_or(10);
    if !(1..=100).contains(&k) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
            t(lang, "k 应为 1–100", "k must be 1–100"),
        )
        .field("k"));
    }
    let mut facts = req
        .facts
        .clone()
        .or_else(|| phase.as_ref().map(|p| p.facts.clone()))
        .unwrap_or_default();
    facts.check().map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fact",
            e.to_string(),
        )
        .field(format!("facts.{}", e.field))
    })?;
    facts.investment_wan = facts.investment_wan.or(needs.investment_wan);
    facts.land_area_mu = facts
        .land_area_mu
        .or(Some((needs.area_mu_min + needs.area_mu_max) / 2.0));
    let explain = req.explain.unwrap_or(200);
    if explain > 10_000 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
            t(lang, "explain 应为 0–10000", "explain must be 0–10,000"),
        )
        .field("explain"));
    }
    let weights = match req.weights {
        Some(w) => w,
        None => state
            .store
            .match_weights(zone)
            .await
            .map_err(|e| ApiError::store(lang, e))?,
    };
    weights.check().map_err(|e| weights_error(lang, &e))?;
    let (version, _, catalogue) = state
        .store
        .catalogue(zone, None)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let calendar = state.store.calendar().await.map_err(ApiError::internal)?;
    let savings_key = format!(
        "{}|{}|{}|{}|{}",
        zone.0,
        version.id,
        calendar.fingerprint(),
        serde_json::to_string(&facts).unwrap_or_default(),
        industry.as_ref().map(|i| i.as_str()).unwrap_or("")
    );
    let known = state.match_index.known_savings(&savings_key);
    let own = match &phase {
        Some(p) => state
            .store
            .phase_parcel_ids(zone, p.id)
            .await
            .map_err(|e| ApiError::store(lang, e))?,
        None => Vec::new(),
    };
    let index = state
        .match_index
        .current(&state.store, zone)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let indexes = state.match_index.clone();
    tokio::task::spawn_blocking(move || {
        let mut savings =
            AssessmentSavings::new(&calendar, &catalogue, facts, industry.clone()).remember(known);
        let query = Query {
            needs: &needs,
            industry: industry.as_ref(),
            weights: &weights,
            k,
            own: &own,
            explain,
        };
        let ranking = index.query(&query, |a: &[String]| savings.saved(a), lang);
        indexes.keep_savings(savings_key, savings.known());
        let code = |id: i64| index.get(id).map(|p| p.0.code).unwrap_or_default();
        MatchResponse {
            parcels: ranking.considered,
            eligible: ranking.eligible,
            weights,
            excluded_total: ranking.considered - ranking.eligible,
            funnel: ranking.funnel,
            top: ranking
                .top
                .into_iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let (attrs, area_mu, centroid) = index.get(s.id)?;
                    Some(MatchedParcel {
                        rank: i + 1,
                        parcel_id: s.id,
                        code: attrs.code,
                        area_mu: (area_mu * 1000.0).round() / 1000.0,
                        centroid: [centroid.0, centroid.1],
                        score: (s.score * 100.0).round() / 100.0,
                        components: s.components,
                        saving: s.saving,
                    })
                })
                .collect(),
            excluded: ranking
                .excluded
                .into_iter()
                .map(|(id, why)| ExcludedParcel {
                    parcel_id: id,
                    code: code(id),
                    reasons: why.iter().map(|w| w.text(lang)).collect(),
                    constraints: why,
                })
                .collect(),
        }
    })
    .await
    .map_err(ApiError::internal)
}

/// A weight that is not a number of zero or more, or weights that add up to nothing.
fn weights_error(lang: Lang, e: &luodi_domain::land::matching::NeedsError) -> ApiError {
    let field = if e.field == "weights" {
        "weights".to_string()
    } else {
        format!("weights.{}", e.field)
    };
    let message = if e.field == "weights" {
        t(
            lang,
            "权重之和须大于 0",
            "the weights must add up to more than 0",
        )
        .to_string()
    } else {
        match lang {
            Lang::Zh => format!("{}：权重应为不小于 0 的数", e.field),
            Lang::En => e.to_string(),
        }
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_weight", message).field(field)
}

#[utoipa::path(post, path = "/api/v1/match", tag = "parcels", request_body = MatchRequest,
    responses((status = 200, description = "the best parcels with each score's components, and every excluded parcel with its reasons", body = MatchResponse),
        (status = 403, body = ErrorBody), (status = 422, description = "a need or fact is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_parcels(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<MatchRequest>,
) -> Result<Json<MatchResponse>, ApiError> {
    let zone = caller.zone_for(Action::ViewParcels)?;
    Ok(Json(run_match(&state, zone, caller.lang, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/match/weights", tag = "parcels",
    responses((status = 200, description = "the weights the zone's matcher scores with (its own, or the defaults 15/25/15/15/15/15): area, indicators, utilities, price, synergy, assessments", body = crate::api::schemas::WeightsSchema),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_weights(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Weights>, ApiError> {
    let zone = caller.zone_for(Action::ViewParcels)?;
    Ok(Json(
        state
            .store
            .match_weights(zone)
            .await
            .map_err(|e| ApiError::store(caller.lang, e))?,
    ))
}

#[utoipa::path(put, path = "/api/v1/match/weights", tag = "parcels",
    request_body(content = crate::api::schemas::WeightsSchema, description = "all six weights, each zero or more, adding up to more than zero (any scale; shown as points of 100)"),
    responses((status = 200, description = "set; the weights", body = crate::api::schemas::WeightsSchema), (status = 403, body = ErrorBody),
        (status = 422, description = "a weight is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_match_weights(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(weights): JsonBody<Weights>,
) -> Result<Json<Weights>, ApiError> {
    let zone = caller.zone_for(Action::SetMatchWeights)?;
    weights
        .check()
        .map_err(|e| weights_error(caller.lang, &e))?;
    state
        .store
        .set_match_weights(&caller.user.actor(), zone, &weights)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(weights))
}

#[utoipa::path(put, path = "/api/v1/phases/{id}/land-needs", tag = "parcels", params(("id" = i64, Path, description = "project phase id")),
    request_body(content = crate::api::schemas::LandNeedsSchema, description = "the phase's land needs"),
    responses((status = 200, description = "recorded; the phase's id and its needs", body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_land_needs(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    JsonBody(needs): JsonBody<LandNeeds>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let zone = caller.zone_for(Action::ManageParcels)?;
    let id = path_id(&id, caller.lang)?;
    needs.check().map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_needs",
            e.to_string(),
        )
        .field(e.field)
    })?;
    let scope = luodi_domain::Scope {
        zone: Some(zone),
        enterprise: None,
    };
    state
        .store
        .set_land_needs(&caller.user.actor(), &scope, id, &needs)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(
        serde_json::json!({"phase_id": id, "land_needs": needs}),
    ))
}
