//! One enterprise's year of statistics, `/statistics/{enterprise_id}?year=YYYY`: the
//! year's row and its twelve months (the months missing named), each period's versions
//! (who, when, the values before, why), and the form to enter or correct a period, with
//! each error beside its field. An enterprise sees and enters only its own (another's id
//! is the 404 page).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use luodi_app::cluster::ClusterError;
use luodi_app::cluster::statistics::{self, EnterpriseYear};
use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{Column, Figures, YearFigures, fixed_text};
use luodi_domain::core::i18n;
use luodi_domain::{EnterpriseId, Lang};
use luodi_store::cluster::statistics::StatRecord;

use super::statistics::{bad_query, figure_cells, figure_columns, state_class, when};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::form::{Control, FieldView};
use crate::pages::{FormData, Layout, PageForm, Refusal, path_number, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/statistics/{id}", get(show).post(enter))
}

/// A period's line: its figures, or that they are missing.
pub struct PeriodRow {
    pub period: String,
    pub label: String,
    pub cells: Option<Vec<(String, String)>>,
    pub version: i64,
    pub entered: String,
    pub reason: String,
    pub closed: bool,
    pub correct_href: String,
}

/// One version of a period's figures.
pub struct VersionRow {
    pub period: String,
    pub version: i64,
    pub cells: Vec<(String, String)>,
    pub by: String,
    pub at: String,
    pub source: String,
    pub reason: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "statistics_year.html")]
struct YearPage {
    l: Layout,
    enterprise_id: i64,
    enterprise: String,
    uscc: String,
    year: i32,
    state: String,
    state_detail: String,
    state_class: &'static str,
    columns: Vec<String>,
    periods: Vec<PeriodRow>,
    versions: Vec<VersionRow>,
    may_enter: bool,
    fields: Vec<FieldView>,
    form_error: Option<String>,
}

/// The entry form's figure fields: the file's columns after the period.
const FIGURES: [Column; 8] = [
    Column::Revenue,
    Column::Output,
    Column::Tax,
    Column::ValueAdded,
    Column::Energy,
    Column::Rd,
    Column::Employees,
    Column::Land,
];

/// A period's figures as the form shows them to be typed again.
fn typed(f: &Figures) -> Vec<(String, String)> {
    let trim = |t: String| {
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        }
    };
    vec![
        (Column::Revenue.name().into(), f.revenue.wan_text()),
        (Column::Output.name().into(), f.output.wan_text()),
        (Column::Tax.name().into(), f.tax.wan_text()),
        (Column::ValueAdded.name().into(), f.value_added.wan_text()),
        (
            Column::Energy.name().into(),
            trim(fixed_text(f.energy.0, 3)),
        ),
        (Column::Rd.name().into(), f.rd.wan_text()),
        (Column::Employees.name().into(), f.employees.to_string()),
        (
            Column::Land.name().into(),
            f.land
                .map_or_else(String::new, |m| trim(fixed_text(m.0, 4))),
        ),
    ]
}

/// The form's fields with the values typed and each error beside its field.
fn fields(lang: Lang, values: &FormData, errors: &[(String, String)]) -> Vec<FieldView> {
    let error = |name: &str| {
        let all: Vec<&str> = errors
            .iter()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join("；"))
    };
    let mut out = vec![
        FieldView::labelled(
            "period",
            Column::Period.label(lang).to_string(),
            values.text("period"),
        )
        .required()
        .hint(i18n::text(lang, "cluster.pages.statistics.period_hint"))
        .error(error("period")),
    ];
    for c in FIGURES {
        let mut f = FieldView::labelled(c.name(), c.label(lang).to_string(), values.text(c.name()))
            .error(error(c.name()));
        f = if c == Column::Employees {
            f.whole()
        } else {
            f.figure()
        };
        if c.required() {
            f = f.required();
        } else {
            f = f.hint(i18n::text(lang, "cluster.pages.statistics.land_hint"));
        }
        out.push(f);
    }
    out.push(
        FieldView::text(
            lang,
            "reason",
            "cluster.pages.statistics.reason",
            values.text("reason"),
        )
        .control(Control::TextArea)
        .hint(i18n::text(lang, "cluster.pages.statistics.reason_hint"))
        .error(error("reason")),
    );
    out
}

fn is_closed(closed: &[String], p: Period) -> bool {
    closed.contains(&p.to_string()) || closed.contains(&p.year().to_string())
}

fn version_row(r: &StatRecord, lang: Lang) -> VersionRow {
    VersionRow {
        period: r.period.clone(),
        version: r.version,
        cells: figure_cells(&r.figures),
        by: r.entered_by.clone(),
        at: when(&r.entered_at),
        source: source_text(&r.source, lang),
        reason: r.reason.clone().unwrap_or_default(),
        current: r.superseded_at.is_none(),
    }
}

fn source_text(source: &str, lang: Lang) -> String {
    let key = format!("cluster.pages.statistics.source_{source}");
    i18n::lookup(lang, &key).map_or_else(|| source.to_string(), str::to_string)
}

/// The page of `view`, its form filled with `values` and `errors` beside their fields.
async fn page_of(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    view: EnterpriseYear,
    values: &FormData,
    errors: &[(String, String)],
    form_error: Option<String>,
) -> Response {
    let lang = page.lang;
    let id = view.enterprise.id.0;
    let path = format!("/statistics/{id}");
    let l = Layout::new(
        state,
        page,
        "cluster.pages.statistics.title",
        "nav.statistics",
        &path,
    )
    .await;
    let title = i18n::fill(
        lang,
        "cluster.pages.statistics.year_title",
        &[
            ("enterprise", &view.enterprise.name),
            ("year", &view.year.to_string()),
        ],
    );
    let l = l.titled(title);
    let year = view.year;
    let row_of = |p: Period| view.rows.iter().find(|r| r.period == p.to_string());
    let mut periods = Vec::with_capacity(13);
    for p in std::iter::once(Period::Year(year)).chain(Period::months_of(year)) {
        let r = row_of(p);
        let label = match p {
            Period::Year(_) => i18n::text(lang, "cluster.pages.statistics.whole_year").to_string(),
            Period::Month(..) => p.to_string(),
        };
        periods.push(PeriodRow {
            period: p.to_string(),
            label,
            cells: r.map(|r| figure_cells(&r.figures)),
            version: r.map_or(0, |r| r.version),
            entered: r.map_or_else(String::new, |r| {
                format!("{} · {}", r.entered_by, when(&r.entered_at))
            }),
            reason: r.and_then(|r| r.reason.clone()).unwrap_or_default(),
            closed: is_closed(&view.closed, p),
            correct_href: format!("/statistics/{id}?year={year}&period={p}#entry"),
        });
    }
    let (state_word, class) = match &view.figures {
        YearFigures::Complete { .. } => (
            statistics::state_text(&view.figures),
            statistics::YearState::Complete,
        ),
        YearFigures::Incomplete { .. } if view.rows.is_empty() => (
            luodi_domain::Text::key("cluster.pages.statistics.no_figures"),
            statistics::YearState::NoFigures,
        ),
        YearFigures::Incomplete { .. } => (
            statistics::state_text(&view.figures),
            statistics::YearState::Incomplete,
        ),
    };
    let versions = view.versions.iter().map(|r| version_row(r, lang)).collect();
    let fields = fields(lang, values, errors);
    render(
        status,
        &YearPage {
            enterprise_id: id,
            enterprise: view.enterprise.name.clone(),
            uscc: view.enterprise.uscc.clone(),
            year,
            state: class.label().get(lang).to_string(),
            state_detail: state_word.get(lang).to_string(),
            state_class: state_class(class),
            columns: figure_columns(&l.tr),
            periods,
            versions,
            may_enter: view.may_enter,
            fields,
            form_error,
            l,
        },
    )
}

/// The year the page shows: the one asked, else last year.
fn year_of(state: &AppState, params: &QueryParams) -> Result<i32, ApiError> {
    Ok(params.int("year", 1990, 2100)?.map_or_else(
        || chrono::Datelike::year(&state.app.today()) - 1,
        |y| y as i32,
    ))
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(raw): Path<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let params = params.with_lang(page.lang);
    let layout = || {
        Layout::new(
            &state,
            &page,
            "error.title",
            "nav.statistics",
            "/statistics",
        )
    };
    let Some(id) = path_number(&raw) else {
        return Refusal::Page(StatusCode::NOT_FOUND, "error.not_found")
            .answer(layout())
            .await;
    };
    let year = match params
        .only(&["year", "period", "done"])
        .and_then(|()| year_of(&state, &params))
    {
        Ok(y) => y,
        Err(e) => return Ok(bad_query(layout().await, e)),
    };
    let view = match statistics::enterprise_year(&state.app, &page.caller(), EnterpriseId(id), year)
        .await
    {
        Ok(v) => v,
        Err(e) => return Refusal::of(page.lang, e).answer(layout()).await,
    };
    // A period asked for correction: its figures typed in the form already.
    let mut pairs = Vec::new();
    if let Some(p) = params.text("period").and_then(|p| Period::parse(p).ok()) {
        pairs.push(("period".to_string(), p.to_string()));
        if let Some(r) = view.rows.iter().find(|r| r.period == p.to_string()) {
            pairs.extend(typed(&r.figures));
        }
    }
    Ok(page_of(
        &state,
        &page,
        StatusCode::OK,
        view,
        &FormData::of(pairs),
        &[],
        None,
    )
    .await)
}

async fn enter(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    form: PageForm,
) -> Result<Response, ApiError> {
    let PageForm { page, form } = form;
    let layout = || {
        Layout::new(
            &state,
            &page,
            "error.title",
            "nav.statistics",
            "/statistics",
        )
    };
    let Some(id) = path_number(&raw) else {
        return Refusal::Page(StatusCode::NOT_FOUND, "error.not_found")
            .answer(layout())
            .await;
    };
    let caller = page.caller();
    let cells: Vec<(String, Option<String>)> = std::iter::once(Column::Period)
        .chain(FIGURES)
        .map(|c| {
            let v = form.text(c.name());
            let v = v.trim();
            (c.name().to_string(), (!v.is_empty()).then(|| v.to_string()))
        })
        .collect();
    let reason = form.text("reason");
    let reason = Some(reason.trim()).filter(|r| !r.is_empty());
    let period = Period::parse(form.text("period").trim()).ok();
    let result = statistics::enter(&state.app, &caller, EnterpriseId(id), &cells, reason).await;
    let (errors, form_error, status) = match result {
        Ok(done) => {
            let year = period.map_or_else(
                || chrono::Datelike::year(&state.app.today()) - 1,
                Period::year,
            );
            return Ok(Redirect::to(&format!(
                "/statistics/{id}?year={year}&done=statistics_entered,created:{},corrected:{}",
                done.created, done.corrected
            ))
            .into_response());
        }
        Err(ClusterError::Rows(problems)) => {
            let mut errors = Vec::new();
            let mut general = Vec::new();
            for p in problems {
                let message = p.reason.get(page.lang).to_string();
                if p.column == "reason"
                    || p.column == "period"
                    || FIGURES.iter().any(|c| c.name() == p.column)
                {
                    errors.push((p.column, message));
                } else {
                    general.push(message);
                }
            }
            let general = (!general.is_empty()).then(|| general.join("；"));
            (errors, general, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => match Refusal::of(page.lang, e) {
            Refusal::Input(e) => (Vec::new(), Some(e.body.message), e.status),
            r => return r.answer(layout()).await,
        },
    };
    let year = period.map_or_else(
        || chrono::Datelike::year(&state.app.today()) - 1,
        Period::year,
    );
    let view = match statistics::enterprise_year(&state.app, &caller, EnterpriseId(id), year).await
    {
        Ok(v) => v,
        Err(e) => return Refusal::of(page.lang, e).answer(layout()).await,
    };
    Ok(page_of(&state, &page, status, view, &form, &errors, form_error).await)
}
