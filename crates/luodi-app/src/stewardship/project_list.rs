//! The projects list (`/projects`): searched by project or enterprise name, filtered by a
//! phase's stage and by steward (`me` for the caller), sorted, paged and exported, on the
//! shared list ([`crate::core::list`]). A zone has hundreds of projects, not millions, so
//! the filtering is done here over the projects the caller's scope sees, never in the web
//! layer; an enterprise user sees only its own enterprise's projects.

use std::collections::HashMap;

use luodi_domain::core::i18n;
use luodi_domain::stewardship::project::{PhaseStatus, is_signed};
use luodi_domain::{Lang, Operation};
use luodi_store::Page;
use luodi_store::stewardship::projects::Project;

use super::StewardshipError;
use super::projects::ProjectLine;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// Every phase stage by its word, for the `stage` filter.
pub const STAGES: &[&str] = &[
    "lead",
    "signed",
    "land_matched",
    "land_handed_over",
    "construction_permit",
    "construction_started",
    "completion_accepted",
    "in_production",
];

/// What the projects list takes.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("stage", Values::OneOf(STAGES)),
        Filter::new("steward", Values::IdOr(&["me"])),
    ],
    sorts: &["name", "enterprise", "investment", "created"],
    default_desc: false,
    per_page: 20,
    extra: &["done"],
};

/// A page of the projects list.
pub struct ProjectList {
    pub found: Page<ProjectLine>,
    /// Projects signed among those found (one phase at least at signing or beyond).
    pub signed: usize,
    /// Whether the caller may record a project.
    pub may_create: bool,
    /// The zone's stewards to filter by, where the caller sees staff names: (id, name).
    pub stewards: Vec<(i64, String)>,
}

/// The projects the caller sees that match `query`, in its order.
async fn matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<(Vec<ProjectLine>, Vec<(i64, String)>), StewardshipError> {
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let projects = app.store.projects(&scope).await?;
    let staff: HashMap<i64, String> = if Operation::SeeStaffNames.allows(caller.policy.role) {
        app.store
            .users(&scope)
            .await?
            .into_iter()
            .map(|u| (u.id.0, u.display_name))
            .collect()
    } else {
        HashMap::new()
    };
    let mut enterprises: HashMap<i64, String> = HashMap::new();
    for p in &projects {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            enterprises.entry(p.enterprise_id.0)
        {
            let name = app.store.enterprise(&scope, p.enterprise_id).await;
            slot.insert(name.map(|e| e.name).unwrap_or_default());
        }
    }
    let stage = query.filter("stage").and_then(PhaseStatus::parse);
    let steward = match query.filter("steward") {
        Some("me") => Some(caller.user_id.map_or(0, |u| u.0)),
        _ => query.id("steward"),
    };
    let mut stewards: Vec<(i64, String)> = projects
        .iter()
        .filter_map(|p| p.steward_id)
        .filter_map(|u| staff.get(&u.0).map(|n| (u.0, n.clone())))
        .collect();
    stewards.sort();
    stewards.dedup();
    let mut lines: Vec<ProjectLine> = projects
        .into_iter()
        .filter(|p| stage.is_none_or(|s| p.phases.iter().any(|ph| ph.status == s)))
        .filter(|p| steward.is_none_or(|s| p.steward_id.map(|u| u.0) == Some(s)))
        .map(|project| ProjectLine {
            enterprise: enterprises
                .get(&project.enterprise_id.0)
                .cloned()
                .unwrap_or_default(),
            steward: project.steward_id.and_then(|u| staff.get(&u.0).cloned()),
            project,
        })
        .filter(|line| {
            let p = &line.project;
            query.finds([
                p.name.as_str(),
                p.name_en.as_deref().unwrap_or(""),
                line.enterprise.as_str(),
            ])
        })
        .collect();
    lines.sort_by(|a, b| {
        let (x, y) = (&a.project, &b.project);
        let order = match query.sort {
            "enterprise" => a.enterprise.cmp(&b.enterprise),
            "investment" => x.total_investment.0.cmp(&y.total_investment.0),
            // Ids are given in the order projects are recorded.
            "created" => x.id.cmp(&y.id),
            _ => x.name.cmp(&y.name),
        };
        query.directed(order.then(x.id.cmp(&y.id)))
    });
    Ok((lines, stewards))
}

/// The page of the projects list that `query` asks for.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<ProjectList, StewardshipError> {
    let (lines, stewards) = matching(app, caller, query).await?;
    let signed = lines
        .iter()
        .filter(|l| is_signed(l.project.phases.iter().map(|ph| ph.status)))
        .count();
    Ok(ProjectList {
        found: query.page_of(lines),
        signed,
        may_create: caller.zone_for(Operation::CreateProject).is_ok(),
        stewards,
    })
}

/// A project's phases in words: `一期 已签约 · 二期 线索`.
pub fn phases_text(p: &Project, lang: Lang) -> String {
    p.phases
        .iter()
        .map(|ph| format!("{} {}", ph.name, ph.status.label().get(lang)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Every project `query` finds (all pages), as a table in the caller's language.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, StewardshipError> {
    let (lines, _) = matching(app, caller, query).await?;
    let lang = caller.lang;
    let rows = lines
        .iter()
        .map(|l| {
            let p = &l.project;
            vec![
                Cell::from(p.name.clone()),
                Cell::from(p.name_en.clone().unwrap_or_default()),
                Cell::from(l.enterprise.clone()),
                Cell::Number(p.total_investment.0 as f64 / 1_000_000.0),
                Cell::from(l.steward.clone().unwrap_or_default()),
                Cell::from(phases_text(p, lang)),
            ]
        })
        .collect();
    Ok(Table {
        name: "projects".into(),
        headers: [
            "project.name",
            "project.name_en",
            "project.enterprise",
            "project.investment_wan",
            "project.steward",
            "project.phases",
        ]
        .iter()
        .map(|k| i18n::text(lang, k).to_string())
        .collect(),
        rows,
    })
}
