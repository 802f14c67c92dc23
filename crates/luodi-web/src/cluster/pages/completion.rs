//! The post-completion checks' pages (达产复核): `/completion`, every check with its
//! overall verdict (met, failed, explained) and shortfalls, searched, filtered, sorted,
//! paged and exported, with the button that runs the checks now; and `/completion/{id}`,
//! each measure's actual against what was required (the parcel's control indicator or
//! the stricter promise, saying which), the blocker a failure opened, and the form on
//! which an officer records an accepted explanation (its error beside the field). An
//! enterprise sees only its own checks.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::cluster::completion;
use luodi_app::cluster::completion_list::{self, CheckLine, LIST, Verdict, figure, source_label};
use luodi_domain::cluster::completion::Measure;
use luodi_domain::core::i18n;
use luodi_domain::{Lang, Operation};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::form::FieldView;
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, PageForm, Refusal, error_page, path_number, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/completion", get(checks))
        .route("/completion/run", post(run))
        .route("/completion/{id}", get(show))
        .route("/completion/{id}/explain", post(explain))
        .merge(list::exports(
            "/completion",
            &LIST,
            |state, caller, query| async move {
                completion_list::export(&state.app, &caller, &query).await
            },
        ))
}

/// A verdict's badge: met green, failed red, explained amber.
pub fn verdict_badge(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "done",
        Verdict::Failed => "overdue",
        Verdict::Explained => "due",
    }
}

pub struct Row {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    pub phase_id: i64,
    pub phase: String,
    pub enterprise: String,
    /// (id, code) of the parcel, linked when the user sees parcels.
    pub parcel: Option<(i64, String)>,
    pub due: String,
    pub year: i32,
    pub verdict: String,
    pub badge: &'static str,
    pub shortfalls: String,
}

fn row(c: &CheckLine, lang: Lang) -> Row {
    let r = &c.record;
    Row {
        id: r.id,
        project_id: r.project_id,
        project: r.project.clone(),
        phase_id: r.phase_id,
        phase: r.phase.clone(),
        enterprise: r.enterprise.clone(),
        parcel: r.parcel.clone(),
        due: c.due.map_or("—".into(), |d| d.to_string()),
        year: r.year,
        verdict: c.verdict.label().get(lang).to_string(),
        badge: verdict_badge(c.verdict),
        shortfalls: c.shortfalls(lang),
    }
}

#[derive(Template)]
#[template(path = "completion_list.html")]
struct ListPage {
    l: Layout,
    list: ListView,
    rows: Vec<Row>,
    may_run: bool,
    sees_parcels: bool,
}

async fn checks(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/completion";
    let l = Layout::new(
        &state,
        &page,
        "cluster.pages.completion.title",
        "nav.completion",
        path,
    )
    .await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let caller = page.caller();
    let all_lines = match completion_list::lines(&state.app, &caller).await {
        Ok(x) => x,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let years = completion_list::years(&all_lines);
    let found = completion_list::list(&state.app, &caller, &query)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    let lang = page.lang;
    let tr = &l.tr;
    let all = Some(tr.t("lists.all"));
    let view = ListView::new(tr, path, &query, found.total)
        .searched(&query)
        .select(
            &query,
            "verdict",
            tr.t("cluster.pages.completion.verdict"),
            Verdict::ALL
                .iter()
                .map(|v| (v.name().to_string(), v.label().get(lang).to_string()))
                .collect(),
            all,
        )
        .select(
            &query,
            "year",
            tr.t("cluster.pages.completion.year"),
            years
                .iter()
                .map(|y| (y.to_string(), y.to_string()))
                .collect(),
            all,
        )
        .column(
            &query,
            tr.t("cluster.pages.completion.project"),
            Some("project"),
        )
        .column(&query, tr.t("cluster.pages.completion.phase"), None)
        .column(&query, tr.t("cluster.pages.completion.parcel"), None)
        .column(&query, tr.t("cluster.pages.completion.due"), Some("due"))
        .column(&query, tr.t("cluster.pages.completion.year"), Some("year"))
        .column(&query, tr.t("cluster.pages.completion.verdict"), None)
        .column(&query, tr.t("cluster.pages.completion.shortfalls"), None);
    let rows = found.items.iter().map(|c| row(c, lang)).collect();
    let role = page.user.role;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            list: view,
            rows,
            may_run: Operation::RunCompletionChecks.allows(role),
            sees_parcels: Operation::ViewParcels.allows(role),
            l,
        },
    ))
}

/// Runs the zone's checks now; back to the list with what the run did.
async fn run(
    State(state): State<AppState>,
    PageForm { page, .. }: PageForm,
) -> Result<Response, ApiError> {
    match completion::run(&state.app, &page.caller()).await {
        Ok(s) => Ok(Redirect::to(&format!(
            "/completion?done=completion_run,checked:{},failed:{},blockers:{},waiting:{},not_due:{}",
            s.checked, s.failed, s.blockers, s.waiting, s.not_due
        ))
        .into_response()),
        Err(e) => {
            let l = Layout::new(
                &state,
                &page,
                "cluster.pages.completion.title",
                "nav.completion",
                "/completion",
            )
            .await;
            Refusal::of(page.lang, e).answer(async { l }).await
        }
    }
}

/// One measure's line of a check.
pub struct MeasureRow {
    pub name: String,
    pub unit: String,
    pub actual: String,
    pub required: String,
    pub source: String,
    pub met: bool,
    /// "Met", or "Short by 37.5 %".
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "completion_check.html")]
struct CheckPage {
    l: Layout,
    r: Row,
    checked_at: String,
    measures: Vec<MeasureRow>,
    blocker_id: Option<i64>,
    /// The accepted explanation: (text, by, at).
    explanation: Option<(String, String, String)>,
    /// The explanation form, where the user may record one.
    form: Option<FieldView>,
    /// A refusal that is no field's (explained meanwhile).
    general: Option<String>,
    sees_parcels: bool,
}

fn shown_time(stored: &str) -> String {
    luodi_domain::core::time::from_stored(stored)
        .map(luodi_domain::core::time::zone_display)
        .unwrap_or_else(|| stored.to_string())
}

fn measures(c: &CheckLine, lang: Lang) -> Vec<MeasureRow> {
    c.record
        .check
        .verdicts
        .iter()
        .map(|v| {
            let m: Measure = v.measure;
            MeasureRow {
                name: m.label().get(lang).to_string(),
                unit: m.unit().get(lang).to_string(),
                actual: v.actual.map_or("—".into(), |a| figure(m, a)),
                required: figure(m, v.required),
                source: source_label(v.source).get(lang).to_string(),
                met: v.met,
                outcome: if v.met {
                    i18n::text(lang, "cluster.pages.completion.met").to_string()
                } else {
                    match v.shortfall_pct {
                        Some(p) => i18n::fill(
                            lang,
                            if m.is_ceiling() {
                                "cluster.pages.completion.over_by"
                            } else {
                                "cluster.pages.completion.short_by_pct"
                            },
                            &[("pct", &format!("{p:.1}"))],
                        ),
                        None => i18n::text(lang, "cluster.pages.completion.no_actual").to_string(),
                    }
                },
            }
        })
        .collect()
}

async fn render_check(
    state: &AppState,
    page: &PageUser,
    raw: &str,
    status: StatusCode,
    typed: Option<(String, Option<String>, Option<String>)>,
) -> Result<Response, ApiError> {
    let path = format!("/completion/{raw}");
    let l = Layout::new(
        state,
        page,
        "cluster.pages.completion.title",
        "nav.completion",
        &path,
    )
    .await;
    let Some(id) = path_number(raw) else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let c = match completion_list::one(&state.app, &page.caller(), id).await {
        Ok(c) => c,
        Err(e) => return Refusal::of(page.lang, e).answer(async { l }).await,
    };
    let lang = page.lang;
    let role = page.user.role;
    let r = &c.record;
    let (text, field_error, general) = typed.unwrap_or_default();
    let form =
        (c.verdict == Verdict::Failed && Operation::RunCompletionChecks.allows(role)).then(|| {
            FieldView::text(
                lang,
                "explanation",
                "cluster.pages.completion.explanation",
                text,
            )
            .control(crate::pages::form::Control::TextArea)
            .required()
            .hint(i18n::text(
                lang,
                "cluster.pages.completion.explanation_hint",
            ))
            .error(field_error)
        });
    let title = i18n::fill(
        lang,
        "cluster.pages.completion.check_title",
        &[("project", &r.project), ("phase", &r.phase)],
    );
    Ok(render(
        status,
        &CheckPage {
            l: l.titled(title),
            checked_at: shown_time(&r.checked_at),
            measures: measures(&c, lang),
            blocker_id: r.blocker_id,
            explanation: r.explanation.clone().map(|t| {
                (
                    t,
                    r.explained_by.clone().unwrap_or_default(),
                    r.explained_at
                        .as_deref()
                        .map(shown_time)
                        .unwrap_or_default(),
                )
            }),
            form,
            general,
            sees_parcels: Operation::ViewParcels.allows(role),
            r: row(&c, lang),
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    render_check(&state, &page, &raw, StatusCode::OK, None).await
}

/// Records an officer's accepted explanation; refused, the form again with the error
/// beside the field.
async fn explain(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let Some(id) = path_number(&raw) else {
        return render_check(&state, &page, &raw, StatusCode::NOT_FOUND, None).await;
    };
    let text = form.text("explanation");
    match completion::explain(&state.app, &page.caller(), id, &text).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/completion/{id}?done=completion_explained")).into_response(),
        ),
        Err(e) => match Refusal::of(page.lang, e) {
            Refusal::Input(e) => {
                let beside = e.body.field.as_deref() == Some("explanation");
                let message = e.body.message.clone();
                let typed = if beside {
                    (text, Some(message), None)
                } else {
                    (text, None, Some(message))
                };
                render_check(&state, &page, &raw, e.status, Some(typed)).await
            }
            other => {
                let l = Layout::new(
                    &state,
                    &page,
                    "cluster.pages.completion.title",
                    "nav.completion",
                    "/completion",
                )
                .await;
                other.answer(async { l }).await
            }
        },
    }
}
