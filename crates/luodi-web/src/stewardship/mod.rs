//! Stewardship's API and pages: projects and their phases, stewards and timelines, the
//! lifecycle, blockers, the inbox and outbound notifications, the steward's board.

pub mod api;
pub mod pages;
