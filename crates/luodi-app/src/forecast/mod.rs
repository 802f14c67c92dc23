//! Forecasts' use cases: one phase's forecast (with what-if changes of reform mode), and
//! the portfolio of every active phase with the forecaster that keeps it current.

pub mod phase;
pub mod portfolio;

use luodi_domain::Text;
use luodi_domain::forecast::critical_path::WhatIfError;
use luodi_store::StoreError;

use crate::problem::Problem;

/// What a forecast use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] luodi_domain::core::policy::Denied),
    /// A what-if change the list cannot take (an unknown item, a mode it does not offer).
    #[error("{0}")]
    Change(WhatIfError),
    /// Stored data a forecast cannot be made from; logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl ForecastError {
    /// A fault of ours, with its cause for the log.
    pub fn internal(e: impl std::fmt::Display) -> ForecastError {
        ForecastError::Internal(e.to_string())
    }
}

impl From<ForecastError> for Problem {
    fn from(e: ForecastError) -> Problem {
        match e {
            ForecastError::Store(e) => e.into(),
            ForecastError::Denied(e) => e.into(),
            ForecastError::Change(e) => {
                let message = e.to_string();
                Problem::invalid("invalid_change", Text::new(message.clone(), message))
                    .field("changes")
            }
            ForecastError::Internal(cause) => Problem::internal(cause),
        }
    }
}
