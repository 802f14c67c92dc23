//! A phase's lifecycle by hand: `POST /api/v1/phases/{id}/move`, past the guards of
//! `PhaseStatus::check_move`; and the zone's policy on starting on commitment. Each
//! handler parses, calls one use case ([`luodi_app::stewardship::lifecycle`]) and answers
//! with what it returns.

use axum::Json;
use axum::extract::State;
use luodi_app::stewardship::lifecycle::{self, MoveRequest, MoveResponse};
use luodi_domain::stewardship::project::LifecyclePolicy;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(move_phase))
        .routes(routes!(policy, set_policy))
}

#[utoipa::path(post, path = "/api/v1/phases/{id}/move", tag = "projects", params(("id" = i64, Path, description = "project phase id")),
    request_body = MoveRequest,
    responses((status = 200, description = "moved; audited, with the commitment when there is one", body = MoveResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the lifecycle refuses it; the message says why", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn move_phase(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<MoveRequest>,
) -> Result<Json<MoveResponse>, ApiError> {
    Ok(Json(
        lifecycle::move_phase(&state.app, &caller.caller(), id, &body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/lifecycle-policy", tag = "projects",
    responses((status = 200, description = "the zone's lifecycle policy: start_on_commitment (承诺即开工)", body = luodi_app::schemas::LifecyclePolicySchema), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn policy(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<LifecyclePolicy>, ApiError> {
    Ok(Json(lifecycle::policy(&state.app, &caller.caller()).await?))
}

#[utoipa::path(put, path = "/api/v1/lifecycle-policy", tag = "projects",
    request_body(content = luodi_app::schemas::LifecyclePolicySchema, description = "whether construction may start before the permit on a recorded commitment"),
    responses((status = 200, description = "set, audited with the old policy", body = luodi_app::schemas::LifecyclePolicySchema), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_policy(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<LifecyclePolicy>,
) -> Result<Json<LifecyclePolicy>, ApiError> {
    Ok(Json(
        lifecycle::set_policy(&state.app, &caller.caller(), body).await?,
    ))
}
