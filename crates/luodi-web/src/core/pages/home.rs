//! The home page and the audit trail page.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::core::CoreError;
use luodi_app::core::audit;
use luodi_app::core::home::{self, ParkCard};
use luodi_app::core::work::{self, WorkPart};
use luodi_domain::core::audit::changed_fields;
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_store::PageRequest;
use luodi_store::core::audit::AuditEntry;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::i18n::Tr;
use crate::pages::{Layout, Pager, error_page, render};
use axum::response::IntoResponse;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/audit", get(audit))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    /// The role's work, first.
    work: Vec<WorkPart>,
    enterprise_count: i64,
    parks: Vec<ParkCard>,
}

async fn home(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let caller = page.caller();
    let view = home::home(&state.app, &caller)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let work = work::work(&state.app, &caller)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let l = Layout::new(&state, &page, "home.title", "nav.home", "/").await;
    Ok(render(
        StatusCode::OK,
        &HomePage {
            l,
            work,
            enterprise_count: view.enterprise_count,
            parks: view.parks,
        },
    ))
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub changes: String,
}

/// Action and record kinds in the user's language; an unknown one shows as stored.
fn audit_word(tr: &Tr, group: &str, word: &str) -> String {
    let key = format!("audit.{group}_{word}");
    match tr.t(&key) {
        k if k == key => word.to_string(),
        text => text.to_string(),
    }
}

/// One line per changed field: `name: 旧 → 新`.
pub fn audit_row(tr: &Tr, e: &AuditEntry) -> AuditRow {
    let changes = changed_fields(&e.before, &e.after)
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
        .join("; ");
    AuditRow {
        seq: e.seq,
        at: from_stored(&e.at)
            .map(zone_display)
            .unwrap_or_else(|| e.at.clone()),
        actor: e.actor.clone(),
        action: audit_word(tr, "do", &e.action),
        entity: format!("{} #{}", audit_word(tr, "what", &e.entity), e.entity_id),
        changes,
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    verified: String,
    verified_ok: bool,
    rows: Vec<AuditRow>,
    pager: Pager,
}

async fn audit(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "audit.title", "nav.audit", "/audit").await;
    let req = match params.page() {
        Ok(p) => PageRequest { per_page: 50, ..p },
        Err(_) => return Ok(error_page(l, StatusCode::BAD_REQUEST, "error.bad_request")),
    };
    let trail = match audit::trail(&state.app, &page.caller(), req).await {
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
    let entries = trail.entries;
    let pager = Pager::new(&l.tr, entries.total, req.page, req.per_page, |p| {
        format!("/audit?page={p}")
    });
    let rows = entries.items.iter().map(|e| audit_row(&l.tr, e)).collect();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            l,
            verified,
            verified_ok,
            rows,
            pager,
        },
    )
    .into_response())
}
