//! `/api/v1/portfolio`: the portfolio ([`luodi_app::forecast::portfolio`]).

use axum::Json;
use axum::extract::State;
use luodi_app::forecast::portfolio::{PortfolioResponse, portfolio};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(get, path = "/api/v1/portfolio", tag = "projects",
    responses((status = 200, body = PortfolioResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<PortfolioResponse>, ApiError> {
    Ok(Json(portfolio(&state.app, &caller.caller()).await?))
}
