//! Many rows bound as a few parameters and read back as a `SELECT`: what a bulk write
//! inserts from (`INSERT … SELECT … FROM (select) AS given`), and a long list of ids
//! a query filters by. A statement per row would spend an import's time on round trips,
//! and a parameter per value on SQLite's lookup of each parameter by its number.
//!
//! The one part written per database: SQLite reads one JSON text (`json_each`, `->>`);
//! PostgreSQL reads one array literal per column (`unnest`), which it parses several
//! times faster than JSON and extracts nothing from.

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::{Backend, SqlType};

/// A value of a bulk row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(n: Option<i64>) -> Self {
        n.map_or(Cell::Null, Cell::Int)
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(s)
    }
}

/// Rows gathered for one statement, in the form the backend reads.
#[derive(Debug, Clone)]
pub struct Bulk {
    backend: Backend,
    columns: usize,
    rows: usize,
    /// SQLite: `[[v, …], …]` without its closing bracket.
    json: String,
    /// PostgreSQL: `{v,…` per column, without its closing brace.
    arrays: Vec<String>,
}

impl Bulk {
    pub fn new(backend: Backend, columns: &[(&str, SqlType)]) -> Bulk {
        Bulk {
            backend,
            columns: columns.len(),
            rows: 0,
            json: String::from("["),
            arrays: match backend {
                Backend::Sqlite => Vec::new(),
                Backend::Postgres => vec![String::from("{"); columns.len()],
            },
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Adds a row: one value for each column, in their order.
    pub fn push(&mut self, row: &[Cell<'_>]) {
        assert_eq!(row.len(), self.columns, "a bulk row has a value per column");
        use std::fmt::Write;
        match self.backend {
            Backend::Sqlite => {
                if self.rows > 0 {
                    self.json.push(',');
                }
                self.json.push('[');
                for (i, v) in row.iter().enumerate() {
                    if i > 0 {
                        self.json.push(',');
                    }
                    match v {
                        Cell::Int(n) => {
                            let _ = write!(self.json, "{n}");
                        }
                        Cell::Null => self.json.push_str("null"),
                        Cell::Text(s) => {
                            // A string always serialises.
                            self.json
                                .push_str(&serde_json::to_string(s).unwrap_or_default());
                        }
                    }
                }
                self.json.push(']');
            }
            Backend::Postgres => {
                for (a, v) in self.arrays.iter_mut().zip(row) {
                    if self.rows > 0 {
                        a.push(',');
                    }
                    match v {
                        Cell::Int(n) => {
                            let _ = write!(a, "{n}");
                        }
                        Cell::Null => a.push_str("NULL"),
                        Cell::Text(s) => {
                            // Quoted, so that NULL, braces, commas and spaces are text.
                            a.push('"');
                            for c in s.chars() {
                                if c == '"' || c == '\\' {
                                    a.push('\\');
                                }
                                a.push(c);
                            }
                            a.push('"');
                        }
                    }
                }
            }
        }
        self.rows += 1;
    }

    /// Binds the rows as the parameters [`Backend::bulk_select`] names.
    pub fn bind<'q>(self, mut q: Query<'q, Any, AnyArguments>) -> Query<'q, Any, AnyArguments> {
        match self.backend {
            Backend::Sqlite => {
                let mut json = self.json;
                json.push(']');
                q.bind(json)
            }
            Backend::Postgres => {
                for mut a in self.arrays {
                    a.push('}');
                    q = q.bind(a);
                }
                q
            }
        }
    }
}

impl Backend {
    /// A `SELECT` of the rows of a [`Bulk`] of `columns` bound from parameter `$first`
    /// on, each column under its name.
    pub fn bulk_select(self, first: usize, columns: &[(&str, SqlType)]) -> String {
        match self {
            Backend::Sqlite => {
                let picks: Vec<String> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, (name, _))| format!("value ->> {i} AS {name}"))
                    .collect();
                format!("SELECT {} FROM json_each(${first})", picks.join(", "))
            }
            Backend::Postgres => {
                let arrays: Vec<String> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| {
                        let ty = match kind {
                            SqlType::Integer => "BIGINT",
                            SqlType::Text => "TEXT",
                        };
                        format!("CAST(${} AS {ty}[])", first + i)
                    })
                    .collect();
                let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
                format!(
                    "SELECT * FROM unnest({}) AS bulk ({})",
                    arrays.join(", "),
                    names.join(", ")
                )
            }
        }
    }
}
