//! `/leadership`: the leaders' view, in tables and charts (server-side SVG, nothing fetched).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{Layout, error_page, render};
use luodi_app::leadership::{Leadership, LeadershipError, leadership};

pub fn router() -> Router<AppState> {
    Router::new().route("/leadership", get(show))
}

#[derive(Template)]
#[template(path = "leadership.html")]
struct LeadershipPage {
    l: Layout,
    data: Leadership,
    stage_chart: String,
    blocker_chart: String,
    legend: Vec<(&'static str, &'static str)>,
}

/// Colours of the age buckets, youngest first.
const AGE_COLOURS: [&str; 4] = ["#8fb8e6", "#3f7fc4", "#d9822b", "#b3261e"];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart: one row per label, each bar stacked from its parts, a total at
/// its end. `title` names the chart for screen readers.
pub fn bar_chart(title: &str, rows: &[(String, Vec<usize>)], colours: &[&str]) -> String {
    let (label_w, bar_w, row_h) = (190.0, 420.0, 26.0);
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = row_h * rows.len().max(1) as f64 + 8.0;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title),
        label_w + bar_w + 50.0
    );
    for (i, (label, parts)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>",
            label_w - 8.0,
            y + 16.0,
            escape(label)
        ));
        let mut x = label_w;
        for (j, n) in parts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = *n as f64 / max * bar_w;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{n}</title></rect>",
                row_h - 8.0,
                colours[j % colours.len()]
            ));
            x += w;
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"13\">{}</text>",
            x + 6.0,
            y + 16.0,
            parts.iter().sum::<usize>()
        ));
    }
    svg.push_str("</svg>");
    svg
}

async fn show(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(
        &state,
        &page,
        "leadership.title",
        "nav.leadership",
        "/leadership",
    )
    .await;
    let data = match leadership(&state.app, &page.caller()).await {
        Ok(data) => data,
        Err(LeadershipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let stage_chart = bar_chart(
        l.tr.t("leadership.stages"),
        &data
            .stages
            .iter()
            .map(|s| (s.label.clone(), vec![s.phases]))
            .collect::<Vec<_>>(),
        &["#0b5cad"],
    );
    let blocker_chart = bar_chart(
        l.tr.t("leadership.blockers"),
        &data
            .blockers
            .iter()
            .map(|d| (d.department.clone(), d.by_age.clone()))
            .collect::<Vec<_>>(),
        &AGE_COLOURS,
    );
    let legend = data
        .age_buckets
        .iter()
        .zip(AGE_COLOURS)
        .map(|(b, c)| (*b, c))
        .collect();
    Ok(render(
        StatusCode::OK,
        &LeadershipPage {
            l,
            data,
            stage_chart,
            blocker_chart,
            legend,
        },
    ))
}
