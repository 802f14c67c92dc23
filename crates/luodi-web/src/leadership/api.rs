//! `/api/v1/leadership`: the leadership view ([`luodi_app::leadership`]).

use axum::Json;
use axum::extract::State;
use luodi_app::leadership::{Leadership, leadership};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiUser;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show))
}

#[utoipa::path(get, path = "/api/v1/leadership", tag = "leadership",
    responses((status = 200, description = "phases by stage; open blockers by department and age; blocker SLA compliance by department and month", body = Leadership),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Leadership>, ApiError> {
    Ok(Json(leadership(&state.app, &caller.caller()).await?))
}
