//! Forecasts' storage: every active phase's forecast kept, recomputed only where its
//! inputs changed, and its daily history.

pub mod portfolio;
