//! 亩均效益评价 — grading enterprises by what their land yields. A zone's scheme for a
//! year names indicators with weights and a scoring method; enterprises are rated in two
//! groups (above and below a revenue line), ranked by their total score within the group
//! and classed A/B/C/D by where their rank falls. Every result carries each indicator's
//! value, score and the group's least and greatest value, so an officer can check it by
//! hand; an enterprise that cannot be rated fairly is shown as B, not rated, with why
//! (as the schemes do).
//!
//! The default is the above-scale scheme of an Anhui development zone (tax per mu 45,
//! revenue per mu 20, value added per tce 15, R&D intensity 15, labour productivity 5;
//! below 2,000 万元 of revenue, tax per mu alone) scored by min-max as Jingde does:
//! `weight × (20 + 80 × (x − min) / (max − min)) / 100`, the whole weight to everyone
//! when max = min. The other method is Linhai's ratio to a benchmark,
//! `min(x ÷ benchmark, cap) × weight`.

use serde::{Deserialize, Serialize};

use crate::cluster::statistics::{Figures, Mu};
use crate::core::lang::Text;
use crate::core::money::Fen;

/// What a scheme may measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 亩均税收, 万元 of tax per mu.
    TaxPerMu,
    /// 亩均营业收入, 万元 of revenue per mu.
    RevenuePerMu,
    /// 单位能耗增加值, 万元 of value added per tce.
    ValueAddedPerTce,
    /// 研发经费投入强度, R&D spending ÷ revenue (a fraction; shown as a percentage).
    RdIntensity,
    /// 全员劳动生产率, 万元 of value added per employee.
    LabourProductivity,
}

impl Indicator {
    pub const ALL: [Indicator; 5] = [
        Indicator::TaxPerMu,
        Indicator::RevenuePerMu,
        Indicator::ValueAddedPerTce,
        Indicator::RdIntensity,
        Indicator::LabourProductivity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Indicator::TaxPerMu => "tax_per_mu",
            Indicator::RevenuePerMu => "revenue_per_mu",
            Indicator::ValueAddedPerTce => "value_added_per_tce",
            Indicator::RdIntensity => "rd_intensity",
            Indicator::LabourProductivity => "labour_productivity",
        }
    }

    pub fn label(self) -> Text {
        Text::key(match self {
            Indicator::TaxPerMu => "rules.mu.indicator.tax_per_mu",
            Indicator::RevenuePerMu => "rules.mu.indicator.revenue_per_mu",
            Indicator::ValueAddedPerTce => "rules.mu.indicator.value_added_per_tce",
            Indicator::RdIntensity => "rules.mu.indicator.rd_intensity",
            Indicator::LabourProductivity => "rules.mu.indicator.labour_productivity",
        })
    }

    /// The indicator's unit, in words.
    pub fn unit(self) -> Text {
        Text::key(match self {
            Indicator::TaxPerMu | Indicator::RevenuePerMu => "rules.mu.unit.wan_per_mu",
            Indicator::ValueAddedPerTce => "rules.mu.unit.wan_per_tce",
            Indicator::RdIntensity => "rules.mu.unit.percent",
            Indicator::LabourProductivity => "rules.mu.unit.wan_per_person",
        })
    }

    /// The indicator's value for a year's figures on `land`, or why there is none (a
    /// zero it would divide by).
    pub fn value(self, f: &Figures, land: Mu) -> Result<f64, Unrated> {
        let wan = |x: Fen| x.0 as f64 / 1e6;
        let per = |x: f64, by: f64, zero: Unrated| if by > 0.0 { Ok(x / by) } else { Err(zero) };
        match self {
            Indicator::TaxPerMu => per(wan(f.tax), land.mu(), Unrated::NoLand),
            Indicator::RevenuePerMu => per(wan(f.revenue), land.mu(), Unrated::NoLand),
            Indicator::ValueAddedPerTce => {
                per(wan(f.value_added), f.energy.tce(), Unrated::NoEnergy)
            }
            Indicator::RdIntensity => per(wan(f.rd), wan(f.revenue), Unrated::NoRevenue),
            Indicator::LabourProductivity => {
                per(wan(f.value_added), f.employees as f64, Unrated::NoEmployees)
            }
        }
    }
}

/// How an indicator's value becomes its score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// Jingde's min-max over the group: 20 to 100 % of the weight.
    MinMax,
    /// Linhai's ratio to a benchmark, capped: `min(x ÷ benchmark, cap) × weight`.
    Benchmark { cap: f64 },
}

/// An indicator in a scheme: its weight and, for the benchmark method, its benchmark in
/// the indicator's unit (R&D intensity as a fraction).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weighted {
    pub indicator: Indicator,
    pub weight: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<f64>,
}

/// A zone's scheme for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    pub method: Method,
    /// The indicators of enterprises at or above the revenue line, in scoring order.
    pub above: Vec<Weighted>,
    /// The indicators of enterprises below it.
    pub below: Vec<Weighted>,
    /// The revenue line (规上/规下): 2,000 万元 by default.
    pub revenue_line: Fen,
    /// The classes' upper bounds in per cent of the group's ranks: A ≤ 25, B ≤ 70,
    /// C ≤ 95, D above.
    pub bands: [u32; 3],
}

impl Default for Scheme {
    fn default() -> Self {
        let w = |indicator, weight, benchmark| Weighted {
            indicator,
            weight,
            benchmark: Some(benchmark),
        };
        Scheme {
            method: Method::MinMax,
            above: vec![
                w(Indicator::TaxPerMu, 45, 15.0),
                w(Indicator::RevenuePerMu, 20, 300.0),
                w(Indicator::ValueAddedPerTce, 15, 3.0),
                w(Indicator::RdIntensity, 15, 0.03),
                w(Indicator::LabourProductivity, 5, 15.0),
            ],
            below: vec![w(Indicator::TaxPerMu, 100, 15.0)],
            revenue_line: Fen(2_000 * 1_000_000),
            bands: [25, 70, 95],
        }
    }
}

/// What is wrong with a scheme, in words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemeError {
    #[error("the weights of the {group} group add up to {sum}, not 100")]
    Weights { group: &'static str, sum: u32 },
    #[error("the {group} group has no indicators")]
    Empty { group: &'static str },
    #[error("{indicator} appears twice in the {group} group")]
    Twice {
        group: &'static str,
        indicator: &'static str,
    },
    #[error("{indicator} needs a benchmark above zero for the benchmark method")]
    Benchmark { indicator: &'static str },
    #[error("the cap must be at least 1, not {0}")]
    Cap(f64),
    #[error("the class bands must rise from 1 to 99 per cent: {0:?}")]
    Bands([u32; 3]),
    #[error("the revenue line cannot be negative")]
    RevenueLine,
}

impl SchemeError {
    pub fn text(&self) -> Text {
        match self {
            SchemeError::Weights { group, sum } => Text::fill(
                "rules.mu.error.weights",
                &[("group", group), ("sum", &sum.to_string())],
            ),
            SchemeError::Empty { group } => Text::fill("rules.mu.error.empty", &[("group", group)]),
            SchemeError::Twice { group, indicator } => Text::fill(
                "rules.mu.error.twice",
                &[("group", group), ("indicator", indicator)],
            ),
            SchemeError::Benchmark { indicator } => {
                Text::fill("rules.mu.error.benchmark", &[("indicator", indicator)])
            }
            SchemeError::Cap(c) => Text::fill("rules.mu.error.cap", &[("cap", &c.to_string())]),
            SchemeError::Bands(b) => {
                Text::fill("rules.mu.error.bands", &[("bands", &format!("{b:?}"))])
            }
            SchemeError::RevenueLine => Text::key("rules.mu.error.revenue_line"),
        }
    }
}

impl Scheme {
    /// Every problem of the scheme.
    pub fn check(&self) -> Result<(), Vec<SchemeError>> {
        let mut out = Vec::new();
        for (group, list) in [("above", &self.above), ("below", &self.below)] {
            if list.is_empty() {
                out.push(SchemeError::Empty { group });
                continue;
            }
            let sum: u32 = list.iter().map(|w| w.weight).sum();
            if sum != 100 {
                out.push(SchemeError::Weights { group, sum });
            }
            for (i, w) in list.iter().enumerate() {
                if list[..i].iter().any(|v| v.indicator == w.indicator) {
                    out.push(SchemeError::Twice {
                        group,
                        indicator: w.indicator.name(),
                    });
                }
                if matches!(self.method, Method::Benchmark { .. })
                    && !w.benchmark.is_some_and(|b| b.is_finite() && b > 0.0)
                {
                    out.push(SchemeError::Benchmark {
                        indicator: w.indicator.name(),
                    });
                }
            }
        }
        if let Method::Benchmark { cap } = self.method
            && !(cap.is_finite() && cap >= 1.0)
        {
            out.push(SchemeError::Cap(cap));
        }
        let [a, b, c] = self.bands;
        if !(1 <= a && a < b && b < c && c <= 99) {
            out.push(SchemeError::Bands(self.bands));
        }
        if self.revenue_line.0 < 0 {
            out.push(SchemeError::RevenueLine);
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    fn group_of(&self, f: &Figures) -> Group {
        if f.revenue < self.revenue_line {
            Group::Below
        } else {
            Group::Above
        }
    }

    fn indicators(&self, group: Group) -> &[Weighted] {
        match group {
            Group::Above => &self.above,
            Group::Below => &self.below,
        }
    }
}

/// The two groups enterprises are rated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// At or above the revenue line (规上).
    Above,
    /// Below it (规下).
    Below,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Above => "above",
            Group::Below => "below",
        }
    }

    pub fn label(self) -> Text {
        Text::key(match self {
            Group::Above => "rules.mu.group.above",
            Group::Below => "rules.mu.group.below",
        })
    }
}

/// 亩均 classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Class {
    A,
    B,
    C,
    D,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::A, Class::B, Class::C, Class::D];

    pub fn letter(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
            Class::D => "D",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL
            .into_iter()
            .find(|c| c.letter().eq_ignore_ascii_case(s.trim()))
    }

    /// The class of rank `rank` (from 1) of `n` under `bands` (per cent).
    pub fn of_rank(rank: usize, n: usize, bands: [u32; 3]) -> Class {
        let at = |pct: u32| rank * 100 <= pct as usize * n;
        if at(bands[0]) {
            Class::A
        } else if at(bands[1]) {
            Class::B
        } else if at(bands[2]) {
            Class::C
        } else {
            Class::D
        }
    }
}

/// Why an enterprise is not rated (shown as B).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unrated {
    /// No figures for the year at all.
    NoFigures,
    /// Some months of the year are missing.
    Incomplete { missing: Vec<u32> },
    /// Its first phase went into production less than a year before the year's end.
    NewlyInProduction { since: chrono::NaiveDate },
    /// Its project is under construction, none of it in production yet.
    UnderConstruction,
    /// No land: no parcel handed over and none declared.
    NoLand,
    /// No energy consumption reported (value added per tce has no value).
    NoEnergy,
    /// No employees reported.
    NoEmployees,
    /// No revenue reported (R&D intensity has no value).
    NoRevenue,
}

impl Unrated {
    pub fn text(&self) -> Text {
        match self {
            Unrated::NoFigures => Text::key("rules.mu.unrated.no_figures"),
            Unrated::Incomplete { missing } => {
                let months = missing
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                Text::fill("rules.mu.unrated.incomplete", &[("months", &months)])
            }
            Unrated::NewlyInProduction { since } => Text::fill(
                "rules.mu.unrated.newly_in_production",
                &[("since", &since.to_string())],
            ),
            Unrated::UnderConstruction => Text::key("rules.mu.unrated.under_construction"),
            Unrated::NoLand => Text::key("rules.mu.unrated.no_land"),
            Unrated::NoEnergy => Text::key("rules.mu.unrated.no_energy"),
            Unrated::NoEmployees => Text::key("rules.mu.unrated.no_employees"),
            Unrated::NoRevenue => Text::key("rules.mu.unrated.no_revenue"),
        }
    }

    /// Whether an enterprise whose first phase went into production on `first` (if any)
    /// and which has a phase under construction is rated for `year`: a year's production
    /// before the year's end, and not only building.
    pub fn by_lifecycle(
        year: i32,
        first_production: Option<chrono::NaiveDate>,
        under_construction: bool,
    ) -> Option<Unrated> {
        match first_production {
            Some(since) => {
                let year_end = chrono::NaiveDate::from_ymd_opt(year, 12, 31)?;
                let a_year_on = since.checked_add_months(chrono::Months::new(12))?;
                (a_year_on > year_end).then_some(Unrated::NewlyInProduction { since })
            }
            None if under_construction => Some(Unrated::UnderConstruction),
            None => None,
        }
    }
}

/// An enterprise to rate: its code (the last tie-break) and its year's figures on its
/// land, or why it cannot be rated.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub uscc: String,
    pub year: Result<(Figures, Mu), Unrated>,
}

/// One indicator of one enterprise's result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scored {
    pub indicator: Indicator,
    pub weight: u32,
    pub value: f64,
    pub score: f64,
    /// The group's least and greatest value of the indicator (min-max), or the
    /// benchmark (both, for the benchmark method).
    pub min: f64,
    pub max: f64,
}

/// One enterprise's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    pub uscc: String,
    /// `None` when not rated.
    pub group: Option<Group>,
    pub total_score: f64,
    pub class: Class,
    pub rated: bool,
    pub reason: Option<Unrated>,
    /// Its rank in its group (from 1) and the group's size.
    pub rank: Option<(usize, usize)>,
    pub indicators: Vec<Scored>,
}

/// Rates every subject under `scheme`; results in the subjects' order. The scheme must
/// have passed [`Scheme::check`].
pub fn evaluate(scheme: &Scheme, subjects: &[Subject]) -> Vec<Rating> {
    // Each rateable subject's group and values, or why it is not rated.
    let prepared: Vec<Result<(Group, Vec<f64>), Unrated>> = subjects
        .iter()
        .map(|s| {
            let (f, land) = s.year.as_ref().map_err(Clone::clone)?;
            if land.0 <= 0 {
                return Err(Unrated::NoLand);
            }
            let group = scheme.group_of(f);
            let values = scheme
                .indicators(group)
                .iter()
                .map(|w| w.indicator.value(f, *land))
                .collect::<Result<Vec<f64>, Unrated>>()?;
            Ok((group, values))
        })
        .collect();
    let mut ratings: Vec<Rating> = subjects
        .iter()
        .zip(&prepared)
        .map(|(s, p)| Rating {
            uscc: s.uscc.clone(),
            group: None,
            total_score: 0.0,
            class: Class::B,
            rated: false,
            reason: p.as_ref().err().cloned(),
            rank: None,
            indicators: Vec::new(),
        })
        .collect();
    for group in [Group::Above, Group::Below] {
        let members: Vec<usize> = prepared
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p, Ok((g, _)) if *g == group))
            .map(|(i, _)| i)
            .collect();
        if members.is_empty() {
            continue;
        }
        let values = |i: usize| match &prepared[i] {
            Ok((_, v)) => v.as_slice(),
            Err(_) => &[],
        };
        let weighted = scheme.indicators(group);
        for (k, w) in weighted.iter().enumerate() {
            let (min, max) = match scheme.method {
                Method::MinMax => {
                    members
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                            let x = values(i)[k];
                            (lo.min(x), hi.max(x))
                        })
                }
                Method::Benchmark { .. } => {
                    let b = w.benchmark.unwrap_or(1.0);
                    (b, b)
                }
            };
            let weight = f64::from(w.weight);
            for &i in &members {
                let x = values(i)[k];
                let score = match scheme.method {
                    Method::MinMax if max == min => weight,
                    Method::MinMax => weight * (20.0 + 80.0 * (x - min) / (max - min)) / 100.0,
                    Method::Benchmark { cap } => (x / min).min(cap) * weight,
                };
                let r = &mut ratings[i];
                r.total_score += score;
                r.indicators.push(Scored {
                    indicator: w.indicator,
                    weight: w.weight,
                    value: x,
                    score,
                    min,
                    max,
                });
            }
        }
        // Tax per mu breaks ties: its value wherever the group has it.
        let tax = |i: usize| {
            ratings[i]
                .indicators
                .iter()
                .find(|s| s.indicator == Indicator::TaxPerMu)
                .map_or(0.0, |s| s.value)
        };
        let mut order = members.clone();
        order.sort_by(|&a, &b| {
            ratings[b]
                .total_score
                .total_cmp(&ratings[a].total_score)
                .then(tax(b).total_cmp(&tax(a)))
                .then_with(|| ratings[a].uscc.cmp(&ratings[b].uscc))
        });
        let n = order.len();
        for (r, &i) in order.iter().enumerate() {
            let rating = &mut ratings[i];
            rating.group = Some(group);
            rating.rated = true;
            rating.rank = Some((r + 1, n));
            rating.class = Class::of_rank(r + 1, n, scheme.bands);
        }
    }
    ratings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::statistics::Tce;
    use rand::{Rng, SeedableRng};

    fn figures(
        revenue_wan: i64,
        tax_wan: i64,
        va_wan: i64,
        energy_tce: i64,
        rd_wan: i64,
        employees: i64,
    ) -> Figures {
        let wan = |w: i64| Fen(w * 1_000_000);
        Figures {
            revenue: wan(revenue_wan),
            output: wan(revenue_wan),
            tax: wan(tax_wan),
            value_added: wan(va_wan),
            energy: Tce(energy_tce * 1000),
            rd: wan(rd_wan),
            employees,
            land: None,
        }
    }

    fn subject(uscc: &str, f: Figures, mu: i64) -> Subject {
        Subject {
            uscc: uscc.into(),
            year: Ok((f, Mu(mu * 10_000))),
        }
    }

    #[test]
    fn the_default_scheme_is_sound_and_bad_ones_are_named() {
        Scheme::default().check().unwrap();
        let mut s = Scheme::default();
        s.above[0].weight = 40;
        s.below.push(s.below[0]);
        s.bands = [30, 20, 95];
        s.method = Method::Benchmark { cap: 0.5 };
        let errors = s.check().unwrap_err();
        assert!(errors.contains(&SchemeError::Weights {
            group: "above",
            sum: 95
        }));
        assert!(errors.contains(&SchemeError::Twice {
            group: "below",
            indicator: "tax_per_mu"
        }));
        assert!(errors.contains(&SchemeError::Cap(0.5)));
        assert!(errors.contains(&SchemeError::Bands([30, 20, 95])));
        for e in &errors {
            assert!(!e.text().zh.is_empty() && !e.text().en.contains("rules."));
        }
    }

    #[test]
    fn classes_follow_the_rank_bands() {
        let b = [25, 70, 95];
        let classes: String = (1..=20)
            .map(|r| Class::of_rank(r, 20, b).letter())
            .collect();
        assert_eq!(classes, "AAAAABBBBBBBBBCCCCCD");
        assert_eq!(Class::of_rank(1, 1, b), Class::D, "1/1 is above 95 %");
        assert_eq!(Class::of_rank(2, 2, b), Class::D);
        assert_eq!(Class::of_rank(1, 3, b), Class::B, "1/3 is above a quarter");
    }

    #[test]
    fn a_worked_example_scores_by_hand() {
        // Three above-scale enterprises on 10 mu each.
        let s = [
            subject("A", figures(10_000, 500, 3_000, 1_000, 300, 100), 10),
            subject("B", figures(5_000, 200, 1_000, 1_000, 100, 100), 10),
            subject("C", figures(2_000, 100, 500, 1_000, 20, 50), 10),
            // Below the line: tax per mu alone, the whole weight when everyone is equal.
            subject("D", figures(1_000, 50, 100, 10, 1, 5), 5),
            subject("E", figures(500, 100, 100, 10, 1, 5), 10),
        ];
        let r = evaluate(&Scheme::default(), &s);
        // A is top of every indicator: 100 in all.
        assert_eq!(r[0].total_score, 100.0);
        // Rank 1 of 3 is a third, above the quarter of A.
        assert_eq!(r[0].class, Class::B);
        // C is bottom of tax, revenue, value added per tce and R&D (0.01 vs 0.02, 0.03)
        // and in the middle of labour productivity (10 of 10 … 30): 20 % of 95, and
        // 5 × (20 + 80 × 0) / 100 = 1 for labour productivity (10 is its minimum).
        let c = &r[2];
        assert_eq!(c.indicators[4].value, 10.0);
        assert!(
            (c.total_score - (0.2 * 95.0 + 1.0)).abs() < 1e-9,
            "{}",
            c.total_score
        );
        assert_eq!(c.rank, Some((3, 3)));
        assert_eq!(c.class, Class::D);
        // B: tax 20 of 10…50 → 45 × (20 + 80 × 0.25)/100 = 18.
        assert!((r[1].indicators[0].score - 18.0).abs() < 1e-12);
        assert_eq!(r[1].indicators[0].min, 10.0);
        assert_eq!(r[1].indicators[0].max, 50.0);
        // D and E tie on tax per mu (10): both get the whole weight; the code breaks it.
        assert_eq!((r[3].total_score, r[4].total_score), (100.0, 100.0));
        assert_eq!(r[3].rank, Some((1, 2)));
        assert_eq!(r[3].group, Some(Group::Below));
        assert_eq!((r[3].class, r[4].class), (Class::B, Class::D));
    }

    #[test]
    fn the_unrated_show_as_b_with_why() {
        let mut s = vec![
            subject("A", figures(10_000, 500, 3_000, 0, 300, 100), 10),
            subject("B", figures(5_000, 200, 1_000, 1_000, 100, 0), 10),
            subject("C", figures(5_000, 200, 1_000, 1_000, 100, 10), 0),
        ];
        s.push(Subject {
            uscc: "D".into(),
            year: Err(Unrated::Incomplete {
                missing: vec![11, 12],
            }),
        });
        let r = evaluate(&Scheme::default(), &s);
        let reasons: Vec<_> = r
            .iter()
            .map(|r| (r.rated, r.class, r.reason.clone()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (false, Class::B, Some(Unrated::NoEnergy)),
                (false, Class::B, Some(Unrated::NoEmployees)),
                (false, Class::B, Some(Unrated::NoLand)),
                (
                    false,
                    Class::B,
                    Some(Unrated::Incomplete {
                        missing: vec![11, 12]
                    })
                ),
            ]
        );
        assert!(r[3].reason.as_ref().unwrap().text().zh.contains("11, 12"));
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            Unrated::by_lifecycle(2025, Some(day(2024, 12, 31)), false),
            None
        );
        assert_eq!(
            Unrated::by_lifecycle(2025, Some(day(2025, 1, 1)), false),
            Some(Unrated::NewlyInProduction {
                since: day(2025, 1, 1)
            })
        );
        assert_eq!(
            Unrated::by_lifecycle(2025, None, true),
            Some(Unrated::UnderConstruction)
        );
        assert_eq!(Unrated::by_lifecycle(2025, None, false), None);
    }

    #[test]
    fn the_benchmark_method_caps_the_ratio() {
        let scheme = Scheme {
            method: Method::Benchmark { cap: 1.2 },
            ..Scheme::default()
        };
        scheme.check().unwrap();
        let r = evaluate(
            &scheme,
            &[subject("A", figures(3_000, 300, 300, 100, 90, 20), 10)],
        );
        let tax = r[0].indicators[0];
        // 30 万元/mu against 15: a ratio of 2, capped at 1.2, × 45.
        assert_eq!(tax.value, 30.0);
        assert!((tax.score - 54.0).abs() < 1e-12);
        // revenue 300 against 300 → 20; va/tce 3 against 3 → 15; R&D 0.03 → 15; 15 per person → 5.
        assert!((r[0].total_score - (54.0 + 20.0 + 15.0 + 15.0 + 5.0)).abs() < 1e-9);
    }

    /// The formula of the issue, written again as plainly as it reads, without the
    /// evaluation's code: per group, each indicator's min and max over the group, the
    /// score, the sum, the order and the bands.
    fn by_hand(subjects: &[(String, Figures, f64)]) -> Vec<(String, f64, &'static str)> {
        let mut out = Vec::new();
        for small in [false, true] {
            let members: Vec<&(String, Figures, f64)> = subjects
                .iter()
                .filter(|(_, f, _)| (f.revenue.0 < 2_000 * 1_000_000) == small)
                .collect();
            let vals: Vec<Vec<f64>> = members
                .iter()
                .map(|(_, f, mu)| {
                    let w = |x: Fen| x.0 as f64 / 1e6;
                    let all = vec![
                        w(f.tax) / mu,
                        w(f.revenue) / mu,
                        w(f.value_added) / (f.energy.0 as f64 / 1e3),
                        w(f.rd) / w(f.revenue),
                        w(f.value_added) / f.employees as f64,
                    ];
                    if small { vec![all[0]] } else { all }
                })
                .collect();
            let weights: &[f64] = if small {
                &[100.0]
            } else {
                &[45.0, 20.0, 15.0, 15.0, 5.0]
            };
            let mut totals = vec![0.0f64; members.len()];
            for (k, w) in weights.iter().enumerate() {
                let col: Vec<f64> = vals.iter().map(|v| v[k]).collect();
                let lo = col.iter().cloned().fold(f64::MAX, f64::min);
                let hi = col.iter().cloned().fold(f64::MIN, f64::max);
                for (i, x) in col.iter().enumerate() {
                    totals[i] += if hi == lo {
                        *w
                    } else {
                        w * (20.0 + 80.0 * (x - lo) / (hi - lo)) / 100.0
                    };
                }
            }
            let mut idx: Vec<usize> = (0..members.len()).collect();
            idx.sort_by(|&a, &b| {
                totals[b]
                    .partial_cmp(&totals[a])
                    .unwrap()
                    .then(vals[b][0].partial_cmp(&vals[a][0]).unwrap())
                    .then(members[a].0.cmp(&members[b].0))
            });
            let n = idx.len() as f64;
            for (r, &i) in idx.iter().enumerate() {
                let q = (r + 1) as f64 / n;
                let class = if q <= 0.25 + 1e-12 {
                    "A"
                } else if q <= 0.70 + 1e-12 {
                    "B"
                } else if q <= 0.95 + 1e-12 {
                    "C"
                } else {
                    "D"
                };
                out.push((members[i].0.clone(), totals[i], class));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// A set of `n` enterprises with figures spread as a zone's are, some tied.
    pub(crate) fn generated(n: usize, seed: u64) -> Vec<(String, Figures, f64)> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|i| {
                let revenue = if rng.random_bool(0.3) {
                    rng.random_range(50..2_000)
                } else {
                    rng.random_range(2_000..200_000)
                };
                let tax = rng.random_range(1..revenue / 8 + 2);
                let f = Figures {
                    revenue: Fen(revenue * 1_000_000 + rng.random_range(0..1_000_000)),
                    output: Fen(revenue * 1_000_000),
                    // Every tenth the same tax, to tie.
                    tax: Fen(if i % 10 == 0 {
                        100_000_000
                    } else {
                        tax * 1_000_000 + rng.random_range(0..999_999)
                    }),
                    value_added: Fen(rng.random_range(1..revenue / 3 + 2) * 1_000_000),
                    energy: Tce(rng.random_range(1..5_000_000)),
                    rd: Fen(rng.random_range(0..revenue / 10 + 1) * 1_000_000),
                    employees: rng.random_range(3..3_000),
                    land: None,
                };
                let mu = if i % 10 == 0 {
                    10.0
                } else {
                    rng.random_range(5_0000..500_0000) as f64 / 1e4
                };
                (
                    format!("E{:05}", rng.random_range(0..100_000)) + &i.to_string(),
                    f,
                    mu,
                )
            })
            .collect()
    }

    #[test]
    fn five_hundred_enterprises_agree_with_the_formula_written_again() {
        for seed in [1, 2, 3] {
            let set = generated(500, seed);
            let subjects: Vec<Subject> = set
                .iter()
                .map(|(u, f, mu)| Subject {
                    uscc: u.clone(),
                    year: Ok((*f, Mu((mu * 1e4).round() as i64))),
                })
                .collect();
            let mut ours: Vec<(String, f64, &str)> = evaluate(&Scheme::default(), &subjects)
                .into_iter()
                .map(|r| {
                    assert!(r.rated, "{} {:?}", r.uscc, r.reason);
                    (r.uscc, r.total_score, r.class.letter())
                })
                .collect();
            ours.sort_by(|a, b| a.0.cmp(&b.0));
            let theirs = by_hand(&set);
            assert_eq!(ours.len(), theirs.len());
            let mut per_class = std::collections::BTreeMap::new();
            for (o, t) in ours.iter().zip(&theirs) {
                assert_eq!(o.0, t.0);
                assert!((o.1 - t.1).abs() < 1e-9, "{}: {} vs {}", o.0, o.1, t.1);
                assert_eq!(o.2, t.2, "{}", o.0);
                *per_class.entry(o.2).or_insert(0) += 1;
            }
            assert_eq!(per_class.len(), 4, "every class appears: {per_class:?}");
        }
    }

    proptest::proptest! {
        /// Whatever the figures: each group's classes come in rank order, the scores lie
        /// within the weights, and a group's sizes follow the bands.
        #[test]
        fn classes_follow_scores(seed in 0u64..10_000, n in 1usize..80) {
            let set = generated(n, seed);
            let subjects: Vec<Subject> = set.iter().map(|(u, f, mu)| Subject {
                uscc: u.clone(), year: Ok((*f, Mu::from_mu(*mu))),
            }).collect();
            let r = evaluate(&Scheme::default(), &subjects);
            for g in [Group::Above, Group::Below] {
                let mut members: Vec<&Rating> = r.iter().filter(|x| x.group == Some(g)).collect();
                members.sort_by_key(|x| x.rank);
                for w in members.windows(2) {
                    proptest::prop_assert!(w[0].total_score >= w[1].total_score);
                    proptest::prop_assert!(w[0].class <= w[1].class);
                }
                for m in &members {
                    proptest::prop_assert!(m.total_score >= 20.0 - 1e-9 && m.total_score <= 100.0 + 1e-9);
                    for s in &m.indicators {
                        proptest::prop_assert!(s.min <= s.value && s.value <= s.max);
                    }
                }
                let a = members.iter().filter(|m| m.class == Class::A).count();
                proptest::prop_assert_eq!(a, members.len() / 4);
            }
        }
    }
}
