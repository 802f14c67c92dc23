//! A phase's forecast (`/api/v1/projects/{id}/forecast`) and its what-if.

use axum::Json;
use axum::extract::State;
use luodi_app::forecast::phase::{self, ForecastResponse, WhatIfRequest, WhatIfResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(forecast))
        .routes(routes!(what_if))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/forecast", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("phase" = Option<i64>, Query, description = "phase number; default the first with a list"),
        ("samples" = Option<usize>, Query, description = "Monte Carlo samples, 100–20,000 (default 1,000)"), ("seed" = Option<u64>, Query, description = "random seed (default 1); the same seed gives the same answer")),
    responses((status = 200, body = ForecastResponse), (status = 400, body = ErrorBody), (status = 404, description = "no such project, or no phase with a list", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn forecast(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    params: crate::extract::QueryParams,
) -> Result<Json<ForecastResponse>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["phase", "samples", "seed"])?;
    let samples = params.int("samples", 100, 20_000)?.unwrap_or(1_000) as usize;
    let seed = params.int("seed", 0, i64::MAX)?.unwrap_or(1) as u64;
    let seq = params.int("phase", 1, 99)?;
    Ok(Json(
        phase::forecast(&state.app, &caller.caller(), id, seq, samples, seed).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/forecast/what-if", tag = "projects", params(("id" = i64, Path, description = "project id")), request_body = WhatIfRequest,
    responses((status = 200, body = WhatIfResponse), (status = 404, body = ErrorBody), (status = 422, description = "an item or mode is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn what_if(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<WhatIfRequest>,
) -> Result<Json<WhatIfResponse>, ApiError> {
    Ok(Json(
        phase::what_if(&state.app, &caller.caller(), id, &body).await?,
    ))
}
