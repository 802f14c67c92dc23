//! `/api/v1/blockers`: a project's difficulties and blockages (难点堵点) — raised by the
//! steward or the enterprise, acted on by the department they are with, confirmed and rated
//! by the enterprise; each with its three clocks on the working-day calendar. Each handler
//! parses, calls one use case ([`luodi_app::stewardship::blockers`]) and answers with what
//! it returns.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_app::stewardship::blockers::{
    self, ActionRequest, BlockerList, BlockerQuery, BlockerResponse, RaiseRequest,
};
use luodi_domain::stewardship::blocker::Sla;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, raise))
        .routes(routes!(show))
        .routes(routes!(act))
        .routes(routes!(sla, set_sla))
}

#[utoipa::path(get, path = "/api/v1/blockers", tag = "blockers",
    params(("project_id" = Option<i64>, Query, description = "one project's"), ("department_id" = Option<i64>, Query, description = "those with one department"),
        ("state" = Option<String>, Query, description = "open, acknowledged, answered, resolved, closed or withdrawn"),
        ("open" = Option<bool>, Query, description = "true: only those neither closed nor withdrawn")),
    responses((status = 200, description = "the blockers the caller sees, newest first, each with its three clocks", body = BlockerList),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<BlockerList>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["project_id", "department_id", "state", "open"])?;
    let query = BlockerQuery {
        project_id: params.int("project_id", 1, i64::MAX)?,
        department_id: params.int("department_id", 1, i64::MAX)?,
        state: params.text("state").map(str::to_string),
        open: params.text("open").map(str::to_string),
    };
    Ok(Json(
        blockers::list(&state.app, &caller.caller(), &query).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/blockers/{id}", tag = "blockers", params(("id" = i64, Path, description = "blocker id")),
    responses((status = 200, description = "the blocker with its clocks, its events and what the caller may do", body = BlockerResponse),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<BlockerResponse>, ApiError> {
    Ok(Json(
        blockers::show(&state.app, &caller.caller(), id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/blockers", tag = "blockers", request_body = RaiseRequest,
    responses((status = 201, description = "raised; its clocks start today", body = BlockerResponse), (status = 403, body = ErrorBody),
        (status = 422, description = "a field is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn raise(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<RaiseRequest>,
) -> Result<(StatusCode, Json<BlockerResponse>), ApiError> {
    let b = blockers::raise(&state.app, &caller.caller(), body).await?;
    Ok((StatusCode::CREATED, Json(b)))
}

#[utoipa::path(post, path = "/api/v1/blockers/{id}/actions", tag = "blockers", params(("id" = i64, Path, description = "blocker id")),
    request_body = ActionRequest,
    responses((status = 200, description = "done; the blocker as it now stands", body = BlockerResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the rules refuse it now, or the version is stale", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ActionRequest>,
) -> Result<Json<BlockerResponse>, ApiError> {
    Ok(Json(
        blockers::act(&state.app, &caller.caller(), id, &body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/blocker-sla", tag = "blockers",
    responses((status = 200, description = "the zone's limits in working days (acknowledge, answer, resolve, resolve_complex) and its escalation ladder (to, after_working_days)", body = luodi_app::schemas::SlaSchema),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn sla(State(state): State<AppState>, caller: ApiUser) -> Result<Json<Sla>, ApiError> {
    Ok(Json(blockers::sla(&state.app, &caller.caller()).await?))
}

#[utoipa::path(put, path = "/api/v1/blocker-sla", tag = "blockers",
    request_body(content = luodi_app::schemas::SlaSchema, description = "limits (1–120 working days, in that order no shorter) and the escalation ladder (1–5 rungs)"),
    responses((status = 200, description = "set; blockers raised from now on use it", body = luodi_app::schemas::SlaSchema), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_sla(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<Sla>,
) -> Result<Json<Sla>, ApiError> {
    Ok(Json(
        blockers::set_sla(&state.app, &caller.caller(), body).await?,
    ))
}
