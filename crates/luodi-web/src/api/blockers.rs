//! `/api/v1/blockers`: a project's difficulties and blockages (难点堵点) — raised by the
//! steward or the enterprise, acted on by the department they are with, confirmed and rated
//! by the enterprise; each with its three clocks on the working-day calendar. An enterprise
//! sees and raises only its own; an approval officer acts for their own department.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use luodi_domain::core::calendar::Calendar;
use luodi_domain::stewardship::blocker::{
    Action as BlockerAction, Blocker, CATEGORIES, Clock, PRIORITIES, Party, Sla,
    State as BlockerState,
};
use luodi_domain::{Lang, Operation};
use luodi_store::stewardship::blockers::{
    BlockerActionError, BlockerFilter, BlockerRecord, NewBlocker,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, t};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, raise))
        .routes(routes!(show))
        .routes(routes!(act))
        .routes(routes!(sla, set_sla))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockerClockResponse {
    /// `acknowledge`, `answer` or `resolve`.
    pub kind: &'static str,
    pub label: String,
    /// Working days allowed.
    pub limit: u32,
    /// Working days counted so far (paused days left out).
    pub used: i64,
    /// The last working day to be on time; none while paused before reaching it.
    pub due: Option<String>,
    pub stopped_on: Option<String>,
    /// `running`, `due_soon`, `paused`, `missed`, `met` or `met_late`.
    #[schema(value_type = String)]
    pub status: luodi_domain::stewardship::blocker::ClockStatus,
    pub status_text: String,
    /// The count ran into a year whose holidays are not published yet.
    pub assumed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    pub seq: i64,
    pub on: String,
    /// `steward`, `enterprise`, `department`, `leader` or `system`.
    pub by: &'static str,
    pub user_name: Option<String>,
    /// The action with its fields: `kind` and, by kind, `text`, `reason`, `department`,
    /// `rating`, `comment`, `resolve_limit`, `clock`, `rung`.
    #[schema(value_type = Object)]
    pub action: BlockerAction,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockerResponse {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub phase_id: Option<i64>,
    pub category: String,
    pub category_text: String,
    pub priority: String,
    pub priority_text: String,
    pub title: String,
    pub description: String,
    pub attachments: Vec<String>,
    pub department_id: i64,
    pub department: String,
    /// `open`, `acknowledged`, `answered`, `resolved` (awaiting the enterprise's
    /// confirmation), `closed` or `withdrawn`.
    pub state: &'static str,
    pub state_text: String,
    pub raised_on: String,
    pub raised_by: &'static str,
    pub waiting_on_enterprise: bool,
    pub complex_limit: Option<u32>,
    pub reopened: u32,
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<u8>,
    /// Send it back with an action, so that a change made meanwhile is not overwritten.
    pub version: i64,
    pub clocks: Vec<BlockerClockResponse>,
    /// The action kinds the caller may take now.
    pub actions: Vec<&'static str>,
    /// In order; only on `GET /api/v1/blockers/{id}` and after an action.
    pub events: Vec<EventResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockerList {
    pub today: String,
    pub blockers: Vec<BlockerResponse>,
}

fn label(list: &[(&str, &str, &str)], code: &str, lang: Lang) -> String {
    list.iter()
        .find(|c| c.0 == code)
        .map(|c| if lang == Lang::Zh { c.1 } else { c.2 }.to_string())
        .unwrap_or_else(|| code.to_string())
}

fn clock_response(c: &Clock, lang: Lang) -> BlockerClockResponse {
    BlockerClockResponse {
        kind: c.kind.as_str(),
        label: c.kind.label().get(lang).to_string(),
        limit: c.limit,
        used: c.used,
        due: c.due.map(|d| d.to_string()),
        stopped_on: c.stopped_on.map(|d| d.to_string()),
        status: c.status,
        status_text: c.status.label().get(lang).to_string(),
        assumed: c.assumed,
    }
}

/// What the caller acts as on this blocker, if anything: an approval officer only for the
/// department the blocker is with.
fn party_for(caller: &ApiUser, b: &BlockerRecord) -> Option<Party> {
    let party = luodi_domain::core::policy::blocker_party(caller.user.role);
    match party {
        Party::Department => (caller.user.department_id.map(|d| d.0) == Some(b.department_id))
            .then_some(Party::Department),
        p => Some(p),
    }
}

/// A probe of each action kind, for the actions the caller may take.
fn probes() -> Vec<BlockerAction> {
    let s = || "-".to_string();
    vec![
        BlockerAction::Acknowledged,
        BlockerAction::Rerouted {
            department: -1,
            reason: s(),
        },
        BlockerAction::Answered { text: s() },
        BlockerAction::WaitingOnEnterprise { reason: s() },
        BlockerAction::EnterpriseResponded { text: s() },
        BlockerAction::MarkedComplex {
            resolve_limit: u32::MAX,
            reason: s(),
        },
        BlockerAction::Resolved { text: s() },
        BlockerAction::Confirmed {
            rating: 5,
            comment: String::new(),
        },
        BlockerAction::Withdrawn { reason: s() },
    ]
}

pub fn response(
    caller: &ApiUser,
    b: &BlockerRecord,
    calendar: &Calendar,
    today: NaiveDate,
    with_events: bool,
) -> Result<BlockerResponse, ApiError> {
    let lang = caller.lang;
    let blocker: Blocker = b.blocker().map_err(ApiError::internal)?;
    let clocks = blocker.clocks(calendar, &b.limits, today);
    let actions = match party_for(caller, b) {
        Some(party) => probes()
            .into_iter()
            .filter(|a| match a {
                // Any allowed limit will do for the probe.
                BlockerAction::MarkedComplex { reason, .. } => {
                    blocker.may(
                        &BlockerAction::MarkedComplex {
                            resolve_limit: b.limits.resolve_complex,
                            reason: reason.clone(),
                        },
                        party,
                        &b.limits,
                    ) && b.limits.resolve_complex > b.limits.resolve
                }
                a => blocker.may(a, party, &b.limits),
            })
            .map(|a| a.name())
            .collect(),
        None => Vec::new(),
    };
    Ok(BlockerResponse {
        id: b.id,
        project_id: b.project_id,
        project_name: b.project_name.clone(),
        phase_id: b.phase_id,
        category: b.category.clone(),
        category_text: label(CATEGORIES, &b.category, lang),
        priority: b.priority.clone(),
        priority_text: label(PRIORITIES, &b.priority, lang),
        title: b.title.clone(),
        description: b.description.clone(),
        attachments: b.attachments.clone(),
        department_id: b.department_id,
        department: if lang == Lang::Zh {
            b.department_zh.clone()
        } else {
            b.department_en.clone()
        },
        state: b.state.as_str(),
        state_text: b.state.label().get(lang).to_string(),
        raised_on: b.raised_on.to_string(),
        raised_by: blocker.raised_by.as_str(),
        waiting_on_enterprise: blocker.waiting_since.is_some(),
        complex_limit: blocker.complex_limit,
        reopened: blocker.reopened,
        rating: blocker.rating,
        version: b.version,
        clocks: clocks.iter().map(|c| clock_response(c, lang)).collect(),
        actions,
        events: if with_events {
            b.events
                .iter()
                .map(|e| EventResponse {
                    seq: e.seq,
                    on: e.event.on.to_string(),
                    by: e.event.by.as_str(),
                    user_name: e.user_name.clone(),
                    action: e.event.action.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    })
}

pub fn action_error(lang: Lang, e: BlockerActionError) -> ApiError {
    match e {
        BlockerActionError::Invalid { field, reason } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", reason).field(field)
        }
        BlockerActionError::Refused(e) => {
            ApiError::new(StatusCode::CONFLICT, "refused", e.text(lang)).field("kind")
        }
        BlockerActionError::NotYourDepartment => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            t(
                lang,
                "该事项已转至其他部门，由其办理",
                "the blocker is with another department",
            ),
        ),
        BlockerActionError::Store(e) => ApiError::store(lang, e),
    }
}

#[utoipa::path(get, path = "/api/v1/blockers", tag = "blockers",
    params(("project_id" = Option<i64>, Query, description = "one project's"), ("department_id" = Option<i64>, Query, description = "those with one department"),
        ("state" = Option<String>, Query, description = "open, acknowledged, answered, resolved, closed or withdrawn"),
        ("open" = Option<bool>, Query, description = "true: only those neither closed nor withdrawn")),
    responses((status = 200, description = "the blockers the caller sees, newest first, each with its three clocks", body = BlockerList),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<BlockerList>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["project_id", "department_id", "state", "open"])?;
    let filter = BlockerFilter {
        project_id: params.int("project_id", 1, i64::MAX)?,
        department_id: params.int("department_id", 1, i64::MAX)?,
        state: match params.text("state") {
            Some(s) => Some(BlockerState::parse(s).ok_or_else(|| {
                params.bad(
                    "state",
                    "应为 open、acknowledged、answered、resolved、closed 或 withdrawn",
                    "must be open, acknowledged, answered, resolved, closed or withdrawn",
                )
            })?),
            None => None,
        },
        open: match params.text("open") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(params.bad("open", "应为 true 或 false", "must be true or false"));
            }
        },
    };
    let records = state
        .app
        .store
        .blockers(&caller.user.scope(), &filter)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    let today = state.app.today();
    Ok(Json(BlockerList {
        today: today.to_string(),
        blockers: records
            .iter()
            .map(|b| response(&caller, b, &calendar, today, false))
            .collect::<Result<_, _>>()?,
    }))
}

#[utoipa::path(get, path = "/api/v1/blockers/{id}", tag = "blockers", params(("id" = i64, Path, description = "blocker id")),
    responses((status = 200, description = "the blocker with its clocks, its events and what the caller may do", body = BlockerResponse),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<BlockerResponse>, ApiError> {
    let b = state
        .app
        .store
        .blocker(&caller.user.scope(), id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(response(
        &caller,
        &b,
        &calendar,
        state.app.today(),
        true,
    )?))
}

/// A blocker to raise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseRequest {
    pub project_id: i64,
    pub phase_id: Option<i64>,
    /// land, planning, approval, utilities, construction, finance, talent, policy, other.
    #[schema(
        pattern = "^(land|planning|approval|utilities|construction|finance|talent|policy|other)$"
    )]
    pub category: String,
    /// normal (default), high or urgent.
    #[schema(pattern = "^(normal|high|urgent)$")]
    pub priority: Option<String>,
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// 1–5,000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    /// The names of attached files.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// The department responsible.
    pub department_id: i64,
}

#[utoipa::path(post, path = "/api/v1/blockers", tag = "blockers", request_body = RaiseRequest,
    responses((status = 201, description = "raised; its clocks start today", body = BlockerResponse), (status = 403, body = ErrorBody),
        (status = 422, description = "a field is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn raise(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<RaiseRequest>,
) -> Result<(StatusCode, Json<BlockerResponse>), ApiError> {
    caller.zone_for(Operation::RaiseBlocker)?;
    let party = match luodi_domain::core::policy::blocker_party(caller.user.role) {
        Party::Enterprise => Party::Enterprise,
        _ => Party::Steward,
    };
    let new = NewBlocker {
        project_id: body.project_id,
        phase_id: body.phase_id,
        category: body.category,
        priority: body.priority.unwrap_or_else(|| "normal".into()),
        title: body.title,
        description: body.description,
        attachments: body.attachments,
        department_id: body.department_id,
    };
    let b = state
        .app
        .store
        .raise_blocker(
            &caller.user.actor(),
            &caller.user.scope(),
            Some(caller.user.id.0),
            party,
            &new,
            state.app.today(),
        )
        .await
        .map_err(|e| action_error(caller.lang, e))?;
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(response(&caller, &b, &calendar, state.app.today(), true)?),
    ))
}

/// An action on a blocker: `kind` and the fields it needs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// acknowledged, rerouted (department_id, reason), answered (text),
    /// waiting_on_enterprise (reason), enterprise_responded (text), marked_complex
    /// (resolve_limit, reason), resolved (text), confirmed (rating 1–5, comment), withdrawn
    /// (reason).
    #[schema(
        pattern = "^(acknowledged|rerouted|answered|waiting_on_enterprise|enterprise_responded|marked_complex|resolved|confirmed|withdrawn)$"
    )]
    pub kind: String,
    pub text: Option<String>,
    pub reason: Option<String>,
    pub department_id: Option<i64>,
    pub rating: Option<u8>,
    pub comment: Option<String>,
    pub resolve_limit: Option<u32>,
    /// The version the caller saw (recommended): an action on an older one is refused.
    pub version: Option<i64>,
}

pub fn to_action(r: &ActionRequest, lang: Lang) -> Result<BlockerAction, ApiError> {
    let need = |field: &'static str| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            t(
                lang,
                &format!("{} 操作需要 {field}", r.kind),
                &format!("{} needs {field}", r.kind),
            ),
        )
        .field(field)
    };
    let text = |v: &Option<String>, field| v.clone().ok_or_else(|| need(field));
    Ok(match r.kind.as_str() {
        "acknowledged" => BlockerAction::Acknowledged,
        "rerouted" => BlockerAction::Rerouted {
            department: r.department_id.ok_or_else(|| need("department_id"))?,
            reason: text(&r.reason, "reason")?,
        },
        "answered" => BlockerAction::Answered {
            text: text(&r.text, "text")?,
        },
        "waiting_on_enterprise" => BlockerAction::WaitingOnEnterprise {
            reason: text(&r.reason, "reason")?,
        },
        "enterprise_responded" => BlockerAction::EnterpriseResponded {
            text: text(&r.text, "text")?,
        },
        "marked_complex" => BlockerAction::MarkedComplex {
            resolve_limit: r.resolve_limit.ok_or_else(|| need("resolve_limit"))?,
            reason: text(&r.reason, "reason")?,
        },
        "resolved" => BlockerAction::Resolved {
            text: text(&r.text, "text")?,
        },
        "confirmed" => BlockerAction::Confirmed {
            rating: r.rating.ok_or_else(|| need("rating"))?,
            comment: r.comment.clone().unwrap_or_default(),
        },
        "withdrawn" => BlockerAction::Withdrawn {
            reason: text(&r.reason, "reason")?,
        },
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                t(
                    lang,
                    &format!("“{other}”不是可办理的操作"),
                    &format!("'{other}' is not an action to take"),
                ),
            )
            .field("kind"));
        }
    })
}

#[utoipa::path(post, path = "/api/v1/blockers/{id}/actions", tag = "blockers", params(("id" = i64, Path, description = "blocker id")),
    request_body = ActionRequest,
    responses((status = 200, description = "done; the blocker as it now stands", body = BlockerResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the rules refuse it now, or the version is stale", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ActionRequest>,
) -> Result<Json<BlockerResponse>, ApiError> {
    if caller.user.zone_id.is_none() {
        return Err(ApiError::forbidden(caller.lang));
    }
    let action = to_action(&body, caller.lang)?;
    let b = state
        .app
        .store
        .act_on_blocker(
            &caller.user.actor(),
            &caller.user.scope(),
            Some(caller.user.id.0),
            luodi_domain::core::policy::blocker_party(caller.user.role),
            caller.user.department_id.map(|d| d.0),
            id,
            action,
            body.version,
            state.app.today(),
        )
        .await
        .map_err(|e| action_error(caller.lang, e))?;
    let calendar = state
        .app
        .store
        .calendar()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(response(
        &caller,
        &b,
        &calendar,
        state.app.today(),
        true,
    )?))
}

#[utoipa::path(get, path = "/api/v1/blocker-sla", tag = "blockers",
    responses((status = 200, description = "the zone's limits in working days (acknowledge, answer, resolve, resolve_complex) and its escalation ladder (to, after_working_days)", body = luodi_app::schemas::SlaSchema),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn sla(State(state): State<AppState>, caller: ApiUser) -> Result<Json<Sla>, ApiError> {
    let zone = caller
        .user
        .zone_id
        .ok_or_else(|| ApiError::forbidden(caller.lang))?;
    Ok(Json(
        state
            .app
            .store
            .blocker_sla(zone)
            .await
            .map_err(|e| ApiError::store(caller.lang, e))?,
    ))
}

#[utoipa::path(put, path = "/api/v1/blocker-sla", tag = "blockers",
    request_body(content = luodi_app::schemas::SlaSchema, description = "limits (1–120 working days, in that order no shorter) and the escalation ladder (1–5 rungs)"),
    responses((status = 200, description = "set; blockers raised from now on use it", body = luodi_app::schemas::SlaSchema), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_sla(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<Sla>,
) -> Result<Json<Sla>, ApiError> {
    let zone = caller.zone_for(Operation::SetBlockerSla)?;
    body.check().map_err(|e| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()).field(
            if e.field == "ladder" {
                "ladder".to_string()
            } else {
                format!("limits.{}", e.field)
            },
        )
    })?;
    state
        .app
        .store
        .set_blocker_sla(&caller.user.actor(), zone, &body)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(Json(body))
}
