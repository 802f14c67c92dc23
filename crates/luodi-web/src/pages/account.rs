//! The user's own account page: who they are and their API tokens.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_domain::core::time::{from_stored, zone_display};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{Layout, PageForm, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    pub state: String,
    pub state_class: &'static str,
    pub live: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    facts: Vec<(&'static str, String)>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    password_fields: Vec<PasswordField>,
    password_notice: Option<String>,
}

pub struct PasswordField {
    pub name: &'static str,
    pub label: &'static str,
    pub autocomplete: &'static str,
    pub error: Option<String>,
}

/// What the account page shows besides the user and tokens: a new token, password
/// errors by field, or word that the password changed.
#[derive(Default)]
struct Extra {
    new_token: Option<String>,
    password_errors: Vec<(&'static str, String)>,
    password_changed: bool,
    status: Option<StatusCode>,
}

async fn render_account(
    state: &AppState,
    page: &PageUser,
    extra: Extra,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "account.title", "nav.account", "/account").await;
    let u = &page.user;
    let mut facts = vec![
        ("account.email", u.email.clone()),
        ("account.role", u.role.label().get(page.lang).to_string()),
        ("account.zone", l.zone_name.clone()),
    ];
    if let Some(d) = u.department_id
        && let Ok(d) = state.app.store.department(d).await
    {
        facts.push((
            "account.department",
            l.tr.pick(&d.name_zh, &d.name_en).to_string(),
        ));
    }
    if let Some(e) = u.enterprise_id
        && let Ok(e) = state.app.store.enterprise(&u.scope(), e).await
    {
        facts.push(("account.enterprise", e.name));
    }
    let show = |t: &Option<String>| {
        t.as_deref()
            .and_then(from_stored)
            .map(zone_display)
            .unwrap_or_else(|| l.tr.t("account.never").to_string())
    };
    let tokens = state
        .app
        .store
        .api_tokens(u.id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|t| {
            let expired = from_stored(&t.expires_at).is_none_or(|e| e <= chrono::Utc::now());
            let (state, class) = match (&t.revoked_at, expired) {
                (Some(_), _) => ("account.revoked", "stopped"),
                (None, true) => ("account.expired", "stopped"),
                (None, false) => ("account.live", "done"),
            };
            TokenRow {
                id: t.id,
                created: show(&Some(t.created_at.clone())),
                last_used: show(&t.last_used_at),
                expires: show(&Some(t.expires_at.clone())),
                live: t.revoked_at.is_none() && !expired,
                state: l.tr.t(state).to_string(),
                state_class: class,
                label: t.label,
            }
        })
        .collect();
    let error = |name: &str| {
        extra
            .password_errors
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, m)| m.clone())
    };
    let password_fields = vec![
        PasswordField {
            name: "current_password",
            label: "account.current_password",
            autocomplete: "current-password",
            error: error("current_password"),
        },
        PasswordField {
            name: "new_password",
            label: "account.new_password",
            autocomplete: "new-password",
            error: error("new_password"),
        },
        PasswordField {
            name: "confirm_password",
            label: "account.confirm_password",
            autocomplete: "new-password",
            error: error("confirm_password"),
        },
    ];
    let password_notice = extra
        .password_changed
        .then(|| l.tr.t("account.password_changed").to_string());
    let status = extra.status.unwrap_or(StatusCode::OK);
    Ok(render(
        status,
        &AccountPage {
            l,
            facts,
            tokens,
            new_token: extra.new_token,
            password_fields,
            password_notice,
        },
    ))
}

async fn account(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    render_account(&state, &page, Extra::default()).await
}

async fn change_password(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let tr = crate::i18n::Tr::new(page.lang);
    let min = luodi_domain::core::login::MIN_PASSWORD_CHARS;
    let (new, confirm) = (form.text("new_password"), form.text("confirm_password"));
    let mut errors = Vec::new();
    if new.chars().count() < min {
        errors.push((
            "new_password",
            tr.t("account.password_short")
                .replace("{n}", &min.to_string()),
        ));
    } else if new != confirm {
        errors.push((
            "confirm_password",
            tr.t("account.password_mismatch").to_string(),
        ));
    }
    if errors.is_empty() {
        let keep = crate::extract::cookie(&headers, crate::extract::SESSION_COOKIE);
        let current = form.text("current_password");
        match state
            .app
            .store
            .set_password(
                &page.user.actor(),
                &page.user,
                Some(&current),
                &new,
                keep.as_deref(),
                form.get("revoke_tokens").is_some(),
            )
            .await
        {
            Ok(()) => {
                return render_account(
                    &state,
                    &page,
                    Extra {
                        password_changed: true,
                        ..Extra::default()
                    },
                )
                .await;
            }
            Err(luodi_store::core::users::UserError::Invalid(_)) => errors.push((
                "current_password",
                tr.t("account.password_wrong").to_string(),
            )),
            Err(luodi_store::core::users::UserError::Throttled { retry_after_secs }) => errors
                .push((
                    "current_password",
                    tr.t("account.password_throttled")
                        .replace("{minutes}", &((retry_after_secs + 59) / 60).to_string()),
                )),
            Err(luodi_store::core::users::UserError::Store(e)) => {
                return Err(ApiError::internal(e));
            }
        }
    }
    render_account(
        &state,
        &page,
        Extra {
            password_errors: errors,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Extra::default()
        },
    )
    .await
}

async fn create_token(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let label = form.text("label");
    let label = label.trim();
    let days = form
        .text("days")
        .trim()
        .parse::<i64>()
        .unwrap_or(luodi_store::core::sessions::TOKEN_DAYS);
    if label.is_empty()
        || label.chars().count() > 100
        || !(1..=luodi_store::core::sessions::MAX_TOKEN_DAYS).contains(&days)
    {
        let l = Layout::new(&state, &page, "error.title", "nav.account", "/account").await;
        return Ok(error_page(
            l,
            StatusCode::UNPROCESSABLE_ENTITY,
            "error.bad_request",
        ));
    }
    let (_, token) = state
        .app
        .store
        .create_api_token_for(&page.user.actor(), &page.user, label, days)
        .await
        .map_err(ApiError::internal)?;
    render_account(
        &state,
        &page,
        Extra {
            new_token: Some(token),
            ..Extra::default()
        },
    )
    .await
}

async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form: _ }: PageForm,
) -> Result<Response, ApiError> {
    let l = || Layout::new(&state, &page, "error.title", "nav.account", "/account");
    let Ok(id) = id.parse::<i64>() else {
        return Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        ));
    };
    match state
        .app
        .store
        .revoke_api_token(&page.user.actor(), &page.user, id)
        .await
    {
        Ok(()) => Ok(Redirect::to("/account").into_response()),
        Err(luodi_store::StoreError::NotFound) => Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        )),
        Err(e) => Err(ApiError::internal(e)),
    }
}
