//! The subcommands, one file per group, and what they share: the database argument, opening
//! a database, a zone by its code, and how a use case's problem is said.

pub mod audit;
pub mod bench;
pub mod calendar;
pub mod catalogue;
pub mod export;
pub mod import;
pub mod projects;
pub mod server;
pub mod token;
pub mod user;
pub mod zone;

use anyhow::{Context, bail};
use clap::Args;
use luodi_domain::ZoneId;
use luodi_store::{Backend, Store};

use crate::config::{self, Overrides, Settings};

#[derive(Args, Clone)]
pub struct DbArg {
    /// Database URL: sqlite://FILE or postgres://USER@HOST:PORT/DB
    #[arg(long, env = "LUODI_DATABASE")]
    pub database: Option<String>,
    /// A TOML file of settings (the database, the audit key…); also LUODI_CONFIG
    #[arg(long, env = "LUODI_CONFIG")]
    pub config: Option<String>,
}

pub fn settings(db: DbArg) -> anyhow::Result<Settings> {
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
pub async fn open_url(url: &str) -> anyhow::Result<Store> {
    Backend::from_url(url)?;
    Store::open_existing(url)
        .await
        .with_context(|| format!("cannot open {}", luodi_store::url_without_secret(url)))
}

/// [`open_url`] with the settings' database, anchoring the audit entries it writes when
/// the settings hold a key.
pub async fn open(s: &Settings) -> anyhow::Result<Store> {
    let store = open_url(&s.database).await?;
    Ok(match &s.audit_key {
        Some(key) => store.with_audit_key(key),
        None => store,
    })
}

/// Opens a database, making it (a SQLite file, Luodi's tables) if it is not there.
pub async fn open_or_create(s: &Settings) -> anyhow::Result<Store> {
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

/// A use case's problem as the CLI says it: its message, in English.
pub fn said(e: impl Into<luodi_app::problem::Problem>) -> anyhow::Error {
    let p: luodi_app::problem::Problem = e.into();
    anyhow::anyhow!("{}", p.message.en)
}

pub fn report_catalogue_errors(
    file: &str,
    errors: &[luodi_domain::approvals::catalogue::CatalogueError],
) {
    eprintln!("{file}: {} problem(s):", errors.len());
    for e in errors {
        eprintln!("  - {e}");
    }
}

/// The zone a user is added to: the one named, or the only one there is.
pub async fn pick_zone(store: &Store, code: Option<&str>) -> anyhow::Result<ZoneId> {
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
