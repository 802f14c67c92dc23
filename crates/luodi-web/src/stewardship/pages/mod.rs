//! Stewardship's pages.

pub mod blockers;
pub mod board;
pub mod inbox;
pub mod projects;
