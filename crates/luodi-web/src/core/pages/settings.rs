//! `/settings`: the zone's settings an administrator keeps — blocker limits and the
//! escalation ladder, the lifecycle policy (承诺即开工), where notifications go out (email,
//! webhooks) — and what became of the deliveries, with a failed one sent again on request.
//! Each change goes through the same checks and audited store calls as the API.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::core::CoreError;
use luodi_app::core::settings::{self, OutboundChange, SlaForm, WebhookForm};
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_domain::stewardship::blocker::Sla;
use luodi_domain::stewardship::outbound::Outbound;
use luodi_domain::stewardship::project::LifecyclePolicy;
use luodi_store::StoreError;
use luodi_store::stewardship::outbox::{OutboxCounts, OutboxEntry};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{Layout, PageForm, error_page, render};
use luodi_app::stewardship::notifications::kind_text;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .route("/settings/blocker-sla", post(set_sla))
        .route("/settings/lifecycle", post(set_lifecycle))
        .route("/settings/email", post(set_email))
        .route("/settings/webhooks", post(add_webhook))
        .route("/settings/webhooks/remove", post(remove_webhook))
        .route("/settings/outbox/{id}/retry", post(retry))
}

pub struct DeliveryRow {
    pub id: i64,
    pub at: String,
    pub kind: String,
    pub channel: String,
    pub target: String,
    pub state: String,
    /// The locale key of the state's name.
    pub state_key: &'static str,
    pub attempts: i64,
    /// When a pending one is tried next.
    pub next: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    l: Layout,
    sla: Sla,
    /// Days after a missed clock for each rung; none where the ladder has no such rung.
    head_after: String,
    leader_after: String,
    lifecycle: LifecyclePolicy,
    outbound: Outbound,
    counts: OutboxCounts,
    deliveries: Vec<DeliveryRow>,
    error: Option<String>,
    /// Which form the error is about, to show it there.
    error_at: &'static str,
}

fn delivery_row(e: &OutboxEntry, lang: luodi_domain::Lang) -> DeliveryRow {
    DeliveryRow {
        id: e.id,
        at: from_stored(&e.created_at)
            .map(zone_display)
            .unwrap_or_else(|| e.created_at.clone()),
        kind: kind_text(&e.kind, lang),
        channel: e.channel.clone(),
        target: e.target.clone(),
        state: e.state.clone(),
        state_key: match e.state.as_str() {
            "sent" => "settings.sent",
            "failed" => "settings.failed",
            _ => "settings.pending",
        },
        attempts: e.attempts,
        next: from_stored(&e.next_attempt_at)
            .map(zone_display)
            .unwrap_or_default(),
        error: e.last_error.clone().unwrap_or_default(),
    }
}

async fn render_settings(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    error: Option<(&'static str, String)>,
) -> Result<Response, ApiError> {
    let view = match settings::settings(&state.app, &page.caller()).await {
        Ok(v) => v,
        Err(CoreError::Denied(_)) => return Ok(forbidden(state, page).await),
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let l = Layout::new(state, page, "settings.title", "nav.settings", "/settings").await;
    let sla = view.sla;
    let after = |to: &str| {
        sla.ladder
            .iter()
            .find(|r| r.to == to)
            .map(|r| r.after_working_days.to_string())
            .unwrap_or_default()
    };
    let (head_after, leader_after) = (after("department_head"), after("zone_leader"));
    let (error_at, error) = match error {
        Some((at, e)) => (at, Some(e)),
        None => ("", None),
    };
    Ok(render(
        status,
        &SettingsPage {
            l,
            sla,
            head_after,
            leader_after,
            lifecycle: view.lifecycle,
            outbound: view.outbound,
            counts: view.counts,
            deliveries: view
                .deliveries
                .iter()
                .map(|e| delivery_row(e, page.lang))
                .collect(),
            error,
            error_at,
        },
    ))
}

async fn show(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    render_settings(&state, &page, StatusCode::OK, None).await
}

fn done(anchor: &str) -> Response {
    Redirect::to(&format!("/settings#{anchor}")).into_response()
}

/// The page for a change that went through (back to its form), or for one refused: the
/// error page when the caller may not or there is no such thing, the settings with the
/// refusal at its form otherwise.
async fn answer(
    state: &AppState,
    page: &PageUser,
    result: Result<(), CoreError>,
    anchor: &str,
) -> Result<Response, ApiError> {
    match result {
        Ok(()) => Ok(done(anchor)),
        Err(e) => refused(state, page, e).await,
    }
}

/// The 403 page of a user who may not change the zone's settings.
async fn forbidden(state: &AppState, page: &PageUser) -> Response {
    let l = Layout::new(state, page, "error.title", "nav.settings", "/").await;
    error_page(l, StatusCode::FORBIDDEN, "error.forbidden")
}

async fn refused(state: &AppState, page: &PageUser, e: CoreError) -> Result<Response, ApiError> {
    match e {
        CoreError::Denied(_) => Ok(forbidden(state, page).await),
        CoreError::Store(StoreError::NotFound) => {
            let l = Layout::new(state, page, "error.title", "nav.settings", "/settings").await;
            Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
        }
        e => {
            let at = settings::form_of(&e);
            let e = ApiError::app(page.lang, e);
            if at.is_empty() || !e.status.is_client_error() {
                return Err(e);
            }
            render_settings(state, page, e.status, Some((at, e.body.message))).await
        }
    }
}

async fn set_sla(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let sla = SlaForm {
        acknowledge: form.text("acknowledge"),
        answer: form.text("answer"),
        resolve: form.text("resolve"),
        resolve_complex: form.text("resolve_complex"),
        head_after: form.text("head_after"),
        leader_after: form.text("leader_after"),
    };
    let result = settings::set_blocker_sla(&state.app, &page.caller(), &sla).await;
    answer(&state, &page, result, "sla").await
}

async fn set_lifecycle(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let on = form.get("start_on_commitment").is_some();
    let result = settings::set_lifecycle(&state.app, &page.caller(), on).await;
    answer(&state, &page, result, "lifecycle").await
}

/// Applies `change` to the zone's outbound settings, checked as the API checks them; a
/// refusal is shown at the outbound forms.
async fn change_outbound(
    state: &AppState,
    page: &PageUser,
    change: OutboundChange,
) -> Result<Response, ApiError> {
    let result = settings::change_outbound(&state.app, &page.caller(), change).await;
    answer(state, page, result, "outbound").await
}

async fn set_email(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let on = form.get("email").is_some();
    change_outbound(&state, &page, OutboundChange::Email(on)).await
}

async fn add_webhook(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let hook = WebhookForm {
        name: form.text("name"),
        format: form.text("format"),
        url: form.text("url"),
        secret: form.text("secret"),
        kinds: form.text("kinds"),
    };
    change_outbound(&state, &page, OutboundChange::AddWebhook(hook)).await
}

async fn remove_webhook(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let name = form.text("name");
    change_outbound(&state, &page, OutboundChange::RemoveWebhook(name)).await
}

async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form: _ }: PageForm,
) -> Result<Response, ApiError> {
    let result = settings::retry_delivery(&state.app, &page.caller(), &id).await;
    answer(&state, &page, result, "deliveries").await
}
