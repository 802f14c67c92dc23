//! 地块匹配 — which parcels suit a project, and why. Site selection is "site
//! elimination": hard constraints first, each excluded parcel with every constraint that
//! excluded it; then a weighted score on the survivors, each component shown with its
//! points and the figures behind it, so a landing officer can check a ranking by hand.
//! Weights are the zone's to set. Plain rules: the caller supplies the parcels and, for the
//! regional-assessment component, how many working days a set of assessments saves.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::i18n;
use crate::core::industry::IndustryCode;
use crate::core::lang::Lang;
use crate::land::parcel::{ParcelAttrs, ParcelStatus, SEWAGE_CLASSES};

/// What a project needs of its land.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandNeeds {
    /// The area range the project can use, mu.
    pub area_mu_min: f64,
    pub area_mu_max: f64,
    /// GB/T 4754 class of the project.
    pub industry: Option<String>,
    /// Fixed-asset investment, 万元 (tested against investment intensity per mu).
    pub investment_wan: Option<f64>,
    /// Expected annual tax and output at full production, 万元.
    pub annual_tax_wan: Option<f64>,
    pub annual_output_wan: Option<f64>,
    pub power_kva: Option<f64>,
    pub water_m3_per_day: Option<f64>,
    #[serde(default)]
    pub gas: bool,
    #[serde(default)]
    pub steam: bool,
    /// The sewage class it discharges at; a parcel must accept it (A is the strictest).
    pub sewage_class: Option<String>,
    /// 万元/亩.
    pub budget_per_mu_wan: Option<f64>,
    /// When it wants the land: shown with each parcel's readiness.
    pub wanted_by: Option<NaiveDate>,
    /// Parks it prefers; empty means any. Other parks are excluded.
    #[serde(default)]
    pub preferred_parks: Vec<String>,
    /// Chain partners it wants to be near: (name, longitude, latitude).
    #[serde(default)]
    pub partners: Vec<Partner>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// A problem with the needs themselves, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct NeedsError {
    pub field: &'static str,
    pub reason: String,
}

/// A problem with one field of the needs, in both languages: `field` is the needs' own
/// name, or `partners.lon` / `partners.lat` for a chain partner's position.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedsProblem {
    pub field: &'static str,
    pub reason: crate::core::lang::Text,
}

impl LandNeeds {
    /// The first problem, as the API reports it (a partner's position under `partners`),
    /// or the parsed industry.
    pub fn check(&self) -> Result<Option<IndustryCode>, NeedsError> {
        if let Some(p) = self.problems().into_iter().next() {
            let field = if p.field.starts_with("partners.") {
                "partners"
            } else {
                p.field
            };
            return Err(NeedsError {
                field,
                reason: p.reason.en,
            });
        }
        Ok(self
            .industry
            .as_deref()
            .and_then(|c| IndustryCode::parse(c).ok()))
    }

    /// Every field at fault, in the order of the form, each with why.
    pub fn problems(&self) -> Vec<NeedsProblem> {
        use crate::core::lang::Text;
        let mut out = Vec::new();
        let mut bad = |field, reason| out.push(NeedsProblem { field, reason });
        let value = |v: f64| v.to_string();
        if !(self.area_mu_min.is_finite() && self.area_mu_min > 0.0) {
            bad(
                "area_mu_min",
                Text::fill(
                    "rules.needs.area_min",
                    &[("value", &value(self.area_mu_min))],
                ),
            );
        } else if !(self.area_mu_max.is_finite() && self.area_mu_max >= self.area_mu_min) {
            bad(
                "area_mu_max",
                Text::fill(
                    "rules.needs.area_max",
                    &[
                        ("value", &value(self.area_mu_max)),
                        ("min", &value(self.area_mu_min)),
                    ],
                ),
            );
        }
        if let Some(c) = &self.industry
            && let Err(e) = IndustryCode::parse(c)
        {
            bad("industry", e.text());
        }
        for (field, v) in [
            ("investment_wan", self.investment_wan),
            ("annual_tax_wan", self.annual_tax_wan),
            ("annual_output_wan", self.annual_output_wan),
            ("power_kva", self.power_kva),
            ("water_m3_per_day", self.water_m3_per_day),
            ("budget_per_mu_wan", self.budget_per_mu_wan),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v >= 0.0)
            {
                bad(
                    field,
                    Text::fill("rules.needs.negative", &[("value", &value(v))]),
                );
            }
        }
        if let Some(s) = &self.sewage_class
            && !SEWAGE_CLASSES.contains(&s.as_str())
        {
            bad(
                "sewage_class",
                Text::fill(
                    "rules.needs.sewage",
                    &[("value", s), ("classes", &SEWAGE_CLASSES.join(", "))],
                ),
            );
        }
        for p in &self.partners {
            if !(p.lon.is_finite() && (-180.0..=180.0).contains(&p.lon)) {
                bad(
                    "partners.lon",
                    Text::fill(
                        "rules.needs.longitude",
                        &[("value", &value(p.lon)), ("name", &p.name)],
                    ),
                );
            }
            if !(p.lat.is_finite() && (-90.0..=90.0).contains(&p.lat)) {
                bad(
                    "partners.lat",
                    Text::fill(
                        "rules.needs.latitude",
                        &[("value", &value(p.lat)), ("name", &p.name)],
                    ),
                );
            }
        }
        out
    }
}

/// The zone's weights of the score's components (any scale; shown as points of 100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub area: f64,
    pub indicators: f64,
    pub utilities: f64,
    pub price: f64,
    pub synergy: f64,
    pub assessments: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            area: 15.0,
            indicators: 25.0,
            utilities: 15.0,
            price: 15.0,
            synergy: 15.0,
            assessments: 15.0,
        }
    }
}

impl Weights {
    /// Each weight is a number of zero or more, and they add up to more than zero.
    pub fn check(&self) -> Result<(), NeedsError> {
        let parts = [
            ("area", self.area),
            ("indicators", self.indicators),
            ("utilities", self.utilities),
            ("price", self.price),
            ("synergy", self.synergy),
            ("assessments", self.assessments),
        ];
        for (field, v) in parts {
            if !(v.is_finite() && v >= 0.0) {
                return Err(NeedsError {
                    field,
                    reason: format!("{v} is not a weight of zero or more"),
                });
            }
        }
        if parts.iter().map(|p| p.1).sum::<f64>() <= 0.0 {
            return Err(NeedsError {
                field: "weights",
                reason: "the weights must add up to more than 0".into(),
            });
        }
        Ok(())
    }
}

/// A parcel as the matcher reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<'a> {
    pub id: i64,
    pub attrs: &'a ParcelAttrs,
    pub area_mu: f64,
    /// A point inside the parcel (longitude, latitude).
    pub centroid: (f64, f64),
    /// Already reserved for (or handed to) the phase being matched: its status is no bar.
    pub own: bool,
}

/// Why a parcel is excluded: one entry per failed constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "constraint", rename_all = "snake_case")]
pub enum Exclusion {
    NotAvailable {
        status: ParcelStatus,
    },
    Area {
        area_mu: f64,
        min: f64,
        max: f64,
    },
    Industry {
        industry: Option<String>,
        allowed: Vec<String>,
    },
    Park {
        park: Option<String>,
        preferred: Vec<String>,
    },
    InvestmentIntensity {
        needed: f64,
        offered: Option<f64>,
    },
    TaxPerMu {
        needed: f64,
        offered: Option<f64>,
    },
    OutputPerMu {
        needed: f64,
        offered: Option<f64>,
    },
    Power {
        needed: f64,
        available: Option<f64>,
    },
    Water {
        needed: f64,
        available: Option<f64>,
    },
    Gas,
    Steam,
    Sewage {
        needed: String,
        accepted: Option<String>,
    },
    Budget {
        price: f64,
        budget: f64,
    },
}

impl Exclusion {
    /// The constraint in words, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let text = |key| i18n::text(lang, key);
        let fill = |key, values: &[(&str, &str)]| i18n::fill(lang, key, values);
        let one = |v: f64| format!("{v:.1}");
        let opt = |v: &Option<f64>| v.map_or_else(|| text("rules.matching.not_given").into(), one);
        let per_mu = |what: &'static str,
                      figure: &'static str,
                      needed: f64,
                      offered: Option<f64>| match offered {
            Some(o) => fill(
                "rules.matching.per_mu_below",
                &[
                    ("what", text(what)),
                    ("offered", &one(o)),
                    ("needed", &needed.to_string()),
                ],
            ),
            None => fill(
                "rules.matching.per_mu_not_given",
                &[
                    ("figure", text(figure)),
                    ("what", text(what)),
                    ("needed", &needed.to_string()),
                ],
            ),
        };
        match self {
            Exclusion::NotAvailable { status } => {
                // English names the status by its code.
                let status = match lang {
                    Lang::Zh => text(status_key(*status)),
                    Lang::En => status.as_str(),
                };
                fill("rules.matching.not_available", &[("status", status)])
            }
            Exclusion::Area { area_mu, min, max } => fill(
                "rules.matching.area",
                &[
                    ("area", &one(*area_mu)),
                    ("min", &min.to_string()),
                    ("max", &max.to_string()),
                ],
            ),
            Exclusion::Industry { industry, allowed } => fill(
                "rules.matching.industry",
                &[
                    (
                        "industry",
                        industry
                            .as_deref()
                            .unwrap_or_else(|| text("rules.matching.industry_not_given")),
                    ),
                    ("allowed", &allowed.join(text("rules.matching.list_sep"))),
                ],
            ),
            Exclusion::Park { park, preferred } => fill(
                "rules.matching.park",
                &[
                    (
                        "park",
                        park.as_deref()
                            .unwrap_or_else(|| text("rules.matching.park_none")),
                    ),
                    (
                        "preferred",
                        &preferred.join(text("rules.matching.list_sep")),
                    ),
                ],
            ),
            Exclusion::InvestmentIntensity { needed, offered } => per_mu(
                "rules.matching.investment_intensity",
                "rules.matching.fixed_asset_investment",
                *needed,
                *offered,
            ),
            Exclusion::TaxPerMu { needed, offered } => per_mu(
                "rules.matching.tax_per_mu",
                "rules.matching.annual_tax",
                *needed,
                *offered,
            ),
            Exclusion::OutputPerMu { needed, offered } => per_mu(
                "rules.matching.output_per_mu",
                "rules.matching.annual_output",
                *needed,
                *offered,
            ),
            Exclusion::Power { needed, available } => fill(
                "rules.matching.power",
                &[
                    ("available", &opt(available)),
                    ("needed", &needed.to_string()),
                ],
            ),
            Exclusion::Water { needed, available } => fill(
                "rules.matching.water",
                &[
                    ("available", &opt(available)),
                    ("needed", &needed.to_string()),
                ],
            ),
            Exclusion::Gas => text("rules.matching.gas").into(),
            Exclusion::Steam => text("rules.matching.steam").into(),
            Exclusion::Sewage { needed, accepted } => fill(
                "rules.matching.sewage",
                &[
                    ("needed", needed),
                    (
                        "accepted",
                        accepted
                            .as_deref()
                            .unwrap_or_else(|| text("rules.matching.sewage_none")),
                    ),
                ],
            ),
            Exclusion::Budget { price, budget } => fill(
                "rules.matching.budget",
                &[
                    ("price", &price.to_string()),
                    ("budget", &budget.to_string()),
                ],
            ),
        }
    }
}

/// The catalogue key of a parcel status's name.
fn status_key(s: ParcelStatus) -> &'static str {
    match s {
        ParcelStatus::Available => "parcels.status_available",
        ParcelStatus::Reserved => "parcels.status_reserved",
        ParcelStatus::HandedOver => "parcels.status_handed_over",
        ParcelStatus::Withdrawn => "parcels.status_withdrawn",
    }
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// One component of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub name: &'static str,
    /// Its share of the total, points of 100.
    pub weight: f64,
    /// How well the parcel does on it, 0–1.
    pub value: f64,
    /// `weight × value`.
    pub points: f64,
    /// The figures behind the value.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub id: i64,
    pub score: f64,
    pub components: Vec<Component>,
    /// What the parcel's regional assessments spare the project.
    pub saving: Saving,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// The best `k`, best first (ties by id).
    pub top: Vec<Scored>,
    /// Survivors of the hard constraints.
    pub eligible: usize,
    /// Every excluded parcel with every constraint it failed.
    pub excluded: Vec<(i64, Vec<Exclusion>)>,
}

/// A sewage class is accepted when the parcel takes that class or a looser one
/// (A is the strictest, C the loosest).
fn sewage_ok(needed: &str, accepted: Option<&str>) -> bool {
    let rank = |c: &str| SEWAGE_CLASSES.iter().position(|x| *x == c);
    match (rank(needed), accepted.and_then(rank)) {
        (Some(n), Some(a)) => n <= a,
        _ => false,
    }
}

/// The hard constraints: every one the parcel fails, or none.
pub fn exclusions(
    needs: &LandNeeds,
    industry: Option<&IndustryCode>,
    c: &Candidate,
) -> Vec<Exclusion> {
    let a = c.attrs;
    let mut out = Vec::new();
    if a.status != ParcelStatus::Available && !c.own {
        out.push(Exclusion::NotAvailable { status: a.status });
    }
    if c.area_mu < needs.area_mu_min || c.area_mu > needs.area_mu_max {
        out.push(Exclusion::Area {
            area_mu: c.area_mu,
            min: needs.area_mu_min,
            max: needs.area_mu_max,
        });
    }
    if !a.allowed_industries.is_empty() {
        let ok = industry.is_some_and(|i| {
            a.allowed_industries
                .iter()
                .filter_map(|p| IndustryCode::parse(p).ok())
                .any(|p| i.is_under(&p))
        });
        if !ok {
            out.push(Exclusion::Industry {
                industry: industry.map(|i| i.as_str().to_string()),
                allowed: a.allowed_industries.clone(),
            });
        }
    }
    if !needs.preferred_parks.is_empty()
        && !a
            .park
            .as_ref()
            .is_some_and(|p| needs.preferred_parks.contains(p))
    {
        out.push(Exclusion::Park {
            park: a.park.clone(),
            preferred: needs.preferred_parks.clone(),
        });
    }
    let per_mu = |v: Option<f64>| v.map(|v| v / c.area_mu.max(f64::MIN_POSITIVE));
    let short = |needed: Option<f64>, offered: Option<f64>| {
        needed.is_some_and(|n| offered.is_none_or(|o| o < n))
    };
    // A per-mu minimum the parcel sets binds a figure the project gives; a figure it does
    // not give (a blank in the form) sets no limit.
    let below = |min: Option<f64>, offered: Option<f64>| matches!((min, offered), (Some(m), Some(o)) if o < m);
    if below(
        a.investment_intensity_min_wan_per_mu,
        per_mu(needs.investment_wan),
    ) {
        out.push(Exclusion::InvestmentIntensity {
            needed: a.investment_intensity_min_wan_per_mu.unwrap_or(0.0),
            offered: per_mu(needs.investment_wan),
        });
    }
    if below(a.tax_per_mu_min_wan, per_mu(needs.annual_tax_wan)) {
        out.push(Exclusion::TaxPerMu {
            needed: a.tax_per_mu_min_wan.unwrap_or(0.0),
            offered: per_mu(needs.annual_tax_wan),
        });
    }
    if below(a.output_per_mu_min_wan, per_mu(needs.annual_output_wan)) {
        out.push(Exclusion::OutputPerMu {
            needed: a.output_per_mu_min_wan.unwrap_or(0.0),
            offered: per_mu(needs.annual_output_wan),
        });
    }
    if short(needs.power_kva, a.power_kva) {
        out.push(Exclusion::Power {
            needed: needs.power_kva.unwrap_or(0.0),
            available: a.power_kva,
        });
    }
    if short(needs.water_m3_per_day, a.water_m3_per_day) {
        out.push(Exclusion::Water {
            needed: needs.water_m3_per_day.unwrap_or(0.0),
            available: a.water_m3_per_day,
        });
    }
    if needs.gas && !a.gas {
        out.push(Exclusion::Gas);
    }
    if needs.steam && !a.steam {
        out.push(Exclusion::Steam);
    }
    if let Some(s) = &needs.sewage_class
        && !sewage_ok(s, a.sewage_class.as_deref())
    {
        out.push(Exclusion::Sewage {
            needed: s.clone(),
            accepted: a.sewage_class.clone(),
        });
    }
    if let (Some(price), Some(budget)) = (a.price_per_mu_wan, needs.budget_per_mu_wan)
        && price > budget
    {
        out.push(Exclusion::Budget { price, budget });
    }
    out
}

/// Great-circle distance in kilometres (mean Earth radius): ample for "how near".
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1, lon2, lat2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

/// What a parcel's regional assessments spare a project.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Saving {
    /// Working days construction start comes earlier (on the critical path, at promised
    /// limits); often 0 when the waived items run beside a longer chain.
    pub start_days: f64,
    /// Working days of approvals waived in all (their promised limits).
    pub workload_days: f64,
    /// The waived items.
    pub waived: Vec<String>,
}

/// Reference price when the project gives no budget, 万元/亩.
pub const REFERENCE_PRICE_WAN: f64 = 50.0;
/// Partners within this distance count fully; beyond `SYNERGY_FAR_KM`, not at all.
pub const SYNERGY_NEAR_KM: f64 = 1.0;
pub const SYNERGY_FAR_KM: f64 = 20.0;
/// Saving this many working days earns the full assessment component; a day off
/// construction start counts fully, a day of waived approval work a quarter.
pub const FULL_SAVING_DAYS: f64 = 20.0;
pub const WORKLOAD_DAY_WEIGHT: f64 = 0.25;

/// The plain figures of a parcel the score reads: what both [`score`] and the in-memory
/// index (`match_index`) compute a score from, so the two cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub area_mu: f64,
    pub centroid: (f64, f64),
    pub investment_intensity_min: Option<f64>,
    pub tax_per_mu_min: Option<f64>,
    pub output_per_mu_min: Option<f64>,
    pub power_kva: Option<f64>,
    pub water_m3_per_day: Option<f64>,
    pub gas: bool,
    pub steam: bool,
    pub road_access: bool,
    pub price_per_mu_wan: Option<f64>,
}

impl Figures {
    pub fn of(c: &Candidate) -> Figures {
        let a = c.attrs;
        Figures {
            area_mu: c.area_mu,
            centroid: c.centroid,
            investment_intensity_min: a.investment_intensity_min_wan_per_mu,
            tax_per_mu_min: a.tax_per_mu_min_wan,
            output_per_mu_min: a.output_per_mu_min_wan,
            power_kva: a.power_kva,
            water_m3_per_day: a.water_m3_per_day,
            gas: a.gas,
            steam: a.steam,
            road_access: a.road_access,
            price_per_mu_wan: a.price_per_mu_wan,
        }
    }
}

/// The score's components in order, as named in [`Component::name`].
pub const COMPONENTS: [&str; 6] = [
    "area",
    "indicators",
    "utilities",
    "price",
    "synergy",
    "assessments",
];

/// Each component's share of 100 points under `weights`.
pub fn shares(weights: &Weights) -> [f64; 6] {
    let w = [
        weights.area,
        weights.indicators,
        weights.utilities,
        weights.price,
        weights.synergy,
        weights.assessments,
    ];
    let total = w.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    w.map(|w| w / total * 100.0)
}

/// The score from the shares and the components' values (each clamped to 0–1).
pub fn total(shares: &[f64; 6], values: &[f64; 6]) -> f64 {
    let mut sum = 0.0;
    for i in 0..6 {
        sum += shares[i] * values[i].clamp(0.0, 1.0);
    }
    sum
}

/// The nearest chain partner: its index and distance, km.
pub fn nearest_partner(needs: &LandNeeds, centroid: (f64, f64)) -> Option<(usize, f64)> {
    needs
        .partners
        .iter()
        .enumerate()
        .map(|(i, p)| (i, distance_km(centroid, (p.lon, p.lat))))
        .min_by(|x, y| x.1.total_cmp(&y.1))
}

/// The utilities headroom value of one supply; unknown needs count as half.
fn headroom_value(need: Option<f64>, have: Option<f64>) -> f64 {
    match (need, have) {
        (Some(n), Some(h)) if n > 0.0 => ((h - n) / n).min(1.0) * 0.5 + 0.5,
        _ => 0.5,
    }
}

/// The per-mu control-indicator margins the project is tested on, as (minimum, has).
fn indicator_pairs(needs: &LandNeeds, f: &Figures) -> [(Option<f64>, Option<f64>); 3] {
    let per_mu = |v: Option<f64>| v.map(|v| v / f.area_mu.max(f64::MIN_POSITIVE));
    [
        (f.investment_intensity_min, per_mu(needs.investment_wan)),
        (f.tax_per_mu_min, per_mu(needs.annual_tax_wan)),
        (f.output_per_mu_min, per_mu(needs.annual_output_wan)),
    ]
}

/// The values (0–1, before clamping) of the first five components; the sixth is
/// [`assessment_value`].
pub fn values(needs: &LandNeeds, f: &Figures) -> [f64; 5] {
    // Area: best at the middle of the wanted range, half marks at its ends.
    let mid = (needs.area_mu_min + needs.area_mu_max) / 2.0;
    let half = ((needs.area_mu_max - needs.area_mu_min) / 2.0).max(f64::MIN_POSITIVE);
    let area = 1.0 - 0.5 * ((f.area_mu - mid).abs() / half).min(1.0);

    // Control indicators: the project's margin over each minimum the parcel sets.
    let (mut sum, mut n) = (0.0, 0usize);
    for (min, have) in indicator_pairs(needs, f) {
        if let (Some(min), Some(have)) = (min, have)
            && min > 0.0
        {
            sum += (0.5 + (have / min - 1.0)).clamp(0.5, 1.0);
            n += 1;
        }
    }
    let indicators = if n == 0 { 1.0 } else { sum / n as f64 };

    // Utilities: headroom over what the project needs, and the other supplies.
    let extras = [f.gas, f.steam, f.road_access]
        .iter()
        .filter(|x| **x)
        .count() as f64
        / 3.0;
    let utilities = 0.4 * headroom_value(needs.power_kva, f.power_kva)
        + 0.4 * headroom_value(needs.water_m3_per_day, f.water_m3_per_day)
        + 0.2 * extras;

    // Price: the cheaper against the budget (or a reference price), the better.
    let reference = needs.budget_per_mu_wan.unwrap_or(REFERENCE_PRICE_WAN);
    let price = match f.price_per_mu_wan {
        Some(price) => 1.0 - 0.5 * price / reference.max(f64::MIN_POSITIVE),
        None => 0.5,
    };

    // Chain synergy: the nearest partner, full within 1 km, nothing beyond 20 km.
    let synergy = match nearest_partner(needs, f.centroid) {
        Some((_, d)) => {
            1.0 - ((d - SYNERGY_NEAR_KM) / (SYNERGY_FAR_KM - SYNERGY_NEAR_KM)).clamp(0.0, 1.0)
        }
        None => 0.5,
    };
    [area, indicators, utilities, price, synergy]
}

/// The regional-assessment component's value of a saving.
pub fn assessment_value(s: &Saving) -> f64 {
    (s.start_days + WORKLOAD_DAY_WEIGHT * s.workload_days) / FULL_SAVING_DAYS
}

/// Scores a parcel that passed the hard constraints. `saved(assessments)` gives the
/// working days a set of regional assessments saves this project, with the items they
/// waive.
pub fn score(
    needs: &LandNeeds,
    weights: &Weights,
    c: &Candidate,
    saved: &mut impl FnMut(&[String]) -> Saving,
    lang: Lang,
) -> Scored {
    let a = c.attrs;
    let f = Figures::of(c);
    let text = |key| i18n::text(lang, key);
    let fill = |key, values: &[(&str, &str)]| i18n::fill(lang, key, values);
    let saving = saved(&a.assessments);
    let [v0, v1, v2, v3, v4] = values(needs, &f);
    let vals = [v0, v1, v2, v3, v4, assessment_value(&saving)];
    let shares = shares(weights);

    let mid = (needs.area_mu_min + needs.area_mu_max) / 2.0;
    let area = fill(
        "rules.matching.area_detail",
        &[
            ("area", &format!("{:.1}", c.area_mu)),
            ("min", &needs.area_mu_min.to_string()),
            ("max", &needs.area_mu_max.to_string()),
            ("best", &format!("{mid:.1}")),
        ],
    );

    let labels = [
        "rules.matching.indicator_investment",
        "rules.matching.indicator_tax",
        "rules.matching.indicator_output",
    ];
    let notes: Vec<String> = indicator_pairs(needs, &f)
        .iter()
        .zip(labels)
        .filter_map(|((min, have), label)| match (min, have) {
            (Some(min), Some(have)) if *min > 0.0 => Some(fill(
                "rules.matching.indicator_note",
                &[
                    ("label", text(label)),
                    ("have", &format!("{have:.1}")),
                    ("min", &min.to_string()),
                ],
            )),
            _ => None,
        })
        .collect();
    let indicators = if notes.is_empty() {
        text("rules.matching.no_indicator").to_string()
    } else {
        notes.join(text("rules.matching.note_sep"))
    };

    let supply = |need: Option<f64>, have: Option<f64>, unit: &'static str| {
        let unit = text(unit);
        match (need, have) {
            (Some(n), Some(h)) if n > 0.0 => fill(
                "rules.matching.supply_for_need",
                &[
                    ("have", &h.to_string()),
                    ("unit", unit),
                    ("need", &n.to_string()),
                ],
            ),
            (_, Some(h)) => fill(
                "rules.matching.supply_need_not_given",
                &[("have", &h.to_string()), ("unit", unit)],
            ),
            _ => fill("rules.matching.supply_not_given", &[("unit", unit)]),
        }
    };
    let has = |b: bool| {
        if b {
            text("rules.matching.has")
        } else {
            text("rules.matching.has_not")
        }
    };
    let utilities = fill(
        "rules.matching.utilities_detail",
        &[
            (
                "power",
                &supply(needs.power_kva, a.power_kva, "rules.matching.unit_power"),
            ),
            (
                "water",
                &supply(
                    needs.water_m3_per_day,
                    a.water_m3_per_day,
                    "rules.matching.unit_water",
                ),
            ),
            ("gas", has(a.gas)),
            ("steam", has(a.steam)),
            ("road", has(a.road_access)),
        ],
    );

    let reference = needs.budget_per_mu_wan.unwrap_or(REFERENCE_PRICE_WAN);
    let price = match a.price_per_mu_wan {
        Some(price) => fill(
            if needs.budget_per_mu_wan.is_some() {
                "rules.matching.price_budget"
            } else {
                "rules.matching.price_reference"
            },
            &[
                ("price", &price.to_string()),
                ("reference", &reference.to_string()),
            ],
        ),
        None => text("rules.matching.price_not_given").to_string(),
    };

    let synergy = match nearest_partner(needs, c.centroid) {
        Some((i, d)) => fill(
            "rules.matching.synergy_detail",
            &[
                ("name", &needs.partners[i].name),
                ("distance", &format!("{d:.1}")),
            ],
        ),
        None => text("rules.matching.no_partners").to_string(),
    };

    let assessments = if saving.waived.is_empty() {
        text("rules.matching.no_waiver").to_string()
    } else {
        fill(
            "rules.matching.waives",
            &[
                (
                    "items",
                    &saving.waived.join(text("rules.matching.list_sep")),
                ),
                ("workload", &saving.workload_days.to_string()),
                ("start", &saving.start_days.to_string()),
            ],
        )
    };

    let details = [area, indicators, utilities, price, synergy, assessments];
    let components = details
        .into_iter()
        .enumerate()
        .map(|(i, detail)| {
            let value = vals[i].clamp(0.0, 1.0);
            Component {
                name: COMPONENTS[i],
                weight: shares[i],
                value,
                points: shares[i] * value,
                detail,
            }
        })
        .collect();
    Scored {
        id: c.id,
        score: total(&shares, &vals),
        components,
        saving,
    }
}

/// Hard constraints, then scores, then the best `k` with every exclusion explained.
pub fn rank<'a>(
    needs: &LandNeeds,
    industry: Option<&IndustryCode>,
    weights: &Weights,
    candidates: impl IntoIterator<Item = Candidate<'a>>,
    k: usize,
    mut saved: impl FnMut(&[String]) -> Saving,
    lang: Lang,
) -> Ranking {
    let mut excluded = Vec::new();
    let mut scored = Vec::new();
    for c in candidates {
        let why = exclusions(needs, industry, &c);
        if why.is_empty() {
            scored.push(score(needs, weights, &c, &mut saved, lang));
        } else {
            excluded.push((c.id, why));
        }
    }
    let eligible = scored.len();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    scored.truncate(k);
    Ranking {
        top: scored,
        eligible,
        excluded,
    }
}

/// How many working days a parcel's regional assessments save a project on the way to
/// construction start: its list on a bare parcel against its list on this one, both
/// forecast from the handover with promised limits. Cached per set of assessments, so a
/// query over many parcels computes each distinct set once.
pub struct AssessmentSavings<'a> {
    calendar: &'a crate::core::calendar::Calendar,
    catalogue: &'a crate::approvals::catalogue::Catalogue,
    facts: crate::stewardship::project::PhaseFacts,
    industry: Option<IndustryCode>,
    known: KnownSavings,
}

/// What an [`AssessmentSavings`] has worked out, to keep between queries for the same
/// facts, industry, catalogue and calendar.
#[derive(Debug, Clone, Default)]
pub struct KnownSavings {
    base: Option<f64>,
    cache: std::collections::HashMap<Vec<String>, Saving>,
}

impl KnownSavings {
    /// Sets of assessments worked out.
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }
}

impl<'a> AssessmentSavings<'a> {
    pub fn new(
        calendar: &'a crate::core::calendar::Calendar,
        catalogue: &'a crate::approvals::catalogue::Catalogue,
        facts: crate::stewardship::project::PhaseFacts,
        industry: Option<IndustryCode>,
    ) -> Self {
        AssessmentSavings {
            calendar,
            catalogue,
            facts,
            industry,
            known: KnownSavings::default(),
        }
    }

    /// Starts from what an earlier query with the same facts, industry, catalogue and
    /// calendar worked out.
    pub fn remember(mut self, known: KnownSavings) -> Self {
        self.known = known;
        self
    }

    /// What has been worked out so far.
    pub fn known(&self) -> &KnownSavings {
        &self.known
    }

    /// Working days to construction start on a parcel with these assessments, the items
    /// they waive and those items' promised working days.
    fn start(&self, assessments: &[String]) -> (f64, Vec<String>, f64) {
        use crate::forecast::critical_path::{ForecastItem, forecast_phase, with_building};
        let facts = self.facts.facts(self.industry.as_ref(), Some(assessments));
        let listed = self.catalogue.service_list(&facts, assessments);
        let waived: Vec<String> = listed
            .iter()
            .filter(|l| l.waived_by.is_some())
            .map(|l| l.code.clone())
            .collect();
        let workload = waived
            .iter()
            .filter_map(|c| self.catalogue.item(c))
            .map(|i| crate::forecast::critical_path::working_days(i.promised_limit))
            .sum();
        let items = listed
            .iter()
            .map(|l| ForecastItem {
                code: l.code.clone(),
                prerequisites: l.prerequisites.clone(),
                waived: l.waived_by.is_some(),
                events: Vec::new(),
                duration: None,
                unconfirmed: l.applicability
                    == crate::approvals::catalogue::Applicability::ToConfirm,
            })
            .collect();
        let items = with_building(items, self.catalogue, self.facts.construction_months);
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date");
        let start = forecast_phase(self.calendar, self.catalogue, &items, day, day)
            .ok()
            .and_then(|f| {
                f.milestones
                    .iter()
                    .find(|m| m.0 == crate::approvals::catalogue::Milestone::ConstructionStart)
                    .map(|m| m.2)
            })
            .unwrap_or(0.0);
        (start, waived, workload)
    }

    /// The saving of a set of assessments, in any order.
    pub fn saved(&mut self, assessments: &[String]) -> Saving {
        // As given first (no allocation), then in order without repeats.
        if let Some(hit) = self.known.cache.get(assessments) {
            return hit.clone();
        }
        let mut key = assessments.to_vec();
        key.sort();
        key.dedup();
        let out = match self.known.cache.get(&key) {
            Some(hit) => hit.clone(),
            None => {
                let base = match self.known.base {
                    Some(b) => b,
                    None => {
                        let b = self.start(&[]).0;
                        self.known.base = Some(b);
                        b
                    }
                };
                let (start, waived, workload_days) = self.start(&key);
                let out = Saving {
                    start_days: (base - start).max(0.0),
                    workload_days,
                    waived,
                };
                self.known.cache.insert(key, out.clone());
                out
            }
        };
        self.known.cache.insert(assessments.to_vec(), out.clone());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parcel(code: &str) -> ParcelAttrs {
        ParcelAttrs {
            code: code.into(),
            land_use: "industrial".into(),
            park: Some("biomed-park".into()),
            price_per_mu_wan: Some(25.0),
            power_kva: Some(10_000.0),
            water_m3_per_day: Some(2_000.0),
            gas: true,
            road_access: true,
            sewage_class: Some("B".into()),
            investment_intensity_min_wan_per_mu: Some(250.0),
            tax_per_mu_min_wan: Some(20.0),
            allowed_industries: vec!["C27".into(), "C358".into()],
            ..Default::default()
        }
    }

    fn needs() -> LandNeeds {
        LandNeeds {
            area_mu_min: 100.0,
            area_mu_max: 140.0,
            industry: Some("C2761".into()),
            investment_wan: Some(150_000.0),
            annual_tax_wan: Some(5_000.0),
            power_kva: Some(8_000.0),
            water_m3_per_day: Some(1_000.0),
            gas: true,
            sewage_class: Some("B".into()),
            budget_per_mu_wan: Some(40.0),
            ..Default::default()
        }
    }

    fn no_saving(_: &[String]) -> Saving {
        Saving::default()
    }

    fn ten_days(a: &[String]) -> Saving {
        if a.is_empty() {
            Saving::default()
        } else {
            Saving {
                start_days: 5.0,
                workload_days: 20.0,
                waived: vec!["PG09".into(), "PG04".into()],
            }
        }
    }

    /// Every field at fault is named with its reason in both languages; a chain partner
    /// off the globe is refused by the coordinate at fault (regression: longitude 999
    /// was matched).
    #[test]
    fn needs_problems_name_each_field_in_both_languages() {
        let mut n = needs();
        n.area_mu_max = 50.0;
        n.power_kva = Some(-1.0);
        n.partners = vec![Partner {
            name: "伙伴".into(),
            lon: 999.0,
            lat: 36.3,
        }];
        let p = n.problems();
        assert_eq!(
            p.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["area_mu_max", "power_kva", "partners.lon"]
        );
        assert_eq!(p[0].reason.en, "50 is below the least area wanted, 100 mu");
        assert_eq!(p[0].reason.zh, "50 小于所需面积下限 100 亩");
        assert_eq!(p[2].reason.zh, "伙伴的经度 999 不在 -180 到 180 之间");
        let e = n.check().unwrap_err();
        assert_eq!(
            (e.field, e.reason.as_str()),
            ("area_mu_max", "50 is below the least area wanted, 100 mu")
        );
        n.area_mu_max = 140.0;
        n.power_kva = None;
        assert_eq!(n.check().unwrap_err().field, "partners");
        n.partners[0].lon = 120.3;
        assert!(n.check().is_ok() && n.problems().is_empty());
    }

    /// A figure the project leaves blank sets no limit: a parcel's per-mu minimums bind
    /// only the figures given (regression: every parcel with a minimum was excluded).
    #[test]
    fn a_figure_not_given_sets_no_limit() {
        let mut n = needs();
        n.investment_wan = None;
        n.annual_tax_wan = None;
        n.annual_output_wan = None;
        n.power_kva = None;
        n.water_m3_per_day = None;
        n.budget_per_mu_wan = None;
        let industry = n.check().unwrap();
        let mut p = parcel("P1");
        p.investment_intensity_min_wan_per_mu = Some(300.0);
        p.tax_per_mu_min_wan = Some(20.0);
        p.output_per_mu_min_wan = Some(500.0);
        let c = Candidate {
            id: 1,
            attrs: &p,
            area_mu: 120.0,
            centroid: (120.3, 36.3),
            own: false,
        };
        assert_eq!(exclusions(&n, industry.as_ref(), &c), []);
        let index = crate::land::match_index::Index::build([c.clone()]);
        let r = index.query(
            &crate::land::match_index::Query {
                needs: &n,
                industry: industry.as_ref(),
                weights: &Weights::default(),
                k: 5,
                own: &[],
                explain: 10,
            },
            no_saving,
            Lang::En,
        );
        assert_eq!(r.eligible, 1);
    }

    #[test]
    fn each_failed_constraint_is_named() {
        let n = needs();
        let industry = n.check().unwrap();
        let mut p = parcel("P1");
        p.status = ParcelStatus::Reserved;
        p.allowed_industries = vec!["C36".into()];
        p.power_kva = Some(5_000.0);
        p.steam = false;
        p.price_per_mu_wan = Some(60.0);
        p.sewage_class = Some("A".into());
        let c = Candidate {
            id: 1,
            attrs: &p,
            area_mu: 90.0,
            centroid: (120.3, 36.3),
            own: false,
        };
        let why = exclusions(&n, industry.as_ref(), &c);
        let names: Vec<String> = why
            .iter()
            .map(|e| {
                serde_json::to_value(e).unwrap()["constraint"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "not_available",
                "area",
                "industry",
                "power",
                "sewage",
                "budget"
            ],
            "{why:?}"
        );
        assert_eq!(
            why[1].to_string(),
            "90.0 mu is outside the 100–140 mu wanted"
        );
        // 150,000 万元 on 90 mu is 1,667 万元/亩: intensity passes; tax 55.6 ≥ 20 passes.
        let mut thin = needs();
        thin.investment_wan = Some(20_000.0);
        let p = parcel("P2");
        let c = Candidate {
            id: 2,
            attrs: &p,
            area_mu: 120.0,
            centroid: (120.3, 36.3),
            own: false,
        };
        let why = exclusions(&thin, industry.as_ref(), &c);
        assert_eq!(why.len(), 1);
        assert_eq!(
            why[0].to_string(),
            "investment intensity 166.7 万元/亩 is below the parcel's minimum 250"
        );
    }

    #[test]
    fn a_ranking_a_landing_officer_can_check_by_hand() {
        let n = LandNeeds {
            partners: vec![Partner {
                name: "国药器械".into(),
                lon: 120.30,
                lat: 36.30,
            }],
            ..needs()
        };
        let industry = n.check().unwrap();
        let near = parcel("NEAR");
        let mut far = parcel("FAR");
        far.assessments = vec!["flood".into(), "energy".into()];
        let mut taken = parcel("TAKEN");
        taken.status = ParcelStatus::HandedOver;
        let candidates = vec![
            Candidate {
                id: 1,
                attrs: &near,
                area_mu: 120.0,
                centroid: (120.305, 36.30),
                own: false,
            },
            Candidate {
                id: 2,
                attrs: &far,
                area_mu: 120.0,
                centroid: (120.50, 36.30),
                own: false,
            },
            Candidate {
                id: 3,
                attrs: &taken,
                area_mu: 120.0,
                centroid: (120.30, 36.30),
                own: false,
            },
        ];
        let r = rank(
            &n,
            industry.as_ref(),
            &Weights::default(),
            candidates,
            10,
            ten_days,
            Lang::En,
        );
        assert_eq!(r.eligible, 2);
        assert_eq!(
            r.excluded,
            vec![(
                3,
                vec![Exclusion::NotAvailable {
                    status: ParcelStatus::HandedOver
                }]
            )]
        );
        let s_near = r.top.iter().find(|s| s.id == 1).unwrap();
        let s_far = r.top.iter().find(|s| s.id == 2).unwrap();
        let part = |s: &Scored, name: &str| {
            s.components
                .iter()
                .find(|c| c.name == name)
                .unwrap()
                .clone()
        };
        // 0.45 km from the partner: full synergy; 17.9 km: almost none.
        assert_eq!(part(s_near, "synergy").value, 1.0);
        assert!(
            part(s_far, "synergy").value < 0.2,
            "{:?}",
            part(s_far, "synergy")
        );
        assert!(part(s_far, "synergy").detail.contains("km to 国药器械"));
        // The far parcel's assessments: start 5 days earlier, 20 days of approvals waived:
        // (5 + 0.25 × 20) / 20 = half the component.
        assert_eq!(part(s_far, "assessments").value, 0.5);
        assert_eq!(s_far.saving.start_days, 5.0);
        assert!(
            part(s_far, "assessments")
                .detail
                .contains("waives PG09, PG04 (20 working days of approvals)")
        );
        // Weights are points of 100; every score is the sum of its components.
        for s in &r.top {
            let w: f64 = s.components.iter().map(|c| c.weight).sum();
            assert!((w - 100.0).abs() < 1e-9);
            let p: f64 = s.components.iter().map(|c| c.points).sum();
            assert!((p - s.score).abs() < 1e-9);
        }
        // Price 25 against a budget of 40: 1 − 0.5 × 25/40 = 0.6875.
        assert!((part(s_near, "price").value - 0.6875).abs() < 1e-9);
        // Here synergy (15 points × 0.83 difference) outweighs the saving (15 × 0.5).
        assert_eq!(r.top[0].id, 1);
        // A zone that weighs assessments more ranks the far parcel first.
        let w = Weights {
            assessments: 60.0,
            synergy: 5.0,
            ..Weights::default()
        };
        let near2 = parcel("NEAR");
        let r2 = rank(
            &n,
            industry.as_ref(),
            &w,
            vec![
                Candidate {
                    id: 1,
                    attrs: &near2,
                    area_mu: 120.0,
                    centroid: (120.305, 36.30),
                    own: false,
                },
                Candidate {
                    id: 2,
                    attrs: &far,
                    area_mu: 120.0,
                    centroid: (120.50, 36.30),
                    own: false,
                },
            ],
            10,
            ten_days,
            Lang::En,
        );
        assert_eq!(r2.top[0].id, 2);
    }

    #[test]
    fn reasons_and_figures_read_in_chinese() {
        let n = needs();
        let industry = n.check().unwrap();
        let mut p = parcel("P");
        p.status = ParcelStatus::Withdrawn;
        p.gas = false;
        let c = Candidate {
            id: 1,
            attrs: &p,
            area_mu: 90.0,
            centroid: (120.3, 36.3),
            own: false,
        };
        let why: Vec<String> = exclusions(&n, industry.as_ref(), &c)
            .iter()
            .map(|e| e.text(Lang::Zh))
            .collect();
        assert_eq!(why[0], "地块已撤回");
        assert_eq!(why[1], "90.0 亩，不在所需 100–140 亩之内");
        assert!(why.contains(&"无燃气供应".to_string()), "{why:?}");
        // The same parcel reserved for the phase being matched is no longer barred by status.
        let own = Candidate {
            own: true,
            ..c.clone()
        };
        assert!(
            !exclusions(&n, industry.as_ref(), &own)
                .iter()
                .any(|e| matches!(e, Exclusion::NotAvailable { .. }))
        );
        let mut good = parcel("G");
        good.assessments = vec!["flood".into()];
        let c = Candidate {
            id: 2,
            attrs: &good,
            area_mu: 120.0,
            centroid: (120.3, 36.3),
            own: false,
        };
        let s = score(&n, &Weights::default(), &c, &mut ten_days, Lang::Zh);
        let area = &s.components[0].detail;
        assert_eq!(area, "120.0 亩，所需 100–140 亩（最佳 120.0）");
        assert!(
            s.components[5].detail.starts_with("免办 PG09、PG04"),
            "{}",
            s.components[5].detail
        );
    }

    #[test]
    fn bad_needs_name_their_field() {
        let mut n = needs();
        n.area_mu_max = 50.0;
        assert_eq!(n.check().unwrap_err().field, "area_mu_max");
        let mut n = needs();
        n.industry = Some("Q99".into());
        assert_eq!(n.check().unwrap_err().field, "industry");
        let mut n = needs();
        n.sewage_class = Some("Z".into());
        assert_eq!(n.check().unwrap_err().field, "sewage_class");
    }

    #[test]
    fn regional_assessments_save_days_on_the_default_catalogue() {
        let cal = crate::core::calendar::Calendar::builtin();
        let cat =
            crate::approvals::catalogue::Catalogue::parse(crate::approvals::catalogue::DEFAULT)
                .unwrap();
        let facts = crate::stewardship::project::PhaseFacts {
            investment_wan: Some(150_000.0),
            land_area_mu: Some(120.0),
            new_construction: Some(true),
            approval_route: Some("filing".into()),
            eia_class: Some("report_table".into()),
            energy_tce: Some(3_000.0),
            ..Default::default()
        };
        let mut s =
            AssessmentSavings::new(&cal, &cat, facts.clone(), IndustryCode::parse("C2761").ok());
        let all: Vec<String> = crate::approvals::rule::ASSESSMENTS
            .iter()
            .map(|a| a.0.to_string())
            .collect();
        let full = s.saved(&all);
        assert!(
            full.workload_days > 0.0 && !full.waived.is_empty(),
            "{full:?}"
        );
        assert_eq!(s.saved(&[]), Saving::default());
        // More assessments never spare less (waiving items never lengthens a path).
        for mask in 0u32..(1 << all.len()) {
            let set: Vec<String> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| mask >> i & 1 == 1)
                .map(|(_, a)| a.clone())
                .collect();
            let d = s.saved(&set);
            assert!(
                d.start_days >= 0.0 && d.start_days <= full.start_days,
                "{set:?}: {d:?}"
            );
            for extra in &all {
                let mut more = set.clone();
                more.push(extra.clone());
                let m = s.saved(&more);
                assert!(
                    m.start_days >= d.start_days && m.workload_days >= d.workload_days,
                    "{set:?} + {extra}"
                );
            }
        }
        // Order does not matter.
        let a = s.saved(&["flood".into(), "energy".into()]);
        assert_eq!(a, s.saved(&["energy".into(), "flood".into()]));
        // What one query worked out, a later one with the same facts starts from.
        let known = s.known().clone();
        assert!(known.len() >= 1 << all.len());
        let mut later =
            AssessmentSavings::new(&cal, &cat, facts, IndustryCode::parse("C2761").ok())
                .remember(known);
        assert_eq!(later.saved(&all), full);
        assert_eq!(later.saved(&["energy".into(), "flood".into()]), a);
    }

    proptest! {
            /// A parcel either is excluded (with at least one reason) or scores 0–100, and a
            /// bigger budget never excludes a parcel a smaller one admitted.
            #[test]
            fn excluded_or_scored(area in 10.0f64..300.0, price in 0.0f64..100.0, power in 0.0f64..20_000.0, budget in 1.0f64..100.0) {
                let mut p = parcel("X");
                p.price_per_mu_wan = Some(price);
                p.power_kva = Some(power);
                let mut n = needs();
                n.budget_per_mu_wan = Some(budget);
                let industry = n.check().unwrap();
                let c = Candidate { id: 1, attrs: &p, area_mu: area, centroid: (120.3, 36.3), own: false,
    };
                let r = rank(&n, industry.as_ref(), &Weights::default(), vec![c.clone()], 5, no_saving, Lang::En);
                if r.top.is_empty() {
                    prop_assert!(!r.excluded[0].1.is_empty());
                } else {
                    prop_assert!((0.0..=100.0 + 1e-9).contains(&r.top[0].score));
                }
                n.budget_per_mu_wan = Some(budget * 2.0);
                let r2 = rank(&n, industry.as_ref(), &Weights::default(), vec![c], 5, no_saving, Lang::En);
                prop_assert!(r2.top.len() >= r.top.len());
            }
        }
}
