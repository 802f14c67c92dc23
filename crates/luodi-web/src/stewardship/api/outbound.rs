//! Where a zone's notifications go out: `GET/PUT /api/v1/outbound` (email on or off, the
//! webhooks), and what became of each delivery: `GET /api/v1/outbox`,
//! `POST /api/v1/outbox/{id}/retry`. Administrators only; secrets are never shown. Each
//! handler parses, calls one use case ([`luodi_app::stewardship::outbound`]) and answers
//! with what it returns.

use axum::Json;
use axum::extract::State;
use luodi_app::stewardship::outbound::{self, OutboxList};
use luodi_domain::stewardship::outbound::Outbound;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, set))
        .routes(routes!(outbox))
        .routes(routes!(retry))
}

#[utoipa::path(get, path = "/api/v1/outbound", tag = "notifications",
    responses((status = 200, description = "the zone's outbound settings, secrets hidden: email (bool) and webhooks (name, format generic|wecom|dingtalk, url, secret, kinds)", body = luodi_app::schemas::OutboundSchema),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Outbound>, ApiError> {
    Ok(Json(
        outbound::settings(&state.app, &caller.caller()).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/outbound", tag = "notifications",
    request_body(content = luodi_app::schemas::OutboundSchema, description = "email on or off, and the webhooks. A secret or URL given back as shown (hidden) keeps the one set."),
    responses((status = 200, description = "set, audited with secrets hidden", body = luodi_app::schemas::OutboundSchema), (status = 403, body = ErrorBody),
        (status = 422, description = "the field at fault, e.g. webhooks[1].url", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<Outbound>,
) -> Result<Json<Outbound>, ApiError> {
    Ok(Json(
        outbound::set_settings(&state.app, &caller.caller(), body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/outbox", tag = "notifications",
    params(("state" = Option<String>, Query, description = "pending, sent or failed"), ("limit" = Option<i64>, Query, description = "1–500, default 100")),
    responses((status = 200, description = "the zone's deliveries, newest first, with counts by state", body = OutboxList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn outbox(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<OutboxList>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["state", "limit"])?;
    let limit = params.int("limit", 1, 500)?.unwrap_or(100);
    Ok(Json(
        outbound::outbox(&state.app, &caller.caller(), params.text("state"), limit).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "notifications", params(("id" = i64, Path, description = "delivery id")),
    request_body(content = Object, description = "an empty object"),
    responses((status = 200, description = "queued again, attempts counted afresh; audited", body = Object), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the delivery has not failed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn retry(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(_empty): JsonBody<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    outbound::retry(&state.app, &caller.caller(), id).await?;
    Ok(Json(serde_json::json!({"id": id, "state": "pending"})))
}
