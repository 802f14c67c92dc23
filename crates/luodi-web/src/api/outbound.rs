//! Where a zone's notifications go out: `GET/PUT /api/v1/outbound` (email on or off, the
//! webhooks), and what became of each delivery: `GET /api/v1/outbox`,
//! `POST /api/v1/outbox/{id}/retry`. Administrators only; secrets are never shown.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_domain::Operation;
use luodi_domain::stewardship::outbound::Outbound;
use luodi_store::core::orgs::OUTBOUND;
use luodi_store::stewardship::outbox::{OutboxCounts, OutboxEntry};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, t};
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
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let o: Outbound = state
        .app
        .store
        .zone_setting(zone, OUTBOUND)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(o.redacted()))
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
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let lang = caller.lang;
    let current: Outbound = state
        .app
        .store
        .zone_setting(zone, OUTBOUND)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let new = current.merged_with_existing(body);
    new.check().map_err(|e| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()).field(e.field)
    })?;
    luodi_app::stewardship::delivery::check_targets(&new, &state.app.settings.outbound.allow_hosts)
        .await
        .map_err(|r| internal_target(lang, &r))?;
    state
        .app
        .store
        .set_zone_setting(&caller.user.actor(), zone, OUTBOUND, &new)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    Ok(Json(new.redacted()))
}

/// The refusal of a webhook aimed inside the server's network.
pub fn internal_target(
    lang: luodi_domain::Lang,
    r: &luodi_app::stewardship::delivery::TargetRefused,
) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "internal_address",
        t(
            lang,
            &format!(
                "{}：指向内部地址 {}，Webhook 不得访问内网（只有服务器运维人员可通过 webhook_allow_hosts 放行指定主机）",
                r.field, r.address
            ),
            &format!(
                "{}: points at the internal address {}, which webhooks may not reach (only the server's operator can allow a host, with webhook_allow_hosts)",
                r.field, r.address
            ),
        ),
    )
    .field(r.field.clone())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    #[schema(value_type = Object)]
    pub counts: OutboxCounts,
    #[schema(value_type = Vec<Object>)]
    pub deliveries: Vec<OutboxEntry>,
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
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let params = params.with_lang(caller.lang);
    params.only(&["state", "limit"])?;
    let wanted = params.text("state");
    if let Some(s) = wanted
        && !["pending", "sent", "failed"].contains(&s)
    {
        return Err(params.bad(
            "state",
            "应为 pending、sent 或 failed",
            "must be pending, sent or failed",
        ));
    }
    let limit = params.int("limit", 1, 500)?.unwrap_or(100);
    let (deliveries, counts) = state
        .app
        .store
        .outbox(zone.0, wanted, limit)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(OutboxList { counts, deliveries }))
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
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let retried = state
        .app
        .store
        .retry_outbox(&caller.user.actor(), zone.0, id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    if !retried {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_failed",
            t(
                caller.lang,
                "只有发送失败的投递可以重发",
                "only a failed delivery is sent again",
            ),
        ));
    }
    Ok(Json(serde_json::json!({"id": id, "state": "pending"})))
}
