//! The cluster's dashboard: its figures year by year (market entities, output, revenue,
//! tax; growth on the year before; share of the city's), its targets with the growth
//! still needed against the growth achieved, and what the projects on hand will add —
//! each phase still landing contributes what its project promised at signing, ramped up
//! after its forecast completion (P50, and P90: the P50 completion moved by the spread of
//! its forecast start, P90 less P50), so a slipping phase moves the projection as soon
//! as its forecast moves.

use std::collections::HashMap;

use chrono::Datelike;
use luodi_domain::cluster::figures::{self, CityTotals, Figure, Point, Totals};
use luodi_domain::cluster::statistics::Figures;
use luodi_domain::cluster::targets::{self, Added, Gap, Landing, Progress, Ramp, Target};
use luodi_domain::core::enterprise::ChainPosition;
use luodi_domain::{Operation, Scope, Text, ZoneId};
use luodi_store::cluster::settings::{KpiTarget, KpiTargetInput, YearKnown};
use serde::{Deserialize, Serialize};

use super::ClusterError;
use super::views::KpiTargetView;
use crate::{App, Caller};

/// The zone a cluster view is of: the caller's, or for a province-level reader the first
/// zone they see.
pub async fn zone_of(app: &App, caller: &Caller, op: Operation) -> Result<ZoneId, ClusterError> {
    let scope = caller.scope_for(op)?;
    match scope.zone {
        Some(z) => Ok(z),
        None => app
            .store
            .zones(&scope)
            .await?
            .first()
            .map(|z| z.id)
            .ok_or(ClusterError::Store(luodi_store::StoreError::NotFound)),
    }
}

/// One year of the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct YearRow {
    pub year: i32,
    pub totals: Totals,
    pub city: Option<CityTotals>,
}

/// The cluster's figures over years, with each figure's series.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterFigures {
    pub from: i32,
    pub to: i32,
    /// The cluster's industry classes.
    pub classes: Vec<String>,
    pub years: Vec<YearRow>,
    pub series: Vec<(Figure, Vec<Point>)>,
}

/// The cluster's totals for each year of `from..=to` in `zone`.
pub async fn zone_figures(
    app: &App,
    zone: ZoneId,
    from: i32,
    to: i32,
) -> Result<ClusterFigures, ClusterError> {
    let settings = app.store.cluster_settings(zone).await?;
    // The zone's years by industry code; the cluster's codes are picked out here.
    let mut sums: HashMap<i32, luodi_store::cluster::statistics::YearTotals> = HashMap::new();
    for (code, t) in app.store.statistic_year_totals(zone, from..=to).await? {
        if !settings.cluster.contains(code.as_deref()) {
            continue;
        }
        let s = sums.entry(t.year).or_default();
        s.counted += t.counted;
        s.reporting += t.reporting;
        s.output.0 += t.output.0;
        s.revenue.0 += t.revenue.0;
        s.tax.0 += t.tax.0;
    }
    let known: HashMap<i32, YearKnown> = app
        .store
        .cluster_years(zone)
        .await?
        .into_iter()
        .map(|y| (y.year, y))
        .collect();
    let mut years = Vec::new();
    for year in from..=to {
        let mut t = Totals {
            declared: known.get(&year).and_then(|k| k.declared_entities),
            ..Totals::default()
        };
        if let Some(s) = sums.get(&year) {
            t.counted = s.counted;
            t.reporting = s.reporting;
            t.incomplete = s.counted - s.reporting;
            t.output = s.output;
            t.revenue = s.revenue;
            t.tax = s.tax;
        }
        years.push(YearRow {
            year,
            totals: t,
            city: known.get(&year).map(|k| k.city),
        });
    }
    let input: Vec<(i32, Totals, Option<CityTotals>)> =
        years.iter().map(|y| (y.year, y.totals, y.city)).collect();
    Ok(ClusterFigures {
        from,
        to,
        classes: settings.cluster.classes,
        series: Figure::ALL
            .into_iter()
            .map(|f| (f, figures::series(f, &input)))
            .collect(),
        years,
    })
}

/// The years a view covers: those asked, else the five years up to last year.
pub fn span(app: &App, from: Option<i32>, to: Option<i32>) -> Result<(i32, i32), ClusterError> {
    let last = app.today().year() - 1;
    let to = to.unwrap_or(last);
    let from = from.unwrap_or(to - 4);
    let range = luodi_domain::cluster::period::YEARS;
    if !range.contains(&from) {
        return Err(ClusterError::field(
            "from",
            Text::key("rules.target.year_out_of_range"),
        ));
    }
    if !range.contains(&to) {
        return Err(ClusterError::field(
            "to",
            Text::key("rules.target.year_out_of_range"),
        ));
    }
    if from > to {
        return Err(ClusterError::field(
            "from",
            Text::key("cluster.error.from_after_to"),
        ));
    }
    if to - from > 30 {
        return Err(ClusterError::field("to", Text::key("cluster.error.span")));
    }
    Ok((from, to))
}

/// `GET /api/v1/cluster/figures`.
pub async fn cluster_figures(
    app: &App,
    caller: &Caller,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<ClusterFigures, ClusterError> {
    let zone = zone_of(app, caller, Operation::ViewCluster).await?;
    let (from, to) = span(app, from, to)?;
    zone_figures(app, zone, from, to).await
}

/// A phase that adds most to a target.
#[derive(Debug, Clone, Serialize)]
pub struct Contributor {
    pub phase_id: i64,
    pub phase: String,
    pub project_id: i64,
    pub project: String,
    /// What it adds in the target year at the median, in the figure's unit.
    pub adds: f64,
    pub p50: chrono::NaiveDate,
    pub p90: chrono::NaiveDate,
}

/// How a KPI card reads its latest yearly growth against its thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    Alarm,
    Normal,
    Excellent,
    NoData,
}

/// A target with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    pub target: KpiTarget,
    pub figure: Figure,
    /// The actual values (year, value in yuan or entities) from the baseline on.
    pub actuals: Vec<(i32, f64)>,
    pub progress: Progress,
    /// Growth of the latest year on the one before, and the card's state by it.
    pub latest_growth: Option<f64>,
    pub card: CardState,
    /// What the phases landing add, year by year to the target year.
    pub pipeline: Vec<Added>,
    pub gap: Option<Gap>,
    pub contributors: Vec<Contributor>,
    /// Phases landing that have no forecast yet (so add nothing to the projection).
    pub unforecast: usize,
}

impl TargetView {
    pub fn rules(&self) -> Target {
        rules_of(&self.target, self.figure)
    }
}

fn value_of(figure: Figure, stored: i64) -> f64 {
    if figure.is_money() {
        stored as f64 / 100.0
    } else {
        stored as f64
    }
}

fn rules_of(t: &KpiTarget, figure: Figure) -> Target {
    Target {
        figure,
        baseline_year: t.baseline_year,
        baseline_value: value_of(figure, t.baseline_value),
        target_year: t.target_year,
        target_value: value_of(figure, t.target_value),
        yellow_margin_pp: t.yellow_margin_bp as f64 / 100.0,
    }
}

/// The zone's targets, each with its progress and the pipeline's projection.
pub async fn target_views(app: &App, zone: ZoneId) -> Result<Vec<TargetView>, ClusterError> {
    let targets = app.store.kpi_targets(zone).await?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let from = targets
        .iter()
        .map(|t| t.baseline_year)
        .min()
        .unwrap_or(2020);
    let last = app.today().year() - 1;
    let to = targets
        .iter()
        .map(|t| t.target_year)
        .max()
        .unwrap_or(last)
        .min(last)
        .max(from);
    let figures = zone_figures(app, zone, from, to).await?;
    let settings = app.store.cluster_settings(zone).await?;
    let landing = app.store.landing_phases(zone).await?;
    let forecasts: HashMap<i64, luodi_store::forecast::portfolio::PortfolioRow> = app
        .store
        .portfolio(&Scope {
            zone: Some(zone),
            enterprise: None,
        })
        .await?
        .into_iter()
        .map(|r| (r.phase_id, r))
        .collect();
    let mut views = Vec::new();
    for t in targets {
        let Some(figure) = Figure::parse(&t.figure) else {
            continue;
        };
        let rules = rules_of(&t, figure);
        let series = figures
            .series
            .iter()
            .find(|(f, _)| *f == figure)
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        // A year counts once its enterprises reported; the baseline as the target states it.
        let mut actuals: Vec<(i32, f64)> = figures
            .years
            .iter()
            .zip(&series)
            .filter(|(y, _)| {
                y.year > t.baseline_year
                    && (y.totals.reporting > 0
                        || y.totals.declared.is_some() && figure == Figure::Entities)
            })
            .map(|(_, p)| (p.year, p.value))
            .collect();
        actuals.insert(0, (t.baseline_year, rules.baseline_value));
        let progress = targets::progress(&rules, &actuals);
        let latest_growth = progress.latest.and_then(|(y, v)| {
            actuals
                .iter()
                .find(|(py, _)| *py == y - 1)
                .filter(|(_, pv)| *pv > 0.0)
                .map(|(_, pv)| (v - pv) / pv)
        });
        let card = match (latest_growth, t.alarm_growth_bp, t.excellence_growth_bp) {
            (None, ..) => CardState::NoData,
            (Some(g), Some(a), _) if g * 10_000.0 < a as f64 => CardState::Alarm,
            (Some(g), _, Some(e)) if g * 10_000.0 >= e as f64 => CardState::Excellent,
            _ => CardState::Normal,
        };
        let mut landings = Vec::new();
        let mut named = HashMap::new();
        let mut unforecast = 0;
        for p in &landing {
            let promised = match figure {
                Figure::Output | Figure::Revenue => p.output_fen as f64 / 100.0,
                Figure::Tax => p.tax_fen as f64 / 100.0,
                Figure::Entities => 0.0,
            };
            if promised <= 0.0 {
                continue;
            }
            // The portfolio's forecast while construction has not started; once it has,
            // the building months from the day it started.
            let forecast = forecasts.get(&p.phase_id).and_then(|f| {
                let done = f.completion_p50_date?;
                let spread = match (f.start_p50_date, f.start_p90_date) {
                    (Some(a), Some(b)) if b > a => b - a,
                    _ => chrono::Duration::zero(),
                };
                Some((done, done + spread))
            });
            let Some((p50, p90)) = forecast.or_else(|| {
                targets::building_completion(
                    p.status == "completion_accepted",
                    p.construction_started_on,
                    p.construction_months,
                    app.today(),
                )
            }) else {
                unforecast += 1;
                continue;
            };
            landings.push(Landing {
                phase_id: p.phase_id,
                promised,
                p50,
                p90,
            });
            named.insert(p.phase_id, p);
        }
        let first = progress.latest.map_or(t.baseline_year, |(y, _)| y) + 1;
        let pipeline =
            targets::pipeline(&landings, &settings.ramp, first..=t.target_year.max(first));
        let gap = targets::gap(&rules, progress.latest, &pipeline);
        let contributors = targets::weightiest(&landings, &settings.ramp, t.target_year, 5)
            .into_iter()
            .filter_map(|(id, adds)| {
                let p = named.get(&id)?;
                let l = landings.iter().find(|l| l.phase_id == id)?;
                Some(Contributor {
                    phase_id: id,
                    phase: p.phase.clone(),
                    project_id: p.project_id,
                    project: p.project.clone(),
                    adds,
                    p50: l.p50,
                    p90: l.p90,
                })
            })
            .collect();
        views.push(TargetView {
            target: t,
            figure,
            actuals,
            progress,
            latest_growth,
            card,
            pipeline,
            gap,
            contributors,
            unforecast,
        });
    }
    Ok(views)
}

/// `GET /api/v1/kpi-targets`: the caller's zone's targets with where they stand.
pub async fn kpi_targets(app: &App, caller: &Caller) -> Result<Vec<KpiTargetView>, ClusterError> {
    let zone = zone_of(app, caller, Operation::ViewCluster).await?;
    api_views(app, zone).await
}

async fn api_views(app: &App, zone: ZoneId) -> Result<Vec<KpiTargetView>, ClusterError> {
    let departments: Vec<(i64, String)> = app
        .store
        .departments(zone)
        .await?
        .into_iter()
        .map(|d| (d.id.0, d.code))
        .collect();
    Ok(target_views(app, zone)
        .await?
        .iter()
        .map(|v| KpiTargetView::of(v, &departments))
        .collect())
}

/// A target as written through the API or the settings page: money in 万元.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    /// A short code, unique in the zone: letters, digits, `-` and `_`.
    pub code: String,
    /// `entities`, `output`, `revenue` or `tax`.
    pub figure: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub definition_zh: String,
    #[serde(default)]
    pub definition_en: String,
    /// The owner department's code.
    #[serde(default)]
    pub owner_department: Option<String>,
    pub baseline_year: i32,
    /// Money in 万元 (up to six decimals), entities as a count.
    pub baseline_value: String,
    pub target_year: i32,
    pub target_value: String,
    /// Percentage points of yearly growth behind the needed rate still yellow.
    #[serde(default = "default_margin")]
    pub yellow_margin_pp: f64,
    /// Yearly growth (%) below which the card alarms.
    #[serde(default)]
    pub alarm_growth_pct: Option<f64>,
    /// Yearly growth (%) at or above which the card excels.
    #[serde(default)]
    pub excellence_growth_pct: Option<f64>,
}

fn default_margin() -> f64 {
    5.0
}

/// Checks targets, every field at fault named as `targets[i].field`.
pub(crate) async fn checked(
    app: &App,
    zone: ZoneId,
    input: &[TargetInput],
) -> Result<Vec<KpiTargetInput>, ClusterError> {
    let departments = app.store.departments(zone).await?;
    let mut problems: Vec<(String, Text)> = Vec::new();
    let mut out = Vec::new();
    for (i, t) in input.iter().enumerate() {
        let at = |f: &str| format!("targets[{i}].{f}");
        let code_ok = !t.code.is_empty()
            && t.code.len() <= 40
            && t.code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !code_ok {
            problems.push((at("code"), Text::key("cluster.error.code")));
        }
        if input[..i].iter().any(|o| o.code == t.code) {
            problems.push((at("code"), Text::key("cluster.error.code_twice")));
        }
        let figure = Figure::parse(&t.figure);
        if figure.is_none() {
            problems.push((at("figure"), Text::key("cluster.error.figure")));
        }
        for (f, v) in [("name_zh", &t.name_zh), ("name_en", &t.name_en)] {
            if v.trim().is_empty() || v.chars().count() > 100 {
                problems.push((at(f), Text::key("cluster.error.name")));
            }
        }
        for (f, v) in [
            ("definition_zh", &t.definition_zh),
            ("definition_en", &t.definition_en),
        ] {
            if v.chars().count() > 1000 {
                problems.push((at(f), Text::key("cluster.error.definition")));
            }
        }
        let owner = match &t.owner_department {
            None => None,
            Some(code) if code.trim().is_empty() => None,
            Some(code) => match departments.iter().find(|d| d.code == code.trim()) {
                Some(d) => Some(d.id.0),
                None => {
                    problems.push((
                        at("owner_department"),
                        Text::fill("cluster.error.department", &[("code", code)]),
                    ));
                    None
                }
            },
        };
        let money = figure.is_none_or(Figure::is_money);
        let mut value = |f: &str, v: &str| -> Option<i64> {
            let parsed = if money {
                luodi_domain::core::money::Fen::parse_wan(v)
                    .ok()
                    .map(|f| f.0)
            } else {
                v.trim().parse::<i64>().ok()
            };
            match parsed {
                Some(n) if n > 0 => Some(n),
                _ => {
                    problems.push((
                        at(f),
                        Text::key(if money {
                            "cluster.error.wan"
                        } else {
                            "cluster.error.count"
                        }),
                    ));
                    None
                }
            }
        };
        let baseline = value("baseline_value", &t.baseline_value);
        let target = value("target_value", &t.target_value);
        let pct = |f: &str, v: Option<f64>, problems: &mut Vec<(String, Text)>| -> Option<i64> {
            let v = v?;
            if v.is_finite() && v.abs() <= 1000.0 {
                Some((v * 100.0).round() as i64)
            } else {
                problems.push((at(f), Text::key("cluster.error.pct")));
                None
            }
        };
        let alarm = pct("alarm_growth_pct", t.alarm_growth_pct, &mut problems);
        let excellence = pct(
            "excellence_growth_pct",
            t.excellence_growth_pct,
            &mut problems,
        );
        if let (Some(a), Some(e)) = (alarm, excellence)
            && a > e
        {
            problems.push((
                at("excellence_growth_pct"),
                Text::key("cluster.error.thresholds"),
            ));
        }
        if let (Some(figure), Some(b), Some(v)) = (figure, baseline, target) {
            let rules = Target {
                figure,
                baseline_year: t.baseline_year,
                baseline_value: b as f64,
                target_year: t.target_year,
                target_value: v as f64,
                yellow_margin_pp: t.yellow_margin_pp,
            };
            if let Err(e) = targets::check(&rules) {
                problems.extend(e.into_iter().map(|(f, text)| (at(f), text)));
            }
            out.push(KpiTargetInput {
                code: t.code.clone(),
                figure: figure.name().to_string(),
                name_zh: t.name_zh.trim().to_string(),
                name_en: t.name_en.trim().to_string(),
                definition_zh: t.definition_zh.trim().to_string(),
                definition_en: t.definition_en.trim().to_string(),
                owner_department_id: owner,
                baseline_year: t.baseline_year,
                baseline_value: b,
                target_year: t.target_year,
                target_value: v,
                yellow_margin_bp: (t.yellow_margin_pp * 100.0).round() as i64,
                alarm_growth_bp: alarm,
                excellence_growth_bp: excellence,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ClusterError::Fields(problems))
    }
}

/// `PUT /api/v1/kpi-targets`: the zone's targets become those given (added, changed,
/// and those not given removed), all or nothing, audited.
pub async fn put_targets(
    app: &App,
    caller: &Caller,
    input: &[TargetInput],
) -> Result<Vec<KpiTargetView>, ClusterError> {
    let zone = caller.zone_for(Operation::ManageCluster)?;
    let checked = checked(app, zone, input).await?;
    let remove: Vec<String> = app
        .store
        .kpi_targets(zone)
        .await?
        .into_iter()
        .map(|t| t.code)
        .filter(|c| input.iter().all(|i| &i.code != c))
        .collect();
    app.store
        .put_kpi_targets(&caller.actor, zone, &checked, &remove)
        .await?;
    api_views(app, zone).await
}

/// The cluster's output by chain position in a year (complete years only).
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    pub year: i32,
    /// (position, or `None` where the enterprise states none; enterprises; output).
    pub by_position: Vec<(Option<ChainPosition>, usize, luodi_domain::core::money::Fen)>,
    /// Rated enterprises by 亩均 class A–D, and those not rated.
    pub classes: [usize; 4],
    pub unrated: usize,
}

/// The dashboard: figures, targets and the breakdowns of the latest year.
pub struct Dashboard {
    pub zone: ZoneId,
    pub figures: ClusterFigures,
    pub targets: Vec<TargetView>,
    pub breakdown: Breakdown,
    pub ramp: Ramp,
}

pub async fn dashboard(
    app: &App,
    caller: &Caller,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<Dashboard, ClusterError> {
    let zone = zone_of(app, caller, Operation::ViewCluster).await?;
    let (from, to) = span(app, from, to)?;
    let figures = zone_figures(app, zone, from, to).await?;
    let targets = target_views(app, zone).await?;
    let settings = app.store.cluster_settings(zone).await?;
    let sums: HashMap<i64, Figures> = app
        .store
        .statistic_year_sums(zone, to..=to)
        .await?
        .iter()
        .filter_map(|s| s.figures().map(|f| (s.enterprise_id, f)))
        .collect();
    let enterprises = app
        .store
        .all_enterprises(&Scope {
            zone: Some(zone),
            enterprise: None,
        })
        .await?;
    let mut by_position: Vec<(Option<ChainPosition>, usize, luodi_domain::core::money::Fen)> =
        ChainPosition::ALL
            .iter()
            .map(|p| (Some(*p), 0, luodi_domain::core::money::Fen::ZERO))
            .chain(std::iter::once((
                None,
                0,
                luodi_domain::core::money::Fen::ZERO,
            )))
            .collect();
    for e in enterprises
        .iter()
        .filter(|e| settings.cluster.contains(e.industry_code.as_deref()))
    {
        if let Some(f) = sums.get(&e.id.0)
            && let Some(slot) = by_position.iter_mut().find(|s| s.0 == e.chain_position)
        {
            slot.1 += 1;
            slot.2.0 += f.output.0;
        }
    }
    let (_, lines) = super::evaluation::evaluate_zone(app, zone, to).await?;
    let mut classes = [0usize; 4];
    let mut unrated = 0;
    for l in &lines {
        if l.rating.rated {
            classes[l.rating.class as usize] += 1;
        } else {
            unrated += 1;
        }
    }
    Ok(Dashboard {
        zone,
        figures,
        targets,
        breakdown: Breakdown {
            year: to,
            by_position,
            classes,
            unrated,
        },
        ramp: settings.ramp,
    })
}

/// The cluster's figures year by year as a table to export: market entities (counted and
/// declared), and output, revenue and tax in 万元, each with its growth on the year
/// before and its share of the city's (per cent), in the reader's language.
pub async fn figures_table(
    app: &App,
    caller: &Caller,
    from: Option<i32>,
    to: Option<i32>,
    lang: luodi_domain::Lang,
) -> Result<crate::core::table::Table, ClusterError> {
    use crate::core::table::{Cell, Table};
    use luodi_domain::core::i18n::text;
    let figures = cluster_figures(app, caller, from, to).await?;
    let mut headers = vec![
        text(lang, "cluster.dashboard.export.year").to_string(),
        text(lang, "cluster.dashboard.export.counted").to_string(),
        text(lang, "cluster.dashboard.export.declared").to_string(),
    ];
    for f in Figure::ALL {
        let name = f.label().get(lang).to_string();
        let unit = if f.is_money() {
            text(lang, "cluster.dashboard.export.wan")
        } else {
            text(lang, "cluster.dashboard.export.count")
        };
        headers.push(format!("{name}{unit}"));
        headers.push(luodi_domain::core::i18n::fill(
            lang,
            "cluster.dashboard.export.growth",
            &[("figure", &name)],
        ));
        headers.push(luodi_domain::core::i18n::fill(
            lang,
            "cluster.dashboard.export.share",
            &[("figure", &name)],
        ));
    }
    headers.push(text(lang, "cluster.dashboard.export.reporting").to_string());
    headers.push(text(lang, "cluster.dashboard.export.incomplete").to_string());
    let pct = |f: Option<f64>| {
        f.map_or(Cell::Empty, |f| {
            Cell::Number((f * 10_000.0).round() / 100.0)
        })
    };
    let rows = figures
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let mut row = vec![
                Cell::Number(f64::from(y.year)),
                Cell::Number(y.totals.counted as f64),
                y.totals
                    .declared
                    .map_or(Cell::Empty, |d| Cell::Number(d as f64)),
            ];
            for f in Figure::ALL {
                let p = figures
                    .series
                    .iter()
                    .find(|(sf, _)| *sf == f)
                    .and_then(|(_, s)| s.get(i));
                let value = p.map_or(Cell::Empty, |p| {
                    Cell::Number(if f.is_money() {
                        // yuan → 万元, exact to the fen
                        (p.value * 100.0).round() / 1_000_000.0
                    } else {
                        p.value
                    })
                });
                row.push(value);
                row.push(pct(p.and_then(|p| p.growth)));
                row.push(pct(p.and_then(|p| p.share)));
            }
            row.push(Cell::Number(y.totals.reporting as f64));
            row.push(Cell::Number(y.totals.incomplete as f64));
            row
        })
        .collect();
    Ok(Table {
        name: "cluster".into(),
        headers,
        rows,
    })
}
