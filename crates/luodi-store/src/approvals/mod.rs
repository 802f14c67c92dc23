//! Approvals' storage: catalogue versions, and each phase's service list with its items'
//! steps and clocks.

pub mod catalogue;
pub mod service_lists;
