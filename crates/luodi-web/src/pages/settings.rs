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
use luodi_domain::Operation;
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_domain::stewardship::blocker::{Rung, Sla};
use luodi_domain::stewardship::outbound::{Outbound, Webhook, WebhookFormat};
use luodi_domain::stewardship::project::LifecyclePolicy;
use luodi_store::core::orgs::{LIFECYCLE, OUTBOUND};
use luodi_store::stewardship::outbox::{OutboxCounts, OutboxEntry};

use super::{FormData, Layout, PageForm, error_page, render};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
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
    let zone = match super::page_zone(state, page, Operation::ManageOutbound, "nav.settings").await
    {
        Ok(z) => z,
        Err(r) => return Ok(r),
    };
    let l = Layout::new(state, page, "settings.title", "nav.settings", "/settings").await;
    let sla = state
        .app
        .store
        .blocker_sla(zone)
        .await
        .map_err(ApiError::internal)?;
    let after = |to: &str| {
        sla.ladder
            .iter()
            .find(|r| r.to == to)
            .map(|r| r.after_working_days.to_string())
            .unwrap_or_default()
    };
    let (head_after, leader_after) = (after("department_head"), after("zone_leader"));
    let lifecycle: LifecyclePolicy = state
        .app
        .store
        .zone_setting(zone, LIFECYCLE)
        .await
        .map_err(ApiError::internal)?;
    let outbound: Outbound = state
        .app
        .store
        .zone_setting(zone, OUTBOUND)
        .await
        .map_err(ApiError::internal)?;
    let (entries, counts) = state
        .app
        .store
        .outbox(zone.0, None, 30)
        .await
        .map_err(ApiError::internal)?;
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
            lifecycle,
            outbound: outbound.redacted(),
            counts,
            deliveries: entries.iter().map(|e| delivery_row(e, page.lang)).collect(),
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

/// A whole number of working days from a form field, or the error naming it.
fn days(form: &FormData, field: &'static str) -> Result<Option<u32>, String> {
    let raw = form.text(field);
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("{field}: '{raw}' is not a whole number of working days"))
}

async fn set_sla(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let zone = match super::page_zone(&state, &page, Operation::SetBlockerSla, "nav.settings").await
    {
        Ok(z) => z,
        Err(r) => return Ok(r),
    };
    let refuse = |e: String| {
        render_settings(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(("sla", e)),
        )
    };
    let mut sla = match state.app.store.blocker_sla(zone).await {
        Ok(s) => s,
        Err(e) => return Err(ApiError::internal(e)),
    };
    for (field, slot) in [
        ("acknowledge", &mut sla.limits.acknowledge),
        ("answer", &mut sla.limits.answer),
        ("resolve", &mut sla.limits.resolve),
        ("resolve_complex", &mut sla.limits.resolve_complex),
    ] {
        match days(&form, field) {
            Ok(Some(d)) => *slot = d,
            Ok(None) => {
                return refuse(format!("{field}: a number of working days is needed")).await;
            }
            Err(e) => return refuse(e).await,
        }
    }
    let mut ladder = Vec::new();
    for (field, to) in [
        ("head_after", "department_head"),
        ("leader_after", "zone_leader"),
    ] {
        match days(&form, field) {
            Ok(Some(d)) => ladder.push(Rung {
                to: to.to_string(),
                after_working_days: d,
            }),
            Ok(None) => {}
            Err(e) => return refuse(e).await,
        }
    }
    sla.ladder = ladder;
    if let Err(e) = sla.check() {
        return refuse(e.to_string()).await;
    }
    state
        .app
        .store
        .set_blocker_sla(&page.user.actor(), zone, &sla)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    Ok(done("sla"))
}

async fn set_lifecycle(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let zone = match super::page_zone(&state, &page, Operation::SetLifecyclePolicy, "nav.settings")
        .await
    {
        Ok(z) => z,
        Err(r) => return Ok(r),
    };
    let policy = LifecyclePolicy {
        start_on_commitment: form.get("start_on_commitment").is_some(),
    };
    state
        .app
        .store
        .set_zone_setting(&page.user.actor(), zone, LIFECYCLE, &policy)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    Ok(done("lifecycle"))
}

/// Replaces the zone's outbound settings with `change` applied, checked as the API checks
/// them; a refusal is shown at the outbound forms.
async fn change_outbound(
    state: &AppState,
    page: &PageUser,
    zone: luodi_domain::ZoneId,
    change: impl FnOnce(&mut Outbound),
) -> Result<Response, ApiError> {
    let mut outbound: Outbound = state
        .app
        .store
        .zone_setting(zone, OUTBOUND)
        .await
        .map_err(ApiError::internal)?;
    change(&mut outbound);
    if let Err(e) = outbound.check() {
        return render_settings(
            state,
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(("outbound", e.to_string())),
        )
        .await;
    }
    if let Err(r) = luodi_app::stewardship::delivery::check_targets(
        &outbound,
        &state.app.settings.outbound.allow_hosts,
    )
    .await
    {
        let e = crate::api::outbound::internal_target(page.lang, &r);
        return render_settings(
            state,
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(("outbound", e.body.message)),
        )
        .await;
    }
    state
        .app
        .store
        .set_zone_setting(&page.user.actor(), zone, OUTBOUND, &outbound)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    Ok(done("outbound"))
}

async fn set_email(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let zone =
        match super::page_zone(&state, &page, Operation::ManageOutbound, "nav.settings").await {
            Ok(z) => z,
            Err(r) => return Ok(r),
        };
    let on = form.get("email").is_some();
    change_outbound(&state, &page, zone, |o| o.email = on).await
}

async fn add_webhook(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let zone =
        match super::page_zone(&state, &page, Operation::ManageOutbound, "nav.settings").await {
            Ok(z) => z,
            Err(r) => return Ok(r),
        };
    let format = match form.text("format").as_str() {
        "generic" => WebhookFormat::Generic,
        "wecom" => WebhookFormat::Wecom,
        "dingtalk" => WebhookFormat::Dingtalk,
        other => {
            return render_settings(
                &state,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((
                    "outbound",
                    format!("format: '{other}' is not generic, wecom or dingtalk"),
                )),
            )
            .await;
        }
    };
    let secret = form.text("secret").trim().to_string();
    let hook = Webhook {
        name: form.text("name").trim().to_string(),
        format,
        url: form.text("url").trim().to_string(),
        secret: (!secret.is_empty()).then_some(secret),
        kinds: form
            .text("kinds")
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect(),
    };
    change_outbound(&state, &page, zone, |o| o.webhooks.push(hook)).await
}

async fn remove_webhook(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let zone =
        match super::page_zone(&state, &page, Operation::ManageOutbound, "nav.settings").await {
            Ok(z) => z,
            Err(r) => return Ok(r),
        };
    let name = form.text("name");
    change_outbound(&state, &page, zone, |o| {
        o.webhooks.retain(|w| w.name != name)
    })
    .await
}

async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form: _ }: PageForm,
) -> Result<Response, ApiError> {
    let zone =
        match super::page_zone(&state, &page, Operation::ManageOutbound, "nav.settings").await {
            Ok(z) => z,
            Err(r) => return Ok(r),
        };
    let Some(id) = id.parse::<i64>().ok().filter(|n| *n > 0) else {
        let l = Layout::new(&state, &page, "error.title", "nav.settings", "/settings").await;
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    match state
        .app
        .store
        .retry_outbox(&page.user.actor(), zone.0, id)
        .await
    {
        Ok(true) => Ok(done("deliveries")),
        Ok(false) => {
            render_settings(
                &state,
                &page,
                StatusCode::CONFLICT,
                Some((
                    "deliveries",
                    format!("delivery {id} has not failed; only a failed one is sent again"),
                )),
            )
            .await
        }
        Err(luodi_store::StoreError::NotFound) => {
            let l = Layout::new(&state, &page, "error.title", "nav.settings", "/settings").await;
            Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
        }
        Err(e) => Err(ApiError::store(page.lang, e)),
    }
}
