//! `/api/v1/parcels` and `/api/v1/match`: the zone's land parcels — list, read, import
//! (GeoJSON, all or nothing), export (GeoJSON), reserve and release — and the matcher that
//! ranks them for a project's land needs with every reason shown. Zone staff only: an
//! enterprise sees no parcels (their reservations tell of other projects). Each handler
//! parses, calls one use case of [`luodi_app::land`] and answers with what it returns.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use luodi_app::land::files::{FileKind, ImportResponse};
use luodi_app::land::matching::{MatchRequest, MatchResponse, run_match};
use luodi_app::land::parcels::{
    self, ParcelPage, ParcelResponse, ReleaseRequest, ReserveRequest, parse_status,
};
use luodi_app::land::reservations;
use luodi_domain::land::matching::{LandNeeds, Weights};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, import))
        .routes(routes!(export))
        .routes(routes!(export_csv))
        .routes(routes!(export_xlsx))
        .routes(routes!(show))
        .routes(routes!(reserve))
        .routes(routes!(release))
        .routes(routes!(match_parcels))
        .routes(routes!(match_weights, set_match_weights))
        .routes(routes!(set_land_needs))
}

#[utoipa::path(get, path = "/api/v1/parcels", tag = "parcels",
    params(("status" = Option<String>, Query, description = "available, reserved, handed_over or withdrawn"),
        ("page" = Option<i64>, Query, description = "from 1"), ("per_page" = Option<i64>, Query, description = "1–200, default 20")),
    responses((status = 200, body = ParcelPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<ParcelPage>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["status", "page", "per_page"])?;
    let status = parse_status(params.text("status"))?;
    let page = params.page()?;
    Ok(Json(
        parcels::list(&state.app, &caller.caller(), status, page).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/parcels/{id}", tag = "parcels", params(("id" = i64, Path, description = "parcel id")),
    responses((status = 200, body = ParcelResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ParcelResponse>, ApiError> {
    let p = parcels::show(&state.app, &caller.caller(), id).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/api/v1/parcels", tag = "parcels",
    request_body(content = String, content_type = "application/geo+json", description = "a GeoJSON FeatureCollection (or, with Content-Type text/csv or the XLSX type, a table with a header row of attribute names and a `wkt` column); only `code` and the geometry are required"),
    responses((status = 201, description = "imported: new codes added, known codes updated, identical ones left unchanged", body = ImportResponse), (status = 403, body = ErrorBody),
        (status = 413, description = "over 1 MiB: use `luodi import parcels`", body = ErrorBody),
        (status = 422, description = "every problem by feature index and code; nothing was written", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: ApiUser,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResponse>), ApiError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or(FileKind::GeoJson, FileKind::from_media_type);
    let done =
        luodi_app::land::files::import(&state.app, &caller.caller(), kind, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

#[utoipa::path(get, path = "/api/v1/parcels.geojson", tag = "parcels",
    responses((status = 200, description = "every parcel of the zone as a GeoJSON FeatureCollection", content_type = "application/geo+json", body = luodi_app::schemas::FeatureCollectionSchema), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(State(state): State<AppState>, caller: ApiUser) -> Result<Response, ApiError> {
    let fc = luodi_app::land::files::feature_collection(&state.app, &caller.caller()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"parcels.geojson\"",
            ),
        ],
        fc.to_string(),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/parcels.csv", tag = "parcels",
    responses((status = 200, description = "every parcel as CSV: the attribute columns and `wkt`; imports back as it is", content_type = "text/csv", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_csv(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Response, ApiError> {
    let table = luodi_app::land::files::parcel_table(&state.app, &caller.caller()).await?;
    Ok(crate::export::response(
        &table,
        crate::export::ExportFormat::Csv,
    ))
}

#[utoipa::path(get, path = "/api/v1/parcels.xlsx", tag = "parcels",
    responses((status = 200, description = "every parcel as an Excel workbook: the attribute columns and `wkt`; imports back as it is", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Response, ApiError> {
    let table = luodi_app::land::files::parcel_table(&state.app, &caller.caller()).await?;
    Ok(crate::export::response(
        &table,
        crate::export::ExportFormat::Xlsx,
    ))
}

#[utoipa::path(post, path = "/api/v1/parcels/{id}/reserve", tag = "parcels", params(("id" = i64, Path, description = "parcel id")),
    request_body = ReserveRequest,
    responses((status = 200, description = "reserved for the phase, which moves to `land_matched` if it was before it", body = ParcelResponse), (status = 403, body = ErrorBody), (status = 404, description = "no such parcel or phase in the zone", body = ErrorBody),
        (status = 409, description = "the parcel is not available, or the phase has a parcel already; nothing changed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reserve(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ReserveRequest>,
) -> Result<Json<ParcelResponse>, ApiError> {
    let p = reservations::reserve(
        &state.app,
        &caller.caller(),
        id,
        body.phase_id,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/api/v1/parcels/{id}/release", tag = "parcels", params(("id" = i64, Path, description = "parcel id")),
    request_body = ReleaseRequest,
    responses((status = 200, description = "available again; the phase it was reserved for, if at `land_matched`, is back at `signed`", body = ParcelResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "not reserved", body = ErrorBody), (status = 422, description = "no reason given; `field` is `reason`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn release(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ReleaseRequest>,
) -> Result<Json<ParcelResponse>, ApiError> {
    let p = reservations::release(&state.app, &caller.caller(), id, &body.reason).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/api/v1/match", tag = "parcels", request_body = MatchRequest,
    responses((status = 200, description = "the best parcels with each score's components, and every excluded parcel with its reasons", body = MatchResponse),
        (status = 403, body = ErrorBody), (status = 422, description = "a need or fact is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_parcels(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<MatchRequest>,
) -> Result<Json<MatchResponse>, ApiError> {
    Ok(Json(run_match(&state.app, &caller.caller(), &body).await?))
}

#[utoipa::path(get, path = "/api/v1/match/weights", tag = "parcels",
    responses((status = 200, description = "the weights the zone's matcher scores with (its own, or the defaults 15/25/15/15/15/15): area, indicators, utilities, price, synergy, assessments", body = luodi_app::schemas::WeightsSchema),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_weights(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Weights>, ApiError> {
    Ok(Json(
        parcels::match_weights(&state.app, &caller.caller()).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/match/weights", tag = "parcels",
    request_body(content = luodi_app::schemas::WeightsSchema, description = "all six weights, each zero or more, adding up to more than zero (any scale; shown as points of 100)"),
    responses((status = 200, description = "set; the weights", body = luodi_app::schemas::WeightsSchema), (status = 403, body = ErrorBody),
        (status = 422, description = "a weight is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_match_weights(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(weights): JsonBody<Weights>,
) -> Result<Json<Weights>, ApiError> {
    parcels::set_match_weights(&state.app, &caller.caller(), &weights).await?;
    Ok(Json(weights))
}

#[utoipa::path(put, path = "/api/v1/phases/{id}/land-needs", tag = "parcels", params(("id" = i64, Path, description = "project phase id")),
    request_body(content = luodi_app::schemas::LandNeedsSchema, description = "the phase's land needs"),
    responses((status = 200, description = "recorded; the phase's id and its needs", body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_land_needs(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(needs): JsonBody<LandNeeds>,
) -> Result<Json<serde_json::Value>, ApiError> {
    parcels::set_land_needs(&state.app, &caller.caller(), id, &needs).await?;
    Ok(Json(
        serde_json::json!({"phase_id": id, "land_needs": needs}),
    ))
}
