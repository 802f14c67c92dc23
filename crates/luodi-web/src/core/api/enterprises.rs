//! `/api/v1/enterprises`: list, create, show, update. Each handler parses, calls one use
//! case of [`luodi_app::core::enterprises`] and answers with what it returns.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_app::core::enterprises::{
    self, EnterprisePage, EnterpriseRequest, EnterpriseResponse, LIST_PARAMS, ListFilter,
    LockedCode,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
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

/// The list's filters as given in the query.
pub fn list_filter(params: &QueryParams) -> ListFilter {
    let text = |name: &str| params.text(name).map(str::to_string);
    ListFilter {
        q: text("q"),
        chain_position: text("chain_position"),
        industry: text("industry"),
        sort: text("sort"),
        order: text("order"),
    }
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
    let query = list_filter(&params).parse()?;
    let page = params.page()?;
    let list = enterprises::list(&state.app, &caller.caller(), &query, page).await?;
    Ok(Json(EnterprisePage::new(list.found, caller.lang)))
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
    let created = enterprises::create(&state.app, &caller.caller(), &body.input()).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnterpriseResponse::new(created, caller.lang)),
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
    let e = enterprises::show(&state.app, &caller.caller(), id).await?;
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
    let updated = enterprises::update(
        &state.app,
        &caller.caller(),
        id,
        &body.input(),
        body.version,
        LockedCode::Refuse,
    )
    .await?;
    Ok(Json(EnterpriseResponse::new(updated, caller.lang)))
}
