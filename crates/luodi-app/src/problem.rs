//! What a use case tells its caller when it cannot do what was asked: the kind of
//! failure (which an adapter turns into its status), a code for machines, a message in
//! both languages, and the field or fields at fault. Each module's error converts into a
//! [`Problem`] with `From`; the adapters read nothing else.

use std::borrow::Cow;

use luodi_domain::Text;
use luodi_domain::core::enterprise::FieldError;
use luodi_store::StoreError;

/// The kinds of failure, each with one answer in every adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request cannot be read at all: not the encoding or form it must have (400).
    Malformed,
    /// The input is wrong (422 over HTTP).
    Invalid,
    /// Nothing the caller may see by that name (404).
    NotFound,
    /// The caller's role may not do this (403).
    Forbidden,
    /// A unique key is taken, or the record changed since it was read (409).
    Conflict,
    /// The database cannot be reached now; try again shortly (503).
    Unavailable,
    /// A fault of ours; the cause is logged, never shown (500).
    Internal,
}

#[derive(Debug, Clone)]
pub struct FieldProblem {
    pub field: String,
    pub code: Cow<'static, str>,
    pub message: Text,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: Kind,
    pub code: Cow<'static, str>,
    pub message: Text,
    /// The field (or parameter) at fault, when one is.
    pub field: Option<String>,
    /// Every field at fault, when several are.
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    pub fn new(kind: Kind, code: impl Into<Cow<'static, str>>, message: Text) -> Problem {
        Problem {
            kind,
            code: code.into(),
            message,
            field: None,
            errors: Vec::new(),
        }
    }

    /// Wrong input: `code` and what is wrong.
    pub fn invalid(code: impl Into<Cow<'static, str>>, message: Text) -> Problem {
        Problem::new(Kind::Invalid, code, message)
    }

    pub fn not_found() -> Problem {
        Problem::new(Kind::NotFound, "not_found", Text::key("problem.not_found"))
    }

    pub fn forbidden() -> Problem {
        Problem::new(Kind::Forbidden, "forbidden", Text::key("problem.forbidden"))
    }

    /// A fault of ours: the cause is logged here, once, and never shown.
    pub fn internal(cause: impl std::fmt::Display) -> Problem {
        tracing::error!(%cause, "internal error");
        Problem::new(Kind::Internal, "internal", Text::key("problem.internal"))
    }

    pub fn unavailable() -> Problem {
        Problem::new(
            Kind::Unavailable,
            "unavailable",
            Text::key("problem.unavailable"),
        )
    }

    /// Field errors from the rules: each field named, the first one the problem's.
    pub fn fields(errors: &[FieldError]) -> Problem {
        let mut p = match errors.first() {
            Some(first) => {
                Problem::invalid(first.code, first.text.clone()).field(first.field.clone())
            }
            None => Problem::invalid("invalid", Text::key("problem.invalid")),
        };
        p.errors = errors
            .iter()
            .map(|f| FieldProblem {
                field: f.field.clone(),
                code: f.code.into(),
                message: f.text.clone(),
            })
            .collect();
        p
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match e {
            StoreError::NotFound => Problem::not_found(),
            StoreError::Conflict { field, value } => Problem::new(
                Kind::Conflict,
                "conflict",
                Text::fill("problem.conflict", &[("field", field), ("value", &value)]),
            )
            .field(field),
            StoreError::Stale => {
                Problem::new(Kind::Conflict, "stale", Text::key("problem.stale")).field("version")
            }
            e if e.is_unavailable() => {
                tracing::warn!(cause = %e, "database unreachable");
                Problem::unavailable()
            }
            other => Problem::internal(other),
        }
    }
}

impl From<luodi_domain::core::policy::Denied> for Problem {
    fn from(_: luodi_domain::core::policy::Denied) -> Problem {
        Problem::forbidden()
    }
}

impl From<tokio::task::JoinError> for Problem {
    fn from(e: tokio::task::JoinError) -> Problem {
        Problem::internal(e)
    }
}
