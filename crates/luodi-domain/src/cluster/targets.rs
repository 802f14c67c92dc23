//! 目标 — a target for one of the cluster's figures: a baseline (year, value) and a
//! target (year, value). From the latest actual Luodi works out the growth still needed
//! each year (compound) against the growth achieved since the baseline, where the
//! achieved rate would take the figure by the target year, and a light: green on track,
//! yellow behind by up to a margin (percentage points of yearly growth), red beyond it.
//!
//! What the projects on hand will add: each phase still landing promises a figure at full
//! production, reached over a ramp (40 / 80 / 100 % in the first, second and third year
//! after completion by default); with its P50 and P90 completion dates that gives, year
//! by year, what the pipeline adds at the median and at the late end.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::cluster::figures::Figure;
use crate::core::lang::Text;

/// A target, its figure's values in yuan (money) or entities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub figure: Figure,
    pub baseline_year: i32,
    pub baseline_value: f64,
    pub target_year: i32,
    pub target_value: f64,
    /// How far behind the needed yearly growth is still yellow, in percentage points.
    pub yellow_margin_pp: f64,
}

/// What is wrong with a target, in words.
pub fn check(t: &Target) -> Result<(), Vec<(&'static str, Text)>> {
    let mut out = Vec::new();
    if !(t.baseline_value.is_finite() && t.baseline_value > 0.0) {
        out.push(("baseline_value", Text::key("rules.target.positive")));
    }
    if !(t.target_value.is_finite() && t.target_value > 0.0) {
        out.push(("target_value", Text::key("rules.target.positive")));
    }
    if t.target_year <= t.baseline_year {
        out.push(("target_year", Text::key("rules.target.year_after_baseline")));
    }
    for (field, year) in [
        ("baseline_year", t.baseline_year),
        ("target_year", t.target_year),
    ] {
        if !crate::cluster::period::YEARS.contains(&year) {
            out.push((field, Text::key("rules.target.year_out_of_range")));
        }
    }
    if !(t.yellow_margin_pp.is_finite() && (0.0..=100.0).contains(&t.yellow_margin_pp)) {
        out.push(("yellow_margin_pp", Text::key("rules.target.margin")));
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Green, yellow or red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
    /// No actual figure yet after the baseline.
    NoData,
}

impl Light {
    pub fn name(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
            Light::NoData => "no_data",
        }
    }

    pub fn label(self) -> Text {
        Text::key(match self {
            Light::Green => "rules.target.light.green",
            Light::Yellow => "rules.target.light.yellow",
            Light::Red => "rules.target.light.red",
            Light::NoData => "rules.target.light.no_data",
        })
    }
}

/// The yearly compound rate that takes `from` to `to` in `years`.
pub fn cagr(from: f64, to: f64, years: i32) -> Option<f64> {
    (from > 0.0 && to > 0.0 && years > 0).then(|| (to / from).powf(1.0 / f64::from(years)) - 1.0)
}

/// Where a target stands on its latest actual.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// The latest actual (year, value) at or after the baseline, if any.
    pub latest: Option<(i32, f64)>,
    /// The yearly growth still needed from the latest actual to the target.
    pub needed_rate: Option<f64>,
    /// The yearly growth achieved from the baseline to the latest actual.
    pub achieved_rate: Option<f64>,
    /// The figure in the target year if it grows at the achieved rate.
    pub projected: Option<f64>,
    pub light: Light,
}

/// The target's progress on the actual figures (year, value) known.
pub fn progress(t: &Target, actuals: &[(i32, f64)]) -> Progress {
    let latest = actuals
        .iter()
        .filter(|(y, v)| *y >= t.baseline_year && v.is_finite())
        .max_by_key(|(y, _)| *y)
        .copied();
    let Some((year, value)) = latest.filter(|(y, _)| *y > t.baseline_year) else {
        return Progress {
            latest,
            needed_rate: latest.and_then(|(y, v)| cagr(v, t.target_value, t.target_year - y)),
            achieved_rate: None,
            projected: None,
            light: Light::NoData,
        };
    };
    let achieved = cagr(t.baseline_value, value, year - t.baseline_year);
    if year >= t.target_year {
        return Progress {
            latest,
            needed_rate: None,
            achieved_rate: achieved,
            projected: Some(value),
            light: if value >= t.target_value {
                Light::Green
            } else {
                Light::Red
            },
        };
    }
    let needed = cagr(value, t.target_value, t.target_year - year);
    let projected = achieved.map(|r| value * (1.0 + r).powi(t.target_year - year));
    let light = match (needed, achieved) {
        (Some(n), Some(a)) if a >= n => Light::Green,
        (Some(n), Some(a)) if (n - a) * 100.0 <= t.yellow_margin_pp => Light::Yellow,
        (Some(_), Some(_)) => Light::Red,
        // The latest actual is zero: nothing is achieved.
        _ => Light::Red,
    };
    Progress {
        latest,
        needed_rate: needed,
        achieved_rate: achieved,
        projected,
        light,
    }
}

/// The ramp to full production: the share reached in each year after completion, in per
/// cent, the last held from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ramp(pub Vec<u32>);

impl Default for Ramp {
    fn default() -> Self {
        Ramp(vec![40, 80, 100])
    }
}

impl Ramp {
    /// Reads `40/80/100` (or with commas or spaces): rising shares up to 100.
    pub fn parse(s: &str) -> Result<Ramp, Text> {
        let bad = || Text::fill("rules.target.bad_ramp", &[("value", s.trim())]);
        let steps: Vec<u32> = s
            .split(['/', ',', ' ', '%'])
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().parse::<u32>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let rising = steps.windows(2).all(|w| w[0] <= w[1]);
        if steps.is_empty() || steps.len() > 10 || !rising || steps.iter().any(|p| *p > 100) {
            return Err(bad());
        }
        Ok(Ramp(steps))
    }

    /// The share of full production in `year` of a phase completed on `done`: nothing in
    /// its year of completion, then the ramp's steps.
    pub fn share(&self, done: NaiveDate, year: i32) -> f64 {
        let after = year - done.year();
        if after < 1 {
            return 0.0;
        }
        let step = self
            .0
            .get(after as usize - 1)
            .or(self.0.last())
            .copied()
            .unwrap_or(100);
        f64::from(step) / 100.0
    }
}

impl std::fmt::Display for Ramp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("/"))
    }
}

/// A phase still landing, with what it promised at full production (in the figure's
/// unit) and when its forecast completes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landing {
    pub phase_id: i64,
    pub promised: f64,
    pub p50: NaiveDate,
    pub p90: NaiveDate,
}

/// When a phase the portfolio no longer forecasts (its construction started) completes:
/// a phase whose completion is accepted is done today; one under construction completes
/// its building months (the forecast's default where it states none) after it started,
/// at P50, and a third later at P90 — never before today. `None` when it has not started.
pub fn building_completion(
    completed: bool,
    started: Option<NaiveDate>,
    months: Option<f64>,
    today: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    if completed {
        return Some((today, today));
    }
    let started = started?;
    let months = months
        .filter(|m| m.is_finite() && *m > 0.0)
        .unwrap_or(crate::forecast::critical_path::DEFAULT_BUILD_MONTHS);
    let after = |m: f64| {
        let days = (m * 365.25 / 12.0).round() as i64;
        (started + chrono::Duration::days(days)).max(today)
    };
    Some((after(months), after(months * 4.0 / 3.0)))
}

/// What the pipeline adds in one year, at the median and at the late end.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Added {
    pub year: i32,
    pub p50: f64,
    pub p90: f64,
}

/// What the landings add in each of `years`.
pub fn pipeline(
    landings: &[Landing],
    ramp: &Ramp,
    years: std::ops::RangeInclusive<i32>,
) -> Vec<Added> {
    years
        .map(|year| Added {
            year,
            p50: landings
                .iter()
                .map(|l| l.promised * ramp.share(l.p50, year))
                .sum(),
            p90: landings
                .iter()
                .map(|l| l.promised * ramp.share(l.p90, year))
                .sum(),
        })
        .collect()
}

/// The landings that add most to `year` at the median, most first, at most `n`, each
/// with what it adds.
pub fn weightiest(landings: &[Landing], ramp: &Ramp, year: i32, n: usize) -> Vec<(i64, f64)> {
    let mut adds: Vec<(i64, f64)> = landings
        .iter()
        .map(|l| (l.phase_id, l.promised * ramp.share(l.p50, year)))
        .filter(|(_, a)| *a > 0.0)
        .collect();
    adds.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    adds.truncate(n);
    adds
}

/// Whether the pipeline closes the gap by the target year: the latest actual held and
/// what the landings add at the median and at the late end, against the target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gap {
    /// The target less the latest actual (what remains to be found).
    pub gap: f64,
    pub added_p50: f64,
    pub added_p90: f64,
    pub closed_p50: bool,
    pub closed_p90: bool,
}

pub fn gap(t: &Target, latest: Option<(i32, f64)>, added: &[Added]) -> Option<Gap> {
    let (_, value) = latest?;
    let at = added.iter().find(|a| a.year == t.target_year)?;
    let gap = t.target_value - value;
    Some(Gap {
        gap,
        added_p50: at.p50,
        added_p90: at.p90,
        closed_p50: value + at.p50 >= t.target_value,
        closed_p90: value + at.p90 >= t.target_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revenue() -> Target {
        Target {
            figure: Figure::Revenue,
            baseline_year: 2022,
            baseline_value: 8e9,
            target_year: 2028,
            target_value: 40e9,
            yellow_margin_pp: 5.0,
        }
    }

    #[test]
    fn a_phase_building_completes_its_months_after_it_started_never_before_today() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let today = d(2026, 12, 7);
        // Accepted: done today.
        assert_eq!(
            building_completion(true, Some(d(2024, 1, 1)), Some(12.0), today),
            Some((today, today))
        );
        // 18 months from 2026-03-01 at P50 (about 2027-08-31), 24 at P90.
        let (p50, p90) =
            building_completion(false, Some(d(2026, 3, 1)), Some(18.0), today).unwrap();
        assert_eq!(p50, d(2027, 8, 31));
        assert_eq!(p90, d(2028, 3, 1));
        // Without months, the forecast's default of 12; overdue building ends today.
        let (p50, p90) = building_completion(false, Some(d(2025, 1, 1)), None, today).unwrap();
        assert_eq!((p50, p90), (today, today));
        let (p50, _) =
            building_completion(false, Some(d(2026, 6, 1)), Some(f64::NAN), today).unwrap();
        assert_eq!(p50, d(2027, 6, 1));
        // Not started: the portfolio's forecast or nothing.
        assert_eq!(building_completion(false, None, Some(12.0), today), None);
    }

    #[test]
    fn the_briefs_revenue_needs_thirty_per_cent_a_year() {
        // From the baseline alone: (400 / 80)^(1/6) − 1 = 30.77 %.
        let p = progress(&revenue(), &[(2022, 8e9)]);
        assert_eq!(p.light, Light::NoData);
        assert!((p.needed_rate.unwrap() - 0.3077).abs() < 1e-4);
        // Two years at 28 %: 8 × 1.28² = 13.1 bn in 2024; still needed (400/131.07)^(1/4) − 1.
        let v2024 = 8e9 * 1.28 * 1.28;
        let p = progress(
            &revenue(),
            &[(2022, 8e9), (2023, 8e9 * 1.28), (2024, v2024)],
        );
        assert_eq!(p.latest, Some((2024, v2024)));
        assert!((p.achieved_rate.unwrap() - 0.28).abs() < 1e-12);
        let needed = (40e9 / v2024).powf(0.25) - 1.0;
        assert!((p.needed_rate.unwrap() - needed).abs() < 1e-12);
        assert!(needed > 0.32);
        // 28 against 32.2 needed: 4.2 points behind, within the 5-point margin.
        assert_eq!(p.light, Light::Yellow);
        assert!((p.projected.unwrap() - 8e9 * 1.28f64.powi(6)).abs() < 1.0);
        let strict = Target {
            yellow_margin_pp: 2.0,
            ..revenue()
        };
        assert_eq!(progress(&strict, &[(2024, v2024)]).light, Light::Red);
        let fast = progress(&revenue(), &[(2024, 16e9)]);
        assert_eq!(fast.light, Light::Green);
    }

    #[test]
    fn a_target_year_reached_is_met_or_missed() {
        assert_eq!(progress(&revenue(), &[(2028, 41e9)]).light, Light::Green);
        assert_eq!(progress(&revenue(), &[(2029, 39e9)]).light, Light::Red);
        assert_eq!(progress(&revenue(), &[(2021, 7e9)]).latest, None);
    }

    #[test]
    fn targets_are_checked_field_by_field() {
        let bad = Target {
            baseline_value: 0.0,
            target_year: 2020,
            yellow_margin_pp: -1.0,
            ..revenue()
        };
        let fields: Vec<&str> = check(&bad).unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(
            fields,
            vec!["baseline_value", "target_year", "yellow_margin_pp"]
        );
        check(&revenue()).unwrap();
    }

    #[test]
    fn the_pipeline_ramps_each_phase_after_completion() {
        let day = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        let ramp = Ramp::default();
        assert_eq!(ramp.share(day(2026, 6), 2026), 0.0);
        assert_eq!(ramp.share(day(2026, 6), 2027), 0.4);
        assert_eq!(ramp.share(day(2026, 6), 2028), 0.8);
        assert_eq!(ramp.share(day(2026, 6), 2031), 1.0);
        let landings = [
            Landing {
                phase_id: 1,
                promised: 100.0,
                p50: day(2026, 3),
                p90: day(2027, 2),
            },
            Landing {
                phase_id: 2,
                promised: 50.0,
                p50: day(2027, 9),
                p90: day(2028, 1),
            },
        ];
        let added = pipeline(&landings, &ramp, 2026..=2029);
        assert_eq!(
            added[1],
            Added {
                year: 2027,
                p50: 40.0,
                p90: 0.0
            }
        );
        assert_eq!(
            added[2],
            Added {
                year: 2028,
                p50: 80.0 + 20.0,
                p90: 40.0
            }
        );
        assert_eq!(
            added[3],
            Added {
                year: 2029,
                p50: 100.0 + 40.0,
                p90: 80.0 + 20.0
            }
        );
        assert_eq!(
            weightiest(&landings, &ramp, 2029, 5),
            vec![(1, 100.0), (2, 40.0)]
        );
        let t = Target {
            target_year: 2029,
            target_value: 230.0,
            baseline_value: 50.0,
            ..revenue()
        };
        let g = gap(&t, Some((2025, 100.0)), &added).unwrap();
        assert!(g.closed_p50 && !g.closed_p90);
        assert_eq!(g.gap, 130.0);
        assert_eq!(Ramp::parse("40/80/100"), Ok(Ramp::default()));
        assert_eq!(Ramp::parse("50, 100").unwrap().to_string(), "50/100");
        for bad in ["", "80/40", "120", "a/b"] {
            assert!(Ramp::parse(bad).is_err(), "{bad}");
        }
    }
}
