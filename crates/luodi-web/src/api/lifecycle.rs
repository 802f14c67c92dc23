//! A phase's lifecycle by hand: `POST /api/v1/phases/{id}/move`, past the guards of
//! `PhaseStatus::check_move`; and the zone's policy on starting on commitment.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_domain::stewardship::project::{LifecyclePolicy, PhaseStatus};
use luodi_domain::{Lang, Operation};
use luodi_store::stewardship::projects::MoveError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, t};
use crate::extract::{ApiUser, JsonBody, PathId};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(move_phase))
        .routes(routes!(policy, set_policy))
}

/// The stage to move to, and the enterprise's commitment when construction is to start
/// before the permit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// signed, land_matched, construction_started or in_production (the others are
    /// recorded by the handover and by milestone approvals).
    #[schema(pattern = "^(signed|land_matched|construction_started|in_production)$")]
    pub status: String,
    pub commitment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveResponse {
    pub phase_id: i64,
    pub status: &'static str,
    pub status_text: String,
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
    let zone = caller.zone_for(Operation::MovePhase)?;
    let lang = caller.lang;
    let to = PhaseStatus::parse(body.status.trim()).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            t(
                lang,
                &format!("“{}”不是期次阶段", body.status),
                &format!("'{}' is not a phase stage", body.status),
            ),
        )
        .field("status")
    })?;
    let moved = state
        .app
        .store
        .move_phase(
            &caller.user.actor(),
            zone,
            id,
            to,
            body.commitment.as_deref(),
        )
        .await
        .map_err(|e| match e {
            MoveError::Refused(e) => ApiError::new(
                StatusCode::CONFLICT,
                "refused",
                match lang {
                    Lang::Zh => format!("不能转入该阶段：{}", e.text(lang)),
                    Lang::En => e.to_string(),
                },
            )
            .field("status"),
            MoveError::Store(e) => ApiError::store(lang, e),
        })?;
    state.app.forecast_wake.notify_one();
    Ok(Json(MoveResponse {
        phase_id: id,
        status: moved.as_str(),
        status_text: moved.label().get(lang).to_string(),
    }))
}

#[utoipa::path(get, path = "/api/v1/lifecycle-policy", tag = "projects",
    responses((status = 200, description = "the zone's lifecycle policy: start_on_commitment (承诺即开工)", body = luodi_app::schemas::LifecyclePolicySchema), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn policy(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<LifecyclePolicy>, ApiError> {
    let zone = caller
        .user
        .zone_id
        .ok_or_else(|| ApiError::forbidden(caller.lang))?;
    Ok(Json(
        state
            .app
            .store
            .zone_setting(zone, luodi_store::core::orgs::LIFECYCLE)
            .await
            .map_err(|e| ApiError::store(caller.lang, e))?,
    ))
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
    let zone = caller.zone_for(Operation::SetLifecyclePolicy)?;
    state
        .app
        .store
        .set_zone_setting(
            &caller.user.actor(),
            zone,
            luodi_store::core::orgs::LIFECYCLE,
            &body,
        )
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(body))
}
