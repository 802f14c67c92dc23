//! A department's queue (`/queue`) on the shared list ([`crate::core::list`]): searched by
//! project or item, filtered by when items fall due (`overdue`, `today`, `week`) and by
//! state, sorted by submission, due day or project, paged and exported. A department's
//! open items number in the tens or hundreds, and each item's clock is worked out on the
//! calendar, so the filtering is done here over the queue [`own_queue`] reads.

use chrono::{Days, NaiveDate};
use luodi_domain::approvals::service_item::ClockStatus;
use luodi_domain::core::i18n;
use luodi_store::Page;
use luodi_store::core::orgs::Department;

use super::ApprovalsError;
use super::lateness::{OwnQueueEntry, own_queue};
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// The states an item in a queue may be in (the `state` filter's words).
pub const STATES: &[&str] = &["submitted", "accepted", "returned", "incomplete", "special"];

/// What the queue takes.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("due", Values::OneOf(&["overdue", "today", "week"])),
        Filter::new("state", Values::OneOf(STATES)),
    ],
    sorts: &["submitted", "due", "project"],
    default_desc: false,
    per_page: 50,
    extra: &[],
};

/// A page of the caller's department's queue.
pub struct QueueList {
    pub department: Department,
    pub found: Page<OwnQueueEntry>,
}

/// Whether an item's clock falls under `due` on `today`: `overdue` is past its day and
/// still running; `today` is due today; `week` is due from today to seven days on.
pub fn due_matches(
    due: &str,
    status: ClockStatus,
    day: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    match due {
        "overdue" => status == ClockStatus::Overdue,
        "today" => status != ClockStatus::Overdue && day == Some(today),
        "week" => {
            let end = today.checked_add_days(Days::new(7)).unwrap_or(today);
            status != ClockStatus::Overdue && day.is_some_and(|d| d >= today && d <= end)
        }
        _ => true,
    }
}

/// The caller's department and the entries of its queue `query` finds, in its order
/// (`None`: the caller has no department).
async fn matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Option<(Department, Vec<OwnQueueEntry>)>, ApprovalsError> {
    let Some(queue) = own_queue(app, caller).await? else {
        return Ok(None);
    };
    let today = app.today();
    let due = query.filter("due");
    let state = query.filter("state");
    let lang = caller.lang;
    let mut entries: Vec<OwnQueueEntry> = queue
        .entries
        .into_iter()
        .filter(|e| due.is_none_or(|d| due_matches(d, e.clock.status, e.clock.due, today)))
        .filter(|e| state.is_none_or(|s| e.item.state.as_str() == s))
        .filter(|e| {
            let name = e
                .catalogue
                .item(&e.item.code)
                .map(|c| {
                    if lang == luodi_domain::Lang::Zh {
                        c.name_zh.as_str()
                    } else {
                        c.name_en.as_str()
                    }
                })
                .unwrap_or("");
            query.finds([e.project_name.as_str(), e.item.code.as_str(), name])
        })
        .collect();
    entries.sort_by(|a, b| {
        let order = match query.sort {
            // Undated last when ascending.
            "due" => {
                (a.clock.due.is_none(), a.clock.due).cmp(&(b.clock.due.is_none(), b.clock.due))
            }
            "project" => (&a.project_name, a.seq).cmp(&(&b.project_name, b.seq)),
            _ => (a.submitted.is_none(), a.submitted).cmp(&(b.submitted.is_none(), b.submitted)),
        };
        query.directed(order.then(a.item.id.cmp(&b.item.id)))
    });
    Ok(Some((queue.department, entries)))
}

/// The page of the caller's department's queue that `query` asks for.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Option<QueueList>, ApprovalsError> {
    Ok(matching(app, caller, query)
        .await?
        .map(|(department, entries)| QueueList {
            department,
            found: query.page_of(entries),
        }))
}

/// Every entry `query` finds in the caller's department's queue, as a table.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Option<Table>, ApprovalsError> {
    let Some((_, entries)) = matching(app, caller, query).await? else {
        return Ok(None);
    };
    let lang = caller.lang;
    let text = |k: &str| i18n::text(lang, k).to_string();
    let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let rows = entries
        .iter()
        .map(|e| {
            let name = e
                .catalogue
                .item(&e.item.code)
                .map(|c| {
                    if lang == luodi_domain::Lang::Zh {
                        c.name_zh.clone()
                    } else {
                        c.name_en.clone()
                    }
                })
                .unwrap_or_default();
            vec![
                Cell::from(e.item.code.clone()),
                Cell::from(name),
                Cell::from(format!("{} {}", e.project_name, e.phase_name)),
                Cell::from(e.item.state.label().get(lang).to_string()),
                date(e.submitted),
                Cell::from(e.clock.status.label().get(lang).to_string()),
                date(e.clock.due),
            ]
        })
        .collect();
    Ok(Some(Table {
        name: "queue".into(),
        headers: vec![
            text("catalogue.code"),
            text("catalogue.item"),
            text("project.name"),
            text("project.status"),
            text("queue.submitted"),
            text("list.status"),
            text("list.due"),
        ],
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_words_read_the_clock_on_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let on = |n: u64| Some(today.checked_add_days(Days::new(n)).unwrap());
        let running = ClockStatus::Running;
        assert!(due_matches(
            "overdue",
            ClockStatus::Overdue,
            today.pred_opt(),
            today
        ));
        assert!(!due_matches("overdue", running, on(0), today));
        assert!(due_matches("today", ClockStatus::DueSoon, on(0), today));
        assert!(!due_matches("today", running, on(1), today));
        assert!(due_matches("week", running, on(7), today));
        assert!(!due_matches("week", running, on(8), today));
        assert!(!due_matches(
            "week",
            ClockStatus::Overdue,
            today.pred_opt(),
            today
        ));
        assert!(!due_matches("week", ClockStatus::Stopped, None, today));
    }
}
