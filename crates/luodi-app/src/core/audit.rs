//! The audit trail: its entries, newest first, for administrators (their zone) and
//! leaders (the province), and whether its hash chains verify.

use luodi_domain::core::audit::changed_fields;
use luodi_domain::core::i18n;
use luodi_domain::core::time::{from_stored, zone_day_start, zone_display};
use luodi_domain::{Lang, Operation};
use luodi_store::core::audit::{AuditEntry, AuditQuery};
use luodi_store::{Page, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;

use super::CoreError;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
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

/// What the audit page takes: who, what was done, to which record, between which days
/// (in the zone's time); newest first unless `order=asc`.
pub const LIST: ListSpec = ListSpec {
    search: false,
    filters: &[
        Filter::new("actor", Values::Text),
        Filter::new("kind", Values::Text),
        Filter::new("object", Values::Text),
        Filter::new("object_id", Values::Text),
        Filter::new("from", Values::Date),
        Filter::new("to", Values::Date),
    ],
    sorts: &["at"],
    default_desc: true,
    per_page: 50,
    extra: &[],
};

/// The store's query for a list query: the days read as whole days in the zone's time.
fn audit_query(query: &ListQuery) -> AuditQuery {
    let text = |name: &str| query.filter(name).map(str::to_string);
    AuditQuery {
        actor: text("actor"),
        action: text("kind"),
        entity: text("object"),
        entity_id: text("object_id"),
        from: query.date("from").map(zone_day_start),
        to: query
            .date("to")
            .and_then(|d| d.succ_opt())
            .map(zone_day_start),
        oldest_first: !query.descending,
    }
}

/// The audit page: the caller's chains verified, then the page of entries `query` asks for
/// (filtered and paged in the store).
pub async fn trail_list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<TrailView, CoreError> {
    let scope = caller.scope_for(Operation::ViewAudit)?;
    let verified = match app.store.verify_audit(scope.zone.map(|z| z.0)).await? {
        Ok(reports) => Ok(reports.iter().map(|r| r.entries).sum::<usize>()),
        Err(e) => Err(e.to_string()),
    };
    let entries = app
        .store
        .audit_search(&scope, &audit_query(query), query.page)
        .await?;
    Ok(TrailView { verified, entries })
}

/// An action (`group` `do`) or a record's kind (`what`) in `lang`; one the catalogue does
/// not name shows as stored.
pub fn word(lang: Lang, group: &str, word: &str) -> String {
    let key = format!("audit.{group}_{word}");
    match i18n::text(lang, &key) {
        k if k == key => word.to_string(),
        text => text.to_string(),
    }
}

/// One line per changed field: `name: 旧 → 新`.
pub fn changes_text(e: &AuditEntry) -> String {
    changed_fields(&e.before, &e.after)
        .into_iter()
        .map(|(k, b, a)| {
            let show = |v: &serde_json::Value| match v {
                serde_json::Value::Null => "—".to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{k}: {} → {}", show(&b), show(&a))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The most entries one export holds; a wider view is narrowed by its filters first.
pub const EXPORT_MAX: i64 = 50_000;

/// The entries `query` finds (every page, up to [`EXPORT_MAX`]), as a table in the
/// caller's language, times in the zone's time.
pub async fn export(app: &App, caller: &Caller, query: &ListQuery) -> Result<Table, CoreError> {
    let scope = caller.scope_for(Operation::ViewAudit)?;
    let lang = caller.lang;
    let store_query = audit_query(query);
    let mut rows = Vec::new();
    let mut page = 1;
    loop {
        let req = PageRequest {
            page,
            per_page: PageRequest::MAX_PER_PAGE,
        };
        let batch = app.store.audit_search(&scope, &store_query, req).await?;
        for e in &batch.items {
            rows.push(vec![
                Cell::Number(e.seq as f64),
                Cell::from(
                    from_stored(&e.at)
                        .map(zone_display)
                        .unwrap_or_else(|| e.at.clone()),
                ),
                Cell::from(e.actor.clone()),
                Cell::from(word(lang, "do", &e.action)),
                Cell::from(word(lang, "what", &e.entity)),
                Cell::from(e.entity_id.clone()),
                Cell::from(changes_text(e)),
            ]);
        }
        if page * req.per_page >= batch.total.min(EXPORT_MAX) {
            break;
        }
        page += 1;
    }
    let text = |k: &str| i18n::text(lang, k).to_string();
    Ok(Table {
        name: "audit".into(),
        headers: vec![
            "#".into(),
            text("audit.at"),
            text("audit.actor"),
            text("audit.action"),
            text("audit.entity"),
            "id".into(),
            text("audit.changes"),
        ],
        rows,
    })
}
