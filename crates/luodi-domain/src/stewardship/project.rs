//! 项目 — projects and their phases. A multi-phase project (the Sinopharm Science & Technology
//! City has four) has per-phase land, service list and dates. This module holds what the
//! rules need of them: the phase lifecycle and the facts applicability rules read.

use serde::{Deserialize, Serialize};

use crate::approvals::rule::{ASSESSMENTS, Fact, Facts};
use crate::core::i18n;
use crate::core::industry::IndustryCode;
use crate::core::lang::{Lang, Text};

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
    pub fn at_milestone(m: crate::approvals::catalogue::Milestone) -> PhaseStatus {
        match m {
            crate::approvals::catalogue::Milestone::ConstructionPermit => {
                PhaseStatus::ConstructionPermit
            }
            crate::approvals::catalogue::Milestone::ConstructionStart => {
                PhaseStatus::ConstructionStarted
            }
            crate::approvals::catalogue::Milestone::CompletionAcceptance => {
                PhaseStatus::CompletionAccepted
            }
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
            PhaseStatus::Lead => Text::key("rules.project.phase_lead"),
            PhaseStatus::Signed => Text::key("rules.project.phase_signed"),
            PhaseStatus::LandMatched => Text::key("rules.project.phase_land_matched"),
            PhaseStatus::LandHandedOver => Text::key("rules.project.phase_land_handed_over"),
            PhaseStatus::ConstructionPermit => Text::key("rules.project.phase_construction_permit"),
            PhaseStatus::ConstructionStarted => {
                Text::key("rules.project.phase_construction_started")
            }
            PhaseStatus::CompletionAccepted => Text::key("rules.project.phase_completion_accepted"),
            PhaseStatus::InProduction => Text::key("rules.project.phase_in_production"),
        }
    }
}

/// Why a phase may not move to a stage by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleError {
    /// The stage (`as_str`) it is at already.
    Backwards {
        from: &'static str,
    },
    /// The stage (`as_str`) and, in English, what records it.
    Recorded {
        to: &'static str,
        by: &'static str,
    },
    NoParcel,
    NoPermit,
    CommitmentNotAllowed,
    NoLand,
    NotCompleted,
}

/// What records the land handover, in English (as [`LifecycleError::Recorded`] holds it).
fn by_handover() -> &'static str {
    i18n::text(Lang::En, "rules.project.by_handover")
}

impl LifecycleError {
    /// The refusal in `lang` (the `Display` text is the English one). English names the
    /// stage by its code, Chinese by its label.
    pub fn text(&self, lang: Lang) -> String {
        let stage = |s: &str| match lang {
            Lang::Zh => PhaseStatus::parse(s).map_or(s.to_string(), |s| s.label().zh),
            Lang::En => s.to_string(),
        };
        match self {
            LifecycleError::Backwards { from } => {
                i18n::fill(lang, "rules.project.backwards", &[("from", &stage(from))])
            }
            LifecycleError::Recorded { to, by } => {
                let by = if *by == by_handover() {
                    i18n::text(lang, "rules.project.by_handover")
                } else {
                    i18n::text(lang, "rules.project.by_milestone")
                };
                i18n::fill(
                    lang,
                    "rules.project.recorded",
                    &[("to", &stage(to)), ("by", by)],
                )
            }
            LifecycleError::NoParcel => i18n::text(lang, "rules.project.no_parcel").into(),
            LifecycleError::NoPermit => i18n::text(lang, "rules.project.no_permit").into(),
            LifecycleError::CommitmentNotAllowed => {
                i18n::text(lang, "rules.project.commitment_not_allowed").into()
            }
            LifecycleError::NoLand => i18n::text(lang, "rules.project.no_land").into(),
            LifecycleError::NotCompleted => i18n::text(lang, "rules.project.not_completed").into(),
        }
    }
}

/// The refusal in English.
impl std::fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for LifecycleError {}

/// The zone's lifecycle policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecyclePolicy {
    /// 承诺即开工: construction may start before the permit on the enterprise's recorded
    /// commitment.
    pub start_on_commitment: bool,
}

impl PhaseStatus {
    /// Whether a phase may be moved by hand from `self` to `to`. Land handover, the
    /// permit and completion acceptance are recorded by the handover and by the approval
    /// of their milestone items, not by hand; construction starts after the permit, or
    /// before it on a recorded commitment where the zone allows that.
    pub fn check_move(
        self,
        to: PhaseStatus,
        parcel_reserved: bool,
        commitment: Option<&str>,
        policy: LifecyclePolicy,
    ) -> Result<(), LifecycleError> {
        use PhaseStatus::*;
        if to <= self {
            return Err(LifecycleError::Backwards {
                from: self.as_str(),
            });
        }
        match to {
            Lead => Err(LifecycleError::Backwards {
                from: self.as_str(),
            }),
            Signed => Ok(()),
            LandMatched if parcel_reserved => Ok(()),
            LandMatched => Err(LifecycleError::NoParcel),
            LandHandedOver => Err(LifecycleError::Recorded {
                to: to.as_str(),
                by: by_handover(),
            }),
            ConstructionPermit | CompletionAccepted => Err(LifecycleError::Recorded {
                to: to.as_str(),
                by: i18n::text(Lang::En, "rules.project.by_milestone"),
            }),
            ConstructionStarted if self < LandHandedOver => Err(LifecycleError::NoLand),
            ConstructionStarted if self >= ConstructionPermit => Ok(()),
            ConstructionStarted => match (
                commitment.map(str::trim).filter(|c| !c.is_empty()),
                policy.start_on_commitment,
            ) {
                (Some(_), true) => Ok(()),
                (Some(_), false) => Err(LifecycleError::CommitmentNotAllowed),
                (None, _) => Err(LifecycleError::NoPermit),
            },
            InProduction if self == CompletionAccepted => Ok(()),
            InProduction => Err(LifecycleError::NotCompleted),
        }
    }
}

impl PhaseStatus {
    /// Where a reservation of a parcel for the phase leaves it: a phase before land matched
    /// reaches it (land matched means a parcel is reserved); a later one stays.
    pub fn on_reservation(self) -> PhaseStatus {
        self.max(PhaseStatus::LandMatched)
    }

    /// Where giving up the phase's reservation leaves it: a phase at land matched goes
    /// back to signed, as it no longer has a parcel; any other stays (a phase handed its
    /// land has no reservation left to give up).
    pub fn on_release(self) -> PhaseStatus {
        if self == PhaseStatus::LandMatched {
            PhaseStatus::Signed
        } else {
            self
        }
    }

    /// Every stage the phase could be moved to by hand, in order, each with whether the
    /// lifecycle allows it now or why not; a start before the permit counts as allowed
    /// where the zone accepts a commitment (the form asks for one).
    pub fn moves_by_hand(
        self,
        parcel_reserved: bool,
        policy: LifecyclePolicy,
    ) -> Vec<(PhaseStatus, Result<(), LifecycleError>)> {
        let commitment = policy.start_on_commitment.then_some("commitment");
        MOVES_BY_HAND
            .into_iter()
            .filter(|to| *to > self)
            .map(|to| (to, self.check_move(to, parcel_reserved, commitment, policy)))
            .collect()
    }
}

/// The stages a phase is moved to by hand (the others by the handover and the milestone
/// approvals).
pub const MOVES_BY_HAND: [PhaseStatus; 4] = [
    PhaseStatus::Signed,
    PhaseStatus::LandMatched,
    PhaseStatus::ConstructionStarted,
    PhaseStatus::InProduction,
];

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
    /// (0.5–60); forecasts assume [`crate::forecast::critical_path::DEFAULT_BUILD_MONTHS`] without it.
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

    /// The words each text fact allows, as stored.
    pub const WORDS: [(&'static str, &'static [&'static str]); 3] = [
        ("approval_route", &["filing", "approval"]),
        (
            "eia_class",
            &["report_book", "report_table", "registration"],
        ),
        (
            "land_supply",
            &["auction", "with_scheme", "lease", "allocation"],
        ),
    ];

    fn word(&self, field: &str) -> &Option<String> {
        match field {
            "approval_route" => &self.approval_route,
            "eia_class" => &self.eia_class,
            _ => &self.land_supply,
        }
    }

    /// Every fact out of range or not one of its words: (field, why) in both languages.
    pub fn problems(&self) -> Vec<(&'static str, Text)> {
        let mut out = Vec::new();
        for (field, v) in self.numbers() {
            if let Some(v) = v
                && (!v.is_finite() || v < 0.0)
            {
                out.push((
                    field,
                    Text::fill("rules.project.fact_negative", &[("value", &v.to_string())]),
                ));
            }
        }
        if let Some(m) = self.construction_months
            && !(m.is_finite() && (0.5..=60.0).contains(&m))
        {
            out.push((
                "construction_months",
                Text::fill("rules.project.fact_months", &[("value", &m.to_string())]),
            ));
        }
        for (field, allowed) in Self::WORDS {
            if let Some(v) = self.word(field)
                && !allowed.contains(&v.as_str())
            {
                out.push((
                    field,
                    Text::fill(
                        "rules.project.fact_word",
                        &[("value", v), ("allowed", &allowed.join(", "))],
                    ),
                ));
            }
        }
        out
    }

    /// Checks value ranges and the allowed words of the text facts: the first problem,
    /// in English (the record's check; forms show [`PhaseFacts::problems`]).
    pub fn check(&self) -> Result<(), FactError> {
        match self.problems().into_iter().next() {
            None => Ok(()),
            Some((field, text)) => Err(FactError {
                field,
                message: text.en,
            }),
        }
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

/// A project as typed in a form or sent to the API, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    pub name_en: Option<String>,
    /// Yuan, as text (exact): "6000000000" or "6,000,000,000.00".
    pub total_investment_yuan: String,
    pub industry_code: Option<String>,
    pub chain_position: Option<String>,
    pub expected_output_yuan: Option<String>,
    pub expected_tax_yuan: Option<String>,
    pub jobs: Option<i64>,
    pub phases: Vec<PhaseInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseInput {
    pub name: String,
    /// `lead` or `signed` (later stages are reached by their own steps); default `lead`.
    pub status: Option<String>,
    #[serde(default)]
    pub facts: PhaseFacts,
}

/// A checked project: every field parsed, every phase's facts within range.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDraft {
    pub name: String,
    pub name_en: Option<String>,
    pub total_investment: crate::core::money::Fen,
    pub industry_code: Option<String>,
    pub chain_position: Option<crate::core::enterprise::ChainPosition>,
    pub expected_output: Option<crate::core::money::Fen>,
    pub expected_tax: Option<crate::core::money::Fen>,
    pub jobs: Option<i64>,
    pub phases: Vec<(String, PhaseStatus, PhaseFacts)>,
}

/// The most phases a project is created with.
pub const MAX_PHASES: usize = 10;

impl ProjectDraft {
    /// Checks everything and names every field at fault (`phases[1].facts.land_area_mu`).
    pub fn parse(
        input: &ProjectInput,
    ) -> Result<ProjectDraft, Vec<crate::core::enterprise::FieldError>> {
        use crate::core::enterprise::{ChainPosition, FieldError};
        use crate::core::money::Fen;
        let mut errors = Vec::new();
        let name = input.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new(
                "name",
                "required",
                Text::key("rules.project.name_required"),
            ));
        }
        let mut money = |field: &str, raw: Option<&str>, required: bool| -> Option<Fen> {
            let raw = raw.map(str::trim).filter(|r| !r.is_empty());
            match raw {
                None if required => {
                    errors.push(FieldError::new(
                        field,
                        "required",
                        Text::key("rules.project.amount_required"),
                    ));
                    None
                }
                None => None,
                Some(raw) => match Fen::parse_yuan(raw) {
                    Ok(f) if f.0 >= 0 => Some(f),
                    _ => {
                        errors.push(FieldError::new(
                            field,
                            "invalid_amount",
                            Text::fill("rules.project.bad_amount", &[("amount", raw)]),
                        ));
                        None
                    }
                },
            }
        };
        let total_investment = money(
            "total_investment_yuan",
            Some(&input.total_investment_yuan),
            true,
        );
        let expected_output = money(
            "expected_output_yuan",
            input.expected_output_yuan.as_deref(),
            false,
        );
        let expected_tax = money(
            "expected_tax_yuan",
            input.expected_tax_yuan.as_deref(),
            false,
        );
        let industry_code = input
            .industry_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .and_then(|c| match IndustryCode::parse(c) {
                Ok(code) => Some(code.to_string()),
                Err(e) => {
                    errors.push(FieldError::new(
                        "industry_code",
                        "invalid_industry_code",
                        e.text(),
                    ));
                    None
                }
            });
        let chain_position = input
            .chain_position
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .and_then(|c| {
                let p = ChainPosition::parse(c);
                if p.is_none() {
                    errors.push(FieldError::new(
                        "chain_position",
                        "invalid_choice",
                        Text::fill("rules.enterprise.bad_chain_position", &[("value", c)]),
                    ));
                }
                p
            });
        if let Some(j) = input.jobs
            && !(0..=1_000_000).contains(&j)
        {
            errors.push(FieldError::new(
                "jobs",
                "out_of_range",
                Text::key("rules.project.jobs_out_of_range"),
            ));
        }
        if input.phases.is_empty() || input.phases.len() > MAX_PHASES {
            errors.push(FieldError::new(
                "phases",
                "out_of_range",
                Text::fill(
                    "rules.project.phase_count",
                    &[("max", &MAX_PHASES.to_string())],
                ),
            ));
        }
        let mut phases = Vec::new();
        for (i, ph) in input.phases.iter().enumerate() {
            let pname = ph.name.trim().to_string();
            if pname.is_empty() || pname.chars().count() > 60 {
                errors.push(FieldError::new(
                    &format!("phases[{i}].name"),
                    "required",
                    Text::key("rules.project.phase_name_required"),
                ));
            } else if input.phases[..i].iter().any(|o| o.name.trim() == pname) {
                errors.push(FieldError::new(
                    &format!("phases[{i}].name"),
                    "duplicate",
                    Text::fill("rules.project.phase_name_twice", &[("name", &pname)]),
                ));
            }
            let status = match ph.status.as_deref().map(str::trim).unwrap_or("lead") {
                "lead" | "" => PhaseStatus::Lead,
                "signed" => PhaseStatus::Signed,
                other => {
                    errors.push(FieldError::new(
                        &format!("phases[{i}].status"),
                        "invalid_choice",
                        Text::fill("rules.project.new_phase_status", &[("status", other)]),
                    ));
                    PhaseStatus::Lead
                }
            };
            for (field, text) in ph.facts.problems() {
                errors.push(FieldError::new(
                    &format!("phases[{i}].facts.{field}"),
                    "invalid_fact",
                    text,
                ));
            }
            phases.push((pname, status, ph.facts.clone()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ProjectDraft {
            name,
            name_en: input
                .name_en
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            total_investment: total_investment.expect("checked above"),
            industry_code,
            chain_position,
            expected_output,
            expected_tax,
            jobs: input.jobs,
            phases,
        })
    }
}

/// Where a project stands: its furthest phase's stage. A project is counted once, at this
/// stage, however many phases (and agreements) it has; none for a project without phases.
pub fn project_stage(phases: impl IntoIterator<Item = PhaseStatus>) -> Option<PhaseStatus> {
    phases.into_iter().max()
}

/// Whether a project is signed: one phase at least has reached signing. Counted once.
pub fn is_signed(phases: impl IntoIterator<Item = PhaseStatus>) -> bool {
    project_stage(phases).is_some_and(|s| s >= PhaseStatus::Signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_refusals_read_in_chinese() {
        for e in [
            LifecycleError::Backwards { from: "signed" },
            LifecycleError::Recorded {
                to: "land_handed_over",
                by: "the land handover",
            },
            LifecycleError::NoParcel,
            LifecycleError::NoPermit,
            LifecycleError::CommitmentNotAllowed,
            LifecycleError::NoLand,
            LifecycleError::NotCompleted,
        ] {
            let zh = e.text(crate::Lang::Zh);
            assert!(
                !zh.is_empty() && !zh.chars().any(|c| c.is_ascii_alphabetic()),
                "{zh}"
            );
            assert_eq!(e.text(crate::Lang::En), e.to_string());
        }
    }

    #[test]
    fn phases_move_forward_past_their_guards() {
        use PhaseStatus::*;
        let no = LifecyclePolicy::default();
        let yes = LifecyclePolicy {
            start_on_commitment: true,
        };
        assert_eq!(Lead.check_move(Signed, false, None, no), Ok(()));
        assert_eq!(
            Signed.check_move(LandMatched, false, None, no),
            Err(LifecycleError::NoParcel)
        );
        assert_eq!(Signed.check_move(LandMatched, true, None, no), Ok(()));
        assert!(matches!(
            LandMatched.check_move(LandHandedOver, true, None, no),
            Err(LifecycleError::Recorded { .. })
        ));
        assert!(matches!(
            LandHandedOver.check_move(ConstructionPermit, true, None, no),
            Err(LifecycleError::Recorded { .. })
        ));
        // No start before the permit, unless the zone allows it on a recorded commitment.
        assert_eq!(
            LandHandedOver.check_move(ConstructionStarted, true, None, yes),
            Err(LifecycleError::NoPermit)
        );
        assert_eq!(
            LandHandedOver.check_move(ConstructionStarted, true, Some(" "), yes),
            Err(LifecycleError::NoPermit)
        );
        assert_eq!(
            LandHandedOver.check_move(ConstructionStarted, true, Some("承诺按审图意见整改"), no),
            Err(LifecycleError::CommitmentNotAllowed)
        );
        assert_eq!(
            LandHandedOver.check_move(ConstructionStarted, true, Some("承诺按审图意见整改"), yes),
            Ok(())
        );
        assert_eq!(
            ConstructionPermit.check_move(ConstructionStarted, true, None, no),
            Ok(())
        );
        assert_eq!(
            ConstructionStarted.check_move(InProduction, true, None, no),
            Err(LifecycleError::NotCompleted)
        );
        assert_eq!(
            CompletionAccepted.check_move(InProduction, true, None, no),
            Ok(())
        );
        assert_eq!(
            LandMatched.check_move(ConstructionStarted, true, Some("承诺"), yes),
            Err(LifecycleError::NoLand)
        );
        assert!(matches!(
            InProduction.check_move(Signed, true, None, no),
            Err(LifecycleError::Backwards { .. })
        ));
        assert!(matches!(
            Signed.check_move(Signed, true, None, no),
            Err(LifecycleError::Backwards { .. })
        ));
    }
    #[test]
    fn a_reservation_matches_the_land_and_its_release_unmatches_it() {
        use PhaseStatus::*;
        assert_eq!(Lead.on_reservation(), LandMatched);
        assert_eq!(Signed.on_reservation(), LandMatched);
        assert_eq!(LandMatched.on_reservation(), LandMatched);
        assert_eq!(ConstructionStarted.on_reservation(), ConstructionStarted);
        assert_eq!(LandMatched.on_release(), Signed);
        assert_eq!(Signed.on_release(), Signed);
        assert_eq!(Lead.on_release(), Lead);
        assert_eq!(LandHandedOver.on_release(), LandHandedOver);
    }

    #[test]
    fn the_moves_by_hand_say_which_can_be_taken_and_why_not() {
        use PhaseStatus::*;
        let no = LifecyclePolicy::default();
        let moves = Signed.moves_by_hand(false, no);
        assert_eq!(
            moves.iter().map(|m| m.0).collect::<Vec<_>>(),
            [LandMatched, ConstructionStarted, InProduction]
        );
        assert_eq!(moves[0].1, Err(LifecycleError::NoParcel));
        assert_eq!(moves[1].1, Err(LifecycleError::NoLand));
        assert_eq!(moves[2].1, Err(LifecycleError::NotCompleted));
        assert_eq!(Lead.moves_by_hand(false, no)[0], (Signed, Ok(())));
        assert_eq!(
            LandHandedOver.moves_by_hand(true, no)[0],
            (ConstructionStarted, Err(LifecycleError::NoPermit))
        );
        let yes = LifecyclePolicy {
            start_on_commitment: true,
        };
        assert_eq!(
            LandHandedOver.moves_by_hand(true, yes)[0],
            (ConstructionStarted, Ok(()))
        );
        assert!(InProduction.moves_by_hand(true, yes).is_empty());
    }

    /// A step of a phase's land and lifecycle, as the property test takes them.
    #[derive(Debug, Clone)]
    enum Step {
        Reserve,
        Release,
        HandOver,
        Move(PhaseStatus, bool),
        Milestone(PhaseStatus),
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        let stage = proptest::sample::select(PhaseStatus::ALL.to_vec());
        prop_oneof![
            Just(Step::Reserve),
            Just(Step::Release),
            Just(Step::HandOver),
            (stage.clone(), any::<bool>()).prop_map(|(s, c)| Step::Move(s, c)),
            proptest::sample::select(vec![
                PhaseStatus::ConstructionPermit,
                PhaseStatus::ConstructionStarted,
                PhaseStatus::CompletionAccepted
            ])
            .prop_map(Step::Milestone),
        ]
    }

    proptest::proptest! {
        /// Over any run of reservations, releases, handovers, moves by hand and milestone
        /// approvals, a phase at land matched or beyond has a parcel reserved or handed
        /// over; a phase only ever goes back by the release of its reservation, from land
        /// matched to signed; and every move offered by hand is one `check_move` takes.
        #[test]
        fn land_matched_means_a_parcel(
            start in proptest::sample::select(vec![PhaseStatus::Lead, PhaseStatus::Signed]),
            commitments in proptest::prelude::any::<bool>(),
            steps in proptest::collection::vec(step(), 0..40),
        ) {
            let policy = LifecyclePolicy { start_on_commitment: commitments };
            let (mut status, mut reserved, mut handed) = (start, false, false);
            for s in steps {
                let before = status;
                match s {
                    Step::Reserve if !reserved && !handed => {
                        reserved = true;
                        status = status.on_reservation();
                    }
                    Step::Release if reserved => {
                        reserved = false;
                        status = status.on_release();
                        proptest::prop_assert!(status >= before || (before == PhaseStatus::LandMatched && status == PhaseStatus::Signed));
                    }
                    Step::HandOver if reserved => {
                        reserved = false;
                        handed = true;
                        status = status.max(PhaseStatus::LandHandedOver);
                    }
                    Step::Move(to, with_commitment) => {
                        let commitment = with_commitment.then_some("承诺");
                        let offered = status
                            .moves_by_hand(reserved || handed, policy)
                            .into_iter()
                            .any(|(m, ok)| m == to && ok.is_ok());
                        let taken = status.check_move(to, reserved || handed, commitment, policy).is_ok();
                        if taken {
                            proptest::prop_assert!(offered, "{:?} → {:?} taken but not offered", status, to);
                            status = to;
                        }
                    }
                    Step::Milestone(to) if handed => status = status.max(to),
                    _ => {}
                }
                if status != before {
                    proptest::prop_assert!(status > before || (before == PhaseStatus::LandMatched && status == PhaseStatus::Signed));
                }
                if status >= PhaseStatus::LandMatched {
                    proptest::prop_assert!(reserved || handed, "{:?} without a parcel", status);
                }
            }
        }
    }

    use crate::approvals::rule::Rule;

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

    #[test]
    fn a_project_is_counted_once_at_its_furthest_stage() {
        use PhaseStatus::*;
        let four = [Signed, Signed, Signed, Signed];
        assert_eq!(project_stage(four), Some(Signed));
        assert!(is_signed(four));
        assert_eq!(
            project_stage([Lead, ConstructionStarted, Signed]),
            Some(ConstructionStarted)
        );
        assert!(!is_signed([Lead, Lead]));
        assert!(!is_signed([]));
        assert_eq!(project_stage([]), None);
    }

    #[test]
    fn a_project_draft_names_every_field_at_fault() {
        let bad = ProjectInput {
            name: " ".into(),
            total_investment_yuan: "六十亿".into(),
            industry_code: Some("X99".into()),
            chain_position: Some("sideways".into()),
            jobs: Some(-1),
            phases: vec![
                PhaseInput {
                    name: "一期".into(),
                    status: Some("construction_started".into()),
                    facts: PhaseFacts {
                        land_area_mu: Some(-3.0),
                        ..Default::default()
                    },
                },
                PhaseInput {
                    name: "一期".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let fields: Vec<String> = ProjectDraft::parse(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "total_investment_yuan",
                "industry_code",
                "chain_position",
                "jobs",
                "phases[0].status",
                "phases[0].facts.land_area_mu",
                "phases[1].name"
            ]
        );
        let good = ProjectInput {
            name: "青岛国药科技城".into(),
            total_investment_yuan: "6,000,000,000".into(),
            industry_code: Some("C2761".into()),
            chain_position: Some("midstream".into()),
            jobs: Some(3000),
            phases: vec![
                PhaseInput {
                    name: "一期".into(),
                    status: Some("signed".into()),
                    ..Default::default()
                },
                PhaseInput {
                    name: "二期".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let d = ProjectDraft::parse(&good).unwrap();
        assert_eq!(d.total_investment, crate::core::money::Fen(600_000_000_000));
        assert_eq!(
            d.phases.iter().map(|p| p.1).collect::<Vec<_>>(),
            [PhaseStatus::Signed, PhaseStatus::Lead]
        );
        let none = ProjectInput {
            phases: vec![],
            ..good
        };
        assert!(
            ProjectDraft::parse(&none)
                .unwrap_err()
                .iter()
                .any(|e| e.field == "phases")
        );
    }
}
