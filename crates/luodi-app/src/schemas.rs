//! The shapes of the rules' own input types, for the OpenAPI description only. The rules
//! crate carries no web types, so what a client may send as land needs, phase facts,
//! matcher weights, a project's phases or the outbound settings is described here, with
//! the limits the rules enforce; a test holds each description to its type's fields.

use serde::Serialize;
use utoipa::ToSchema;

/// What a project needs of its land (`LandNeeds`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct LandNeedsSchema {
    /// The area range the project can use, 亩 (mu); above 0.
    #[schema(exclusive_minimum = 0.0)]
    pub area_mu_min: f64,
    /// At least `area_mu_min`.
    #[schema(exclusive_minimum = 0.0)]
    pub area_mu_max: f64,
    /// GB/T 4754 class of the project, e.g. `C2761`.
    #[schema(max_length = 5)]
    pub industry: Option<String>,
    /// Fixed-asset investment, 万元 (tested against investment intensity per mu).
    #[schema(minimum = 0.0)]
    pub investment_wan: Option<f64>,
    /// Expected annual tax at full production, 万元.
    #[schema(minimum = 0.0)]
    pub annual_tax_wan: Option<f64>,
    /// Expected annual output at full production, 万元.
    #[schema(minimum = 0.0)]
    pub annual_output_wan: Option<f64>,
    #[schema(minimum = 0.0)]
    pub power_kva: Option<f64>,
    #[schema(minimum = 0.0)]
    pub water_m3_per_day: Option<f64>,
    /// Default false.
    pub gas: Option<bool>,
    /// Default false.
    pub steam: Option<bool>,
    /// A, B or C: the class it discharges at (A is the strictest).
    #[schema(pattern = "^[ABC]$")]
    pub sewage_class: Option<String>,
    /// 万元 per 亩.
    #[schema(minimum = 0.0)]
    pub budget_per_mu_wan: Option<f64>,
    /// When it wants the land, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub wanted_by: Option<String>,
    /// Parks it prefers (their codes); empty means any.
    pub preferred_parks: Option<Vec<String>>,
    /// Chain partners it wants to be near.
    pub partners: Option<Vec<PartnerSchema>>,
}

/// A chain partner's place (`Partner`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PartnerSchema {
    pub name: String,
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
}

/// What applicability rules ask about a phase (`PhaseFacts`); an unknown fact leaves the
/// items that depend on it to be confirmed.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PhaseFactsSchema {
    /// 万元.
    #[schema(minimum = 0.0)]
    pub investment_wan: Option<f64>,
    /// 万元.
    #[schema(minimum = 0.0)]
    pub fixed_asset_investment_wan: Option<f64>,
    #[schema(minimum = 0.0)]
    pub land_area_mu: Option<f64>,
    #[schema(minimum = 0.0)]
    pub floor_area_m2: Option<f64>,
    #[schema(minimum = 0.0)]
    pub civil_floor_area_m2: Option<f64>,
    #[schema(minimum = 0.0)]
    pub height_m: Option<f64>,
    /// Yearly energy use, tonnes of standard coal.
    #[schema(minimum = 0.0)]
    pub energy_tce: Option<f64>,
    pub hazardous_chemicals: Option<bool>,
    pub radiation: Option<bool>,
    pub pathogens: Option<bool>,
    pub occupational_hazards: Option<bool>,
    pub foreign_invested: Option<bool>,
    pub special_equipment: Option<bool>,
    pub new_construction: Option<bool>,
    /// `filing` or `approval`.
    #[schema(pattern = "^(filing|approval)$")]
    pub approval_route: Option<String>,
    /// `report_book`, `report_table` or `registration`.
    #[schema(pattern = "^(report_book|report_table|registration)$")]
    pub eia_class: Option<String>,
    /// `auction`, `with_scheme`, `lease` or `allocation`.
    #[schema(pattern = "^(auction|with_scheme|lease|allocation)$")]
    pub land_supply: Option<String>,
    /// The building period from construction start to completion, months.
    #[schema(minimum = 0.5, maximum = 60.0)]
    pub construction_months: Option<f64>,
}

/// The weights of the matcher's score components (`Weights`): any scale, shown as points
/// of 100; each zero or more, together more than zero.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct WeightsSchema {
    #[schema(minimum = 0.0)]
    pub area: f64,
    #[schema(minimum = 0.0)]
    pub indicators: f64,
    #[schema(minimum = 0.0)]
    pub utilities: f64,
    #[schema(minimum = 0.0)]
    pub price: f64,
    #[schema(minimum = 0.0)]
    pub synergy: f64,
    #[schema(minimum = 0.0)]
    pub assessments: f64,
}

/// One phase of a project being recorded (`PhaseInput`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PhaseInputSchema {
    /// 1–60 characters, unique in the project.
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// `lead` (default) or `signed`; later stages are reached by their own steps.
    #[schema(pattern = "^(lead|signed)$")]
    pub status: Option<String>,
    pub facts: Option<PhaseFactsSchema>,
}

/// A zone's outbound notifications (`Outbound`): email on or off, and up to 20 webhooks.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct OutboundSchema {
    /// Email each notification to the user it is for (the server needs SMTP).
    pub email: Option<bool>,
    #[schema(max_items = 20)]
    pub webhooks: Option<Vec<WebhookSchema>>,
}

/// One webhook (`Webhook`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct WebhookSchema {
    /// Unique in the zone, 1–60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// `generic`, `wecom` (企业微信) or `dingtalk` (钉钉).
    #[schema(pattern = "^(generic|wecom|dingtalk)$")]
    pub format: String,
    /// `http://` or `https://`, to a public address (internal addresses are refused
    /// unless the server's operator allows the host).
    #[schema(min_length = 8, max_length = 2000)]
    pub url: String,
    /// Generic: signs each delivery; DingTalk: the robot's 加签 secret. `***` keeps the
    /// stored one. 1–200 characters without spaces.
    #[schema(min_length = 1, max_length = 200)]
    pub secret: Option<String>,
    /// Which notification kinds go out (`blocker_escalated`, or a prefix `blocker_*`);
    /// none means all.
    pub kinds: Option<Vec<String>>,
}

/// The zone's blocker settings (`Sla`): the limits and the escalation ladder.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct SlaSchema {
    pub limits: SlaLimitsSchema,
    /// 1–5 rungs.
    #[schema(min_items = 1, max_items = 5)]
    pub ladder: Vec<RungSchema>,
}

/// Blocker limits in working days (`SlaLimits`), 1–120 each, each no shorter than the one
/// before.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct SlaLimitsSchema {
    #[schema(minimum = 1, maximum = 120)]
    pub acknowledge: u32,
    #[schema(minimum = 1, maximum = 120)]
    pub answer: u32,
    #[schema(minimum = 1, maximum = 120)]
    pub resolve: u32,
    /// The most a leader may allow a blocker marked complex to resolve.
    #[schema(minimum = 1, maximum = 120)]
    pub resolve_complex: u32,
}

/// One rung of the escalation ladder (`Rung`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct RungSchema {
    /// `department_head` or `zone_leader`.
    #[schema(pattern = "^(department_head|zone_leader)$")]
    pub to: String,
    /// Working days after the clock is missed.
    #[schema(minimum = 0, maximum = 120)]
    pub after_working_days: u32,
}

/// The zone's lifecycle policy (`LifecyclePolicy`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct LifecyclePolicySchema {
    /// 承诺即开工: construction may start before the permit on a recorded commitment.
    pub start_on_commitment: bool,
}

/// A GeoJSON FeatureCollection (RFC 7946) of parcels, as GDAL and other GIS read it.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct FeatureCollectionSchema {
    /// `FeatureCollection`.
    #[schema(pattern = "^FeatureCollection$")]
    pub r#type: String,
    pub features: Vec<FeatureSchema>,
}

/// One parcel as a GeoJSON Feature: its attributes with `id`, `code`, `area_m2`, `area_mu`
/// and `status` as properties, its polygon or multipolygon (WGS84) as geometry.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct FeatureSchema {
    /// `Feature`.
    #[schema(pattern = "^Feature$")]
    pub r#type: String,
    pub id: i64,
    #[schema(value_type = Object)]
    pub properties: serde_json::Value,
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
}

#[cfg(test)]
mod tests {
    //! Each description names exactly the fields of its type: what the type writes (all
    //! its fields) is what the description lists, and an object of every described field
    //! is one the type reads.
    use super::*;
    use serde_json::{Value, json};
    use std::collections::BTreeSet;
    use utoipa::PartialSchema;

    fn described<T: PartialSchema>() -> BTreeSet<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    fn written(v: Value) -> BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn the_descriptions_name_the_fields_of_their_types() {
        use luodi_domain::land::matching::{LandNeeds, Partner, Weights};
        use luodi_domain::stewardship::outbound::{Outbound, Webhook, WebhookFormat};
        use luodi_domain::stewardship::project::{PhaseFacts, PhaseInput};
        let needs = serde_json::to_value(LandNeeds::default()).unwrap();
        assert_eq!(described::<LandNeedsSchema>(), written(needs));
        let partner = Partner {
            name: "x".into(),
            lon: 120.0,
            lat: 36.0,
        };
        assert_eq!(
            described::<PartnerSchema>(),
            written(serde_json::to_value(partner).unwrap())
        );
        let facts = PhaseFacts {
            construction_months: Some(12.0),
            ..Default::default()
        };
        assert_eq!(
            described::<PhaseFactsSchema>(),
            written(serde_json::to_value(facts).unwrap())
        );
        assert_eq!(
            described::<WeightsSchema>(),
            written(serde_json::to_value(Weights::default()).unwrap())
        );
        assert_eq!(
            described::<OutboundSchema>(),
            written(serde_json::to_value(Outbound::default()).unwrap())
        );
        let hook = Webhook {
            name: "n".into(),
            format: WebhookFormat::Generic,
            url: "https://example.com/".into(),
            secret: Some("s".into()),
            kinds: vec![],
        };
        assert_eq!(
            described::<WebhookSchema>(),
            written(serde_json::to_value(hook).unwrap())
        );
        use luodi_domain::stewardship::blocker::{Sla, SlaLimits};
        let sla = serde_json::to_value(Sla::default()).unwrap();
        assert_eq!(described::<SlaSchema>(), written(sla.clone()));
        assert_eq!(
            described::<SlaLimitsSchema>(),
            written(serde_json::to_value(SlaLimits::default()).unwrap())
        );
        assert_eq!(described::<RungSchema>(), written(sla["ladder"][0].clone()));
        assert_eq!(
            described::<LifecyclePolicySchema>(),
            written(
                serde_json::to_value(
                    luodi_domain::stewardship::project::LifecyclePolicy::default()
                )
                .unwrap()
            )
        );
        // PhaseInput only reads: an object of every described field is one it takes.
        let phase = json!({"name": "一期", "status": "lead", "facts": {}});
        assert_eq!(described::<PhaseInputSchema>(), written(phase.clone()));
        serde_json::from_value::<PhaseInput>(phase).unwrap();
    }
}
