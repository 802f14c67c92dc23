//! A project's steward and its history (`/api/v1/projects/{id}/steward`), and the project's
//! timeline of everything that happened to it (`/api/v1/projects/{id}/timeline`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_domain::{Lang, Operation};
use luodi_store::core::audit::AuditEntry;
use luodi_store::stewardship::stewards::{AssignError, StewardAssignment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, t};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(history, assign))
        .routes(routes!(timeline))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StewardHistory {
    /// The steward now, if any.
    pub steward_user_id: Option<i64>,
    /// Every assignment, the first first; the open one has no `until_at`.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<StewardAssignment>,
}

async fn steward_history(
    state: &AppState,
    caller: &ApiUser,
    id: i64,
) -> Result<StewardHistory, ApiError> {
    let history = state
        .app
        .store
        .steward_history(&caller.user.scope(), id)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?;
    Ok(StewardHistory {
        steward_user_id: history
            .iter()
            .rev()
            .find(|a| a.until_at.is_none())
            .map(|a| a.user_id),
        history,
    })
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/steward", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, description = "the project's steward and who served it before", body = StewardHistory), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<StewardHistory>, ApiError> {
    Ok(Json(steward_history(&state, &caller, id).await?))
}

/// The steward to hand the project to, and why (needed when it has one already).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub user_id: i64,
    /// Why the steward changes (needed when the project has one): at most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: String,
}

/// The refusal of an assignment, in the caller's language.
pub fn assign_error(lang: Lang, e: AssignError) -> ApiError {
    let en = e.to_string();
    let (status, field, zh) = match e {
        AssignError::NotASteward(u) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "user_id",
            format!("用户 {u} 不是本园区在岗的项目服务管家"),
        ),
        AssignError::Already(u) => (
            StatusCode::CONFLICT,
            "user_id",
            format!("用户 {u} 已是本项目的服务管家"),
        ),
        AssignError::Reason => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
            "请说明更换服务管家的原因（500 字以内）".to_string(),
        ),
        AssignError::Store(e) => return ApiError::store(lang, e),
    };
    ApiError::new(status, "invalid", t(lang, &zh, &en)).field(field)
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/steward", tag = "projects", params(("id" = i64, Path, description = "project id")),
    request_body = AssignRequest,
    responses((status = 200, description = "assigned: the old assignment closed, both stewards told, audited", body = StewardHistory),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "already the steward", body = ErrorBody),
        (status = 422, description = "not a steward of the zone, or no reason for a change", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<AssignRequest>,
) -> Result<Json<StewardHistory>, ApiError> {
    let zone = caller.zone_for(Operation::AssignSteward)?;
    state
        .app
        .store
        .assign_steward(&caller.user.actor(), zone, id, body.user_id, &body.reason)
        .await
        .map_err(|e| assign_error(caller.lang, e))?;
    Ok(Json(steward_history(&state, &caller, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: String,
    /// Who did it; for an enterprise's own users, the zone's staff show as one party.
    pub actor: String,
    pub action: String,
    /// project, project_phase, service_list, service_item or blocker.
    pub entity: String,
    pub entity_id: String,
    /// What happened, in the caller's language.
    pub what: String,
}

/// What an audit entry says, in a line.
pub fn timeline_text(e: &AuditEntry, lang: Lang) -> String {
    let tr = |zh: &str, en: &str| t(lang, zh, en);
    let id = &e.entity_id;
    let field = |k: &str| e.after.get(k).and_then(|v| v.as_str()).unwrap_or("");
    if e.entity == "blocker" {
        return match e.action.as_str() {
            "create" => format!(
                "{} #{id}：{}",
                tr("提报难点堵点", "blocker raised"),
                field("title")
            ),
            "escalate" => {
                let clock = match field("clock") {
                    "acknowledge" => tr("签收", "acknowledge"),
                    "answer" => tr("答复", "answer"),
                    "resolve" => tr("办结", "resolve"),
                    other => other.to_string(),
                };
                let to = match field("target") {
                    "department_head" => tr("部门负责人", "the department head"),
                    "zone_leader" => tr("园区领导", "the zone leaders"),
                    other => other.to_string(),
                };
                format!(
                    "{} #{id}：{clock}{} → {to}",
                    tr("难点堵点超时升级", "blocker escalated"),
                    tr("超时", " missed")
                )
            }
            action => format!(
                "{} #{id}",
                luodi_app::stewardship::notifications::kind_text(
                    &format!("blocker_{action}"),
                    lang
                )
            ),
        };
    }
    // A step on a service item: its code and the step as people say it.
    if e.entity == "service_item"
        && let Some(step) = luodi_domain::approvals::service_item::step_label(&e.action)
    {
        let code = e
            .after
            .get("code")
            .and_then(|v| v.as_str())
            .unwrap_or(id.as_str());
        let reason = field("reason");
        let head = format!(
            "{} {code}：{}",
            tr("服务事项", "service item"),
            step.get(lang)
        );
        let reason = e
            .after
            .get("event")
            .and_then(|ev| ev.get("reason"))
            .and_then(|v| v.as_str())
            .unwrap_or(reason);
        return if reason.is_empty() {
            head
        } else {
            format!("{head} · {reason}")
        };
    }
    let (zh, en) = match e.entity.as_str() {
        "project" => ("项目", "project"),
        "project_phase" => ("期次", "phase"),
        "service_list" => ("服务清单", "service list"),
        "service_item" => ("服务事项", "service item"),
        other => (other, other),
    };
    let action = match e.action.as_str() {
        "create" => tr("创建", "created"),
        "update" => tr("修改", "changed"),
        "move" | "advance" => tr("阶段变更", "moved on"),
        "hand_over" => tr("交地", "land handed over"),
        "assign_steward" => tr("指派服务管家", "steward assigned"),
        "set_land_needs" => tr("设定用地需求", "land needs set"),
        a => a.to_string(),
    };
    let status = luodi_domain::stewardship::project::PhaseStatus::parse(field("status"))
        .map(|s| s.label().get(lang).to_string());
    let detail = [
        field("code").to_string(),
        status.unwrap_or_default(),
        field("step").to_string(),
        field("reason").to_string(),
    ]
    .into_iter()
    .filter(|v| !v.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let head = format!("{} {id} {action}", t(lang, zh, en));
    if detail.is_empty() {
        head
    } else {
        format!("{head}：{detail}")
    }
}

/// Who an audit entry's actor is, as a person reads it: a user's name, the system, the
/// operator's command line.
pub async fn actor_display(
    state: &AppState,
    label: &str,
    lang: Lang,
    names: &mut std::collections::HashMap<String, String>,
) -> String {
    if let Some(rest) = label.strip_prefix("user:") {
        let email = rest.split_once(' ').map_or(rest, |(_, e)| e).to_string();
        if let Some(name) = names.get(&email) {
            return name.clone();
        }
        let name = match state.app.store.user_by_email(&email).await {
            Ok(Some(u)) => u.display_name,
            _ => email.clone(),
        };
        names.insert(email, name.clone());
        return name;
    }
    match label {
        "cli" => t(lang, "运维命令行", "operator's command line"),
        "system:escalation" => t(lang, "系统（超时督办）", "Luodi (escalation)"),
        l if l.starts_with("system:") => t(lang, "系统", "Luodi"),
        l => l.to_string(),
    }
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/timeline", tag = "projects", params(("id" = i64, Path, description = "project id"),
        ("limit" = Option<i64>, Query, description = "1–1000, default 200: the newest kept")),
    responses((status = 200, description = "everything that happened to the project, its phases, service lists and items, and blockers, oldest first (from the audit trail)", body = [TimelineEntry]),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    params: QueryParams,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["limit"])?;
    let limit = params.int("limit", 1, 1000)?.unwrap_or(200);
    Ok(Json(
        timeline_entries(&state, &caller.user, caller.lang, id, limit).await?,
    ))
}

/// The timeline as a user sees it.
pub async fn timeline_entries(
    state: &AppState,
    user: &luodi_store::core::users::User,
    lang: Lang,
    project: i64,
    limit: i64,
) -> Result<Vec<TimelineEntry>, ApiError> {
    let entries = state
        .app
        .store
        .project_timeline(&user.scope(), project, limit)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    let own = user.actor().label();
    let enterprise = !luodi_domain::Operation::SeeStaffNames.allows(user.role);
    let mut names = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for e in &entries {
        out.push(TimelineEntry {
            at: luodi_domain::core::time::from_stored(&e.at)
                .map(luodi_domain::core::time::zone_display)
                .unwrap_or_else(|| e.at.clone()),
            actor: if enterprise && e.actor != own {
                t(lang, "园区工作人员", "zone staff")
            } else {
                actor_display(state, &e.actor, lang, &mut names).await
            },
            action: e.action.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            what: timeline_text(e, lang),
        });
    }
    Ok(out)
}
