//! Escalation of missed blocker clocks: a job that climbs each missed clock's ladder one
//! rung at a time, each rung made once however many servers run it
//! (`Store::escalate_blockers`; the ladder and the clocks are
//! [`luodi_domain::stewardship::blocker`]'s).

use crate::App;
use crate::jobs::Next;

/// How often a server looks for missed clocks to escalate.
pub const ESCALATE_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// One round of escalation: every missed clock's next rung, each made once across servers.
pub async fn escalate_step(app: &App) -> Result<Next, String> {
    let calendar = app
        .store
        .calendar()
        .await
        .map_err(|e| format!("no calendar: {e}"))?;
    let made = app
        .store
        .escalate_blockers(&calendar, app.today())
        .await
        .map_err(|e| e.to_string())?;
    for e in made {
        tracing::info!(blocker = e.blocker_id, clock = e.clock.as_str(), rung = e.rung, target = %e.target, "blocker escalated");
    }
    Ok(Next::Wait)
}
