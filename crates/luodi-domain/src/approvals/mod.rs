//! 审批 — approvals: the service catalogue, its applicability rules, and one item of a
//! service list at work with its working-day clock, and how open items count as late.

pub mod catalogue;
pub mod lateness;
pub mod rule;
pub mod rule_words;
pub mod service_item;
