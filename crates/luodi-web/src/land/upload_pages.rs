//! Uploading a parcel file (上传地块) from the pages: `/parcels/upload` takes a GeoJSON,
//! CSV or XLSX file, checks it whole and shows every problem by feature or row and field,
//! or what importing it would do and its first parcels; its confirmation imports the file
//! that was checked and goes to `/parcels` with what was imported. For those who may
//! manage parcels; others get the 403 page.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::land::LandError;
use luodi_app::land::files::{FileKind, MAX_PARCEL_FILE_BYTES};
use luodi_app::land::upload::{self, UploadPreview};
use luodi_domain::Operation;
use luodi_domain::land::parcel::FeatureProblem;
use luodi_store::land::parcels::ParcelChange;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, constant_time_eq};
use crate::i18n::Tr;
use crate::pages::{Layout, PageForm, error_page, page_zone, render};

/// What a multipart form may hold beyond the file: the CSRF field and the parts' heads.
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/parcels/upload",
            get(form_page).post(check).layer(DefaultBodyLimit::max(
                MAX_PARCEL_FILE_BYTES + FORM_OVERHEAD_BYTES,
            )),
        )
        .route("/parcels/upload/confirm", post(confirm))
}

/// A problem of a refused file, as the page lists it.
pub struct ProblemRow {
    /// The feature or row, in words (or the whole file).
    pub place: String,
    pub code: String,
    pub field: String,
    pub reason: String,
}

pub struct PreviewRow {
    pub code: String,
    pub name: String,
    pub area_mu: String,
    pub area_m2: String,
    pub status: String,
    pub status_key: String,
    pub change: String,
}

pub struct PreviewView {
    pub token: String,
    pub clean: String,
    pub counts: String,
    pub sha256: String,
    pub first_rows: String,
    pub rows: Vec<PreviewRow>,
}

#[derive(Template)]
#[template(path = "parcel_upload.html")]
struct UploadPage {
    l: Layout,
    file_label: String,
    refusal: Option<String>,
    problems: Vec<ProblemRow>,
    problems_title: String,
    preview: Option<PreviewView>,
}

/// What the page shows below its title.
#[derive(Default)]
struct Outcome {
    refusal: Option<String>,
    problems: Vec<FeatureProblem>,
    preview: Option<UploadPreview>,
}

fn tr_fill(tr: &Tr, key: &str, values: &[(&str, &str)]) -> String {
    luodi_domain::core::i18n::fill(tr.lang, key, values)
}

/// A problem's place in words: the n-th feature (from 1), the row as a spreadsheet
/// numbers it (the header is row 1), or the whole file.
fn problem_row(p: FeatureProblem, tr: &Tr) -> ProblemRow {
    let whole = matches!(p.field.as_str(), "file" | "header") && p.code.is_none();
    let place = match p.unit {
        _ if whole => tr.t("land.upload.whole_file").to_string(),
        "row" => tr_fill(tr, "land.upload.row", &[("n", &(p.index + 2).to_string())]),
        _ => tr_fill(
            tr,
            "land.upload.feature",
            &[("n", &(p.index + 1).to_string())],
        ),
    };
    ProblemRow {
        place,
        code: p.code.unwrap_or_default(),
        field: if whole { String::new() } else { p.field },
        reason: p.reason.get(tr.lang).to_string(),
    }
}

fn preview_view(v: UploadPreview, tr: &Tr) -> PreviewView {
    let n = |x: usize| x.to_string();
    let rows: Vec<PreviewRow> = v
        .rows
        .into_iter()
        .map(|r| PreviewRow {
            code: r.code,
            name: r.name.unwrap_or_default(),
            area_mu: format!("{:.2}", r.area_mu),
            area_m2: format!("{:.0} m²", r.area_m2),
            status: tr
                .t(&format!("parcels.status_{}", r.status.as_str()))
                .to_string(),
            status_key: r.status.as_str().replace('_', "-"),
            change: tr
                .t(match r.change {
                    ParcelChange::New => "land.upload.change_new",
                    ParcelChange::Changed => "land.upload.change_changed",
                    ParcelChange::Unchanged => "land.upload.change_unchanged",
                })
                .to_string(),
        })
        .collect();
    PreviewView {
        token: v.token,
        clean: tr_fill(tr, "land.upload.clean", &[("n", &n(v.parcels))]),
        counts: tr_fill(
            tr,
            "land.upload.counts",
            &[
                ("created", &n(v.created)),
                ("updated", &n(v.updated)),
                ("unchanged", &n(v.unchanged)),
            ],
        ),
        sha256: tr_fill(tr, "land.upload.sha256", &[("sha", &v.sha256)]),
        first_rows: tr_fill(tr, "land.upload.first_rows", &[("n", &n(rows.len()))]),
        rows,
    }
}

async fn render_upload(
    state: &AppState,
    page: &PageUser,
    status: StatusCode,
    outcome: Outcome,
) -> Response {
    let l = Layout::new(
        state,
        page,
        "land.upload.title",
        "nav.parcels",
        "/parcels/upload",
    )
    .await;
    let mib = (MAX_PARCEL_FILE_BYTES / (1024 * 1024)).to_string();
    let file_label = tr_fill(&l.tr, "land.upload.file", &[("mib", &mib)]);
    let problems_title = tr_fill(
        &l.tr,
        "land.upload.problems",
        &[("n", &outcome.problems.len().to_string())],
    );
    let problems = outcome
        .problems
        .into_iter()
        .map(|p| problem_row(p, &l.tr))
        .collect();
    let preview = outcome.preview.map(|v| preview_view(v, &l.tr));
    render(
        status,
        &UploadPage {
            file_label,
            refusal: outcome.refusal,
            problems,
            problems_title,
            preview,
            l,
        },
    )
}

/// A land use case's refusal on this page: the 403 page, the problems by feature or row,
/// or the reason above the form; a fault of ours is the error.
async fn refused(state: &AppState, page: &PageUser, e: LandError) -> Result<Response, ApiError> {
    match e {
        LandError::Denied(_) => {
            let l = Layout::new(state, page, "error.title", "nav.parcels", "/parcels").await;
            Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"))
        }
        LandError::Import(problems) => Ok(render_upload(
            state,
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
            Outcome {
                problems,
                ..Default::default()
            },
        )
        .await),
        e => {
            let status = match e {
                LandError::TooLarge(_) => Some(StatusCode::PAYLOAD_TOO_LARGE),
                _ => None,
            };
            let e = ApiError::app(page.lang, e);
            if !e.status.is_client_error() {
                return Err(e);
            }
            let outcome = Outcome {
                refusal: Some(e.body.message),
                ..Default::default()
            };
            Ok(render_upload(state, page, status.unwrap_or(e.status), outcome).await)
        }
    }
}

async fn form_page(State(state): State<AppState>, page: PageUser) -> Response {
    if let Err(r) = page_zone(&state, &page, Operation::ManageParcels, "nav.parcels").await {
        return r;
    }
    render_upload(&state, &page, StatusCode::OK, Outcome::default()).await
}

/// The uploaded file: its name, media type and bytes; or why it cannot be read.
struct UploadedFile {
    name: String,
    content_type: String,
    bytes: Vec<u8>,
}

/// Reads the form's CSRF field and file, stopping past the size limit.
async fn read_form(
    form: &mut Multipart,
) -> (Option<String>, Result<Option<UploadedFile>, LandError>) {
    let mut csrf = None;
    let mut file = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return (csrf, Err(LandError::TooLarge(MAX_PARCEL_FILE_BYTES)));
            }
            Err(_) => break,
        };
        match field.name() {
            Some("_csrf") => match field.text().await {
                Ok(t) => csrf = Some(t),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return (csrf, Err(LandError::TooLarge(MAX_PARCEL_FILE_BYTES)));
                }
                Err(_) => {}
            },
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let content_type = field.content_type().unwrap_or("").to_string();
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > MAX_PARCEL_FILE_BYTES {
                                return (csrf, Err(LandError::TooLarge(MAX_PARCEL_FILE_BYTES)));
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return (csrf, Err(LandError::TooLarge(MAX_PARCEL_FILE_BYTES)));
                        }
                        Err(_) => return (csrf, Err(LandError::EmptyFile)),
                    }
                }
                file = Some(UploadedFile {
                    name,
                    content_type,
                    bytes,
                });
            }
            _ => {}
        }
    }
    (csrf, Ok(file))
}

/// Step 1: checks the uploaded file whole, writing nothing.
async fn check(
    State(state): State<AppState>,
    page: PageUser,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    if let Err(r) = page_zone(&state, &page, Operation::ManageParcels, "nav.parcels").await {
        return Ok(r);
    }
    let (csrf, file) = read_form(&mut form).await;
    // A body over the limit may end before its token is read (a client sends it in one
    // piece): it is answered with the limit whatever its token, and nothing is done.
    if let Err(e @ LandError::TooLarge(_)) = file {
        return refused(&state, &page, e).await;
    }
    let csrf_ok = !page.cross_origin
        && csrf.is_some_and(|c| constant_time_eq(c.as_bytes(), page.csrf.as_bytes()));
    if !csrf_ok {
        let l = Layout::new(&state, &page, "error.title", "nav.parcels", "/parcels").await;
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.csrf"));
    }
    let file = match file {
        Ok(Some(f)) if !f.bytes.is_empty() => f,
        Ok(_) => return refused(&state, &page, LandError::EmptyFile).await,
        Err(e) => return refused(&state, &page, e).await,
    };
    let Some(kind) = FileKind::of_upload(&file.name, &file.content_type, &file.bytes) else {
        return refused(&state, &page, LandError::FileType(file.name)).await;
    };
    match upload::check(&state.app, &page.caller(), kind, file.bytes).await {
        Ok(preview) => Ok(render_upload(
            &state,
            &page,
            StatusCode::OK,
            Outcome {
                preview: Some(preview),
                ..Default::default()
            },
        )
        .await),
        Err(e) => refused(&state, &page, e).await,
    }
}

/// Step 2: imports the checked file its token names, then shows `/parcels` with what was
/// imported (Post/Redirect/Get).
async fn confirm(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    if let Err(r) = page_zone(&state, &page, Operation::ManageParcels, "nav.parcels").await {
        return Ok(r);
    }
    match upload::confirm(&state.app, &page.caller(), &form.text("token")).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/parcels?done=parcels_imported,created:{},updated:{},unchanged:{}",
            done.created, done.updated, done.unchanged
        ))
        .into_response()),
        Err(e) => refused(&state, &page, e).await,
    }
}
