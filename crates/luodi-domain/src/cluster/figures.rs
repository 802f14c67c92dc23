//! 集群指标 — which enterprises make the cluster, and the cluster's figures year by year:
//! market entities, output, revenue and tax, their growth on the year before and their
//! share of the city's, where the city's total is known.

use serde::{Deserialize, Serialize};

use crate::core::industry::IndustryCode;
use crate::core::lang::Text;
use crate::core::money::Fen;

/// The cluster: the GB/T 4754 classes (or their divisions and groups) whose enterprises
/// belong to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub classes: Vec<String>,
}

impl Default for Cluster {
    /// The biomedicine and medical-device cluster: medicines (C27), pharmaceutical
    /// machinery (C3544), medical instruments and devices (C358), wholesale of medicines
    /// and medical goods (F515), medical research (M734).
    fn default() -> Self {
        Cluster {
            classes: ["C27", "C3544", "C358", "F515", "M734"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl Cluster {
    /// Reads the classes from codes (with or without their section letter), every bad
    /// one named; an empty cluster is refused.
    pub fn parse<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Cluster, Vec<Text>> {
        let mut classes = Vec::new();
        let mut problems = Vec::new();
        for code in codes.into_iter().map(str::trim).filter(|c| !c.is_empty()) {
            match IndustryCode::parse(code) {
                Ok(c) if !classes.contains(&c.as_str().to_string()) => {
                    classes.push(c.as_str().to_string())
                }
                Ok(_) => {}
                Err(e) => problems.push(e.text()),
            }
        }
        if classes.is_empty() && problems.is_empty() {
            problems.push(Text::key("rules.cluster.no_classes"));
        }
        if problems.is_empty() {
            Ok(Cluster { classes })
        } else {
            Err(problems)
        }
    }

    /// Whether an enterprise of industry `code` belongs to the cluster.
    pub fn contains(&self, code: Option<&str>) -> bool {
        let Some(code) = code.and_then(|c| IndustryCode::parse(c).ok()) else {
            return false;
        };
        self.classes
            .iter()
            .filter_map(|c| IndustryCode::parse(c).ok())
            .any(|c| code.is_under(&c))
    }
}

/// What the cluster's enterprises add up to in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    /// Market entities counted from the enterprises Luodi holds.
    pub counted: i64,
    /// The zone's declared count of market entities, where it knows more than it holds.
    pub declared: Option<i64>,
    pub output: Fen,
    pub revenue: Fen,
    pub tax: Fen,
    /// Enterprises whose year is complete and so counted in the sums, and those whose
    /// year is not.
    pub reporting: i64,
    pub incomplete: i64,
}

impl Totals {
    /// The number of market entities: the declared figure where there is one, else
    /// those counted.
    pub fn entities(&self) -> i64 {
        self.declared.unwrap_or(self.counted)
    }
}

/// The city's totals for a year, where entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CityTotals {
    pub entities: Option<i64>,
    pub output: Option<Fen>,
    pub revenue: Option<Fen>,
    pub tax: Option<Fen>,
}

/// The figures a cluster line shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Entities,
    Output,
    Revenue,
    Tax,
}

impl Figure {
    pub const ALL: [Figure; 4] = [
        Figure::Entities,
        Figure::Output,
        Figure::Revenue,
        Figure::Tax,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Figure::Entities => "entities",
            Figure::Output => "output",
            Figure::Revenue => "revenue",
            Figure::Tax => "tax",
        }
    }

    pub fn parse(s: &str) -> Option<Figure> {
        Figure::ALL.into_iter().find(|f| f.name() == s)
    }

    pub fn label(self) -> Text {
        Text::key(match self {
            Figure::Entities => "rules.cluster.figure.entities",
            Figure::Output => "rules.cluster.figure.output",
            Figure::Revenue => "rules.cluster.figure.revenue",
            Figure::Tax => "rules.cluster.figure.tax",
        })
    }

    /// Whether the figure is money (yuan; else a count).
    pub fn is_money(self) -> bool {
        self != Figure::Entities
    }

    /// The figure's value in a year's totals, in yuan or entities.
    pub fn of(self, t: &Totals) -> f64 {
        match self {
            Figure::Entities => t.entities() as f64,
            Figure::Output => t.output.0 as f64 / 100.0,
            Figure::Revenue => t.revenue.0 as f64 / 100.0,
            Figure::Tax => t.tax.0 as f64 / 100.0,
        }
    }

    /// The city's value, where entered.
    pub fn of_city(self, c: &CityTotals) -> Option<f64> {
        match self {
            Figure::Entities => c.entities.map(|n| n as f64),
            Figure::Output => c.output.map(|f| f.0 as f64 / 100.0),
            Figure::Revenue => c.revenue.map(|f| f.0 as f64 / 100.0),
            Figure::Tax => c.tax.map(|f| f.0 as f64 / 100.0),
        }
    }
}

/// One figure in one year: its value, growth on the year before and share of the city's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub year: i32,
    pub value: f64,
    /// (this − last) ÷ last, where last year is known and not zero.
    pub growth: Option<f64>,
    pub share: Option<f64>,
}

/// A figure's points over the years given (each year's totals and the city's, if any),
/// oldest first.
pub fn series(figure: Figure, years: &[(i32, Totals, Option<CityTotals>)]) -> Vec<Point> {
    let mut sorted: Vec<&(i32, Totals, Option<CityTotals>)> = years.iter().collect();
    sorted.sort_by_key(|y| y.0);
    sorted
        .iter()
        .map(|(year, totals, city)| {
            let value = figure.of(totals);
            let last = sorted
                .iter()
                .find(|(y, ..)| *y == year - 1)
                .map(|(_, t, _)| figure.of(t));
            Point {
                year: *year,
                value,
                growth: last.filter(|l| *l != 0.0).map(|l| (value - l) / l),
                share: city
                    .as_ref()
                    .and_then(|c| figure.of_city(c))
                    .filter(|c| *c > 0.0)
                    .map(|c| value / c),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cluster_is_its_classes() {
        let c = Cluster::default();
        assert!(c.contains(Some("C2761")));
        assert!(c.contains(Some("3581")));
        assert!(c.contains(Some("F5151")));
        assert!(!c.contains(Some("C3511")));
        assert!(!c.contains(None));
        assert!(!c.contains(Some("junk")));
        let parsed = Cluster::parse(["27", "C358", "C27"]).unwrap();
        assert_eq!(parsed.classes, vec!["C27", "C358"]);
        assert_eq!(Cluster::parse(["99x"]).unwrap_err().len(), 1);
        assert_eq!(Cluster::parse([" "]).unwrap_err().len(), 1);
    }

    #[test]
    fn growth_and_share_read_from_the_year_before_and_the_city() {
        let t = |revenue_yi: i64, counted| Totals {
            counted,
            revenue: Fen(revenue_yi * 100_000_000 * 100),
            ..Totals::default()
        };
        let years = [
            (
                2022,
                t(80, 900),
                Some(CityTotals {
                    revenue: Some(Fen(320 * 100_000_000 * 100)),
                    entities: Some(2700),
                    ..CityTotals::default()
                }),
            ),
            (2021, t(62, 800), None),
            (2024, t(120, 1000), None),
        ];
        let s = series(Figure::Revenue, &years);
        assert_eq!(
            s.iter().map(|p| p.year).collect::<Vec<_>>(),
            vec![2021, 2022, 2024]
        );
        assert_eq!(s[0].growth, None);
        assert!((s[1].growth.unwrap() - 18.0 / 62.0).abs() < 1e-12);
        assert_eq!(s[1].share, Some(0.25));
        assert_eq!(s[2].growth, None, "2023 is missing");
        let e = series(Figure::Entities, &years);
        assert_eq!(e[1].share, Some(900.0 / 2700.0));
        let declared = Totals {
            declared: Some(950),
            ..t(1, 900)
        };
        assert_eq!(declared.entities(), 950);
    }
}
