//! The core every module stands on: zones and their people (ids, roles, scopes), the
//! languages, time and the working-day calendar, money, codes from outside (the unified
//! social credit code, GB/T 4754 industries), enterprises' input checks, text checks, and
//! the audit chain's arithmetic.

pub mod audit;
pub mod calendar;
pub mod enterprise;
pub mod i18n;
pub mod ids;
pub mod industry;
pub mod lang;
pub mod login;
pub mod money;
pub mod policy;
pub mod role;
pub mod scope;
pub mod text;
pub mod time;
pub mod uscc;
