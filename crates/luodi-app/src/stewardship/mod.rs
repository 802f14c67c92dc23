//! Stewardship's use cases: projects as the API and the pages show them, a project's
//! steward and timeline, its phases moved by hand, blockers with their clocks, the
//! steward's board, the inbox as its reader reads it, where the zone's notifications go
//! out, the escalation of missed blocker clocks, and the delivery of email and webhooks.

pub mod blocker_list;
pub mod blockers;
pub mod board;
pub mod delivery;
pub mod escalation;
pub mod lifecycle;
pub mod notifications;
pub mod outbound;
pub mod phase_list;
pub mod project_list;
pub mod projects;
pub mod stewards;

use luodi_store::StoreError;

use luodi_domain::Text;
use luodi_domain::core::enterprise::FieldError;
use luodi_domain::core::i18n;
use luodi_domain::stewardship::blocker::{BlockerError, LimitError, action_label, field_label};
use luodi_domain::stewardship::outbound::OutboundError;
use luodi_domain::stewardship::project::LifecycleError;
use luodi_store::stewardship::blockers::BlockerActionError;
use luodi_store::stewardship::stewards::AssignError;

use crate::approvals::ApprovalsError;
use crate::problem::{Kind, Problem};
use crate::stewardship::delivery::TargetRefused;

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
    /// An edit that leaves out phases the project has (it had this many).
    #[error("the project has {0} phases; an edit keeps them all")]
    PhasesRemoved(usize),
    /// A use case of approvals that a stewardship view reads (the board's items).
    #[error(transparent)]
    Approvals(#[from] ApprovalsError),
    /// A query parameter outside its choices: the parameter and the catalogue key of the
    /// message that lists them.
    #[error("query parameter {name}: not one of the choices")]
    BadParameter {
        name: &'static str,
        key: &'static str,
    },
    /// A blocker raised or acted on that the rules or the store refuse.
    #[error(transparent)]
    Blocker(#[from] BlockerActionError),
    /// An action on a blocker without a field it needs: the action and the field.
    #[error("{kind} needs {field}")]
    ActionNeeds { kind: String, field: &'static str },
    /// Not an action one takes on a blocker.
    #[error("'{0}' is not an action to take")]
    NotAnAction(String),
    /// Blocker limits or an escalation ladder the rules refuse.
    #[error(transparent)]
    Sla(LimitError),
    /// A steward's assignment refused.
    #[error(transparent)]
    Assign(#[from] AssignError),
    /// Not a stage a phase can be in.
    #[error("'{0}' is not a phase stage")]
    NotAStage(String),
    /// The lifecycle refuses the move.
    #[error(transparent)]
    Move(LifecycleError),
    /// Marking notifications read: no such notification of the caller's, or the store
    /// failed.
    #[error(transparent)]
    Notification(StoreError),
    /// Outbound settings the rules refuse.
    #[error(transparent)]
    Outbound(OutboundError),
    /// A webhook aimed inside the server's network.
    #[error("{}: points at the internal address {}", .0.field, .0.address)]
    InternalTarget(TargetRefused),
    /// Only a failed delivery is sent again.
    #[error("only a failed delivery is sent again")]
    NotFailed,
    /// Stored data a view cannot read; logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl StewardshipError {
    /// A fault of ours, with its cause for the log.
    pub fn internal(e: impl std::fmt::Display) -> StewardshipError {
        StewardshipError::Internal(e.to_string())
    }
}

/// A query parameter that is `true` or `false` (absent: false).
pub fn flag(name: &'static str, raw: Option<&str>) -> Result<bool, StewardshipError> {
    match raw {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(StewardshipError::BadParameter {
            name,
            key: "stewardship.query_error.flag",
        }),
    }
}

/// A text the rules or the store give in English only, the same in both languages.
fn english(message: String) -> Text {
    Text::new(message.clone(), message)
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
            StewardshipError::PhasesRemoved(had) => Problem::invalid(
                "phases_removed",
                Text::fill(
                    "stewardship.error.phases_removed",
                    &[("had", &had.to_string())],
                ),
            )
            .field("phases"),
            StewardshipError::Approvals(e) => e.into(),
            StewardshipError::BadParameter { name, key } => Problem::new(
                Kind::Malformed,
                "bad_parameter",
                Text::fill(key, &[("name", name)]),
            )
            .field(name),
            StewardshipError::Blocker(e) => blocker_problem(e),
            StewardshipError::ActionNeeds { kind, field } => Problem::invalid(
                "required",
                Text::from_fn(|lang| {
                    i18n::fill(
                        lang,
                        "stewardship.blocker_error.needs",
                        &[
                            ("kind", action_label(&kind).get(lang)),
                            ("field", field_label(field).get(lang)),
                        ],
                    )
                }),
            )
            .field(field),
            StewardshipError::NotAnAction(kind) => Problem::invalid(
                "invalid",
                Text::fill(
                    "stewardship.blocker_error.not_an_action",
                    &[("kind", &kind)],
                ),
            )
            .field("kind"),
            StewardshipError::Sla(e) => {
                let field = if e.field == "ladder" {
                    "ladder".to_string()
                } else {
                    format!("limits.{}", e.field)
                };
                Problem::invalid("invalid", english(e.to_string())).field(field)
            }
            StewardshipError::Assign(e) => assign_problem(e),
            StewardshipError::NotAStage(raw) => Problem::invalid(
                "invalid",
                Text::fill("stewardship.lifecycle_error.not_a_stage", &[("raw", &raw)]),
            )
            .field("status"),
            StewardshipError::Move(e) => Problem::new(
                Kind::Conflict,
                "refused",
                Text::from_fn(|lang| {
                    i18n::fill(
                        lang,
                        "stewardship.lifecycle_error.refused",
                        &[("reason", &e.text(lang))],
                    )
                }),
            )
            .field("status"),
            StewardshipError::Notification(e) => Problem::from(e).field("id"),
            StewardshipError::Outbound(e) => {
                let field = e.field.clone();
                Problem::invalid("invalid", english(e.to_string())).field(field)
            }
            StewardshipError::InternalTarget(r) => Problem::invalid(
                "internal_address",
                Text::fill(
                    "stewardship.outbound_error.internal_address",
                    &[("field", &r.field), ("address", &r.address)],
                ),
            )
            .field(r.field),
            StewardshipError::NotFailed => Problem::new(
                Kind::Conflict,
                "not_failed",
                Text::key("stewardship.outbound_error.not_failed"),
            ),
            StewardshipError::Internal(cause) => Problem::internal(cause),
        }
    }
}

fn blocker_problem(e: BlockerActionError) -> Problem {
    match e {
        BlockerActionError::Invalid { field, text } => {
            Problem::invalid("invalid", text).field(field)
        }
        BlockerActionError::Fields(errors) => Problem::fields(&errors),
        BlockerActionError::Files(errors) => Problem::invalid(
            "file_refused",
            Text::from_fn(move |lang| {
                errors
                    .iter()
                    .map(|e| e.text(lang))
                    .collect::<Vec<_>>()
                    .join("；")
            }),
        )
        .field("files"),
        // What is missing or too long is the field's fault, shown beside it.
        BlockerActionError::Refused(e @ (BlockerError::Empty(_) | BlockerError::TooLong(..))) => {
            let field = match e {
                BlockerError::Empty(f) | BlockerError::TooLong(f, _) => f,
                _ => "kind",
            };
            Problem::invalid("invalid", Text::from_fn(|lang| e.text(lang))).field(field)
        }
        BlockerActionError::Refused(e @ BlockerError::InternalByEnterprise) => Problem::new(
            Kind::Conflict,
            "refused",
            Text::from_fn(|lang| e.text(lang)),
        )
        .field("internal"),
        BlockerActionError::Refused(e) => Problem::new(
            Kind::Conflict,
            "refused",
            Text::from_fn(|lang| e.text(lang)),
        )
        .field("kind"),
        BlockerActionError::NotYourDepartment => Problem::new(
            Kind::Forbidden,
            "forbidden",
            Text::key("stewardship.blocker_error.not_your_department"),
        ),
        BlockerActionError::Store(e) => e.into(),
    }
}

fn assign_problem(e: AssignError) -> Problem {
    let (kind, field, text) = match e {
        AssignError::NotASteward(u) => (
            Kind::Invalid,
            "user_id",
            Text::fill(
                "stewardship.steward_error.not_a_steward",
                &[("id", &u.to_string())],
            ),
        ),
        AssignError::Already(u) => (
            Kind::Conflict,
            "user_id",
            Text::fill(
                "stewardship.steward_error.already",
                &[("id", &u.to_string())],
            ),
        ),
        AssignError::Reason => (
            Kind::Invalid,
            "reason",
            Text::key("stewardship.steward_error.reason"),
        ),
        AssignError::Store(e) => return e.into(),
    };
    Problem::new(kind, "invalid", text).field(field)
}
