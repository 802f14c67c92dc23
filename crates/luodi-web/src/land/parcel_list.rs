//! The parcels page, `/parcels`: the park map with every parcel, and the list on the
//! shared list — searched by code, name or owner, filtered by status, land use and area,
//! sorted, paged and exported (as a parcel file imports back) — filtered in the store.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::land::parcel_list::{self, LIST};
use luodi_app::land::parcels;
use luodi_domain::land::parcel::ParcelStatus;
use luodi_store::land::parcels::ParcelLine;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::land::map::render as render_map;
use crate::land::pages::{drawn, refused};
use crate::pages::list::{self, ListView};
use crate::pages::{Layout, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parcels", get(show_list))
        .merge(list::exports("/parcels", &LIST, |state, caller, query| async move {
            parcel_list::export(&state.app, &caller, &query).await
        }))
}

pub struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub land_use: String,
    pub area_mu: String,
    pub status: String,
    pub status_key: String,
    pub owner: String,
    pub price: String,
    pub assessments: usize,
    pub checked_on: String,
}

fn row(line: &ParcelLine, l: &Layout) -> Row {
    let p = &line.parcel;
    Row {
        id: p.id,
        code: p.code.clone(),
        name: p.attrs.name.clone().unwrap_or_default(),
        land_use: p.attrs.land_use.clone(),
        area_mu: format!("{:.1}", p.area_mu),
        status: l
            .tr
            .t(&format!("parcels.status_{}", p.status.as_str()))
            .to_string(),
        status_key: p.status.as_str().replace('_', "-"),
        owner: line.owner.clone().unwrap_or_default(),
        price: p
            .attrs
            .price_per_mu_wan
            .map(|v| format!("{v}"))
            .unwrap_or_default(),
        assessments: p.attrs.assessments.len(),
        checked_on: p
            .attrs
            .checked_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "parcels.html")]
struct ListPage {
    l: Layout,
    map: String,
    summary: String,
    may_manage: bool,
    list: ListView,
    rows: Vec<Row>,
}

async fn show_list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/parcels";
    let l = Layout::new(&state, &page, "parcels.title", "nav.parcels", path).await;
    let query = match list::parse(&LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    // The map shows every parcel of the zone, whatever the list's filters.
    let view = match parcels::map(&state.app, &page.caller()).await {
        Ok(v) => v,
        Err(e) => return refused(l, page.lang, e),
    };
    let listed = match parcel_list::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(e) => return refused(l, page.lang, e),
    };
    let all = view.parcels;
    let map = render_map(&view.boundaries, &drawn(&all, &l, |_| None, None), &l.tr);
    let available = all
        .iter()
        .filter(|p| p.status == ParcelStatus::Available)
        .count();
    let total_mu: f64 = all.iter().map(|p| p.area_mu).sum();
    let tr = &l.tr;
    let summary = tr
        .t("parcels.summary")
        .replace("{n}", &all.len().to_string())
        .replace("{mu}", &format!("{total_mu:.0}"))
        .replace("{available}", &available.to_string());
    let statuses = ParcelStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                tr.t(&format!("parcels.status_{}", s.as_str())).to_string(),
            )
        })
        .collect();
    let uses = listed
        .land_uses
        .iter()
        .map(|u| (u.clone(), u.clone()))
        .collect();
    let all_label = Some(tr.t("lists.all"));
    let list = ListView::new(tr, path, &query, listed.found.total)
        .searched(&query)
        .select(
            &query,
            "status",
            tr.t("parcels.status"),
            statuses,
            all_label,
        )
        .select(
            &query,
            "land_use",
            tr.t("parcels.land_use"),
            uses,
            all_label,
        )
        .input(&query, "min_area_mu", tr.t("match.area_min"), "number")
        .input(&query, "max_area_mu", tr.t("match.area_max"), "number")
        .column(&query, tr.t("parcels.code"), Some("code"))
        .column(&query, tr.t("parcels.name"), None)
        .column(&query, tr.t("parcels.land_use"), None)
        .column(&query, tr.t("parcels.area_mu"), Some("area"))
        .column(&query, tr.t("parcels.status"), Some("status"))
        .column(&query, tr.t("parcel_list.owner"), None)
        .column(&query, tr.t("parcels.price"), None)
        .column(&query, tr.t("parcels.assessments"), None)
        .column(&query, tr.t("parcels.checked_on"), None);
    let rows = listed.found.items.iter().map(|p| row(p, &l)).collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            map,
            summary,
            may_manage: view.may_manage,
            list,
            rows,
            l,
        },
    ))
}
