//! Approvals' use cases: a phase's service list (made at the land handover, read with
//! each item's clock), the steps taken on its items, the departments' queues and their
//! lateness, and the one-time notification (一次性告知书).

pub mod catalogue;
pub mod catalogue_list;
pub mod late_list;
pub mod lateness;
pub mod notice;
pub mod queue_list;
pub mod service_lists;
pub mod steps;

use luodi_domain::approvals::catalogue::{Catalogue, DayUnit, TimeLimit};
use luodi_domain::approvals::service_item::TransitionError;
use luodi_domain::core::i18n;
use luodi_domain::core::policy::Denied;
use luodi_domain::{Lang, Text};
use luodi_store::StoreError;
use luodi_store::approvals::service_lists::{HandoverError, StepError};

use crate::land::LandError;
use crate::problem::{Kind, Problem};

/// What an approvals use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Handover(#[from] HandoverError),
    #[error(transparent)]
    Step(#[from] StepError),
    /// Not a date written YYYY-MM-DD: the field and what was given.
    #[error("{field}: '{raw}' is not a date (YYYY-MM-DD)")]
    Date { field: String, raw: String },
    /// A value outside its list: the field, what was given and the catalogue key of the
    /// message that lists the choices.
    #[error("{field}: '{value}' is not one of the choices")]
    Choice {
        field: String,
        value: String,
        key: &'static str,
    },
    /// A step that needs a field it was not given: the field and the message's key.
    #[error("{field} is required")]
    Required {
        field: &'static str,
        key: &'static str,
    },
    /// A phase number that is not a whole number.
    #[error("the phase must be a whole number")]
    BadSeq,
    /// No phase of that number (or none with a list) that the caller sees: the field.
    #[error("no such phase")]
    NoPhase(&'static str),
    /// A number outside its range: the field, the least and the most.
    #[error("{0} must be {1}–{2}")]
    OutOfRange(&'static str, i64, i64),
}

impl From<ApprovalsError> for Problem {
    fn from(e: ApprovalsError) -> Problem {
        match e {
            ApprovalsError::Store(e) => e.into(),
            ApprovalsError::Denied(e) => e.into(),
            ApprovalsError::Handover(e) => handover_problem(e),
            ApprovalsError::Step(e) => step_problem(e),
            ApprovalsError::Date { field, raw } => Problem::invalid(
                "invalid_date",
                Text::fill("approvals.error.invalid_date", &[("raw", &raw)]),
            )
            .field(field),
            ApprovalsError::Choice { field, value, key } => {
                Problem::invalid("invalid_choice", Text::fill(key, &[("value", &value)]))
                    .field(field)
            }
            ApprovalsError::Required { field, key } => {
                Problem::invalid("required", Text::key(key)).field(field)
            }
            ApprovalsError::BadSeq => Problem::new(
                Kind::Malformed,
                "bad_parameter",
                Text::key("approvals.error.bad_seq"),
            )
            .field("seq"),
            ApprovalsError::NoPhase(field) => Problem::not_found().field(field),
            ApprovalsError::OutOfRange(field, min, max) => Problem::invalid(
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
        }
    }
}

fn handover_problem(e: HandoverError) -> Problem {
    match e {
        HandoverError::NoCatalogue => Problem::new(
            Kind::Conflict,
            "no_catalogue",
            Text::key("approvals.error.no_catalogue"),
        ),
        HandoverError::AlreadyListed => Problem::new(
            Kind::Conflict,
            "already_listed",
            Text::key("approvals.error.already_listed"),
        )
        .field("seq"),
        HandoverError::UnknownAssessment(a) => Problem::invalid(
            "unknown_assessment",
            Text::fill("approvals.error.unknown_assessment", &[("value", &a)]),
        )
        .field("parcel_assessments"),
        HandoverError::NoParcel => {
            Problem::invalid("required", Text::key("approvals.error.parcel_required"))
                .field("parcel_code")
        }
        HandoverError::Facts(f) => {
            let message = f.to_string();
            Problem::invalid("invalid_fact", Text::new(message.clone(), message))
                .field(format!("facts.{}", f.field))
        }
        HandoverError::Store(e) => e.into(),
        HandoverError::Parcel(e) => {
            let mut p = Problem::from(LandError::Allocation(e));
            if !matches!(p.kind, Kind::Internal | Kind::Unavailable) {
                p.field = Some("parcel_code".into());
            }
            p
        }
    }
}

fn step_problem(e: StepError) -> Problem {
    match e {
        StepError::Forbidden => Problem::forbidden(),
        StepError::Transition(t) => {
            let kind = match t {
                TransitionError::WrongParty { .. } => Kind::Forbidden,
                TransitionError::Missing { .. }
                | TransitionError::BadExtension
                | TransitionError::BeforeLast { .. } => Kind::Invalid,
                _ => Kind::Conflict,
            };
            Problem::new(kind, "step_refused", t.text()).field(t.field())
        }
        StepError::Store(e) => e.into(),
    }
}

/// Reads a date written YYYY-MM-DD, naming `field` when it is not one.
pub fn parse_date(raw: &str, field: &str) -> Result<chrono::NaiveDate, ApprovalsError> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| ApprovalsError::Date {
        field: field.into(),
        raw: raw.into(),
    })
}

/// A time limit as people say it: 即办 / on the spot, 1 个工作日 / 1 working day, 20 个工作日
/// / 20 working days.
pub fn limit_text(l: TimeLimit, lang: Lang) -> String {
    let n = l.days.to_string();
    let key = match (l.days, l.unit) {
        (0, _) => return i18n::text(lang, "approvals.limit.on_the_spot").into(),
        (1, DayUnit::Working) => "approvals.limit.working_day",
        (1, DayUnit::Calendar) => "approvals.limit.calendar_day",
        (_, DayUnit::Working) => "approvals.limit.working_days",
        (_, DayUnit::Calendar) => "approvals.limit.calendar_days",
    };
    i18n::fill(lang, key, &[("n", &n)])
}

/// A department's name in the catalogue, in `lang` (its code when the catalogue lacks it).
pub fn department_name(catalogue: &Catalogue, code: &str, lang: Lang) -> String {
    catalogue
        .file
        .departments
        .iter()
        .find(|d| d.code == code)
        .map(|d| match lang {
            Lang::Zh => d.name_zh.clone(),
            Lang::En => d.name_en.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_people_say_them() {
        let limit = |days, unit| TimeLimit { days, unit };
        let en = |l| limit_text(l, Lang::En);
        assert_eq!(en(limit(0, DayUnit::Working)), "on the spot");
        assert_eq!(en(limit(1, DayUnit::Working)), "1 working day");
        assert_eq!(en(limit(20, DayUnit::Working)), "20 working days");
        assert_eq!(en(limit(1, DayUnit::Calendar)), "1 calendar day");
        assert_eq!(en(limit(60, DayUnit::Calendar)), "60 calendar days");
        assert_eq!(
            limit_text(limit(1, DayUnit::Working), Lang::Zh),
            "1 个工作日"
        );
        assert_eq!(limit_text(limit(0, DayUnit::Calendar), Lang::Zh), "即办");
    }
}
