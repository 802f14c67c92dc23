//! `/api/v1/enterprises`: list, create, show, update.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_domain::core::enterprise::{ChainPosition, EnterpriseDraft, EnterpriseInput};
use luodi_domain::core::industry::IndustryCode;
use luodi_domain::{EnterpriseId, Lang, Operation, Role};
use luodi_store::core::enterprises::{Enterprise, EnterpriseQuery, EnterpriseSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, t};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
}

/// An enterprise to create, or the full new state of one to update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseRequest {
    /// 统一社会信用代码 — 18 characters, GB 32100-2015, with a valid check character.
    #[schema(example = "91350100M000100Y43", min_length = 18, max_length = 22)]
    pub uscc: String,
    /// 1–200 characters.
    #[schema(example = "青岛示例医疗器械有限公司", min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 200)]
    pub name_en: Option<String>,
    /// GB/T 4754-2017 industry code, e.g. `C3581` or `3581`.
    #[schema(example = "C3581")]
    pub industry_code: Option<String>,
    /// `upstream`, `midstream` or `downstream`.
    #[schema(example = "midstream", pattern = "^(upstream|midstream|downstream)?$")]
    pub chain_position: Option<String>,
    /// `large`, `medium`, `small` or `micro`.
    #[schema(pattern = "^(large|medium|small|micro)?$")]
    pub size: Option<String>,
    #[schema(max_length = 300)]
    pub address: Option<String>,
    #[schema(max_length = 100)]
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// On update: the version you read; a newer stored version answers 409 `stale`.
    pub version: Option<i64>,
}

impl EnterpriseRequest {
    fn input(&self) -> EnterpriseInput {
        EnterpriseInput {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            industry_code: self.industry_code.clone(),
            chain_position: self.chain_position.clone(),
            size: self.size.clone(),
            address: self.address.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            contact_email: self.contact_email.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseResponse {
    pub id: i64,
    pub zone_id: i64,
    pub uscc: String,
    pub name: String,
    pub name_en: Option<String>,
    pub industry_code: Option<String>,
    /// The industry's name in the request's language.
    pub industry_name: Option<String>,
    #[schema(example = "midstream")]
    pub chain_position: Option<String>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl EnterpriseResponse {
    pub fn new(e: Enterprise, lang: Lang) -> Self {
        EnterpriseResponse {
            industry_name: e.industry().map(|c| c.name(lang)),
            id: e.id.0,
            zone_id: e.zone_id.0,
            uscc: e.uscc,
            name: e.name,
            name_en: e.name_en,
            industry_code: e.industry_code,
            chain_position: e.chain_position.map(|c| c.as_str().to_string()),
            size: e.size.map(|s| s.as_str().to_string()),
            address: e.address,
            contact_name: e.contact_name,
            contact_phone: e.contact_phone,
            contact_email: e.contact_email,
            created_at: e.created_at,
            updated_at: e.updated_at,
            version: e.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterprisePage {
    pub items: Vec<EnterpriseResponse>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the enterprise list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EnterpriseListParams {
    /// Search in name, English name and code (case-insensitive).
    q: Option<String>,
    /// `upstream`, `midstream` or `downstream`.
    chain_position: Option<String>,
    /// GB/T 4754 code prefix, e.g. `C27` or `358`.
    industry: Option<String>,
    /// `name` (default), `uscc`, `industry_code` or `created_at`.
    sort: Option<String>,
    /// `asc` (default) or `desc`.
    order: Option<String>,
    /// From 1.
    page: Option<i64>,
    /// 1–200, default 20.
    per_page: Option<i64>,
}

pub const LIST_PARAMS: &[&str] = &[
    "q",
    "chain_position",
    "industry",
    "sort",
    "order",
    "page",
    "per_page",
];

/// Reads the list's query parameters, refusing any that are wrong.
pub fn list_query(params: &QueryParams) -> Result<EnterpriseQuery, ApiError> {
    let chain_position = match params.text("chain_position") {
        Some(c) => Some(ChainPosition::parse(c).ok_or_else(|| {
            params.bad(
                "chain_position",
                "应为 upstream、midstream 或 downstream",
                "must be upstream, midstream or downstream",
            )
        })?),
        None => None,
    };
    let industry_prefix = match params.text("industry") {
        Some(c) => Some(IndustryCode::parse(c).map_err(|e| {
            params.bad("industry", "不是 GB/T 4754 代码", &format!("is wrong: {e}"))
        })?),
        None => None,
    };
    let sort = match params.text("sort") {
        Some(s) => Some(EnterpriseSort::parse(s).ok_or_else(|| {
            params.bad(
                "sort",
                "应为 name、uscc、industry_code 或 created_at",
                "must be name, uscc, industry_code or created_at",
            )
        })?),
        None => None,
    };
    let descending = match params.text("order") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(params.bad("order", "应为 asc 或 desc", "must be asc or desc")),
    };
    Ok(EnterpriseQuery {
        search: params.text("q").map(str::to_string),
        chain_position,
        industry_prefix,
        sort,
        descending,
    })
}

#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(EnterpriseListParams),
    responses((status = 200, body = EnterprisePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<EnterprisePage>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(LIST_PARAMS)?;
    let query = list_query(&params)?;
    let page = params.page()?;
    let found = state
        .app
        .store
        .enterprises(&caller.user.scope(), &query, page)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(EnterprisePage {
        items: found
            .items
            .into_iter()
            .map(|e| EnterpriseResponse::new(e, caller.lang))
            .collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

#[utoipa::path(post, path = "/api/v1/enterprises", tag = "enterprises", request_body = EnterpriseRequest,
    responses((status = 201, body = EnterpriseResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "the code exists in this zone", body = ErrorBody), (status = 422, description = "a field is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<EnterpriseRequest>,
) -> Result<(StatusCode, Json<EnterpriseResponse>), ApiError> {
    let lang = caller.lang;
    if !Operation::CreateEnterprise.allows(caller.user.role) {
        return Err(ApiError::forbidden(lang));
    }
    let Some(zone) = caller.user.zone_id else {
        return Err(ApiError::forbidden(lang));
    };
    let draft =
        EnterpriseDraft::parse(&body.input()).map_err(|errs| ApiError::fields(lang, &errs))?;
    let created = state
        .app
        .store
        .create_enterprise(&caller.user.actor(), zone, &draft)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    Ok((
        StatusCode::CREATED,
        Json(EnterpriseResponse::new(created, lang)),
    ))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = i64, Path, description = "enterprise id")),
    responses((status = 200, body = EnterpriseResponse), (status = 404, description = "no such enterprise, or not yours", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<EnterpriseResponse>, ApiError> {
    let id = EnterpriseId(id);
    let e = state
        .app
        .store
        .enterprise(&caller.user.scope(), id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(EnterpriseResponse::new(e, caller.lang)))
}

#[utoipa::path(put, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = i64, Path, description = "enterprise id")), request_body = EnterpriseRequest,
    responses((status = 200, body = EnterpriseResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "code taken, or `stale` version", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<EnterpriseRequest>,
) -> Result<Json<EnterpriseResponse>, ApiError> {
    let lang = caller.lang;
    let id = EnterpriseId(id);
    if !Operation::EditEnterprise.allows(caller.user.role) {
        return Err(ApiError::forbidden(lang));
    }
    let scope = caller.user.scope();
    let current = state
        .app
        .store
        .enterprise(&scope, id)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let draft =
        EnterpriseDraft::parse(&body.input()).map_err(|errs| ApiError::fields(lang, &errs))?;
    check_identity_change(caller.user.role, &current, &draft, lang)?;
    let updated = state
        .app
        .store
        .update_enterprise(&caller.user.actor(), &scope, id, &draft, body.version)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    Ok(Json(EnterpriseResponse::new(updated, lang)))
}

/// An enterprise user keeps its details current but cannot change who it is: the code
/// is the zone's to change.
pub fn check_identity_change(
    role: Role,
    current: &Enterprise,
    draft: &EnterpriseDraft,
    lang: Lang,
) -> Result<(), ApiError> {
    if !Operation::ChangeEnterpriseCode.allows(role) && draft.uscc.as_str() != current.uscc {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            t(
                lang,
                "企业用户不能修改统一社会信用代码，请联系园区",
                "an enterprise user cannot change the unified social credit code; ask the zone",
            ),
        )
        .field("uscc"));
    }
    Ok(())
}
