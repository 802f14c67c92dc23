//! Land's storage: parcels, imported all or nothing, reserved and handed over by
//! conditional updates, and the zone's matcher weights.

pub mod parcels;
