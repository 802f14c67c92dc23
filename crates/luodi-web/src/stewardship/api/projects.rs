//! `/api/v1/projects`: projects with their phases, recorded and read. Reads follow the
//! caller's scope: an enterprise sees its own.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use luodi_app::stewardship::projects::{
    self, CreateProjectRequest, ProjectResponse, UpdateProjectRequest, project_response,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", responses((status = 200, body = [ProjectResponse])), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
) -> Result<Json<Vec<ProjectResponse>>, ApiError> {
    let projects = projects::list(&state.app, &caller.caller()).await?;
    Ok(Json(projects.iter().map(project_response).collect()))
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = CreateProjectRequest,
    responses((status = 201, description = "recorded with its phases and steward; audited", body = ProjectResponse), (status = 403, body = ErrorBody),
        (status = 409, description = "the zone has a project of that name", body = ErrorBody),
        (status = 422, description = "every field at fault, e.g. phases[1].facts.land_area_mu", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<CreateProjectRequest>,
) -> Result<(StatusCode, Json<ProjectResponse>), ApiError> {
    let project = projects::create(&state.app, &caller.caller(), body).await?;
    Ok((StatusCode::CREATED, Json(project_response(&project))))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectResponse), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ProjectResponse>, ApiError> {
    let p = projects::show(&state.app, &caller.caller(), id).await?;
    Ok(Json(project_response(&p)))
}

#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")), request_body = UpdateProjectRequest,
    responses((status = 200, description = "changed (its details, its phases' names and conditions, phases added); audited with the old values", body = ProjectResponse),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the zone has another project of that name, or the project changed since `version` was read", body = ErrorBody),
        (status = 422, description = "every field at fault, e.g. phases[1].facts.eia_class; or a phase left out", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<UpdateProjectRequest>,
) -> Result<Json<ProjectResponse>, ApiError> {
    let project = projects::update(&state.app, &caller.caller(), id, body).await?;
    Ok(Json(project_response(&project)))
}
