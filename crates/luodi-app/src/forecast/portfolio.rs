//! The portfolio (项目组合): every active phase ranked by how late its P50 construction
//! start is against the zone's target, for the leadership and the stewards. Reading it
//! sweeps first — cheap when nothing changed — so it is never stale; the forecaster (a
//! job) also sweeps after every step and handover and on a schedule.

use std::time::Duration;

use luodi_domain::Operation;
use luodi_store::forecast::portfolio::{PortfolioRow, Sweep};
use serde::Serialize;
use utoipa::ToSchema;

use crate::forecast::ForecastError;
use crate::jobs::{Observer, Stop};
use crate::{App, Caller};

/// Monte Carlo samples and seed of the portfolio's forecasts: the same as a phase's
/// forecast by default, so the two agree.
pub const SAMPLES: usize = 1_000;
pub const SEED: u64 = 1;

/// Brings every zone the scope sees up to date.
pub async fn refresh(app: &App, scope: &luodi_domain::Scope) -> luodi_store::Result<Sweep> {
    let zone_scope = luodi_domain::Scope {
        zone: scope.zone,
        enterprise: None,
    };
    let today = app.today();
    let _one_at_a_time = app.sweep_lock.lock().await;
    let mut total = Sweep {
        phases: 0,
        recomputed: 0,
        failed: 0,
    };
    for z in app.store.zones(&zone_scope).await? {
        let s = app.store.forecast_sweep(z.id, today, SAMPLES, SEED).await?;
        total.phases += s.phases;
        total.recomputed += s.recomputed;
        total.failed += s.failed;
    }
    Ok(total)
}

/// The background forecaster: sweeps after a step or handover wakes it (debounced by half a
/// second) and every `every`; finishes a sweep under way before it stops.
pub async fn forecaster(app: App, observer: Observer, mut stop: Stop) {
    let every = app.settings.forecast_every;
    let all = luodi_domain::Scope {
        zone: None,
        enterprise: None,
    };
    loop {
        let started = std::time::Instant::now();
        let result = refresh(&app, &all).await;
        observer.step("forecast", started.elapsed(), result.is_ok());
        match result {
            Ok(s) if s.recomputed > 0 => {
                tracing::info!(
                    phases = s.phases,
                    recomputed = s.recomputed,
                    "portfolio re-forecast"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "portfolio re-forecast failed"),
        }
        if stop.wait_or(every, &app.forecast_wake).await {
            break;
        }
        if stop.wait(Duration::from_millis(500)).await {
            break;
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioResponse {
    pub today: String,
    /// The zone's construction-start target, working days from land handover.
    pub target_working_days: f64,
    /// Active phases the caller sees.
    pub phases: usize,
    /// How many phases of the zone this request had to forecast again (not shown to
    /// enterprises: it would tell them about others' activity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recomputed: Option<usize>,
    /// One row per active phase, latest construction start first: `project_id`,
    /// `project_name`, `enterprise_name`, `phase`, `status`, `steward`, `handover_date`,
    /// `target_start_date`, `start_item`, `start_date` (deterministic), `start_p50_date`,
    /// `start_p80_date`, `start_p90_date`, `started_on`, `late_working_days` (P50 or actual
    /// start against the target; negative when ahead), `on_target_permille`,
    /// `permit_p50_date`, `completion_p50_date`, `next_critical_item`, `computed_at`.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<PortfolioRow>,
}

/// The portfolio the caller may see (an enterprise: its own phases).
pub async fn portfolio(app: &App, caller: &Caller) -> Result<PortfolioResponse, ForecastError> {
    let caller_scope = &caller.scope_for(Operation::ViewPortfolio)?;
    let sweep = refresh(app, caller_scope).await?;
    let rows = app.store.portfolio(caller_scope).await?;
    Ok(PortfolioResponse {
        today: app.today().to_string(),
        target_working_days: luodi_domain::forecast::critical_path::START_TARGET_WORKING_DAYS,
        phases: rows.len(),
        recomputed: caller_scope
            .enterprise
            .is_none()
            .then_some(sweep.recomputed),
        rows,
    })
}
