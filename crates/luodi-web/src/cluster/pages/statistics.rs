//! Enterprises' statistics on the pages: the list `/statistics` (each enterprise's year
//! with its state, searched, filtered, sorted, paged and exported), the import
//! `/statistics/import` (a CSV or XLSX file, all or nothing, every problem by row and
//! column), its templates, and the closed periods `/statistics/periods`. One enterprise's
//! year and its entry form are in `statistics_year.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use luodi_app::cluster::ClusterError;
use luodi_app::cluster::statistics::{self, LIST, MAX_FILE_BYTES, YearState};
use luodi_domain::Operation;
use luodi_domain::cluster::statistics::{Column, Figures, RowProblem};
use luodi_domain::core::i18n;
use luodi_domain::core::money::{Fen, group_digits};
use luodi_domain::core::time::{from_stored, zone_display};

use crate::AppState;
use crate::error::ApiError;
use crate::export::ExportFormat;
use crate::extract::{PageUser, QueryParams};
use crate::i18n::Tr;
use crate::pages::form::{Control, FieldView};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, PageForm, Refusal, page_zone, render};

/// What a multipart form may hold beyond the file: the CSRF field, the reason, the heads.
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/statistics", get(show_list))
        .merge(list::exports(
            "/statistics",
            &LIST,
            |state, caller, query| async move {
                statistics::export(&state.app, &caller, &query).await
            },
        ))
        .route(
            "/statistics/import",
            get(import_form)
                .post(import)
                .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + FORM_OVERHEAD_BYTES)),
        )
        .route("/statistics/template.csv", get(template_csv))
        .route("/statistics/template.xlsx", get(template_xlsx))
        .route("/statistics/periods", get(periods_page).post(set_period))
}

/// An amount in 万元 as the zone writes it (`1,234.5`), with the exact yuan for the hover.
pub fn wan(f: Fen) -> (String, String) {
    let text = f.wan_text();
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_string(), group_digits);
    let shown = if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    };
    (shown, format!("{} ¥", f.exact_yuan()))
}

/// A fixed-point figure without trailing zeros (`12.5`, `40`).
fn fixed(n: i64, decimals: usize) -> String {
    let t = luodi_domain::cluster::statistics::fixed_text(n, decimals);
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

/// A period's figures as the tables show them, in the order of [`figure_columns`]:
/// (shown, on hover).
pub fn figure_cells(f: &Figures) -> Vec<(String, String)> {
    vec![
        wan(f.revenue),
        wan(f.output),
        wan(f.tax),
        wan(f.value_added),
        (fixed(f.energy.0, 3), String::new()),
        wan(f.rd),
        (group_digits(f.employees.unsigned_abs()), String::new()),
        (
            f.land.map_or_else(|| "—".into(), |m| fixed(m.0, 4)),
            String::new(),
        ),
    ]
}

/// The figures' columns, each with its unit, in the reader's language.
pub fn figure_columns(tr: &Tr) -> Vec<String> {
    Column::ALL[2..]
        .iter()
        .map(|c| c.label(tr.lang).to_string())
        .collect()
}

/// A year's state as a badge's class.
pub fn state_class(state: YearState) -> &'static str {
    match state {
        YearState::Complete => "done",
        YearState::Incomplete => "due",
        YearState::NoFigures => "not-started",
    }
}

/// A stored time as the zone reads it.
pub fn when(at: &str) -> String {
    from_stored(at).map_or_else(|| at.to_string(), zone_display)
}

pub struct LineRow {
    pub enterprise_id: i64,
    pub name: String,
    pub uscc: String,
    pub state: String,
    pub state_class: &'static str,
    pub detail: String,
    pub cells: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "statistics_list.html")]
struct ListPage {
    l: Layout,
    list: ListView,
    rows: Vec<LineRow>,
    year: i32,
    may_enter: bool,
    may_close: bool,
    closed: Vec<String>,
}

async fn show_list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/statistics";
    let l = Layout::new(
        &state,
        &page,
        "cluster.pages.statistics.title",
        "nav.statistics",
        path,
    )
    .await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let view = match statistics::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let tr = &l.tr;
    let t = |k: &str| tr.t(k).to_string();
    let mut years = view.years.clone();
    if !years.contains(&view.year) {
        years.push(view.year);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let mut list = ListView::new(tr, path, &query, view.found.total)
        .searched(&query)
        .select(
            &query,
            "year",
            tr.t("cluster.pages.statistics.year"),
            years
                .iter()
                .map(|y| (y.to_string(), y.to_string()))
                .collect(),
            None,
        )
        .select(
            &query,
            "state",
            tr.t("cluster.statistics.state"),
            YearState::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), s.label().get(tr.lang).to_string()))
                .collect(),
            Some(tr.t("lists.all")),
        )
        .select(
            &query,
            "cluster",
            tr.t("cluster.statistics.in_cluster"),
            vec![
                ("yes".into(), t("cluster.pages.statistics.yes")),
                ("no".into(), t("cluster.pages.statistics.no")),
            ],
            Some(tr.t("lists.all")),
        )
        .column(&query, tr.t("cluster.statistics.enterprise"), Some("name"))
        .column(&query, tr.t("cluster.statistics.state"), None);
    let columns = figure_columns(tr);
    let sorts = [
        Some("revenue"),
        Some("output"),
        Some("tax"),
        None,
        None,
        None,
        Some("employees"),
        None,
    ];
    for (label, sort) in columns.iter().zip(sorts) {
        list = list.column(&query, label, sort);
    }
    if query.filter("year").is_none() {
        // The year shown is the newest with figures: the select shows it first.
        if let Some(c) = list.controls.iter_mut().find(|c| c.name == "year") {
            c.value = view.year.to_string();
        }
    }
    let rows = view
        .found
        .items
        .iter()
        .map(|line| {
            let state = line.state();
            LineRow {
                enterprise_id: line.enterprise_id,
                name: line.name.clone(),
                uscc: line.uscc.clone(),
                state: state.label().get(tr.lang).to_string(),
                state_class: state_class(state),
                detail: line.state_text().get(tr.lang).to_string(),
                cells: match line.figures.figures() {
                    Some(f) => {
                        let mut cells = figure_cells(f);
                        if f.land.is_none()
                            && let Some(m) = line.land
                        {
                            cells[7] = (fixed(m.0, 4), String::new());
                        }
                        cells
                    }
                    None => vec![("—".to_string(), String::new()); 8],
                },
            }
        })
        .collect();
    let closed = view.closed.iter().map(|c| c.period.clone()).collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            year: view.year,
            may_enter: view.may_enter,
            may_close: view.may_close,
            closed,
            list,
            rows,
            l,
        },
    ))
}

/// A problem of a refused file as the page lists it.
pub struct ProblemRow {
    pub row: String,
    pub column: String,
    pub message: String,
}

/// A problem's row (as the spreadsheet numbers it, or the whole file), its column as the
/// reader's language names it, and why.
pub fn problem_row(p: &RowProblem, tr: &Tr) -> ProblemRow {
    let column = Column::ALL
        .into_iter()
        .find(|c| c.name() == p.column)
        .map_or_else(|| p.column.clone(), |c| c.label(tr.lang).to_string());
    ProblemRow {
        row: if p.row == 0 {
            tr.t("cluster.pages.statistics.whole_file").to_string()
        } else {
            p.row.to_string()
        },
        column: if p.row == 0 { String::new() } else { column },
        message: p.reason.get(tr.lang).to_string(),
    }
}

#[derive(Template)]
#[template(path = "statistics_import.html")]
struct ImportPage {
    l: Layout,
    file: FieldView,
    reason: FieldView,
    columns: Vec<(String, String)>,
    problems: Vec<ProblemRow>,
    problems_title: String,
}

/// The import page: its form with the reason typed and an error beside its field, and
/// the problems of a refused file.
async fn render_import(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    reason: String,
    file_error: Option<String>,
    problems: &[RowProblem],
) -> Response {
    let l = Layout::new(
        state,
        page,
        "cluster.pages.statistics.import_title",
        "nav.statistics",
        "/statistics/import",
    )
    .await;
    let lang = page.lang;
    let mib = (MAX_FILE_BYTES / (1024 * 1024)).to_string();
    let file = FieldView::labelled(
        "file",
        i18n::fill(lang, "cluster.pages.statistics.file", &[("mib", &mib)]),
        String::new(),
    )
    .control(Control::Files {
        accept:
            ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                .into(),
    })
    .required()
    .error(file_error);
    let reason = FieldView::text(lang, "reason", "cluster.pages.statistics.reason", reason)
        .control(Control::TextArea)
        .hint(l.tr.t("cluster.pages.statistics.reason_hint"));
    let columns = Column::ALL
        .iter()
        .map(|c| (c.name().to_string(), c.label(lang).to_string()))
        .collect();
    let problems_title = i18n::fill(
        lang,
        "cluster.pages.statistics.problems",
        &[("n", &problems.len().to_string())],
    );
    let problems = problems.iter().map(|p| problem_row(p, &l.tr)).collect();
    render(
        status,
        &ImportPage {
            file,
            reason,
            columns,
            problems,
            problems_title,
            l,
        },
    )
}

async fn import_form(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    if let Err(r) = page_zone(&state, &page, Operation::EnterStatistics, "nav.statistics").await {
        return Ok(r);
    }
    Ok(render_import(&state, &page, StatusCode::OK, String::new(), None, &[]).await)
}

async fn import(State(state): State<AppState>, form: PageForm) -> Result<Response, ApiError> {
    let PageForm { page, form } = form;
    if let Err(r) = page_zone(&state, &page, Operation::EnterStatistics, "nav.statistics").await {
        return Ok(r);
    }
    let reason = form.text("reason");
    if form.oversize() {
        let mib = (MAX_FILE_BYTES / (1024 * 1024)).to_string();
        let msg = i18n::fill(page.lang, "land.upload.too_large", &[("mib", &mib)]);
        return Ok(render_import(
            &state,
            &page,
            StatusCode::PAYLOAD_TOO_LARGE,
            reason,
            Some(msg),
            &[],
        )
        .await);
    }
    let (name, bytes) = match form.files_in("file").next() {
        Some(f) => (f.name.clone(), f.bytes.as_slice()),
        None => ("statistics.csv".to_string(), &[][..]),
    };
    let given = Some(reason.trim()).filter(|r| !r.is_empty());
    match statistics::import_file(&state.app, &page.caller(), &name, bytes, given, "import").await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/statistics?done=statistics_imported,created:{},corrected:{},unchanged:{}",
            done.created, done.corrected, done.unchanged
        ))
        .into_response()),
        Err(ClusterError::Rows(problems)) => Ok(render_import(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            reason,
            None,
            &problems,
        )
        .await),
        Err(e) => match Refusal::of(page.lang, e) {
            Refusal::Input(e) => {
                Ok(render_import(&state, &page, e.status, reason, Some(e.body.message), &[]).await)
            }
            r => {
                let l = Layout::new(&state, &page, "error.title", "nav.statistics", "/").await;
                r.answer(async { l }).await
            }
        },
    }
}

/// The template in the reader's language, as CSV or XLSX: the importer reads its headers.
async fn template(state: &AppState, page: &PageUser, format: ExportFormat) -> Response {
    if let Err(r) = page_zone(state, page, Operation::EnterStatistics, "nav.statistics").await {
        return r;
    }
    match statistics::template_for(&state.app, &page.caller()).await {
        Ok(table) => crate::export::response(&table, format),
        Err(e) => ApiError::app(page.lang, e).into_response(),
    }
}

async fn template_csv(State(state): State<AppState>, page: PageUser) -> Response {
    template(&state, &page, ExportFormat::Csv).await
}

async fn template_xlsx(State(state): State<AppState>, page: PageUser) -> Response {
    template(&state, &page, ExportFormat::Xlsx).await
}

pub struct ClosedRow {
    pub period: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "statistics_periods.html")]
struct PeriodsPage {
    l: Layout,
    closed: Vec<ClosedRow>,
    period: FieldView,
}

async fn render_periods(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    typed: String,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let l = Layout::new(
        state,
        page,
        "cluster.pages.statistics.periods_title",
        "nav.statistics",
        "/statistics/periods",
    )
    .await;
    let closed = match statistics::closed_periods(&state.app, &page.caller()).await {
        Ok(c) => c,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let closed = closed
        .into_iter()
        .map(|c| ClosedRow {
            at: when(&c.at),
            period: c.period,
            by: c.by,
        })
        .collect();
    let period = FieldView::text(page.lang, "period", "rules.cluster.column.period", typed)
        .required()
        .hint(l.tr.t("cluster.pages.statistics.period_hint"))
        .error(error);
    Ok(render(status, &PeriodsPage { l, closed, period }))
}

async fn periods_page(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    if let Err(r) = page_zone(
        &state,
        &page,
        Operation::CloseStatisticsPeriod,
        "nav.statistics",
    )
    .await
    {
        return Ok(r);
    }
    render_periods(&state, &page, StatusCode::OK, String::new(), None).await
}

/// Closes a period (`action=close`) or opens it again (`action=open`).
async fn set_period(State(state): State<AppState>, form: PageForm) -> Result<Response, ApiError> {
    let PageForm { page, form } = form;
    let period = form.text("period");
    let close = form.get("action") != Some("open");
    match statistics::set_closed(&state.app, &page.caller(), period.trim(), close).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/statistics/periods?done={}",
            if close {
                "period_closed"
            } else {
                "period_opened"
            }
        ))
        .into_response()),
        Err(e) => match Refusal::of(page.lang, e) {
            Refusal::Input(e) => {
                let message = if e.status == StatusCode::CONFLICT {
                    i18n::fill(
                        page.lang,
                        if close {
                            "cluster.pages.statistics.closed_already"
                        } else {
                            "cluster.pages.statistics.not_closed"
                        },
                        &[("period", period.trim())],
                    )
                } else {
                    e.body.message
                };
                render_periods(&state, &page, e.status, period, Some(message)).await
            }
            r => {
                let l = Layout::new(&state, &page, "error.title", "nav.statistics", "/").await;
                r.answer(async { l }).await
            }
        },
    }
}

/// A page's error for a bad query (a year out of range): the 400 page.
pub fn bad_query(l: Layout, e: ApiError) -> Response {
    let title = l.tr.t("error.title").to_string();
    render(
        StatusCode::BAD_REQUEST,
        &crate::pages::ErrorPage {
            l: l.titled(title),
            message: e.body.message,
        },
    )
}
