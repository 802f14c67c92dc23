//! The leadership view's API and page.

pub mod api;
pub mod pages;
