//! `luodi` — one binary for the whole product: `demo`, `serve`, `migrate`, `zone`,
//! `catalogue`, `calendar`, `user`, `token`, `import`, `export`, `projects`, `portfolio`,
//! `forecast`, `bench` and `audit`, one file a group under `cmd`. A subcommand parses its arguments, calls a
//! use case of `luodi-app` as the operator (`Caller::operator`) and prints what it returns;
//! the operator's own work that no user does — migrations, the demo zone, the audit
//! chain's anchors — goes to the store directly. It never builds the web layer's state.

mod bench;
mod cmd;
mod config;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use luodi_store::StoreError;

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

#[derive(Subcommand)]
pub enum Command {
    /// Load the demo zone into a database (default sqlite://luodi-demo.db) and serve it.
    #[command(after_help = config::SETTINGS_HELP)]
    Demo(cmd::server::DemoArgs),
    /// Serve Luodi on a database.
    #[command(after_help = config::SETTINGS_HELP)]
    Serve(cmd::server::ServeArgs),
    /// Apply pending migrations.
    Migrate(cmd::server::MigrateArgs),
    /// Manage zones (开发区) and their departments.
    Zone {
        #[command(subcommand)]
        command: cmd::zone::ZoneCommand,
    },
    /// The service catalogue (服务事项目录).
    Catalogue {
        #[command(subcommand)]
        command: cmd::catalogue::CatalogueCommand,
    },
    /// The PRC working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: cmd::calendar::CalendarCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: cmd::user::UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: cmd::token::TokenCommand,
    },
    /// Import data into a zone (all or nothing).
    Import {
        #[command(subcommand)]
        command: cmd::import::ImportCommand,
    },
    /// Export a zone's data.
    Export {
        #[command(subcommand)]
        command: cmd::export::ExportCommand,
    },
    /// List the zone's projects: each with its steward and phases (a table, or one JSON
    /// line per project, as `GET /api/v1/projects` gives it, with `--json`).
    Projects(cmd::projects::ProjectsArgs),
    /// Re-forecast every active phase whose inputs changed and print the portfolio, the
    /// latest construction start first (one JSON line per phase).
    Portfolio(cmd::projects::PortfolioArgs),
    /// Forecast a project phase: critical path, item times, milestones with P50/P80/P90 (JSON).
    Forecast(cmd::projects::ForecastArgs),
    /// Measure the figures the targets are set for; prints one JSON line per figure.
    Bench(cmd::bench::BenchArgs),
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: cmd::audit::AuditCommand,
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
        Command::Demo(args) => cmd::server::demo(args).await,
        Command::Serve(args) => cmd::server::serve(args).await,
        Command::Migrate(args) => cmd::server::migrate(args).await,
        Command::Zone { command } => cmd::zone::run(command).await,
        Command::Catalogue { command } => cmd::catalogue::run(command).await,
        Command::Calendar { command } => cmd::calendar::run(command).await,
        Command::User { command } => cmd::user::run(command).await,
        Command::Token { command } => cmd::token::run(command).await,
        Command::Import { command } => cmd::import::run(command).await,
        Command::Export { command } => cmd::export::run(command).await,
        Command::Projects(args) => cmd::projects::projects(args).await,
        Command::Portfolio(args) => cmd::projects::portfolio(args).await,
        Command::Forecast(args) => cmd::projects::forecast(args).await,
        Command::Bench(args) => cmd::bench::bench(args).await,
        Command::Audit { command } => cmd::audit::run(command).await,
    }
}
