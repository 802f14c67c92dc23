//! The blockers list (`/blockers`) on the shared list ([`crate::core::list`]): searched by
//! title or project, filtered by state, department, project, clock and who must act next,
//! sorted by raised day, priority or worst clock, paged and exported; `assignee=me` is
//! what is assigned to the caller (an approval officer's "assigned to me"). The state, the
//! project and the department are asked of the store; the clocks and who acts next are
//! worked out from each blocker's events on the zone's calendar, so those filters are
//! applied here (a zone has hundreds of blockers, not millions). The scope is the caller's:
//! an enterprise sees only its own blockers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use luodi_domain::core::i18n;
use luodi_domain::stewardship::blocker::{
    ClockKind, ClockStatus, PRIORITIES, Party, State as BlockerState,
};
use luodi_domain::{Lang, Operation};
use luodi_store::Page;
use luodi_store::stewardship::blockers::BlockerFilter;

use super::StewardshipError;
use super::blockers::{BlockerResponse, response};
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// The `state` filter's words: `open` is every blocker not closed or withdrawn (the
/// default); a blocker in the state the rules call open (raised, not yet acknowledged)
/// is `unacknowledged` here.
pub const STATES: &[&str] = &[
    "open",
    "unacknowledged",
    "acknowledged",
    "answered",
    "resolved",
    "closed",
    "withdrawn",
    "all",
];

/// Who must act next, the `waiting_on` filter's words.
pub const WAITING_ON: &[&str] = &["enterprise", "department", "steward"];

/// What the blockers list takes.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("state", Values::OneOf(STATES)).or("open"),
        // A department's code, or `mine`.
        Filter::new("department", Values::Text),
        Filter::new("project", Values::IdOr(&[])),
        Filter::new("clock", Values::OneOf(&["missed", "due_soon"])),
        Filter::new("waiting_on", Values::OneOf(WAITING_ON)),
        // The officer it is assigned to: a user id, or `me`.
        Filter::new("assignee", Values::IdOr(&["me"])),
    ],
    sorts: &["raised", "priority", "clock"],
    default_desc: true,
    per_page: 50,
    extra: &[],
};

/// A blocker as the list shows it: the response the API gives, and who must act next.
pub struct BlockerLine {
    pub blocker: BlockerResponse,
    pub waiting_on: Option<Party>,
}

/// A page of the blockers list, with what its filters and the raise form offer.
pub struct BlockerListView {
    pub today: NaiveDate,
    pub found: Page<BlockerLine>,
    /// Blockers found with a clock missed (or met late).
    pub missed: usize,
    /// The zone's departments: (id, code, name in the caller's language).
    pub departments: Vec<(i64, String, String)>,
    /// The projects of the blockers the caller sees: (id, name).
    pub projects: Vec<(i64, String)>,
    /// Whether the caller may raise blockers, and the projects they may raise them on.
    pub may_raise: bool,
    pub raise_projects: Vec<(i64, String)>,
    /// Whether the caller has a department (and so may filter by `mine`).
    pub has_department: bool,
}

fn missed(b: &BlockerResponse) -> bool {
    b.clocks.iter().any(|c| c.status.urgency() == 0)
}

/// How urgent the most urgent clock is (0 most), then its due day (`~`, after every
/// day, when it has none).
fn worst_clock(b: &BlockerResponse) -> (u8, String) {
    b.clocks
        .iter()
        .map(|c| {
            (
                c.status.urgency(),
                c.due.clone().unwrap_or_else(|| "~".into()),
            )
        })
        .min()
        .unwrap_or((u8::MAX, "~".into()))
}

fn priority_rank(code: &str) -> usize {
    PRIORITIES
        .iter()
        .position(|p| p.0 == code)
        .unwrap_or(usize::MAX)
}

struct Matched {
    today: NaiveDate,
    lines: Vec<BlockerLine>,
    departments: Vec<(i64, String, String)>,
    projects: Vec<(i64, String)>,
}

/// The blockers the caller sees that match `query`, in its order.
async fn matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Matched, StewardshipError> {
    let zone = caller.zone_for(Operation::ViewBlockers)?;
    let scope = caller.scope_for(Operation::ViewBlockers)?;
    let lang = caller.lang;
    let departments: Vec<(i64, String, String)> = app
        .store
        .departments(zone)
        .await?
        .into_iter()
        .map(|d| {
            let name = if lang == Lang::Zh {
                d.name_zh
            } else {
                d.name_en
            };
            (d.id.0, d.code, name)
        })
        .collect();
    let department_id = match query.filter("department") {
        None => None,
        Some("mine") => Some(caller.policy.department.map_or(0, |d| d.0)),
        // An unknown code finds nothing rather than everything.
        Some(code) => Some(departments.iter().find(|d| d.1 == code).map_or(0, |d| d.0)),
    };
    let state = query.filter("state").unwrap_or("open");
    let filter = BlockerFilter {
        project_id: query.id("project"),
        department_id,
        state: match state {
            "unacknowledged" => Some(BlockerState::Open),
            "open" | "all" => None,
            s => BlockerState::parse(s),
        },
        open: state == "open",
        assignee: match query.filter("assignee") {
            None => None,
            // Somebody with no user (an API token) is assigned nothing.
            Some("me") => Some(caller.user_id.map_or(0, |u| u.0)),
            Some(_) => query.id("assignee"),
        },
    };
    let records = app.store.blockers(&scope, &filter).await?;
    let calendar = app.store.calendar().await?;
    let today = app.today();
    let mut projects = BTreeMap::new();
    let mut lines = Vec::with_capacity(records.len());
    for r in &records {
        projects.insert(r.project_id, r.project_name.clone());
        let waiting_on = r
            .blocker()
            .map_err(StewardshipError::internal)?
            .waiting_on();
        lines.push(BlockerLine {
            blocker: response(caller, r, &calendar, today, false)?,
            waiting_on,
        });
    }
    let clock = query.filter("clock");
    let waiting = query.filter("waiting_on");
    lines.retain(|l| {
        let b = &l.blocker;
        let clock_ok = match clock {
            Some("missed") => missed(b),
            Some("due_soon") => b.clocks.iter().any(|c| c.status == ClockStatus::DueSoon),
            _ => true,
        };
        clock_ok
            && waiting.is_none_or(|w| l.waiting_on.map(Party::as_str) == Some(w))
            && query.finds([
                b.title.as_str(),
                b.project_name.as_str(),
                b.assignee_name.as_deref().unwrap_or(""),
            ])
    });
    lines.sort_by(|x, y| {
        let (a, b) = (&x.blocker, &y.blocker);
        let order = match query.sort {
            // The most pressing first when ascending: urgent before normal.
            "priority" => priority_rank(&b.priority).cmp(&priority_rank(&a.priority)),
            // The most urgent clock first when ascending, the earliest due among equals.
            "clock" => worst_clock(a).cmp(&worst_clock(b)),
            _ => a.raised_on.cmp(&b.raised_on),
        };
        query.directed(order.then(a.id.cmp(&b.id)))
    });
    Ok(Matched {
        today,
        lines,
        departments,
        projects: projects.into_iter().collect(),
    })
}

/// Every open blocker the caller sees, each with who must act next, as the list without
/// filters holds them: what the home counts, so its counts are the list's.
pub async fn open(app: &App, caller: &Caller) -> Result<Vec<BlockerLine>, StewardshipError> {
    let query = ListQuery::parse(&LIST, &[]).map_err(StewardshipError::internal)?;
    Ok(matching(app, caller, &query).await?.lines)
}

/// The page of the blockers list that `query` asks for, with the raise form's choices.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<BlockerListView, StewardshipError> {
    let matched = matching(app, caller, query).await?;
    let missed = matched.lines.iter().filter(|l| missed(&l.blocker)).count();
    let (may_raise, raise_projects) = match caller.scope_for(Operation::RaiseBlocker) {
        Ok(raise) => (
            true,
            app.store
                .projects(&raise)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect(),
        ),
        Err(_) => (false, Vec::new()),
    };
    Ok(BlockerListView {
        today: matched.today,
        found: query.page_of(matched.lines),
        missed,
        departments: matched.departments,
        projects: matched.projects,
        may_raise,
        raise_projects,
        has_department: caller.policy.department.is_some(),
    })
}

/// Who a party is, as the list's `waiting_on` column names it, in `lang`.
pub fn party_text(p: Party, lang: Lang) -> String {
    i18n::text(lang, &format!("rules.blocker.party_{}", p.as_str())).to_string()
}

/// Every blocker `query` finds (all pages), as a table in the caller's language.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, StewardshipError> {
    let matched = matching(app, caller, query).await?;
    let lang = caller.lang;
    let text = |k: &str| i18n::text(lang, k).to_string();
    let mut headers = vec![
        "#".to_string(),
        text("blockers.title_col"),
        text("blockers.project"),
        text("blockers.department"),
        text("blockers.state"),
        text("blockers.priority"),
        text("blockers.category"),
        text("blocker_list.raised"),
        text("blocker_list.waiting_on"),
        text("blocker_list.assignee"),
    ];
    for k in ClockKind::ALL {
        let name = k.label().get(lang).to_string();
        headers.push(name.clone());
        headers.push(format!("{name} · {}", text("blockers.due")));
    }
    let rows = matched
        .lines
        .iter()
        .map(|l| {
            let b = &l.blocker;
            let mut row = vec![
                Cell::Number(b.id as f64),
                Cell::from(b.title.clone()),
                Cell::from(b.project_name.clone()),
                Cell::from(b.department.clone()),
                Cell::from(b.state_text.clone()),
                Cell::from(b.priority_text.clone()),
                Cell::from(b.category_text.clone()),
                b.raised_on.parse().map_or(Cell::Empty, Cell::Date),
                Cell::from(
                    l.waiting_on
                        .map(|p| party_text(p, lang))
                        .unwrap_or_default(),
                ),
                Cell::from(b.assignee_name.clone().unwrap_or_default()),
            ];
            for c in &b.clocks {
                row.push(Cell::from(c.status_text.clone()));
                row.push(
                    c.due
                        .as_deref()
                        .and_then(|d| d.parse().ok())
                        .map_or(Cell::Empty, Cell::Date),
                );
            }
            row
        })
        .collect();
    Ok(Table {
        name: "blockers".into(),
        headers,
        rows,
    })
}
