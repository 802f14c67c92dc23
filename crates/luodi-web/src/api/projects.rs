//! `/api/v1/projects`, the phases' service lists and their items' steps, the departments'
//! queues and lateness, the one-time notification and the forecasts. Each handler parses,
//! calls one use case ([`luodi_app::approvals`], [`luodi_app::stewardship::projects`],
//! [`luodi_app::forecast::phase`]) and answers with what it returns.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use luodi_app::approvals::lateness::{self, DepartmentLateness, QueueEntry};
use luodi_app::approvals::service_lists::{
    self, HandoverRequest, ListItemResponse, ServiceListResponse,
};
use luodi_app::approvals::steps::{self, StepRequest};
use luodi_app::forecast::phase::{self, ForecastResponse, WhatIfRequest, WhatIfResponse};
use luodi_app::stewardship::projects::{
    self, CreateProjectRequest, ProjectResponse, project_response,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, path_id};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(hand_over))
        .routes(routes!(service_list))
        .routes(routes!(step))
        .routes(routes!(queue))
        .routes(routes!(late))
        .routes(routes!(notice))
        .routes(routes!(forecast))
        .routes(routes!(what_if))
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", responses((status = 200, body = [ProjectResponse])), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<ProjectResponse>>, ApiError> {
    let projects = projects::list(&state.app, &caller.caller()).await?;
    Ok(Json(projects.iter().map(project_response).collect()))
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = CreateProjectRequest,
    responses((status = 201, description = "recorded with its phases and steward; audited", body = ProjectResponse), (status = 403, body = ErrorBody),
        (status = 409, description = "the zone has a project of that name", body = ErrorBody),
        (status = 422, description = "every field at fault, e.g. phases[1].facts.land_area_mu", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<CreateProjectRequest>,
) -> Result<(StatusCode, Json<ProjectResponse>), ApiError> {
    let project = projects::create(&state.app, &caller.caller(), body).await?;
    Ok((StatusCode::CREATED, Json(project_response(&project))))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectResponse), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ProjectResponse>, ApiError> {
    let p = projects::show(&state.app, &caller.caller(), id).await?;
    Ok(Json(project_response(&p)))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/phases/{seq}/handover", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("seq" = i64, Path, description = "phase number, from 1")), request_body = HandoverRequest,
    responses((status = 201, description = "the land is handed over and the phase's service list made", body = ServiceListResponse), (status = 403, body = ErrorBody),
        (status = 409, description = "already listed, or no catalogue", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn hand_over(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, seq)): Path<(String, String)>,
    JsonBody(body): JsonBody<HandoverRequest>,
) -> Result<(StatusCode, Json<ServiceListResponse>), ApiError> {
    let id = path_id(&id, caller.lang)?;
    let list = service_lists::hand_over(&state.app, &caller.caller(), id, &seq, &body).await?;
    Ok((StatusCode::CREATED, Json(list)))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/phases/{seq}/service-list", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("seq" = i64, Path, description = "phase number")),
    responses((status = 200, body = ServiceListResponse), (status = 404, description = "no such project or phase, or no list yet", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn service_list(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Json<ServiceListResponse>, ApiError> {
    let id = path_id(&id, caller.lang)?;
    Ok(Json(
        service_lists::service_list(&state.app, &caller.caller(), id, &seq).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/service-items/{id}/steps", tag = "projects", params(("id" = i64, Path, description = "service list item id")), request_body = StepRequest,
    responses((status = 200, body = ListItemResponse), (status = 403, description = "not your part of the item", body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "not possible in the item's state, or stale", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn step(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<StepRequest>,
) -> Result<Json<ListItemResponse>, ApiError> {
    Ok(Json(
        steps::step(&state.app, &caller.caller(), id, &body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/departments/{code}/queue", tag = "projects", params(("code" = String, Path, description = "department code, e.g. approval-bureau")),
    responses((status = 200, description = "open items, oldest submission first", body = [QueueEntry]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Vec<QueueEntry>>, ApiError> {
    Ok(Json(
        lateness::queue(&state.app, &caller.caller(), &code).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/service-items/late", tag = "projects",
    responses((status = 200, description = "open items by department, most overdue first", body = [DepartmentLateness]), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn late(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<DepartmentLateness>>, ApiError> {
    Ok(Json(
        lateness::by_department(&state.app, &caller.caller()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/phases/{seq}/notice", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("seq" = i64, Path, description = "phase number")),
    responses((status = 200, description = "the one-time notification (一次性告知书), typeset in the caller's language", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "no such project or phase, or no list yet", body = ErrorBody),
        (status = 503, description = "no Chinese font is installed on the server", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn notice(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let pdf = crate::notice::pdf_of(&state, &caller.caller(), &id, &seq).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/forecast", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("phase" = Option<i64>, Query, description = "phase number; default the first with a list"),
        ("samples" = Option<usize>, Query, description = "Monte Carlo samples, 100–20,000 (default 1,000)"), ("seed" = Option<u64>, Query, description = "random seed (default 1); the same seed gives the same answer")),
    responses((status = 200, body = ForecastResponse), (status = 400, body = ErrorBody), (status = 404, description = "no such project, or no phase with a list", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn forecast(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    params: crate::extract::QueryParams,
) -> Result<Json<ForecastResponse>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["phase", "samples", "seed"])?;
    let samples = params.int("samples", 100, 20_000)?.unwrap_or(1_000) as usize;
    let seed = params.int("seed", 0, i64::MAX)?.unwrap_or(1) as u64;
    let seq = params.int("phase", 1, 99)?;
    Ok(Json(
        phase::forecast(&state.app, &caller.caller(), id, seq, samples, seed).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/forecast/what-if", tag = "projects", params(("id" = i64, Path, description = "project id")), request_body = WhatIfRequest,
    responses((status = 200, body = WhatIfResponse), (status = 404, body = ErrorBody), (status = 422, description = "an item or mode is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn what_if(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<WhatIfRequest>,
) -> Result<Json<WhatIfResponse>, ApiError> {
    Ok(Json(
        phase::what_if(&state.app, &caller.caller(), id, &body).await?,
    ))
}
