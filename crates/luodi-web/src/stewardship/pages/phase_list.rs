//! The phases list, `/phases`, on the shared list: every phase of the zone's projects with
//! its stage, land, forecast start and conditions to confirm; searched, filtered by stage
//! and by what it waits for, sorted, paged and exported. The home's counts of phases
//! waiting for land, for handover and for their conditions link here.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::stewardship::phase_list::{self, LIST};
use luodi_domain::stewardship::project::PhaseStatus;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, Refusal, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/phases", get(show_list)).merge(list::exports(
        "/phases",
        &LIST,
        |state, caller, query| async move { phase_list::export(&state.app, &caller, &query).await },
    ))
}

pub struct PhaseRow {
    pub id: i64,
    pub project_id: i64,
    pub seq: i64,
    pub project: String,
    pub phase: String,
    pub enterprise: String,
    pub stage: String,
    pub land: String,
    /// The forecast or actual construction start, and whether it started.
    pub start: Option<String>,
    pub started: bool,
    /// Whether it has a service list (and so a Gantt chart).
    pub has_list: bool,
    pub to_confirm: usize,
}

#[derive(Template)]
#[template(path = "phases.html")]
struct PhasesPage {
    l: Layout,
    list: ListView,
    rows: Vec<PhaseRow>,
    /// Whether the user may edit projects (the conditions' link to the form).
    may_edit: bool,
}

async fn show_list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/phases";
    let l = Layout::new(&state, &page, "phase_list.title", "nav.projects", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let view = match phase_list::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let lang = page.lang;
    let tr = &l.tr;
    let stages = PhaseStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().get(lang).to_string()))
        .collect();
    let waiting = vec![
        (
            "land".to_string(),
            tr.t("phase_list.waiting_land").to_string(),
        ),
        (
            "handover".to_string(),
            tr.t("phase_list.waiting_handover").to_string(),
        ),
        (
            "conditions".to_string(),
            tr.t("phase_list.waiting_conditions").to_string(),
        ),
    ];
    let all = Some(tr.t("lists.all"));
    let list = ListView::new(tr, path, &query, view.found.total)
        .searched(&query)
        .select(&query, "stage", tr.t("project.status"), stages, all)
        .select(&query, "waiting", tr.t("phase_list.waiting"), waiting, all)
        .column(&query, tr.t("project.name"), Some("project"))
        .column(&query, tr.t("project.phase"), None)
        .column(&query, tr.t("project.enterprise"), None)
        .column(&query, tr.t("project.status"), Some("stage"))
        .column(&query, tr.t("phase_list.land"), None)
        .column(&query, tr.t("phase_list.start"), Some("forecast"))
        .column(&query, tr.t("phase_list.to_confirm"), Some("conditions"));
    let rows = view
        .found
        .items
        .iter()
        .map(|line| PhaseRow {
            id: line.phase.id,
            project_id: line.project_id,
            seq: line.phase.seq,
            project: line.project_name(lang).to_string(),
            phase: line.phase.name.clone(),
            enterprise: line.enterprise.clone(),
            stage: line.phase.status.label().get(lang).to_string(),
            land: line.land_text(lang),
            start: line.start().map(|d| d.to_string()),
            started: line.started_on.is_some(),
            has_list: line.phase.status >= PhaseStatus::LandHandedOver,
            to_confirm: line.to_confirm,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &PhasesPage {
            may_edit: view.may_edit,
            list,
            rows,
            l,
        },
    ))
}
