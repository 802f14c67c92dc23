//! Parcel pages (土地与地块匹配; the list with the park map is `parcel_list.rs`): a parcel's page, and the
//! matcher — a project's land needs in, the ranked parcels on the map and every score
//! component and every exclusion in words out.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::land::LandError;
use luodi_app::land::matching::MatchResponse;
use luodi_app::land::parcels;
use luodi_domain::core::i18n;
use luodi_domain::land::matching::{LandNeeds, Partner};
use luodi_store::StoreError;
use luodi_store::land::parcels::Parcel;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::land::map::{MapParcel, render as render_map};
use crate::pages::{Layout, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parcels/match", get(match_page))
        .route("/parcels/{id}", get(show))
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
pub(crate) fn drawn<'a>(
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

/// The page for a land use case's refusal: the 403 or 404 page, or the error.
pub(crate) fn refused(
    l: Layout,
    lang: luodi_domain::Lang,
    e: LandError,
) -> Result<Response, ApiError> {
    match e {
        LandError::Denied(_) => Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden")),
        LandError::Store(StoreError::NotFound) => {
            Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
        }
        e => Err(ApiError::app(lang, e)),
    }
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
    let view = match parcels::parcel_page(&state.app, &page.caller(), &id).await {
        Ok(v) => v,
        Err(e) => return refused(l, page.lang, e),
    };
    let (p, parcels) = (view.parcel, view.neighbours);
    let map = render_map(&[], &drawn(&parcels, &l, |_| None, Some(p.id)), &l.tr);
    let a = &p.attrs;
    let num = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_else(|| "—".into());
    let tr = &l.tr;
    let yes_no = |b: bool| {
        tr.t(if b {
            "rules.matching.has"
        } else {
            "rules.matching.has_not"
        })
    };
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
            // Supplies a parcel has or lacks read as words, not as true and false.
            i18n::fill(
                tr.lang,
                "land.page.utilities",
                &[
                    ("power", &num(a.power_kva)),
                    ("water", &num(a.water_m3_per_day)),
                    ("gas", yes_no(a.gas)),
                    ("steam", yes_no(a.steam)),
                    ("road", yes_no(a.road_access)),
                    (
                        "sewage",
                        &a.sewage_class.clone().unwrap_or_else(|| "—".into()),
                    ),
                ],
            ),
        ),
        (
            tr.t("parcels.planning").to_string(),
            i18n::fill(
                tr.lang,
                "land.page.planning",
                &[
                    ("min", &num(a.plot_ratio_min)),
                    ("max", &num(a.plot_ratio_max)),
                    ("coverage", &num(a.building_coverage_min)),
                    ("green", &num(a.green_ratio_max)),
                    ("height", &num(a.height_max_m)),
                ],
            ),
        ),
        (
            tr.t("parcels.indicators").to_string(),
            i18n::fill(
                tr.lang,
                "land.page.indicators",
                &[
                    ("investment", &num(a.investment_intensity_min_wan_per_mu)),
                    ("tax", &num(a.tax_per_mu_min_wan)),
                    ("output", &num(a.output_per_mu_min_wan)),
                    ("energy", &num(a.energy_per_value_added_max_tce)),
                ],
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
                .join(tr.t("core.text.list_separator")),
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

/// The land needs the form says, or the first field that is not a number (in words).
fn needs_of(
    value: impl Fn(&str) -> Option<String>,
    q: &HashMap<String, String>,
    l: &Layout,
) -> (LandNeeds, Option<String>) {
    let mut error = None;
    let mut number = |name: &str| -> Option<f64> {
        let v = value(name)?;
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
        industry: value("industry"),
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
    (needs, error)
}

/// A phase's recorded land needs as the form's fields.
fn recorded_fields(n: &LandNeeds) -> HashMap<&'static str, String> {
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
}

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
    // The form as given; its defaults when nothing is.
    let given = |name: &str, default: &str| {
        q.get(name).cloned().unwrap_or_else(|| {
            if q.is_empty() {
                default.to_string()
            } else {
                String::new()
            }
        })
    };
    let given_field = |name: &str| {
        let default = FIELDS.iter().find(|f| f.0 == name).map_or("", |f| f.2);
        Some(given(name, default).trim().to_string()).filter(|v| !v.is_empty())
    };
    let (form_needs, form_error) = needs_of(given_field, &q, &l);
    // A phase's recorded needs fill the form, and its own reserved parcel stays eligible.
    let phase = q.get("phase").and_then(|v| v.parse::<i64>().ok());
    let needs = form_error.is_none().then_some(form_needs.clone());
    let view = match parcels::match_page(&state.app, &page.caller(), phase, needs, 5).await {
        Ok(v) => v,
        Err(e) => return refused(l, page.lang, e),
    };
    let chosen = view.chosen;
    let recorded = chosen
        .as_ref()
        .and_then(|p| p.land_needs.as_ref())
        .map(recorded_fields)
        .unwrap_or_default();
    let form: Vec<(String, String, String)> = FIELDS
        .iter()
        .map(|(name, key, default)| {
            let value = if chosen.is_some() {
                recorded.get(name).cloned().unwrap_or_default()
            } else {
                given(name, default)
            };
            (name.to_string(), l.tr.t(key).to_string(), value)
        })
        .collect();
    let mut error = if chosen.is_some() { None } else { form_error };
    let (gas, steam) = match &view.needs {
        Some(n) => (n.gas, n.steam),
        None => (form_needs.gas, form_needs.steam),
    };
    let result = match view.outcome {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            let e = ApiError::app(page.lang, e);
            if !e.status.is_client_error() {
                return Err(e);
            }
            error = Some(format!(
                "{}: {}",
                e.body.field.clone().unwrap_or_default(),
                e.body.message
            ));
            None
        }
        None => None,
    };
    let (parcels, phases, boundaries) = (view.parcels, view.phases, view.boundaries);
    let ranks: HashMap<i64, usize> = result
        .as_ref()
        .map(|r| r.top.iter().map(|t| (t.parcel_id, t.rank)).collect())
        .unwrap_or_default();
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
