//! `/api/v1/portfolio`: the portfolio ([`luodi_app::forecast::portfolio`]).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use luodi_app::forecast::portfolio::{PortfolioResponse, portfolio};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/portfolio", get(list))
}

#[utoipa::path(get, path = "/api/v1/portfolio", tag = "projects",
    responses((status = 200, body = PortfolioResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<PortfolioResponse>, ApiError> {
    let view = portfolio(&state.app, &caller.caller())
        .await
        .map_err(|e| ApiError::app(caller.lang, e))?;
    Ok(Json(view))
}
