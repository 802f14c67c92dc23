//! The post-completion checks (达产复核): for each phase in production whose production
//! date has passed, its enterprise's last complete year against the parcel's control
//! indicators and the promise, the stricter of the two. A failed check opens a blocker
//! for the steward with the shortfalls (to the zone's chosen department), is shown on
//! the project and kept as an audited event other modules can react to; an officer may
//! record an accepted explanation.
//!
//! The per-mu measures read the enterprise's figures over all the land it holds (the
//! statistics are the enterprise's, not a phase's); investment intensity is the phase's
//! own investment on its parcel.

use chrono::Datelike;
use luodi_domain::cluster::completion::{self, Actuals};
use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{Figures, year_figures};
use luodi_domain::stewardship::blocker::Party;
use luodi_domain::{Operation, Scope, Text, ZoneId};
use luodi_store::Actor;
use luodi_store::cluster::completion::CompletionRecord;
use luodi_store::stewardship::blockers::NewBlocker;
use serde::Serialize;

use super::ClusterError;
use crate::{App, Caller};

/// What a run of the checks did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Phases in production on a handed parcel.
    pub phases: usize,
    /// Of those, checked (production due and the year's figures complete).
    pub checked: usize,
    pub failed: usize,
    /// Blockers opened by this run.
    pub blockers: usize,
    /// Phases whose production is not yet due, or whose date is unknown.
    pub not_due: usize,
    /// Phases due whose enterprise's last year is incomplete.
    pub waiting: usize,
}

/// Runs the zone's checks on `today`, as `actor`.
pub async fn run_zone(
    app: &App,
    actor: &Actor,
    zone: ZoneId,
    today: chrono::NaiveDate,
) -> Result<RunSummary, ClusterError> {
    let year = today.year() - 1;
    let phases = app.store.checkable_phases(zone).await?;
    let mut summary = RunSummary {
        phases: phases.len(),
        ..RunSummary::default()
    };
    if phases.is_empty() {
        return Ok(summary);
    }
    let rows = app.store.statistic_rows(zone, year..=year).await?;
    let land = app.store.enterprise_land(zone).await?;
    let settings = app.store.cluster_settings(zone).await?;
    for p in &phases {
        let due = completion::production_due(p.production_due_on, p.construction_started_on);
        if due.is_none_or(|d| d > today) {
            summary.not_due += 1;
            continue;
        }
        let own: Vec<(Period, Figures)> = rows
            .iter()
            .filter(|(e, ..)| *e == p.enterprise_id)
            .map(|(_, period, f)| (*period, *f))
            .collect();
        let Some(f) = year_figures(year, &own).figures().copied() else {
            summary.waiting += 1;
            continue;
        };
        let land_mu = f
            .land
            .or(land.get(&p.enterprise_id).copied())
            .map_or(p.land_mu, |m| m.mu());
        let wan = |x: luodi_domain::core::money::Fen| x.0 as f64 / 1e6;
        // Investment intensity is the phase's own; the rest are the enterprise's year.
        let actuals = Actuals {
            investment_wan: p.investment_wan * land_mu / p.land_mu.max(f64::MIN_POSITIVE),
            land_mu,
            tax_wan: wan(f.tax),
            output_wan: wan(f.output),
            value_added_wan: wan(f.value_added),
            energy_tce: f.energy.tce(),
        };
        let check = completion::check(&p.controls, &p.promised, &actuals);
        summary.checked += 1;
        let (id, changed) = app
            .store
            .record_completion_check(actor, zone, p.phase_id, year, &check)
            .await?;
        if check.passed {
            continue;
        }
        summary.failed += 1;
        let held = app
            .store
            .completion_checks(&Scope {
                zone: Some(zone),
                enterprise: None,
            })
            .await?
            .into_iter()
            .find(|c| c.id == id);
        if !changed && held.as_ref().is_some_and(|c| c.blocker_id.is_some()) {
            continue;
        }
        if held
            .as_ref()
            .is_some_and(|c| c.blocker_id.is_some() || c.explanation.is_some())
        {
            continue;
        }
        let department = match settings.completion_department_id {
            Some(d) => d,
            None => {
                let departments = app.store.departments(zone).await?;
                match departments
                    .iter()
                    .find(|d| d.code == "natural-resources")
                    .or(departments.first())
                {
                    Some(d) => d.id.0,
                    None => continue,
                }
            }
        };
        let lines = check.shortfalls_text();
        let title = Text::fill(
            "cluster.completion.blocker_title",
            &[
                ("project", &p.project),
                ("phase", &p.phase),
                ("year", &year.to_string()),
            ],
        );
        let blocker = app
            .store
            .raise_blocker(
                actor,
                &Scope {
                    zone: Some(zone),
                    enterprise: None,
                },
                None,
                Party::Steward,
                &NewBlocker {
                    project_id: p.project_id,
                    phase_id: Some(p.phase_id),
                    category: "land".into(),
                    priority: "high".into(),
                    title: title.zh.chars().take(100).collect(),
                    description: format!(
                        "{}\n{}\n\n{}\n{}",
                        Text::key("cluster.completion.blocker_intro").zh,
                        lines.zh,
                        Text::key("cluster.completion.blocker_intro").en,
                        lines.en
                    ),
                    files: Vec::new(),
                    department_id: department,
                },
                today,
            )
            .await
            .map_err(|e| {
                ClusterError::Store(luodi_store::StoreError::Corrupt(format!(
                    "completion blocker: {e}"
                )))
            })?;
        app.store.set_completion_blocker(id, blocker.id).await?;
        summary.blockers += 1;
    }
    Ok(summary)
}

/// How often a server runs every zone's checks (a check is kept once per phase and year,
/// so running again changes nothing until figures, dates or indicators do).
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// One step of the background job: every zone's checks on the zone's today.
pub async fn check_step(app: &App) -> Result<crate::jobs::Next, String> {
    let zones = app
        .store
        .zones(&Scope {
            zone: None,
            enterprise: None,
        })
        .await
        .map_err(|e| e.to_string())?;
    for zone in zones {
        run_zone(
            app,
            &Actor::System("completion_checks"),
            zone.id,
            app.today(),
        )
        .await
        .map_err(|e| format!("zone {}: {e}", zone.code))?;
    }
    Ok(crate::jobs::Next::Wait)
}

/// Runs the checks of the caller's zone now.
pub async fn run(app: &App, caller: &Caller) -> Result<RunSummary, ClusterError> {
    let zone = caller.zone_for(Operation::RunCompletionChecks)?;
    run_zone(app, &caller.actor, zone, app.today()).await
}

/// The checks the caller sees.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<CompletionRecord>, ClusterError> {
    let scope = caller.scope_for(Operation::ViewCompletionChecks)?;
    Ok(app.store.completion_checks(&scope).await?)
}

/// Records an officer's accepted explanation of a failed check.
pub async fn explain(app: &App, caller: &Caller, id: i64, text: &str) -> Result<(), ClusterError> {
    let zone = caller.zone_for(Operation::RunCompletionChecks)?;
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(ClusterError::field(
            "explanation",
            Text::key("cluster.error.explanation"),
        ));
    }
    if let Some(c) = luodi_domain::core::text::forbidden_char(text) {
        return Err(ClusterError::field(
            "explanation",
            Text::fill(
                "cluster.error.control",
                &[("char", &luodi_domain::core::text::describe(c))],
            ),
        ));
    }
    Ok(app
        .store
        .explain_completion(&caller.actor, zone, id, text)
        .await?)
}
