//! The form that records a project and edits it later: its details (amounts in 万元), and
//! its phases with their names and conditions (立项条件: the facts the catalogue's rules
//! read, each a choice or a figure, "to be confirmed" allowed). Each error sits beside its
//! field in the user's language; a save redirects to the project with a confirmation; a
//! phase is added by a button that keeps everything typed.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::cluster::completion_list;
use luodi_app::stewardship::StewardshipError;
use luodi_app::stewardship::projects::{self, CreateProjectRequest, UpdateProjectRequest};
use luodi_domain::cluster::completion;
use luodi_domain::core::enterprise::{ChainPosition, FieldError};
use luodi_domain::core::i18n;
use luodi_domain::core::money::Fen;
use luodi_domain::stewardship::conditions::{self, CONDITIONS, ConditionKind};
use luodi_domain::stewardship::project::{MAX_PHASES, PhaseInput};
use luodi_domain::{Lang, Text};
use luodi_store::cluster::completion::PhaseDates;
use luodi_store::stewardship::projects::Project;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::form::FieldView;
use crate::pages::{FormData, Layout, PageForm, Refusal, error_page, path_number, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/new", get(new_form))
        .route("/projects", post(create))
        .route("/projects/{id}/edit", get(edit_form).post(update))
}

/// One phase's part of the form.
pub struct PhaseFields {
    pub seq: usize,
    /// Its stage, for a phase the project has (its lifecycle's, not the form's).
    pub stage: Option<String>,
    pub name: FieldView,
    /// For a phase being added: lead or signed.
    pub status: Option<FieldView>,
    /// For a phase the project has: its agreed production date (达产日期), which its
    /// post-completion check waits for.
    pub production_due: Option<FieldView>,
    pub conditions: Vec<FieldView>,
    /// Conditions still to be confirmed.
    pub unknown: usize,
    /// Whether its conditions show unfolded: the first phase's, and any with an error.
    pub open: bool,
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    cancel: String,
    version: Option<i64>,
    details: Vec<FieldView>,
    phases: Vec<PhaseFields>,
    may_add: bool,
    /// Problems that are no field's (the project changed meanwhile; a phase left out).
    general: Vec<String>,
    has_errors: bool,
}

/// What the form holds, as typed.
struct Typed {
    form: FormData,
    /// How many phases the form shows.
    phases: usize,
}

impl Typed {
    fn get(&self, name: &str) -> String {
        self.form.text(name)
    }
}

fn phase_key(i: usize, field: &str) -> String {
    format!("phase{}_{field}", i + 1)
}

/// The form's name for a field the use case names (`total_investment_yuan`,
/// `phases[1].facts.eia_class`).
fn form_name(field: &str) -> String {
    match field {
        "total_investment_yuan" => "total_investment_wan".into(),
        "expected_output_yuan" => "expected_output_wan".into(),
        "expected_tax_yuan" => "expected_tax_wan".into(),
        _ => match field
            .strip_prefix("phases[")
            .and_then(|r| r.split_once(']'))
        {
            Some((i, rest)) => {
                let i: usize = i.parse().unwrap_or(0);
                let rest = rest.trim_start_matches('.');
                phase_key(i, rest.strip_prefix("facts.").unwrap_or(rest))
            }
            None => field.to_string(),
        },
    }
}

/// The form's values from a project (the edit form before anything is typed), with its
/// phases' agreed production dates.
fn typed_of(p: &Project, dates: &[PhaseDates]) -> Typed {
    let wan = |f: Option<Fen>| f.map(Fen::wan_text).unwrap_or_default();
    let mut pairs = vec![
        ("name".to_string(), p.name.clone()),
        ("name_en".into(), p.name_en.clone().unwrap_or_default()),
        ("total_investment_wan".into(), p.total_investment.wan_text()),
        (
            "industry_code".into(),
            p.industry_code.clone().unwrap_or_default(),
        ),
        (
            "chain_position".into(),
            p.chain_position
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        ("expected_output_wan".into(), wan(p.expected_output)),
        ("expected_tax_wan".into(), wan(p.expected_tax)),
        (
            "jobs".into(),
            p.jobs.map(|j| j.to_string()).unwrap_or_default(),
        ),
    ];
    for (i, ph) in p.phases.iter().enumerate() {
        pairs.push((phase_key(i, "name"), ph.name.clone()));
        pairs.push((
            phase_key(i, "production_due_on"),
            dates
                .iter()
                .find(|d| d.phase_id == ph.id)
                .and_then(|d| d.production_due_on)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ));
        for (field, _) in CONDITIONS {
            pairs.push((
                phase_key(i, field),
                conditions::form_value(&ph.facts, field),
            ));
        }
    }
    Typed {
        form: FormData::of(pairs),
        phases: p.phases.len(),
    }
}

/// A new project's form: one phase, named as the zone names its first (一期).
fn typed_new() -> Typed {
    Typed {
        form: FormData::of(vec![
            (phase_key(0, "name"), ordinal(0)),
            (phase_key(0, "status"), "signed".into()),
        ]),
        phases: 1,
    }
}

/// Phase `i`'s name as the zone names it: 一期, 二期 … (a phase's name is the zone's
/// record, in Chinese whatever the reader's language).
fn ordinal(i: usize) -> String {
    i18n::text(Lang::Zh, "project.phase_ordinals")
        .split(',')
        .nth(i)
        .unwrap_or_default()
        .to_string()
}

struct Choices {
    enterprises: Vec<(i64, String)>,
    stewards: Vec<(i64, String)>,
}

/// The form's fields from what is typed, with `errors` beside them. `existing`: the
/// phases the project has (their stages), for an edit; `choices`, for a new project.
fn fields(
    typed: &Typed,
    errors: &[FieldError],
    lang: Lang,
    existing: &[Existing],
    choices: Option<&Choices>,
) -> (Vec<FieldView>, Vec<PhaseFields>) {
    let t = |key: &str| i18n::text(lang, key).to_string();
    let text = |name: &str, key: &str| FieldView::text(lang, name, key, typed.get(name));
    let mut details = Vec::new();
    if let Some(c) = choices {
        details.push(
            text("enterprise_id", "project.enterprise")
                .required()
                .choices(
                    c.enterprises
                        .iter()
                        .map(|(id, n)| (id.to_string(), n.clone()))
                        .collect(),
                ),
        );
    }
    details.extend([
        text("name", "project.name_label").required(),
        text("name_en", "project.name_en"),
        text("total_investment_wan", "project.investment_wan")
            .required()
            .figure()
            .hint(t("project.wan_hint")),
        text("industry_code", "enterprise.industry_code").hint(t("enterprise.industry_hint")),
        text("chain_position", "project.chain").choices(
            ChainPosition::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), c.label().get(lang).to_string()))
                .collect(),
        ),
        text("expected_output_wan", "project.expected_output_wan").figure(),
        text("expected_tax_wan", "project.expected_tax_wan").figure(),
        text("jobs", "project.jobs").figure(),
    ]);
    if let Some(c) = choices {
        details.push(
            text("steward_user_id", "project.steward").choices(
                c.stewards
                    .iter()
                    .map(|(id, n)| (id.to_string(), n.clone()))
                    .collect(),
            ),
        );
    }
    let details = details
        .into_iter()
        .map(|f| f.checked(errors, lang))
        .collect();
    let unknown = t("conditions.unknown");
    let phases = (0..typed.phases)
        .map(|i| {
            let conditions: Vec<FieldView> = CONDITIONS
                .iter()
                .map(|(field, kind)| {
                    let name = phase_key(i, field);
                    let f = FieldView::labelled(
                        name.clone(),
                        conditions::label(lang, field).to_string(),
                        typed.get(&name),
                    );
                    match kind {
                        ConditionKind::Number => f.figure(),
                        ConditionKind::YesNo => f
                            .choices(vec![
                                ("yes".into(), t("conditions.yes")),
                                ("no".into(), t("conditions.no")),
                            ])
                            .blank(unknown.clone()),
                        ConditionKind::Word(words) => f
                            .choices(
                                words
                                    .iter()
                                    .map(|w| {
                                        (
                                            w.to_string(),
                                            conditions::word_label(lang, field, w).to_string(),
                                        )
                                    })
                                    .collect(),
                            )
                            .blank(unknown.clone()),
                    }
                    .checked(errors, lang)
                })
                .collect();
            let unknown = conditions.iter().filter(|f| f.value.is_empty()).count();
            let open = i == 0 || conditions.iter().any(|f| f.error.is_some());
            PhaseFields {
                seq: i + 1,
                stage: existing.get(i).map(|e| e.stage.clone()),
                name: FieldView::text(lang, phase_key(i, "name"), "project.phase_name", {
                    typed.get(&phase_key(i, "name"))
                })
                .required()
                .checked(errors, lang),
                status: (i >= existing.len()).then(|| {
                    FieldView::text(
                        lang,
                        phase_key(i, "status"),
                        "project.status",
                        typed.get(&phase_key(i, "status")),
                    )
                    .choices(vec![
                        ("signed".into(), t("project.stage_signed")),
                        ("lead".into(), t("project.stage_lead")),
                    ])
                    .blank(t("project.stage_lead"))
                    .checked(errors, lang)
                }),
                production_due: existing.get(i).map(|e| {
                    FieldView::text(
                        lang,
                        phase_key(i, "production_due_on"),
                        "cluster.pages.completion.production_due",
                        typed.get(&phase_key(i, "production_due_on")),
                    )
                    .hint(i18n::fill(
                        lang,
                        "cluster.pages.completion.production_due_hint",
                        &[("default", &e.default_due)],
                    ))
                    .checked(errors, lang)
                }),
                conditions,
                unknown,
                open,
            }
        })
        .collect();
    (details, phases)
}

/// What the form says in figures, read as the use case takes it: 万元 to exact yuan,
/// whole numbers; each problem by the form's field name.
struct Read {
    total_investment_yuan: String,
    expected_output_yuan: Option<String>,
    expected_tax_yuan: Option<String>,
    jobs: Option<i64>,
    phases: Vec<PhaseInput>,
    /// The agreed production date of each phase the project has, as typed.
    dues: Vec<Option<chrono::NaiveDate>>,
    errors: Vec<FieldError>,
}

fn read(typed: &Typed, existing: usize) -> Read {
    let mut errors = Vec::new();
    let mut dues = Vec::new();
    for i in 0..existing.min(typed.phases) {
        let name = phase_key(i, "production_due_on");
        match completion_list::parse_due(&typed.get(&name)) {
            Ok(d) => dues.push(d),
            Err(text) => {
                errors.push(FieldError::new(&name, "invalid_date", text));
                dues.push(None);
            }
        }
    }
    let mut wan = |name: &str, required: bool| -> Option<String> {
        let raw = typed.get(name);
        let raw = raw.trim();
        if raw.is_empty() {
            if required {
                errors.push(FieldError::new(
                    name,
                    "required",
                    Text::key("project.form_error.amount_required"),
                ));
            }
            return None;
        }
        match Fen::parse_wan(raw) {
            Ok(f) if f.0 >= 0 => Some(f.exact_yuan().replace(',', "")),
            _ => {
                errors.push(FieldError::new(
                    name,
                    "invalid_amount",
                    Text::fill("project.form_error.bad_wan", &[("value", raw)]),
                ));
                None
            }
        }
    };
    let total = wan("total_investment_wan", true).unwrap_or_else(|| "0".into());
    let output = wan("expected_output_wan", false);
    let tax = wan("expected_tax_wan", false);
    let jobs = match typed.get("jobs").trim() {
        "" => None,
        raw => match raw.replace(',', "").parse::<i64>() {
            Ok(j) => Some(j),
            Err(_) => {
                errors.push(FieldError::new(
                    "jobs",
                    "invalid",
                    Text::fill("project.form_error.bad_jobs", &[("value", raw)]),
                ));
                None
            }
        },
    };
    let mut phases = Vec::new();
    for i in 0..typed.phases {
        let facts = match conditions::from_form(|f| typed.form.opt(&phase_key(i, f))) {
            Ok(f) => f,
            Err(problems) => {
                for (field, text) in problems {
                    errors.push(FieldError::new(&phase_key(i, field), "invalid_fact", text));
                }
                Default::default()
            }
        };
        phases.push(PhaseInput {
            name: typed.get(&phase_key(i, "name")),
            status: typed.form.opt(&phase_key(i, "status")),
            facts,
        });
    }
    Read {
        total_investment_yuan: total,
        expected_output_yuan: output,
        expected_tax_yuan: tax,
        jobs,
        phases,
        dues,
        errors,
    }
}

/// How many phases the posted form shows: as it says, one more if its "add a phase" button
/// was pressed, at least `least`, at most [`MAX_PHASES`].
fn phase_count(form: &FormData, least: usize) -> usize {
    let shown = form
        .text("phase_count")
        .trim()
        .parse::<usize>()
        .unwrap_or(least);
    let add = usize::from(form.get("add_phase").is_some());
    (shown + add).clamp(least.max(1), MAX_PHASES)
}

/// The use case's refusal as the form shows it: field errors beside their fields, the rest
/// above the form.
fn refusal(e: StewardshipError, lang: Lang) -> Result<(StatusCode, Vec<FieldError>), ApiError> {
    let e = ApiError::app(lang, e);
    if e.status.is_server_error() || e.status == StatusCode::FORBIDDEN {
        return Err(e);
    }
    let mut errors: Vec<FieldError> = e
        .body
        .errors
        .iter()
        .map(|f| {
            FieldError::new(
                &form_name(&f.field),
                "invalid",
                Text::new(f.message.clone(), f.message.clone()),
            )
        })
        .collect();
    if errors.is_empty() {
        let field = e.body.field.as_deref().map(form_name).unwrap_or_default();
        errors.push(FieldError::new(
            &field,
            "invalid",
            Text::new(e.body.message.clone(), e.body.message.clone()),
        ));
    }
    Ok((e.status, errors))
}

#[allow(clippy::too_many_arguments)]
fn page_of(
    l: Layout,
    status: StatusCode,
    action: String,
    cancel: String,
    version: Option<i64>,
    typed: &Typed,
    errors: &[FieldError],
    existing: &[Existing],
    choices: Option<&Choices>,
) -> Response {
    let lang = l.tr.lang;
    let (details, phases) = fields(typed, errors, lang, existing, choices);
    let mut named: Vec<&str> = details.iter().map(|f| f.name.as_str()).collect();
    for p in &phases {
        named.push(&p.name.name);
        if let Some(s) = &p.status {
            named.push(&s.name);
        }
        if let Some(d) = &p.production_due {
            named.push(&d.name);
        }
        named.extend(p.conditions.iter().map(|f| f.name.as_str()));
    }
    let general = errors
        .iter()
        .filter(|e| !named.contains(&e.field.as_str()))
        .map(|e| e.message(lang).to_string())
        .collect();
    render(
        status,
        &FormPage {
            l,
            action,
            cancel,
            version,
            details,
            may_add: phases.len() < MAX_PHASES,
            phases,
            general,
            has_errors: !errors.is_empty(),
        },
    )
}

async fn choices(state: &AppState, page: &PageUser) -> Result<Choices, StewardshipError> {
    let c = projects::form_choices(&state.app, &page.caller()).await?;
    Ok(Choices {
        enterprises: c.enterprises,
        stewards: c.stewards,
    })
}

async fn new_form(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(
        &state,
        &page,
        "project.new",
        "nav.projects",
        "/projects/new",
    )
    .await;
    let choices = match choices(&state, &page).await {
        Ok(c) => c,
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    Ok(page_of(
        l,
        StatusCode::OK,
        "/projects".into(),
        "/projects".into(),
        None,
        &typed_new(),
        &[],
        &[],
        Some(&choices),
    ))
}

async fn create(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = Layout::new(
        &state,
        &page,
        "project.new",
        "nav.projects",
        "/projects/new",
    )
    .await;
    let choices = match choices(&state, &page).await {
        Ok(c) => c,
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let adding = form.get("add_phase").is_some();
    let typed = Typed {
        phases: phase_count(&form, 1),
        form,
    };
    let show = |l, status, errors: &[FieldError]| {
        page_of(
            l,
            status,
            "/projects".into(),
            "/projects".into(),
            None,
            &typed,
            errors,
            &[],
            Some(&choices),
        )
    };
    if adding {
        return Ok(show(l, StatusCode::OK, &[]));
    }
    let read = read(&typed, 0);
    let mut errors = read.errors;
    let enterprise_id = typed.get("enterprise_id").trim().parse::<i64>().ok();
    if enterprise_id.is_none() {
        errors.push(FieldError::new(
            "enterprise_id",
            "required",
            Text::key("project.form_error.enterprise_required"),
        ));
    }
    if !errors.is_empty() {
        return Ok(show(l, StatusCode::UNPROCESSABLE_ENTITY, &errors));
    }
    let request = CreateProjectRequest {
        enterprise_id: enterprise_id.unwrap_or_default(),
        name: typed.get("name"),
        name_en: typed.form.opt("name_en"),
        total_investment_yuan: read.total_investment_yuan,
        industry_code: typed.form.opt("industry_code"),
        chain_position: typed.form.opt("chain_position"),
        expected_output_yuan: read.expected_output_yuan,
        expected_tax_yuan: read.expected_tax_yuan,
        jobs: read.jobs,
        steward_user_id: typed.get("steward_user_id").trim().parse().ok(),
        phases: read.phases,
    };
    match projects::create(&state.app, &page.caller(), request).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?done=created", p.id)).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e, page.lang)?;
            Ok(show(l, status, &errors))
        }
    }
}

async fn edit_form(
    State(state): State<AppState>,
    page: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let path = format!("/projects/{raw}/edit");
    let l = Layout::new(&state, &page, "project.edit", "nav.projects", &path).await;
    let Some(id) = path_number(&raw) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let project = match projects::for_edit(&state.app, &page.caller(), id).await {
        Ok(p) => p,
        Err(e) => {
            return Refusal::of(page.lang, e)
                .answer(std::future::ready(l))
                .await;
        }
    };
    let dates = completion_list::production_dates(&state.app, &page.caller(), id)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let stages = stages(&project, &dates, page.lang);
    let title = edit_title(&l, &project);
    Ok(page_of(
        l.titled(title),
        StatusCode::OK,
        format!("/projects/{id}/edit"),
        format!("/projects/{id}"),
        Some(project.version),
        &typed_of(&project, &dates),
        &[],
        &stages,
        None,
    ))
}

/// A phase the project has, as its form shows it: its stage, and the production date
/// due when none is agreed (two years after construction started).
struct Existing {
    stage: String,
    default_due: String,
}

fn stages(p: &Project, dates: &[PhaseDates], lang: Lang) -> Vec<Existing> {
    p.phases
        .iter()
        .map(|ph| Existing {
            stage: ph.status.label().get(lang).to_string(),
            default_due: dates
                .iter()
                .find(|d| d.phase_id == ph.id)
                .and_then(|d| completion::production_due(None, d.construction_started_on))
                .map_or_else(
                    || {
                        i18n::text(lang, "cluster.pages.completion.production_due_default")
                            .to_string()
                    },
                    |d| d.to_string(),
                ),
        })
        .collect()
}

fn edit_title(l: &Layout, p: &Project) -> String {
    i18n::fill(
        l.tr.lang,
        "project.edit_title",
        &[(
            "name",
            l.tr.pick(&p.name, p.name_en.as_deref().unwrap_or(&p.name)),
        )],
    )
}

async fn update(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let path = format!("/projects/{raw}/edit");
    let l = Layout::new(&state, &page, "project.edit", "nav.projects", &path).await;
    let Some(id) = path_number(&raw) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let project = match projects::for_edit(&state.app, &page.caller(), id).await {
        Ok(p) => p,
        Err(e) => {
            return Refusal::of(page.lang, e)
                .answer(std::future::ready(l))
                .await;
        }
    };
    let dates = completion_list::production_dates(&state.app, &page.caller(), id)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let stages = stages(&project, &dates, page.lang);
    let title = edit_title(&l, &project);
    let l = l.titled(title);
    let adding = form.get("add_phase").is_some();
    let version = form.text("version").trim().parse::<i64>().ok();
    let typed = Typed {
        phases: phase_count(&form, project.phases.len()),
        form,
    };
    let show = |l, status, errors: &[FieldError]| {
        page_of(
            l,
            status,
            format!("/projects/{id}/edit"),
            format!("/projects/{id}"),
            version,
            &typed,
            errors,
            &stages,
            None,
        )
    };
    if adding {
        return Ok(show(l, StatusCode::OK, &[]));
    }
    let read = read(&typed, project.phases.len());
    if !read.errors.is_empty() {
        return Ok(show(l, StatusCode::UNPROCESSABLE_ENTITY, &read.errors));
    }
    let dues = read.dues.clone();
    let request = UpdateProjectRequest {
        version: version.unwrap_or_default(),
        name: typed.get("name"),
        name_en: typed.form.opt("name_en"),
        total_investment_yuan: read.total_investment_yuan,
        industry_code: typed.form.opt("industry_code"),
        chain_position: typed.form.opt("chain_position"),
        expected_output_yuan: read.expected_output_yuan,
        expected_tax_yuan: read.expected_tax_yuan,
        jobs: read.jobs,
        phases: read.phases,
    };
    match projects::update(&state.app, &page.caller(), id, request).await {
        Ok(p) => {
            // The agreed production dates that changed, each audited on its own.
            for (ph, due) in project.phases.iter().zip(&dues) {
                let held = dates
                    .iter()
                    .find(|d| d.phase_id == ph.id)
                    .and_then(|d| d.production_due_on);
                if held != *due {
                    completion_list::set_production_due(&state.app, &page.caller(), ph.id, *due)
                        .await
                        .map_err(|e| ApiError::app(page.lang, e))?;
                }
            }
            Ok(Redirect::to(&format!("/projects/{}?done=saved", p.id)).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e, page.lang)?;
            Ok(show(l, status, &errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_use_cases_fields_are_the_forms() {
        assert_eq!(form_name("total_investment_yuan"), "total_investment_wan");
        assert_eq!(form_name("phases[1].facts.eia_class"), "phase2_eia_class");
        assert_eq!(form_name("phases[0].name"), "phase1_name");
        assert_eq!(form_name("name"), "name");
        assert_eq!(form_name("version"), "version");
    }
}
