//! The service catalogue's items as the catalogue page lists them (`/catalogue`), on the
//! shared list ([`crate::core::list`]): the zone's current version, searched by an item's
//! code or name, filtered by its department, stage, category and reform mode, sorted in
//! the catalogue's order or by code, name or promised limit, paged and exported. A
//! catalogue has tens of items, a few thousand at most, so the filtering is done here; a
//! department, stage or category the catalogue does not have is refused by name.

use luodi_domain::Lang;
use luodi_domain::approvals::catalogue::{Catalogue, DayUnit, Item, Milestone, ReformMode};
use luodi_domain::approvals::rule::Rule;
use luodi_domain::approvals::rule_words;
use luodi_domain::core::i18n;
use luodi_domain::{Operation, Text};
use luodi_store::approvals::catalogue::CatalogueVersion;
use luodi_store::{Page, StoreError};

use super::catalogue::CatalogueError;
use super::limit_text;
use crate::core::list::{Filter, ListError, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// The reform modes by the word the `mode` filter takes.
pub const MODES: [(&str, ReformMode); 4] = [
    ("parallel", ReformMode::Parallel),
    ("commitment", ReformMode::Commitment),
    ("minor_missing", ReformMode::MinorMissing),
    ("regional_assessment", ReformMode::RegionalAssessment),
];

/// What the catalogue's list takes. `imported` is the page's own: the version an import
/// just made, which the page confirms.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new("department", Values::Text),
        Filter::new("stage", Values::Text),
        Filter::new("category", Values::Text),
        Filter::new(
            "mode",
            Values::OneOf(&[
                "parallel",
                "commitment",
                "minor_missing",
                "regional_assessment",
            ]),
        ),
    ],
    sorts: &["order", "code", "name", "promised"],
    default_desc: false,
    per_page: 100,
    extra: &["imported"],
};

/// A page of the catalogue's items, with the catalogue they belong to (for the names of
/// its departments, stages, categories and of an item's prerequisites).
pub struct ItemList {
    pub found: Page<Item>,
    pub version: CatalogueVersion,
    pub catalogue: Catalogue,
}

/// A code the filter `name` takes from the catalogue's `codes`, refused by name when the
/// catalogue has no such code.
fn known<'a>(
    query: &'a ListQuery,
    name: &str,
    codes: impl Iterator<Item = &'a str>,
) -> Result<Option<&'a str>, ListError> {
    let Some(v) = query.filter(name) else {
        return Ok(None);
    };
    let codes: Vec<&str> = codes.collect();
    if codes.contains(&v) {
        return Ok(Some(v));
    }
    Err(ListError {
        name: name.to_string(),
        what: Text::fill("lists.param.one_of", &[("values", &codes.join(", "))]),
    })
}

/// The zone's current catalogue's items that match `query`, in its order; none when the
/// zone has no catalogue yet.
async fn matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Option<(Vec<Item>, CatalogueVersion, Catalogue)>, CatalogueError> {
    let zone = caller.policy.zone.ok_or(CatalogueError::ZoneRequired)?;
    caller.scope_for(Operation::ViewCatalogue)?;
    let (version, _, catalogue) = match app.store.catalogue(zone, None).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let f = &catalogue.file;
    let department = known(
        query,
        "department",
        f.departments.iter().map(|d| d.code.as_str()),
    )?;
    let stage = known(query, "stage", f.stages.iter().map(|s| s.code.as_str()))?;
    let category = known(
        query,
        "category",
        f.categories.iter().map(|c| c.code.as_str()),
    )?;
    let mode = query
        .filter("mode")
        .and_then(|m| MODES.iter().find(|(w, _)| *w == m).map(|(_, mode)| *mode));
    let position = |code: &str| f.items.iter().position(|i| i.code == code);
    let mut items: Vec<Item> = f
        .items
        .iter()
        .filter(|i| department.is_none_or(|d| i.department == d))
        .filter(|i| stage.is_none_or(|s| i.stage == s))
        .filter(|i| category.is_none_or(|c| i.category == c))
        .filter(|i| mode.is_none_or(|m| i.modes.contains(&m)))
        .filter(|i| query.finds([i.code.as_str(), i.name_zh.as_str(), i.name_en.as_str()]))
        .cloned()
        .collect();
    let lang = caller.lang;
    items.sort_by(|a, b| {
        let order = match query.sort {
            "code" => a.code.cmp(&b.code),
            "name" => name(a, lang).cmp(name(b, lang)),
            // Working days before calendar ones of the same count: the shorter wait.
            "promised" => (
                a.promised_limit.days,
                a.promised_limit.unit == DayUnit::Calendar,
            )
                .cmp(&(
                    b.promised_limit.days,
                    b.promised_limit.unit == DayUnit::Calendar,
                )),
            _ => std::cmp::Ordering::Equal,
        };
        query.directed(order.then(position(&a.code).cmp(&position(&b.code))))
    });
    Ok(Some((items, version, catalogue)))
}

/// The page of the catalogue's items that `query` asks for; none when the zone has no
/// catalogue yet.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Option<ItemList>, CatalogueError> {
    Ok(matching(app, caller, query)
        .await?
        .map(|(items, version, catalogue)| ItemList {
            found: query.page_of(items),
            version,
            catalogue,
        }))
}

/// An item's name in `lang`.
pub fn name(i: &Item, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &i.name_zh,
        Lang::En => &i.name_en,
    }
}

/// The name of the catalogue's stage, category or department of `code`, in `lang` (the
/// code when the catalogue lacks it).
pub fn named<'a>(
    list: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    code: &'a str,
    lang: Lang,
) -> &'a str {
    list.into_iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| match lang {
            Lang::Zh => zh,
            Lang::En => en,
        })
        .unwrap_or(code)
}

/// What an item's applicability rule says, in words (empty when it always applies).
pub fn rule_text(i: &Item, lang: Lang) -> String {
    i.applies_when
        .as_deref()
        .and_then(|r| Rule::parse(r).ok())
        .map(|r| rule_words::describe(&r, lang))
        .unwrap_or_default()
}

/// A milestone's words.
pub fn milestone_text(m: Milestone, lang: Lang) -> &'static str {
    i18n::text(
        lang,
        match m {
            Milestone::ConstructionPermit => "catalogue.milestone_permit",
            Milestone::ConstructionStart => "catalogue.milestone_start",
            Milestone::CompletionAcceptance => "catalogue.milestone_completion",
        },
    )
}

/// An item's reform modes in words.
pub fn modes_text(i: &Item, lang: Lang) -> String {
    i.modes
        .iter()
        .map(|m| m.label().get(lang).to_string())
        .collect::<Vec<_>>()
        .join(i18n::text(lang, "core.text.list_separator"))
}

/// Every item `query` finds (all pages), as a table in the caller's language.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, CatalogueError> {
    let lang = caller.lang;
    let Some((items, _, catalogue)) = matching(app, caller, query).await? else {
        return Err(CatalogueError::Store(StoreError::NotFound));
    };
    let f = &catalogue.file;
    let stages = || {
        f.stages
            .iter()
            .map(|x| (x.code.as_str(), x.name_zh.as_str(), x.name_en.as_str()))
    };
    let categories = || {
        f.categories
            .iter()
            .map(|x| (x.code.as_str(), x.name_zh.as_str(), x.name_en.as_str()))
    };
    let departments = || {
        f.departments
            .iter()
            .map(|x| (x.code.as_str(), x.name_zh.as_str(), x.name_en.as_str()))
    };
    let rows = items
        .iter()
        .map(|i| {
            vec![
                Cell::from(i.code.clone()),
                Cell::from(name(i, lang)),
                Cell::from(named(stages(), &i.stage, lang)),
                Cell::from(named(categories(), &i.category, lang)),
                Cell::from(named(departments(), &i.department, lang)),
                Cell::from(limit_text(i.promised_limit, lang)),
                Cell::from(limit_text(i.statutory_limit, lang)),
                Cell::from(modes_text(i, lang)),
                Cell::from(rule_text(i, lang)),
                Cell::from(i.applies_when.clone().unwrap_or_default()),
                Cell::from(i.prerequisites.join(" ")),
                Cell::from(i.milestone.map(|m| milestone_text(m, lang)).unwrap_or("")),
                Cell::from(i.legal_basis.clone()),
            ]
        })
        .collect();
    Ok(Table {
        name: "catalogue".into(),
        headers: [
            "catalogue.code",
            "catalogue.name",
            "catalogue.stage",
            "catalogue.category",
            "catalogue.department",
            "catalogue.promised",
            "catalogue.statutory",
            "catalogue.modes",
            "catalogue.applies_when",
            "catalogue.rule",
            "catalogue.prerequisites",
            "catalogue.milestone",
            "catalogue.legal_basis",
        ]
        .iter()
        .map(|k| i18n::text(lang, k).to_string())
        .collect(),
        rows,
    })
}
