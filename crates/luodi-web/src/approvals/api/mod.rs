//! Approvals' JSON API.

pub mod catalogue;
pub mod service_lists;
