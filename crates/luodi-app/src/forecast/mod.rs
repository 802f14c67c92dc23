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
    /// No phase of that number with a service list (the field that named it).
    #[error("no such phase with a list")]
    NoPhase(&'static str),
    /// A number outside its range: the field, the least and the most.
    #[error("{0} must be {1}–{2}")]
    OutOfRange(&'static str, i64, i64),
    /// A what-if change's mode that is no reform mode: the change's place and the mode.
    #[error("'{1}' is not a reform mode")]
    Mode(usize, String),
    /// Reading the phase's list failed.
    #[error(transparent)]
    Approvals(#[from] crate::approvals::ApprovalsError),
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
            ForecastError::NoPhase(field) => Problem::not_found().field(field),
            ForecastError::OutOfRange(field, min, max) => Problem::invalid(
                "out_of_range",
                Text::fill(
                    "approvals.error.out_of_range",
                    &[
                        ("field", field),
                        ("min", &min.to_string()),
                        ("max", &max.to_string()),
                    ],
                ),
            )
            .field(field),
            ForecastError::Mode(i, mode) => Problem::invalid(
                "invalid_choice",
                Text::fill("forecast.error.mode_choice", &[("value", &mode)]),
            )
            .field(format!("changes[{i}].mode")),
            ForecastError::Approvals(e) => e.into(),
            ForecastError::Internal(cause) => Problem::internal(cause),
        }
    }
}
