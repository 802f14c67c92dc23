//! Stewardship's storage: projects and phases, stewards with their history, blockers as
//! events, each user's inbox, and the outbox of email and webhooks.

pub mod blockers;
pub mod notifications;
pub mod outbox;
pub mod projects;
pub mod stewards;
