//! Project pages (the list is `project_list.rs`, the form `project_form.rs`): a project's
//! page as drawn — its phases with their land (needs, reserved parcel, handover form, the
//! moves they can take), stewards and timeline; its route and the land steps that come back
//! to it are in `project_land` — a steward handed on and a phase moved by hand.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use luodi_domain::Operation;
use luodi_domain::approvals::rule::ASSESSMENTS;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{Layout, PageForm, Refusal, error_page, path_number, render};
use luodi_app::stewardship::StewardshipError;
use luodi_app::stewardship::lifecycle::{self, MoveRequest};
use luodi_app::stewardship::projects;
use luodi_app::stewardship::stewards::{self, AssignRequest, TimelineEntry};
use luodi_domain::core::i18n;
use luodi_domain::stewardship::conditions;
use std::collections::HashMap;

use crate::land::needs_form::{self, Field};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/phases/{seq}/move", post(move_phase))
        .route("/projects/{id}/steward", post(assign_steward))
}

pub struct PhaseRow {
    pub id: i64,
    pub seq: i64,
    pub name: String,
    pub status: String,
    pub parcel: String,
    pub handover_date: String,
    pub has_list: bool,
    /// The later stages the phase can be moved to by hand now: (code, label).
    pub moves: Vec<(&'static str, String)>,
    /// Those it cannot move to now: (label, why).
    pub refused_moves: Vec<(String, String)>,
    /// The parcel reserved for the phase: (id, code).
    pub reserved: Option<(i64, String)>,
    /// The handover form's regional assessments: (kind, label, ticked: the reserved
    /// parcel's own).
    pub assessments: Vec<(String, String, bool)>,
    /// The recorded land needs in words (empty: none recorded).
    pub needs: Vec<(String, String)>,
    /// The land-needs form: its fields, gas and steam, and whether it opens (a refusal).
    pub needs_form: Vec<Field>,
    pub gas: bool,
    pub steam: bool,
    pub needs_open: bool,
    /// A refused release: why, and the reason as typed.
    pub release_error: Option<(String, String)>,
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
    error: Option<String>,
    notice: Option<String>,
    /// Whether the user sees the phases' land, and may record needs and release parcels.
    sees_land: bool,
    may_manage_parcels: bool,
    sewage_classes: Vec<&'static str>,
    stewards: Vec<StewardRow>,
    /// The zone's stewards to hand the project to, where the user may: (id, name).
    steward_choices: Vec<(i64, String)>,
    /// The newest first.
    timeline: Vec<TimelineEntry>,
    may_edit: bool,
    /// Each phase's conditions in words: (phase name, (label, value) known, how many to be
    /// confirmed).
    conditions: Vec<PhaseConditions>,
    /// The post-completion check of each phase in production (empty when none is, or the
    /// user sees no checks).
    completion: Vec<CompletionRow>,
}

/// A phase in production with its latest post-completion check.
pub struct CompletionRow {
    pub phase_id: i64,
    pub name: String,
    pub due: String,
    /// The latest check: (id, year, verdict, badge, shortfalls).
    pub check: Option<(i64, i32, String, &'static str, String)>,
    /// The blocker its failure opened, for the steward to clear.
    pub blocker: Option<i64>,
}

pub struct PhaseConditions {
    pub seq: i64,
    pub name: String,
    pub known: Vec<(&'static str, String)>,
    pub unknown: usize,
}

/// What a project page shows beyond the project: a notice after a step, or a form refused
/// with its values as typed.
#[derive(Default)]
pub struct Extras {
    pub error: Option<String>,
    pub notice: Option<String>,
    /// The land-needs form of phase `seq` refused: (seq, values as typed, problems by
    /// field, gas, steam).
    pub needs: Option<NeedsTyped>,
    /// The release of phase `seq`'s parcel refused: (seq, why, the reason as typed).
    pub release_error: Option<(i64, String, String)>,
}

pub struct NeedsTyped {
    pub seq: i64,
    pub values: HashMap<&'static str, String>,
    pub errors: HashMap<&'static str, String>,
    pub gas: bool,
    pub steam: bool,
}

pub(crate) async fn render_project(
    state: &AppState,
    page: &PageUser,
    raw_id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    render_project_with(
        state,
        page,
        raw_id,
        status,
        Extras {
            error,
            ..Default::default()
        },
    )
    .await
}

pub async fn render_project_with(
    state: &AppState,
    page: &PageUser,
    raw_id: &str,
    status: StatusCode,
    extras: Extras,
) -> Result<Response, ApiError> {
    let l = Layout::new(
        state,
        page,
        "project.title",
        "nav.projects",
        &format!("/projects/{raw_id}"),
    )
    .await;
    let Some(id) = path_number(raw_id) else {
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
    let tr = l.tr;
    let names = needs_form::all_names();
    let mut phases = Vec::with_capacity(p.phases.len());
    for (ph, land) in p.phases.iter().zip(&view.land) {
        let reserved = land.reserved.as_ref();
        let own: &[String] = reserved.map_or(&[], |r| &r.attrs.assessments);
        let typed = extras.needs.as_ref().filter(|n| n.seq == ph.seq);
        let recorded = ph.land_needs.as_ref();
        let (values, errors, gas, steam) = match (typed, recorded) {
            (Some(t), _) => (t.values.clone(), t.errors.clone(), t.gas, t.steam),
            (None, Some(n)) => (needs_form::values(n), HashMap::new(), n.gas, n.steam),
            (None, None) => (HashMap::new(), HashMap::new(), false, false),
        };
        let (moves, refused_moves) = land.moves.iter().fold(
            (Vec::new(), Vec::new()),
            |(mut ok, mut no), (to, allowed)| {
                let label = to.label().get(lang).to_string();
                match allowed {
                    Ok(()) => ok.push((to.as_str(), label)),
                    Err(why) => no.push((label, why.text(lang))),
                }
                (ok, no)
            },
        );
        phases.push(PhaseRow {
            id: ph.id,
            seq: ph.seq,
            name: ph.name.clone(),
            status: ph.status.label().get(lang).to_string(),
            parcel: ph.parcel_code.clone().unwrap_or_else(|| "—".into()),
            handover_date: ph
                .land_handover_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            has_list: view.listed.contains(&ph.id),
            moves,
            refused_moves,
            reserved: reserved.map(|r| (r.id, r.code.clone())),
            assessments: ASSESSMENTS
                .iter()
                .map(|(k, zh, en)| {
                    (
                        k.to_string(),
                        tr.pick(zh, en).to_string(),
                        own.iter().any(|a| a == k),
                    )
                })
                .collect(),
            needs: recorded
                .map(|n| needs_form::in_words(n, &tr))
                .unwrap_or_default(),
            needs_form: needs_form::fields(&names, &values, &errors, &tr),
            gas,
            steam,
            needs_open: typed.is_some(),
            release_error: extras
                .release_error
                .as_ref()
                .filter(|e| e.0 == ph.seq)
                .map(|e| {
                    (
                        needs_form::beside(&tr, tr.t("needs.release_reason"), &e.1),
                        e.2.clone(),
                    )
                }),
        });
    }
    let completion = completion_rows(state, page, p).await?;
    let title =
        l.tr.pick(&p.name, p.name_en.as_deref().unwrap_or(&p.name))
            .to_string();
    Ok(render(
        status,
        &ProjectPage {
            l: l.titled(title),
            project_id: p.id,
            facts,
            phases,
            may_hand_over: view.may_hand_over,
            today: state.app.today().to_string(),
            error: extras.error,
            notice: extras.notice,
            sees_land: view.sees_land,
            may_manage_parcels: view.may_manage_parcels,
            sewage_classes: needs_form::sewage_classes(),
            stewards: steward_rows,
            steward_choices: view.steward_choices,
            timeline: view.timeline,
            may_edit: view.may_edit,
            conditions: p
                .phases
                .iter()
                .map(|ph| PhaseConditions {
                    seq: ph.seq,
                    name: ph.name.clone(),
                    known: conditions::described(&ph.facts, lang),
                    unknown: conditions::unknown_count(&ph.facts),
                })
                .collect(),
            completion,
        },
    ))
}

/// Each phase in production with its latest post-completion check and the date it is
/// due from.
async fn completion_rows(
    state: &AppState,
    page: &PageUser,
    p: &luodi_store::stewardship::projects::Project,
) -> Result<Vec<CompletionRow>, ApiError> {
    use luodi_app::cluster::completion_list;
    use luodi_domain::stewardship::project::PhaseStatus;
    let lang = page.lang;
    let (checks, dates) = completion_list::for_project(&state.app, &page.caller(), p.id)
        .await
        .map_err(|e| ApiError::app(lang, e))?;
    Ok(p.phases
        .iter()
        .filter(|ph| {
            ph.status == PhaseStatus::InProduction
                || checks.iter().any(|c| c.record.phase_id == ph.id)
        })
        .filter(|_| !dates.is_empty())
        .map(|ph| {
            let d = dates.iter().find(|d| d.phase_id == ph.id);
            let due = d.and_then(|d| {
                luodi_domain::cluster::completion::production_due(
                    d.production_due_on,
                    d.construction_started_on,
                )
            });
            CompletionRow {
                phase_id: ph.id,
                name: ph.name.clone(),
                due: due.map_or("—".into(), |d| d.to_string()),
                check: checks.iter().find(|c| c.record.phase_id == ph.id).map(|c| {
                    (
                        c.record.id,
                        c.record.year,
                        c.verdict.label().get(lang).to_string(),
                        crate::cluster::pages::completion::verdict_badge(c.verdict),
                        c.shortfalls(lang),
                    )
                }),
                blocker: checks
                    .iter()
                    .find(|c| c.record.phase_id == ph.id)
                    .and_then(|c| c.record.blocker_id),
            }
        })
        .collect())
}

/// Hands the project to another steward (see `Store::assign_steward`); a refusal is shown
/// on the project's page with its reason.
async fn assign_steward(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = || Layout::new(&state, &page, "error.title", "nav.projects", "/projects");
    if let Err(r) =
        crate::pages::page_zone(&state, &page, Operation::AssignSteward, "nav.projects").await
    {
        return Ok(r);
    }
    let Some(pid) = path_number(&id) else {
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
        Err(e) => match Refusal::of(page.lang, e) {
            Refusal::Input(e) => {
                render_project(&state, &page, &id, e.status, Some(e.body.message)).await
            }
            r => r.answer(l()).await,
        },
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
    if let Err(r) =
        crate::pages::page_zone(&state, &page, Operation::MovePhase, "nav.projects").await
    {
        return Ok(r);
    }
    let (Some(pid), Some(seq)) = (path_number(&id), path_number(&seq)) else {
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
        Err(e) => match Refusal::of(page.lang, e) {
            Refusal::Input(e) if e.status == StatusCode::CONFLICT => {
                render_project(&state, &page, &id, e.status, Some(e.body.message)).await
            }
            r => r.answer(l()).await,
        },
    }
}
