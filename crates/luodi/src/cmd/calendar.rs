//! `luodi calendar`: the PRC working-day calendar.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use luodi_store::Actor;

use crate::cmd::{DbArg, open, open_url, settings};
use crate::config::{self};

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Print each date from --from to --to as `YYYY-MM-DD workday` or `YYYY-MM-DD restday`.
    /// Without --database: the calendar built into this release.
    Days {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Import years of a newly published schedule (TOML, the format of the built-in file);
    /// all years or none.
    Import {
        #[command(flatten)]
        db: DbArg,
        /// The calendar file
        file: String,
    },
    /// Print the built-in calendar file (a template for a new year).
    Export,
}

pub async fn run(command: CalendarCommand) -> anyhow::Result<ExitCode> {
    match command {
        CalendarCommand::Days { db, from, to } => {
            let parse = |flag: &str, v: &str| {
                chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
                    config::ConfigError::Usage(format!("{flag}: '{v}' is not a date (YYYY-MM-DD)"))
                })
            };
            let (from, to) = (parse("--from", &from)?, parse("--to", &to)?);
            if to < from {
                return Err(config::ConfigError::Usage(format!(
                    "--to ({to}) is before --from ({from})"
                ))
                .into());
            }
            let calendar = match db.database {
                Some(url) => open_url(&url).await?.calendar().await?,
                None => luodi_domain::core::calendar::Calendar::builtin(),
            };
            let mut out = String::new();
            let mut unpublished = std::collections::BTreeSet::new();
            let mut day = from;
            while day <= to {
                let info = calendar.day(day);
                if !info.published {
                    unpublished.insert(chrono::Datelike::year(&day));
                }
                let kind = match info.kind {
                    luodi_domain::core::calendar::DayKind::Workday => "workday",
                    luodi_domain::core::calendar::DayKind::Restday => "restday",
                };
                out.push_str(&format!("{day} {kind}\n"));
                day += chrono::Duration::days(1);
            }
            print!("{out}");
            for y in unpublished {
                eprintln!(
                    "note: {y} has no published schedule; Monday–Friday counted as working days"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Import { db, file } => {
            let s = settings(db)?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
            let years = luodi_domain::core::calendar::parse_years(&text)
                .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            let store = open(&s).await?;
            let n = store.import_calendar(&Actor::Cli, &years).await?;
            println!(
                "imported {n} year(s): {}",
                years
                    .iter()
                    .map(|y| y.year.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Export => {
            print!("{}", luodi_domain::core::calendar::BUILTIN);
            Ok(ExitCode::SUCCESS)
        }
    }
}
