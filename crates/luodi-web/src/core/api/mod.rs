//! The core's JSON API.

pub mod account;
pub mod audit;
pub mod calendar;
pub mod enterprises;
