//! `/inbox`: the user's notifications, and marking them read.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{Layout, PageForm, error_page, render};
use luodi_app::stewardship::notifications::{Inbox, inbox, mark_read};

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
    let mut inbox = inbox(&state.app, &page.caller(), false, 100).await?;
    // A person reads the zone's clock, not the stored UTC text.
    for n in &mut inbox.notifications {
        if let Some(at) = luodi_domain::core::time::from_stored(&n.created_at) {
            n.created_at = luodi_domain::core::time::zone_display(at);
        }
    }
    Ok(render(StatusCode::OK, &InboxPage { l, inbox }))
}

async fn read(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let id = form.get("id").and_then(|v| v.parse().ok());
    match mark_read(&state.app, &page.caller(), id).await {
        Ok(_) => Ok(Redirect::to("/inbox").into_response()),
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            let key = match e.status {
                StatusCode::FORBIDDEN => "error.forbidden",
                StatusCode::NOT_FOUND => "error.not_found",
                _ => return Err(e),
            };
            let l = Layout::new(&state, &page, "error.title", "", "/inbox").await;
            Ok(error_page(l, e.status, key))
        }
    }
}
