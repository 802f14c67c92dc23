//! The core's API and pages: enterprises, the caller's account and API tokens, signing in
//! and out, the audit trail, the working-day calendar, each role's home and the zone's
//! settings.

pub mod api;
pub mod pages;
