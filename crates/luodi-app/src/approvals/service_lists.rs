//! A phase's service list: made when its land is handed over, read with each item's clock
//! on the working-day calendar.

use std::sync::Arc;

use chrono::NaiveDate;
use luodi_domain::Lang;
use luodi_domain::Operation;
use luodi_domain::approvals::catalogue::{Catalogue, DayUnit, TimeLimit};
use luodi_domain::approvals::service_item::{Clock, clock};
use luodi_domain::core::calendar::Calendar;
use luodi_store::approvals::service_lists::{Handover, ListItem, ServiceList};
use luodi_store::stewardship::projects::{Phase, Project};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApprovalsError, parse_date};
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockResponse {
    /// The promised limit plus extensions.
    pub limit: u32,
    /// `working` or `calendar`.
    pub unit: String,
    pub used: i64,
    pub remaining: i64,
    pub due: Option<String>,
    /// not_started, waiting, incomplete (returned before acceptance), running, due_soon,
    /// overdue, stopped, done, done_late, refused, waived
    pub status: String,
    /// The status in the caller's language.
    pub status_text: String,
    /// The count crossed a year with no published holiday schedule.
    pub assumed: bool,
    /// Approved on commitment and not verified yet: verify by this date.
    pub verification_due: Option<String>,
    pub verification_overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListItemResponse {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub stage: String,
    pub category: String,
    pub department: String,
    /// not_started, submitted, accepted, returned (after acceptance), incomplete (returned
    /// before acceptance), special, approved, refused, waived
    pub state: String,
    /// always, rule_holds, to_confirm
    pub applicability: String,
    pub waived_by: Option<String>,
    pub prerequisites: Vec<String>,
    pub clock: ClockResponse,
    /// Send back as `version` with a step to guard against a concurrent change.
    pub version: i64,
    #[schema(value_type = Vec<Object>)]
    pub timeline: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceListResponse {
    pub id: i64,
    pub project_id: i64,
    pub phase_seq: i64,
    pub catalogue_version_id: i64,
    pub handover_date: String,
    /// Today in the zone, the day the clocks are read on.
    pub today: String,
    pub items: Vec<ListItemResponse>,
}

/// A value's name as it serialises (a status or an applicability).
fn serialised<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// An item's clock on `today`: its promised limit from the catalogue (none when the
/// catalogue lacks the item), its waiver and its steps.
pub fn item_clock(
    cal: &Calendar,
    catalogue: &Catalogue,
    item: &ListItem,
    today: NaiveDate,
) -> Clock {
    let limit = catalogue
        .item(&item.code)
        .map(|c| c.promised_limit)
        .unwrap_or(TimeLimit {
            days: 0,
            unit: DayUnit::Working,
        });
    clock(cal, limit, item.waived_by.is_some(), &item.events(), today)
}

/// An item as the API shows it, with its clock on `today`.
pub fn item_response(
    cal: &Calendar,
    catalogue: &Catalogue,
    item: &ListItem,
    today: NaiveDate,
    lang: Lang,
) -> ListItemResponse {
    let c = catalogue.item(&item.code);
    let k = item_clock(cal, catalogue, item, today);
    ListItemResponse {
        id: item.id,
        code: item.code.clone(),
        name: c
            .map(|c| match lang {
                Lang::Zh => c.name_zh.clone(),
                Lang::En => c.name_en.clone(),
            })
            .unwrap_or_default(),
        stage: c.map(|c| c.stage.clone()).unwrap_or_default(),
        category: c.map(|c| c.category.clone()).unwrap_or_default(),
        department: item.department_code.clone(),
        state: item.state.as_str().into(),
        applicability: serialised(item.applicability),
        waived_by: item.waived_by.clone(),
        prerequisites: item.prerequisites.clone(),
        clock: ClockResponse {
            limit: k.limit,
            unit: match k.unit {
                DayUnit::Working => "working".into(),
                DayUnit::Calendar => "calendar".into(),
            },
            used: k.used,
            remaining: k.remaining,
            due: k.due.map(|d| d.to_string()),
            status: serialised(k.status),
            status_text: k.status.label().get(lang).to_string(),
            assumed: k.assumed,
            verification_due: k.verification_due.map(|d| d.to_string()),
            verification_overdue: k.verification_overdue,
        },
        version: item.version,
        timeline: serde_json::to_value(&item.timeline).unwrap_or_default(),
    }
}

/// The project `id` and its phase `seq` (as given in a path), if the caller sees them.
pub async fn phase_of(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: &str,
) -> Result<(Project, Phase), ApprovalsError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let project = app.store.project(&scope, id).await?;
    let seq: i64 = seq.parse().map_err(|_| ApprovalsError::BadSeq)?;
    let phase = project
        .phases
        .iter()
        .find(|p| p.seq == seq)
        .cloned()
        .ok_or(ApprovalsError::NoPhase("seq"))?;
    Ok((project, phase))
}

async fn list_response(
    app: &App,
    project: &Project,
    phase: &Phase,
    list: ServiceList,
    lang: Lang,
) -> Result<ServiceListResponse, ApprovalsError> {
    let catalogue = app
        .catalogue_version(list.zone_id, list.catalogue_version_id)
        .await?;
    let cal = app.store.calendar().await?;
    let today = app.today();
    Ok(ServiceListResponse {
        id: list.id,
        project_id: project.id,
        phase_seq: phase.seq,
        catalogue_version_id: list.catalogue_version_id,
        handover_date: list.handover_date.to_string(),
        today: today.to_string(),
        items: list
            .items
            .iter()
            .map(|i| item_response(&cal, &catalogue, i, today, lang))
            .collect(),
    })
}

/// The service list of phase `seq` of project `id`, each item with its clock today.
pub async fn service_list(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: &str,
) -> Result<ServiceListResponse, ApprovalsError> {
    let (project, phase) = phase_of(app, caller, id, seq).await?;
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let list = app.store.service_list(&scope, phase.id).await?;
    list_response(app, &project, &phase, list, caller.lang).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    #[schema(example = "2026-10-15", format = Date)]
    pub handover_date: String,
    /// The parcel reserved for the phase.
    #[schema(example = "GX-2026-07", min_length = 1, max_length = 40)]
    pub parcel_code: String,
    /// Regional assessments covering the parcel: environment, energy, geological_hazard,
    /// seismic, archaeology, flood, soil_water, traffic, mineral, meteorology.
    #[serde(default)]
    pub parcel_assessments: Vec<String>,
}

/// Records the land handover of phase `seq` of project `id`, which makes its service list
/// from the zone's catalogue; the forecaster is woken.
pub async fn hand_over(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: &str,
    request: &HandoverRequest,
) -> Result<ServiceListResponse, ApprovalsError> {
    let scope = caller.scope_for(Operation::HandOverLand)?;
    let (project, phase) = phase_of(app, caller, id, seq).await?;
    let handover = Handover {
        date: parse_date(&request.handover_date, "handover_date")?,
        parcel_code: request.parcel_code.clone(),
        assessments: request.parcel_assessments.clone(),
    };
    let list = app
        .store
        .hand_over(&caller.actor, &scope, phase.id, &handover)
        .await?;
    app.forecast_wake.notify_one();
    list_response(app, &project, &phase, list, caller.lang).await
}

/// A phase's list with what it is read against: its project, the catalogue version it was
/// made from.
pub struct Loaded {
    pub project: Project,
    pub seq: i64,
    pub list: ServiceList,
    pub catalogue: Arc<Catalogue>,
}

/// Phase `seq` of project `id` with its list and catalogue, if the caller sees them
/// (`None`: no such project or phase, or no list yet).
pub async fn load(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: i64,
) -> Result<Option<Loaded>, ApprovalsError> {
    use luodi_store::StoreError;
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let project = match app.store.project(&scope, id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(phase) = project.phases.iter().find(|p| p.seq == seq) else {
        return Ok(None);
    };
    let list = match app.store.service_list(&scope, phase.id).await {
        Ok(l) => l,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let catalogue = app
        .catalogue_version(list.zone_id, list.catalogue_version_id)
        .await?;
    Ok(Some(Loaded {
        project,
        seq,
        list,
        catalogue,
    }))
}

/// A phase's list as its page shows it: the list with what it is read against, the
/// calendar and day the clocks are read on, and the caller's own department (whose items
/// they decide).
pub struct ListPage {
    pub loaded: Loaded,
    pub calendar: Calendar,
    pub today: NaiveDate,
    pub own_department: Option<String>,
}

/// Phase `seq` of project `id` for its page (`None`: nothing the caller sees).
pub async fn page(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: i64,
) -> Result<Option<ListPage>, ApprovalsError> {
    let Some(loaded) = load(app, caller, id, seq).await? else {
        return Ok(None);
    };
    let own_department = match caller.policy.department {
        Some(d) => app.store.department(d).await.ok().map(|d| d.code),
        None => None,
    };
    Ok(Some(ListPage {
        loaded,
        calendar: app.store.calendar().await?,
        today: app.today(),
        own_department,
    }))
}
