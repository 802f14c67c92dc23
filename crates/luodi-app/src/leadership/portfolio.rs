//! The portfolio as its page shows it (`/portfolio`), on the shared list
//! ([`crate::core::list`]): every active phase the caller sees
//! ([`crate::forecast::portfolio`]), searched by project, enterprise or phase name,
//! filtered by stage, by whether construction has started, by lateness against the target
//! and by steward (`me` for the caller), sorted by lateness (the ranking: phases still to
//! start first, the latest first), forecast start, name or land handover, paged and
//! exported, with the names of the items to push next. A zone has hundreds of active
//! phases, not millions, so the filtering is done here over the kept forecasts; an
//! enterprise user sees only its own enterprise's phases.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::NaiveDate;
use luodi_domain::core::i18n;
use luodi_domain::forecast::critical_path::BUILD;
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{Lang, Operation};
use luodi_store::Page;
use luodi_store::forecast::portfolio::PortfolioRow;

use super::LeadershipError;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::forecast::portfolio::portfolio;
use crate::{App, Caller};

/// The stages a phase of the portfolio can stand at: from its land handover (which makes
/// its list) until its completion is accepted (which takes it out).
pub const STAGES: &[&str] = &[
    "land_handed_over",
    "construction_permit",
    "construction_started",
];

/// The `moved` filter's words: the forecast start moved since a week before (`week`),
/// later (`slipped`) or earlier (`gained`).
pub const MOVED: &[&str] = &["week", "slipped", "gained"];

/// Whether a row's forecast start moved as `moved` says since a week before.
pub fn moved(r: &PortfolioRow, moved: &str) -> bool {
    let days = r.slip.as_ref().map_or(0, |s| s.working_days);
    match moved {
        "slipped" => days > 0,
        "gained" => days < 0,
        _ => days != 0,
    }
}

/// What the portfolio list takes.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("stage", Values::OneOf(STAGES)),
        Filter::new("start", Values::OneOf(&["waiting", "started"])),
        Filter::new("late", Values::OneOf(&["late", "on_time"])),
        Filter::new("steward", Values::IdOr(&["me"])),
        // How the forecast start moved since a week before: any way, later, earlier.
        Filter::new("moved", Values::OneOf(MOVED)),
    ],
    sorts: &["late", "forecast", "name", "handover"],
    default_desc: true,
    per_page: 50,
    extra: &[],
};

/// What the page's summary counts: every phase the caller sees, whatever the filters.
pub struct Summary {
    pub today: String,
    /// The zone's construction-start target, working days from land handover.
    pub target_working_days: f64,
    pub phases: usize,
    /// Phases whose construction has not started yet.
    pub waiting: usize,
    /// Of those, the ones whose P50 start is later than the target.
    pub late: usize,
}

/// A page of the portfolio list, with what its page names.
pub struct PortfolioList {
    pub found: Page<PortfolioRow>,
    pub summary: Summary,
    /// The name of each row's next critical item in the zone's current catalogue, in the
    /// caller's language, by code (none for an item the catalogue lacks).
    pub item_names: HashMap<String, String>,
    /// The stewards to filter by, where the caller sees staff names: (id, name).
    pub stewards: Vec<(i64, String)>,
}

/// When a phase's construction starts: the day it did, else its P50 forecast.
pub fn start_date(r: &PortfolioRow) -> Option<NaiveDate> {
    r.started_on.or(r.start_p50_date)
}

/// The rows the caller sees that match `query`, in its order; the summary of them all,
/// and the stewards to filter by.
async fn matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<(Vec<PortfolioRow>, Summary, Vec<(i64, String)>), LeadershipError> {
    let scope = caller.scope_for(Operation::ViewPortfolio)?;
    let all = portfolio(app, caller).await?;
    let waiting = all.rows.iter().filter(|r| r.started_on.is_none()).count();
    let late = all
        .rows
        .iter()
        .filter(|r| r.started_on.is_none() && r.late_working_days > 0)
        .count();
    let summary = Summary {
        today: all.today,
        target_working_days: all.target_working_days,
        phases: all.rows.len(),
        waiting,
        late,
    };
    // Each project's steward, by id: the rows name the steward only.
    let stewards_of: HashMap<i64, i64> = app
        .store
        .projects(&scope)
        .await?
        .iter()
        .filter_map(|p| p.steward_id.map(|s| (p.id, s.0)))
        .collect();
    let mut stewards: Vec<(i64, String)> = if Operation::SeeStaffNames.allows(caller.policy.role) {
        all.rows
            .iter()
            .filter_map(|r| Some((*stewards_of.get(&r.project_id)?, r.steward.clone()?)))
            .collect()
    } else {
        Vec::new()
    };
    stewards.sort();
    stewards.dedup();
    let stage = query.filter("stage").and_then(PhaseStatus::parse);
    let steward = match query.filter("steward") {
        Some("me") => Some(caller.user_id.map_or(0, |u| u.0)),
        _ => query.id("steward"),
    };
    let start = query.filter("start");
    let lateness = query.filter("late");
    let mut rows: Vec<PortfolioRow> = all
        .rows
        .into_iter()
        .filter(|r| stage.is_none_or(|s| r.status == s))
        .filter(|r| match start {
            Some("waiting") => r.started_on.is_none(),
            Some("started") => r.started_on.is_some(),
            _ => true,
        })
        .filter(|r| match lateness {
            Some("late") => r.late_working_days > 0,
            Some("on_time") => r.late_working_days <= 0,
            _ => true,
        })
        .filter(|r| steward.is_none_or(|s| stewards_of.get(&r.project_id) == Some(&s)))
        .filter(|r| query.filter("moved").is_none_or(|m| moved(r, m)))
        .filter(|r| {
            query.finds([
                r.project_name.as_str(),
                r.project_name_en.as_deref().unwrap_or(""),
                r.enterprise_name.as_str(),
                r.phase_name.as_str(),
            ])
        })
        .collect();
    rows.sort_by(|a, b| {
        let order = match query.sort {
            "forecast" => start_date(a).cmp(&start_date(b)),
            "name" => a
                .project_name
                .cmp(&b.project_name)
                .then(a.phase.cmp(&b.phase)),
            "handover" => a.handover_date.cmp(&b.handover_date),
            // The ranking, ascending: phases under construction before those still to
            // start, each the least late first; turned round, it is the store's order.
            _ => (a.started_on.is_none(), a.late_working_days)
                .cmp(&(b.started_on.is_none(), b.late_working_days))
                .then(Reverse(a.phase_id).cmp(&Reverse(b.phase_id))),
        };
        query.directed(order.then(a.phase_id.cmp(&b.phase_id)))
    });
    Ok((rows, summary, stewards))
}

/// The names of the items `rows` push next, in the zone's current catalogue.
async fn item_names(app: &App, caller: &Caller, rows: &[PortfolioRow]) -> HashMap<String, String> {
    let catalogue = match caller.policy.zone {
        Some(z) => app.store.catalogue(z, None).await.ok().map(|c| c.2),
        None => None,
    };
    let mut names = HashMap::new();
    if let Some(catalogue) = &catalogue {
        for code in rows.iter().filter_map(|r| r.next_critical_item.as_deref()) {
            if let Some(item) = catalogue.item(code) {
                let name = match caller.lang {
                    Lang::Zh => item.name_zh.clone(),
                    Lang::En => item.name_en.clone(),
                };
                names.insert(code.to_string(), name);
            }
        }
    }
    names.insert(
        BUILD.to_string(),
        i18n::text(caller.lang, "gantt.building").to_string(),
    );
    names
}

/// The page of the portfolio that `query` asks for.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<PortfolioList, LeadershipError> {
    let (rows, summary, stewards) = matching(app, caller, query).await?;
    let found = query.page_of(rows);
    let item_names = item_names(app, caller, &found.items).await;
    Ok(PortfolioList {
        found,
        summary,
        item_names,
        stewards,
    })
}

/// A project's name in the caller's language.
pub fn project_name(r: &PortfolioRow, lang: Lang) -> &str {
    match (lang, &r.project_name_en) {
        (Lang::En, Some(en)) => en,
        _ => &r.project_name,
    }
}

/// Every phase `query` finds (all pages), as a table in the caller's language.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, LeadershipError> {
    let (rows, _, _) = matching(app, caller, query).await?;
    let names = item_names(app, caller, &rows).await;
    let lang = caller.lang;
    let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let rows = rows
        .iter()
        .map(|r| {
            let next = r.next_critical_item.clone().unwrap_or_default();
            vec![
                Cell::from(project_name(r, lang)),
                Cell::from(r.phase_name.clone()),
                Cell::from(r.enterprise_name.clone()),
                Cell::from(r.status.label().get(lang)),
                Cell::from(r.steward.clone().unwrap_or_default()),
                Cell::Date(r.handover_date),
                Cell::Date(r.target_start_date),
                date(r.start_p50_date),
                date(r.start_p80_date),
                date(r.start_p90_date),
                date(r.started_on),
                Cell::Number(r.late_working_days as f64),
                r.on_target_permille
                    .map_or(Cell::Empty, |p| Cell::Number(p as f64 / 10.0)),
                Cell::from(names.get(&next).cloned().unwrap_or_default()),
                Cell::from(next),
            ]
        })
        .collect();
    Ok(Table {
        name: "portfolio".into(),
        headers: [
            "project.name",
            "project.phase",
            "project.enterprise",
            "project.status",
            "portfolio.steward",
            "portfolio.handover",
            "portfolio.target",
            "portfolio.p50",
            "portfolio.p80",
            "portfolio.p90",
            "portfolio.started_on",
            "portfolio.late",
            "portfolio.on_target_percent",
            "portfolio.next",
            "portfolio.next_code",
        ]
        .iter()
        .map(|k| i18n::text(lang, k).to_string())
        .collect(),
        rows,
    })
}
