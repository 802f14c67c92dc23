//! The home page (the audit trail page is `audit.rs`), and an audit entry as a record's
//! history shows it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::core::home::{self, ParkCard};
use luodi_app::core::work::{self, WorkPart};
use luodi_domain::core::audit::changed_fields;
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_store::core::audit::AuditEntry;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::i18n::Tr;
use crate::pages::{Layout, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    /// The role's work, first.
    work: Vec<WorkPart>,
    enterprise_count: i64,
    parks: Vec<ParkCard>,
    /// An enterprise's own statistics of last year.
    own_statistics: Option<OwnStatistics>,
    /// An enterprise's 亩均 class of the last year evaluated.
    mu: Option<MuCard>,
}

/// An enterprise's card for its own statistics: last year's state and where to enter.
struct OwnStatistics {
    year: i32,
    state: String,
    state_class: &'static str,
    detail: String,
    href: String,
}

async fn own_statistics(state: &AppState, page: &PageUser) -> Option<OwnStatistics> {
    let year = chrono::Datelike::year(&state.app.today()) - 1;
    let line = luodi_app::cluster::statistics::own_year(&state.app, &page.caller(), year)
        .await
        .ok()??;
    let s = line.state();
    Some(OwnStatistics {
        year,
        state: s.label().get(page.lang).to_string(),
        state_class: crate::cluster::pages::statistics::state_class(s),
        detail: line.state_text().get(page.lang).to_string(),
        href: format!("/statistics/{}?year={year}#entry", line.enterprise_id),
    })
}

/// The enterprise's 亩均 card: the year, its class in words, its badge and its link.
pub struct MuCard {
    pub title: String,
    pub class: String,
    pub badge: &'static str,
    pub reason: Option<String>,
    pub href: String,
}

/// The enterprise user's class of its last evaluated year (nobody else's home has one).
async fn mu_card(state: &AppState, page: &PageUser) -> Result<Option<MuCard>, ApiError> {
    use crate::cluster::pages::mu::{class_badge, class_text};
    if !luodi_domain::core::policy::own_enterprise_only(page.user.role) {
        return Ok(None);
    }
    let lang = page.lang;
    let own = luodi_app::cluster::evaluation::own_class(&state.app, &page.caller())
        .await
        .map_err(|e| ApiError::app(lang, e))?;
    Ok(own.map(|(year, line)| MuCard {
        title: luodi_domain::core::i18n::fill(
            lang,
            "cluster.pages.mu.home_card",
            &[("year", &year.to_string())],
        ),
        class: class_text(&line.rating, lang),
        badge: class_badge(&line.rating),
        reason: line
            .rating
            .reason
            .as_ref()
            .map(|u| u.text().get(lang).to_string()),
        href: format!("/mu/{}?year={year}", line.enterprise_id),
    }))
}

async fn home(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let caller = page.caller();
    let view = home::home(&state.app, &caller)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let work = work::work(&state.app, &caller)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let own_statistics = own_statistics(&state, &page).await;
    let mu = mu_card(&state, &page).await?;
    let l = Layout::new(&state, &page, "home.title", "nav.home", "/").await;
    Ok(render(
        StatusCode::OK,
        &HomePage {
            own_statistics,
            l,
            work,
            enterprise_count: view.enterprise_count,
            parks: view.parks,
            mu,
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
