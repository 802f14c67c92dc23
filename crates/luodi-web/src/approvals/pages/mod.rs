//! Approvals' pages.

pub mod catalogue;
pub mod service_lists;
