//! Where a zone's notifications go out (email on or off, the webhooks) and what became of
//! each delivery, with a failed one's retry. Administrators only; secrets are never shown.

use luodi_domain::stewardship::outbound::Outbound;
use luodi_domain::{Operation, ZoneId};
use luodi_store::core::orgs::OUTBOUND;
use luodi_store::stewardship::outbox::{OutboxCounts, OutboxEntry};
use serde::Serialize;
use utoipa::ToSchema;

use super::StewardshipError;
use super::delivery::check_targets;
use crate::{App, Caller};

/// The zone's outbound settings, secrets hidden.
pub async fn settings(app: &App, caller: &Caller) -> Result<Outbound, StewardshipError> {
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let o: Outbound = app.store.zone_setting(zone, OUTBOUND).await?;
    Ok(o.redacted())
}

/// Sets the zone's outbound settings: a secret or URL given back as shown (hidden) keeps
/// the one set; every webhook checked, none aimed inside the server's network (unless the
/// operator allows its host). Audited with secrets hidden; the settings, secrets hidden.
pub async fn set_settings(
    app: &App,
    caller: &Caller,
    settings: Outbound,
) -> Result<Outbound, StewardshipError> {
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let current: Outbound = app.store.zone_setting(zone, OUTBOUND).await?;
    let new = current.merged_with_existing(settings);
    write(app, caller, zone, &new).await?;
    Ok(new.redacted())
}

/// Writes `outbound` as zone `zone`'s settings once checked: the settings' rules, then no
/// webhook aimed inside the server's network. The API and the settings page share it.
pub(crate) async fn write(
    app: &App,
    caller: &Caller,
    zone: ZoneId,
    outbound: &Outbound,
) -> Result<(), StewardshipError> {
    outbound.check().map_err(StewardshipError::Outbound)?;
    check_targets(outbound, &app.settings.outbound.allow_hosts)
        .await
        .map_err(StewardshipError::InternalTarget)?;
    Ok(app
        .store
        .set_zone_setting(&caller.actor, zone, OUTBOUND, outbound)
        .await?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    #[schema(value_type = Object)]
    pub counts: OutboxCounts,
    #[schema(value_type = Vec<Object>)]
    pub deliveries: Vec<OutboxEntry>,
}

/// The zone's deliveries, newest first, at most `limit`, only those in `state` (pending,
/// sent or failed) when it is given; with counts by state.
pub async fn outbox(
    app: &App,
    caller: &Caller,
    state: Option<&str>,
    limit: i64,
) -> Result<OutboxList, StewardshipError> {
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    if let Some(s) = state
        && !["pending", "sent", "failed"].contains(&s)
    {
        return Err(StewardshipError::BadParameter {
            name: "state",
            key: "stewardship.query_error.delivery_state",
        });
    }
    let (deliveries, counts) = app.store.outbox(zone.0, state, limit).await?;
    Ok(OutboxList { counts, deliveries })
}

/// Queues failed delivery `id` again, its attempts counted afresh; audited.
pub async fn retry(app: &App, caller: &Caller, id: i64) -> Result<(), StewardshipError> {
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    if !app.store.retry_outbox(&caller.actor, zone.0, id).await? {
        return Err(StewardshipError::NotFailed);
    }
    Ok(())
}
