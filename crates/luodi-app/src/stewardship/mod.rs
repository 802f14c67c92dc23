//! Stewardship's use cases: projects as the API shows them, the inbox as its reader reads it, the escalation of missed
//! blocker clocks, and the delivery of email and webhooks.

pub mod delivery;
pub mod escalation;
pub mod notifications;
pub mod projects;

use luodi_store::StoreError;

use crate::problem::Problem;

/// What a stewardship use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StewardshipError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] luodi_domain::core::policy::Denied),
}

impl From<StewardshipError> for Problem {
    fn from(e: StewardshipError) -> Problem {
        match e {
            StewardshipError::Store(e) => e.into(),
            StewardshipError::Denied(e) => e.into(),
        }
    }
}
