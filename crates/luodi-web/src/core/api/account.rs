//! `/api/v1/me`, `/api/v1/zones` and the caller's API tokens. Each handler parses, calls
//! one use case of [`luodi_app::core::account`] and answers with what it returns.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_app::core::account::{
    self, MeResponse, NewTokenRequest, NewTokenResponse, TokenResponse, ZoneResponse,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(zones))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(caller: ApiUser) -> Json<MeResponse> {
    Json(MeResponse::new(caller.user, caller.lang))
}

#[utoipa::path(get, path = "/api/v1/zones", tag = "account", responses((status = 200, body = [ZoneResponse]), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn zones(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<ZoneResponse>>, ApiError> {
    Ok(Json(account::zones(&state.app, &caller.caller()).await?))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "account", responses((status = 200, body = [TokenResponse]), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<TokenResponse>>, ApiError> {
    let tokens = account::tokens(&state.app, &caller.caller()).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "account", request_body = NewTokenRequest,
    responses((status = 201, body = NewTokenResponse), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<NewTokenRequest>,
) -> Result<(StatusCode, Json<NewTokenResponse>), ApiError> {
    let token =
        account::create_token(&state.app, &caller.caller(), &body, caller.token_expires).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account", params(("id" = i64, Path, description = "token id")),
    responses((status = 204, description = "revoked"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    account::revoke_token(&state.app, &caller.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
