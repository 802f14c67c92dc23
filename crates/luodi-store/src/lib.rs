//! Luodi's storage. One SQL code path for both databases: queries are written once with
//! `$1`-style parameters (which SQLite and PostgreSQL both accept through sqlx) over
//! sqlx's `Any` driver, using only integers and text. The backend is chosen once, from
//! the URL scheme; where the two differ (how a write transaction begins, how migrations
//! are locked) the difference is named in [`Backend`].
//!
//! Every write runs in a transaction that also appends to the zone's audit chain
//! ([`audit`]); every read of zone-owned rows takes a [`luodi_domain::Scope`].

pub mod approvals;
pub mod bulk;
pub mod cluster;
pub mod core;
pub mod demo;
mod demo_cluster;
pub mod forecast;
pub mod land;
mod migrate;
pub mod stewardship;
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Transaction};

use self::core::audit;
pub use self::core::audit::Actor;
pub use migrate::MIGRATIONS;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl(url_without_secret(url))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What [`Store::lock_zone`] serialises: each kind its own lock, so that kinds do not
/// wait on one another. (The migrations' lock is 7306100.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneLock {
    Statistics = 7306117,
}

/// A column's type where the SQL must say it ([`Backend::bulk_select`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    Integer,
    Text,
}

/// The URL with any password replaced, fit for messages and logs.
pub fn url_without_secret(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..s], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// What went wrong in storage: the web layer maps these to status codes.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("not found")]
    NotFound,
    /// A unique key is taken; `field` names the input field at fault.
    #[error("{field} '{value}' already exists")]
    Conflict { field: &'static str, value: String },
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else; reload and try again")]
    Stale,
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("migration {0} has been edited after it was applied; migrations only grow")]
    MigrationEdited(String),
    /// Only `luodi demo`, `luodi migrate` and `luodi serve --create-database` make a
    /// database; everything else opens one that is there.
    #[error(
        "there is no database at {0}: check the path, or create one with `luodi migrate --database URL`"
    )]
    NoDatabase(String),
    #[error(
        "the database at {0} has no Luodi tables: check the URL, or create them with `luodi migrate --database URL`"
    )]
    NotLuodi(String),
    /// The audit trail is anchored and this process has no key to anchor what it writes.
    #[error(
        "the audit trail is anchored with a key and this command has none: give it the key (audit_key_file in --config, or LUODI_AUDIT_KEY_FILE)"
    )]
    AuditKeyNeeded,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether the database could not be reached (rather than refusing what was asked):
    /// a caller answers 503 and tries again later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Database(e) if unreachable(e))
    }

    /// Whether a database error is a unique-key violation.
    pub fn is_unique_violation(e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Database(d) => {
                d.is_unique_violation()
                    || d.code()
                        .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
            }
            _ => false,
        }
    }
}

/// Whether a database error means the database could not be reached: no connection in
/// time, a broken one, or the server shutting down or not yet up (SQLSTATE classes 08 and
/// 57P).
pub fn unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The store: a pool on one database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// A separate connection for [`Store::ping`].
    health: AnyPool,
    backend: Backend,
    /// The key that anchors audit entries, when the operator configured one.
    anchor: Option<std::sync::Arc<audit::AnchorKey>>,
}

/// A write transaction: the connection (it dereferences to it, so `&mut *tx` is an
/// executor) and what the audit trail needs to anchor the entries written in it.
pub struct Tx {
    inner: Transaction<'static, Any>,
    pub(crate) anchor: Option<std::sync::Arc<audit::AnchorKey>>,
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

impl Tx {
    pub async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl Store {
    /// Connects to `url` (creating a SQLite file if needed) without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, true).await
    }

    /// Connects to `url`; a SQLite file is made only when `create` says so.
    async fn connect_with(url: &str, create: bool) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let given = url;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                let mode = if create { "rwc" } else { "rw" };
                format!("{url}{sep}mode={mode}")
            }
            _ => url.to_string(),
        };
        if backend == Backend::Sqlite && !create {
            let path = given
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or("");
            if !path.is_empty()
                && !path.contains(":memory:")
                && !std::path::Path::new(path).exists()
            {
                return Err(StoreError::NoDatabase(url_without_secret(given)));
            }
        }
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout
                        // makes a second writer (another process) wait instead of failing.
                        sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        // One connection of its own for health checks, so a pool busy with requests is
        // not taken for a database that does not answer.
        let health = AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy_with(options);
        Ok(Store {
            pool,
            health,
            backend,
            anchor: None,
        })
    }

    /// Connects and applies every pending migration, making the database (a SQLite file,
    /// Luodi's tables) if it is not there: for `luodi demo`, `luodi migrate`, `luodi serve
    /// --create-database` and tests.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens a Luodi database that is there, applying pending migrations; a missing SQLite
    /// file or a database without Luodi's tables is an error that says so, so a mistyped
    /// URL makes nothing.
    pub async fn open_existing(url: &str) -> Result<Store> {
        let store = Store::connect_with(url, false).await?;
        if sqlx::query("SELECT COUNT(*) AS n FROM luodi_migrations")
            .fetch_one(&store.pool)
            .await
            .is_err()
        {
            store.close().await;
            return Err(StoreError::NotLuodi(url_without_secret(url)));
        }
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write transaction cannot fail on upgrade.
    pub async fn begin_write(&self) -> Result<Tx> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            inner,
            anchor: self.anchor.clone(),
        })
    }

    /// Serialises the writes of one kind for one zone inside `tx`, until it ends: what
    /// one write reads and then writes over (an import's year sums, made from the rows it
    /// read) is not overtaken by another's. SQLite's write transaction already excludes
    /// every other writer; PostgreSQL takes a transaction-level advisory lock on
    /// (`kind`, zone).
    pub async fn lock_zone(&self, tx: &mut Tx, kind: ZoneLock, zone: i64) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(CAST($1 AS INTEGER), CAST($2 AS INTEGER))")
                .bind(kind as i64)
                .bind(zone)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// This store anchors every audit entry it writes with `key` (an HMAC kept outside
    /// the database), so a change by someone without the key is found by
    /// `luodi audit verify`.
    pub fn with_audit_key(mut self, key: &[u8]) -> Store {
        self.anchor = Some(std::sync::Arc::new(audit::AnchorKey::new(key)));
        self
    }

    /// The anchor key, for verifying.
    pub fn audit_key(&self) -> Option<&audit::AnchorKey> {
        self.anchor.as_deref()
    }

    /// The pool's connections: (open, idle, most it opens).
    pub fn pool_stats(&self) -> (u32, usize, u32) {
        (
            self.pool.size(),
            self.pool.num_idle(),
            self.pool.options().get_max_connections(),
        )
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.health).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.health.close().await;
    }
}

/// The current time in the stored text form.
pub fn now() -> String {
    luodi_domain::core::time::to_stored(chrono::Utc::now())
}

/// A page of a list, with the total count for the pager.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Which page of a list to read; checked by the caller, clamped here.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub const MAX_PER_PAGE: i64 = 200;

    pub fn offset(&self) -> i64 {
        (self.page.max(1) - 1) * self.per_page
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        let err = Backend::from_url("mysql://root:hunter2@h/db").unwrap_err();
        assert!(err.to_string().contains("mysql://root:***@h/db"), "{err}");
        assert!(!err.to_string().contains("hunter2"));
    }
}
