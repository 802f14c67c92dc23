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
