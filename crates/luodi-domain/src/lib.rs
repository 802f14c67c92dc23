//! Luodi's rules, in plain Rust with no I/O: identifiers and codes that parse with a
//! reason, money in fen, roles and scopes, enterprise input checks, and the audit
//! chain's arithmetic. The store, the web layer and the CLI depend on this crate; it
//! depends on none of them.

pub mod audit;
pub mod blocker;
pub mod calendar;
pub mod catalogue;
pub mod enterprise;
pub mod forecast;
pub mod ids;
pub mod industry;
pub mod lang;
pub mod match_index;
pub mod matching;
pub mod money;
pub mod monte_carlo;
pub mod outbound;
pub mod parcel;
pub mod portfolio;
pub mod project;
pub mod ring;
pub mod role;
pub mod rule;
pub mod scope;
pub mod service_item;
pub mod text;
pub mod time;
pub mod uscc;

pub use ids::*;
pub use lang::{Lang, Text};
pub use role::{Action, Role};
pub use scope::Scope;
