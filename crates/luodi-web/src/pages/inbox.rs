//! `/inbox`: the user's notifications, and marking them read.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::{Layout, PageForm, error_page, render};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use luodi_app::stewardship::notifications::{Inbox, inbox};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(show))
        .route("/inbox/read", post(read))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    inbox: Inbox,
}

async fn show(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "inbox.title", "", "/inbox").await;
    let inbox = inbox(&state.app, &page.caller(), false, 100)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    Ok(render(StatusCode::OK, &InboxPage { l, inbox }))
}

async fn read(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let Some(zone) = page.user.zone_id else {
        let l = Layout::new(&state, &page, "error.title", "", "/inbox").await;
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    };
    let id = form.get("id").and_then(|v| v.parse().ok());
    match state
        .app
        .store
        .mark_notifications_read(&page.user.actor(), zone.0, page.user.id.0, id)
        .await
    {
        Ok(_) => Ok(Redirect::to("/inbox").into_response()),
        Err(luodi_store::StoreError::NotFound) => {
            let l = Layout::new(&state, &page, "error.title", "", "/inbox").await;
            Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
        }
        Err(e) => Err(ApiError::store(page.lang, e)),
    }
}
