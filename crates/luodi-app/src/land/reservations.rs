//! Reserving a parcel for a project phase, and giving a reservation up (with the reason,
//! kept in the audit trail); the phase's land matched stage goes with its reservation.
//! The handover that follows is approvals'.

use luodi_domain::Operation;
use luodi_store::land::parcels::Parcel;

use super::LandError;
use crate::{App, Caller};

/// Reserves parcel `id` of the caller's zone for phase `phase_id`, for the reason given if
/// any (kept in the audit trail); a phase before land matched moves to it.
pub async fn reserve(
    app: &App,
    caller: &Caller,
    id: i64,
    phase_id: i64,
    reason: Option<&str>,
) -> Result<Parcel, LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let parcel = app
        .store
        .reserve_parcel(&caller.actor, zone, id, phase_id, reason)
        .await?;
    app.forecast_wake.notify_one();
    Ok(parcel)
}

/// Gives up the reservation of parcel `id`, saying why; a phase at land matched goes back
/// to signed.
pub async fn release(
    app: &App,
    caller: &Caller,
    id: i64,
    reason: &str,
) -> Result<Parcel, LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    if reason.trim().is_empty() {
        return Err(LandError::ReasonRequired);
    }
    let parcel = app
        .store
        .release_parcel(&caller.actor, zone, id, reason.trim())
        .await?;
    app.forecast_wake.notify_one();
    Ok(parcel)
}
