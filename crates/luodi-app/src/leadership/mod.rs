//! 领导视图 — the leadership view as a use case: phases by stage, open blockers by
//! department and age, and each department's blocker clocks met on time month by month
//! (the rules are [`luodi_domain::leadership`]'s); and the portfolio as its page shows it
//! ([`portfolio`]).

pub mod portfolio;

use std::collections::BTreeMap;

use chrono::Datelike;

use luodi_domain::leadership::{AGE_BUCKETS, age_bucket, counts, last_months, on_time_percent};
use luodi_domain::stewardship::blocker::{ClockStatus, State as BlockerState};
use luodi_domain::stewardship::project::{PhaseStatus, is_signed, project_stage};
use luodi_domain::{Lang, Operation};
use luodi_store::StoreError;
use luodi_store::stewardship::blockers::BlockerFilter;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::{App, Caller};

/// What the leadership view can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LeadershipError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] luodi_domain::core::policy::Denied),
    /// The portfolio's forecasts.
    #[error(transparent)]
    Forecast(#[from] crate::forecast::ForecastError),
    /// Stored data the view cannot read; logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl LeadershipError {
    /// A fault of ours, with its cause for the log.
    pub fn internal(e: impl std::fmt::Display) -> LeadershipError {
        LeadershipError::Internal(e.to_string())
    }
}

impl From<LeadershipError> for Problem {
    fn from(e: LeadershipError) -> Problem {
        match e {
            LeadershipError::Store(e) => e.into(),
            LeadershipError::Denied(e) => e.into(),
            LeadershipError::Forecast(e) => e.into(),
            LeadershipError::Internal(cause) => Problem::internal(cause),
        }
    }
}

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

/// What the caller's zone's leaders watch, in the caller's language.
pub async fn leadership(app: &App, caller: &Caller) -> Result<Leadership, LeadershipError> {
    caller.zone_for(Operation::ViewLeadership)?;
    let scope = caller.scope_for(Operation::ViewLeadership)?;
    let lang = caller.lang;
    let today = app.today();
    let projects = app.store.projects(&scope).await?;
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
    let calendar = app.store.calendar().await?;
    let records = app
        .store
        .blockers(&scope, &BlockerFilter::default())
        .await?;
    let months = last_months(today, 6);
    let mut open: BTreeMap<i64, DepartmentBlockers> = BTreeMap::new();
    let mut compliance: BTreeMap<i64, Compliance> = BTreeMap::new();
    for r in &records {
        let b = r.blocker().map_err(LeadershipError::internal)?;
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
            if let Some(i) = age_bucket(age) {
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
            let (stopped, met) = counts(c.status);
            entry.stopped[month] += stopped;
            entry.met[month] += met;
        }
    }
    let mut compliance: Vec<Compliance> = compliance.into_values().collect();
    for c in &mut compliance {
        c.percent = c
            .stopped
            .iter()
            .zip(&c.met)
            .map(|(s, m)| on_time_percent(*s, *m))
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
