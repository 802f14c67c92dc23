//! The 亩均 evaluation of a year: every enterprise of the zone with figures that year or
//! a phase under construction or in production, rated by the zone's scheme, each with its
//! class, score and breakdown; the list `/mu` filters, sorts, pages and exports it. An
//! enterprise reads only its own result (computed among all, as the class is).

use std::collections::{BTreeMap, HashMap};

use luodi_domain::cluster::mu::{self, Class, Group, Rating, Scheme, Subject, Unrated};
use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{Figures, year_figures};
use luodi_domain::{Operation, Scope, ZoneId};
use luodi_store::Page;
use luodi_store::cluster::statistics::StatFilter;
use serde::Serialize;

use super::ClusterError;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// One enterprise's result.
#[derive(Debug, Clone, Serialize)]
pub struct MuLine {
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    pub rating: Rating,
}

/// A year's evaluation as the caller may see it.
#[derive(Debug, Clone, Serialize)]
pub struct MuResult {
    pub year: i32,
    pub scheme: Scheme,
    pub lines: Vec<MuLine>,
    /// Enterprises rated in each class, A to D (the zone's, also for an enterprise).
    pub classes: [usize; 4],
    pub unrated: usize,
}

/// Rates the zone's enterprises for `year` (every one, for the class is a rank).
pub async fn evaluate_zone(
    app: &App,
    zone: ZoneId,
    year: i32,
) -> Result<(Scheme, Vec<MuLine>), ClusterError> {
    let zone_scope = Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let rows = app
        .store
        .statistics(
            &zone_scope,
            &StatFilter {
                year: Some(year),
                ..StatFilter::default()
            },
        )
        .await?;
    let mut by: BTreeMap<i64, Vec<(Period, Figures)>> = BTreeMap::new();
    for r in &rows {
        if let Ok(p) = Period::parse(&r.period) {
            by.entry(r.enterprise_id).or_default().push((p, r.figures));
        }
    }
    let land = app.store.enterprise_land(zone).await?;
    let lifecycles: HashMap<i64, (Option<chrono::NaiveDate>, bool)> =
        app.store.enterprise_lifecycles(zone).await?;
    let enterprises = app.store.all_enterprises(&zone_scope).await?;
    let mut subjects = Vec::new();
    let mut who = Vec::new();
    for e in &enterprises {
        let own = by.get(&e.id.0);
        let life = lifecycles.get(&e.id.0).copied();
        let active = life.is_some_and(|(first, building)| first.is_some() || building);
        if own.is_none() && !active {
            continue;
        }
        let year_of = match own {
            None => Err(Unrated::NoFigures),
            Some(rows) => match year_figures(year, rows) {
                luodi_domain::cluster::statistics::YearFigures::Incomplete { missing } => {
                    Err(Unrated::Incomplete { missing })
                }
                luodi_domain::cluster::statistics::YearFigures::Complete { figures, .. } => {
                    match figures.land.or(land.get(&e.id.0).copied()) {
                        Some(m) => Ok((figures, m)),
                        None => Err(Unrated::NoLand),
                    }
                }
            },
        };
        let year_of =
            match life.and_then(|(first, building)| Unrated::by_lifecycle(year, first, building)) {
                Some(why) => Err(why),
                None => year_of,
            };
        subjects.push(Subject {
            uscc: e.uscc.clone(),
            year: year_of,
        });
        who.push(e);
    }
    let scheme = app.store.scheme_for(zone, year).await?;
    let ratings = mu::evaluate(&scheme, &subjects);
    Ok((
        scheme,
        who.iter()
            .zip(ratings)
            .map(|(e, rating)| MuLine {
                enterprise_id: e.id.0,
                uscc: e.uscc.clone(),
                name: e.name.clone(),
                rating,
            })
            .collect(),
    ))
}

/// The year's evaluation the caller sees: the zone's, or an enterprise's own line.
pub async fn evaluation(app: &App, caller: &Caller, year: i32) -> Result<MuResult, ClusterError> {
    let scope = caller.scope_for(Operation::ViewMuEvaluation)?;
    let zones: Vec<ZoneId> = match scope.zone {
        Some(z) => vec![z],
        None => app
            .store
            .zones(&scope)
            .await?
            .iter()
            .map(|z| z.id)
            .collect(),
    };
    let mut lines = Vec::new();
    let mut scheme = Scheme::default();
    for zone in zones {
        let (s, l) = evaluate_zone(app, zone, year).await?;
        scheme = s;
        lines.extend(l);
    }
    let mut classes = [0usize; 4];
    let mut unrated = 0;
    for l in &lines {
        if l.rating.rated {
            classes[l.rating.class as usize] += 1;
        } else {
            unrated += 1;
        }
    }
    if let Some(own) = scope.enterprise {
        lines.retain(|l| l.enterprise_id == own.0);
    }
    Ok(MuResult {
        year,
        scheme,
        lines,
        classes,
        unrated,
    })
}

/// The list `/mu`.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("year", Values::Number),
        Filter::new("class", Values::OneOf(&["A", "B", "C", "D"])),
        Filter::new("group", Values::OneOf(&["above", "below"])),
        Filter::new("rated", Values::OneOf(&["yes", "no"])),
    ],
    sorts: &["rank", "name", "score", "tax_per_mu"],
    default_desc: false,
    per_page: 50,
    extra: &[],
};

/// The year a view shows: the one asked for, else last year.
pub fn year_of(app: &App, query: &ListQuery) -> i32 {
    query
        .number("year")
        .map(|y| y as i32)
        .unwrap_or_else(|| chrono::Datelike::year(&app.today()) - 1)
}

fn tax_per_mu(r: &Rating) -> f64 {
    r.indicators
        .iter()
        .find(|s| s.indicator == mu::Indicator::TaxPerMu)
        .map_or(f64::NEG_INFINITY, |s| s.value)
}

async fn filtered(app: &App, caller: &Caller, query: &ListQuery) -> Result<MuResult, ClusterError> {
    let mut result = evaluation(app, caller, year_of(app, query)).await?;
    result.lines.retain(|l| {
        query.finds([l.name.as_str(), l.uscc.as_str()])
            && query
                .filter("class")
                .is_none_or(|c| Class::parse(c) == Some(l.rating.class))
            && query
                .filter("group")
                .is_none_or(|g| l.rating.group.map(Group::name) == Some(g))
            && query
                .filter("rated")
                .is_none_or(|r| (r == "yes") == l.rating.rated)
    });
    result.lines.sort_by(|a, b| {
        let (x, y) = (&a.rating, &b.rating);
        let order = match query.sort {
            "name" => a.name.cmp(&b.name),
            "score" => x.total_score.total_cmp(&y.total_score),
            "tax_per_mu" => tax_per_mu(x).total_cmp(&tax_per_mu(y)),
            // By group, then rank; the unrated last.
            _ => (
                x.group.is_none(),
                x.group.map(Group::name),
                x.rank.map(|r| r.0),
            )
                .cmp(&(
                    y.group.is_none(),
                    y.group.map(Group::name),
                    y.rank.map(|r| r.0),
                )),
        };
        query.directed(order.then(a.uscc.cmp(&b.uscc)))
    });
    Ok(result)
}

/// The page the query asks for, with the year's counts.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<(MuResult, Page<MuLine>), ClusterError> {
    let mut result = filtered(app, caller, query).await?;
    let lines = std::mem::take(&mut result.lines);
    Ok((result, query.page_of(lines)))
}

/// Every line the query finds, each indicator's value and score in its own columns.
pub async fn export(app: &App, caller: &Caller, query: &ListQuery) -> Result<Table, ClusterError> {
    let result = filtered(app, caller, query).await?;
    let lang = caller.lang;
    let t = |k: &str| luodi_domain::core::i18n::text(lang, k).to_string();
    let mut headers = vec![
        t("rules.cluster.column.uscc"),
        t("cluster.statistics.enterprise"),
        t("cluster.mu.group"),
        t("cluster.mu.rank"),
        t("cluster.mu.total_score"),
        t("cluster.mu.class"),
        t("cluster.mu.rated"),
        t("cluster.mu.reason"),
    ];
    for i in mu::Indicator::ALL {
        headers.push(format!("{} ({})", i.label().get(lang), i.unit().get(lang)));
        headers.push(format!(
            "{} · {}",
            i.label().get(lang),
            t("cluster.mu.score")
        ));
    }
    let rows = result
        .lines
        .iter()
        .map(|l| {
            let r = &l.rating;
            let mut row: Vec<Cell> = vec![
                l.uscc.as_str().into(),
                l.name.as_str().into(),
                r.group
                    .map_or(Cell::Empty, |g| Cell::Text(g.label().get(lang).to_string())),
                r.rank.map_or(Cell::Empty, |(k, _)| Cell::Number(k as f64)),
                if r.rated {
                    Cell::Number(r.total_score)
                } else {
                    Cell::Empty
                },
                Cell::Text(r.class.letter().to_string()),
                Cell::Bool(r.rated),
                r.reason
                    .as_ref()
                    .map_or(Cell::Empty, |u| Cell::Text(u.text().get(lang).to_string())),
            ];
            for i in mu::Indicator::ALL {
                match r.indicators.iter().find(|s| s.indicator == i) {
                    Some(s) => row.extend([Cell::Number(shown(i, s.value)), Cell::Number(s.score)]),
                    None => row.extend([Cell::Empty, Cell::Empty]),
                }
            }
            row
        })
        .collect();
    Ok(Table {
        name: format!("mu-evaluation-{}", result.year),
        headers,
        rows,
    })
}

/// An indicator's value as people read it: R&D intensity in per cent.
pub fn shown(i: mu::Indicator, value: f64) -> f64 {
    if i == mu::Indicator::RdIntensity {
        value * 100.0
    } else {
        value
    }
}

/// The years the caller may choose: those with figures, last year and `shown`, newest
/// first.
pub async fn years(app: &App, caller: &Caller, shown: i32) -> Result<Vec<i32>, ClusterError> {
    let scope = caller.scope_for(Operation::ViewMuEvaluation)?;
    let mut years = app.store.statistic_years(&scope).await?;
    years.push(chrono::Datelike::year(&app.today()) - 1);
    years.push(shown);
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(years)
}

/// One enterprise's result of `year` with the year's evaluation it belongs to (its
/// lines cut to that one); not found when the caller does not see it (another
/// enterprise's, for an enterprise user) or it was not evaluated.
pub async fn breakdown(
    app: &App,
    caller: &Caller,
    year: i32,
    enterprise: i64,
) -> Result<MuResult, ClusterError> {
    let mut result = evaluation(app, caller, year).await?;
    result.lines.retain(|l| l.enterprise_id == enterprise);
    if result.lines.is_empty() {
        return Err(ClusterError::Store(luodi_store::StoreError::NotFound));
    }
    Ok(result)
}

/// The enterprise user's own result in the last year evaluated for it: the latest year
/// up to last year with its figures (last year when it has none). `None` for a user of
/// no enterprise, or one the evaluation leaves out.
pub async fn own_class(app: &App, caller: &Caller) -> Result<Option<(i32, MuLine)>, ClusterError> {
    let scope = caller.scope_for(Operation::ViewMuEvaluation)?;
    let Some(own) = scope.enterprise else {
        return Ok(None);
    };
    let last = chrono::Datelike::year(&app.today()) - 1;
    let year = app
        .store
        .statistic_years(&scope)
        .await?
        .into_iter()
        .filter(|y| *y <= last)
        .max()
        .unwrap_or(last);
    let result = evaluation(app, caller, year).await?;
    Ok(result
        .lines
        .into_iter()
        .find(|l| l.enterprise_id == own.0)
        .map(|l| (year, l)))
}
