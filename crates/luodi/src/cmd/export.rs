//! `luodi export`: a zone's data.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use luodi_app::land::files::{feature_collection, parcel_table};
use luodi_app::{App, Caller};

use crate::cmd::{DbArg, open, pick_zone, said, settings};

#[derive(Subcommand)]
pub enum ExportCommand {
    /// The zone's parcels as GeoJSON (a FeatureCollection), CSV or XLSX (attribute columns
    /// and `wkt`); each imports back as it is.
    Parcels {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        zone: Option<String>,
        /// Write to this file instead of standard output (its extension picks the format)
        #[arg(long)]
        out: Option<String>,
        /// geojson, csv or xlsx (default: from --out, else geojson)
        #[arg(long, value_parser = ["geojson", "csv", "xlsx"])]
        format: Option<String>,
    },
}

pub async fn run(command: ExportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ExportCommand::Parcels {
            db,
            zone,
            out,
            format,
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let zone_id = pick_zone(&store, zone.as_deref()).await?;
            let app = App::with_defaults(store);
            let format = format.unwrap_or_else(|| {
                let o = out.as_deref().unwrap_or("").to_ascii_lowercase();
                if o.ends_with(".csv") {
                    "csv".into()
                } else if o.ends_with(".xlsx") {
                    "xlsx".into()
                } else {
                    "geojson".into()
                }
            });
            let bytes: Vec<u8> = match format.as_str() {
                "csv" => parcel_table(&app, &Caller::operator(zone_id))
                    .await
                    .map_err(said)?
                    .to_csv()
                    .into_bytes(),
                "xlsx" => parcel_table(&app, &Caller::operator(zone_id))
                    .await
                    .map_err(said)?
                    .to_xlsx()
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                _ => feature_collection(&app, &Caller::operator(zone_id))
                    .await
                    .map_err(said)?
                    .to_string()
                    .into_bytes(),
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("cannot write {path}"))?;
                    eprintln!("{path}: parcels written as {format}");
                }
                None if format == "xlsx" => bail!("XLSX is binary: give --out FILE.xlsx"),
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                    println!();
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
