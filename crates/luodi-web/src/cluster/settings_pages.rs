//! `/cluster/settings`: what a zone administrator keeps for the cluster — its industry
//! classes, the ramp to full production, the 亩均 revenue line and the department a failed
//! post-completion check goes to; what the zone knows of each year (a declared count of
//! market entities, the city's totals); and the targets, each edited, added or removed on
//! its own form. A refused form comes back with each error beside its field, in the
//! reader's language, and what was typed kept; a saved one is confirmed (`?done=`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::cluster::dashboard::TargetInput;
use luodi_app::cluster::settings::{self, GeneralInput, SettingsView, YearInput, input_of};
use luodi_domain::Lang;
use luodi_domain::cluster::figures::Figure;
use luodi_domain::core::i18n::text;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::i18n::Tr;
use crate::pages::form::FieldView;
use crate::pages::{FormData, Layout, PageForm, Refusal, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cluster/settings", get(show))
        .route("/cluster/settings/general", post(save_general))
        .route("/cluster/settings/years", post(save_year))
        .route("/cluster/settings/schemes", post(save_scheme))
        .route(
            "/cluster/settings/schemes/{year}/remove",
            post(remove_scheme),
        )
        .route("/cluster/settings/targets", post(add_target))
        .route("/cluster/settings/targets/{code}", post(edit_target))
        .route(
            "/cluster/settings/targets/{code}/remove",
            post(remove_target),
        )
}

/// A target's form: its code (the form's id) and its fields.
struct TargetForm {
    code: String,
    title: String,
    action: String,
    fields: Vec<FieldView>,
    open: bool,
}

/// A group of a scheme's form: its heading, its error (weights that do not add up), and
/// each indicator's weight and benchmark fields.
type SchemeGroup = (String, Option<String>, Vec<(FieldView, FieldView)>);

/// A 亩均 scheme's form: the zone's, a year's own, or a new year's.
struct SchemeForm {
    id: String,
    title: String,
    summary: String,
    fields: Vec<FieldView>,
    /// Each group's heading, its error (weights that do not add up), and each
    /// indicator's weight and benchmark fields.
    groups: Vec<SchemeGroup>,
    open: bool,
    /// The year a year's own scheme can be removed for.
    removable: Option<i32>,
}

/// A year the zone knows something of, as a row.
struct YearRow {
    year: i32,
    declared: String,
    city: Vec<String>,
}

#[derive(Template)]
#[template(path = "cluster_settings.html")]
struct SettingsPage {
    l: Layout,
    general: Vec<FieldView>,
    years: Vec<YearRow>,
    year_fields: Vec<FieldView>,
    targets: Vec<TargetForm>,
    new_target: TargetForm,
    schemes: Vec<SchemeForm>,
    refused_at: String,
    refusal: Option<String>,
}

/// A form refused: which form, what was typed, and each field's error as the reader reads it.
struct Refused {
    form: String,
    typed: FormData,
    errors: Vec<(String, String)>,
    message: Option<String>,
}

fn typed_or(refused: Option<&Refused>, form: &str, name: &str, held: String) -> String {
    match refused.filter(|r| r.form == form) {
        Some(r) => r.typed.text(name),
        None => held,
    }
}

fn error_of(refused: Option<&Refused>, form: &str, name: &str) -> Option<String> {
    refused
        .filter(|r| r.form == form)
        .and_then(|r| r.errors.iter().find(|(f, _)| f == name))
        .map(|(_, m)| m.clone())
}

fn general_fields(lang: Lang, view: &SettingsView, refused: Option<&Refused>) -> Vec<FieldView> {
    let s = &view.settings;
    let field = |name: &str, label: &str, held: String| {
        FieldView::text(lang, name, label, typed_or(refused, "general", name, held))
            .prefixed("general")
            .error(error_of(refused, "general", name))
    };
    let departments = view
        .departments
        .iter()
        .map(|(_, code, zh, en)| (code.clone(), if lang == Lang::Zh { zh } else { en }.clone()))
        .collect();
    vec![
        field(
            "classes",
            "cluster.settings.classes",
            s.cluster.classes.join(", "),
        )
        .required()
        .hint(text(lang, "cluster.settings.classes_hint")),
        field("ramp", "cluster.settings.ramp", s.ramp.to_string())
            .required()
            .hint(text(lang, "cluster.settings.ramp_hint")),
        field(
            "completion_department",
            "cluster.settings.completion_department",
            s.completion_department_id
                .and_then(|id| view.departments.iter().find(|d| d.0 == id))
                .map(|d| d.1.clone())
                .unwrap_or_default(),
        )
        .choices(departments)
        .blank(text(lang, "cluster.settings.default_department")),
    ]
}

fn year_fields(lang: Lang, refused: Option<&Refused>) -> Vec<FieldView> {
    let field = |name: &str, label: &str| {
        FieldView::text(
            lang,
            name,
            label,
            typed_or(refused, "year", name, String::new()),
        )
        .prefixed("year")
        .error(error_of(refused, "year", name))
    };
    vec![
        field("year", "cluster.settings.year").whole().required(),
        field("declared_entities", "cluster.settings.declared").whole(),
        field("city_entities", "cluster.settings.city_entities").whole(),
        field("city_output_wan", "cluster.settings.city_output").figure(),
        field("city_revenue_wan", "cluster.settings.city_revenue").figure(),
        field("city_tax_wan", "cluster.settings.city_tax").figure(),
    ]
}

fn target_fields(
    lang: Lang,
    view: &SettingsView,
    form: &str,
    held: Option<TargetInput>,
    refused: Option<&Refused>,
) -> Vec<FieldView> {
    let h = held.unwrap_or(TargetInput {
        code: String::new(),
        figure: String::new(),
        name_zh: String::new(),
        name_en: String::new(),
        definition_zh: String::new(),
        definition_en: String::new(),
        owner_department: None,
        baseline_year: 0,
        baseline_value: String::new(),
        target_year: 0,
        target_value: String::new(),
        yellow_margin_pp: 5.0,
        alarm_growth_pct: None,
        excellence_growth_pct: None,
    });
    let year = |y: i32| if y == 0 { String::new() } else { y.to_string() };
    let pct = |p: Option<f64>| p.map(|p| format!("{p}")).unwrap_or_default();
    let field = |name: &str, label: &str, held: String| {
        FieldView::text(lang, name, label, typed_or(refused, form, name, held))
            .prefixed(&format!("t-{form}"))
            .error(error_of(refused, form, name))
    };
    let figures = Figure::ALL
        .iter()
        .map(|f| (f.name().to_string(), f.label().get(lang).to_string()))
        .collect();
    let departments = view
        .departments
        .iter()
        .map(|(_, code, zh, en)| (code.clone(), if lang == Lang::Zh { zh } else { en }.clone()))
        .collect();
    vec![
        field("code", "cluster.settings.code", h.code)
            .required()
            .hint(text(lang, "cluster.settings.code_hint")),
        field("figure", "cluster.settings.figure", h.figure)
            .choices(figures)
            .required(),
        field("name_zh", "cluster.settings.name_zh", h.name_zh).required(),
        field("name_en", "cluster.settings.name_en", h.name_en).required(),
        field(
            "definition_zh",
            "cluster.settings.definition_zh",
            h.definition_zh,
        ),
        field(
            "definition_en",
            "cluster.settings.definition_en",
            h.definition_en,
        ),
        field(
            "owner_department",
            "cluster.settings.owner",
            h.owner_department.unwrap_or_default(),
        )
        .choices(departments),
        field(
            "baseline_year",
            "cluster.settings.baseline_year",
            year(h.baseline_year),
        )
        .whole()
        .required(),
        field(
            "baseline_value",
            "cluster.settings.baseline_value",
            h.baseline_value,
        )
        .figure()
        .required()
        .hint(text(lang, "cluster.settings.value_hint")),
        field(
            "target_year",
            "cluster.settings.target_year",
            year(h.target_year),
        )
        .whole()
        .required(),
        field(
            "target_value",
            "cluster.settings.target_value",
            h.target_value,
        )
        .figure()
        .required(),
        field(
            "yellow_margin_pp",
            "cluster.settings.margin",
            format!("{}", h.yellow_margin_pp),
        )
        .figure()
        .hint(text(lang, "cluster.settings.margin_hint")),
        field(
            "alarm_growth_pct",
            "cluster.settings.alarm",
            pct(h.alarm_growth_pct),
        )
        .figure(),
        field(
            "excellence_growth_pct",
            "cluster.settings.excellence",
            pct(h.excellence_growth_pct),
        )
        .figure(),
    ]
}

/// A scheme's form. `year`: the year's own (`Some`), or the zone's (`None`); `new`: a
/// form for a year not set yet, its year typed.
fn scheme_form(
    lang: Lang,
    id: &str,
    year: Option<i32>,
    new: bool,
    scheme: &luodi_domain::cluster::mu::Scheme,
    refused: Option<&Refused>,
) -> SchemeForm {
    use luodi_domain::cluster::mu::{Indicator, Method};
    let tr = Tr::new(lang);
    let field = |name: &str, label: String, held: String| {
        FieldView::labelled(name, label, typed_or(refused, id, name, held))
            .prefixed(id)
            .error(error_of(refused, id, name))
    };
    let t = |k: &str| text(lang, k).to_string();
    let mut fields = Vec::new();
    if new {
        fields.push(
            field("year", t("cluster.settings.year"), String::new())
                .whole()
                .required(),
        );
    } else if let Some(y) = year {
        fields.push(
            FieldView::labelled("year", t("cluster.settings.year"), y.to_string())
                .prefixed(id)
                .id(format!("{id}-year-fixed")),
        );
        fields.last_mut().expect("just pushed").readonly = true;
    }
    let (method, cap) = match scheme.method {
        Method::MinMax => ("min_max", String::new()),
        Method::Benchmark { cap } => ("benchmark", format!("{cap}")),
    };
    fields.push(
        field(
            "method",
            t("cluster.settings.scheme.method"),
            method.to_string(),
        )
        .choices(vec![
            ("min_max".into(), t("cluster.settings.scheme.min_max")),
            ("benchmark".into(), t("cluster.settings.scheme.benchmark")),
        ])
        .required(),
    );
    fields.push(
        field("cap", t("cluster.settings.scheme.cap"), cap)
            .figure()
            .hint(t("cluster.settings.scheme.cap_hint")),
    );
    fields.push(
        field(
            "revenue_line_wan",
            t("cluster.settings.revenue_line"),
            scheme.revenue_line.wan_text(),
        )
        .figure()
        .required(),
    );
    for (i, k) in ["band_a", "band_b", "band_c"].iter().enumerate() {
        fields.push(
            field(
                k,
                t(&format!("cluster.settings.scheme.{k}")),
                scheme.bands[i].to_string(),
            )
            .whole()
            .required(),
        );
    }
    let groups = [("above", &scheme.above), ("below", &scheme.below)]
        .into_iter()
        .map(|(group, list)| {
            let rows = Indicator::ALL
                .iter()
                .map(|ind| {
                    let held = list.iter().find(|w| w.indicator == *ind);
                    let name = format!("{group}_{}", ind.name());
                    let label = ind.label().get(lang).to_string();
                    (
                        field(
                            &name,
                            luodi_domain::core::i18n::fill(
                                lang,
                                "cluster.settings.scheme.weight",
                                &[("indicator", &label)],
                            ),
                            held.map(|w| w.weight.to_string()).unwrap_or_default(),
                        )
                        .whole(),
                        field(
                            &format!("{name}_benchmark"),
                            luodi_domain::core::i18n::fill(
                                lang,
                                "cluster.settings.scheme.benchmark_of",
                                &[("unit", ind.unit().get(lang))],
                            ),
                            held.and_then(|w| w.benchmark)
                                .map(|b| {
                                    // R&D intensity is a fraction, written in per cent.
                                    if *ind == Indicator::RdIntensity {
                                        format!("{}", (b * 1e6).round() / 1e4)
                                    } else {
                                        format!("{b}")
                                    }
                                })
                                .unwrap_or_default(),
                        )
                        .figure(),
                    )
                })
                .collect();
            (
                t(&format!("cluster.settings.scheme.{group}")),
                error_of(refused, id, group),
                rows,
            )
        })
        .collect();
    let weights = |list: &[luodi_domain::cluster::mu::Weighted]| {
        list.iter()
            .map(|w| format!("{} {}", w.indicator.label().get(lang), w.weight))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let summary = luodi_domain::core::i18n::fill(
        lang,
        "cluster.settings.scheme.summary",
        &[
            ("method", &t(&format!("cluster.settings.scheme.{method}"))),
            ("line", &scheme.revenue_line.display(lang)),
            ("above", &weights(&scheme.above)),
            ("below", &weights(&scheme.below)),
            (
                "bands",
                &format!(
                    "{}/{}/{}",
                    scheme.bands[0], scheme.bands[1], scheme.bands[2]
                ),
            ),
        ],
    );
    SchemeForm {
        id: id.to_string(),
        title: match (new, year) {
            (true, _) => tr.t("cluster.settings.scheme.new").to_string(),
            (false, Some(y)) => luodi_domain::core::i18n::fill(
                lang,
                "cluster.settings.scheme.year_scheme",
                &[("year", &y.to_string())],
            ),
            (false, None) => tr.t("cluster.settings.scheme.zone_scheme").to_string(),
        },
        summary,
        fields,
        groups,
        open: refused.is_some_and(|r| r.form == id),
        removable: year.filter(|_| !new),
    }
}

async fn page(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    refused: Option<Refused>,
) -> Result<Response, ApiError> {
    let layout = || {
        Layout::new(
            state,
            page,
            "cluster.settings.title",
            "nav.kpis",
            "/cluster/settings",
        )
    };
    let view = match settings::view(&state.app, &page.caller()).await {
        Ok(v) => v,
        Err(e) => return Refusal::of(page.lang, e).answer(layout()).await,
    };
    let lang = page.lang;
    let tr = Tr::new(lang);
    let r = refused.as_ref();
    let money = |f: Option<luodi_domain::core::money::Fen>| {
        f.map(|f| super::dashboard_pages::money_words(lang, f.0 as f64 / 100.0))
            .unwrap_or_else(|| "—".into())
    };
    let years = view
        .years
        .iter()
        .rev()
        .map(|y| YearRow {
            year: y.year,
            declared: y
                .declared_entities
                .map_or_else(|| "—".into(), |n| n.to_string()),
            city: vec![
                y.city
                    .entities
                    .map_or_else(|| "—".into(), |n| n.to_string()),
                money(y.city.output),
                money(y.city.revenue),
                money(y.city.tax),
            ],
        })
        .collect();
    let targets = view
        .targets
        .iter()
        .map(|t| {
            let form = t.code.clone();
            TargetForm {
                title: tr.pick(&t.name_zh, &t.name_en).to_string(),
                action: format!("/cluster/settings/targets/{}", t.code),
                fields: target_fields(lang, &view, &form, Some(input_of(t, &view.departments)), r),
                open: r.is_some_and(|r| r.form == form),
                code: form,
            }
        })
        .collect();
    let new_target = TargetForm {
        code: "new".into(),
        title: tr.t("cluster.settings.new_target").to_string(),
        action: "/cluster/settings/targets".into(),
        fields: target_fields(lang, &view, "new", None, r),
        open: r.is_some_and(|r| r.form == "new"),
    };
    let mut schemes = vec![scheme_form(
        lang,
        "scheme-zone",
        None,
        false,
        &view.settings.scheme,
        r,
    )];
    for (year, scheme) in &view.schemes {
        schemes.push(scheme_form(
            lang,
            &format!("scheme-{year}"),
            Some(*year),
            false,
            scheme,
            r,
        ));
    }
    schemes.push(scheme_form(
        lang,
        "scheme-new",
        None,
        true,
        &view.settings.scheme,
        r,
    ));
    let l = layout().await;
    Ok(render(
        status,
        &SettingsPage {
            general: general_fields(lang, &view, r),
            years,
            year_fields: year_fields(lang, r),
            targets,
            new_target,
            schemes,
            refused_at: r.map(|r| r.form.clone()).unwrap_or_default(),
            refusal: r.map(|r| {
                r.message
                    .clone()
                    .unwrap_or_else(|| tr.t("form.has_errors").to_string())
            }),
            l,
        },
    ))
}

async fn show(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    page(&state, &user, StatusCode::OK, None).await
}

/// The answer to a form: back to the page, confirmed, when saved; the page again with
/// each error beside its field when refused; the error page when the caller may not.
async fn answer<T>(
    state: &AppState,
    form: PageForm,
    which: &str,
    result: Result<T, luodi_app::cluster::ClusterError>,
    done: &str,
) -> Result<Response, ApiError> {
    let PageForm { page: user, form } = form;
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cluster/settings?done={done}#{which}")).into_response())
        }
        Err(e) => match Refusal::of(user.lang, e) {
            Refusal::Input(e) => {
                let mut errors: Vec<(String, String)> = e
                    .body
                    .errors
                    .iter()
                    .map(|f| (f.field.clone(), f.message.clone()))
                    .collect();
                if let Some(f) = &e.body.field {
                    errors.push((f.clone(), e.body.message.clone()));
                }
                let message = errors.is_empty().then(|| e.body.message.clone());
                page(
                    state,
                    &user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(Refused {
                        form: which.to_string(),
                        typed: form,
                        errors,
                        message,
                    }),
                )
                .await
            }
            other => {
                other
                    .answer(Layout::new(
                        state,
                        &user,
                        "error.title",
                        "nav.kpis",
                        "/cluster/settings",
                    ))
                    .await
            }
        },
    }
}

async fn save_general(State(state): State<AppState>, form: PageForm) -> Result<Response, ApiError> {
    let input = GeneralInput {
        classes: form.form.text("classes"),
        ramp: form.form.text("ramp"),
        completion_department: form.form.text("completion_department"),
    };
    let result = settings::set_general(&state.app, &form.page.caller(), &input).await;
    answer(&state, form, "general", result, "cluster_settings_saved").await
}

async fn save_year(State(state): State<AppState>, form: PageForm) -> Result<Response, ApiError> {
    let f = &form.form;
    let input = YearInput {
        year: f.text("year"),
        declared_entities: f.text("declared_entities"),
        city_entities: f.text("city_entities"),
        city_output_wan: f.text("city_output_wan"),
        city_revenue_wan: f.text("city_revenue_wan"),
        city_tax_wan: f.text("city_tax_wan"),
    };
    let result = settings::set_year(&state.app, &form.page.caller(), &input).await;
    answer(&state, form, "year", result, "cluster_year_saved").await
}

/// The scheme forms' fields as sent.
fn scheme_input(f: &FormData) -> settings::SchemeInput {
    settings::SchemeInput {
        year: f.text("year"),
        fields: f.pairs.iter().cloned().collect(),
    }
}

async fn save_scheme(State(state): State<AppState>, form: PageForm) -> Result<Response, ApiError> {
    let input = scheme_input(&form.form);
    // Which form sent it: a year's own (its year fixed), the zone's, or a new year's.
    let which = match form.form.text("form").as_str() {
        "zone" => "scheme-zone".to_string(),
        "new" => "scheme-new".to_string(),
        _ => format!("scheme-{}", input.year.trim()),
    };
    let result = settings::set_scheme(&state.app, &form.page.caller(), &input, false).await;
    answer(&state, form, &which, result, "cluster_scheme_saved").await
}

async fn remove_scheme(
    State(state): State<AppState>,
    Path(year): Path<String>,
    form: PageForm,
) -> Result<Response, ApiError> {
    let input = settings::SchemeInput {
        year: year.clone(),
        fields: Default::default(),
    };
    let result = settings::set_scheme(&state.app, &form.page.caller(), &input, true).await;
    answer(
        &state,
        form,
        &format!("scheme-{year}"),
        result,
        "cluster_scheme_removed",
    )
    .await
}

/// A target's form as typed, with the fields that could not be read as what they must
/// be (a year, a percentage), each with why.
fn target_input(f: &FormData) -> (TargetInput, Vec<(String, luodi_domain::Text)>) {
    use luodi_domain::Text;
    let mut bad: Vec<(String, Text)> = Vec::new();
    let mut year = |name: &str| match f.text(name).trim().parse::<i32>() {
        Ok(y) => y,
        Err(_) => {
            bad.push((name.into(), Text::key("rules.target.year_out_of_range")));
            0
        }
    };
    let baseline_year = year("baseline_year");
    let target_year = year("target_year");
    let mut number = |name: &str, key: &str| -> Option<f64> {
        let v = f.text(name);
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        match v.parse::<f64>() {
            Ok(p) if p.is_finite() => Some(p),
            _ => {
                bad.push((name.into(), Text::key(key)));
                None
            }
        }
    };
    let yellow_margin_pp = number("yellow_margin_pp", "rules.target.margin").unwrap_or(5.0);
    let alarm_growth_pct = number("alarm_growth_pct", "cluster.error.pct");
    let excellence_growth_pct = number("excellence_growth_pct", "cluster.error.pct");
    let owner = f.text("owner_department");
    (
        TargetInput {
            code: f.text("code").trim().to_string(),
            figure: f.text("figure"),
            name_zh: f.text("name_zh"),
            name_en: f.text("name_en"),
            definition_zh: f.text("definition_zh"),
            definition_en: f.text("definition_en"),
            owner_department: (!owner.trim().is_empty()).then_some(owner),
            baseline_year,
            baseline_value: f.text("baseline_value"),
            target_year,
            target_value: f.text("target_value"),
            yellow_margin_pp,
            alarm_growth_pct,
            excellence_growth_pct,
        },
        bad,
    )
}

async fn save_target(
    state: AppState,
    form: PageForm,
    which: String,
    replacing: Option<String>,
) -> Result<Response, ApiError> {
    let (input, unread) = target_input(&form.form);
    let result = settings::save_target(
        &state.app,
        &form.page.caller(),
        replacing.as_deref(),
        input,
        unread,
    )
    .await;
    answer(&state, form, &which, result, "cluster_target_saved").await
}

async fn add_target(State(state): State<AppState>, form: PageForm) -> Result<Response, ApiError> {
    save_target(state, form, "new".into(), None).await
}

async fn edit_target(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: PageForm,
) -> Result<Response, ApiError> {
    save_target(state, form, code.clone(), Some(code)).await
}

async fn remove_target(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: PageForm,
) -> Result<Response, ApiError> {
    let result = settings::remove_target(&state.app, &form.page.caller(), &code).await;
    answer(&state, form, &code, result, "cluster_target_removed").await
}
