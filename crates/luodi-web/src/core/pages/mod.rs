//! The core's pages.

pub mod account;
pub mod audit;
pub mod auth;
pub mod enterprises;
pub mod home;
pub mod settings;
