//! The projects list, `/projects`, on the shared list: search, stage and steward filters,
//! sortable columns, pages and the export of the filtered view.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::stewardship::StewardshipError;
use luodi_app::stewardship::project_list::{self, LIST, phases_text};
use luodi_domain::stewardship::project::PhaseStatus;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(show_list))
        .merge(list::exports(
            "/projects",
            &LIST,
            |state, caller, query| async move {
                project_list::export(&state.app, &caller, &query).await
            },
        ))
}

pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub enterprise: String,
    pub investment: String,
    pub investment_exact: String,
    pub phases: String,
    pub steward: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    l: Layout,
    list: ListView,
    rows: Vec<ProjectRow>,
    total: i64,
    signed: usize,
    /// Whether the user may record projects (the link to the form).
    may_create: bool,
}

async fn show_list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/projects";
    let l = Layout::new(&state, &page, "project.title", "nav.projects", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let view = match project_list::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let lang = page.lang;
    let tr = &l.tr;
    let stages = PhaseStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().get(lang).to_string()))
        .collect();
    let mut stewards = vec![("me".to_string(), tr.t("lists.me").to_string())];
    stewards.extend(
        view.stewards
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone())),
    );
    let list = ListView::new(tr, path, &query, view.found.total)
        .searched(&query)
        .select(
            &query,
            "stage",
            tr.t("project.status"),
            stages,
            Some(tr.t("lists.all")),
        )
        .select(
            &query,
            "steward",
            tr.t("project.steward"),
            stewards,
            Some(tr.t("lists.all")),
        )
        .column(&query, tr.t("project.name"), Some("name"))
        .column(&query, tr.t("project.enterprise"), Some("enterprise"))
        .column(&query, tr.t("project.investment"), Some("investment"))
        .column(&query, tr.t("project.steward"), None)
        .column(&query, tr.t("project.phases"), None);
    let rows = view
        .found
        .items
        .iter()
        .map(|line| {
            let p = &line.project;
            ProjectRow {
                id: p.id,
                name: tr
                    .pick(&p.name, p.name_en.as_deref().unwrap_or(&p.name))
                    .to_string(),
                enterprise: line.enterprise.clone(),
                investment: p.total_investment.display(lang),
                investment_exact: p.total_investment.exact_yuan(),
                phases: phases_text(p, lang),
                steward: line.steward.clone().unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ProjectsPage {
            total: view.found.total,
            signed: view.signed,
            may_create: view.may_create,
            list,
            rows,
            l,
        },
    ))
}
