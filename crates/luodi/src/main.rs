//! `luodi` — one binary for the whole product: `demo`, `serve`, `migrate`, `user`,
//! `token` and `audit`. Each subcommand calls the same store the web layer calls.

mod bench;
mod config;

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use luodi_app::land::files::{feature_collection, parcel_table};
use luodi_app::stewardship::delivery::OutboundConfig;
use luodi_app::{App, Caller};
use luodi_domain::core::uscc::Uscc;
use luodi_domain::{Role, ZoneId};
use luodi_store::approvals::catalogue::{ImportError, ImportOutcome};
use luodi_store::core::users::{NewUser, UserError};
use luodi_store::{Actor, Backend, Store, StoreError, demo};
use luodi_web::WebConfig;

use crate::config::{Overrides, Settings};

/// The application's settings from the server's, checked: a setting the outbound senders
/// cannot start with stops the start, named.
fn app_settings(settings: &Settings) -> Result<luodi_app::Settings, config::ConfigError> {
    let outbound = OutboundConfig {
        public_url: settings.public_url.clone(),
        smtp_url: settings.smtp_url.clone(),
        mail_from: settings.mail_from.clone(),
        every: settings.deliver_every,
        allow_hosts: settings.webhook_allow_hosts.clone(),
    };
    outbound
        .check()
        .map_err(|e| config::ConfigError::Usage(e.to_string()))?;
    Ok(luodi_app::Settings {
        forecast_every: settings.forecast_every,
        outbound,
    })
}

/// The application over `store` with the server's settings.
fn application(store: Store, settings: luodi_app::Settings) -> anyhow::Result<App> {
    App::new(store, settings).map_err(|e| config::ConfigError::Usage(e.to_string()).into())
}

/// The web layer's settings from the server's.
fn web_config(settings: &Settings) -> WebConfig {
    WebConfig {
        secure_cookies: settings.secure_cookies,
        metrics: luodi_web::metrics::MetricsAccess {
            allow: settings.metrics_allow.clone(),
            token: settings.metrics_token.clone(),
        },
        limits: luodi_web::server::Limits {
            header_read: settings.header_timeout,
            ..Default::default()
        },
        trusted_proxies: settings.trusted_proxies.clone(),
    }
}

/// Warnings about settings that work but probably not as meant.
fn warn_about(settings: &Settings) {
    if settings.public_url.is_none() {
        tracing::warn!(
            "public_url (LUODI_PUBLIC_URL) is not set: links in emails and webhooks are relative paths their readers cannot open"
        );
    }
}

#[derive(Parser)]
#[command(
    name = "luodi",
    version,
    about = "落地 Luodi — land industrial projects fast and serve them for their whole life"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArg {
    /// Database URL: sqlite://FILE or postgres://USER@HOST:PORT/DB
    #[arg(long, env = "LUODI_DATABASE")]
    database: Option<String>,
    /// A TOML file of settings (the database, the audit key…); also LUODI_CONFIG
    #[arg(long, env = "LUODI_CONFIG")]
    config: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Load the demo zone into a database (default sqlite://luodi-demo.db) and serve it.
    #[command(after_help = config::SETTINGS_HELP)]
    Demo {
        #[arg(long, env = "LUODI_DATABASE", default_value = "sqlite://luodi-demo.db")]
        database: String,
        #[arg(long, env = "LUODI_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Serve Luodi on a database.
    #[command(after_help = config::SETTINGS_HELP)]
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// HOST:PORT to listen on (default 127.0.0.1:8080)
        #[arg(long, env = "LUODI_ADDR")]
        addr: Option<String>,
        /// Make the database if it is not there (a SQLite file, Luodi's tables); without
        /// it a database that is not there stops start-up, so a mistyped URL makes nothing
        #[arg(long)]
        create_database: bool,
    },
    /// Apply pending migrations.
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Manage zones (开发区) and their departments.
    Zone {
        #[command(subcommand)]
        command: ZoneCommand,
    },
    /// The service catalogue (服务事项目录).
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// The PRC working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import data into a zone (all or nothing).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export a zone's data.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// List the zone's projects: each with its steward and phases (a table, or one JSON
    /// line per project, as `GET /api/v1/projects` gives it, with `--json`).
    Projects {
        #[command(flatten)]
        db: DbArg,
        /// The zone's code; needed when the database holds several zones
        #[arg(long)]
        zone: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Re-forecast every active phase whose inputs changed and print the portfolio, the
    /// latest construction start first (one JSON line per phase).
    Portfolio {
        #[command(flatten)]
        db: DbArg,
    },
    /// Forecast a project phase: critical path, item times, milestones with P50/P80/P90 (JSON).
    Forecast {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        project: i64,
        /// Phase number; default the first with a list
        #[arg(long)]
        phase: Option<i64>,
        #[arg(long, default_value_t = 1000)]
        samples: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measure the figures the targets are set for; prints one JSON line per figure.
    Bench {
        /// Which figures: catalogue, forecast, parcels, or all
        #[arg(default_value = "all", value_parser = ["all", "catalogue", "forecast", "parcels"])]
        what: String,
        /// Items in the synthetic catalogue
        #[arg(long, default_value_t = 5000)]
        items: usize,
        /// Runs per figure (the median is printed)
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Phases in the synthetic portfolio (forecast)
        #[arg(long, default_value_t = 10_000)]
        projects: usize,
        /// Monte Carlo samples per phase (forecast)
        #[arg(long, default_value_t = 1_000)]
        samples: usize,
        /// Features in the synthetic GeoJSON file read and imported (parcels)
        #[arg(long, default_value_t = 100_000)]
        parcel_import: usize,
        /// Parcels a match query runs over (parcels)
        #[arg(long, default_value_t = 1_000_000)]
        parcels: usize,
        /// A Python with networkx for the peer figure (`scripts/bench` makes one); without
        /// it the networkx figure says it was not run, and why
        #[arg(long)]
        python: Option<String>,
        /// The PostGIS peer script (`scripts/bench/postgis`): it loads the same parcels into
        /// PostGIS 3 with a GiST index, runs the same match query, and times `ogr2ogr` on the
        /// same GeoJSON file; without it those figures say they were not run
        #[arg(long)]
        postgis: Option<String>,
        /// Where the parcel figures write the files the PostGIS peer reads
        #[arg(long, default_value = "target/bench/parcels")]
        data: String,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
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
}

#[derive(Subcommand)]
enum ExportCommand {
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

#[derive(Subcommand)]
enum CatalogueCommand {
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

#[derive(Subcommand)]
enum CalendarCommand {
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

#[derive(Subcommand)]
enum ZoneCommand {
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

#[derive(Subcommand)]
enum UserCommand {
    /// Set a user's password (an operator's reset); the new password is read from
    /// standard input, and every session of the user ends.
    Password {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
    },
    /// Add a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        /// admin, investment, landing, approval, steward, leader or enterprise
        #[arg(long)]
        role: String,
        /// The enterprise's unified social credit code (role enterprise)
        #[arg(long)]
        enterprise: Option<String>,
        /// The department's code (role approval), e.g. approval-bureau
        #[arg(long)]
        department: Option<String>,
        /// The zone's code; needed when the database holds several zones
        #[arg(long)]
        zone: Option<String>,
        /// A province-level leader, who reads every zone
        #[arg(long, conflicts_with = "zone")]
        province: bool,
        /// The name shown in the interface (default: the e-mail)
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; prints it as the last line.
    Create {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days the token lives (1–365); its owner's inbox is warned a week before
        #[arg(long, default_value_t = luodi_store::core::sessions::TOKEN_DAYS, value_parser = clap::value_parser!(i64).range(1..=luodi_store::core::sessions::MAX_TOKEN_DAYS))]
        expires_in_days: i64,
    },
    /// Revoke one of a user's tokens.
    Revoke {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every hash chain; name the first entry that does not verify. With the audit
    /// key, check the anchors too.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
    /// Once, after setting the audit key on a database that has entries: check each
    /// chain and anchor its head, so that from then on every head must carry its anchor.
    Anchor {
        #[command(flatten)]
        db: DbArg,
    },
}

/// Exit code for a wrong setting or an unsupported database URL.
const EXIT_USAGE: u8 = 2;

/// Logging to stderr: `LUODI_LOG` filters, `LUODI_LOG_FORMAT=json` writes one JSON object
/// a line; text is coloured only on a terminal.
fn init_logging() -> Result<(), String> {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("LUODI_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match std::env::var("LUODI_LOG_FORMAT").as_deref() {
        Ok("json") => builder.json().with_current_span(false).init(),
        Ok("text") | Ok("") | Err(_) => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        Ok(other) => {
            return Err(format!("LUODI_LOG_FORMAT: '{other}' is not text or json"));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    if let Err(e) = init_logging() {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", report(&e));
            let usage = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<StoreError>(),
                    Some(StoreError::UnsupportedUrl(_))
                ) || c.downcast_ref::<config::ConfigError>().is_some()
            });
            if usage {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn settings(db: DbArg) -> anyhow::Result<Settings> {
    let s = config::load(
        Overrides {
            database: db.database,
            config: db.config,
            ..Default::default()
        },
        None,
        "127.0.0.1:8080",
    )?;
    Backend::from_url(&s.database)?;
    Ok(s)
}

/// Opens a Luodi database that is there (and applies pending migrations); a command other
/// than `demo`, `migrate` and `serve --create-database` never makes one.
async fn open_url(url: &str) -> anyhow::Result<Store> {
    Backend::from_url(url)?;
    Store::open_existing(url)
        .await
        .with_context(|| format!("cannot open {}", luodi_store::url_without_secret(url)))
}

/// [`open_url`] with the settings' database, anchoring the audit entries it writes when
/// the settings hold a key.
async fn open(s: &Settings) -> anyhow::Result<Store> {
    let store = open_url(&s.database).await?;
    Ok(match &s.audit_key {
        Some(key) => store.with_audit_key(key),
        None => store,
    })
}

/// Opens a database, making it (a SQLite file, Luodi's tables) if it is not there.
async fn open_or_create(s: &Settings) -> anyhow::Result<Store> {
    Backend::from_url(&s.database)?;
    let store = Store::open(&s.database).await.with_context(|| {
        format!(
            "cannot open {}",
            luodi_store::url_without_secret(&s.database)
        )
    })?;
    Ok(match &s.audit_key {
        Some(key) => store.with_audit_key(key),
        None => store,
    })
}

/// A use case's problem as the CLI says it: in English.
fn said(e: impl Into<luodi_app::problem::Problem>) -> anyhow::Error {
    let p: luodi_app::problem::Problem = e.into();
    match &p.field {
        Some(field) => anyhow::anyhow!("{field}: {}", p.message.en),
        None => anyhow::anyhow!("{}", p.message.en),
    }
}

/// An error as one line: its causes in order, each said once (a cause whose words are
/// already in the line adds nothing).
fn report(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo { database, addr } => {
            let settings = config::load(
                Overrides {
                    database: Some(database),
                    addr: Some(addr),
                    ..Default::default()
                },
                None,
                "127.0.0.1:8080",
            )?;
            let web = web_config(&settings);
            let app_settings = app_settings(&settings)?;
            let store = open_or_create(&settings).await?;
            let zone = demo::load(&store).await?;
            // A forecast as of a week ago, once, so the steward's board can show how the
            // forecasts moved since (the server forecasts today as it starts).
            if store.forecast_history_days(zone.id).await? == 0 {
                let today = luodi_domain::core::time::zone_date(chrono::Utc::now());
                store
                    .forecast_sweep(zone.id, today - chrono::Duration::days(7), 1000, 1)
                    .await?;
            }
            println!("落地 Luodi demo — {} ({})", zone.name_zh, zone.name_en);
            println!(
                "Database: {}",
                luodi_store::url_without_secret(&settings.database)
            );
            println!(
                "Open http://{}/ and log in as any of (password: {}):",
                settings.addr,
                demo::DEMO_PASSWORD
            );
            for (email, name, role) in demo::USERS {
                println!("  {:<24} {:<12} {}", email, role.as_str(), name);
            }
            luodi_web::serve(
                application(store, app_settings)?,
                web,
                settings.addr,
                luodi_web::server::shutdown_signal()?,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            db,
            addr,
            create_database,
        } => {
            let settings = config::load(
                Overrides {
                    config: db.config,
                    database: db.database,
                    addr,
                },
                None,
                "127.0.0.1:8080",
            )?;
            let web = web_config(&settings);
            let app_settings = app_settings(&settings)?;
            warn_about(&settings);
            let store = if create_database {
                open_or_create(&settings).await?
            } else {
                open(&settings).await?
            };
            println!(
                "Luodi serving {} on http://{}/",
                store.backend().name(),
                settings.addr
            );
            luodi_web::serve(
                application(store, app_settings)?,
                web,
                settings.addr,
                luodi_web::server::shutdown_signal()?,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { db } => {
            let s = settings(db)?;
            Backend::from_url(&s.database)?;
            let store = Store::connect(&s.database).await?;
            let n = store.migrate().await?;
            println!(
                "applied {n} migration(s); {} known",
                luodi_store::MIGRATIONS.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            command: ImportCommand::Parcels { db, zone, file },
        } => {
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
                luodi_domain::land::parcel::parcels_from_file(&file, &bytes)
            } else {
                // GeoJSON is read as a stream: one feature at a time, never the whole file.
                let reader = std::io::BufReader::with_capacity(
                    1 << 20,
                    std::fs::File::open(&file).with_context(|| format!("cannot read {file}"))?,
                );
                luodi_domain::land::parcel::parcels_from_geojson_reader(
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
        Command::Export {
            command:
                ExportCommand::Parcels {
                    db,
                    zone,
                    out,
                    format,
                },
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
        Command::Projects { db, zone, json } => {
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
                        serde_json::to_string(
                            &luodi_app::stewardship::projects::project_response(p)
                        )?
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
                    luodi_domain::stewardship::project::is_signed(
                        p.phases.iter().map(|ph| ph.status),
                    )
                })
                .count();
            eprintln!(
                "{} projects, {} phases; {signed} projects signed (each counted once)",
                projects.len(),
                projects.iter().map(|p| p.phases.len()).sum::<usize>()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Portfolio { db } => {
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
        Command::Forecast {
            db,
            project,
            phase,
            samples,
            seed,
        } => {
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
        Command::Bench {
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
        } => {
            if what == "all" || what == "catalogue" {
                bench::run(items, runs).await?;
            }
            if what == "all" || what == "forecast" {
                bench::forecast(projects, samples, runs, python.as_deref())?;
            }
            if what == "all" || what == "parcels" {
                bench::parcels(bench::ParcelBench {
                    import: parcel_import,
                    parcels,
                    runs,
                    postgis: postgis.as_deref(),
                    data: std::path::Path::new(&data),
                })
                .await?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalogue {
            command: CatalogueCommand::Check { file },
        } => {
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
        Command::Catalogue {
            command: CatalogueCommand::Import { db, zone, file },
        } => {
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
        Command::Catalogue {
            command: CatalogueCommand::Export { db, zone, version },
        } => {
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
        Command::Catalogue {
            command: CatalogueCommand::Rules,
        } => {
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
        Command::Calendar {
            command: CalendarCommand::Days { db, from, to },
        } => {
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
        Command::Calendar {
            command: CalendarCommand::Import { db, file },
        } => {
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
        Command::Calendar {
            command: CalendarCommand::Export,
        } => {
            print!("{}", luodi_domain::core::calendar::BUILTIN);
            Ok(ExitCode::SUCCESS)
        }
        Command::Zone {
            command:
                ZoneCommand::Add {
                    db,
                    code,
                    name_zh,
                    name_en,
                    province,
                },
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
        Command::Zone {
            command:
                ZoneCommand::Department {
                    db,
                    zone,
                    code,
                    name_zh,
                    name_en,
                },
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
        Command::Zone {
            command: ZoneCommand::List { db },
        } => {
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
        Command::User {
            command: UserCommand::Password { db, email },
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            match store
                .set_password(
                    &Actor::Cli,
                    &user,
                    None,
                    password.trim_end_matches(['\r', '\n']),
                    None,
                    true,
                )
                .await
            {
                Ok(()) => {
                    println!(
                        "password of {} set; their sessions have ended and their API tokens are revoked",
                        user.email
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(UserError::Invalid(why)) => bail!("{why}"),
                Err(e @ UserError::Throttled { .. }) => bail!("{e}"),
                Err(UserError::Store(e)) => Err(e.into()),
            }
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    email,
                    role,
                    enterprise,
                    department,
                    zone,
                    province,
                    name,
                },
        } => {
            let s = settings(db)?;
            let role: Role = role.parse()?;
            let store = open(&s).await?;
            let zone_id = if province {
                None
            } else {
                Some(pick_zone(&store, zone.as_deref()).await?)
            };
            let department_id = match (&department, zone_id) {
                (Some(code), Some(z)) => Some(
                    store
                        .department_by_code(z, code)
                        .await?
                        .with_context(|| {
                            format!("--department: no department with code '{code}' in this zone")
                        })?
                        .id,
                ),
                _ => None,
            };
            let enterprise_id = match (&enterprise, zone_id) {
                (Some(code), Some(z)) => {
                    let uscc =
                        Uscc::parse(code).map_err(|e| anyhow::anyhow!("--enterprise: {e}"))?;
                    Some(
                        store
                            .enterprise_by_uscc(z, uscc.as_str())
                            .await?
                            .with_context(|| {
                                format!("--enterprise: no enterprise with code {uscc} in this zone")
                            })?
                            .id,
                    )
                }
                _ => None,
            };
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let new = NewUser {
                zone_id,
                display_name: name.unwrap_or_else(|| email.clone()),
                email,
                role,
                department_id,
                enterprise_id,
            };
            match store.create_user(&Actor::Cli, new, password).await {
                Ok(u) => {
                    println!("added user {} ({}) with id {}", u.email, u.role, u.id);
                    Ok(ExitCode::SUCCESS)
                }
                Err(UserError::Invalid(why)) => bail!("{why}"),
                Err(e @ UserError::Throttled { .. }) => bail!("{e}"),
                Err(UserError::Store(e)) => Err(e.into()),
            }
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    db,
                    email,
                    label,
                    expires_in_days,
                },
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            let (id, token) = store
                .create_api_token_for(&Actor::Cli, &user, &label, expires_in_days)
                .await?;
            eprintln!(
                "token {id} for {} ({}), valid {expires_in_days} days; it is shown once:",
                user.email, user.role
            );
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command: TokenCommand::Revoke { db, email, id },
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            store
                .revoke_api_token(&Actor::Cli, &user, id)
                .await
                .with_context(|| format!("no live token {id} of {email}"))?;
            println!("revoked token {id}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Anchor { db },
        } => {
            let s = settings(db)?;
            if s.audit_key.is_none() {
                bail!(
                    "there is no audit key to anchor with: set audit_key_file (in --config) or LUODI_AUDIT_KEY_FILE"
                );
            }
            let store = open(&s).await?;
            match store.anchor_heads().await? {
                Ok(zones) => {
                    println!(
                        "{} chain head(s) anchored{}",
                        zones.len(),
                        if zones.is_empty() {
                            " (every head was anchored already)".to_string()
                        } else {
                            format!(
                                ": {}",
                                zones
                                    .iter()
                                    .map(|z| format!("zone {z}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("audit trail BROKEN, nothing anchored: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            match store.verify_audit(None).await? {
                Ok(reports) => {
                    for r in &reports {
                        match r.anchors {
                            Some(a) => println!(
                                "zone {}: {} entries verified; {} anchored by the key{}{}",
                                r.zone_id,
                                r.entries,
                                a.anchored,
                                if a.before_key > 0 {
                                    format!(
                                        ", {} written before the key (chain only)",
                                        a.before_key
                                    )
                                } else {
                                    String::new()
                                },
                                if a.head { ", head anchored" } else { "" }
                            ),
                            None => println!("zone {}: {} entries verified", r.zone_id, r.entries),
                        }
                    }
                    println!(
                        "audit trail OK: {} chain(s), {} entries",
                        reports.len(),
                        reports.iter().map(|r| r.entries).sum::<usize>()
                    );
                    if store.audit_key().is_none() {
                        println!(
                            "anchors not checked: no key (audit_key_file / LUODI_AUDIT_KEY_FILE); the chain alone does not stop someone who can write to the database from re-hashing it"
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("audit trail BROKEN: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

fn report_catalogue_errors(
    file: &str,
    errors: &[luodi_domain::approvals::catalogue::CatalogueError],
) {
    eprintln!("{file}: {} problem(s):", errors.len());
    for e in errors {
        eprintln!("  - {e}");
    }
}

/// The zone a user is added to: the one named, or the only one there is.
async fn pick_zone(store: &Store, code: Option<&str>) -> anyhow::Result<ZoneId> {
    if let Some(code) = code {
        return Ok(store
            .zone_by_code(code)
            .await?
            .with_context(|| format!("--zone: no zone with code '{code}'"))?
            .id);
    }
    let zones = store
        .zones(&luodi_domain::Scope {
            zone: None,
            enterprise: None,
        })
        .await?;
    match zones.as_slice() {
        [only] => Ok(only.id),
        [] => bail!("the database has no zone yet: run `luodi demo` or create one first"),
        many => bail!(
            "several zones exist; choose one with --zone ({})",
            many.iter()
                .map(|z| z.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
