//! The core's storage: zones, parks and departments, users, sessions, tokens and the
//! login throttle, enterprises, the working-day calendar's imported years, and the audit
//! chain every write appends to.

pub mod audit;
pub mod calendar;
pub mod enterprises;
pub mod orgs;
pub mod sessions;
pub mod users;
