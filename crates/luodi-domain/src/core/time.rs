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

/// The instant a day begins in the zone (midnight UTC+8): what "from 1 October" means to a
/// reader in the zone, for the lists that filter by day.
pub fn zone_day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(zone_offset())
        .single()
        .expect("a fixed offset has one midnight")
        .with_timezone(&Utc)
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

    #[test]
    fn a_zone_day_begins_at_four_pm_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let start = zone_day_start(day);
        assert_eq!(to_stored(start), "2026-09-30T16:00:00.000000Z");
        assert_eq!(zone_date(start), day);
        assert_eq!(
            zone_date(start - chrono::Duration::microseconds(1)).to_string(),
            "2026-09-30"
        );
    }
}
