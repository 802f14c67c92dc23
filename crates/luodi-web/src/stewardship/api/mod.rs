//! Stewardship's JSON API.

pub mod blockers;
pub mod lifecycle;
pub mod notifications;
pub mod outbound;
pub mod projects;
pub mod stewards;
