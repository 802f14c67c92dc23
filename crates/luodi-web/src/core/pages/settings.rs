//! `/settings`: the zone's settings an administrator keeps — blocker limits and the
//! escalation ladder, the lifecycle policy (承诺即开工), where notifications go out (email,
//! webhooks) — and what became of the deliveries, with a failed one sent again on request.
//! Each change goes through the same checks and audited store calls as the API; a refused
//! form comes back as typed with each error beside its field in the reader's language, and
//! a change that went through redirects back with a confirmation (`?done=`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::core::CoreError;
use luodi_app::core::settings::{self, OutboundChange, SlaForm, WebhookForm};
use luodi_domain::Lang;
use luodi_domain::core::enterprise::FieldError;
use luodi_domain::core::i18n;
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_domain::stewardship::blocker::Sla;
use luodi_domain::stewardship::outbound::Outbound;
use luodi_domain::stewardship::project::LifecyclePolicy;
use luodi_store::StoreError;
use luodi_store::stewardship::outbox::{OutboxCounts, OutboxEntry};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::form::FieldView;
use crate::pages::{FormData, Layout, PageForm, error_page, render};
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
    /// The blocker limits and the ladder's rungs (days after a missed clock; empty where
    /// the ladder has no such rung).
    sla_fields: Vec<FieldView>,
    lifecycle: LifecyclePolicy,
    outbound: Outbound,
    /// The form that adds a webhook.
    webhook_fields: Vec<FieldView>,
    /// Whether that form shows unfolded: after it was refused.
    webhook_open: bool,
    counts: OutboxCounts,
    deliveries: Vec<DeliveryRow>,
    /// The form a refusal came back to (`sla`, `outbound`, `deliveries`); empty if none.
    refused_at: &'static str,
    /// What the refusal says above its form: that fields are marked, or its reason.
    refusal: Option<String>,
}

/// A change refused: the form it came from, what was typed there, each field's error,
/// or a reason that is no field's.
struct Refused {
    form: &'static str,
    typed: Option<FormData>,
    errors: Vec<FieldError>,
    reason: Option<String>,
}

/// The blocker limits form's fields, in order.
const SLA_FIELDS: [&str; 6] = [
    "acknowledge",
    "answer",
    "resolve",
    "resolve_complex",
    "head_after",
    "leader_after",
];

/// The fields of the form that adds a webhook.
const WEBHOOK_FIELDS: [&str; 5] = ["name", "format", "url", "secret", "kinds"];

/// The blocker limits form: the zone's settings, or what was typed on a refused form,
/// each error beside its field.
fn sla_fields(
    lang: Lang,
    sla: &Sla,
    typed: Option<&FormData>,
    errors: &[FieldError],
) -> Vec<FieldView> {
    let after = |to: &str| {
        sla.ladder
            .iter()
            .find(|r| r.to == to)
            .map(|r| r.after_working_days.to_string())
            .unwrap_or_default()
    };
    let stored = [
        sla.limits.acknowledge.to_string(),
        sla.limits.answer.to_string(),
        sla.limits.resolve.to_string(),
        sla.limits.resolve_complex.to_string(),
        after("department_head"),
        after("zone_leader"),
    ];
    let label = |name: &str| match name {
        "acknowledge" => i18n::text(lang, "settings.acknowledge"),
        "answer" => i18n::text(lang, "settings.answer"),
        "resolve" => i18n::text(lang, "settings.resolve"),
        "resolve_complex" => i18n::text(lang, "settings.resolve_complex"),
        "head_after" => i18n::text(lang, "settings.head_after"),
        _ => i18n::text(lang, "settings.leader_after"),
    };
    SLA_FIELDS
        .iter()
        .zip(stored)
        .enumerate()
        .map(|(i, (name, value))| {
            let value = typed.map_or(value, |t| t.text(name));
            let f = FieldView::labelled(*name, label(name).to_string(), value).whole();
            // The four limits are needed; a rung left empty is no rung.
            let f = if i < 4 { f.required() } else { f };
            f.checked(errors, lang)
        })
        .collect()
}

/// The form that adds a webhook: empty, or as typed on a refused form (but the secret,
/// which is never shown), each error beside its field.
fn webhook_fields(lang: Lang, typed: Option<&FormData>, errors: &[FieldError]) -> Vec<FieldView> {
    let typed_text = |name: &str| typed.map(|t| t.text(name)).unwrap_or_default();
    let format = typed
        .map(|t| t.text("format"))
        .unwrap_or_else(|| "wecom".into());
    let formats = [
        ("wecom", i18n::text(lang, "settings.wecom").to_string()),
        (
            "dingtalk",
            i18n::text(lang, "settings.dingtalk").to_string(),
        ),
        ("generic", i18n::text(lang, "settings.generic").to_string()),
    ]
    .map(|(v, label)| (v.to_string(), label))
    .to_vec();
    let secret = FieldView::text(lang, "secret", "settings.secret", String::new()).id("wh-secret");
    let secret = if typed_text("secret").trim().is_empty() {
        secret
    } else {
        secret.hint(i18n::text(lang, "settings.secret_again").to_string())
    };
    [
        FieldView::text(lang, "name", "settings.name", typed_text("name"))
            .id("wh-name")
            .required(),
        FieldView::text(lang, "format", "settings.format", format)
            .id("wh-format")
            .required()
            .choices(formats),
        FieldView::labelled("url", "URL".into(), typed_text("url"))
            .id("wh-url")
            .required()
            .hint(i18n::text(lang, "settings.url_hint").to_string()),
        secret,
        FieldView::text(lang, "kinds", "settings.kinds", typed_text("kinds")).id("wh-kinds"),
    ]
    .into_iter()
    .map(|f| f.checked(errors, lang))
    .collect()
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
    refused: Option<Refused>,
) -> Result<Response, ApiError> {
    let view = match settings::settings(&state.app, &page.caller()).await {
        Ok(v) => v,
        Err(CoreError::Denied(_)) => return Ok(forbidden(state, page).await),
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let l = Layout::new(state, page, "settings.title", "nav.settings", "/settings").await;
    let lang = page.lang;
    let refused = refused.unwrap_or(Refused {
        form: "",
        typed: None,
        errors: Vec::new(),
        reason: None,
    });
    let typed_at = |form: &str| refused.typed.as_ref().filter(|_| refused.form == form);
    let errors_at = |form: &str| {
        if refused.form == form {
            &refused.errors[..]
        } else {
            &[]
        }
    };
    let refusal = match (&refused.reason, refused.errors.is_empty()) {
        (Some(reason), _) => Some(format!("{}{reason}", l.tr.t("settings.refused"))),
        (None, false) => Some(l.tr.t("form.has_errors").to_string()),
        (None, true) => None,
    };
    Ok(render(
        status,
        &SettingsPage {
            sla_fields: sla_fields(lang, &view.sla, typed_at("sla"), errors_at("sla")),
            lifecycle: view.lifecycle,
            outbound: view.outbound,
            webhook_fields: webhook_fields(lang, typed_at("outbound"), errors_at("outbound")),
            webhook_open: typed_at("outbound").is_some(),
            counts: view.counts,
            deliveries: view
                .deliveries
                .iter()
                .map(|e| delivery_row(e, lang))
                .collect(),
            refused_at: refused.form,
            refusal,
            l,
        },
    ))
}

async fn show(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    render_settings(&state, &page, StatusCode::OK, None).await
}

/// A change that went through: back to its form on the page, which confirms it
/// (`?done=`), so that reloading the page does not send the form again.
fn done(word: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/settings?done={word}#{anchor}")).into_response()
}

/// The page for a change that went through (back to its form, confirmed), or for one
/// refused: the error page when the caller may not or there is no such thing, the
/// settings with the refusal at its form otherwise (`typed`: the form as sent).
async fn answer(
    state: &AppState,
    page: &PageUser,
    result: Result<(), CoreError>,
    (word, anchor): (&str, &str),
    typed: Option<FormData>,
) -> Result<Response, ApiError> {
    match result {
        Ok(()) => Ok(done(word, anchor)),
        Err(e) => refused(state, page, e, typed).await,
    }
}

/// The 403 page of a user who may not change the zone's settings.
async fn forbidden(state: &AppState, page: &PageUser) -> Response {
    let l = Layout::new(state, page, "error.title", "nav.settings", "/").await;
    error_page(l, StatusCode::FORBIDDEN, "error.forbidden")
}

async fn refused(
    state: &AppState,
    page: &PageUser,
    e: CoreError,
    typed: Option<FormData>,
) -> Result<Response, ApiError> {
    match e {
        CoreError::Denied(_) => Ok(forbidden(state, page).await),
        CoreError::Store(StoreError::NotFound) => {
            let l = Layout::new(state, page, "error.title", "nav.settings", "/settings").await;
            Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
        }
        // A field's refusal, beside the field in the reader's language.
        CoreError::Setting {
            form,
            field,
            message,
        } if form_fields(form).contains(&field.as_str()) => {
            let refused = Refused {
                form,
                typed,
                errors: vec![FieldError::new(&field, "invalid", message)],
                reason: None,
            };
            render_settings(state, page, StatusCode::UNPROCESSABLE_ENTITY, Some(refused)).await
        }
        e => {
            let at = settings::form_of(&e);
            let e = ApiError::app(page.lang, e);
            if at.is_empty() || !e.status.is_client_error() {
                return Err(e);
            }
            let refused = Refused {
                form: at,
                typed,
                errors: Vec::new(),
                reason: Some(e.body.message),
            };
            render_settings(state, page, e.status, Some(refused)).await
        }
    }
}

/// The fields a form of the page shows, to put its refusals beside.
fn form_fields(form: &str) -> &'static [&'static str] {
    match form {
        "sla" => &SLA_FIELDS,
        "outbound" => &WEBHOOK_FIELDS,
        _ => &[],
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
    answer(&state, &page, result, ("saved", "sla"), Some(form)).await
}

async fn set_lifecycle(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let on = form.get("start_on_commitment").is_some();
    let result = settings::set_lifecycle(&state.app, &page.caller(), on).await;
    answer(&state, &page, result, ("saved", "lifecycle"), None).await
}

/// Applies `change` to the zone's outbound settings, checked as the API checks them; a
/// refusal is shown at the outbound forms (`typed`: the webhook form as sent).
async fn change_outbound(
    state: &AppState,
    page: &PageUser,
    change: OutboundChange,
    word: &str,
    typed: Option<FormData>,
) -> Result<Response, ApiError> {
    let result = settings::change_outbound(&state.app, &page.caller(), change).await;
    answer(state, page, result, (word, "outbound"), typed).await
}

async fn set_email(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let on = form.get("email").is_some();
    change_outbound(&state, &page, OutboundChange::Email(on), "saved", None).await
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
    let change = OutboundChange::AddWebhook(hook);
    change_outbound(&state, &page, change, "webhook_added", Some(form)).await
}

async fn remove_webhook(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let name = form.text("name");
    let change = OutboundChange::RemoveWebhook(name);
    change_outbound(&state, &page, change, "webhook_removed", None).await
}

async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form: _ }: PageForm,
) -> Result<Response, ApiError> {
    let result = settings::retry_delivery(&state.app, &page.caller(), &id).await;
    answer(&state, &page, result, ("retry_queued", "deliveries"), None).await
}
