//! The portfolio page (项目组合预测), `/portfolio`, on the shared list: every active phase,
//! the latest construction start first, with its P50/P80/P90 start against the zone's
//! target and the item to push next; searched, filtered by stage, start, lateness and
//! steward, sorted, paged and exported.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::leadership::portfolio::{self, LIST, STAGES, project_name};
use luodi_domain::stewardship::project::PhaseStatus;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, Refusal, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portfolio", get(page))
        .merge(list::exports(
            "/portfolio",
            &LIST,
            |state, caller, query| async move {
                portfolio::export(&state.app, &caller, &query).await
            },
        ))
}

pub struct Row {
    pub rank: i64,
    pub phase_id: i64,
    pub project_id: i64,
    pub project: String,
    pub enterprise: String,
    pub phase: String,
    pub status: String,
    pub steward: String,
    pub handover: String,
    pub target: String,
    pub p50: String,
    pub spread: String,
    pub started_on: Option<String>,
    pub late: i64,
    /// Width of the lateness bar, percent of the widest.
    pub bar: i64,
    pub on_target: String,
    pub next_code: String,
    pub next_name: String,
    /// The first phase already under construction, in the ranking: the table's second
    /// group starts here.
    pub first_started: bool,
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    l: Layout,
    summary: String,
    list: ListView,
    rows: Vec<Row>,
}

async fn page(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/portfolio";
    let l = Layout::new(&state, &page, "portfolio.title", "nav.portfolio", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let view = match portfolio::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let lang = page.lang;
    let found = &view.found;
    let widest = found
        .items
        .iter()
        .map(|r| r.late_working_days.abs())
        .max()
        .unwrap_or(1)
        .max(1);
    // The groups (still to start, then under construction) are the ranking's.
    let ranked = query.sort == "late" && query.descending;
    let offset = query.page.offset();
    let rows: Vec<Row> = found
        .items
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let next_code = r.next_critical_item.clone().unwrap_or_default();
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            Row {
                rank: offset + k as i64 + 1,
                phase_id: r.phase_id,
                project_id: r.project_id,
                project: project_name(r, lang).to_string(),
                enterprise: r.enterprise_name.clone(),
                phase: r.phase_name.clone(),
                status: r.status.label().get(lang).to_string(),
                steward: r.steward.clone().unwrap_or_default(),
                handover: r.handover_date.to_string(),
                target: r.target_start_date.to_string(),
                p50: date(r.start_p50_date),
                spread: format!("{} – {}", date(r.start_p80_date), date(r.start_p90_date)),
                started_on: r.started_on.map(|d| d.to_string()),
                late: r.late_working_days,
                bar: r.late_working_days.abs() * 100 / widest,
                on_target: r
                    .on_target_permille
                    .map(|p| format!("{:.0} %", p as f64 / 10.0))
                    .unwrap_or_default(),
                next_name: view.item_names.get(&next_code).cloned().unwrap_or_default(),
                next_code,
                first_started: ranked
                    && r.started_on.is_some()
                    && (k == 0 || found.items[k - 1].started_on.is_none()),
            }
        })
        .collect();
    let s = &view.summary;
    let tr = &l.tr;
    let summary = tr
        .t("portfolio.summary")
        .replace("{phases}", &s.phases.to_string())
        .replace("{waiting}", &s.waiting.to_string())
        .replace("{late}", &s.late.to_string())
        .replace("{target}", &s.target_working_days.to_string())
        .replace("{today}", &s.today);
    let stages = STAGES
        .iter()
        .filter_map(|s| PhaseStatus::parse(s))
        .map(|s| (s.as_str().to_string(), s.label().get(lang).to_string()))
        .collect();
    let starts = vec![
        (
            "waiting".to_string(),
            tr.t("portfolio.start_waiting").to_string(),
        ),
        (
            "started".to_string(),
            tr.t("portfolio.start_started").to_string(),
        ),
    ];
    let lateness = vec![
        ("late".to_string(), tr.t("portfolio.late_late").to_string()),
        (
            "on_time".to_string(),
            tr.t("portfolio.late_on_time").to_string(),
        ),
    ];
    let mut stewards = vec![("me".to_string(), tr.t("lists.me").to_string())];
    stewards.extend(
        view.stewards
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone())),
    );
    let all = Some(tr.t("lists.all"));
    let list = ListView::new(tr, path, &query, found.total)
        .searched(&query)
        .select(&query, "stage", tr.t("project.status"), stages, all)
        .select(&query, "start", tr.t("portfolio.start"), starts, all)
        .select(&query, "late", tr.t("portfolio.lateness"), lateness, all)
        .select(&query, "steward", tr.t("portfolio.steward"), stewards, all)
        .column(&query, "#", None)
        .column(&query, tr.t("portfolio.project"), Some("name"))
        .column(&query, tr.t("portfolio.steward"), None)
        .column(&query, tr.t("portfolio.handover"), Some("handover"))
        .column(&query, tr.t("portfolio.target"), None)
        .column(&query, tr.t("portfolio.p50"), Some("forecast"))
        .column(&query, tr.t("portfolio.late"), Some("late"))
        .column(&query, tr.t("portfolio.on_target"), None)
        .column(&query, tr.t("portfolio.next"), None);
    Ok(render(
        StatusCode::OK,
        &PortfolioPage {
            l,
            summary,
            list,
            rows,
        },
    ))
}
