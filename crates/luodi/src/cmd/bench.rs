//! `luodi bench`: the figures the targets are set for (the measuring is `crate::bench`'s).

use std::process::ExitCode;

use clap::Args;

#[derive(Args, Clone)]
pub struct BenchArgs {
    /// Which figures: catalogue, forecast, parcels, notice, cluster, or all
    #[arg(default_value = "all", value_parser = ["all", "catalogue", "forecast", "parcels", "notice", "cluster"])]
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
    /// Enterprises in the synthetic zone, each with its monthly statistics (cluster)
    #[arg(long, default_value_t = 3_000)]
    pub enterprises: usize,
    /// Months of statistics per enterprise, ending in December 2025; the evaluation rates
    /// 2025, so at least 12 (cluster)
    #[arg(long, default_value_t = 60)]
    pub months: usize,
    /// A Python with networkx and pandas for the peer figures (`scripts/bench/peer-python`
    /// makes one); without it the networkx and pandas figures say they were not run, and why
    #[arg(long)]
    pub python: Option<String>,
    /// The PostGIS peer script (`scripts/bench/postgis`): it loads the same parcels into
    /// PostGIS 3 with a GiST index, runs the same match query, and times `ogr2ogr` on the
    /// same GeoJSON file; without it those figures say they were not run
    #[arg(long)]
    pub postgis: Option<String>,
    /// Where the figures write their files: `parcels/` (the files the PostGIS peer reads)
    /// and `cluster/` (the statistics CSV, the SQLite database, the pandas peer's CSVs)
    #[arg(long, default_value = "target/bench")]
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
        enterprises,
        months,
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
            data: &std::path::Path::new(&data).join("parcels"),
        })
        .await?;
    }
    if what == "all" || what == "notice" {
        crate::bench::notice::notice(runs).await?;
    }
    if what == "all" || what == "cluster" {
        crate::bench::cluster::cluster(crate::bench::cluster::ClusterBench {
            enterprises,
            months,
            runs,
            python: python.as_deref(),
            data: std::path::Path::new(&data),
        })
        .await?;
    }
    Ok(ExitCode::SUCCESS)
}
