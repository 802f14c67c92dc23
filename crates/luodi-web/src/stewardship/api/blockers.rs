//! `/api/v1/blockers`: a project's difficulties and blockages (难点堵点) — raised by the
//! steward or the enterprise, acted on by the department they are with, confirmed and rated
//! by the enterprise; each with its three clocks on the working-day calendar. Each handler
//! parses, calls one use case ([`luodi_app::stewardship::blockers`]) and answers with what
//! it returns.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use luodi_app::stewardship::blockers::{
    self, ActionRequest, BlockerList, BlockerQuery, BlockerResponse, RaiseRequest, Upload,
};
use luodi_domain::core::i18n;
use luodi_domain::stewardship::attachment;
use luodi_domain::stewardship::blocker::Sla;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, JsonBody, PathId, QueryParams, path_id};
use crate::stewardship::pages::blockers::MAX_FORM_BYTES;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, raise))
        .routes(routes!(show))
        .routes(routes!(act))
        .routes(routes!(attach).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)))
        .routes(routes!(download))
        .routes(routes!(sla, set_sla))
}

#[utoipa::path(get, path = "/api/v1/blockers", tag = "blockers",
    params(("project_id" = Option<i64>, Query, description = "one project's"), ("department_id" = Option<i64>, Query, description = "those with one department"),
        ("state" = Option<String>, Query, description = "open, acknowledged, answered, resolved, closed or withdrawn"),
        ("open" = Option<bool>, Query, description = "true: only those neither closed nor withdrawn")),
    responses((status = 200, description = "the blockers the caller sees, newest first, each with its three clocks", body = BlockerList),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<BlockerList>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["project_id", "department_id", "state", "open"])?;
    let query = BlockerQuery {
        project_id: params.int("project_id", 1, i64::MAX)?,
        department_id: params.int("department_id", 1, i64::MAX)?,
        state: params.text("state").map(str::to_string),
        open: params.text("open").map(str::to_string),
    };
    Ok(Json(
        blockers::list(&state.app, &caller.caller(), &query).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/blockers/{id}", tag = "blockers", params(("id" = i64, Path, description = "blocker id")),
    responses((status = 200, description = "the blocker with its clocks, its events and what the caller may do", body = BlockerResponse),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<BlockerResponse>, ApiError> {
    Ok(Json(
        blockers::show(&state.app, &caller.caller(), id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/blockers", tag = "blockers", request_body = RaiseRequest,
    responses((status = 201, description = "raised; its clocks start today", body = BlockerResponse), (status = 403, body = ErrorBody),
        (status = 422, description = "a field is wrong; `field` names it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn raise(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<RaiseRequest>,
) -> Result<(StatusCode, Json<BlockerResponse>), ApiError> {
    let b = blockers::raise(&state.app, &caller.caller(), body, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(b)))
}

#[utoipa::path(post, path = "/api/v1/blockers/{id}/actions", tag = "blockers", params(("id" = i64, Path, description = "blocker id")),
    request_body = ActionRequest,
    responses((status = 200, description = "done; the blocker as it now stands", body = BlockerResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the rules refuse it now, or the version is stale", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ActionRequest>,
) -> Result<Json<BlockerResponse>, ApiError> {
    Ok(Json(
        blockers::act(&state.app, &caller.caller(), id, &body, &[]).await?,
    ))
}

/// A comment with files, as `multipart/form-data`: one or more `file` parts, and the
/// comment's fields as text parts.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AttachForm {
    /// 1–5 files, each up to 10 MB, of a kind judged by content: PDF, OFD, Word, Excel,
    /// PowerPoint (old and new), PNG, JPEG, WebP, text; the extension must say the same.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
    /// What the comment says (may be empty when files come).
    text: Option<String>,
    /// `true`: an internal note with its files, never shown to the enterprise.
    internal: Option<bool>,
    /// The version the caller saw.
    version: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/blockers/{id}/attachments", tag = "blockers", params(("id" = i64, Path, description = "blocker id")),
    request_body(content = AttachForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "the files stored with a comment (or, `internal`, a note the enterprise never sees); the blocker as it now stands", body = BlockerResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the rules refuse a comment now, or the version is stale", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, description = "a file refused (named, with why: its kind by content, its size, its name) or a field wrong; nothing stored", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn attach(
    State(state): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    mut form: Multipart,
) -> Result<(StatusCode, Json<BlockerResponse>), ApiError> {
    let lang = caller.lang;
    let bad = |field: &str, key: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_field",
            i18n::text(lang, key).to_string(),
        )
        .field(field.to_string())
    };
    let too_large = || crate::edge::too_large_of(lang, MAX_FORM_BYTES);
    let mut files = Vec::new();
    let (mut text, mut internal, mut version) = (None, false, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(bad("body", "stewardship.blocker_error.multipart")),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        match (name.as_str(), file_name) {
            ("file", Some(file_name)) => match field.bytes().await {
                Ok(b) => files.push(Upload {
                    name: file_name,
                    bytes: b.to_vec(),
                }),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(bad("file", "stewardship.blocker_error.multipart")),
            },
            ("text" | "internal" | "version", None) => {
                let value = match field.text().await {
                    Ok(v) => v,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(too_large());
                    }
                    Err(_) => return Err(bad(&name, "stewardship.blocker_error.multipart")),
                };
                if let Some(c) = luodi_domain::core::text::forbidden_char(&value) {
                    return Err(crate::error::control_error(lang, &name, c));
                }
                match name.as_str() {
                    "text" => text = Some(value),
                    "internal" => {
                        internal = match value.as_str() {
                            "true" => true,
                            "false" | "" => false,
                            _ => {
                                return Err(bad(
                                    "internal",
                                    "stewardship.blocker_error.internal_flag",
                                ));
                            }
                        }
                    }
                    _ => {
                        version = Some(value.parse::<i64>().map_err(|_| {
                            bad("version", "stewardship.blocker_error.version_number")
                        })?)
                    }
                }
            }
            _ => return Err(bad(&name, "stewardship.blocker_error.unknown_part")),
        }
    }
    if files.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            i18n::fill(
                lang,
                "stewardship.blocker_error.no_files",
                &[("kinds", &attachment::allowed())],
            ),
        )
        .field("file"));
    }
    let request = ActionRequest {
        kind: "commented".into(),
        text,
        reason: None,
        department_id: None,
        rating: None,
        comment: None,
        resolve_limit: None,
        internal: Some(internal),
        assignee_id: None,
        version,
    };
    let b = blockers::act(&state.app, &caller.caller(), id, &request, &files).await?;
    Ok((StatusCode::CREATED, Json(b)))
}

#[utoipa::path(get, path = "/api/v1/blockers/{id}/attachments/{attachment}", tag = "blockers",
    params(("id" = i64, Path, description = "blocker id"), ("attachment" = i64, Path, description = "the file's id, as the blocker's `attachments` list it")),
    responses((status = 200, description = "the file, with the media type found from its content", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, body = ErrorBody), (status = 404, description = "no such file on a blocker the caller sees (an internal note's, for an enterprise)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, caller.lang)?;
    let file = path_id(&file, caller.lang).map_err(|e| e.field("attachment"))?;
    let f = blockers::attachment(&state.app, &caller.caller(), id, file).await?;
    Ok(crate::stewardship::pages::blockers::serve(f))
}

#[utoipa::path(get, path = "/api/v1/blocker-sla", tag = "blockers",
    responses((status = 200, description = "the zone's limits in working days (acknowledge, answer, resolve, resolve_complex) and its escalation ladder (to, after_working_days)", body = luodi_app::schemas::SlaSchema),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn sla(State(state): State<AppState>, caller: ApiUser) -> Result<Json<Sla>, ApiError> {
    Ok(Json(blockers::sla(&state.app, &caller.caller()).await?))
}

#[utoipa::path(put, path = "/api/v1/blocker-sla", tag = "blockers",
    request_body(content = luodi_app::schemas::SlaSchema, description = "limits (1–120 working days, in that order no shorter) and the escalation ladder (1–5 rungs)"),
    responses((status = 200, description = "set; blockers raised from now on use it", body = luodi_app::schemas::SlaSchema), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_sla(
    State(state): State<AppState>,
    caller: ApiUser,
    JsonBody(body): JsonBody<Sla>,
) -> Result<Json<Sla>, ApiError> {
    Ok(Json(
        blockers::set_sla(&state.app, &caller.caller(), body).await?,
    ))
}
