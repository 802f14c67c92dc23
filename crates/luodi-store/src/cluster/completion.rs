//! Post-completion checks (达产复核, migration 0019): the phases due one, read with what
//! the check compares (the parcel's control indicators, the project's promise, the
//! phase's investment and land), and each check kept once per phase and year with its
//! verdicts, the blocker a failure opened and an officer's accepted explanation.

use luodi_domain::cluster::completion::{Check, Requirements};
use luodi_domain::{Scope, ZoneId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::{Result, Store, StoreError, now};

/// A phase in production on a handed parcel, with what its check reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckablePhase {
    pub phase_id: i64,
    pub phase: String,
    pub project_id: i64,
    pub project: String,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub parcel_code: String,
    /// The parcel's area in mu.
    pub land_mu: f64,
    /// The parcel's control indicators.
    pub controls: Requirements,
    /// What the project promised, per mu of this parcel (output and tax a year, the
    /// investment), where it gave them.
    pub promised: Requirements,
    /// The phase's own investment (its facts), else the project's, in 万元.
    pub investment_wan: f64,
    pub construction_started_on: Option<chrono::NaiveDate>,
    pub in_production_on: Option<chrono::NaiveDate>,
    pub production_due_on: Option<chrono::NaiveDate>,
}

/// A check as kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionRecord {
    pub id: i64,
    pub phase_id: i64,
    pub phase: String,
    pub project_id: i64,
    pub project: String,
    pub enterprise_id: i64,
    pub enterprise: String,
    /// The parcel handed to the phase (id, code), if it still is.
    pub parcel: Option<(i64, String)>,
    /// The phase's agreed production date, and the day its construction started (the
    /// date due defaults to two years after).
    pub production_due_on: Option<chrono::NaiveDate>,
    pub construction_started_on: Option<chrono::NaiveDate>,
    pub year: i32,
    pub passed: bool,
    pub check: Check,
    pub blocker_id: Option<i64>,
    pub explanation: Option<String>,
    pub explained_by: Option<String>,
    pub explained_at: Option<String>,
    pub checked_at: String,
}

fn day(s: Option<String>) -> Option<chrono::NaiveDate> {
    s.and_then(|d| d.parse().ok())
}

impl Store {
    /// The zone's phases in production on a handed parcel.
    pub async fn checkable_phases(&self, zone: ZoneId) -> Result<Vec<CheckablePhase>> {
        let rows = sqlx::query(
            "SELECT ph.id, ph.name AS phase, ph.facts_json, ph.construction_started_on, ph.in_production_on, ph.production_due_on,
                    pr.id AS project_id, pr.name AS project, pr.total_investment_fen, pr.expected_output_fen, pr.expected_tax_fen,
                    e.id AS enterprise_id, e.name AS enterprise, pa.code AS parcel_code, pa.area_cm2, pa.attrs_json
             FROM project_phases ph JOIN projects pr ON pr.id = ph.project_id JOIN enterprises e ON e.id = pr.enterprise_id
             JOIN parcels pa ON pa.handed_phase_id = ph.id
             WHERE ph.zone_id = $1 AND ph.status = 'in_production' ORDER BY ph.id",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let attrs: serde_json::Value =
                serde_json::from_str(&r.get::<String, _>("attrs_json")).unwrap_or_default();
            let facts: serde_json::Value =
                serde_json::from_str(&r.get::<String, _>("facts_json")).unwrap_or_default();
            let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_f64);
            let land_mu = r.get::<i64, _>("area_cm2") as f64 * 15.0 / 1e8;
            let wan = |fen: Option<i64>| fen.map(|f| f as f64 / 1e6);
            let per_mu = |x: Option<f64>| x.filter(|_| land_mu > 0.0).map(|x| x / land_mu);
            let project_investment = r.get::<i64, _>("total_investment_fen") as f64 / 1e6;
            let investment_wan = num(&facts, "investment_wan").unwrap_or(project_investment);
            out.push(CheckablePhase {
                phase_id: r.get("id"),
                phase: r.get("phase"),
                project_id: r.get("project_id"),
                project: r.get("project"),
                enterprise_id: r.get("enterprise_id"),
                enterprise: r.get("enterprise"),
                parcel_code: r.get("parcel_code"),
                land_mu,
                controls: Requirements {
                    investment_intensity: num(&attrs, "investment_intensity_min_wan_per_mu"),
                    tax_per_mu: num(&attrs, "tax_per_mu_min_wan"),
                    output_per_mu: num(&attrs, "output_per_mu_min_wan"),
                    energy_per_value_added: num(&attrs, "energy_per_value_added_max_tce"),
                },
                promised: Requirements {
                    investment_intensity: per_mu(Some(investment_wan)),
                    tax_per_mu: per_mu(wan(r.get("expected_tax_fen"))),
                    output_per_mu: per_mu(wan(r.get("expected_output_fen"))),
                    energy_per_value_added: None,
                },
                investment_wan,
                construction_started_on: day(r.get("construction_started_on")),
                in_production_on: day(r.get("in_production_on")),
                production_due_on: day(r.get("production_due_on")),
            });
        }
        Ok(out)
    }

    /// Keeps a phase's check for `year` (replacing an earlier one for the same year that
    /// has no explanation yet); audited as `completion_check` with its verdict, the event
    /// other modules react to. Returns the check's id and whether it was new or changed.
    pub async fn record_completion_check(
        &self,
        actor: &Actor,
        zone: ZoneId,
        phase: i64,
        year: i32,
        check: &Check,
    ) -> Result<(i64, bool)> {
        let mut tx = self.begin_write().await?;
        sqlx::query("SELECT id FROM project_phases WHERE id = $1 AND zone_id = $2")
            .bind(phase)
            .bind(zone.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let json = serde_json::to_string(check).expect("a check serialises");
        let held = sqlx::query(
            "SELECT id, check_json, explanation FROM completion_checks WHERE phase_id = $1 AND year = $2",
        )
        .bind(phase)
        .bind(i64::from(year))
        .fetch_optional(&mut *tx)
        .await?;
        let t = now();
        let id = match &held {
            Some(r) if r.get::<String, _>("check_json") == json || r.get::<Option<String>, _>("explanation").is_some() => {
                return Ok((r.get("id"), false));
            }
            Some(r) => {
                let id: i64 = r.get("id");
                sqlx::query("UPDATE completion_checks SET passed = $1, check_json = $2, checked_at = $3 WHERE id = $4")
                    .bind(i64::from(check.passed))
                    .bind(&json)
                    .bind(&t)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => sqlx::query(
                "INSERT INTO completion_checks (zone_id, phase_id, year, passed, check_json, checked_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(zone.0)
            .bind(phase)
            .bind(i64::from(year))
            .bind(i64::from(check.passed))
            .bind(&json)
            .bind(&t)
            .fetch_one(&mut *tx)
            .await?
            .get("id"),
        };
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: if check.passed {
                    "completion_passed"
                } else {
                    "completion_failed"
                },
                entity: "project_phase",
                entity_id: phase.to_string(),
                before: held.map_or(json!({}), |r| {
                    serde_json::from_str(&r.get::<String, _>("check_json")).unwrap_or_default()
                }),
                after: json!({"year": year, "check": check}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, true))
    }

    /// Notes the blocker a failed check opened.
    pub async fn set_completion_blocker(&self, check: i64, blocker: i64) -> Result<()> {
        sqlx::query(
            "UPDATE completion_checks SET blocker_id = $1 WHERE id = $2 AND blocker_id IS NULL",
        )
        .bind(blocker)
        .bind(check)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The checks the scope sees (an enterprise its own), newest year first.
    pub async fn completion_checks(&self, scope: &Scope) -> Result<Vec<CompletionRecord>> {
        let rows = sqlx::query(
            "SELECT c.*, ph.name AS phase, pr.id AS project_id, pr.name AS project, e.id AS enterprise_id, e.name AS enterprise,
                    ph.production_due_on, ph.construction_started_on,
                    (SELECT MIN(pa.id) FROM parcels pa WHERE pa.handed_phase_id = ph.id) AS parcel_id,
                    (SELECT MIN(pa.code) FROM parcels pa WHERE pa.handed_phase_id = ph.id) AS parcel_code
             FROM completion_checks c JOIN project_phases ph ON ph.id = c.phase_id JOIN projects pr ON pr.id = ph.project_id
             JOIN enterprises e ON e.id = pr.enterprise_id
             WHERE ($1 IS NULL OR c.zone_id = $1) AND ($2 IS NULL OR pr.enterprise_id = $2)
             ORDER BY c.year DESC, e.name, c.id",
        )
        .bind(scope.zone.map(|z| z.0))
        .bind(scope.enterprise.map(|e| e.0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CompletionRecord {
                    id: r.get("id"),
                    phase_id: r.get("phase_id"),
                    phase: r.get("phase"),
                    project_id: r.get("project_id"),
                    project: r.get("project"),
                    enterprise_id: r.get("enterprise_id"),
                    enterprise: r.get("enterprise"),
                    parcel: r
                        .get::<Option<i64>, _>("parcel_id")
                        .zip(r.get::<Option<String>, _>("parcel_code")),
                    production_due_on: day(r.get("production_due_on")),
                    construction_started_on: day(r.get("construction_started_on")),
                    year: r.get::<i64, _>("year") as i32,
                    passed: r.get::<i64, _>("passed") != 0,
                    check: serde_json::from_str(&r.get::<String, _>("check_json")).map_err(
                        |_| {
                            StoreError::Corrupt(format!(
                                "completion check {}",
                                r.get::<i64, _>("id")
                            ))
                        },
                    )?,
                    blocker_id: r.get("blocker_id"),
                    explanation: r.get("explanation"),
                    explained_by: r.get("explained_by"),
                    explained_at: r.get("explained_at"),
                    checked_at: r.get("checked_at"),
                })
            })
            .collect()
    }

    /// Records an officer's accepted explanation of a failed check; audited. A check
    /// explained already, or one that passed, is `Conflict`.
    pub async fn explain_completion(
        &self,
        actor: &Actor,
        zone: ZoneId,
        id: i64,
        text: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE completion_checks SET explanation = $1, explained_by = $2, explained_at = $3
             WHERE id = $4 AND zone_id = $5 AND passed = 0 AND explanation IS NULL",
        )
        .bind(text.trim())
        .bind(actor.label())
        .bind(now())
        .bind(id)
        .bind(zone.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            let exists =
                sqlx::query("SELECT id FROM completion_checks WHERE id = $1 AND zone_id = $2")
                    .bind(id)
                    .bind(zone.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict {
                    field: "explanation",
                    value: id.to_string(),
                },
            });
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "explain_completion",
                entity: "completion_check",
                entity_id: id.to_string(),
                before: json!({"explanation": null}),
                after: json!({"explanation": text.trim()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The production dates of a project's phases the scope sees: (phase id, construction
    /// started on, in production on, agreed production date).
    pub async fn phase_production_dates(
        &self,
        scope: &Scope,
        project: i64,
    ) -> Result<Vec<PhaseDates>> {
        let rows = sqlx::query(
            "SELECT ph.id, ph.construction_started_on, ph.in_production_on, ph.production_due_on
             FROM project_phases ph JOIN projects pr ON pr.id = ph.project_id
             WHERE ph.project_id = $1 AND ($2 IS NULL OR pr.zone_id = $2) AND ($3 IS NULL OR pr.enterprise_id = $3)
             ORDER BY ph.seq",
        )
        .bind(project)
        .bind(scope.zone.map(|z| z.0))
        .bind(scope.enterprise.map(|e| e.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| PhaseDates {
                phase_id: r.get("id"),
                construction_started_on: day(r.get("construction_started_on")),
                in_production_on: day(r.get("in_production_on")),
                production_due_on: day(r.get("production_due_on")),
            })
            .collect())
    }

    /// Sets (or clears) a phase's agreed production date; audited as
    /// `set_production_due` with the old and new date. Nothing changes (and nothing is
    /// audited) when the date is the same.
    pub async fn set_production_due(
        &self,
        actor: &Actor,
        zone: ZoneId,
        phase: i64,
        due: Option<chrono::NaiveDate>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let held = sqlx::query(
            "SELECT production_due_on FROM project_phases WHERE id = $1 AND zone_id = $2",
        )
        .bind(phase)
        .bind(zone.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let before = day(held.get("production_due_on"));
        if before == due {
            return Ok(());
        }
        sqlx::query(
            "UPDATE project_phases SET production_due_on = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(due.map(|d| d.to_string()))
        .bind(now())
        .bind(phase)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "set_production_due",
                entity: "project_phase",
                entity_id: phase.to_string(),
                before: json!({"production_due_on": before.map(|d| d.to_string())}),
                after: json!({"production_due_on": due.map(|d| d.to_string())}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A phase's production dates (migration 0020).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhaseDates {
    pub phase_id: i64,
    pub construction_started_on: Option<chrono::NaiveDate>,
    pub in_production_on: Option<chrono::NaiveDate>,
    pub production_due_on: Option<chrono::NaiveDate>,
}
