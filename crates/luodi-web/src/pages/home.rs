//! The home page and the audit trail page.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_domain::core::audit::changed_fields;
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_domain::{Lang, Operation};
use luodi_store::PageRequest;
use luodi_store::core::audit::AuditEntry;
use luodi_store::core::enterprises::EnterpriseQuery;

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

pub struct ParkCard {
    pub name: String,
    pub area: String,
    pub focus: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    enterprise_count: i64,
    parks: Vec<ParkCard>,
}

/// An area in 亩 with m² beside it, as the zone writes it.
pub fn area_text(m2: i64, lang: Lang) -> String {
    // 1 mu = 2000/3 m²; round to whole mu.
    let mu = (m2 * 3 + 1000) / 2000;
    let group = |n: i64| luodi_domain::core::money::group_digits(n.unsigned_abs());
    match lang {
        Lang::Zh => format!("{} 亩（{} 平方米）", group(mu), group(m2)),
        Lang::En => format!("{} mu ({} m²)", group(mu), group(m2)),
    }
}

async fn home(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "home.title", "nav.home", "/").await;
    let scope = page.user.scope();
    let count = state
        .app
        .store
        .enterprises(
            &scope,
            &EnterpriseQuery::default(),
            PageRequest {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .map_err(ApiError::internal)?
        .total;
    let parks = state
        .app
        .store
        .parks(&scope)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|p| {
            let focus = p.focus.split(" / ").collect::<Vec<_>>();
            ParkCard {
                name: l.tr.pick(&p.name_zh, &p.name_en).to_string(),
                area: area_text(p.area_m2, page.lang),
                focus: match page.lang {
                    Lang::Zh => focus.first().copied().unwrap_or(""),
                    Lang::En => focus.last().copied().unwrap_or(""),
                }
                .to_string(),
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &HomePage {
            l,
            enterprise_count: count,
            parks,
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
    if !Operation::ViewAudit.allows(page.user.role) {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    }
    let req = match params.page() {
        Ok(p) => PageRequest { per_page: 50, ..p },
        Err(_) => return Ok(error_page(l, StatusCode::BAD_REQUEST, "error.bad_request")),
    };
    let scope = page.user.scope();
    let (verified, verified_ok) = match state
        .app
        .store
        .verify_audit(scope.zone.map(|z| z.0))
        .await
        .map_err(ApiError::internal)?
    {
        Ok(reports) => (
            l.tr.t("audit.verified").replace(
                "{n}",
                &reports.iter().map(|r| r.entries).sum::<usize>().to_string(),
            ),
            true,
        ),
        Err(e) => (
            l.tr.t("audit.broken").replace("{reason}", &e.to_string()),
            false,
        ),
    };
    let entries = state
        .app
        .store
        .audit_entries(&scope, None, req)
        .await
        .map_err(ApiError::internal)?;
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
