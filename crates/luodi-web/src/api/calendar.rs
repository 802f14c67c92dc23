//! `/api/v1/calendar`: the working-day calendar in use (built-in years plus imported ones).

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use luodi_domain::core::calendar::DayKind;
use serde::Serialize;
use utoipa::ToSchema;
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

/// The longest range one request may ask for.
pub const MAX_DAYS: i64 = 3_700;

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDay {
    #[schema(example = "2026-10-01")]
    pub date: String,
    /// `workday` or `restday`.
    #[schema(example = "restday")]
    pub kind: String,
    /// The statutory holiday, in Chinese.
    pub holiday_zh: Option<String>,
    pub holiday_en: Option<String>,
    /// A weekend day made a working day (调休).
    pub adjusted: bool,
    /// Whether the year's schedule is published; if not, Monday–Friday were assumed.
    pub published: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDays {
    pub days: Vec<CalendarDay>,
    /// True when any day lies in a year with no published schedule.
    pub assumed: bool,
}

fn date_param(params: &QueryParams, name: &str) -> Result<NaiveDate, ApiError> {
    let raw = params
        .text(name)
        .ok_or_else(|| params.bad(name, "为必填项（YYYY-MM-DD）", "is required (YYYY-MM-DD)"))?;
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        params.bad(
            name,
            &format!("“{raw}”不是日期（YYYY-MM-DD）"),
            &format!("'{raw}' is not a date (YYYY-MM-DD)"),
        )
    })
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
    let (from, to) = (date_param(&params, "from")?, date_param(&params, "to")?);
    if to < from {
        return Err(params.bad("to", "早于 from", "is before 'from'"));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(params.bad(
            "to",
            &format!("距 from 超过 {MAX_DAYS} 天"),
            &format!("is more than {MAX_DAYS} days after 'from'"),
        ));
    }
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        let info = calendar.day(d);
        days.push(CalendarDay {
            date: d.to_string(),
            kind: match info.kind {
                DayKind::Workday => "workday".into(),
                DayKind::Restday => "restday".into(),
            },
            holiday_zh: info.holiday.map(|h| h.name_zh.clone()),
            holiday_en: info.holiday.map(|h| h.name_en.clone()),
            adjusted: info.adjusted,
            published: info.published,
        });
        d += chrono::Duration::days(1);
    }
    let assumed = days.iter().any(|d| !d.published);
    Ok(Json(CalendarDays { days, assumed }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkingDaysLater {
    #[schema(example = "2026-09-30")]
    pub from: String,
    pub working_days: i64,
    /// The `working_days`-th working day after `from` (the day of `from` is day 0).
    #[schema(example = "2026-10-08")]
    pub date: String,
    /// True when the count crossed a year with no published schedule.
    pub assumed: bool,
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
    let from = date_param(&params, "from")?;
    let n = params
        .int("working_days", -3650, 3650)?
        .ok_or_else(|| params.bad("working_days", "为必填项", "is required"))?;
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let due = calendar.add_working_days(from, n);
    Ok(Json(WorkingDaysLater {
        from: from.to_string(),
        working_days: n,
        date: due.value.to_string(),
        assumed: due.assumed,
    }))
}
