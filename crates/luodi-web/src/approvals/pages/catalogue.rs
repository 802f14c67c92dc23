//! The service catalogue page: the zone's current catalogue by stage, its versions, and
//! for administrators an import form that lists every problem of a refused file.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use luodi_app::approvals::catalogue::{self, CatalogueError, MAX_CATALOGUE_BYTES};
use luodi_app::approvals::limit_text;
use luodi_domain::approvals::catalogue::{Catalogue, Milestone};
use luodi_domain::core::time::{from_stored, zone_display};

use crate::AppState;
use crate::approvals::api::catalogue::toml_download;
use crate::error::ApiError;
use crate::extract::constant_time_eq;
use crate::extract::{PageUser, QueryParams};
use crate::i18n::Tr;
use crate::pages::{Layout, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/catalogue",
            get(page)
                .post(import)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_CATALOGUE_BYTES)),
        )
        .route("/catalogue/export.toml", get(export))
}

pub struct ItemRow {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub category: String,
    pub department: String,
    pub promised: String,
    pub statutory: String,
    pub modes: String,
    /// Its applicability rule as written, and in words.
    pub rule: String,
    pub rule_words: String,
    /// The items it waits for: (code, name), each a link to its row.
    pub prerequisites: Vec<(String, String)>,
    pub milestone: Option<String>,
}

pub struct StageBlock {
    pub name: String,
    pub items: Vec<ItemRow>,
}

pub struct VersionRow {
    pub version: String,
    pub items: i64,
    pub imported_at: String,
    pub state: String,
    pub state_class: &'static str,
}

pub struct Problem {
    pub items: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    l: Layout,
    has_catalogue: bool,
    summary: String,
    stages: Vec<StageBlock>,
    versions: Vec<VersionRow>,
    may_import: bool,
    notice: Option<String>,
    problems: Vec<Problem>,
    problems_title: String,
}

pub fn milestone_label(m: Milestone, tr: &Tr) -> String {
    tr.t(match m {
        Milestone::ConstructionPermit => "catalogue.milestone_permit",
        Milestone::ConstructionStart => "catalogue.milestone_start",
        Milestone::CompletionAcceptance => "catalogue.milestone_completion",
    })
    .to_string()
}

fn stage_blocks(c: &Catalogue, tr: &Tr) -> Vec<StageBlock> {
    let f = &c.file;
    let lang = tr.lang;
    let name = |list: &[(String, String, String)], code: &str| {
        list.iter()
            .find(|x| x.0 == code)
            .map(|x| tr.pick(&x.1, &x.2).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let categories: Vec<(String, String, String)> = f
        .categories
        .iter()
        .map(|x| (x.code.clone(), x.name_zh.clone(), x.name_en.clone()))
        .collect();
    let departments: Vec<(String, String, String)> = f
        .departments
        .iter()
        .map(|x| (x.code.clone(), x.name_zh.clone(), x.name_en.clone()))
        .collect();
    f.stages
        .iter()
        .map(|s| StageBlock {
            name: tr.pick(&s.name_zh, &s.name_en).to_string(),
            items: f
                .items
                .iter()
                .filter(|i| i.stage == s.code)
                .map(|i| ItemRow {
                    code: i.code.clone(),
                    name: tr.pick(&i.name_zh, &i.name_en).to_string(),
                    legal_basis: i.legal_basis.clone(),
                    category: name(&categories, &i.category),
                    department: name(&departments, &i.department),
                    promised: limit_text(i.promised_limit, lang),
                    statutory: limit_text(i.statutory_limit, lang),
                    modes: i
                        .modes
                        .iter()
                        .map(|m| m.label().get(lang).to_string())
                        .collect::<Vec<_>>()
                        .join(tr.t("core.text.list_separator")),
                    rule: i.applies_when.clone().unwrap_or_default(),
                    rule_words: i
                        .applies_when
                        .as_deref()
                        .and_then(|r| luodi_domain::approvals::rule::Rule::parse(r).ok())
                        .map(|r| luodi_domain::approvals::rule_words::describe(&r, lang))
                        .unwrap_or_default(),
                    prerequisites: i
                        .prerequisites
                        .iter()
                        .map(|code| {
                            let name = f
                                .items
                                .iter()
                                .find(|o| &o.code == code)
                                .map(|o| tr.pick(&o.name_zh, &o.name_en).to_string())
                                .unwrap_or_else(|| code.clone());
                            (code.clone(), name)
                        })
                        .collect(),
                    milestone: i.milestone.map(|m| milestone_label(m, tr)),
                })
                .collect(),
        })
        .collect()
}

async fn render_page(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<Problem>,
) -> Result<Response, ApiError> {
    let l = Layout::new(
        state,
        page,
        "catalogue.title",
        "nav.catalogue",
        "/catalogue",
    )
    .await;
    let view = match catalogue::page(&state.app, &page.caller()).await {
        Ok(v) => v,
        Err(CatalogueError::ZoneRequired) => {
            return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let current = view.current;
    let versions = view
        .versions
        .into_iter()
        .map(|v| VersionRow {
            version: v.version,
            items: v.item_count,
            imported_at: from_stored(&v.imported_at)
                .map(zone_display)
                .unwrap_or_default(),
            state: l
                .tr
                .t(if v.current {
                    "catalogue.current"
                } else {
                    "catalogue.superseded"
                })
                .to_string(),
            state_class: if v.current { "done" } else { "stopped" },
        })
        .collect();
    let (has_catalogue, summary, stages, title) = match &current {
        Some((v, c)) => {
            let summary =
                l.tr.t("catalogue.summary")
                    .replace("{version}", &v.version)
                    .replace("{stages}", &c.file.stages.len().to_string())
                    .replace("{categories}", &c.file.categories.len().to_string())
                    .replace("{items}", &c.items().len().to_string());
            (
                true,
                summary,
                stage_blocks(c, &l.tr),
                l.tr.pick(&v.title_zh, &v.title_en).to_string(),
            )
        }
        None => (false, String::new(), Vec::new(), l.title.clone()),
    };
    let problems_title =
        l.tr.t("catalogue.problems")
            .replace("{n}", &problems.len().to_string());
    let may_import = view.may_import;
    let l = l.titled(title);
    Ok(render(
        status,
        &CataloguePage {
            l,
            has_catalogue,
            summary,
            stages,
            versions,
            may_import,
            notice,
            problems,
            problems_title,
        },
    ))
}

async fn page(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let tr = Tr::new(page.lang);
    let notice = params
        .text("imported")
        .map(|v| tr.t("catalogue.imported").replace("{version}", v));
    render_page(&state, &page, StatusCode::OK, notice, Vec::new()).await
}

async fn import(
    State(state): State<AppState>,
    page: PageUser,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let tr = Tr::new(page.lang);
    let (mut csrf, mut text) = (None, None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("file") => {
                text = field
                    .bytes()
                    .await
                    .ok()
                    .map(|b| String::from_utf8(b.to_vec()))
            }
            _ => {}
        }
    }
    let csrf_ok = !page.cross_origin
        && csrf.is_some_and(|c| constant_time_eq(c.as_bytes(), page.csrf.as_bytes()));
    if !csrf_ok {
        let l = Layout::new(&state, &page, "error.title", "nav.catalogue", "/catalogue").await;
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.csrf"));
    }
    let caller = page.caller();
    if catalogue::may_import(&caller).is_err() {
        let l = Layout::new(&state, &page, "error.title", "nav.catalogue", "/catalogue").await;
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    }
    let text = match text {
        Some(Ok(t)) if !t.trim().is_empty() => t,
        Some(Ok(_)) | None => {
            let problem = Problem {
                items: String::new(),
                message: tr.t("catalogue.no_file").to_string(),
            };
            return render_page(
                &state,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                vec![problem],
            )
            .await;
        }
        Some(Err(_)) => {
            let problem = Problem {
                items: String::new(),
                message: tr.t("catalogue.not_utf8").to_string(),
            };
            return render_page(
                &state,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                vec![problem],
            )
            .await;
        }
    };
    match catalogue::import_text(&state.app, &caller, &text).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/catalogue?imported={}",
            crate::extract::url_encode(&done.version.version)
        ))
        .into_response()),
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if !e.status.is_client_error() {
                return Err(e);
            }
            let mut problems: Vec<Problem> = e
                .body
                .errors
                .iter()
                .map(|f| Problem {
                    items: if f.field == "catalogue" {
                        String::new()
                    } else {
                        f.field.clone()
                    },
                    message: f.message.clone(),
                })
                .collect();
            if problems.is_empty() {
                problems.push(Problem {
                    items: String::new(),
                    message: e.body.message.clone(),
                });
            }
            render_page(&state, &page, e.status, None, problems).await
        }
    }
}

async fn export(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    match catalogue::export(&state.app, &page.caller(), None).await {
        Ok(file) => Ok(toml_download(file)),
        Err(CatalogueError::ZoneRequired) => Err(ApiError::not_found(page.lang)),
        Err(e) => Err(ApiError::app(page.lang, e)),
    }
}
