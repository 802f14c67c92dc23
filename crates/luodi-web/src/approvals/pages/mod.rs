//! Approvals' pages.

pub mod catalogue;
pub mod queue;
pub mod service_lists;
