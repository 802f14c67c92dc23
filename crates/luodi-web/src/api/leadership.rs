//! `/api/v1/leadership` and the page `/leadership`: what the zone's leaders watch —
//! phases by stage, open blockers by department and age, and each department's blocker
//! SLA compliance month by month (the share of clocks met on time).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::Datelike;
use luodi_domain::Lang;
use luodi_domain::stewardship::blocker::{ClockStatus, State as BlockerState};
use luodi_domain::stewardship::project::{PhaseStatus, is_signed, project_stage};
use luodi_store::stewardship::blockers::BlockerFilter;
use serde::Serialize;
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiUser;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show))
}

/// Age buckets of open blockers, in working days since raised.
pub const AGE_BUCKETS: [(&str, i64, i64); 4] = [
    ("0–3", 0, 3),
    ("4–10", 4, 10),
    ("11–20", 11, 20),
    (">20", 21, i64::MAX),
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageCount {
    pub status: &'static str,
    pub label: String,
    pub phases: usize,
    /// Projects standing at this stage (their furthest phase's), each counted once.
    pub projects: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentBlockers {
    pub department_id: i64,
    pub department: String,
    /// Open blockers in each age bucket (see `age_buckets`).
    pub by_age: Vec<usize>,
    pub open: usize,
    /// Open blockers with a clock missed now.
    pub missed: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Compliance {
    pub department_id: i64,
    pub department: String,
    /// Per month (see `months`): clocks that have stopped, and those met on time; `None`
    /// where none stopped.
    pub stopped: Vec<usize>,
    pub met: Vec<usize>,
    pub percent: Vec<Option<u32>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Leadership {
    pub today: String,
    /// Projects the caller sees.
    pub projects: usize,
    /// Projects signed (one phase at least at signing or beyond), each counted once however
    /// many phases and agreements it has.
    pub projects_signed: usize,
    pub stages: Vec<StageCount>,
    pub age_buckets: Vec<&'static str>,
    pub blockers: Vec<DepartmentBlockers>,
    /// The last six months, oldest first (`YYYY-MM`, by the day a blocker was raised).
    pub months: Vec<String>,
    pub compliance: Vec<Compliance>,
}

pub async fn leadership(
    state: &AppState,
    user: &luodi_store::core::users::User,
    lang: Lang,
) -> Result<Leadership, ApiError> {
    let scope = user.scope();
    let today = state.app.today();
    let projects = state
        .app
        .store
        .projects(&scope)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let stages = PhaseStatus::ALL
        .iter()
        .map(|s| StageCount {
            status: s.as_str(),
            label: s.label().get(lang).to_string(),
            phases: projects
                .iter()
                .flat_map(|p| &p.phases)
                .filter(|ph| ph.status == *s)
                .count(),
            projects: projects
                .iter()
                .filter(|p| project_stage(p.phases.iter().map(|ph| ph.status)) == Some(*s))
                .count(),
        })
        .collect();
    let projects_signed = projects
        .iter()
        .filter(|p| is_signed(p.phases.iter().map(|ph| ph.status)))
        .count();
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let records = state
        .app
        .store
        .blockers(&scope, &BlockerFilter::default())
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let months: Vec<(i32, u32)> = (0..6)
        .rev()
        .map(|back| {
            let m = today.year() * 12 + today.month0() as i32 - back;
            (m.div_euclid(12), m.rem_euclid(12) as u32 + 1)
        })
        .collect();
    let mut open: BTreeMap<i64, DepartmentBlockers> = BTreeMap::new();
    let mut compliance: BTreeMap<i64, Compliance> = BTreeMap::new();
    for r in &records {
        let b = r.blocker().map_err(ApiError::internal)?;
        let clocks = b.clocks(&calendar, &r.limits, today);
        let department = if lang == Lang::Zh {
            r.department_zh.clone()
        } else {
            r.department_en.clone()
        };
        if r.state.is_open() {
            let age = calendar
                .working_days_between(r.raised_on, today)
                .value
                .max(0);
            let entry = open
                .entry(r.department_id)
                .or_insert_with(|| DepartmentBlockers {
                    department_id: r.department_id,
                    department: department.clone(),
                    by_age: vec![0; AGE_BUCKETS.len()],
                    open: 0,
                    missed: 0,
                });
            entry.open += 1;
            if let Some(i) = AGE_BUCKETS
                .iter()
                .position(|(_, lo, hi)| (*lo..=*hi).contains(&age))
            {
                entry.by_age[i] += 1;
            }
            if clocks.iter().any(|c| c.status == ClockStatus::Missed) {
                entry.missed += 1;
            }
        }
        if r.state == BlockerState::Withdrawn {
            continue;
        }
        let Some(month) = months
            .iter()
            .position(|(y, m)| r.raised_on.year() == *y && r.raised_on.month() == *m)
        else {
            continue;
        };
        let entry = compliance
            .entry(r.department_id)
            .or_insert_with(|| Compliance {
                department_id: r.department_id,
                department: department.clone(),
                stopped: vec![0; months.len()],
                met: vec![0; months.len()],
                percent: vec![None; months.len()],
            });
        for c in &clocks {
            match c.status {
                ClockStatus::Met => {
                    entry.stopped[month] += 1;
                    entry.met[month] += 1;
                }
                // Missed while running counts against the department as much as met late.
                ClockStatus::MetLate | ClockStatus::Missed => entry.stopped[month] += 1,
                _ => {}
            }
        }
    }
    let mut compliance: Vec<Compliance> = compliance.into_values().collect();
    for c in &mut compliance {
        c.percent = c
            .stopped
            .iter()
            .zip(&c.met)
            .map(|(s, m)| (*s > 0).then(|| (*m * 100 / *s) as u32))
            .collect();
    }
    let mut blockers: Vec<DepartmentBlockers> = open.into_values().collect();
    blockers.sort_by(|a, b| b.missed.cmp(&a.missed).then(b.open.cmp(&a.open)));
    Ok(Leadership {
        today: today.to_string(),
        projects: projects.len(),
        projects_signed,
        stages,
        age_buckets: AGE_BUCKETS.iter().map(|b| b.0).collect(),
        blockers,
        months: months.iter().map(|(y, m)| format!("{y}-{m:02}")).collect(),
        compliance,
    })
}

#[utoipa::path(get, path = "/api/v1/leadership", tag = "leadership",
    responses((status = 200, description = "phases by stage; open blockers by department and age; blocker SLA compliance by department and month", body = Leadership),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Leadership>, ApiError> {
    caller.zone_for(luodi_domain::Operation::ViewLeadership)?;
    Ok(Json(leadership(&state, &caller.user, caller.lang).await?))
}
