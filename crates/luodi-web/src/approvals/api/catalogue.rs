//! `/api/v1/catalogue`: the zone's service catalogue — read it, list its versions, and
//! (administrators) import a new version as TOML. Each handler parses, calls one use case
//! of [`luodi_app::approvals::catalogue`] and answers with what it returns.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use luodi_app::approvals::catalogue::{self, CatalogueResponse, CatalogueVersionResponse};
use luodi_domain::core::i18n;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, QueryParams};

pub use luodi_app::approvals::catalogue::MAX_CATALOGUE_BYTES;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(
            routes!(show, import).layer(axum::extract::DefaultBodyLimit::max(MAX_CATALOGUE_BYTES)),
        )
        .routes(routes!(versions))
        .routes(routes!(export))
}

#[utoipa::path(get, path = "/api/v1/catalogue", tag = "catalogue",
    params(("version" = Option<String>, Query, description = "a version, e.g. 2026.1; default the current one")),
    responses((status = 200, body = CatalogueResponse), (status = 404, description = "the zone has no catalogue yet", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<CatalogueResponse>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["version"])?;
    Ok(Json(
        catalogue::show(&state.app, &caller.caller(), params.text("version")).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/catalogue/versions", tag = "catalogue",
    responses((status = 200, body = [CatalogueVersionResponse])), security(("bearer" = [])))]
pub async fn versions(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<CatalogueVersionResponse>>, ApiError> {
    Ok(Json(
        catalogue::versions(&state.app, &caller.caller()).await?,
    ))
}

/// A catalogue file as a download.
pub fn toml_download(file: catalogue::CatalogueFile) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"catalogue-{}.toml\"", file.version),
            ),
        ],
        file.text,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/catalogue/export", tag = "catalogue",
    params(("version" = Option<String>, Query, description = "a version; default the current one")),
    responses((status = 200, description = "the catalogue file, as imported", content_type = "application/toml", body = String), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["version"])?;
    let file = catalogue::export(&state.app, &caller.caller(), params.text("version")).await?;
    Ok(toml_download(file))
}

#[utoipa::path(post, path = "/api/v1/catalogue", tag = "catalogue",
    request_body(content = String, content_type = "application/toml", description = "a catalogue file (the format of `luodi catalogue export`)"),
    responses((status = 201, description = "imported as the current version", body = CatalogueVersionResponse), (status = 200, description = "the same version and text are stored already; nothing changed", body = CatalogueVersionResponse),
        (status = 403, body = ErrorBody), (status = 409, description = "the version exists with other content", body = ErrorBody),
        (status = 422, description = "every problem, each naming its items (a cycle in order)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: ApiUser,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<CatalogueVersionResponse>), ApiError> {
    let who = caller.caller();
    // Refused callers hear so before anything is said of what they sent.
    catalogue::may_import(&who)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct.split(';').next().unwrap_or("").trim();
    if !matches!(mime, "application/toml" | "text/plain") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            i18n::text(caller.lang, "catalogue.error.media_type"),
        ));
    }
    let done = catalogue::import(&state.app, &who, &body).await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done.version)))
}
