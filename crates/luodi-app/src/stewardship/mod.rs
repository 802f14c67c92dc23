//! Stewardship's use cases: projects as the API shows them, the inbox as its reader reads it, the escalation of missed
//! blocker clocks, and the delivery of email and webhooks.

pub mod delivery;
pub mod escalation;
pub mod notifications;
pub mod projects;

use luodi_store::StoreError;

use luodi_domain::Text;
use luodi_domain::core::enterprise::FieldError;

use crate::problem::{Kind, Problem};

/// What a stewardship use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StewardshipError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] luodi_domain::core::policy::Denied),
    /// Input the rules refuse: every field at fault.
    #[error("{} field(s) at fault", .0.len())]
    Fields(Vec<FieldError>),
    /// A project's enterprise that is not in the zone.
    #[error("the zone has no enterprise {0}")]
    UnknownEnterprise(i64),
    /// A steward who is not one of the zone's active stewards.
    #[error("user {0} is not an active steward of this zone")]
    NotSteward(i64),
    /// The zone has a project of that name.
    #[error("the zone has a project named '{0}'")]
    NameTaken(String),
}

impl From<StewardshipError> for Problem {
    fn from(e: StewardshipError) -> Problem {
        match e {
            StewardshipError::Store(e) => e.into(),
            StewardshipError::Denied(e) => e.into(),
            StewardshipError::Fields(errors) => Problem::fields(&errors),
            StewardshipError::UnknownEnterprise(id) => Problem::invalid(
                "invalid",
                Text::fill(
                    "stewardship.error.unknown_enterprise",
                    &[("id", &id.to_string())],
                ),
            )
            .field("enterprise_id"),
            StewardshipError::NotSteward(id) => Problem::invalid(
                "invalid",
                Text::fill("stewardship.error.not_steward", &[("id", &id.to_string())]),
            )
            .field("steward_user_id"),
            StewardshipError::NameTaken(name) => Problem::new(
                Kind::Conflict,
                "conflict",
                Text::fill("stewardship.error.name_taken", &[("name", &name)]),
            )
            .field("name"),
        }
    }
}
