//! Parcel pages (土地与地块匹配): the park map with every parcel, a parcel's page, and the
//! matcher — a project's land needs in, the ranked parcels on the map and every score
//! component and every exclusion in words out.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_domain::Operation;
use luodi_domain::land::matching::{LandNeeds, Partner};
use luodi_domain::stewardship::project::PhaseFacts;
use luodi_store::land::parcels::Parcel;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::map::{MapParcel, render as render_map};
use crate::pages::{Layout, error_page, render};
use luodi_app::land::matching::{MatchRequest, MatchResponse, run_match};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parcels", get(list))
        .route("/parcels/match", get(match_page))
        .route("/parcels/{id}", get(show))
}

pub struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub area_mu: String,
    pub status: String,
    pub status_key: String,
    pub price: String,
    pub assessments: usize,
    pub checked_on: String,
}

fn row(p: &Parcel, l: &Layout) -> Row {
    Row {
        id: p.id,
        code: p.code.clone(),
        name: p.attrs.name.clone().unwrap_or_default(),
        area_mu: format!("{:.1}", p.area_mu),
        status: l
            .tr
            .t(&format!("parcels.status_{}", p.status.as_str()))
            .to_string(),
        status_key: p.status.as_str().replace('_', "-"),
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

fn title(p: &Parcel, l: &Layout) -> String {
    format!(
        "{} · {:.1} {} · {}",
        p.code,
        p.area_mu,
        l.tr.t("parcels.mu"),
        l.tr.t(&format!("parcels.status_{}", p.status.as_str()))
    )
}

/// The parcels to draw on a map, with their ranks in a match and the one a page is about.
fn drawn<'a>(
    parcels: &'a [Parcel],
    l: &Layout,
    rank: impl Fn(i64) -> Option<usize>,
    focus: Option<i64>,
) -> Vec<MapParcel<'a>> {
    parcels
        .iter()
        .map(|p| MapParcel {
            id: p.id,
            code: &p.code,
            status: p.status.as_str(),
            geometry: &p.geometry,
            rank: rank(p.id),
            focus: focus == Some(p.id),
            title: title(p, l),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "parcels.html")]
struct ListPage {
    l: Layout,
    map: String,
    rows: Vec<Row>,
    summary: String,
    may_manage: bool,
}

async fn parcels_for(state: &AppState, page: &PageUser) -> Result<Option<Vec<Parcel>>, ApiError> {
    let (Some(zone), true) = (
        page.user.zone_id,
        Operation::ViewParcels.allows(page.user.role),
    ) else {
        return Ok(None);
    };
    Ok(Some(
        state
            .app
            .store
            .all_parcels(zone)
            .await
            .map_err(|e| ApiError::store(page.lang, e))?,
    ))
}

async fn list(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "parcels.title", "nav.parcels", "/parcels").await;
    let Some(mut parcels) = parcels_for(&state, &page).await? else {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    };
    parcels.sort_by(|a, b| a.code.cmp(&b.code));
    let zone = page.user.zone_id.expect("checked");
    let boundaries = state
        .app
        .store
        .park_boundaries(zone)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    let map = render_map(&boundaries, &drawn(&parcels, &l, |_| None, None), &l.tr);
    let available = parcels
        .iter()
        .filter(|p| p.status == luodi_domain::land::parcel::ParcelStatus::Available)
        .count();
    let total_mu: f64 = parcels.iter().map(|p| p.area_mu).sum();
    let summary =
        l.tr.t("parcels.summary")
            .replace("{n}", &parcels.len().to_string())
            .replace("{mu}", &format!("{total_mu:.0}"))
            .replace("{available}", &available.to_string());
    let rows = parcels.iter().map(|p| row(p, &l)).collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            map,
            rows,
            summary,
            may_manage: Operation::ManageParcels.allows(page.user.role),
            l,
        },
    ))
}

#[derive(Template)]
#[template(path = "parcel.html")]
struct ParcelPage {
    l: Layout,
    map: String,
    facts: Vec<(String, String)>,
    extra: Vec<(String, String)>,
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "parcels.title", "nav.parcels", "/parcels").await;
    let (Some(zone), true) = (
        page.user.zone_id,
        Operation::ViewParcels.allows(page.user.role),
    ) else {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    };
    let p = match id.parse::<i64>() {
        Ok(id) => match state.app.store.parcel(zone, id).await {
            Ok(p) => p,
            Err(luodi_store::StoreError::NotFound) => {
                return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
            }
            Err(e) => return Err(ApiError::store(page.lang, e)),
        },
        Err(_) => return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found")),
    };
    // The map around the parcel: its neighbours within a few hundred metres.
    let (x0, y0, x1, y1) = p.bbox;
    let pad = ((x1 - x0).max(y1 - y0) * 1.5).max(0.004);
    let parcels = state
        .app
        .store
        .parcels_in_box(zone, (x0 - pad, y0 - pad, x1 + pad, y1 + pad), 400)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    let map = render_map(&[], &drawn(&parcels, &l, |_| None, Some(p.id)), &l.tr);
    let a = &p.attrs;
    let num = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_else(|| "—".into());
    let tr = &l.tr;
    let mut facts = vec![
        (tr.t("parcels.code").to_string(), p.code.clone()),
        (
            tr.t("parcels.name").to_string(),
            a.name.clone().unwrap_or_default(),
        ),
        (
            tr.t("parcels.area").to_string(),
            format!(
                "{:.2} m² · {:.2} {}",
                p.area_m2,
                p.area_mu,
                tr.t("parcels.mu")
            ),
        ),
        (
            tr.t("parcels.status").to_string(),
            tr.t(&format!("parcels.status_{}", p.status.as_str()))
                .to_string(),
        ),
        (tr.t("parcels.land_use").to_string(), a.land_use.clone()),
        (tr.t("parcels.price").to_string(), num(a.price_per_mu_wan)),
        (
            tr.t("parcels.utilities").to_string(),
            format!(
                "{} kVA · {} m³/d · gas {} · steam {} · road {} · sewage {}",
                num(a.power_kva),
                num(a.water_m3_per_day),
                a.gas,
                a.steam,
                a.road_access,
                a.sewage_class.clone().unwrap_or_else(|| "—".into())
            ),
        ),
        (
            tr.t("parcels.planning").to_string(),
            format!(
                "FAR {}–{} · coverage ≥ {} · green ≤ {} · height ≤ {} m",
                num(a.plot_ratio_min),
                num(a.plot_ratio_max),
                num(a.building_coverage_min),
                num(a.green_ratio_max),
                num(a.height_max_m)
            ),
        ),
        (
            tr.t("parcels.indicators").to_string(),
            format!(
                "{} / {} / {} 万元/亩 · {} tce/万元",
                num(a.investment_intensity_min_wan_per_mu),
                num(a.tax_per_mu_min_wan),
                num(a.output_per_mu_min_wan),
                num(a.energy_per_value_added_max_tce)
            ),
        ),
        (
            tr.t("parcels.industries").to_string(),
            a.allowed_industries.join(", "),
        ),
        (
            tr.t("parcels.assessments").to_string(),
            a.assessments
                .iter()
                .map(|k| {
                    luodi_domain::approvals::rule::ASSESSMENTS
                        .iter()
                        .find(|x| x.0 == k)
                        .map(|x| tr.pick(x.1, x.2).to_string())
                        .unwrap_or_else(|| k.clone())
                })
                .collect::<Vec<_>>()
                .join("、"),
        ),
        (
            tr.t("parcels.checked_on").to_string(),
            a.checked_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    if let Some(ph) = p.reserved_phase_id.or(p.handed_phase_id) {
        facts.push((tr.t("parcels.phase").to_string(), format!("#{ph}")));
    }
    let extra = a
        .extra
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string()),
            )
        })
        .collect();
    let l = l.titled(format!(
        "{} · {}",
        p.code,
        a.name.clone().unwrap_or_default()
    ));
    Ok(render(
        StatusCode::OK,
        &ParcelPage {
            l,
            map,
            facts,
            extra,
        },
    ))
}

#[derive(Template)]
#[template(path = "parcel_match.html")]
struct MatchPage {
    l: Layout,
    form: Vec<(String, String, String)>,
    map: String,
    result: Option<MatchResponse>,
    error: Option<String>,
    names: HashMap<&'static str, String>,
    constraints: HashMap<&'static str, String>,
    gas: bool,
    steam: bool,
    /// Phases with recorded needs: (id, "project · phase", the one in use).
    phases: Vec<(i64, String, bool)>,
}

/// The needs form's fields: (name, label key, default).
const FIELDS: &[(&str, &str, &str)] = &[
    ("area_mu_min", "match.area_min", "60"),
    ("area_mu_max", "match.area_max", "200"),
    ("industry", "match.industry", "C2761"),
    ("investment_wan", "match.investment", "150000"),
    ("annual_tax_wan", "match.tax", "5000"),
    ("annual_output_wan", "match.output", "200000"),
    ("power_kva", "match.power", "6000"),
    ("water_m3_per_day", "match.water", "800"),
    ("budget_per_mu_wan", "match.budget", "40"),
    ("partner_lon", "match.partner_lon", "120.3003"),
    ("partner_lat", "match.partner_lat", "36.3052"),
];

async fn match_page(
    State(state): State<AppState>,
    page: PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let l = Layout::new(
        &state,
        &page,
        "match.title",
        "nav.parcels",
        "/parcels/match",
    )
    .await;
    let Some(parcels) = parcels_for(&state, &page).await? else {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    };
    let zone = page.user.zone_id.expect("checked");
    let scope = luodi_domain::Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let phases = state
        .app
        .store
        .phases_with_land_needs(zone)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    // A phase's recorded needs fill the form, and its own reserved parcel stays eligible.
    let chosen = match q.get("phase").and_then(|v| v.parse::<i64>().ok()) {
        Some(id) => state
            .app
            .store
            .phase(&scope, id)
            .await
            .ok()
            .filter(|p| p.land_needs.is_some()),
        None => None,
    };
    let recorded: HashMap<&str, String> = chosen
        .as_ref()
        .and_then(|p| p.land_needs.as_ref())
        .map(|n| {
            let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            HashMap::from([
                ("area_mu_min", n.area_mu_min.to_string()),
                ("area_mu_max", n.area_mu_max.to_string()),
                ("industry", n.industry.clone().unwrap_or_default()),
                ("investment_wan", f(n.investment_wan)),
                ("annual_tax_wan", f(n.annual_tax_wan)),
                ("annual_output_wan", f(n.annual_output_wan)),
                ("power_kva", f(n.power_kva)),
                ("water_m3_per_day", f(n.water_m3_per_day)),
                ("budget_per_mu_wan", f(n.budget_per_mu_wan)),
                (
                    "partner_lon",
                    n.partners
                        .first()
                        .map(|p| p.lon.to_string())
                        .unwrap_or_default(),
                ),
                (
                    "partner_lat",
                    n.partners
                        .first()
                        .map(|p| p.lat.to_string())
                        .unwrap_or_default(),
                ),
            ])
        })
        .unwrap_or_default();
    let value = |name: &str, default: &str| {
        if chosen.is_some() {
            return recorded.get(name).cloned().unwrap_or_default();
        }
        q.get(name).cloned().unwrap_or_else(|| {
            if q.is_empty() {
                default.to_string()
            } else {
                String::new()
            }
        })
    };
    let form: Vec<(String, String, String)> = FIELDS
        .iter()
        .map(|(name, key, default)| {
            (
                name.to_string(),
                l.tr.t(key).to_string(),
                value(name, default),
            )
        })
        .collect();
    let get = |name: &str| {
        form.iter()
            .find(|f| f.0 == name)
            .map(|f| f.2.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut error = None;
    let mut number = |name: &str| -> Option<f64> {
        let v = get(name)?;
        match v.parse::<f64>() {
            Ok(n) => Some(n),
            Err(_) => {
                error.get_or_insert(format!("{name}: '{v}' {}", l.tr.t("match.not_a_number")));
                None
            }
        }
    };
    let needs = LandNeeds {
        area_mu_min: number("area_mu_min").unwrap_or(0.0),
        area_mu_max: number("area_mu_max").unwrap_or(0.0),
        industry: get("industry"),
        investment_wan: number("investment_wan"),
        annual_tax_wan: number("annual_tax_wan"),
        annual_output_wan: number("annual_output_wan"),
        power_kva: number("power_kva"),
        water_m3_per_day: number("water_m3_per_day"),
        gas: q.contains_key("gas") || q.is_empty(),
        steam: q.contains_key("steam"),
        budget_per_mu_wan: number("budget_per_mu_wan"),
        partners: match (number("partner_lon"), number("partner_lat")) {
            (Some(lon), Some(lat)) => vec![Partner {
                name: l.tr.t("match.partner").to_string(),
                lon,
                lat,
            }],
            _ => Vec::new(),
        },
        ..Default::default()
    };
    let needs = match chosen.as_ref().and_then(|p| p.land_needs.clone()) {
        Some(recorded) => recorded,
        None => needs,
    };
    let (gas, steam) = (needs.gas, needs.steam);
    let result = if error.is_none() {
        let req = MatchRequest {
            phase_id: chosen.as_ref().map(|p| p.id),
            needs: Some(needs),
            facts: Some(
                chosen
                    .as_ref()
                    .map(|p| p.facts.clone())
                    .unwrap_or(PhaseFacts {
                        new_construction: Some(true),
                        approval_route: Some("filing".into()),
                        eia_class: Some("report_table".into()),
                        ..Default::default()
                    }),
            ),
            weights: None,
            k: Some(5),
            explain: None,
        };
        match run_match(&state.app, &page.caller(), &req)
            .await
            .map_err(|e| ApiError::app(page.lang, e))
        {
            Ok(r) => Some(r),
            Err(e) if e.status.is_client_error() => {
                error = Some(format!(
                    "{}: {}",
                    e.body.field.clone().unwrap_or_default(),
                    e.body.message
                ));
                None
            }
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let ranks: HashMap<i64, usize> = result
        .as_ref()
        .map(|r| r.top.iter().map(|t| (t.parcel_id, t.rank)).collect())
        .unwrap_or_default();
    let boundaries = state
        .app
        .store
        .park_boundaries(zone)
        .await
        .map_err(|e| ApiError::store(page.lang, e))?;
    let map = render_map(
        &boundaries,
        &drawn(&parcels, &l, |id| ranks.get(&id).copied(), None),
        &l.tr,
    );
    let names = [
        "area",
        "indicators",
        "utilities",
        "price",
        "synergy",
        "assessments",
    ]
    .iter()
    .map(|n| (*n, l.tr.t(&format!("match.component_{n}")).to_string()))
    .collect();
    let constraints = luodi_domain::land::match_index::FUNNEL
        .iter()
        .map(|n| (*n, l.tr.t(&format!("match.constraint_{n}")).to_string()))
        .collect();
    Ok(render(
        StatusCode::OK,
        &MatchPage {
            l,
            form,
            map,
            result,
            error,
            names,
            constraints,
            gas,
            steam,
            phases: phases
                .into_iter()
                .map(|(id, project, phase)| {
                    (
                        id,
                        format!("{project} · {phase}"),
                        chosen.as_ref().is_some_and(|p| p.id == id),
                    )
                })
                .collect(),
        },
    ))
}
