//! Enterprises' statistics by period (migration 0019). Each (enterprise, period) keeps
//! every version: a correction adds one and marks the one before it superseded, and the
//! audit entry of the import keeps the old values beside the new. An import is one
//! transaction: every row is checked against the zone (its enterprise known, its period
//! open or a reason given) before anything is written, and a file with any problem
//! writes nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{Figures, Mu, RowProblem, StatRow, Tce};
use luodi_domain::core::money::Fen;
use luodi_domain::{EnterpriseId, Scope, Text, ZoneId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::bulk::{Bulk, Cell};
use crate::core::audit::{self, Actor, Change};
use crate::{Result, Store, StoreError, now};

/// One version of an enterprise's figures for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatRecord {
    pub id: i64,
    pub enterprise_id: i64,
    pub uscc: String,
    pub enterprise: String,
    pub period: String,
    pub version: i64,
    pub figures: Figures,
    /// `import`, `portal` or `api`.
    pub source: String,
    pub reason: Option<String>,
    pub entered_by: String,
    pub entered_at: String,
    /// When a later version replaced it.
    pub superseded_at: Option<String>,
}

/// An enterprise's year added up ([`Store::statistic_year_sums`]): what
/// `statistic_year_sums` keeps, written by every import in its transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct YearSum {
    pub enterprise_id: i64,
    pub year: i32,
    /// The year's own row.
    pub annual: Option<Figures>,
    /// How many of its months have rows, and their totals (employees summed).
    pub months: i64,
    pub month_totals: Figures,
}

impl YearSum {
    /// A year of `enterprise_id` with no rows yet.
    pub fn empty(enterprise_id: i64, year: i32) -> YearSum {
        YearSum {
            enterprise_id,
            year,
            annual: None,
            months: 0,
            month_totals: Figures::default(),
        }
    }

    /// Adds one of the year's current rows: the year's own, or a month's (its land left
    /// out, its employees summed).
    /// `None` when a total would overflow (a file's figures are bounded so that a year's
    /// cannot: [`luodi_domain::cluster::statistics::MAX_FIGURE`]).
    pub fn add(&mut self, period: Period, f: &Figures) -> Option<()> {
        match period {
            Period::Year(_) => self.annual = Some(*f),
            Period::Month(..) => {
                let t = &mut self.month_totals;
                self.months += 1;
                t.revenue.0 = t.revenue.0.checked_add(f.revenue.0)?;
                t.output.0 = t.output.0.checked_add(f.output.0)?;
                t.tax.0 = t.tax.0.checked_add(f.tax.0)?;
                t.value_added.0 = t.value_added.0.checked_add(f.value_added.0)?;
                t.energy.0 = t.energy.0.checked_add(f.energy.0)?;
                t.rd.0 = t.rd.0.checked_add(f.rd.0)?;
                t.employees = t.employees.checked_add(f.employees)?;
            }
        }
        Some(())
    }

    /// The year's figures when it is complete: its own row, else twelve months.
    pub fn figures(&self) -> Option<Figures> {
        self.annual.or_else(|| {
            (self.months == 12)
                .then(|| luodi_domain::cluster::statistics::twelve_months(self.month_totals))
        })
    }
}

/// What some enterprises add up to in a year ([`Store::statistic_year_totals`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct YearTotals {
    pub year: i32,
    /// Enterprises with figures for the year.
    pub counted: i64,
    /// Those whose year is complete.
    pub reporting: i64,
    /// The complete years' totals.
    pub output: Fen,
    pub revenue: Fen,
    pub tax: Fen,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Periods the enterprise had no figures for.
    pub created: usize,
    /// Periods whose figures changed (a new version each).
    pub corrected: usize,
    /// Rows equal to the figures held.
    pub unchanged: usize,
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum StatisticsError {
    #[error("{} problems", .0.len())]
    Invalid(Vec<RowProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for StatisticsError {
    fn from(e: sqlx::Error) -> Self {
        StatisticsError::Store(e.into())
    }
}

/// Which rows a statistics read returns.
#[derive(Debug, Clone, Default)]
pub struct StatFilter {
    pub year: Option<i32>,
    pub enterprise: Option<EnterpriseId>,
    /// Only the year rows (`Some(true)`) or only the months (`Some(false)`).
    pub annual: Option<bool>,
}

const COLUMNS: &str = "s.id, s.enterprise_id, e.uscc, e.name, s.period, s.version, s.revenue_fen, s.output_fen, s.tax_fen, s.value_added_fen, s.energy_kgce, s.rd_fen, s.employees, s.land_mu_e4, s.source, s.reason, s.entered_by, s.entered_at, s.superseded_at";

fn figures_of(r: &sqlx::any::AnyRow) -> Figures {
    Figures {
        revenue: Fen(r.get("revenue_fen")),
        output: Fen(r.get("output_fen")),
        tax: Fen(r.get("tax_fen")),
        value_added: Fen(r.get("value_added_fen")),
        energy: Tce(r.get("energy_kgce")),
        rd: Fen(r.get("rd_fen")),
        employees: r.get("employees"),
        land: r.get::<Option<i64>, _>("land_mu_e4").map(Mu),
    }
}

fn record_of(r: &sqlx::any::AnyRow) -> StatRecord {
    StatRecord {
        id: r.get("id"),
        enterprise_id: r.get("enterprise_id"),
        uscc: r.get("uscc"),
        enterprise: r.get("name"),
        period: r.get("period"),
        version: r.get("version"),
        figures: figures_of(r),
        source: r.get("source"),
        reason: r.get("reason"),
        entered_by: r.get("entered_by"),
        entered_at: r.get("entered_at"),
        superseded_at: r.get("superseded_at"),
    }
}

fn figures_json(f: &Figures) -> serde_json::Value {
    json!({
        "revenue_fen": f.revenue.0, "output_fen": f.output.0, "tax_fen": f.tax.0,
        "value_added_fen": f.value_added.0, "energy_kgce": f.energy.0, "rd_fen": f.rd.0,
        "employees": f.employees, "land_mu_e4": f.land.map(|m| m.0),
    })
}

/// Whether `period` is closed: itself, or (for a month) its year.
fn is_closed(closed: &BTreeSet<String>, period: Period) -> bool {
    closed.contains(&period.to_string()) || closed.contains(&period.year().to_string())
}

/// The zone's checks of rows read from a file: each enterprise known (and, with `only`,
/// that one), each period open or a reason given. Returns the zone's codes and the
/// problems.
async fn zone_checks(
    tx: &mut crate::Tx,
    zone: ZoneId,
    rows: &[StatRow],
    reason: Option<&str>,
    only: Option<EnterpriseId>,
) -> Result<(HashMap<String, i64>, Vec<RowProblem>)> {
    let enterprises: HashMap<String, i64> =
        sqlx::query("SELECT id, uscc FROM enterprises WHERE zone_id = $1")
            .bind(zone.0)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| (r.get::<String, _>("uscc"), r.get::<i64, _>("id")))
            .filter(|(_, id)| only.is_none_or(|o| o.0 == *id))
            .collect();
    let closed: BTreeSet<String> =
        sqlx::query("SELECT period FROM statistic_periods_closed WHERE zone_id = $1")
            .bind(zone.0)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.get("period"))
            .collect();
    let mut problems = Vec::new();
    for row in rows {
        if !enterprises.contains_key(&row.uscc) {
            problems.push(RowProblem {
                row: row.row,
                column: "uscc".into(),
                reason: Text::fill("rules.cluster.unknown_uscc", &[("uscc", &row.uscc)]),
            });
        }
        if reason.is_none() && is_closed(&closed, row.period) {
            problems.push(RowProblem {
                row: row.row,
                column: "period".into(),
                reason: Text::fill(
                    "rules.cluster.period_closed",
                    &[("period", &row.period.to_string())],
                ),
            });
        }
    }
    Ok((enterprises, problems))
}

impl Store {
    /// The zone's own problems of rows that read (an unknown code, a closed period without
    /// a reason), to name beside a file's own when the file is refused anyway. Writes
    /// nothing.
    pub async fn statistics_zone_problems(
        &self,
        zone: ZoneId,
        rows: &[StatRow],
        reason: Option<&str>,
        only: Option<EnterpriseId>,
    ) -> Result<Vec<RowProblem>> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        // A refused file is rare; a write transaction reads as any other and is rolled back.
        let mut tx = self.begin_write().await?;
        let (_, problems) = zone_checks(&mut tx, zone, rows, reason, only).await?;
        Ok(problems)
    }

    /// Imports rows of statistics for the zone, all or nothing. `only` limits the rows to
    /// one enterprise (its own portal): any other code is unknown, as a code the zone
    /// does not hold. A row for a closed period needs `reason`. Returns what changed.
    pub async fn import_statistics(
        &self,
        actor: &Actor,
        zone: ZoneId,
        rows: &[StatRow],
        source: &str,
        reason: Option<&str>,
        only: Option<EnterpriseId>,
    ) -> std::result::Result<ImportSummary, StatisticsError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut tx = self.begin_write().await?;
        // The year sums are made from the rows read here: another import of the zone
        // must not commit in between.
        self.lock_zone(&mut tx, crate::ZoneLock::Statistics, zone.0)
            .await?;
        let (enterprises, problems) = zone_checks(&mut tx, zone, rows, reason, only).await?;
        if !problems.is_empty() {
            return Err(StatisticsError::Invalid(problems));
        }
        // The figures held now for the years the rows touch.
        let years: BTreeSet<i32> = rows.iter().map(|r| r.period.year()).collect();
        let mut held: HashMap<(i64, Period), (i64, i64, Figures)> = HashMap::new();
        for year in &years {
            let found = sqlx::query(
                "SELECT id, enterprise_id, period, version, revenue_fen, output_fen, tax_fen, value_added_fen, energy_kgce, rd_fen, employees, land_mu_e4
                 FROM enterprise_statistics WHERE zone_id = $1 AND year = $2 AND superseded_at IS NULL",
            )
            .bind(zone.0)
            .bind(i64::from(*year))
            .fetch_all(&mut *tx)
            .await?;
            for r in &found {
                let period = Period::parse(&r.get::<String, _>("period")).map_err(|_| {
                    StoreError::Corrupt(format!("statistics row {}", r.get::<i64, _>("id")))
                })?;
                held.insert(
                    (r.get("enterprise_id"), period),
                    (r.get("id"), r.get("version"), figures_of(r)),
                );
            }
        }
        let t = now();
        let (by, by_user) = match actor {
            Actor::User { id, .. } => (actor.label(), Some(id.0)),
            _ => (actor.label(), None),
        };
        let mut summary = ImportSummary::default();
        let mut inserts: Vec<(i64, &StatRow, i64)> = Vec::new();
        let mut superseded: Vec<i64> = Vec::new();
        let mut corrections = Vec::new();
        for row in rows {
            let enterprise = enterprises[&row.uscc];
            match held.get(&(enterprise, row.period)) {
                Some((_, _, f)) if *f == row.figures => summary.unchanged += 1,
                Some((id, version, f)) => {
                    summary.corrected += 1;
                    superseded.push(*id);
                    inserts.push((enterprise, row, version + 1));
                    corrections.push(json!({
                        "uscc": row.uscc, "period": row.period.to_string(), "version": version + 1,
                        "before": figures_json(f), "after": figures_json(&row.figures),
                    }));
                }
                None => {
                    summary.created += 1;
                    inserts.push((enterprise, row, 1));
                }
            }
        }
        for chunk in superseded.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "UPDATE enterprise_statistics SET superseded_at = $1 WHERE id IN ({})",
                marks.join(", ")
            );
            // Only placeholders are formatted into the text; every value is bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&t);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        // Many rows a statement, bound as a few parameters (`bulk`): a round trip per
        // row, or a parameter per value, would be most of an import's time.
        use crate::SqlType::{Integer, Text};
        const COLUMNS: [(&str, crate::SqlType); 13] = [
            ("enterprise_id", Integer),
            ("period", Text),
            ("year", Integer),
            ("month", Integer),
            ("version", Integer),
            ("revenue_fen", Integer),
            ("output_fen", Integer),
            ("tax_fen", Integer),
            ("value_added_fen", Integer),
            ("energy_kgce", Integer),
            ("rd_fen", Integer),
            ("employees", Integer),
            ("land_mu_e4", Integer),
        ];
        let backend = self.backend();
        let sql = format!(
            "INSERT INTO enterprise_statistics (zone_id, source, reason, entered_by, entered_by_user_id, entered_at,
                enterprise_id, period, year, month, version, revenue_fen, output_fen, tax_fen, value_added_fen, energy_kgce, rd_fen, employees, land_mu_e4)
             SELECT $1, $2, $3, $4, $5, $6, enterprise_id, period, year, month, version, revenue_fen, output_fen, tax_fen, value_added_fen, energy_kgce, rd_fen, employees, land_mu_e4
             FROM ({}) AS given",
            backend.bulk_select(7, &COLUMNS)
        );
        // Each chunk's rows are gathered on every core at once; the database then takes
        // them one after another.
        use rayon::prelude::*;
        let chunks: Vec<Bulk> = inserts
            .par_chunks(20_000)
            .map(|chunk| {
                let mut bulk = Bulk::new(backend, &COLUMNS);
                for (enterprise, row, version) in chunk {
                    let f = &row.figures;
                    let period = row.period.to_string();
                    let mut cells = [Cell::Null; 13];
                    cells[..5].copy_from_slice(&[
                        Cell::Int(*enterprise),
                        Cell::Text(&period),
                        Cell::Int(i64::from(row.period.year())),
                        row.period.month().map(i64::from).into(),
                        Cell::Int(*version),
                    ]);
                    cells[5..12].copy_from_slice(&figure_cells(f));
                    cells[12] = f.land.map(|m| m.0).into();
                    bulk.push(&cells);
                }
                bulk
            })
            .collect();
        for bulk in chunks {
            // Only the column list is formatted into the text; every value is bound.
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(zone.0)
                .bind(source)
                .bind(reason)
                .bind(&by)
                .bind(by_user)
                .bind(&t);
            bulk.bind(q).execute(&mut *tx).await?;
        }
        write_year_sums(&mut tx, self.backend(), zone, &held, &inserts).await?;
        if summary.created + summary.corrected > 0 {
            let single = rows.len() == 1;
            audit::record(
                &mut tx,
                actor,
                Change {
                    zone_id: zone.0,
                    action: "import_statistics",
                    entity: "statistics",
                    entity_id: if single {
                        format!("{} {}", rows[0].uscc, rows[0].period)
                    } else {
                        format!("{} rows", rows.len())
                    },
                    before: json!({}),
                    after: json!({
                        "source": source, "reason": reason,
                        "created": summary.created, "corrected": summary.corrected, "unchanged": summary.unchanged,
                        "corrections": corrections,
                        "created_rows": if single && summary.created == 1 { json!([{"uscc": rows[0].uscc, "period": rows[0].period.to_string(), "after": figures_json(&rows[0].figures)}]) } else { json!([]) },
                    }),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// The current figures the scope sees, filtered; newest period first, then by
    /// enterprise name.
    pub async fn statistics(&self, scope: &Scope, filter: &StatFilter) -> Result<Vec<StatRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM enterprise_statistics s JOIN enterprises e ON e.id = s.enterprise_id
             WHERE s.superseded_at IS NULL AND ($1 IS NULL OR s.zone_id = $1) AND ($2 IS NULL OR s.enterprise_id = $2)
               AND ($3 IS NULL OR s.enterprise_id = $3) AND ($4 IS NULL OR s.year = $4)
               AND ($5 IS NULL OR ($5 = 1 AND s.month IS NULL) OR ($5 = 0 AND s.month IS NOT NULL))
             ORDER BY s.year DESC, s.period DESC, e.name, s.id"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(filter.enterprise.map(|e| e.0))
            .bind(filter.year.map(i64::from))
            .bind(filter.annual.map(i64::from))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(record_of)
            .collect())
    }

    /// The years the scope has current figures for, newest first.
    pub async fn statistic_years(&self, scope: &Scope) -> Result<Vec<i32>> {
        Ok(sqlx::query(
            "SELECT DISTINCT year FROM enterprise_statistics
             WHERE superseded_at IS NULL AND ($1 IS NULL OR zone_id = $1) AND ($2 IS NULL OR enterprise_id = $2)
             ORDER BY year DESC",
        )
        .bind(scope.zone.map(|z| z.0))
        .bind(scope.enterprise.map(|e| e.0))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.get::<i64, _>("year") as i32)
        .collect())
    }

    /// Every version of one enterprise's figures for a period, the first first.
    pub async fn statistic_versions(
        &self,
        scope: &Scope,
        enterprise: EnterpriseId,
        period: Period,
    ) -> Result<Vec<StatRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM enterprise_statistics s JOIN enterprises e ON e.id = s.enterprise_id
             WHERE s.zone_id = (SELECT zone_id FROM enterprises WHERE id = $1) AND s.year = $5
               AND s.enterprise_id = $1 AND s.period = $2 AND ($3 IS NULL OR s.zone_id = $3) AND ($4 IS NULL OR s.enterprise_id = $4)
             ORDER BY s.version"
        );
        // The zone and year lead the table's one index.
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(enterprise.0)
            .bind(period.to_string())
            .bind(scope.zone.map(|z| z.0))
            .bind(scope.enterprise.map(|e| e.0))
            .bind(i64::from(period.year()))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(record_of)
            .collect())
    }

    /// The zone's current rows for `years` as (enterprise id, period, figures): what a
    /// year's totals and the evaluation add up.
    pub async fn statistic_rows(
        &self,
        zone: ZoneId,
        years: std::ops::RangeInclusive<i32>,
    ) -> Result<Vec<(i64, Period, Figures)>> {
        Ok(sqlx::query(
            "SELECT enterprise_id, period, revenue_fen, output_fen, tax_fen, value_added_fen, energy_kgce, rd_fen, employees, land_mu_e4
             FROM enterprise_statistics WHERE zone_id = $1 AND year >= $2 AND year <= $3 AND superseded_at IS NULL",
        )
        .bind(zone.0)
        .bind(i64::from(*years.start()))
        .bind(i64::from(*years.end()))
        .fetch_all(self.pool())
        .await?
        .iter()
        .filter_map(|r| {
            let period = Period::parse(&r.get::<String, _>("period")).ok()?;
            Some((r.get("enterprise_id"), period, figures_of(r)))
        })
        .collect())
    }

    /// Each enterprise's years in `years` added up (`statistic_year_sums`, which every
    /// import keeps): the year's own row, if any, and its months' count and totals
    /// (employees summed; the land of the months is left out) — what the cluster's
    /// figures read, one row per enterprise and year instead of every month.
    pub async fn statistic_year_sums(
        &self,
        zone: ZoneId,
        years: std::ops::RangeInclusive<i32>,
    ) -> Result<Vec<YearSum>> {
        Ok(sqlx::query(
            "SELECT enterprise_id, year, annual, months, y_land,
                    y_revenue_fen, y_output_fen, y_tax_fen, y_value_added_fen, y_energy_kgce, y_rd_fen, y_employees,
                    m_revenue_fen, m_output_fen, m_tax_fen, m_value_added_fen, m_energy_kgce, m_rd_fen, m_employees
             FROM statistic_year_sums WHERE zone_id = $1 AND year >= $2 AND year <= $3",
        )
        .bind(zone.0)
        .bind(i64::from(*years.start()))
        .bind(i64::from(*years.end()))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            // By position, in the order selected.
            let n = |i: usize| r.get::<i64, _>(i);
            let figures = |at: usize| Figures {
                revenue: Fen(n(at)),
                output: Fen(n(at + 1)),
                tax: Fen(n(at + 2)),
                value_added: Fen(n(at + 3)),
                energy: Tce(n(at + 4)),
                rd: Fen(n(at + 5)),
                employees: n(at + 6),
                land: None,
            };
            YearSum {
                enterprise_id: n(0),
                year: n(1) as i32,
                annual: (n(2) > 0).then(|| Figures {
                    land: r.get::<Option<i64>, _>(4).map(Mu),
                    ..figures(5)
                }),
                months: n(3),
                month_totals: figures(12),
            }
        })
        .collect())
    }

    /// What the zone's enterprises add up to in each year of `years`, by industry code
    /// (a cluster is a set of codes): how many have the year, how many of those are
    /// complete, and the complete ones' output, revenue and tax — each year its own
    /// row, else its twelve months, as [`YearSum::figures`] takes it — added up in the
    /// database from the kept sums, so the cluster's five years read a few rows a year.
    pub async fn statistic_year_totals(
        &self,
        zone: ZoneId,
        years: std::ops::RangeInclusive<i32>,
    ) -> Result<Vec<(Option<String>, YearTotals)>> {
        let complete = |col: &str| {
            format!(
                "CAST(SUM(CASE WHEN s.annual > 0 THEN s.y_{col} WHEN s.months = 12 THEN s.m_{col} ELSE 0 END) AS BIGINT) AS {col}"
            )
        };
        let sql = format!(
            "SELECT s.year, e.industry_code, COUNT(*) AS counted,
                    CAST(SUM(CASE WHEN s.annual > 0 OR s.months = 12 THEN 1 ELSE 0 END) AS BIGINT) AS reporting,
                    {}, {}, {}
             FROM statistic_year_sums s JOIN enterprises e ON e.id = s.enterprise_id
             WHERE s.zone_id = $1 AND s.year >= $2 AND s.year <= $3
             GROUP BY s.year, e.industry_code ORDER BY s.year, e.industry_code",
            complete("output_fen"),
            complete("revenue_fen"),
            complete("tax_fen"),
        );
        // Only the columns' names, fixed above, are formatted into the text.
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(zone.0)
            .bind(i64::from(*years.start()))
            .bind(i64::from(*years.end()))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                (
                    r.get("industry_code"),
                    YearTotals {
                        year: r.get::<i64, _>("year") as i32,
                        counted: r.get("counted"),
                        reporting: r.get("reporting"),
                        output: Fen(r.get("output_fen")),
                        revenue: Fen(r.get("revenue_fen")),
                        tax: Fen(r.get("tax_fen")),
                    },
                )
            })
            .collect())
    }

    /// The periods the zone has closed, and when and by whom: (period, by, at).
    pub async fn closed_periods(&self, zone: ZoneId) -> Result<Vec<(String, String, String)>> {
        Ok(sqlx::query(
            "SELECT period, closed_by, closed_at FROM statistic_periods_closed WHERE zone_id = $1 ORDER BY period DESC",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get("period"), r.get("closed_by"), r.get("closed_at")))
        .collect())
    }

    /// Closes a period (a year closes its months too), or opens it again; audited.
    /// Closing a closed period, or opening an open one, is `Conflict`.
    pub async fn set_period_closed(
        &self,
        actor: &Actor,
        zone: ZoneId,
        period: Period,
        closed: bool,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let p = period.to_string();
        let changed = if closed {
            sqlx::query(
                "INSERT INTO statistic_periods_closed (zone_id, period, closed_by, closed_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (zone_id, period) DO NOTHING",
            )
            .bind(zone.0)
            .bind(&p)
            .bind(actor.label())
            .bind(now())
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            sqlx::query("DELETE FROM statistic_periods_closed WHERE zone_id = $1 AND period = $2")
                .bind(zone.0)
                .bind(&p)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        };
        if changed != 1 {
            return Err(StoreError::Conflict {
                field: "period",
                value: p,
            });
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: if closed {
                    "close_period"
                } else {
                    "open_period"
                },
                entity: "statistics",
                entity_id: p.clone(),
                before: json!({"closed": !closed}),
                after: json!({"closed": closed}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The land each enterprise of the zone holds: the area of the parcels handed to its
    /// phases, in ten-thousandths of a mu (1 mu = 10,000 / 15 m²).
    pub async fn enterprise_land(&self, zone: ZoneId) -> Result<HashMap<i64, Mu>> {
        let mut out: HashMap<i64, Mu> = HashMap::new();
        for r in sqlx::query(
            "SELECT pr.enterprise_id, CAST(SUM(pa.area_cm2) AS BIGINT) AS cm2 FROM parcels pa
             JOIN project_phases ph ON ph.id = pa.handed_phase_id JOIN projects pr ON pr.id = ph.project_id
             WHERE pa.zone_id = $1 GROUP BY pr.enterprise_id",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        {
            let cm2: i64 = r.get("cm2");
            // cm² → m² (÷ 10⁴) → mu (× 15 ÷ 10⁴) → ten-thousandths (× 10⁴).
            out.insert(r.get("enterprise_id"), Mu((cm2 as f64 * 15.0 / 1e4).round() as i64));
        }
        Ok(out)
    }

    /// Each enterprise's phases as the evaluation reads them: the first day one went into
    /// production, and whether one is under construction (from its construction permit up
    /// to, but not including, in production: the schemes' "construction period").
    pub async fn enterprise_lifecycles(
        &self,
        zone: ZoneId,
    ) -> Result<HashMap<i64, (Option<chrono::NaiveDate>, bool)>> {
        let mut out: HashMap<i64, (Option<chrono::NaiveDate>, bool)> = HashMap::new();
        for r in sqlx::query(
            "SELECT pr.enterprise_id, ph.status, ph.in_production_on FROM project_phases ph JOIN projects pr ON pr.id = ph.project_id
             WHERE ph.zone_id = $1",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        {
            let e = out.entry(r.get("enterprise_id")).or_default();
            let status: String = r.get("status");
            let on = r
                .get::<Option<String>, _>("in_production_on")
                .and_then(|d| d.parse::<chrono::NaiveDate>().ok());
            if status == "in_production" {
                if let Some(on) = on {
                    e.0 = Some(e.0.map_or(on, |d| d.min(on)));
                }
            } else if matches!(
                status.as_str(),
                "construction_permit" | "construction_started" | "completion_accepted"
            ) {
                e.1 = true;
            }
        }
        Ok(out)
    }
}

/// A figure's seven measures as bulk values, in the columns' order: revenue, output,
/// tax, value added, energy, R&D, employees.
fn figure_cells(f: &Figures) -> [Cell<'static>; 7] {
    [
        f.revenue.0,
        f.output.0,
        f.tax.0,
        f.value_added.0,
        f.energy.0,
        f.rd.0,
        f.employees,
    ]
    .map(Cell::Int)
}

/// Keeps `statistic_year_sums` in step with an import, in its transaction: each
/// (enterprise, year) the inserted rows touch is added up again from the rows it holds
/// after them (`held`, the current rows of the years touched, less those the import
/// replaces, and the inserted rows), and written over its old sums.
async fn write_year_sums(
    tx: &mut crate::Tx,
    backend: crate::Backend,
    zone: ZoneId,
    held: &HashMap<(i64, Period), (i64, i64, Figures)>,
    inserts: &[(i64, &StatRow, i64)],
) -> Result<()> {
    let touched: HashSet<(i64, i32)> = inserts
        .iter()
        .map(|(e, r, _)| (*e, r.period.year()))
        .collect();
    let mut current: HashMap<(i64, Period), &Figures> = held
        .iter()
        .filter(|((e, p), _)| touched.contains(&(*e, p.year())))
        .map(|(k, (_, _, f))| (*k, f))
        .collect();
    for (e, row, _) in inserts {
        current.insert((*e, row.period), &row.figures);
    }
    // In key order, so that writers lock the rows in the same order.
    let mut sums: std::collections::BTreeMap<(i64, i32), YearSum> = Default::default();
    for ((e, p), f) in current {
        sums.entry((e, p.year()))
            .or_insert_with(|| YearSum::empty(e, p.year()))
            .add(p, f)
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "enterprise {e}'s {} adds up past the largest sum",
                    p.year()
                ))
            })?;
    }
    const COLUMNS: [&str; 19] = [
        "enterprise_id",
        "year",
        "annual",
        "months",
        "y_land",
        "y_revenue_fen",
        "y_output_fen",
        "y_tax_fen",
        "y_value_added_fen",
        "y_energy_kgce",
        "y_rd_fen",
        "y_employees",
        "m_revenue_fen",
        "m_output_fen",
        "m_tax_fen",
        "m_value_added_fen",
        "m_energy_kgce",
        "m_rd_fen",
        "m_employees",
    ];
    let columns = COLUMNS.map(|c| (c, crate::SqlType::Integer));
    let given = backend.bulk_select(2, &columns);
    let list = COLUMNS.join(", ");
    let set: Vec<String> = COLUMNS[2..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    // `WHERE true` tells SQLite's parser the ON CONFLICT is the upsert's, not a join's.
    let sql = format!(
        "INSERT INTO statistic_year_sums (zone_id, {list}) SELECT $1, {list} FROM ({given}) AS given WHERE true
         ON CONFLICT (enterprise_id, year) DO UPDATE SET {}",
        set.join(", ")
    );
    let sums: Vec<&YearSum> = sums.values().collect();
    for chunk in sums.chunks(20_000) {
        let mut bulk = Bulk::new(backend, &columns);
        for s in chunk {
            let y = s.annual.unwrap_or_default();
            let m = &s.month_totals;
            let mut cells = [Cell::Null; 19];
            cells[..5].copy_from_slice(&[
                Cell::Int(s.enterprise_id),
                Cell::Int(i64::from(s.year)),
                Cell::Int(i64::from(s.annual.is_some())),
                Cell::Int(s.months),
                s.annual.and_then(|a| a.land).map(|l| l.0).into(),
            ]);
            cells[5..12].copy_from_slice(&figure_cells(&y));
            cells[12..].copy_from_slice(&figure_cells(m));
            bulk.push(&cells);
        }
        // Only the columns' names, fixed above, are formatted into the text.
        let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(zone.0);
        bulk.bind(q).execute(&mut **tx).await?;
    }
    Ok(())
}
