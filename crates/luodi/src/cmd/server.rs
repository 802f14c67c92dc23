//! Running Luodi: the demo, a server, migrations; the application's and the web layer's
//! settings from the server's.

use std::process::ExitCode;

use clap::Args;
use luodi_app::App;
use luodi_app::stewardship::delivery::OutboundConfig;
use luodi_store::{Backend, Store, demo};
use luodi_web::WebConfig;

use crate::cmd::{DbArg, open, open_or_create, settings};
use crate::config::{self, Overrides, Settings};

#[derive(Args, Clone)]
pub struct DemoArgs {
    #[arg(long, env = "LUODI_DATABASE", default_value = "sqlite://luodi-demo.db")]
    pub database: String,
    #[arg(long, env = "LUODI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// HOST:PORT to listen on (default 127.0.0.1:8080)
    #[arg(long, env = "LUODI_ADDR")]
    pub addr: Option<String>,
    /// Make the database if it is not there (a SQLite file, Luodi's tables); without
    /// it a database that is not there stops start-up, so a mistyped URL makes nothing
    #[arg(long)]
    pub create_database: bool,
}

#[derive(Args, Clone)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub db: DbArg,
}

/// The application's settings from the server's, checked: a setting the outbound senders
/// cannot start with stops the start, named.
pub fn app_settings(settings: &Settings) -> Result<luodi_app::Settings, config::ConfigError> {
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
        ..Default::default()
    })
}

/// The application over `store` with the server's settings.
pub fn application(store: Store, settings: luodi_app::Settings) -> anyhow::Result<App> {
    App::new(store, settings).map_err(|e| config::ConfigError::Usage(e.to_string()).into())
}

/// The web layer's settings from the server's.
pub fn web_config(settings: &Settings) -> WebConfig {
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
pub fn warn_about(settings: &Settings) {
    if settings.public_url.is_none() {
        tracing::warn!(
            "public_url (LUODI_PUBLIC_URL) is not set: links in emails and webhooks are relative paths their readers cannot open"
        );
    }
}

pub async fn demo(DemoArgs { database, addr }: DemoArgs) -> anyhow::Result<ExitCode> {
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
    demo::load_cluster(&store, &zone).await?;
    // A forecast as of a week ago, once, so the steward's board can show how the
    // forecasts moved since (the server forecasts today as it starts).
    if store.forecast_history_days(zone.id).await? == 0 {
        let today = luodi_domain::core::time::zone_date(chrono::Utc::now());
        store
            .forecast_sweep(zone.id, today - chrono::Duration::days(7), 1000, 1)
            .await?;
    }
    println!(
        "{} Luodi demo — {} ({})",
        luodi_domain::core::i18n::text(luodi_domain::Lang::Zh, "app.name"),
        zone.name_zh,
        zone.name_en
    );
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
    let app = application(store, app_settings)?;
    // The post-completion checks once now, so the demo's failing check and its blocker
    // show from the start (the server's job runs them every 6 hours after).
    let today = luodi_domain::core::time::zone_date(chrono::Utc::now());
    luodi_app::cluster::completion::run_zone(
        &app,
        &luodi_store::Actor::System("demo"),
        zone.id,
        today,
    )
    .await
    .map_err(|e| anyhow::anyhow!("the demo's post-completion checks: {e}"))?;
    luodi_web::serve(
        app,
        web,
        settings.addr,
        luodi_web::server::shutdown_signal()?,
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(
    ServeArgs {
        db,
        addr,
        create_database,
    }: ServeArgs,
) -> anyhow::Result<ExitCode> {
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

pub async fn migrate(MigrateArgs { db }: MigrateArgs) -> anyhow::Result<ExitCode> {
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
