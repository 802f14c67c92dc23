//! The user's own account page: who they are and their API tokens.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_domain::time::{from_stored, zone_display};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{FormData, Layout, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub created: String,
    pub last_used: String,
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
}

async fn render_account(
    state: &AppState,
    page: &PageUser,
    new_token: Option<String>,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "account.title", "nav.account", "/account").await;
    let u = &page.user;
    let mut facts = vec![
        ("account.email", u.email.clone()),
        ("account.role", u.role.label().get(page.lang).to_string()),
        ("account.zone", l.zone_name.clone()),
    ];
    if let Some(d) = u.department_id
        && let Ok(d) = state.store.department(d).await
    {
        facts.push((
            "account.department",
            l.tr.pick(&d.name_zh, &d.name_en).to_string(),
        ));
    }
    if let Some(e) = u.enterprise_id
        && let Ok(e) = state.store.enterprise(&u.scope(), e).await
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
        .store
        .api_tokens(u.id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            created: show(&Some(t.created_at.clone())),
            last_used: show(&t.last_used_at),
            live: t.revoked_at.is_none(),
            state: l
                .tr
                .t(if t.revoked_at.is_none() {
                    "account.live"
                } else {
                    "account.revoked"
                })
                .to_string(),
            state_class: if t.revoked_at.is_none() {
                "done"
            } else {
                "stopped"
            },
            label: t.label,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &AccountPage {
            l,
            facts,
            tokens,
            new_token,
        },
    ))
}

async fn account(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    render_account(&state, &page, None).await
}

async fn create_token(
    State(state): State<AppState>,
    page: PageUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&body);
    if !form.csrf_ok(&page) {
        let l = Layout::new(&state, &page, "error.title", "nav.account", "/account").await;
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.csrf"));
    }
    let label = form.text("label");
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        let l = Layout::new(&state, &page, "error.title", "nav.account", "/account").await;
        return Ok(error_page(
            l,
            StatusCode::UNPROCESSABLE_ENTITY,
            "error.bad_request",
        ));
    }
    let (_, token) = state
        .store
        .create_api_token(&page.user.actor(), &page.user, label)
        .await
        .map_err(ApiError::internal)?;
    render_account(&state, &page, Some(token)).await
}

async fn revoke_token(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&body);
    let l = || Layout::new(&state, &page, "error.title", "nav.account", "/account");
    if !form.csrf_ok(&page) {
        return Ok(error_page(l().await, StatusCode::FORBIDDEN, "error.csrf"));
    }
    let Ok(id) = id.parse::<i64>() else {
        return Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        ));
    };
    match state
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
