//! The cluster's pages: enterprises' statistics ([`statistics`]: the list, the import, the
//! closed periods; [`statistics_year`]: one enterprise's year and its entry form), the 亩均
//! evaluation ([`mu`]) and the post-completion checks ([`completion`]).

pub mod completion;
pub mod mu;
pub mod statistics;
pub mod statistics_year;
