//! A phase's service list with each item's status and clock at a glance and the steps the
//! user may take; the land handover that makes it; an approval officer's queue; the
//! one-time notification as a page and a PDF; late items by department.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_domain::Lang;
use luodi_domain::approvals::catalogue::ReformMode;
use luodi_domain::approvals::rule::ASSESSMENTS;
use luodi_domain::approvals::service_item::{ClockStatus, ItemState, Party, clock};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::i18n::Tr;
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, PageForm, error_page, path_number, render};
use luodi_app::approvals::limit_text;
use luodi_app::approvals::service_lists::{self, HandoverRequest, ListPage, Loaded};
use luodi_app::approvals::steps::{self, StepRequest};
use luodi_app::approvals::{ApprovalsError, late_list, lateness, notice};
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/phases/{seq}", get(service_list))
        .route("/projects/{id}/phases/{seq}/handover", post(hand_over))
        .route("/projects/{id}/phases/{seq}/notice", get(notice_page))
        .route("/projects/{id}/phases/{seq}/notice.pdf", get(notice_pdf))
        .route("/service-items/{id}/steps", post(step))
        .route("/late", get(late))
        .merge(crate::pages::list::exports(
            "/late",
            &late_list::LIST,
            |state, caller, query| async move {
                late_list::export(&state.app, &caller, &query).await
            },
        ))
}

async fn hand_over(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = || Layout::new(&state, &page, "error.title", "nav.projects", "/projects");
    let (Some(pid), Some(_)) = (path_number(&id), path_number(&seq)) else {
        return Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        ));
    };
    let request = HandoverRequest {
        handover_date: form.text("handover_date"),
        parcel_code: form.text("parcel_code"),
        parcel_assessments: form
            .pairs
            .iter()
            .filter(|(k, _)| k == "assessment")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    match service_lists::hand_over(&state.app, &page.caller(), pid, &seq, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{pid}/phases/{seq}")).into_response()),
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            match e.status {
                StatusCode::FORBIDDEN => Ok(error_page(l().await, e.status, "error.forbidden")),
                StatusCode::NOT_FOUND => Ok(error_page(l().await, e.status, "error.not_found")),
                s if s.is_server_error() => Err(e),
                s => {
                    crate::stewardship::pages::projects::render_project(
                        &state,
                        &page,
                        &id,
                        s,
                        Some(e.body.message),
                    )
                    .await
                }
            }
        }
    }
}

pub struct ItemRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub note: String,
    pub department: String,
    pub status: String,
    pub status_class: &'static str,
    pub clock: String,
    pub due: String,
    pub version: i64,
    pub actions: Vec<(String, String)>,
    pub department_side: bool,
    pub minor_missing: bool,
    pub commitment: bool,
}

pub struct StageItems {
    pub name: String,
    pub items: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "service_list.html")]
struct ServiceListPage {
    l: Layout,
    project_id: i64,
    seq: i64,
    summary: String,
    legend: Vec<(&'static str, String)>,
    stages: Vec<StageItems>,
    today: String,
    procedures: Vec<(String, String)>,
    error: Option<String>,
}

/// The steps a party may take on an item in a state, as (kind, label).
fn actions_for(
    party: Option<Party>,
    state: ItemState,
    verification_pending: bool,
    tr: &Tr,
) -> Vec<(String, String)> {
    let kinds: &[&str] = match (party, state) {
        (Some(Party::Applicant), ItemState::NotStarted) => &["submit"],
        (Some(Party::Applicant), ItemState::Returned | ItemState::Incomplete) => &["resubmit"],
        (Some(Party::Department), ItemState::Submitted) => &["accept", "return", "refuse"],
        (Some(Party::Department), ItemState::Accepted) => {
            &["approve", "return", "start_special", "extend", "refuse"]
        }
        (Some(Party::Department), ItemState::Special) => &["end_special", "extend"],
        (Some(Party::Department), ItemState::Returned) => &["extend"],
        (Some(Party::Department), ItemState::Incomplete) => &["refuse"],
        (Some(Party::Department), ItemState::Approved) if verification_pending => {
            &["verify_met", "verify_failed"]
        }
        _ => &[],
    };
    kinds
        .iter()
        .map(|k| (k.to_string(), tr.t(&format!("step.{k}")).to_string()))
        .collect()
}

async fn render_list(
    state: &AppState,
    page: &PageUser,
    raw_id: &str,
    raw_seq: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let path = format!("/projects/{raw_id}/phases/{raw_seq}");
    let l = Layout::new(state, page, "list.title", "nav.projects", &path).await;
    let (Some(pid), Some(number)) = (path_number(raw_id), path_number(raw_seq)) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let Some(ListPage {
        loaded:
            Loaded {
                project,
                seq,
                list,
                catalogue,
            },
        calendar: cal,
        today,
        own_department,
    }) = service_lists::page(&state.app, &page.caller(), pid, number).await?
    else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let lang = page.lang;
    let tr = l.tr;
    let dept_name = |code: &str| {
        catalogue
            .file
            .departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| tr.pick(&d.name_zh, &d.name_en).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let mut counts = std::collections::BTreeMap::<&'static str, usize>::new();
    let mut stages: Vec<StageItems> = catalogue
        .file
        .stages
        .iter()
        .map(|s| StageItems {
            name: tr.pick(&s.name_zh, &s.name_en).to_string(),
            items: Vec::new(),
        })
        .collect();
    for item in &list.items {
        let Some(c) = catalogue.item(&item.code) else {
            continue;
        };
        let k = clock(
            &cal,
            c.promised_limit,
            item.waived_by.is_some(),
            &item.events(),
            today,
        );
        *counts
            .entry(crate::pages::badge::item(k.status))
            .or_default() += 1;
        let party = luodi_domain::core::policy::item_party(
            page.user.role,
            own_department.as_deref() == Some(item.department_code.as_str()),
        );
        let clock_text = match k.status {
            ClockStatus::NotStarted
            | ClockStatus::Waiting
            | ClockStatus::Incomplete
            | ClockStatus::Waived => limit_text(c.promised_limit, lang),
            // An item decided on the spot has no days to count.
            _ if k.limit == 0 => limit_text(c.promised_limit, lang),
            _ => tr
                .t("list.clock_used")
                .replace("{used}", &k.used.to_string())
                .replace(
                    "{limit}",
                    &limit_text(
                        luodi_domain::approvals::catalogue::TimeLimit {
                            days: k.limit,
                            unit: k.unit,
                        },
                        lang,
                    ),
                ),
        };
        let note = match (&item.waived_by, item.applicability) {
            (Some(kind), _) => {
                let a = ASSESSMENTS
                    .iter()
                    .find(|a| a.0 == kind)
                    .map(|a| if lang == Lang::Zh { a.1 } else { a.2 })
                    .unwrap_or(kind);
                tr.t("list.waived_note").replace("{assessment}", a)
            }
            (None, luodi_domain::approvals::catalogue::Applicability::ToConfirm) => {
                tr.t("list.to_confirm").to_string()
            }
            _ => String::new(),
        };
        let row = ItemRow {
            id: item.id,
            code: item.code.clone(),
            name: tr.pick(&c.name_zh, &c.name_en).to_string(),
            note,
            department: dept_name(&item.department_code),
            status: k.status.label().get(lang).to_string(),
            status_class: crate::pages::badge::item(k.status),
            clock: clock_text,
            due: k.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            version: item.version,
            actions: actions_for(party, item.state, k.verification_due.is_some(), &tr),
            department_side: party == Some(Party::Department),
            minor_missing: c.modes.contains(&ReformMode::MinorMissing),
            commitment: c.modes.contains(&ReformMode::Commitment),
        };
        if let Some(i) = catalogue.file.stages.iter().position(|s| s.code == c.stage) {
            stages[i].items.push(row);
        }
    }
    let phase_name = project
        .phases
        .iter()
        .find(|p| p.seq == seq)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let title = format!(
        "{} · {} · {}",
        tr.pick(
            &project.name,
            project.name_en.as_deref().unwrap_or(&project.name)
        ),
        phase_name,
        tr.t("list.title")
    );
    let summary = tr
        .t("list.summary")
        .replace("{items}", &list.items.len().to_string())
        .replace("{handover}", &list.handover_date.to_string())
        .replace("{today}", &today.to_string());
    let legend = [
        "done",
        "running",
        "due",
        "overdue",
        "stopped",
        "not-started",
    ]
    .iter()
    .map(|class| {
        let key = format!("list.legend_{}", class.replace('-', "_"));
        (
            *class,
            format!("{} {}", tr.t(&key), counts.get(class).copied().unwrap_or(0)),
        )
    })
    .collect();
    let procedures = ["hearing", "expert_review", "public_notice", "inspection"]
        .iter()
        .map(|p| {
            (
                p.to_string(),
                tr.t(&format!("step.procedure_{p}")).to_string(),
            )
        })
        .collect();
    Ok(render(
        status,
        &ServiceListPage {
            l: l.titled(title),
            project_id: project.id,
            seq,
            summary,
            legend,
            stages,
            today: today.to_string(),
            procedures,
            error,
        },
    ))
}

async fn service_list(
    State(state): State<AppState>,
    page: PageUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    render_list(&state, &page, &id, &seq, StatusCode::OK, None).await
}

async fn step(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let (project_id, seq) = (form.text("project_id"), form.text("seq"));
    let Some(item_id) = path_number(&id) else {
        let l = Layout::new(&state, &page, "error.title", "nav.projects", "/projects").await;
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let opt = |k: &str| {
        form.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    // The page offers "verified, met" and "verified, not met" as two steps.
    let (kind, met) = match form.text("kind").as_str() {
        "verify_met" => ("verify".to_string(), Some(true)),
        "verify_failed" => ("verify".to_string(), Some(false)),
        other => (other.to_string(), None),
    };
    let request = StepRequest {
        kind,
        met,
        on: opt("on"),
        reason: opt("reason"),
        missing: opt("missing")
            .map(|m| {
                m.split([',', '，', '、'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        missing_due: opt("missing_due"),
        procedure: opt("procedure"),
        note: opt("note"),
        days: opt("days").and_then(|d| d.parse().ok()),
        approver: opt("approver"),
        verify_by: opt("verify_by"),
        version: opt("version").and_then(|v| v.parse().ok()),
    };
    match steps::step(&state.app, &page.caller(), item_id, &request)
        .await
        .map_err(|e| ApiError::app(page.lang, e))
    {
        Ok(item) => Ok(Redirect::to(&format!(
            "/projects/{}/phases/{}#row-{}",
            project_id.parse::<i64>().unwrap_or(0),
            seq.parse::<i64>().unwrap_or(0),
            item.code
        ))
        .into_response()),
        Err(e) if e.status.is_server_error() => Err(e),
        Err(e) => {
            render_list(
                &state,
                &page,
                &project_id,
                &seq,
                e.status,
                Some(e.body.message),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    l: Layout,
    n: notice::Notice,
    pdf_href: String,
}

async fn notice_page(
    State(state): State<AppState>,
    page: PageUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let path = format!("/projects/{id}/phases/{seq}/notice");
    let l = Layout::new(&state, &page, "notice.title", "nav.projects", &path).await;
    let (Some(pid), Some(number)) = (path_number(&id), path_number(&seq)) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let Some(n) = notice::notice(&state.app, &page.caller(), pid, number).await? else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let pdf_href = format!("/projects/{id}/phases/{seq}/notice.pdf");
    Ok(render(StatusCode::OK, &NoticePage { l, n, pdf_href }))
}

async fn notice_pdf(
    State(state): State<AppState>,
    page: PageUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let pdf = crate::approvals::notice_pdf::pdf_of(&state, &page.caller(), &id, &seq).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"notice-{id}-{seq}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "late.html")]
struct LatePage {
    l: Layout,
    summary: String,
    departments: Vec<lateness::DepartmentLateness>,
    list: ListView,
    rows: Vec<LateRow>,
}

pub struct LateRow {
    pub id: i64,
    pub department: String,
    pub project_id: i64,
    pub seq: i64,
    pub project: String,
    pub code: String,
    pub name: String,
    pub status: String,
    pub status_class: &'static str,
    pub due: String,
    /// Working days past the due day (none while not yet due).
    pub over: Option<i64>,
}

/// `/late` (超期督办), for leadership: each department's open, nearly late and late items,
/// and the zone's items on the shared list, by default those overdue.
async fn late(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/late";
    let l = Layout::new(&state, &page, "late.title", "nav.late", path).await;
    let query = match list::parse(&late_list::LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let view = match late_list::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(ApprovalsError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(e.into()),
    };
    let departments = view.departments;
    let overdue: usize = departments.iter().map(|d| d.overdue).sum();
    let open: usize = departments.iter().map(|d| d.open).sum();
    let tr = &l.tr;
    let summary = tr
        .t("late.summary")
        .replace("{open}", &open.to_string())
        .replace("{overdue}", &overdue.to_string())
        .replace("{today}", &state.app.today().to_string());
    let rows = view
        .found
        .items
        .iter()
        .map(|e| LateRow {
            id: e.item.id,
            department: e.department_name.clone(),
            project_id: e.project_id,
            seq: e.seq,
            project: format!("{} {}", e.project_name, e.phase_name),
            code: e.item.code.clone(),
            name: e.item.name.clone(),
            status: e.item.clock.status_text.clone(),
            status_class: crate::pages::badge::item(e.status),
            due: e.item.clock.due.clone().unwrap_or_else(|| "—".into()),
            over: (e.item.clock.remaining < 0).then_some(-e.item.clock.remaining),
        })
        .collect();
    let how = late_list::HOW_LATE
        .iter()
        .map(|h| (h.to_string(), tr.t(&format!("late_list.{h}")).to_string()))
        .collect();
    let by_department = departments
        .iter()
        .map(|d| (d.department.clone(), d.department_name.clone()))
        .collect();
    let all = Some(tr.t("lists.all"));
    let list = ListView::new(tr, path, &query, view.found.total)
        .searched(&query)
        .select(&query, "late", tr.t("late_list.late"), how, None)
        .select(
            &query,
            "department",
            tr.t("catalogue.department"),
            by_department,
            all,
        )
        .column(&query, tr.t("catalogue.department"), Some("department"))
        .column(&query, tr.t("project.name"), Some("project"))
        .column(&query, tr.t("catalogue.code"), None)
        .column(&query, tr.t("catalogue.item"), None)
        .column(&query, tr.t("list.status"), None)
        .column(&query, tr.t("list.due"), Some("due"))
        .column(&query, tr.t("late.days_over"), Some("over"));
    Ok(render(
        StatusCode::OK,
        &LatePage {
            l,
            summary,
            departments,
            list,
            rows,
        },
    ))
}
