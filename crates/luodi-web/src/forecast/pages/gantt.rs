//! A phase's Gantt chart: its forecast drawn as server-side SVG, with the milestones'
//! spreads and the items of unknown applicability apart.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::pages::{Layout, error_page, path_number, render};
use luodi_app::approvals::service_lists::Loaded;
use luodi_app::forecast::phase::GanttView;
pub fn router() -> Router<AppState> {
    Router::new().route("/projects/{id}/phases/{seq}/gantt", get(gantt_page))
}

#[derive(Template)]
#[template(path = "gantt.html")]
struct GanttPage {
    l: Layout,
    project_id: i64,
    seq: i64,
    facts: Vec<(String, String)>,
    svg: String,
    /// Items of unknown applicability: (code and name, duration, what it would add).
    unconfirmed: Vec<(String, String, String)>,
}

/// The phase's forecast as a Gantt chart with the milestone dates beside it.
async fn gantt_page(
    State(state): State<AppState>,
    page: PageUser,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let path = format!("/projects/{id}/phases/{seq}/gantt");
    let l = Layout::new(&state, &page, "gantt.title", "nav.projects", &path).await;
    let (Some(pid), Some(number)) = (path_number(&id), path_number(&seq)) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let Some(GanttView {
        loaded:
            Loaded {
                project,
                seq,
                list,
                catalogue,
            },
        phase,
        forecast: f,
        calendar: cal,
        today,
    }) = luodi_app::forecast::phase::gantt(&state.app, &page.caller(), pid, number).await?
    else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let tr = l.tr;
    // Rows in the order of the forecast's network, by earliest start.
    let mut codes: Vec<&String> = f.items.keys().collect();
    codes.sort_by(|a, b| {
        f.items[*a]
            .es
            .total_cmp(&f.items[*b].es)
            .then(f.items[*a].ef.total_cmp(&f.items[*b].ef))
            .then(a.cmp(b))
    });
    let rows: Vec<crate::forecast::gantt::Row> = codes
        .into_iter()
        .map(|c| crate::forecast::gantt::Row {
            code: c.clone(),
            name: if c == luodi_domain::forecast::critical_path::BUILD {
                tr.t("gantt.building").to_string()
            } else {
                catalogue
                    .item(c)
                    .map(|i| tr.pick(&i.name_zh, &i.name_en).to_string())
                    .unwrap_or_default()
            },
        })
        .collect();
    let svg = crate::forecast::gantt::render(&f, &rows, &cal, list.handover_date, today, &tr);
    // Items of unknown applicability, apart: what each would add if it applies.
    let unconfirmed: Vec<(String, String, String)> = f
        .unconfirmed
        .iter()
        .map(|u| {
            let name = catalogue
                .item(&u.code)
                .map(|i| tr.pick(&i.name_zh, &i.name_en).to_string())
                .unwrap_or_default();
            let adds = ["construction_start", "completion_acceptance"]
                .iter()
                .map(|k| {
                    format!(
                        "{} +{}",
                        tr.t(&format!("gantt.{k}")),
                        u.adds.get(*k).copied().unwrap_or(0.0).ceil() as i64
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ");
            (
                format!("{} {name}", u.code),
                format!("{} {}", u.duration, tr.t("gantt.working_days")),
                adds,
            )
        })
        .collect();
    let mut facts = vec![
        (
            tr.t("project.handover_date").to_string(),
            f.handover_date.clone(),
        ),
        (
            tr.t("gantt.duration").to_string(),
            format!("{} {}", f.duration_working_days, tr.t("gantt.working_days")),
        ),
        (
            tr.t("gantt.critical_path").to_string(),
            f.critical_path.join(" → "),
        ),
    ];
    for key in [
        "construction_permit",
        "construction_start",
        "completion_acceptance",
    ] {
        if let Some(m) = f.milestones.get(key) {
            let mut value = format!("{} · P50 {} · P80 {} · P90 {}", m.date, m.p50, m.p80, m.p90);
            if let Some(p) = m.on_target {
                value.push_str(
                    &tr.t("gantt.on_target")
                        .replace("{p}", &format!("{:.0}", p * 100.0)),
                );
            }
            facts.push((tr.t(&format!("gantt.{key}")).to_string(), value));
        }
    }
    let title = format!(
        "{} · {} · {}",
        tr.pick(
            &project.name,
            project.name_en.as_deref().unwrap_or(&project.name)
        ),
        phase.name,
        tr.t("gantt.title")
    );
    Ok(render(
        StatusCode::OK,
        &GanttPage {
            l: l.titled(title),
            project_id: project.id,
            seq,
            facts,
            svg,
            unconfirmed,
        },
    ))
}
