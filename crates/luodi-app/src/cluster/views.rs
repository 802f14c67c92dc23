//! What the API shows of the cluster's numbers: money as exact decimal text in 万元
//! (the import's unit), energy in tce, land in mu, rates as fractions (0.28 is 28 %).
//! The names are those integrations rely on (`uscc`, `group`, `total_score`, `class`,
//! `rated`, `reason`, `indicators`; the import's columns).

use luodi_domain::Lang;
use luodi_domain::cluster::figures::Figure;
use luodi_domain::cluster::statistics::Figures;
use luodi_domain::core::money::Fen;
use luodi_store::cluster::completion::CompletionRecord;
use luodi_store::cluster::statistics::{ImportSummary, StatRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dashboard::{CardState, ClusterFigures, TargetView};
use super::evaluation::{MuLine, MuResult};

fn wan(f: Fen) -> String {
    f.wan_text()
}

/// One version of an enterprise's figures for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticRow {
    pub uscc: String,
    pub enterprise: String,
    /// `2025` or `2025-03`.
    pub period: String,
    pub version: i64,
    pub revenue_wan: String,
    pub output_wan: String,
    pub tax_wan: String,
    pub value_added_wan: String,
    pub energy_tce: String,
    pub rd_wan: String,
    pub employees: i64,
    /// The row's own land (a tenant's equivalent mu); absent: the parcels count.
    pub land_mu: Option<String>,
    /// `import`, `portal` or `api`.
    pub source: String,
    pub reason: Option<String>,
    pub entered_by: String,
    pub entered_at: String,
}

fn fixed(n: i64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals);
    let frac = format!("{:0width$}", n.rem_euclid(scale), width = decimals as usize);
    let frac = frac.trim_end_matches('0');
    let whole = n.div_euclid(scale);
    if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac}")
    }
}

impl StatisticRow {
    pub fn of(r: &StatRecord, staff: bool) -> StatisticRow {
        let f: &Figures = &r.figures;
        StatisticRow {
            uscc: r.uscc.clone(),
            enterprise: r.enterprise.clone(),
            period: r.period.clone(),
            version: r.version,
            revenue_wan: wan(f.revenue),
            output_wan: wan(f.output),
            tax_wan: wan(f.tax),
            value_added_wan: wan(f.value_added),
            energy_tce: fixed(f.energy.0, 3),
            rd_wan: wan(f.rd),
            employees: f.employees,
            land_mu: f.land.map(|m| fixed(m.0, 4)),
            source: r.source.clone(),
            reason: r.reason.clone(),
            // An enterprise sees the zone's staff as one party.
            entered_by: if staff || r.source == "portal" {
                r.entered_by.clone()
            } else {
                "zone".into()
            },
            entered_at: r.entered_at.clone(),
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub created: usize,
    pub corrected: usize,
    pub unchanged: usize,
}

impl From<ImportSummary> for ImportResult {
    fn from(s: ImportSummary) -> Self {
        ImportResult {
            created: s.created,
            corrected: s.corrected,
            unchanged: s.unchanged,
        }
    }
}

/// Rows given as JSON: each an object of the import's columns (values as text or
/// numbers), and the reason a closed period needs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatisticsInput {
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl StatisticsInput {
    /// The rows as cells by column name (a number as its shortest text; null as empty).
    pub fn cells(&self) -> Vec<Vec<(String, Option<String>)>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(k, v)| {
                        let text = match v {
                            serde_json::Value::Null => None,
                            serde_json::Value::String(s) => Some(s.clone()),
                            other => Some(other.to_string()),
                        };
                        (k.clone(), text)
                    })
                    .collect()
            })
            .collect()
    }
}

/// A figure's value with its growth and share, per year.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureYear {
    /// Money as 万元 text; entities as a count (text too, for one shape).
    pub value: String,
    /// On the year before, as a fraction.
    pub growth: Option<f64>,
    /// Of the city's figure, as a fraction.
    pub share: Option<f64>,
}

/// One year of the cluster.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterYear {
    pub year: i32,
    /// Market entities counted from the enterprises reporting that year.
    pub entities_counted: i64,
    /// The zone's declared figure, where it knows more than it holds.
    pub entities_declared: Option<i64>,
    pub entities: FigureYear,
    pub output: FigureYear,
    pub revenue: FigureYear,
    pub tax: FigureYear,
    /// Enterprises whose year is complete (counted in the sums) and those whose is not.
    pub reporting: i64,
    pub incomplete: i64,
}

/// `GET /api/v1/cluster/figures`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterFiguresView {
    pub from: i32,
    pub to: i32,
    /// The GB/T 4754 classes that make the cluster.
    pub classes: Vec<String>,
    pub years: Vec<ClusterYear>,
}

fn figure_text(figure: Figure, value: f64) -> String {
    if figure.is_money() {
        Fen((value * 100.0).round() as i64).wan_text()
    } else {
        format!("{}", value.round() as i64)
    }
}

impl From<&ClusterFigures> for ClusterFiguresView {
    fn from(c: &ClusterFigures) -> Self {
        let point = |figure: Figure, i: usize| {
            let p = c
                .series
                .iter()
                .find(|(f, _)| *f == figure)
                .and_then(|(_, s)| s.get(i));
            FigureYear {
                value: p.map_or_else(String::new, |p| figure_text(figure, p.value)),
                growth: p.and_then(|p| p.growth),
                share: p.and_then(|p| p.share),
            }
        };
        ClusterFiguresView {
            from: c.from,
            to: c.to,
            classes: c.classes.clone(),
            years: c
                .years
                .iter()
                .enumerate()
                .map(|(i, y)| ClusterYear {
                    year: y.year,
                    entities_counted: y.totals.counted,
                    entities_declared: y.totals.declared,
                    entities: point(Figure::Entities, i),
                    output: point(Figure::Output, i),
                    revenue: point(Figure::Revenue, i),
                    tax: point(Figure::Tax, i),
                    reporting: y.totals.reporting,
                    incomplete: y.totals.incomplete,
                })
                .collect(),
        }
    }
}

/// What the projects landing add in a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineYear {
    pub year: i32,
    pub p50: String,
    pub p90: String,
}

/// A phase that adds most to a target.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContributorView {
    pub project_id: i64,
    pub project: String,
    pub phase_id: i64,
    pub phase: String,
    /// What it adds in the target year at the median.
    pub adds: String,
    pub completion_p50: String,
    pub completion_p90: String,
}

/// A target with where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiTargetView {
    pub code: String,
    /// `entities`, `output`, `revenue` or `tax`.
    pub figure: String,
    pub name_zh: String,
    pub name_en: String,
    pub definition_zh: String,
    pub definition_en: String,
    /// The owner department's code.
    pub owner_department: Option<String>,
    pub baseline_year: i32,
    /// Money in 万元, entities as a count.
    pub baseline_value: String,
    pub target_year: i32,
    pub target_value: String,
    pub yellow_margin_pp: f64,
    pub alarm_growth_pct: Option<f64>,
    pub excellence_growth_pct: Option<f64>,
    pub latest_year: Option<i32>,
    pub latest_value: Option<String>,
    /// The yearly growth still needed from the latest actual, as a fraction.
    pub needed_rate: Option<f64>,
    /// The yearly growth achieved since the baseline, as a fraction.
    pub achieved_rate: Option<f64>,
    /// The figure in the target year at the achieved rate.
    pub projected: Option<String>,
    /// `green`, `yellow`, `red` or `no_data`.
    pub status: String,
    pub latest_growth: Option<f64>,
    /// `alarm`, `normal`, `excellent` or `no_data`, by the latest growth.
    pub card: String,
    pub pipeline: Vec<PipelineYear>,
    /// Whether the latest actual plus what the landing phases add reaches the target.
    pub closes_p50: Option<bool>,
    pub closes_p90: Option<bool>,
    pub contributors: Vec<ContributorView>,
    /// Phases landing without a forecast yet.
    pub unforecast: usize,
}

impl KpiTargetView {
    pub fn of(v: &TargetView, departments: &[(i64, String)]) -> KpiTargetView {
        let t = &v.target;
        let f = v.figure;
        let stored = |n: i64| {
            if f.is_money() {
                Fen(n).wan_text()
            } else {
                n.to_string()
            }
        };
        KpiTargetView {
            code: t.code.clone(),
            figure: t.figure.clone(),
            name_zh: t.name_zh.clone(),
            name_en: t.name_en.clone(),
            definition_zh: t.definition_zh.clone(),
            definition_en: t.definition_en.clone(),
            owner_department: t
                .owner_department_id
                .and_then(|id| departments.iter().find(|d| d.0 == id).map(|d| d.1.clone())),
            baseline_year: t.baseline_year,
            baseline_value: stored(t.baseline_value),
            target_year: t.target_year,
            target_value: stored(t.target_value),
            yellow_margin_pp: t.yellow_margin_bp as f64 / 100.0,
            alarm_growth_pct: t.alarm_growth_bp.map(|b| b as f64 / 100.0),
            excellence_growth_pct: t.excellence_growth_bp.map(|b| b as f64 / 100.0),
            latest_year: v.progress.latest.map(|l| l.0),
            latest_value: v.progress.latest.map(|l| figure_text(f, l.1)),
            needed_rate: v.progress.needed_rate,
            achieved_rate: v.progress.achieved_rate,
            projected: v.progress.projected.map(|p| figure_text(f, p)),
            status: v.progress.light.name().into(),
            latest_growth: v.latest_growth,
            card: match v.card {
                CardState::Alarm => "alarm",
                CardState::Normal => "normal",
                CardState::Excellent => "excellent",
                CardState::NoData => "no_data",
            }
            .into(),
            pipeline: v
                .pipeline
                .iter()
                .map(|a| PipelineYear {
                    year: a.year,
                    p50: figure_text(f, a.p50),
                    p90: figure_text(f, a.p90),
                })
                .collect(),
            closes_p50: v.gap.map(|g| g.closed_p50),
            closes_p90: v.gap.map(|g| g.closed_p90),
            contributors: v
                .contributors
                .iter()
                .map(|c| ContributorView {
                    project_id: c.project_id,
                    project: c.project.clone(),
                    phase_id: c.phase_id,
                    phase: c.phase.clone(),
                    adds: figure_text(f, c.adds),
                    completion_p50: c.p50.to_string(),
                    completion_p90: c.p90.to_string(),
                })
                .collect(),
            unforecast: v.unforecast,
        }
    }
}

/// `PUT /api/v1/kpi-targets`: the zone's targets, all of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsInput {
    pub targets: Vec<super::dashboard::TargetInput>,
}

/// One indicator of an enterprise's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorView {
    /// `tax_per_mu`, `revenue_per_mu`, `value_added_per_tce`, `rd_intensity` (a
    /// fraction) or `labour_productivity`.
    pub indicator: String,
    pub weight: u32,
    pub value: f64,
    pub score: f64,
    /// The group's least and greatest value (min-max), or the benchmark (both).
    pub min: f64,
    pub max: f64,
}

/// One enterprise's 亩均 result.
#[derive(Debug, Serialize, ToSchema)]
pub struct MuEnterprise {
    pub uscc: String,
    pub name: String,
    /// `above` or `below` the revenue line; absent when not rated.
    pub group: Option<String>,
    pub total_score: f64,
    /// `A` to `D`; an enterprise not rated shows as `B`.
    pub class: String,
    pub rated: bool,
    /// Why not rated, in the reader's language.
    pub reason: Option<String>,
    /// The reason's code (`incomplete`, `no_land`, …).
    pub reason_code: Option<String>,
    /// Rank in the group (from 1) and the group's size.
    pub rank: Option<i64>,
    pub of: Option<i64>,
    pub indicators: Vec<IndicatorView>,
}

/// `GET /api/v1/mu-evaluation`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MuEvaluationView {
    pub year: i32,
    /// `min_max` or `benchmark`.
    pub method: String,
    /// Rated enterprises in each class, A to D, and those not rated.
    pub classes: [usize; 4],
    pub unrated: usize,
    pub enterprises: Vec<MuEnterprise>,
}

impl MuEnterprise {
    pub fn of(l: &MuLine, lang: Lang) -> MuEnterprise {
        let r = &l.rating;
        MuEnterprise {
            uscc: l.uscc.clone(),
            name: l.name.clone(),
            group: r.group.map(|g| g.name().to_string()),
            total_score: r.total_score,
            class: r.class.letter().into(),
            rated: r.rated,
            reason: r.reason.as_ref().map(|u| u.text().get(lang).to_string()),
            reason_code: r.reason.as_ref().and_then(|u| {
                serde_json::to_value(u)
                    .ok()
                    .and_then(|v| v.get("reason").and_then(|s| s.as_str()).map(str::to_string))
            }),
            rank: r.rank.map(|x| x.0 as i64),
            of: r.rank.map(|x| x.1 as i64),
            indicators: r
                .indicators
                .iter()
                .map(|s| IndicatorView {
                    indicator: s.indicator.name().into(),
                    weight: s.weight,
                    value: s.value,
                    score: s.score,
                    min: s.min,
                    max: s.max,
                })
                .collect(),
        }
    }
}

impl MuEvaluationView {
    pub fn of(m: &MuResult, lang: Lang) -> MuEvaluationView {
        MuEvaluationView {
            year: m.year,
            method: match m.scheme.method {
                luodi_domain::cluster::mu::Method::MinMax => "min_max",
                luodi_domain::cluster::mu::Method::Benchmark { .. } => "benchmark",
            }
            .into(),
            classes: m.classes,
            unrated: m.unrated,
            enterprises: m.lines.iter().map(|l| MuEnterprise::of(l, lang)).collect(),
        }
    }
}

/// One measure's verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictView {
    /// `investment_intensity`, `tax_per_mu`, `output_per_mu` or `energy_per_value_added`.
    pub measure: String,
    pub required: f64,
    /// `parcel` (the land contract's control indicator) or `promise` (stricter, at signing).
    pub source: String,
    pub actual: Option<f64>,
    pub met: bool,
    pub shortfall_pct: Option<f64>,
}

/// A post-completion check.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionCheckView {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    pub phase_id: i64,
    pub phase: String,
    pub enterprise: String,
    /// The year of figures checked.
    pub year: i32,
    pub passed: bool,
    pub verdicts: Vec<VerdictView>,
    /// The blocker a failure opened.
    pub blocker_id: Option<i64>,
    pub explanation: Option<String>,
    pub explained_at: Option<String>,
    pub checked_at: String,
}

impl From<&CompletionRecord> for CompletionCheckView {
    fn from(c: &CompletionRecord) -> Self {
        CompletionCheckView {
            id: c.id,
            project_id: c.project_id,
            project: c.project.clone(),
            phase_id: c.phase_id,
            phase: c.phase.clone(),
            enterprise: c.enterprise.clone(),
            year: c.year,
            passed: c.passed,
            verdicts: c
                .check
                .verdicts
                .iter()
                .map(|v| VerdictView {
                    measure: v.measure.name().into(),
                    required: v.required,
                    source: match v.source {
                        luodi_domain::cluster::completion::Source::Parcel => "parcel",
                        luodi_domain::cluster::completion::Source::Promise => "promise",
                    }
                    .into(),
                    actual: v.actual,
                    met: v.met,
                    shortfall_pct: v.shortfall_pct,
                })
                .collect(),
            blocker_id: c.blocker_id,
            explanation: c.explanation.clone(),
            explained_at: c.explained_at.clone(),
            checked_at: c.checked_at.clone(),
        }
    }
}

/// An accepted explanation of a failed check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplanationInput {
    pub text: String,
}

/// What a run of the checks did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    pub phases: usize,
    pub checked: usize,
    pub failed: usize,
    pub blockers: usize,
    pub not_due: usize,
    pub waiting: usize,
}

impl From<super::completion::RunSummary> for RunView {
    fn from(s: super::completion::RunSummary) -> Self {
        RunView {
            phases: s.phases,
            checked: s.checked,
            failed: s.failed,
            blockers: s.blockers,
            not_due: s.not_due,
            waiting: s.waiting,
        }
    }
}
