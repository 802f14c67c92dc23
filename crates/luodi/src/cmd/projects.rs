//! A zone's projects, the portfolio and one phase's forecast, read from the command line.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use luodi_app::{App, Caller};

use crate::cmd::{DbArg, open, pick_zone, said, settings};

#[derive(Args, Clone)]
pub struct ProjectsArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The zone's code; needed when the database holds several zones
    #[arg(long)]
    pub zone: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Clone)]
pub struct PortfolioArgs {
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Args, Clone)]
pub struct ForecastArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long)]
    pub project: i64,
    /// Phase number; default the first with a list
    #[arg(long)]
    pub phase: Option<i64>,
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub async fn projects(ProjectsArgs { db, zone, json }: ProjectsArgs) -> anyhow::Result<ExitCode> {
    let s = settings(db)?;
    let store = open(&s).await?;
    let zone = pick_zone(&store, zone.as_deref()).await?;
    let scope = luodi_domain::Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let projects = store.projects(&scope).await?;
    let stewards: std::collections::HashMap<i64, String> =
        store.stewards(zone).await?.into_iter().collect();
    let mut out = std::io::stdout().lock();
    for p in &projects {
        if json {
            writeln!(
                out,
                "{}",
                serde_json::to_string(&luodi_app::stewardship::projects::project_response(p))?
            )?;
            continue;
        }
        let steward = p
            .steward_id
            .and_then(|u| stewards.get(&u.0).cloned())
            .unwrap_or_else(|| "—".into());
        let phases = p
            .phases
            .iter()
            .map(|ph| format!("{} {}", ph.name, ph.status.as_str()))
            .collect::<Vec<_>>()
            .join("; ");
        writeln!(
            out,
            "{:>5}  {}  {}  steward {}  [{}]",
            p.id,
            p.name,
            p.total_investment.display(luodi_domain::Lang::Zh),
            steward,
            phases
        )?;
    }
    let signed = projects
        .iter()
        .filter(|p| {
            luodi_domain::stewardship::project::is_signed(p.phases.iter().map(|ph| ph.status))
        })
        .count();
    eprintln!(
        "{} projects, {} phases; {signed} projects signed (each counted once)",
        projects.len(),
        projects.iter().map(|p| p.phases.len()).sum::<usize>()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn portfolio(PortfolioArgs { db }: PortfolioArgs) -> anyhow::Result<ExitCode> {
    let s = settings(db)?;
    let store = open(&s).await?;
    let app = App::with_defaults(store);
    let p = luodi_app::forecast::portfolio::portfolio(&app, &Caller::operator_everywhere())
        .await
        .map_err(said)?;
    for row in &p.rows {
        println!("{}", serde_json::to_string(row)?);
    }
    eprintln!(
        "{} active phases on {}, {} forecast again; {} start later than the target of {} working days after land handover",
        p.phases,
        p.today,
        p.recomputed.unwrap_or(0),
        p.rows.iter().filter(|r| r.late_working_days > 0).count(),
        p.target_working_days
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn forecast(
    ForecastArgs {
        db,
        project,
        phase,
        samples,
        seed,
    }: ForecastArgs,
) -> anyhow::Result<ExitCode> {
    let s = settings(db)?;
    let store = open(&s).await?;
    let everything = luodi_domain::Scope {
        zone: None,
        enterprise: None,
    };
    let p = store
        .project(&everything, project)
        .await
        .with_context(|| format!("--project: no project {project}"))?;
    let ph = match phase {
        Some(seq) => p
            .phases
            .iter()
            .find(|x| x.seq == seq)
            .cloned()
            .with_context(|| format!("--phase: project {project} has no phase {seq}"))?,
        None => p
            .phases
            .iter()
            .find(|x| x.land_handover_date.is_some())
            .cloned()
            .context("no phase of this project has its land (and list) yet")?,
    };
    if ph.land_handover_date.is_none() {
        bail!(
            "phase {} of project {project} has no list yet: its land has not been handed over",
            ph.seq
        );
    }
    if !(100..=20_000).contains(&samples) {
        bail!("--samples: use 100 to 20000");
    }
    let app = App::with_defaults(store);
    let f = luodi_app::forecast::phase::forecast_of(
        &app,
        &Caller::operator_everywhere(),
        &p,
        &ph,
        samples,
        seed,
        &[],
    )
    .await
    .map_err(said)?;
    println!("{}", serde_json::to_string_pretty(&f)?);
    Ok(ExitCode::SUCCESS)
}
