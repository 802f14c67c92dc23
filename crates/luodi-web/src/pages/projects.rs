//! Project pages: the list, a project with its phases (and the land handover form), a
//! phase's service list with each item's status and clock at a glance and the steps the
//! user may take, and an approval officer's queue.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_domain::approvals::catalogue::ReformMode;
use luodi_domain::approvals::rule::ASSESSMENTS;
use luodi_domain::approvals::service_item::{ClockStatus, ItemState, Party, clock};
use luodi_domain::{Lang, Operation};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::i18n::Tr;
use crate::pages::{Layout, PageForm, error_page, render};
use luodi_app::approvals::limit_text;
use luodi_app::approvals::service_lists::{self, HandoverRequest, ListPage, Loaded};
use luodi_app::approvals::steps::{self, StepRequest};
use luodi_app::approvals::{ApprovalsError, lateness, notice};
use luodi_app::forecast::phase::GanttView;
use luodi_app::stewardship::StewardshipError;
use luodi_app::stewardship::lifecycle::{self, MOVES_BY_HAND, MoveRequest};
use luodi_app::stewardship::projects::{self, CreateProjectRequest};
use luodi_app::stewardship::stewards::{self, AssignRequest, TimelineEntry};
use luodi_domain::core::i18n;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list).post(create))
        .route("/projects/{id}", get(show))
        .route("/projects/{id}/phases/{seq}", get(service_list))
        .route("/projects/{id}/phases/{seq}/handover", post(hand_over))
        .route("/projects/{id}/phases/{seq}/move", post(move_phase))
        .route("/projects/{id}/steward", post(assign_steward))
        .route("/projects/{id}/phases/{seq}/notice", get(notice_page))
        .route("/projects/{id}/phases/{seq}/gantt", get(gantt_page))
        .route("/projects/{id}/phases/{seq}/notice.pdf", get(notice_pdf))
        .route("/service-items/{id}/steps", post(step))
        .route("/queue", get(queue))
        .route("/late", get(late))
}

pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub enterprise: String,
    pub investment: String,
    pub investment_exact: String,
    pub phases: String,
    pub steward: String,
}

/// What the new-project form holds (kept as typed when it is refused).
#[derive(Default)]
pub struct NewProjectForm {
    pub enterprise_id: String,
    pub name: String,
    pub investment: String,
    pub industry_code: String,
    pub chain_position: String,
    pub jobs: String,
    pub steward: String,
    pub phases: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    l: Layout,
    rows: Vec<ProjectRow>,
    signed: usize,
    /// The form, where the user may record projects: enterprises and stewards to choose.
    may_create: bool,
    enterprises: Vec<(i64, String)>,
    stewards: Vec<(i64, String)>,
    chains: Vec<(&'static str, String)>,
    form: NewProjectForm,
    error: Option<String>,
}

async fn list(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    render_projects(
        &state,
        &page,
        StatusCode::OK,
        NewProjectForm::default(),
        None,
    )
    .await
}

async fn render_projects(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    form: NewProjectForm,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "project.title", "nav.projects", "/projects").await;
    let view = projects::list_page(&state.app, &page.caller()).await?;
    let rows = view
        .projects
        .iter()
        .map(|line| {
            let p = &line.project;
            ProjectRow {
                id: p.id,
                name: l
                    .tr
                    .pick(&p.name, p.name_en.as_deref().unwrap_or(&p.name))
                    .to_string(),
                enterprise: line.enterprise.clone(),
                investment: p.total_investment.display(page.lang),
                investment_exact: p.total_investment.exact_yuan(),
                phases: p
                    .phases
                    .iter()
                    .map(|ph| format!("{} {}", ph.name, ph.status.label().get(page.lang)))
                    .collect::<Vec<_>>()
                    .join(" · "),
                steward: line.steward.clone().unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    Ok(render(
        status,
        &ProjectsPage {
            l,
            rows,
            signed: view.signed,
            may_create: view.may_create,
            enterprises: view.enterprises,
            stewards: view.stewards,
            chains: luodi_domain::core::enterprise::ChainPosition::ALL
                .iter()
                .map(|c| (c.as_str(), c.label().get(page.lang).to_string()))
                .collect(),
            form,
            error,
        },
    ))
}

/// Records a project from the form: its phases named 一期, 二期 … (Phase 1 …), all at the
/// stage chosen; a refusal is shown above the form with every field at fault.
async fn create(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    if let Err(r) = super::page_zone(&state, &page, Operation::CreateProject, "nav.projects").await
    {
        return Ok(r);
    }
    let typed = NewProjectForm {
        enterprise_id: form.text("enterprise_id"),
        name: form.text("name"),
        investment: form.text("total_investment_yuan"),
        industry_code: form.text("industry_code"),
        chain_position: form.text("chain_position"),
        jobs: form.text("jobs"),
        steward: form.text("steward_user_id"),
        phases: form.text("phases"),
        status: form.text("status"),
    };
    let refuse = |typed, message: String| {
        render_projects(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            Some(message),
        )
    };
    let Ok(enterprise_id) = typed.enterprise_id.trim().parse::<i64>() else {
        return refuse(typed, "enterprise_id".into()).await;
    };
    let count = match typed.phases.trim().parse::<usize>() {
        Ok(n) if (1..=luodi_domain::stewardship::project::MAX_PHASES).contains(&n) => n,
        _ => {
            let m = format!(
                "phases: 1–{}",
                luodi_domain::stewardship::project::MAX_PHASES
            );
            return refuse(typed, m).await;
        }
    };
    let jobs = match typed.jobs.trim() {
        "" => None,
        j => match j.parse::<i64>() {
            Ok(j) => Some(j),
            Err(_) => {
                let m = format!("jobs: '{j}'");
                return refuse(typed, m).await;
            }
        },
    };
    let steward = match typed.steward.trim() {
        "" => None,
        s => s.parse::<i64>().ok(),
    };
    // The phases' names in the user's words: 一期, 二期 … or Phase 1, Phase 2 …
    let ordinals: Vec<&str> = Tr::new(page.lang)
        .t("project.phase_ordinals")
        .split(',')
        .collect();
    let request = CreateProjectRequest {
        enterprise_id,
        name: typed.name.clone(),
        name_en: None,
        total_investment_yuan: typed.investment.clone(),
        industry_code: Some(typed.industry_code.clone()),
        chain_position: Some(typed.chain_position.clone()),
        expected_output_yuan: None,
        expected_tax_yuan: None,
        jobs,
        steward_user_id: steward,
        phases: ordinals[..count.min(ordinals.len())]
            .iter()
            .map(|name| luodi_domain::stewardship::project::PhaseInput {
                name: name.to_string(),
                status: Some(typed.status.clone()),
                facts: Default::default(),
            })
            .collect(),
    };
    match projects::create(&state.app, &page.caller(), request).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}", p.id)).into_response()),
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status.is_server_error() {
                return Err(e);
            }
            let message = if e.body.errors.is_empty() {
                e.body.message.clone()
            } else {
                e.body
                    .errors
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("；")
            };
            render_projects(&state, &page, e.status, typed, Some(message)).await
        }
    }
}

pub struct PhaseRow {
    pub seq: i64,
    pub name: String,
    pub status: String,
    pub parcel: String,
    pub handover_date: String,
    pub has_list: bool,
    /// The later stages a phase may be moved to by hand: (code, label).
    pub moves: Vec<(&'static str, String)>,
}

pub struct StewardRow {
    pub name: String,
    pub from: String,
    pub until: Option<String>,
    pub reason: String,
    pub by: String,
}

fn shown_time(stored: &str) -> String {
    luodi_domain::core::time::from_stored(stored)
        .map(luodi_domain::core::time::zone_display)
        .unwrap_or_else(|| stored.to_string())
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    l: Layout,
    project_id: i64,
    facts: Vec<(&'static str, String)>,
    phases: Vec<PhaseRow>,
    may_hand_over: bool,
    today: String,
    assessments: Vec<(String, String)>,
    error: Option<String>,
    stewards: Vec<StewardRow>,
    /// The zone's stewards to hand the project to, where the user may: (id, name).
    steward_choices: Vec<(i64, String)>,
    /// The newest first.
    timeline: Vec<TimelineEntry>,
}

fn not_found_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

async fn render_project(
    state: &AppState,
    page: &PageUser,
    raw_id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let l = Layout::new(
        state,
        page,
        "project.title",
        "nav.projects",
        &format!("/projects/{raw_id}"),
    )
    .await;
    let Some(id) = not_found_id(raw_id) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let view = match projects::page(&state.app, &page.caller(), id).await {
        Ok(v) => v,
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status == StatusCode::NOT_FOUND {
                return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
            }
            return Err(e);
        }
    };
    let p = &view.project;
    let lang = page.lang;
    let facts = vec![
        ("project.enterprise", view.enterprise.clone()),
        (
            "project.investment",
            i18n::fill(
                lang,
                "stewardship.project_page.investment",
                &[
                    ("display", &p.total_investment.display(lang)),
                    ("exact", &p.total_investment.exact_yuan()),
                ],
            ),
        ),
        (
            "enterprise.industry",
            p.industry_code
                .as_deref()
                .and_then(|c| luodi_domain::core::industry::IndustryCode::parse(c).ok())
                .map(|c| format!("{} {}", c, c.name(lang)))
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "project.jobs",
            p.jobs.map(|j| j.to_string()).unwrap_or_else(|| "—".into()),
        ),
        (
            "project.steward",
            view.steward.clone().unwrap_or_else(|| "—".to_string()),
        ),
    ];
    let steward_rows = view
        .stewards
        .iter()
        .map(|s| StewardRow {
            name: s.assignment.name.clone(),
            from: shown_time(&s.assignment.from_at),
            until: s.assignment.until_at.as_deref().map(shown_time),
            reason: s.assignment.reason.clone(),
            by: s.assigned_by.clone(),
        })
        .collect();
    let phases = p
        .phases
        .iter()
        .map(|ph| PhaseRow {
            seq: ph.seq,
            name: ph.name.clone(),
            status: ph.status.label().get(lang).to_string(),
            parcel: ph.parcel_code.clone().unwrap_or_else(|| "—".into()),
            handover_date: ph
                .land_handover_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            has_list: view.listed.contains(&ph.id),
            moves: if view.may_move {
                MOVES_BY_HAND
                    .iter()
                    .filter(|m| **m > ph.status)
                    .map(|m| (m.as_str(), m.label().get(lang).to_string()))
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect();
    let title =
        l.tr.pick(&p.name, p.name_en.as_deref().unwrap_or(&p.name))
            .to_string();
    let assessments = ASSESSMENTS
        .iter()
        .map(|(k, zh, en)| {
            (
                k.to_string(),
                if lang == Lang::Zh {
                    zh.to_string()
                } else {
                    en.to_string()
                },
            )
        })
        .collect();
    Ok(render(
        status,
        &ProjectPage {
            l: l.titled(title),
            project_id: p.id,
            facts,
            phases,
            may_hand_over: view.may_hand_over,
            today: state.app.today().to_string(),
            assessments,
            error,
            stewards: steward_rows,
            steward_choices: view.steward_choices,
            timeline: view.timeline,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    render_project(&state, &page, &id, StatusCode::OK, None).await
}

/// Hands the project to another steward (see `Store::assign_steward`); a refusal is shown
/// on the project's page with its reason.
async fn assign_steward(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = || Layout::new(&state, &page, "error.title", "nav.projects", "/projects");
    if let Err(r) = super::page_zone(&state, &page, Operation::AssignSteward, "nav.projects").await
    {
        return Ok(r);
    }
    let Some(pid) = not_found_id(&id) else {
        return Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        ));
    };
    let Some(user_id) = form.text("user_id").trim().parse::<i64>().ok() else {
        return render_project(
            &state,
            &page,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!("user_id: {}", form.text("user_id"))),
        )
        .await;
    };
    let request = AssignRequest {
        user_id,
        reason: form.text("reason"),
    };
    match stewards::assign(&state.app, &page.caller(), pid, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{pid}#stewards")).into_response()),
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            match e.status {
                StatusCode::FORBIDDEN => Ok(error_page(
                    l().await,
                    StatusCode::FORBIDDEN,
                    "error.forbidden",
                )),
                StatusCode::NOT_FOUND => Ok(error_page(
                    l().await,
                    StatusCode::NOT_FOUND,
                    "error.not_found",
                )),
                s if s.is_server_error() => Err(e),
                s => render_project(&state, &page, &id, s, Some(e.body.message)).await,
            }
        }
    }
}

/// Moves a phase on by hand (see `PhaseStatus::check_move`); a refusal is shown on the
/// project's page with its reason.
async fn move_phase(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = || Layout::new(&state, &page, "error.title", "nav.projects", "/projects");
    if let Err(r) = super::page_zone(&state, &page, Operation::MovePhase, "nav.projects").await {
        return Ok(r);
    }
    let (Some(pid), Some(seq)) = (not_found_id(&id), not_found_id(&seq)) else {
        return Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        ));
    };
    let request = MoveRequest {
        status: form.text("status"),
        commitment: form
            .get("commitment")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    };
    match lifecycle::move_project_phase(&state.app, &page.caller(), pid, seq, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{pid}")).into_response()),
        Err(StewardshipError::NotAStage(raw)) => {
            render_project(
                &state,
                &page,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(format!("status: {raw}")),
            )
            .await
        }
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            match e.status {
                StatusCode::FORBIDDEN => Ok(error_page(
                    l().await,
                    StatusCode::FORBIDDEN,
                    "error.forbidden",
                )),
                StatusCode::NOT_FOUND => Ok(error_page(
                    l().await,
                    StatusCode::NOT_FOUND,
                    "error.not_found",
                )),
                StatusCode::CONFLICT => {
                    render_project(&state, &page, &id, e.status, Some(e.body.message)).await
                }
                _ => Err(e),
            }
        }
    }
}

async fn hand_over(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = || Layout::new(&state, &page, "error.title", "nav.projects", "/projects");
    let (Some(pid), Some(_)) = (not_found_id(&id), not_found_id(&seq)) else {
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
            .0
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
                s => render_project(&state, &page, &id, s, Some(e.body.message)).await,
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
    let (Some(pid), Some(number)) = (not_found_id(raw_id), not_found_id(raw_seq)) else {
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
        *counts.entry(super::badge::item(k.status)).or_default() += 1;
        let party = luodi_domain::core::policy::item_party(
            page.user.role,
            own_department.as_deref() == Some(item.department_code.as_str()),
        );
        let clock_text = match k.status {
            ClockStatus::NotStarted
            | ClockStatus::Waiting
            | ClockStatus::Incomplete
            | ClockStatus::Waived => limit_text(c.promised_limit, lang),
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
            status_class: super::badge::item(k.status),
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
    let Some(item_id) = not_found_id(&id) else {
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
        Ok(_) => Ok(Redirect::to(&format!(
            "/projects/{}/phases/{}#row-{}",
            project_id.parse::<i64>().unwrap_or(0),
            seq.parse::<i64>().unwrap_or(0),
            ""
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

pub struct QueueRow {
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
    rows: Vec<QueueRow>,
}

async fn queue(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "queue.title", "nav.queue", "/queue").await;
    let queue = match lateness::own_queue(&state.app, &page.caller()).await {
        Ok(Some(q)) => q,
        Ok(None) => return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found")),
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status == StatusCode::FORBIDDEN {
                return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
            }
            return Err(e);
        }
    };
    let rows = queue
        .entries
        .iter()
        .filter_map(|e| {
            let c = e.catalogue.item(&e.item.code)?;
            Some(QueueRow {
                project_id: e.project_id,
                seq: e.seq,
                project: format!("{} {}", e.project_name, e.phase_name),
                code: e.item.code.clone(),
                name: l.tr.pick(&c.name_zh, &c.name_en).to_string(),
                submitted: e
                    .submitted
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                status: e.clock.status.label().get(page.lang).to_string(),
                status_class: super::badge::item(e.clock.status),
                due: e
                    .clock
                    .due
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
            })
        })
        .collect();
    let department = queue.department;
    let department =
        l.tr.pick(&department.name_zh, &department.name_en)
            .to_string();
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            l,
            department,
            rows,
        },
    ))
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
    let (Some(pid), Some(number)) = (not_found_id(&id), not_found_id(&seq)) else {
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
    let pdf = crate::notice::pdf_of(&state, &page.caller(), &id, &seq).await?;
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
}

/// Leadership's view: open items by department, overdue ones listed.
async fn late(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "late.title", "nav.late", "/late").await;
    let departments = match lateness::by_department(&state.app, &page.caller()).await {
        Ok(d) => d,
        Err(ApprovalsError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(e.into()),
    };
    let overdue: usize = departments.iter().map(|d| d.overdue).sum();
    let open: usize = departments.iter().map(|d| d.open).sum();
    let summary =
        l.tr.t("late.summary")
            .replace("{open}", &open.to_string())
            .replace("{overdue}", &overdue.to_string())
            .replace("{today}", &state.app.today().to_string());
    Ok(render(
        StatusCode::OK,
        &LatePage {
            l,
            summary,
            departments,
        },
    ))
}

#[derive(Template)]
#[template(path = "gantt.html")]
struct GanttPage {
    l: Layout,
    project_id: i64,
    seq: i64,
    facts: Vec<(String, String)>,
    svg: String,
    /// Items of unknown applicability: (code and name, duration, what it would add).
    unconfirmed: Vec<(String, String, String)>,
}

/// The phase's forecast as a Gantt chart with the milestone dates beside it.
async fn gantt_page(
    State(state): State<AppState>,
    page: PageUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let path = format!("/projects/{id}/phases/{seq}/gantt");
    let l = Layout::new(&state, &page, "gantt.title", "nav.projects", &path).await;
    let (Some(pid), Some(number)) = (not_found_id(&id), not_found_id(&seq)) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let Some(GanttView {
        loaded:
            Loaded {
                project,
                seq,
                list,
                catalogue,
            },
        phase,
        forecast: f,
        calendar: cal,
        today,
    }) = luodi_app::forecast::phase::gantt(&state.app, &page.caller(), pid, number).await?
    else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let tr = l.tr;
    // Rows in the order of the forecast's network, by earliest start.
    let mut codes: Vec<&String> = f.items.keys().collect();
    codes.sort_by(|a, b| {
        f.items[*a]
            .es
            .total_cmp(&f.items[*b].es)
            .then(f.items[*a].ef.total_cmp(&f.items[*b].ef))
            .then(a.cmp(b))
    });
    let rows: Vec<crate::gantt::Row> = codes
        .into_iter()
        .map(|c| crate::gantt::Row {
            code: c.clone(),
            name: if c == luodi_domain::forecast::critical_path::BUILD {
                tr.t("gantt.building").to_string()
            } else {
                catalogue
                    .item(c)
                    .map(|i| tr.pick(&i.name_zh, &i.name_en).to_string())
                    .unwrap_or_default()
            },
        })
        .collect();
    let svg = crate::gantt::render(&f, &rows, &cal, list.handover_date, today, &tr);
    // Items of unknown applicability, apart: what each would add if it applies.
    let unconfirmed: Vec<(String, String, String)> = f
        .unconfirmed
        .iter()
        .map(|u| {
            let name = catalogue
                .item(&u.code)
                .map(|i| tr.pick(&i.name_zh, &i.name_en).to_string())
                .unwrap_or_default();
            let adds = ["construction_start", "completion_acceptance"]
                .iter()
                .map(|k| {
                    format!(
                        "{} +{}",
                        tr.t(&format!("gantt.{k}")),
                        u.adds.get(*k).copied().unwrap_or(0.0).ceil() as i64
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ");
            (
                format!("{} {name}", u.code),
                format!("{} {}", u.duration, tr.t("gantt.working_days")),
                adds,
            )
        })
        .collect();
    let mut facts = vec![
        (
            tr.t("project.handover_date").to_string(),
            f.handover_date.clone(),
        ),
        (
            tr.t("gantt.duration").to_string(),
            format!("{} {}", f.duration_working_days, tr.t("gantt.working_days")),
        ),
        (
            tr.t("gantt.critical_path").to_string(),
            f.critical_path.join(" → "),
        ),
    ];
    for key in [
        "construction_permit",
        "construction_start",
        "completion_acceptance",
    ] {
        if let Some(m) = f.milestones.get(key) {
            let mut value = format!("{} · P50 {} · P80 {} · P90 {}", m.date, m.p50, m.p80, m.p90);
            if let Some(p) = m.on_target {
                value.push_str(
                    &tr.t("gantt.on_target")
                        .replace("{p}", &format!("{:.0}", p * 100.0)),
                );
            }
            facts.push((tr.t(&format!("gantt.{key}")).to_string(), value));
        }
    }
    let title = format!(
        "{} · {} · {}",
        tr.pick(
            &project.name,
            project.name_en.as_deref().unwrap_or(&project.name)
        ),
        phase.name,
        tr.t("gantt.title")
    );
    Ok(render(
        StatusCode::OK,
        &GanttPage {
            l: l.titled(title),
            project_id: project.id,
            seq,
            facts,
            svg,
            unconfirmed,
        },
    ))
}
