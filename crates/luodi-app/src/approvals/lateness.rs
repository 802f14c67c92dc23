//! The departments' work: a department's queue of open items, and the zone's open items
//! by department with how many are late or nearly late (what leadership watches).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use luodi_domain::approvals::catalogue::Catalogue;
use luodi_domain::approvals::lateness::{Lateness, is_open, lateness};
use luodi_domain::approvals::service_item::{Clock, ItemEvent};
use luodi_domain::core::policy::{Denied, decides_for_department};
use luodi_domain::{Operation, ZoneId};
use luodi_store::StoreError;
use luodi_store::approvals::service_lists::ListItem;
use luodi_store::core::orgs::Department;
use serde::Serialize;
use utoipa::ToSchema;

use super::service_lists::{ListItemResponse, item_clock, item_response};
use super::{ApprovalsError, department_name};
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueEntry {
    pub project_id: i64,
    pub phase_id: i64,
    pub item: ListItemResponse,
}

/// Department `code`'s open items in the caller's zone, oldest submission first (none
/// while the zone has no catalogue).
pub async fn queue(
    app: &App,
    caller: &Caller,
    code: &str,
) -> Result<Vec<QueueEntry>, ApprovalsError> {
    let zone = caller.zone_for(Operation::ViewDepartmentQueue)?;
    let entries = app.store.department_queue(zone, code).await?;
    let (version, _, _) = match app.store.catalogue(zone, None).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let catalogue = app.catalogue_version(zone, version.id).await?;
    let cal = app.store.calendar().await?;
    let today = app.today();
    Ok(entries
        .into_iter()
        .map(|(item, project_id, phase_id)| QueueEntry {
            project_id,
            phase_id,
            item: item_response(&cal, &catalogue, &item, today, caller.lang),
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentLateness {
    pub department: String,
    pub department_name: String,
    /// Open items (submitted, in progress, returned, special procedure).
    pub open: usize,
    pub due_soon: usize,
    pub overdue: usize,
    /// The overdue items, most overdue first.
    pub overdue_items: Vec<QueueEntry>,
}

/// The zone's open items by department with their clocks, the departments with the most
/// late items first.
pub async fn by_department(
    app: &App,
    caller: &Caller,
) -> Result<Vec<DepartmentLateness>, ApprovalsError> {
    let zone = caller.zone_for(Operation::ViewLateness)?;
    let lang = caller.lang;
    let cal = app.store.calendar().await?;
    let today = app.today();
    let mut by_dept: BTreeMap<String, DepartmentLateness> = BTreeMap::new();
    for open in open_items(app, zone).await? {
        let OpenItem {
            item,
            project_id,
            phase_id,
            catalogue,
            clock,
        } = open;
        let entry = by_dept
            .entry(item.department_code.clone())
            .or_insert_with(|| DepartmentLateness {
                department: item.department_code.clone(),
                department_name: department_name(&catalogue, &item.department_code, lang),
                open: 0,
                due_soon: 0,
                overdue: 0,
                overdue_items: Vec::new(),
            });
        entry.open += 1;
        match lateness(&clock) {
            Lateness::Overdue => {
                entry.overdue += 1;
                entry.overdue_items.push(QueueEntry {
                    project_id,
                    phase_id,
                    item: item_response(&cal, &catalogue, &item, today, lang),
                });
            }
            Lateness::DueSoon => entry.due_soon += 1,
            Lateness::OnTime => {}
        }
    }
    let mut out: Vec<DepartmentLateness> = by_dept.into_values().collect();
    for d in &mut out {
        d.overdue_items.sort_by_key(|e| e.item.clock.remaining);
    }
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.due_soon.cmp(&a.due_soon)));
    Ok(out)
}

/// One item of a department's own queue, with what its page shows.
pub struct OwnQueueEntry {
    pub project_id: i64,
    pub project_name: String,
    pub seq: i64,
    pub phase_name: String,
    pub item: ListItem,
    pub catalogue: Arc<Catalogue>,
    pub clock: Clock,
    /// When the enterprise submitted it.
    pub submitted: Option<NaiveDate>,
}

/// An approval officer's own department and its queue.
pub struct OwnQueue {
    pub department: Department,
    pub entries: Vec<OwnQueueEntry>,
}

/// The caller's own department's queue, oldest submission first, each item read against
/// the catalogue version its list was made from (`None`: the caller has no zone or
/// department). Only for those who decide for a department.
pub async fn own_queue(app: &App, caller: &Caller) -> Result<Option<OwnQueue>, ApprovalsError> {
    let (Some(zone), Some(dept)) = (caller.policy.zone, caller.policy.department) else {
        return Ok(None);
    };
    if !decides_for_department(caller.policy.role) {
        return Err(Denied {
            operation: Operation::ViewDepartmentQueue,
            role: caller.policy.role,
        }
        .into());
    }
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let department = app.store.department(dept).await?;
    let queued = app.store.department_queue(zone, &department.code).await?;
    let cal = app.store.calendar().await?;
    let today = app.today();
    let mut entries = Vec::new();
    for (item, project_id, phase_id) in queued {
        let Ok(project) = app.store.project(&scope, project_id).await else {
            continue;
        };
        let Some(phase) = project.phases.iter().find(|p| p.id == phase_id) else {
            continue;
        };
        let Ok(list) = app.store.service_list(&scope, phase_id).await else {
            continue;
        };
        let Ok(catalogue) = app.catalogue_version(zone, list.catalogue_version_id).await else {
            continue;
        };
        if catalogue.item(&item.code).is_none() {
            continue;
        }
        let clock = item_clock(&cal, &catalogue, &item, today);
        let submitted = item
            .timeline
            .iter()
            .find_map(|t| matches!(t.event, ItemEvent::Submit { .. }).then(|| t.event.on()));
        entries.push(OwnQueueEntry {
            project_id,
            project_name: project.name.clone(),
            seq: phase.seq,
            phase_name: phase.name.clone(),
            item,
            catalogue,
            clock,
            submitted,
        });
    }
    Ok(Some(OwnQueue {
        department,
        entries,
    }))
}

/// An open item of the zone with its clock today.
pub struct OpenItem {
    pub item: ListItem,
    pub project_id: i64,
    pub phase_id: i64,
    /// The catalogue version its list was made from.
    pub catalogue: Arc<Catalogue>,
    pub clock: Clock,
}

/// The zone's open items (see [`is_open`]) with their clocks today.
pub(super) async fn open_items(app: &App, zone: ZoneId) -> Result<Vec<OpenItem>, ApprovalsError> {
    let cal = app.store.calendar().await?;
    let today = app.today();
    let mut out = Vec::new();
    for (item, project_id, phase_id, version) in app.store.open_items(zone).await? {
        let catalogue = app.catalogue_version(zone, version).await?;
        let clock = item_clock(&cal, &catalogue, &item, today);
        if is_open(item.state, &clock) {
            out.push(OpenItem {
                item,
                project_id,
                phase_id,
                catalogue,
                clock,
            });
        }
    }
    Ok(out)
}

/// The zone's open items with their clocks, for the stewards' board.
pub async fn board_items(app: &App, caller: &Caller) -> Result<Vec<OpenItem>, ApprovalsError> {
    let zone = caller.zone_for(Operation::ViewBoard)?;
    open_items(app, zone).await
}
