//! 统计期 — the period a row of statistics covers: a year (`2025`) or a month
//! (`2025-03`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::lang::Text;

/// The earliest and latest years a period may name.
pub const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// A year or one month of it.
/// Periods sort by time, a year before its first month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    /// A year and a month from 1 to 12.
    Month(i32, u32),
}

impl Period {
    /// Reads `2025` or `2025-03` (also `2025-3` and `2025/03`, as spreadsheets write
    /// them). Anything else is refused in words.
    pub fn parse(input: &str) -> Result<Period, Text> {
        let s = input.trim();
        let bad = || Text::fill("rules.cluster.bad_period", &[("value", s)]);
        let year_of = |y: &str| -> Result<i32, Text> {
            if y.len() != 4 || !y.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            let y: i32 = y.parse().map_err(|_| bad())?;
            if YEARS.contains(&y) {
                Ok(y)
            } else {
                Err(Text::fill(
                    "rules.cluster.period_out_of_range",
                    &[("value", s)],
                ))
            }
        };
        match s.split_once(['-', '/']) {
            None => year_of(s).map(Period::Year),
            Some((y, m)) => {
                let year = year_of(y)?;
                if m.is_empty() || m.len() > 2 || !m.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad());
                }
                let month: u32 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&month) {
                    return Err(bad());
                }
                Ok(Period::Month(year, month))
            }
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Month(y, _) => y,
        }
    }

    pub fn month(self) -> Option<u32> {
        match self {
            Period::Year(_) => None,
            Period::Month(_, m) => Some(m),
        }
    }

    /// The twelve months of a year.
    pub fn months_of(year: i32) -> impl Iterator<Item = Period> {
        (1..=12).map(move |m| Period::Month(year, m))
    }
}

impl Period {
    fn key(self) -> (i32, u32) {
        (self.year(), self.month().unwrap_or(0))
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(|e| serde::de::Error::custom(e.en))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_years_and_months() {
        assert_eq!(Period::parse("2025"), Ok(Period::Year(2025)));
        assert_eq!(Period::parse(" 2025-03 "), Ok(Period::Month(2025, 3)));
        assert_eq!(Period::parse("2025-3"), Ok(Period::Month(2025, 3)));
        assert_eq!(Period::parse("2025/12"), Ok(Period::Month(2025, 12)));
        assert_eq!(Period::Month(2025, 3).to_string(), "2025-03");
        assert_eq!(Period::Year(2025).to_string(), "2025");
        for bad in [
            "",
            "25",
            "2025-13",
            "2025-00",
            "2025-",
            "2025-1-1",
            "二〇二五",
            "1800",
        ] {
            let e = Period::parse(bad).expect_err(bad);
            assert!(e.en.contains(bad.trim()), "{bad}: {}", e.en);
        }
        assert!(Period::Year(2024) < Period::Month(2025, 1));
        assert!(Period::Year(2025) < Period::Month(2025, 1));
        assert!(Period::Month(2024, 12) < Period::Year(2025));
        assert!(Period::Month(2025, 1) < Period::Month(2025, 2));
        assert_eq!(Period::months_of(2025).count(), 12);
    }
}
