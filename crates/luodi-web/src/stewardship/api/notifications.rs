//! `/api/v1/notifications`: the caller's in-app inbox. Each handler parses, calls one use
//! case ([`luodi_app::stewardship::notifications`]) and answers with what it returns.

use axum::Json;
use axum::extract::State;
use luodi_app::stewardship::notifications::{self, Inbox, ReadRequest, ReadResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, QueryParams};

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
    let limit = params.int("limit", 1, 200)?.unwrap_or(50);
    Ok(Json(
        notifications::list(&state.app, &caller.caller(), params.text("unread"), limit).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = ReadRequest,
    responses((status = 200, description = "how many were marked read", body = ReadResponse), (status = 404, description = "no such notification of the caller's", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<ReadRequest>,
) -> Result<Json<ReadResponse>, ApiError> {
    Ok(Json(
        notifications::mark_read(&state.app, &caller.caller(), body.id).await?,
    ))
}
