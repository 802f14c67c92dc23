//! Land's use cases: the zone's parcels as files (export and import), the matcher, and
//! the matcher's in-memory index.

pub mod files;
pub mod index;
pub mod matching;
pub mod parcel_list;
pub mod parcels;
pub mod reservations;
pub mod upload;

use luodi_domain::core::i18n;
use luodi_domain::core::policy::Denied;
use luodi_domain::land::matching::{NeedsError, NeedsProblem};
use luodi_domain::land::parcel::FeatureProblem;
use luodi_domain::stewardship::project::FactError;
use luodi_domain::{Lang, Text};
use luodi_store::StoreError;
use luodi_store::land::parcels::AllocationError;

use crate::problem::{FieldProblem, Kind, Problem};

/// What a land use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LandError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// A GeoJSON file that is not UTF-8.
    #[error("the body must be UTF-8")]
    Encoding,
    /// A refused file: every problem by feature or row; nothing was written.
    #[error("the file has {} problem(s)", .0.len())]
    Import(Vec<FeatureProblem>),
    /// An uploaded file bigger than the limit (in bytes).
    #[error("the file is over {0} bytes")]
    TooLarge(usize),
    /// An upload with no file, or an empty one.
    #[error("no file was given")]
    EmptyFile,
    /// An uploaded file whose name is not a parcel file's.
    #[error("'{0}' is not a .geojson, .json, .csv or .xlsx file")]
    FileType(String),
    /// A confirmation whose checked file is not kept (unknown, spent, expired, another
    /// user's): nothing was imported.
    #[error("the checked file is no longer kept; upload it again")]
    UploadGone,
    /// A match named a phase the caller does not see.
    #[error("no such phase")]
    UnknownPhase,
    /// The phase a match named could not be read.
    #[error("phase_id: {0}")]
    PhaseLookup(StoreError),
    /// A match without land needs, given or recorded on its phase.
    #[error("land needs are required")]
    NeedsRequired,
    /// Land needs the rules refuse: every field at fault, and the text before each field
    /// (`needs.` in a match). Never empty.
    #[error("{}: {}", .0[0].field, .0[0].reason.en)]
    Needs(Vec<NeedsProblem>, &'static str),
    #[error("{}: {}", .0.field, .0.message)]
    Facts(FactError),
    /// Matcher weights the rules refuse.
    #[error("{0}")]
    Weights(NeedsError),
    /// A number outside its range: the field, the least and the most.
    #[error("{0} must be {1}–{2}")]
    OutOfRange(&'static str, i64, i64),
    /// A release without its reason.
    #[error("give the reason for releasing the parcel")]
    ReasonRequired,
    /// A reservation, release or handover the parcel's state refuses.
    #[error(transparent)]
    Allocation(#[from] AllocationError),
    #[error("{0}")]
    Internal(String),
}

impl LandError {
    /// A fault of ours, with its cause for the log.
    pub fn internal(e: impl std::fmt::Display) -> LandError {
        LandError::Internal(e.to_string())
    }
}

/// A whole number as English writes it: 10,000.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl From<LandError> for Problem {
    fn from(e: LandError) -> Problem {
        match e {
            LandError::Store(e) => e.into(),
            LandError::Denied(e) => e.into(),
            LandError::Encoding => Problem::new(
                Kind::Malformed,
                "bad_encoding",
                Text::key("land.problem.encoding"),
            ),
            LandError::Import(problems) => {
                let mut p = Problem::invalid(
                    "invalid_parcels",
                    Text::fill("land.problem.import", &[("n", &problems.len().to_string())]),
                );
                p.errors = problems
                    .iter()
                    .map(|f| {
                        let message = f.to_string();
                        FieldProblem {
                            field: format!("{}s[{}].{}", f.unit, f.index, f.field),
                            code: "invalid_feature".into(),
                            message: Text::new(message.clone(), message),
                        }
                    })
                    .collect();
                p.field = p.errors.first().map(|f| f.field.clone());
                p
            }
            LandError::TooLarge(max) => Problem::invalid(
                "too_large",
                Text::fill(
                    "land.upload.too_large",
                    &[("mib", &(max / (1024 * 1024)).to_string())],
                ),
            )
            .field("file"),
            LandError::EmptyFile => {
                Problem::invalid("required", Text::key("land.upload.no_file")).field("file")
            }
            LandError::FileType(name) => Problem::invalid(
                "unknown_file_type",
                Text::fill("land.upload.file_type", &[("name", &name)]),
            )
            .field("file"),
            LandError::UploadGone => {
                Problem::new(Kind::Conflict, "upload_gone", Text::key("land.upload.gone"))
                    .field("token")
            }
            LandError::UnknownPhase => Problem::not_found().field("phase_id"),
            LandError::PhaseLookup(e) => Problem::from(e).field("phase_id"),
            LandError::NeedsRequired => {
                { Problem::invalid("required", Text::key("land.problem.needs_required")) }
                    .field("needs")
            }
            LandError::Needs(problems, prefix) => {
                // The first at fault as the API named it (a partner's position under
                // `partners`), with its reason in both languages; every one in `errors`.
                let field = |f: &str| {
                    let f = if f.starts_with("partners.") {
                        "partners"
                    } else {
                        f
                    };
                    format!("{prefix}{f}")
                };
                let first = problems.first().cloned();
                let mut p = match first {
                    Some(first) => Problem::invalid(
                        "invalid_needs",
                        Text::from_fn(|lang| {
                            format!("{}: {}", first.field, first.reason.get(lang))
                        }),
                    )
                    .field(field(first.field)),
                    None => {
                        Problem::invalid("invalid_needs", Text::key("land.problem.needs_required"))
                    }
                };
                p.errors = problems
                    .into_iter()
                    .map(|n| FieldProblem {
                        field: format!("{prefix}{}", n.field),
                        code: "invalid_needs".into(),
                        message: n.reason,
                    })
                    .collect();
                p
            }
            LandError::Facts(e) => {
                let message = e.to_string();
                Problem::invalid("invalid_fact", Text::new(message.clone(), message))
                    .field(format!("facts.{}", e.field))
            }
            LandError::Weights(e) if e.field == "weights" => {
                Problem::invalid("invalid_weight", Text::key("land.problem.weights_sum"))
                    .field("weights")
            }
            LandError::Weights(e) => Problem::invalid(
                "invalid_weight",
                // The Chinese text says what a weight must be; the English one the rules'
                // reason, in English.
                Text::from_fn(|lang| {
                    let reason = match lang {
                        Lang::Zh => "",
                        Lang::En => e.reason.as_str(),
                    };
                    i18n::fill(
                        lang,
                        "land.problem.weight",
                        &[("field", e.field), ("reason", reason)],
                    )
                }),
            )
            .field(format!("weights.{}", e.field)),
            LandError::OutOfRange(field, min, max) => Problem::invalid(
                "out_of_range",
                // English groups the digits (10,000); Chinese does not.
                Text::from_fn(|lang| {
                    let (min, max) = match lang {
                        Lang::Zh => (min.to_string(), max.to_string()),
                        Lang::En => (grouped(min), grouped(max)),
                    };
                    i18n::fill(
                        lang,
                        "land.problem.out_of_range",
                        &[("field", field), ("min", &min), ("max", &max)],
                    )
                }),
            )
            .field(field),
            LandError::ReasonRequired => {
                Problem::invalid("required", Text::key("land.error.release_reason_required"))
                    .field("reason")
            }
            LandError::Allocation(e) => allocation_problem(e),
            LandError::Internal(cause) => Problem::internal(cause),
        }
    }
}

fn allocation_problem(e: AllocationError) -> Problem {
    match e {
        AllocationError::Store(e) => e.into(),
        AllocationError::PhaseHasParcel(code) => Problem::new(
            Kind::Conflict,
            "phase_has_parcel",
            Text::fill("land.error.phase_has_parcel", &[("code", &code)]),
        )
        .field("phase_id"),
        AllocationError::NotAvailable { code, status } => {
            let key = format!("parcels.status_{status}");
            let status_zh = luodi_domain::core::i18n::text(luodi_domain::Lang::Zh, &key);
            Problem::new(
                Kind::Conflict,
                "not_available",
                Text::new(
                    luodi_domain::core::i18n::fill(
                        luodi_domain::Lang::Zh,
                        "land.error.not_available",
                        &[("code", &code), ("status", status_zh)],
                    ),
                    luodi_domain::core::i18n::fill(
                        luodi_domain::Lang::En,
                        "land.error.not_available",
                        &[("code", &code), ("status", status)],
                    ),
                ),
            )
            .field("status")
        }
        AllocationError::NotReservedForPhase { code } => Problem::new(
            Kind::Conflict,
            "not_reserved_for_phase",
            Text::fill("land.error.not_reserved_for_phase", &[("code", &code)]),
        )
        .field("phase_id"),
        AllocationError::UnknownParcel { code } => Problem::invalid(
            "unknown_parcel",
            Text::fill("land.error.unknown_parcel", &[("code", &code)]),
        )
        .field("parcel_code"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_as_before_in_both_languages() {
        let p = Problem::from(LandError::Weights(NeedsError {
            field: "price",
            reason: "-1 is not a weight of zero or more".into(),
        }));
        assert_eq!(p.field.as_deref(), Some("weights.price"));
        assert_eq!(p.message.get(Lang::Zh), "price：权重应为不小于 0 的数");
        assert_eq!(
            p.message.get(Lang::En),
            "price: -1 is not a weight of zero or more"
        );
        let p = Problem::from(LandError::OutOfRange("explain", 0, 10_000));
        assert_eq!(p.message.get(Lang::Zh), "explain 应为 0–10000");
        assert_eq!(p.message.get(Lang::En), "explain must be 0–10,000");
        let p = Problem::from(LandError::Import(Vec::new()));
        assert_eq!(
            p.message.get(Lang::En),
            "the file has 0 problem(s); no parcel was imported"
        );
    }
}
