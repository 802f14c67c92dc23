//! Luodi's rules, in plain Rust with no I/O. One folder a module, with the same names in
//! every crate: [`core`] (ids, roles, the permission policy, scopes, languages, time, the
//! calendar, money, codes, enterprises, audit hashing), [`land`], [`approvals`],
//! [`forecast`], [`stewardship`], [`leadership`].
//! The store, the use cases, the web layer and the CLI depend on this crate; it depends
//! on none of them.

pub mod approvals;
pub mod cluster;
pub mod core;
pub mod forecast;
pub mod fund;
pub mod land;
pub mod leadership;
pub mod stewardship;

pub use self::core::ids::*;
pub use self::core::lang::{Lang, Text};
pub use self::core::policy::Operation;
pub use self::core::role::Role;
pub use self::core::scope::Scope;
