//! Every phase of the zone's projects (`/phases`), on the shared list
//! ([`crate::core::list`]): each with its project and enterprise, its stage and its land in
//! words, its forecast construction start and how many of its conditions are still to be
//! confirmed; searched by project, enterprise, phase or parcel, filtered by stage and by
//! what the phase waits for (land, the land's handover, its conditions), sorted, paged and
//! exported. The home's counts of phases waiting link here, so each count is the list's.
//! A zone has hundreds of phases, so the filtering is done here over the projects the
//! caller's scope sees; an enterprise user sees only its own enterprise's.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use luodi_domain::core::i18n;
use luodi_domain::stewardship::conditions;
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{Lang, Operation};
use luodi_store::Page;
use luodi_store::stewardship::projects::Phase;

use super::StewardshipError;
use super::project_list::STAGES;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// What a phase may wait for, as the `waiting` filter names it: land (signed, no parcel
/// reserved yet), the handover of the parcel reserved for it, or conditions to confirm.
pub const WAITING: &[&str] = &["land", "handover", "conditions"];

/// What the phases list takes.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("stage", Values::OneOf(STAGES)),
        Filter::new("waiting", Values::OneOf(WAITING)),
    ],
    sorts: &["project", "stage", "forecast", "conditions"],
    default_desc: false,
    per_page: 50,
    extra: &[],
};

/// One phase as the list shows it.
pub struct PhaseLine {
    pub project_id: i64,
    pub project: String,
    pub project_en: Option<String>,
    /// Its enterprise's name (empty when the caller does not see it).
    pub enterprise: String,
    pub phase: Phase,
    /// Its conditions still to be confirmed ([`conditions::to_confirm`]).
    pub to_confirm: usize,
    /// The day its construction started, once it has.
    pub started_on: Option<NaiveDate>,
    /// Its P50 construction start, while it has a service list and has not started.
    pub start_p50: Option<NaiveDate>,
}

impl PhaseLine {
    /// When its construction starts: the day it did, else its P50 forecast.
    pub fn start(&self) -> Option<NaiveDate> {
        self.started_on.or(self.start_p50)
    }

    /// The project's name in `lang`.
    pub fn project_name(&self, lang: Lang) -> &str {
        match (lang, &self.project_en) {
            (Lang::En, Some(en)) => en,
            _ => &self.project,
        }
    }

    /// Whether it waits for `what`, one of [`WAITING`].
    pub fn waits_for(&self, what: &str) -> bool {
        match what {
            "land" => self.phase.status == PhaseStatus::Signed,
            "handover" => self.phase.status == PhaseStatus::LandMatched,
            "conditions" => self.to_confirm > 0,
            _ => false,
        }
    }

    /// Where its land stands, in words.
    pub fn land_text(&self, lang: Lang) -> String {
        let ph = &self.phase;
        let code = ph.parcel_code.as_deref().unwrap_or("—");
        match ph.status {
            PhaseStatus::Lead => i18n::text(lang, "phase_list.land_not_signed").to_string(),
            PhaseStatus::Signed if ph.land_needs.is_some() => {
                i18n::text(lang, "phase_list.land_needs_recorded").to_string()
            }
            PhaseStatus::Signed => i18n::text(lang, "phase_list.land_needs_missing").to_string(),
            PhaseStatus::LandMatched => {
                i18n::fill(lang, "phase_list.land_reserved", &[("code", code)])
            }
            _ => i18n::fill(
                lang,
                "phase_list.land_handed_over",
                &[
                    ("code", code),
                    (
                        "date",
                        &ph.land_handover_date
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                ],
            ),
        }
    }
}

/// A page of the phases list.
pub struct PhaseList {
    pub found: Page<PhaseLine>,
    /// Whether the caller may edit projects (and so confirm a phase's conditions).
    pub may_edit: bool,
}

/// The phases the caller sees that match `query`, in its order.
async fn matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Vec<PhaseLine>, StewardshipError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let projects = app.store.projects(&scope).await?;
    // The forecasts as the portfolio keeps them, brought up to date first.
    crate::forecast::portfolio::refresh(app, &scope).await?;
    let forecasts: HashMap<i64, (Option<NaiveDate>, Option<NaiveDate>)> = app
        .store
        .portfolio(&scope)
        .await?
        .into_iter()
        .map(|r| (r.phase_id, (r.started_on, r.start_p50_date)))
        .collect();
    let mut enterprises: HashMap<i64, String> = HashMap::new();
    for p in &projects {
        if let Entry::Vacant(slot) = enterprises.entry(p.enterprise_id.0) {
            let name = app.store.enterprise(&scope, p.enterprise_id).await;
            slot.insert(name.map(|e| e.name).unwrap_or_default());
        }
    }
    let forecasts = &forecasts;
    let stage = query.filter("stage").and_then(PhaseStatus::parse);
    let waiting = query.filter("waiting");
    let mut lines: Vec<PhaseLine> = projects
        .into_iter()
        .flat_map(|p| {
            let enterprise = enterprises
                .get(&p.enterprise_id.0)
                .cloned()
                .unwrap_or_default();
            let (project_id, project, project_en) = (p.id, p.name, p.name_en);
            p.phases.into_iter().map(move |phase| {
                let (started_on, start_p50) = forecasts.get(&phase.id).copied().unwrap_or_default();
                PhaseLine {
                    project_id,
                    project: project.clone(),
                    project_en: project_en.clone(),
                    enterprise: enterprise.clone(),
                    to_confirm: conditions::to_confirm(phase.status, &phase.facts),
                    started_on,
                    start_p50: start_p50.filter(|_| started_on.is_none()),
                    phase,
                }
            })
        })
        .filter(|l| stage.is_none_or(|s| l.phase.status == s))
        .filter(|l| waiting.is_none_or(|w| l.waits_for(w)))
        .filter(|l| {
            query.finds([
                l.project.as_str(),
                l.project_en.as_deref().unwrap_or(""),
                l.enterprise.as_str(),
                l.phase.name.as_str(),
                l.phase.parcel_code.as_deref().unwrap_or(""),
            ])
        })
        .collect();
    lines.sort_by(|a, b| {
        let order = match query.sort {
            "stage" => a.phase.status.cmp(&b.phase.status),
            "forecast" => a.start().cmp(&b.start()),
            "conditions" => a.to_confirm.cmp(&b.to_confirm),
            _ => a
                .project
                .cmp(&b.project)
                .then(a.phase.seq.cmp(&b.phase.seq)),
        };
        query.directed(order.then(a.phase.id.cmp(&b.phase.id)))
    });
    Ok(lines)
}

/// The page of the phases list that `query` asks for.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<PhaseList, StewardshipError> {
    let lines = matching(app, caller, query).await?;
    Ok(PhaseList {
        found: query.page_of(lines),
        may_edit: caller.zone_for(Operation::EditProject).is_ok(),
    })
}

/// Every phase `query` finds (all pages), as a table in the caller's language.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, StewardshipError> {
    let lines = matching(app, caller, query).await?;
    let lang = caller.lang;
    let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                Cell::from(l.project_name(lang)),
                Cell::from(l.phase.name.clone()),
                Cell::from(l.enterprise.clone()),
                Cell::from(l.phase.status.label().get(lang)),
                Cell::from(l.land_text(lang)),
                Cell::from(l.phase.parcel_code.clone().unwrap_or_default()),
                date(l.phase.land_handover_date),
                date(l.start_p50),
                date(l.started_on),
                Cell::Number(l.to_confirm as f64),
            ]
        })
        .collect();
    Ok(Table {
        name: "phases".into(),
        headers: [
            "project.name",
            "project.phase",
            "project.enterprise",
            "project.status",
            "phase_list.land",
            "project.parcel",
            "project.handover_date",
            "portfolio.p50",
            "portfolio.started_on",
            "phase_list.to_confirm",
        ]
        .iter()
        .map(|k| i18n::text(lang, k).to_string())
        .collect(),
        rows,
    })
}
