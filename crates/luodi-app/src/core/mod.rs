//! The core's use cases and what every module shares: who asks ([`caller::Caller`]), the
//! database check, API tokens' expiry, the tables every list exports.

pub mod caller;
pub mod health;
pub mod sessions;
pub mod table;
pub mod tokens;

/// Today in the zone's time zone (UTC+8): the day clocks and forecasts count from.
pub fn zone_today() -> chrono::NaiveDate {
    luodi_domain::core::time::zone_date(chrono::Utc::now())
}
