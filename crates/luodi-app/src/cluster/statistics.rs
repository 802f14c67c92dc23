//! Enterprises' statistics: imported from a file (the page, `POST /api/v1/statistics`,
//! `luodi import statistics`) or entered one period at a time (an enterprise on its
//! portal), all or nothing; read as each enterprise's year (its own row or its twelve
//! months) on the list `/statistics`, filtered, sorted, paged and exported; every
//! version of a period; periods closed and opened again.

use luodi_domain::cluster::figures::Cluster;
use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{self as rules, Column, Figures, Mu, YearFigures};
use luodi_domain::{EnterpriseId, Lang, Operation, Text};
use luodi_store::Page;
use luodi_store::cluster::statistics::{ImportSummary, StatFilter, StatRecord};
use luodi_store::core::enterprises::Enterprise;
use serde::Serialize;

use super::ClusterError;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// The largest statistics file a page or the API takes: 180,000 rows of CSV fit.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Imports a statistics file (CSV or XLSX by its name, else by its content). An
/// enterprise's user imports only its own rows. A closed period needs `reason`.
pub async fn import_file(
    app: &App,
    caller: &Caller,
    name: &str,
    bytes: &[u8],
    reason: Option<&str>,
    source: &str,
) -> Result<ImportSummary, ClusterError> {
    let scope = caller.scope_for(Operation::EnterStatistics)?;
    let zone = caller.zone_for(Operation::EnterStatistics)?;
    if bytes.is_empty() {
        return Err(ClusterError::EmptyFile);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ClusterError::TooLarge(MAX_FILE_BYTES));
    }
    let (rows, problems) = rules::from_file_all(name, bytes);
    import_checked(
        app,
        caller,
        zone,
        rows,
        problems,
        reason,
        source,
        scope.enterprise,
    )
    .await
}

/// Imports rows that read, or refuses them with every problem: the file's own and, for
/// the rows that read, the zone's (an unknown code, a closed period), in row order.
#[allow(clippy::too_many_arguments)]
async fn import_checked(
    app: &App,
    caller: &Caller,
    zone: luodi_domain::ZoneId,
    rows: Vec<rules::StatRow>,
    mut problems: Vec<rules::RowProblem>,
    reason: Option<&str>,
    source: &str,
    only: Option<EnterpriseId>,
) -> Result<ImportSummary, ClusterError> {
    if !problems.is_empty() {
        if !rows.is_empty() {
            problems.extend(
                app.store
                    .statistics_zone_problems(zone, &rows, reason, only)
                    .await?,
            );
            problems.sort_by_key(|p| p.row);
        }
        return Err(ClusterError::Rows(problems));
    }
    Ok(app
        .store
        .import_statistics(&caller.actor, zone, &rows, source, reason, only)
        .await?)
}

/// Imports rows already read (the API's JSON rows go through the same checks as a file:
/// `rows` are cells by column name, numbered from 2 as a spreadsheet's would be).
pub async fn import_cells(
    app: &App,
    caller: &Caller,
    rows: &[Vec<(String, Option<String>)>],
    reason: Option<&str>,
    source: &str,
) -> Result<ImportSummary, ClusterError> {
    let scope = caller.scope_for(Operation::EnterStatistics)?;
    let zone = caller.zone_for(Operation::EnterStatistics)?;
    let header: Vec<String> = Column::ALL.iter().map(|c| c.name().to_string()).collect();
    let mut problems = Vec::new();
    let table: Vec<(usize, Vec<Option<String>>)> = rows
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            for (name, _) in cells {
                if Column::ALL.iter().all(|c| c.name() != name) {
                    problems.push(rules::RowProblem {
                        row: i + 2,
                        column: name.clone(),
                        reason: Text::fill(
                            "rules.cluster.unknown_column",
                            &[
                                ("column", name),
                                ("columns", &Column::ALL.map(Column::name).join(", ")),
                            ],
                        ),
                    });
                }
            }
            let row = Column::ALL
                .iter()
                .map(|c| {
                    cells
                        .iter()
                        .find(|(n, _)| n == c.name())
                        .and_then(|(_, v)| v.clone())
                })
                .collect();
            (i + 2, row)
        })
        .collect();
    if !problems.is_empty() {
        return Err(ClusterError::Rows(problems));
    }
    let (rows, problems) = rules::read_table_all(&header, table);
    import_checked(
        app,
        caller,
        zone,
        rows,
        problems,
        reason,
        source,
        scope.enterprise,
    )
    .await
}

/// What a statistics line shows: an enterprise's year.
#[derive(Debug, Clone, Serialize)]
pub struct YearLine {
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    pub in_cluster: bool,
    pub year: i32,
    pub figures: YearFigures,
    /// Whether the enterprise has any row for the year (else its state is "none").
    pub has_rows: bool,
    /// The land the year is measured on: the year's own, else the parcels handed over.
    pub land: Option<Mu>,
}

/// Where an enterprise's year stands: complete (its own row or twelve months),
/// incomplete (some months), or no figures at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearState {
    Complete,
    Incomplete,
    NoFigures,
}

impl YearState {
    /// The list's filter word.
    pub fn as_str(self) -> &'static str {
        match self {
            YearState::Complete => "complete",
            YearState::Incomplete => "incomplete",
            YearState::NoFigures => "none",
        }
    }

    pub const ALL: [YearState; 3] = [
        YearState::Complete,
        YearState::Incomplete,
        YearState::NoFigures,
    ];

    /// Its name in words.
    pub fn label(self) -> Text {
        Text::key(match self {
            YearState::Complete => "cluster.pages.statistics.state_complete",
            YearState::Incomplete => "cluster.pages.statistics.state_incomplete",
            YearState::NoFigures => "cluster.pages.statistics.state_none",
        })
    }
}

impl YearLine {
    pub fn state(&self) -> YearState {
        match (&self.figures, self.has_rows) {
            (YearFigures::Complete { .. }, _) => YearState::Complete,
            (_, true) => YearState::Incomplete,
            (_, false) => YearState::NoFigures,
        }
    }

    /// Its state in words: where its figures come from, the months missing, or none.
    pub fn state_text(&self) -> Text {
        match self.state() {
            YearState::NoFigures => Text::key("cluster.pages.statistics.no_figures"),
            _ => state_text(&self.figures),
        }
    }
}

/// The list `/statistics`: each enterprise's year, searched, filtered by year, by its
/// state (complete, incomplete, none) and by cluster membership, sorted by name or a
/// figure.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("year", Values::Number),
        Filter::new("state", Values::OneOf(&["complete", "incomplete", "none"])),
        Filter::new("cluster", Values::OneOf(&["yes", "no"])),
    ],
    sorts: &["name", "revenue", "output", "tax", "employees"],
    default_desc: false,
    per_page: 50,
    extra: &["done"],
};

/// A closed period: when and by whom it was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedPeriod {
    pub period: String,
    pub by: String,
    /// Stored UTC time.
    pub at: String,
}

/// A page of the list, with the years there are figures for and the year shown.
pub struct StatisticsList {
    pub found: Page<YearLine>,
    pub year: i32,
    pub years: Vec<i32>,
    pub closed: Vec<ClosedPeriod>,
    /// Whether the caller may import or enter figures, and close periods.
    pub may_enter: bool,
    pub may_close: bool,
}

/// The years the zone has figures for, newest first, and the year a view shows: the one
/// asked for, else the newest with figures, else last year.
async fn years(
    app: &App,
    caller: &Caller,
    asked: Option<f64>,
) -> Result<(Vec<i32>, i32), ClusterError> {
    let scope = caller.scope_for(Operation::ViewStatistics)?;
    let years = app.store.statistic_years(&scope).await?;
    let year = asked
        .map(|y| y as i32)
        .or(years.first().copied())
        .unwrap_or_else(|| chrono::Datelike::year(&app.today()) - 1);
    Ok((years, year))
}

/// Every enterprise the caller sees, each with its year `year` (none where it has no
/// rows for it).
pub async fn year_lines(
    app: &App,
    caller: &Caller,
    year: i32,
) -> Result<Vec<YearLine>, ClusterError> {
    let scope = caller.scope_for(Operation::ViewStatistics)?;
    let rows = app
        .store
        .statistics(
            &scope,
            &StatFilter {
                year: Some(year),
                ..StatFilter::default()
            },
        )
        .await?;
    let enterprises = app.store.all_enterprises(&scope).await?;
    let mut land = std::collections::HashMap::new();
    if let Some(zone) = scope.zone {
        land = app.store.enterprise_land(zone).await?;
    }
    let cluster = match scope.zone {
        Some(zone) => app.store.cluster_settings(zone).await?.cluster,
        None => Cluster::default(),
    };
    let mut by_enterprise: std::collections::BTreeMap<i64, Vec<(Period, Figures)>> =
        Default::default();
    for r in &rows {
        if let Ok(p) = Period::parse(&r.period) {
            by_enterprise
                .entry(r.enterprise_id)
                .or_default()
                .push((p, r.figures));
        }
    }
    Ok(enterprises
        .iter()
        .map(|e| {
            let own = by_enterprise.get(&e.id.0);
            let figures = rules::year_figures(year, own.map_or(&[][..], Vec::as_slice));
            let declared = figures.figures().and_then(|f| f.land);
            YearLine {
                enterprise_id: e.id.0,
                uscc: e.uscc.clone(),
                name: e.name.clone(),
                in_cluster: cluster.contains(e.industry_code.as_deref()),
                year,
                has_rows: own.is_some(),
                land: declared.or(land.get(&e.id.0).copied()),
                figures,
            }
        })
        .collect())
}

fn key(line: &YearLine, sort: &str) -> i64 {
    let f = line.figures.figures();
    match sort {
        "revenue" => f.map_or(-1, |f| f.revenue.0),
        "output" => f.map_or(-1, |f| f.output.0),
        "tax" => f.map_or(-1, |f| f.tax.0),
        "employees" => f.map_or(-1, |f| f.employees),
        _ => 0,
    }
}

async fn filtered(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<(Vec<YearLine>, Vec<i32>, i32), ClusterError> {
    let (years, year) = years(app, caller, query.number("year")).await?;
    let mut lines: Vec<YearLine> = year_lines(app, caller, year)
        .await?
        .into_iter()
        .filter(|l| query.finds([l.name.as_str(), l.uscc.as_str()]))
        .filter(|l| {
            query
                .filter("state")
                .is_none_or(|s| l.state().as_str() == s)
        })
        .filter(|l| match query.filter("cluster") {
            Some("yes") => l.in_cluster,
            Some("no") => !l.in_cluster,
            _ => true,
        })
        .collect();
    lines.sort_by(|a, b| {
        let order = match query.sort {
            "name" => a.name.cmp(&b.name),
            s => key(a, s).cmp(&key(b, s)),
        };
        query.directed(order.then(a.enterprise_id.cmp(&b.enterprise_id)))
    });
    Ok((lines, years, year))
}

/// The periods the caller's zone has closed, newest first.
pub async fn closed_periods(app: &App, caller: &Caller) -> Result<Vec<ClosedPeriod>, ClusterError> {
    Ok(match caller.scope_for(Operation::ViewStatistics)?.zone {
        Some(zone) => app
            .store
            .closed_periods(zone)
            .await?
            .into_iter()
            .map(|(period, by, at)| ClosedPeriod { period, by, at })
            .collect(),
        None => Vec::new(),
    })
}

/// The page of the list `query` asks for.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<StatisticsList, ClusterError> {
    let (lines, years, year) = filtered(app, caller, query).await?;
    Ok(StatisticsList {
        found: query.page_of(lines),
        year,
        years,
        closed: closed_periods(app, caller).await?,
        may_enter: caller.scope_for(Operation::EnterStatistics).is_ok(),
        may_close: caller.zone_for(Operation::CloseStatisticsPeriod).is_ok(),
    })
}

fn wan(f: luodi_domain::core::money::Fen) -> Cell {
    Cell::Number(f.0 as f64 / 1e6)
}

/// Every line the query finds, as a table in the reader's language.
pub async fn export(app: &App, caller: &Caller, query: &ListQuery) -> Result<Table, ClusterError> {
    let (lines, _, year) = filtered(app, caller, query).await?;
    let lang = caller.lang;
    let t = |k: &str| luodi_domain::core::i18n::text(lang, k).to_string();
    let mut headers = vec![
        Column::Uscc.label(lang).to_string(),
        t("cluster.statistics.enterprise"),
        Column::Period.label(lang).to_string(),
    ];
    headers.extend(
        [
            Column::Revenue,
            Column::Output,
            Column::Tax,
            Column::ValueAdded,
            Column::Energy,
            Column::Rd,
            Column::Employees,
            Column::Land,
        ]
        .iter()
        .map(|c| c.label(lang).to_string()),
    );
    headers.push(t("cluster.statistics.state"));
    headers.push(t("cluster.statistics.in_cluster"));
    let rows = lines
        .iter()
        .map(|l| {
            let mut row: Vec<Cell> = vec![
                l.uscc.as_str().into(),
                l.name.as_str().into(),
                Cell::Text(year.to_string()),
            ];
            match l.figures.figures() {
                Some(f) => row.extend([
                    wan(f.revenue),
                    wan(f.output),
                    wan(f.tax),
                    wan(f.value_added),
                    Cell::Number(f.energy.tce()),
                    wan(f.rd),
                    Cell::Number(f.employees as f64),
                ]),
                None => row.extend(std::iter::repeat_n(Cell::Empty, 7)),
            }
            row.push(l.land.map_or(Cell::Empty, |m| Cell::Number(m.mu())));
            row.push(Cell::Text(l.state_text().get(lang).to_string()));
            row.push(Cell::Bool(l.in_cluster));
            row
        })
        .collect();
    Ok(Table {
        name: format!("statistics-{year}"),
        headers,
        rows,
    })
}

/// A year's state in words: from its row, from twelve months, or the months missing.
pub fn state_text(f: &YearFigures) -> Text {
    match f {
        YearFigures::Complete {
            from_months: false, ..
        } => Text::key("cluster.statistics.from_year_row"),
        YearFigures::Complete {
            from_months: true, ..
        } => Text::key("cluster.statistics.from_months"),
        YearFigures::Incomplete { missing } => YearFigures::missing_text(missing),
    }
}

/// The template a statistics file is written in: the headers in `lang` (the importer
/// reads them, and the English column names) and one example row.
pub fn template(lang: Lang) -> Table {
    Table {
        name: "statistics-template".into(),
        headers: rules::template_header(lang)
            .iter()
            .map(|h| h.to_string())
            .collect(),
        rows: vec![vec![
            "91370212MA3C5QWX1K".into(),
            "2025-01".into(),
            Cell::Number(1234.5),
            Cell::Number(1300.0),
            Cell::Number(85.25),
            Cell::Number(320.0),
            Cell::Number(150.5),
            Cell::Number(62.0),
            Cell::Number(120.0),
            Cell::Empty,
        ]],
    }
}

/// The template as the caller downloads it: an enterprise's example row carries its own
/// code, so the file imports as it is filled in.
pub async fn template_for(app: &App, caller: &Caller) -> Result<Table, ClusterError> {
    let scope = caller.scope_for(Operation::EnterStatistics)?;
    let mut table = template(caller.lang);
    if let Some(own) = scope.enterprise {
        let e = app.store.enterprise(&scope, own).await?;
        if let Some(row) = table.rows.first_mut() {
            row[0] = e.uscc.as_str().into();
        }
    }
    Ok(table)
}

/// The rows of the API's `GET /api/v1/statistics`: current figures the caller sees,
/// filtered by year, enterprise code and kind.
pub async fn rows(
    app: &App,
    caller: &Caller,
    year: Option<i32>,
    uscc: Option<&str>,
    annual: Option<bool>,
) -> Result<Vec<StatRecord>, ClusterError> {
    let scope = caller.scope_for(Operation::ViewStatistics)?;
    let enterprise = match (uscc, scope.zone) {
        (Some(u), Some(zone)) => match app.store.enterprise_by_uscc(zone, u.trim()).await? {
            Some(e) if scope.enterprise.is_none_or(|own| own == e.id) => Some(e.id),
            // Another enterprise's code reads as one the zone does not hold: nothing.
            _ => return Ok(Vec::new()),
        },
        (Some(u), None) => {
            let all = app.store.all_enterprises(&scope).await?;
            match all.iter().find(|e| e.uscc == u.trim()) {
                Some(e) => Some(e.id),
                None => return Ok(Vec::new()),
            }
        }
        _ => None,
    };
    Ok(app
        .store
        .statistics(
            &scope,
            &StatFilter {
                year,
                enterprise,
                annual,
            },
        )
        .await?)
}

/// One enterprise's page of figures: its current rows of a year, each period's versions,
/// and the year's sum.
pub struct EnterpriseYear {
    pub enterprise: Enterprise,
    pub year: i32,
    pub rows: Vec<StatRecord>,
    pub figures: YearFigures,
    /// Every version of each period shown, the first first.
    pub versions: Vec<StatRecord>,
    pub closed: Vec<String>,
    /// Whether the caller may enter or correct a period here.
    pub may_enter: bool,
}

pub async fn enterprise_year(
    app: &App,
    caller: &Caller,
    enterprise: EnterpriseId,
    year: i32,
) -> Result<EnterpriseYear, ClusterError> {
    let scope = caller.scope_for(Operation::ViewStatistics)?;
    let e = app.store.enterprise(&scope, enterprise).await?;
    let rows = app
        .store
        .statistics(
            &scope,
            &StatFilter {
                year: Some(year),
                enterprise: Some(enterprise),
                annual: None,
            },
        )
        .await?;
    let mut versions = Vec::new();
    for r in rows.iter().filter(|r| r.version > 1) {
        if let Ok(p) = Period::parse(&r.period) {
            versions.extend(app.store.statistic_versions(&scope, enterprise, p).await?);
        }
    }
    let periods: Vec<(Period, Figures)> = rows
        .iter()
        .filter_map(|r| Period::parse(&r.period).ok().map(|p| (p, r.figures)))
        .collect();
    let closed = app
        .store
        .closed_periods(e.zone_id)
        .await?
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    let mut rows = rows;
    rows.sort_by_key(|r| Period::parse(&r.period).ok());
    Ok(EnterpriseYear {
        figures: rules::year_figures(year, &periods),
        enterprise: e,
        year,
        rows,
        versions,
        closed,
        may_enter: caller.scope_for(Operation::EnterStatistics).is_ok(),
    })
}

/// Enters or corrects one period of an enterprise's figures (its portal, or an
/// officer's entry form): `cells` by column name, all but `uscc`, checked as a file's
/// row would be (numbered 2). The enterprise must be one the caller sees (else
/// `NotFound`); a closed period needs `reason`.
pub async fn enter(
    app: &App,
    caller: &Caller,
    enterprise: EnterpriseId,
    cells: &[(String, Option<String>)],
    reason: Option<&str>,
) -> Result<ImportSummary, ClusterError> {
    let scope = caller.scope_for(Operation::ViewStatistics)?;
    let e = app.store.enterprise(&scope, enterprise).await?;
    let mut row = vec![(Column::Uscc.name().to_string(), Some(e.uscc))];
    row.extend(
        cells
            .iter()
            .filter(|(name, _)| name != Column::Uscc.name())
            .cloned(),
    );
    let period = cells
        .iter()
        .find(|(name, _)| name == Column::Period.name())
        .and_then(|(_, v)| v.as_deref())
        .and_then(|v| Period::parse(v.trim()).ok());
    match import_cells(app, caller, &[row], reason, "portal").await {
        Err(ClusterError::Rows(mut problems)) => {
            // A closed period wants a reason: the problem is the reason's, beside its field.
            let closed: Vec<String> = app
                .store
                .closed_periods(e.zone_id)
                .await?
                .into_iter()
                .map(|(p, _, _)| p)
                .collect();
            if let Some(p) = period
                && (closed.contains(&p.to_string()) || closed.contains(&p.year().to_string()))
            {
                for problem in problems.iter_mut().filter(|x| x.column == "period") {
                    problem.column = "reason".into();
                }
            }
            Err(ClusterError::Rows(problems))
        }
        other => other,
    }
}

/// The caller's own enterprise's line of `year` (an enterprise's home), if the caller
/// acts for one.
pub async fn own_year(
    app: &App,
    caller: &Caller,
    year: i32,
) -> Result<Option<YearLine>, ClusterError> {
    let Some(own) = caller.scope_for(Operation::ViewStatistics)?.enterprise else {
        return Ok(None);
    };
    Ok(year_lines(app, caller, year)
        .await?
        .into_iter()
        .find(|l| l.enterprise_id == own.0))
}

/// Closes a period, or opens it again.
pub async fn set_closed(
    app: &App,
    caller: &Caller,
    period: &str,
    closed: bool,
) -> Result<(), ClusterError> {
    let zone = caller.zone_for(Operation::CloseStatisticsPeriod)?;
    let period = Period::parse(period).map_err(|t| ClusterError::field("period", t))?;
    Ok(app
        .store
        .set_period_closed(&caller.actor, zone, period, closed)
        .await?)
}

/// What an import did, in words.
pub fn describe(summary: &ImportSummary) -> Text {
    Text::fill(
        "cluster.statistics.imported",
        &[
            ("created", &summary.created.to_string()),
            ("corrected", &summary.corrected.to_string()),
            ("unchanged", &summary.unchanged.to_string()),
        ],
    )
}
