//! The phases still landing, as the targets' projection reads them: each phase's share of
//! what its project promised at signing (by the phases' investment where every phase
//! states one, else equally).

use luodi_domain::ZoneId;
use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store};

/// A phase signed and not yet in production, with its share of its project's promise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LandingPhase {
    pub phase_id: i64,
    pub phase: String,
    pub project_id: i64,
    pub project: String,
    pub enterprise_id: i64,
    pub status: String,
    /// The phase's share of the project's yearly output and tax at full production, fen.
    pub output_fen: i64,
    pub tax_fen: i64,
    /// The day its construction started, and the months its building takes (its facts).
    pub construction_started_on: Option<chrono::NaiveDate>,
    pub construction_months: Option<f64>,
}

impl Store {
    /// The zone's phases from signed up to (not including) in production.
    pub async fn landing_phases(&self, zone: ZoneId) -> Result<Vec<LandingPhase>> {
        let rows = sqlx::query(
            "SELECT ph.id, ph.name, ph.status, ph.facts_json, ph.construction_started_on, pr.id AS project_id, pr.name AS project, pr.enterprise_id,
                    pr.expected_output_fen, pr.expected_tax_fen
             FROM project_phases ph JOIN projects pr ON pr.id = ph.project_id
             WHERE ph.zone_id = $1 ORDER BY pr.id, ph.seq",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        // Each project's phases with their investment, to share its promise out.
        let mut by_project: std::collections::BTreeMap<
            i64,
            Vec<(&sqlx::any::AnyRow, Option<f64>)>,
        > = Default::default();
        for r in &rows {
            let facts: serde_json::Value =
                serde_json::from_str(&r.get::<String, _>("facts_json")).unwrap_or_default();
            let invest = facts
                .get("investment_wan")
                .and_then(serde_json::Value::as_f64)
                .filter(|v| *v > 0.0);
            by_project
                .entry(r.get("project_id"))
                .or_default()
                .push((r, invest));
        }
        let mut out = Vec::new();
        for phases in by_project.values() {
            let all_known = phases.iter().all(|(_, i)| i.is_some());
            let total: f64 = phases.iter().filter_map(|(_, i)| *i).sum();
            for (r, invest) in phases {
                let status: String = r.get("status");
                if matches!(status.as_str(), "lead" | "in_production") {
                    continue;
                }
                let share = match invest {
                    Some(i) if all_known && total > 0.0 => i / total,
                    _ => 1.0 / phases.len() as f64,
                };
                let part = |fen: Option<i64>| (fen.unwrap_or(0) as f64 * share).round() as i64;
                out.push(LandingPhase {
                    phase_id: r.get("id"),
                    phase: r.get("name"),
                    project_id: r.get("project_id"),
                    project: r.get("project"),
                    enterprise_id: r.get("enterprise_id"),
                    status,
                    output_fen: part(r.get("expected_output_fen")),
                    tax_fen: part(r.get("expected_tax_fen")),
                    construction_started_on: r
                        .get::<Option<String>, _>("construction_started_on")
                        .and_then(|d| d.parse().ok()),
                    construction_months: serde_json::from_str::<serde_json::Value>(
                        &r.get::<String, _>("facts_json"),
                    )
                    .ok()
                    .and_then(|f| f.get("construction_months")?.as_f64()),
                });
            }
        }
        Ok(out)
    }
}
