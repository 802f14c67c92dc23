//! 服务清单 — each project phase's service list: made once, at land handover, from the zone's
//! current catalogue version; then each item moves step by step, by the party allowed to
//! move it, every step audited and kept on the item's timeline.

use chrono::NaiveDate;
use luodi_domain::approvals::catalogue::{Applicability, Catalogue, ReformMode};
use luodi_domain::approvals::rule::ASSESSMENTS;
use luodi_domain::approvals::service_item::{
    Allowed, ItemEvent, ItemState, TransitionError, next_state,
};
use luodi_domain::core::industry::IndustryCode;
use luodi_domain::stewardship::project::{FactError, PhaseStatus};
use luodi_domain::{Scope, ZoneId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::core::users::User;
use crate::stewardship::projects::{PROJECT_SCOPE, phase_from};
use crate::{Result, Store, StoreError, now};

/// The land a phase is handed: the parcel's code and the regional assessments covering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub date: NaiveDate,
    pub parcel_code: String,
    pub assessments: Vec<String>,
}

/// One step on an item's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub event: ItemEvent,
    pub actor: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListItem {
    pub id: i64,
    pub code: String,
    pub department_code: String,
    pub applicability: Applicability,
    pub waived_by: Option<String>,
    pub prerequisites: Vec<String>,
    pub state: ItemState,
    pub timeline: Vec<TimelineEntry>,
    pub version: i64,
}

impl ListItem {
    pub fn events(&self) -> Vec<ItemEvent> {
        self.timeline.iter().map(|t| t.event.clone()).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceList {
    pub id: i64,
    pub zone_id: ZoneId,
    pub project_id: i64,
    pub phase_id: i64,
    pub catalogue_version_id: i64,
    pub handover_date: NaiveDate,
    pub items: Vec<ListItem>,
}

impl ServiceList {
    /// The list as the forecast reads it, with the building work its phase plans
    /// ([`luodi_domain::forecast::critical_path::with_building`]).
    pub fn forecast_items(
        &self,
        catalogue: &Catalogue,
        facts: &luodi_domain::stewardship::project::PhaseFacts,
    ) -> Vec<luodi_domain::forecast::critical_path::ForecastItem> {
        let items = self
            .items
            .iter()
            .map(|i| luodi_domain::forecast::critical_path::ForecastItem {
                code: i.code.clone(),
                prerequisites: i.prerequisites.clone(),
                waived: i.waived_by.is_some(),
                events: i.events(),
                duration: None,
                unconfirmed: i.applicability
                    == luodi_domain::approvals::catalogue::Applicability::ToConfirm,
            })
            .collect();
        luodi_domain::forecast::critical_path::with_building(
            items,
            catalogue,
            facts.construction_months,
        )
    }
}

/// Why a list cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum HandoverError {
    #[error("the zone has no service catalogue yet")]
    NoCatalogue,
    #[error("this phase already has its service list")]
    AlreadyListed,
    #[error("regional assessment '{0}' is not known; use one of the catalogue's assessment kinds")]
    UnknownAssessment(String),
    #[error("the parcel code is empty")]
    NoParcel,
    #[error("phase facts: {0}")]
    Facts(#[from] FactError),
    #[error(transparent)]
    Parcel(#[from] crate::land::parcels::AllocationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Moves a phase on to `to` unless it is there or beyond already — a milestone's approval
/// (permit granted, construction started, completion accepted) — audited as `advance`, by
/// the item or the import that did it. A phase never moves back this way. Returns the
/// status before and after.
async fn advance_phase(
    tx: &mut crate::Tx,
    actor: &Actor,
    zone: i64,
    phase_id: i64,
    to: PhaseStatus,
    by: &str,
    t: &str,
) -> Result<(PhaseStatus, PhaseStatus)> {
    let before: String = sqlx::query("SELECT status FROM project_phases WHERE id = $1")
        .bind(phase_id)
        .fetch_one(&mut **tx)
        .await?
        .get("status");
    let before = PhaseStatus::parse(&before).unwrap_or(PhaseStatus::LandHandedOver);
    let after = before.max(to);
    if after != before {
        sqlx::query("UPDATE project_phases SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(after.as_str())
            .bind(t)
            .bind(phase_id)
            .execute(&mut **tx)
            .await?;
        crate::stewardship::projects::mark_phase_dates(tx, phase_id, after, t).await?;
        audit::record(
            tx,
            actor,
            Change {
                zone_id: zone,
                action: "advance",
                entity: "project_phase",
                entity_id: phase_id.to_string(),
                before: json!({"status": before.as_str()}),
                after: json!({"status": after.as_str(), "by": by}),
            },
        )
        .await?;
    }
    Ok((before, after))
}

/// Why a course cannot be imported; names the item at fault.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    #[error("item {0}: {1}")]
    Item(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a step on an item is refused.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error("you take no part in this item")]
    Forbidden,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

const ITEM_COLUMNS: &str = "id, code, department_code, applicability, waived_by, prerequisites_json, state, timeline_json, version";

fn item_from(r: &sqlx::any::AnyRow) -> ListItem {
    ListItem {
        id: r.get("id"),
        code: r.get("code"),
        department_code: r.get("department_code"),
        applicability: serde_json::from_value(json!(r.get::<String, _>("applicability")))
            .unwrap_or(Applicability::Always),
        waived_by: r.get("waived_by"),
        prerequisites: serde_json::from_str(&r.get::<String, _>("prerequisites_json"))
            .unwrap_or_default(),
        state: ItemState::parse(&r.get::<String, _>("state")).unwrap_or(ItemState::NotStarted),
        timeline: serde_json::from_str(&r.get::<String, _>("timeline_json")).unwrap_or_default(),
        version: r.get("version"),
    }
}

fn applicability_text(a: Applicability) -> &'static str {
    match a {
        Applicability::Always => "always",
        Applicability::RuleHolds => "rule_holds",
        Applicability::ToConfirm => "to_confirm",
    }
}

impl Store {
    /// Hands a phase its land and makes its service list, in one audited transaction.
    pub async fn hand_over(
        &self,
        actor: &Actor,
        scope: &Scope,
        phase_id: i64,
        handover: &Handover,
    ) -> Result<ServiceList, HandoverError> {
        if handover.parcel_code.trim().is_empty() {
            return Err(HandoverError::NoParcel);
        }
        for a in &handover.assessments {
            if !ASSESSMENTS.iter().any(|k| k.0 == a) {
                return Err(HandoverError::UnknownAssessment(a.clone()));
            }
        }
        let mut tx = self.begin_write().await?;
        let phase_row = sqlx::query(
            "SELECT ph.id, ph.project_id, ph.seq, ph.name, ph.status, ph.facts_json, ph.parcel_code, ph.parcel_assessments_json, ph.land_handover_date, p.zone_id, p.industry_code
             FROM project_phases ph JOIN projects p ON p.id = ph.project_id
             WHERE ph.id = $3 AND ($1 IS NULL OR p.zone_id = $1) AND ($2 IS NULL OR p.enterprise_id = $2)",
        )
        .bind(scope.zone.map(|z| z.0))
        .bind(scope.enterprise.map(|e| e.0))
        .bind(phase_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .ok_or(StoreError::NotFound)?;
        let phase = phase_from(&phase_row);
        let zone = ZoneId(phase_row.get("zone_id"));
        phase.facts.check()?;
        if sqlx::query("SELECT id FROM service_lists WHERE phase_id = $1")
            .bind(phase_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .is_some()
        {
            return Err(HandoverError::AlreadyListed);
        }
        let cat = sqlx::query("SELECT id, source_toml FROM catalogue_versions WHERE zone_id = $1 AND superseded_at IS NULL")
            .bind(zone.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or(HandoverError::NoCatalogue)?;
        let catalogue_version_id: i64 = cat.get("id");
        let catalogue = Catalogue::parse(&cat.get::<String, _>("source_toml"))
            .map_err(|e| StoreError::Corrupt(format!("catalogue {catalogue_version_id}: {e:?}")))?;
        let industry = phase_row
            .get::<Option<String>, _>("industry_code")
            .and_then(|c| IndustryCode::parse(&c).ok());
        // The parcel must be one the zone holds, reserved for this phase; it is handed over
        // in the same transaction, and its regional assessments count with any the officer
        // adds.
        let mut assessments = handover.assessments.clone();
        for a in Store::take_parcel(&mut tx, zone, handover.parcel_code.trim(), phase_id).await? {
            if !assessments.contains(&a) {
                assessments.push(a);
            }
        }
        let handover = &Handover {
            assessments,
            ..handover.clone()
        };
        let facts = phase
            .facts
            .facts(industry.as_ref(), Some(&handover.assessments));
        let listed = catalogue.service_list(&facts, &handover.assessments);
        let t = now();
        let list_id: i64 = sqlx::query("INSERT INTO service_lists (zone_id, phase_id, catalogue_version_id, handover_date, generated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(zone.0)
            .bind(phase_id)
            .bind(catalogue_version_id)
            .bind(handover.date.to_string())
            .bind(&t)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .get("id");
        for l in &listed {
            let item = catalogue
                .item(&l.code)
                .expect("listed items are in the catalogue");
            let (state, timeline) = if l.waived_by.is_some() {
                (ItemState::Waived, Vec::new())
            } else if item.done_at_handover {
                let at_handover = vec![TimelineEntry {
                    event: ItemEvent::Approve {
                        on: handover.date,
                        verify_by: None,
                    },
                    actor: actor.label(),
                    at: t.clone(),
                }];
                (ItemState::Approved, at_handover)
            } else {
                (ItemState::NotStarted, Vec::new())
            };
            sqlx::query(
                "INSERT INTO service_list_items (zone_id, list_id, code, department_code, applicability, waived_by, prerequisites_json, state, timeline_json, updated_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
            )
            .bind(zone.0)
            .bind(list_id)
            .bind(&l.code)
            .bind(&item.department)
            .bind(applicability_text(l.applicability))
            .bind(l.waived_by.clone())
            .bind(serde_json::to_string(&l.prerequisites).expect("codes serialise"))
            .bind(state.as_str())
            .bind(serde_json::to_string(&timeline).expect("timeline serialises"))
            .bind(&t)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        }
        sqlx::query("UPDATE project_phases SET parcel_code = $1, parcel_assessments_json = $2, land_handover_date = $3, status = $4, updated_at = $5 WHERE id = $6")
            .bind(handover.parcel_code.trim())
            .bind(serde_json::to_string(&handover.assessments).expect("assessments serialise"))
            .bind(handover.date.to_string())
            .bind(phase.status.max(PhaseStatus::LandHandedOver).as_str())
            .bind(&t)
            .bind(phase_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "hand_over",
                entity: "project_phase",
                entity_id: phase_id.to_string(),
                before: json!({"status": phase.status.as_str(), "parcel_code": phase.parcel_code, "land_handover_date": phase.land_handover_date}),
                after: json!({"status": PhaseStatus::LandHandedOver.as_str(), "parcel_code": handover.parcel_code.trim(), "parcel_assessments": handover.assessments, "land_handover_date": handover.date}),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "create",
                entity: "service_list",
                entity_id: list_id.to_string(),
                before: serde_json::Value::Null,
                after: json!({"phase_id": phase_id, "catalogue_version_id": catalogue_version_id, "items": listed.len(),
                    "waived": listed.iter().filter(|l| l.waived_by.is_some()).map(|l| &l.code).collect::<Vec<_>>()}),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(self.service_list(scope, phase_id).await?)
    }

    /// Records what already happened to a phase's list — a zone moving its past projects
    /// in, or the demo's history — in one audited transaction. Each item's steps are checked
    /// in order with the party taking them; an item that is not on the list or has already
    /// moved, or any step that is not possible, refuses the whole course and writes
    /// nothing. The phase's status follows the milestones the course approves.
    pub async fn import_course(
        &self,
        actor: &Actor,
        scope: &Scope,
        phase_id: i64,
        course: &luodi_domain::forecast::portfolio::Course,
    ) -> Result<usize, CourseError> {
        let list = self.service_list(scope, phase_id).await?;
        let catalogue = self
            .catalogue(list.zone_id, Some(list.catalogue_version_id))
            .await?
            .2;
        let mut status = PhaseStatus::LandHandedOver;
        let mut states = Vec::with_capacity(course.len());
        let mut seen = std::collections::HashSet::new();
        let mut started: Option<chrono::NaiveDate> = None;
        for (code, events) in course {
            if !seen.insert(code) {
                return Err(CourseError::Item(code.clone(), "appears twice".into()));
            }
            let item = list
                .items
                .iter()
                .find(|i| &i.code == code)
                .ok_or_else(|| CourseError::Item(code.clone(), "not on this list".into()))?;
            if item.state != ItemState::NotStarted {
                return Err(CourseError::Item(
                    code.clone(),
                    format!("already {}", item.state.as_str()),
                ));
            }
            let modes = catalogue
                .item(code)
                .map(|c| c.modes.clone())
                .unwrap_or_default();
            let allowed = Allowed {
                minor_missing: modes.contains(&ReformMode::MinorMissing),
                commitment: modes.contains(&ReformMode::Commitment),
                verification_pending: false,
            };
            let state = luodi_domain::approvals::service_item::replay(events, allowed)
                .map_err(|(i, e)| CourseError::Item(code.clone(), format!("step {i}: {e}")))?;
            if state == ItemState::Approved
                && let Some(m) = catalogue.item(code).and_then(|c| c.milestone)
            {
                status = status.max(PhaseStatus::at_milestone(m));
                // The day building began is the first milestone at or past construction
                // start the course approved (its approval's day), not the import's.
                if PhaseStatus::at_milestone(m) >= PhaseStatus::ConstructionStarted
                    && let Some((last, _)) = events.last()
                {
                    let on = last.on();
                    started = Some(started.map_or(on, |s: chrono::NaiveDate| s.min(on)));
                }
            }
            states.push(state);
        }
        let mut tx = self.begin_write().await?;
        let t = now();
        let label = actor.label();
        for ((code, events), state) in course.iter().zip(states) {
            let timeline: Vec<TimelineEntry> = events
                .iter()
                .map(|(event, _)| TimelineEntry {
                    event: event.clone(),
                    actor: label.clone(),
                    at: t.clone(),
                })
                .collect();
            let changed = sqlx::query("UPDATE service_list_items SET state = $1, timeline_json = $2, updated_at = $3, version = version + 1 WHERE list_id = $4 AND code = $5 AND state = 'not_started'")
                .bind(state.as_str())
                .bind(serde_json::to_string(&timeline).expect("timeline serialises"))
                .bind(&t)
                .bind(list.id)
                .bind(code)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?
                .rows_affected();
            if changed != 1 {
                return Err(CourseError::Item(code.clone(), "moved meanwhile".into()));
            }
        }
        if let Some(on) = started {
            sqlx::query(
                "UPDATE project_phases SET construction_started_on = COALESCE(construction_started_on, $1) WHERE id = $2",
            )
            .bind(on.to_string())
            .bind(phase_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        }
        let (before, after) = advance_phase(
            &mut tx,
            actor,
            list.zone_id.0,
            phase_id,
            status,
            "import_course",
            &t,
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: list.zone_id.0,
                action: "import_course",
                entity: "service_list",
                entity_id: list.id.to_string(),
                before: json!({"phase_status": before.as_str()}),
                after: json!({"phase_status": after.as_str(), "items": course.len(),
                    "steps": course.iter().map(|c| c.1.len()).sum::<usize>()}),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(course.len())
    }

    /// A phase's list, if the scope sees its project.
    pub async fn service_list(&self, scope: &Scope, phase_id: i64) -> Result<ServiceList> {
        let sql = format!(
            "SELECT l.id, l.zone_id, l.phase_id, l.catalogue_version_id, l.handover_date, ph.project_id FROM service_lists l
             JOIN project_phases ph ON ph.id = l.phase_id JOIN projects p ON p.id = ph.project_id
             WHERE l.phase_id = $3 AND p.id IN (SELECT id FROM projects WHERE {PROJECT_SCOPE})"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(phase_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let id: i64 = row.get("id");
        let items = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM service_list_items WHERE list_id = $1 ORDER BY id"
        )))
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(item_from)
        .collect();
        Ok(ServiceList {
            id,
            zone_id: ZoneId(row.get("zone_id")),
            project_id: row.get("project_id"),
            phase_id: row.get("phase_id"),
            catalogue_version_id: row.get("catalogue_version_id"),
            handover_date: NaiveDate::parse_from_str(
                &row.get::<String, _>("handover_date"),
                "%Y-%m-%d",
            )
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            items,
        })
    }

    /// Takes one step on an item for `user`, checking party, state, date order and the
    /// item's reform modes; the step is appended to the timeline and audited.
    pub async fn item_step(
        &self,
        user: &User,
        item_id: i64,
        event: ItemEvent,
        expected_version: Option<i64>,
    ) -> Result<(ListItem, i64), StepError> {
        self.item_step_as(
            &user.caller(),
            &user.actor(),
            item_id,
            event,
            expected_version,
        )
        .await
    }

    /// [`Store::item_step`] for a caller as the policy sees them, written as `actor`.
    pub async fn item_step_as(
        &self,
        caller: &luodi_domain::core::policy::Caller,
        actor: &Actor,
        item_id: i64,
        event: ItemEvent,
        expected_version: Option<i64>,
    ) -> Result<(ListItem, i64), StepError> {
        let scope = caller.read_scope();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT i.id, i.code, i.department_code, i.applicability, i.waived_by, i.prerequisites_json, i.state, i.timeline_json, i.version, i.zone_id, l.catalogue_version_id,
                    ph.id AS phase_id
             FROM service_list_items i JOIN service_lists l ON l.id = i.list_id JOIN project_phases ph ON ph.id = l.phase_id
             WHERE i.id = $3 AND ph.project_id IN (SELECT id FROM projects WHERE {PROJECT_SCOPE})"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(item_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or(StoreError::NotFound)?;
        let item = item_from(&row);
        if expected_version.is_some_and(|v| v != item.version) {
            return Err(StoreError::Stale.into());
        }
        let zone: i64 = row.get("zone_id");
        let own_department = match caller.department {
            Some(d) => sqlx::query("SELECT code FROM departments WHERE id = $1")
                .bind(d.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?
                .map(|r| r.get::<String, _>("code")),
            None => None,
        };
        let party = luodi_domain::core::policy::item_party(
            caller.role,
            own_department.as_deref() == Some(item.department_code.as_str()),
        )
        .ok_or(StepError::Forbidden)?;
        let catalogue_version_id: i64 = row.get("catalogue_version_id");
        let cat_text: String =
            sqlx::query("SELECT source_toml FROM catalogue_versions WHERE id = $1")
                .bind(catalogue_version_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?
                .get("source_toml");
        let catalogue =
            Catalogue::parse(&cat_text).map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
        let modes = catalogue
            .item(&item.code)
            .map(|i| i.modes.clone())
            .unwrap_or_default();
        let allowed = Allowed {
            minor_missing: modes.contains(&ReformMode::MinorMissing),
            commitment: modes.contains(&ReformMode::Commitment),
            verification_pending: luodi_domain::approvals::service_item::pending_verification(
                &item.events(),
            )
            .is_some(),
        };
        let last = item.timeline.last().map(|t| t.event.on());
        let state = next_state(item.state, &event, party, allowed, last)?;
        let mut timeline = item.timeline.clone();
        let t = now();
        timeline.push(TimelineEntry {
            event: event.clone(),
            actor: actor.label(),
            at: t.clone(),
        });
        sqlx::query("UPDATE service_list_items SET state = $1, timeline_json = $2, updated_at = $3, version = version + 1 WHERE id = $4")
            .bind(state.as_str())
            .bind(serde_json::to_string(&timeline).expect("timeline serialises"))
            .bind(&t)
            .bind(item.id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone,
                action: event.name(),
                entity: "service_item",
                entity_id: item.id.to_string(),
                before: json!({"code": item.code, "state": item.state.as_str()}),
                after: json!({"code": item.code, "state": state.as_str(), "event": event}),
            },
        )
        .await?;
        // A milestone's approval moves its phase on (permit granted, construction started,
        // completion accepted); a phase never moves back this way.
        let milestone = catalogue.item(&item.code).and_then(|c| c.milestone);
        if let (ItemState::Approved, Some(m)) = (state, milestone) {
            advance_phase(
                &mut tx,
                actor,
                zone,
                row.get("phase_id"),
                PhaseStatus::at_milestone(m),
                &item.code,
                &t,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok((
            ListItem {
                state,
                timeline,
                version: item.version + 1,
                ..item
            },
            catalogue_version_id,
        ))
    }

    /// Every open item of the zone (submitted, in progress, returned, special, and approved
    /// ones that may still await a commitment's verification), with its
    /// project, phase and the catalogue version its list was made from.
    pub async fn open_items(&self, zone: ZoneId) -> Result<Vec<(ListItem, i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT i.id, i.code, i.department_code, i.applicability, i.waived_by, i.prerequisites_json, i.state, i.timeline_json, i.version,
                    ph.project_id, ph.id AS phase_id, l.catalogue_version_id
             FROM service_list_items i JOIN service_lists l ON l.id = i.list_id JOIN project_phases ph ON ph.id = l.phase_id
             WHERE i.zone_id = $1 AND i.state IN ('submitted', 'accepted', 'returned', 'incomplete', 'special', 'approved') ORDER BY i.id",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    item_from(r),
                    r.get("project_id"),
                    r.get("phase_id"),
                    r.get("catalogue_version_id"),
                )
            })
            .collect())
    }

    /// Every decided item of the zone (approved or refused) with its timeline: the history
    /// forecasts learn from.
    pub async fn finished_items(&self, zone: ZoneId) -> Result<Vec<(String, Vec<ItemEvent>)>> {
        let rows = sqlx::query("SELECT code, timeline_json FROM service_list_items WHERE zone_id = $1 AND state IN ('approved', 'refused')")
            .bind(zone.0)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let timeline: Vec<TimelineEntry> =
                    serde_json::from_str(&r.get::<String, _>("timeline_json")).unwrap_or_default();
                (
                    r.get("code"),
                    timeline.into_iter().map(|t| t.event).collect(),
                )
            })
            .collect())
    }

    /// A department's open items in the zone (submitted, in progress, returned, special),
    /// with the project and phase each belongs to.
    pub async fn department_queue(
        &self,
        zone: ZoneId,
        department_code: &str,
    ) -> Result<Vec<(ListItem, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT i.id, i.code, i.department_code, i.applicability, i.waived_by, i.prerequisites_json, i.state, i.timeline_json, i.version, ph.project_id, ph.id AS phase_id
             FROM service_list_items i JOIN service_lists l ON l.id = i.list_id JOIN project_phases ph ON ph.id = l.phase_id
             WHERE i.zone_id = $1 AND i.department_code = $2 AND i.state IN ('submitted', 'accepted', 'returned', 'incomplete', 'special')",
        )
        .bind(zone.0)
        .bind(department_code)
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<(ListItem, i64, i64)> = rows
            .iter()
            .map(|r| (item_from(r), r.get("project_id"), r.get("phase_id")))
            .collect();
        // Oldest first: by the day the enterprise first submitted.
        out.sort_by_key(|(i, _, _)| {
            i.timeline
                .iter()
                .find_map(|t| matches!(t.event, ItemEvent::Submit { .. }).then(|| t.event.on()))
        });
        Ok(out)
    }
}
