//! API tokens' expiry: their owners are told in the inbox before a token ends.

use std::time::Duration;

use crate::App;
use crate::jobs::Next;

/// How often a server looks for tokens about to expire.
pub const WARN_EVERY: Duration = Duration::from_secs(3600);

/// One round: every owner of a token expiring soon told once.
pub async fn warn_step(app: &App) -> Result<Next, String> {
    match app.store.warn_expiring_tokens().await {
        Ok(n) => {
            if n > 0 {
                tracing::info!(tokens = n, "owners warned of API tokens expiring soon");
            }
            Ok(Next::Wait)
        }
        Err(e) => Err(e.to_string()),
    }
}
