//! `/api/v1/notifications`: the caller's in-app inbox.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, QueryParams};
use luodi_app::stewardship::notifications::{Inbox, inbox};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read))
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(("unread" = Option<bool>, Query, description = "true: only unread ones"), ("limit" = Option<i64>, Query, description = "1–200, default 50")),
    responses((status = 200, description = "the caller's notifications, newest first, and how many are unread", body = Inbox), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<Inbox>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["unread", "limit"])?;
    let unread_only = match params.text("unread") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(params.bad("unread", "应为 true 或 false", "must be true or false")),
    };
    let limit = params.int("limit", 1, 200)?.unwrap_or(50);
    Ok(Json(
        inbox(&state.app, &caller.caller(), unread_only, limit)
            .await
            .map_err(|e| ApiError::app(caller.lang, e))?,
    ))
}

/// Which to mark read: one (`id`) or, without it, all.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadResponse {
    pub marked: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = ReadRequest,
    responses((status = 200, description = "how many were marked read", body = ReadResponse), (status = 404, description = "no such notification of the caller's", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<ReadRequest>,
) -> Result<Json<ReadResponse>, ApiError> {
    let zone = caller
        .user
        .zone_id
        .ok_or_else(|| ApiError::forbidden(caller.lang))?;
    let marked = state
        .app
        .store
        .mark_notifications_read(&caller.user.actor(), zone.0, caller.user.id.0, body.id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e).field("id"))?;
    Ok(Json(ReadResponse { marked }))
}
