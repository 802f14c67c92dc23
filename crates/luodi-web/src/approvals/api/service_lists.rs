//! A phase's service list (made at the land handover), its items' steps, the departments'
//! queues and lateness, and the one-time notification as a PDF.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use luodi_app::approvals::lateness::{self, DepartmentLateness, QueueEntry};
use luodi_app::approvals::service_lists::{
    self, HandoverRequest, ListItemResponse, ServiceListResponse,
};
use luodi_app::approvals::steps::{self, StepRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, path_id};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(hand_over))
        .routes(routes!(service_list))
        .routes(routes!(step))
        .routes(routes!(queue))
        .routes(routes!(late))
        .routes(routes!(notice))
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
    let pdf = crate::approvals::notice_pdf::pdf_of(&state, &caller.caller(), &id, &seq).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
}
