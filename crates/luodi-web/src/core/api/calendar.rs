//! `/api/v1/calendar`: the working-day calendar in use (built-in years plus imported ones),
//! from [`luodi_app::core::calendar`].

use axum::Json;
use axum::extract::State;
use luodi_app::core::calendar::{self, CalendarDays, WorkingDaysLater, date_param};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(days))
        .routes(routes!(add))
}

#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar",
    params(("from" = String, Query, description = "first date, YYYY-MM-DD"), ("to" = String, Query, description = "last date, YYYY-MM-DD; at most 3,700 days after `from`")),
    responses((status = 200, body = CalendarDays), (status = 400, description = "a date is missing or wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn days(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<CalendarDays>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["from", "to"])?;
    let from = date_param("from", params.text("from"))?;
    let to = date_param("to", params.text("to"))?;
    Ok(Json(
        calendar::days(&state.app, &caller.caller(), from, to).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/calendar/add", tag = "calendar",
    params(("from" = String, Query, description = "start date, YYYY-MM-DD (day 0)"), ("working_days" = i64, Query, description = "-3650 to 3650")),
    responses((status = 200, body = WorkingDaysLater), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<WorkingDaysLater>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["from", "working_days"])?;
    let from = date_param("from", params.text("from"))?;
    let n = params.int("working_days", -3650, 3650)?;
    Ok(Json(
        calendar::add(&state.app, &caller.caller(), from, n).await?,
    ))
}
