//! A project's steward (项目服务管家) and who served it before, the hand-over to another,
//! and the project's timeline of everything that happened to it (from the audit trail).

use std::collections::HashMap;

use luodi_domain::core::i18n;
use luodi_domain::{Lang, Operation, Scope};
use luodi_store::core::audit::AuditEntry;
use luodi_store::stewardship::stewards::StewardAssignment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::StewardshipError;
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct StewardHistory {
    /// The steward now, if any.
    pub steward_user_id: Option<i64>,
    /// Every assignment, the first first; the open one has no `until_at`.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<StewardAssignment>,
}

/// The steward now, of a history: the open assignment's.
pub fn current(history: &[StewardAssignment]) -> Option<&StewardAssignment> {
    history.iter().rev().find(|a| a.until_at.is_none())
}

async fn history_in(app: &App, scope: &Scope, id: i64) -> Result<StewardHistory, StewardshipError> {
    let history = app.store.steward_history(scope, id).await?;
    Ok(StewardHistory {
        steward_user_id: current(&history).map(|a| a.user_id),
        history,
    })
}

/// Project `id`'s steward and who served it before, if the caller sees the project.
pub async fn history(
    app: &App,
    caller: &Caller,
    id: i64,
) -> Result<StewardHistory, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    history_in(app, &scope, id).await
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

/// Hands project `id` to the steward `request` names: the old assignment closed, both
/// stewards told, audited; the history after it.
pub async fn assign(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &AssignRequest,
) -> Result<StewardHistory, StewardshipError> {
    let zone = caller.zone_for(Operation::AssignSteward)?;
    app.store
        .assign_steward(&caller.actor, zone, id, request.user_id, &request.reason)
        .await?;
    let scope = caller.scope_for(Operation::AssignSteward)?;
    history_in(app, &scope, id).await
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

/// A word of the catalogue under `section` for `name`, or `name` itself.
fn word(lang: Lang, section: &str, name: &str) -> String {
    let key = format!("{section}.{name}");
    if i18n::has(&key) {
        i18n::text(lang, &key).to_string()
    } else {
        name.to_string()
    }
}

/// What an audit entry says, in a line; `names` names the records it may be about, by
/// (entity, id): the project, its phases (一期 …) and their lists, so a line says 一期,
/// not a phase's internal number.
pub fn timeline_text(
    e: &AuditEntry,
    lang: Lang,
    names: &HashMap<(String, String), String>,
) -> String {
    let id = &e.entity_id;
    let field = |k: &str| e.after.get(k).and_then(|v| v.as_str()).unwrap_or("");
    if e.entity == "blocker" {
        return match e.action.as_str() {
            "create" => i18n::fill(
                lang,
                "stewardship.timeline.blocker_raised",
                &[("id", id), ("title", field("title"))],
            ),
            "escalate" => i18n::fill(
                lang,
                "stewardship.timeline.blocker_escalated",
                &[
                    ("id", id),
                    ("clock", &word(lang, "notification.clock", field("clock"))),
                    ("to", &word(lang, "notification.target", field("target"))),
                ],
            ),
            action => i18n::fill(
                lang,
                "stewardship.timeline.blocker_other",
                &[
                    ("id", id),
                    (
                        "what",
                        &super::notifications::kind_text(&format!("blocker_{action}"), lang),
                    ),
                ],
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
        let head = i18n::fill(
            lang,
            "stewardship.timeline.item_step",
            &[("code", code), ("step", step.get(lang))],
        );
        let reason = e
            .after
            .get("event")
            .and_then(|ev| ev.get("reason"))
            .and_then(|v| v.as_str())
            .unwrap_or(field("reason"));
        return if reason.is_empty() {
            head
        } else {
            format!("{head} · {reason}")
        };
    }
    let entity = word(lang, "stewardship.timeline_entity", &e.entity);
    let action = match e.action.as_str() {
        // Both are a move along the lifecycle.
        "advance" => word(lang, "stewardship.timeline_action", "move"),
        a => word(lang, "stewardship.timeline_action", a),
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
    let named = names
        .get(&(e.entity.clone(), id.clone()))
        .cloned()
        .unwrap_or_else(|| format!("#{id}"));
    let head = format!("{entity} {named} {action}");
    if detail.is_empty() {
        head
    } else {
        i18n::fill(
            lang,
            "stewardship.timeline.with_detail",
            &[("head", &head), ("detail", &detail)],
        )
    }
}

/// Who an audit entry's actor is, as a person reads it: a user's name, the system, the
/// operator's command line. `names` keeps the names looked up so far, by email.
pub async fn actor_display(
    app: &App,
    label: &str,
    lang: Lang,
    names: &mut HashMap<String, String>,
) -> String {
    if let Some(rest) = label.strip_prefix("user:") {
        let email = rest.split_once(' ').map_or(rest, |(_, e)| e).to_string();
        if let Some(name) = names.get(&email) {
            return name.clone();
        }
        let name = match app.store.user_by_email(&email).await {
            Ok(Some(u)) => u.display_name,
            _ => email.clone(),
        };
        names.insert(email, name.clone());
        return name;
    }
    match label {
        "cli" => i18n::text(lang, "stewardship.actor.cli").to_string(),
        "system:escalation" => i18n::text(lang, "stewardship.actor.escalation").to_string(),
        l if l.starts_with("system:") => i18n::text(lang, "stewardship.actor.system").to_string(),
        l => l.to_string(),
    }
}

/// Project `id`'s timeline as the caller sees it: the newest `limit` entries, oldest
/// first; an enterprise sees the zone's staff as one party.
pub async fn timeline(
    app: &App,
    caller: &Caller,
    id: i64,
    limit: i64,
) -> Result<Vec<TimelineEntry>, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let lang = caller.lang;
    let entries = app.store.project_timeline(&scope, id, limit).await?;
    let mut records = HashMap::new();
    if let Ok(project) = app.store.project(&scope, id).await {
        records.insert(
            ("project".to_string(), id.to_string()),
            project.name.clone(),
        );
        for ph in &project.phases {
            records.insert(
                ("project_phase".to_string(), ph.id.to_string()),
                ph.name.clone(),
            );
            if let Ok(list) = app.store.service_list(&scope, ph.id).await {
                records.insert(
                    ("service_list".to_string(), list.id.to_string()),
                    ph.name.clone(),
                );
            }
        }
    }
    let own = caller.actor.label();
    let enterprise = !Operation::SeeStaffNames.allows(caller.policy.role);
    let mut names = HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for e in &entries {
        out.push(TimelineEntry {
            at: luodi_domain::core::time::from_stored(&e.at)
                .map(luodi_domain::core::time::zone_display)
                .unwrap_or_else(|| e.at.clone()),
            actor: if enterprise && e.actor != own {
                i18n::text(lang, "stewardship.actor.zone_staff").to_string()
            } else {
                actor_display(app, &e.actor, lang, &mut names).await
            },
            action: e.action.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            what: timeline_text(e, lang, &records),
        });
    }
    Ok(out)
}
