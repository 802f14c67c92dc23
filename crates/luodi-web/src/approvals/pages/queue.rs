//! A department's queue, `/queue`, on the shared list: the items waiting on the caller's
//! department, searched, filtered by when they fall due and by state, sorted, paged and
//! exported. Only for those who decide for a department.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::approvals::ApprovalsError;
use luodi_app::approvals::queue_list::{self, LIST, STATES};
use luodi_domain::approvals::service_item::ItemState;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queue", get(queue))
        .merge(list::exports(
            "/queue",
            &LIST,
            |state, caller, query| async move {
                queue_list::export(&state.app, &caller, &query)
                    .await?
                    .ok_or_else(|| ApiError::not_found(caller.lang))
            },
        ))
}

pub struct QueueRow {
    pub id: i64,
    pub project_id: i64,
    pub seq: i64,
    pub project: String,
    pub code: String,
    pub name: String,
    pub submitted: String,
    pub status: String,
    pub status_class: &'static str,
    pub due: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    l: Layout,
    department: String,
    list: ListView,
    rows: Vec<QueueRow>,
}

/// The page for a refusal: 403 for one who does not decide, else the error.
fn refused(l: Layout, lang: luodi_domain::Lang, e: ApprovalsError) -> Result<Response, ApiError> {
    let e = ApiError::app(lang, e);
    if e.status == StatusCode::FORBIDDEN {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    }
    Err(e)
}

async fn queue(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/queue";
    let l = Layout::new(&state, &page, "queue.title", "nav.queue", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let queue = match queue_list::list(&state.app, &page.caller(), &query).await {
        Ok(Some(q)) => q,
        Ok(None) => return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found")),
        Err(e) => return refused(l, page.lang, e),
    };
    let lang = page.lang;
    let tr = &l.tr;
    let rows = queue
        .found
        .items
        .iter()
        .filter_map(|e| {
            let c = e.catalogue.item(&e.item.code)?;
            Some(QueueRow {
                id: e.item.id,
                project_id: e.project_id,
                seq: e.seq,
                project: format!("{} {}", e.project_name, e.phase_name),
                code: e.item.code.clone(),
                name: tr.pick(&c.name_zh, &c.name_en).to_string(),
                submitted: e
                    .submitted
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                status: e.clock.status.label().get(lang).to_string(),
                status_class: crate::pages::badge::item(e.clock.status),
                due: e
                    .clock
                    .due
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
            })
        })
        .collect();
    let dues = ["overdue", "today", "week"]
        .iter()
        .map(|d| {
            (
                d.to_string(),
                tr.t(&format!("queue_list.due_{d}")).to_string(),
            )
        })
        .collect();
    let states = STATES
        .iter()
        .map(|s| {
            let label = ItemState::parse(s)
                .map(|st| st.label().get(lang).to_string())
                .unwrap_or_default();
            (s.to_string(), label)
        })
        .collect();
    let all = Some(tr.t("lists.all"));
    let list = ListView::new(tr, path, &query, queue.found.total)
        .searched(&query)
        .select(&query, "due", tr.t("list.due"), dues, all)
        .select(&query, "state", tr.t("project.status"), states, all)
        .column(&query, tr.t("queue.submitted"), Some("submitted"))
        .column(&query, tr.t("project.name"), Some("project"))
        .column(&query, tr.t("catalogue.code"), None)
        .column(&query, tr.t("catalogue.item"), None)
        .column(&query, tr.t("list.status"), None)
        .column(&query, tr.t("list.due"), Some("due"));
    let department = tr
        .pick(&queue.department.name_zh, &queue.department.name_en)
        .to_string();
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            l,
            department,
            list,
            rows,
        },
    ))
}
