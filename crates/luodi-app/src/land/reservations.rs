//! Reserving a parcel for a project phase, and giving a reservation up (with the reason,
//! kept in the audit trail). The handover that follows is approvals'.

use luodi_domain::Operation;
use luodi_store::land::parcels::Parcel;

use super::LandError;
use crate::{App, Caller};

/// Reserves parcel `id` of the caller's zone for phase `phase_id`.
pub async fn reserve(
    app: &App,
    caller: &Caller,
    id: i64,
    phase_id: i64,
) -> Result<Parcel, LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    Ok(app
        .store
        .reserve_parcel(&caller.actor, zone, id, phase_id)
        .await?)
}

/// Gives up the reservation of parcel `id`, saying why.
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
    Ok(app
        .store
        .release_parcel(&caller.actor, zone, id, reason.trim())
        .await?)
}
