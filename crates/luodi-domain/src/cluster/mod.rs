//! 产业集群 — the cluster's numbers: enterprises' statistics by period and what a year
//! of them adds up to ([`statistics`], [`period`]), which enterprises make the cluster and
//! its figures ([`figures`]), targets and the growth still needed, with what the projects
//! on hand will add ([`targets`]), the 亩均 per-mu evaluation A/B/C/D ([`mu`]) and the
//! post-completion check against a parcel's control indicators ([`completion`]).
//!
//! Plain rules: figures come in, scores, classes, rates and verdicts come out.

pub mod completion;
pub mod figures;
pub mod mu;
pub mod period;
pub mod statistics;
pub mod targets;
