//! Reserving and releasing parcels from the pages: a ranked parcel reserved from the
//! matcher for the phase being matched (with a reason), and a reservation released from
//! the parcel's page or its phase's project page (with a reason); each goes back with a
//! confirmation, or shows the refusal beside its form.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use luodi_app::land::LandError;
use luodi_app::land::{parcels, reservations};
use luodi_domain::Operation;
use luodi_domain::core::i18n;
use luodi_store::StoreError;

use crate::AppState;
use crate::error::ApiError;
use crate::land::needs_form;
use crate::land::pages::{refused, render_match, render_parcel};
use crate::pages::{Layout, PageForm, error_page, page_zone, path_number};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parcels/{id}/reserve", post(reserve))
        .route("/parcels/{id}/release", post(release))
}

/// Reserves a ranked parcel for the phase the matcher page was matching (a reason is
/// required here), then shows the phase's project with a confirmation; a refusal is shown
/// on the matcher page beside the parcel.
async fn reserve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    if let Err(r) = page_zone(&state, &page, Operation::ManageParcels, "nav.parcels").await {
        return Ok(r);
    }
    let (Some(id), Some(phase_id)) = (path_number(&id), path_number(form.text("phase_id").trim()))
    else {
        let l = Layout::new(&state, &page, "error.title", "nav.parcels", "/parcels").await;
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let query = HashMap::from([("phase".to_string(), phase_id.to_string())]);
    let reason = form.text("reason");
    if reason.trim().is_empty() {
        let tr = crate::i18n::Tr::new(page.lang);
        let why = needs_form::beside(
            &tr,
            tr.t("needs.reserve_reason"),
            tr.t("needs.reason_required"),
        );
        return render_match(&state, &page, &query, Some((id, why, reason))).await;
    }
    let caller = page.caller();
    match reservations::reserve(&state.app, &caller, id, phase_id, Some(&reason)).await {
        Ok(_) => {
            let phase = parcels::phase(&state.app, &caller, phase_id)
                .await
                .map_err(|e| ApiError::app(page.lang, e))?;
            Ok(Redirect::to(&format!(
                "/projects/{}?reserved={}#land-{}",
                phase.project_id, phase.seq, phase.seq
            ))
            .into_response())
        }
        Err(e @ (LandError::Denied(_) | LandError::Store(StoreError::NotFound))) => {
            let l = Layout::new(&state, &page, "error.title", "nav.parcels", "/parcels").await;
            refused(l, page.lang, e)
        }
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status.is_server_error() {
                return Err(e);
            }
            render_match(&state, &page, &query, Some((id, e.body.message, reason))).await
        }
    }
}

/// Gives up a parcel's reservation for the reason given, from the parcel's page or from
/// its phase's project page, and goes back there with a confirmation; a refusal is shown
/// there beside the form.
async fn release(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    if let Err(r) = page_zone(&state, &page, Operation::ManageParcels, "nav.parcels").await {
        return Ok(r);
    }
    let Some(id) = path_number(&raw) else {
        let l = Layout::new(&state, &page, "error.title", "nav.parcels", "/parcels").await;
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    // Back to the project page when the form came from it, else the parcel's page.
    let project = path_number(form.text("project_id").trim());
    let seq = path_number(form.text("seq").trim()).unwrap_or(0);
    let reason = form.text("reason");
    let refusal = if reason.trim().is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            i18n::text(page.lang, "needs.reason_required").to_string(),
        ))
    } else {
        match reservations::release(&state.app, &page.caller(), id, &reason).await {
            Ok(_) => None,
            Err(e @ (LandError::Denied(_) | LandError::Store(StoreError::NotFound))) => {
                let l = Layout::new(&state, &page, "error.title", "nav.parcels", "/parcels").await;
                return refused(l, page.lang, e);
            }
            Err(e) => {
                let e = ApiError::app(page.lang, e);
                if e.status.is_server_error() {
                    return Err(e);
                }
                Some((e.status, e.body.message))
            }
        }
    };
    match (refusal, project) {
        (None, Some(p)) => {
            Ok(Redirect::to(&format!("/projects/{p}?released={id}#land-{seq}")).into_response())
        }
        (None, None) => Ok(Redirect::to(&format!("/parcels/{id}?released=1")).into_response()),
        (Some((status, why)), Some(p)) => {
            crate::stewardship::pages::projects::render_project_with(
                &state,
                &page,
                &p.to_string(),
                status,
                crate::stewardship::pages::projects::Extras {
                    release_error: Some((seq, why, reason)),
                    ..Default::default()
                },
            )
            .await
        }
        (Some((status, why)), None) => {
            render_parcel(&state, &page, &raw, status, None, Some((why, reason))).await
        }
    }
}
