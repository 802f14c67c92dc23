//! 组合预测 — every active phase's forecast, kept in `phase_forecasts` so the leadership's
//! portfolio can be listed and sorted at once. A sweep recomputes only the phases whose
//! inputs changed: each row keeps a key of what it was computed from (the list's steps,
//! the zone's history of decided items, the calendar, the day, samples and seed), and the
//! keys are read with a few aggregate queries. Any server, or the CLI, can sweep: the rows
//! are derived data, and two sweeps of the same inputs write the same rows.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use luodi_domain::approvals::catalogue::Catalogue;
use luodi_domain::forecast::critical_path::{START_TARGET_WORKING_DAYS, forecast_phase};
use luodi_domain::forecast::portfolio::{History, outlook, phase_model, simulate_each};
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{Scope, ZoneId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::stewardship::projects::PROJECT_SCOPE;
use crate::{Result, Store, StoreError, now};

/// What a sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sweep {
    /// Active phases with a service list.
    pub phases: usize,
    /// Of those, the ones whose inputs had changed and were forecast again.
    pub recomputed: usize,
    /// Phases that could not be forecast (logged with the reason); their old rows stay.
    pub failed: usize,
}

/// Changes whenever the forecast's rules change, so kept rows are recomputed after an
/// upgrade rather than at the next change of day.
pub const MODEL_VERSION: &str = "forecast-3";

/// A forecast's move since an earlier day: working days later (negative: earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slip {
    pub since: NaiveDate,
    pub working_days: i64,
}

/// One row of the portfolio: a phase and where its construction start stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioRow {
    pub project_id: i64,
    pub project_name: String,
    pub project_name_en: Option<String>,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub phase_id: i64,
    pub phase: i64,
    pub phase_name: String,
    pub status: PhaseStatus,
    pub steward: Option<String>,
    pub handover_date: NaiveDate,
    /// Land handover plus the zone's target (30 working days).
    pub target_start_date: NaiveDate,
    /// The construction-start item and its deterministic date.
    pub start_item: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub start_p50_date: Option<NaiveDate>,
    pub start_p80_date: Option<NaiveDate>,
    pub start_p90_date: Option<NaiveDate>,
    /// The day construction started, once it has.
    pub started_on: Option<NaiveDate>,
    /// Working days the P50 start (or the actual start) lies after the target; negative
    /// when ahead of it.
    pub late_working_days: i64,
    /// The chance of starting by the target, in thousandths.
    pub on_target_permille: Option<i64>,
    pub permit_p50_date: Option<NaiveDate>,
    pub completion_p50_date: Option<NaiveDate>,
    /// The first item on the critical path still to be decided.
    pub next_critical_item: Option<String>,
    /// How far the P50 start has moved since a week before (or since the first forecast,
    /// if that is later); none once construction started or before a second forecast day.
    pub slip: Option<Slip>,
    pub today: NaiveDate,
    pub computed_at: String,
}

fn date(r: &sqlx::any::AnyRow, column: &str) -> Option<NaiveDate> {
    r.get::<Option<String>, _>(column)
        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

impl Store {
    /// Forecasts again every active phase of the zone whose inputs changed since its row
    /// was written; removes rows of phases no longer active (completion accepted).
    pub async fn forecast_sweep(
        &self,
        zone: ZoneId,
        today: NaiveDate,
        samples: usize,
        seed: u64,
    ) -> Result<Sweep> {
        let lists = sqlx::query(
            "SELECT l.id, l.phase_id, ph.project_id, ph.status, ph.facts_json, l.catalogue_version_id, l.handover_date
             FROM service_lists l JOIN project_phases ph ON ph.id = l.phase_id WHERE l.zone_id = $1 ORDER BY l.phase_id",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        let steps: HashMap<i64, String> = sqlx::query(
            "SELECT list_id, CAST(SUM(version) AS BIGINT) AS v, COUNT(*) AS n, MAX(updated_at) AS u
             FROM service_list_items WHERE zone_id = $1 GROUP BY list_id",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            (
                r.get::<i64, _>("list_id"),
                format!(
                    "{}:{}:{}",
                    r.get::<i64, _>("v"),
                    r.get::<i64, _>("n"),
                    r.get::<Option<String>, _>("u").unwrap_or_default()
                ),
            )
        })
        .collect();
        let history_key = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(updated_at) AS u FROM service_list_items WHERE zone_id = $1 AND state IN ('approved', 'refused')",
        )
        .bind(zone.0)
        .fetch_one(self.pool())
        .await
        .map(|r| format!("{}:{}", r.get::<i64, _>("n"), r.get::<Option<String>, _>("u").unwrap_or_default()))?;
        let calendar_key =
            sqlx::query("SELECT COUNT(*) AS n, MAX(imported_at) AS u FROM calendar_years")
                .fetch_one(self.pool())
                .await
                .map(|r| {
                    format!(
                        "{}:{}",
                        r.get::<i64, _>("n"),
                        r.get::<Option<String>, _>("u").unwrap_or_default()
                    )
                })?;
        let stored: HashMap<i64, String> =
            sqlx::query("SELECT phase_id, inputs_key FROM phase_forecasts WHERE zone_id = $1")
                .bind(zone.0)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| (r.get("phase_id"), r.get("inputs_key")))
                .collect();

        let mut active = HashSet::new();
        let mut changed = Vec::new();
        for r in &lists {
            let status = PhaseStatus::parse(&r.get::<String, _>("status"))
                .unwrap_or(PhaseStatus::LandHandedOver);
            if status >= PhaseStatus::CompletionAccepted {
                continue;
            }
            let list_id: i64 = r.get("id");
            let phase_id: i64 = r.get("phase_id");
            active.insert(phase_id);
            let inputs = format!(
                "{MODEL_VERSION} {}|list {list_id} {} {}|facts {}|catalogue {}|history {history_key}|calendar {calendar_key}|{today}|{samples}|{seed}",
                env!("CARGO_PKG_VERSION"),
                steps.get(&list_id).map_or("", String::as_str),
                r.get::<String, _>("handover_date"),
                r.get::<String, _>("facts_json"),
                r.get::<i64, _>("catalogue_version_id"),
            );
            let key = hex::encode(&Sha256::digest(inputs.as_bytes())[..16]);
            if stored.get(&phase_id) != Some(&key) {
                changed.push((
                    phase_id,
                    r.get::<i64, _>("project_id"),
                    key,
                    r.get::<String, _>("facts_json"),
                ));
            }
        }
        // In one order on every server, so two sweeps never wait on each other crosswise.
        let mut gone: Vec<i64> = stored
            .keys()
            .filter(|p| !active.contains(p))
            .copied()
            .collect();
        gone.sort_unstable();
        if changed.is_empty() && gone.is_empty() {
            return Ok(Sweep {
                phases: active.len(),
                recomputed: 0,
                failed: 0,
            });
        }

        let calendar = self.calendar().await?;
        let history = History::from_finished(&calendar, &self.finished_items(zone).await?, today);
        let scope = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let mut catalogues: HashMap<i64, Catalogue> = HashMap::new();
        let mut computed = Vec::with_capacity(changed.len());
        let mut failed = 0;
        for (phase_id, project_id, key, facts_json) in &changed {
            let list = self.service_list(&scope, *phase_id).await?;
            if let std::collections::hash_map::Entry::Vacant(e) =
                catalogues.entry(list.catalogue_version_id)
            {
                e.insert(
                    self.catalogue(zone, Some(list.catalogue_version_id))
                        .await?
                        .2,
                );
            }
            let catalogue = &catalogues[&list.catalogue_version_id];
            // One phase that cannot be forecast must not hold up the zone's others.
            let facts = match serde_json::from_str::<luodi_domain::stewardship::project::PhaseFacts>(
                facts_json,
            ) {
                Ok(f) => f,
                Err(e) => {
                    tracing::warn!(phase = phase_id, error = %e, "forecast skipped: unreadable facts");
                    failed += 1;
                    continue;
                }
            };
            let items = list.forecast_items(catalogue, &facts);
            let f = match forecast_phase(&calendar, catalogue, &items, list.handover_date, today) {
                Ok(f) => f,
                Err(e) => {
                    tracing::warn!(phase = phase_id, error = %e, "forecast skipped");
                    failed += 1;
                    continue;
                }
            };
            let model = phase_model(&f, &history, START_TARGET_WORKING_DAYS);
            computed.push((*phase_id, *project_id, key.clone(), list, items, f, model));
        }
        // Sampling is CPU work: off the async workers, on all cores.
        let models: Vec<_> = computed.iter().map(|c| c.6.clone()).collect();
        let runs = tokio::task::spawn_blocking(move || simulate_each(&models, samples, seed))
            .await
            .map_err(|e| StoreError::Corrupt(format!("forecast task: {e}")))?;

        let t = now();
        let mut tx = self.begin_write().await?;
        for p in &gone {
            sqlx::query("DELETE FROM phase_forecasts WHERE phase_id = $1")
                .bind(p)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM phase_forecast_history WHERE phase_id = $1")
                .bind(p)
                .execute(&mut *tx)
                .await?;
        }
        for ((phase_id, project_id, key, list, items, f, _), mc) in computed.iter().zip(&runs) {
            let o = outlook(
                &calendar,
                list.handover_date,
                items,
                f,
                mc,
                START_TARGET_WORKING_DAYS,
            );
            let text = |d: Option<NaiveDate>| d.map(|d| d.to_string());
            sqlx::query(
                "INSERT INTO phase_forecasts (phase_id, zone_id, project_id, inputs_key, computed_at, today, handover_date, target_start_date,
                    start_item, start_date, start_p50_date, start_p80_date, start_p90_date, started_on, late_working_days, on_target_permille,
                    permit_p50_date, completion_p50_date, next_critical_item, samples, seed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
                 ON CONFLICT (phase_id) DO UPDATE SET inputs_key = excluded.inputs_key, computed_at = excluded.computed_at,
                    today = excluded.today, handover_date = excluded.handover_date, target_start_date = excluded.target_start_date,
                    start_item = excluded.start_item, start_date = excluded.start_date, start_p50_date = excluded.start_p50_date,
                    start_p80_date = excluded.start_p80_date, start_p90_date = excluded.start_p90_date, started_on = excluded.started_on,
                    late_working_days = excluded.late_working_days, on_target_permille = excluded.on_target_permille,
                    permit_p50_date = excluded.permit_p50_date, completion_p50_date = excluded.completion_p50_date,
                    next_critical_item = excluded.next_critical_item, samples = excluded.samples, seed = excluded.seed",
            )
            .bind(phase_id)
            .bind(zone.0)
            .bind(project_id)
            .bind(key)
            .bind(&t)
            .bind(today.to_string())
            .bind(list.handover_date.to_string())
            .bind(o.target_start_date.to_string())
            .bind(o.start_item.clone())
            .bind(text(o.start_date))
            .bind(text(o.start_p50_date))
            .bind(text(o.start_p80_date))
            .bind(text(o.start_p90_date))
            .bind(text(o.started_on))
            .bind(o.late_working_days)
            .bind(o.on_target_permille)
            .bind(text(o.permit_p50_date))
            .bind(text(o.completion_p50_date))
            .bind(o.next_critical_item.clone())
            .bind(samples as i64)
            .bind(seed as i64)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO phase_forecast_history (phase_id, day, start_p50_date, late_working_days) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (phase_id, day) DO UPDATE SET start_p50_date = excluded.start_p50_date, late_working_days = excluded.late_working_days",
            )
            .bind(phase_id)
            .bind(today.to_string())
            .bind(text(o.start_p50_date))
            .bind(o.late_working_days)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Sweep {
            phases: active.len(),
            recomputed: computed.len(),
            failed,
        })
    }

    /// The portfolio the scope sees: phases still to start first, each group by how late
    /// the (P50 or actual) construction start is, latest first.
    pub async fn portfolio(&self, scope: &Scope) -> Result<Vec<PortfolioRow>> {
        let sql = format!(
            "SELECT f.*, p.name AS project_name, p.name_en AS project_name_en, p.enterprise_id, e.name AS enterprise_name,
                    ph.seq, ph.name AS phase_name, ph.status, u.display_name AS steward
             FROM phase_forecasts f JOIN projects p ON p.id = f.project_id JOIN project_phases ph ON ph.id = f.phase_id
             JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN users u ON u.id = p.steward_user_id
             WHERE f.project_id IN (SELECT id FROM projects WHERE {PROJECT_SCOPE})
             ORDER BY CASE WHEN f.started_on IS NULL THEN 0 ELSE 1 END, f.late_working_days DESC, f.phase_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .fetch_all(self.pool())
            .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                let corrupt = |c: &str| StoreError::Corrupt(format!("phase_forecasts.{c}"));
                Ok(PortfolioRow {
                    project_id: r.get("project_id"),
                    project_name: r.get("project_name"),
                    project_name_en: r.get("project_name_en"),
                    enterprise_id: r.get("enterprise_id"),
                    enterprise_name: r.get("enterprise_name"),
                    phase_id: r.get("phase_id"),
                    phase: r.get("seq"),
                    phase_name: r.get("phase_name"),
                    status: PhaseStatus::parse(&r.get::<String, _>("status"))
                        .ok_or_else(|| corrupt("status"))?,
                    steward: r.get("steward"),
                    handover_date: date(r, "handover_date")
                        .ok_or_else(|| corrupt("handover_date"))?,
                    target_start_date: date(r, "target_start_date")
                        .ok_or_else(|| corrupt("target_start_date"))?,
                    start_item: r.get("start_item"),
                    start_date: date(r, "start_date"),
                    start_p50_date: date(r, "start_p50_date"),
                    start_p80_date: date(r, "start_p80_date"),
                    start_p90_date: date(r, "start_p90_date"),
                    started_on: date(r, "started_on"),
                    late_working_days: r.get("late_working_days"),
                    on_target_permille: r.get("on_target_permille"),
                    permit_p50_date: date(r, "permit_p50_date"),
                    completion_p50_date: date(r, "completion_p50_date"),
                    next_critical_item: r.get("next_critical_item"),
                    today: date(r, "today").ok_or_else(|| corrupt("today"))?,
                    computed_at: r.get("computed_at"),
                    slip: None,
                })
            })
            .collect::<Result<Vec<PortfolioRow>>>()?;
        self.fill_slips(scope, &mut out).await?;
        Ok(out)
    }

    /// On how many days the zone's phases have been forecast.
    pub async fn forecast_history_days(&self, zone: ZoneId) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(DISTINCT h.day) AS n FROM phase_forecast_history h JOIN project_phases ph ON ph.id = h.phase_id WHERE ph.zone_id = $1",
        )
        .bind(zone.0)
        .fetch_one(self.pool())
        .await?
        .get("n"))
    }

    /// Each phase yet to start: how far its P50 start moved since the last forecast at
    /// least a week before its latest, or else since its first.
    async fn fill_slips(&self, scope: &Scope, rows: &mut [PortfolioRow]) -> Result<()> {
        let Some(oldest) = rows.iter().map(|r| r.today).min() else {
            return Ok(());
        };
        let from = (oldest - chrono::Duration::days(60)).to_string();
        let mut history: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
        // Only the history of the phases the scope sees.
        let sql = format!(
            "SELECT h.phase_id, h.day, h.late_working_days FROM phase_forecast_history h
             JOIN project_phases ph ON ph.id = h.phase_id
             WHERE h.day >= $3 AND ph.project_id IN (SELECT id FROM projects WHERE {PROJECT_SCOPE})
             ORDER BY h.phase_id, h.day"
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(from)
            .fetch_all(self.pool())
            .await?
        {
            if let Some(day) = date(&r, "day") {
                history
                    .entry(r.get("phase_id"))
                    .or_default()
                    .push((day, r.get("late_working_days")));
            }
        }
        for row in rows.iter_mut().filter(|r| r.started_on.is_none()) {
            let Some(days) = history.get(&row.phase_id) else {
                continue;
            };
            let week_before = row.today - chrono::Duration::days(7);
            let base = days
                .iter()
                .rev()
                .find(|(d, _)| *d <= week_before)
                .or_else(|| days.iter().find(|(d, _)| *d < row.today));
            row.slip = base.map(|(since, late)| Slip {
                since: *since,
                working_days: row.late_working_days - late,
            });
        }
        Ok(())
    }
}
