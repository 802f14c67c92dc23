//! 领导视图 — the rules of what the zone's leaders watch: open blockers counted by age in
//! working days, and each department's blocker clocks met on time, month by month.

use chrono::{Datelike, NaiveDate};

use crate::stewardship::blocker::ClockStatus;

/// Age buckets of open blockers, in working days since raised: a label, the least and the
/// most days.
pub const AGE_BUCKETS: [(&str, i64, i64); 4] = [
    ("0–3", 0, 3),
    ("4–10", 4, 10),
    ("11–20", 11, 20),
    (">20", 21, i64::MAX),
];

/// The bucket an open blocker of `age` working days falls in.
pub fn age_bucket(age: i64) -> Option<usize> {
    AGE_BUCKETS
        .iter()
        .position(|(_, lo, hi)| (*lo..=*hi).contains(&age))
}

/// The `n` months up to and including `today`'s, oldest first, as (year, month).
pub fn last_months(today: NaiveDate, n: i32) -> Vec<(i32, u32)> {
    (0..n)
        .rev()
        .map(|back| {
            let m = today.year() * 12 + today.month0() as i32 - back;
            (m.div_euclid(12), m.rem_euclid(12) as u32 + 1)
        })
        .collect()
}

/// How a clock counts for its department's compliance: (stopped, met on time). A clock
/// missed while still running counts against the department as much as one met late;
/// a clock running, paused or withdrawn does not count yet.
pub fn counts(status: ClockStatus) -> (usize, usize) {
    match status {
        ClockStatus::Met => (1, 1),
        ClockStatus::MetLate | ClockStatus::Missed => (1, 0),
        ClockStatus::Running
        | ClockStatus::DueSoon
        | ClockStatus::Paused
        | ClockStatus::Cancelled => (0, 0),
    }
}

/// The share met on time, in whole per cent (rounded down); none where nothing stopped.
pub fn on_time_percent(stopped: usize, met: usize) -> Option<u32> {
    (stopped > 0).then(|| (met * 100 / stopped) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_fall_in_one_bucket_each() {
        assert_eq!(age_bucket(0), Some(0));
        assert_eq!(age_bucket(3), Some(0));
        assert_eq!(age_bucket(4), Some(1));
        assert_eq!(age_bucket(20), Some(2));
        assert_eq!(age_bucket(21), Some(3));
        assert_eq!(age_bucket(10_000), Some(3));
        assert_eq!(age_bucket(-1), None);
    }

    #[test]
    fn six_months_back_cross_the_year() {
        let today = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        assert_eq!(
            last_months(today, 6),
            [
                (2025, 9),
                (2025, 10),
                (2025, 11),
                (2025, 12),
                (2026, 1),
                (2026, 2)
            ]
        );
    }

    #[test]
    fn missed_counts_against_and_running_not_yet() {
        assert_eq!(counts(ClockStatus::Met), (1, 1));
        assert_eq!(counts(ClockStatus::Missed), (1, 0));
        assert_eq!(counts(ClockStatus::MetLate), (1, 0));
        assert_eq!(counts(ClockStatus::Running), (0, 0));
        assert_eq!(on_time_percent(3, 2), Some(66));
        assert_eq!(on_time_percent(0, 0), None);
    }
}
