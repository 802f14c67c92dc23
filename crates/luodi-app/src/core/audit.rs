//! The audit trail: its entries, newest first, for administrators (their zone) and
//! leaders (the province), and whether its hash chains verify.

use luodi_domain::Operation;
use luodi_store::core::audit::AuditEntry;
use luodi_store::{Page, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;

use super::CoreError;
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    pub id: i64,
    pub zone_id: i64,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// What the entity was before (null for a creation or an event).
    #[schema(value_type = Option<Object>)]
    pub before: serde_json::Value,
    /// What it became (null for a deletion or an event).
    #[schema(value_type = Option<Object>)]
    pub after: serde_json::Value,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryResponse {
    fn from(e: AuditEntry) -> Self {
        AuditEntryResponse {
            id: e.id,
            zone_id: e.zone_id,
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryResponse>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Page `page` of the entries the caller may read, optionally of one entity (its kind and
/// id).
pub async fn entries(
    app: &App,
    caller: &Caller,
    entity: Option<(&str, &str)>,
    page: PageRequest,
) -> Result<AuditPage, CoreError> {
    let scope = caller.scope_for(Operation::ViewAudit)?;
    let found = app.store.audit_entries(&scope, entity, page).await?;
    Ok(AuditPage {
        items: found.items.into_iter().map(Into::into).collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    })
}

/// The audit page: whether the chains verify (the entries checked, or why not) and a page
/// of entries.
pub struct TrailView {
    pub verified: Result<usize, String>,
    pub entries: Page<AuditEntry>,
}

/// The audit page's trail: the caller's chains verified, then page `page` of entries.
pub async fn trail(app: &App, caller: &Caller, page: PageRequest) -> Result<TrailView, CoreError> {
    let scope = caller.scope_for(Operation::ViewAudit)?;
    let verified = match app.store.verify_audit(scope.zone.map(|z| z.0)).await? {
        Ok(reports) => Ok(reports.iter().map(|r| r.entries).sum::<usize>()),
        Err(e) => Err(e.to_string()),
    };
    let entries = app.store.audit_entries(&scope, None, page).await?;
    Ok(TrailView { verified, entries })
}
