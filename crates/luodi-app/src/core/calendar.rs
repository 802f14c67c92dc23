//! The working-day calendar in use (built-in years plus imported ones): its days, and a
//! number of working days added to a date.

use chrono::NaiveDate;
use luodi_domain::Operation;
use luodi_domain::Text;
use luodi_domain::core::calendar::DayKind;
use serde::Serialize;
use utoipa::ToSchema;

use super::CoreError;
use crate::{App, Caller};

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

/// The date query parameter `name` (required, YYYY-MM-DD), or why not.
pub fn date_param(name: &'static str, raw: Option<&str>) -> Result<NaiveDate, CoreError> {
    let raw = raw.ok_or_else(|| CoreError::BadParameter {
        name,
        what: Text::key("core.param.date_required"),
    })?;
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| CoreError::BadParameter {
        name,
        what: Text::fill("core.param.not_a_date", &[("raw", raw)]),
    })
}

/// Every day from `from` to `to`, each with its kind and holiday.
pub async fn days(
    app: &App,
    caller: &Caller,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<CalendarDays, CoreError> {
    caller.scope_for(Operation::ViewCalendar)?;
    if to < from {
        return Err(CoreError::BadParameter {
            name: "to",
            what: Text::key("core.param.before_from"),
        });
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(CoreError::BadParameter {
            name: "to",
            what: Text::fill("core.param.too_long", &[("max", &MAX_DAYS.to_string())]),
        });
    }
    let calendar = app.store.calendar().await?;
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
    Ok(CalendarDays { days, assumed })
}

/// The `working_days`-th working day after `from` (required; the day of `from` is day 0).
pub async fn add(
    app: &App,
    caller: &Caller,
    from: NaiveDate,
    working_days: Option<i64>,
) -> Result<WorkingDaysLater, CoreError> {
    caller.scope_for(Operation::ViewCalendar)?;
    let n = working_days.ok_or_else(|| CoreError::BadParameter {
        name: "working_days",
        what: Text::key("core.param.required"),
    })?;
    let calendar = app.store.calendar().await?;
    let due = calendar.add_working_days(from, n);
    Ok(WorkingDaysLater {
        from: from.to_string(),
        working_days: n,
        date: due.value.to_string(),
        assumed: due.assumed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use luodi_domain::Lang;

    #[test]
    fn a_date_parameter_is_required_and_a_date() {
        assert_eq!(
            date_param("from", Some(" 2026-10-01 ")).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
        let p = Problem::from(date_param("from", None).unwrap_err());
        assert_eq!(p.field.as_deref(), Some("from"));
        assert_eq!(
            p.message.get(Lang::En),
            "query parameter 'from' is required (YYYY-MM-DD)"
        );
        let p = Problem::from(date_param("to", Some("tomorrow")).unwrap_err());
        assert_eq!(
            p.message.get(Lang::Zh),
            "查询参数“to”“tomorrow”不是日期（YYYY-MM-DD）"
        );
    }
}
