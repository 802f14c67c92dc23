//! 审批 — approvals: the service catalogue, its applicability rules, and one item of a
//! service list at work with its working-day clock.

pub mod catalogue;
pub mod rule;
pub mod service_item;
