//! The cluster's pages: enterprises' statistics ([`statistics`]: the list, the import, the
//! closed periods; [`statistics_year`]: one enterprise's year and its entry form).

pub mod statistics;
pub mod statistics_year;
