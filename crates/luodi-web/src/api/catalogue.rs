//! `/api/v1/catalogue`: the zone's service catalogue — read it, list its versions, and
//! (administrators) import a new version as TOML.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use luodi_domain::approvals::catalogue::{Catalogue, CatalogueError, DayUnit, TimeLimit};
use luodi_domain::{Lang, Operation, ZoneId};
use luodi_store::approvals::catalogue::{CatalogueVersion, ImportError, ImportOutcome};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, FieldErrorBody, t};
use crate::extract::{ApiUser, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(
            routes!(show, import).layer(axum::extract::DefaultBodyLimit::max(MAX_CATALOGUE_BYTES)),
        )
        .routes(routes!(versions))
        .routes(routes!(export))
}

/// The largest catalogue file accepted (a 5,000-item catalogue is about 4 MiB).
pub const MAX_CATALOGUE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueVersionResponse {
    pub id: i64,
    #[schema(example = "2026.1")]
    pub version: String,
    pub title_zh: String,
    pub title_en: String,
    pub item_count: i64,
    pub imported_at: String,
    /// Whether this is the zone's current version (new lists are made from it).
    pub current: bool,
}

impl From<CatalogueVersion> for CatalogueVersionResponse {
    fn from(v: CatalogueVersion) -> Self {
        CatalogueVersionResponse {
            id: v.id,
            version: v.version,
            title_zh: v.title_zh,
            title_en: v.title_en,
            item_count: v.item_count,
            imported_at: v.imported_at,
            current: v.current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LimitResponse {
    /// 0 means on the spot (即办).
    pub days: u32,
    /// `working` or `calendar`.
    #[schema(example = "working")]
    pub unit: String,
}

impl From<TimeLimit> for LimitResponse {
    fn from(l: TimeLimit) -> Self {
        LimitResponse {
            days: l.days,
            unit: match l.unit {
                DayUnit::Working => "working".into(),
                DayUnit::Calendar => "calendar".into(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeName {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResponse {
    #[schema(example = "SG06")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub stage: String,
    pub category: String,
    /// The responsible department's code.
    pub department: String,
    pub legal_basis: String,
    pub statutory_limit: LimitResponse,
    pub promised_limit: LimitResponse,
    /// Material codes.
    pub materials: Vec<String>,
    /// Item codes that must be done first.
    pub prerequisites: Vec<String>,
    /// The applicability rule, if any.
    pub applies_when: Option<String>,
    /// `parallel`, `commitment`, `minor_missing`, `regional_assessment`.
    pub modes: Vec<String>,
    /// The regional assessment that waives this item.
    pub waived_by: Option<String>,
    /// `construction_permit`, `construction_start` or `completion_acceptance`.
    pub milestone: Option<String>,
    pub done_at_handover: bool,
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueResponse {
    #[serde(flatten)]
    pub version: CatalogueVersionResponse,
    pub stages: Vec<CodeName>,
    pub categories: Vec<CodeName>,
    pub departments: Vec<CodeName>,
    pub materials: Vec<CodeName>,
    pub items: Vec<ItemResponse>,
}

fn json_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn catalogue_response(version: CatalogueVersion, c: &Catalogue) -> CatalogueResponse {
    let f = &c.file;
    let names = |list: Vec<(&String, &String, &String)>| {
        list.into_iter()
            .map(|(c, z, e)| CodeName {
                code: c.clone(),
                name_zh: z.clone(),
                name_en: e.clone(),
            })
            .collect()
    };
    CatalogueResponse {
        version: version.into(),
        stages: names(
            f.stages
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        categories: names(
            f.categories
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        departments: names(
            f.departments
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        materials: names(
            f.materials
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        items: f
            .items
            .iter()
            .map(|i| ItemResponse {
                code: i.code.clone(),
                name_zh: i.name_zh.clone(),
                name_en: i.name_en.clone(),
                stage: i.stage.clone(),
                category: i.category.clone(),
                department: i.department.clone(),
                legal_basis: i.legal_basis.clone(),
                statutory_limit: i.statutory_limit.into(),
                promised_limit: i.promised_limit.into(),
                materials: i.materials.clone(),
                prerequisites: i.prerequisites.clone(),
                applies_when: i.applies_when.clone(),
                modes: i.modes.iter().map(json_name).collect(),
                waived_by: i.waived_by.clone(),
                milestone: i.milestone.as_ref().map(json_name),
                done_at_handover: i.done_at_handover,
                source: i.source.clone(),
            })
            .collect(),
    }
}

/// The caller's zone; a province-level user must name one.
fn zone_of(caller: &ApiUser) -> Result<ZoneId, ApiError> {
    caller.user.zone_id.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "zone_required",
            t(
                caller.lang,
                "省级用户须在所属园区的账户下操作目录",
                "a province-level user has no zone catalogue",
            ),
        )
    })
}

/// The `version` query parameter as a stored version id.
async fn version_id(
    state: &AppState,
    zone: ZoneId,
    params: &QueryParams,
) -> Result<Option<i64>, ApiError> {
    let Some(v) = params.text("version") else {
        return Ok(None);
    };
    let versions = state
        .app
        .store
        .catalogue_versions(zone)
        .await
        .map_err(ApiError::internal)?;
    versions
        .iter()
        .find(|x| x.version == v)
        .map(|x| Some(x.id))
        .ok_or_else(|| {
            params.bad(
                "version",
                "不是本园区的目录版本",
                "is not a catalogue version of this zone",
            )
        })
}

#[utoipa::path(get, path = "/api/v1/catalogue", tag = "catalogue",
    params(("version" = Option<String>, Query, description = "a version, e.g. 2026.1; default the current one")),
    responses((status = 200, body = CatalogueResponse), (status = 404, description = "the zone has no catalogue yet", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<CatalogueResponse>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["version"])?;
    let zone = zone_of(&caller)?;
    let id = version_id(&state, zone, &params).await?;
    let (version, _, parsed) = state
        .app
        .store
        .catalogue(zone, id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(catalogue_response(version, &parsed)))
}

#[utoipa::path(get, path = "/api/v1/catalogue/versions", tag = "catalogue",
    responses((status = 200, body = [CatalogueVersionResponse])), security(("bearer" = [])))]
pub async fn versions(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<CatalogueVersionResponse>>, ApiError> {
    let zone = zone_of(&caller)?;
    let versions = state
        .app
        .store
        .catalogue_versions(zone)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/catalogue/export", tag = "catalogue",
    params(("version" = Option<String>, Query, description = "a version; default the current one")),
    responses((status = 200, description = "the catalogue file, as imported", content_type = "application/toml", body = String), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["version"])?;
    let zone = zone_of(&caller)?;
    let id = version_id(&state, zone, &params).await?;
    let (version, text, _) = state
        .app
        .store
        .catalogue(zone, id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"catalogue-{}.toml\"",
                    version.version
                ),
            ),
        ],
        text,
    )
        .into_response())
}

/// The API error for a refused catalogue: 422, every problem listed with its items.
pub fn invalid_catalogue(lang: Lang, errors: &[CatalogueError]) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_catalogue",
        t(
            lang,
            &format!("目录有 {} 处问题，未导入任何内容", errors.len()),
            &format!(
                "the catalogue has {} problem(s); nothing was imported",
                errors.len()
            ),
        ),
    );
    e.body.errors = errors
        .iter()
        .map(|err| {
            let items = err.items();
            FieldErrorBody {
                field: if items.is_empty() {
                    "catalogue".into()
                } else {
                    items.join(",")
                },
                code: json_code(err).into(),
                message: err.to_string(),
            }
        })
        .collect();
    e.body.field = e.body.errors.first().map(|f| f.field.clone());
    e
}

fn json_code(e: &CatalogueError) -> &'static str {
    match e {
        CatalogueError::Syntax(_) => "syntax",
        CatalogueError::Duplicate { .. } => "duplicate",
        CatalogueError::BadCode { .. } => "bad_code",
        CatalogueError::Unknown { .. } => "unknown_reference",
        CatalogueError::UnknownPrerequisite { .. } => "unknown_prerequisite",
        CatalogueError::SelfPrerequisite { .. } => "self_prerequisite",
        CatalogueError::LaterStage { .. } => "later_stage",
        CatalogueError::Cycle { .. } => "cycle",
        CatalogueError::BadRule { .. } => "bad_rule",
        CatalogueError::PromisedOverStatutory { .. } => "promised_over_statutory",
        CatalogueError::UnknownAssessment { .. } => "unknown_assessment",
        CatalogueError::WaiverWithoutMode { .. } => "waiver_without_mode",
        CatalogueError::Empty { .. } => "empty",
        CatalogueError::NoItems => "no_items",
        CatalogueError::ReservedCode { .. } => "reserved_code",
        CatalogueError::StartAfterBuilding { .. } => "start_after_building",
    }
}

/// Imports TOML text as the zone's current catalogue; shared by the API and the page.
pub async fn import_text(
    state: &AppState,
    caller: &luodi_store::core::users::User,
    lang: Lang,
    text: &str,
) -> Result<(StatusCode, CatalogueVersionResponse), ApiError> {
    let Some(zone) = caller.zone_id else {
        return Err(ApiError::forbidden(lang));
    };
    match state
        .app
        .store
        .import_catalogue(&caller.actor(), zone, text)
        .await
    {
        Ok(ImportOutcome::Imported(v)) => Ok((StatusCode::CREATED, v.into())),
        Ok(ImportOutcome::Unchanged(v)) => Ok((StatusCode::OK, v.into())),
        Err(ImportError::Invalid(errors)) => Err(invalid_catalogue(lang, &errors)),
        Err(ImportError::VersionTaken(v)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "version_taken",
            t(
                lang,
                &format!("版本 {v} 已存在且内容不同，请使用新的版本号"),
                &format!("version {v} already exists with different content; use a new version"),
            ),
        )
        .field("version")),
        Err(ImportError::Store(e)) => Err(ApiError::internal(e)),
    }
}

#[utoipa::path(post, path = "/api/v1/catalogue", tag = "catalogue",
    request_body(content = String, content_type = "application/toml", description = "a catalogue file (the format of `luodi catalogue export`)"),
    responses((status = 201, description = "imported as the current version", body = CatalogueVersionResponse), (status = 200, description = "the same version and text are stored already; nothing changed", body = CatalogueVersionResponse),
        (status = 403, body = ErrorBody), (status = 409, description = "the version exists with other content", body = ErrorBody),
        (status = 422, description = "every problem, each naming its items (a cycle in order)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: ApiUser,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<CatalogueVersionResponse>), ApiError> {
    let lang = caller.lang;
    if !Operation::ManageCatalogue.allows(caller.user.role) {
        return Err(ApiError::forbidden(lang));
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct.split(';').next().unwrap_or("").trim();
    if !matches!(mime, "application/toml" | "text/plain") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            t(
                lang,
                "请以 application/toml 发送目录文件",
                "send the catalogue as application/toml",
            ),
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "not_utf8",
            t(
                lang,
                "目录文件须为 UTF-8 文本",
                "the catalogue must be UTF-8 text",
            ),
        )
    })?;
    let (status, v) = import_text(&state, &caller.user, lang, text).await?;
    Ok((status, Json(v)))
}
