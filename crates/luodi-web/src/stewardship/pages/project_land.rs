//! A project's page and its land steps: the page itself with the confirmation of a land
//! step that came back to it (needs saved, a parcel reserved or released), and a phase's
//! land needs recorded from it.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::land::parcels as land_parcels;
use luodi_app::stewardship::projects;
use luodi_domain::Operation;
use luodi_domain::core::i18n;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::land::needs_form;
use crate::pages::{Layout, PageForm, Refusal, error_page, path_number};
use crate::stewardship::pages::projects::{Extras, NeedsTyped, render_project_with};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}", get(show))
        .route("/projects/{id}/phases/{seq}/land-needs", post(land_needs))
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let notice = land_notice(&state, &page, &id, &params).await;
    render_project_with(
        &state,
        &page,
        &id,
        StatusCode::OK,
        Extras {
            notice,
            ..Default::default()
        },
    )
    .await
}

/// The confirmation after a land step that came back to the page: needs saved
/// (`saved=seq`), a parcel reserved (`reserved=seq`) or released (`released=parcel id`).
async fn land_notice(
    state: &AppState,
    page: &PageUser,
    raw_id: &str,
    params: &QueryParams,
) -> Option<String> {
    let caller = page.caller();
    let lang = page.lang;
    let phase_name = async |seq: Option<i64>| {
        let project = projects::show(&state.app, &caller, path_number(raw_id)?)
            .await
            .ok()?;
        project.phases.into_iter().find(|ph| Some(ph.seq) == seq)
    };
    if let Some(seq) = params.text("saved") {
        let ph = phase_name(path_number(seq)).await?;
        return Some(i18n::fill(lang, "needs.saved", &[("phase", &ph.name)]));
    }
    if let Some(seq) = params.text("reserved") {
        let ph = phase_name(path_number(seq)).await?;
        let parcel = land_parcels::reserved_for(&state.app, &caller, ph.id)
            .await
            .ok()??;
        return Some(i18n::fill(
            lang,
            "needs.reserved_done",
            &[("code", &parcel.code), ("phase", &ph.name)],
        ));
    }
    if let Some(id) = params.text("released") {
        let parcel = land_parcels::show(&state.app, &caller, path_number(id)?)
            .await
            .ok()?;
        return Some(i18n::fill(
            lang,
            "needs.released",
            &[("code", &parcel.code)],
        ));
    }
    None
}

/// Records a phase's land needs from the project page (Post/Redirect/Get, with a
/// confirmation); a refusal shows each problem beside its field, the values as typed.
async fn land_needs(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = || Layout::new(&state, &page, "error.title", "nav.projects", "/projects");
    if let Err(r) =
        crate::pages::page_zone(&state, &page, Operation::ManageParcels, "nav.projects").await
    {
        return Ok(r);
    }
    let (Some(pid), Some(seq)) = (path_number(&id), path_number(&seq)) else {
        return Ok(error_page(
            l().await,
            StatusCode::NOT_FOUND,
            "error.not_found",
        ));
    };
    let tr = crate::i18n::Tr::new(page.lang);
    let (gas, steam) = (form.get("gas").is_some(), form.get("steam").is_some());
    let refused = |errors: HashMap<&'static str, String>| Extras {
        needs: Some(NeedsTyped {
            seq,
            values: needs_form::all_names()
                .into_iter()
                .map(|n| (n, form.text(n)))
                .collect(),
            errors,
            gas,
            steam,
        }),
        ..Default::default()
    };
    let needs = match needs_form::parse(|n| form.opt(n), gas, steam, &tr) {
        Ok(n) => n,
        Err(errors) => {
            return render_project_with(
                &state,
                &page,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                refused(errors),
            )
            .await;
        }
    };
    match land_parcels::set_project_land_needs(&state.app, &page.caller(), pid, seq, &needs).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/projects/{pid}?saved={seq}#land-{seq}")).into_response())
        }
        Err(e) => match Refusal::of(page.lang, e) {
            // The rules the form already ran: what the use case still refuses is shown
            // above the page, the values kept.
            Refusal::Input(e) => {
                let mut extras = refused(HashMap::new());
                extras.error = Some(e.body.message);
                render_project_with(&state, &page, &id, e.status, extras).await
            }
            r => r.answer(l()).await,
        },
    }
}
