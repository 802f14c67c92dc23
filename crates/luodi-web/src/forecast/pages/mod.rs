//! Forecasts' pages.

pub mod gantt;
pub mod portfolio;
