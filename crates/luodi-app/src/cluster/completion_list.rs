//! The post-completion checks as the pages read them: the list `/completion` (each check's
//! overall verdict — met, failed, or failed with an accepted explanation — searched,
//! filtered, sorted, paged and exported), one check, a project's checks, and the agreed
//! production date a phase's check waits for. An enterprise reads only its own.

use luodi_domain::cluster::completion::{self, Measure, Source};
use luodi_domain::{Operation, Text};
use luodi_store::Actor;
use luodi_store::Page;
use luodi_store::cluster::completion::{CompletionRecord, PhaseDates};

use super::ClusterError;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// A check's overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Failed,
    /// Failed, with an officer's accepted explanation.
    Explained,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Met, Verdict::Failed, Verdict::Explained];

    pub fn of(c: &CompletionRecord) -> Verdict {
        match (c.passed, c.explanation.is_some()) {
            (true, _) => Verdict::Met,
            (false, false) => Verdict::Failed,
            (false, true) => Verdict::Explained,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Failed => "failed",
            Verdict::Explained => "explained",
        }
    }

    pub fn label(self) -> Text {
        Text::key(match self {
            Verdict::Met => "cluster.pages.completion.verdict_met",
            Verdict::Failed => "cluster.pages.completion.verdict_failed",
            Verdict::Explained => "cluster.pages.completion.verdict_explained",
        })
    }
}

/// A check with what the pages show beside it.
#[derive(Debug, Clone)]
pub struct CheckLine {
    pub record: CompletionRecord,
    pub verdict: Verdict,
    /// The date production was due (the agreed one, else two years after construction
    /// started).
    pub due: Option<chrono::NaiveDate>,
}

impl CheckLine {
    fn of(record: CompletionRecord) -> CheckLine {
        CheckLine {
            verdict: Verdict::of(&record),
            due: completion::production_due(
                record.production_due_on,
                record.construction_started_on,
            ),
            record,
        }
    }

    /// The shortfalls in a line: "Tax per mu 37.5 %; …" (empty when met).
    pub fn shortfalls(&self, lang: luodi_domain::Lang) -> String {
        self.record
            .check
            .failures()
            .map(|v| match v.shortfall_pct {
                Some(p) => format!("{} {p:.1} %", v.measure.label().get(lang)),
                None => v.measure.label().get(lang).to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The list `/completion`.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("verdict", Values::OneOf(&["met", "failed", "explained"])),
        Filter::new("year", Values::Number),
    ],
    sorts: &["year", "project", "due"],
    default_desc: true,
    per_page: 50,
    extra: &[],
};

/// Every check the caller sees.
pub async fn lines(app: &App, caller: &Caller) -> Result<Vec<CheckLine>, ClusterError> {
    Ok(super::completion::list(app, caller)
        .await?
        .into_iter()
        .map(CheckLine::of)
        .collect())
}

fn filtered(mut all: Vec<CheckLine>, query: &ListQuery) -> Vec<CheckLine> {
    all.retain(|l| {
        let r = &l.record;
        query.finds([
            r.project.as_str(),
            r.phase.as_str(),
            r.enterprise.as_str(),
            r.parcel.as_ref().map_or("", |p| p.1.as_str()),
        ]) && query
            .filter("verdict")
            .is_none_or(|v| v == l.verdict.name())
            && query
                .number("year")
                .is_none_or(|y| y as i32 == l.record.year)
    });
    all.sort_by(|a, b| {
        let order = match query.sort {
            "project" => {
                (&a.record.project, &a.record.phase).cmp(&(&b.record.project, &b.record.phase))
            }
            "due" => a.due.cmp(&b.due),
            _ => a.record.year.cmp(&b.record.year),
        };
        query.directed(order.then(a.record.id.cmp(&b.record.id)))
    });
    all
}

/// The page of checks the query asks for.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Page<CheckLine>, ClusterError> {
    Ok(query.page_of(filtered(lines(app, caller).await?, query)))
}

/// The years the caller's checks cover, newest first (the year filter's choices).
pub fn years(lines: &[CheckLine]) -> Vec<i32> {
    let mut years: Vec<i32> = lines.iter().map(|l| l.record.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

/// The failed checks not explained, as `/completion?verdict=failed` lists them (the
/// homes' count).
pub async fn failed(app: &App, caller: &Caller) -> Result<Vec<CheckLine>, ClusterError> {
    let pairs = vec![("verdict".to_string(), "failed".to_string())];
    let query = ListQuery::parse(&LIST, &pairs).expect("a valid query");
    Ok(filtered(lines(app, caller).await?, &query))
}

/// One check, if the caller sees it.
pub async fn one(app: &App, caller: &Caller, id: i64) -> Result<CheckLine, ClusterError> {
    lines(app, caller)
        .await?
        .into_iter()
        .find(|l| l.record.id == id)
        .ok_or(ClusterError::Store(luodi_store::StoreError::NotFound))
}

/// A measure's value as people read it (two decimals; energy three).
pub fn figure(m: Measure, x: f64) -> String {
    if m == Measure::EnergyPerValueAdded {
        format!("{x:.3}")
    } else {
        format!("{x:.2}")
    }
}

pub fn source_label(s: Source) -> Text {
    Text::key(match s {
        Source::Parcel => "cluster.pages.completion.source_parcel",
        Source::Promise => "cluster.pages.completion.source_promise",
    })
}

/// Every check the query finds, each measure's actual, requirement and shortfall in its
/// own columns.
pub async fn export(app: &App, caller: &Caller, query: &ListQuery) -> Result<Table, ClusterError> {
    let found = filtered(lines(app, caller).await?, query);
    let lang = caller.lang;
    let t = |k: &str| luodi_domain::core::i18n::text(lang, k).to_string();
    let mut headers = vec![
        t("cluster.pages.completion.project"),
        t("cluster.pages.completion.phase"),
        t("cluster.statistics.enterprise"),
        t("cluster.pages.completion.parcel"),
        t("cluster.pages.completion.due"),
        t("cluster.pages.completion.year"),
        t("cluster.pages.completion.verdict"),
    ];
    for m in Measure::ALL {
        let name = m.label().get(lang).to_string();
        let unit = m.unit().get(lang).to_string();
        headers.push(format!(
            "{name} · {} ({unit})",
            t("cluster.pages.completion.actual")
        ));
        headers.push(format!(
            "{name} · {} ({unit})",
            t("cluster.pages.completion.required")
        ));
        headers.push(format!("{name} · {}", t("cluster.pages.completion.source")));
        headers.push(format!(
            "{name} · {} (%)",
            t("cluster.pages.completion.short_by")
        ));
    }
    headers.push(t("cluster.pages.completion.blocker"));
    headers.push(t("cluster.pages.completion.explanation"));
    let rows = found
        .iter()
        .map(|l| {
            let r = &l.record;
            let mut row: Vec<Cell> = vec![
                r.project.as_str().into(),
                r.phase.as_str().into(),
                r.enterprise.as_str().into(),
                r.parcel
                    .as_ref()
                    .map_or(Cell::Empty, |p| Cell::Text(p.1.clone())),
                l.due.map_or(Cell::Empty, Cell::Date),
                Cell::Number(f64::from(r.year)),
                Cell::Text(l.verdict.label().get(lang).to_string()),
            ];
            for m in Measure::ALL {
                match r.check.verdicts.iter().find(|v| v.measure == m) {
                    Some(v) => row.extend([
                        v.actual.map_or(Cell::Empty, Cell::Number),
                        Cell::Number(v.required),
                        Cell::Text(source_label(v.source).get(lang).to_string()),
                        v.shortfall_pct.map_or(Cell::Empty, Cell::Number),
                    ]),
                    None => row.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]),
                }
            }
            row.push(r.blocker_id.map_or(Cell::Empty, |b| Cell::Number(b as f64)));
            row.push(
                r.explanation
                    .as_ref()
                    .map_or(Cell::Empty, |e| Cell::Text(e.clone())),
            );
            row
        })
        .collect();
    Ok(Table {
        name: "completion-checks".into(),
        headers,
        rows,
    })
}

/// A project's checks and its phases' production dates, for its page (an empty list
/// when the caller may not see checks).
pub async fn for_project(
    app: &App,
    caller: &Caller,
    project: i64,
) -> Result<(Vec<CheckLine>, Vec<PhaseDates>), ClusterError> {
    let Ok(scope) = caller.scope_for(Operation::ViewCompletionChecks) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut checks: Vec<CheckLine> = lines(app, caller)
        .await?
        .into_iter()
        .filter(|l| l.record.project_id == project)
        .collect();
    checks.sort_by_key(|c| std::cmp::Reverse(c.record.year));
    let dates = app.store.phase_production_dates(&scope, project).await?;
    Ok((checks, dates))
}

/// The production dates of a project's phases, for the project form.
pub async fn production_dates(
    app: &App,
    caller: &Caller,
    project: i64,
) -> Result<Vec<PhaseDates>, ClusterError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    Ok(app.store.phase_production_dates(&scope, project).await?)
}

/// Reads an agreed production date as typed (`YYYY-MM-DD`; empty: none), refusing
/// anything else with why.
pub fn parse_due(raw: &str) -> Result<Option<chrono::NaiveDate>, Text> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if (1990..=2100).contains(&chrono::Datelike::year(&d)) => Ok(Some(d)),
        _ => Err(Text::fill(
            "cluster.pages.completion.bad_due",
            &[("value", raw)],
        )),
    }
}

/// Sets (or clears) phase `phase`'s agreed production date, which its post-completion
/// check waits for; audited.
pub async fn set_production_due(
    app: &App,
    caller: &Caller,
    phase: i64,
    due: Option<chrono::NaiveDate>,
) -> Result<(), ClusterError> {
    let zone = caller.zone_for(Operation::EditProject)?;
    let actor: &Actor = &caller.actor;
    Ok(app
        .store
        .set_production_due(actor, zone, phase, due)
        .await?)
}
