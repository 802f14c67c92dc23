//! 项目 — projects and their phases. A multi-phase project (the Sinopharm Science & Technology
//! City has four) has per-phase land, service list and dates. This module holds what the
//! rules need of them: the phase lifecycle and the facts applicability rules read.

use serde::{Deserialize, Serialize};

use crate::industry::IndustryCode;
use crate::lang::Text;
use crate::rule::{ASSESSMENTS, Fact, Facts};

/// A phase's place in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseStatus {
    Lead,
    Signed,
    LandMatched,
    LandHandedOver,
    ConstructionPermit,
    ConstructionStarted,
    CompletionAccepted,
    InProduction,
}

impl PhaseStatus {
    /// The status a phase reaches when a milestone's item is approved.
    pub fn at_milestone(m: crate::catalogue::Milestone) -> PhaseStatus {
        match m {
            crate::catalogue::Milestone::ConstructionPermit => PhaseStatus::ConstructionPermit,
            crate::catalogue::Milestone::ConstructionStart => PhaseStatus::ConstructionStarted,
            crate::catalogue::Milestone::CompletionAcceptance => PhaseStatus::CompletionAccepted,
        }
    }

    pub const ALL: [PhaseStatus; 8] = [
        PhaseStatus::Lead,
        PhaseStatus::Signed,
        PhaseStatus::LandMatched,
        PhaseStatus::LandHandedOver,
        PhaseStatus::ConstructionPermit,
        PhaseStatus::ConstructionStarted,
        PhaseStatus::CompletionAccepted,
        PhaseStatus::InProduction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PhaseStatus::Lead => "lead",
            PhaseStatus::Signed => "signed",
            PhaseStatus::LandMatched => "land_matched",
            PhaseStatus::LandHandedOver => "land_handed_over",
            PhaseStatus::ConstructionPermit => "construction_permit",
            PhaseStatus::ConstructionStarted => "construction_started",
            PhaseStatus::CompletionAccepted => "completion_accepted",
            PhaseStatus::InProduction => "in_production",
        }
    }

    pub fn parse(s: &str) -> Option<PhaseStatus> {
        PhaseStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            PhaseStatus::Lead => Text::new("线索", "lead"),
            PhaseStatus::Signed => Text::new("已签约", "signed"),
            PhaseStatus::LandMatched => Text::new("已匹配地块", "land matched"),
            PhaseStatus::LandHandedOver => Text::new("已交地", "land handed over"),
            PhaseStatus::ConstructionPermit => Text::new("已取得施工许可", "construction permit"),
            PhaseStatus::ConstructionStarted => Text::new("已开工", "construction started"),
            PhaseStatus::CompletionAccepted => Text::new("已竣工验收", "completion accepted"),
            PhaseStatus::InProduction => Text::new("已投产", "in production"),
        }
    }
}

/// What the zone knows about a phase that applicability rules ask about. Every field is
/// optional: an unknown fact leaves the items that depend on it "to be confirmed".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseFacts {
    pub investment_wan: Option<f64>,
    pub fixed_asset_investment_wan: Option<f64>,
    pub land_area_mu: Option<f64>,
    pub floor_area_m2: Option<f64>,
    pub civil_floor_area_m2: Option<f64>,
    pub height_m: Option<f64>,
    pub energy_tce: Option<f64>,
    pub hazardous_chemicals: Option<bool>,
    pub radiation: Option<bool>,
    pub pathogens: Option<bool>,
    pub occupational_hazards: Option<bool>,
    pub foreign_invested: Option<bool>,
    pub special_equipment: Option<bool>,
    pub new_construction: Option<bool>,
    /// `filing` or `approval`.
    pub approval_route: Option<String>,
    /// `report_book`, `report_table` or `registration`.
    pub eia_class: Option<String>,
    /// `auction`, `with_scheme`, `lease` or `allocation`.
    pub land_supply: Option<String>,
    /// The planned building period from construction start to completion, in months
    /// (0.5–60); forecasts assume [`crate::forecast::DEFAULT_BUILD_MONTHS`] without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub construction_months: Option<f64>,
}

/// Why a phase's facts are refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FactError {
    pub field: &'static str,
    pub message: String,
}

impl PhaseFacts {
    /// The numeric facts by the names rules use.
    fn numbers(&self) -> [(&'static str, Option<f64>); 7] {
        [
            ("investment_wan", self.investment_wan),
            (
                "fixed_asset_investment_wan",
                self.fixed_asset_investment_wan,
            ),
            ("land_area_mu", self.land_area_mu),
            ("floor_area_m2", self.floor_area_m2),
            ("civil_floor_area_m2", self.civil_floor_area_m2),
            ("height_m", self.height_m),
            ("energy_tce", self.energy_tce),
        ]
    }

    /// Checks value ranges and the allowed words of the text facts.
    pub fn check(&self) -> Result<(), FactError> {
        let numbers = self.numbers();
        for (field, v) in numbers {
            if let Some(v) = v
                && (!v.is_finite() || v < 0.0)
            {
                return Err(FactError {
                    field,
                    message: format!("{v} is not a number of zero or more"),
                });
            }
        }
        if let Some(m) = self.construction_months
            && !(m.is_finite() && (0.5..=60.0).contains(&m))
        {
            return Err(FactError {
                field: "construction_months",
                message: format!("{m} is not a building period of 0.5 to 60 months"),
            });
        }
        let words: [(&'static str, &Option<String>, &[&str]); 3] = [
            (
                "approval_route",
                &self.approval_route,
                &["filing", "approval"],
            ),
            (
                "eia_class",
                &self.eia_class,
                &["report_book", "report_table", "registration"],
            ),
            (
                "land_supply",
                &self.land_supply,
                &["auction", "with_scheme", "lease", "allocation"],
            ),
        ];
        for (field, v, allowed) in words {
            if let Some(v) = v
                && !allowed.contains(&v.as_str())
            {
                return Err(FactError {
                    field,
                    message: format!("'{v}' is not one of {}", allowed.join(", ")),
                });
            }
        }
        Ok(())
    }

    /// The facts applicability rules read, with the project's industry and the parcel's
    /// regional assessments (a parcel's missing assessment is a known "no").
    pub fn facts(
        &self,
        industry: Option<&IndustryCode>,
        parcel_assessments: Option<&[String]>,
    ) -> Facts {
        let mut f = Facts::default();
        if let Some(c) = industry {
            f.set("industry", Fact::Industry(c.clone()));
        }
        let numbers = self.numbers();
        for (name, v) in numbers {
            if let Some(v) = v {
                f.set(name, Fact::Number(v));
            }
        }
        let flags = [
            ("hazardous_chemicals", self.hazardous_chemicals),
            ("radiation", self.radiation),
            ("pathogens", self.pathogens),
            ("occupational_hazards", self.occupational_hazards),
            ("foreign_invested", self.foreign_invested),
            ("special_equipment", self.special_equipment),
            ("new_construction", self.new_construction),
        ];
        for (name, v) in flags {
            if let Some(v) = v {
                f.set(name, Fact::Flag(v));
            }
        }
        for (name, v) in [
            ("approval_route", &self.approval_route),
            ("eia_class", &self.eia_class),
            ("land_supply", &self.land_supply),
        ] {
            if let Some(v) = v {
                f.set(name, Fact::Text(v.clone()));
            }
        }
        if let Some(assessed) = parcel_assessments {
            for (kind, _, _) in ASSESSMENTS {
                f.set(
                    &format!("parcel.assessed.{kind}"),
                    Fact::Flag(assessed.iter().any(|a| a == kind)),
                );
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Rule;

    #[test]
    fn facts_feed_rules() {
        let p = PhaseFacts {
            investment_wan: Some(150_000.0),
            approval_route: Some("filing".into()),
            hazardous_chemicals: Some(false),
            ..Default::default()
        };
        let f = p.facts(
            Some(&IndustryCode::parse("2761").unwrap()),
            Some(&["environment".to_string()]),
        );
        assert_eq!(
            Rule::parse("investment_wan >= 100000 and industry under \"C27\"")
                .unwrap()
                .eval(&f),
            Some(true)
        );
        assert_eq!(
            Rule::parse("parcel.assessed.environment and not parcel.assessed.flood")
                .unwrap()
                .eval(&f),
            Some(true)
        );
        assert_eq!(
            Rule::parse("radiation").unwrap().eval(&f),
            None,
            "not known yet"
        );
    }

    #[test]
    fn bad_facts_name_the_field() {
        let p = PhaseFacts {
            eia_class: Some("big".into()),
            ..Default::default()
        };
        assert_eq!(p.check().unwrap_err().field, "eia_class");
        let p = PhaseFacts {
            land_area_mu: Some(-1.0),
            ..Default::default()
        };
        assert_eq!(p.check().unwrap_err().field, "land_area_mu");
        assert!(serde_json::from_str::<PhaseFacts>("{\"colour\": 1}").is_err());
    }
}
