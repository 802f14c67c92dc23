//! The audit trail page, `/audit`, on the shared list: whether the chains verify, then the
//! entries filtered by actor, action, record and days (in the zone's time), newest first,
//! paged and exported. The filtering is done in the store.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::core::CoreError;
use luodi_app::core::audit::{self, LIST};
use luodi_domain::core::time::{from_stored, zone_display};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(trail))
        .merge(list::exports(
            "/audit",
            &LIST,
            |state, caller, query| async move { audit::export(&state.app, &caller, &query).await },
        ))
}

pub struct Row {
    pub id: i64,
    pub seq: i64,
    /// In the zone's time.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub changes: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    verified: String,
    verified_ok: bool,
    list: ListView,
    rows: Vec<Row>,
}

async fn trail(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/audit";
    let l = Layout::new(&state, &page, "audit.title", "nav.audit", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let trail = match audit::trail_list(&state.app, &page.caller(), &query).await {
        Ok(t) => t,
        Err(CoreError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let (verified, verified_ok) = match trail.verified {
        Ok(n) => (
            l.tr.t("audit.verified").replace("{n}", &n.to_string()),
            true,
        ),
        Err(reason) => (l.tr.t("audit.broken").replace("{reason}", &reason), false),
    };
    let lang = page.lang;
    let entries = trail.entries;
    let rows = entries
        .items
        .iter()
        .map(|e| Row {
            id: e.id,
            seq: e.seq,
            at: from_stored(&e.at)
                .map(zone_display)
                .unwrap_or_else(|| e.at.clone()),
            actor: e.actor.clone(),
            action: audit::word(lang, "do", &e.action),
            entity: format!("{} #{}", audit::word(lang, "what", &e.entity), e.entity_id),
            changes: audit::changes_text(e),
        })
        .collect();
    let tr = &l.tr;
    let list = ListView::new(tr, path, &query, entries.total)
        .input(&query, "actor", tr.t("audit.actor"), "text")
        .input(&query, "kind", tr.t("audit.action"), "text")
        .input(&query, "object", tr.t("audit.entity"), "text")
        .input(&query, "object_id", tr.t("audit_list.entity_id"), "text")
        .input(&query, "from", tr.t("lists.from"), "date")
        .input(&query, "to", tr.t("lists.to"), "date")
        .column(&query, "#", None)
        .column(&query, tr.t("audit.at"), Some("at"))
        .column(&query, tr.t("audit.actor"), None)
        .column(&query, tr.t("audit.action"), None)
        .column(&query, tr.t("audit.entity"), None)
        .column(&query, tr.t("audit.changes"), None);
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            l,
            verified,
            verified_ok,
            list,
            rows,
        },
    ))
}
