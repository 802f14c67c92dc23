//! `luodi zone`: zones (开发区) and their departments.

use std::process::ExitCode;

use anyhow::bail;
use clap::Subcommand;
use luodi_store::Actor;

use crate::cmd::{DbArg, open, pick_zone, settings};

#[derive(Subcommand)]
pub enum ZoneCommand {
    /// Add a zone (does nothing if the code exists).
    Add {
        #[command(flatten)]
        db: DbArg,
        /// A short stable code, e.g. qingdao-hitech
        #[arg(long)]
        code: String,
        #[arg(long)]
        name_zh: String,
        #[arg(long)]
        name_en: String,
        /// The province, e.g. 山东省
        #[arg(long)]
        province: String,
    },
    /// Add a department to a zone (does nothing if the code exists).
    Department {
        #[command(flatten)]
        db: DbArg,
        /// The zone's code; needed when the database holds several zones
        #[arg(long)]
        zone: Option<String>,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name_zh: String,
        #[arg(long)]
        name_en: String,
    },
    /// List the zones.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

pub async fn run(command: ZoneCommand) -> anyhow::Result<ExitCode> {
    match command {
        ZoneCommand::Add {
            db,
            code,
            name_zh,
            name_en,
            province,
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let code = code.trim();
            if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                bail!("--code: use letters, digits and '-' only, e.g. qingdao-hitech");
            }
            let zone = store
                .ensure_zone(
                    &Actor::Cli,
                    code,
                    name_zh.trim(),
                    name_en.trim(),
                    province.trim(),
                )
                .await?;
            println!(
                "zone {} ({} / {}) has id {}",
                zone.code, zone.name_zh, zone.name_en, zone.id
            );
            Ok(ExitCode::SUCCESS)
        }
        ZoneCommand::Department {
            db,
            zone,
            code,
            name_zh,
            name_en,
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let zone_id = pick_zone(&store, zone.as_deref()).await?;
            let id = store
                .ensure_department(
                    &Actor::Cli,
                    zone_id,
                    code.trim(),
                    name_zh.trim(),
                    name_en.trim(),
                )
                .await?;
            println!("department {code} has id {id}");
            Ok(ExitCode::SUCCESS)
        }
        ZoneCommand::List { db } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            for z in store
                .zones(&luodi_domain::Scope {
                    zone: None,
                    enterprise: None,
                })
                .await?
            {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    z.id, z.code, z.name_zh, z.name_en, z.province
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
