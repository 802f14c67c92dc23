//! The matcher as a use case: a request (a phase, land needs, facts, weights) checked,
//! the zone's index brought current, and the ranking made on the blocking pool with what
//! each parcel's regional assessments save (kept per zone, catalogue, calendar and facts).

use luodi_domain::Operation;
use luodi_domain::land::match_index::Query;
use luodi_domain::land::matching::{AssessmentSavings, LandNeeds, Weights};
use luodi_domain::stewardship::project::PhaseFacts;
use luodi_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::land::LandError;
use crate::{App, Caller};

/// A matching request: a project phase (whose recorded land needs and facts are used, and
/// whose own reserved parcel stays eligible) and/or land needs given here, optionally phase
/// facts (which the catalogue's rules read to tell what each parcel's assessments save),
/// the zone's weights (default 15/25/15/15/15/15) and how many to return.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    pub phase_id: Option<i64>,
    #[schema(value_type = Option<crate::schemas::LandNeedsSchema>)]
    pub needs: Option<LandNeeds>,
    #[schema(value_type = Option<crate::schemas::PhaseFactsSchema>)]
    pub facts: Option<PhaseFacts>,
    /// The score's weights; default: the zone's (see `GET /api/v1/match/weights`).
    #[schema(value_type = Option<crate::schemas::WeightsSchema>)]
    pub weights: Option<Weights>,
    /// 1–100, default 10.
    #[schema(minimum = 1, maximum = 100)]
    pub k: Option<usize>,
    /// How many excluded parcels to explain constraint by constraint, lowest ids first:
    /// 0–10,000, default 200. The funnel counts them all.
    #[schema(maximum = 10000)]
    pub explain: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchedParcel {
    pub rank: usize,
    pub parcel_id: i64,
    pub code: String,
    pub area_mu: f64,
    pub centroid: [f64; 2],
    /// Points of 100.
    pub score: f64,
    /// Each component: `name`, `weight`, `value` (0–1), `points`, `detail`.
    #[schema(value_type = Vec<Object>)]
    pub components: Vec<luodi_domain::land::matching::Component>,
    /// What the parcel's regional assessments spare: `start_days`, `workload_days`, `waived`.
    #[schema(value_type = Object)]
    pub saving: luodi_domain::land::matching::Saving,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExcludedParcel {
    pub parcel_id: i64,
    pub code: String,
    /// Each failed constraint with its figures, and in words.
    #[schema(value_type = Vec<Object>)]
    pub constraints: Vec<luodi_domain::land::matching::Exclusion>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    pub parcels: usize,
    pub eligible: usize,
    /// The weights the scores used: the request's, or the zone's.
    #[schema(value_type = Object)]
    pub weights: Weights,
    /// Site elimination: each hard constraint in the order applied, with how many
    /// parcels it removed (`excluded`) and how many were left (`left`).
    #[schema(value_type = Vec<Object>)]
    pub funnel: Vec<luodi_domain::land::match_index::Stage>,
    pub top: Vec<MatchedParcel>,
    /// All the excluded parcels; `excluded` explains the first `explain` of them.
    pub excluded_total: usize,
    pub excluded: Vec<ExcludedParcel>,
}

/// Ranks the caller's zone's parcels for `req`, in the caller's language (the reasons are
/// words).
pub async fn run_match(
    app: &App,
    caller: &Caller,
    req: &MatchRequest,
) -> Result<MatchResponse, LandError> {
    let zone = caller.zone_for(Operation::MatchParcels)?;
    let lang = caller.lang;
    let scope = luodi_domain::Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let phase = match req.phase_id {
        Some(id) => Some(app.store.phase(&scope, id).await.map_err(|e| match e {
            StoreError::NotFound => LandError::UnknownPhase,
            e => LandError::PhaseLookup(e),
        })?),
        None => None,
    };
    let needs = req
        .needs
        .clone()
        .or_else(|| phase.as_ref().and_then(|p| p.land_needs.clone()))
        .ok_or(LandError::NeedsRequired)?;
    let problems = needs.problems();
    if !problems.is_empty() {
        return Err(LandError::Needs(problems, "needs."));
    }
    let industry = needs.check().map_err(LandError::internal)?;
    let k = req.k.unwrap_or(10);
    if !(1..=100).contains(&k) {
        return Err(LandError::OutOfRange("k", 1, 100));
    }
    let mut facts = req
        .facts
        .clone()
        .or_else(|| phase.as_ref().map(|p| p.facts.clone()))
        .unwrap_or_default();
    facts.check().map_err(LandError::Facts)?;
    facts.investment_wan = facts.investment_wan.or(needs.investment_wan);
    facts.land_area_mu = facts
        .land_area_mu
        .or(Some((needs.area_mu_min + needs.area_mu_max) / 2.0));
    let explain = req.explain.unwrap_or(200);
    if explain > 10_000 {
        return Err(LandError::OutOfRange("explain", 0, 10_000));
    }
    let weights = match req.weights {
        Some(w) => w,
        None => app.store.match_weights(zone).await?,
    };
    weights.check().map_err(LandError::Weights)?;
    let (version, _, catalogue) = app.store.catalogue(zone, None).await?;
    let calendar = app.store.calendar().await?;
    let savings_key = format!(
        "{}|{}|{}|{}|{}",
        zone.0,
        version.id,
        calendar.fingerprint(),
        serde_json::to_string(&facts).unwrap_or_default(),
        industry.as_ref().map(|i| i.as_str()).unwrap_or("")
    );
    let known = app.match_index.known_savings(&savings_key);
    let own = match &phase {
        Some(p) => app.store.phase_parcel_ids(zone, p.id).await?,
        None => Vec::new(),
    };
    let index = app.match_index.current(&app.store, zone).await?;
    let indexes = app.match_index.clone();
    tokio::task::spawn_blocking(move || {
        let mut savings =
            AssessmentSavings::new(&calendar, &catalogue, facts, industry.clone()).remember(known);
        let query = Query {
            needs: &needs,
            industry: industry.as_ref(),
            weights: &weights,
            k,
            own: &own,
            explain,
        };
        let ranking = index.query(&query, |a: &[String]| savings.saved(a), lang);
        indexes.keep_savings(savings_key, savings.known());
        let code = |id: i64| index.get(id).map(|p| p.0.code).unwrap_or_default();
        MatchResponse {
            parcels: ranking.considered,
            eligible: ranking.eligible,
            weights,
            excluded_total: ranking.considered - ranking.eligible,
            funnel: ranking.funnel,
            top: ranking
                .top
                .into_iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let (attrs, area_mu, centroid) = index.get(s.id)?;
                    Some(MatchedParcel {
                        rank: i + 1,
                        parcel_id: s.id,
                        code: attrs.code,
                        area_mu: (area_mu * 1000.0).round() / 1000.0,
                        centroid: [centroid.0, centroid.1],
                        score: (s.score * 100.0).round() / 100.0,
                        components: s.components,
                        saving: s.saving,
                    })
                })
                .collect(),
            excluded: ranking
                .excluded
                .into_iter()
                .map(|(id, why)| ExcludedParcel {
                    parcel_id: id,
                    code: code(id),
                    reasons: why.iter().map(|w| w.text(lang)).collect(),
                    constraints: why,
                })
                .collect(),
        }
    })
    .await
    .map_err(LandError::internal)
}
