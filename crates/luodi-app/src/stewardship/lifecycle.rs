//! A phase's lifecycle by hand, past the guards of
//! [`PhaseStatus::check_move`](luodi_domain::stewardship::project::PhaseStatus::check_move),
//! and the zone's policy on starting on commitment (承诺即开工).

use luodi_domain::Operation;
use luodi_domain::stewardship::project::{LifecyclePolicy, PhaseStatus};
use luodi_store::core::orgs::LIFECYCLE;
use luodi_store::stewardship::projects::MoveError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::StewardshipError;
use crate::{App, Caller};

/// The stage to move to, and the enterprise's commitment when construction is to start
/// before the permit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// signed, land_matched, construction_started or in_production (the others are
    /// recorded by the handover and by milestone approvals).
    #[schema(pattern = "^(signed|land_matched|construction_started|in_production)$")]
    pub status: String,
    pub commitment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveResponse {
    pub phase_id: i64,
    pub status: &'static str,
    pub status_text: String,
}

pub use luodi_domain::stewardship::project::MOVES_BY_HAND;

/// Moves phase `phase_id` of the zone to the stage `request` names, once the lifecycle
/// allows it; audited, with the commitment when there is one. The forecaster is woken.
pub async fn move_phase(
    app: &App,
    caller: &Caller,
    phase_id: i64,
    request: &MoveRequest,
) -> Result<MoveResponse, StewardshipError> {
    let zone = caller.zone_for(Operation::MovePhase)?;
    let to = PhaseStatus::parse(request.status.trim())
        .ok_or_else(|| StewardshipError::NotAStage(request.status.clone()))?;
    let moved = app
        .store
        .move_phase(
            &caller.actor,
            zone,
            phase_id,
            to,
            request.commitment.as_deref(),
        )
        .await
        .map_err(|e| match e {
            MoveError::Refused(e) => StewardshipError::Move(e),
            MoveError::Store(e) => StewardshipError::Store(e),
        })?;
    app.forecast_wake.notify_one();
    Ok(MoveResponse {
        phase_id,
        status: moved.as_str(),
        status_text: moved.label().get(caller.lang).to_string(),
    })
}

/// Moves phase `seq` of project `project` (as the project's page names it), as
/// [`move_phase`] does.
pub async fn move_project_phase(
    app: &App,
    caller: &Caller,
    project: i64,
    seq: i64,
    request: &MoveRequest,
) -> Result<MoveResponse, StewardshipError> {
    caller.zone_for(Operation::MovePhase)?;
    let scope = caller.scope_for(Operation::MovePhase)?;
    let project = app.store.project(&scope, project).await?;
    let phase = project
        .phases
        .iter()
        .find(|ph| ph.seq == seq)
        .ok_or(StewardshipError::Store(luodi_store::StoreError::NotFound))?;
    move_phase(app, caller, phase.id, request).await
}

/// The zone's lifecycle policy.
pub async fn policy(app: &App, caller: &Caller) -> Result<LifecyclePolicy, StewardshipError> {
    // The rules a zone's phases move by: whoever reads the zone's projects reads them.
    let zone = caller.zone_for(Operation::ViewProjects)?;
    Ok(app.store.zone_setting(zone, LIFECYCLE).await?)
}

/// Sets the zone's lifecycle policy, audited with the old one.
pub async fn set_policy(
    app: &App,
    caller: &Caller,
    policy: LifecyclePolicy,
) -> Result<LifecyclePolicy, StewardshipError> {
    let zone = caller.zone_for(Operation::SetLifecyclePolicy)?;
    app.store
        .set_zone_setting(&caller.actor, zone, LIFECYCLE, &policy)
        .await?;
    Ok(policy)
}
