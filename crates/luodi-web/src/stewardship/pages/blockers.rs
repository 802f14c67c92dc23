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
use luodi_app::core::list::{ListError, ListQuery};
use luodi_app::stewardship::StewardshipError;
use luodi_app::stewardship::blocker_list::{self, LIST, STATES, WAITING_ON};
use luodi_app::stewardship::blockers::{
    self, ActionRequest, BlockerResponse, RaiseRequest, attachment_names,
};
use luodi_domain::core::i18n;
use luodi_domain::stewardship::blocker::Action as BlockerAction;
use luodi_domain::stewardship::blocker::{ClockKind, Party, State as BlockerState};

use crate::AppState;
use crate::error::ApiError;
use crate::export::ExportFormat;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, PageForm, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/blockers", get(list).post(raise))
        .route("/blockers/export.csv", get(export_csv))
        .route("/blockers/export.xlsx", get(export_xlsx))
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
    /// Who must act next, in words (empty once closed).
    pub waiting_on: String,
    pub waiting_on_enterprise: bool,
    pub clocks: Vec<ClockCell>,
}

fn cells(b: &BlockerResponse) -> Vec<ClockCell> {
    b.clocks
        .iter()
        .map(|c| ClockCell {
            label: c.label.clone(),
            text: c.status_text.clone(),
            class: crate::pages::badge::blocker(c.status),
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
    list: ListView,
    rows: Vec<Row>,
    may_raise: bool,
    projects: Vec<(i64, String)>,
    categories: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    departments: Vec<(i64, String)>,
    error: Option<String>,
}

/// The list's parameters, with the older `show` (open, all, closed, mine) read as the
/// filters it stood for, so bookmarks made before the shared list still work.
fn with_show(params: &QueryParams) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in params.pairs() {
        match (k.as_str(), v.as_str()) {
            ("show", "mine") => pairs.push(("department".into(), "mine".into())),
            ("show", show) => pairs.push(("state".into(), show.into())),
            _ => pairs.push((k.clone(), v.clone())),
        }
    }
    pairs
}

async fn list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(&LIST, &with_show(&params));
    render_list(&state, &page, query, StatusCode::OK, None).await
}

async fn render_list(
    state: &AppState,
    page: &PageUser,
    query: Result<ListQuery, ListError>,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let path = "/blockers";
    let l = Layout::new(state, page, "blockers.title", "nav.stewards", path).await;
    let query = match query {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let view = match blocker_list::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let lang = page.lang;
    let tr = &l.tr;
    let rows: Vec<Row> = view
        .found
        .items
        .iter()
        .map(|line| {
            let b = &line.blocker;
            Row {
                id: b.id,
                title: b.title.clone(),
                category_text: b.category_text.clone(),
                priority_text: b.priority_text.clone(),
                raised_on: b.raised_on.clone(),
                project_name: b.project_name.clone(),
                department: b.department.clone(),
                state_text: b.state_text.clone(),
                waiting_on: line
                    .waiting_on
                    .map(|p| blocker_list::party_text(p, lang))
                    .unwrap_or_default(),
                waiting_on_enterprise: b.waiting_on_enterprise,
                clocks: cells(b),
            }
        })
        .collect();
    let summary = tr
        .t("blockers.summary")
        .replace("{n}", &view.found.total.to_string())
        .replace("{missed}", &view.missed.to_string())
        .replace("{today}", &view.today.to_string());
    let word = |k: &str| tr.t(k).to_string();
    let states = STATES
        .iter()
        .map(|s| {
            let label = match *s {
                "open" => word("blockers.show_open"),
                "all" => word("blockers.show_all"),
                "unacknowledged" => word("blocker_list.unacknowledged"),
                s => BlockerState::parse(s)
                    .map(|st| st.label().get(lang).to_string())
                    .unwrap_or_else(|| s.to_string()),
            };
            (s.to_string(), label)
        })
        .collect();
    let mut departments: Vec<(String, String)> = Vec::new();
    if view.has_department {
        departments.push(("mine".into(), word("blockers.show_mine")));
    }
    departments.extend(
        view.departments
            .iter()
            .map(|(_, code, name)| (code.clone(), name.clone())),
    );
    let projects = view
        .projects
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let clocks = vec![
        ("missed".to_string(), word("blocker_list.clock_missed")),
        ("due_soon".to_string(), word("blocker_list.clock_due_soon")),
    ];
    let waiting = WAITING_ON
        .iter()
        .map(|w| {
            let label = Party::parse(w)
                .map(|p| blocker_list::party_text(p, lang))
                .unwrap_or_default();
            (w.to_string(), label)
        })
        .collect();
    let all = Some(tr.t("lists.all"));
    let mut list = ListView::new(tr, path, &query, view.found.total)
        .searched(&query)
        .select(&query, "state", tr.t("blockers.state"), states, None)
        .select(
            &query,
            "department",
            tr.t("blockers.department"),
            departments,
            all,
        )
        .select(&query, "project", tr.t("blockers.project"), projects, all)
        .select(&query, "clock", tr.t("blocker_list.clock"), clocks, all)
        .select(
            &query,
            "waiting_on",
            tr.t("blocker_list.waiting_on"),
            waiting,
            all,
        )
        .column(&query, tr.t("blockers.title_col"), None)
        .column(&query, tr.t("blocker_list.raised"), Some("raised"))
        .column(&query, tr.t("blockers.priority"), Some("priority"))
        .column(&query, tr.t("blockers.project"), None)
        .column(&query, tr.t("blockers.department"), None)
        .column(&query, tr.t("blockers.state"), None);
    for (i, k) in ClockKind::ALL.iter().enumerate() {
        // The first clock's heading sorts by the worst of the three.
        let sort = (i == 0).then_some("clock");
        list = list.column(&query, k.label().get(lang), sort);
    }
    let raise_departments = view
        .departments
        .iter()
        .map(|(id, _, n)| (*id, n.clone()))
        .collect();
    Ok(render(
        status,
        &ListPage {
            summary,
            list,
            rows,
            may_raise: view.may_raise,
            projects: view.raise_projects,
            categories: blockers::categories(lang),
            priorities: blockers::priorities(lang),
            departments: raise_departments,
            error,
            l,
        },
    ))
}

async fn export_csv(
    state: State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    export(state, page, params, ExportFormat::Csv).await
}

async fn export_xlsx(
    state: State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    export(state, page, params, ExportFormat::Xlsx).await
}

/// `/blockers/export.csv` and `.xlsx`: the filtered list, every page of it.
async fn export(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
    format: ExportFormat,
) -> Result<Response, ApiError> {
    let query =
        ListQuery::parse(&LIST, &with_show(&params)).map_err(|e| ApiError::app(page.lang, e))?;
    let table = blocker_list::export(&state.app, &page.caller(), &query)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    Ok(crate::export::response(&table, format))
}

async fn raise(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let request = RaiseRequest {
        project_id: form.text("project_id").parse().unwrap_or(0),
        phase_id: None,
        category: form.text("category"),
        priority: Some(form.get("priority").unwrap_or("normal").to_string()),
        title: form.text("title"),
        description: form.text("description"),
        attachments: attachment_names(&form.text("attachments")),
        department_id: form.text("department_id").parse().unwrap_or(0),
    };
    match blockers::raise(&state.app, &page.caller(), request).await {
        Ok(b) => Ok(Redirect::to(&format!("/blockers/{}", b.id)).into_response()),
        Err(StewardshipError::Denied(_)) => {
            let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
            Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"))
        }
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status.is_server_error() {
                return Err(e);
            }
            let message = match &e.body.field {
                Some(f) => format!("{f}: {}", e.body.message),
                None => e.body.message.clone(),
            };
            let query = ListQuery::parse(&LIST, &[]);
            render_list(&state, &page, query, e.status, Some(message)).await
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
    let Ok(id) = id.parse::<i64>() else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let detail = match blockers::detail(&state.app, &page.caller(), id).await {
        Ok(d) => d,
        // A user of no zone sees no blocker.
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
        }
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status == StatusCode::NOT_FOUND {
                return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
            }
            return Err(e);
        }
    };
    let b = detail.blocker;
    let departments = detail.departments;
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
                BlockerAction::Rerouted { department, reason } => i18n::fill(
                    page.lang,
                    "stewardship.blocker_page.rerouted",
                    &[("department", &dept_name(*department)), ("reason", reason)],
                ),
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
    let result = blockers::act(&state.app, &page.caller(), blocker_id, &request)
        .await
        .map_err(|e| ApiError::app(page.lang, e));
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
