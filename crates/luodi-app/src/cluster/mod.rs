//! The cluster's numbers: enterprises' statistics ([`statistics`]), the 亩均 evaluation
//! ([`evaluation`]), the cluster's figures, targets and what the projects on hand will add
//! ([`dashboard`]), and the post-completion checks ([`completion`]).

pub mod completion;
pub mod completion_list;
pub mod dashboard;
pub mod evaluation;
pub mod settings;
pub mod statistics;
pub mod views;

use luodi_domain::Text;
use luodi_domain::cluster::statistics::RowProblem;
use luodi_domain::core::policy::Denied;
use luodi_store::StoreError;
use luodi_store::cluster::statistics::StatisticsError;

use crate::problem::{FieldProblem, Problem};

/// Why a use case of the cluster's numbers refuses.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Denied(#[from] Denied),
    /// A refused statistics file or entry: every problem by row and column; nothing was
    /// written.
    #[error("{} problem(s), the first: {}", .0.len(), .0[0].line(luodi_domain::Lang::En))]
    Rows(Vec<RowProblem>),
    /// Input the rules refuse: each field at fault with why (never empty).
    #[error("{}: {}", .0[0].0, .0[0].1.en)]
    Fields(Vec<(String, Text)>),
    /// An uploaded file bigger than the limit (in bytes).
    #[error("the file is over {0} bytes")]
    TooLarge(usize),
    /// An upload with no file, or an empty one.
    #[error("no file was given")]
    EmptyFile,
}

impl ClusterError {
    pub fn field(field: impl Into<String>, text: Text) -> ClusterError {
        ClusterError::Fields(vec![(field.into(), text)])
    }
}

impl From<StatisticsError> for ClusterError {
    fn from(e: StatisticsError) -> Self {
        match e {
            StatisticsError::Invalid(rows) => ClusterError::Rows(rows),
            StatisticsError::Store(s) => ClusterError::Store(s),
        }
    }
}

/// Where a row's problem sits in the shared error shape: `rows[3].tax_wan` (the row as
/// the spreadsheet numbers it), or `file`.
pub fn row_field(p: &RowProblem) -> String {
    if p.row == 0 {
        "file".into()
    } else {
        format!("rows[{}].{}", p.row, p.column)
    }
}

impl From<ClusterError> for Problem {
    fn from(e: ClusterError) -> Problem {
        match e {
            ClusterError::Store(s) => s.into(),
            ClusterError::Denied(d) => d.into(),
            ClusterError::Rows(rows) => {
                let mut p = Problem::invalid(
                    "invalid_statistics",
                    Text::fill("cluster.error.rows", &[("n", &rows.len().to_string())]),
                );
                p.errors = rows
                    .iter()
                    .map(|r| FieldProblem {
                        field: row_field(r),
                        code: "invalid_row".into(),
                        message: Text::from_fn(|lang| r.line(lang)),
                    })
                    .collect();
                p.field = p.errors.first().map(|f| f.field.clone());
                p
            }
            ClusterError::Fields(fields) => {
                let mut p =
                    Problem::invalid("invalid", fields[0].1.clone()).field(fields[0].0.clone());
                p.errors = fields
                    .into_iter()
                    .map(|(field, message)| FieldProblem {
                        field,
                        code: "invalid".into(),
                        message,
                    })
                    .collect();
                p
            }
            ClusterError::TooLarge(max) => Problem::invalid(
                "too_large",
                Text::fill(
                    "land.upload.too_large",
                    &[("mib", &(max / (1024 * 1024)).to_string())],
                ),
            )
            .field("file"),
            ClusterError::EmptyFile => {
                Problem::invalid("no_file", Text::key("cluster.error.no_file")).field("file")
            }
        }
    }
}
