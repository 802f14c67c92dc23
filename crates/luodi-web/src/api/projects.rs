//! `/api/v1/projects`, the phases' service lists and their items' steps, and the
//! departments' queues. Reads follow the caller's scope: an enterprise sees its own.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use luodi_domain::approvals::catalogue::Catalogue;
use luodi_domain::approvals::service_item::{ItemEvent, SpecialProcedure, clock};
use luodi_domain::core::calendar::Calendar;
use luodi_domain::{Lang, Operation};
use luodi_store::approvals::service_lists::{
    Handover, HandoverError, ListItem, ServiceList, StepError,
};
use luodi_store::stewardship::projects::{Phase, Project};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use luodi_app::forecast::phase::{ForecastResponse, forecast_of};
use luodi_app::stewardship::projects::{ProjectResponse, project_response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, t};
use crate::extract::{ApiUser, JsonBody, PathId, path_id};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(hand_over))
        .routes(routes!(service_list))
        .routes(routes!(step))
        .routes(routes!(queue))
        .routes(routes!(late))
        .routes(routes!(notice))
        .routes(routes!(forecast))
        .routes(routes!(what_if))
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", responses((status = 200, body = [ProjectResponse])), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<ProjectResponse>>, ApiError> {
    let projects = state
        .app
        .store
        .projects(&caller.user.scope())
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(projects.iter().map(project_response).collect()))
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
    #[schema(value_type = Vec<luodi_app::schemas::PhaseInputSchema>, min_items = 1, max_items = 10)]
    pub phases: Vec<luodi_domain::stewardship::project::PhaseInput>,
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = CreateProjectRequest,
    responses((status = 201, description = "recorded with its phases and steward; audited", body = ProjectResponse), (status = 403, body = ErrorBody),
        (status = 409, description = "the zone has a project of that name", body = ErrorBody),
        (status = 422, description = "every field at fault, e.g. phases[1].facts.land_area_mu", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<CreateProjectRequest>,
) -> Result<(StatusCode, Json<ProjectResponse>), ApiError> {
    let zone = caller.zone_for(Operation::CreateProject)?;
    let project = create_project(&state, &caller.user, caller.lang, zone, body).await?;
    Ok((StatusCode::CREATED, Json(project_response(&project))))
}

/// Checks a new project (fields, its enterprise and steward in the zone, a name not taken)
/// and records it; the API and the page share it.
pub async fn create_project(
    state: &AppState,
    user: &luodi_store::core::users::User,
    lang: Lang,
    zone: luodi_domain::ZoneId,
    body: CreateProjectRequest,
) -> Result<Project, ApiError> {
    use luodi_domain::stewardship::project::{ProjectDraft, ProjectInput};
    let draft = ProjectDraft::parse(&ProjectInput {
        name: body.name,
        name_en: body.name_en,
        total_investment_yuan: body.total_investment_yuan,
        industry_code: body.industry_code,
        chain_position: body.chain_position,
        expected_output_yuan: body.expected_output_yuan,
        expected_tax_yuan: body.expected_tax_yuan,
        jobs: body.jobs,
        phases: body.phases,
    })
    .map_err(|errs| ApiError::fields(lang, &errs))?;
    let scope = luodi_domain::Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let field = |f: &str, zh: String, en: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            t(lang, &zh, &en),
        )
        .field(f)
    };
    let enterprise = luodi_domain::EnterpriseId(body.enterprise_id);
    if state
        .app
        .store
        .enterprise(&scope, enterprise)
        .await
        .is_err()
    {
        return Err(field(
            "enterprise_id",
            format!("本园区没有编号为 {} 的企业", body.enterprise_id),
            format!("the zone has no enterprise {}", body.enterprise_id),
        ));
    }
    if let Some(s) = body.steward_user_id {
        let stewards = state
            .app
            .store
            .stewards(zone)
            .await
            .map_err(ApiError::internal)?;
        if !stewards.iter().any(|(id, _)| *id == s) {
            return Err(field(
                "steward_user_id",
                format!("用户 {s} 不是本园区在岗的项目服务管家"),
                format!("user {s} is not an active steward of this zone"),
            ));
        }
    }
    if state
        .app
        .store
        .project_by_name(zone, &draft.name)
        .await
        .map_err(ApiError::internal)?
        .is_some()
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            t(
                lang,
                &format!("本园区已有名为“{}”的项目", draft.name),
                &format!("the zone has a project named '{}'", draft.name),
            ),
        )
        .field("name"));
    }
    state
        .app
        .store
        .create_project(
            &user.actor(),
            zone,
            &luodi_store::stewardship::projects::NewProject {
                enterprise_id: enterprise,
                name: draft.name,
                name_en: draft.name_en,
                total_investment: draft.total_investment,
                industry_code: draft.industry_code,
                chain_position: draft.chain_position,
                expected_output: draft.expected_output,
                expected_tax: draft.expected_tax,
                jobs: draft.jobs,
                steward_id: body.steward_user_id.map(luodi_domain::UserId),
                phases: draft
                    .phases
                    .into_iter()
                    .map(
                        |(name, status, facts)| luodi_store::stewardship::projects::NewPhase {
                            name,
                            status,
                            facts,
                        },
                    )
                    .collect(),
            },
        )
        .await
        .map_err(|e| ApiError::store(lang, e))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectResponse), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ProjectResponse>, ApiError> {
    let p = state
        .app
        .store
        .project(&caller.user.scope(), id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(project_response(&p)))
}

/// The phase `seq` of project `id`, if the caller sees it.
async fn phase_of(
    state: &AppState,
    caller: &ApiUser,
    id: &str,
    seq: &str,
) -> Result<(Project, Phase), ApiError> {
    let id = path_id(id, caller.lang)?;
    let project = state
        .app
        .store
        .project(&caller.user.scope(), id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    let seq: i64 = seq.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            t(
                caller.lang,
                "期次须为正整数",
                "the phase must be a whole number",
            ),
        )
        .field("seq")
    })?;
    let phase = project
        .phases
        .iter()
        .find(|p| p.seq == seq)
        .cloned()
        .ok_or_else(|| ApiError::not_found(caller.lang).field("seq"))?;
    Ok((project, phase))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    #[schema(example = "2026-10-15", format = Date)]
    pub handover_date: String,
    /// The parcel reserved for the phase.
    #[schema(example = "GX-2026-07", min_length = 1, max_length = 40)]
    pub parcel_code: String,
    /// Regional assessments covering the parcel: environment, energy, geological_hazard,
    /// seismic, archaeology, flood, soil_water, traffic, mineral, meteorology.
    #[serde(default)]
    pub parcel_assessments: Vec<String>,
}

pub fn parse_date(raw: &str, field: &'static str, lang: Lang) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_date",
            t(
                lang,
                &format!("“{raw}”不是日期（YYYY-MM-DD）"),
                &format!("'{raw}' is not a date (YYYY-MM-DD)"),
            ),
        )
        .field(field)
    })
}

pub fn handover_error(lang: Lang, e: HandoverError) -> ApiError {
    match e {
        HandoverError::NoCatalogue => ApiError::new(
            StatusCode::CONFLICT,
            "no_catalogue",
            t(
                lang,
                "本园区尚未导入服务事项目录",
                "the zone has no service catalogue yet",
            ),
        ),
        HandoverError::AlreadyListed => ApiError::new(
            StatusCode::CONFLICT,
            "already_listed",
            t(
                lang,
                "该期项目已生成服务清单",
                "this phase already has its service list",
            ),
        )
        .field("seq"),
        HandoverError::UnknownAssessment(a) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_assessment",
            t(
                lang,
                &format!("“{a}”不是区域评估类型"),
                &format!("'{a}' is not a regional assessment kind"),
            ),
        )
        .field("parcel_assessments"),
        HandoverError::NoParcel => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            t(lang, "须填写地块编号", "the parcel code is required"),
        )
        .field("parcel_code"),
        HandoverError::Facts(f) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fact",
            f.to_string(),
        )
        .field(format!("facts.{}", f.field)),
        HandoverError::Store(e) => ApiError::store(lang, e),
        HandoverError::Parcel(e) => {
            let mut e = crate::api::parcels::allocation_error(lang, e);
            if e.status.is_client_error() {
                e.body.field = Some("parcel_code".into());
            }
            e
        }
    }
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/phases/{seq}/handover", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("seq" = i64, Path, description = "phase number, from 1")), request_body = HandoverRequest,
    responses((status = 201, description = "the land is handed over and the phase's service list made", body = ServiceListResponse), (status = 403, body = ErrorBody),
        (status = 409, description = "already listed, or no catalogue", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn hand_over(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, seq)): Path<(String, String)>,
    JsonBody(body): JsonBody<HandoverRequest>,
) -> Result<(StatusCode, Json<ServiceListResponse>), ApiError> {
    let lang = caller.lang;
    if !Operation::HandOverLand.allows(caller.user.role) {
        return Err(ApiError::forbidden(lang));
    }
    let (project, phase) = phase_of(&state, &caller, &id, &seq).await?;
    let handover = Handover {
        date: parse_date(&body.handover_date, "handover_date", lang)?,
        parcel_code: body.parcel_code.clone(),
        assessments: body.parcel_assessments.clone(),
    };
    let list = state
        .app
        .store
        .hand_over(
            &caller.user.actor(),
            &caller.user.scope(),
            phase.id,
            &handover,
        )
        .await
        .map_err(|e| handover_error(lang, e))?;
    state.app.forecast_wake.notify_one();
    Ok((
        StatusCode::CREATED,
        Json(list_response(&state, &project, &phase, list, lang).await?),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockResponse {
    /// The promised limit plus extensions.
    pub limit: u32,
    /// `working` or `calendar`.
    pub unit: String,
    pub used: i64,
    pub remaining: i64,
    pub due: Option<String>,
    /// not_started, waiting, incomplete (returned before acceptance), running, due_soon,
    /// overdue, stopped, done, done_late, refused, waived
    pub status: String,
    /// The status in the caller's language.
    pub status_text: String,
    /// The count crossed a year with no published holiday schedule.
    pub assumed: bool,
    /// Approved on commitment and not verified yet: verify by this date.
    pub verification_due: Option<String>,
    pub verification_overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListItemResponse {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub stage: String,
    pub category: String,
    pub department: String,
    /// not_started, submitted, accepted, returned (after acceptance), incomplete (returned
    /// before acceptance), special, approved, refused, waived
    pub state: String,
    /// always, rule_holds, to_confirm
    pub applicability: String,
    pub waived_by: Option<String>,
    pub prerequisites: Vec<String>,
    pub clock: ClockResponse,
    /// Send back as `version` with a step to guard against a concurrent change.
    pub version: i64,
    #[schema(value_type = Vec<Object>)]
    pub timeline: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceListResponse {
    pub id: i64,
    pub project_id: i64,
    pub phase_seq: i64,
    pub catalogue_version_id: i64,
    pub handover_date: String,
    /// Today in the zone, the day the clocks are read on.
    pub today: String,
    pub items: Vec<ListItemResponse>,
}

pub fn item_response(
    cal: &Calendar,
    catalogue: &Catalogue,
    item: &ListItem,
    today: NaiveDate,
    lang: Lang,
) -> ListItemResponse {
    let c = catalogue.item(&item.code);
    let limit =
        c.map(|c| c.promised_limit)
            .unwrap_or(luodi_domain::approvals::catalogue::TimeLimit {
                days: 0,
                unit: luodi_domain::approvals::catalogue::DayUnit::Working,
            });
    let k = clock(cal, limit, item.waived_by.is_some(), &item.events(), today);
    ListItemResponse {
        id: item.id,
        code: item.code.clone(),
        name: c
            .map(|c| match lang {
                Lang::Zh => c.name_zh.clone(),
                Lang::En => c.name_en.clone(),
            })
            .unwrap_or_default(),
        stage: c.map(|c| c.stage.clone()).unwrap_or_default(),
        category: c.map(|c| c.category.clone()).unwrap_or_default(),
        department: item.department_code.clone(),
        state: item.state.as_str().into(),
        applicability: serde_json::to_value(item.applicability)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        waived_by: item.waived_by.clone(),
        prerequisites: item.prerequisites.clone(),
        clock: ClockResponse {
            limit: k.limit,
            unit: match k.unit {
                luodi_domain::approvals::catalogue::DayUnit::Working => "working".into(),
                luodi_domain::approvals::catalogue::DayUnit::Calendar => "calendar".into(),
            },
            used: k.used,
            remaining: k.remaining,
            due: k.due.map(|d| d.to_string()),
            status: serde_json::to_value(k.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            status_text: k.status.label().get(lang).to_string(),
            assumed: k.assumed,
            verification_due: k.verification_due.map(|d| d.to_string()),
            verification_overdue: k.verification_overdue,
        },
        version: item.version,
        timeline: serde_json::to_value(&item.timeline).unwrap_or_default(),
    }
}

async fn list_response(
    state: &AppState,
    project: &Project,
    phase: &Phase,
    list: ServiceList,
    lang: Lang,
) -> Result<ServiceListResponse, ApiError> {
    let (_, _, catalogue) = state
        .app
        .store
        .catalogue(list.zone_id, Some(list.catalogue_version_id))
        .await
        .map_err(ApiError::internal)?;
    let cal = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let today = state.app.today();
    Ok(ServiceListResponse {
        id: list.id,
        project_id: project.id,
        phase_seq: phase.seq,
        catalogue_version_id: list.catalogue_version_id,
        handover_date: list.handover_date.to_string(),
        today: today.to_string(),
        items: list
            .items
            .iter()
            .map(|i| item_response(&cal, &catalogue, i, today, lang))
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/phases/{seq}/service-list", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("seq" = i64, Path, description = "phase number")),
    responses((status = 200, body = ServiceListResponse), (status = 404, description = "no such project or phase, or no list yet", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn service_list(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Json<ServiceListResponse>, ApiError> {
    let (project, phase) = phase_of(&state, &caller, &id, &seq).await?;
    let list = state
        .app
        .store
        .service_list(&caller.user.scope(), phase.id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(
        list_response(&state, &project, &phase, list, caller.lang).await?,
    ))
}

/// One step on an item. `kind` decides which other fields are read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// submit, accept, return, resubmit, start_special, end_special, extend, approve, refuse, verify
    #[schema(
        example = "accept",
        pattern = "^(submit|accept|return|resubmit|start_special|end_special|extend|approve|refuse|verify)$"
    )]
    pub kind: String,
    /// The date of the step (YYYY-MM-DD); default today in the zone.
    #[schema(format = Date)]
    pub on: Option<String>,
    /// For return, refuse and extend.
    pub reason: Option<String>,
    /// For accept with minor materials missing (容缺受理): what is missing …
    #[serde(default)]
    pub missing: Vec<String>,
    /// … and by when it must come.
    #[schema(format = Date)]
    pub missing_due: Option<String>,
    /// For start_special: hearing, expert_review, public_notice or inspection.
    #[schema(pattern = "^(hearing|expert_review|public_notice|inspection)$")]
    pub procedure: Option<String>,
    pub note: Option<String>,
    /// For extend: 1–60 more days, and who approved them.
    #[schema(minimum = 1, maximum = 60)]
    pub days: Option<u32>,
    pub approver: Option<String>,
    /// For approve on commitment (承诺): when the commitment is verified.
    #[schema(format = Date)]
    pub verify_by: Option<String>,
    /// For verify: whether the commitment was met (not met revokes the approval; give a note).
    pub met: Option<bool>,
    /// The item version you read; a newer one answers 409 `stale`.
    pub version: Option<i64>,
}

/// Turns a step request into an event (on `today` unless it says), naming the field at
/// fault.
pub fn step_event(body: &StepRequest, lang: Lang, today: NaiveDate) -> Result<ItemEvent, ApiError> {
    let on = match &body.on {
        Some(d) => parse_date(d, "on", lang)?,
        None => today,
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |v: &Option<String>, field: &'static str| {
        v.as_deref().map(|d| parse_date(d, field, lang)).transpose()
    };
    Ok(match body.kind.as_str() {
        "submit" => ItemEvent::Submit { on },
        "accept" => ItemEvent::Accept { on, missing: body.missing.clone(), missing_due: date(&body.missing_due, "missing_due")? },
        "return" => ItemEvent::Return { on, reason: text(&body.reason) },
        "resubmit" => ItemEvent::Resubmit { on },
        "start_special" => {
            let procedure = match body.procedure.as_deref() {
                Some("hearing") => SpecialProcedure::Hearing,
                Some("expert_review") => SpecialProcedure::ExpertReview,
                Some("public_notice") => SpecialProcedure::PublicNotice,
                Some("inspection") => SpecialProcedure::Inspection,
                _ => return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_choice", t(lang, "特别程序应为 hearing、expert_review、public_notice 或 inspection", "procedure must be hearing, expert_review, public_notice or inspection")).field("procedure")),
            };
            ItemEvent::StartSpecial { on, procedure, note: text(&body.note) }
        }
        "end_special" => ItemEvent::EndSpecial { on },
        "extend" => ItemEvent::Extend { on, days: body.days.unwrap_or(0), reason: text(&body.reason), approver: text(&body.approver) },
        "approve" => ItemEvent::Approve { on, verify_by: date(&body.verify_by, "verify_by")? },
        "refuse" => ItemEvent::Refuse { on, reason: text(&body.reason) },
        "verify" => {
            let met = body.met.ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "required", t(lang, "须说明承诺是否履行（met）", "say whether the commitment was met (met)")).field("met"))?;
            ItemEvent::Verify { on, met, note: body.note.clone().or(body.reason.clone()).unwrap_or_default() }
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_choice",
                t(lang, &format!("“{other}”不是办理步骤"), &format!("'{other}' is not a step: use submit, accept, return, resubmit, start_special, end_special, extend, approve or refuse")),
            )
            .field("kind"))
        }
    })
}

pub fn step_error(lang: Lang, e: StepError) -> ApiError {
    match e {
        StepError::Forbidden => ApiError::forbidden(lang),
        StepError::Transition(t) => {
            let status = if matches!(
                t,
                luodi_domain::approvals::service_item::TransitionError::WrongParty { .. }
            ) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::CONFLICT
            };
            let status = if matches!(
                t,
                luodi_domain::approvals::service_item::TransitionError::Missing { .. }
                    | luodi_domain::approvals::service_item::TransitionError::BadExtension
                    | luodi_domain::approvals::service_item::TransitionError::BeforeLast { .. }
            ) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                status
            };
            ApiError::new(status, "step_refused", t.text().get(lang)).field(t.field())
        }
        StepError::Store(e) => ApiError::store(lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/service-items/{id}/steps", tag = "projects", params(("id" = i64, Path, description = "service list item id")), request_body = StepRequest,
    responses((status = 200, body = ListItemResponse), (status = 403, description = "not your part of the item", body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "not possible in the item's state, or stale", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn step(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<StepRequest>,
) -> Result<Json<ListItemResponse>, ApiError> {
    let lang = caller.lang;
    let event = step_event(&body, lang, state.app.today())?;
    let (item, catalogue_version) = state
        .app
        .store
        .item_step(&caller.user, id, event, body.version)
        .await
        .map_err(|e| step_error(lang, e))?;
    state.app.forecast_wake.notify_one();
    let zone = caller
        .user
        .zone_id
        .ok_or_else(|| ApiError::forbidden(lang))?;
    let (_, _, catalogue) = state
        .app
        .store
        .catalogue(zone, Some(catalogue_version))
        .await
        .map_err(ApiError::internal)?;
    let cal = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(item_response(
        &cal,
        &catalogue,
        &item,
        state.app.today(),
        lang,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueEntry {
    pub project_id: i64,
    pub phase_id: i64,
    pub item: ListItemResponse,
}

#[utoipa::path(get, path = "/api/v1/departments/{code}/queue", tag = "projects", params(("code" = String, Path, description = "department code, e.g. approval-bureau")),
    responses((status = 200, description = "open items, oldest submission first", body = [QueueEntry]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Vec<QueueEntry>>, ApiError> {
    let lang = caller.lang;
    let zone = caller.zone_for(Operation::ViewDepartmentQueue)?;
    let entries = state
        .app
        .store
        .department_queue(zone, &code)
        .await
        .map_err(ApiError::internal)?;
    let (_, _, catalogue) = match state.app.store.catalogue(zone, None).await {
        Ok(c) => c,
        Err(luodi_store::StoreError::NotFound) => return Ok(Json(Vec::new())),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let cal = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let today = state.app.today();
    Ok(Json(
        entries
            .into_iter()
            .map(|(item, project_id, phase_id)| QueueEntry {
                project_id,
                phase_id,
                item: item_response(&cal, &catalogue, &item, today, lang),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentLateness {
    pub department: String,
    pub department_name: String,
    /// Open items (submitted, in progress, returned, special procedure).
    pub open: usize,
    pub due_soon: usize,
    pub overdue: usize,
    /// The overdue items, most overdue first.
    pub overdue_items: Vec<QueueEntry>,
}

/// A department's name in the catalogue, in `lang` (its code when the catalogue lacks it).
pub fn department_name(catalogue: &Catalogue, code: &str, lang: Lang) -> String {
    catalogue
        .file
        .departments
        .iter()
        .find(|d| d.code == code)
        .map(|d| {
            if lang == Lang::Zh {
                d.name_zh.clone()
            } else {
                d.name_en.clone()
            }
        })
        .unwrap_or_else(|| code.to_string())
}

/// Open items by department with their clocks: what leadership watches.
pub async fn lateness(
    state: &AppState,
    zone: luodi_domain::ZoneId,
    lang: Lang,
) -> Result<Vec<DepartmentLateness>, ApiError> {
    let open = state
        .app
        .store
        .open_items(zone)
        .await
        .map_err(ApiError::internal)?;
    let cal = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let today = state.app.today();
    let mut catalogues: std::collections::HashMap<i64, Catalogue> =
        std::collections::HashMap::new();
    let mut by_dept: std::collections::BTreeMap<String, DepartmentLateness> =
        std::collections::BTreeMap::new();
    for (item, project_id, phase_id, version) in open {
        if let std::collections::hash_map::Entry::Vacant(e) = catalogues.entry(version) {
            let (_, _, c) = state
                .app
                .store
                .catalogue(zone, Some(version))
                .await
                .map_err(ApiError::internal)?;
            e.insert(c);
        }
        let catalogue = &catalogues[&version];
        let name = department_name(catalogue, &item.department_code, lang);
        let response = item_response(&cal, catalogue, &item, today, lang);
        let awaiting_verification = response.clock.verification_due.is_some();
        if item.state == luodi_domain::approvals::service_item::ItemState::Approved
            && !awaiting_verification
        {
            continue;
        }
        let entry = by_dept
            .entry(item.department_code.clone())
            .or_insert_with(|| DepartmentLateness {
                department: item.department_code.clone(),
                department_name: name,
                open: 0,
                due_soon: 0,
                overdue: 0,
                overdue_items: Vec::new(),
            });
        entry.open += 1;
        if response.clock.status == "overdue" || response.clock.verification_overdue {
            entry.overdue += 1;
            entry.overdue_items.push(QueueEntry {
                project_id,
                phase_id,
                item: response,
            });
        } else if response.clock.status == "due_soon" {
            entry.due_soon += 1;
        }
    }
    let mut out: Vec<DepartmentLateness> = by_dept.into_values().collect();
    for d in &mut out {
        d.overdue_items.sort_by_key(|e| e.item.clock.remaining);
    }
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.due_soon.cmp(&a.due_soon)));
    Ok(out)
}

#[utoipa::path(get, path = "/api/v1/service-items/late", tag = "projects",
    responses((status = 200, description = "open items by department, most overdue first", body = [DepartmentLateness]), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn late(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<DepartmentLateness>>, ApiError> {
    let lang = caller.lang;
    let zone = caller.zone_for(Operation::ViewLateness)?;
    Ok(Json(lateness(&state, zone, lang).await?))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/phases/{seq}/notice", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("seq" = i64, Path, description = "phase number")),
    responses((status = 200, description = "the one-time notification (一次性告知书), typeset in the caller's language", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "no such project or phase, or no list yet", body = ErrorBody),
        (status = 503, description = "no Chinese font is installed on the server", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn notice(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let tr = crate::i18n::Tr::new(caller.lang);
    let Some(n) =
        crate::pages::projects::build_notice(&state, &caller.user, &id, &seq, &tr).await?
    else {
        return Err(ApiError::not_found(caller.lang));
    };
    let made = tokio::task::spawn_blocking(move || crate::notice::pdf(&n, &tr))
        .await
        .map_err(ApiError::internal)?;
    match made {
        Ok(bytes) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/pdf")],
            bytes,
        )
            .into_response()),
        Err(e @ crate::notice::PdfError::NoCjkFont) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_cjk_font",
            e.to_string(),
        )),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// The phase to forecast: the one asked for, or the first with its land; either way it must
/// have been handed its land (which is when its list is made).
fn phase_with_list(project: &Project, seq: Option<i64>, lang: Lang) -> Result<Phase, ApiError> {
    let found = match seq {
        Some(seq) => project.phases.iter().find(|p| p.seq == seq),
        None => project
            .phases
            .iter()
            .find(|p| p.land_handover_date.is_some()),
    };
    found
        .filter(|p| p.land_handover_date.is_some())
        .cloned()
        .ok_or_else(|| ApiError::not_found(lang).field("phase"))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/forecast", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("phase" = Option<i64>, Query, description = "phase number; default the first with a list"),
        ("samples" = Option<usize>, Query, description = "Monte Carlo samples, 100–20,000 (default 1,000)"), ("seed" = Option<u64>, Query, description = "random seed (default 1); the same seed gives the same answer")),
    responses((status = 200, body = ForecastResponse), (status = 400, body = ErrorBody), (status = 404, description = "no such project, or no phase with a list", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn forecast(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    params: crate::extract::QueryParams,
) -> Result<Json<ForecastResponse>, ApiError> {
    let lang = caller.lang;
    let params = params.with_lang(lang);
    params.only(&["phase", "samples", "seed"])?;
    let project = state
        .app
        .store
        .project(&caller.user.scope(), id)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let samples = params.int("samples", 100, 20_000)?.unwrap_or(1_000) as usize;
    let seed = params.int("seed", 0, i64::MAX)?.unwrap_or(1) as u64;
    let phase = phase_with_list(&project, params.int("phase", 1, 99)?, lang)?;
    Ok(Json(
        forecast_of(
            &state.app,
            &caller.caller(),
            &project,
            &phase,
            samples,
            seed,
            &[],
        )
        .await
        .map_err(|e| ApiError::app(lang, e))?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModeChangeRequest {
    #[schema(example = "SG02")]
    pub item: String,
    /// commitment, parallel, minor_missing or regional_assessment
    #[schema(example = "commitment")]
    pub mode: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// Phase number; default the first with a list.
    pub phase: Option<i64>,
    pub changes: Vec<ModeChangeRequest>,
    pub samples: Option<usize>,
    pub seed: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhatIfResponse {
    pub base: ForecastResponse,
    pub what_if: ForecastResponse,
    /// Per milestone, working days saved by the changes (deterministic).
    #[schema(value_type = Object)]
    pub saved_working_days: std::collections::BTreeMap<String, f64>,
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/forecast/what-if", tag = "projects", params(("id" = i64, Path, description = "project id")), request_body = WhatIfRequest,
    responses((status = 200, body = WhatIfResponse), (status = 404, body = ErrorBody), (status = 422, description = "an item or mode is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn what_if(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<WhatIfRequest>,
) -> Result<Json<WhatIfResponse>, ApiError> {
    use luodi_domain::approvals::catalogue::ReformMode;
    let lang = caller.lang;
    let project = state
        .app
        .store
        .project(&caller.user.scope(), id)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let phase = phase_with_list(&project, body.phase, lang)?;
    let samples = body.samples.unwrap_or(1_000);
    if !(100..=20_000).contains(&samples) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
            t(
                lang,
                "samples 须在 100 到 20000 之间",
                "samples must be 100 to 20000",
            ),
        )
        .field("samples"));
    }
    let mut changes = Vec::new();
    for (i, c) in body.changes.iter().enumerate() {
        let mode = match c.mode.as_str() {
            "commitment" => ReformMode::Commitment,
            "parallel" => ReformMode::Parallel,
            "minor_missing" => ReformMode::MinorMissing,
            "regional_assessment" => ReformMode::RegionalAssessment,
            other => {
                return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_choice", format!("'{other}' is not a reform mode: use commitment, parallel, minor_missing or regional_assessment")).field(format!("changes[{i}].mode")))
            }
        };
        changes.push(luodi_domain::forecast::critical_path::ModeChange {
            item: c.item.clone(),
            mode,
        });
    }
    let seed = body.seed.unwrap_or(1);
    let base = forecast_of(
        &state.app,
        &caller.caller(),
        &project,
        &phase,
        samples,
        seed,
        &[],
    )
    .await
    .map_err(|e| ApiError::app(caller.lang, e))?;
    let changed = forecast_of(
        &state.app,
        &caller.caller(),
        &project,
        &phase,
        samples,
        seed,
        &changes,
    )
    .await
    .map_err(|e| ApiError::app(caller.lang, e))?;
    let saved = base
        .milestones
        .iter()
        .filter_map(|(name, m)| {
            changed
                .milestones
                .get(name)
                .map(|w| (name.clone(), m.working_days - w.working_days))
        })
        .collect();
    Ok(Json(WhatIfResponse {
        base,
        what_if: changed,
        saved_working_days: saved,
    }))
}
