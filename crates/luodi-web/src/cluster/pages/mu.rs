//! The 亩均 evaluation's pages: `/mu?year=` the year's results (each enterprise's group,
//! rank, total score and class, or "B, not rated" with why; searched, filtered, sorted,
//! paged and exported as the filtered view), and `/mu/{enterprise}?year=` one
//! enterprise's breakdown — every indicator's value with its unit, weight, method, score
//! and the group's least and greatest value, so an officer can check it by hand. An
//! enterprise user sees only its own line; another's breakdown is not found.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::cluster::evaluation::{self, LIST, MuLine, shown};
use luodi_domain::Lang;
use luodi_domain::cluster::mu::{Class, Group, Method, Rating};
use luodi_domain::core::i18n;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::list::{self, ListView, href};
use crate::pages::{Layout, Refusal, error_page, path_number, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mu", get(results))
        .route("/mu/{id}", get(breakdown))
        .merge(list::exports(
            "/mu",
            &LIST,
            |state, caller, query| async move {
                evaluation::export(&state.app, &caller, &query).await
            },
        ))
}

/// A class as it reads: the letter, or "B, not rated".
pub fn class_text(r: &Rating, lang: Lang) -> String {
    if r.rated {
        r.class.letter().to_string()
    } else {
        i18n::text(lang, "cluster.pages.mu.not_rated").to_string()
    }
}

/// The badge of a class: A green, B blue, C amber, D red; not rated grey.
pub fn class_badge(r: &Rating) -> &'static str {
    if !r.rated {
        return "not-started";
    }
    match r.class {
        Class::A => "done",
        Class::B => "running",
        Class::C => "due",
        Class::D => "overdue",
    }
}

fn rank_text(r: &Rating, lang: Lang) -> String {
    r.rank.map_or("—".into(), |(k, n)| {
        i18n::fill(
            lang,
            "cluster.pages.mu.rank_of",
            &[("rank", &k.to_string()), ("n", &n.to_string())],
        )
    })
}

fn group_text(g: Option<Group>, lang: Lang) -> String {
    g.map_or("—".into(), |g| g.label().get(lang).to_string())
}

pub struct Row {
    pub enterprise_id: i64,
    pub name: String,
    pub uscc: String,
    pub group: String,
    pub rank: String,
    pub score: String,
    pub class: String,
    pub badge: &'static str,
    pub reason: Option<String>,
    pub href: String,
}

fn row(l: &MuLine, year: i32, lang: Lang) -> Row {
    let r = &l.rating;
    Row {
        enterprise_id: l.enterprise_id,
        name: l.name.clone(),
        uscc: l.uscc.clone(),
        group: group_text(r.group, lang),
        rank: rank_text(r, lang),
        score: if r.rated {
            format!("{:.2}", r.total_score)
        } else {
            "—".into()
        },
        class: class_text(r, lang),
        badge: class_badge(r),
        reason: r.reason.as_ref().map(|u| u.text().get(lang).to_string()),
        href: format!("/mu/{}?year={year}", l.enterprise_id),
    }
}

#[derive(Template)]
#[template(path = "mu_results.html")]
struct ResultsPage {
    l: Layout,
    list: ListView,
    rows: Vec<Row>,
    /// The year chooser: (year, link, the one shown).
    years: Vec<(i32, String, bool)>,
    /// The zone's classes: (label, count).
    classes: Vec<(String, usize)>,
    unrated: usize,
    /// An enterprise user, who sees its own line only.
    own: bool,
}

async fn results(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/mu";
    let l = Layout::new(&state, &page, "cluster.pages.mu.title", "nav.mu", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let caller = page.caller();
    let (result, found) = match evaluation::list(&state.app, &caller, &query).await {
        Ok(x) => x,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let year = result.year;
    let years = evaluation::years(&state.app, &caller, year)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let lang = page.lang;
    let tr = &l.tr;
    let all = Some(tr.t("lists.all"));
    let mut view = ListView::new(tr, path, &query, found.total)
        .searched(&query)
        .select(
            &query,
            "year",
            tr.t("cluster.pages.mu.year"),
            years
                .iter()
                .map(|y| (y.to_string(), y.to_string()))
                .collect(),
            None,
        )
        .select(
            &query,
            "group",
            tr.t("cluster.mu.group"),
            [Group::Above, Group::Below]
                .iter()
                .map(|g| (g.name().to_string(), g.label().get(lang).to_string()))
                .collect(),
            all,
        )
        .select(
            &query,
            "class",
            tr.t("cluster.mu.class"),
            Class::ALL
                .iter()
                .map(|c| (c.letter().to_string(), c.letter().to_string()))
                .collect(),
            all,
        )
        .select(
            &query,
            "rated",
            tr.t("cluster.mu.rated"),
            vec![
                ("yes".into(), tr.t("cluster.pages.mu.rated_yes").to_string()),
                ("no".into(), tr.t("cluster.pages.mu.rated_no").to_string()),
            ],
            all,
        )
        .column(&query, tr.t("cluster.statistics.enterprise"), Some("name"))
        .column(&query, tr.t("cluster.mu.group"), None)
        .column(&query, tr.t("cluster.mu.rank"), Some("rank"))
        .column(&query, tr.t("cluster.mu.total_score"), Some("score"))
        .column(&query, tr.t("cluster.mu.class"), None);
    // The year chooser shows the year the page shows, asked for or not.
    if let Some(c) = view.controls.iter_mut().find(|c| c.name == "year") {
        c.value = year.to_string();
    }
    let rows = found.items.iter().map(|m| row(m, year, lang)).collect();
    let classes = Class::ALL
        .iter()
        .map(|c| (c.letter().to_string(), result.classes[*c as usize]))
        .collect();
    let title = i18n::fill(
        lang,
        "cluster.pages.mu.title_year",
        &[("year", &year.to_string())],
    );
    Ok(render(
        StatusCode::OK,
        &ResultsPage {
            l: l.titled(title),
            list: view,
            rows,
            years: years
                .iter()
                .map(|y| (*y, href(path, &[("year", y.to_string())]), *y == year))
                .collect(),
            classes,
            unrated: result.unrated,
            own: caller.policy.enterprise.is_some(),
        },
    ))
}

/// One indicator's line of the breakdown.
pub struct IndicatorRow {
    pub name: String,
    pub value: String,
    pub unit: String,
    pub weight: u32,
    pub score: String,
    pub min: String,
    pub max: String,
}

#[derive(Template)]
#[template(path = "mu_enterprise.html")]
struct BreakdownPage {
    l: Layout,
    enterprise_id: i64,
    name: String,
    uscc: String,
    year: i32,
    group: String,
    rank: String,
    class: String,
    badge: &'static str,
    rated: bool,
    reason: Option<String>,
    total: String,
    /// The scoring method in words, and its formula.
    method: String,
    formula: String,
    /// Benchmark method: the min and max columns are the benchmark and the cap.
    benchmark: bool,
    indicators: Vec<IndicatorRow>,
    back: String,
}

fn number(x: f64) -> String {
    format!("{x:.2}")
}

async fn breakdown(
    State(state): State<AppState>,
    page: PageUser,
    Path(raw): Path<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = format!("/mu/{raw}");
    let l = Layout::new(&state, &page, "cluster.pages.mu.title", "nav.mu", &path).await;
    let Some(id) = path_number(&raw) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let year = evaluation::year_of(&state.app, &query);
    let result = match evaluation::breakdown(&state.app, &page.caller(), year, id).await {
        Ok(r) => r,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let lang = page.lang;
    let line = &result.lines[0];
    let r = &line.rating;
    let benchmark = matches!(result.scheme.method, Method::Benchmark { .. });
    let (method, formula) = match result.scheme.method {
        Method::MinMax => (
            i18n::text(lang, "cluster.pages.mu.method_min_max").to_string(),
            i18n::text(lang, "cluster.pages.mu.formula_min_max").to_string(),
        ),
        Method::Benchmark { cap } => (
            i18n::text(lang, "cluster.pages.mu.method_benchmark").to_string(),
            i18n::fill(
                lang,
                "cluster.pages.mu.formula_benchmark",
                &[("cap", &cap.to_string())],
            ),
        ),
    };
    let indicators = r
        .indicators
        .iter()
        .map(|s| IndicatorRow {
            name: s.indicator.label().get(lang).to_string(),
            value: number(shown(s.indicator, s.value)),
            unit: s.indicator.unit().get(lang).to_string(),
            weight: s.weight,
            score: number(s.score),
            min: number(shown(s.indicator, s.min)),
            max: number(shown(s.indicator, s.max)),
        })
        .collect();
    let title = i18n::fill(
        lang,
        "cluster.pages.mu.breakdown_title",
        &[("name", &line.name), ("year", &year.to_string())],
    );
    Ok(render(
        StatusCode::OK,
        &BreakdownPage {
            l: l.titled(title),
            enterprise_id: line.enterprise_id,
            name: line.name.clone(),
            uscc: line.uscc.clone(),
            year,
            group: group_text(r.group, lang),
            rank: rank_text(r, lang),
            class: class_text(r, lang),
            badge: class_badge(r),
            rated: r.rated,
            reason: r.reason.as_ref().map(|u| u.text().get(lang).to_string()),
            total: number(r.total_score),
            method,
            formula,
            benchmark,
            indicators,
            back: href("/mu", &[("year", year.to_string())]),
        },
    ))
}
