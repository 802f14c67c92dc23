//! Pages for blockers (难点堵点): the list with each blocker's three clocks, the form to
//! raise one, and a blocker's page with its clocks, its timeline and the actions the user
//! may take. The same rules and storage as `/api/v1/blockers`; an enterprise sees and
//! raises only its own.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_domain::stewardship::blocker::{
    Action as BlockerAction, CATEGORIES, PRIORITIES, State as BlockerState,
};
use luodi_domain::{Lang, Operation};
use luodi_store::stewardship::blockers::{BlockerFilter, NewBlocker};

use super::{Layout, PageForm, error_page, render};
use crate::AppState;
use crate::api::blockers::{ActionRequest, BlockerResponse, action_error, response, to_action};
use crate::error::ApiError;
use crate::extract::{ApiUser, PageUser, QueryParams};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/blockers", get(list).post(raise))
        .route("/blockers/{id}", get(show))
        .route("/blockers/{id}/act", post(act))
}

pub struct ClockCell {
    pub label: String,
    pub text: String,
    pub class: &'static str,
    pub due: Option<String>,
    pub limit: u32,
    pub used: i64,
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub category_text: String,
    pub priority_text: String,
    pub raised_on: String,
    pub project_name: String,
    pub department: String,
    pub state_text: String,
    pub waiting_on_enterprise: bool,
    pub clocks: Vec<ClockCell>,
}

fn cells(b: &BlockerResponse) -> Vec<ClockCell> {
    b.clocks
        .iter()
        .map(|c| ClockCell {
            label: c.label.clone(),
            text: c.status_text.clone(),
            class: super::badge::blocker(c.status),
            due: c.due.clone(),
            limit: c.limit,
            used: c.used,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "blockers.html")]
struct ListPage {
    l: Layout,
    summary: String,
    shows: Vec<(&'static str, String, bool)>,
    clock_names: Vec<String>,
    rows: Vec<Row>,
    may_raise: bool,
    projects: Vec<(i64, String)>,
    categories: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    departments: Vec<(i64, String)>,
    error: Option<String>,
}

fn api_user(page: &PageUser) -> ApiUser {
    ApiUser {
        user: page.user.clone(),
        lang: page.lang,
        token_expires: None,
    }
}

fn pick(
    lang: Lang,
    list: &[(&'static str, &'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    list.iter()
        .map(|c| (c.0, if lang == Lang::Zh { c.1 } else { c.2 }.to_string()))
        .collect()
}

async fn list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let show = params.text("show").unwrap_or("open").to_string();
    render_list(&state, &page, &show, StatusCode::OK, None).await
}

async fn render_list(
    state: &AppState,
    page: &PageUser,
    show: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "blockers.title", "nav.stewards", "/blockers").await;
    let Some(zone) = page.user.zone_id else {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    };
    let scope = page.user.scope();
    let filter = BlockerFilter {
        open: show == "open",
        state: match show {
            "closed" => Some(BlockerState::Closed),
            _ => None,
        },
        department_id: (show == "mine" && page.user.department_id.is_some())
            .then(|| page.user.department_id.map(|d| d.0))
            .flatten(),
        ..Default::default()
    };
    let records = state
        .app
        .store
        .blockers(&scope, &filter)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let today = state.app.today();
    let caller = api_user(page);
    let mut rows = Vec::new();
    for r in &records {
        let b = response(&caller, r, &calendar, today, false)?;
        rows.push(Row {
            id: b.id,
            title: b.title.clone(),
            category_text: b.category_text.clone(),
            priority_text: b.priority_text.clone(),
            raised_on: b.raised_on.clone(),
            project_name: b.project_name.clone(),
            department: b.department.clone(),
            state_text: b.state_text.clone(),
            waiting_on_enterprise: b.waiting_on_enterprise,
            clocks: cells(&b),
        });
    }
    let missed = rows
        .iter()
        .filter(|r| r.clocks.iter().any(|c| c.class == "overdue"))
        .count();
    let summary =
        l.tr.t("blockers.summary")
            .replace("{n}", &rows.len().to_string())
            .replace("{missed}", &missed.to_string())
            .replace("{today}", &today.to_string());
    let mut shows = vec![
        (
            "open",
            l.tr.t("blockers.show_open").to_string(),
            show == "open",
        ),
        (
            "all",
            l.tr.t("blockers.show_all").to_string(),
            show == "all",
        ),
        (
            "closed",
            l.tr.t("blockers.show_closed").to_string(),
            show == "closed",
        ),
    ];
    if page.user.department_id.is_some() {
        shows.push((
            "mine",
            l.tr.t("blockers.show_mine").to_string(),
            show == "mine",
        ));
    }
    let may_raise = Operation::RaiseBlocker.allows(page.user.role);
    let projects = if may_raise {
        state
            .app
            .store
            .projects(&scope)
            .await
            .map_err(|e| ApiError::store(page.lang, e))?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect()
    } else {
        Vec::new()
    };
    let departments = state
        .app
        .store
        .departments(zone)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?
        .into_iter()
        .map(|d| (d.id.0, l.tr.pick(&d.name_zh, &d.name_en).to_string()))
        .collect();
    let clock_names = luodi_domain::stewardship::blocker::ClockKind::ALL
        .iter()
        .map(|k| k.label().get(page.lang).to_string())
        .collect();
    Ok(render(
        status,
        &ListPage {
            summary,
            shows,
            clock_names,
            rows,
            may_raise,
            projects,
            categories: pick(page.lang, CATEGORIES),
            priorities: pick(page.lang, PRIORITIES),
            departments,
            error,
            l,
        },
    ))
}

async fn raise(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    if !Operation::RaiseBlocker.allows(page.user.role) {
        let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    }
    let party = match luodi_domain::core::policy::blocker_party(page.user.role) {
        luodi_domain::stewardship::blocker::Party::Enterprise => {
            luodi_domain::stewardship::blocker::Party::Enterprise
        }
        _ => luodi_domain::stewardship::blocker::Party::Steward,
    };
    let new = NewBlocker {
        project_id: form.text("project_id").parse().unwrap_or(0),
        phase_id: None,
        category: form.text("category"),
        priority: form.get("priority").unwrap_or("normal").to_string(),
        title: form.text("title"),
        description: form.text("description"),
        attachments: form
            .text("attachments")
            .split([',', '，', '、'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        department_id: form.text("department_id").parse().unwrap_or(0),
    };
    match state
        .app
        .store
        .raise_blocker(
            &page.user.actor(),
            &page.user.scope(),
            Some(page.user.id.0),
            party,
            &new,
            state.app.today(),
        )
        .await
    {
        Ok(b) => Ok(Redirect::to(&format!("/blockers/{}", b.id)).into_response()),
        Err(e) => {
            let e = action_error(page.lang, e);
            if e.status.is_server_error() {
                return Err(e);
            }
            let message = match &e.body.field {
                Some(f) => format!("{f}: {}", e.body.message),
                None => e.body.message.clone(),
            };
            render_list(&state, &page, "open", e.status, Some(message)).await
        }
    }
}

pub struct EventLine {
    pub on: String,
    pub what: String,
    pub who: String,
    pub detail: String,
}

pub struct ActionForm {
    pub kind: &'static str,
    pub label: String,
    pub fields: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "blocker.html")]
struct DetailPage {
    l: Layout,
    b: BlockerResponse,
    clocks: Vec<ClockCell>,
    events: Vec<EventLine>,
    forms: Vec<ActionForm>,
    departments: Vec<(i64, String)>,
    error: Option<String>,
}

/// The fields each action's form asks for.
fn fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "rerouted" => &["department_id", "reason"],
        "answered" | "enterprise_responded" | "resolved" => &["text"],
        "waiting_on_enterprise" | "withdrawn" => &["reason"],
        "marked_complex" => &["resolve_limit", "reason"],
        "confirmed" => &["rating", "comment"],
        _ => &[],
    }
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    render_detail(&state, &page, &id, StatusCode::OK, None).await
}

async fn render_detail(
    state: &AppState,
    page: &PageUser,
    id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "blockers.title", "nav.stewards", "/blockers").await;
    let (Some(zone), Ok(id)) = (page.user.zone_id, id.parse::<i64>()) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let record = match state.app.store.blocker(&page.user.scope(), id).await {
        Ok(r) => r,
        Err(luodi_store::StoreError::NotFound) => {
            return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
        }
        Err(e) => return Err(ApiError::store(page.lang, e)),
    };
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let b = response(&api_user(page), &record, &calendar, state.app.today(), true)?;
    let departments: Vec<(i64, String)> = state
        .app
        .store
        .departments(zone)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?
        .into_iter()
        .map(|d| (d.id.0, l.tr.pick(&d.name_zh, &d.name_en).to_string()))
        .collect();
    let dept_name = |id: i64| {
        departments
            .iter()
            .find(|d| d.0 == id)
            .map(|d| d.1.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let events = b
        .events
        .iter()
        .map(|e| {
            let detail = match &e.action {
                BlockerAction::Rerouted { department, reason } => {
                    format!("→ {}：{reason}", dept_name(*department))
                }
                BlockerAction::Answered { text }
                | BlockerAction::EnterpriseResponded { text }
                | BlockerAction::Resolved { text } => text.clone(),
                BlockerAction::WaitingOnEnterprise { reason }
                | BlockerAction::Withdrawn { reason } => reason.clone(),
                BlockerAction::MarkedComplex {
                    resolve_limit,
                    reason,
                } => format!("{resolve_limit} · {reason}"),
                BlockerAction::Confirmed { rating, comment } => format!("{rating}/5 {comment}"),
                BlockerAction::Escalated { clock, rung } => format!(
                    "{} · {}",
                    clock.label().get(page.lang),
                    l.tr.t(&format!("blockers.rung_{rung}"))
                ),
                BlockerAction::Raised | BlockerAction::Acknowledged => String::new(),
            };
            EventLine {
                on: e.on.clone(),
                what: l
                    .tr
                    .t(&format!("blockers.action_{}", e.action.name()))
                    .to_string(),
                who: e
                    .user_name
                    .clone()
                    .unwrap_or_else(|| l.tr.t(&format!("blockers.party_{}", e.by)).to_string()),
                detail,
            }
        })
        .collect();
    let forms = b
        .actions
        .iter()
        .map(|kind| ActionForm {
            kind,
            label: l.tr.t(&format!("blockers.action_{kind}")).to_string(),
            fields: fields(kind)
                .iter()
                .map(|f| (*f, l.tr.t(&format!("blockers.field_{f}")).to_string()))
                .collect(),
        })
        .collect();
    let l = l.titled(b.title.clone());
    Ok(render(
        status,
        &DetailPage {
            clocks: cells(&b),
            b,
            events,
            forms,
            departments,
            error,
            l,
        },
    ))
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let Ok(blocker_id) = id.parse::<i64>() else {
        let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let opt = |k: &str| {
        form.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let request = ActionRequest {
        kind: form.text("kind"),
        text: opt("text"),
        reason: opt("reason"),
        department_id: opt("department_id").and_then(|v| v.parse().ok()),
        rating: opt("rating").and_then(|v| v.parse().ok()),
        comment: opt("comment"),
        resolve_limit: opt("resolve_limit").and_then(|v| v.parse().ok()),
        version: opt("version").and_then(|v| v.parse().ok()),
    };
    let result = match to_action(&request, page.lang) {
        Ok(action) => state
            .app
            .store
            .act_on_blocker(
                &page.user.actor(),
                &page.user.scope(),
                Some(page.user.id.0),
                luodi_domain::core::policy::blocker_party(page.user.role),
                page.user.department_id.map(|d| d.0),
                blocker_id,
                action,
                request.version,
                state.app.today(),
            )
            .await
            .map_err(|e| action_error(page.lang, e)),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/blockers/{blocker_id}")).into_response()),
        Err(e) if e.status.is_server_error() => Err(e),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
            Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
        }
        Err(e) => {
            let message = match &e.body.field {
                Some(f) => format!("{f}: {}", e.body.message),
                None => e.body.message.clone(),
            };
            render_detail(&state, &page, &id, e.status, Some(message)).await
        }
    }
}
