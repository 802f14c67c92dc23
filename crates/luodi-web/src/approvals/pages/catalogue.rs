//! The service catalogue page: the zone's current catalogue's items on the shared list
//! (searched by code or name, filtered by department, stage, category and reform mode,
//! sorted, paged and exported), its versions, and for administrators an import form that
//! lists every problem of a refused file.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use luodi_app::approvals::catalogue::{self, CatalogueError, MAX_CATALOGUE_BYTES};
use luodi_app::approvals::catalogue_list::{self, LIST, named};
use luodi_app::approvals::limit_text;
use luodi_app::core::list::ListQuery;
use luodi_domain::approvals::catalogue::{Catalogue, Item};
use luodi_domain::core::time::{from_stored, zone_display};

use crate::AppState;
use crate::approvals::api::catalogue::toml_download;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams, constant_time_eq, url_encode};
use crate::i18n::Tr;
use crate::pages::list::{self, ListView};
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
        .merge(list::exports(
            "/catalogue",
            &LIST,
            |state, caller, query| async move {
                match catalogue_list::export(&state.app, &caller, &query).await {
                    Err(CatalogueError::ZoneRequired) => Err(ApiError::not_found(caller.lang)),
                    made => made.map_err(ApiError::from),
                }
            },
        ))
}

pub struct ItemRow {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub stage: String,
    pub category: String,
    pub department: String,
    pub promised: String,
    pub statutory: String,
    pub modes: String,
    /// Its applicability rule as written, and in words.
    pub rule: String,
    pub rule_words: String,
    /// The items it waits for: (link, name), each a link to its row — on this page, or
    /// the list found by its code.
    pub prerequisites: Vec<(String, String)>,
    pub milestone: Option<String>,
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
    list: Option<ListView>,
    rows: Vec<ItemRow>,
    versions: Vec<VersionRow>,
    may_import: bool,
    notice: Option<String>,
    problems: Vec<Problem>,
    problems_title: String,
}

/// The (code, Chinese, English) names of a catalogue's stages, categories or departments.
fn names<'a, T>(
    list: &'a [T],
    f: impl Fn(&'a T) -> (&'a str, &'a str, &'a str) + Copy,
) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> + Clone {
    list.iter().map(f)
}

fn item_rows(items: &[Item], c: &Catalogue, tr: &Tr) -> Vec<ItemRow> {
    let f = &c.file;
    let lang = tr.lang;
    let stages = names(&f.stages, |x| (&x.code, &x.name_zh, &x.name_en));
    let categories = names(&f.categories, |x| (&x.code, &x.name_zh, &x.name_en));
    let departments = names(&f.departments, |x| (&x.code, &x.name_zh, &x.name_en));
    items
        .iter()
        .map(|i| ItemRow {
            code: i.code.clone(),
            name: catalogue_list::name(i, lang).to_string(),
            legal_basis: i.legal_basis.clone(),
            stage: named(stages.clone(), &i.stage, lang).to_string(),
            category: named(categories.clone(), &i.category, lang).to_string(),
            department: named(departments.clone(), &i.department, lang).to_string(),
            promised: limit_text(i.promised_limit, lang),
            statutory: limit_text(i.statutory_limit, lang),
            modes: catalogue_list::modes_text(i, lang),
            rule: i.applies_when.clone().unwrap_or_default(),
            rule_words: catalogue_list::rule_text(i, lang),
            prerequisites: i
                .prerequisites
                .iter()
                .map(|code| {
                    let name = c
                        .item(code)
                        .map(|o| catalogue_list::name(o, lang).to_string())
                        .unwrap_or_else(|| code.clone());
                    let href = if items.iter().any(|o| &o.code == code) {
                        format!("#item-{code}")
                    } else {
                        format!("/catalogue?q={}#item-{code}", url_encode(code))
                    };
                    (href, name)
                })
                .collect(),
            milestone: i
                .milestone
                .map(|m| catalogue_list::milestone_text(m, lang).to_string()),
        })
        .collect()
}

async fn render_page(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<Problem>,
    query: &ListQuery,
) -> Result<Response, ApiError> {
    let path = "/catalogue";
    let l = Layout::new(state, page, "catalogue.title", "nav.catalogue", path).await;
    let caller = page.caller();
    let view = match catalogue::page(&state.app, &caller).await {
        Ok(v) => v,
        Err(CatalogueError::ZoneRequired) => {
            return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let listed = match catalogue_list::list(&state.app, &caller, query).await {
        Ok(v) => v,
        Err(CatalogueError::Query(e)) => return Ok(list::refused(l, e)),
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
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
    let (has_catalogue, summary, list, rows, title) = match &listed {
        Some(found) => {
            let (v, c) = (&found.version, &found.catalogue);
            let tr = &l.tr;
            let summary = tr
                .t("catalogue.summary")
                .replace("{version}", &v.version)
                .replace("{stages}", &c.file.stages.len().to_string())
                .replace("{categories}", &c.file.categories.len().to_string())
                .replace("{items}", &c.items().len().to_string());
            let f = &c.file;
            let choices = |list: Vec<(&str, &str, &str)>| {
                list.into_iter()
                    .map(|(code, zh, en)| (code.to_string(), tr.pick(zh, en).to_string()))
                    .collect::<Vec<_>>()
            };
            let modes = catalogue_list::MODES
                .iter()
                .map(|(w, m)| (w.to_string(), m.label().get(tr.lang).to_string()))
                .collect();
            let all = Some(tr.t("lists.all"));
            let list = ListView::new(tr, path, query, found.found.total)
                .searched(query)
                .select(
                    query,
                    "department",
                    tr.t("catalogue.department"),
                    choices(names(&f.departments, |x| (&x.code, &x.name_zh, &x.name_en)).collect()),
                    all,
                )
                .select(
                    query,
                    "stage",
                    tr.t("catalogue.stage"),
                    choices(names(&f.stages, |x| (&x.code, &x.name_zh, &x.name_en)).collect()),
                    all,
                )
                .select(
                    query,
                    "category",
                    tr.t("catalogue.category"),
                    choices(names(&f.categories, |x| (&x.code, &x.name_zh, &x.name_en)).collect()),
                    all,
                )
                .select(query, "mode", tr.t("catalogue.modes"), modes, all)
                .column(query, tr.t("catalogue.code"), Some("code"))
                .column(query, tr.t("catalogue.item"), Some("name"))
                .column(query, tr.t("catalogue.stage"), Some("order"))
                .column(query, tr.t("catalogue.category"), None)
                .column(query, tr.t("catalogue.department"), None)
                .column(query, tr.t("catalogue.promised"), Some("promised"))
                .column(query, tr.t("catalogue.statutory"), None)
                .column(query, tr.t("catalogue.modes"), None)
                .column(query, tr.t("catalogue.applies_when"), None)
                .column(query, tr.t("catalogue.prerequisites"), None);
            let rows = item_rows(&found.found.items, c, tr);
            (
                true,
                summary,
                Some(list),
                rows,
                tr.pick(&v.title_zh, &v.title_en).to_string(),
            )
        }
        None => (false, String::new(), None, Vec::new(), l.title.clone()),
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
            list,
            rows,
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
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => {
            let l = Layout::new(
                &state,
                &page,
                "catalogue.title",
                "nav.catalogue",
                "/catalogue",
            )
            .await;
            return Ok(list::refused(l, e));
        }
    };
    let tr = Tr::new(page.lang);
    let notice = params
        .text("imported")
        .map(|v| tr.t("catalogue.imported").replace("{version}", v));
    render_page(&state, &page, StatusCode::OK, notice, Vec::new(), &query).await
}

/// The list a refused import shows under its problems: the catalogue unfiltered.
fn first_view() -> ListQuery {
    ListQuery::parse(&LIST, &[]).expect("the list's defaults fit it")
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
                &first_view(),
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
                &first_view(),
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
            render_page(&state, &page, e.status, None, problems, &first_view()).await
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
