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
use luodi_store::StoreError;
use luodi_store::land::parcels::Parcel;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageUser;
use crate::land::map::{MapParcel, render as render_map};
use crate::land::needs_form::{self, Field};
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
    /// The parcel's id where the user may release its reservation.
    release: Option<i64>,
    notice: Option<String>,
    /// A refused release: why, and the reason as typed.
    release_error: Option<(String, String)>,
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let notice = q
        .contains_key("released")
        .then(|| i18n::text(page.lang, "needs.released_here").to_string());
    render_parcel(&state, &page, &id, StatusCode::OK, notice, None).await
}

/// Parcel `id`'s page, with a notice or a refused release.
pub(crate) async fn render_parcel(
    state: &AppState,
    page: &PageUser,
    id: &str,
    status: StatusCode,
    notice: Option<String>,
    release_error: Option<(String, String)>,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "parcels.title", "nav.parcels", "/parcels").await;
    let release_error = release_error.map(|(why, typed)| {
        (
            needs_form::beside(&l.tr, l.tr.t("needs.release_reason"), &why),
            typed,
        )
    });
    let view = match parcels::parcel_page(&state.app, &page.caller(), id).await {
        Ok(v) => v,
        Err(e) => return refused(l, page.lang, e),
    };
    let (p, parcels) = (&view.parcel, &view.neighbours);
    let map = render_map(&[], &drawn(parcels, &l, |_| None, Some(p.id)), &l.tr);
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
    let release = (view.may_manage
        && p.status == luodi_domain::land::parcel::ParcelStatus::Reserved)
        .then_some(p.id);
    Ok(render(
        status,
        &ParcelPage {
            l,
            map,
            facts,
            extra,
            release,
            notice,
            release_error,
        },
    ))
}

#[derive(Template)]
#[template(path = "parcel_match.html")]
struct MatchPage {
    l: Layout,
    form: Vec<Field>,
    map: String,
    result: Option<MatchResponse>,
    error: Option<String>,
    names: HashMap<&'static str, String>,
    constraints: HashMap<&'static str, String>,
    gas: bool,
    steam: bool,
    /// Phases with recorded needs: (id, "project · phase", the one in use).
    phases: Vec<(i64, String, bool)>,
    /// Where the user may reserve for the chosen phase: (phase id, project id, the
    /// button's words), and the parcels still available to reserve.
    reserve: Option<(i64, i64, String)>,
    available: Vec<i64>,
    /// A refused reservation: the parcel, why, and the reason as typed.
    reserve_error: Option<(i64, String, String)>,
}

impl MatchPage {
    /// The refused reservation of parcel `id`, if that is the one refused.
    fn refused(&self, id: &i64) -> Option<&(i64, String, String)> {
        self.reserve_error.as_ref().filter(|e| e.0 == *id)
    }
}

/// The matcher form's values when nothing is given: a sample project.
const DEFAULTS: &[(&str, &str)] = &[
    ("area_mu_min", "60"),
    ("area_mu_max", "200"),
    ("industry", "C2761"),
    ("investment_wan", "150000"),
    ("annual_tax_wan", "5000"),
    ("annual_output_wan", "200000"),
    ("power_kva", "6000"),
    ("water_m3_per_day", "800"),
    ("budget_per_mu_wan", "40"),
    ("partner_lon", "120.3003"),
    ("partner_lat", "36.3052"),
];

async fn match_page(
    State(state): State<AppState>,
    page: PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    render_match(&state, &page, &q, None).await
}

/// The matcher page for the query `q`; `reserve_error` when a reservation from it was
/// refused.
pub(crate) async fn render_match(
    state: &AppState,
    page: &PageUser,
    q: &HashMap<String, String>,
    reserve_error: Option<(i64, String, String)>,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "match.title", "nav.parcels", "/parcels/match").await;
    // The form as given; its defaults when nothing is.
    let given = |name: &str| -> Option<String> {
        if q.is_empty() {
            DEFAULTS
                .iter()
                .find(|d| d.0 == name)
                .map(|d| d.1.to_string())
        } else {
            q.get(name).cloned()
        }
    };
    let gas = q.contains_key("gas") || q.is_empty();
    let steam = q.contains_key("steam");
    let parsed = needs_form::parse(given, gas, steam, &l.tr);
    // A phase's recorded needs fill the form, and its own reserved parcel stays eligible.
    let phase = q.get("phase").and_then(|v| v.parse::<i64>().ok());
    let needs = parsed.as_ref().ok().cloned();
    let view = match parcels::match_page(&state.app, &page.caller(), phase, needs, 5).await {
        Ok(v) => v,
        Err(e) => return refused(l, page.lang, e),
    };
    let chosen = view.chosen;
    let (values, errors) = match (&chosen, &parsed) {
        (Some(p), _) => (
            p.land_needs
                .as_ref()
                .map(needs_form::values)
                .unwrap_or_default(),
            HashMap::new(),
        ),
        (None, Ok(_)) => (typed(&given), HashMap::new()),
        (None, Err(errors)) => (typed(&given), errors.clone()),
    };
    let form = needs_form::fields(needs_form::MATCH_FIELDS, &values, &errors, &l.tr);
    // A refused reservation is a refused write; a form that cannot be read is a search
    // that found nothing, its problems beside the fields and listed above the map.
    let status = if reserve_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let form_problems: Vec<&str> = form.iter().filter_map(|f| f.error.as_deref()).collect();
    let (gas, steam) = match &view.needs {
        Some(n) => (n.gas, n.steam),
        None => (gas, steam),
    };
    let mut error =
        (!form_problems.is_empty()).then(|| form_problems.join(l.tr.t("rules.matching.note_sep")));
    let result = match view.outcome {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            let e = ApiError::app(page.lang, e);
            if !e.status.is_client_error() {
                return Err(e);
            }
            error = Some(e.body.message);
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
    let available = parcels
        .iter()
        .filter(|p| p.status == luodi_domain::land::parcel::ParcelStatus::Available)
        .map(|p| p.id)
        .collect();
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
    let reserve = match &chosen {
        Some(p) if view.may_reserve => {
            let label = phases
                .iter()
                .find(|(id, _, _)| *id == p.id)
                .map(|(_, project, phase)| format!("{project} · {phase}"))
                .unwrap_or_else(|| p.name.clone());
            Some((
                p.id,
                p.project_id,
                i18n::fill(l.tr.lang, "needs.reserve", &[("phase", &label)]),
            ))
        }
        _ => None,
    };
    Ok(render(
        status,
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
            reserve,
            available,
            reserve_error,
        },
    ))
}

/// The matcher form's values as typed.
fn typed(given: &impl Fn(&str) -> Option<String>) -> HashMap<&'static str, String> {
    needs_form::MATCH_FIELDS
        .iter()
        .map(|name| (*name, given(name).unwrap_or_default()))
        .collect()
}
