//! The portfolio page (项目组合预测): every active phase, the latest construction start
//! first, with its P50/P80/P90 start against the zone's target and the item to push next.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_domain::Lang;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{Layout, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/portfolio", get(page))
}

pub struct Row {
    pub rank: usize,
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
    /// The first phase already under construction: the table's second group starts here.
    pub first_started: bool,
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    l: Layout,
    summary: String,
    rows: Vec<Row>,
}

async fn page(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(
        &state,
        &page,
        "portfolio.title",
        "nav.portfolio",
        "/portfolio",
    )
    .await;
    let view = luodi_app::leadership::portfolio::page(&state.app, &page.caller()).await?;
    let p = &view.portfolio;
    let widest = p
        .rows
        .iter()
        .map(|r| r.late_working_days.abs())
        .max()
        .unwrap_or(1)
        .max(1);
    let rows: Vec<Row> = p
        .rows
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let next_code = r.next_critical_item.clone().unwrap_or_default();
            let next_name = if next_code == luodi_domain::forecast::critical_path::BUILD {
                l.tr.t("gantt.building").to_string()
            } else {
                view.item_names.get(&next_code).cloned().unwrap_or_default()
            };
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            Row {
                rank: k + 1,
                project_id: r.project_id,
                project: match (page.lang, &r.project_name_en) {
                    (Lang::En, Some(en)) => en.clone(),
                    _ => r.project_name.clone(),
                },
                enterprise: r.enterprise_name.clone(),
                phase: r.phase_name.clone(),
                status: r.status.label().get(page.lang).to_string(),
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
                next_code,
                next_name,
                first_started: r.started_on.is_some()
                    && (k == 0 || p.rows[k - 1].started_on.is_none()),
            }
        })
        .collect();
    let waiting = rows.iter().filter(|r| r.started_on.is_none()).count();
    let late = rows
        .iter()
        .filter(|r| r.started_on.is_none() && r.late > 0)
        .count();
    let summary =
        l.tr.t("portfolio.summary")
            .replace("{phases}", &rows.len().to_string())
            .replace("{waiting}", &waiting.to_string())
            .replace("{late}", &late.to_string())
            .replace("{target}", &p.target_working_days.to_string())
            .replace("{today}", &p.today);
    Ok(render(StatusCode::OK, &PortfolioPage { l, summary, rows }))
}
