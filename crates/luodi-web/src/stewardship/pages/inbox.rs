//! `/inbox`: the user's notifications on the shared list (unread or read, searched,
//! newest first, paged, exported), and marking them read.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, PageForm, error_page, render};
use luodi_app::stewardship::notifications::{
    LIST, NotificationResponse, inbox_export, inbox_list, mark_read,
};
use luodi_domain::core::time::{from_stored, zone_display};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(show))
        .merge(list::exports(
            "/inbox",
            &LIST,
            |state, caller, query| async move { inbox_export(&state.app, &caller, &query).await },
        ))
        .route("/inbox/read", post(read))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    unread: i64,
    list: ListView,
    notifications: Vec<NotificationResponse>,
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/inbox";
    let l = Layout::new(&state, &page, "inbox.title", "", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let found = inbox_list(&state.app, &page.caller(), &query)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let tr = &l.tr;
    let states = ["unread", "read"]
        .iter()
        .map(|s| (s.to_string(), tr.t(&format!("inbox_list.{s}")).to_string()))
        .collect();
    let list = ListView::new(tr, path, &query, found.found.total)
        .searched(&query)
        .select(
            &query,
            "state",
            tr.t("inbox_list.state"),
            states,
            Some(tr.t("lists.all")),
        )
        .column(&query, tr.t("inbox_list.created"), Some("created"));
    let notifications = found
        .found
        .items
        .into_iter()
        .map(|mut n| {
            n.created_at = from_stored(&n.created_at)
                .map(zone_display)
                .unwrap_or(n.created_at);
            n
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &InboxPage {
            l,
            unread: found.unread,
            list,
            notifications,
        },
    ))
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
