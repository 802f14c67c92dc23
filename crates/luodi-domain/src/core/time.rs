//! Time: stored as UTC, shown and turned into dates in the zone's time zone.
//! China Standard Time (Asia/Shanghai) has been UTC+8 all year since 1991, so a fixed
//! offset is exact for every date Luodi handles.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

pub fn zone_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The fixed-width UTC text form stored in both databases; it sorts as time sorts.
pub fn to_stored(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_stored(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The zone's calendar date of an instant.
pub fn zone_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&zone_offset()).date_naive()
}

/// `YYYY-MM-DD HH:MM` in the zone's time.
pub fn zone_display(t: DateTime<Utc>) -> String {
    t.with_timezone(&zone_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_utc_is_next_day_in_qingdao() {
        let t = from_stored("2026-09-30T17:30:00.000000Z").unwrap();
        assert_eq!(zone_date(t).to_string(), "2026-10-01");
        assert_eq!(zone_display(t), "2026-10-01 01:30");
        assert_eq!(to_stored(t), "2026-09-30T17:30:00.000000Z");
    }
}
