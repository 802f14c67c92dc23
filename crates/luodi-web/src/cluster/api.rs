//! `/api/v1/statistics`, `/api/v1/cluster/figures`, `/api/v1/kpi-targets`,
//! `/api/v1/mu-evaluation` and `/api/v1/completion-checks`: the cluster's numbers
//! ([`luodi_app::cluster`]). An enterprise reads and writes only its own statistics and
//! reads only its own class and checks.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use luodi_app::cluster::views::{
    ClusterFiguresView, CompletionCheckView, ExplanationInput, ImportResult, KpiTargetView,
    MuEvaluationView, RunView, StatisticRow, StatisticsInput, TargetsInput,
};
use luodi_app::cluster::{completion, dashboard, evaluation, statistics};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_statistics, import_statistics))
        .routes(routes!(close_period, open_period))
        .routes(routes!(figures))
        .routes(routes!(targets, put_targets))
        .routes(routes!(mu_evaluation))
        .routes(routes!(completion_checks))
        .routes(routes!(run_checks))
        .routes(routes!(explain_check))
}

/// A page of statistics rows.
#[derive(Serialize, ToSchema)]
pub struct StatisticsPage {
    pub rows: Vec<StatisticRow>,
    pub total: usize,
    pub page: i64,
    pub per_page: i64,
}

#[utoipa::path(get, path = "/api/v1/statistics", tag = "cluster",
    params(("year" = Option<i32>, Query, description = "only this year's periods"),
        ("uscc" = Option<String>, Query, description = "only this enterprise"),
        ("kind" = Option<String>, Query, description = "`annual` (year rows) or `monthly`"),
        ("page" = Option<i64>, Query, description = "from 1"), ("per_page" = Option<i64>, Query, description = "1–200, default 20")),
    responses((status = 200, description = "the current figures (the latest version of each period), newest period first; an enterprise sees only its own", body = StatisticsPage),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_statistics(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<StatisticsPage>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["year", "uscc", "kind", "page", "per_page"])?;
    let year = params.int("year", 1990, 2100)?.map(|y| y as i32);
    let annual = match params.text("kind") {
        None => None,
        Some("annual") => Some(true),
        Some("monthly") => Some(false),
        Some(_) => {
            return Err(params.refuse(
                "kind",
                "web.error.parameter_one_of",
                &[("values", "annual, monthly")],
            ));
        }
    };
    let page = params.page()?;
    let caller = caller.caller();
    let staff = caller.policy.enterprise.is_none();
    let rows = statistics::rows(&state.app, &caller, year, params.text("uscc"), annual).await?;
    let total = rows.len();
    Ok(Json(StatisticsPage {
        rows: rows
            .iter()
            .skip(page.offset() as usize)
            .take(page.per_page as usize)
            .map(|r| StatisticRow::of(r, staff))
            .collect(),
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[utoipa::path(post, path = "/api/v1/statistics", tag = "cluster",
    params(("reason" = Option<String>, Query, description = "why figures of a closed period change (a file body; a JSON body carries `reason` itself)")),
    request_body(content = StatisticsInput, description = "rows as JSON (`application/json`), or a file: CSV (`text/csv`, UTF-8, a header row) or XLSX (its media type); columns `uscc`, `period` (2025 or 2025-03), `revenue_wan`, `output_wan`, `tax_wan`, `value_added_wan`, `energy_tce`, `rd_wan`, `employees`, `land_mu` (optional); money in 万元 with at most six decimals; the template's Chinese headers are read too"),
    responses((status = 201, description = "imported: periods added, corrected (a new version each, the old values kept in the audit) and unchanged", body = ImportResult),
        (status = 403, body = ErrorBody), (status = 413, description = "over 1 MiB: use `luodi import statistics`", body = ErrorBody),
        (status = 422, description = "every problem by row and column (`rows[3].tax_wan`, the row as the spreadsheet numbers it); nothing was written", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import_statistics(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResult>), ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["reason"])?;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let caller_ = caller.caller();
    let done = match media.as_str() {
        "application/json" => {
            let input: StatisticsInput = crate::extract::parse_json(&body, caller.lang)?;
            let reason = input.reason.clone();
            statistics::import_cells(
                &state.app,
                &caller_,
                &input.cells(),
                reason.as_deref(),
                "api",
            )
            .await?
        }
        "text/csv" | "text/plain" => {
            statistics::import_file(
                &state.app,
                &caller_,
                "statistics.csv",
                &body,
                params.text("reason"),
                "api",
            )
            .await?
        }
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            statistics::import_file(
                &state.app,
                &caller_,
                "statistics.xlsx",
                &body,
                params.text("reason"),
                "api",
            )
            .await?
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                luodi_domain::core::i18n::text(caller.lang, "cluster.error.media_type").to_string(),
            ));
        }
    };
    Ok((StatusCode::CREATED, Json(done.into())))
}

#[utoipa::path(put, path = "/api/v1/statistics/closed-periods/{period}", tag = "cluster",
    params(("period" = String, Path, description = "a year (2025, which closes its months too) or a month (2025-03)")),
    request_body(content = Object, description = "an empty object (the body is not read)"),
    responses((status = 204, description = "closed: changes to its figures now need a reason"), (status = 403, body = ErrorBody),
        (status = 409, description = "closed already", body = ErrorBody), (status = 422, description = "not a period", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn close_period(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(period): Path<String>,
) -> Result<StatusCode, ApiError> {
    statistics::set_closed(&state.app, &caller.caller(), &period, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/statistics/closed-periods/{period}", tag = "cluster",
    params(("period" = String, Path, description = "a closed year or month")),
    responses((status = 204, description = "open again"), (status = 403, body = ErrorBody),
        (status = 409, description = "not closed", body = ErrorBody), (status = 422, description = "not a period", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn open_period(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(period): Path<String>,
) -> Result<StatusCode, ApiError> {
    statistics::set_closed(&state.app, &caller.caller(), &period, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/cluster/figures", tag = "cluster",
    params(("from" = Option<i32>, Query, description = "first year (default: four years before `to`)"),
        ("to" = Option<i32>, Query, description = "last year (default: last year)")),
    responses((status = 200, description = "the cluster's market entities, output, revenue and tax per year, with growth on the year before and share of the city's figure where entered", body = ClusterFiguresView),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn figures(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<ClusterFiguresView>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["from", "to"])?;
    let from = params.int("from", 1990, 2100)?.map(|y| y as i32);
    let to = params.int("to", 1990, 2100)?.map(|y| y as i32);
    let figures = dashboard::cluster_figures(&state.app, &caller.caller(), from, to).await?;
    Ok(Json((&figures).into()))
}

#[utoipa::path(get, path = "/api/v1/kpi-targets", tag = "cluster",
    responses((status = 200, description = "the zone's targets, each with the growth still needed against the growth achieved, its light, and what the phases landing add by the target year (P50, P90)", body = Vec<KpiTargetView>),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn targets(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<KpiTargetView>>, ApiError> {
    Ok(Json(
        dashboard::kpi_targets(&state.app, &caller.caller()).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/kpi-targets", tag = "cluster", request_body = TargetsInput,
    responses((status = 200, description = "the zone's targets are those given (added, changed; those left out removed), audited", body = Vec<KpiTargetView>),
        (status = 403, body = ErrorBody), (status = 422, description = "every field at fault, `targets[i].field`; nothing changed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_targets(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<TargetsInput>,
) -> Result<Json<Vec<KpiTargetView>>, ApiError> {
    Ok(Json(
        dashboard::put_targets(&state.app, &caller.caller(), &body.targets).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/mu-evaluation", tag = "cluster",
    params(("year" = Option<i32>, Query, description = "the year rated (default: last year)")),
    responses((status = 200, description = "each enterprise with its group, total score, class (A–D; B when not rated), whether rated and why not, and every indicator's value, score and the group's min and max; an enterprise sees only its own", body = MuEvaluationView),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mu_evaluation(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<MuEvaluationView>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["year"])?;
    let year = params.int("year", 1990, 2100)?.map_or_else(
        || chrono::Datelike::year(&state.app.today()) - 1,
        |y| y as i32,
    );
    let result = evaluation::evaluation(&state.app, &caller.caller(), year).await?;
    Ok(Json(MuEvaluationView::of(&result, caller.lang)))
}

#[utoipa::path(get, path = "/api/v1/completion-checks", tag = "cluster",
    responses((status = 200, description = "the post-completion checks (达产复核), newest year first: each measure against the parcel's control indicator or the stricter promise; an enterprise sees only its own", body = Vec<CompletionCheckView>),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn completion_checks(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<CompletionCheckView>>, ApiError> {
    let checks = completion::list(&state.app, &caller.caller()).await?;
    Ok(Json(checks.iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/completion-checks/run", tag = "cluster",
    request_body(content = Object, description = "an empty object (the body is not read)"),
    responses((status = 200, description = "the checks run now: each phase in production past its production date, on its enterprise's last complete year; a failure opens a blocker", body = RunView),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn run_checks(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<RunView>, ApiError> {
    Ok(Json(
        completion::run(&state.app, &caller.caller()).await?.into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/completion-checks/{id}/explanation", tag = "cluster",
    params(("id" = i64, Path, description = "check id")), request_body = ExplanationInput,
    responses((status = 204, description = "the explanation is recorded, audited"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the check passed, or is explained already", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn explain_check(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ExplanationInput>,
) -> Result<StatusCode, ApiError> {
    completion::explain(&state.app, &caller.caller(), id, &body.text).await?;
    Ok(StatusCode::NO_CONTENT)
}
