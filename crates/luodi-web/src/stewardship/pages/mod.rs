//! Stewardship's pages.

pub mod blockers;
pub mod board;
pub mod inbox;
pub mod phase_list;
pub mod project_form;

pub mod project_land;
pub mod project_list;
pub mod projects;
