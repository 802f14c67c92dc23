//! Blockers (难点堵点) in storage: raised, acted on and escalated, every step an event
//! checked by the rules in `luodi_domain::stewardship::blocker` and audited. An enterprise's scope sees
//! only its own projects' blockers; an approval officer acts only on the blockers with
//! their department. Escalations are made once across servers (a row keyed by blocker,
//! clock and rung).

use chrono::NaiveDate;
use luodi_domain::Text;
use luodi_domain::core::calendar::Calendar;
use luodi_domain::core::enterprise::FieldError;
use luodi_domain::stewardship::attachment::{self, AttachmentError};
use luodi_domain::stewardship::blocker::{
    Action, Blocker, BlockerError, ClockKind, Event, Party, Sla, SlaLimits, State, escalations_due,
};
use luodi_domain::{Scope, ZoneId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::stewardship::notifications::{
    NewNotification, enterprise_users, notify, users_with_role,
};
use crate::{Result, Store, StoreError, now};

/// A blocker to raise.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBlocker {
    pub project_id: i64,
    pub phase_id: Option<i64>,
    pub category: String,
    pub priority: String,
    pub title: String,
    pub description: String,
    /// Files it is raised with, checked by their content before anything is written.
    pub files: Vec<NewFile>,
    pub department_id: i64,
}

/// A file to attach: the name it came with and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file attached to a blocker, without its content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttachmentMeta {
    pub id: i64,
    /// The event it came with (1: the raise).
    pub seq: i64,
    /// It came with an internal note: the enterprise never reads it.
    pub internal: bool,
    pub name: String,
    /// Found from the content, never taken from the sender.
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

/// An attached file with its content.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentFile {
    pub meta: AttachmentMeta,
    pub content: Vec<u8>,
}

/// An event as stored, with who recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    #[serde(flatten)]
    pub event: Event,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    /// When it was recorded (UTC, RFC 3339).
    pub at: String,
}

/// A blocker with its events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockerRecord {
    pub id: i64,
    pub zone_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub enterprise_id: i64,
    pub phase_id: Option<i64>,
    pub category: String,
    pub priority: String,
    pub title: String,
    pub description: String,
    /// Its files, without their content, in the order they came (only with one blocker).
    pub attachments: Vec<AttachmentMeta>,
    pub department_id: i64,
    pub department_zh: String,
    pub department_en: String,
    pub state: State,
    /// The officer of its department it is assigned to, and their name.
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub raised_on: NaiveDate,
    pub limits: SlaLimits,
    pub version: i64,
    pub updated_at: String,
    pub events: Vec<StoredEvent>,
}

impl BlockerRecord {
    /// The blocker its events make.
    pub fn blocker(&self) -> Result<Blocker> {
        let events: Vec<Event> = self.events.iter().map(|e| e.event.clone()).collect();
        Blocker::replay(&events, &self.limits)
            .map_err(|(i, e)| StoreError::Corrupt(format!("blocker {} event {i}: {e}", self.id)))
    }
}

/// Which blockers to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockerFilter {
    pub project_id: Option<i64>,
    pub department_id: Option<i64>,
    pub state: Option<State>,
    /// Only those still open (neither closed nor withdrawn).
    pub open: bool,
    /// Only those assigned to this user.
    pub assignee: Option<i64>,
}

/// Why a blocker action was refused.
#[derive(Debug, thiserror::Error)]
pub enum BlockerActionError {
    /// Bad input, naming the field, in words.
    #[error("{field}: {}", .text.en)]
    Invalid { field: &'static str, text: Text },
    /// What a new blocker says, every field at fault.
    #[error("{} field(s) at fault", .0.len())]
    Fields(Vec<FieldError>),
    /// Files refused, each named.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Files(Vec<AttachmentError>),
    /// The rules refuse the action now.
    #[error(transparent)]
    Refused(#[from] BlockerError),
    /// An approval officer acting on another department's blocker.
    #[error("the blocker is with another department")]
    NotYourDepartment,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An escalation made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    pub zone_id: i64,
    pub blocker_id: i64,
    pub project_id: i64,
    pub department_id: i64,
    pub title: String,
    pub clock: ClockKind,
    pub rung: usize,
    /// `department_head` or `zone_leader`.
    pub target: String,
    /// How many users were told.
    pub notified: usize,
}

const COLUMNS: &str = "b.id, b.zone_id, b.project_id, p.name AS project_name, b.enterprise_id, b.phase_id, b.category, b.priority, b.title, b.description, b.department_id, d.name_zh AS department_zh, d.name_en AS department_en, b.state, b.assignee_user_id, au.display_name AS assignee_name, b.raised_on, b.limits_json, b.version, b.updated_at";
const FROM: &str = "blockers b JOIN projects p ON p.id = b.project_id JOIN departments d ON d.id = b.department_id LEFT JOIN users au ON au.id = b.assignee_user_id";
/// $1 zone (or NULL), $2 enterprise (or NULL).
const SCOPE: &str = "($1 IS NULL OR b.zone_id = $1) AND ($2 IS NULL OR b.enterprise_id = $2)";

fn record_from(r: &sqlx::any::AnyRow) -> Result<BlockerRecord> {
    let id: i64 = r.get("id");
    let corrupt = |what: &str, e: String| StoreError::Corrupt(format!("blocker {id} {what}: {e}"));
    let state: String = r.get("state");
    Ok(BlockerRecord {
        id,
        zone_id: r.get("zone_id"),
        project_id: r.get("project_id"),
        project_name: r.get("project_name"),
        enterprise_id: r.get("enterprise_id"),
        phase_id: r.get("phase_id"),
        category: r.get("category"),
        priority: r.get("priority"),
        title: r.get("title"),
        description: r.get("description"),
        attachments: Vec::new(),
        department_id: r.get("department_id"),
        department_zh: r.get("department_zh"),
        department_en: r.get("department_en"),
        state: State::parse(&state).ok_or_else(|| corrupt("state", state.clone()))?,
        assignee_id: r.get("assignee_user_id"),
        assignee_name: r.get("assignee_name"),
        raised_on: r
            .get::<String, _>("raised_on")
            .parse()
            .map_err(|e: chrono::ParseError| corrupt("raised_on", e.to_string()))?,
        limits: serde_json::from_str(&r.get::<String, _>("limits_json"))
            .map_err(|e| corrupt("limits", e.to_string()))?,
        version: r.get("version"),
        updated_at: r.get("updated_at"),
        events: Vec::new(),
    })
}

fn invalid(field: &'static str, text: Text) -> BlockerActionError {
    BlockerActionError::Invalid { field, text }
}

/// The files checked by their content, or every one refused.
fn check_files(files: &[NewFile]) -> Result<Vec<attachment::Checked>, BlockerActionError> {
    attachment::check_all(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())))
        .map_err(BlockerActionError::Files)
}

/// Stores the files an event came with, in its transaction.
async fn insert_files(
    tx: &mut crate::Tx,
    blocker: i64,
    seq: i64,
    internal: bool,
    files: &[NewFile],
    checked: &[attachment::Checked],
    user_id: Option<i64>,
) -> Result<()> {
    let t = now();
    for (f, c) in files.iter().zip(checked) {
        sqlx::query(
            "INSERT INTO blocker_attachments (blocker_id, seq, internal, name, media_type, size, sha256, content, user_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(blocker)
        .bind(seq)
        .bind(i64::from(internal))
        .bind(&f.name)
        .bind(c.kind.media_type())
        .bind(c.size as i64)
        .bind(&c.sha256)
        .bind(f.bytes.as_slice())
        .bind(user_id)
        .bind(&t)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// What the audit keeps of files: names, sizes and digests, never the content.
fn files_audit(files: &[NewFile], checked: &[attachment::Checked]) -> serde_json::Value {
    files
        .iter()
        .zip(checked)
        .map(|(f, c)| json!({"name": f.name, "media_type": c.kind.media_type(), "size": c.size, "sha256": c.sha256}))
        .collect()
}

fn meta_from(r: &sqlx::any::AnyRow) -> AttachmentMeta {
    AttachmentMeta {
        id: r.get("id"),
        seq: r.get("seq"),
        internal: r.get::<i64, _>("internal") != 0,
        name: r.get("name"),
        media_type: r.get("media_type"),
        size: r.get("size"),
        sha256: r.get("sha256"),
        created_at: r.get("created_at"),
    }
}

const ATTACHMENT_COLUMNS: &str = "id, seq, internal, name, media_type, size, sha256, created_at";

impl Store {
    /// The zone's blocker limits and escalation ladder (the defaults unless it set its own).
    pub async fn blocker_sla(&self, zone: ZoneId) -> Result<Sla> {
        self.zone_setting(zone, crate::core::orgs::BLOCKER_SLA)
            .await
    }

    /// Sets the zone's blocker limits and ladder (checked by the caller), audited with the
    /// old ones. Blockers already raised keep the limits they were raised with.
    pub async fn set_blocker_sla(&self, actor: &Actor, zone: ZoneId, sla: &Sla) -> Result<()> {
        self.set_zone_setting(actor, zone, crate::core::orgs::BLOCKER_SLA, sla)
            .await
    }

    /// Raises a blocker on a project the scope sees, to a department of its zone.
    pub async fn raise_blocker(
        &self,
        actor: &Actor,
        scope: &Scope,
        user_id: Option<i64>,
        party: Party,
        new: &NewBlocker,
        today: NaiveDate,
    ) -> Result<BlockerRecord, BlockerActionError> {
        luodi_domain::stewardship::blocker::check_new(
            &new.category,
            &new.priority,
            &new.title,
            &new.description,
        )
        .map_err(BlockerActionError::Fields)?;
        let checked = check_files(&new.files)?;
        let project = sqlx::query(
            "SELECT id, zone_id, enterprise_id FROM projects WHERE ($1 IS NULL OR zone_id = $1) AND ($2 IS NULL OR enterprise_id = $2) AND id = $3",
        )
        .bind(scope.zone.map(|z| z.0))
        .bind(scope.enterprise.map(|e| e.0))
        .bind(new.project_id)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::from)?
        .ok_or_else(|| {
            invalid(
                "project_id",
                Text::fill(
                    "stewardship.blocker_error.no_project",
                    &[("id", &new.project_id.to_string())],
                ),
            )
        })?;
        let zone: i64 = project.get("zone_id");
        if let Some(phase) = new.phase_id {
            let ok = sqlx::query("SELECT id FROM project_phases WHERE id = $1 AND project_id = $2")
                .bind(phase)
                .bind(new.project_id)
                .fetch_optional(self.pool())
                .await
                .map_err(StoreError::from)?;
            if ok.is_none() {
                return Err(invalid(
                    "phase_id",
                    Text::fill(
                        "stewardship.blocker_error.no_phase",
                        &[("phase", &phase.to_string())],
                    ),
                ));
            }
        }
        self.department_in_zone(zone, new.department_id).await?;
        let first = Event {
            on: today,
            by: party,
            action: Action::Raised,
        };
        let sla = self.blocker_sla(ZoneId(zone)).await?;
        Blocker::replay(std::slice::from_ref(&first), &sla.limits).map_err(|(_, e)| e)?;
        let t = now();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO blockers (zone_id, project_id, enterprise_id, phase_id, category, priority, title, description, attachments_json,
                department_id, state, raised_on, limits_json, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id",
        )
        .bind(zone)
        .bind(new.project_id)
        .bind(project.get::<i64, _>("enterprise_id"))
        .bind(new.phase_id)
        .bind(&new.category)
        .bind(&new.priority)
        .bind(new.title.trim())
        .bind(new.description.trim())
        .bind("[]")
        .bind(new.department_id)
        .bind(State::Open.as_str())
        .bind(today.to_string())
        .bind(serde_json::to_string(&sla.limits).expect("limits serialise"))
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .get("id");
        insert_event(&mut tx, id, 1, &first, user_id).await?;
        insert_files(&mut tx, id, 1, false, &new.files, &checked, user_id).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone,
                action: "create",
                entity: "blocker",
                entity_id: id.to_string(),
                before: serde_json::Value::Null,
                after: json!({"project_id": new.project_id, "phase_id": new.phase_id, "category": new.category,
                    "priority": new.priority, "title": new.title.trim(), "department_id": new.department_id,
                    "attachments": files_audit(&new.files, &checked), "by": party.as_str()}),
            },
        )
        .await?;
        // The department's officers, and whichever of steward and enterprise did not raise it.
        let mut to = users_with_role(&mut tx, zone, "approval", Some(new.department_id)).await?;
        to.extend(steward_of(&mut tx, new.project_id).await?);
        to.extend(enterprise_users(&mut tx, project.get::<i64, _>("enterprise_id")).await?);
        to.retain(|u| Some(*u) != user_id);
        notify(
            &mut tx,
            &to,
            &NewNotification {
                zone_id: zone,
                kind: "blocker_raised",
                title: new.title.trim(),
                body: new.description.trim(),
                link: &format!("/blockers/{id}"),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        let scope = Scope {
            zone: Some(ZoneId(zone)),
            enterprise: None,
        };
        Ok(self.blocker(&scope, id).await?)
    }

    async fn department_in_zone(&self, zone: i64, id: i64) -> Result<(), BlockerActionError> {
        let ok = sqlx::query("SELECT id FROM departments WHERE id = $1 AND zone_id = $2")
            .bind(id)
            .bind(zone)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::from)?;
        if ok.is_none() {
            return Err(invalid(
                "department_id",
                Text::fill(
                    "stewardship.blocker_error.no_department",
                    &[("id", &id.to_string())],
                ),
            ));
        }
        Ok(())
    }

    /// One blocker the scope sees, with its events.
    pub async fn blocker(&self, scope: &Scope, id: i64) -> Result<BlockerRecord> {
        let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {SCOPE} AND b.id = $3");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut b = record_from(&row)?;
        b.events = self
            .blocker_events(&[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM blocker_attachments WHERE blocker_id = $1 ORDER BY id"
        );
        b.attachments = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(meta_from)
            .collect();
        Ok(b)
    }

    /// A file of a blocker the scope sees, with its content; an internal one only when
    /// `internal_too` (never for an enterprise). Any other is not found, as a missing one.
    pub async fn blocker_attachment(
        &self,
        scope: &Scope,
        blocker: i64,
        id: i64,
        internal_too: bool,
    ) -> Result<AttachmentFile> {
        // The blocker first, so that the scope decides.
        self.blocker(scope, blocker).await?;
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS}, content FROM blocker_attachments
             WHERE blocker_id = $1 AND id = $2 AND ($3 = 1 OR internal = 0)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(blocker)
            .bind(id)
            .bind(i64::from(internal_too))
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(AttachmentFile {
            meta: meta_from(&row),
            content: row.get("content"),
        })
    }

    /// The active approval officers of a department, as (id, name), by name.
    pub async fn department_officers(
        &self,
        zone: i64,
        department: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query(
            "SELECT id, display_name FROM users WHERE zone_id = $1 AND role = 'approval' AND department_id = $2 AND disabled_at IS NULL ORDER BY display_name, id",
        )
        .bind(zone)
        .bind(department)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("display_name")))
        .collect())
    }

    /// The blockers the scope sees, by the filter, newest first, each with its events.
    pub async fn blockers(&self, scope: &Scope, f: &BlockerFilter) -> Result<Vec<BlockerRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE {SCOPE}
               AND ($3 IS NULL OR b.project_id = $3) AND ($4 IS NULL OR b.department_id = $4)
               AND ($5 IS NULL OR b.state = $5) AND ($6 = 0 OR b.state NOT IN ('closed', 'withdrawn'))
               AND ($7 IS NULL OR b.assignee_user_id = $7)
             ORDER BY b.id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(f.project_id)
            .bind(f.department_id)
            .bind(f.state.map(|s| s.as_str()))
            .bind(i64::from(f.open))
            .bind(f.assignee)
            .fetch_all(self.pool())
            .await?;
        let mut out: Vec<BlockerRecord> = rows.iter().map(record_from).collect::<Result<_>>()?;
        let ids: Vec<i64> = out.iter().map(|b| b.id).collect();
        let mut events = self.blocker_events(&ids).await?;
        for b in &mut out {
            b.events = events.remove(&b.id).unwrap_or_default();
        }
        Ok(out)
    }

    async fn blocker_events(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<StoredEvent>>> {
        let mut out: std::collections::HashMap<i64, Vec<StoredEvent>> = Default::default();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            // Only integers are formatted into the text.
            let sql = format!(
                "SELECT e.blocker_id, e.seq, e.on_date, e.party, e.user_id, u.display_name, e.action_json, e.created_at
                 FROM blocker_events e LEFT JOIN users u ON u.id = e.user_id
                 WHERE e.blocker_id IN ({list}) ORDER BY e.blocker_id, e.seq"
            );
            for r in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.pool())
                .await?
            {
                let blocker: i64 = r.get("blocker_id");
                let corrupt = |what: &str, e: String| {
                    StoreError::Corrupt(format!("blocker {blocker} {what}: {e}"))
                };
                let party: String = r.get("party");
                let event = Event {
                    on: r
                        .get::<String, _>("on_date")
                        .parse()
                        .map_err(|e: chrono::ParseError| corrupt("date", e.to_string()))?,
                    by: Party::parse(&party).ok_or_else(|| corrupt("party", party.clone()))?,
                    action: serde_json::from_str(&r.get::<String, _>("action_json"))
                        .map_err(|e| corrupt("action", e.to_string()))?,
                };
                out.entry(blocker).or_default().push(StoredEvent {
                    seq: r.get("seq"),
                    event,
                    user_id: r.get("user_id"),
                    user_name: r.get("display_name"),
                    at: r.get("created_at"),
                });
            }
        }
        Ok(out)
    }

    /// Takes an action on a blocker the scope sees, as `party`. An approval officer
    /// (`department` given) acts only on blockers with their department. `version` is the
    /// version the caller saw, when it says; an action on an older one is refused as stale.
    /// Files come only with a comment, checked by their content; an assignment names an
    /// active officer of the department the blocker is with.
    #[allow(clippy::too_many_arguments)]
    pub async fn act_on_blocker(
        &self,
        actor: &Actor,
        scope: &Scope,
        user_id: Option<i64>,
        party: Party,
        department: Option<i64>,
        id: i64,
        action: Action,
        files: &[NewFile],
        version: Option<i64>,
        today: NaiveDate,
    ) -> Result<BlockerRecord, BlockerActionError> {
        let mut action = action;
        if matches!(action, Action::Raised | Action::Escalated { .. }) {
            return Err(invalid(
                "kind",
                Text::fill(
                    "stewardship.blocker_error.not_a_step",
                    &[("kind", action.name())],
                ),
            ));
        }
        let checked = check_files(files)?;
        match &mut action {
            // The event names the files it came with, as stored.
            Action::Commented { files: names, .. } => {
                *names = files.iter().map(|f| f.name.clone()).collect();
            }
            _ if !files.is_empty() => {
                return Err(invalid(
                    "files",
                    Text::key("stewardship.blocker_error.files_with_comment"),
                ));
            }
            _ => {}
        }
        let current = self.blocker(scope, id).await?;
        if party == Party::Department && department != Some(current.department_id) {
            return Err(BlockerActionError::NotYourDepartment);
        }
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::Stale.into());
        }
        if let Action::Rerouted { department, .. } = &action {
            if *department == current.department_id {
                return Err(BlockerError::SameDepartment.into());
            }
            self.department_in_zone(current.zone_id, *department)
                .await?;
        }
        if let Action::Assigned { user } = &action {
            let officers = self
                .department_officers(current.zone_id, current.department_id)
                .await?;
            if !officers.iter().any(|o| o.0 == *user) {
                return Err(invalid(
                    "assignee_id",
                    Text::key("stewardship.blocker_error.not_an_officer"),
                ));
            }
        }
        // Never before the last event: a late entry is dated the day it is made.
        let last = current
            .events
            .last()
            .map_or(current.raised_on, |e| e.event.on);
        let event = Event {
            on: today.max(last),
            by: party,
            action,
        };
        let mut events: Vec<Event> = current.events.iter().map(|e| e.event.clone()).collect();
        events.push(event.clone());
        let after = Blocker::replay(&events, &current.limits).map_err(|(_, e)| e)?;
        let department_now = match &event.action {
            Action::Rerouted { department, .. } => *department,
            _ => current.department_id,
        };
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE blockers SET state = $1, department_id = $2, assignee_user_id = $6, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
        )
        .bind(after.state.as_str())
        .bind(department_now)
        .bind(now())
        .bind(id)
        .bind(current.version)
        .bind(after.assignee)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Stale.into());
        }
        let seq = current.version + 1;
        insert_event(&mut tx, id, seq, &event, user_id).await?;
        insert_files(
            &mut tx,
            id,
            seq,
            event.action.internal(),
            files,
            &checked,
            user_id,
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: current.zone_id,
                action: event.action.name(),
                entity: "blocker",
                entity_id: id.to_string(),
                before: json!({"state": current.state.as_str(), "department_id": current.department_id, "version": current.version}),
                after: json!({"state": after.state.as_str(), "department_id": department_now, "assignee_user_id": after.assignee,
                    "by": party.as_str(), "action": event.action, "files": files_audit(files, &checked)}),
            },
        )
        .await?;
        // Everyone on the blocker but the one who acted: the enterprise (never of an
        // internal note), the steward, the officers of its department (both, when
        // re-routed). A nudge goes to whoever must act next (the assignee, if the
        // department has named one); an assignment to the officer named and the steward.
        let department_officers =
            users_with_role(&mut tx, current.zone_id, "approval", Some(department_now)).await?;
        let mut to = Vec::new();
        match &event.action {
            Action::Nudged { .. } => match after.waiting_on() {
                Some(Party::Enterprise) => {
                    to.extend(enterprise_users(&mut tx, current.enterprise_id).await?)
                }
                Some(Party::Steward) => to.extend(steward_of(&mut tx, current.project_id).await?),
                _ => match after.assignee {
                    Some(a) => to.push(a),
                    None => to.extend(department_officers),
                },
            },
            Action::Assigned { user } => {
                to.push(*user);
                to.extend(steward_of(&mut tx, current.project_id).await?);
            }
            a => {
                if !a.internal() {
                    to.extend(enterprise_users(&mut tx, current.enterprise_id).await?);
                }
                to.extend(steward_of(&mut tx, current.project_id).await?);
                to.extend(department_officers);
            }
        }
        if department_now != current.department_id {
            to.extend(
                users_with_role(
                    &mut tx,
                    current.zone_id,
                    "approval",
                    Some(current.department_id),
                )
                .await?,
            );
        }
        to.retain(|u| Some(*u) != user_id);
        let body = match &event.action {
            Action::Answered { text }
            | Action::EnterpriseResponded { text }
            | Action::Resolved { text } => text.clone(),
            Action::Rerouted { reason, .. }
            | Action::WaitingOnEnterprise { reason }
            | Action::MarkedComplex { reason, .. }
            | Action::Withdrawn { reason } => reason.clone(),
            Action::Confirmed { rating, comment } => format!("{rating}/5 {comment}"),
            Action::Commented { text, files, .. } if text.trim().is_empty() => files.join("、"),
            Action::Commented { text, .. } | Action::Nudged { text } => text.clone(),
            _ => String::new(),
        };
        notify(
            &mut tx,
            &to,
            &NewNotification {
                zone_id: current.zone_id,
                kind: &format!("blocker_{}", event.action.name()),
                title: &current.title,
                body: &body,
                link: &format!("/blockers/{id}"),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(self.blocker(scope, id).await?)
    }

    /// Makes the escalations due on `today` in every zone, each once whichever server
    /// gets there first, and returns those this call made.
    pub async fn escalate_blockers(
        &self,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<Vec<Escalation>> {
        let everywhere = Scope {
            zone: None,
            enterprise: None,
        };
        let open = self
            .blockers(
                &everywhere,
                &BlockerFilter {
                    open: true,
                    ..Default::default()
                },
            )
            .await?;
        let mut ladders = std::collections::HashMap::new();
        let mut made = Vec::new();
        for b in open {
            let ladder = match ladders.get(&b.zone_id) {
                Some(l) => l,
                None => {
                    let sla = self.blocker_sla(ZoneId(b.zone_id)).await?;
                    ladders.entry(b.zone_id).or_insert(sla.ladder)
                }
            };
            let blocker = b.blocker()?;
            let clocks = blocker.clocks(calendar, &b.limits, today);
            for (clock, rung) in escalations_due(&blocker, &clocks, ladder, calendar, today) {
                let target = ladder[rung].to.clone();
                let mut tx = self.begin_write().await?;
                let inserted = sqlx::query(
                    "INSERT INTO blocker_escalations (blocker_id, clock, rung, target, fired_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (blocker_id, clock, rung) DO NOTHING",
                )
                .bind(b.id)
                .bind(clock.as_str())
                .bind(rung as i64)
                .bind(&target)
                .bind(now())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted != 1 {
                    // Another server made it first.
                    continue;
                }
                let seq: i64 = sqlx::query(
                    "UPDATE blockers SET version = version + 1 WHERE id = $1 RETURNING version",
                )
                .bind(b.id)
                .fetch_one(&mut *tx)
                .await?
                .get("version");
                let event = Event {
                    on: today.max(b.events.last().map_or(b.raised_on, |e| e.event.on)),
                    by: Party::System,
                    action: Action::Escalated { clock, rung },
                };
                insert_event(&mut tx, b.id, seq, &event, None).await?;
                audit::record(
                    &mut tx,
                    &Actor::System("escalation"),
                    Change {
                        zone_id: b.zone_id,
                        action: "escalate",
                        entity: "blocker",
                        entity_id: b.id.to_string(),
                        before: serde_json::Value::Null,
                        after: json!({"clock": clock.as_str(), "rung": rung, "target": target}),
                    },
                )
                .await?;
                // Told once, in the transaction that made it.
                let mut to = match target.as_str() {
                    "zone_leader" => users_with_role(&mut tx, b.zone_id, "leader", None).await?,
                    _ => {
                        users_with_role(&mut tx, b.zone_id, "approval", Some(b.department_id))
                            .await?
                    }
                };
                to.extend(steward_of(&mut tx, b.project_id).await?);
                let notified = notify(
                    &mut tx,
                    &to,
                    &NewNotification {
                        zone_id: b.zone_id,
                        kind: "blocker_escalated",
                        title: &b.title,
                        body: &format!("{} · {target}", clock.as_str()),
                        link: &format!("/blockers/{}", b.id),
                    },
                )
                .await?;
                tx.commit().await?;
                made.push(Escalation {
                    zone_id: b.zone_id,
                    blocker_id: b.id,
                    project_id: b.project_id,
                    department_id: b.department_id,
                    title: b.title.clone(),
                    clock,
                    rung,
                    target,
                    notified,
                });
            }
        }
        Ok(made)
    }
}

/// The project's steward, if it has one.
async fn steward_of(tx: &mut crate::Tx, project: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT steward_user_id FROM projects WHERE id = $1")
            .bind(project)
            .fetch_optional(&mut **tx)
            .await?
            .and_then(|r| r.get::<Option<i64>, _>("steward_user_id")),
    )
}

async fn insert_event(
    tx: &mut crate::Tx,
    blocker: i64,
    seq: i64,
    e: &Event,
    user_id: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO blocker_events (blocker_id, seq, on_date, party, user_id, action_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(blocker)
    .bind(seq)
    .bind(e.on.to_string())
    .bind(e.by.as_str())
    .bind(user_id)
    .bind(serde_json::to_string(&e.action).expect("actions serialise"))
    .bind(now())
    .execute(&mut **tx)
    .await
    .map_err(|err| {
        if StoreError::is_unique_violation(&err) {
            StoreError::Stale
        } else {
            StoreError::from(err)
        }
    })?;
    Ok(())
}
