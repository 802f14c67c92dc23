//! One phase's forecast as the API and the pages show it: the critical path, each
//! milestone's deterministic date and its P50/P80/P90 from Monte Carlo over the zone's
//! history, where each open item's duration comes from, and what items of unknown
//! applicability would add.

use luodi_domain::Operation;
use luodi_store::stewardship::projects::{Phase, Project};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::forecast::ForecastError;
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemTimes {
    /// Earliest start, working days from the phase's land handover.
    pub es: f64,
    pub ef: f64,
    pub ls: f64,
    pub lf: f64,
    pub float: f64,
}

/// Where an open item's Monte Carlo duration comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct DurationSource {
    /// `history` (the zone's decisions of this item, recent ones weighing more),
    /// `promised_limit` (a PERT around the limit, when fewer than 5 decisions are known),
    /// `construction_plan` (the building work: 0.9–1.5 times the planned months) or
    /// `no_time` (decided on the spot, or on commitment in a what-if).
    pub source: &'static str,
    /// Decisions of this item the zone has seen.
    pub history: usize,
    /// The promised limit, working days.
    pub promised: f64,
    /// The median (history) or the mode (promised limit), working days.
    pub typical: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneForecast {
    /// The item whose completion is the milestone.
    pub item: String,
    /// Deterministic date.
    pub date: String,
    pub working_days: f64,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    /// For construction_start: the chance of starting within 30 working days of handover (拿地即开工).
    pub on_target: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastResponse {
    pub project_id: i64,
    pub phase: i64,
    pub handover_date: String,
    pub today: String,
    /// Item codes in order, from the first to the last item of the critical path.
    pub critical_path: Vec<String>,
    /// Deterministic, land handover to completion acceptance.
    pub duration_working_days: f64,
    #[schema(value_type = Object)]
    pub items: std::collections::BTreeMap<String, ItemTimes>,
    /// construction_permit, construction_start, completion_acceptance
    #[schema(value_type = Object)]
    pub milestones: std::collections::BTreeMap<String, MilestoneForecast>,
    /// How often each item lay on the critical path across the samples (0–1).
    #[schema(value_type = Object)]
    pub criticality: std::collections::BTreeMap<String, f64>,
    /// Per item still to do: where its sampled duration comes from.
    #[schema(value_type = Object)]
    pub durations: std::collections::BTreeMap<String, DurationSource>,
    pub samples: usize,
    pub seed: u64,
    /// Some date relied on a year with no published holiday schedule.
    pub assumed: bool,
    /// Items whose applicability is not known yet (待确认: a fact their rule reads is
    /// missing) and that nobody has started: the forecast plans them as not applying.
    /// Each with its promised limit and how many working days each milestone would move
    /// if it applied after all.
    pub unconfirmed: Vec<UnconfirmedItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnconfirmedItem {
    pub code: String,
    /// The promised limit, working days.
    pub duration: f64,
    /// Per milestone (construction_permit, construction_start, completion_acceptance): the
    /// working days it would move if the item applied.
    #[schema(value_type = Object)]
    pub adds: std::collections::BTreeMap<String, f64>,
}

/// The forecast of a phase as the API and pages show it.
pub async fn forecast_of(
    app: &App,
    caller: &Caller,
    project: &Project,
    phase: &Phase,
    samples: usize,
    seed: u64,
    changes: &[luodi_domain::forecast::critical_path::ModeChange],
) -> Result<ForecastResponse, ForecastError> {
    use luodi_domain::forecast::critical_path::START_TARGET_WORKING_DAYS;
    use luodi_domain::forecast::critical_path::{Plan, WhatIfError, forecast_phase_with};
    use luodi_domain::forecast::monte_carlo::{DurationModel, simulate_with};
    use luodi_domain::forecast::portfolio::{History, item_model, phase_model};
    let scope = &caller.scope_for(Operation::ViewForecast)?;
    let list = app.store.service_list(scope, phase.id).await?;
    let catalogue = app
        .catalogue_version(list.zone_id, list.catalogue_version_id)
        .await?;
    let cal = app.store.calendar().await?;
    let today = app.today();
    let items = list.forecast_items(&catalogue, &phase.facts);
    let f = forecast_phase_with(&cal, &catalogue, &items, list.handover_date, today, changes)
        .map_err(|e| match e {
            WhatIfError::Network(n) => ForecastError::internal(n),
            other => ForecastError::Change(other),
        })?;
    // How long each item really took in the zone; open items sample from it.
    let finished = app.store.finished_items(list.zone_id).await?;
    let history = History::from_finished(&cal, &finished, today);
    let model = phase_model(&f, &history, START_TARGET_WORKING_DAYS);
    let durations = f
        .network
        .codes
        .iter()
        .zip(&f.plans)
        .filter_map(|(code, plan)| match plan {
            Plan::Open { duration, .. } => {
                let m = item_model(&history, code, *duration);
                Some((
                    code.clone(),
                    DurationSource {
                        source: if code == luodi_domain::forecast::critical_path::BUILD {
                            "construction_plan"
                        } else if *duration <= 0.0 {
                            "no_time"
                        } else if matches!(m, DurationModel::Empirical { .. }) {
                            "history"
                        } else {
                            "promised_limit"
                        },
                        history: history.count(code),
                        promised: *duration,
                        typical: m.typical(),
                    },
                ))
            }
            _ => None,
        })
        .collect();
    let mc = simulate_with(
        &model.network,
        &model.plans,
        &model.samplers,
        &model.milestones,
        samples,
        seed,
    );
    let date = |wd: f64| {
        cal.add_working_days(list.handover_date, wd.ceil() as i64)
            .value
            .to_string()
    };
    let name = |m: luodi_domain::approvals::catalogue::Milestone| {
        serde_json::to_value(m)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let milestones = f
        .milestones
        .iter()
        .zip(&mc.milestones)
        .map(|((m, code, wd, d), spread)| {
            (
                name(*m),
                MilestoneForecast {
                    item: code.clone(),
                    date: d.to_string(),
                    working_days: *wd,
                    p50: date(spread.p50),
                    p80: date(spread.p80),
                    p90: date(spread.p90),
                    on_target: spread.on_target,
                },
            )
        })
        .collect();
    let completion = f
        .milestones
        .iter()
        .find(|m| m.0 == luodi_domain::approvals::catalogue::Milestone::CompletionAcceptance)
        .map(|m| m.2)
        .unwrap_or(f.schedule.duration);
    let unconfirmed = luodi_domain::forecast::critical_path::unconfirmed_effects(&f, &catalogue)
        .into_iter()
        .map(|u| UnconfirmedItem {
            code: u.code,
            duration: u.duration,
            adds: u.adds.into_iter().map(|(m, d)| (name(m), d)).collect(),
        })
        .collect();
    let s = &f.schedule;
    Ok(ForecastResponse {
        unconfirmed,
        project_id: project.id,
        phase: phase.seq,
        handover_date: list.handover_date.to_string(),
        today: today.to_string(),
        critical_path: s
            .critical_path
            .iter()
            .map(|&i| f.network.codes[i].clone())
            .collect(),
        duration_working_days: completion,
        items: f
            .network
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.clone(),
                    ItemTimes {
                        es: s.es[i],
                        ef: s.ef[i],
                        ls: s.ls[i],
                        lf: s.lf[i],
                        float: s.float[i],
                    },
                )
            })
            .collect(),
        milestones,
        criticality: f
            .network
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), mc.criticality[i]))
            .collect(),
        durations,
        samples,
        seed,
        assumed: f.assumed,
    })
}

/// The phase to forecast: the one asked for, or the first with its land; either way it must
/// have been handed its land (which is when its list is made).
pub fn phase_with_list(
    project: &Project,
    seq: Option<i64>,
    field: &'static str,
) -> Result<Phase, ForecastError> {
    let found = match seq {
        Some(seq) => project.phases.iter().find(|p| p.seq == seq),
        None => project
            .phases
            .iter()
            .find(|p| p.land_handover_date.is_some()),
    };
    found
        .filter(|p| p.land_handover_date.is_some())
        .cloned()
        .ok_or(ForecastError::NoPhase(field))
}

/// The forecast of project `id`'s phase `seq` (default the first with a list), from
/// `samples` Monte Carlo runs seeded with `seed`.
pub async fn forecast(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: Option<i64>,
    samples: usize,
    seed: u64,
) -> Result<ForecastResponse, ForecastError> {
    let scope = caller.scope_for(Operation::ViewForecast)?;
    let project = app.store.project(&scope, id).await?;
    let phase = phase_with_list(&project, seq, "phase")?;
    forecast_of(app, caller, &project, &phase, samples, seed, &[]).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModeChangeRequest {
    #[schema(example = "SG02")]
    pub item: String,
    /// commitment, parallel, minor_missing or regional_assessment
    #[schema(example = "commitment")]
    pub mode: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// Phase number; default the first with a list.
    pub phase: Option<i64>,
    pub changes: Vec<ModeChangeRequest>,
    pub samples: Option<usize>,
    pub seed: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhatIfResponse {
    pub base: ForecastResponse,
    pub what_if: ForecastResponse,
    /// Per milestone, working days saved by the changes (deterministic).
    #[schema(value_type = Object)]
    pub saved_working_days: std::collections::BTreeMap<String, f64>,
}

/// The forecast of project `id`'s phase as it is and with the reform modes `request`
/// changes, and the working days each milestone gains.
pub async fn what_if(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &WhatIfRequest,
) -> Result<WhatIfResponse, ForecastError> {
    use luodi_domain::approvals::catalogue::ReformMode;
    let scope = caller.scope_for(Operation::ViewForecast)?;
    let project = app.store.project(&scope, id).await?;
    let phase = phase_with_list(&project, request.phase, "phase")?;
    let samples = request.samples.unwrap_or(1_000);
    if !(100..=20_000).contains(&samples) {
        return Err(ForecastError::OutOfRange("samples", 100, 20_000));
    }
    let mut changes = Vec::new();
    for (i, c) in request.changes.iter().enumerate() {
        let mode = match c.mode.as_str() {
            "commitment" => ReformMode::Commitment,
            "parallel" => ReformMode::Parallel,
            "minor_missing" => ReformMode::MinorMissing,
            "regional_assessment" => ReformMode::RegionalAssessment,
            other => return Err(ForecastError::Mode(i, other.into())),
        };
        changes.push(luodi_domain::forecast::critical_path::ModeChange {
            item: c.item.clone(),
            mode,
        });
    }
    let seed = request.seed.unwrap_or(1);
    let base = forecast_of(app, caller, &project, &phase, samples, seed, &[]).await?;
    let changed = forecast_of(app, caller, &project, &phase, samples, seed, &changes).await?;
    let saved = base
        .milestones
        .iter()
        .filter_map(|(name, m)| {
            changed
                .milestones
                .get(name)
                .map(|w| (name.clone(), m.working_days - w.working_days))
        })
        .collect();
    Ok(WhatIfResponse {
        base,
        what_if: changed,
        saved_working_days: saved,
    })
}

/// What a phase's Gantt chart is drawn from: its list, the phase, its forecast (1,000
/// samples, seed 1), the calendar and today.
pub struct GanttView {
    pub loaded: crate::approvals::service_lists::Loaded,
    pub phase: Phase,
    pub forecast: ForecastResponse,
    pub calendar: luodi_domain::core::calendar::Calendar,
    pub today: chrono::NaiveDate,
}

/// The Gantt chart's data for phase `seq` of project `id` (`None`: nothing the caller sees).
pub async fn gantt(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: i64,
) -> Result<Option<GanttView>, ForecastError> {
    let Some(loaded) = crate::approvals::service_lists::load(app, caller, id, seq).await? else {
        return Ok(None);
    };
    let Some(phase) = loaded.project.phases.iter().find(|p| p.seq == seq).cloned() else {
        return Ok(None);
    };
    let forecast = forecast_of(app, caller, &loaded.project, &phase, 1_000, 1, &[]).await?;
    Ok(Some(GanttView {
        loaded,
        phase,
        forecast,
        calendar: app.store.calendar().await?,
        today: app.today(),
    }))
}
