//! 难点堵点 — a project's difficulties and blockages: raised by the steward or the
//! enterprise, acted on by the department they are with, confirmed and rated by the
//! enterprise; each with its three clocks on the working-day calendar. An enterprise sees
//! and raises only its own; an approval officer acts for their own department. Who may
//! take which action is the blocker's workflow's (the policy's
//! [`blocker_party`](luodi_domain::core::policy::blocker_party)).

use chrono::NaiveDate;
use luodi_domain::core::calendar::Calendar;
use luodi_domain::core::policy::{blocker_party, reads_internal_notes};
use luodi_domain::core::time;
use luodi_domain::stewardship::attachment;
use luodi_domain::stewardship::blocker::{
    Action as BlockerAction, Blocker, CATEGORIES, Clock, PRIORITIES, Party, Sla,
    State as BlockerState,
};
use luodi_domain::{Lang, Operation};
use luodi_store::stewardship::blockers::{
    AttachmentFile, AttachmentMeta, BlockerFilter, BlockerRecord, NewBlocker, NewFile,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::StewardshipError;
use crate::{App, Caller};

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
    /// The working day it counts on.
    pub on: String,
    /// When it was recorded, in the zone's time (`2026-12-07 08:00`).
    pub at: String,
    /// An internal note, which the enterprise never sees.
    pub internal: bool,
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
    /// Its files (those of internal notes only for the zone's side); only on
    /// `GET /api/v1/blockers/{id}` and after an action.
    pub attachments: Vec<AttachmentResponse>,
    pub department_id: i64,
    pub department: String,
    /// The officer of the department it is assigned to.
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
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

/// A file attached to a blocker.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentResponse {
    pub id: i64,
    /// The event it came with.
    pub seq: i64,
    pub internal: bool,
    pub name: String,
    /// Found from its content.
    pub media_type: String,
    pub size: i64,
    pub size_text: String,
    pub sha256: String,
    /// Where to download it (`/api/v1/blockers/{id}/attachments/{attachment}`).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockerList {
    pub today: String,
    pub blockers: Vec<BlockerResponse>,
}

/// A code's name in a table of (code, 中文, English), in `lang`.
fn label(list: &[(&str, &str, &str)], code: &str, lang: Lang) -> String {
    list.iter()
        .find(|c| c.0 == code)
        .map(|c| if lang == Lang::Zh { c.1 } else { c.2 }.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A table of (code, 中文, English) as (code, name in `lang`): the choices of a form.
pub fn choices(
    lang: Lang,
    list: &[(&'static str, &'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    list.iter().map(|c| (c.0, label(list, c.0, lang))).collect()
}

/// The categories a blocker may be about, in `lang`.
pub fn categories(lang: Lang) -> Vec<(&'static str, String)> {
    choices(lang, CATEGORIES)
}

/// How pressing a blocker may be, in `lang`.
pub fn priorities(lang: Lang) -> Vec<(&'static str, String)> {
    choices(lang, PRIORITIES)
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
fn party_for(caller: &Caller, b: &BlockerRecord) -> Option<Party> {
    match blocker_party(caller.policy.role) {
        Party::Department => (caller.policy.department.map(|d| d.0) == Some(b.department_id))
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
        BlockerAction::Commented {
            text: s(),
            internal: false,
            files: Vec::new(),
        },
        BlockerAction::Assigned { user: -1 },
        BlockerAction::Nudged { text: s() },
    ]
}

fn attachment_response(b: i64, a: &AttachmentMeta) -> AttachmentResponse {
    AttachmentResponse {
        id: a.id,
        seq: a.seq,
        internal: a.internal,
        name: a.name.clone(),
        media_type: a.media_type.clone(),
        size: a.size,
        size_text: attachment::size_text(a.size),
        sha256: a.sha256.clone(),
        url: format!("/api/v1/blockers/{b}/attachments/{}", a.id),
    }
}

/// A blocker as the caller sees it on `today`: its clocks, the actions the caller may take
/// now and, `with_events`, its events.
pub fn response(
    caller: &Caller,
    b: &BlockerRecord,
    calendar: &Calendar,
    today: NaiveDate,
    with_events: bool,
) -> Result<BlockerResponse, StewardshipError> {
    let lang = caller.lang;
    // Internal notes and their files are the zone's side's alone.
    let internal_too = reads_internal_notes(caller.policy.role);
    let blocker: Blocker = b.blocker().map_err(StewardshipError::internal)?;
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
        attachments: b
            .attachments
            .iter()
            .filter(|a| internal_too || !a.internal)
            .map(|a| attachment_response(b.id, a))
            .collect(),
        department_id: b.department_id,
        assignee_id: b.assignee_id,
        assignee_name: b.assignee_name.clone(),
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
                .filter(|e| internal_too || !e.event.action.internal())
                .map(|e| EventResponse {
                    seq: e.seq,
                    on: e.event.on.to_string(),
                    at: time::from_stored(&e.at)
                        .map(time::zone_display)
                        .unwrap_or_else(|| e.at.clone()),
                    internal: e.event.action.internal(),
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

/// Which blockers to list, as the query gives them (`state` and `open` as written).
#[derive(Debug, Default, Clone)]
pub struct BlockerQuery {
    pub project_id: Option<i64>,
    pub department_id: Option<i64>,
    pub state: Option<String>,
    pub open: Option<String>,
}

/// A file as it came with a form or a request.
pub type Upload = NewFile;

/// The blockers the caller sees, newest first, each with its three clocks today.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &BlockerQuery,
) -> Result<BlockerList, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewBlockers)?;
    let filter = BlockerFilter {
        project_id: query.project_id,
        department_id: query.department_id,
        state: match query.state.as_deref() {
            Some(s) => Some(
                BlockerState::parse(s).ok_or(StewardshipError::BadParameter {
                    name: "state",
                    key: "stewardship.query_error.blocker_state",
                })?,
            ),
            None => None,
        },
        open: super::flag("open", query.open.as_deref())?,
        assignee: None,
    };
    let records = app.store.blockers(&scope, &filter).await?;
    let calendar = app.store.calendar().await?;
    let today = app.today();
    Ok(BlockerList {
        today: today.to_string(),
        blockers: records
            .iter()
            .map(|b| response(caller, b, &calendar, today, false))
            .collect::<Result<_, _>>()?,
    })
}

/// Blocker `id` with its clocks, its events and what the caller may do.
pub async fn show(
    app: &App,
    caller: &Caller,
    id: i64,
) -> Result<BlockerResponse, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewBlockers)?;
    let b = app.store.blocker(&scope, id).await?;
    let calendar = app.store.calendar().await?;
    response(caller, &b, &calendar, app.today(), true)
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
    /// The department responsible.
    pub department_id: i64,
}

/// Raises a blocker as the caller (an enterprise for itself, zone staff as the steward),
/// with the files given (checked by their content; all or nothing); its clocks start today.
pub async fn raise(
    app: &App,
    caller: &Caller,
    request: RaiseRequest,
    files: Vec<Upload>,
) -> Result<BlockerResponse, StewardshipError> {
    caller.zone_for(Operation::RaiseBlocker)?;
    let scope = caller.scope_for(Operation::RaiseBlocker)?;
    let party = match blocker_party(caller.policy.role) {
        Party::Enterprise => Party::Enterprise,
        _ => Party::Steward,
    };
    let new = NewBlocker {
        project_id: request.project_id,
        phase_id: request.phase_id,
        category: request.category,
        priority: request.priority.unwrap_or_else(|| "normal".into()),
        title: request.title,
        description: request.description,
        files,
        department_id: request.department_id,
    };
    let b = app
        .store
        .raise_blocker(
            &caller.actor,
            &scope,
            caller.user_id.map(|u| u.0),
            party,
            &new,
            app.today(),
        )
        .await?;
    let calendar = app.store.calendar().await?;
    response(caller, &b, &calendar, app.today(), true)
}

/// An action on a blocker: `kind` and the fields it needs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// acknowledged, rerouted (department_id, reason), answered (text),
    /// waiting_on_enterprise (reason), enterprise_responded (text), marked_complex
    /// (resolve_limit, reason), resolved (text), confirmed (rating 1–5, comment), withdrawn
    /// (reason), commented (text; internal: a note the enterprise never sees), assigned
    /// (assignee_id, an officer of the department), nudged (text).
    #[schema(
        pattern = "^(acknowledged|rerouted|answered|waiting_on_enterprise|enterprise_responded|marked_complex|resolved|confirmed|withdrawn|commented|assigned|nudged)$"
    )]
    pub kind: String,
    pub text: Option<String>,
    pub reason: Option<String>,
    pub department_id: Option<i64>,
    pub rating: Option<u8>,
    pub comment: Option<String>,
    pub resolve_limit: Option<u32>,
    /// With `commented`: an internal note, hidden from the enterprise (default false).
    pub internal: Option<bool>,
    /// With `assigned`: the officer's user id.
    pub assignee_id: Option<i64>,
    /// The version the caller saw (recommended): an action on an older one is refused.
    pub version: Option<i64>,
}

/// The action a request asks for, naming the field it lacks.
pub fn to_action(r: &ActionRequest) -> Result<BlockerAction, StewardshipError> {
    let need = |field: &'static str| StewardshipError::ActionNeeds {
        kind: r.kind.clone(),
        field,
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
        "commented" => BlockerAction::Commented {
            text: r.text.clone().unwrap_or_default(),
            internal: r.internal.unwrap_or(false),
            files: Vec::new(),
        },
        "assigned" => BlockerAction::Assigned {
            user: r.assignee_id.ok_or_else(|| need("assignee_id"))?,
        },
        "nudged" => BlockerAction::Nudged {
            text: text(&r.text, "text")?,
        },
        other => return Err(StewardshipError::NotAnAction(other.to_string())),
    })
}

/// Takes the action `request` on blocker `id` as the caller, if the blocker's workflow
/// gives them that part now, with the files given (a comment's); the blocker as it then
/// stands.
pub async fn act(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &ActionRequest,
    files: &[Upload],
) -> Result<BlockerResponse, StewardshipError> {
    caller.zone_for(Operation::ActOnBlocker)?;
    let scope = caller.scope_for(Operation::ActOnBlocker)?;
    let action = to_action(request)?;
    let b = app
        .store
        .act_on_blocker(
            &caller.actor,
            &scope,
            caller.user_id.map(|u| u.0),
            blocker_party(caller.policy.role),
            caller.policy.department.map(|d| d.0),
            id,
            action,
            files,
            request.version,
            app.today(),
        )
        .await?;
    let calendar = app.store.calendar().await?;
    response(caller, &b, &calendar, app.today(), true)
}

/// The zone's blocker limits and escalation ladder.
pub async fn sla(app: &App, caller: &Caller) -> Result<Sla, StewardshipError> {
    let zone = caller.zone_for(Operation::ViewBlockerSla)?;
    Ok(app.store.blocker_sla(zone).await?)
}

/// Sets the zone's blocker limits and ladder, once the rules take them; blockers raised
/// from now on use them.
pub async fn set_sla(app: &App, caller: &Caller, sla: Sla) -> Result<Sla, StewardshipError> {
    let zone = caller.zone_for(Operation::SetBlockerSla)?;
    sla.check().map_err(StewardshipError::Sla)?;
    app.store.set_blocker_sla(&caller.actor, zone, &sla).await?;
    Ok(sla)
}

/// The zone's departments as (id, name in `lang`).
async fn departments(
    app: &App,
    zone: luodi_domain::ZoneId,
    lang: Lang,
) -> Result<Vec<(i64, String)>, StewardshipError> {
    Ok(app
        .store
        .departments(zone)
        .await?
        .into_iter()
        .map(|d| {
            (
                d.id.0,
                if lang == Lang::Zh {
                    d.name_zh
                } else {
                    d.name_en
                },
            )
        })
        .collect())
}

/// A blocker's page: the blocker with its events, and the zone's departments to name
/// (and to re-route to).
pub struct BlockerDetail {
    pub blocker: BlockerResponse,
    pub departments: Vec<(i64, String)>,
    /// The officers of the department it is with, to assign it to (when the caller may).
    pub officers: Vec<(i64, String)>,
    /// Whether the caller writes internal notes (the zone's side).
    pub writes_internal: bool,
}

/// Blocker `id` as its page shows it.
pub async fn detail(
    app: &App,
    caller: &Caller,
    id: i64,
) -> Result<BlockerDetail, StewardshipError> {
    let zone = caller.zone_for(Operation::ViewBlockers)?;
    let blocker = show(app, caller, id).await?;
    let officers = if blocker.actions.contains(&"assigned") {
        app.store
            .department_officers(zone.0, blocker.department_id)
            .await?
    } else {
        Vec::new()
    };
    Ok(BlockerDetail {
        blocker,
        departments: departments(app, zone, caller.lang).await?,
        officers,
        writes_internal: reads_internal_notes(caller.policy.role),
    })
}

/// A file of blocker `id` for the caller to download: of a blocker they see, and never an
/// internal note's for an enterprise (not found, like a missing one).
pub async fn attachment(
    app: &App,
    caller: &Caller,
    id: i64,
    attachment: i64,
) -> Result<AttachmentFile, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewBlockers)?;
    Ok(app
        .store
        .blocker_attachment(
            &scope,
            id,
            attachment,
            reads_internal_notes(caller.policy.role),
        )
        .await?)
}

/// The department of the caller's zone a searchable field names: by its name in either
/// language, its code or its id; none when no department is so named.
pub async fn department_named(
    app: &App,
    caller: &Caller,
    typed: &str,
) -> Result<Option<i64>, StewardshipError> {
    let zone = caller.zone_for(Operation::ViewBlockers)?;
    let typed = typed.trim();
    Ok(app
        .store
        .departments(zone)
        .await?
        .into_iter()
        .find(|d| {
            d.name_zh == typed
                || d.name_en.eq_ignore_ascii_case(typed)
                || d.code == typed
                || d.id.0.to_string() == typed
        })
        .map(|d| d.id.0))
}
