//! Luodi's use cases, between the rules ([`luodi_domain`]) and the adapters (the JSON API
//! and the pages in `luodi-web`, the CLI in `luodi`). A use case is a function of the
//! application ([`App`]), the caller and parsed input, returning a view or the module's
//! error; the adapters parse, call one and render what it returns, and none calls another
//! adapter. The background jobs (re-forecast, escalation, delivery, the matcher's index,
//! token expiry, the database check) are jobs of this crate ([`jobs`]).
//!
//! One folder a module, with the same names as in the rules and the store: [`core`],
//! [`land`], [`approvals`], [`forecast`], [`stewardship`], [`leadership`].

pub mod approvals;
pub mod cluster;
pub mod core;
pub mod forecast;
pub mod jobs;
pub mod land;
pub mod leadership;
pub mod problem;
pub mod schemas;
pub mod stewardship;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use luodi_domain::approvals::catalogue::Catalogue;
use luodi_store::Store;

pub use crate::core::caller::Caller;
use crate::core::health::DbHealth;
use crate::land::index::MatchIndexes;
use crate::stewardship::delivery::{Deliverer, OutboundConfig, OutboundConfigError};

/// Parsed catalogue versions by zone and version id.
type Catalogues = HashMap<(luodi_domain::ZoneId, i64), Arc<Catalogue>>;

/// The application's own settings (the adapters have theirs).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How often the forecaster re-forecasts the portfolio when nothing wakes it sooner.
    pub forecast_every: Duration,
    /// Email and webhooks: where links point, the SMTP server, the sender.
    pub outbound: OutboundConfig,
    /// How long a parcel file checked on the upload page waits for its confirmation.
    pub parcel_upload_ttl: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            forecast_every: Duration::from_secs(600),
            outbound: OutboundConfig {
                every: Duration::from_secs(5),
                ..Default::default()
            },
            parcel_upload_ttl: land::upload::DEFAULT_UPLOAD_TTL,
        }
    }
}

/// The application: the store, the settings, what is kept in memory between requests (the
/// matcher's index, what the database check last saw) and the outbound senders. Cheap to
/// clone; every clone shares the same caches.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// Wakes the background forecaster after a step or a handover.
    pub forecast_wake: Arc<tokio::sync::Notify>,
    /// One portfolio sweep at a time in this process; the others then find nothing to do.
    pub sweep_lock: Arc<tokio::sync::Mutex<()>>,
    /// Each zone's parcels in memory for the matcher.
    pub match_index: Arc<MatchIndexes>,
    /// Whether the database answers, as this process last saw it.
    pub db_health: Arc<DbHealth>,
    /// Sends the outbox's email and webhooks.
    pub deliverer: Arc<Deliverer>,
    /// Each catalogue version read so far, parsed, by zone and id (a version never changes:
    /// a new catalogue is a new version).
    catalogues: Arc<std::sync::Mutex<Catalogues>>,
    /// Parcel files checked on the upload page, waiting for their confirmation.
    pub uploads: Arc<land::upload::PendingUploads>,
}

impl App {
    /// The application over `store`; refuses settings the outbound senders cannot start
    /// with (naming the setting).
    pub fn new(store: Store, settings: Settings) -> Result<App, OutboundConfigError> {
        let deliverer = Deliverer::new(store.clone(), &settings.outbound)?;
        Ok(App {
            store,
            settings: Arc::new(settings),
            forecast_wake: Default::default(),
            sweep_lock: Default::default(),
            match_index: Default::default(),
            db_health: Default::default(),
            deliverer: Arc::new(deliverer),
            catalogues: Default::default(),
            uploads: Default::default(),
        })
    }

    /// The application with default settings (no SMTP, no public URL): what the CLI and
    /// the tests use.
    pub fn with_defaults(store: Store) -> App {
        App::new(store, Settings::default()).expect("the default settings are valid")
    }

    /// The catalogue version `id` of `zone`, parsed once per process.
    pub async fn catalogue_version(
        &self,
        zone: luodi_domain::ZoneId,
        id: i64,
    ) -> Result<Arc<Catalogue>, luodi_store::StoreError> {
        if let Some(c) = self
            .catalogues
            .lock()
            .expect("not poisoned")
            .get(&(zone, id))
        {
            return Ok(c.clone());
        }
        let (_, _, catalogue) = self.store.catalogue(zone, Some(id)).await?;
        let catalogue = Arc::new(catalogue);
        self.catalogues
            .lock()
            .expect("not poisoned")
            .insert((zone, id), catalogue.clone());
        Ok(catalogue)
    }

    /// Today in the zone's time zone (UTC+8): the day clocks and forecasts count from.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::core::zone_today()
    }
}
