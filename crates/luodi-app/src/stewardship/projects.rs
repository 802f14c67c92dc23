//! Projects and their phases: recorded, listed and read, as the API and the CLI show them.

use luodi_domain::stewardship::project::{PhaseInput, ProjectDraft, ProjectInput};
use luodi_domain::{EnterpriseId, Operation, Scope, UserId};
use luodi_store::StoreError;
use luodi_store::stewardship::projects::{
    EditError, NewPhase, NewProject, Phase, Project, ProjectEdit,
};
use luodi_store::stewardship::stewards::StewardAssignment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::StewardshipError;
use super::stewards::{TimelineEntry, actor_display, current, timeline};
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseResponse {
    pub id: i64,
    pub seq: i64,
    pub name: String,
    /// lead, signed, land_matched, land_handed_over, construction_permit, construction_started, completion_accepted, in_production
    pub status: String,
    pub parcel_code: Option<String>,
    pub parcel_assessments: Option<Vec<String>>,
    pub land_handover_date: Option<String>,
    /// What applicability rules read (investment, areas, flags, approval route …).
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    pub id: i64,
    pub zone_id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub name_en: Option<String>,
    /// Yuan with two decimals, as text (exact).
    #[schema(example = "6000000000.00")]
    pub total_investment_yuan: String,
    pub industry_code: Option<String>,
    pub chain_position: Option<String>,
    pub jobs: Option<i64>,
    /// 项目服务管家 — the steward now (`/api/v1/projects/{id}/steward` has the history).
    pub steward_user_id: Option<i64>,
    pub phases: Vec<PhaseResponse>,
    /// Raised by every edit; `PUT /api/v1/projects/{id}` names the version it read.
    pub version: i64,
}

fn yuan(f: luodi_domain::core::money::Fen) -> String {
    format!("{}.{:02}", f.0 / 100, (f.0 % 100).abs())
}

pub fn phase_response(p: &Phase) -> PhaseResponse {
    PhaseResponse {
        id: p.id,
        seq: p.seq,
        name: p.name.clone(),
        status: p.status.as_str().into(),
        parcel_code: p.parcel_code.clone(),
        parcel_assessments: p.parcel_assessments.clone(),
        land_handover_date: p.land_handover_date.map(|d| d.to_string()),
        facts: serde_json::to_value(&p.facts).unwrap_or_default(),
    }
}

pub fn project_response(p: &Project) -> ProjectResponse {
    ProjectResponse {
        id: p.id,
        zone_id: p.zone_id.0,
        enterprise_id: p.enterprise_id.0,
        name: p.name.clone(),
        name_en: p.name_en.clone(),
        total_investment_yuan: yuan(p.total_investment),
        industry_code: p.industry_code.clone(),
        chain_position: p.chain_position.map(|c| c.as_str().into()),
        jobs: p.jobs,
        steward_user_id: p.steward_id.map(|u| u.0),
        phases: p.phases.iter().map(phase_response).collect(),
        version: p.version,
    }
}

/// The projects the caller sees.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<Project>, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    Ok(app.store.projects(&scope).await?)
}

/// Project `id`, if the caller sees it.
pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<Project, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    Ok(app.store.project(&scope, id).await?)
}

/// A new project: its enterprise, facts, steward and phases.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProjectRequest {
    pub enterprise_id: i64,
    #[schema(example = "青岛国药科技城")]
    pub name: String,
    pub name_en: Option<String>,
    /// Yuan, as text (exact).
    #[schema(example = "6000000000")]
    pub total_investment_yuan: String,
    #[schema(example = "C2761")]
    pub industry_code: Option<String>,
    /// upstream, midstream or downstream.
    pub chain_position: Option<String>,
    pub expected_output_yuan: Option<String>,
    pub expected_tax_yuan: Option<String>,
    pub jobs: Option<i64>,
    /// An active steward of the zone (项目服务管家).
    pub steward_user_id: Option<i64>,
    /// 1–10 phases: name, status (lead or signed) and the facts rules read.
    #[schema(value_type = Vec<crate::schemas::PhaseInputSchema>, min_items = 1, max_items = 10)]
    pub phases: Vec<PhaseInput>,
}

/// Checks a new project (fields, its enterprise and steward in the zone, a name not taken)
/// and records it in the caller's zone.
pub async fn create(
    app: &App,
    caller: &Caller,
    request: CreateProjectRequest,
) -> Result<Project, StewardshipError> {
    let zone = caller.zone_for(Operation::CreateProject)?;
    let draft = ProjectDraft::parse(&ProjectInput {
        name: request.name,
        name_en: request.name_en,
        total_investment_yuan: request.total_investment_yuan,
        industry_code: request.industry_code,
        chain_position: request.chain_position,
        expected_output_yuan: request.expected_output_yuan,
        expected_tax_yuan: request.expected_tax_yuan,
        jobs: request.jobs,
        phases: request.phases,
    })
    .map_err(StewardshipError::Fields)?;
    let scope = Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let enterprise = EnterpriseId(request.enterprise_id);
    if app.store.enterprise(&scope, enterprise).await.is_err() {
        return Err(StewardshipError::UnknownEnterprise(request.enterprise_id));
    }
    if let Some(s) = request.steward_user_id
        && !app
            .store
            .stewards(zone)
            .await?
            .iter()
            .any(|(id, _)| *id == s)
    {
        return Err(StewardshipError::NotSteward(s));
    }
    if app
        .store
        .project_by_name(zone, &draft.name)
        .await?
        .is_some()
    {
        return Err(StewardshipError::NameTaken(draft.name));
    }
    Ok(app
        .store
        .create_project(
            &caller.actor,
            zone,
            &NewProject {
                enterprise_id: enterprise,
                name: draft.name,
                name_en: draft.name_en,
                total_investment: draft.total_investment,
                industry_code: draft.industry_code,
                chain_position: draft.chain_position,
                expected_output: draft.expected_output,
                expected_tax: draft.expected_tax,
                jobs: draft.jobs,
                steward_id: request.steward_user_id.map(UserId),
                phases: draft
                    .phases
                    .into_iter()
                    .map(|(name, status, facts)| NewPhase {
                        name,
                        status,
                        facts,
                    })
                    .collect(),
            },
        )
        .await?)
}

/// A project's new details, as read: the version read (the edit is refused if the
/// project changed since), and every phase in order — the existing ones first (their
/// names and conditions; their `status` is not read, since a phase's stage is its
/// lifecycle's), then any added (`lead` or `signed`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProjectRequest {
    /// The project's `version` as read.
    pub version: i64,
    #[schema(example = "青岛国药科技城")]
    pub name: String,
    pub name_en: Option<String>,
    /// Yuan, as text (exact).
    #[schema(example = "6000000000")]
    pub total_investment_yuan: String,
    #[schema(example = "C2761")]
    pub industry_code: Option<String>,
    /// upstream, midstream or downstream.
    pub chain_position: Option<String>,
    pub expected_output_yuan: Option<String>,
    pub expected_tax_yuan: Option<String>,
    pub jobs: Option<i64>,
    /// Every phase the project has, in order, then any added: 1–10 in all.
    #[schema(value_type = Vec<crate::schemas::PhaseInputSchema>, min_items = 1, max_items = 10)]
    pub phases: Vec<PhaseInput>,
}

/// Changes project `id` of the caller's zone: checks every field as a new project's, then
/// records the change (audited) if nobody changed the project since `version`.
pub async fn update(
    app: &App,
    caller: &Caller,
    id: i64,
    request: UpdateProjectRequest,
) -> Result<Project, StewardshipError> {
    let zone = caller.zone_for(Operation::EditProject)?;
    let scope = Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let existing = app.store.project(&scope, id).await?;
    let mut phases = request.phases;
    for p in phases.iter_mut().take(existing.phases.len()) {
        p.status = None;
    }
    let draft = ProjectDraft::parse(&ProjectInput {
        name: request.name,
        name_en: request.name_en,
        total_investment_yuan: request.total_investment_yuan,
        industry_code: request.industry_code,
        chain_position: request.chain_position,
        expected_output_yuan: request.expected_output_yuan,
        expected_tax_yuan: request.expected_tax_yuan,
        jobs: request.jobs,
        phases,
    })
    .map_err(StewardshipError::Fields)?;
    let edit = ProjectEdit {
        name: draft.name,
        name_en: draft.name_en,
        total_investment: draft.total_investment,
        industry_code: draft.industry_code,
        chain_position: draft.chain_position,
        expected_output: draft.expected_output,
        expected_tax: draft.expected_tax,
        jobs: draft.jobs,
        phases: draft
            .phases
            .into_iter()
            .map(|(name, status, facts)| NewPhase {
                name,
                status,
                facts,
            })
            .collect(),
    };
    match app
        .store
        .update_project(&caller.actor, zone, id, request.version, &edit)
        .await
    {
        Ok(p) => {
            // The forecast reads the phases' conditions (the building period).
            app.forecast_wake.notify_one();
            Ok(p)
        }
        Err(EditError::PhasesRemoved { had }) => Err(StewardshipError::PhasesRemoved(had)),
        Err(EditError::Store(StoreError::Conflict { value, .. })) => {
            Err(StewardshipError::NameTaken(value))
        }
        Err(EditError::Store(e)) => Err(e.into()),
    }
}

/// What the project form offers a new project: the zone's enterprises and its stewards,
/// (id, name) each, by name.
pub struct FormChoices {
    pub enterprises: Vec<(i64, String)>,
    pub stewards: Vec<(i64, String)>,
}

/// The choices of the form that records a project, for a caller who may record one.
pub async fn form_choices(app: &App, caller: &Caller) -> Result<FormChoices, StewardshipError> {
    let zone = caller.zone_for(Operation::CreateProject)?;
    let scope = caller.scope_for(Operation::CreateProject)?;
    let mut enterprises: Vec<(i64, String)> = app
        .store
        .enterprises(
            &scope,
            &Default::default(),
            luodi_store::PageRequest {
                page: 1,
                per_page: luodi_store::PageRequest::MAX_PER_PAGE,
            },
        )
        .await?
        .items
        .into_iter()
        .map(|e| (e.id.0, e.name))
        .collect();
    enterprises.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(FormChoices {
        enterprises,
        stewards: app.store.stewards(zone).await?,
    })
}

/// Project `id` as its edit form reads it, for a caller who may edit it.
pub async fn for_edit(app: &App, caller: &Caller, id: i64) -> Result<Project, StewardshipError> {
    let zone = caller.zone_for(Operation::EditProject)?;
    let scope = Scope {
        zone: Some(zone),
        enterprise: None,
    };
    Ok(app.store.project(&scope, id).await?)
}

/// A project as the projects list shows it (`project_list.rs`).
pub struct ProjectLine {
    pub project: Project,
    /// Its enterprise's name (empty when the caller does not see it).
    pub enterprise: String,
    /// Its steward's name, where the caller sees the staff's names.
    pub steward: Option<String>,
}

/// The name of the project's enterprise, if the caller sees it.
async fn enterprise_name(app: &App, scope: &Scope, p: &Project) -> String {
    app.store
        .enterprise(scope, p.enterprise_id)
        .await
        .map(|e| e.name)
        .unwrap_or_default()
}

/// A steward's assignment with who made it, as a person reads it.
pub struct StewardLine {
    pub assignment: StewardAssignment,
    pub assigned_by: String,
}

/// What a project's page shows.
pub struct ProjectView {
    pub project: Project,
    pub enterprise: String,
    /// The steward now, by name.
    pub steward: Option<String>,
    /// Every assignment, the first first.
    pub stewards: Vec<StewardLine>,
    /// The zone's stewards to hand the project to, where the caller may: (id, name).
    pub steward_choices: Vec<(i64, String)>,
    /// The newest first.
    pub timeline: Vec<TimelineEntry>,
    /// The ids of the phases that have a service list.
    pub listed: Vec<i64>,
    /// Whether the caller may move phases by hand, and hand land over.
    pub may_move: bool,
    pub may_hand_over: bool,
    /// Whether the caller may edit the project (its details, phases and conditions).
    pub may_edit: bool,

    /// Whether the caller sees the zone's parcels and phases' land needs, and may record
    /// needs, reserve and release parcels.
    pub sees_land: bool,
    pub may_manage_parcels: bool,
    /// Each phase's land, in the order of `project.phases`.
    pub land: Vec<PhaseLand>,
}

/// A phase's land as its project's page shows it.
pub struct PhaseLand {
    /// The parcel reserved for the phase (not yet handed over), where the caller sees
    /// parcels.
    pub reserved: Option<luodi_store::land::parcels::Parcel>,
    /// Every stage the caller could move the phase to by hand, each with whether the
    /// lifecycle allows it now or why not (empty where the caller may not move phases).
    pub moves: Vec<(
        luodi_domain::stewardship::project::PhaseStatus,
        Result<(), luodi_domain::stewardship::project::LifecycleError>,
    )>,
}

/// Project `id` as its page shows it, if the caller sees it.
pub async fn page(app: &App, caller: &Caller, id: i64) -> Result<ProjectView, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let project = app.store.project(&scope, id).await?;
    let enterprise = enterprise_name(app, &scope, &project).await;
    let history = app.store.steward_history(&scope, project.id).await?;
    let steward = current(&history).map(|a| a.name.clone());
    let steward_choices = match caller.zone_for(Operation::AssignSteward) {
        Ok(zone) => app.store.stewards(zone).await?,
        Err(_) => Vec::new(),
    };
    let mut names = std::collections::HashMap::new();
    let mut stewards = Vec::with_capacity(history.len());
    for assignment in history {
        let assigned_by =
            actor_display(app, &assignment.assigned_by, caller.lang, &mut names).await;
        stewards.push(StewardLine {
            assignment,
            assigned_by,
        });
    }
    let mut timeline = timeline(app, caller, project.id, 50).await?;
    timeline.reverse();
    let mut listed = Vec::new();
    for ph in &project.phases {
        match app.store.service_list(&scope, ph.id).await {
            Ok(_) => listed.push(ph.id),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let land_zone = caller.zone_for(Operation::ViewParcels).ok();
    let may_move = caller.zone_for(Operation::MovePhase).is_ok();
    let policy: luodi_domain::stewardship::project::LifecyclePolicy = match land_zone {
        Some(zone) if may_move => {
            app.store
                .zone_setting(zone, luodi_store::core::orgs::LIFECYCLE)
                .await?
        }
        _ => Default::default(),
    };
    let mut land = Vec::with_capacity(project.phases.len());
    for ph in &project.phases {
        // The phase's parcel, reserved or handed over, as `Store::move_phase` reads it.
        let mut parcels = Vec::new();
        if let Some(zone) = land_zone {
            for id in app.store.phase_parcel_ids(zone, ph.id).await? {
                parcels.push(app.store.parcel(zone, id).await?);
            }
        }
        let reserved = parcels.iter().find(|p| {
            p.status == luodi_domain::land::parcel::ParcelStatus::Reserved
                && p.reserved_phase_id == Some(ph.id)
        });
        let moves = if may_move {
            ph.status.moves_by_hand(!parcels.is_empty(), policy)
        } else {
            Vec::new()
        };
        land.push(PhaseLand {
            reserved: reserved.cloned(),
            moves,
        });
    }
    Ok(ProjectView {
        project,
        enterprise,
        steward,
        stewards,
        steward_choices,
        timeline,
        listed,
        may_move,
        may_hand_over: Operation::HandOverLand.allows(caller.policy.role),
        may_edit: caller.zone_for(Operation::EditProject).is_ok(),

        sees_land: land_zone.is_some(),
        may_manage_parcels: caller.zone_for(Operation::ManageParcels).is_ok(),
        land,
    })
}
