//! 服务事项目录 — the service catalogue: stages, categories, departments, materials and the
//! items a project may need, with their time limits, prerequisites, applicability rules
//! and reform modes. A catalogue is read from a readable TOML file and checked whole:
//! every problem is reported with the item codes it concerns (for a prerequisite cycle,
//! the items on it in order; for a rule, the character position), and nothing is taken
//! from a file with any problem.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::approvals::rule::{ASSESSMENTS, Facts, Rule};
use crate::core::lang::Text;

/// The default catalogue shipped with Luodi (`catalogue/default.toml`).
pub const DEFAULT: &str = include_str!("../../../../catalogue/default.toml");

/// Whether a time limit counts working days or calendar days (where the law says 日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    Working,
    Calendar,
}

/// 时限 — a time limit; 0 days means handled on the spot (即办).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    pub days: u32,
    pub unit: DayUnit,
}

/// The reform modes that shorten an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReformMode {
    /// 并联审批 — runs alongside other items instead of after them.
    Parallel,
    /// 告知承诺制 — approved on the applicant's written commitment, verified later.
    Commitment,
    /// 容缺受理 — accepted with minor materials missing, supplied by a due date.
    MinorMissing,
    /// 区域评估 — waived when the parcel's regional assessment covers it.
    RegionalAssessment,
}

impl ReformMode {
    pub fn label(self) -> Text {
        match self {
            ReformMode::Parallel => Text::key("rules.catalogue.mode_parallel"),
            ReformMode::Commitment => Text::key("rules.catalogue.mode_commitment"),
            ReformMode::MinorMissing => Text::key("rules.catalogue.mode_minor_missing"),
            ReformMode::RegionalAssessment => Text::key("rules.catalogue.mode_regional_assessment"),
        }
    }
}

/// The dates a forecast reports, each reached when its item is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    ConstructionPermit,
    ConstructionStart,
    CompletionAcceptance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// 申请材料 — a material; items refer to it by code, so a material several items need is
/// asked for once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// 服务事项 — one item of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub stage: String,
    pub category: String,
    pub department: String,
    /// 法律依据.
    pub legal_basis: String,
    /// 法定时限.
    pub statutory_limit: TimeLimit,
    /// 承诺时限 — what the zone promises, at most the statutory limit.
    pub promised_limit: TimeLimit,
    #[serde(default)]
    pub materials: Vec<String>,
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// An applicability rule (see [`crate::approvals::rule`]); absent means always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<String>,
    #[serde(default)]
    pub modes: Vec<ReformMode>,
    /// The regional assessment that waives this item when the parcel has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    /// Completed by the land handover itself (the land contract, the planning conditions):
    /// a phase's list records it done on the handover date.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done_at_handover: bool,
    /// Where the item, its department, basis and limits come from.
    pub source: String,
}

/// A whole catalogue as written in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFile {
    pub version: String,
    pub title_zh: String,
    pub title_en: String,
    #[serde(rename = "stage")]
    pub stages: Vec<Stage>,
    #[serde(rename = "category")]
    pub categories: Vec<Category>,
    #[serde(rename = "department")]
    pub departments: Vec<Department>,
    #[serde(rename = "material", default)]
    pub materials: Vec<Material>,
    #[serde(rename = "item")]
    pub items: Vec<Item>,
}

/// A catalogue that passed every check, with its rules parsed.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub file: CatalogueFile,
    rules: Vec<Option<Rule>>,
    index: HashMap<String, usize>,
}

/// One problem in a catalogue, naming what it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the file is not a valid catalogue: {0}")]
    Syntax(String),
    #[error("{kind} code '{code}' appears more than once")]
    Duplicate { kind: &'static str, code: String },
    #[error("{kind} code '{code}' is not allowed: use 1–40 letters, digits, '-' or '_'")]
    BadCode { kind: &'static str, code: String },
    #[error("item {item}: unknown {kind} '{code}'")]
    Unknown {
        item: String,
        kind: &'static str,
        code: String,
    },
    #[error("item {item}: prerequisite '{prerequisite}' is not an item of this catalogue")]
    UnknownPrerequisite { item: String, prerequisite: String },
    #[error("item {item} lists itself as a prerequisite")]
    SelfPrerequisite { item: String },
    #[error("item {item}: prerequisite {prerequisite} belongs to a later stage ({stage})")]
    LaterStage {
        item: String,
        prerequisite: String,
        stage: String,
    },
    #[error("prerequisite cycle: {}", .items.join(" → "))]
    Cycle { items: Vec<String> },
    #[error("item {item}: applicability rule {error}")]
    BadRule {
        item: String,
        position: usize,
        error: String,
    },
    #[error(
        "item {item}: the promised limit ({promised}) is longer than the statutory limit ({statutory})"
    )]
    PromisedOverStatutory {
        item: String,
        promised: u32,
        statutory: u32,
    },
    #[error("item {item}: waived_by '{kind}' is not a regional assessment; use one of {allowed}")]
    UnknownAssessment {
        item: String,
        kind: String,
        allowed: String,
    },
    #[error("item {item}: waived_by is set but the modes do not include regional_assessment")]
    WaiverWithoutMode { item: String },
    #[error("{kind} {code}: the {field} is empty")]
    Empty {
        kind: &'static str,
        code: String,
        field: &'static str,
    },
    #[error("the catalogue has no items")]
    NoItems,
    #[error("item code '{code}' is reserved for the building work in forecasts; choose another")]
    ReservedCode { code: String },
    #[error(
        "item {item} marks construction start, so its stage ({stage}) must come before the after_completion stage: forecasts put the building work between them"
    )]
    StartAfterBuilding { item: String, stage: String },
}

impl CatalogueError {
    /// The item codes this problem concerns.
    pub fn items(&self) -> Vec<&str> {
        match self {
            CatalogueError::Unknown { item, .. }
            | CatalogueError::UnknownPrerequisite { item, .. }
            | CatalogueError::SelfPrerequisite { item }
            | CatalogueError::LaterStage { item, .. }
            | CatalogueError::BadRule { item, .. }
            | CatalogueError::PromisedOverStatutory { item, .. }
            | CatalogueError::UnknownAssessment { item, .. }
            | CatalogueError::WaiverWithoutMode { item }
            | CatalogueError::StartAfterBuilding { item, .. } => vec![item],
            CatalogueError::ReservedCode { code } => vec![code],
            CatalogueError::Cycle { items } => items.iter().map(String::as_str).collect(),
            CatalogueError::Duplicate { kind: "item", code } => vec![code],
            _ => Vec::new(),
        }
    }
}

fn code_ok(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Finds one prerequisite cycle, returned in order with its first item repeated at the end.
fn find_cycle(items: &[Item], index: &HashMap<String, usize>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; items.len()];
    for start in 0..items.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Each stack frame: the item and how many of its prerequisites were visited.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let prereqs = &items[node].prerequisites;
            if *next < prereqs.len() {
                let p = prereqs[*next].as_str();
                *next += 1;
                let Some(&j) = index.get(p) else { continue };
                match mark[j] {
                    Mark::New => {
                        mark[j] = Mark::Open;
                        stack.push((j, 0));
                    }
                    Mark::Open => {
                        // The path from j to node, then back to j: the items on the cycle,
                        // in prerequisite order (each needs the one before it).
                        let from = stack.iter().position(|(n, _)| *n == j).unwrap_or(0);
                        let mut cycle: Vec<usize> = stack[from..].iter().map(|(n, _)| *n).collect();
                        cycle.reverse();
                        // Start at the item that comes first in the file, so the same cycle
                        // is always named the same way.
                        let first = cycle
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, n)| **n)
                            .map(|(i, _)| i)
                            .unwrap_or(0);
                        cycle.rotate_left(first);
                        cycle.push(cycle[0]);
                        return Some(cycle.into_iter().map(|n| items[n].code.clone()).collect());
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    None
}

impl Catalogue {
    /// Reads and checks a catalogue file; every problem found is returned.
    pub fn parse(text: &str) -> Result<Catalogue, Vec<CatalogueError>> {
        let file: CatalogueFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            });
            vec![CatalogueError::Syntax(format!(
                "{}{}",
                e.message().trim(),
                at.unwrap_or_default()
            ))]
        })?;
        // Text with control characters is refused, naming where it is (both databases
        // then behave alike; PostgreSQL cannot store NUL).
        if let Ok(value) = toml::from_str::<toml::Value>(text)
            && let Some((path, c)) = crate::core::text::toml_forbidden(&value)
        {
            return Err(vec![CatalogueError::Syntax(format!(
                "{path}: holds the control character {}",
                crate::core::text::describe(c)
            ))]);
        }
        Catalogue::check(file)
    }

    /// Checks a catalogue given as data.
    pub fn check(file: CatalogueFile) -> Result<Catalogue, Vec<CatalogueError>> {
        let mut errors = Vec::new();
        if file.items.is_empty() {
            errors.push(CatalogueError::NoItems);
        }
        fn codes<'a>(
            kind: &'static str,
            list: impl Iterator<Item = &'a str>,
            errors: &mut Vec<CatalogueError>,
        ) -> BTreeSet<&'a str> {
            let mut seen = BTreeSet::new();
            for code in list {
                if !code_ok(code) {
                    errors.push(CatalogueError::BadCode {
                        kind,
                        code: code.to_string(),
                    });
                }
                if !seen.insert(code) {
                    errors.push(CatalogueError::Duplicate {
                        kind,
                        code: code.to_string(),
                    });
                }
            }
            seen
        }
        let stages = codes(
            "stage",
            file.stages.iter().map(|s| s.code.as_str()),
            &mut errors,
        );
        let categories = codes(
            "category",
            file.categories.iter().map(|s| s.code.as_str()),
            &mut errors,
        );
        let departments = codes(
            "department",
            file.departments.iter().map(|s| s.code.as_str()),
            &mut errors,
        );
        let materials = codes(
            "material",
            file.materials.iter().map(|s| s.code.as_str()),
            &mut errors,
        );
        codes(
            "item",
            file.items.iter().map(|s| s.code.as_str()),
            &mut errors,
        );
        let named = file
            .stages
            .iter()
            .map(|s| ("stage", &s.code, &s.name_zh, &s.name_en))
            .chain(
                file.categories
                    .iter()
                    .map(|s| ("category", &s.code, &s.name_zh, &s.name_en)),
            )
            .chain(
                file.departments
                    .iter()
                    .map(|s| ("department", &s.code, &s.name_zh, &s.name_en)),
            )
            .chain(
                file.materials
                    .iter()
                    .map(|s| ("material", &s.code, &s.name_zh, &s.name_en)),
            )
            .chain(
                file.items
                    .iter()
                    .map(|s| ("item", &s.code, &s.name_zh, &s.name_en)),
            );
        for (kind, code, zh, en) in named {
            if zh.trim().is_empty() {
                errors.push(CatalogueError::Empty {
                    kind,
                    code: code.clone(),
                    field: "name_zh",
                });
            }
            if en.trim().is_empty() {
                errors.push(CatalogueError::Empty {
                    kind,
                    code: code.clone(),
                    field: "name_en",
                });
            }
        }
        let index: HashMap<String, usize> = file
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.code.clone(), i))
            .collect();
        let stage_order: HashMap<&str, usize> = file
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code.as_str(), i))
            .collect();
        let mut rules = Vec::with_capacity(file.items.len());
        for item in &file.items {
            let code = item.code.clone();
            for (kind, value, known) in [
                ("stage", &item.stage, &stages),
                ("category", &item.category, &categories),
                ("department", &item.department, &departments),
            ] {
                if !known.contains(value.as_str()) {
                    errors.push(CatalogueError::Unknown {
                        item: code.clone(),
                        kind,
                        code: value.clone(),
                    });
                }
            }
            for m in &item.materials {
                if !materials.contains(m.as_str()) {
                    errors.push(CatalogueError::Unknown {
                        item: code.clone(),
                        kind: "material",
                        code: m.clone(),
                    });
                }
            }
            if item.legal_basis.trim().is_empty() {
                errors.push(CatalogueError::Empty {
                    kind: "item",
                    code: code.clone(),
                    field: "legal_basis",
                });
            }
            if item.source.trim().is_empty() {
                errors.push(CatalogueError::Empty {
                    kind: "item",
                    code: code.clone(),
                    field: "source",
                });
            }
            for p in &item.prerequisites {
                if *p == item.code {
                    errors.push(CatalogueError::SelfPrerequisite { item: code.clone() });
                } else if let Some(&j) = index.get(p) {
                    let (mine, theirs) = (
                        stage_order.get(item.stage.as_str()),
                        stage_order.get(file.items[j].stage.as_str()),
                    );
                    if let (Some(mine), Some(theirs)) = (mine, theirs)
                        && theirs > mine
                    {
                        errors.push(CatalogueError::LaterStage {
                            item: code.clone(),
                            prerequisite: p.clone(),
                            stage: file.items[j].stage.clone(),
                        });
                    }
                } else {
                    errors.push(CatalogueError::UnknownPrerequisite {
                        item: code.clone(),
                        prerequisite: p.clone(),
                    });
                }
            }
            if item.code == crate::forecast::critical_path::BUILD {
                errors.push(CatalogueError::ReservedCode { code: code.clone() });
            }
            if item.milestone == Some(Milestone::ConstructionStart) {
                let building = stage_order.get(crate::forecast::critical_path::AFTER_COMPLETION);
                let mine = stage_order.get(item.stage.as_str());
                if let (Some(b), Some(m)) = (building, mine)
                    && m >= b
                {
                    errors.push(CatalogueError::StartAfterBuilding {
                        item: code.clone(),
                        stage: item.stage.clone(),
                    });
                }
            }
            let (s, p) = (item.statutory_limit, item.promised_limit);
            if s.unit == p.unit && p.days > s.days {
                errors.push(CatalogueError::PromisedOverStatutory {
                    item: code.clone(),
                    promised: p.days,
                    statutory: s.days,
                });
            }
            if let Some(kind) = &item.waived_by {
                if !ASSESSMENTS.iter().any(|a| a.0 == kind) {
                    errors.push(CatalogueError::UnknownAssessment {
                        item: code.clone(),
                        kind: kind.clone(),
                        allowed: ASSESSMENTS
                            .iter()
                            .map(|a| a.0)
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
                if !item.modes.contains(&ReformMode::RegionalAssessment) {
                    errors.push(CatalogueError::WaiverWithoutMode { item: code.clone() });
                }
            }
            rules.push(match &item.applies_when {
                Some(src) => match Rule::parse(src) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        errors.push(CatalogueError::BadRule {
                            item: code.clone(),
                            position: e.position,
                            error: e.to_string(),
                        });
                        None
                    }
                },
                None => None,
            });
        }
        if let Some(items) = find_cycle(&file.items, &index) {
            errors.push(CatalogueError::Cycle { items });
        }
        if errors.is_empty() {
            Ok(Catalogue { file, rules, index })
        } else {
            Err(errors)
        }
    }

    /// The catalogue in its file format.
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.file).expect("a checked catalogue serialises")
    }

    pub fn items(&self) -> &[Item] {
        &self.file.items
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.index.get(code).map(|&i| &self.file.items[i])
    }

    pub fn material(&self, code: &str) -> Option<&Material> {
        self.file.materials.iter().find(|m| m.code == code)
    }

    /// Item indices in an order where every item comes after its prerequisites.
    pub fn topological_order(&self) -> Vec<usize> {
        let n = self.file.items.len();
        let mut indegree = vec![0usize; n];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, item) in self.file.items.iter().enumerate() {
            for p in &item.prerequisites {
                if let Some(&j) = self.index.get(p) {
                    indegree[i] += 1;
                    dependents[j].push(i);
                }
            }
        }
        let mut ready: std::collections::VecDeque<usize> =
            (0..n).filter(|&i| indegree[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(i) = ready.pop_front() {
            order.push(i);
            for &d in &dependents[i] {
                indegree[d] -= 1;
                if indegree[d] == 0 {
                    ready.push_back(d);
                }
            }
        }
        order
    }

    /// 服务清单 — the list for one project phase: the items whose rules hold (or cannot be
    /// decided yet), those covered by the parcel's regional assessments marked waived, and
    /// each item's prerequisites among the listed items (an excluded item's own
    /// prerequisites are carried through it, so order is kept).
    pub fn service_list(&self, facts: &Facts, parcel_assessments: &[String]) -> Vec<ListedItem> {
        let items = &self.file.items;
        let mut applies: Vec<Option<Applicability>> = Vec::with_capacity(items.len());
        for (i, _) in items.iter().enumerate() {
            applies.push(match &self.rules[i] {
                None => Some(Applicability::Always),
                Some(rule) => match rule.eval(facts) {
                    Some(true) => Some(Applicability::RuleHolds),
                    Some(false) => None,
                    None => Some(Applicability::ToConfirm),
                },
            });
        }
        // Effective prerequisites: walk through excluded items to the listed ones behind
        // them, then drop any that another prerequisite already waits for.
        let words = items.len().div_ceil(64);
        let mut effective: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); items.len()];
        // ancestors[i]: a bit set of every listed item i waits for, directly or not.
        let mut ancestors: Vec<Vec<u64>> = vec![Vec::new(); items.len()];
        let has =
            |bits: &[u64], j: usize| bits.get(j / 64).is_some_and(|w| w & (1 << (j % 64)) != 0);
        for &i in &self.topological_order() {
            let mut set = BTreeSet::new();
            for p in &items[i].prerequisites {
                let j = self.index[p];
                if applies[j].is_some() {
                    set.insert(j);
                } else {
                    set.extend(effective[j].iter().copied());
                }
            }
            let mut implied = vec![0u64; words];
            for &k in &set {
                for (w, a) in implied.iter_mut().zip(&ancestors[k]) {
                    *w |= a;
                }
            }
            set.retain(|&j| !has(&implied, j));
            for &j in &set {
                implied[j / 64] |= 1 << (j % 64);
            }
            ancestors[i] = implied;
            effective[i] = set;
        }
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let applicability = applies[i]?;
                let waived_by = item
                    .waived_by
                    .clone()
                    .filter(|k| parcel_assessments.contains(k));
                Some(ListedItem {
                    code: item.code.clone(),
                    applicability,
                    waived_by,
                    prerequisites: effective[i]
                        .iter()
                        .map(|&j| items[j].code.clone())
                        .collect(),
                })
            })
            .collect()
    }

    /// The materials of the given items, each once, in catalogue order, with the items
    /// that need it (the national "one form" rule: never ask for the same paper twice).
    pub fn materials_for<'a>(&'a self, codes: &[&str]) -> Vec<(&'a Material, Vec<&'a str>)> {
        let mut needed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for code in codes {
            if let Some(item) = self.item(code) {
                for m in &item.materials {
                    needed
                        .entry(m.as_str())
                        .or_default()
                        .push(item.code.as_str());
                }
            }
        }
        self.file
            .materials
            .iter()
            .filter_map(|m| needed.get(m.code.as_str()).map(|items| (m, items.clone())))
            .collect()
    }
}

/// Why an item is on a project's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// The item has no rule.
    Always,
    /// Its rule holds for this project.
    RuleHolds,
    /// Its rule needs a fact the zone does not have yet: listed, to be confirmed.
    ToConfirm,
}

/// One item of a project's service list, before any work on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedItem {
    pub code: String,
    pub applicability: Applicability,
    /// The regional assessment that waives it, when the parcel has it.
    pub waived_by: Option<String>,
    pub prerequisites: Vec<String>,
}

/// A synthetic catalogue of `n` items for benchmarks: a realistic shape (stages, categories,
/// departments, shared materials, rules on a share of items, prerequisites on earlier
/// items only, so it is acyclic), reproducible from `seed`.
pub fn synthetic(n: usize, seed: u64) -> CatalogueFile {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |m: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % m.max(1)
    };
    // The made-up catalogue's own names are data, not interface text.
    let named = |prefix: &str, i: usize| {
        (
            format!("{prefix}{i}"),
            format!("{prefix}中文{i}"),
            format!("{prefix} {i}"),
        )
    };
    let stages: Vec<Stage> = (0..3)
        .map(|i| named("s", i))
        .map(|(code, name_zh, name_en)| Stage {
            code,
            name_zh,
            name_en,
        })
        .collect();
    let categories: Vec<Category> = (0..7)
        .map(|i| named("c", i))
        .map(|(code, name_zh, name_en)| Category {
            code,
            name_zh,
            name_en,
        })
        .collect();
    let departments: Vec<Department> = (0..12)
        .map(|i| named("d", i))
        .map(|(code, name_zh, name_en)| Department {
            code,
            name_zh,
            name_en,
        })
        .collect();
    let materials: Vec<Material> = (0..60)
        .map(|i| named("m", i))
        .map(|(code, name_zh, name_en)| Material {
            code,
            name_zh,
            name_en,
        })
        .collect();
    let rules = [
        "investment_wan >= 50000",
        "hazardous_chemicals",
        "industry under [\"C27\", \"C358\"]",
        "not parcel.assessed.environment or eia_class = \"report_book\"",
        "land_area_mu >= 7.5 and new_construction",
    ];
    let items = (0..n)
        .map(|i| {
            let stage = (i * 3 / n.max(1)).min(2);
            let prerequisites: Vec<String> = if i == 0 {
                Vec::new()
            } else {
                let mut p: Vec<String> = (0..1 + next(3))
                    .map(|_| i - 1 - next(i.min(40)))
                    .map(|j| format!("I{j:05}"))
                    .collect();
                p.sort();
                p.dedup();
                p
            };
            Item {
                code: format!("I{i:05}"),
                name_zh: format!("事项{i}"),
                name_en: format!("Item {i}"),
                stage: stages[stage].code.clone(),
                category: categories[next(7)].code.clone(),
                department: departments[next(12)].code.clone(),
                legal_basis: "synthetic".into(),
                statutory_limit: TimeLimit {
                    days: 20,
                    unit: DayUnit::Working,
                },
                promised_limit: TimeLimit {
                    days: 1 + next(15) as u32,
                    unit: DayUnit::Working,
                },
                materials: (0..1 + next(4))
                    .map(|_| materials[next(60)].code.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                prerequisites,
                applies_when: (next(4) == 0).then(|| rules[next(rules.len())].to_string()),
                modes: vec![ReformMode::Parallel],
                waived_by: None,
                milestone: None,
                done_at_handover: false,
                source: "synthetic benchmark catalogue".into(),
            }
        })
        .collect();
    CatalogueFile {
        version: format!("synthetic-{n}-{seed}"),
        title_zh: "合成目录".into(),
        title_en: "Synthetic catalogue".into(),
        stages,
        categories,
        departments,
        materials,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approvals::rule::Fact;
    use crate::core::industry::IndustryCode;

    const SMALL: &str = r#"
version = "test-1"
title_zh = "测试目录"
title_en = "Test catalogue"
[[stage]]
code = "before"
name_zh = "开工前"
name_en = "Before construction"
[[stage]]
code = "after"
name_zh = "建成后"
name_en = "After completion"
[[category]]
code = "permits"
name_zh = "许可"
name_en = "Permits"
[[department]]
code = "nr"
name_zh = "自然资源局"
name_en = "Natural resources"
[[material]]
code = "licence"
name_zh = "营业执照"
name_en = "Business licence"
[[material]]
code = "contract"
name_zh = "出让合同"
name_en = "Land contract"
[[item]]
code = "A"
name_zh = "土地出让合同"
name_en = "Land contract"
stage = "before"
category = "permits"
department = "nr"
legal_basis = "城市房地产管理法"
statutory_limit = { days = 5, unit = "working" }
promised_limit = { days = 3, unit = "working" }
materials = ["licence"]
source = "test"
[[item]]
code = "B"
name_zh = "环评"
name_en = "EIA"
stage = "before"
category = "permits"
department = "nr"
legal_basis = "环境影响评价法"
statutory_limit = { days = 60, unit = "calendar" }
promised_limit = { days = 10, unit = "working" }
materials = ["licence", "contract"]
prerequisites = ["A"]
applies_when = "not hazardous_chemicals"
modes = ["regional_assessment", "commitment"]
waived_by = "environment"
source = "test"
[[item]]
code = "C"
name_zh = "规划许可"
name_en = "Planning permit"
stage = "before"
category = "permits"
department = "nr"
legal_basis = "城乡规划法"
statutory_limit = { days = 20, unit = "working" }
promised_limit = { days = 5, unit = "working" }
materials = ["contract"]
prerequisites = ["B"]
milestone = "construction_permit"
source = "test"
"#;

    #[test]
    fn a_good_catalogue_parses_and_round_trips() {
        let c = Catalogue::parse(SMALL).unwrap();
        assert_eq!(c.items().len(), 3);
        let again = Catalogue::parse(&c.to_toml()).unwrap();
        assert_eq!(again.file, c.file);
        let order: Vec<&str> = c
            .topological_order()
            .iter()
            .map(|&i| c.items()[i].code.as_str())
            .collect();
        assert_eq!(order, ["A", "B", "C"]);
    }

    #[test]
    fn a_cycle_is_named_in_order() {
        let text = SMALL.replace(
            "materials = [\"licence\"]\nsource",
            "materials = [\"licence\"]\nprerequisites = [\"C\"]\nsource",
        );
        let errs = Catalogue::parse(&text).unwrap_err();
        assert_eq!(
            errs,
            vec![CatalogueError::Cycle {
                items: vec!["A".into(), "B".into(), "C".into(), "A".into()]
            }],
            "{errs:?}"
        );
        assert_eq!(errs[0].to_string(), "prerequisite cycle: A → B → C → A");
    }

    #[test]
    fn every_problem_is_reported_with_its_items() {
        let text = SMALL
            .replace("prerequisites = [\"A\"]", "prerequisites = [\"A\", \"Z\"]")
            .replace(
                "applies_when = \"not hazardous_chemicals\"",
                "applies_when = \"not hazardous\"",
            )
            .replace("code = \"C\"", "code = \"B\"")
            .replace(
                "department = \"nr\"\nlegal_basis = \"城乡规划法\"",
                "department = \"housing\"\nlegal_basis = \"城乡规划法\"",
            )
            .replace(
                "promised_limit = { days = 3, unit = \"working\" }",
                "promised_limit = { days = 9, unit = \"working\" }",
            );
        let errs = Catalogue::parse(&text).unwrap_err();
        let text_of: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            errs.contains(&CatalogueError::Duplicate {
                kind: "item",
                code: "B".into()
            }),
            "{text_of:#?}"
        );
        assert!(errs.contains(&CatalogueError::UnknownPrerequisite {
            item: "B".into(),
            prerequisite: "Z".into()
        }));
        assert!(
            errs.iter().any(
                |e| matches!(e, CatalogueError::BadRule { item, position: 5, .. } if item == "B")
            ),
            "{text_of:#?}"
        );
        assert!(errs.contains(&CatalogueError::Unknown {
            item: "B".into(),
            kind: "department",
            code: "housing".into()
        }));
        assert!(errs.contains(&CatalogueError::PromisedOverStatutory {
            item: "A".into(),
            promised: 9,
            statutory: 5
        }));
    }

    #[test]
    fn the_building_work_keeps_its_code_and_its_place() {
        let errs = Catalogue::parse(
            &DEFAULT
                .replace("code = \"KB01\"", "code = \"BUILD\"")
                .replace("\"KB01\"", "\"BUILD\""),
        )
        .unwrap_err();
        assert!(
            errs.iter()
                .any(|e| matches!(e, CatalogueError::ReservedCode { code } if code == "BUILD")),
            "{errs:?}"
        );
        // Construction start moved into the acceptance stage would sit after the building.
        let text = DEFAULT;
        let sg07 = text.find("code = \"SG07\"").unwrap();
        let stage = sg07
            + text[sg07..]
                .find("stage = \"before_construction\"")
                .unwrap();
        let moved = format!(
            "{}stage = \"after_completion\"{}",
            &text[..stage],
            &text[stage + "stage = \"before_construction\"".len()..]
        );
        let errs = Catalogue::parse(&moved).unwrap_err();
        assert!(
            errs.iter().any(
                |e| matches!(e, CatalogueError::StartAfterBuilding { item, .. } if item == "SG07")
            ),
            "{errs:?}"
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let errs = Catalogue::parse("version = \"x\"\ntitle_zh = \n").unwrap_err();
        assert!(errs[0].to_string().contains("line 2"), "{errs:?}");
        let errs = Catalogue::parse(&SMALL.replace(
            "source = \"test\"\n[[item]]\ncode = \"B\"",
            "source = \"test\"\ncolour = \"red\"\n[[item]]\ncode = \"B\"",
        ))
        .unwrap_err();
        assert!(errs[0].to_string().contains("colour"), "{errs:?}");
    }

    #[test]
    fn the_list_follows_rules_waivers_and_bridges_excluded_items() {
        let c = Catalogue::parse(SMALL).unwrap();
        let mut facts = Facts::default();
        facts.set("hazardous_chemicals", Fact::Flag(false)).set(
            "industry",
            Fact::Industry(IndustryCode::parse("C2761").unwrap()),
        );
        let list = c.service_list(&facts, &["environment".to_string()]);
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].waived_by.as_deref(), Some("environment"));
        assert_eq!(list[1].applicability, Applicability::RuleHolds);
        // B does not apply to a chemicals project: C then waits on A directly.
        facts.set("hazardous_chemicals", Fact::Flag(true));
        let list = c.service_list(&facts, &[]);
        assert_eq!(
            list.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
            ["A", "C"]
        );
        assert_eq!(list[1].prerequisites, ["A"]);
        // Unknown fact: listed, to be confirmed.
        let list = c.service_list(&Facts::default(), &[]);
        assert_eq!(list[1].applicability, Applicability::ToConfirm);
    }

    #[test]
    fn the_default_catalogue_is_3_stages_7_categories_53_items() {
        let c = Catalogue::parse(DEFAULT).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(c.file.stages.len(), 3);
        assert_eq!(c.file.categories.len(), 7);
        assert_eq!(c.items().len(), 53);
        for (code, _) in [("开办清单", 0), ("评估清单", 0), ("管控指标", 0)] {
            assert!(
                c.file.categories.iter().any(|k| k.name_zh == code),
                "{code}"
            );
        }
        // The chain the reform is about.
        let needs = |item: &str, prereq: &str| {
            c.item(item)
                .unwrap()
                .prerequisites
                .iter()
                .any(|p| p == prereq)
        };
        assert!(
            needs("GH05", "GH03")
                && needs("GH06", "GH05")
                && needs("GH07", "GH06")
                && needs("SG02", "GH07")
                && needs("SG06", "SG02")
        );
        for m in [
            Milestone::ConstructionPermit,
            Milestone::ConstructionStart,
            Milestone::CompletionAcceptance,
        ] {
            assert_eq!(
                c.items().iter().filter(|i| i.milestone == Some(m)).count(),
                1,
                "{m:?}"
            );
        }
        // A biomedicine project on an assessed parcel, filed, EIA report table.
        let mut f = Facts::default();
        f.set(
            "industry",
            Fact::Industry(IndustryCode::parse("C2761").unwrap()),
        )
        .set("approval_route", Fact::Text("filing".into()))
        .set("eia_class", Fact::Text("report_table".into()))
        .set("land_supply", Fact::Text("auction".into()))
        .set("investment_wan", Fact::Number(150_000.0))
        .set("land_area_mu", Fact::Number(120.0))
        .set("energy_tce", Fact::Number(5_000.0))
        .set("floor_area_m2", Fact::Number(80_000.0))
        .set("civil_floor_area_m2", Fact::Number(6_000.0))
        .set("height_m", Fact::Number(40.0));
        for flag in [
            "hazardous_chemicals",
            "radiation",
            "foreign_invested",
            "new_construction",
        ] {
            f.set(flag, Fact::Flag(flag == "new_construction"));
        }
        let assessed: Vec<String> = [
            "geological_hazard",
            "mineral",
            "archaeology",
            "flood",
            "soil_water",
            "energy",
            "seismic",
        ]
        .map(String::from)
        .to_vec();
        let list = c.service_list(&f, &assessed);
        let codes: Vec<&str> = list.iter().map(|l| l.code.as_str()).collect();
        assert!(
            codes.contains(&"YS09") && !codes.contains(&"YS10"),
            "drug licence, not device licence"
        );
        assert!(
            !codes.contains(&"KB04") && codes.contains(&"KB03"),
            "filed, not approved"
        );
        assert!(
            list.iter()
                .all(|l| l.applicability != Applicability::ToConfirm),
            "all facts known"
        );
        let waived: Vec<&str> = list
            .iter()
            .filter(|l| l.waived_by.is_some())
            .map(|l| l.code.as_str())
            .collect();
        assert_eq!(
            waived,
            ["PG04", "PG06", "PG07", "PG08", "PG09", "PG10", "PG11"]
        );
        // KB04 is not listed, so GH05 waits on what KB04 waited on.
        let gh05 = list.iter().find(|l| l.code == "GH05").unwrap();
        assert_eq!(
            gh05.prerequisites,
            ["KB03", "GH03"],
            "KB02 is implied by KB03"
        );
    }

    #[test]
    fn synthetic_catalogues_check() {
        let file = synthetic(500, 7);
        let c = Catalogue::check(file.clone()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.items().len(), 500);
        assert_eq!(synthetic(500, 7), file, "reproducible");
        let again = Catalogue::parse(&c.to_toml()).unwrap();
        assert_eq!(again.items().len(), 500);
    }

    #[test]
    fn materials_are_asked_once() {
        let c = Catalogue::parse(SMALL).unwrap();
        let m = c.materials_for(&["A", "B", "C"]);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].0.code, "licence");
        assert_eq!(m[0].1, ["A", "B"]);
        assert_eq!(m[1].1, ["B", "C"]);
    }
}
