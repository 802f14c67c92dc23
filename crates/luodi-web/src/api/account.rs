//! `/api/v1/me`, `/api/v1/zones` and the caller's API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
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

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// admin, investment, landing, approval, steward, leader or enterprise.
    pub role: String,
    /// None for a province-level leader.
    pub zone_id: Option<i64>,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    /// `zh-CN` or `en`.
    pub lang: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(caller: ApiUser) -> Json<MeResponse> {
    let u = caller.user;
    Json(MeResponse {
        id: u.id.0,
        email: u.email,
        display_name: u.display_name,
        role: u.role.as_str().into(),
        zone_id: u.zone_id.map(|z| z.0),
        department_id: u.department_id.map(|d| d.0),
        enterprise_id: u.enterprise_id.map(|e| e.0),
        lang: caller.lang.tag().into(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneResponse {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub province: String,
}

#[utoipa::path(get, path = "/api/v1/zones", tag = "account", responses((status = 200, body = [ZoneResponse]), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn zones(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<ZoneResponse>>, ApiError> {
    let zones = state
        .app
        .store
        .zones(&caller.user.scope())
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        zones
            .into_iter()
            .map(|z| ZoneResponse {
                id: z.id.0,
                code: z.code,
                name_zh: z.name_zh,
                name_en: z.name_en,
                province: z.province,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When it stops working (UTC); after it the token is refused like a revoked one.
    pub expires_at: String,
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "account", responses((status = 200, body = [TokenResponse]), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<TokenResponse>>, ApiError> {
    let tokens = state
        .app
        .store
        .api_tokens(caller.user.id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenResponse {
                id: t.id,
                label: t.label,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
                expires_at: t.expires_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// What the token is for, e.g. "nightly export"; 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub label: String,
    /// Days the token lives: 1–365, default 90. Its owner's inbox is warned a week before.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenResponse {
    pub id: i64,
    /// Shown once; send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// When it stops working (UTC).
    pub expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "account", request_body = NewTokenRequest,
    responses((status = 201, body = NewTokenResponse), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<NewTokenRequest>,
) -> Result<(StatusCode, Json<NewTokenResponse>), ApiError> {
    let label = body.label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_label",
            crate::error::t(
                caller.lang,
                "标签须为 1–100 个字符",
                "the label must have 1–100 characters",
            ),
        )
        .field("label"));
    }
    let days = body
        .expires_in_days
        .unwrap_or(luodi_store::core::sessions::TOKEN_DAYS);
    if !(1..=luodi_store::core::sessions::MAX_TOKEN_DAYS).contains(&days) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
            crate::error::t(
                caller.lang,
                "有效期须为 1–365 天",
                "a token lives 1 to 365 days",
            ),
        )
        .field("expires_in_days"));
    }
    let (id, token) = state
        .app
        .store
        .create_api_token_until(
            &caller.user.actor(),
            &caller.user,
            label,
            days,
            caller.token_expires,
        )
        .await
        .map_err(ApiError::internal)?;
    let expires_at = state
        .app
        .store
        .api_tokens(caller.user.id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.expires_at)
        .unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(NewTokenResponse {
            id,
            token,
            expires_at,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account", params(("id" = i64, Path, description = "token id")),
    responses((status = 204, description = "revoked"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .store
        .revoke_api_token(&caller.user.actor(), &caller.user, id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(StatusCode::NO_CONTENT)
}
