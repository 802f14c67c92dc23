//! Whether the database answers, as this process last saw it: the database check (a job)
//! records it, and the web layer answers 503 at once while it is down.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::App;

/// How long a check waits for the database.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the database check runs.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Whether the database was down at the last check.
#[derive(Debug, Default)]
pub struct DbHealth {
    down: AtomicBool,
}

impl DbHealth {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// Records a check's outcome, logging a change once.
    pub fn record(&self, up: bool) {
        let was_down = self.down.swap(!up, Ordering::Relaxed);
        match (was_down, up) {
            (false, false) => {
                tracing::error!("database unreachable: answering 503 until it is back")
            }
            (true, true) => tracing::info!("database reachable again"),
            _ => {}
        }
    }
}

/// Asks the database, on a connection of its own (a pool busy with requests is not a
/// database that is down), and records the answer.
pub async fn check(app: &App) -> bool {
    let up = matches!(
        tokio::time::timeout(CHECK_TIMEOUT, app.store.ping()).await,
        Ok(Ok(()))
    );
    app.db_health.record(up);
    up
}

/// What the operator's metrics report of the database and the outbox.
pub struct Snapshot {
    /// Whether the database answered just now (and was not down at the last check).
    pub db_up: bool,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The pool's connections: open, idle, the most it opens.
    pub pool: (u32, usize, u32),
    /// Deliveries in the outbox by state, when the database answered.
    pub outbox: Option<Vec<(String, i64)>>,
}

/// The database's and the outbox's state now, for the metrics.
pub async fn snapshot(app: &App) -> Snapshot {
    let db_up = !app.db_health.is_down() && app.store.ping().await.is_ok();
    let outbox = if db_up {
        app.store.outbox_backlog().await.ok()
    } else {
        None
    };
    Snapshot {
        db_up,
        backend: app.store.backend().name(),
        pool: app.store.pool_stats(),
        outbox,
    }
}
