//! `luodi catalogue`: the service catalogue (服务事项目录) imported, exported, checked.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use luodi_store::Actor;
use luodi_store::approvals::catalogue::{ImportError, ImportOutcome};

use crate::cmd::{DbArg, open, open_url, pick_zone, report_catalogue_errors, settings};

#[derive(Subcommand)]
pub enum CatalogueCommand {
    /// Check a catalogue file and import it as the zone's current version (all or nothing).
    Import {
        #[command(flatten)]
        db: DbArg,
        /// The zone's code; needed when the database holds several zones
        #[arg(long)]
        zone: Option<String>,
        /// The catalogue file (TOML)
        file: String,
    },
    /// Print a catalogue as TOML: the zone's current version, or with --version another;
    /// without a database, the default catalogue shipped with Luodi.
    Export {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        zone: Option<String>,
        /// A version of the zone's catalogue, e.g. 2026.1
        #[arg(long)]
        version: Option<String>,
    },
    /// Check a catalogue file without importing it.
    Check {
        /// The catalogue file (TOML)
        file: String,
    },
    /// List the attributes applicability rules may use.
    Rules,
}

pub async fn run(command: CatalogueCommand) -> anyhow::Result<ExitCode> {
    match command {
        CatalogueCommand::Check { file } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
            match luodi_domain::approvals::catalogue::Catalogue::parse(&text) {
                Ok(c) => {
                    println!(
                        "{file}: version {}, {} stages, {} categories, {} items: OK",
                        c.file.version,
                        c.file.stages.len(),
                        c.file.categories.len(),
                        c.items().len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    report_catalogue_errors(&file, &errors);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        CatalogueCommand::Import { db, zone, file } => {
            let s = settings(db)?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
            let store = open(&s).await?;
            let zone_id = pick_zone(&store, zone.as_deref()).await?;
            match store.import_catalogue(&Actor::Cli, zone_id, &text).await {
                Ok(ImportOutcome::Imported(v)) => {
                    println!(
                        "imported catalogue version {} ({} items) as the current one",
                        v.version, v.item_count
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Ok(ImportOutcome::Unchanged(v)) => {
                    println!(
                        "catalogue version {} is already stored with the same content; nothing changed",
                        v.version
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::Invalid(errors)) => {
                    report_catalogue_errors(&file, &errors);
                    eprintln!("nothing was imported");
                    Ok(ExitCode::FAILURE)
                }
                Err(ImportError::VersionTaken(v)) => bail!(
                    "{file}: version {v} already exists with different content; give the catalogue a new version (nothing was imported)"
                ),
                Err(ImportError::Store(e)) => Err(e.into()),
            }
        }
        CatalogueCommand::Export { db, zone, version } => {
            match db.database {
                None => print!("{}", luodi_domain::approvals::catalogue::DEFAULT),
                Some(url) => {
                    let store = open_url(&url).await?;
                    let zone_id = pick_zone(&store, zone.as_deref()).await?;
                    let id = match &version {
                        Some(v) => Some(
                            store
                                .catalogue_versions(zone_id)
                                .await?
                                .into_iter()
                                .find(|x| &x.version == v)
                                .with_context(|| {
                                    format!("--version: no catalogue version {v} in this zone")
                                })?
                                .id,
                        ),
                        None => None,
                    };
                    let (_, text, _) = store.catalogue(zone_id, id).await.context(
                        "the zone has no catalogue yet: import one with `luodi catalogue import`",
                    )?;
                    print!("{text}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogueCommand::Rules => {
            println!("Attributes for applies_when (combine with and, or, not, parentheses):");
            for (name, kind, meaning) in luodi_domain::approvals::rule::ATTRIBUTES {
                let how = match kind {
                    luodi_domain::approvals::rule::AttrKind::Number => {
                        "number: = != < <= > >= in [..]"
                    }
                    luodi_domain::approvals::rule::AttrKind::Text => "text: = != in [..]",
                    luodi_domain::approvals::rule::AttrKind::Flag => "flag: on its own",
                    luodi_domain::approvals::rule::AttrKind::Industry => {
                        "industry: under \"C27\" or under [..]"
                    }
                };
                println!("  {name:<28} {how:<36} {meaning}");
            }
            for (kind, zh, en) in luodi_domain::approvals::rule::ASSESSMENTS {
                let name = format!("parcel.assessed.{kind}");
                println!(
                    "  {name:<28} {:<36} parcel covered by a regional {en} assessment ({zh})",
                    "flag: on its own"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
