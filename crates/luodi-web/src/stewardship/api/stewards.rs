//! A project's steward and its history (`/api/v1/projects/{id}/steward`), and the project's
//! timeline of everything that happened to it (`/api/v1/projects/{id}/timeline`). Each
//! handler parses, calls one use case ([`luodi_app::stewardship::stewards`]) and answers
//! with what it returns.

use axum::Json;
use axum::extract::State;
use luodi_app::stewardship::stewards::{self, AssignRequest, StewardHistory, TimelineEntry};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(history, assign))
        .routes(routes!(timeline))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/steward", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, description = "the project's steward and who served it before", body = StewardHistory), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<StewardHistory>, ApiError> {
    Ok(Json(
        stewards::history(&state.app, &caller.caller(), id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/steward", tag = "projects", params(("id" = i64, Path, description = "project id")),
    request_body = AssignRequest,
    responses((status = 200, description = "assigned: the old assignment closed, both stewards told, audited", body = StewardHistory),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "already the steward", body = ErrorBody),
        (status = 422, description = "not a steward of the zone, or no reason for a change", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<AssignRequest>,
) -> Result<Json<StewardHistory>, ApiError> {
    Ok(Json(
        stewards::assign(&state.app, &caller.caller(), id, &body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/timeline", tag = "projects", params(("id" = i64, Path, description = "project id"),
        ("limit" = Option<i64>, Query, description = "1–1000, default 200: the newest kept")),
    responses((status = 200, description = "everything that happened to the project, its phases, service lists and items, and blockers, oldest first (from the audit trail)", body = [TimelineEntry]),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    params: QueryParams,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["limit"])?;
    let limit = params.int("limit", 1, 1000)?.unwrap_or(200);
    Ok(Json(
        stewards::timeline(&state.app, &caller.caller(), id, limit).await?,
    ))
}
