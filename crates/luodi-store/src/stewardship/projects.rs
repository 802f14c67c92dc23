//! Projects (项目) and their phases. Every read takes the caller's scope: an enterprise
//! user reaches its own enterprise's projects only.

use chrono::NaiveDate;
use luodi_domain::core::enterprise::ChainPosition;
use luodi_domain::core::money::Fen;
use luodi_domain::stewardship::project::{PhaseFacts, PhaseStatus};
use luodi_domain::{EnterpriseId, Scope, ZoneId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::{Result, Store, StoreError, Tx, now};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Phase {
    pub id: i64,
    pub project_id: i64,
    pub seq: i64,
    pub name: String,
    pub status: PhaseStatus,
    pub facts: PhaseFacts,
    pub parcel_code: Option<String>,
    pub parcel_assessments: Option<Vec<String>>,
    pub land_handover_date: Option<NaiveDate>,
    /// What the phase needs of its land, once the landing office has recorded it.
    pub land_needs: Option<luodi_domain::land::matching::LandNeeds>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Project {
    pub id: i64,
    pub zone_id: ZoneId,
    pub enterprise_id: EnterpriseId,
    pub name: String,
    pub name_en: Option<String>,
    pub total_investment: Fen,
    pub industry_code: Option<String>,
    pub chain_position: Option<ChainPosition>,
    pub expected_output: Option<Fen>,
    pub expected_tax: Option<Fen>,
    pub jobs: Option<i64>,
    /// 项目服务管家 — the steward who serves the project.
    pub steward_id: Option<luodi_domain::UserId>,
    pub phases: Vec<Phase>,
    /// Raised by every edit; an edit names the version it read.
    pub version: i64,
}

/// A project to create, with its phases.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub enterprise_id: EnterpriseId,
    pub name: String,
    pub name_en: Option<String>,
    pub total_investment: Fen,
    pub industry_code: Option<String>,
    pub chain_position: Option<ChainPosition>,
    pub expected_output: Option<Fen>,
    pub expected_tax: Option<Fen>,
    pub jobs: Option<i64>,
    pub steward_id: Option<luodi_domain::UserId>,
    pub phases: Vec<NewPhase>,
}

/// A project's new details: its phases in order, the existing ones first (their names and
/// conditions; their stage is their lifecycle's), then any added.
#[derive(Debug, Clone)]
pub struct ProjectEdit {
    pub name: String,
    pub name_en: Option<String>,
    pub total_investment: Fen,
    pub industry_code: Option<String>,
    pub chain_position: Option<ChainPosition>,
    pub expected_output: Option<Fen>,
    pub expected_tax: Option<Fen>,
    pub jobs: Option<i64>,
    pub phases: Vec<NewPhase>,
}

/// Why an edit was not made.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// Phases are added, never taken away (each has its own history).
    #[error("the project has {had} phases; an edit keeps them all")]
    PhasesRemoved { had: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct NewPhase {
    pub name: String,
    pub status: PhaseStatus,
    pub facts: PhaseFacts,
}

const PROJECT_COLUMNS: &str = "id, zone_id, enterprise_id, name, name_en, total_investment_fen, industry_code, chain_position, expected_output_fen, expected_tax_fen, jobs, steward_user_id, version";
const PHASE_COLUMNS: &str = "id, project_id, seq, name, status, facts_json, parcel_code, parcel_assessments_json, land_handover_date, land_needs_json";

pub(crate) fn phase_from(r: &sqlx::any::AnyRow) -> Phase {
    Phase {
        id: r.get("id"),
        project_id: r.get("project_id"),
        seq: r.get("seq"),
        name: r.get("name"),
        status: PhaseStatus::parse(&r.get::<String, _>("status")).unwrap_or(PhaseStatus::Lead),
        facts: serde_json::from_str(&r.get::<String, _>("facts_json")).unwrap_or_default(),
        parcel_code: r.get("parcel_code"),
        parcel_assessments: r
            .get::<Option<String>, _>("parcel_assessments_json")
            .and_then(|t| serde_json::from_str(&t).ok()),
        land_handover_date: r
            .get::<Option<String>, _>("land_handover_date")
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        land_needs: r
            .try_get::<Option<String>, _>("land_needs_json")
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok()),
    }
}

fn project_from(r: &sqlx::any::AnyRow) -> Project {
    Project {
        id: r.get("id"),
        zone_id: ZoneId(r.get("zone_id")),
        enterprise_id: EnterpriseId(r.get("enterprise_id")),
        name: r.get("name"),
        name_en: r.get("name_en"),
        total_investment: Fen(r.get("total_investment_fen")),
        industry_code: r.get("industry_code"),
        chain_position: r
            .get::<Option<String>, _>("chain_position")
            .as_deref()
            .and_then(ChainPosition::parse),
        expected_output: r.get::<Option<i64>, _>("expected_output_fen").map(Fen),
        expected_tax: r.get::<Option<i64>, _>("expected_tax_fen").map(Fen),
        jobs: r.get("jobs"),
        steward_id: r
            .get::<Option<i64>, _>("steward_user_id")
            .map(luodi_domain::UserId),
        phases: Vec::new(),
        version: r.get("version"),
    }
}

/// The scope as SQL: `($1 IS NULL OR zone_id = $1) AND ($2 IS NULL OR enterprise_id = $2)`.
pub(crate) const PROJECT_SCOPE: &str =
    "($1 IS NULL OR zone_id = $1) AND ($2 IS NULL OR enterprise_id = $2)";

impl Store {
    /// The zone's phases whose land needs are recorded: (phase id, project name, phase name).
    pub async fn phases_with_land_needs(&self, zone: ZoneId) -> Result<Vec<(i64, String, String)>> {
        let rows = sqlx::query(
            "SELECT ph.id, p.name AS project, ph.name AS phase FROM project_phases ph JOIN projects p ON p.id = ph.project_id
             WHERE p.zone_id = $1 AND ph.land_needs_json IS NOT NULL ORDER BY p.id, ph.seq",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("id"), r.get("project"), r.get("phase")))
            .collect())
    }

    /// One phase, if the scope sees its project.
    pub async fn phase(&self, scope: &luodi_domain::Scope, phase_id: i64) -> Result<Phase> {
        let sql = format!(
            "SELECT {PHASE_COLUMNS} FROM project_phases WHERE id = $3 AND project_id IN (SELECT id FROM projects WHERE {PROJECT_SCOPE})"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(phase_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(phase_from(&row))
    }

    /// Records what a phase needs of its land (checked first), audited.
    pub async fn set_land_needs(
        &self,
        actor: &crate::Actor,
        scope: &luodi_domain::Scope,
        phase_id: i64,
        needs: &luodi_domain::land::matching::LandNeeds,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT ph.land_needs_json, p.zone_id FROM project_phases ph JOIN projects p ON p.id = ph.project_id
             WHERE ph.id = $3 AND p.id IN (SELECT id FROM projects WHERE {PROJECT_SCOPE})"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(phase_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before: Option<String> = row.get("land_needs_json");
        let after = serde_json::to_string(needs).expect("needs serialise");
        sqlx::query(
            "UPDATE project_phases SET land_needs_json = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(&after)
        .bind(now())
        .bind(phase_id)
        .execute(&mut *tx)
        .await?;
        crate::core::audit::record(
            &mut tx,
            actor,
            crate::core::audit::Change {
                zone_id: row.get("zone_id"),
                action: "set_land_needs",
                entity: "project_phase",
                entity_id: phase_id.to_string(),
                before: before
                    .and_then(|b| serde_json::from_str(&b).ok())
                    .unwrap_or(serde_json::Value::Null),
                after: serde_json::from_str(&after).unwrap_or(serde_json::Value::Null),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_project(
        &self,
        actor: &Actor,
        zone: ZoneId,
        new: &NewProject,
    ) -> Result<Project> {
        let t = now();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO projects (zone_id, enterprise_id, name, name_en, total_investment_fen, industry_code, chain_position, expected_output_fen, expected_tax_fen, jobs, steward_user_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(zone.0)
        .bind(new.enterprise_id.0)
        .bind(&new.name)
        .bind(new.name_en.clone())
        .bind(new.total_investment.0)
        .bind(new.industry_code.clone())
        .bind(new.chain_position.map(|c| c.as_str()))
        .bind(new.expected_output.map(|f| f.0))
        .bind(new.expected_tax.map(|f| f.0))
        .bind(new.jobs)
        .bind(new.steward_id.map(|u| u.0))
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?
        .get("id");
        if let Some(steward) = new.steward_id {
            crate::stewardship::stewards::open_assignment(
                &mut tx, zone.0, id, steward.0, "", actor, &t,
            )
            .await?;
        }
        for (i, p) in new.phases.iter().enumerate() {
            sqlx::query("INSERT INTO project_phases (zone_id, project_id, seq, name, status, facts_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
                .bind(zone.0)
                .bind(id)
                .bind(i as i64 + 1)
                .bind(&p.name)
                .bind(p.status.as_str())
                .bind(serde_json::to_string(&p.facts).expect("facts serialise"))
                .bind(&t)
                .execute(&mut *tx)
                .await?;
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "create",
                entity: "project",
                entity_id: id.to_string(),
                before: serde_json::Value::Null,
                after: json!({"enterprise_id": new.enterprise_id.0, "name": new.name, "total_investment_fen": new.total_investment.0,
                    "industry_code": new.industry_code, "steward_user_id": new.steward_id.map(|u| u.0), "phases": new.phases.iter().map(|p| json!({"name": p.name, "status": p.status.as_str(), "facts": p.facts})).collect::<Vec<_>>()}),
            },
        )
        .await?;
        tx.commit().await?;
        let scope = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        self.project(&scope, id).await
    }

    /// Changes project `id` of the zone: its details, its phases' names and conditions, and
    /// phases added at the end. `expected_version` must be the version the editor read,
    /// else [`StoreError::Stale`]; another project of the zone's name is a conflict on
    /// `name`. Audited with the old and new values of whatever changed.
    pub async fn update_project(
        &self,
        actor: &Actor,
        zone: ZoneId,
        id: i64,
        expected_version: i64,
        edit: &ProjectEdit,
    ) -> std::result::Result<Project, EditError> {
        let scope = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE zone_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(zone.0)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or(StoreError::NotFound)?;
        let before = project_from(&row);
        if before.version != expected_version {
            return Err(StoreError::Stale.into());
        }
        let sql = format!(
            "SELECT {PHASE_COLUMNS} FROM project_phases WHERE project_id = $1 ORDER BY seq"
        );
        let phases: Vec<Phase> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .iter()
            .map(phase_from)
            .collect();
        if edit.phases.len() < phases.len() {
            return Err(EditError::PhasesRemoved { had: phases.len() });
        }
        if sqlx::query("SELECT id FROM projects WHERE zone_id = $1 AND name = $2 AND id <> $3")
            .bind(zone.0)
            .bind(&edit.name)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .is_some()
        {
            return Err(StoreError::Conflict {
                field: "name",
                value: edit.name.clone(),
            }
            .into());
        }
        let t = now();
        let changed = sqlx::query(
            "UPDATE projects SET name = $1, name_en = $2, total_investment_fen = $3, industry_code = $4, chain_position = $5, expected_output_fen = $6, expected_tax_fen = $7, jobs = $8, updated_at = $9, version = version + 1
             WHERE id = $10 AND version = $11",
        )
        .bind(&edit.name)
        .bind(edit.name_en.clone())
        .bind(edit.total_investment.0)
        .bind(edit.industry_code.clone())
        .bind(edit.chain_position.map(|c| c.as_str()))
        .bind(edit.expected_output.map(|f| f.0))
        .bind(edit.expected_tax.map(|f| f.0))
        .bind(edit.jobs)
        .bind(&t)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Stale.into());
        }
        let details = |p: &ProjectEdit| {
            json!({"name": p.name, "name_en": p.name_en, "total_investment_fen": p.total_investment.0,
                "industry_code": p.industry_code, "chain_position": p.chain_position.map(|c| c.as_str()),
                "expected_output_fen": p.expected_output.map(|f| f.0), "expected_tax_fen": p.expected_tax.map(|f| f.0), "jobs": p.jobs})
        };
        let old = ProjectEdit {
            name: before.name.clone(),
            name_en: before.name_en.clone(),
            total_investment: before.total_investment,
            industry_code: before.industry_code.clone(),
            chain_position: before.chain_position,
            expected_output: before.expected_output,
            expected_tax: before.expected_tax,
            jobs: before.jobs,
            phases: Vec::new(),
        };
        let (mut was, mut is) = (Vec::new(), Vec::new());
        for (i, p) in edit.phases.iter().enumerate() {
            let facts = serde_json::to_string(&p.facts).expect("facts serialise");
            match phases.get(i) {
                Some(old) if old.name == p.name && old.facts == p.facts => {}
                Some(old) => {
                    sqlx::query("UPDATE project_phases SET name = $1, facts_json = $2, updated_at = $3 WHERE id = $4")
                        .bind(&p.name)
                        .bind(&facts)
                        .bind(&t)
                        .bind(old.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::from)?;
                    was.push(json!({"seq": old.seq, "name": old.name, "facts": old.facts}));
                    is.push(json!({"seq": old.seq, "name": p.name, "facts": p.facts}));
                }
                None => {
                    sqlx::query("INSERT INTO project_phases (zone_id, project_id, seq, name, status, facts_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
                        .bind(zone.0)
                        .bind(id)
                        .bind(i as i64 + 1)
                        .bind(&p.name)
                        .bind(p.status.as_str())
                        .bind(&facts)
                        .bind(&t)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::from)?;
                    is.push(json!({"seq": i + 1, "name": p.name, "status": p.status.as_str(), "facts": p.facts, "added": true}));
                }
            }
        }
        let mut before_json = details(&old);
        let mut after_json = details(edit);
        before_json["phases"] = json!(was);
        after_json["phases"] = json!(is);
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "update",
                entity: "project",
                entity_id: id.to_string(),
                before: before_json,
                after: after_json,
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(self.project(&scope, id).await?)
    }

    /// The zone of a project the scope sees (not found otherwise): the check before
    /// reading what hangs off a project, without loading it.
    pub async fn project_zone(&self, scope: &Scope, id: i64) -> Result<ZoneId> {
        let sql = format!("SELECT zone_id FROM projects WHERE {PROJECT_SCOPE} AND id = $3");
        Ok(ZoneId(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(scope.zone.map(|z| z.0))
                .bind(scope.enterprise.map(|e| e.0))
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?
                .get("zone_id"),
        ))
    }

    /// One project with its phases, if the scope sees it.
    pub async fn project(&self, scope: &Scope, id: i64) -> Result<Project> {
        let sql =
            format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE {PROJECT_SCOPE} AND id = $3");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut p = project_from(&row);
        let sql = format!(
            "SELECT {PHASE_COLUMNS} FROM project_phases WHERE project_id = $1 ORDER BY seq"
        );
        p.phases = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(phase_from)
            .collect();
        Ok(p)
    }

    /// The projects a scope sees, with their phases, newest first.
    pub async fn projects(&self, scope: &Scope) -> Result<Vec<Project>> {
        let sql = format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE {PROJECT_SCOPE} ORDER BY id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let mut p = project_from(&r);
            let sql = format!(
                "SELECT {PHASE_COLUMNS} FROM project_phases WHERE project_id = $1 ORDER BY seq"
            );
            p.phases = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(p.id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(phase_from)
                .collect();
            out.push(p);
        }
        Ok(out)
    }

    pub async fn project_by_name(&self, zone: ZoneId, name: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT id FROM projects WHERE zone_id = $1 AND name = $2")
            .bind(zone.0)
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.get("id")))
    }
}

/// Why a phase was not moved.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Refused(#[from] luodi_domain::stewardship::project::LifecycleError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Moves a phase of the zone to a later stage by hand, past the lifecycle's guards (a
    /// parcel reserved for land matched; the permit, or a recorded commitment where the
    /// zone allows it, for construction start; completion for production). Audited as a
    /// `move` of the phase, with the commitment when there is one.
    pub async fn move_phase(
        &self,
        actor: &Actor,
        zone: ZoneId,
        phase_id: i64,
        to: PhaseStatus,
        commitment: Option<&str>,
    ) -> Result<PhaseStatus, MoveError> {
        let policy: luodi_domain::stewardship::project::LifecyclePolicy = self
            .zone_setting(zone, crate::core::orgs::LIFECYCLE)
            .await?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT status FROM project_phases WHERE id = $1 AND zone_id = $2")
            .bind(phase_id)
            .bind(zone.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or(StoreError::NotFound)?;
        let from = PhaseStatus::parse(&row.get::<String, _>("status"))
            .ok_or_else(|| StoreError::Corrupt(format!("phase {phase_id} status")))?;
        let parcel = sqlx::query(
            "SELECT id FROM parcels WHERE reserved_phase_id = $1 OR handed_phase_id = $1",
        )
        .bind(phase_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .is_some();
        from.check_move(to, parcel, commitment, policy)?;
        let changed = sqlx::query(
            "UPDATE project_phases SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(now())
        .bind(phase_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Stale.into());
        }
        mark_phase_dates(&mut tx, phase_id, to, &now()).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "move",
                entity: "project_phase",
                entity_id: phase_id.to_string(),
                before: json!({"status": from.as_str()}),
                after: json!({"status": to.as_str(), "commitment": commitment.map(str::trim)}),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(to)
    }
}

/// Keeps the zone day a phase first reached construction (any status from construction
/// started on) and production, which the post-completion check reads (migration 0020).
pub(crate) async fn mark_phase_dates(
    tx: &mut Tx,
    phase: i64,
    status: PhaseStatus,
    at: &str,
) -> Result<()> {
    use luodi_domain::core::time;
    let Some(day) = time::from_stored(at).map(|t| time::zone_date(t).to_string()) else {
        return Ok(());
    };
    if status >= PhaseStatus::ConstructionStarted {
        sqlx::query(
            "UPDATE project_phases SET construction_started_on = COALESCE(construction_started_on, $1) WHERE id = $2",
        )
        .bind(&day)
        .bind(phase)
        .execute(&mut **tx)
        .await?;
    }
    if status == PhaseStatus::InProduction {
        sqlx::query(
            "UPDATE project_phases SET in_production_on = COALESCE(in_production_on, $1) WHERE id = $2",
        )
        .bind(&day)
        .bind(phase)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
