//! The user's own account page: who they are and their API tokens.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::core::CoreError;
use luodi_app::core::account::{self, NewTokenRequest, PasswordChange};
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_store::StoreError;

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
    password_errors: Vec<(String, String)>,
    password_changed: bool,
    status: Option<StatusCode>,
}

async fn render_account(
    state: &AppState,
    page: &PageUser,
    extra: Extra,
) -> Result<Response, ApiError> {
    let view = account::account(&state.app, &page.caller())
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let l = Layout::new(state, page, "account.title", "nav.account", "/account").await;
    let u = &page.user;
    let mut facts = vec![
        ("account.email", u.email.clone()),
        ("account.role", u.role.label().get(page.lang).to_string()),
        ("account.zone", l.zone_name.clone()),
    ];
    if let Some(d) = view.department {
        facts.push(("account.department", d));
    }
    if let Some(e) = view.enterprise {
        facts.push(("account.enterprise", e));
    }
    let show = |t: &Option<String>| {
        t.as_deref()
            .and_then(from_stored)
            .map(zone_display)
            .unwrap_or_else(|| l.tr.t("account.never").to_string())
    };
    let tokens = view
        .tokens
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
    let keep = crate::extract::cookie(&headers, crate::extract::SESSION_COOKIE);
    let (current, new, confirm) = (
        form.text("current_password"),
        form.text("new_password"),
        form.text("confirm_password"),
    );
    let change = PasswordChange {
        current: &current,
        new: &new,
        confirm: &confirm,
        keep_session: keep.as_deref(),
        revoke_tokens: form.get("revoke_tokens").is_some(),
    };
    let extra = match account::change_password(&state.app, &page.caller(), &change).await {
        Ok(()) => Extra {
            password_changed: true,
            ..Extra::default()
        },
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status.is_server_error() {
                return Err(e);
            }
            Extra {
                password_errors: vec![(e.body.field.unwrap_or_default(), e.body.message)],
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Extra::default()
            }
        }
    };
    render_account(&state, &page, extra).await
}

async fn create_token(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let request = NewTokenRequest {
        label: form.text("label"),
        expires_in_days: form.text("days").trim().parse::<i64>().ok(),
    };
    match account::create_token(&state.app, &page.caller(), &request, None).await {
        Ok(token) => {
            render_account(
                &state,
                &page,
                Extra {
                    new_token: Some(token.token),
                    ..Extra::default()
                },
            )
            .await
        }
        Err(CoreError::TokenLabel | CoreError::TokenDays) => {
            let l = Layout::new(&state, &page, "error.title", "nav.account", "/account").await;
            Ok(error_page(
                l,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error.bad_request",
            ))
        }
        Err(e) => Err(ApiError::app(page.lang, e)),
    }
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
    match account::revoke_token(&state.app, &page.caller(), id).await {
        Ok(()) => Ok(Redirect::to("/account").into_response()),
        Err(CoreError::Store(StoreError::NotFound)) => Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        )),
        Err(e) => Err(ApiError::app(page.lang, e)),
    }
}
