//! Forecasts' JSON API.

pub mod phase;
pub mod portfolio;
