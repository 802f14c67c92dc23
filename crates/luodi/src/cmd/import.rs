//! `luodi import`: data into a zone, all or nothing.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use luodi_store::Actor;

use crate::cmd::{DbArg, open, pick_zone, settings};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Land parcels from GeoJSON (a FeatureCollection), CSV or XLSX (a header row of
    /// attribute names and a `wkt` column): every problem is listed by feature or row index
    /// and code, and a file with any problem imports nothing.
    Parcels {
        #[command(flatten)]
        db: DbArg,
        /// The zone's code; needed when the database holds several zones
        #[arg(long)]
        zone: Option<String>,
        /// The file: .geojson or .json, .csv, .xlsx
        file: String,
    },
    /// Enterprises' statistics by period from CSV or XLSX (columns `uscc`, `period`,
    /// `revenue_wan`, `output_wan`, `tax_wan`, `value_added_wan`, `energy_tce`, `rd_wan`,
    /// `employees`, `land_mu`; or the template's Chinese headers): every problem is listed
    /// by row and column, and a file with any problem imports nothing. A period already
    /// imported gets a new version where its figures differ.
    Statistics {
        #[command(flatten)]
        db: DbArg,
        /// The zone's code; needed when the database holds several zones
        #[arg(long)]
        zone: Option<String>,
        /// Why figures of a closed period change
        #[arg(long)]
        reason: Option<String>,
        /// The file: .csv or .xlsx
        file: String,
    },
}

pub async fn run(command: ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Statistics {
            db,
            zone,
            reason,
            file,
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let zone_id = pick_zone(&store, zone.as_deref()).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {file}"))?;
            let started = std::time::Instant::now();
            let app = luodi_app::App::with_defaults(store);
            let caller = luodi_app::Caller::operator(zone_id);
            match luodi_app::cluster::statistics::import_file(
                &app,
                &caller,
                &file,
                &bytes,
                reason.as_deref(),
                "import",
            )
            .await
            {
                Ok(done) => {
                    println!(
                        "{file}: {} ({:.1} s)",
                        luodi_app::cluster::statistics::describe(&done).en,
                        started.elapsed().as_secs_f64()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(luodi_app::cluster::ClusterError::Rows(problems)) => {
                    for p in &problems {
                        eprintln!("{file}: {}", p.line(luodi_domain::Lang::En));
                    }
                    eprintln!("{} problem(s); nothing was imported", problems.len());
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        ImportCommand::Parcels { db, zone, file } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let zone_id = pick_zone(&store, zone.as_deref()).await?;
            let started = std::time::Instant::now();
            let size = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {file}"))?
                .len();
            // Bars on a terminal (hidden when stderr is not one): the file as it is read
            // and checked, with its rate and the time left, then the parcels as written.
            let bar = indicatif::ProgressBar::new(size).with_style(
                indicatif::ProgressStyle::with_template(
                    "checking {bar:30} {binary_bytes}/{binary_total_bytes}, {binary_bytes_per_sec}, {eta} left",
                )
                .expect("a valid template"),
            );
            let lower = file.to_ascii_lowercase();
            let checked = if lower.ends_with(".csv") || lower.ends_with(".xlsx") {
                let bytes = std::fs::read(&file).with_context(|| format!("cannot read {file}"))?;
                bar.set_position(size);
                luodi_domain::land::readers::parcels_from_file(&file, &bytes)
            } else {
                // GeoJSON is read as a stream: one feature at a time, never the whole file.
                let reader = std::io::BufReader::with_capacity(
                    1 << 20,
                    std::fs::File::open(&file).with_context(|| format!("cannot read {file}"))?,
                );
                luodi_domain::land::readers::parcels_from_geojson_reader(
                    bar.wrap_read(reader),
                    &mut |_| {},
                )
            };
            bar.finish_and_clear();
            let drafts = match checked {
                Ok(d) => d,
                Err(problems) => {
                    for p in &problems {
                        eprintln!("{file}: {p}");
                    }
                    eprintln!("{} problem(s); nothing was imported", problems.len());
                    return Ok(ExitCode::FAILURE);
                }
            };
            let checked_in = started.elapsed();
            let bar = indicatif::ProgressBar::new(drafts.len() as u64).with_style(
                indicatif::ProgressStyle::with_template(
                    "writing {bar:30} {pos}/{len} parcels, {per_sec}, {eta} left",
                )
                .expect("a valid template"),
            );
            let written = store
                .import_parcels_with(&Actor::Cli, zone_id, &drafts, &|n| {
                    bar.set_position(n as u64)
                })
                .await;
            bar.finish_and_clear();
            match written {
                Ok(done) => {
                    println!(
                        "{file}: {} parcels imported ({} new, {} updated, {} unchanged) in {:.1} s (read and checked in {:.1} s)",
                        drafts.len(),
                        done.created,
                        done.updated,
                        done.unchanged,
                        started.elapsed().as_secs_f64(),
                        checked_in.as_secs_f64()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(luodi_store::land::parcels::ParcelImportError::Invalid(problems)) => {
                    for p in &problems {
                        eprintln!("{file}: {p}");
                    }
                    eprintln!("{} problem(s); nothing was imported", problems.len());
                    Ok(ExitCode::FAILURE)
                }
                Err(luodi_store::land::parcels::ParcelImportError::Store(e)) => Err(e.into()),
            }
        }
    }
}
