//! `luodi bench`: the figures the targets are set for (the measuring is `crate::bench`'s).

use std::process::ExitCode;

use clap::Args;

#[derive(Args, Clone)]
pub struct BenchArgs {
    /// Which figures: catalogue, forecast, parcels, notice, or all
    #[arg(default_value = "all", value_parser = ["all", "catalogue", "forecast", "parcels", "notice"])]
    pub what: String,
    /// Items in the synthetic catalogue
    #[arg(long, default_value_t = 5000)]
    pub items: usize,
    /// Runs per figure (the median is printed)
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Phases in the synthetic portfolio (forecast)
    #[arg(long, default_value_t = 10_000)]
    pub projects: usize,
    /// Monte Carlo samples per phase (forecast)
    #[arg(long, default_value_t = 1_000)]
    pub samples: usize,
    /// Features in the synthetic GeoJSON file read and imported (parcels)
    #[arg(long, default_value_t = 100_000)]
    pub parcel_import: usize,
    /// Parcels a match query runs over (parcels)
    #[arg(long, default_value_t = 1_000_000)]
    pub parcels: usize,
    /// A Python with networkx for the peer figure (`scripts/bench` makes one); without
    /// it the networkx figure says it was not run, and why
    #[arg(long)]
    pub python: Option<String>,
    /// The PostGIS peer script (`scripts/bench/postgis`): it loads the same parcels into
    /// PostGIS 3 with a GiST index, runs the same match query, and times `ogr2ogr` on the
    /// same GeoJSON file; without it those figures say they were not run
    #[arg(long)]
    pub postgis: Option<String>,
    /// Where the parcel figures write the files the PostGIS peer reads
    #[arg(long, default_value = "target/bench/parcels")]
    pub data: String,
}

pub async fn bench(
    BenchArgs {
        what,
        items,
        runs,
        projects,
        samples,
        python,
        parcel_import,
        parcels,
        postgis,
        data,
    }: BenchArgs,
) -> anyhow::Result<ExitCode> {
    if what == "all" || what == "catalogue" {
        crate::bench::run(items, runs).await?;
    }
    if what == "all" || what == "forecast" {
        crate::bench::forecast(projects, samples, runs, python.as_deref())?;
    }
    if what == "all" || what == "parcels" {
        crate::bench::parcels(crate::bench::ParcelBench {
            import: parcel_import,
            parcels,
            runs,
            postgis: postgis.as_deref(),
            data: std::path::Path::new(&data),
        })
        .await?;
    }
    if what == "all" || what == "notice" {
        crate::bench::notice::notice(runs).await?;
    }
    Ok(ExitCode::SUCCESS)
}
