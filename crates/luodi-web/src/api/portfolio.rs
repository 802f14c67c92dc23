//! The portfolio (项目组合): every active phase ranked by how late its P50 construction
//! start is against the zone's target, for the leadership and the stewards. Reading it
//! sweeps first — cheap when nothing changed — so it is never stale; `luodi serve` also
//! sweeps in the background after every step and handover and on a schedule.

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use luodi_store::forecast::portfolio::{PortfolioRow, Sweep};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::projects::zone_today;
use crate::error::ApiError;
use crate::extract::ApiUser;

/// Monte Carlo samples and seed of the portfolio's forecasts: the same as a phase's
/// forecast by default, so the two agree.
pub const SAMPLES: usize = 1_000;
pub const SEED: u64 = 1;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/portfolio", get(list))
}

/// Brings every zone the scope sees up to date.
pub async fn refresh(state: &AppState, scope: &luodi_domain::Scope) -> luodi_store::Result<Sweep> {
    let zone_scope = luodi_domain::Scope {
        zone: scope.zone,
        enterprise: None,
    };
    let today = zone_today();
    let _one_at_a_time = state.sweep_lock.lock().await;
    let mut total = Sweep {
        phases: 0,
        recomputed: 0,
        failed: 0,
    };
    for z in state.store.zones(&zone_scope).await? {
        let s = state
            .store
            .forecast_sweep(z.id, today, SAMPLES, SEED)
            .await?;
        total.phases += s.phases;
        total.recomputed += s.recomputed;
        total.failed += s.failed;
    }
    Ok(total)
}

/// Sweeps every zone whenever a step or handover wakes it (after a short pause, so a
/// burst of steps makes one sweep) and at least every `every`.
/// The background forecaster: sweeps after a step or handover wakes it (debounced by half a
/// second) and every `every`; finishes a sweep under way before it stops.
pub async fn forecaster(state: AppState, every: Duration, mut stop: crate::jobs::Stop) {
    let all = luodi_domain::Scope {
        zone: None,
        enterprise: None,
    };
    loop {
        let started = std::time::Instant::now();
        let result = refresh(&state, &all).await;
        state
            .metrics
            .job_step("forecast", started.elapsed(), result.is_ok());
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
        if stop.wait_or(every, &state.forecast_wake).await {
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
pub async fn portfolio(
    state: &AppState,
    caller_scope: &luodi_domain::Scope,
) -> Result<PortfolioResponse, ApiError> {
    let sweep = refresh(state, caller_scope)
        .await
        .map_err(ApiError::internal)?;
    let rows = state
        .store
        .portfolio(caller_scope)
        .await
        .map_err(ApiError::internal)?;
    Ok(PortfolioResponse {
        today: zone_today().to_string(),
        target_working_days: luodi_domain::forecast::critical_path::START_TARGET_WORKING_DAYS,
        phases: rows.len(),
        recomputed: caller_scope
            .enterprise
            .is_none()
            .then_some(sweep.recomputed),
        rows,
    })
}

#[utoipa::path(get, path = "/api/v1/portfolio", tag = "projects",
    responses((status = 200, body = PortfolioResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<PortfolioResponse>, ApiError> {
    Ok(Json(portfolio(&state, &caller.user.scope()).await?))
}
