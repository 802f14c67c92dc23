//! The cluster's numbers: enterprises' statistics by period with their versions and
//! closed periods ([`statistics`]); the zone's cluster settings, yearly declared and city
//! figures and targets ([`settings`]); the post-completion checks ([`completion`]).

pub mod completion;
pub mod pipeline;
pub mod settings;
pub mod statistics;
