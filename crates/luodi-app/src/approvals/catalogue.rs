//! The zone's service catalogue: read it (the current version or a named one), export it
//! as the file it was imported from, list its versions, and (administrators) import a new
//! version from TOML, all or nothing, every problem named with its items.

use luodi_domain::approvals::catalogue::{
    Catalogue, CatalogueError as FileProblem, DayUnit, TimeLimit,
};
use luodi_domain::core::policy::Denied;
use luodi_domain::{Operation, Text, ZoneId};
use luodi_store::StoreError;
use luodi_store::approvals::catalogue::{CatalogueVersion, ImportError, ImportOutcome};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::{FieldProblem, Kind, Problem};
use crate::{App, Caller};

/// The largest catalogue file accepted (a 5,000-item catalogue is about 4 MiB).
pub const MAX_CATALOGUE_BYTES: usize = 16 * 1024 * 1024;

/// What a catalogue use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// A province-level user has no zone catalogue.
    #[error("a province-level user has no zone catalogue")]
    ZoneRequired,
    /// A version the zone does not have (as named in the `version` parameter).
    #[error("'{0}' is not a catalogue version of this zone")]
    UnknownVersion(String),
    /// A file that is not UTF-8 text.
    #[error("the catalogue must be UTF-8 text")]
    NotUtf8,
    /// A refused file: every problem; nothing was imported.
    #[error("the catalogue has {} problem(s)", .0.len())]
    Invalid(Vec<FileProblem>),
    /// The version exists with other content.
    #[error("version {0} already exists with different content")]
    VersionTaken(String),
    /// A list's parameter the catalogue does not have (a department, stage or category).
    #[error(transparent)]
    Query(#[from] crate::core::list::ListError),
}

impl From<CatalogueError> for Problem {
    fn from(e: CatalogueError) -> Problem {
        match e {
            CatalogueError::Store(e) => e.into(),
            CatalogueError::Denied(e) => e.into(),
            CatalogueError::ZoneRequired => Problem::new(
                Kind::Malformed,
                "zone_required",
                Text::key("catalogue.error.zone_required"),
            ),
            CatalogueError::UnknownVersion(_) => Problem::new(
                Kind::Malformed,
                "bad_parameter",
                Text::key("catalogue.error.unknown_version"),
            )
            .field("version"),
            CatalogueError::NotUtf8 => Problem::new(
                Kind::Malformed,
                "not_utf8",
                Text::key("catalogue.error.not_utf8"),
            ),
            CatalogueError::Invalid(errors) => invalid_catalogue(&errors),
            CatalogueError::VersionTaken(v) => Problem::new(
                Kind::Conflict,
                "version_taken",
                Text::fill("catalogue.error.version_taken", &[("version", &v)]),
            )
            .field("version"),
            CatalogueError::Query(e) => e.into(),
        }
    }
}

/// A refused catalogue: every problem listed with its items (`catalogue` for the file).
fn invalid_catalogue(errors: &[FileProblem]) -> Problem {
    let mut p = Problem::invalid(
        "invalid_catalogue",
        Text::fill(
            "catalogue.error.invalid",
            &[("n", &errors.len().to_string())],
        ),
    );
    p.errors = errors
        .iter()
        .map(|err| {
            let items = err.items();
            // The rules say what is wrong in English only.
            let message = err.to_string();
            FieldProblem {
                field: if items.is_empty() {
                    "catalogue".into()
                } else {
                    items.join(",")
                },
                code: problem_code(err).into(),
                message: Text::new(message.clone(), message),
            }
        })
        .collect();
    p.field = p.errors.first().map(|f| f.field.clone());
    p
}

fn problem_code(e: &FileProblem) -> &'static str {
    match e {
        FileProblem::Syntax(_) => "syntax",
        FileProblem::Duplicate { .. } => "duplicate",
        FileProblem::BadCode { .. } => "bad_code",
        FileProblem::Unknown { .. } => "unknown_reference",
        FileProblem::UnknownPrerequisite { .. } => "unknown_prerequisite",
        FileProblem::SelfPrerequisite { .. } => "self_prerequisite",
        FileProblem::LaterStage { .. } => "later_stage",
        FileProblem::Cycle { .. } => "cycle",
        FileProblem::BadRule { .. } => "bad_rule",
        FileProblem::PromisedOverStatutory { .. } => "promised_over_statutory",
        FileProblem::UnknownAssessment { .. } => "unknown_assessment",
        FileProblem::WaiverWithoutMode { .. } => "waiver_without_mode",
        FileProblem::Empty { .. } => "empty",
        FileProblem::NoItems => "no_items",
        FileProblem::ReservedCode { .. } => "reserved_code",
        FileProblem::StartAfterBuilding { .. } => "start_after_building",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueVersionResponse {
    pub id: i64,
    #[schema(example = "2026.1")]
    pub version: String,
    pub title_zh: String,
    pub title_en: String,
    pub item_count: i64,
    pub imported_at: String,
    /// Whether this is the zone's current version (new lists are made from it).
    pub current: bool,
}

impl From<CatalogueVersion> for CatalogueVersionResponse {
    fn from(v: CatalogueVersion) -> Self {
        CatalogueVersionResponse {
            id: v.id,
            version: v.version,
            title_zh: v.title_zh,
            title_en: v.title_en,
            item_count: v.item_count,
            imported_at: v.imported_at,
            current: v.current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LimitResponse {
    /// 0 means on the spot (即办).
    pub days: u32,
    /// `working` or `calendar`.
    #[schema(example = "working")]
    pub unit: String,
}

impl From<TimeLimit> for LimitResponse {
    fn from(l: TimeLimit) -> Self {
        LimitResponse {
            days: l.days,
            unit: match l.unit {
                DayUnit::Working => "working".into(),
                DayUnit::Calendar => "calendar".into(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeName {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResponse {
    #[schema(example = "SG06")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub stage: String,
    pub category: String,
    /// The responsible department's code.
    pub department: String,
    pub legal_basis: String,
    pub statutory_limit: LimitResponse,
    pub promised_limit: LimitResponse,
    /// Material codes.
    pub materials: Vec<String>,
    /// Item codes that must be done first.
    pub prerequisites: Vec<String>,
    /// The applicability rule, if any.
    pub applies_when: Option<String>,
    /// `parallel`, `commitment`, `minor_missing`, `regional_assessment`.
    pub modes: Vec<String>,
    /// The regional assessment that waives this item.
    pub waived_by: Option<String>,
    /// `construction_permit`, `construction_start` or `completion_acceptance`.
    pub milestone: Option<String>,
    pub done_at_handover: bool,
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueResponse {
    #[serde(flatten)]
    pub version: CatalogueVersionResponse,
    pub stages: Vec<CodeName>,
    pub categories: Vec<CodeName>,
    pub departments: Vec<CodeName>,
    pub materials: Vec<CodeName>,
    pub items: Vec<ItemResponse>,
}

fn json_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A catalogue version as the API shows it.
pub fn catalogue_response(version: CatalogueVersion, c: &Catalogue) -> CatalogueResponse {
    let f = &c.file;
    let names = |list: Vec<(&String, &String, &String)>| {
        list.into_iter()
            .map(|(c, z, e)| CodeName {
                code: c.clone(),
                name_zh: z.clone(),
                name_en: e.clone(),
            })
            .collect()
    };
    CatalogueResponse {
        version: version.into(),
        stages: names(
            f.stages
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        categories: names(
            f.categories
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        departments: names(
            f.departments
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        materials: names(
            f.materials
                .iter()
                .map(|s| (&s.code, &s.name_zh, &s.name_en))
                .collect(),
        ),
        items: f
            .items
            .iter()
            .map(|i| ItemResponse {
                code: i.code.clone(),
                name_zh: i.name_zh.clone(),
                name_en: i.name_en.clone(),
                stage: i.stage.clone(),
                category: i.category.clone(),
                department: i.department.clone(),
                legal_basis: i.legal_basis.clone(),
                statutory_limit: i.statutory_limit.into(),
                promised_limit: i.promised_limit.into(),
                materials: i.materials.clone(),
                prerequisites: i.prerequisites.clone(),
                applies_when: i.applies_when.clone(),
                modes: i.modes.iter().map(json_name).collect(),
                waived_by: i.waived_by.clone(),
                milestone: i.milestone.as_ref().map(json_name),
                done_at_handover: i.done_at_handover,
                source: i.source.clone(),
            })
            .collect(),
    }
}

/// The caller's zone, to read its catalogue: a province-level user has none.
fn zone_to_read(caller: &Caller) -> Result<ZoneId, CatalogueError> {
    let zone = caller.policy.zone.ok_or(CatalogueError::ZoneRequired)?;
    caller.scope_for(Operation::ViewCatalogue)?;
    Ok(zone)
}

/// The id of the zone's version named `version` (none: the current one).
async fn version_id(
    app: &App,
    zone: ZoneId,
    version: Option<&str>,
) -> Result<Option<i64>, CatalogueError> {
    let Some(v) = version else {
        return Ok(None);
    };
    app.store
        .catalogue_versions(zone)
        .await?
        .iter()
        .find(|x| x.version == v)
        .map(|x| Some(x.id))
        .ok_or_else(|| CatalogueError::UnknownVersion(v.to_string()))
}

/// The zone's catalogue, version `version` (default the current one).
pub async fn show(
    app: &App,
    caller: &Caller,
    version: Option<&str>,
) -> Result<CatalogueResponse, CatalogueError> {
    let zone = zone_to_read(caller)?;
    let id = version_id(app, zone, version).await?;
    let (version, _, parsed) = app.store.catalogue(zone, id).await?;
    Ok(catalogue_response(version, &parsed))
}

/// A catalogue file as it was imported.
pub struct CatalogueFile {
    /// Its version, e.g. 2026.1.
    pub version: String,
    /// The TOML text.
    pub text: String,
}

/// The zone's catalogue file, version `version` (default the current one).
pub async fn export(
    app: &App,
    caller: &Caller,
    version: Option<&str>,
) -> Result<CatalogueFile, CatalogueError> {
    let zone = zone_to_read(caller)?;
    let id = version_id(app, zone, version).await?;
    let (version, text, _) = app.store.catalogue(zone, id).await?;
    Ok(CatalogueFile {
        version: version.version,
        text,
    })
}

/// The zone's catalogue versions, the current one marked.
pub async fn versions(
    app: &App,
    caller: &Caller,
) -> Result<Vec<CatalogueVersionResponse>, CatalogueError> {
    let zone = zone_to_read(caller)?;
    Ok(app
        .store
        .catalogue_versions(zone)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// What the catalogue page shows.
pub struct CatalogueView {
    /// The current version, its file and the catalogue; none before the first import.
    pub current: Option<(CatalogueVersion, Catalogue)>,
    pub versions: Vec<CatalogueVersion>,
    /// Whether the caller may import a new version.
    pub may_import: bool,
}

/// The zone's current catalogue and its versions.
pub async fn page(app: &App, caller: &Caller) -> Result<CatalogueView, CatalogueError> {
    let zone = zone_to_read(caller)?;
    let current = match app.store.catalogue(zone, None).await {
        Ok((v, _, c)) => Some((v, c)),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let versions = app.store.catalogue_versions(zone).await?;
    Ok(CatalogueView {
        current,
        versions,
        may_import: may_import(caller).is_ok(),
    })
}

/// Whether the caller may import a catalogue: the zone they would import into.
pub fn may_import(caller: &Caller) -> Result<ZoneId, CatalogueError> {
    Ok(caller.zone_for(Operation::ManageCatalogue)?)
}

/// What an import did: a new current version, or nothing (the same version and text were
/// stored already).
pub struct Imported {
    pub created: bool,
    pub version: CatalogueVersionResponse,
}

/// Imports `body` (TOML, UTF-8) as the zone's current catalogue.
pub async fn import(app: &App, caller: &Caller, body: &[u8]) -> Result<Imported, CatalogueError> {
    may_import(caller)?;
    let text = std::str::from_utf8(body).map_err(|_| CatalogueError::NotUtf8)?;
    import_text(app, caller, text).await
}

/// Imports TOML `text` as the zone's current catalogue, all or nothing.
pub async fn import_text(
    app: &App,
    caller: &Caller,
    text: &str,
) -> Result<Imported, CatalogueError> {
    let zone = may_import(caller)?;
    match app.store.import_catalogue(&caller.actor, zone, text).await {
        Ok(ImportOutcome::Imported(v)) => Ok(Imported {
            created: true,
            version: v.into(),
        }),
        Ok(ImportOutcome::Unchanged(v)) => Ok(Imported {
            created: false,
            version: v.into(),
        }),
        Err(ImportError::Invalid(errors)) => Err(CatalogueError::Invalid(errors)),
        Err(ImportError::VersionTaken(v)) => Err(CatalogueError::VersionTaken(v)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use luodi_domain::Lang;

    #[test]
    fn a_refused_catalogue_names_every_problem() {
        let errors = vec![
            FileProblem::NoItems,
            FileProblem::Syntax("expected `=`".into()),
        ];
        let p = Problem::from(CatalogueError::Invalid(errors));
        assert_eq!(
            (p.kind, p.code.as_ref()),
            (Kind::Invalid, "invalid_catalogue")
        );
        assert_eq!(
            p.message.get(Lang::En),
            "the catalogue has 2 problem(s); nothing was imported"
        );
        assert_eq!(p.message.get(Lang::Zh), "目录有 2 处问题，未导入任何内容");
        assert_eq!(p.errors.len(), 2);
        assert_eq!(p.errors[0].field, "catalogue");
        assert_eq!(p.errors[1].code, "syntax");
        assert_eq!(p.field.as_deref(), Some("catalogue"));
        let p = Problem::from(CatalogueError::VersionTaken("2026.2".into()));
        assert_eq!(
            (p.kind, p.field.as_deref()),
            (Kind::Conflict, Some("version"))
        );
        assert_eq!(
            p.message.get(Lang::En),
            "version 2026.2 already exists with different content; use a new version"
        );
    }
}
