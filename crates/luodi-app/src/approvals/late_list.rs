//! The zone's late items (`/late`, 超期督办) on the shared list ([`crate::core::list`]):
//! every open item of the zone, by default those overdue, searched by project or item,
//! filtered by department and by how late (`overdue`, `due_soon`, `open`), sorted by how
//! far over (the most overdue first), by due day, project or department, paged and
//! exported; beside it each department's counts. A zone's open items number in the
//! hundreds and each clock is worked out on the calendar, so the filtering is done here.

use std::collections::HashMap;

use luodi_domain::Operation;
use luodi_domain::approvals::lateness::{Lateness, lateness};
use luodi_domain::approvals::service_item::ClockStatus;
use luodi_domain::core::i18n;
use luodi_store::Page;

use super::lateness::{DepartmentLateness, by_department, open_items};
use super::service_lists::{ListItemResponse, item_response};
use super::{ApprovalsError, department_name};
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// How late the items shown are: past their day, due within two working days, or any
/// open one.
pub const HOW_LATE: &[&str] = &["overdue", "due_soon", "open"];

/// What the list takes.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("late", Values::OneOf(HOW_LATE)).or("overdue"),
        // A department's code, as the catalogue names it.
        Filter::new("department", Values::Text),
    ],
    sorts: &["over", "due", "project", "department"],
    default_desc: false,
    per_page: 50,
    extra: &[],
};

/// An open item as the list shows it.
pub struct LateLine {
    pub project_id: i64,
    pub project_name: String,
    pub seq: i64,
    pub phase_name: String,
    pub department: String,
    pub department_name: String,
    pub item: ListItemResponse,
    /// Its clock's state, for the badge.
    pub status: ClockStatus,
}

/// A page of the late list, with each department's counts and the departments to filter by.
pub struct LateList {
    pub departments: Vec<DepartmentLateness>,
    pub found: Page<LateLine>,
}

async fn matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Vec<LateLine>, ApprovalsError> {
    let zone = caller.zone_for(Operation::ViewLateness)?;
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let lang = caller.lang;
    let cal = app.store.calendar().await?;
    let today = app.today();
    // Each phase's project and its place in it, read once.
    let mut phases: HashMap<i64, (String, i64, String)> = HashMap::new();
    for p in app.store.projects(&scope).await? {
        for ph in &p.phases {
            phases.insert(ph.id, (p.name.clone(), ph.seq, ph.name.clone()));
        }
    }
    let how = query.filter("late").unwrap_or("overdue");
    let department = query.filter("department");
    let mut lines: Vec<LateLine> = open_items(app, zone)
        .await?
        .into_iter()
        .filter(|o| match how {
            "overdue" => lateness(&o.clock) == Lateness::Overdue,
            "due_soon" => lateness(&o.clock) == Lateness::DueSoon,
            _ => true,
        })
        .filter(|o| department.is_none_or(|d| o.item.department_code == d))
        .filter_map(|o| {
            let (project_name, seq, phase_name) = phases.get(&o.phase_id)?.clone();
            Some(LateLine {
                project_id: o.project_id,
                project_name,
                seq,
                phase_name,
                department: o.item.department_code.clone(),
                department_name: department_name(&o.catalogue, &o.item.department_code, lang),
                item: item_response(&cal, &o.catalogue, &o.item, today, lang),
                status: o.clock.status,
            })
        })
        .filter(|l| {
            query.finds([
                l.project_name.as_str(),
                l.item.code.as_str(),
                l.item.name.as_str(),
            ])
        })
        .collect();
    lines.sort_by(|a, b| {
        let order = match query.sort {
            "due" => (a.item.clock.due.is_none(), &a.item.clock.due)
                .cmp(&(b.item.clock.due.is_none(), &b.item.clock.due)),
            "project" => (&a.project_name, a.seq).cmp(&(&b.project_name, b.seq)),
            "department" => a.department_name.cmp(&b.department_name),
            // The most overdue first: the fewest days remaining.
            _ => a.item.clock.remaining.cmp(&b.item.clock.remaining),
        };
        query.directed(order.then(a.item.id.cmp(&b.item.id)))
    });
    Ok(lines)
}

/// The page of the zone's late items `query` asks for, with each department's counts.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<LateList, ApprovalsError> {
    let lines = matching(app, caller, query).await?;
    Ok(LateList {
        departments: by_department(app, caller).await?,
        found: query.page_of(lines),
    })
}

/// Every item `query` finds (all pages), as a table in the caller's language.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, ApprovalsError> {
    let lines = matching(app, caller, query).await?;
    let lang = caller.lang;
    let text = |k: &str| i18n::text(lang, k).to_string();
    let headers = vec![
        text("catalogue.department"),
        text("project.name"),
        text("catalogue.code"),
        text("catalogue.item"),
        text("list.status"),
        text("list.due"),
        text("late.days_over"),
    ];
    let rows = lines
        .into_iter()
        .map(|l| {
            vec![
                Cell::from(l.department_name),
                Cell::from(format!("{} {}", l.project_name, l.phase_name)),
                Cell::from(l.item.code),
                Cell::from(l.item.name),
                Cell::from(l.item.clock.status_text),
                l.item
                    .clock
                    .due
                    .as_deref()
                    .and_then(|d| d.parse().ok())
                    .map_or(Cell::Empty, Cell::Date),
                Cell::Number((-l.item.clock.remaining).max(0) as f64),
            ]
        })
        .collect();
    Ok(Table {
        name: "late".into(),
        headers,
        rows,
    })
}
