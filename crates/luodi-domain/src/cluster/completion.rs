//! 达产复核 — the post-completion check. Once a phase is in production and its
//! agreement's production date has passed, its actual figures over the last complete
//! year are held to the control indicators of the parcel it was handed (investment
//! intensity, tax per mu and output per mu at least; energy per value added at most),
//! and to the figures it promised at signing where those are stricter. Each indicator is
//! met or short by a percentage; the check passes when every indicator with a
//! requirement is met.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::lang::Text;

/// How long after construction starts production is due when the agreement names no
/// date.
pub const DEFAULT_MONTHS_TO_PRODUCTION: u32 = 24;

/// The date production is due: the phase's own, else two years after construction
/// started.
pub fn production_due(
    own: Option<NaiveDate>,
    construction_start: Option<NaiveDate>,
) -> Option<NaiveDate> {
    own.or_else(|| {
        construction_start?.checked_add_months(chrono::Months::new(DEFAULT_MONTHS_TO_PRODUCTION))
    })
}

/// What a check measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 投资强度, 万元 invested per mu (at least).
    InvestmentIntensity,
    /// 亩均税收, 万元 of tax per mu a year (at least).
    TaxPerMu,
    /// 亩均产值, 万元 of output per mu a year (at least).
    OutputPerMu,
    /// 单位增加值能耗, tce per 万元 of value added (at most).
    EnergyPerValueAdded,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::InvestmentIntensity,
        Measure::TaxPerMu,
        Measure::OutputPerMu,
        Measure::EnergyPerValueAdded,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Measure::InvestmentIntensity => "investment_intensity",
            Measure::TaxPerMu => "tax_per_mu",
            Measure::OutputPerMu => "output_per_mu",
            Measure::EnergyPerValueAdded => "energy_per_value_added",
        }
    }

    pub fn label(self) -> Text {
        Text::key(match self {
            Measure::InvestmentIntensity => "rules.completion.measure.investment_intensity",
            Measure::TaxPerMu => "rules.completion.measure.tax_per_mu",
            Measure::OutputPerMu => "rules.completion.measure.output_per_mu",
            Measure::EnergyPerValueAdded => "rules.completion.measure.energy_per_value_added",
        })
    }

    pub fn unit(self) -> Text {
        Text::key(match self {
            Measure::InvestmentIntensity | Measure::TaxPerMu | Measure::OutputPerMu => {
                "rules.mu.unit.wan_per_mu"
            }
            Measure::EnergyPerValueAdded => "rules.completion.unit.tce_per_wan",
        })
    }

    /// Whether the requirement is a ceiling (energy) rather than a floor.
    pub fn is_ceiling(self) -> bool {
        self == Measure::EnergyPerValueAdded
    }
}

/// Required values, by measure (`None` where nothing is required).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Requirements {
    pub investment_intensity: Option<f64>,
    pub tax_per_mu: Option<f64>,
    pub output_per_mu: Option<f64>,
    pub energy_per_value_added: Option<f64>,
}

impl Requirements {
    pub fn get(&self, m: Measure) -> Option<f64> {
        match m {
            Measure::InvestmentIntensity => self.investment_intensity,
            Measure::TaxPerMu => self.tax_per_mu,
            Measure::OutputPerMu => self.output_per_mu,
            Measure::EnergyPerValueAdded => self.energy_per_value_added,
        }
        .filter(|v| v.is_finite() && *v > 0.0)
    }
}

/// Where a requirement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The parcel's control indicators (出让合同的控制指标).
    Parcel,
    /// What the project promised at signing, where stricter.
    Promise,
}

/// The phase's actual figures: what it invested, on how much land, and its last complete
/// year's tax, output, value added and energy (万元 and tce).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Actuals {
    pub investment_wan: f64,
    pub land_mu: f64,
    pub tax_wan: f64,
    pub output_wan: f64,
    pub value_added_wan: f64,
    pub energy_tce: f64,
}

impl Actuals {
    pub fn get(&self, m: Measure) -> Option<f64> {
        let per_mu = |x: f64| (self.land_mu > 0.0).then(|| x / self.land_mu);
        match m {
            Measure::InvestmentIntensity => per_mu(self.investment_wan),
            Measure::TaxPerMu => per_mu(self.tax_wan),
            Measure::OutputPerMu => per_mu(self.output_wan),
            Measure::EnergyPerValueAdded => {
                (self.value_added_wan > 0.0).then(|| self.energy_tce / self.value_added_wan)
            }
        }
    }
}

/// One measure's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub measure: Measure,
    pub required: f64,
    pub source: Source,
    /// `None` when the actual cannot be worked out (no land, no value added): not met.
    pub actual: Option<f64>,
    pub met: bool,
    /// How far short (or, for a ceiling, over) in per cent of the requirement.
    pub shortfall_pct: Option<f64>,
}

/// A check's verdicts and whether it passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub verdicts: Vec<Verdict>,
    pub passed: bool,
}

impl Check {
    pub fn failures(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| !v.met)
    }

    /// The shortfalls in words, one a line (for the blocker it opens).
    pub fn shortfalls_text(&self) -> Text {
        Text::from_fn(|lang| {
            self.failures()
                .map(|v| {
                    let fmt = |x: f64| format!("{x:.2}");
                    crate::core::i18n::fill(
                        lang,
                        "rules.completion.shortfall_line",
                        &[
                            ("measure", v.measure.label().get(lang)),
                            ("unit", v.measure.unit().get(lang)),
                            ("required", &fmt(v.required)),
                            ("actual", &v.actual.map_or("—".to_string(), fmt)),
                            (
                                "pct",
                                &v.shortfall_pct
                                    .map_or("—".to_string(), |p| format!("{p:.1}")),
                            ),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}

/// Checks `actuals` against the parcel's control indicators and the promise, the
/// stricter of the two for each measure.
pub fn check(parcel: &Requirements, promised: &Requirements, actuals: &Actuals) -> Check {
    let verdicts: Vec<Verdict> = Measure::ALL
        .into_iter()
        .filter_map(|m| {
            let stricter = |a: f64, b: f64| if m.is_ceiling() { b < a } else { b > a };
            let (required, source) = match (parcel.get(m), promised.get(m)) {
                (Some(p), Some(q)) if stricter(p, q) => (q, Source::Promise),
                (Some(p), _) => (p, Source::Parcel),
                (None, Some(q)) => (q, Source::Promise),
                (None, None) => return None,
            };
            let actual = actuals.get(m);
            let met = actual.is_some_and(|a| {
                if m.is_ceiling() {
                    a <= required
                } else {
                    a >= required
                }
            });
            let shortfall_pct = actual.filter(|_| !met).map(|a| {
                if m.is_ceiling() {
                    (a - required) / required * 100.0
                } else {
                    (required - a) / required * 100.0
                }
            });
            Some(Verdict {
                measure: m,
                required,
                source,
                actual,
                met,
                shortfall_pct,
            })
        })
        .collect();
    Check {
        passed: verdicts.iter().all(|v| v.met),
        verdicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actuals() -> Actuals {
        Actuals {
            investment_wan: 30_000.0,
            land_mu: 100.0,
            tax_wan: 1_500.0,
            output_wan: 50_000.0,
            value_added_wan: 10_000.0,
            energy_tce: 3_000.0,
        }
    }

    #[test]
    fn production_is_due_two_years_after_construction_unless_agreed() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            production_due(None, Some(d(2023, 3, 15))),
            Some(d(2025, 3, 15))
        );
        assert_eq!(
            production_due(Some(d(2024, 1, 1)), Some(d(2023, 3, 15))),
            Some(d(2024, 1, 1))
        );
        assert_eq!(production_due(None, None), None);
    }

    #[test]
    fn each_measure_is_met_or_short_by_a_percentage() {
        let parcel = Requirements {
            investment_intensity: Some(250.0),
            tax_per_mu: Some(20.0),
            output_per_mu: Some(400.0),
            energy_per_value_added: Some(0.5),
        };
        let c = check(&parcel, &Requirements::default(), &actuals());
        // 300 ≥ 250; 15 < 20 (25 % short); 500 ≥ 400; 0.3 ≤ 0.5.
        assert!(!c.passed);
        let tax = c
            .verdicts
            .iter()
            .find(|v| v.measure == Measure::TaxPerMu)
            .unwrap();
        assert_eq!(
            (tax.actual, tax.met, tax.shortfall_pct),
            (Some(15.0), false, Some(25.0))
        );
        assert_eq!(c.failures().count(), 1);
        assert!(c.shortfalls_text().zh.contains("25.0"));
        assert!(c.shortfalls_text().en.contains("15.00"));
        let lower = Requirements {
            tax_per_mu: Some(10.0),
            ..parcel
        };
        assert!(check(&lower, &Requirements::default(), &actuals()).passed);
    }

    #[test]
    fn a_stricter_promise_counts_and_a_ceiling_is_a_ceiling() {
        let parcel = Requirements {
            tax_per_mu: Some(10.0),
            energy_per_value_added: Some(0.5),
            ..Requirements::default()
        };
        let promised = Requirements {
            tax_per_mu: Some(18.0),
            energy_per_value_added: Some(0.2),
            output_per_mu: Some(600.0),
            ..Requirements::default()
        };
        let c = check(&parcel, &promised, &actuals());
        let v = |m| *c.verdicts.iter().find(|v| v.measure == m).unwrap();
        assert_eq!(v(Measure::TaxPerMu).source, Source::Promise);
        assert_eq!(v(Measure::TaxPerMu).required, 18.0);
        let energy = v(Measure::EnergyPerValueAdded);
        assert_eq!(
            (energy.required, energy.source, energy.met),
            (0.2, Source::Promise, false)
        );
        assert!((energy.shortfall_pct.unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(v(Measure::OutputPerMu).source, Source::Promise);
        assert_eq!(
            c.verdicts.len(),
            3,
            "investment intensity has no requirement"
        );
        let no_land = Actuals {
            land_mu: 0.0,
            ..actuals()
        };
        let c = check(&parcel, &Requirements::default(), &no_land);
        assert!(!c.passed);
        assert_eq!(c.verdicts[0].actual, None);
    }
}
