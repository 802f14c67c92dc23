//! The zone's parcels: a page of them, one, the park map with every parcel, a parcel's
//! page with its neighbours, the matcher's weights, a phase's land needs, and the matcher
//! page. Zone staff only: an enterprise sees no parcels (their reservations tell of other
//! projects).

use luodi_domain::land::matching::{LandNeeds, Weights};
use luodi_domain::land::parcel::{ParcelAttrs, ParcelStatus};
use luodi_domain::stewardship::project::PhaseFacts;
use luodi_domain::{Operation, Scope, Text, ZoneId};
use luodi_store::PageRequest;
use luodi_store::StoreError;
use luodi_store::land::parcels::{Parcel, ParkBoundary};
use luodi_store::stewardship::projects::Phase;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::LandError;
use super::matching::{MatchRequest, MatchResponse, run_match};
use crate::core::CoreError;
use crate::{App, Caller};

/// A parcel as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParcelResponse {
    pub id: i64,
    pub code: String,
    /// Geodesic, WGS84.
    pub area_m2: f64,
    /// 1 mu = 2000/3 m².
    pub area_mu: f64,
    /// `available`, `reserved`, `handed_over` or `withdrawn`.
    pub status: String,
    /// [longitude, latitude].
    pub centroid: [f64; 2],
    pub reserved_phase_id: Option<i64>,
    pub handed_phase_id: Option<i64>,
    /// Every attribute (see `luodi import parcels` in the README for names and defaults),
    /// unknown properties under `extra`.
    #[schema(value_type = Object)]
    pub attributes: ParcelAttrs,
    /// GeoJSON geometry.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    pub version: i64,
    pub updated_at: String,
}

impl From<Parcel> for ParcelResponse {
    fn from(p: Parcel) -> Self {
        ParcelResponse {
            id: p.id,
            code: p.code,
            area_m2: (p.area_m2 * 100.0).round() / 100.0,
            area_mu: (p.area_mu * 1000.0).round() / 1000.0,
            status: p.status.as_str().to_string(),
            centroid: [p.centroid.0, p.centroid.1],
            reserved_phase_id: p.reserved_phase_id,
            handed_phase_id: p.handed_phase_id,
            attributes: p.attrs,
            geometry: p.geometry,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParcelPage {
    pub items: Vec<ParcelResponse>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveRequest {
    /// The project phase to reserve the parcel for; a phase before `land_matched` moves
    /// to it.
    pub phase_id: i64,
    /// Why this parcel (the pages require it); kept in the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Why a reservation is given up; kept in the audit trail. A phase at `land_matched` goes
/// back to `signed`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub reason: String,
}

/// The `status` query parameter of the list, if given, or why it cannot be read.
pub fn parse_status(raw: Option<&str>) -> Result<Option<ParcelStatus>, CoreError> {
    match raw {
        Some(s) => ParcelStatus::parse(s)
            .map(Some)
            .ok_or_else(|| CoreError::BadParameter {
                name: "status",
                what: Text::key("core.param.parcel_status"),
            }),
        None => Ok(None),
    }
}

/// Page `page` of the zone's parcels, of one status if given.
pub async fn list(
    app: &App,
    caller: &Caller,
    status: Option<ParcelStatus>,
    page: PageRequest,
) -> Result<ParcelPage, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let (items, total) = app
        .store
        .parcels(zone, status, page.offset(), page.per_page)
        .await?;
    Ok(ParcelPage {
        items: items.into_iter().map(Into::into).collect(),
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// Parcel `id` of the caller's zone.
pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<Parcel, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    Ok(app.store.parcel(zone, id).await?)
}

/// The weights the zone's matcher scores with (its own, or the defaults).
pub async fn match_weights(app: &App, caller: &Caller) -> Result<Weights, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    Ok(app.store.match_weights(zone).await?)
}

/// Sets the weights the zone's matcher scores with.
pub async fn set_match_weights(
    app: &App,
    caller: &Caller,
    weights: &Weights,
) -> Result<(), LandError> {
    let zone = caller.zone_for(Operation::SetMatchWeights)?;
    weights.check().map_err(LandError::Weights)?;
    Ok(app
        .store
        .set_match_weights(&caller.actor, zone, weights)
        .await?)
}

/// Records phase `phase_id`'s land needs.
pub async fn set_land_needs(
    app: &App,
    caller: &Caller,
    phase_id: i64,
    needs: &LandNeeds,
) -> Result<(), LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    let problems = needs.problems();
    if !problems.is_empty() {
        return Err(LandError::Needs(problems, ""));
    }
    let scope = zone_scope(zone);
    Ok(app
        .store
        .set_land_needs(&caller.actor, &scope, phase_id, needs)
        .await?)
}

/// Records the land needs of phase `seq` of project `project` (as the project's page
/// names it), as [`set_land_needs`] does; returns the phase.
pub async fn set_project_land_needs(
    app: &App,
    caller: &Caller,
    project: i64,
    seq: i64,
    needs: &LandNeeds,
) -> Result<Phase, LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    let phase = app
        .store
        .project(&zone_scope(zone), project)
        .await?
        .phases
        .into_iter()
        .find(|ph| ph.seq == seq)
        .ok_or(StoreError::NotFound)?;
    set_land_needs(app, caller, phase.id, needs).await?;
    Ok(phase)
}

/// Phase `id` of the caller's zone, for those who see its land.
pub async fn phase(app: &App, caller: &Caller, id: i64) -> Result<Phase, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    Ok(app.store.phase(&zone_scope(zone), id).await?)
}

/// The parcel reserved for phase `phase_id` (not yet handed over), if any.
pub async fn reserved_for(
    app: &App,
    caller: &Caller,
    phase_id: i64,
) -> Result<Option<Parcel>, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    for id in app.store.phase_parcel_ids(zone, phase_id).await? {
        let p = app.store.parcel(zone, id).await?;
        if p.status == ParcelStatus::Reserved && p.reserved_phase_id == Some(phase_id) {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

fn zone_scope(zone: ZoneId) -> Scope {
    Scope {
        zone: Some(zone),
        enterprise: None,
    }
}

/// The park map: every parcel of the zone (by code) and the parks' boundaries.
pub struct ParcelMap {
    pub parcels: Vec<Parcel>,
    pub boundaries: Vec<ParkBoundary>,
    /// Whether the caller may import, reserve and release parcels.
    pub may_manage: bool,
}

/// The zone's parcels on the park map.
pub async fn map(app: &App, caller: &Caller) -> Result<ParcelMap, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let mut parcels = app.store.all_parcels(zone).await?;
    parcels.sort_by(|a, b| a.code.cmp(&b.code));
    let boundaries = app.store.park_boundaries(zone).await?;
    Ok(ParcelMap {
        parcels,
        boundaries,
        may_manage: caller.zone_for(Operation::ManageParcels).is_ok(),
    })
}

/// A parcel's page: the parcel and its neighbours within a few hundred metres.
pub struct ParcelView {
    pub parcel: Parcel,
    pub neighbours: Vec<Parcel>,
    /// Whether the caller may release the parcel's reservation.
    pub may_manage: bool,
}

/// Parcel `id` (as given in the path) with its neighbours; not found when it is not a
/// parcel of the zone.
pub async fn parcel_page(app: &App, caller: &Caller, id: &str) -> Result<ParcelView, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let id = id.parse::<i64>().map_err(|_| StoreError::NotFound)?;
    let parcel = app.store.parcel(zone, id).await?;
    let (x0, y0, x1, y1) = parcel.bbox;
    let pad = ((x1 - x0).max(y1 - y0) * 1.5).max(0.004);
    let neighbours = app
        .store
        .parcels_in_box(zone, (x0 - pad, y0 - pad, x1 + pad, y1 + pad), 400)
        .await?;
    Ok(ParcelView {
        parcel,
        neighbours,
        may_manage: caller.zone_for(Operation::ManageParcels).is_ok(),
    })
}

/// The matcher page: the map, the phases whose land needs are recorded, the phase in use,
/// and the ranking (or why there is none).
pub struct MatchView {
    pub parcels: Vec<Parcel>,
    pub boundaries: Vec<ParkBoundary>,
    /// (phase id, project name, phase name).
    pub phases: Vec<(i64, String, String)>,
    /// The phase asked for, when its land needs are recorded.
    pub chosen: Option<Phase>,
    /// The needs matched: the chosen phase's, else the form's.
    pub needs: Option<LandNeeds>,
    /// The ranking, or why the matcher refused; none when there was nothing to match.
    pub outcome: Option<Result<MatchResponse, LandError>>,
    /// Whether the caller may reserve a ranked parcel for the chosen phase.
    pub may_reserve: bool,
}

/// The facts a match without a phase assumes: a new building, filed, with an EIA report
/// table.
fn assumed_facts() -> PhaseFacts {
    PhaseFacts {
        new_construction: Some(true),
        approval_route: Some("filing".into()),
        eia_class: Some("report_table".into()),
        ..Default::default()
    }
}

/// The matcher page for phase `phase` (whose recorded needs are matched and whose own
/// reserved parcel stays eligible) or for `needs` from the form (none: the form could not
/// be read), the best `k` parcels.
pub async fn match_page(
    app: &App,
    caller: &Caller,
    phase: Option<i64>,
    needs: Option<LandNeeds>,
    k: usize,
) -> Result<MatchView, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let parcels = app.store.all_parcels(zone).await?;
    let phases = app.store.phases_with_land_needs(zone).await?;
    let chosen = match phase {
        Some(id) => app
            .store
            .phase(&zone_scope(zone), id)
            .await
            .ok()
            .filter(|p| p.land_needs.is_some()),
        None => None,
    };
    let needs = match chosen.as_ref().and_then(|p| p.land_needs.clone()) {
        Some(recorded) => Some(recorded),
        None => needs,
    };
    let outcome = match &needs {
        Some(needs) => {
            let req = MatchRequest {
                phase_id: chosen.as_ref().map(|p| p.id),
                needs: Some(needs.clone()),
                facts: Some(
                    chosen
                        .as_ref()
                        .map(|p| p.facts.clone())
                        .unwrap_or_else(assumed_facts),
                ),
                weights: None,
                k: Some(k),
                explain: None,
            };
            Some(run_match(app, caller, &req).await)
        }
        None => None,
    };
    let boundaries = app.store.park_boundaries(zone).await?;
    Ok(MatchView {
        parcels,
        boundaries,
        phases,
        chosen,
        needs,
        outcome,
        may_reserve: caller.zone_for(Operation::ManageParcels).is_ok(),
    })
}
